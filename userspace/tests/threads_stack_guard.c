// A thread that runs off the bottom of its stack lands in the unmapped guard the runtime
// leaves below every thread's stack, and the kernel kills the process for the fault,
// instead of the thread silently writing over whatever was mapped below.
// (The kernel knows only the main thread's guard by name, so this report is a plain
// translation fault, not "stack overflow".)
// zrk-test: expect-killed translation fault, write
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

// Each call keeps 4 KiB live; the 64 KiB stack below lasts about 16 calls. The limit
// only keeps the compiler from calling the recursion infinite.
static uint64_t dive(uint64_t depth) {
  volatile uint8_t frame[4096];
  frame[depth % sizeof frame] = (uint8_t)depth;
  if (depth > 1000000) {
    return frame[0];
  }
  return dive(depth + 1) + frame[0];
}

static void* overflow(void* arg) {
  (void)arg;
  return (void*)(uintptr_t)dive(1);
}

int main(void) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 64 * 1024);
  pthread_attr_setguardsize(&attr, 64 * 1024);
  printf("# a thread recursing until its 64 KiB stack runs out\n");
  pthread_t thread;
  if (pthread_create(&thread, &attr, overflow, NULL) != 0) {
    printf("not ok 1 - pthread_create failed\n");
    return 1;
  }
  void* result = NULL;
  pthread_join(thread, &result);
  printf("not ok 1 - the recursion returned %llu\n", (unsigned long long)(uintptr_t)result);
  return 1;
}
