// Thread-specific storage: C11's tss_* and POSIX's pthread_key_*, one implementation.
//
// A key is a slot (its low 7 bits, ZRK_KEYS_MAX = 128 slots) and the slot's generation
// (the rest), which every tss_create of the slot bumps. Each thread's descriptor holds
// a value per slot and the generation it was set under; a value set under another
// generation reads as NULL. So a new key reads NULL in every thread, as POSIX asks,
// without visiting them, and a deleted key's leftover values are never seen or passed
// to a destructor.
//
// At thread exit (thread.c) each non-NULL value of a live key with a destructor is
// cleared and passed to it; while destructors keep setting values, up to
// ZRK_DESTRUCTOR_ITERATIONS rounds. The main thread runs them only if it ends through
// thrd_exit or pthread_exit, not when main returns (as in C11 and POSIX).
#include <pthread.h>
#include <threads.h>

#include "thread.h"

#define SLOT_BITS 7
#define SLOT_MASK ((1u << SLOT_BITS) - 1)
_Static_assert(ZRK_KEYS_MAX == 1u << SLOT_BITS, "a key's slot bits cover every slot");

static struct {
  void (*destructor)(void*);
  unsigned int generation;  // of the current or last key in this slot
  bool live;
} keys[ZRK_KEYS_MAX];
static int keys_lock;

int __zrk_key_create(unsigned int* key, void (*destructor)(void*)) {
  __zrk_futex_lock(&keys_lock, ZX_TIME_INFINITE);
  for (unsigned int slot = 0; slot < ZRK_KEYS_MAX; slot++) {
    if (!keys[slot].live) {
      // Generations run 1.. in the upper 25 bits and wrap; 0 is what a thread's
      // never-set slots hold, so it is skipped.
      unsigned int generation = (keys[slot].generation + 1) & (UINT32_MAX >> SLOT_BITS);
      if (generation == 0) {
        generation = 1;
      }
      keys[slot].generation = generation;
      keys[slot].destructor = destructor;
      keys[slot].live = true;
      __zrk_futex_unlock(&keys_lock);
      *key = generation << SLOT_BITS | slot;
      return 0;
    }
  }
  __zrk_futex_unlock(&keys_lock);
  return EAGAIN;
}

int __zrk_key_delete(unsigned int key) {
  unsigned int slot = key & SLOT_MASK;
  int result = EINVAL;
  __zrk_futex_lock(&keys_lock, ZX_TIME_INFINITE);
  if (keys[slot].live && keys[slot].generation == key >> SLOT_BITS) {
    keys[slot].live = false;
    keys[slot].destructor = NULL;
    result = 0;
  }
  __zrk_futex_unlock(&keys_lock);
  return result;
}

void* __zrk_key_get(unsigned int key) {
  struct __pthread* self = __zrk_thread_self();
  unsigned int slot = key & SLOT_MASK;
  return self->tsd_generation[slot] == key >> SLOT_BITS ? self->tsd[slot] : NULL;
}

int __zrk_key_set(unsigned int key, const void* value) {
  struct __pthread* self = __zrk_thread_self();
  unsigned int slot = key & SLOT_MASK;
  self->tsd[slot] = (void*)(uintptr_t)value;
  self->tsd_generation[slot] = key >> SLOT_BITS;
  return 0;
}

void __zrk_key_run_destructors(struct __pthread* self) {
  for (int round = 0; round < ZRK_DESTRUCTOR_ITERATIONS; round++) {
    bool called = false;
    for (unsigned int slot = 0; slot < ZRK_KEYS_MAX; slot++) {
      void* value = self->tsd[slot];
      if (value == NULL) {
        continue;
      }
      self->tsd[slot] = NULL;
      __zrk_futex_lock(&keys_lock, ZX_TIME_INFINITE);
      void (*destructor)(void*) = NULL;
      if (keys[slot].live && keys[slot].generation == self->tsd_generation[slot]) {
        destructor = keys[slot].destructor;
      }
      __zrk_futex_unlock(&keys_lock);
      if (destructor != NULL) {
        destructor(value);
        called = true;
      }
    }
    if (!called) {
      return;
    }
  }
}

// --- POSIX ------------------------------------------------------------------------------------

int pthread_key_create(pthread_key_t* key, void (*destructor)(void*)) {
  return __zrk_key_create(key, destructor);
}

int pthread_key_delete(pthread_key_t key) { return __zrk_key_delete(key); }

void* pthread_getspecific(pthread_key_t key) { return __zrk_key_get(key); }

int pthread_setspecific(pthread_key_t key, const void* value) {
  return __zrk_key_set(key, value);
}

// --- C11 ----------------------------------------------------------------------------------------

int tss_create(tss_t* key, tss_dtor_t dtor) {
  return __zrk_key_create(key, dtor) == 0 ? thrd_success : thrd_error;
}

void tss_delete(tss_t key) { (void)__zrk_key_delete(key); }

void* tss_get(tss_t key) { return __zrk_key_get(key); }

int tss_set(tss_t key, void* val) {
  return __zrk_key_set(key, val) == 0 ? thrd_success : thrd_error;
}
