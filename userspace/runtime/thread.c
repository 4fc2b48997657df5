// Threads: creation, start, exit, join and detach, shared by <threads.h> (thrd.c) and
// <pthread.h> (the pthread_* functions below), on zx_thread_create / zx_thread_start.
//
// A thread's memory is one VMO mapped read-write inside a sub-VMAR of its own, with an
// unmapped guard below it:
//
//     sub-VMAR base                                                      sub-VMAR end
//     | guard (unmapped) | stack ... sp_top | descriptor | pad | TCB | TLS block | pad |
//                        ^ mapping base                        ^ thread pointer
//
// The guard (default one page, pthread_attr_setguardsize) belongs to the sub-VMAR, so
// nothing else can be mapped there and a stack overflow faults instead of writing over
// another mapping. The stack (default 256 KiB, pthread_attr_setstacksize) grows down from
// the descriptor. The TLS area is AArch64's variant 1, as for the main thread (start.c):
// TPIDR_EL0 points at a 16-byte thread control block, aligned to the TLS alignment, and
// the block follows it at __arm64_tls_tcb_offset; picolibc's _init_tls() copies the
// template (.tdata) and zeroes .tbss into it, so errno, and every thread_local, is per
// thread. The VMO handle is closed once mapped: the mapping keeps the VMO alive.
//
// The kernel starts a thread with TPIDR_EL0 = 0, so the first instructions
// (__zrk_thread_entry, below) set it from x1 before any C code runs; x0 is the
// descriptor.
//
// Exit (__zrk_thread_exit) runs the thread's key destructors, flushes its console line,
// stores its result and then leaves through a few instructions that touch no memory,
// since what comes next may remove the stack under them:
//
// - A joinable thread stores DONE in its `state` (with release order) and calls
//   zx_futex_wake and zx_thread_exit. From the moment DONE is visible, the joiner may
//   close the thread handle, destroy the sub-VMAR and with it the stack, descriptor and
//   TLS: the exiting thread no longer uses any of them, only registers. So join never
//   needs to wait for ZX_THREAD_TERMINATED.
// - A detached thread closes its own thread handle (in C: a started thread keeps
//   running), then calls zx_vmar_destroy on its own sub-VMAR, zx_handle_close on the
//   sub-VMAR handle and zx_thread_exit. This is what Fuchsia's libc does with its
//   zx_vmar_unmap_handle_close_thread_exit system call, which zrk does not have.
//
// Both tails call libzircon's stubs (_zx_futex_wake, _zx_vmar_destroy,
// _zx_handle_close, _zx_thread_exit) rather than issuing `svc` themselves, so the syscall
// numbers stay written in one place (libzircon). That is sound because those are
// libzircon's "call" and "noreturn" stubs, which are exactly `mov x16, #N; svc #0; ret`
// (or a loop for noreturn): no stack, no memory, only x0 and x16 change (the stubs
// crate's tests pin every stub's instructions). A "blocking" stub would not do: those
// keep their arguments on the stack to retry.
//
// The joiner and detach agree through `state` (thread.h): JOINABLE -> DETACHED by
// pthread_detach; JOINABLE -> EXITING -> DONE by the exiting thread. Whoever moves it
// first decides: a detach that finds EXITING or DONE reaps the thread as a join would,
// and an exiting thread that finds DETACHED frees itself.
#include <pthread.h>
#include <string.h>
#include <threads.h>

#include <zircon/process.h>

#include "runtime.h"
#include "thread.h"

// Linker-script symbols (linker/user.ld) whose addresses are the TLS layout's numbers.
extern const char __tls_size[], __tls_align[], __arm64_tls_tcb_offset[];

// picolibc: copy the TLS template into a block.
void _init_tls(void* tls);

// The assembly below.
void __zrk_thread_entry(void);
_Noreturn void __zrk_thread_tail_joinable(int* state, int done);
_Noreturn void __zrk_thread_tail_detached(zx_handle_t vmar);

