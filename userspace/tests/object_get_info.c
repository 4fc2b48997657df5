// zx_object_get_info with ZX_INFO_HANDLE_VALID and ZX_INFO_HANDLE_BASIC, as Zircon's
// object.cc answers them: an unknown topic is ZX_ERR_NOT_SUPPORTED before any handle
// lookup; HANDLE_VALID only looks the handle up (the buffer is ignored); HANDLE_BASIC
// needs no rights and is one record: a buffer under 32 bytes is ZX_ERR_BUFFER_TOO_SMALL
// with actual = 0 and avail = 1 written; otherwise the record, then actual = avail = 1
// (both optional). Any pointer the kernel cannot use is ZX_ERR_INVALID_ARGS.
#include <zircon/process.h>
#include <zircon/rights.h>
#include <zircon/syscalls/object.h>
#include <zrk/bad_ptr.h>
#include <zrk/handle_util.h>
#include <zrk/test.h>

static zx_status_t handle_valid(zx_handle_t handle) {
  return zx_object_get_info(handle, ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL);
}

static zx_status_t get_basic(zx_handle_t handle, zx_info_handle_basic_t* info) {
  return zx_object_get_info(handle, ZX_INFO_HANDLE_BASIC, info, sizeof *info, NULL, NULL);
}

TEST(the_record_is_32_bytes) {
  EXPECT_EQ(sizeof(zx_info_handle_basic_t), 32);
}

// --- ZX_INFO_HANDLE_VALID ---------------------------------------------------------------

TEST(handle_valid_accepts_live_handles) {
  EXPECT_OK(handle_valid(zx_process_self()));
  EXPECT_OK(handle_valid(zx_vmar_root_self()));
  EXPECT_OK(handle_valid(zx_thread_self()));
  zx_handle_t no_rights;
  ASSERT_OK(zx_handle_duplicate(zx_thread_self(), ZX_RIGHT_NONE, &no_rights));
  EXPECT_OK(handle_valid(no_rights));
  EXPECT_OK(zx_handle_close(no_rights));
}

