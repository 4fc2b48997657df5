// The smallest zrk program: prints a line through picolibc's printf (which reaches the
// kernel console through zx_debug_write) and exits 0 (which reaches the kernel through
// zx_process_exit).
#include <stdio.h>

int main(void) {
  printf("Hello from C on zrk!\n");
  return 0;
}
