// zx_handle_duplicate, in the order Zircon checks (handle_ops.cc): the handle
// (ZX_ERR_BAD_HANDLE), its ZX_RIGHT_DUPLICATE (ZX_ERR_ACCESS_DENIED), the rights asked
// for (ZX_RIGHT_SAME_RIGHTS or a subset, else ZX_ERR_INVALID_ARGS), then the copy-out
// of the new handle (a bad out pointer is ZX_ERR_INVALID_ARGS and no handle is made).
#include <zircon/process.h>
#include <zircon/rights.h>
#include <zircon/syscalls/object.h>
#include <zrk/bad_ptr.h>
#include <zrk/handle_util.h>
#include <zrk/test.h>

TEST(same_rights_copies_the_rights_and_the_object) {
  zx_handle_t copy = ZX_HANDLE_INVALID;
  ASSERT_OK(zx_handle_duplicate(zx_thread_self(), ZX_RIGHT_SAME_RIGHTS, &copy));
  EXPECT_NE(copy, ZX_HANDLE_INVALID);
  EXPECT_NE(copy, zx_thread_self());
  zx_info_handle_basic_t original = basic_info(zx_thread_self()), duplicate = basic_info(copy);
  EXPECT_EQ(duplicate.koid, original.koid);
  EXPECT_EQ(duplicate.rights, original.rights);
  EXPECT_EQ(duplicate.type, ZX_OBJ_TYPE_THREAD);
  EXPECT_OK(zx_handle_close(copy));
}

TEST(every_startup_handle_can_be_duplicated) {
  zx_handle_t originals[] = {zx_process_self(), zx_vmar_root_self(), zx_thread_self()};
  for (size_t i = 0; i < 3; i++) {
    TEST_CONTEXT("startup handle %zu", i);
    zx_handle_t copy;
    ASSERT_OK(zx_handle_duplicate(originals[i], ZX_RIGHT_SAME_RIGHTS, &copy));
    EXPECT_EQ(basic_info(copy).koid, basic_info(originals[i]).koid);
    EXPECT_EQ(basic_info(copy).rights, basic_info(originals[i]).rights);
    EXPECT_OK(zx_handle_close(copy));
  }
}

TEST(a_subset_of_the_rights_is_allowed) {
  zx_handle_t copy;
  ASSERT_OK(zx_handle_duplicate(zx_thread_self(), ZX_RIGHTS_BASIC, &copy));
  EXPECT_EQ(basic_info(copy).rights, ZX_RIGHTS_BASIC);
  EXPECT_EQ(basic_info(copy).koid, basic_info(zx_thread_self()).koid);
  // And a duplicate of the duplicate, with fewer still.
  zx_handle_t copy2;
  ASSERT_OK(zx_handle_duplicate(copy, ZX_RIGHT_DUPLICATE | ZX_RIGHT_INSPECT, &copy2));
  EXPECT_EQ(basic_info(copy2).rights, ZX_RIGHT_DUPLICATE | ZX_RIGHT_INSPECT);
  EXPECT_EQ(basic_info(copy2).koid, basic_info(zx_thread_self()).koid);
  EXPECT_OK(zx_handle_close(copy2));
  EXPECT_OK(zx_handle_close(copy));
}

TEST(no_rights_at_all_is_allowed) {
  zx_handle_t copy;
  ASSERT_OK(zx_handle_duplicate(zx_thread_self(), ZX_RIGHT_NONE, &copy));
  EXPECT_TRUE(is_valid(copy));
  EXPECT_EQ(basic_info(copy).rights, ZX_RIGHT_NONE);
  EXPECT_OK(zx_handle_close(copy));
}

TEST(bad_handles_are_bad_handle) {
  zx_handle_t out = ZX_HANDLE_INVALID;
  EXPECT_STATUS(zx_handle_duplicate(ZX_HANDLE_INVALID, ZX_RIGHT_SAME_RIGHTS, &out),
                ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_handle_duplicate(stale_handle(), ZX_RIGHT_SAME_RIGHTS, &out),
                ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_handle_duplicate(zx_thread_self() ^ 0x100u, ZX_RIGHT_SAME_RIGHTS, &out),
                ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_handle_duplicate(0xfffffffbu, ZX_RIGHT_SAME_RIGHTS, &out),
                ZX_ERR_BAD_HANDLE);
  EXPECT_EQ(out, ZX_HANDLE_INVALID);
}

TEST(without_the_duplicate_right_is_access_denied) {
  zx_handle_t no_dup = thread_with(ZX_RIGHTS_BASIC & ~ZX_RIGHT_DUPLICATE);
  ASSERT_TRUE(is_valid(no_dup));
  zx_handle_t out = ZX_HANDLE_INVALID;
  EXPECT_STATUS(zx_handle_duplicate(no_dup, ZX_RIGHT_SAME_RIGHTS, &out), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_handle_duplicate(no_dup, ZX_RIGHT_NONE, &out), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_handle_duplicate(no_dup, ZX_RIGHT_TRANSFER, &out), ZX_ERR_ACCESS_DENIED);
  EXPECT_EQ(out, ZX_HANDLE_INVALID);
  zx_handle_t none = thread_with(ZX_RIGHT_NONE);
  EXPECT_STATUS(zx_handle_duplicate(none, ZX_RIGHT_NONE, &out), ZX_ERR_ACCESS_DENIED);
  EXPECT_OK(zx_handle_close(none));
  EXPECT_OK(zx_handle_close(no_dup));
}

