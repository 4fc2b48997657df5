// The futex lock's slow path (thread.h has the fast path), and picolibc's locks on it.
//
// picolibc (Debian's 1.8 build) is compiled with _RETARGETABLE_LOCKING: its sys/lock.h
// makes every lock a `struct __lock *` and calls __retarget_lock_* on it, and libc.a's
// own versions of those (misc/lock.c) do nothing. Defining all of them here, with the
// one static lock libc.a uses, __lock___libc_recursive_mutex, replaces that object
// entirely (the runtime's objects come before -lc, so the archive member is never
// pulled in). That lock guards malloc/free (nano-malloc), atexit, the environment,
// arc4random and the time-zone code; the dynamic locks are tinystdio's per-FILE locks
// for buffered files (fdopen/fopen). The console streams (console.c) are not buffered
// FILEs and have no lock: each thread has its own line buffer instead.
//
// Every lock here is a struct __lock: a futex word, and for recursive use the owner (its
// thread pointer) and a count. All zeros is an unlocked lock, so the static one needs no
// constructor. The try functions return 0 when they took the lock and -1 when it is
// busy (picolibc 1.8 calls neither).
#include <stdlib.h>
#include <sys/lock.h>

#include "thread.h"

zx_status_t __zrk_futex_lock_slow(int* word, zx_time_t deadline) {
  // A short spin first: a lock is usually held briefly, and sleeping costs two system
  // calls. Only while the holder has no waiters (state 1), and no writes meanwhile.
  for (int i = 0; i < 100; i++) {
    int state = __atomic_load_n(word, __ATOMIC_RELAXED);
    if (state == ZRK_FUTEX_UNLOCKED && __zrk_futex_trylock(word)) {
      return ZX_OK;
    }
    if (state == ZRK_FUTEX_CONTENDED) {
      break;
    }
    __asm__ volatile("yield");
  }
  // Mark the lock contended whenever we take it from here on: we cannot know whether
  // others still sleep, so the unlock that follows must wake one.
  int state = __atomic_exchange_n(word, ZRK_FUTEX_CONTENDED, __ATOMIC_ACQUIRE);
  while (state != ZRK_FUTEX_UNLOCKED) {
    // BAD_STATE (the word changed before we slept) and spurious wake-ups both just
    // mean: look again.
    if (__zrk_futex_wait(word, ZRK_FUTEX_CONTENDED, deadline) ==
        ZX_ERR_TIMED_OUT) {
      return ZX_ERR_TIMED_OUT;
    }
    state = __atomic_exchange_n(word, ZRK_FUTEX_CONTENDED, __ATOMIC_ACQUIRE);
  }
  return ZX_OK;
}

// --- picolibc's retargetable locks ----------------------------------------------------------

struct __lock {
  int futex;
  unsigned int count;  // recursive holds beyond the first
  uintptr_t owner;     // the recursive holder's thread pointer, or 0
};

struct __lock __lock___libc_recursive_mutex;

// Dynamic locks come from the heap; if that fails the lock is NULL and every operation
// on it does nothing (a FILE without a lock rather than a failed fopen).
void __retarget_lock_init(_LOCK_T* lock) { *lock = calloc(1, sizeof(struct __lock)); }
void __retarget_lock_init_recursive(_LOCK_T* lock) { __retarget_lock_init(lock); }
void __retarget_lock_close(_LOCK_T lock) { free(lock); }
void __retarget_lock_close_recursive(_LOCK_T lock) { free(lock); }

void __retarget_lock_acquire(_LOCK_T lock) {
  if (lock != NULL) {
    __zrk_futex_lock(&lock->futex, ZX_TIME_INFINITE);
  }
}

int __retarget_lock_try_acquire(_LOCK_T lock) {
  if (lock == NULL) {
    return 0;
  }
  return __zrk_futex_trylock(&lock->futex) ? 0 : -1;
}

void __retarget_lock_release(_LOCK_T lock) {
  if (lock != NULL) {
    __zrk_futex_unlock(&lock->futex);
  }
}

// Only the holder ever finds its own id in `owner`, so a relaxed read is enough to tell
// "I hold it" from "someone else does, or nobody".
void __retarget_lock_acquire_recursive(_LOCK_T lock) {
  if (lock == NULL) {
    return;
  }
  uintptr_t self = __zrk_thread_id();
  if (__atomic_load_n(&lock->owner, __ATOMIC_RELAXED) == self) {
    lock->count++;
    return;
  }
  __zrk_futex_lock(&lock->futex, ZX_TIME_INFINITE);
  __atomic_store_n(&lock->owner, self, __ATOMIC_RELAXED);
}

int __retarget_lock_try_acquire_recursive(_LOCK_T lock) {
  if (lock == NULL) {
    return 0;
  }
  uintptr_t self = __zrk_thread_id();
  if (__atomic_load_n(&lock->owner, __ATOMIC_RELAXED) == self) {
    lock->count++;
    return 0;
  }
  if (!__zrk_futex_trylock(&lock->futex)) {
    return -1;
  }
  __atomic_store_n(&lock->owner, self, __ATOMIC_RELAXED);
  return 0;
}

void __retarget_lock_release_recursive(_LOCK_T lock) {
  if (lock == NULL) {
    return;
  }
  if (lock->count > 0) {
    lock->count--;
    return;
  }
  __atomic_store_n(&lock->owner, 0, __ATOMIC_RELAXED);
  __zrk_futex_unlock(&lock->futex);
}