TEST(handle_valid_rejects_invalid_closed_and_forged_values) {
  EXPECT_STATUS(handle_valid(ZX_HANDLE_INVALID), ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(handle_valid(stale_handle()), ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(handle_valid(zx_thread_self() ^ 0x100u), ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(handle_valid(0xffffffffu), ZX_ERR_BAD_HANDLE);
}

TEST(handle_valid_ignores_the_buffer) {
  zrk_bad_ptr_t bad[ZRK_BAD_PTR_MAX];
  size_t n = zrk_bad_ptrs(bad, 32);
  for (size_t i = 0; i < n; i++) {
    TEST_CONTEXT("buffer = %s", bad[i].name);
    EXPECT_OK(zx_object_get_info(zx_thread_self(), ZX_INFO_HANDLE_VALID, bad[i].ptr, 32, NULL,
                                 NULL));
  }
}

// --- ZX_INFO_HANDLE_BASIC ---------------------------------------------------------------

TEST(basic_describes_the_process) {
  zx_info_handle_basic_t info;
  memset(&info, 0xa5, sizeof info);
  ASSERT_OK(get_basic(zx_process_self(), &info));
  EXPECT_EQ(info.type, ZX_OBJ_TYPE_PROCESS);
  EXPECT_EQ(info.rights, ZX_DEFAULT_PROCESS_RIGHTS);
  EXPECT_GT(info.koid, ZX_KOID_KERNEL);
  EXPECT_EQ(info.reserved, 0);
}

TEST(basic_describes_the_thread_and_its_process) {
  zx_info_handle_basic_t thread, process;
  ASSERT_OK(get_basic(zx_thread_self(), &thread));
  ASSERT_OK(get_basic(zx_process_self(), &process));
  EXPECT_EQ(thread.type, ZX_OBJ_TYPE_THREAD);
  EXPECT_EQ(thread.rights, ZX_DEFAULT_THREAD_RIGHTS);
  EXPECT_GT(thread.koid, ZX_KOID_KERNEL);
  // A thread's related object is its process.
  EXPECT_EQ(thread.related_koid, process.koid);
}

TEST(basic_describes_the_root_vmar) {
  zx_info_handle_basic_t info;
  ASSERT_OK(get_basic(zx_vmar_root_self(), &info));
  EXPECT_EQ(info.type, ZX_OBJ_TYPE_VMAR);
  EXPECT_EQ(info.rights & ZX_DEFAULT_VMAR_RIGHTS, ZX_DEFAULT_VMAR_RIGHTS);
  EXPECT_GT(info.koid, ZX_KOID_KERNEL);
}

TEST(koids_are_distinct) {
  zx_info_handle_basic_t p, v, t;
  ASSERT_OK(get_basic(zx_process_self(), &p));
  ASSERT_OK(get_basic(zx_vmar_root_self(), &v));
  ASSERT_OK(get_basic(zx_thread_self(), &t));
  EXPECT_NE(p.koid, v.koid);
  EXPECT_NE(p.koid, t.koid);
  EXPECT_NE(v.koid, t.koid);
}

TEST(basic_reports_this_handles_rights) {
  zx_handle_t fewer;
  ASSERT_OK(zx_handle_duplicate(zx_thread_self(), ZX_RIGHT_INSPECT | ZX_RIGHT_DUPLICATE,
                                &fewer));
  zx_info_handle_basic_t info, original;
  ASSERT_OK(get_basic(fewer, &info));
  ASSERT_OK(get_basic(zx_thread_self(), &original));
  EXPECT_EQ(info.rights, ZX_RIGHT_INSPECT | ZX_RIGHT_DUPLICATE);
  EXPECT_EQ(info.koid, original.koid);
  EXPECT_EQ(info.type, original.type);
  EXPECT_OK(zx_handle_close(fewer));
}

TEST(basic_needs_no_rights) {
  zx_handle_t none;
  ASSERT_OK(zx_handle_duplicate(zx_process_self(), ZX_RIGHT_NONE, &none));
  zx_info_handle_basic_t info;
  EXPECT_OK(get_basic(none, &info));
  EXPECT_EQ(info.rights, ZX_RIGHT_NONE);
  EXPECT_EQ(info.type, ZX_OBJ_TYPE_PROCESS);
  EXPECT_OK(zx_handle_close(none));
}

TEST(basic_writes_actual_and_avail_when_asked) {
  zx_info_handle_basic_t info;
  size_t actual = 99, avail = 99;
  EXPECT_OK(zx_object_get_info(zx_thread_self(), ZX_INFO_HANDLE_BASIC, &info, sizeof info,
                               &actual, &avail));
  EXPECT_EQ(actual, 1);
  EXPECT_EQ(avail, 1);
  actual = 99;
  EXPECT_OK(zx_object_get_info(zx_thread_self(), ZX_INFO_HANDLE_BASIC, &info, sizeof info,
                               &actual, NULL));
  EXPECT_EQ(actual, 1);
  avail = 99;
  EXPECT_OK(zx_object_get_info(zx_thread_self(), ZX_INFO_HANDLE_BASIC, &info, sizeof info, NULL,
                               &avail));
  EXPECT_EQ(avail, 1);
}

TEST(basic_accepts_a_bigger_buffer) {
  zx_info_handle_basic_t two[2];
  memset(two, 0, sizeof two);
  size_t actual = 0, avail = 0;
  EXPECT_OK(zx_object_get_info(zx_thread_self(), ZX_INFO_HANDLE_BASIC, two, sizeof two, &actual,
                               &avail));
  EXPECT_EQ(actual, 1);
  EXPECT_EQ(avail, 1);
  EXPECT_EQ(two[0].type, ZX_OBJ_TYPE_THREAD);
}

TEST(basic_with_a_small_buffer_is_buffer_too_small) {
  static const size_t sizes[] = {0, 1, 16, 31};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    TEST_CONTEXT("buffer_size %zu", sizes[i]);
    zx_info_handle_basic_t info;
    memset(&info, 0x5a, sizeof info);
    size_t actual = 99, avail = 99;
    EXPECT_STATUS(zx_object_get_info(zx_thread_self(), ZX_INFO_HANDLE_BASIC, &info, sizes[i],
                                     &actual, &avail),
                  ZX_ERR_BUFFER_TOO_SMALL);
    EXPECT_EQ(actual, 0);
    EXPECT_EQ(avail, 1);
    // Nothing was written into the buffer.
    EXPECT_EQ(((unsigned char*)&info)[0], 0x5a);
  }
  // Size 0 never looks at the buffer, and actual/avail stay optional.
  EXPECT_STATUS(zx_object_get_info(zx_thread_self(), ZX_INFO_HANDLE_BASIC, NULL, 0, NULL, NULL),
                ZX_ERR_BUFFER_TOO_SMALL);
}

TEST(basic_with_a_bad_handle_is_bad_handle) {
  zx_info_handle_basic_t info;
  EXPECT_STATUS(get_basic(ZX_HANDLE_INVALID, &info), ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(get_basic(stale_handle(), &info), ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(get_basic(zx_thread_self() ^ 0x100u, &info), ZX_ERR_BAD_HANDLE);
  // The handle is looked up before the buffer is looked at.
  EXPECT_STATUS(zx_object_get_info(stale_handle(), ZX_INFO_HANDLE_BASIC, NULL, 32, NULL, NULL),
                ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_object_get_info(stale_handle(), ZX_INFO_HANDLE_BASIC, &info, 1, NULL, NULL),
                ZX_ERR_BAD_HANDLE);
}

TEST(basic_hostile_buffers_are_invalid_args) {
  zrk_bad_ptr_t bad[ZRK_BAD_PTR_MAX];
  size_t n = zrk_bad_ptrs(bad, sizeof(zx_info_handle_basic_t));
  bad[n++] = (zrk_bad_ptr_t){"read-only", zrk_readonly_ptr()};
  for (size_t i = 0; i < n; i++) {
    TEST_CONTEXT("buffer = %s", bad[i].name);
    EXPECT_STATUS(zx_object_get_info(zx_thread_self(), ZX_INFO_HANDLE_BASIC, bad[i].ptr,
                                     sizeof(zx_info_handle_basic_t), NULL, NULL),
                  ZX_ERR_INVALID_ARGS);
  }
  EXPECT_EQ(*(const char*)zrk_readonly_ptr(), 1);
}

TEST(basic_hostile_actual_and_avail_are_invalid_args) {
  zrk_bad_ptr_t bad[ZRK_BAD_PTR_MAX];
  size_t n = zrk_bad_ptrs(bad, sizeof(size_t));
  bad[n++] = (zrk_bad_ptr_t){"read-only", zrk_readonly_ptr()};
  zx_info_handle_basic_t info;
  size_t fine = 0;
  for (size_t i = 0; i < n; i++) {
    if (bad[i].ptr == NULL) {
      continue;  // NULL means "not wanted" for these two
    }
    TEST_CONTEXT("actual = %s", bad[i].name);
    EXPECT_STATUS(zx_object_get_info(zx_thread_self(), ZX_INFO_HANDLE_BASIC, &info, sizeof info,
                                     bad[i].ptr, &fine),
                  ZX_ERR_INVALID_ARGS);
    TEST_CONTEXT("avail = %s", bad[i].name);
    EXPECT_STATUS(zx_object_get_info(zx_thread_self(), ZX_INFO_HANDLE_BASIC, &info, sizeof info,
                                     &fine, bad[i].ptr),
                  ZX_ERR_INVALID_ARGS);
    // With a too-small buffer, the failed copy of actual/avail is what is reported.
    TEST_CONTEXT("small buffer, actual = %s", bad[i].name);
    EXPECT_STATUS(zx_object_get_info(zx_thread_self(), ZX_INFO_HANDLE_BASIC, &info, 1,
                                     bad[i].ptr, NULL),
                  ZX_ERR_INVALID_ARGS);
  }
}

// --- Topics -------------------------------------------------------------------------------

TEST(unknown_topics_are_not_supported) {
  static const uint32_t topics[] = {
      ZX_INFO_NONE, 0xdeadbeefu, 0x7fffffffu, 0xffffffffu,
      ZX_INFO_HANDLE_BASIC | (1u << 28),  // a version of HANDLE_BASIC that does not exist
  };
  zx_info_handle_basic_t info;
  for (size_t i = 0; i < sizeof topics / sizeof topics[0]; i++) {
    TEST_CONTEXT("topic 0x%08x", (unsigned)topics[i]);
    EXPECT_STATUS(zx_object_get_info(zx_thread_self(), topics[i], &info, sizeof info, NULL,
                                     NULL),
                  ZX_ERR_NOT_SUPPORTED);
    // The topic is checked before the handle and the pointers.
    EXPECT_STATUS(zx_object_get_info(ZX_HANDLE_INVALID, topics[i], NULL, 32, NULL, NULL),
                  ZX_ERR_NOT_SUPPORTED);
  }
}

int main(void) { return run_tests(); }
