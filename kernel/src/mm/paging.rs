//! The kernel's own address space after boot: the linear map of RAM and the device
//! window, added to the live TTBR1 tables that early boot built.
//!
//! Only empty slots are ever filled (no live entry changes), so no break-before-make
//! sequence is needed: a barrier makes each new entry visible to the table walker.
//! The tables come from static pools, because this runs before any allocator exists.

use crate::arch::early_mmu;
use crate::arch::pte::*;
use crate::bsp::devicetree::PhysRange;
use core::sync::atomic::{AtomicUsize, Ordering};
use spin::Mutex;

const GIB: u64 = 1 << 30;
const MIB2: u64 = 2 << 20;
const LINEAR_L2_TABLES: usize = 16;
const DEVICE_L3_TABLES: usize = 4; // 8 MiB of device registers

struct Pools {
    linear_l1: Table,
    linear_l2: [Table; LINEAR_L2_TABLES],
    linear_l2_used: usize,
    device_l2: Table,
    device_l3: [Table; DEVICE_L3_TABLES],
    device_next_page: usize,
    stack_l2: Table,
}

static POOLS: Mutex<Pools> = Mutex::new(Pools {
    linear_l1: Table::EMPTY,
    linear_l2: [const { Table::EMPTY }; LINEAR_L2_TABLES],
    linear_l2_used: 0,
    device_l2: Table::EMPTY,
    device_l3: [const { Table::EMPTY }; DEVICE_L3_TABLES],
    device_next_page: 0,
    stack_l2: Table::EMPTY,
});

/// Physical address the image was loaded at; the image is linked at KERNEL_VBASE.
static IMAGE_PA: AtomicUsize = AtomicUsize::new(0);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapError {
    /// The static table pool is used up.
    OutOfTables,
    /// The address is not one this map can cover.
    OutOfRange,
}

fn image_va_to_pa(va: usize) -> u64 {
    (va - KERNEL_VBASE + IMAGE_PA.load(Ordering::Relaxed)) as u64
}

fn table_pa(t: &Table) -> u64 {
    image_va_to_pa(t as *const Table as usize)
}

fn publish() {
    // SAFETY: barriers only: the walker must see new entries before they are used.
    unsafe { core::arch::asm!("dsb ishst", "isb") };
}

/// Records where the image was loaded and hooks the linear map and the device window
/// into the kernel's root tables.
pub fn init(image_pa: usize) {
    IMAGE_PA.store(image_pa, Ordering::Relaxed);
    let mut pools = POOLS.lock();
    let pools = &mut *pools;
    // SAFETY: called once at boot; these tables are only modified here, under POOLS' lock.
    let (l0, hi_l1) = unsafe { early_mmu::kernel_tables() };
    l0.0[index(LINEAR_BASE, 0)] = table_desc(table_pa(&pools.linear_l1));
    hi_l1.0[index(DEVICE_VBASE, 1)] = table_desc(table_pa(&pools.device_l2));
    hi_l1.0[index(STACK_VBASE, 1)] = table_desc(table_pa(&pools.stack_l2));
    for (i, l3) in pools.device_l3.iter().enumerate() {
        pools.device_l2.0[i] = table_desc(table_pa(l3));
    }
    publish();
}

/// Maps RAM at LINEAR_BASE + physical address, with 1 GiB blocks where a whole gigabyte
/// is RAM and 2 MiB blocks elsewhere. `ram` must already be 2 MiB-aligned. Returns the
/// bytes mapped; RAM it could not map is left out.
pub fn map_linear(ram: impl Iterator<Item = PhysRange>) -> u64 {
    let mut pools = POOLS.lock();
    let pools = &mut *pools;
    let mut mapped = 0;
    for r in ram {
        let mut pa = r.start;
        let end = r.start + r.size;
        while pa < end {
            if pa >= (ENTRIES as u64) * GIB {
                return mapped; // beyond the 512 GiB one level-0 slot covers
            }
            let l1 = (pa / GIB) as usize;
            if pa % GIB == 0 && end - pa >= GIB && pools.linear_l1.0[l1] == 0 {
                pools.linear_l1.0[l1] = block_desc(pa, KERNEL_DATA);
                pa += GIB;
                mapped += GIB;
                continue;
            }
            if pools.linear_l1.0[l1] == 0 {
                if pools.linear_l2_used == LINEAR_L2_TABLES {
                    return mapped;
                }
                let l2 = &pools.linear_l2[pools.linear_l2_used];
                pools.linear_l1.0[l1] = table_desc(table_pa(l2));
                pools.linear_l2_used += 1;
            }
            let desc = pools.linear_l1.0[l1];
            if desc & TABLE_OR_PAGE == 0 {
                pa += MIB2; // already inside a 1 GiB block
                continue;
            }
            let table_phys = desc & ADDR_MASK;
            let Some(slot) = pools
                .linear_l2
                .iter_mut()
                .find(|t| table_pa(t) == table_phys)
            else {
                return mapped; // not one of ours: leave it alone
            };
            slot.0[((pa / MIB2) % ENTRIES as u64) as usize] = block_desc(pa, KERNEL_DATA);
            pa += MIB2;
            mapped += MIB2;
        }
    }
    publish();
    mapped
}

