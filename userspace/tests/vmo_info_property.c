// What a VMO says about itself: zx_object_get_info with ZX_INFO_VMO (and its older
// prefixes ZX_INFO_VMO_V1 and _V2), ZX_PROP_NAME and ZX_PROP_VMO_CONTENT_SIZE through
// zx_object_get_property / zx_object_set_property (the digest's sections 2.13, 3.11 and
// 3.12), and ZX_INFO_KMEM_STATS on the info resource, which every leak check relies on.
// ZX_INFO_VMO needs no rights and reports this handle's rights; a buffer smaller than
// the record is BUFFER_TOO_SMALL with actual = 0 and avail = 1. Properties check a NULL
// value before the handle, then the right, then the size, then the object's type. A
// child's content size is its unrounded size; a content size may exceed the VMO's size;
// shrinking it zeroes the bytes after it.
//
// CamelCase cases are Fuchsia's cases of the same name (VmoTestCase in
// zircon/system/utest/core/vmo/vmo.cc; NameProperty is [V]'s VmoCloneTestCase); snake_case
// cases are ours.
#include <zircon/process.h>
#include <zircon/rights.h>
#include <zircon/syscalls/object.h>
#include <zrk/bad_ptr.h>
#include <zrk/startup.h>
#include <zrk/test.h>
#include <zrk/vmo_util.h>

static zx_status_t set_content_size(zx_handle_t vmo, uint64_t size) {
  return zx_object_set_property(vmo, ZX_PROP_VMO_CONTENT_SIZE, &size, sizeof size);
}

static zx_status_t get_name(zx_handle_t h, char name[ZX_MAX_NAME_LEN]) {
  return zx_object_get_property(h, ZX_PROP_NAME, name, ZX_MAX_NAME_LEN);
}

static zx_status_t set_name(zx_handle_t h, const char* name) {
  return zx_object_set_property(h, ZX_PROP_NAME, name, strlen(name));
}

TEST(record_layouts) {
  EXPECT_EQ(sizeof(zx_info_vmo_t), 128);
  EXPECT_EQ(sizeof(zx_info_vmo_v2_t), 120);
  EXPECT_EQ(sizeof(zx_info_vmo_v1_t), 104);
  EXPECT_EQ(sizeof(zx_info_kmem_stats_t), 72);
  EXPECT_EQ(ZX_INFO_VMO, 0x20000017u);
}

