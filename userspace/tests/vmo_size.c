// zx_vmo_get_size and zx_vmo_set_size (docs/reference/syscalls/vmo_get_size.md,
// vmo_set_size.md; the digest's sections 3.3 and 3.4). get_size needs no rights and
// reports the page-rounded size. set_size checks, in order: the WRITE right, the RESIZE
// right on a resizable VMO (ACCESS_DENIED), a round-up that overflows (OUT_OF_RANGE), a
// VMO not created resizable (UNAVAILABLE), a size past the largest VMO (OUT_OF_RANGE).
// A resize frees the pages past the new end, zeroes the rest of the last page and sets
// the content size to exactly the size asked for; growing exposes zeros.
//
// CamelCase cases are Fuchsia's cases of the same name (VmoTestCase in
// zircon/system/utest/core/vmo/vmo.cc); snake_case cases are ours.
#include <zircon/process.h>
#include <zircon/rights.h>
#include <zircon/syscalls/object.h>
#include <zrk/bad_ptr.h>
#include <zrk/startup.h>
#include <zrk/test.h>
#include <zrk/vmo_util.h>

static uint8_t buf[8 * ZX_PAGE_SIZE];

static uint64_t size_of(zx_handle_t vmo) {
  uint64_t size = 0x99999999;
  zx_status_t status = zx_vmo_get_size(vmo, &size);
  if (status != ZX_OK) {
    printf("# get_size failed: %s\n", zx_status_get_string(status));
  }
  return size;
}

VMO_TEST(get_size_reports_the_page_rounded_size) {
  uint64_t sizes[] = {0, 1, PAGE - 1, PAGE, PAGE + 1, 10 * PAGE + 5, 1ull << 40};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    TEST_CONTEXT("size %#" PRIx64, sizes[i]);
    zx_handle_t vmo;
    ASSERT_OK(zx_vmo_create(sizes[i], 0, &vmo));
    EXPECT_EQ(size_of(vmo), (sizes[i] + PAGE - 1) & ~(PAGE - 1));
    EXPECT_OK(zx_handle_close(vmo));
  }
}

VMO_TEST(get_size_needs_no_rights) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(3 * PAGE, 0, &vmo));
  zx_handle_t none = dup_with(vmo, ZX_RIGHT_NONE);
  ASSERT_NE(none, ZX_HANDLE_INVALID);
  EXPECT_EQ(size_of(none), 3 * PAGE);
  EXPECT_OK(zx_handle_close(none));
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(get_size_errors) {
  uint64_t size = 7;
  EXPECT_STATUS(zx_vmo_get_size(ZX_HANDLE_INVALID, &size), ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_vmo_get_size(stale_handle(), &size), ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_vmo_get_size(zx_thread_self(), &size), ZX_ERR_WRONG_TYPE);
  EXPECT_STATUS(zx_vmo_get_size(zx_process_self(), NULL), ZX_ERR_WRONG_TYPE);
  EXPECT_STATUS(zx_vmo_get_size(stale_handle(), NULL), ZX_ERR_BAD_HANDLE);
  EXPECT_EQ(size, 7);
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  zrk_bad_ptr_t bad[ZRK_BAD_PTR_MAX];
  size_t n = zrk_bad_ptrs(bad, sizeof(uint64_t));
  bad[n++] = (zrk_bad_ptr_t){"read-only", zrk_readonly_ptr()};
  for (size_t i = 0; i < n; i++) {
    TEST_CONTEXT("out = %s", bad[i].name);
    EXPECT_STATUS(zx_vmo_get_size(vmo, bad[i].ptr), ZX_ERR_INVALID_ARGS);
  }
  EXPECT_EQ(*(const char*)zrk_readonly_ptr(), 1);
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(ResizeAlign) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(0, ZX_VMO_RESIZABLE, &vmo));
  for (uint64_t s = 0; s < 4 * PAGE; s++) {
    zx_status_t status = zx_vmo_set_size(vmo, s);
    uint64_t size = size_of(vmo);
    if (status != ZX_OK || size != ((s + PAGE - 1) & ~(PAGE - 1))) {
      TEST_CONTEXT("set_size(%" PRIu64 ")", s);
      EXPECT_OK(status);
      EXPECT_EQ(size, (s + PAGE - 1) & ~(PAGE - 1));
      break;
    }
  }
  EXPECT_OK(zx_handle_close(vmo));
}

