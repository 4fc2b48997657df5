// An undefined instruction (UDF #0) kills the program with a report; the kernel goes on.
// zrk-test: expect-killed undefined instruction
#include <stdio.h>

int main(void) {
  printf("# executing udf #0\n");
  __asm__ volatile("udf #0");
  printf("not ok 1 - udf #0 did not trap\n");
  return 1;
}