// Fuchsia's Info without its contiguous-VMO part (that needs the root resource).
VMO_TEST(Info) {
  zx_handle_t vmo;
  size_t len = 4 * PAGE;
  ASSERT_OK(zx_vmo_create(len, 0, &vmo));
  zx_info_vmo_t info = vmo_info(vmo);
  EXPECT_EQ(info.size_bytes, len);
  EXPECT_EQ(info.flags, ZX_INFO_VMO_TYPE_PAGED | ZX_INFO_VMO_VIA_HANDLE);
  EXPECT_EQ(info.cache_policy, ZX_CACHE_POLICY_CACHED);
  EXPECT_OK(zx_handle_close(vmo));

  len = 8 * PAGE;
  ASSERT_OK(zx_vmo_create(len, ZX_VMO_RESIZABLE, &vmo));
  EXPECT_OK(zx_vmo_set_cache_policy(vmo, ZX_CACHE_POLICY_UNCACHED));
  size_t actual = 9, avail = 9;
  memset(&info, 0, sizeof info);
  EXPECT_OK(zx_object_get_info(vmo, ZX_INFO_VMO, &info, sizeof info, &actual, &avail));
  EXPECT_EQ(actual, 1);
  EXPECT_EQ(avail, 1);
  zx_info_handle_basic_t basic;
  actual = avail = 9;
  EXPECT_OK(zx_object_get_info(vmo, ZX_INFO_HANDLE_BASIC, &basic, sizeof basic, &actual, &avail));
  EXPECT_EQ(actual, 1);
  EXPECT_EQ(avail, 1);
  EXPECT_EQ(info.size_bytes, len);
  EXPECT_EQ(info.flags, ZX_INFO_VMO_TYPE_PAGED | ZX_INFO_VMO_VIA_HANDLE | ZX_INFO_VMO_RESIZABLE);
  EXPECT_EQ(info.cache_policy, ZX_CACHE_POLICY_UNCACHED);
  EXPECT_EQ(info.handle_rights, basic.rights);
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(info_fields_of_a_new_vmo) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(3 * PAGE + 5, 0, &vmo));
  zx_info_vmo_t info;
  memset(&info, 0xa5, sizeof info);
  ASSERT_OK(zx_object_get_info(vmo, ZX_INFO_VMO, &info, sizeof info, NULL, NULL));
  EXPECT_EQ(info.koid, basic_info(vmo).koid);
  char empty[ZX_MAX_NAME_LEN] = {0};
  EXPECT_EQ(memcmp(info.name, empty, sizeof empty), 0);
  EXPECT_EQ(info.size_bytes, 4 * PAGE);
  EXPECT_EQ(info.parent_koid, 0);
  EXPECT_EQ(info.num_children, 0);
  EXPECT_EQ(info.num_mappings, 0);
  EXPECT_EQ(info.flags, ZX_INFO_VMO_TYPE_PAGED | ZX_INFO_VMO_VIA_HANDLE);
  EXPECT_EQ(info.committed_bytes, 0);
  EXPECT_EQ(info.populated_bytes, 0);
  EXPECT_EQ(info.handle_rights, ZX_DEFAULT_VMO_RIGHTS);
  EXPECT_EQ(info.cache_policy, ZX_CACHE_POLICY_CACHED);
  // Commit some: committed and populated follow.
  ASSERT_OK(write_u32(vmo, PAGE, 1));
  ASSERT_OK(write_u32(vmo, 3 * PAGE, 1));
  info = vmo_info(vmo);
  EXPECT_EQ(info.committed_bytes, 2 * PAGE);
  EXPECT_EQ(info.populated_bytes, 2 * PAGE);
  ASSERT_OK(zx_vmo_op_range(vmo, ZX_VMO_OP_DECOMMIT, PAGE, PAGE, NULL, 0));
  EXPECT_EQ(vmo_info(vmo).committed_bytes, PAGE);
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(V1Info) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  zx_info_vmo_v1_t v1;
  zx_info_vmo_v2_t v2;
  EXPECT_OK(zx_object_get_info(vmo, ZX_INFO_VMO_V1, &v1, sizeof v1, NULL, NULL));
  EXPECT_OK(zx_object_get_info(vmo, ZX_INFO_VMO_V2, &v2, sizeof v2, NULL, NULL));
  zx_info_vmo_t info = vmo_info(vmo);
  EXPECT_EQ(v1.koid, info.koid);
  EXPECT_EQ(v1.size_bytes, info.size_bytes);
  EXPECT_EQ(v1.parent_koid, info.parent_koid);
  EXPECT_EQ(v1.num_children, info.num_children);
  EXPECT_EQ(v1.num_mappings, info.num_mappings);
  EXPECT_EQ(v1.share_count, info.share_count);
  EXPECT_EQ(v1.flags, info.flags);
  EXPECT_EQ(v1.handle_rights, info.handle_rights);
  EXPECT_EQ(v1.cache_policy, info.cache_policy);
  EXPECT_EQ(v2.koid, info.koid);
  EXPECT_EQ(v2.flags, info.flags);
  EXPECT_EQ(v2.metadata_bytes, info.metadata_bytes);
  EXPECT_EQ(v2.handle_rights, info.handle_rights);
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(MetadataBytes) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  zx_info_vmo_t info = vmo_info(vmo);
  EXPECT_EQ(info.metadata_bytes, 0);
  EXPECT_OK(zx_vmo_write(vmo, &info, 0, sizeof info));
  EXPECT_NE(vmo_info(vmo).metadata_bytes, 0);
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(info_needs_no_rights_and_reports_this_handles) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  zx_rights_t sets[] = {ZX_RIGHT_NONE, ZX_RIGHT_READ, ZX_RIGHT_WRITE | ZX_RIGHT_MAP};
  for (size_t i = 0; i < 3; i++) {
    TEST_CONTEXT("rights %#x", sets[i]);
    zx_handle_t h = dup_with(vmo, sets[i]);
    zx_info_vmo_t info;
    EXPECT_OK(zx_object_get_info(h, ZX_INFO_VMO, &info, sizeof info, NULL, NULL));
    EXPECT_EQ(info.handle_rights, sets[i]);
    EXPECT_EQ(info.koid, basic_info(vmo).koid);
    EXPECT_OK(zx_handle_close(h));
  }
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(info_buffers) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  struct {
    uint32_t topic;
    size_t size;
  } topics[] = {{ZX_INFO_VMO, 128}, {ZX_INFO_VMO_V2, 120}, {ZX_INFO_VMO_V1, 104}};
  static uint8_t big[256];
  for (size_t i = 0; i < 3; i++) {
    TEST_CONTEXT("topic %#x", topics[i].topic);
    size_t actual = 9, avail = 9;
    EXPECT_STATUS(zx_object_get_info(vmo, topics[i].topic, big, topics[i].size - 1, &actual,
                                     &avail),
                  ZX_ERR_BUFFER_TOO_SMALL);
    EXPECT_EQ(actual, 0);
    EXPECT_EQ(avail, 1);
    EXPECT_STATUS(zx_object_get_info(vmo, topics[i].topic, NULL, 0, NULL, NULL),
                  ZX_ERR_BUFFER_TOO_SMALL);
    // Exactly the record, or more.
    memset(big, 0xa5, sizeof big);
    EXPECT_OK(zx_object_get_info(vmo, topics[i].topic, big, topics[i].size, &actual, &avail));
    EXPECT_EQ(actual, 1);
    EXPECT_EQ(avail, 1);
    // Nothing past the record was written.
    EXPECT_TRUE(all_bytes(big + topics[i].size, sizeof big - topics[i].size, 0xa5));
    EXPECT_OK(zx_object_get_info(vmo, topics[i].topic, big, sizeof big, NULL, NULL));
    // A buffer the kernel cannot write.
    zrk_bad_ptr_t bad[ZRK_BAD_PTR_MAX];
    size_t n = zrk_bad_ptrs(bad, topics[i].size);
    bad[n++] = (zrk_bad_ptr_t){"read-only", zrk_readonly_ptr()};
    for (size_t j = 0; j < n; j++) {
      TEST_CONTEXT("topic %#x, buffer %s", topics[i].topic, bad[j].name);
      EXPECT_STATUS(zx_object_get_info(vmo, topics[i].topic, bad[j].ptr, topics[i].size, NULL,
                                       NULL),
                    ZX_ERR_INVALID_ARGS);
    }
  }
  TEST_CONTEXT("handles");
  zx_info_vmo_t info;
  EXPECT_STATUS(zx_object_get_info(ZX_HANDLE_INVALID, ZX_INFO_VMO, &info, sizeof info, NULL, NULL),
                ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_object_get_info(zx_thread_self(), ZX_INFO_VMO, &info, sizeof info, NULL, NULL),
                ZX_ERR_WRONG_TYPE);
  EXPECT_STATUS(zx_object_get_info(zrk_startup()->info_resource, ZX_INFO_VMO, &info, sizeof info,
                                   NULL, NULL),
                ZX_ERR_WRONG_TYPE);
  EXPECT_EQ(*(const char*)zrk_readonly_ptr(), 1);
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(ContentSize) {
  size_t len = 4 * PAGE;
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(len, ZX_VMO_RESIZABLE, &vmo));
  EXPECT_EQ(content_size(vmo), len);
  uint64_t target = len / 3;
  EXPECT_OK(set_content_size(vmo, target));
  EXPECT_EQ(content_size(vmo), target);
  // Bigger than the VMO, which keeps its size.
  target = len + 15643;
  EXPECT_OK(set_content_size(vmo, target));
  EXPECT_EQ(content_size(vmo), target);
  uint64_t size = 0;
  EXPECT_OK(zx_vmo_get_size(vmo, &size));
  EXPECT_EQ(size, len);
  target = 5461;
  EXPECT_OK(zx_vmo_set_size(vmo, target));
  EXPECT_EQ(content_size(vmo), target);
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(content_size_is_the_unrounded_size) {
  uint64_t sizes[] = {0, 1, 100, PAGE - 1, PAGE, PAGE + 1, 7 * PAGE + 13};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    TEST_CONTEXT("size %" PRIu64, sizes[i]);
    zx_handle_t vmo;
    ASSERT_OK(zx_vmo_create(sizes[i], 0, &vmo));
    EXPECT_EQ(content_size(vmo), sizes[i]);
    EXPECT_OK(zx_handle_close(vmo));
  }
  TEST_CONTEXT("children");
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(4 * PAGE, 0, &vmo));
  zx_handle_t snap = child_of(vmo, ZX_VMO_CHILD_SNAPSHOT, PAGE, PAGE + 77);
  zx_handle_t slice = child_of(vmo, ZX_VMO_CHILD_SLICE, PAGE, 42);
  EXPECT_EQ(content_size(snap), PAGE + 77);
  EXPECT_EQ(content_size(slice), 42);
  zx_handle_t handles[] = {slice, snap, vmo};
  EXPECT_OK(zx_handle_close_many(handles, 3));
}

