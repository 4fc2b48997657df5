// The kernel CPRNG: zx_cprng_draw (a user-level loop over the kernel's
// zx_cprng_draw_once, at most ZX_CPRNG_DRAW_MAX_LEN bytes a call) and
// zx_cprng_add_entropy (at most ZX_CPRNG_ADD_ENTROPY_MAX_LEN bytes, no handle, no
// right). Bad sizes and pointers are ZX_ERR_INVALID_ARGS; zx_cprng_draw itself cannot
// fail (a bad buffer kills the process: cprng_draw_bad_pointer.c).
#include <stdint.h>
#include <string.h>

#include <zrk/bad_ptr.h>
#include <zrk/test.h>

#define CANARY 0x5a

static uint8_t buffer[65536 + 300];

// True if some run of `run` bytes in [p, p + len) all equal `value`: random output has
// no long runs (a 16-byte run of one value has probability 2^-120 per position).
static bool has_run(const uint8_t* p, size_t len, uint8_t value, size_t run) {
  size_t same = 0;
  for (size_t i = 0; i < len; i++) {
    same = p[i] == value ? same + 1 : 0;
    if (same >= run) {
      return true;
    }
  }
  return false;
}

// Every size zx_cprng_draw_once accepts fills exactly that many bytes.
TEST(draw_once_fills_every_size_up_to_the_limit) {
  for (size_t size = 0; size <= ZX_CPRNG_DRAW_MAX_LEN; size++) {
    TEST_CONTEXT("%zu bytes", size);
    memset(buffer, CANARY, ZX_CPRNG_DRAW_MAX_LEN + 16);
    ASSERT_OK(zx_cprng_draw_once(buffer, size));
    EXPECT_FALSE(has_run(buffer, size, CANARY, 16));
    EXPECT_FALSE(has_run(buffer, size, 0, 16));
    for (size_t i = size; i < ZX_CPRNG_DRAW_MAX_LEN + 16; i++) {
      if (buffer[i] != CANARY) {
        EXPECT_EQ(buffer[i], CANARY);  // written past the size
        break;
      }
    }
  }
}

TEST(draw_once_refuses_more_than_the_limit) {
  memset(buffer, CANARY, 1024);
  EXPECT_STATUS(zx_cprng_draw_once(buffer, ZX_CPRNG_DRAW_MAX_LEN + 1), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_cprng_draw_once(buffer, 1024), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_cprng_draw_once(buffer, SIZE_MAX), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_cprng_draw_once(NULL, SIZE_MAX), ZX_ERR_INVALID_ARGS);
  EXPECT_TRUE(has_run(buffer, 1024, CANARY, 1024));  // nothing written
}

TEST(draw_once_into_a_bad_buffer_is_invalid_args) {
  zrk_bad_ptr_t bad[ZRK_BAD_PTR_MAX];
  size_t n = zrk_bad_ptrs(bad, 64);
  bad[n++] = (zrk_bad_ptr_t){"rodata", zrk_readonly_ptr()};
  for (size_t i = 0; i < n; i++) {
    TEST_CONTEXT("buffer = %s", bad[i].name);
    EXPECT_STATUS(zx_cprng_draw_once(bad[i].ptr, 64), ZX_ERR_INVALID_ARGS);
    // Nothing to copy, so nothing to check.
    EXPECT_OK(zx_cprng_draw_once(bad[i].ptr, 0));
  }
  // One byte: the kinds that are bad for any length.
  n = zrk_bad_ptrs(bad, 1);
  for (size_t i = 0; i < n; i++) {
    TEST_CONTEXT("buffer = %s, 1 byte", bad[i].name);
    EXPECT_STATUS(zx_cprng_draw_once(bad[i].ptr, 1), ZX_ERR_INVALID_ARGS);
  }
  EXPECT_EQ(*(const char*)zrk_readonly_ptr(), 1);
}

// zx_cprng_draw takes any size and loops in ZX_CPRNG_DRAW_MAX_LEN pieces: every byte of
// the buffer is written, and none past it.
TEST(draw_fills_buffers_of_any_size) {
  static const size_t sizes[] = {0, 1, 255, 256, 257, 511, 512, 513, 1000, 4096, 65536 + 3};
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
    size_t size = sizes[s];
    TEST_CONTEXT("%zu bytes", size);
    memset(buffer, CANARY, size + 64);
    zx_cprng_draw(buffer, size);
    EXPECT_FALSE(has_run(buffer, size, CANARY, 16));
    EXPECT_FALSE(has_run(buffer, size, 0, 16));
    EXPECT_TRUE(has_run(buffer + size, 64, CANARY, 64));
  }
}

