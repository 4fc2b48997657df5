// C11's timespec_get (picolibc 1.8 has none), and the conversion of the absolute times
// that timed waits take into zx_time_t deadlines.
//
// zrk has no wall clock: TIME_UTC, like time() and gettimeofday() (posix.c), counts from
// boot, which makes it the monotonic clock. A deadline on it is a zx_time_t as it stands.
#include <threads.h>

#include "thread.h"

#define NS_PER_S INT64_C(1000000000)

int timespec_get(struct timespec* ts, int base) {
  if (base != TIME_UTC) {
    return 0;
  }
  zx_time_t now = zx_clock_get_monotonic();
  ts->tv_sec = (time_t)(now / NS_PER_S);
  ts->tv_nsec = (long)(now % NS_PER_S);
  return base;
}

int __zrk_timespec_to_deadline(const struct timespec* ts, zx_time_t* deadline) {
  if (ts->tv_nsec < 0 || ts->tv_nsec >= NS_PER_S) {
    return EINVAL;
  }
  if (ts->tv_sec < 0) {
    *deadline = 0;  // before boot: already past
  } else if ((int64_t)ts->tv_sec > (ZX_TIME_INFINITE - ts->tv_nsec) / NS_PER_S) {
    *deadline = ZX_TIME_INFINITE;
  } else {
    *deadline = (zx_time_t)ts->tv_sec * NS_PER_S + ts->tv_nsec;
  }
  return 0;
}