__asm__(
    ".pushsection .text.zrk.thread_entry, \"ax\", %progbits\n"
    // x0 = the descriptor, x1 = the thread pointer; sp = the top of the stack.
    ".global __zrk_thread_entry\n"
    ".type __zrk_thread_entry, %function\n"
    "__zrk_thread_entry:\n"
    "  msr tpidr_el0, x1\n"
    "  mov x29, #0\n"  // end backtraces here
    "  mov x30, #0\n"
    "  bl __zrk_thread_main\n"
    "  udf #0\n"
    ".size __zrk_thread_entry, . - __zrk_thread_entry\n"
    ".popsection\n"

    ".pushsection .text.zrk.thread_tail_joinable, \"ax\", %progbits\n"
    // x0 = &descriptor->state, w1 = ZRK_THREAD_DONE. No stack from the store on.
    ".global __zrk_thread_tail_joinable\n"
    ".type __zrk_thread_tail_joinable, %function\n"
    "__zrk_thread_tail_joinable:\n"
    "  stlr w1, [x0]\n"
    "  mov w1, #-1\n"  // wake every waiter (UINT32_MAX)
    "  bl _zx_futex_wake\n"
    "  bl _zx_thread_exit\n"
    "  udf #0\n"
    ".size __zrk_thread_tail_joinable, . - __zrk_thread_tail_joinable\n"
    ".popsection\n"

    ".pushsection .text.zrk.thread_tail_detached, \"ax\", %progbits\n"
    // w0 = the thread's sub-VMAR. No stack from the destroy on.
    ".global __zrk_thread_tail_detached\n"
    ".type __zrk_thread_tail_detached, %function\n"
    "__zrk_thread_tail_detached:\n"
    "  mov w19, w0\n"
    "  bl _zx_vmar_destroy\n"
    "  mov w0, w19\n"
    "  bl _zx_handle_close\n"
    "  bl _zx_thread_exit\n"
    "  udf #0\n"
    ".size __zrk_thread_tail_detached, . - __zrk_thread_tail_detached\n"
    ".popsection\n");

// The main thread's descriptor: joinable, no handle of its own to close, no mapping.
static struct __pthread main_thread = {
    .state = ZRK_THREAD_JOINABLE,
    .handle = ZX_HANDLE_INVALID,
    .vmar = ZX_HANDLE_INVALID,
};

// The calling thread's descriptor; NULL on the main thread.
static _Thread_local struct __pthread* self_descriptor;

struct __pthread* __zrk_thread_self(void) {
  struct __pthread* self = self_descriptor;
  return self != NULL ? self : &main_thread;
}

// The value of a linker-script symbol. The empty asm hides its origin, so the compiler
// makes no assumption (non-zero, aligned) about an address that is really a number.
static uintptr_t link_value(const char* symbol) {
  uintptr_t value = (uintptr_t)symbol;
  __asm__("" : "+r"(value));
  return value;
}

static size_t round_up(size_t value, size_t alignment) {
  return (value + alignment - 1) & ~(alignment - 1);
}

__attribute__((noreturn, used)) void __zrk_thread_main(struct __pthread* self) {
  self_descriptor = self;
  __zrk_thread_handle = self->handle;
  void* result;
  if (self->c11_start != NULL) {
    result = (void*)(intptr_t)self->c11_start(self->arg);
  } else {
    result = self->start(self->arg);
  }
  __zrk_thread_exit(result);
}

static void unmap(zx_handle_t vmar) {
  zx_vmar_destroy(vmar);
  zx_handle_close(vmar);
}