TEST(two_draws_differ) {
  uint8_t a[32], b[32];
  zx_cprng_draw(a, sizeof a);
  zx_cprng_draw(b, sizeof b);
  EXPECT_NE(memcmp(a, b, sizeof a), 0);
  ASSERT_OK(zx_cprng_draw_once(a, sizeof a));
  EXPECT_NE(memcmp(a, b, sizeof a), 0);
  // Pieces of one long draw do not repeat either.
  zx_cprng_draw(buffer, 4096);
  for (size_t i = 256; i < 4096; i += 256) {
    EXPECT_NE(memcmp(buffer, buffer + i, 256), 0);
  }
}

// A rough look at 64 KiB of output: each byte value about 256 times (the bound is more
// than 10 standard deviations wide) and about half the bits set.
TEST(output_looks_uniform) {
  size_t size = 65536;
  zx_cprng_draw(buffer, size);
  uint32_t counts[256] = {0};
  uint64_t ones = 0;
  for (size_t i = 0; i < size; i++) {
    counts[buffer[i]]++;
    ones += (uint64_t)__builtin_popcount(buffer[i]);
  }
  for (int v = 0; v < 256; v++) {
    TEST_CONTEXT("value %d", v);
    EXPECT_GE(counts[v], 96);
    EXPECT_LE(counts[v], 416);
  }
  TEST_CONTEXT("bits");
  EXPECT_GE(ones, size * 4 - 3000);
  EXPECT_LE(ones, size * 4 + 3000);
}

TEST(add_entropy_accepts_up_to_the_limit) {
  uint8_t entropy[ZX_CPRNG_ADD_ENTROPY_MAX_LEN];
  for (size_t i = 0; i < sizeof entropy; i++) {
    entropy[i] = (uint8_t)i;
  }
  EXPECT_OK(zx_cprng_add_entropy(entropy, 0));
  EXPECT_OK(zx_cprng_add_entropy(NULL, 0));
  EXPECT_OK(zx_cprng_add_entropy(entropy, 1));
  EXPECT_OK(zx_cprng_add_entropy(entropy, sizeof entropy));
  // Read-only memory is fine to read from.
  EXPECT_OK(zx_cprng_add_entropy(zrk_readonly_ptr(), ZX_CPRNG_ADD_ENTROPY_MAX_LEN));
}

TEST(add_entropy_refuses_more_than_the_limit) {
  static uint8_t entropy[ZX_CPRNG_ADD_ENTROPY_MAX_LEN + 1];
  EXPECT_STATUS(zx_cprng_add_entropy(entropy, sizeof entropy), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_cprng_add_entropy(entropy, SIZE_MAX), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_cprng_add_entropy(NULL, ZX_CPRNG_ADD_ENTROPY_MAX_LEN + 1),
                ZX_ERR_INVALID_ARGS);
}

TEST(add_entropy_from_a_bad_buffer_is_invalid_args) {
  zrk_bad_ptr_t bad[ZRK_BAD_PTR_MAX];
  size_t n = zrk_bad_ptrs(bad, 32);
  for (size_t i = 0; i < n; i++) {
    TEST_CONTEXT("buffer = %s", bad[i].name);
    EXPECT_STATUS(zx_cprng_add_entropy(bad[i].ptr, 32), ZX_ERR_INVALID_ARGS);
  }
}

// Adding entropy mixes it into the key; it cannot set the key. The same entropy added
// before two draws does not make them equal, and what is drawn after is no constant
// the caller could know.
TEST(added_entropy_does_not_decide_the_output) {
  static const uint8_t chosen[ZX_CPRNG_ADD_ENTROPY_MAX_LEN] = {0};
  uint8_t a[32], b[32];
  ASSERT_OK(zx_cprng_add_entropy(chosen, sizeof chosen));
  zx_cprng_draw(a, sizeof a);
  ASSERT_OK(zx_cprng_add_entropy(chosen, sizeof chosen));
  zx_cprng_draw(b, sizeof b);
  EXPECT_NE(memcmp(a, b, sizeof a), 0);
  EXPECT_FALSE(has_run(a, sizeof a, 0, 8));
}

int main(void) { return run_tests(); }
