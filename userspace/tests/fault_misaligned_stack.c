// A load through a stack pointer that is not 16-byte aligned is an SP alignment fault
// (the kernel sets SCTLR_EL1.SA0, so the CPU checks it at EL0); the program is killed
// with an alignment report and the kernel goes on.
//
// QEMU's emulation leaves SP alignment checks out (for speed, says its source), so
// there the plain load goes through; the program then does an exclusive load from the
// same misaligned sp, which QEMU does check (exclusives must be naturally aligned), and
// the kernel reports that as a data abort with an alignment fault. Real hardware (the
// Pi 4) stops at the first load.
// zrk-test: expect-killed alignment
#include <stdio.h>

int main(void) {
  printf("# loading through sp - 4\n");
  __asm__ volatile(
      "sub sp, sp, #4\n"
      "ldr x0, [sp]\n"
      "add sp, sp, #4\n" ::
          : "x0", "memory");
  printf("# no SP alignment fault (QEMU does not check SP alignment); exclusive load next\n");
  __asm__ volatile(
      "sub sp, sp, #4\n"
      "ldxr x0, [sp]\n"
      "clrex\n"
      "add sp, sp, #4\n" ::
          : "x0", "memory");
  printf("not ok 1 - a misaligned sp did not fault\n");
  return 1;
}
