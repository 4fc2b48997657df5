// Mutexes: C11's mtx_* and POSIX's pthread_mutex_*, both on struct __zrk_mutex.
//
// A normal mutex is the bare futex lock (thread.h). Recursive and error-checking ones
// also record their holder (its thread pointer) so that a second lock by the holder
// nests (recursive) or fails with EDEADLK (error-checking), and an unlock by anyone else
// fails with EPERM. Only the holder ever finds its own id in `__owner`, so a relaxed read
// tells "I hold it" from "someone else does, or nobody".
#include <limits.h>
#include <pthread.h>
#include <threads.h>

#include "thread.h"

int __zrk_mutex_lock(struct __zrk_mutex* m, zx_time_t deadline) {
  if (m->__kind == PTHREAD_MUTEX_NORMAL) {
    return __zrk_futex_lock(&m->__futex, deadline) == ZX_OK ? 0 : ETIMEDOUT;
  }
  uintptr_t self = __zrk_thread_id();
  if (__atomic_load_n(&m->__owner, __ATOMIC_RELAXED) == self) {
    if (m->__kind == PTHREAD_MUTEX_ERRORCHECK) {
      return EDEADLK;
    }
    if (m->__count == UINT_MAX) {
      return EAGAIN;
    }
    m->__count++;
    return 0;
  }
  if (__zrk_futex_lock(&m->__futex, deadline) != ZX_OK) {
    return ETIMEDOUT;
  }
  __atomic_store_n(&m->__owner, self, __ATOMIC_RELAXED);
  return 0;
}

int __zrk_mutex_trylock(struct __zrk_mutex* m) {
  if (m->__kind == PTHREAD_MUTEX_NORMAL) {
    return __zrk_futex_trylock(&m->__futex) ? 0 : EBUSY;
  }
  uintptr_t self = __zrk_thread_id();
  if (__atomic_load_n(&m->__owner, __ATOMIC_RELAXED) == self) {
    if (m->__kind == PTHREAD_MUTEX_ERRORCHECK) {
      return EBUSY;
    }
    if (m->__count == UINT_MAX) {
      return EAGAIN;
    }
    m->__count++;
    return 0;
  }
  if (!__zrk_futex_trylock(&m->__futex)) {
    return EBUSY;
  }
  __atomic_store_n(&m->__owner, self, __ATOMIC_RELAXED);
  return 0;
}

int __zrk_mutex_unlock(struct __zrk_mutex* m) {
  if (m->__kind != PTHREAD_MUTEX_NORMAL) {
    if (__atomic_load_n(&m->__owner, __ATOMIC_RELAXED) != __zrk_thread_id()) {
      return EPERM;
    }
    if (m->__count > 0) {
      m->__count--;
      return 0;
    }
    __atomic_store_n(&m->__owner, 0, __ATOMIC_RELAXED);
  }
  __zrk_futex_unlock(&m->__futex);
  return 0;
}

static void mutex_init(struct __zrk_mutex* m, int kind) {
  m->__futex = ZRK_FUTEX_UNLOCKED;
  m->__kind = kind;
  m->__count = 0;
  m->__reserved = 0;
  m->__owner = 0;
}

// --- POSIX ------------------------------------------------------------------------------------

int pthread_mutexattr_init(pthread_mutexattr_t* attr) {
  attr->__kind = PTHREAD_MUTEX_DEFAULT;
  return 0;
}

int pthread_mutexattr_destroy(pthread_mutexattr_t* attr) {
  (void)attr;
  return 0;
}

int pthread_mutexattr_gettype(const pthread_mutexattr_t* restrict attr, int* restrict type) {
  *type = attr->__kind;
  return 0;
}

int pthread_mutexattr_settype(pthread_mutexattr_t* attr, int type) {
  if (type != PTHREAD_MUTEX_NORMAL && type != PTHREAD_MUTEX_RECURSIVE &&
      type != PTHREAD_MUTEX_ERRORCHECK) {
    return EINVAL;
  }
  attr->__kind = type;
  return 0;
}

int pthread_mutex_init(pthread_mutex_t* restrict mutex, const pthread_mutexattr_t* restrict attr) {
  mutex_init(mutex, attr != NULL ? attr->__kind : PTHREAD_MUTEX_DEFAULT);
  return 0;
}

int pthread_mutex_destroy(pthread_mutex_t* mutex) {
  (void)mutex;
  return 0;
}

int pthread_mutex_lock(pthread_mutex_t* mutex) {
  return __zrk_mutex_lock(mutex, ZX_TIME_INFINITE);
}

int pthread_mutex_trylock(pthread_mutex_t* mutex) { return __zrk_mutex_trylock(mutex); }

int pthread_mutex_timedlock(pthread_mutex_t* restrict mutex,
                            const struct timespec* restrict abstime) {
  // As POSIX asks, a mutex that is free is taken whatever the time says.
  int result = __zrk_mutex_trylock(mutex);
  if (result != EBUSY) {
    return result;
  }
  zx_time_t deadline;
  result = __zrk_timespec_to_deadline(abstime, &deadline);
  if (result != 0) {
    return result;
  }
  return __zrk_mutex_lock(mutex, deadline);
}

int pthread_mutex_unlock(pthread_mutex_t* mutex) { return __zrk_mutex_unlock(mutex); }

// --- C11 ----------------------------------------------------------------------------------------

int mtx_init(mtx_t* mtx, int type) {
  int base = type & ~mtx_recursive;
  if (base != mtx_plain && base != mtx_timed) {
    return thrd_error;
  }
  mutex_init(mtx, (type & mtx_recursive) != 0 ? PTHREAD_MUTEX_RECURSIVE : PTHREAD_MUTEX_NORMAL);
  return thrd_success;
}

void mtx_destroy(mtx_t* mtx) { (void)mtx; }

int mtx_lock(mtx_t* mtx) {
  return __zrk_mutex_lock(mtx, ZX_TIME_INFINITE) == 0 ? thrd_success : thrd_error;
}

int mtx_trylock(mtx_t* mtx) {
  int result = __zrk_mutex_trylock(mtx);
  return result == 0 ? thrd_success : result == EBUSY ? thrd_busy : thrd_error;
}

int mtx_timedlock(mtx_t* restrict mtx, const struct timespec* restrict ts) {
  int result = pthread_mutex_timedlock(mtx, ts);
  return result == 0 ? thrd_success : result == ETIMEDOUT ? thrd_timedout : thrd_error;
}

int mtx_unlock(mtx_t* mtx) { return __zrk_mutex_unlock(mtx) == 0 ? thrd_success : thrd_error; }
