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

c_consts! {
    /// The ends of time: arithmetic on times saturates to these.
    pub const TIME_CONSTS: dec = {
        /// A deadline that never comes.
        ZX_TIME_INFINITE: zx_time_t = i64::MAX => "INT64_MAX";
        ZX_TIME_INFINITE_PAST: zx_time_t = i64::MIN => "INT64_MIN";
    }
}
