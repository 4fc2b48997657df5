// Run first by fpu_isolation.c (in the same boot): fills every FP/SIMD register and
// FPCR with a marker, then exits with them still set, as a program that leaked its
// floating-point state would leave them.
#include <zircon/syscalls.h>

int main(void) {
  __asm__ volatile(
      "mov x9, #0xa5a5\n"
      "movk x9, #0x5a5a, lsl #16\n"
      "movk x9, #0xa5a5, lsl #32\n"
      "movk x9, #0xfade, lsl #48\n"
      "dup v0.2d, x9\n dup v1.2d, x9\n dup v2.2d, x9\n dup v3.2d, x9\n"
      "dup v4.2d, x9\n dup v5.2d, x9\n dup v6.2d, x9\n dup v7.2d, x9\n"
      "dup v8.2d, x9\n dup v9.2d, x9\n dup v10.2d, x9\n dup v11.2d, x9\n"
      "dup v12.2d, x9\n dup v13.2d, x9\n dup v14.2d, x9\n dup v15.2d, x9\n"
      "dup v16.2d, x9\n dup v17.2d, x9\n dup v18.2d, x9\n dup v19.2d, x9\n"
      "dup v20.2d, x9\n dup v21.2d, x9\n dup v22.2d, x9\n dup v23.2d, x9\n"
      "dup v24.2d, x9\n dup v25.2d, x9\n dup v26.2d, x9\n dup v27.2d, x9\n"
      "dup v28.2d, x9\n dup v29.2d, x9\n dup v30.2d, x9\n dup v31.2d, x9\n"
      "mov x10, #(3 << 22)\n"  // FPCR.RMode: round towards zero
      "msr fpcr, x10\n"
      :
      :
      : "x9", "x10", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9",
        "v10", "v11", "v12", "v13", "v14", "v15", "v16", "v17", "v18", "v19", "v20", "v21",
        "v22", "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31", "memory");
  // Exit straight from here: returning through the C runtime could touch the registers.
  zx_process_exit(0);
}
