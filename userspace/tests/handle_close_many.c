// zx_handle_close_many: closes every handle in the list, even when some are invalid or
// repeated (then the result is ZX_ERR_BAD_HANDLE); ZX_HANDLE_INVALID entries are
// skipped; an array the kernel cannot read is ZX_ERR_INVALID_ARGS.
#include <zircon/process.h>
#include <zircon/syscalls/object.h>
#include <zrk/bad_ptr.h>
#include <zrk/handle_util.h>
#include <zrk/test.h>

static zx_handle_t new_handle(void) { return thread_with(ZX_RIGHT_SAME_RIGHTS); }

TEST(an_empty_list_is_ok) {
  EXPECT_OK(zx_handle_close_many(NULL, 0));
  zx_handle_t none[1] = {ZX_HANDLE_INVALID};
  EXPECT_OK(zx_handle_close_many(none, 0));
}

TEST(closes_every_handle_in_the_list) {
  zx_handle_t list[3] = {new_handle(), new_handle(), new_handle()};
  for (size_t i = 0; i < 3; i++) {
    ASSERT_TRUE(is_valid(list[i]));
  }
  EXPECT_OK(zx_handle_close_many(list, 3));
  for (size_t i = 0; i < 3; i++) {
    EXPECT_FALSE(is_valid(list[i]));
  }
}

TEST(invalid_entries_are_skipped) {
  zx_handle_t list[4] = {ZX_HANDLE_INVALID, new_handle(), ZX_HANDLE_INVALID, new_handle()};
  EXPECT_OK(zx_handle_close_many(list, 4));
  EXPECT_FALSE(is_valid(list[1]));
  EXPECT_FALSE(is_valid(list[3]));
  zx_handle_t only_invalid[2] = {ZX_HANDLE_INVALID, ZX_HANDLE_INVALID};
  EXPECT_OK(zx_handle_close_many(only_invalid, 2));
}

TEST(a_bad_handle_fails_but_the_others_are_closed) {
  zx_handle_t list[3] = {new_handle(), stale_handle(), new_handle()};
  EXPECT_STATUS(zx_handle_close_many(list, 3), ZX_ERR_BAD_HANDLE);
  EXPECT_FALSE(is_valid(list[0]));
  EXPECT_FALSE(is_valid(list[2]));
  EXPECT_TRUE(is_valid(zx_thread_self()));
}

TEST(a_repeated_handle_fails_and_is_closed) {
  zx_handle_t h = new_handle();
  zx_handle_t list[2] = {h, h};
  EXPECT_STATUS(zx_handle_close_many(list, 2), ZX_ERR_BAD_HANDLE);
  EXPECT_FALSE(is_valid(h));
}

TEST(only_the_given_count_is_closed) {
  zx_handle_t list[2] = {new_handle(), new_handle()};
  EXPECT_OK(zx_handle_close_many(list, 1));
  EXPECT_FALSE(is_valid(list[0]));
  EXPECT_TRUE(is_valid(list[1]));
  EXPECT_OK(zx_handle_close(list[1]));
}

TEST(hostile_arrays_are_invalid_args) {
  static const size_t counts[] = {1, 2, 16};
  for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
    zrk_bad_ptr_t bad[ZRK_BAD_PTR_MAX];
    size_t n = zrk_bad_ptrs(bad, counts[c] * sizeof(zx_handle_t));
    for (size_t i = 0; i < n; i++) {
      TEST_CONTEXT("handles = %s, count %zu", bad[i].name, counts[c]);
      EXPECT_STATUS(zx_handle_close_many(bad[i].ptr, counts[c]), ZX_ERR_INVALID_ARGS);
    }
  }
  EXPECT_TRUE(is_valid(zx_thread_self()));
}

// count * 4 wraps around: whatever the kernel reads first, it cannot read it all. The
// array starts in readable, zero-filled memory at the image's end (entries that are
// ZX_HANDLE_INVALID), so no live handle is at risk.
TEST(a_count_that_overflows_is_invalid_args) {
  uintptr_t end = zrk_image_end_if_unmapped_after();
  if (end == 0) {
    printf("# skipped: the page after the image is mapped\n");
    return;
  }
  const zx_handle_t* tail = (const zx_handle_t*)(end - 2 * sizeof(zx_handle_t));
  EXPECT_STATUS(zx_handle_close_many(tail, SIZE_MAX / sizeof(zx_handle_t) + 1),
                ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_handle_close_many(tail, SIZE_MAX), ZX_ERR_INVALID_ARGS);
  EXPECT_TRUE(is_valid(zx_thread_self()));
}

int main(void) { return run_tests(); }