// Fuchsia's Resize without its mapping half (that needs VMARs).
VMO_TEST(Resize) {
  uint64_t len = 4 * PAGE;
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(len, ZX_VMO_RESIZABLE, &vmo));
  EXPECT_EQ(size_of(vmo), len);
  len += PAGE;
  EXPECT_OK(zx_vmo_set_size(vmo, len));
  EXPECT_EQ(size_of(vmo), len);
  EXPECT_STATUS(zx_vmo_set_size(vmo, UINT64_MAX), ZX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(size_of(vmo), len);
  EXPECT_OK(zx_vmo_set_size(vmo, len + 1));
  EXPECT_EQ(size_of(vmo), len + PAGE);
  EXPECT_OK(zx_handle_close(vmo));
}

// Fuchsia's NoResize without its mapping half (that needs VMARs).
VMO_TEST(NoResize) {
  const uint64_t len = 4 * PAGE;
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(len, 0, &vmo));
  ASSERT_OK(write_u32(vmo, 3 * PAGE, 9));
  EXPECT_STATUS(zx_vmo_set_size(vmo, len + PAGE), ZX_ERR_UNAVAILABLE);
  EXPECT_STATUS(zx_vmo_set_size(vmo, len - PAGE), ZX_ERR_UNAVAILABLE);
  EXPECT_STATUS(zx_vmo_set_size(vmo, len), ZX_ERR_UNAVAILABLE);
  EXPECT_STATUS(zx_vmo_set_size(vmo, 0), ZX_ERR_UNAVAILABLE);
  EXPECT_EQ(size_of(vmo), len);
  EXPECT_EQ(read_u32(vmo, 3 * PAGE), 9);
  EXPECT_OK(zx_handle_close(vmo));
}

// Fuchsia's ResizeRight without its pager half.
VMO_TEST(ResizeRight) {
  const uint64_t len = 4 * PAGE;
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(len, 0, &vmo));
  EXPECT_EQ(rights_of(vmo) & ZX_RIGHT_RESIZE, 0);
  EXPECT_STATUS(zx_vmo_set_size(vmo, len + PAGE), ZX_ERR_UNAVAILABLE);
  EXPECT_OK(zx_handle_close(vmo));

  ASSERT_OK(zx_vmo_create(len, ZX_VMO_RESIZABLE, &vmo));
  zx_rights_t rights = rights_of(vmo);
  EXPECT_EQ(rights & ZX_RIGHT_RESIZE, ZX_RIGHT_RESIZE);
  EXPECT_OK(zx_vmo_set_size(vmo, len + PAGE));
  zx_handle_t no_resize = dup_with(vmo, rights & ~ZX_RIGHT_RESIZE);
  ASSERT_NE(no_resize, ZX_HANDLE_INVALID);
  EXPECT_STATUS(zx_vmo_set_size(no_resize, PAGE), ZX_ERR_ACCESS_DENIED);
  EXPECT_EQ(size_of(vmo), len + PAGE);
  EXPECT_OK(zx_handle_close(no_resize));
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(ChildResizeRight) {
  const uint64_t len = 4 * PAGE;
  zx_handle_t parent;
  ASSERT_OK(zx_vmo_create(len, 0, &parent));
  uint32_t types[] = {ZX_VMO_CHILD_SNAPSHOT, ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE,
                      ZX_VMO_CHILD_SLICE};
  for (size_t i = 0; i < 3; i++) {
    TEST_CONTEXT("child type %#x", types[i]);
    zx_handle_t child;
    ASSERT_OK(zx_vmo_create_child(parent, types[i], 0, len, &child));
    EXPECT_EQ(rights_of(child) & ZX_RIGHT_RESIZE, 0);
    EXPECT_STATUS(zx_vmo_set_size(child, len + PAGE), ZX_ERR_UNAVAILABLE);
    EXPECT_OK(zx_handle_close(child));
    if (types[i] == ZX_VMO_CHILD_SLICE) {
      continue;  // slices cannot be resizable
    }
    ASSERT_OK(zx_vmo_create_child(parent, types[i] | ZX_VMO_CHILD_RESIZABLE, 0, len, &child));
    zx_rights_t rights = rights_of(child);
    EXPECT_EQ(rights & ZX_RIGHT_RESIZE, ZX_RIGHT_RESIZE);
    EXPECT_OK(zx_vmo_set_size(child, len + PAGE));
    EXPECT_EQ(size_of(child), len + PAGE);
    zx_handle_t no_resize = dup_with(child, rights & ~ZX_RIGHT_RESIZE);
    EXPECT_STATUS(zx_vmo_set_size(no_resize, PAGE), ZX_ERR_ACCESS_DENIED);
    EXPECT_OK(zx_handle_close(no_resize));
    EXPECT_OK(zx_handle_close(child));
  }
  EXPECT_OK(zx_handle_close(parent));
}

