// picolibc on zrk: errno lives in thread-local storage (TPIDR_EL0, set up by crt0),
// printf output longer than zx_debug_write's 256 bytes arrives whole, and the heap,
// string routines (NEON in the release build) and floating point work at EL0.
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zrk/test.h>

// picolibc's TLS template and block sizes (linker/user.ld).
extern char __tls_size[];
extern char __arm64_tls_tcb_offset[];

static _Thread_local int tls_initialised = 1234;
static _Thread_local int tls_zeroed;
// Over-aligned, so the TLS block's alignment is 64, not 16: the thread pointer's
// offset to the block (MAX(16, alignment)) is then not the usual 16.
// (Not static and written below, so the compiler cannot fold it away.)
_Alignas(64) _Thread_local char tls_aligned[64] = {7, 8};

TEST(strtol_overflow_sets_erange) {
  errno = 0;
  char* end = NULL;
  long value = strtol("99999999999999999999999", &end, 10);
  EXPECT_EQ(value, LONG_MAX);
  EXPECT_EQ(errno, ERANGE);
  EXPECT_EQ(*end, '\0');

  errno = 0;
  value = strtol("-99999999999999999999999", NULL, 10);
  EXPECT_EQ(value, LONG_MIN);
  EXPECT_EQ(errno, ERANGE);
}

TEST(errno_keeps_what_was_stored) {
  errno = 0;
  EXPECT_EQ(strtol("12345", NULL, 10), 12345);
  EXPECT_EQ(errno, 0);
  errno = EDOM;
  EXPECT_EQ(errno, EDOM);
  errno = 0;
}

TEST(errno_is_in_the_thread_local_block) {
  uintptr_t tp = (uintptr_t)__builtin_thread_pointer();
  ASSERT_NE(tp, 0);
  uintptr_t at = (uintptr_t)&errno;
  uintptr_t block = tp + (uintptr_t)__arm64_tls_tcb_offset;
  EXPECT_GE(at, block);
  EXPECT_LT(at, block + (uintptr_t)__tls_size);
}

TEST(thread_locals_start_from_the_template) {
  EXPECT_EQ(tls_initialised, 1234);
  EXPECT_EQ(tls_zeroed, 0);
  tls_initialised++;
  tls_zeroed = 7;
  EXPECT_EQ(tls_initialised, 1235);
  EXPECT_EQ(tls_zeroed, 7);
}

TEST(over_aligned_thread_locals_keep_alignment_and_values) {
  EXPECT_EQ((uintptr_t)tls_aligned % 64, 0);
  EXPECT_EQ(tls_aligned[0], 7);
  EXPECT_EQ(tls_aligned[1], 8);
  EXPECT_EQ(tls_aligned[63], 0);
  tls_aligned[63] = 9;
  EXPECT_EQ(*(volatile char*)&tls_aligned[63], 9);
  EXPECT_EQ((uintptr_t)__arm64_tls_tcb_offset, 64);
}

TEST(printf_returns_the_length) {
  EXPECT_EQ(printf("# %s %d\n", "seven", 7), 10);
}

// The harness checks these lines arrive whole.
TEST(a_300_byte_line_arrives_whole) {
  EXPECT_EQ(print_long_line(300), 300 + 18);
}

TEST(a_1200_byte_line_arrives_whole) {
  EXPECT_EQ(print_long_line(1200), 1200 + 19);
}

TEST(a_line_of_exactly_one_chunk_arrives_whole) {
  // "# long-line 238: " (17 bytes), 238 digits and the newline: exactly 256 bytes,
  // one zx_debug_write.
  EXPECT_EQ(print_long_line(238), 256);
}

TEST(snprintf_formats) {
  char buffer[128];
  int n = snprintf(buffer, sizeof buffer, "%d|%5s|%-3x|%lld|%zu|%c|%%", -42, "ab", 0xf,
                   (long long)INT64_MIN, (size_t)SIZE_MAX, 'z');
  const char* want = "-42|   ab|f  |-9223372036854775808|18446744073709551615|z|%";
  EXPECT_EQ(n, (int)strlen(want));
  EXPECT_EQ(strcmp(buffer, want), 0);
  const char* volatile longer = "truncated";  // hidden from the truncation warning
  EXPECT_EQ(snprintf(buffer, 4, "%s", longer), 9);
  EXPECT_EQ(strcmp(buffer, "tru"), 0);
}

TEST(floating_point_works_at_el0) {
  volatile double third = 1.0 / 3.0;
  volatile double x = 2.0;
  double root = x;
  for (int i = 0; i < 20; i++) {
    root = 0.5 * (root + x / root);  // Newton's method for sqrt(2)
  }
  char buffer[64];
  snprintf(buffer, sizeof buffer, "%.6f %.9f", third, root);
  EXPECT_EQ(strcmp(buffer, "0.333333 1.414213562"), 0);
}

TEST(malloc_calloc_and_free) {
  void* blocks[16];
  for (int i = 0; i < 16; i++) {
    blocks[i] = malloc(1000 + (size_t)i);
    ASSERT_NE(blocks[i], NULL);
    memset(blocks[i], i, 1000 + (size_t)i);
  }
  for (int i = 0; i < 16; i++) {
    EXPECT_EQ(((unsigned char*)blocks[i])[999], i);
    free(blocks[i]);
  }
  unsigned char* zeroed = calloc(4096, 4);
  ASSERT_NE(zeroed, NULL);
  int nonzero = 0;
  for (size_t i = 0; i < 4096 * 4; i++) {
    nonzero |= zeroed[i];
  }
  EXPECT_EQ(nonzero, 0);
  free(zeroed);
  // More than the heap holds: malloc says so instead of crashing.
  EXPECT_EQ(malloc((size_t)1 << 40), NULL);
  EXPECT_EQ(errno, ENOMEM);
  errno = 0;
}

TEST(large_memcpy_memset_memcmp) {
  static unsigned char a[65536 + 64], b[65536 + 64];
  // Odd offsets and lengths take the routines' unaligned paths.
  for (size_t i = 0; i < sizeof a; i++) {
    a[i] = (unsigned char)(i * 7 + 3);
  }
  memcpy(b + 3, a + 5, 65536 + 13);
  EXPECT_EQ(memcmp(b + 3, a + 5, 65536 + 13), 0);
  memset(b + 1, 0xee, 40001);
  EXPECT_EQ(b[0], 0);
  EXPECT_EQ(b[1], 0xee);
  EXPECT_EQ(b[40001], 0xee);
  EXPECT_NE(b[40002], 0xee);
  memmove(a + 1, a, 30000);
  EXPECT_EQ(a[30000], (unsigned char)(29999 * 7 + 3));
}

int main(void) { return run_tests(); }
