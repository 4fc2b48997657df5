//! The first page tables, built with the MMU off.
//!
//! This code runs at the physical load address before any translation exists, so it must
//! be position-independent: it only reaches statics and linker symbols through
//! PC-relative addressing (`adrp`), never through stored absolute addresses, and it must
//! not panic or format. It maps the kernel image at its link address page by page with
//! W^X permissions, leaves the boot stack's guard page unmapped, and identity-maps the
//! gigabytes holding the image and the device tree so the switch-over and the first
//! device-tree parse can run.

use super::pte::*;
use core::ptr::addr_of_mut;

const EARLY_L3_TABLES: usize = 8; // 16 MiB of image, checked by the linker script

#[repr(C)]
struct EarlyTables {
    hi_l0: Table,
    hi_l1: Table,
    hi_l2: Table,
    hi_l3: [Table; EARLY_L3_TABLES],
    id_l0: Table,
    id_l1: Table,
}

static mut EARLY: EarlyTables = EarlyTables {
    hi_l0: Table::EMPTY,
    hi_l1: Table::EMPTY,
    hi_l2: Table::EMPTY,
    hi_l3: [const { Table::EMPTY }; EARLY_L3_TABLES],
    id_l0: Table::EMPTY,
    id_l1: Table::EMPTY,
};

unsafe extern "C" {
    static __kernel_start: u8;
    static __text_end: u8;
    static __rodata_end: u8;
    static __boot_stack_guard: u8;
    static __kernel_end: u8;
}

#[repr(C)]
pub struct Roots {
    ttbr1: u64,
    ttbr0: u64,
}

/// Builds the early tables; returns the physical addresses of the two roots.
///
/// # Safety
/// Called once, by the boot code, with the MMU off, at the physical load address.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn early_map(image_pa: usize, dtb_pa: usize) -> Roots {
    // SAFETY: single-threaded boot, nothing else references EARLY yet. addr_of_mut! on a
    // static is a PC-relative address, i.e. its physical address while the MMU is off.
    let t = unsafe { &mut *addr_of_mut!(EARLY) };
    let pa = |r: &Table| r as *const Table as u64;
    // SAFETY: linker symbols; only their (PC-relative) addresses are taken.
    let (start, text_end, rodata_end, guard, end) = unsafe {
        (
            &__kernel_start as *const u8 as usize,
            &__text_end as *const u8 as usize,
            &__rodata_end as *const u8 as usize,
            &__boot_stack_guard as *const u8 as usize,
            &__kernel_end as *const u8 as usize,
        )
    };

    t.hi_l0.0[index(KERNEL_VBASE, 0)] = table_desc(pa(&t.hi_l1));
    t.hi_l1.0[index(KERNEL_VBASE, 1)] = table_desc(pa(&t.hi_l2));
    let mut i = 0;
    while i < EARLY_L3_TABLES {
        t.hi_l2.0[i] = table_desc(pa(&t.hi_l3[i]));
        i += 1;
    }
    let mut page = start;
    while page < end {
        let offset = page - start;
        let attrs = if page < text_end {
            KERNEL_TEXT
        } else if page < rodata_end {
            KERNEL_RODATA
        } else {
            KERNEL_DATA
        };
        if page != guard {
            let l2 = offset >> 21;
            let l3 = (offset >> PAGE_SHIFT) & (ENTRIES - 1);
            t.hi_l3[l2].0[l3] = page_desc((image_pa + offset) as u64, attrs);
        }
        page += PAGE_SIZE;
    }

    // Identity map (TTBR0) of the gigabytes holding the image and the device tree.
    const GIB: usize = 1 << 30;
    t.id_l0.0[0] = table_desc(pa(&t.id_l1));
    let normal_rwx = ATTR_NORMAL | SH_INNER | ACCESSED | UXN;
    for addr in [image_pa, dtb_pa, dtb_pa + (2 << 20)] {
        let gib = addr / GIB;
        if gib < ENTRIES {
            t.id_l1.0[gib] = block_desc((gib * GIB) as u64, normal_rwx);
        }
    }
    Roots {
        ttbr1: pa(&t.hi_l0),
        ttbr0: pa(&t.id_l0),
    }
}

/// The kernel's TTBR1 root and the level-1 table of the image's gigabyte, for mm::paging
/// to extend (the linear map and the device window are added to the live tables).
///
/// # Safety
/// Called once, after the MMU is on; the caller is then the tables' only user.
pub unsafe fn kernel_tables() -> (&'static mut Table, &'static mut Table) {
    // SAFETY: the caller is the only user from now on (see above).
    let t = unsafe { &mut *addr_of_mut!(EARLY) };
    (&mut t.hi_l0, &mut t.hi_l1)
}

/// The physical address of the boot identity map's root (kept for secondary CPUs, which
/// turn their MMU on through it). `image_pa` is where the image was loaded.
pub fn identity_root_pa(image_pa: usize) -> u64 {
    // SAFETY: only the address is taken.
    let va = unsafe { addr_of_mut!(EARLY.id_l0) } as usize;
    (va - KERNEL_VBASE + image_pa) as u64
}
