// zx_handle_close: ZX_HANDLE_INVALID is fine (like free(NULL)); a closed, forged or
// never-issued value is ZX_ERR_BAD_HANDLE; closing one handle leaves the object's
// other handles alone; and a closed value does not come back as a new handle soon.
#include <zircon/process.h>
#include <zircon/syscalls/object.h>
#include <zrk/handle_util.h>
#include <zrk/test.h>

static bool is_startup_handle(zx_handle_t handle) {
  return handle == zx_process_self() || handle == zx_vmar_root_self() ||
         handle == zx_thread_self();
}

TEST(closing_the_invalid_handle_is_ok) {
  EXPECT_OK(zx_handle_close(ZX_HANDLE_INVALID));
  EXPECT_OK(zx_handle_close(ZX_HANDLE_INVALID));
}

TEST(closing_a_handle_invalidates_it) {
  zx_handle_t h;
  ASSERT_OK(zx_handle_duplicate(zx_thread_self(), ZX_RIGHT_SAME_RIGHTS, &h));
  EXPECT_TRUE(is_valid(h));
  EXPECT_OK(zx_handle_close(h));
  EXPECT_FALSE(is_valid(h));
}

TEST(closing_twice_is_bad_handle) {
  zx_handle_t h;
  ASSERT_OK(zx_handle_duplicate(zx_thread_self(), ZX_RIGHT_SAME_RIGHTS, &h));
  EXPECT_OK(zx_handle_close(h));
  EXPECT_STATUS(zx_handle_close(h), ZX_ERR_BAD_HANDLE);
}

TEST(closing_one_handle_keeps_the_others) {
  zx_handle_t a, b;
  ASSERT_OK(zx_handle_duplicate(zx_process_self(), ZX_RIGHT_SAME_RIGHTS, &a));
  ASSERT_OK(zx_handle_duplicate(zx_process_self(), ZX_RIGHT_SAME_RIGHTS, &b));
  EXPECT_OK(zx_handle_close(a));
  EXPECT_TRUE(is_valid(b));
  EXPECT_TRUE(is_valid(zx_process_self()));
  EXPECT_OK(zx_handle_close(b));
  EXPECT_TRUE(is_valid(zx_process_self()));
}

TEST(every_kind_of_startup_handle_can_be_closed_through_a_copy) {
  zx_handle_t originals[] = {zx_process_self(), zx_vmar_root_self(), zx_thread_self()};
  for (size_t i = 0; i < 3; i++) {
    zx_handle_t copy;
    TEST_CONTEXT("startup handle %zu", i);
    ASSERT_OK(zx_handle_duplicate(originals[i], ZX_RIGHT_SAME_RIGHTS, &copy));
    EXPECT_OK(zx_handle_close(copy));
    EXPECT_TRUE(is_valid(originals[i]));
  }
}

TEST(forged_values_are_bad_handle) {
  zx_handle_t h = zx_thread_self();
  const zx_handle_t forged[] = {
      1,          2,          3,          0xffffffffu, 0xfffffffeu, 0x80000003u,
      h & ~3u,    h ^ 4u,     h ^ 0x100u, h ^ 0x80000000u, h + 4u,  h - 4u,
  };
  for (size_t i = 0; i < sizeof forged / sizeof forged[0]; i++) {
    if (forged[i] == ZX_HANDLE_INVALID || is_startup_handle(forged[i])) {
      continue;  // a coincidence with a live handle: not a forgery
    }
    TEST_CONTEXT("value 0x%08x", (unsigned)forged[i]);
    EXPECT_STATUS(zx_handle_close(forged[i]), ZX_ERR_BAD_HANDLE);
  }
  // None of that disturbed the real handles.
  EXPECT_TRUE(is_valid(zx_process_self()));
  EXPECT_TRUE(is_valid(zx_vmar_root_self()));
  EXPECT_TRUE(is_valid(zx_thread_self()));
}

TEST(handle_values_have_the_two_low_bits_set) {
  EXPECT_EQ(zx_process_self() & ZX_HANDLE_FIXED_BITS_MASK, ZX_HANDLE_FIXED_BITS_MASK);
  EXPECT_EQ(zx_vmar_root_self() & ZX_HANDLE_FIXED_BITS_MASK, ZX_HANDLE_FIXED_BITS_MASK);
  EXPECT_EQ(zx_thread_self() & ZX_HANDLE_FIXED_BITS_MASK, ZX_HANDLE_FIXED_BITS_MASK);
  for (int i = 0; i < 16; i++) {
    zx_handle_t h;
    ASSERT_OK(zx_handle_duplicate(zx_thread_self(), ZX_RIGHT_SAME_RIGHTS, &h));
    EXPECT_EQ(h & ZX_HANDLE_FIXED_BITS_MASK, ZX_HANDLE_FIXED_BITS_MASK);
    EXPECT_OK(zx_handle_close(h));
  }
}

// A stale value must read as BAD_HANDLE, never as someone else's object: new handles
// made right after a close do not reuse the closed value.
TEST(a_closed_value_is_not_reused_soon) {
  zx_handle_t closed;
  ASSERT_OK(zx_handle_duplicate(zx_thread_self(), ZX_RIGHT_SAME_RIGHTS, &closed));
  ASSERT_OK(zx_handle_close(closed));
  zx_handle_t fresh[64];
  for (size_t i = 0; i < 64; i++) {
    ASSERT_OK(zx_handle_duplicate(zx_process_self(), ZX_RIGHT_SAME_RIGHTS, &fresh[i]));
    EXPECT_NE(fresh[i], closed);
  }
  EXPECT_FALSE(is_valid(closed));
  EXPECT_STATUS(zx_handle_close(closed), ZX_ERR_BAD_HANDLE);
  for (size_t i = 0; i < 64; i++) {
    EXPECT_OK(zx_handle_close(fresh[i]));
  }
}

int main(void) { return run_tests(); }
