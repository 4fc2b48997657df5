// The object types <threads.h> and <pthread.h> share. Programs include those two headers,
// not this one.
//
// C11's and POSIX's names are two views of one implementation (userspace/runtime/), so
// they are one C type: mtx_t and pthread_mutex_t are both struct __zrk_mutex, cnd_t and
// pthread_cond_t both struct __zrk_cond, thrd_t and pthread_t both a struct __pthread
// pointer (as in Fuchsia's libc). The fields are the runtime's; their layout is not an
// ABI anyone else relies on (every program is linked statically with the runtime).
#ifndef ZRK_THREAD_TYPES_H_
#define ZRK_THREAD_TYPES_H_

#include <stdint.h>

// A thread's descriptor (userspace/runtime/thread.h). Opaque to programs.
struct __pthread;

// A mutex: a futex word (0 unlocked, 1 locked, 2 locked with waiters), its kind
// (PTHREAD_MUTEX_NORMAL 0, RECURSIVE 1, ERRORCHECK 2; C11's mtx_recursive maps to
// RECURSIVE), and for the recursive and error-checking kinds the owner (its thread
// pointer, TPIDR_EL0) and how many times beyond the first it holds the lock. All zeros
// is an unlocked normal mutex.
struct __zrk_mutex {
  int __futex;
  int __kind;
  unsigned int __count;
  int __reserved;
  uintptr_t __owner;
};

// A condition variable: a sequence number that every signal and broadcast bumps (the
// futex waiters sleep on) and how many threads are waiting, so that a signal with no
// waiter makes no system call. All zeros is a ready condition variable.
struct __zrk_cond {
  int __seq;
  unsigned int __waiters;
};

#endif  // ZRK_THREAD_TYPES_H_