int __zrk_thread_create(struct __pthread** out, const struct zrk_thread_attr* attr,
                        void* (*start)(void*), int (*c11_start)(void*), void* arg) {
  const size_t page = zx_system_get_page_size();
  const size_t stack_size = round_up(attr->stack_size, page);
  const size_t guard_size = round_up(attr->guard_size, page);
  const size_t tls_size = link_value(__tls_size);
  const size_t tcb_offset = link_value(__arm64_tls_tcb_offset);
  size_t tcb_align = link_value(__tls_align);
  if (tcb_align < 16) {
    tcb_align = 16;
  }
  // Offsets from the mapping's base; page alignment of the base covers any TLS
  // alignment up to a page, and larger ones get room to slide.
  const size_t descriptor_offset = stack_size;
  size_t tcb_offset_in_map = round_up(descriptor_offset + sizeof(struct __pthread), tcb_align);
  size_t map_size = tcb_offset_in_map + tcb_offset + tls_size;
  if (tcb_align > page) {
    map_size += tcb_align;
  }
  map_size = round_up(map_size, page);

  zx_handle_t vmo;
  zx_status_t status = zx_vmo_create(map_size, 0, &vmo);
  if (status != ZX_OK) {
    return status == ZX_ERR_NO_MEMORY ? ENOMEM : EAGAIN;
  }
  zx_handle_t vmar;
  zx_vaddr_t vmar_base;
  status = zx_vmar_allocate(zx_vmar_root_self(),
                            ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC, 0,
                            guard_size + map_size, &vmar, &vmar_base);
  if (status != ZX_OK) {
    zx_handle_close(vmo);
    return status == ZX_ERR_NO_MEMORY ? ENOMEM : EAGAIN;
  }
  zx_vaddr_t base;
  status = zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC, guard_size, vmo,
                       0, map_size, &base);
  zx_handle_close(vmo);
  if (status != ZX_OK) {
    unmap(vmar);
    return status == ZX_ERR_NO_MEMORY ? ENOMEM : EAGAIN;
  }

  // The VMO is fresh, so the descriptor starts all zeros (JOINABLE, no keys set).
  struct __pthread* thread = (struct __pthread*)(base + descriptor_offset);
  uintptr_t tcb = round_up(base + tcb_offset_in_map, tcb_align);
  _init_tls((void*)(tcb + tcb_offset));
  thread->state = attr->detached ? ZRK_THREAD_DETACHED : ZRK_THREAD_JOINABLE;
  thread->vmar = vmar;
  thread->start = start;
  thread->c11_start = c11_start;
  thread->arg = arg;

  static const char name[] = "pthread";
  status = zx_thread_create(zx_process_self(), name, sizeof name - 1, 0, &thread->handle);
  if (status != ZX_OK) {
    unmap(vmar);
    return status == ZX_ERR_NO_MEMORY ? ENOMEM : EAGAIN;
  }
  // Published before the start: a detached thread may be gone, descriptor and all, by
  // the time zx_thread_start returns, so nothing below reads `thread`.
  *out = thread;
  zx_handle_t handle = thread->handle;
  status = zx_thread_start(handle, (zx_vaddr_t)__zrk_thread_entry, base + stack_size,
                           (uintptr_t)thread, tcb);
  if (status != ZX_OK) {
    zx_handle_close(handle);
    unmap(vmar);
    return status == ZX_ERR_NO_MEMORY ? ENOMEM : EAGAIN;
  }
  return 0;
}