VMO_TEST(set_size_errors_in_zircon_order) {
  zx_handle_t fixed, resizable;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &fixed));
  ASSERT_OK(zx_vmo_create(PAGE, ZX_VMO_RESIZABLE, &resizable));
  // The handle.
  EXPECT_STATUS(zx_vmo_set_size(ZX_HANDLE_INVALID, PAGE), ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_vmo_set_size(stale_handle(), UINT64_MAX), ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_vmo_set_size(zx_thread_self(), PAGE), ZX_ERR_WRONG_TYPE);
  zx_handle_t thread_none = dup_with(zx_thread_self(), ZX_RIGHT_NONE);
  EXPECT_STATUS(zx_vmo_set_size(thread_none, UINT64_MAX), ZX_ERR_WRONG_TYPE);
  EXPECT_OK(zx_handle_close(thread_none));
  // WRITE, before anything about the VMO or the size.
  zx_handle_t fixed_ro = dup_with(fixed, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_WRITE);
  zx_handle_t resizable_ro =
      dup_with(resizable, (ZX_DEFAULT_VMO_RIGHTS | ZX_RIGHT_RESIZE) & ~ZX_RIGHT_WRITE);
  EXPECT_STATUS(zx_vmo_set_size(fixed_ro, 2 * PAGE), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_vmo_set_size(fixed_ro, UINT64_MAX), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_vmo_set_size(resizable_ro, 2 * PAGE), ZX_ERR_ACCESS_DENIED);
  // RESIZE on a resizable VMO, before the size.
  zx_handle_t no_resize = dup_with(resizable, ZX_DEFAULT_VMO_RIGHTS);
  EXPECT_STATUS(zx_vmo_set_size(no_resize, 2 * PAGE), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_vmo_set_size(no_resize, UINT64_MAX), ZX_ERR_ACCESS_DENIED);
  // A round-up that overflows, before the VMO's resizability...
  EXPECT_STATUS(zx_vmo_set_size(fixed, UINT64_MAX), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(zx_vmo_set_size(fixed, UINT64_MAX - PAGE + 2), ZX_ERR_OUT_OF_RANGE);
  // ...which comes before the largest-size check.
  EXPECT_STATUS(zx_vmo_set_size(fixed, VMO_MAX_SIZE + PAGE), ZX_ERR_UNAVAILABLE);
  EXPECT_STATUS(zx_vmo_set_size(resizable, VMO_MAX_SIZE + PAGE), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(zx_vmo_set_size(resizable, VMO_MAX_SIZE + 1), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(zx_vmo_set_size(resizable, UINT64_MAX), ZX_ERR_OUT_OF_RANGE);
  // Nothing changed.
  EXPECT_EQ(size_of(fixed), PAGE);
  EXPECT_EQ(size_of(resizable), PAGE);
  // The largest size is fine (and costs nothing).
  EXPECT_OK(zx_vmo_set_size(resizable, VMO_MAX_SIZE));
  EXPECT_EQ(size_of(resizable), VMO_MAX_SIZE);
  EXPECT_OK(write_u32(resizable, VMO_MAX_SIZE - 4, 3));
  EXPECT_EQ(read_u32(resizable, VMO_MAX_SIZE - 4), 3);
  zx_handle_t handles[] = {fixed, resizable, fixed_ro, resizable_ro, no_resize};
  EXPECT_OK(zx_handle_close_many(handles, 5));
}

VMO_TEST(shrink_then_grow_reads_zeros) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(4 * PAGE, ZX_VMO_RESIZABLE, &vmo));
  memset(buf, 0xff, 4 * PAGE);
  ASSERT_OK(zx_vmo_write(vmo, buf, 0, 4 * PAGE));
  ASSERT_OK(zx_vmo_set_size(vmo, PAGE));
  EXPECT_EQ(size_of(vmo), PAGE);
  EXPECT_STATUS(zx_vmo_read(vmo, buf, PAGE, 1), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(zx_vmo_read(vmo, buf, 0, PAGE + 1), ZX_ERR_OUT_OF_RANGE);
  ASSERT_OK(zx_vmo_set_size(vmo, 4 * PAGE));
  memset(buf, 0x5a, 4 * PAGE);
  ASSERT_OK(zx_vmo_read(vmo, buf, 0, 4 * PAGE));
  EXPECT_TRUE(all_bytes(buf, PAGE, 0xff));
  EXPECT_TRUE(all_bytes(buf + PAGE, 3 * PAGE, 0));
  // Down to nothing and back.
  ASSERT_OK(zx_vmo_set_size(vmo, 0));
  EXPECT_EQ(size_of(vmo), 0);
  EXPECT_STATUS(zx_vmo_read(vmo, buf, 0, 1), ZX_ERR_OUT_OF_RANGE);
  EXPECT_OK(zx_vmo_read(vmo, buf, 0, 0));
  ASSERT_OK(zx_vmo_set_size(vmo, 2 * PAGE));
  ASSERT_OK(zx_vmo_read(vmo, buf, 0, 2 * PAGE));
  EXPECT_TRUE(all_bytes(buf, 2 * PAGE, 0));
  EXPECT_OK(zx_handle_close(vmo));
}

// vmo_set_size.md: the bytes between the new size and the next page boundary are
// overwritten with zeros (they stay readable: the range is page-granular).
VMO_TEST(shrinking_zeroes_the_rest_of_the_last_page) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(3 * PAGE, ZX_VMO_RESIZABLE, &vmo));
  memset(buf, 0xff, 3 * PAGE);
  ASSERT_OK(zx_vmo_write(vmo, buf, 0, 3 * PAGE));
  ASSERT_OK(zx_vmo_set_size(vmo, PAGE + 100));
  EXPECT_EQ(size_of(vmo), 2 * PAGE);
  memset(buf, 0x5a, 2 * PAGE);
  ASSERT_OK(zx_vmo_read(vmo, buf, 0, 2 * PAGE));
  EXPECT_TRUE(all_bytes(buf, PAGE + 100, 0xff));
  EXPECT_TRUE(all_bytes(buf + PAGE + 100, PAGE - 100, 0));
  // Growing within the same page does not bring the old bytes back.
  ASSERT_OK(zx_vmo_set_size(vmo, PAGE + 200));
  ASSERT_OK(zx_vmo_read(vmo, buf, PAGE, PAGE));
  EXPECT_TRUE(all_bytes(buf, 100, 0xff));
  EXPECT_TRUE(all_bytes(buf + 100, PAGE - 100, 0));
  // Growing to a page boundary keeps what is there.
  ASSERT_OK(zx_vmo_set_size(vmo, 3 * PAGE));
  ASSERT_OK(zx_vmo_read(vmo, buf, 0, 3 * PAGE));
  EXPECT_TRUE(all_bytes(buf, PAGE + 100, 0xff));
  EXPECT_TRUE(all_bytes(buf + PAGE + 100, 2 * PAGE - 100, 0));
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(set_size_sets_the_content_size) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(3 * PAGE, ZX_VMO_RESIZABLE, &vmo));
  EXPECT_EQ(content_size(vmo), 3 * PAGE);
  uint64_t sizes[] = {5461, 0, 1, PAGE, 7 * PAGE + 3, 100};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    TEST_CONTEXT("set_size(%" PRIu64 ")", sizes[i]);
    ASSERT_OK(zx_vmo_set_size(vmo, sizes[i]));
    EXPECT_EQ(content_size(vmo), sizes[i]);
    EXPECT_EQ(size_of(vmo), (sizes[i] + PAGE - 1) & ~(PAGE - 1));
  }
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(shrinking_frees_the_pages_past_the_end) {
  uint64_t before = vmo_bytes();
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(8 * PAGE, ZX_VMO_RESIZABLE, &vmo));
  ASSERT_OK(zx_vmo_op_range(vmo, ZX_VMO_OP_COMMIT, 0, 8 * PAGE, NULL, 0));
  EXPECT_EQ(vmo_bytes(), before + 8 * PAGE);
  EXPECT_EQ(committed(vmo), 8 * PAGE);
  ASSERT_OK(zx_vmo_set_size(vmo, 3 * PAGE + 1));
  EXPECT_EQ(vmo_bytes(), before + 4 * PAGE);
  EXPECT_EQ(committed(vmo), 4 * PAGE);
  // Growing commits nothing.
  ASSERT_OK(zx_vmo_set_size(vmo, 100 * PAGE));
  EXPECT_EQ(vmo_bytes(), before + 4 * PAGE);
  ASSERT_OK(zx_vmo_set_size(vmo, 0));
  EXPECT_EQ(vmo_bytes(), before);
  EXPECT_EQ(committed(vmo), 0);
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(a_resize_shows_through_every_handle) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, ZX_VMO_RESIZABLE, &vmo));
  zx_handle_t ro = dup_with(vmo, ZX_RIGHT_READ);
  ASSERT_OK(zx_vmo_set_size(vmo, 5 * PAGE));
  EXPECT_EQ(size_of(ro), 5 * PAGE);
  EXPECT_OK(zx_vmo_read(ro, buf, 4 * PAGE, PAGE));
  EXPECT_OK(zx_handle_close(ro));
  EXPECT_OK(zx_handle_close(vmo));
}

int main(void) { return run_tests(); }
