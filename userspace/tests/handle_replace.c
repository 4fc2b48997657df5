// zx_handle_replace: swaps a handle for a new one to the same object with
// ZX_RIGHT_SAME_RIGHTS or a subset of the rights. No right is needed. Per its page the
// old handle "is always invalidated": after every failure but ZX_ERR_BAD_HANDLE (rights
// not held: ZX_ERR_INVALID_ARGS; out pointer not writable: ZX_ERR_INVALID_ARGS) it is
// gone too.
#include <zircon/process.h>
#include <zircon/rights.h>
#include <zircon/syscalls/object.h>
#include <zrk/bad_ptr.h>
#include <zrk/handle_util.h>
#include <zrk/test.h>

TEST(same_rights_moves_the_handle) {
  zx_handle_t old = thread_with(ZX_RIGHT_SAME_RIGHTS);
  zx_info_handle_basic_t before = basic_info(old);
  zx_handle_t replacement = ZX_HANDLE_INVALID;
  ASSERT_OK(zx_handle_replace(old, ZX_RIGHT_SAME_RIGHTS, &replacement));
  EXPECT_FALSE(is_valid(old));
  EXPECT_TRUE(is_valid(replacement));
  EXPECT_EQ(basic_info(replacement).koid, before.koid);
  EXPECT_EQ(basic_info(replacement).rights, before.rights);
  EXPECT_STATUS(zx_handle_close(old), ZX_ERR_BAD_HANDLE);
  EXPECT_OK(zx_handle_close(replacement));
}

TEST(a_subset_of_the_rights_is_allowed) {
  zx_handle_t old = thread_with(ZX_RIGHT_SAME_RIGHTS);
  zx_handle_t replacement;
  ASSERT_OK(zx_handle_replace(old, ZX_RIGHT_INSPECT | ZX_RIGHT_TRANSFER, &replacement));
  EXPECT_EQ(basic_info(replacement).rights, ZX_RIGHT_INSPECT | ZX_RIGHT_TRANSFER);
  EXPECT_EQ(basic_info(replacement).koid, basic_info(zx_thread_self()).koid);
  EXPECT_FALSE(is_valid(old));
  EXPECT_OK(zx_handle_close(replacement));
}

TEST(no_right_is_needed) {
  zx_handle_t none = thread_with(ZX_RIGHT_NONE);
  ASSERT_TRUE(is_valid(none));
  zx_handle_t replacement;
  ASSERT_OK(zx_handle_replace(none, ZX_RIGHT_SAME_RIGHTS, &replacement));
  EXPECT_EQ(basic_info(replacement).rights, ZX_RIGHT_NONE);
  zx_handle_t again;
  ASSERT_OK(zx_handle_replace(replacement, ZX_RIGHT_NONE, &again));
  EXPECT_FALSE(is_valid(replacement));
  EXPECT_OK(zx_handle_close(again));
}

TEST(the_startup_kinds_can_be_replaced) {
  zx_handle_t originals[] = {zx_process_self(), zx_vmar_root_self(), zx_thread_self()};
  for (size_t i = 0; i < 3; i++) {
    TEST_CONTEXT("copy of startup handle %zu", i);
    zx_handle_t copy, replacement;
    ASSERT_OK(zx_handle_duplicate(originals[i], ZX_RIGHT_SAME_RIGHTS, &copy));
    ASSERT_OK(zx_handle_replace(copy, ZX_RIGHT_SAME_RIGHTS, &replacement));
    EXPECT_EQ(basic_info(replacement).koid, basic_info(originals[i]).koid);
    EXPECT_OK(zx_handle_close(replacement));
  }
}

TEST(bad_handles_are_bad_handle) {
  zx_handle_t stale = thread_with(ZX_RIGHT_SAME_RIGHTS);
  zx_handle_close(stale);
  zx_handle_t out = ZX_HANDLE_INVALID;
  EXPECT_STATUS(zx_handle_replace(ZX_HANDLE_INVALID, ZX_RIGHT_SAME_RIGHTS, &out),
                ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_handle_replace(stale, ZX_RIGHT_SAME_RIGHTS, &out), ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_handle_replace(zx_thread_self() ^ 0x100u, ZX_RIGHT_SAME_RIGHTS, &out),
                ZX_ERR_BAD_HANDLE);
  EXPECT_EQ(out, ZX_HANDLE_INVALID);
  // The handle comes first: a bad handle with bad rights and a bad out pointer.
  EXPECT_STATUS(zx_handle_replace(stale, 0x7fffffffu, NULL), ZX_ERR_BAD_HANDLE);
}

TEST(rights_not_held_are_invalid_args_and_the_handle_is_gone) {
  zx_handle_t basic_only = thread_with(ZX_RIGHTS_BASIC);
  ASSERT_TRUE(is_valid(basic_only));
  zx_handle_t out = ZX_HANDLE_INVALID;
  EXPECT_STATUS(zx_handle_replace(basic_only, ZX_RIGHTS_BASIC | ZX_RIGHT_WRITE, &out),
                ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(out, ZX_HANDLE_INVALID);
  EXPECT_FALSE(is_valid(basic_only));
  EXPECT_STATUS(zx_handle_close(basic_only), ZX_ERR_BAD_HANDLE);
  // The same with a bad out pointer as well.
  zx_handle_t another = thread_with(ZX_RIGHTS_BASIC);
  EXPECT_STATUS(zx_handle_replace(another, (zx_rights_t)1 << 30, NULL), ZX_ERR_INVALID_ARGS);
  EXPECT_FALSE(is_valid(another));
}

TEST(hostile_out_pointers_are_invalid_args_and_the_handle_is_gone) {
  zrk_bad_ptr_t bad[ZRK_BAD_PTR_MAX];
  size_t n = zrk_bad_ptrs(bad, sizeof(zx_handle_t));
  bad[n++] = (zrk_bad_ptr_t){"read-only", zrk_readonly_ptr()};
  for (size_t i = 0; i < n; i++) {
    TEST_CONTEXT("out = %s", bad[i].name);
    zx_handle_t victim = thread_with(ZX_RIGHT_SAME_RIGHTS);
    ASSERT_TRUE(is_valid(victim));
    EXPECT_STATUS(zx_handle_replace(victim, ZX_RIGHT_SAME_RIGHTS, bad[i].ptr),
                  ZX_ERR_INVALID_ARGS);
    EXPECT_FALSE(is_valid(victim));
  }
  EXPECT_TRUE(is_valid(zx_thread_self()));
  EXPECT_EQ(*(const char*)zrk_readonly_ptr(), 1);
}

int main(void) { return run_tests(); }
