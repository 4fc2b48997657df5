// The C half of process start-up, and the process-level hooks picolibc calls.
//
// _start (crt0.S) calls __zrk_start with the start-up block. In order, it: zeroes .bss
// (so no C code sees stale data), checks the block, gives the main thread its TLS block
// (picolibc keeps errno there, reached through TPIDR_EL0; threads other than the main
// one get theirs from thread.c), runs constructors, calls
// main(argc, argv, envp) and hands main's result to exit(), which ends in _exit() and
// zx_process_exit(). The accessors of <zircon/process.h> read the handles kept here.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zrk/startup.h>

#include "runtime.h"

_Static_assert(sizeof(zrk_startup_t) == 72, "start-up block layout is ABI");
_Static_assert(offsetof(zrk_startup_t, argv) == 16, "start-up block layout is ABI");
_Static_assert(offsetof(zrk_startup_t, process) == 24, "start-up block layout is ABI");
_Static_assert(offsetof(zrk_startup_t, job) == 44, "start-up block layout is ABI");
_Static_assert(offsetof(zrk_startup_t, stack_base) == 48, "start-up block layout is ABI");

// Linker-script symbols (linker/user.ld). Declared as arrays so their addresses are
// taken, never their (meaningless) contents.
extern char __bss_start[], __bss_end[];
extern char __zrk_main_tls[];

// picolibc: copy the TLS template into a block, and point TPIDR_EL0 at a block.
void _init_tls(void* tls);
void _set_tls(void* tls);
void __libc_init_array(void);

int main(int argc, char** argv, char** envp);

static const zrk_startup_t* startup;
// picolibc's (empty) environment: zrk passes no environment yet.
extern char** environ;

_Thread_local zx_handle_t __zrk_thread_handle;

const zrk_startup_t* zrk_startup(void) { return startup; }

zx_handle_t zx_process_self(void) { return startup->process; }
zx_handle_t zx_vmar_root_self(void) { return startup->vmar_root; }
zx_handle_t zx_thread_self(void) { return __zrk_thread_handle; }
// The job the kernel started the program in (start-up block version 2).
zx_handle_t zx_job_default(void) { return startup->job; }

// Fuchsia also exports the underscore names; C code written for it may call those.
zx_handle_t _zx_process_self(void) __attribute__((alias("zx_process_self")));
zx_handle_t _zx_vmar_root_self(void) __attribute__((alias("zx_vmar_root_self")));
zx_handle_t _zx_thread_self(void) __attribute__((alias("zx_thread_self")));
zx_handle_t _zx_job_default(void) __attribute__((alias("zx_job_default")));

// A start-up failure cannot use stdio (TLS may not be set up): write raw and leave.
static __attribute__((noreturn)) void startup_failed(const char* message) {
  zx_debug_write(message, strlen(message));
  zx_process_exit(ZRK_EXIT_BAD_STARTUP);
}

// The compiler takes TPIDR_EL0 as constant within a function, so the first thread-local
// access happens in a function of its own, after _set_tls() has returned.
static __attribute__((noinline)) void set_thread_handle(zx_handle_t thread) {
  __zrk_thread_handle = thread;
}

// A process zrk_launch started: its handles arrive in one message on the bootstrap
// channel, each with the offset of the start-up field it fills (<zrk/launch.h>); the
// block it mapped (writable, for this) holds everything else.
static void receive_handles(zx_handle_t bootstrap, zrk_startup_t* block) {
  enum { MAX_HANDLES = 16 };
  uint32_t slots[MAX_HANDLES];
  zx_handle_t handles[MAX_HANDLES];
  uint32_t actual_bytes = 0, actual_handles = 0;
  zx_status_t status = zx_channel_read(bootstrap, 0, slots, handles, sizeof(slots), MAX_HANDLES,
                                       &actual_bytes, &actual_handles);
  if (status != ZX_OK || actual_bytes != actual_handles * sizeof(uint32_t)) {
    startup_failed("zrk runtime: bad bootstrap message\n");
  }
  zx_handle_close(bootstrap);
  for (uint32_t i = 0; i < actual_handles; i++) {
    uint32_t slot = slots[i];
    bool handle_field = (slot >= offsetof(zrk_startup_t, process) &&
                         slot < offsetof(zrk_startup_t, stack_base) && slot % 4 == 0) ||
                        slot == offsetof(zrk_startup_t, boot_image) ||
                        slot == offsetof(zrk_startup_t, user0);
    if (!handle_field) {
      startup_failed("zrk runtime: bootstrap handle for no start-up field\n");
    }
    memcpy((char*)block + slot, &handles[i], sizeof(zx_handle_t));
  }
}

// x0 and x1 as the process started: (start-up block, 0) from the kernel's loader, or
// (bootstrap channel, start-up block) from zrk_launch.
__attribute__((noreturn, used)) void __zrk_start(uintptr_t x0, uintptr_t x1) {
  // The loader zero-fills .bss already; zeroing it again costs little and means the
  // runtime does not depend on that. memset touches neither .bss nor TLS.
  memset(__bss_start, 0, (size_t)(__bss_end - __bss_start));

  zrk_startup_t* block = (zrk_startup_t*)(x1 != 0 ? x1 : x0);
  if (block == NULL || block->magic != ZRK_STARTUP_MAGIC) {
    startup_failed("zrk runtime: no start-up block in x0 or x1\n");
  }
  if (block->version != ZRK_STARTUP_VERSION) {
    startup_failed("zrk runtime: unknown start-up block version\n");
  }
  if (x1 != 0) {
    receive_handles((zx_handle_t)x0, block);
  }
  startup = block;

  _init_tls(__zrk_main_tls);
  _set_tls(__zrk_main_tls);
  set_thread_handle(block->thread);

  __libc_init_array();

  char** argv = (char**)(uintptr_t)block->argv;
  exit(main((int)block->argc, argv, environ));
}

// The end of every exit path (exit(), _Exit(), abort()). Flushes the console's
// partial line, since picolibc's exit() does not flush stdio.
__attribute__((noreturn)) void _exit(int status) {
  __zrk_console_flush();
  zx_process_exit((int64_t)status);
}
