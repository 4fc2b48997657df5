//! User address spaces: the TTBR0 page tables of one process, with its ASID.
//!
//! This is only the translation structure. Who owns the mapped frames is the caller's
//! business (the loader, later VMOs); the tables' own frames belong here and are freed
//! with the address space, after the TLB has forgotten its ASID.

use super::frames::{self, NoMemory, PAGE_SIZE};
use super::paging::phys_to_virt;
use crate::arch::aarch64::pte::{self, ENTRIES};
use crate::arch::aarch64::user::{USER_BASE, USER_END};
use alloc::vec::Vec;
use core::sync::atomic::{AtomicUsize, Ordering};
use spin::Mutex;

/// EL0 access bits: AP[1] (EL0 may access) and AP[2] (read-only).
const AP_EL0: u64 = 1 << 6;
const AP_RO: u64 = 1 << 7;
const NOT_GLOBAL: u64 = 1 << 11;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Perms {
    pub read: bool,
    pub write: bool,
    pub execute: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapError {
    NoMemory,
    /// Outside the user address range, or not page-aligned.
    BadAddress,
    /// Something is mapped there already.
    Occupied,
    /// Writable and executable at once (W^X).
    WriteExecute,
}

impl From<NoMemory> for MapError {
    fn from(_: NoMemory) -> Self {
        MapError::NoMemory
    }
}

/// Frames holding user page tables, for ZX_INFO_KMEM_STATS.
static TABLE_PAGES: AtomicUsize = AtomicUsize::new(0);

pub fn table_pages() -> usize {
    TABLE_PAGES.load(Ordering::Relaxed)
}

/// ASIDs 1..=max in use; 0 is the kernel's reserved ASID.
static ASIDS: Mutex<AsidPool> = Mutex::new(AsidPool {
    used: [0; 1024],
    next: 1,
});

struct AsidPool {
    used: [u64; 1024],
    next: usize,
}

fn asid_limit() -> usize {
    let mmfr0: u64;
    // SAFETY: reads an ID register.
    unsafe { core::arch::asm!("mrs {0}, id_aa64mmfr0_el1", out(reg) mmfr0) };
    if (mmfr0 >> 4) & 0xf == 2 {
        1 << 16
    } else {
        1 << 8
    }
}

fn alloc_asid() -> Option<u16> {
    let limit = asid_limit();
    let mut pool = ASIDS.lock();
    for step in 0..limit {
        let asid = (pool.next + step) % limit;
        if asid == 0 {
            continue;
        }
        if pool.used[asid / 64] & (1 << (asid % 64)) == 0 {
            pool.used[asid / 64] |= 1 << (asid % 64);
            pool.next = asid + 1;
            return Some(asid as u16);
        }
    }
    None
}

fn free_asid(asid: u16) {
    let a = asid as usize;
    ASIDS.lock().used[a / 64] &= !(1 << (a % 64));
}

fn table_at(pa: u64) -> &'static mut [u64; ENTRIES] {
    // SAFETY: `pa` is a page-table frame this address space allocated and owns; RAM is
    // linear-mapped; the address space's owner serialises all access to its tables.
    unsafe { &mut *(phys_to_virt(pa) as *mut [u64; ENTRIES]) }
}

/// Fills a frame with zeros through the linear map.
pub fn zero_frame(pa: usize) {
    // SAFETY: the caller owns the freshly allocated frame at `pa`.
    unsafe { core::ptr::write_bytes(phys_to_virt(pa as u64) as *mut u8, 0, PAGE_SIZE) };
}

/// Copies `bytes` into the frame at `pa`, starting `offset` bytes in.
pub fn write_frame(pa: usize, offset: usize, bytes: &[u8]) {
    let len = bytes.len().min(PAGE_SIZE.saturating_sub(offset));
    // SAFETY: the caller owns the frame; the copy stays inside it.
    unsafe {
        core::ptr::copy_nonoverlapping(
            bytes.as_ptr(),
            (phys_to_virt(pa as u64) + offset) as *mut u8,
            len,
        )
    };
}

pub struct AddressSpace {
    root: u64,
    asid: u16,
    /// Every table frame below the root, to free on drop.
    tables: Vec<u64>,
}

