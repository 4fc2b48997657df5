//! PSCI calls through the conduit the device tree names (hvc or smc).

use core::sync::atomic::{AtomicU8, Ordering};

const SYSTEM_OFF: u64 = 0x8400_0008;

const NONE: u8 = 0;
const HVC: u8 = 1;
const SMC: u8 = 2;

static CONDUIT: AtomicU8 = AtomicU8::new(NONE);

pub fn set_conduit(smc: bool) {
    CONDUIT.store(if smc { SMC } else { HVC }, Ordering::Relaxed);
}

fn call(function: u64) -> u64 {
    let mut x0 = function;
    match CONDUIT.load(Ordering::Relaxed) {
        // SAFETY: a PSCI call; the firmware or hypervisor only reads x0–x3.
        HVC => unsafe {
            core::arch::asm!("hvc #0", inout("x0") x0, in("x1") 0u64, in("x2") 0u64, in("x3") 0u64)
        },
        // SAFETY: as above, through the secure monitor.
        SMC => unsafe {
            core::arch::asm!("smc #0", inout("x0") x0, in("x1") 0u64, in("x2") 0u64, in("x3") 0u64)
        },
        _ => {}
    }
    x0
}

/// Powers the machine off; returns only if PSCI is absent or refused.
pub fn system_off() {
    call(SYSTEM_OFF);
}
