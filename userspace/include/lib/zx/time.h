// zx::duration, zx::ticks and zx::basic_time<clock> (zx::time on the monotonic clock,
// zx::time_boot on the boot clock): typed wrappers over zx_duration_t, zx_ticks_t and
// zx_time_t whose arithmetic saturates at the ends of time as <zircon/time.h>'s does.
// Fuchsia's <lib/zx/time.h>: zx::nsec/usec/msec/sec/min/hour, zx::deadline_after,
// zx::nanosleep. (zrk has no UTC or thread clock, so no time_utc or time_thread.)
#ifndef LIB_ZX_TIME_H_
#define LIB_ZX_TIME_H_

#include <stdint.h>
#include <zircon/compiler.h>
#include <zircon/syscalls.h>
#include <zircon/time.h>

#include <ctime>
#include <limits>

namespace zx {

class duration final {
 public:
  constexpr duration() = default;
  explicit constexpr duration(zx_duration_t value) : value_(value) {}
  explicit constexpr duration(std::timespec ts) : value_(zx_duration_from_timespec(ts)) {}

  static constexpr duration infinite() { return duration(ZX_TIME_INFINITE); }
  static constexpr duration infinite_past() { return duration(ZX_TIME_INFINITE_PAST); }

  constexpr zx_duration_t get() const { return value_; }

  constexpr duration operator+(duration other) const {
    return duration(zx_duration_add_duration(value_, other.value_));
  }
  constexpr duration operator-(duration other) const {
    return duration(zx_duration_sub_duration(value_, other.value_));
  }
  constexpr duration operator*(int64_t multiplier) const {
    return duration(zx_duration_mul_int64(value_, multiplier));
  }
  constexpr duration operator/(int64_t divisor) const { return duration(value_ / divisor); }
  constexpr int64_t operator/(duration other) const { return value_ / other.value_; }
  constexpr duration operator%(int64_t divisor) const { return duration(value_ % divisor); }
  constexpr int64_t operator%(duration other) const { return value_ % other.value_; }

  constexpr duration& operator+=(duration other) { return *this = *this + other; }
  constexpr duration& operator-=(duration other) { return *this = *this - other; }
  constexpr duration& operator*=(int64_t multiplier) { return *this = *this * multiplier; }
  constexpr duration& operator/=(int64_t divisor) { return *this = *this / divisor; }
  constexpr duration& operator%=(int64_t divisor) { return *this = *this % divisor; }

  constexpr bool operator==(duration other) const { return value_ == other.value_; }
  constexpr bool operator!=(duration other) const { return value_ != other.value_; }
  constexpr bool operator<(duration other) const { return value_ < other.value_; }
  constexpr bool operator<=(duration other) const { return value_ <= other.value_; }
  constexpr bool operator>(duration other) const { return value_ > other.value_; }
  constexpr bool operator>=(duration other) const { return value_ >= other.value_; }

  constexpr int64_t to_nsecs() const { return value_; }
  constexpr int64_t to_usecs() const { return value_ / ZX_USEC(1); }
  constexpr int64_t to_msecs() const { return value_ / ZX_MSEC(1); }
  constexpr int64_t to_secs() const { return value_ / ZX_SEC(1); }
  constexpr int64_t to_mins() const { return value_ / ZX_MIN(1); }
  constexpr int64_t to_hours() const { return value_ / ZX_HOUR(1); }

  constexpr std::timespec to_timespec() const { return zx_timespec_from_duration(value_); }

 private:
  zx_duration_t value_ = 0;
};

class ticks final {
 public:
  constexpr ticks() = default;
  explicit constexpr ticks(zx_ticks_t value) : value_(value) {}

  // The hardware counter now, and its rate.
  static ticks now() { return ticks(zx_ticks_get()); }
  static ticks per_second() { return ticks(zx_ticks_per_second()); }

  constexpr zx_ticks_t get() const { return value_; }

  static constexpr ticks infinite() { return ticks(kInfinite); }
  static constexpr ticks infinite_past() { return ticks(kInfinitePast); }

