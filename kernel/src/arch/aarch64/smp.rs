//! Starting secondary CPUs: the record each one reads with its MMU off (boot.s's
//! `secondary_entry`), filled with the boot CPU's translation set-up.

use super::pte::KERNEL_VBASE;
use core::sync::atomic::{AtomicU64, Ordering};

/// One secondary CPU's start-up record; boot.s reads it by offset (80 bytes).
#[repr(C)]
pub struct SecondaryBoot {
    mpidr: AtomicU64,
    mair: AtomicU64,
    tcr: AtomicU64,
    ttbr0: AtomicU64,
    ttbr1: AtomicU64,
    sctlr: AtomicU64,
    stack_top: AtomicU64,
    index: AtomicU64,
    entry: AtomicU64,
    _pad: AtomicU64,
}

const _: () = assert!(core::mem::size_of::<SecondaryBoot>() == 80);

const UNUSED: u64 = u64::MAX;

#[unsafe(no_mangle)]
static zrk_secondary_boot: [SecondaryBoot; 8] = [const {
    SecondaryBoot {
        mpidr: AtomicU64::new(UNUSED),
        mair: AtomicU64::new(0),
        tcr: AtomicU64::new(0),
        ttbr0: AtomicU64::new(0),
        ttbr1: AtomicU64::new(0),
        sctlr: AtomicU64::new(0),
        stack_top: AtomicU64::new(0),
        index: AtomicU64::new(0),
        entry: AtomicU64::new(0),
        _pad: AtomicU64::new(0),
    }
}; 8];

unsafe extern "C" {
    fn secondary_entry();
}

macro_rules! read_sysreg {
    ($name:literal) => {{
        let v: u64;
        // SAFETY: reads a system register of this CPU.
        unsafe { core::arch::asm!(concat!("mrs {0}, ", $name), out(reg) v, options(nomem, nostack)) };
        v
    }};
}

/// Fills slot `slot` for the CPU with affinity `mpidr`: it will run `entry(index)` on the
/// stack ending at `stack_top`, with the boot CPU's MAIR, TCR, TTBR1 and SCTLR and the
/// boot identity map (`idmap_pa`) in TTBR0 until it is in the upper half. Returns the
/// physical address of `secondary_entry`, and cleans the record to the point of
/// coherency, since the CPU reads it with its caches off.
pub fn prepare(
    slot: usize,
    mpidr: u64,
    index: usize,
    stack_top: usize,
    entry: extern "C" fn(usize) -> !,
    idmap_pa: u64,
    image_pa: usize,
) -> Option<u64> {
    let r = zrk_secondary_boot.get(slot)?;
    r.mair.store(read_sysreg!("mair_el1"), Ordering::Relaxed);
    r.tcr.store(read_sysreg!("tcr_el1"), Ordering::Relaxed);
    r.ttbr0.store(idmap_pa, Ordering::Relaxed);
    r.ttbr1.store(read_sysreg!("ttbr1_el1"), Ordering::Relaxed);
    r.sctlr.store(read_sysreg!("sctlr_el1"), Ordering::Relaxed);
    r.stack_top.store(stack_top as u64, Ordering::Relaxed);
    r.index.store(index as u64, Ordering::Relaxed);
    r.entry.store(entry as usize as u64, Ordering::Relaxed);
    r.mpidr.store(mpidr & 0xff_ffff, Ordering::Release);
    let start = r as *const SecondaryBoot as usize;
    // SAFETY: cache maintenance by VA over the record (two 64-byte lines at most), which
    // is mapped kernel data.
    unsafe {
        core::arch::asm!(
            "dc civac, {a}",
            "dc civac, {b}",
            "dsb sy",
            a = in(reg) start,
            b = in(reg) start + 79,
            options(nostack)
        )
    };
    Some((secondary_entry as *const () as usize - KERNEL_VBASE + image_pa) as u64)
}
