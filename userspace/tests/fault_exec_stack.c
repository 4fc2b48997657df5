// Jumping to code on the stack (mapped RW-, never executable) is an instruction abort:
// the program is killed, the kernel goes on.
// zrk-test: expect-killed instruction abort
#include <stdint.h>
#include <stdio.h>

int main(void) {
  volatile uint32_t code[4] = {0xd65f03c0, 0, 0, 0};  // RET
  void (*jump)(void) = (void (*)(void))(uintptr_t)code;
  printf("# calling a RET on the stack\n");
  jump();
  printf("not ok 1 - executing the stack did not fault\n");
  return 1;
}
