// The C++ runtime support a program compiled with -fno-exceptions -fno-rtti needs, which
// on other systems comes from libsupc++ and libstdc++ (neither is linked on zrk: Debian's
// are built for glibc). scripts/build-user links this file into C++ programs only.
//
// - operator new and delete in all their standard forms, over picolibc's malloc. The
//   throwing forms call the new-handler while one is installed and, with none, end the
//   process as Fuchsia's do without exceptions: a message and abort() (a crash report).
// - Function-local statics (__cxa_guard_*): thread-safe on a futex in the guard.
// - __cxa_pure_virtual and __cxa_deleted_virtual: a message and abort().
// - std::__throw_*: the calls libstdc++'s headers make where they would throw (bounds
//   checks of at(), a vector's length limit, ...): a message naming it and abort().
// Global constructors run from start.c (picolibc's __libc_init_array over .init_array);
// global destructors are registered by the compiler with __cxa_atexit, which picolibc
// provides (with __dso_handle) and exit() runs, in reverse order of construction.
#include <bits/functexcept.h>  // the std::__throw_* declarations defined below
#include <new>

#include <malloc.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <zircon/syscalls.h>

namespace {

[[noreturn]] void die(const char* what) {
  fprintf(stderr, "zrk C++ runtime: %s\n", what);
  abort();
}

// --- The heap -----------------------------------------------------------------------------

std::new_handler installed_handler = nullptr;  // read and written atomically

// Fails only with no new-handler installed; a handler either makes room, installs
// another handler or ends the program.
void* allocate(size_t size, size_t alignment) {
  if (size == 0) {
    size = 1;  // every new-expression yields a distinct pointer
  }
  for (;;) {
    void* p = alignment <= __STDCPP_DEFAULT_NEW_ALIGNMENT__ ? malloc(size)
                                                            : memalign(alignment, size);
    if (p != nullptr) {
      return p;
    }
    std::new_handler handler = __atomic_load_n(&installed_handler, __ATOMIC_ACQUIRE);
    if (handler == nullptr) {
      return nullptr;
    }
    handler();
  }
}

void* allocate_or_die(size_t size, size_t alignment) {
  void* p = allocate(size, alignment);
  if (p == nullptr) {
    die("operator new: out of memory");
  }
  return p;
}

size_t checked_alignment(std::align_val_t alignment) {
  size_t a = static_cast<size_t>(alignment);
  if (a == 0 || (a & (a - 1)) != 0) {
    die("operator new: alignment is not a power of two");
  }
  return a;
}

}  // namespace

namespace std {

new_handler set_new_handler(new_handler handler) noexcept {
  return __atomic_exchange_n(&installed_handler, handler, __ATOMIC_ACQ_REL);
}

new_handler get_new_handler() noexcept {
  return __atomic_load_n(&installed_handler, __ATOMIC_ACQUIRE);
}

const nothrow_t nothrow{};

}  // namespace std

void* operator new(size_t size) { return allocate_or_die(size, 0); }
void* operator new[](size_t size) { return allocate_or_die(size, 0); }
void* operator new(size_t size, const std::nothrow_t&) noexcept { return allocate(size, 0); }
void* operator new[](size_t size, const std::nothrow_t&) noexcept { return allocate(size, 0); }
void* operator new(size_t size, std::align_val_t alignment) {
  return allocate_or_die(size, checked_alignment(alignment));
}
void* operator new[](size_t size, std::align_val_t alignment) {
  return allocate_or_die(size, checked_alignment(alignment));
}
void* operator new(size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  return allocate(size, checked_alignment(alignment));
}
void* operator new[](size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  return allocate(size, checked_alignment(alignment));
}

