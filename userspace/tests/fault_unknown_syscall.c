// A syscall number the kernel does not know kills the caller with a report (decision 5
// of the ABI digest: as Zircon does when no handler takes the policy exception).
// zrk-test: expect-killed syscall
#include <stdio.h>

int main(void) {
  printf("# svc #0 with x16 = 0xffff\n");
  register unsigned long number __asm__("x16") = 0xffff;
  register unsigned long result __asm__("x0") = 0;
  __asm__ volatile("svc #0" : "+r"(result) : "r"(number) : "memory");
  printf("not ok 1 - an unknown syscall returned %lu\n", result);
  return 1;
}
