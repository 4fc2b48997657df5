// zx::clock: the system clocks as Fuchsia's <lib/zx/clock.h> reads them,
// zx::clock::get_monotonic() and zx::clock::get_boot(). zrk has no clock objects
// (zx_clock_create and friends), so this holds only the static readers.
#ifndef LIB_ZX_CLOCK_H_
#define LIB_ZX_CLOCK_H_

#include <lib/zx/time.h>
#include <zircon/syscalls.h>

namespace zx {

class clock final {
 public:
  clock() = delete;

  static time get_monotonic() { return time(zx_clock_get_monotonic()); }
  static time_boot get_boot() { return time_boot(zx_clock_get_boot()); }
};

}  // namespace zx

#endif  // LIB_ZX_CLOCK_H_
