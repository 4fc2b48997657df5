// Returning from main: exit() runs the atexit handlers, the runtime flushes what the
// console still holds, and main's value reaches the kernel through zx_process_exit.
// zrk-test: expect-exit 42
#include <stdio.h>
#include <stdlib.h>

#include <zrk/test.h>

static void at_exit_handler(void) {
  // No newline on purpose: this TAP line reaches the console only through the flush
  // in _exit (the harness finds it just before the kernel's "zrk: exit" line).
  printf("ok 2 - atexit_handler_runs_and_partial_lines_are_flushed");
}

int main(void) {
  plan(2);
  ok(atexit(at_exit_handler) == 0, "atexit_registers");
  return 42;
}
