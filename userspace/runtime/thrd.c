// C11's thrd_* on the runtime's threads (thread.c). A C11 thread's int result travels
// as an intptr_t in the descriptor's void* result, so pthread_join on a C11 thread (or
// thrd_join on a pthread that returned a small integer) reads it back too.
#include <threads.h>

#include "thread.h"

int thrd_create(thrd_t* thr, thrd_start_t func, void* arg) {
  struct zrk_thread_attr attr = {
      .stack_size = ZRK_DEFAULT_STACK_SIZE,
      .guard_size = zx_system_get_page_size(),
      .detached = false,
  };
  int result = __zrk_thread_create(thr, &attr, NULL, func, arg);
  return result == 0 ? thrd_success : result == ENOMEM ? thrd_nomem : thrd_error;
}

thrd_t thrd_current(void) { return __zrk_thread_self(); }

int thrd_detach(thrd_t thr) {
  return __zrk_thread_detach(thr) == 0 ? thrd_success : thrd_error;
}

int thrd_equal(thrd_t thr0, thrd_t thr1) { return thr0 == thr1; }

_Noreturn void thrd_exit(int res) { __zrk_thread_exit((void*)(intptr_t)res); }

int thrd_join(thrd_t thr, int* res) {
  void* result;
  if (__zrk_thread_join(thr, &result) != 0) {
    return thrd_error;
  }
  if (res != NULL) {
    *res = (int)(intptr_t)result;
  }
  return thrd_success;
}

// Returns 0 after sleeping the whole duration (zrk has no signals to cut it short),
// -2 (C11's "other error") for an invalid duration.
int thrd_sleep(const struct timespec* duration, struct timespec* remaining) {
  (void)remaining;
  if (duration->tv_sec < 0 || duration->tv_nsec < 0 || duration->tv_nsec >= 1000000000) {
    return -2;
  }
  zx_duration_t ns = ZX_TIME_INFINITE;
  if (duration->tv_sec < ZX_TIME_INFINITE / 1000000000 - 1) {
    ns = (zx_duration_t)duration->tv_sec * 1000000000 + duration->tv_nsec;
  }
  zx_nanosleep(zx_deadline_after(ns));
  return 0;
}

// zrk has no yield system call: a sleep whose deadline has already passed enters the
// kernel, which may run another thread first (Fuchsia's libc once did the same).
void thrd_yield(void) { zx_nanosleep(0); }
