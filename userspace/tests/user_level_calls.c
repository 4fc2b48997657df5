// The calls Zircon's vDSO answers without entering the kernel, which libzircon answers
// at EL0 from the arm64 virtual counter: zx_system_get_page_size, zx_ticks_get,
// zx_ticks_per_second, zx_clock_get_monotonic and zx_deadline_after.
#include <stdint.h>

#include <zircon/time.h>
#include <zrk/test.h>

TEST(page_size_is_4096) { EXPECT_EQ(zx_system_get_page_size(), 4096); }

TEST(ticks_per_second_is_the_counter_frequency) {
  zx_ticks_t per_second = zx_ticks_per_second();
  EXPECT_GT(per_second, 0);
  uint64_t cntfrq;
  __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(cntfrq));
  EXPECT_EQ(per_second, cntfrq);
}

TEST(ticks_never_go_backwards) {
  zx_ticks_t last = zx_ticks_get();
  EXPECT_GT(last, 0);
  for (int i = 0; i < 10000; i++) {
    zx_ticks_t now = zx_ticks_get();
    if (now < last) {
      EXPECT_GE(now, last);
      break;
    }
    last = now;
  }
}

TEST(monotonic_time_never_goes_backwards) {
  zx_time_t last = zx_clock_get_monotonic();
  EXPECT_GT(last, 0);
  for (int i = 0; i < 10000; i++) {
    zx_time_t now = zx_clock_get_monotonic();
    if (now < last) {
      EXPECT_GE(now, last);
      break;
    }
    last = now;
  }
}

TEST(monotonic_time_follows_the_ticks) {
  zx_ticks_t t0 = zx_ticks_get();
  zx_time_t m0 = zx_clock_get_monotonic();
  EXPECT_OK(zx_nanosleep(zx_deadline_after(ZX_MSEC(20))));
  zx_ticks_t t1 = zx_ticks_get();
  zx_time_t m1 = zx_clock_get_monotonic();
  // Elapsed nanoseconds by the ticks: 128-bit, since ticks * 10^9 overflows 64 bits.
  int64_t by_ticks =
      (int64_t)((__int128)(t1 - t0) * 1000000000 / (__int128)zx_ticks_per_second());
  int64_t difference = (m1 - m0) - by_ticks;
  EXPECT_LT(difference < 0 ? -difference : difference, ZX_MSEC(1));
  EXPECT_GE(m1 - m0, ZX_MSEC(20));
}

TEST(deadline_after_adds_to_now) {
  zx_time_t before = zx_clock_get_monotonic();
  zx_time_t soon = zx_deadline_after(0);
  zx_time_t later = zx_deadline_after(ZX_SEC(1));
  zx_time_t after = zx_clock_get_monotonic();
  EXPECT_GE(soon, before);
  EXPECT_LE(soon, after);
  EXPECT_GE(later - ZX_SEC(1), before);
  EXPECT_LE(later - ZX_SEC(1), after);
}

TEST(deadline_after_saturates_at_infinite) {
  EXPECT_EQ(zx_deadline_after(ZX_TIME_INFINITE), ZX_TIME_INFINITE);
  EXPECT_EQ(zx_deadline_after(ZX_TIME_INFINITE - 1), ZX_TIME_INFINITE);
  zx_time_t now = zx_clock_get_monotonic();
  // Just enough to pass INT64_MAX from now.
  EXPECT_EQ(zx_deadline_after(ZX_TIME_INFINITE - now + 1), ZX_TIME_INFINITE);
}

int main(void) { return run_tests(); }
