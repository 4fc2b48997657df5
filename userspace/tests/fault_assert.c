// A failed assert() prints its message, then abort() ends the process with a trap
// (BRK), as Fuchsia's libc does; the kernel kills it with a report and goes on.
// zrk-test: expect-killed brk
#include <assert.h>
#include <stdio.h>

int main(int argc, char** argv) {
  (void)argv;
  printf("# asserting something false\n");
  assert(argc == 12345);
  printf("not ok 1 - a failed assert returned\n");
  return 1;
}
