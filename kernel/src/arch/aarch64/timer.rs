//! The generic timer: a monotonic clock from the virtual counter, and the virtual timer's
//! periodic tick. As a guest we use the virtual timer, which the hypervisor leaves to us.

use aarch64_cpu::registers::{
    Readable, Writeable, CNTFRQ_EL0, CNTVCT_EL0, CNTV_CTL_EL0, CNTV_CVAL_EL0,
};
use core::sync::atomic::{AtomicU64, Ordering};

static BOOT_COUNT: AtomicU64 = AtomicU64::new(0);
static TICKS: AtomicU64 = AtomicU64::new(0);

pub const TICK_HZ: u64 = 100;

pub fn counter() -> u64 {
    aarch64_cpu::asm::barrier::isb(aarch64_cpu::asm::barrier::SY);
    CNTVCT_EL0.get()
}

/// Counter frequency in Hz, as firmware or the emulator set it (never assumed).
pub fn frequency() -> u64 {
    CNTFRQ_EL0.get()
}

/// Remembers the counter at boot, so log times start at zero.
pub fn record_boot() {
    BOOT_COUNT.store(counter(), Ordering::Relaxed);
}

pub fn ticks_to_ns(ticks: u64) -> u64 {
    let freq = frequency().max(1);
    ((ticks as u128 * 1_000_000_000) / freq as u128) as u64
}

/// Nanoseconds since the counter started (Zircon's monotonic clock).
pub fn monotonic_ns() -> u64 {
    ticks_to_ns(counter())
}

/// Nanoseconds since the kernel was entered.
pub fn since_boot_ns() -> u64 {
    ticks_to_ns(counter().wrapping_sub(BOOT_COUNT.load(Ordering::Relaxed)))
}

/// Counter ticks in `ns` nanoseconds (rounded up, saturating).
pub fn ns_to_ticks(ns: u64) -> u64 {
    let freq = frequency().max(1) as u128;
    let t = (ns as u128 * freq).div_ceil(1_000_000_000);
    u64::try_from(t).unwrap_or(u64::MAX)
}

/// Counter ticks between periodic ticks.
pub fn tick_interval() -> u64 {
    frequency() / TICK_HZ
}

/// Enables this CPU's virtual timer and lets EL0 read the virtual counter (as Zircon
/// allows). The first interrupt comes at `first` (a counter value).
pub fn start(first: u64) {
    set_compare(first);
    // CNTKCTL_EL1.EL0VCTEN (bit 1): EL0 may read CNTVCT_EL0 and CNTFRQ_EL0.
    // SAFETY: only grants EL0 read access to the virtual counter.
    unsafe {
        core::arch::asm!(
            "mrs {t}, cntkctl_el1",
            "orr {t}, {t}, #2",
            "msr cntkctl_el1, {t}",
            t = out(reg) _,
        )
    };
}

/// This CPU's next timer interrupt comes when the counter reaches `cval`.
pub fn set_compare(cval: u64) {
    CNTV_CVAL_EL0.set(cval);
    CNTV_CTL_EL0.write(CNTV_CTL_EL0::ENABLE::SET + CNTV_CTL_EL0::IMASK::CLEAR);
}

/// The counter value this CPU's timer fires at.
pub fn compare() -> u64 {
    CNTV_CVAL_EL0.get()
}

/// Stops the tick (before halting).
pub fn stop() {
    CNTV_CTL_EL0.write(CNTV_CTL_EL0::ENABLE::CLEAR + CNTV_CTL_EL0::IMASK::SET);
}

/// Counts a periodic tick (the boot CPU's only, so ticks measure time).
pub fn count_tick() {
    TICKS.fetch_add(1, Ordering::Relaxed);
}

pub fn ticks() -> u64 {
    TICKS.load(Ordering::Relaxed)
}
