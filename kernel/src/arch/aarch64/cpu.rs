//! Small CPU helpers: interrupt masking, barriers, identification, halting.

use aarch64_cpu::registers::{Readable, DAIF, MIDR_EL1};

/// Masks IRQs until dropped, restoring the previous state.
pub struct IrqGuard(u64);

impl IrqGuard {
    pub fn new() -> Self {
        let daif = DAIF.get();
        disable_irqs();
        IrqGuard(daif)
    }
}

impl Default for IrqGuard {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for IrqGuard {
    fn drop(&mut self) {
        if self.0 & (1 << 7) == 0 {
            enable_irqs();
        }
    }
}

pub fn enable_irqs() {
    // SAFETY: unmasking IRQs; handlers are installed before this is first called.
    unsafe { core::arch::asm!("msr daifclr, #2", options(nomem, nostack)) };
}

pub fn disable_irqs() {
    // SAFETY: masking IRQs on this CPU has no memory effects.
    unsafe { core::arch::asm!("msr daifset, #2", options(nomem, nostack)) };
}

pub fn midr() -> u64 {
    MIDR_EL1.get()
}

/// A name for the core, from MIDR's implementer and part number.
pub fn core_name() -> &'static str {
    let midr = midr();
    let implementer = (midr >> 24) & 0xff;
    let part = (midr >> 4) & 0xfff;
    match (implementer, part) {
        (0x41, 0xd03) => "Cortex-A53",
        (0x41, 0xd07) => "Cortex-A57",
        (0x41, 0xd08) => "Cortex-A72",
        (0x41, 0xd0c) => "Neoverse-N1",
        (0x41, 0xd40) => "Neoverse-V1",
        (0x41, 0xd4f) => "Neoverse-V2",
        (0x00, 0x051) => "QEMU max",
        _ => "unknown core",
    }
}

/// Whether the CPU implements PAN (ARMv8.1).
pub fn has_pan() -> bool {
    let mmfr1: u64;
    // SAFETY: reads an ID register.
    unsafe { core::arch::asm!("mrs {0}, id_aa64mmfr1_el1", out(reg) mmfr1) };
    (mmfr1 >> 20) & 0xf != 0
}

/// Stops this CPU for good: with the tick stopped, so a pending timer interrupt does
/// not keep waking it.
pub fn halt() -> ! {
    let _guard = IrqGuard::new();
    super::timer::stop();
    loop {
        aarch64_cpu::asm::wfi();
    }
}

/// Sleeps until an interrupt arrives (returns at once if one is pending).
pub fn wait_for_interrupt() {
    aarch64_cpu::asm::wfi();
}

/// Waits for an interrupt with IRQs unmasked for that moment, so its handler runs, then
/// puts the mask back as it was.
pub fn wait_for_interrupt_enabled() {
    // SAFETY: unmask, wait, restore DAIF; handlers are installed.
    unsafe {
        core::arch::asm!(
            "mrs {daif}, daif",
            "msr daifclr, #2",
            "wfi",
            "msr daif, {daif}",
            daif = out(reg) _,
            options(nomem, nostack)
        )
    };
}

/// Faults on purpose, for testing the fault report (`crash=null` / `crash=undef`).
#[inline(never)]
pub fn deliberate_fault(undefined_instruction: bool) -> ! {
    if undefined_instruction {
        // SAFETY: raises an undefined-instruction exception, which is the point.
        unsafe { core::arch::asm!("udf #0") };
    } else {
        // SAFETY: reads address 0, which nothing maps: a data abort, which is the point.
        unsafe { core::ptr::read_volatile(core::ptr::null::<u64>()) };
    }
    halt()
}

/// Reads `addr` with an ordinary load, outside the user-copy routines (`crash=user`):
/// for a user address, PAN (or the empty TTBR0 standing in for it) must make this fault.
#[inline(never)]
pub fn deliberate_read(addr: usize) -> u64 {
    // SAFETY: the caller wants this load to fault; if it does not, it reads a page the
    // caller mapped and owns, so the value is initialised memory either way.
    unsafe { core::ptr::read_volatile(addr as *const u64) }
}