// Shrinking the content size zeroes what lies past it in the VMO.
VMO_TEST(shrinking_the_content_size_zeroes_the_rest) {
  static uint8_t buf[2 * ZX_PAGE_SIZE];
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &vmo));
  memset(buf, 0xff, sizeof buf);
  ASSERT_OK(zx_vmo_write(vmo, buf, 0, sizeof buf));
  EXPECT_OK(set_content_size(vmo, 100));
  ASSERT_OK(zx_vmo_read(vmo, buf, 0, sizeof buf));
  EXPECT_TRUE(all_bytes(buf, 100, 0xff));
  EXPECT_TRUE(all_bytes(buf + 100, sizeof buf - 100, 0));
  uint64_t size = 0;
  EXPECT_OK(zx_vmo_get_size(vmo, &size));
  EXPECT_EQ(size, 2 * PAGE);
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(content_size_errors_in_zircon_order) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  uint64_t v = 5;
  uint32_t small = 5;
  // NULL before the handle.
  EXPECT_STATUS(zx_object_get_property(ZX_HANDLE_INVALID, ZX_PROP_VMO_CONTENT_SIZE, NULL, 8),
                ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_object_set_property(ZX_HANDLE_INVALID, ZX_PROP_VMO_CONTENT_SIZE, NULL, 8),
                ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_object_get_property(ZX_HANDLE_INVALID, ZX_PROP_VMO_CONTENT_SIZE, &v, 8),
                ZX_ERR_BAD_HANDLE);
  // The right before the size.
  zx_handle_t no_get = dup_with(vmo, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_GET_PROPERTY);
  zx_handle_t no_set = dup_with(vmo, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_SET_PROPERTY);
  EXPECT_STATUS(zx_object_get_property(no_get, ZX_PROP_VMO_CONTENT_SIZE, &small, 4),
                ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_object_set_property(no_set, ZX_PROP_VMO_CONTENT_SIZE, &small, 4),
                ZX_ERR_ACCESS_DENIED);
  EXPECT_OK(zx_object_get_property(no_set, ZX_PROP_VMO_CONTENT_SIZE, &v, 8));
  // The size before the object's type.
  EXPECT_STATUS(zx_object_get_property(vmo, ZX_PROP_VMO_CONTENT_SIZE, &small, 4),
                ZX_ERR_BUFFER_TOO_SMALL);
  EXPECT_STATUS(zx_object_set_property(vmo, ZX_PROP_VMO_CONTENT_SIZE, &small, 4),
                ZX_ERR_BUFFER_TOO_SMALL);
  EXPECT_STATUS(zx_object_get_property(zx_thread_self(), ZX_PROP_VMO_CONTENT_SIZE, &small, 4),
                ZX_ERR_BUFFER_TOO_SMALL);
  EXPECT_STATUS(zx_object_get_property(zx_thread_self(), ZX_PROP_VMO_CONTENT_SIZE, &v, 8),
                ZX_ERR_WRONG_TYPE);
  EXPECT_STATUS(zx_object_set_property(zx_thread_self(), ZX_PROP_VMO_CONTENT_SIZE, &v, 8),
                ZX_ERR_WRONG_TYPE);
  // Unwritable or unreadable values.
  EXPECT_STATUS(zx_object_get_property(vmo, ZX_PROP_VMO_CONTENT_SIZE, zrk_readonly_ptr(), 8),
                ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_object_get_property(vmo, ZX_PROP_VMO_CONTENT_SIZE,
                                       (void*)(uintptr_t)0xffff000000000000, 8),
                ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_object_set_property(vmo, ZX_PROP_VMO_CONTENT_SIZE,
                                       (const void*)zrk_unmapped_user_addr(), 8),
                ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(content_size(vmo), PAGE);
  zx_handle_t handles[] = {no_get, no_set, vmo};
  EXPECT_OK(zx_handle_close_many(handles, 3));
}

