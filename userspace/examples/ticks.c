// Reads the clocks Zircon answers without entering the kernel (libzircon reads the
// arm64 virtual counter at EL0), then sleeps with zx_nanosleep and shows how long the
// sleep took by each clock.
#include <inttypes.h>
#include <stdio.h>

#include <zircon/syscalls.h>
#include <zircon/time.h>

int main(void) {
  zx_ticks_t per_second = zx_ticks_per_second();
  printf("page size: %" PRIu32 " bytes\n", zx_system_get_page_size());
  printf("ticks per second: %" PRId64 "\n", per_second);
  printf("ticks now: %" PRId64 "\n", zx_ticks_get());
  printf("monotonic now: %" PRId64 " ns\n", zx_clock_get_monotonic());

  zx_ticks_t ticks_before = zx_ticks_get();
  zx_time_t before = zx_clock_get_monotonic();
  zx_status_t status = zx_nanosleep(zx_deadline_after(ZX_MSEC(50)));
  zx_time_t slept = zx_clock_get_monotonic() - before;
  zx_ticks_t slept_ticks = zx_ticks_get() - ticks_before;
  printf("zx_nanosleep(50 ms from now) returned %d after %" PRId64 " us (%" PRId64
         " ticks)\n",
         status, slept / 1000, slept_ticks);
  return status == ZX_OK ? 0 : 1;
}
