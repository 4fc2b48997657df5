// Writing into the kernel half from EL0 (here, where the kernel image is linked) is a
// data abort: the program is killed, the kernel goes on.
// zrk-test: expect-killed data abort
#include <stdint.h>
#include <stdio.h>

int main(void) {
  volatile uintptr_t address = 0xffffffff80000000;
  printf("# writing 0xffffffff80000000\n");
  *(volatile uint64_t*)address = 0x5a5a5a5a5a5a5a5a;
  printf("not ok 1 - writing the kernel image went through\n");
  return 1;
}