  // Overflow saturates: towards the sign the wrapped result lost.
  constexpr ticks operator+(ticks other) const {
    zx_ticks_t x = 0;
    if (__builtin_add_overflow(value_, other.value_, &x)) {
      return x >= 0 ? infinite_past() : infinite();
    }
    return ticks(x);
  }
  constexpr ticks operator-(ticks other) const {
    zx_ticks_t x = 0;
    if (__builtin_sub_overflow(value_, other.value_, &x)) {
      return x >= 0 ? infinite_past() : infinite();
    }
    return ticks(x);
  }
  constexpr ticks operator*(uint64_t multiplier) const {
    zx_ticks_t x = 0;
    if (__builtin_mul_overflow(value_, multiplier, &x)) {
      return value_ < 0 ? infinite_past() : infinite();
    }
    return ticks(x);
  }
  constexpr ticks operator/(uint64_t divisor) const {
    return ticks(static_cast<int64_t>(static_cast<uint64_t>(value_) / divisor));
  }
  constexpr uint64_t operator/(ticks other) const {
    return static_cast<uint64_t>(value_ / other.value_);
  }
  constexpr ticks operator%(uint64_t divisor) const {
    return ticks(static_cast<int64_t>(static_cast<uint64_t>(value_) % divisor));
  }
  constexpr uint64_t operator%(ticks other) const {
    return static_cast<uint64_t>(value_ % other.value_);
  }

  constexpr ticks& operator+=(ticks other) { return *this = *this + other; }
  constexpr ticks& operator-=(ticks other) { return *this = *this - other; }
  constexpr ticks& operator*=(uint64_t multiplier) { return *this = *this * multiplier; }
  constexpr ticks& operator/=(uint64_t divisor) { return *this = *this / divisor; }
  constexpr ticks& operator%=(uint64_t divisor) { return *this = *this % divisor; }

  constexpr bool operator==(ticks other) const { return value_ == other.value_; }
  constexpr bool operator!=(ticks other) const { return value_ != other.value_; }
  constexpr bool operator<(ticks other) const { return value_ < other.value_; }
  constexpr bool operator<=(ticks other) const { return value_ <= other.value_; }
  constexpr bool operator>(ticks other) const { return value_ > other.value_; }
  constexpr bool operator>=(ticks other) const { return value_ >= other.value_; }

 private:
  static constexpr zx_ticks_t kInfinite = std::numeric_limits<zx_ticks_t>::max();
  static constexpr zx_ticks_t kInfinitePast = std::numeric_limits<zx_ticks_t>::min();

  zx_ticks_t value_ = 0;
};

// A point on clock kClockId; times on different clocks do not mix.
template <zx_clock_t kClockId>
class basic_time final {
 public:
  constexpr basic_time() = default;
  explicit constexpr basic_time(zx_time_t value) : value_(value) {}

  static constexpr basic_time infinite() { return basic_time(ZX_TIME_INFINITE); }
  static constexpr basic_time infinite_past() { return basic_time(ZX_TIME_INFINITE_PAST); }

  constexpr zx_time_t get() const { return value_; }
  zx_time_t* get_address() { return &value_; }

  constexpr duration operator-(basic_time other) const {
    return duration(zx_time_sub_time(value_, other.value_));
  }
  constexpr basic_time operator+(duration delta) const {
    return basic_time(zx_time_add_duration(value_, delta.get()));
  }
  constexpr basic_time operator-(duration delta) const {
    return basic_time(zx_time_sub_duration(value_, delta.get()));
  }
  constexpr basic_time& operator+=(duration delta) { return *this = *this + delta; }
  constexpr basic_time& operator-=(duration delta) { return *this = *this - delta; }

  constexpr bool operator==(basic_time other) const { return value_ == other.value_; }
  constexpr bool operator!=(basic_time other) const { return value_ != other.value_; }
  constexpr bool operator<(basic_time other) const { return value_ < other.value_; }
  constexpr bool operator<=(basic_time other) const { return value_ <= other.value_; }
  constexpr bool operator>(basic_time other) const { return value_ > other.value_; }
  constexpr bool operator>=(basic_time other) const { return value_ >= other.value_; }

 private:
  zx_time_t value_ = 0;
};

template <zx_clock_t kClockId>
constexpr basic_time<kClockId> operator+(duration delta, basic_time<kClockId> time) {
  return time + delta;
}

using time = basic_time<ZX_CLOCK_MONOTONIC>;
using time_monotonic = basic_time<ZX_CLOCK_MONOTONIC>;
using time_boot = basic_time<ZX_CLOCK_BOOT>;

constexpr inline duration nsec(int64_t n) { return duration(ZX_NSEC(n)); }
constexpr inline duration usec(int64_t n) { return duration(ZX_USEC(n)); }
constexpr inline duration msec(int64_t n) { return duration(ZX_MSEC(n)); }
constexpr inline duration sec(int64_t n) { return duration(ZX_SEC(n)); }
constexpr inline duration min(int64_t n) { return duration(ZX_MIN(n)); }
constexpr inline duration hour(int64_t n) { return duration(ZX_HOUR(n)); }

inline zx_status_t nanosleep(zx::time deadline) { return zx_nanosleep(deadline.get()); }

inline time deadline_after(zx::duration nanoseconds) {
  return time(zx_deadline_after(nanoseconds.get()));
}

}  // namespace zx

#endif  // LIB_ZX_TIME_H_
