// Internal interfaces between the runtime's files (not for programs).
#ifndef ZRK_RUNTIME_H_
#define ZRK_RUNTIME_H_

// The largest zx_debug_write() writes in one call (Fuchsia clamps to 256 bytes).
#define ZRK_DEBUG_WRITE_MAX 256

// Exit status when the start-up block is missing or malformed (before main).
#define ZRK_EXIT_BAD_STARTUP 127

#include <zircon/types.h>

// Writes out what the calling thread's console line buffer holds that has not reached
// zx_debug_write yet.
void __zrk_console_flush(void);

// The calling thread's own handle, what zx_thread_self() returns: the start-up block's
// thread handle on the main thread (start.c), the one zx_thread_create gave on the
// others (thread.c).
extern _Thread_local zx_handle_t __zrk_thread_handle;

#endif  // ZRK_RUNTIME_H_
