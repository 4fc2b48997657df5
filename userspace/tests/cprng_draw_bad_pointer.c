// zx_cprng_draw cannot fail: when the kernel refuses the buffer, the library ends the
// process with a trap (BRK), as Fuchsia's vDSO does. The kernel kills it with a report
// and goes on.
// zrk-test: expect-killed brk
#include <stdio.h>

#include <zircon/syscalls.h>

int main(void) {
  printf("# zx_cprng_draw(NULL, 16)\n");
  zx_cprng_draw(NULL, 16);
  printf("not ok 1 - zx_cprng_draw returned after a bad buffer\n");
  return 1;
}
