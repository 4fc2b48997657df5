// zx_nanosleep: a deadline already past (including 0 and ZX_TIME_INFINITE_PAST)
// returns ZX_OK at once; a later one returns ZX_OK no earlier than the deadline, by
// zx_clock_get_monotonic. It has no other result.
#include <zircon/time.h>
#include <zrk/test.h>

// Generous for "at once" under QEMU's emulation, yet far below any real sleep.
#define AT_ONCE ZX_MSEC(10)

TEST(past_deadlines_return_at_once) {
  const zx_time_t now = zx_clock_get_monotonic();
  const zx_time_t deadlines[] = {0, -1, ZX_TIME_INFINITE_PAST, now - ZX_MSEC(1), now};
  for (size_t i = 0; i < sizeof deadlines / sizeof deadlines[0]; i++) {
    TEST_CONTEXT("deadline %lld", (long long)deadlines[i]);
    zx_time_t before = zx_clock_get_monotonic();
    EXPECT_OK(zx_nanosleep(deadlines[i]));
    EXPECT_LT(zx_clock_get_monotonic() - before, AT_ONCE);
  }
}

TEST(sleeps_at_least_20_ms) {
  zx_time_t before = zx_clock_get_monotonic();
  zx_time_t deadline = zx_deadline_after(ZX_MSEC(20));
  EXPECT_OK(zx_nanosleep(deadline));
  zx_time_t after = zx_clock_get_monotonic();
  EXPECT_GE(after, deadline);
  EXPECT_GE(after - before, ZX_MSEC(20));
  // And not absurdly long (a timer that never fires would hang, a wrong scale overshoot).
  EXPECT_LT(after - before, ZX_SEC(2));
}

TEST(an_absolute_deadline_is_honoured) {
  zx_time_t deadline = zx_clock_get_monotonic() + ZX_MSEC(5);
  EXPECT_OK(zx_nanosleep(deadline));
  EXPECT_GE(zx_clock_get_monotonic(), deadline);
}

TEST(short_sleeps_in_a_row) {
  for (int i = 0; i < 10; i++) {
    zx_time_t deadline = zx_deadline_after(ZX_MSEC(1));
    EXPECT_OK(zx_nanosleep(deadline));
    EXPECT_GE(zx_clock_get_monotonic(), deadline);
  }
}

int main(void) { return run_tests(); }
