// zx_process_exit: the status reaches the kernel whole (all 64 bits), the call does
// not return, and the process ends there.
// zrk-test: expect-exit 4886718345
#include <stdint.h>
#include <stdio.h>

#include <zrk/test.h>

int main(void) {
  plan(1);
  ok(true, "about_to_exit");
  // 0x1_2345_6789 does not fit in 32 bits: a truncated status would show.
  zx_process_exit(INT64_C(0x123456789));
  printf("# zx_process_exit returned\n");
  return 1;
}
