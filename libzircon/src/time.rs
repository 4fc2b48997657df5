//! Time (`<zircon/time.h>`): nanosecond times and durations, and counter ticks.
//!
//! The header's saturating arithmetic helpers (`zx_time_add_duration`, `ZX_MSEC`, ...)
//! are C inline functions written by the generator; Rust has `saturating_add`.

use crate::ctypes::*;

c_typedefs! {
    /// Times.
    pub const TIME_TYPEDEFS = {
        /// An absolute time in nanoseconds, usually on the monotonic clock.
        zx_time_t = int64_t;
        /// A span of time in nanoseconds.
        zx_duration_t = int64_t;
        /// A span of time in ticks of the hardware counter.
        zx_ticks_t = int64_t;
    }
}

c_typedefs! {
    /// Times on one named timeline (RFC 0260): `zx_<kind>_<timeline>[_ticks]_t`, where the
    /// kind is an instant or a duration and the timeline monotonic or boot. They mix
    /// freely with the three types above, which name no timeline.
    pub const TIMELINE_TYPEDEFS = {
        zx_instant_mono_t = int64_t;
        zx_instant_mono_ticks_t = int64_t;
        zx_duration_mono_t = int64_t;
        zx_duration_mono_ticks_t = int64_t;
        /// What `zx_clock_get_boot` returns.
        zx_instant_boot_t = int64_t;
        zx_instant_boot_ticks_t = int64_t;
        zx_duration_boot_t = int64_t;
        zx_duration_boot_ticks_t = int64_t;
    }
}

c_consts! {
    /// The ends of time: arithmetic on times saturates to these.
    pub const TIME_CONSTS: dec = {
        /// A deadline that never comes.
        ZX_TIME_INFINITE: zx_time_t = i64::MAX => "INT64_MAX";
        ZX_TIME_INFINITE_PAST: zx_time_t = i64::MIN => "INT64_MIN";
    }
}

/// Converts a counter reading to nanoseconds, as `zx_clock_get_monotonic` reports it.
///
/// Splits the reading into whole seconds and a remainder so no product overflows 64
/// bits (the remainder times 10^9 fits while the counter runs below 18 GHz); a result
/// past `ZX_TIME_INFINITE` saturates. A zero frequency (firmware that never set
/// CNTFRQ_EL0) reads as time standing still at 0 rather than a division fault.
pub const fn ticks_to_nanoseconds(ticks: u64, ticks_per_second: u64) -> zx_time_t {
    const NANOS_PER_SECOND: u64 = 1_000_000_000;
    if ticks_per_second == 0 {
        return 0;
    }
    let seconds = ticks / ticks_per_second;
    let remainder = ticks % ticks_per_second;
    let nanos = seconds
        .saturating_mul(NANOS_PER_SECOND)
        .saturating_add(remainder * NANOS_PER_SECOND / ticks_per_second);
    if nanos > ZX_TIME_INFINITE as u64 {
        ZX_TIME_INFINITE
    } else {
        nanos as zx_time_t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_convert_exactly_at_common_frequencies() {
        // QEMU virt's 62.5 MHz, the Pi 4's 54 MHz, and QEMU's newer 1 GHz.
        assert_eq!(ticks_to_nanoseconds(62_500_000, 62_500_000), 1_000_000_000);
        assert_eq!(ticks_to_nanoseconds(1, 62_500_000), 16);
        assert_eq!(
            ticks_to_nanoseconds(54_000_000 * 3 + 27, 54_000_000),
            3_000_000_500
        );
        assert_eq!(
            ticks_to_nanoseconds(123_456_789, 1_000_000_000),
            123_456_789
        );
    }

    #[test]
    fn large_readings_do_not_overflow() {
        // A day of ticks at 1 GHz: ticks * 10^9 would overflow 64 bits.
        let day = 86_400u64;
        assert_eq!(
            ticks_to_nanoseconds(day * 1_000_000_000 + 1, 1_000_000_000),
            (day * 1_000_000_000 + 1) as i64
        );
        assert_eq!(ticks_to_nanoseconds(u64::MAX, 1), ZX_TIME_INFINITE);
        // About 126 years at 62.5 MHz still fits; 2^64 ticks of it would not.
        assert_eq!(
            ticks_to_nanoseconds(62_500_000 * 4_000_000_000 + 1, 62_500_000),
            4_000_000_000_000_000_016
        );
        assert_eq!(ticks_to_nanoseconds(u64::MAX, 62_500_000), ZX_TIME_INFINITE);
    }

    #[test]
    fn zero_frequency_reads_as_zero() {
        assert_eq!(ticks_to_nanoseconds(12345, 0), 0);
    }
}
