// Reading a kernel-half address from EL0 is a data abort: the program is killed, the
// kernel goes on.
// zrk-test: expect-killed data abort
#include <stdint.h>
#include <stdio.h>

int main(void) {
  volatile uintptr_t address = 0xffff000000000000;
  printf("# reading 0xffff000000000000\n");
  uint64_t value = *(volatile uint64_t*)address;
  printf("not ok 1 - reading the kernel half returned %llu\n", (unsigned long long)value);
  return 1;
}
