// The few POSIX hooks picolibc's own code calls, so that ordinary C (assert, abort,
// time) links and behaves sensibly on zrk.
//
// - abort() and raise() end in kill(getpid(), sig): as in Fuchsia's libc, that ends the
//   process with a crash (a trap the kernel reports and kills for), after the console
//   is flushed so the message before it (e.g. assert's) is not lost.
// - time() reads gettimeofday(): zrk has no wall clock yet, so it counts from boot
//   (the monotonic clock), which is what a board without a real-time clock shows.
#include <signal.h>
#include <stddef.h>
#include <sys/time.h>
#include <sys/types.h>

#include <zircon/syscalls.h>

#include "runtime.h"

// One process per program, and nothing else to tell apart: any positive id will do.
#define ZRK_PID 1

pid_t getpid(void) { return ZRK_PID; }

int kill(pid_t pid, int sig) {
  (void)pid;
  (void)sig;
  __zrk_console_flush();
  __builtin_trap();
}

// POSIX's yield (libstdc++'s threads call it): zx_nanosleep with a deadline of 0 yields
// the CPU, as Fuchsia's libc does.
int sched_yield(void) {
  zx_nanosleep(0);
  return 0;
}

int gettimeofday(struct timeval* restrict tv, void* restrict tz) {
  (void)tz;
  if (tv != NULL) {
    zx_time_t now = zx_clock_get_monotonic();
    tv->tv_sec = (time_t)(now / 1000000000);
    tv->tv_usec = (suseconds_t)(now % 1000000000 / 1000);
  }
  return 0;
}
