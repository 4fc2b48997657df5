// Writing into the program's own code segment (mapped R-X) is a permission fault:
// the program is killed, the kernel goes on.
// zrk-test: expect-killed data abort
#include <stdint.h>
#include <stdio.h>

int main(void) {
  volatile uint32_t* code = (volatile uint32_t*)(uintptr_t)&main;
  printf("# writing to main's first instruction\n");
  *code = 0xd503201f;  // NOP: harmless if the write were allowed
  printf("not ok 1 - writing to code did not fault\n");
  return 1;
}
