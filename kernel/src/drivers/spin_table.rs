//! The spin table (`enable-method = "spin-table"`: the Raspberry Pi 4's firmware, and
//! QEMU's `raspi4b` after it): each secondary CPU waits with the MMU off in a `wfe` loop
//! that reads a 64-bit slot (its `cpu-release-addr`), and jumps to the address it finds
//! there once that is nonzero. The kernel releases each CPU into its secondary entry
//! (boot.s's `secondary_entry`), from where it joins the scheduler (kernel/src/smp.rs).

use crate::bsp::devicetree::RangeList;
use crate::mm::{paging, LINEAR_ALIGN};

/// Why a CPU was left where it was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParkError {
    /// The release address is not 8-byte aligned.
    Misaligned,
    /// The release address is not RAM the kernel's linear map covers.
    NotRam,
}

/// Releases the CPU waiting on the slot at `slot_pa` to `entry_pa`: code that runs with
/// the MMU off at the exception level the firmware left it in (boot.s's
/// `secondary_entry`).
pub fn start(slot_pa: u64, ram: &RangeList, entry_pa: u64) -> Result<(), ParkError> {
    if !slot_pa.is_multiple_of(8) {
        return Err(ParkError::Misaligned);
    }
    // The linear map holds each RAM range shrunk to 2 MiB boundaries.
    let mapped = ram.iter().any(|r| {
        let start = r.start.next_multiple_of(LINEAR_ALIGN);
        let end = r.end() / LINEAR_ALIGN * LINEAR_ALIGN;
        start <= slot_pa && slot_pa + 8 <= end
    });
    if !mapped {
        return Err(ParkError::NotRam);
    }
    // SAFETY: (1) the slot is aligned RAM in the linear map, and the firmware set it
    // aside for this CPU's release (the Pi's tree reserves its page). (2) the entry is
    // boot.s's secondary entry, which needs no MMU to start.
    unsafe { release(paging::phys_to_virt(slot_pa), entry_pa) };
    Ok(())
}

/// Writes `entry_pa` into the release slot at `slot_va` and wakes the waiting CPUs.
///
/// # Safety
///
/// 1. `slot_va` is the kernel's (cacheable, linear-map) address of a CPU's release slot:
///    8-byte aligned RAM that nothing else uses.
/// 2. `entry_pa` is the physical address of code that may run with the MMU off, at the
///    exception level the firmware left the CPU in, for as long as the kernel runs.
unsafe fn release(slot_va: usize, entry_pa: u64) {
    // SAFETY: (1) the slot is ours to write and aligned. The waiting CPU reads it with
    // the MMU (and so its data cache) off, i.e. from memory: clean and invalidate the
    // line to the point of coherency, and wait for that (dsb sy) before the event that
    // wakes it. (2) makes the jump it then takes safe.
    unsafe {
        core::ptr::write_volatile(slot_va as *mut u64, entry_pa);
        core::arch::asm!(
            "dc civac, {slot}",
            "dsb sy",
            "sev",
            slot = in(reg) slot_va,
            options(nostack, preserves_flags)
        );
    }
}
