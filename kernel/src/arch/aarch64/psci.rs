//! PSCI calls through the conduit the device tree names (hvc or smc).

use core::sync::atomic::{AtomicU8, Ordering};

const SYSTEM_OFF: u64 = 0x8400_0008;
const CPU_ON_64: u64 = 0xC400_0003;

const NONE: u8 = 0;
const HVC: u8 = 1;
const SMC: u8 = 2;

static CONDUIT: AtomicU8 = AtomicU8::new(NONE);

pub fn set_conduit(smc: bool) {
    CONDUIT.store(if smc { SMC } else { HVC }, Ordering::Relaxed);
}

fn call(function: u64, a1: u64, a2: u64, a3: u64) -> u64 {
    let mut x0 = function;
    match CONDUIT.load(Ordering::Relaxed) {
        // SAFETY: a PSCI call; the firmware or hypervisor only reads x0–x3.
        HVC => unsafe {
            core::arch::asm!("hvc #0", inout("x0") x0, in("x1") a1, in("x2") a2, in("x3") a3)
        },
        // SAFETY: as above, through the secure monitor.
        SMC => unsafe {
            core::arch::asm!("smc #0", inout("x0") x0, in("x1") a1, in("x2") a2, in("x3") a3)
        },
        _ => return u64::MAX,
    }
    x0
}

/// Whether the device tree named a PSCI conduit.
pub fn available() -> bool {
    CONDUIT.load(Ordering::Relaxed) != NONE
}

/// Starts the CPU with affinity `mpidr` at physical address `entry` with x0 = `context`.
/// Returns PSCI's status (0 on success).
pub fn cpu_on(mpidr: u64, entry: u64, context: u64) -> i64 {
    call(CPU_ON_64, mpidr, entry, context) as i64
}

/// Powers the machine off; returns only if PSCI is absent or refused.
pub fn system_off() {
    call(SYSTEM_OFF, 0, 0, 0);
}
