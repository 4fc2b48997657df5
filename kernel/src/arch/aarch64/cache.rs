//! Data and instruction cache maintenance by virtual address.

use super::cache_plan::{Plan, Step};
use crate::object::vmo::CacheOp;
use core::sync::atomic::{AtomicU64, Ordering};

/// CTR_EL0 once read (0: not yet; the register's bit 31 is RES1, so it never reads 0).
static CTR: AtomicU64 = AtomicU64::new(0);

fn ctr() -> u64 {
    let cached = CTR.load(Ordering::Relaxed);
    if cached != 0 {
        return cached;
    }
    let ctr: u64;
    // SAFETY: reads an ID register.
    unsafe { core::arch::asm!("mrs {0}, ctr_el0", out(reg) ctr) };
    CTR.store(ctr, Ordering::Relaxed);
    ctr
}

/// Makes `[start, end)`, a kernel virtual range (in practice the linear map's view of
/// user pages), safe to execute through any mapping on any core: the data cleaned to
/// the point of unification and the instruction caches invalidated, as much of that as
/// CTR_EL0 says this CPU needs (see [`super::cache_plan`], which decides the steps and
/// whose host tests pin them). Called before a page is first mapped executable and for
/// `ZX_VMO_OP_CACHE_SYNC`.
pub fn sync_icache(start: usize, end: usize) {
    for step in Plan::from_ctr(ctr()).steps(start, end) {
        // SAFETY: cache maintenance and barriers only; the addresses are mapped kernel
        // addresses (the caller's range, line-aligned). DC CVAU writes back dirty data
        // without changing it, IC IVAU / IC IALLUIS only drop instruction-cache lines.
        unsafe {
            match step {
                Step::CleanDataLine(va) => core::arch::asm!("dc cvau, {0}", in(reg) va),
                Step::InvalidateInstructionLine(va) => {
                    core::arch::asm!("ic ivau, {0}", in(reg) va)
                }
                Step::InvalidateAllInstructions => core::arch::asm!("ic ialluis"),
                Step::DsbIsh => core::arch::asm!("dsb ish"),
                Step::Isb => core::arch::asm!("isb"),
            }
        }
    }
}

/// Performs `op` on `[start, end)`, a kernel virtual range. Invalidate is done as
/// clean-and-invalidate, so it can never expose stale memory under data that was written
/// but not yet cleaned. Sync is [`sync_icache`].
pub fn maintain(start: usize, end: usize, op: CacheOp) {
    if start >= end {
        return;
    }
    if op == CacheOp::Sync {
        sync_icache(start, end);
        return;
    }
    let dline = 4usize << ((ctr() >> 16) & 0xf);
    let mut va = start & !(dline - 1);
    while va < end {
        // SAFETY: cache maintenance on a mapped kernel address; no memory contents change
        // (clean writes back, invalidate here always follows a clean).
        unsafe {
            match op {
                CacheOp::Clean => core::arch::asm!("dc cvac, {0}", in(reg) va),
                _ => core::arch::asm!("dc civac, {0}", in(reg) va),
            }
        }
        va += dline;
    }
    // SAFETY: a barrier only.
    unsafe { core::arch::asm!("dsb ish") };
}

/// Zeroes the 4 KiB page at kernel address `va` (page-aligned, normal cacheable memory,
/// owned by the caller), a cache line at a time with DC ZVA where the CPU allows it.
pub fn zero_page(va: usize) {
    let dczid: u64;
    // SAFETY: reads an ID register.
    unsafe { core::arch::asm!("mrs {0}, dczid_el0", out(reg) dczid) };
    let block = 4usize << (dczid & 0xf);
    if dczid & (1 << 4) == 0 && (16..=2048).contains(&block) {
        let mut at = va;
        while at < va + 4096 {
            // SAFETY: zeroes one block inside the caller's page.
            unsafe { core::arch::asm!("dc zva, {0}", in(reg) at) };
            at += block;
        }
    } else {
        // SAFETY: the caller owns the whole page at `va`.
        unsafe { core::ptr::write_bytes(va as *mut u8, 0, 4096) };
    }
}
