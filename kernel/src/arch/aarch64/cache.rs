//! Data and instruction cache maintenance by virtual address.

use crate::object::vmo::CacheOp;

/// The smallest data and instruction cache line sizes, from CTR_EL0.
fn line_sizes() -> (usize, usize) {
    let ctr: u64;
    // SAFETY: reads an ID register.
    unsafe { core::arch::asm!("mrs {0}, ctr_el0", out(reg) ctr) };
    (4 << ((ctr >> 16) & 0xf), 4 << (ctr & 0xf))
}

/// Performs `op` on `[start, end)`, a kernel virtual range. Invalidate is done as
/// clean-and-invalidate, so it can never expose stale memory under data that was written
/// but not yet cleaned.
pub fn maintain(start: usize, end: usize, op: CacheOp) {
    if start >= end {
        return;
    }
    let (dline, iline) = line_sizes();
    let mut va = start & !(dline - 1);
    while va < end {
        // SAFETY: cache maintenance on a mapped kernel address; no memory contents change
        // (clean writes back, invalidate here always follows a clean).
        unsafe {
            match op {
                CacheOp::Clean => core::arch::asm!("dc cvac, {0}", in(reg) va),
                CacheOp::CleanInvalidate | CacheOp::Invalidate => {
                    core::arch::asm!("dc civac, {0}", in(reg) va)
                }
                CacheOp::Sync => core::arch::asm!("dc cvau, {0}", in(reg) va),
            }
        }
        va += dline;
    }
    // SAFETY: a barrier only.
    unsafe { core::arch::asm!("dsb ish") };
    if op == CacheOp::Sync {
        let mut va = start & !(iline - 1);
        while va < end {
            // SAFETY: instruction-cache invalidation by address; no data changes.
            unsafe { core::arch::asm!("ic ivau, {0}", in(reg) va) };
            va += iline;
        }
        // SAFETY: barriers only.
        unsafe { core::arch::asm!("dsb ish", "isb") };
    }
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
