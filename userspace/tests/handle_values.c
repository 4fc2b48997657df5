// Handle values: every value has Zircon's two fixed low bits set, values are distinct,
// they cannot be predicted from the previous one (no fixed stride), and a closed value is
// not handed out again at once, so a stale copy reads as ZX_ERR_BAD_HANDLE instead of
// naming whatever took its place.
#include <stdint.h>

#include <zircon/process.h>
#include <zrk/handle_util.h>
#include <zrk/test.h>

#define COUNT 64

static zx_handle_t new_handle(void) { return thread_with(ZX_RIGHT_SAME_RIGHTS); }

static void close_all(zx_handle_t* handles, int count) {
  for (int i = 0; i < count; i++) {
    zx_handle_close(handles[i]);
  }
}

TEST(every_value_has_the_fixed_bits_and_is_distinct) {
  zx_handle_t handles[COUNT];
  for (int i = 0; i < COUNT; i++) {
    handles[i] = new_handle();
    ASSERT_NE(handles[i], ZX_HANDLE_INVALID);
    EXPECT_EQ(handles[i] & ZX_HANDLE_FIXED_BITS_MASK, ZX_HANDLE_FIXED_BITS_MASK);
  }
  for (int i = 0; i < COUNT; i++) {
    for (int j = i + 1; j < COUNT; j++) {
      EXPECT_NE(handles[i], handles[j]);
    }
  }
  close_all(handles, COUNT);
}

TEST(values_do_not_follow_a_fixed_stride) {
  zx_handle_t handles[COUNT];
  for (int i = 0; i < COUNT; i++) {
    handles[i] = new_handle();
    ASSERT_NE(handles[i], ZX_HANDLE_INVALID);
  }
  // A sequential allocator gives one difference throughout; count how often the
  // difference between neighbours repeats the one before it.
  int repeats = 0;
  for (int i = 2; i < COUNT; i++) {
    uint32_t before = handles[i - 1] - handles[i - 2];
    uint32_t now = handles[i] - handles[i - 1];
    if (before == now) {
      repeats++;
    }
  }
  EXPECT_LT(repeats, COUNT / 4);
  close_all(handles, COUNT);
}

TEST(a_closed_value_is_not_reissued_at_once) {
  for (int round = 0; round < 16; round++) {
    zx_handle_t old = new_handle();
    ASSERT_NE(old, ZX_HANDLE_INVALID);
    ASSERT_OK(zx_handle_close(old));
    zx_handle_t fresh = new_handle();
    ASSERT_NE(fresh, ZX_HANDLE_INVALID);
    EXPECT_NE(fresh, old);
    EXPECT_FALSE(is_valid(old));
    EXPECT_STATUS(zx_handle_close(old), ZX_ERR_BAD_HANDLE);
    EXPECT_OK(zx_handle_close(fresh));
  }
}

TEST(a_stale_value_never_names_a_new_object) {
  // Churn one slot many times; every earlier value must stay dead.
  zx_handle_t seen[32];
  for (int i = 0; i < 32; i++) {
    seen[i] = new_handle();
    ASSERT_NE(seen[i], ZX_HANDLE_INVALID);
    ASSERT_OK(zx_handle_close(seen[i]));
  }
  zx_handle_t live = new_handle();
  for (int i = 0; i < 32; i++) {
    EXPECT_NE(seen[i], live);
    EXPECT_FALSE(is_valid(seen[i]));
  }
  EXPECT_OK(zx_handle_close(live));
}

int main(void) { return run_tests(); }