impl AddressSpace {
    pub fn new() -> Result<Self, MapError> {
        let asid = alloc_asid().ok_or(MapError::NoMemory)?;
        let root = match frames::alloc(1) {
            Ok(pa) => pa,
            Err(e) => {
                free_asid(asid);
                return Err(e.into());
            }
        };
        zero_frame(root);
        TABLE_PAGES.fetch_add(1, Ordering::Relaxed);
        Ok(AddressSpace {
            root: root as u64,
            asid,
            tables: Vec::new(),
        })
    }

    /// The value for TTBR0_EL1: root table and ASID.
    pub fn ttbr0(&self) -> u64 {
        self.root | (self.asid as u64) << 48
    }

    /// The level-3 slot for `va`, creating tables on the way if `create`.
    fn slot(&mut self, va: usize, create: bool) -> Result<Option<&'static mut u64>, MapError> {
        let mut table = self.root;
        for level in 0..3 {
            let entry = &mut table_at(table)[pte::index(va, level)];
            if *entry & pte::VALID == 0 {
                if !create {
                    return Ok(None);
                }
                self.tables.try_reserve(1).map_err(|_| MapError::NoMemory)?;
                let pa = frames::alloc(1)?;
                zero_frame(pa);
                self.tables.push(pa as u64);
                TABLE_PAGES.fetch_add(1, Ordering::Relaxed);
                // Publish the zeroed table before linking it in.
                // SAFETY: a barrier only.
                unsafe { core::arch::asm!("dsb ishst") };
                *entry = pte::table_desc(pa as u64);
            }
            table = *entry & pte::ADDR_MASK;
        }
        Ok(Some(&mut table_at(table)[pte::index(va, 3)]))
    }

    /// Maps the page at `va` to the frame at `pa`.
    pub fn map(&mut self, va: usize, pa: usize, perms: Perms) -> Result<(), MapError> {
        if !va.is_multiple_of(PAGE_SIZE)
            || !pa.is_multiple_of(PAGE_SIZE)
            || !(USER_BASE..USER_END).contains(&va)
        {
            return Err(MapError::BadAddress);
        }
        if perms.write && perms.execute {
            return Err(MapError::WriteExecute);
        }
        let slot = self.slot(va, true)?.ok_or(MapError::NoMemory)?;
        if *slot & pte::VALID != 0 {
            return Err(MapError::Occupied);
        }
        let mut attrs = pte::ATTR_NORMAL | pte::SH_INNER | pte::ACCESSED | NOT_GLOBAL | pte::PXN;
        if perms.read || perms.write || perms.execute {
            attrs |= AP_EL0;
        }
        if !perms.write {
            attrs |= AP_RO;
        }
        if !perms.execute {
            attrs |= pte::UXN;
        }
        *slot = pte::page_desc(pa as u64, attrs);
        // SAFETY: a barrier only: the entry was invalid, so no TLB holds it.
        unsafe { core::arch::asm!("dsb ishst", "isb") };
        Ok(())
    }

    /// The frame mapped at `va` and whether it is writable and executable.
    pub fn translate(&mut self, va: usize) -> Option<(usize, Perms)> {
        let desc = *self.slot(va & !(PAGE_SIZE - 1), false).ok().flatten()?;
        if desc & pte::VALID == 0 {
            return None;
        }
        let perms = Perms {
            read: desc & AP_EL0 != 0,
            write: desc & AP_RO == 0,
            execute: desc & pte::UXN == 0,
        };
        Some(((desc & pte::ADDR_MASK) as usize + va % PAGE_SIZE, perms))
    }
}

impl Drop for AddressSpace {
    fn drop(&mut self) {
        let arg = (self.asid as u64) << 48;
        // SAFETY: forgets every TLB entry tagged with this ASID before it is reused.
        unsafe {
            core::arch::asm!("dsb ishst", "tlbi aside1is, {0}", "dsb ish", "isb", in(reg) arg)
        };
        for &pa in &self.tables {
            frames::free(pa as usize, 1);
        }
        TABLE_PAGES.fetch_sub(self.tables.len() + 1, Ordering::Relaxed);
        frames::free(self.root as usize, 1);
        free_asid(self.asid);
    }
}
