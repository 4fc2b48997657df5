// Condition variables: C11's cnd_* and POSIX's pthread_cond_*, on struct __zrk_cond.
//
// A sequence-number condition variable. A waiter reads the sequence number, releases the
// mutex and sleeps on the number's futex until it changes; signal and broadcast bump the
// number and wake one or all sleepers. A signal that lands between the waiter's read and
// its sleep changes the number, so the kernel refuses the sleep (BAD_STATE) and the
// wake-up is not lost. Waiters then take the mutex again (an ordinary lock; no requeue).
//
// `__waiters` lets a signal with nobody waiting skip the system call. It is raised before
// the waiter reads the sequence number, and the signaller reads it after bumping the
// number, both sequentially consistent: either the signaller sees the waiter, or the
// waiter sees the new number and does not sleep.
//
// Like every futex condition variable of this shape: a wake-up may be spurious (callers
// loop on their predicate, as they must anyway), and a waiter that sleeps across exactly
// 2^32 signals could miss the change.
#include <pthread.h>
#include <threads.h>

#include "thread.h"

int __zrk_cond_wait(struct __zrk_cond* cond, struct __zrk_mutex* mutex, zx_time_t deadline) {
  __atomic_fetch_add(&cond->__waiters, 1, __ATOMIC_SEQ_CST);
  int seq = __atomic_load_n(&cond->__seq, __ATOMIC_SEQ_CST);
  int result = __zrk_mutex_unlock(mutex);
  if (result != 0) {
    __atomic_fetch_sub(&cond->__waiters, 1, __ATOMIC_RELAXED);
    return result;  // EPERM: an error-checking mutex the caller does not hold
  }
  zx_status_t status = __zrk_futex_wait(&cond->__seq, seq, deadline);
  __atomic_fetch_sub(&cond->__waiters, 1, __ATOMIC_RELAXED);
  // The mutex is held again on every return, time-out included. An untimed lock of a
  // mutex this thread does not hold cannot fail.
  (void)__zrk_mutex_lock(mutex, ZX_TIME_INFINITE);
  return status == ZX_ERR_TIMED_OUT ? ETIMEDOUT : 0;
}

int __zrk_cond_wake(struct __zrk_cond* cond, uint32_t count) {
  __atomic_fetch_add(&cond->__seq, 1, __ATOMIC_SEQ_CST);
  if (__atomic_load_n(&cond->__waiters, __ATOMIC_SEQ_CST) != 0) {
    __zrk_futex_wake(&cond->__seq, count);
  }
  return 0;
}

static void cond_init(struct __zrk_cond* cond) {
  cond->__seq = 0;
  cond->__waiters = 0;
}

// --- POSIX ------------------------------------------------------------------------------------

int pthread_condattr_init(pthread_condattr_t* attr) {
  attr->__reserved = 0;
  return 0;
}

int pthread_condattr_destroy(pthread_condattr_t* attr) {
  (void)attr;
  return 0;
}

int pthread_cond_init(pthread_cond_t* restrict cond, const pthread_condattr_t* restrict attr) {
  (void)attr;
  cond_init(cond);
  return 0;
}

int pthread_cond_destroy(pthread_cond_t* cond) {
  (void)cond;
  return 0;
}

int pthread_cond_signal(pthread_cond_t* cond) { return __zrk_cond_wake(cond, 1); }

int pthread_cond_broadcast(pthread_cond_t* cond) { return __zrk_cond_wake(cond, UINT32_MAX); }

int pthread_cond_wait(pthread_cond_t* restrict cond, pthread_mutex_t* restrict mutex) {
  return __zrk_cond_wait(cond, mutex, ZX_TIME_INFINITE);
}

int pthread_cond_timedwait(pthread_cond_t* restrict cond, pthread_mutex_t* restrict mutex,
                           const struct timespec* restrict abstime) {
  zx_time_t deadline;
  int result = __zrk_timespec_to_deadline(abstime, &deadline);
  if (result != 0) {
    return result;
  }
  return __zrk_cond_wait(cond, mutex, deadline);
}

// --- C11 ----------------------------------------------------------------------------------------

int cnd_init(cnd_t* cond) {
  cond_init(cond);
  return thrd_success;
}

void cnd_destroy(cnd_t* cond) { (void)cond; }

int cnd_signal(cnd_t* cond) {
  __zrk_cond_wake(cond, 1);
  return thrd_success;
}

int cnd_broadcast(cnd_t* cond) {
  __zrk_cond_wake(cond, UINT32_MAX);
  return thrd_success;
}

int cnd_wait(cnd_t* cond, mtx_t* mtx) {
  return __zrk_cond_wait(cond, mtx, ZX_TIME_INFINITE) == 0 ? thrd_success : thrd_error;
}

int cnd_timedwait(cnd_t* restrict cond, mtx_t* restrict mtx, const struct timespec* restrict ts) {
  zx_time_t deadline;
  if (__zrk_timespec_to_deadline(ts, &deadline) != 0) {
    return thrd_error;
  }
  int result = __zrk_cond_wait(cond, mtx, deadline);
  return result == 0 ? thrd_success : result == ETIMEDOUT ? thrd_timedout : thrd_error;
}
