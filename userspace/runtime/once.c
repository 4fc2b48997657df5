// call_once and pthread_once: the flag is also the futex late callers sleep on.
//
// 0 (ONCE_FLAG_INIT, PTHREAD_ONCE_INIT): not run. The first caller moves it to RUNNING
// and runs the function; others move RUNNING to WAITING (so the runner knows to wake
// them) and sleep until it reads DONE. DONE is stored with release order and read with
// acquire order, so whatever the function wrote is visible to everyone who returns.
#include <pthread.h>
#include <threads.h>

#include "thread.h"

enum {
  ONCE_NOT_RUN = 0,
  ONCE_RUNNING = 1,
  ONCE_WAITING = 2,
  ONCE_DONE = 3,
};

void __zrk_once(int* flag, void (*func)(void)) {
  int state = __atomic_load_n(flag, __ATOMIC_ACQUIRE);
  if (state == ONCE_DONE) {
    return;
  }
  if (state == ONCE_NOT_RUN &&
      __atomic_compare_exchange_n(flag, &state, ONCE_RUNNING, false, __ATOMIC_ACQUIRE,
                                  __ATOMIC_ACQUIRE)) {
    func();
    if (__atomic_exchange_n(flag, ONCE_DONE, __ATOMIC_RELEASE) == ONCE_WAITING) {
      __zrk_futex_wake(flag, UINT32_MAX);
    }
    return;
  }
  // Someone else runs it (a failed exchange left the current state in `state`).
  for (;;) {
    if (state == ONCE_DONE) {
      return;
    }
    if (state == ONCE_RUNNING &&
        !__atomic_compare_exchange_n(flag, &state, ONCE_WAITING, false, __ATOMIC_ACQUIRE,
                                     __ATOMIC_ACQUIRE)) {
      continue;  // it changed under us: look at the new state
    }
    __zrk_futex_wait(flag, ONCE_WAITING, ZX_TIME_INFINITE);
    state = __atomic_load_n(flag, __ATOMIC_ACQUIRE);
  }
}

void call_once(once_flag* flag, void (*func)(void)) { __zrk_once(flag, func); }

int pthread_once(pthread_once_t* once_control, void (*init_routine)(void)) {
  __zrk_once(once_control, init_routine);
  return 0;
}
