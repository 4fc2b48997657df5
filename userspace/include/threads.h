// C11 threads (<threads.h>, C11 7.26) for zrk programs, implemented by the runtime
// (userspace/runtime/) on zx_thread_* and futexes.
//
// picolibc ships a <threads.h> (FreeBSD's) but no implementation, and it includes a
// <machine/_threads.h> the Debian package does not have; this header, found first through
// -I userspace/include, replaces it. The constants have Fuchsia's libc values
// (thrd_success is 0), and, as there, thrd_t is the same type as pthread_t, so one thread
// may be handled through either interface. Unlike Fuchsia, mtx_recursive works.
//
// Deadlines (mtx_timedlock, cnd_timedwait) are absolute TIME_UTC times as timespec_get()
// reads them. zrk has no wall clock: TIME_UTC counts from boot, as time() and
// gettimeofday() do, so it is the monotonic clock (zx_clock_get_monotonic()).
#ifndef ZRK_THREADS_H_
#define ZRK_THREADS_H_

#include <time.h>

#include <zrk/thread_types.h>

#ifdef __cplusplus
extern "C" {
#else
#define thread_local _Thread_local
#endif

typedef struct __pthread* thrd_t;
typedef int (*thrd_start_t)(void*);
typedef struct __zrk_mutex mtx_t;
typedef struct __zrk_cond cnd_t;
typedef unsigned int tss_t;
typedef void (*tss_dtor_t)(void*);
typedef int once_flag;

#define ONCE_FLAG_INIT 0
// Rounds of destructor calls at thread exit while values keep being set.
#define TSS_DTOR_ITERATIONS 4

enum {
  thrd_success = 0,
  thrd_busy = 1,
  thrd_error = 2,
  thrd_nomem = 3,
  thrd_timedout = 4,
};

// mtx_plain or mtx_timed, optionally | mtx_recursive.
enum {
  mtx_plain = 0,
  mtx_recursive = 1,
  mtx_timed = 2,
};

// picolibc 1.8's <time.h> has no timespec_get (C11 7.27.2.5); the runtime provides it,
// and it is declared here because thread deadlines are read on its clock.
#ifndef TIME_UTC
#define TIME_UTC 1
int timespec_get(struct timespec* ts, int base);
#endif

int thrd_create(thrd_t* thr, thrd_start_t func, void* arg);
thrd_t thrd_current(void);
int thrd_detach(thrd_t thr);
int thrd_equal(thrd_t thr0, thrd_t thr1);
__attribute__((__noreturn__)) void thrd_exit(int res);
int thrd_join(thrd_t thr, int* res);
int thrd_sleep(const struct timespec* duration, struct timespec* remaining);
void thrd_yield(void);

int mtx_init(mtx_t* mtx, int type);
void mtx_destroy(mtx_t* mtx);
int mtx_lock(mtx_t* mtx);
int mtx_timedlock(mtx_t* __restrict mtx, const struct timespec* __restrict ts);
int mtx_trylock(mtx_t* mtx);
int mtx_unlock(mtx_t* mtx);

int cnd_init(cnd_t* cond);
void cnd_destroy(cnd_t* cond);
int cnd_signal(cnd_t* cond);
int cnd_broadcast(cnd_t* cond);
int cnd_wait(cnd_t* cond, mtx_t* mtx);
int cnd_timedwait(cnd_t* __restrict cond, mtx_t* __restrict mtx,
                  const struct timespec* __restrict ts);

void call_once(once_flag* flag, void (*func)(void));

int tss_create(tss_t* key, tss_dtor_t dtor);
void tss_delete(tss_t key);
void* tss_get(tss_t key);
int tss_set(tss_t key, void* val);

#ifdef __cplusplus
}
#endif

#endif  // ZRK_THREADS_H_
