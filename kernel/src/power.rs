//! Shutting down: through semihosting in test mode (so QEMU exits with our status),
//! otherwise through PSCI, and a clear halt where neither is available.

use crate::arch::aarch64::{cpu, psci, semihosting};
use core::sync::atomic::{AtomicBool, Ordering};

static TEST_MODE: AtomicBool = AtomicBool::new(false);

pub fn set_test_mode() {
    TEST_MODE.store(true, Ordering::Relaxed);
}

pub fn test_mode() -> bool {
    TEST_MODE.load(Ordering::Relaxed)
}

/// Powers off with `status` (0 = success) as QEMU's exit status in test mode.
pub fn shutdown(status: u32) -> ! {
    if test_mode() {
        semihosting::exit(status);
    }
    psci::system_off();
    crate::kprintln!("system halted (no way to power off)");
    cpu::halt()
}

/// Stops after a fatal error: exit status 1 in test mode; otherwise the machine halts
/// where it is, leaving the report on the console.
pub fn fail() -> ! {
    if test_mode() {
        semihosting::exit(1);
    }
    crate::kprintln!("system halted");
    cpu::halt()
}