VMO_TEST(name_property) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  char name[ZX_MAX_NAME_LEN];
  memset(name, 'x', sizeof name);
  EXPECT_OK(get_name(vmo, name));
  EXPECT_TRUE(all_bytes(name, sizeof name, 0));
  // From VmoTestCase.Rights: a set name reads back.
  EXPECT_OK(set_name(vmo, "test vmo"));
  EXPECT_OK(get_name(vmo, name));
  EXPECT_EQ(strcmp(name, "test vmo"), 0);
  // The rest of the 32 bytes are NULs.
  EXPECT_TRUE(all_bytes(name + 8, sizeof name - 8, 0));
  EXPECT_EQ(strcmp(vmo_info(vmo).name, "test vmo"), 0);
  // A shorter name replaces it entirely; an empty one clears it.
  EXPECT_OK(set_name(vmo, "ab"));
  EXPECT_OK(get_name(vmo, name));
  EXPECT_TRUE(memcmp(name, "ab\0\0\0\0", 6) == 0);
  EXPECT_OK(zx_object_set_property(vmo, ZX_PROP_NAME, "zzz", 0));
  EXPECT_OK(get_name(vmo, name));
  EXPECT_TRUE(all_bytes(name, sizeof name, 0));
  // Too long: cut to 31 bytes and a NUL.
  const char* longer = "0123456789abcdefghijklmnopqrstuvwxyz";
  EXPECT_OK(set_name(vmo, longer));
  EXPECT_OK(get_name(vmo, name));
  EXPECT_EQ(memcmp(name, longer, 31), 0);
  EXPECT_EQ(name[31], 0);
  // A bigger buffer than 32 bytes is fine.
  char bigger[64];
  EXPECT_OK(zx_object_get_property(vmo, ZX_PROP_NAME, bigger, sizeof bigger));
  EXPECT_EQ(memcmp(bigger, longer, 31), 0);
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(name_errors_in_zircon_order) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  char name[ZX_MAX_NAME_LEN];
  EXPECT_STATUS(zx_object_get_property(stale_handle(), ZX_PROP_NAME, NULL, 32),
                ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_object_set_property(stale_handle(), ZX_PROP_NAME, NULL, 3),
                ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_object_get_property(stale_handle(), ZX_PROP_NAME, name, 32),
                ZX_ERR_BAD_HANDLE);
  zx_handle_t no_get = dup_with(vmo, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_GET_PROPERTY);
  zx_handle_t no_set = dup_with(vmo, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_SET_PROPERTY);
  EXPECT_STATUS(zx_object_get_property(no_get, ZX_PROP_NAME, name, 1), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(set_name(no_set, "nope"), ZX_ERR_ACCESS_DENIED);
  EXPECT_OK(set_name(no_get, "yes"));
  EXPECT_STATUS(zx_object_get_property(vmo, ZX_PROP_NAME, name, 31), ZX_ERR_BUFFER_TOO_SMALL);
  EXPECT_STATUS(zx_object_get_property(vmo, ZX_PROP_NAME, zrk_readonly_ptr(), 32),
                ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_object_set_property(vmo, ZX_PROP_NAME,
                                       (const void*)(uintptr_t)0xffff000000000000, 4),
                ZX_ERR_INVALID_ARGS);
  EXPECT_OK(get_name(vmo, name));
  EXPECT_EQ(strcmp(name, "yes"), 0);
  // Properties nobody has.
  uint64_t v = 0;
  EXPECT_STATUS(zx_object_get_property(vmo, 9999, &v, sizeof v), ZX_ERR_NOT_SUPPORTED);
  EXPECT_STATUS(zx_object_set_property(vmo, 9999, &v, sizeof v), ZX_ERR_NOT_SUPPORTED);
  zx_handle_t handles[] = {no_get, no_set, vmo};
  EXPECT_OK(zx_handle_close_many(handles, 3));
}

