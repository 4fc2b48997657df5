// stdin, stdout and stderr for picolibc's tinystdio, on top of zx_debug_write.
//
// zx_debug_write writes at most 256 bytes a call, so output collects in a 256-byte
// buffer that goes out when a line ends, when it fills (long lines leave in 256-byte
// chunks) and at exit. stdout and stderr share that buffer so their output keeps the
// order the program wrote it in. stdin is always at end of file: zrk has no console
// input for programs yet.
//
// Each thread has its own buffer (thread-local), which makes the console thread-safe
// without a lock (tinystdio's plain FILEs have none) and keeps every thread's lines whole
// when several threads print at once. A thread's partial line goes out when the thread
// exits (thread.c) or calls _exit; exit() from one thread does not flush the others'.
#include <stdio.h>

#include <zircon/syscalls.h>

#include "runtime.h"

static _Thread_local char pending[ZRK_DEBUG_WRITE_MAX];
static _Thread_local size_t pending_len;

// Returns 0, or -1 if the kernel refused the write (the bytes are dropped either way,
// so one bad write cannot wedge every later one).
static int write_pending(void) {
  if (pending_len == 0) {
    return 0;
  }
  zx_status_t status = zx_debug_write(pending, pending_len);
  pending_len = 0;
  return status == ZX_OK ? 0 : -1;
}

void __zrk_console_flush(void) { (void)write_pending(); }

static int console_put(char c, FILE* file) {
  (void)file;
  pending[pending_len++] = c;
  if (c == '\n' || pending_len == sizeof pending) {
    if (write_pending() < 0) {
      return _FDEV_ERR;
    }
  }
  return (unsigned char)c;
}

static int console_flush(FILE* file) {
  (void)file;
  return write_pending() < 0 ? EOF : 0;
}

static int console_get(FILE* file) {
  (void)file;
  return _FDEV_EOF;
}

static FILE console_out = FDEV_SETUP_STREAM(console_put, NULL, console_flush, _FDEV_SETUP_WRITE);
static FILE console_err = FDEV_SETUP_STREAM(console_put, NULL, console_flush, _FDEV_SETUP_WRITE);
static FILE console_in = FDEV_SETUP_STREAM(NULL, console_get, NULL, _FDEV_SETUP_READ);

FILE* const stdout = &console_out;
FILE* const stderr = &console_err;
FILE* const stdin = &console_in;
