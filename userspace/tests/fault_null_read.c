// A NULL dereference kills the program with a decoded data abort; the kernel goes on
// to the next program.
// zrk-test: expect-killed data abort
#include <stdint.h>
#include <stdio.h>

int main(void) {
  // Through a volatile so the compiler cannot see the NULL and emit a trap instead.
  volatile uintptr_t address = 0;
  printf("# reading address 0\n");
  int value = *(volatile int*)address;
  printf("not ok 1 - reading NULL returned %d\n", value);
  return 1;
}
