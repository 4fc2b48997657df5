// Raw threads for the kernel's own tests: zx_thread_create + zx_thread_start with a stack
// VMO mapped in the root VMAR, no C runtime support. A raw thread's function runs with
// TPIDR_EL0 = 0 (no TLS), so it must use only syscalls, atomics and plain memory (no
// errno, no stdio, no malloc), and it ends with zx_thread_exit(). raw_thread_join() waits
// for ZX_THREAD_TERMINATED, then closes the handle and unmaps the stack.
#ifndef ZRK_THREAD_UTIL_H_
#define ZRK_THREAD_UTIL_H_

#include <stdint.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

#define RAW_THREAD_STACK (64 * 1024)

typedef struct {
  zx_handle_t handle;
  zx_vaddr_t stack;
} raw_thread_t;

typedef void (*raw_thread_fn)(uintptr_t arg1, uintptr_t arg2);

// Creates and starts a thread running fn(arg1, arg2).
static inline zx_status_t raw_thread_start(raw_thread_t* t, raw_thread_fn fn, uintptr_t arg1,
                                           uintptr_t arg2) {
  zx_handle_t vmo;
  zx_status_t s = zx_vmo_create(RAW_THREAD_STACK, 0, &vmo);
  if (s != ZX_OK) return s;
  s = zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0,
                  RAW_THREAD_STACK, &t->stack);
  zx_handle_close(vmo);
  if (s != ZX_OK) return s;
  static const char name[] = "raw";
  s = zx_thread_create(zx_process_self(), name, sizeof name - 1, 0, &t->handle);
  if (s != ZX_OK) {
    zx_vmar_unmap(zx_vmar_root_self(), t->stack, RAW_THREAD_STACK);
    return s;
  }
  s = zx_thread_start(t->handle, (zx_vaddr_t)fn, t->stack + RAW_THREAD_STACK, arg1, arg2);
  if (s != ZX_OK) {
    zx_handle_close(t->handle);
    zx_vmar_unmap(zx_vmar_root_self(), t->stack, RAW_THREAD_STACK);
  }
  return s;
}

static inline zx_status_t raw_thread_join(raw_thread_t* t) {
  zx_signals_t observed = 0;
  zx_status_t s = zx_object_wait_one(t->handle, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, &observed);
  zx_handle_close(t->handle);
  zx_vmar_unmap(zx_vmar_root_self(), t->stack, RAW_THREAD_STACK);
  return s;
}

// A futex-based lock for raw threads: 0 free, 1 held, 2 held with waiters.
static inline void raw_lock(zx_futex_t* f) {
  int c = 0;
  if (__atomic_compare_exchange_n(f, &c, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) return;
  if (c != 2) c = __atomic_exchange_n(f, 2, __ATOMIC_ACQUIRE);
  while (c != 0) {
    zx_futex_wait(f, 2, ZX_HANDLE_INVALID, ZX_TIME_INFINITE);
    c = __atomic_exchange_n(f, 2, __ATOMIC_ACQUIRE);
  }
}

static inline void raw_unlock(zx_futex_t* f) {
  if (__atomic_exchange_n(f, 0, __ATOMIC_RELEASE) == 2) zx_futex_wake(f, 1);
}

#endif  // ZRK_THREAD_UTIL_H_
