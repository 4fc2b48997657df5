// FP/SIMD state does not pass from one process to the next: helpers/fpu_fill.c runs
// first in the same boot and exits with every V register holding a marker and FPCR
// rounding towards zero; here, none of the 32 registers may hold the marker and FPCR
// must be as a fresh process gets it. (The C runtime may use a few V registers before
// main, but it cannot write the marker.)
// zrk-test: run-first userspace/tests/helpers/fpu_fill.c
#include <stdint.h>

#include <zrk/test.h>

#define MARKER 0xfadea5a55a5aa5a5ull

static uint64_t regs[64];
static uint64_t fpcr_at_start;

// Runs before anything else of this program's C code (a constructor runs before main,
// after the runtime's own set-up).
__attribute__((constructor)) static void capture(void) {
  __asm__ volatile(
      "stp q0, q1, [%0, #0]\n stp q2, q3, [%0, #32]\n stp q4, q5, [%0, #64]\n"
      "stp q6, q7, [%0, #96]\n stp q8, q9, [%0, #128]\n stp q10, q11, [%0, #160]\n"
      "stp q12, q13, [%0, #192]\n stp q14, q15, [%0, #224]\n stp q16, q17, [%0, #256]\n"
      "stp q18, q19, [%0, #288]\n stp q20, q21, [%0, #320]\n stp q22, q23, [%0, #352]\n"
      "stp q24, q25, [%0, #384]\n stp q26, q27, [%0, #416]\n stp q28, q29, [%0, #448]\n"
      "stp q30, q31, [%0, #480]\n"
      "mrs x9, fpcr\n str x9, [%1]\n"
      :
      : "r"(regs), "r"(&fpcr_at_start)
      : "x9", "memory");
}

TEST(no_vector_register_holds_the_previous_process_marker) {
  int leaked = 0;
  for (int i = 0; i < 64; i++) {
    if (regs[i] == MARKER) {
      printf("# v%d holds the marker\n", i / 2);
      leaked++;
    }
  }
  EXPECT_EQ(leaked, 0);
}

TEST(fpcr_starts_at_its_reset_value) { EXPECT_EQ(fpcr_at_start, 0u); }

int main(void) { return run_tests(); }
