// Internal interfaces between the runtime's files (not for programs).
#ifndef ZRK_RUNTIME_H_
#define ZRK_RUNTIME_H_

// The largest zx_debug_write() writes in one call (Fuchsia clamps to 256 bytes).
#define ZRK_DEBUG_WRITE_MAX 256

// Exit status when the start-up block is missing or malformed (before main).
#define ZRK_EXIT_BAD_STARTUP 127

// Writes out whatever the console holds that has not reached zx_debug_write yet.
void __zrk_console_flush(void);

#endif  // ZRK_RUNTIME_H_