_Noreturn void __zrk_thread_exit(void* result) {
  struct __pthread* self = __zrk_thread_self();
  __zrk_key_run_destructors(self);
  __zrk_console_flush();
  self->result = result;
  int expected = ZRK_THREAD_JOINABLE;
  if (__atomic_compare_exchange_n(&self->state, &expected, ZRK_THREAD_EXITING, false,
                                  __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
    __zrk_thread_tail_joinable(&self->state, ZRK_THREAD_DONE);
  }
  // Detached: free everything on the way out.
  zx_handle_t vmar = self->vmar;
  zx_handle_close(self->handle);
  if (vmar == ZX_HANDLE_INVALID) {
    zx_thread_exit();  // the main thread: its stack is not ours to free
  }
  __zrk_thread_tail_detached(vmar);
}

// Waits until `thread` is DONE, then frees what is left of it.
static void reap(struct __pthread* thread, void** result) {
  int state;
  while ((state = __atomic_load_n(&thread->state, __ATOMIC_ACQUIRE)) != ZRK_THREAD_DONE) {
    __zrk_futex_wait(&thread->state, state, ZX_TIME_INFINITE);
  }
  if (result != NULL) {
    *result = thread->result;
  }
  zx_handle_t handle = thread->handle;
  zx_handle_t vmar = thread->vmar;
  zx_handle_close(handle);
  if (vmar != ZX_HANDLE_INVALID) {
    unmap(vmar);  // the descriptor goes with it
  }
}

int __zrk_thread_join(struct __pthread* thread, void** result) {
  if (thread == __zrk_thread_self()) {
    return EDEADLK;
  }
  if (__atomic_load_n(&thread->state, __ATOMIC_RELAXED) == ZRK_THREAD_DETACHED) {
    return EINVAL;
  }
  reap(thread, result);
  return 0;
}

int __zrk_thread_detach(struct __pthread* thread) {
  int expected = ZRK_THREAD_JOINABLE;
  if (__atomic_compare_exchange_n(&thread->state, &expected, ZRK_THREAD_DETACHED, false,
                                  __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
    return 0;
  }
  if (expected == ZRK_THREAD_DETACHED) {
    return EINVAL;
  }
  // It is already on its way out as a joinable thread: finish it here.
  reap(thread, NULL);
  return 0;
}

// --- POSIX ------------------------------------------------------------------------------------

int pthread_attr_init(pthread_attr_t* attr) {
  attr->__stacksize = ZRK_DEFAULT_STACK_SIZE;
  attr->__guardsize = zx_system_get_page_size();
  attr->__detachstate = PTHREAD_CREATE_JOINABLE;
  attr->__reserved = 0;
  return 0;
}

int pthread_attr_destroy(pthread_attr_t* attr) {
  (void)attr;
  return 0;
}

int pthread_attr_getdetachstate(const pthread_attr_t* attr, int* detachstate) {
  *detachstate = attr->__detachstate;
  return 0;
}

int pthread_attr_setdetachstate(pthread_attr_t* attr, int detachstate) {
  if (detachstate != PTHREAD_CREATE_JOINABLE && detachstate != PTHREAD_CREATE_DETACHED) {
    return EINVAL;
  }
  attr->__detachstate = detachstate;
  return 0;
}

int pthread_attr_getstacksize(const pthread_attr_t* restrict attr, size_t* restrict stacksize) {
  *stacksize = attr->__stacksize;
  return 0;
}

int pthread_attr_setstacksize(pthread_attr_t* attr, size_t stacksize) {
  if (stacksize < PTHREAD_STACK_MIN || stacksize > SIZE_MAX / 2) {
    return EINVAL;
  }
  attr->__stacksize = stacksize;
  return 0;
}

int pthread_attr_getguardsize(const pthread_attr_t* restrict attr, size_t* restrict guardsize) {
  *guardsize = attr->__guardsize;
  return 0;
}

int pthread_attr_setguardsize(pthread_attr_t* attr, size_t guardsize) {
  if (guardsize > SIZE_MAX / 2) {
    return EINVAL;
  }
  attr->__guardsize = guardsize;
  return 0;
}

int pthread_create(pthread_t* restrict thread, const pthread_attr_t* restrict attr,
                   void* (*start_routine)(void*), void* restrict arg) {
  struct zrk_thread_attr a = {
      .stack_size = ZRK_DEFAULT_STACK_SIZE,
      .guard_size = zx_system_get_page_size(),
      .detached = false,
  };
  if (attr != NULL) {
    a.stack_size = attr->__stacksize;
    a.guard_size = attr->__guardsize;
    a.detached = attr->__detachstate == PTHREAD_CREATE_DETACHED;
  }
  int result = __zrk_thread_create(thread, &a, start_routine, NULL, arg);
  return result == ENOMEM ? EAGAIN : result;
}

int pthread_join(pthread_t thread, void** value_ptr) {
  return __zrk_thread_join(thread, value_ptr);
}

int pthread_detach(pthread_t thread) { return __zrk_thread_detach(thread); }

pthread_t pthread_self(void) { return __zrk_thread_self(); }

int pthread_equal(pthread_t t1, pthread_t t2) { return t1 == t2; }

_Noreturn void pthread_exit(void* value_ptr) { __zrk_thread_exit(value_ptr); }