// picolibc's free takes what malloc and memalign return alike, so every delete is free.
void operator delete(void* p) noexcept { free(p); }
void operator delete[](void* p) noexcept { free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { free(p); }
void operator delete(void* p, size_t) noexcept { free(p); }
void operator delete[](void* p, size_t) noexcept { free(p); }
void operator delete(void* p, std::align_val_t) noexcept { free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { free(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { free(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { free(p); }

// --- Function-local statics -----------------------------------------------------------------
//
// The Itanium C++ ABI's guard is 64 bits. Its first byte is the "done" flag the compiler's
// inline fast path reads with acquire ordering; this runtime keeps a futex word in bytes
// 4..7 (the ABI leaves the rest to the implementation): IDLE, BUSY (one thread is running
// the initializer) or BUSY_WAITERS (and others sleep on the word).

namespace {

enum : int { GUARD_IDLE = 0, GUARD_BUSY = 1, GUARD_BUSY_WAITERS = 2 };

struct Guard {
  uint8_t done;
  uint8_t reserved[3];
  int state;
};
static_assert(sizeof(Guard) == 8, "the guard is 64 bits");

Guard* guard_of(int64_t* g) { return reinterpret_cast<Guard*>(g); }

void guard_wake_all(Guard* g) {
  zx_futex_wake(reinterpret_cast<const zx_futex_t*>(&g->state), UINT32_MAX);
}

}  // namespace

extern "C" int __cxa_guard_acquire(int64_t* raw) {
  Guard* g = guard_of(raw);
  for (;;) {
    if (__atomic_load_n(&g->done, __ATOMIC_ACQUIRE) != 0) {
      return 0;
    }
    int state = GUARD_IDLE;
    if (__atomic_compare_exchange_n(&g->state, &state, GUARD_BUSY, false, __ATOMIC_ACQUIRE,
                                    __ATOMIC_RELAXED)) {
      // Another thread may have finished between our look at `done` and the exchange.
      if (__atomic_load_n(&g->done, __ATOMIC_ACQUIRE) != 0) {
        if (__atomic_exchange_n(&g->state, GUARD_IDLE, __ATOMIC_RELEASE) ==
            GUARD_BUSY_WAITERS) {
          guard_wake_all(g);
        }
        return 0;
      }
      return 1;  // the caller runs the initializer, then release (or abort)
    }
    // Someone is initializing: say we wait, then sleep until the word changes. A changed
    // word (BAD_STATE) or a spurious wake-up both mean: look again.
    if (state == GUARD_BUSY &&
        !__atomic_compare_exchange_n(&g->state, &state, GUARD_BUSY_WAITERS, false,
                                     __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
      continue;
    }
    zx_futex_wait(reinterpret_cast<const zx_futex_t*>(&g->state), GUARD_BUSY_WAITERS,
                  ZX_HANDLE_INVALID, ZX_TIME_INFINITE);
  }
}

extern "C" void __cxa_guard_release(int64_t* raw) {
  Guard* g = guard_of(raw);
  __atomic_store_n(&g->done, 1, __ATOMIC_RELEASE);
  if (__atomic_exchange_n(&g->state, GUARD_IDLE, __ATOMIC_RELEASE) == GUARD_BUSY_WAITERS) {
    guard_wake_all(g);
  }
}

// The initializer did not complete (only possible with exceptions): let another try.
extern "C" void __cxa_guard_abort(int64_t* raw) {
  Guard* g = guard_of(raw);
  if (__atomic_exchange_n(&g->state, GUARD_IDLE, __ATOMIC_RELEASE) == GUARD_BUSY_WAITERS) {
    guard_wake_all(g);
  }
}

// --- Virtual calls that cannot happen in a correct program ----------------------------------

extern "C" void __cxa_pure_virtual() { die("pure virtual function called"); }
extern "C" void __cxa_deleted_virtual() { die("deleted virtual function called"); }

// --- Where libstdc++'s headers would throw ----------------------------------------------------

namespace std {

void __throw_bad_exception() { die("std::bad_exception"); }
void __throw_bad_alloc() { die("std::bad_alloc"); }
void __throw_bad_array_new_length() { die("std::bad_array_new_length"); }
void __throw_bad_cast() { die("std::bad_cast"); }
void __throw_bad_typeid() { die("std::bad_typeid"); }
void __throw_bad_function_call() { die("std::bad_function_call"); }

#define ZRK_THROW_WITH_MESSAGE(name)                                         \
  void __throw_##name(const char* what) {                                   \
    fprintf(stderr, "zrk C++ runtime: std::" #name ": %s\n", what);         \
    abort();                                                                \
  }
ZRK_THROW_WITH_MESSAGE(logic_error)
ZRK_THROW_WITH_MESSAGE(domain_error)
ZRK_THROW_WITH_MESSAGE(invalid_argument)
ZRK_THROW_WITH_MESSAGE(length_error)
ZRK_THROW_WITH_MESSAGE(out_of_range)
ZRK_THROW_WITH_MESSAGE(runtime_error)
ZRK_THROW_WITH_MESSAGE(range_error)
ZRK_THROW_WITH_MESSAGE(overflow_error)
ZRK_THROW_WITH_MESSAGE(underflow_error)
#undef ZRK_THROW_WITH_MESSAGE

void __throw_out_of_range_fmt(const char* format, ...) {
  // libstdc++'s format knows %zu and %s only; vfprintf reads them the same way.
  fputs("zrk C++ runtime: std::out_of_range: ", stderr);
  va_list args;
  va_start(args, format);
  vfprintf(stderr, format, args);
  va_end(args);
  fputs("\n", stderr);
  abort();
}

void __throw_system_error(int error) {
  fprintf(stderr, "zrk C++ runtime: std::system_error: %d\n", error);
  abort();
}

}  // namespace std