TEST(rights_not_held_are_invalid_args) {
  zx_handle_t basic_only = thread_with(ZX_RIGHTS_BASIC);
  ASSERT_TRUE(is_valid(basic_only));
  zx_handle_t out = ZX_HANDLE_INVALID;
  EXPECT_STATUS(zx_handle_duplicate(basic_only, ZX_RIGHTS_BASIC | ZX_RIGHT_READ, &out),
                ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_handle_duplicate(basic_only, ZX_RIGHT_WRITE, &out), ZX_ERR_INVALID_ARGS);
  // A bit no right uses, and every bit but SAME_RIGHTS.
  EXPECT_STATUS(zx_handle_duplicate(basic_only, (zx_rights_t)1 << 30, &out),
                ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_handle_duplicate(zx_thread_self(), 0x7fffffffu, &out), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(out, ZX_HANDLE_INVALID);
  EXPECT_OK(zx_handle_close(basic_only));
}

TEST(checks_come_in_zircon_order) {
  zx_handle_t no_dup = thread_with(ZX_RIGHT_INSPECT);
  ASSERT_TRUE(is_valid(no_dup));
  void* bad_out = (void*)(uintptr_t)0xffff000000000000;
  // The handle before anything else.
  EXPECT_STATUS(zx_handle_duplicate(stale_handle(), ZX_RIGHT_READ, bad_out),
                ZX_ERR_BAD_HANDLE);
  // The DUPLICATE right before the rights asked for, and before the out pointer.
  EXPECT_STATUS(zx_handle_duplicate(no_dup, ZX_RIGHT_READ, bad_out), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_handle_duplicate(no_dup, ZX_RIGHT_SAME_RIGHTS, NULL), ZX_ERR_ACCESS_DENIED);
  // Rights not held, with a bad out pointer too: both are INVALID_ARGS.
  zx_handle_t basic_only = thread_with(ZX_RIGHTS_BASIC);
  EXPECT_STATUS(zx_handle_duplicate(basic_only, ZX_RIGHT_READ, NULL), ZX_ERR_INVALID_ARGS);
  EXPECT_OK(zx_handle_close(basic_only));
  EXPECT_OK(zx_handle_close(no_dup));
}

TEST(hostile_out_pointers_are_invalid_args) {
  zrk_bad_ptr_t bad[ZRK_BAD_PTR_MAX];
  size_t n = zrk_bad_ptrs(bad, sizeof(zx_handle_t));
  bad[n++] = (zrk_bad_ptr_t){"read-only", zrk_readonly_ptr()};
  zx_info_handle_basic_t before = basic_info(zx_thread_self());
  for (size_t i = 0; i < n; i++) {
    TEST_CONTEXT("out = %s", bad[i].name);
    EXPECT_STATUS(zx_handle_duplicate(zx_thread_self(), ZX_RIGHT_SAME_RIGHTS, bad[i].ptr),
                  ZX_ERR_INVALID_ARGS);
    EXPECT_STATUS(zx_handle_duplicate(zx_thread_self(), ZX_RIGHT_NONE, bad[i].ptr),
                  ZX_ERR_INVALID_ARGS);
  }
  // The source is untouched, and the read-only page still holds what it held.
  EXPECT_TRUE(is_valid(zx_thread_self()));
  EXPECT_EQ(basic_info(zx_thread_self()).rights, before.rights);
  EXPECT_EQ(*(const char*)zrk_readonly_ptr(), 1);
}

// A handle made for an out pointer that cannot be written is destroyed, not left in
// the table. Nothing in this issue counts a process's handles, so this only shows that
// many such failures leave the table working; ZX_INFO_PROCESS_HANDLE_STATS will make
// it exact.
TEST(many_failed_copy_outs_leave_the_table_working) {
  for (int i = 0; i < 2000; i++) {
    zx_status_t status = zx_handle_duplicate(zx_thread_self(), ZX_RIGHT_SAME_RIGHTS, NULL);
    if (status != ZX_ERR_INVALID_ARGS) {
      EXPECT_STATUS(status, ZX_ERR_INVALID_ARGS);
      break;
    }
  }
  zx_handle_t copies[32];
  for (size_t i = 0; i < 32; i++) {
    ASSERT_OK(zx_handle_duplicate(zx_thread_self(), ZX_RIGHT_SAME_RIGHTS, &copies[i]));
  }
  EXPECT_OK(zx_handle_close_many(copies, 32));
}

int main(void) { return run_tests(); }
