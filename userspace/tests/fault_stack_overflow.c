// Running off the bottom of the stack lands in the unmappable region below it, and the
// kernel reports a stack overflow (not just a fault at some address), then goes on.
// zrk-test: expect-killed stack overflow
#include <stdint.h>
#include <stdio.h>

// Each call keeps 4 KiB live, so 256 KiB of stack lasts about 64 calls. The limit only
// keeps the compiler from calling the recursion infinite; the stack runs out first.
static uint64_t dive(uint64_t depth) {
  volatile uint8_t frame[4096];
  frame[depth % sizeof frame] = (uint8_t)depth;
  if (depth > 1000000) {
    return frame[0];
  }
  return dive(depth + 1) + frame[0];
}

int main(void) {
  printf("# recursing until the stack runs out\n");
  uint64_t result = dive(1);
  printf("not ok 1 - the recursion returned %llu\n", (unsigned long long)result);
  return 1;
}
