// The start-up block: how a zrk process learns its handles and arguments.
//
// The kernel maps one read-only page holding this block and passes its address to
// _start in x0. crt0 (userspace/runtime/) reads it; programs normally use the accessors
// of <zircon/process.h> (zx_process_self() and friends) and argc/argv instead.
//
// NOTE: this declaration moves to libzircon's generated headers as
// <zircon/zrk-startup.h>; when that header exists, this file only includes it.
#ifndef ZRK_STARTUP_H_
#define ZRK_STARTUP_H_

#if __has_include(<zircon/zrk-startup.h>)
#include <zircon/zrk-startup.h>
#else

#include <stdint.h>
#include <zircon/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ZRK_STARTUP_MAGIC UINT64_C(0x54524154534b525a)  // "ZRKSTART" little-endian
#define ZRK_STARTUP_VERSION 1

typedef struct zrk_startup {
  uint64_t magic;               // ZRK_STARTUP_MAGIC
  uint32_t version;             // ZRK_STARTUP_VERSION
  uint32_t argc;                // >= 1; argv[0] is the program name
  uint64_t argv;                // user address of a NULL-terminated char*[] in this page
  zx_handle_t process;          // this process (ZX_OBJ_TYPE_PROCESS)
  zx_handle_t vmar_root;        // its root VMAR (ZX_OBJ_TYPE_VMAR)
  zx_handle_t thread;           // its first thread (ZX_OBJ_TYPE_THREAD)
  zx_handle_t vmex_resource;    // ZX_HANDLE_INVALID until the VMAR issue
  zx_handle_t info_resource;    // ZX_HANDLE_INVALID until the fuzzing issue
  uint32_t reserved;
  uint64_t stack_base;          // lowest address of the stack mapping
  uint64_t stack_size;
} zrk_startup_t;

#ifdef __cplusplus
}
#endif

#endif  // __has_include(<zircon/zrk-startup.h>)

#ifdef __cplusplus
extern "C" {
#endif

// The block crt0 was started with (never NULL once main runs).
const zrk_startup_t* zrk_startup(void);

#ifdef __cplusplus
}
#endif

#endif  // ZRK_STARTUP_H_
