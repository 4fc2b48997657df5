// The core of POSIX threads (<pthread.h>) for zrk programs: threads (create, join,
// detach, self, exit, equal, and the stack-size, guard-size and detach-state attributes),
// mutexes (normal, recursive, error-checking; timed locking), condition variables, once
// and thread-specific keys. Implemented by the runtime (userspace/runtime/) on
// zx_thread_* and futexes, with the names, types and constant values of Fuchsia's libc
// (musl's). No cancellation, scheduling policy, read-write locks, barriers or spin locks.
//
// picolibc ships no <pthread.h> and defines none of these types (no sys/_pthreadtypes.h,
// nothing in its sys/types.h), so there is nothing to clash with.
//
// pthread_t is the same type as C11's thrd_t, pthread_mutex_t as mtx_t, pthread_cond_t as
// cnd_t. Timed waits take absolute times on CLOCK_REALTIME, which on zrk (no wall clock)
// counts from boot: the same clock as <threads.h>'s TIME_UTC and timespec_get().
#ifndef ZRK_PTHREAD_H_
#define ZRK_PTHREAD_H_

#include <stddef.h>
#include <time.h>

#include <zrk/thread_types.h>

#ifdef __cplusplus
extern "C" {
#endif

// POSIX lets <pthread.h> make <sched.h>'s names visible; picolibc's <sched.h> declares
// sched_yield only with _POSIX_THREADS, which it does not define. The runtime has it
// (posix.c), and libstdc++'s thread support calls it.
int sched_yield(void);

typedef struct __pthread* pthread_t;
typedef struct {
  size_t __stacksize;
  size_t __guardsize;
  int __detachstate;
  int __reserved;
} pthread_attr_t;
typedef struct __zrk_mutex pthread_mutex_t;
typedef struct {
  int __kind;
} pthread_mutexattr_t;
typedef struct __zrk_cond pthread_cond_t;
typedef struct {
  int __reserved;
} pthread_condattr_t;
typedef unsigned int pthread_key_t;
typedef int pthread_once_t;

#define PTHREAD_CREATE_JOINABLE 0
#define PTHREAD_CREATE_DETACHED 1

#define PTHREAD_MUTEX_NORMAL 0
#define PTHREAD_MUTEX_RECURSIVE 1
#define PTHREAD_MUTEX_ERRORCHECK 2
#define PTHREAD_MUTEX_DEFAULT PTHREAD_MUTEX_NORMAL

// Every field spelt out, so that -Wextra's missing-field-initializers stays quiet in C++.
#define PTHREAD_MUTEX_INITIALIZER {0, 0, 0u, 0, 0u}
#define PTHREAD_COND_INITIALIZER {0, 0u}
#define PTHREAD_ONCE_INIT 0

// Limits (POSIX puts them in <limits.h>; picolibc's has none of them).
#ifndef PTHREAD_KEYS_MAX
#define PTHREAD_KEYS_MAX 128
#endif
#ifndef PTHREAD_DESTRUCTOR_ITERATIONS
#define PTHREAD_DESTRUCTOR_ITERATIONS 4
#endif
// The smallest stack pthread_attr_setstacksize accepts. The default is 256 KiB.
#ifndef PTHREAD_STACK_MIN
#define PTHREAD_STACK_MIN 16384
#endif

int pthread_create(pthread_t* __restrict thread, const pthread_attr_t* __restrict attr,
                   void* (*start_routine)(void*), void* __restrict arg);
int pthread_join(pthread_t thread, void** value_ptr);
int pthread_detach(pthread_t thread);
pthread_t pthread_self(void);
int pthread_equal(pthread_t t1, pthread_t t2);
__attribute__((__noreturn__)) void pthread_exit(void* value_ptr);

int pthread_attr_init(pthread_attr_t* attr);
int pthread_attr_destroy(pthread_attr_t* attr);
int pthread_attr_getdetachstate(const pthread_attr_t* attr, int* detachstate);
int pthread_attr_setdetachstate(pthread_attr_t* attr, int detachstate);
int pthread_attr_getstacksize(const pthread_attr_t* __restrict attr, size_t* __restrict stacksize);
int pthread_attr_setstacksize(pthread_attr_t* attr, size_t stacksize);
int pthread_attr_getguardsize(const pthread_attr_t* __restrict attr, size_t* __restrict guardsize);
int pthread_attr_setguardsize(pthread_attr_t* attr, size_t guardsize);

int pthread_mutex_init(pthread_mutex_t* __restrict mutex,
                       const pthread_mutexattr_t* __restrict attr);
int pthread_mutex_destroy(pthread_mutex_t* mutex);
int pthread_mutex_lock(pthread_mutex_t* mutex);
int pthread_mutex_trylock(pthread_mutex_t* mutex);
int pthread_mutex_timedlock(pthread_mutex_t* __restrict mutex,
                            const struct timespec* __restrict abstime);
int pthread_mutex_unlock(pthread_mutex_t* mutex);

int pthread_mutexattr_init(pthread_mutexattr_t* attr);
int pthread_mutexattr_destroy(pthread_mutexattr_t* attr);
int pthread_mutexattr_gettype(const pthread_mutexattr_t* __restrict attr, int* __restrict type);
int pthread_mutexattr_settype(pthread_mutexattr_t* attr, int type);

int pthread_cond_init(pthread_cond_t* __restrict cond, const pthread_condattr_t* __restrict attr);
int pthread_cond_destroy(pthread_cond_t* cond);
int pthread_cond_signal(pthread_cond_t* cond);
int pthread_cond_broadcast(pthread_cond_t* cond);
int pthread_cond_wait(pthread_cond_t* __restrict cond, pthread_mutex_t* __restrict mutex);
int pthread_cond_timedwait(pthread_cond_t* __restrict cond, pthread_mutex_t* __restrict mutex,
                           const struct timespec* __restrict abstime);

int pthread_condattr_init(pthread_condattr_t* attr);
int pthread_condattr_destroy(pthread_condattr_t* attr);

int pthread_once(pthread_once_t* once_control, void (*init_routine)(void));

int pthread_key_create(pthread_key_t* key, void (*destructor)(void*));
int pthread_key_delete(pthread_key_t key);
void* pthread_getspecific(pthread_key_t key);
int pthread_setspecific(pthread_key_t key, const void* value);

#ifdef __cplusplus
}
#endif

#endif  // ZRK_PTHREAD_H_
