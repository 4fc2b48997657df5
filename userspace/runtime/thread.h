// Internal interfaces of the runtime's threads (not for programs): the thread
// descriptor, the futex lock every other primitive is built on, and the shared
// implementations that <threads.h> and <pthread.h> are thin wrappers around.
//
// The internal functions return 0 or an errno value (ETIMEDOUT, EBUSY, EDEADLK, EPERM,
// EAGAIN, EINVAL, ENOMEM); the pthread_* functions pass it on, the C11 ones map it to
// thrd_* (thrd.c).
#ifndef ZRK_RUNTIME_THREAD_H_
#define ZRK_RUNTIME_THREAD_H_

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <zircon/syscalls.h>
#include <zircon/types.h>
#include <zrk/thread_types.h>

// --- The futex lock (lock.c) ------------------------------------------------------------
//
// The classic three-state futex mutex (Drepper, "Futexes Are Tricky", mutex #2): the word
// is 0 when free, 1 when held, 2 when held and someone may be sleeping on it. Taking a
// free lock and releasing one nobody waits for are a single atomic instruction each; only
// contention enters the kernel.

// The runtime's futex words are plain ints used through the __atomic builtins (the
// public structs cannot name C11 atomics); <zircon/types.h> types a futex as atomic_int
// in C, so these two cast, as Fuchsia's libc does with its zx_futex_storage_t.
static inline zx_status_t __zrk_futex_wait(int* word, int value, zx_time_t deadline) {
  return zx_futex_wait((const zx_futex_t*)word, value, ZX_HANDLE_INVALID, deadline);
}

static inline void __zrk_futex_wake(int* word, uint32_t count) {
  zx_futex_wake((const zx_futex_t*)word, count);
}

enum {
  ZRK_FUTEX_UNLOCKED = 0,
  ZRK_FUTEX_LOCKED = 1,
  ZRK_FUTEX_CONTENDED = 2,
};

// Waits for the lock after the fast path failed: ZX_OK once held, ZX_ERR_TIMED_OUT if
// `deadline` passed first (the lock is then not held).
zx_status_t __zrk_futex_lock_slow(int* word, zx_time_t deadline);

static inline bool __zrk_futex_trylock(int* word) {
  int expected = ZRK_FUTEX_UNLOCKED;
  return __atomic_compare_exchange_n(word, &expected, ZRK_FUTEX_LOCKED, false, __ATOMIC_ACQUIRE,
                                     __ATOMIC_RELAXED);
}

static inline zx_status_t __zrk_futex_lock(int* word, zx_time_t deadline) {
  if (__zrk_futex_trylock(word)) {
    return ZX_OK;
  }
  return __zrk_futex_lock_slow(word, deadline);
}

static inline void __zrk_futex_unlock(int* word) {
  if (__atomic_exchange_n(word, ZRK_FUTEX_UNLOCKED, __ATOMIC_RELEASE) == ZRK_FUTEX_CONTENDED) {
    __zrk_futex_wake(word, 1);
  }
}

// Who holds a recursive or error-checking lock: the thread pointer (TPIDR_EL0), which
// differs between any two live threads and is never 0 once the runtime has started.
static inline uintptr_t __zrk_thread_id(void) { return (uintptr_t)__builtin_thread_pointer(); }

// An absolute CLOCK_REALTIME / TIME_UTC time as a zx_time_t deadline. zrk's real-time
// clock is its monotonic clock (posix.c), so this is only a change of units; times past
// the range of zx_time_t become ZX_TIME_INFINITE, times before boot "now". Returns
// EINVAL if tv_nsec is out of range.
int __zrk_timespec_to_deadline(const struct timespec* ts, zx_time_t* deadline);

// --- Threads (thread.c) -----------------------------------------------------------------

// Keys (tss_t, pthread_key_t) a process can have at once.
#define ZRK_KEYS_MAX 128
// Rounds of destructor calls at thread exit (TSS_DTOR_ITERATIONS,
// PTHREAD_DESTRUCTOR_ITERATIONS).
#define ZRK_DESTRUCTOR_ITERATIONS 4

#define ZRK_DEFAULT_STACK_SIZE ((size_t)256 * 1024)

// Values of struct __pthread's `state`, which is also the futex a joiner sleeps on.
enum {
  ZRK_THREAD_JOINABLE = 0,  // running (or not yet exited) and joinable
  ZRK_THREAD_DETACHED = 1,  // running and detached: it frees itself at exit
  ZRK_THREAD_EXITING = 2,   // joinable, in its exit path: a joiner waits for DONE
  ZRK_THREAD_DONE = 3,      // joinable and gone from its stack: a joiner may reap it
};

// A thread's descriptor. Except for the main thread's (a static in thread.c), it lives in
// the thread's own mapping, just above its stack, and goes away with it.
struct __pthread {
  int state;
  zx_handle_t handle;  // the thread (ZX_HANDLE_INVALID for the main thread)
  zx_handle_t vmar;    // the sub-VMAR of its guard, stack, descriptor and TLS
  int reserved;
  void* (*start)(void*);    // pthread_create's start routine, or NULL
  int (*c11_start)(void*);  // thrd_create's, or NULL
  void* arg;
  void* result;  // pthread_exit's value, or thrd_exit's int as an intptr_t
  // Thread-specific data (tss.c): the value each key has in this thread, and the
  // generation of the key it was set through (a value set through a deleted key
  // reads as NULL through a new key in the same slot).
  void* tsd[ZRK_KEYS_MAX];
  unsigned int tsd_generation[ZRK_KEYS_MAX];
};

struct zrk_thread_attr {
  size_t stack_size;
  size_t guard_size;
  bool detached;
};

// The calling thread's descriptor (the main thread's static one on the main thread).
struct __pthread* __zrk_thread_self(void);

// Creates and starts a thread running `start(arg)` (or `c11_start(arg)`). `*out` is set
// before the thread starts. Returns 0, EAGAIN (the kernel refused: no memory, or no
// threads) or ENOMEM.
int __zrk_thread_create(struct __pthread** out, const struct zrk_thread_attr* attr,
                        void* (*start)(void*), int (*c11_start)(void*), void* arg);
int __zrk_thread_join(struct __pthread* thread, void** result);
int __zrk_thread_detach(struct __pthread* thread);
_Noreturn void __zrk_thread_exit(void* result);

// --- Mutexes, condition variables, once, keys ---------------------------------------------

// mutex.c; `deadline` ZX_TIME_INFINITE for an untimed lock.
int __zrk_mutex_lock(struct __zrk_mutex* mutex, zx_time_t deadline);
int __zrk_mutex_trylock(struct __zrk_mutex* mutex);
int __zrk_mutex_unlock(struct __zrk_mutex* mutex);

// cond.c
int __zrk_cond_wait(struct __zrk_cond* cond, struct __zrk_mutex* mutex, zx_time_t deadline);
int __zrk_cond_wake(struct __zrk_cond* cond, uint32_t count);

// once.c
void __zrk_once(int* flag, void (*func)(void));

// tss.c
int __zrk_key_create(unsigned int* key, void (*destructor)(void*));
int __zrk_key_delete(unsigned int key);
void* __zrk_key_get(unsigned int key);
int __zrk_key_set(unsigned int key, const void* value);
// Runs the calling thread's destructors, as thread exit does.
void __zrk_key_run_destructors(struct __pthread* self);

#endif  // ZRK_RUNTIME_THREAD_H_