// [V]'s VmoCloneTestCase.NameProperty, with [G]'s rule: a child takes its parent's name
// when the parent handle may read it (GET_PROPERTY).
VMO_TEST(NameProperty) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(set_name(vmo, "parent name"));
  char name[ZX_MAX_NAME_LEN];
  uint32_t kinds[] = {ZX_VMO_CHILD_SNAPSHOT, ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE,
                      ZX_VMO_CHILD_SLICE};
  for (size_t k = 0; k < 3; k++) {
    TEST_CONTEXT("options %#x", kinds[k]);
    zx_handle_t child = child_of(vmo, kinds[k], 0, PAGE);
    EXPECT_OK(get_name(child, name));
    EXPECT_EQ(strcmp(name, "parent name"), 0);
    // Renaming the child leaves the parent's name alone.
    EXPECT_OK(set_name(child, "child"));
    EXPECT_OK(get_name(vmo, name));
    EXPECT_EQ(strcmp(name, "parent name"), 0);
    EXPECT_OK(zx_handle_close(child));
    zx_handle_t blind = dup_with(vmo, ZX_RIGHT_READ | ZX_RIGHT_DUPLICATE);
    child = child_of(blind, kinds[k], 0, PAGE);
    EXPECT_OK(get_name(child, name));
    EXPECT_TRUE(all_bytes(name, sizeof name, 0));
    EXPECT_OK(zx_handle_close(child));
    EXPECT_OK(zx_handle_close(blind));
  }
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(kmem_stats_follow_vmo_memory) {
  zx_handle_t info = zrk_startup()->info_resource;
  zx_info_kmem_stats_t before = kmem();
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(16 * PAGE, 0, &vmo));
  ASSERT_OK(zx_vmo_op_range(vmo, ZX_VMO_OP_COMMIT, 0, 16 * PAGE, NULL, 0));
  zx_info_kmem_stats_t during = kmem();
  EXPECT_EQ(during.total_bytes, before.total_bytes);
  EXPECT_EQ(during.vmo_bytes, before.vmo_bytes + 16 * PAGE);
  // Free memory with the kernel heap's (see free_bytes()): the heap may grow meanwhile.
  EXPECT_EQ(during.free_bytes + during.total_heap_bytes,
            before.free_bytes + before.total_heap_bytes - 16 * PAGE);
  EXPECT_OK(zx_handle_close(vmo));
  zx_info_kmem_stats_t after = kmem();
  EXPECT_EQ(after.vmo_bytes, before.vmo_bytes);
  EXPECT_EQ(after.free_bytes + after.total_heap_bytes,
            before.free_bytes + before.total_heap_bytes);
  // The topic wants the info resource, and a whole record.
  zx_info_kmem_stats_t stats;
  size_t actual = 9, avail = 9;
  EXPECT_STATUS(zx_object_get_info(info, ZX_INFO_KMEM_STATS, &stats, sizeof stats - 1, &actual,
                                   &avail),
                ZX_ERR_BUFFER_TOO_SMALL);
  EXPECT_EQ(actual, 0);
  EXPECT_EQ(avail, 1);
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  EXPECT_STATUS(zx_object_get_info(vmo, ZX_INFO_KMEM_STATS, &stats, sizeof stats, NULL, NULL),
                ZX_ERR_WRONG_TYPE);
  EXPECT_OK(zx_handle_close(vmo));
}

int main(void) { return run_tests(); }
