// Reading the kernel's own image from EL0 (it is mapped: the kernel runs from it) is a
// permission fault, not a translation fault: the program is killed, the kernel goes on.
// 0xffffffff80000000 is where the kernel is linked (linker/kernel.ld, KERNEL_VBASE).
// zrk-test: expect-killed permission fault
#include <stdint.h>
#include <stdio.h>

int main(void) {
  volatile uintptr_t address = 0xffffffff80000000;
  printf("# reading the kernel image at 0xffffffff80000000\n");
  uint64_t value = *(volatile uint64_t*)address;
  printf("not ok 1 - reading the kernel image returned %llu\n", (unsigned long long)value);
  return 1;
}