/// Maps device registers `[pa, pa + size)` and returns the virtual address of `pa`.
pub fn map_device(pa: u64, size: u64) -> Result<usize, MapError> {
    let first = pa & !(PAGE_SIZE as u64 - 1);
    let last = pa.checked_add(size.max(1)).ok_or(MapError::OutOfRange)?;
    let pages = (last - first).div_ceil(PAGE_SIZE as u64) as usize;
    let mut pools = POOLS.lock();
    let start = pools.device_next_page;
    if start + pages > DEVICE_L3_TABLES * ENTRIES {
        return Err(MapError::OutOfTables);
    }
    for i in 0..pages {
        let n = start + i;
        pools.device_l3[n / ENTRIES].0[n % ENTRIES] =
            page_desc(first + (i * PAGE_SIZE) as u64, KERNEL_DEVICE);
    }
    pools.device_next_page += pages;
    publish();
    Ok(DEVICE_VBASE + start * PAGE_SIZE + (pa - first) as usize)
}

/// The kernel virtual address of linear-mapped physical memory.
pub fn phys_to_virt(pa: u64) -> usize {
    LINEAR_BASE + pa as usize
}

/// Turns off translation through TTBR0: nothing in the lower half is reachable from the
/// kernel until a user address space is installed.
pub fn drop_identity_map() {
    // SAFETY: the kernel runs entirely from TTBR1 by now; EPD0 makes TTBR0 walks fault.
    unsafe {
        core::arch::asm!(
            "mrs {t}, tcr_el1",
            "orr {t}, {t}, #(1 << 7)",
            "msr tcr_el1, {t}",
            "isb",
            "tlbi vmalle1",
            "dsb nsh",
            "isb",
            t = out(reg) _,
        )
    };
}

/// Reads the device tree through the early identity map (before the linear map exists).
///
/// # Safety
/// Early boot only: `pa` is covered by the identity map that early_map built.
pub unsafe fn with_identity_mapped<R>(pa: usize, len: usize, f: impl FnOnce(&[u8]) -> R) -> R {
    // SAFETY: the caller guarantees the range is identity-mapped normal memory.
    f(unsafe { core::slice::from_raw_parts(pa as *const u8, len) })
}

/// A linear-map view of physical memory that stays reserved for the kernel's lifetime
/// (the device tree, the boot image).
///
/// # Safety
/// `[pa, pa + len)` is linear-mapped RAM that nobody frees or writes.
pub unsafe fn phys_slice(pa: u64, len: usize) -> &'static [u8] {
    // SAFETY: forwarded from the caller.
    unsafe { core::slice::from_raw_parts(phys_to_virt(pa) as *const u8, len) }
}

/// Maps `pages` pages of RAM from `pa` at `va` in the kernel stack window, as kernel data.
/// The level-3 table comes from `new_table` (a zeroed frame) the first time a 2 MiB
/// stretch of the window is used; tables are kept for later stacks.
pub fn map_stack(
    va: usize,
    pa: u64,
    pages: usize,
    new_table: impl FnOnce() -> Option<u64>,
) -> bool {
    let mut pools = POOLS.lock();
    let slot = index(va, 2);
    if pools.stack_l2.0[slot] == 0 {
        let Some(table) = new_table() else {
            return false;
        };
        publish();
        pools.stack_l2.0[slot] = table_desc(table);
    }
    let l3 = (pools.stack_l2.0[slot] & ADDR_MASK) as usize;
    let entries = phys_to_virt(l3 as u64) as *mut u64;
    for i in 0..pages {
        // SAFETY: `entries` is the linear-map address of a level-3 table this module
        // owns (under POOLS' lock); the index stays inside it because a stack never
        // crosses a 2 MiB boundary (callers align stacks to their slot size).
        unsafe {
            entries
                .add(index(va + i * PAGE_SIZE, 3))
                .write_volatile(page_desc(pa + (i * PAGE_SIZE) as u64, KERNEL_DATA))
        };
    }
    publish();
    true
}

/// Removes `pages` pages at `va` from the kernel stack window and forgets them in every
/// CPU's TLB, so the frames can be reused.
pub fn unmap_stack(va: usize, pages: usize) {
    let pools = POOLS.lock();
    let desc = pools.stack_l2.0[index(va, 2)];
    if desc == 0 {
        return;
    }
    let entries = phys_to_virt(desc & ADDR_MASK) as *mut u64;
    for i in 0..pages {
        let page = va + i * PAGE_SIZE;
        // SAFETY: as in map_stack; the TLB entry for the page is dropped on every CPU
        // (tlbi vaae1is: all ASIDs, inner shareable) before the caller frees the frame.
        unsafe {
            entries.add(index(page, 3)).write_volatile(0);
            core::arch::asm!(
                "dsb ishst",
                "tlbi vaae1is, {0}",
                in(reg) (page as u64 >> 12) & ((1 << 44) - 1)
            );
        }
    }
    // SAFETY: barriers only: the invalidations above are complete everywhere.
    unsafe { core::arch::asm!("dsb ish", "isb") };
}

/// Unlinks the (empty) level-3 table of the kernel stack window's 2 MiB stretch at `va`
/// and returns its physical address for the caller to free, once no CPU's TLB or walk
/// cache can still use it.
pub fn unmap_stack_table(va: usize) -> Option<u64> {
    let mut pools = POOLS.lock();
    let slot = index(va, 2);
    let desc = pools.stack_l2.0[slot];
    if desc == 0 {
        return None;
    }
    pools.stack_l2.0[slot] = 0;
    // SAFETY: TLB maintenance only: drops every CPU's cached walks through the table.
    unsafe {
        core::arch::asm!(
            "dsb ishst",
            "tlbi vaae1is, {0}",
            "dsb ish",
            "isb",
            in(reg) (va as u64 >> 12) & ((1 << 44) - 1)
        )
    };
    Some(desc & ADDR_MASK)
}
