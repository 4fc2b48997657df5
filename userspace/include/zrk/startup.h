// Access to the start-up block from C: how a zrk process learns its handles and
// arguments.
//
// The kernel maps one read-only page holding a zrk_startup_t (declared by libzircon in
// <zircon/zrk-startup.h>) and passes its address to _start in x0; crt0
// (userspace/runtime/) keeps it. Programs normally use the accessors of
// <zircon/process.h> (zx_process_self() and friends) and argc/argv instead; tests that
// check the block itself, or need the stack's bounds, use zrk_startup().
#ifndef ZRK_STARTUP_H_
#define ZRK_STARTUP_H_

#include <zircon/zrk-startup.h>

#ifdef __cplusplus
extern "C" {
#endif

// The block crt0 was started with (never NULL once main runs).
const zrk_startup_t* zrk_startup(void);

#ifdef __cplusplus
}
#endif

#endif  // ZRK_STARTUP_H_
