//! User address spaces: the TTBR0 page tables of one process, with its ASID.
//!
//! This is only the translation structure. Who owns the mapped frames is the caller's
//! business (the loader, later VMOs); the tables' own frames belong here and are freed
//! with the address space, after the TLB has forgotten its ASID.

use super::frames::{self, NoMemory, PAGE_SIZE};
use super::paging::phys_to_virt;
use crate::arch::pte::{self, ENTRIES};
use crate::arch::user::{USER_BASE, USER_END};
use core::sync::atomic::{AtomicUsize, Ordering};
use libzircon::prelude::*;
use spin::Mutex;

const ATTR_INDEX_MASK: u64 = 7 << 2;

/// The leaf attributes for `perms` with the memory type of cache `policy` (MAIR indices
/// from boot.s: 0 Device-nGnRnE, 1 Normal WB, 2 Device-nGnRE, 3 Normal NC). The kernel
/// never executes user memory (PXN).
fn leaf_attrs(perms: Perms, policy: u32) -> u64 {
    let (memory, shareable) = match policy {
        ZX_CACHE_POLICY_UNCACHED => (0 << 2, 0),
        ZX_CACHE_POLICY_UNCACHED_DEVICE => (2 << 2, 0),
        ZX_CACHE_POLICY_WRITE_COMBINING => (3 << 2, pte::SH_INNER),
        _ => (pte::ATTR_NORMAL, pte::SH_INNER),
    };
    let mut attrs = memory | shareable | pte::ACCESSED | NOT_GLOBAL | pte::PXN;
    if perms.read || perms.write || perms.execute {
        attrs |= AP_EL0;
    }
    if !perms.write {
        attrs |= AP_RO;
    }
    if !perms.execute {
        attrs |= pte::UXN;
    }
    attrs
}

/// Forgets this ASID's TLB entry for `va` on every CPU.
fn flush_va(asid: u16, va: usize) {
    let arg = ((va as u64) >> 12) & ((1 << 44) - 1) | (asid as u64) << 48;
    // SAFETY: TLB maintenance only.
    unsafe { core::arch::asm!("dsb ishst", "tlbi vae1is, {0}", "dsb ish", "isb", in(reg) arg) };
}

/// Pages an unmap invalidates one by one; past this many, the whole ASID at once.
const FLUSH_BATCH: usize = 32;

/// Starts forgetting this ASID's TLB entry for `va` on every CPU; a later `dsb ish`
/// waits for it.
fn start_flush_va(asid: u16, va: usize) {
    let arg = ((va as u64) >> 12) & ((1 << 44) - 1) | (asid as u64) << 48;
    // SAFETY: TLB maintenance only.
    unsafe { core::arch::asm!("dsb ishst", "tlbi vae1is, {0}", in(reg) arg) };
}

/// Forgets every TLB entry of this ASID on every CPU.
fn flush_asid(asid: u16) {
    let arg = (asid as u64) << 48;
    // SAFETY: TLB maintenance only.
    unsafe { core::arch::asm!("dsb ishst", "tlbi aside1is, {0}", "dsb ish", "isb", in(reg) arg) };
}

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

/// ASIDs in use. 0 is the kernel's reserved ASID (software PAN's empty table uses it);
/// the highest one the hardware has is shared by every address space that finds the
/// others taken (see [`alloc_asid`]); the rest are handed out one per address space.
static ASIDS: Mutex<AsidPool> = Mutex::new(AsidPool {
    used: [0; 1024],
    next: 1,
});

struct AsidPool {
    used: [u64; 1024],
    next: usize,
}

/// At most this many ASIDs of their own (`max_asids=N` on the command line; 0: as many
/// as the hardware has), so tests can run out of them quickly.
static ASID_POOL_LIMIT: AtomicUsize = AtomicUsize::new(0);

/// Gives at most `n` address spaces an ASID of their own; later ones share one.
pub fn limit_asids(n: usize) {
    ASID_POOL_LIMIT.store(n.max(1), Ordering::Relaxed);
}

/// How many ASIDs the hardware has: 2^16 or 2^8 (ID_AA64MMFR0_EL1.ASIDBits).
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

/// The ASID address spaces share once the others are all taken.
fn shared_asid() -> u16 {
    (asid_limit() - 1) as u16
}

/// Whether the address space of `ttbr0` is one of those sharing [`shared_asid`]: a
/// CPU switching to it must first forget what the ASID's last user left in its TLB
/// ([`forget_shared_asid_here`]).
pub fn shares_asid(ttbr0: u64) -> bool {
    (ttbr0 >> 48) as u16 == shared_asid()
}

/// Forgets, on this CPU only, every TLB entry tagged with the shared ASID. Called after
/// TTBR0 names the new address space, so no older walk can refill them.
pub fn forget_shared_asid_here() {
    let arg = (shared_asid() as u64) << 48;
    // SAFETY: TLB maintenance only.
    unsafe { core::arch::asm!("dsb nshst", "tlbi aside1, {0}", "dsb nsh", "isb", in(reg) arg) };
}

/// An ASID of its own for a new address space, or the shared one when none is free.
///
/// ASID exhaustion is not an error (DESIGN.md): like Linux's rollover it costs TLB
/// flushes instead of failing, but more simply. Address spaces past the pool all carry
/// the shared ASID; each CPU flushes that ASID's entries locally whenever it switches to
/// one of them from any other address space, so a CPU's TLB only ever holds the shared
/// ASID's entries of the last such address space it ran. Broadcast invalidations by
/// one of them (unmap, teardown) also hit the others' entries: harmless, only slower.
fn alloc_asid() -> u16 {
    let shared = shared_asid() as usize;
    let limit = match ASID_POOL_LIMIT.load(Ordering::Relaxed) {
        0 => shared,
        n => (n + 1).min(shared),
    };
    let mut pool = ASIDS.lock();
    for step in 0..limit {
        let asid = (pool.next + step) % limit;
        if asid == 0 {
            continue;
        }
        if pool.used[asid / 64] & (1 << (asid % 64)) == 0 {
            pool.used[asid / 64] |= 1 << (asid % 64);
            pool.next = asid + 1;
            return asid as u16;
        }
    }
    shared as u16
}

fn free_asid(asid: u16) {
    if asid == shared_asid() {
        return;
    }
    let a = asid as usize;
    ASIDS.lock().used[a / 64] &= !(1 << (a % 64));
}

fn table_at(pa: u64) -> &'static mut [u64; ENTRIES] {
    // SAFETY: `pa` is a page-table frame this address space allocated and owns; RAM is
    // linear-mapped; the address space's owner serialises all access to its tables.
    unsafe { &mut *(phys_to_virt(pa) as *mut [u64; ENTRIES]) }
}

/// Writes a translation-table entry as one 64-bit store the compiler may neither split,
/// merge nor drop: the table walkers of every CPU read these entries as it happens.
fn set_pte(entry: &mut u64, value: u64) {
    // SAFETY: `entry` is a valid, aligned u64 (a slot of a table this module owns).
    unsafe { core::ptr::write_volatile(entry, value) }
}

/// Whether a leaf entry is a valid page EL0 may execute.
fn is_executable(entry: u64) -> bool {
    entry & pte::VALID != 0 && entry & pte::UXN == 0
}

/// Makes the page at `pa` safe to execute: its data cleaned to the point of unification
/// and its instruction-cache lines invalidated on every core (as far as CTR_EL0 says this
/// CPU needs), through the linear map. Done whenever a page becomes executable at an
/// address where it was not executable before, so a program never runs stale
/// instructions that a previous program (or an earlier version of this one's code) left
/// in the instruction cache for a reused frame. DESIGN.md: "Executable pages get
/// I-cache maintenance before they are first mapped executable."
fn sync_for_execute(pa: u64) {
    let va = phys_to_virt(pa);
    crate::arch::cache::sync_icache(va, va + PAGE_SIZE);
}

/// Fills a frame with zeros through the linear map.
pub fn zero_frame(pa: usize) {
    crate::arch::cache::zero_page(phys_to_virt(pa as u64));
}

/// A process's user page tables and ASID.
pub struct AddressSpace {
    root: u64,
    asid: u16,
}

impl AddressSpace {
    pub fn new() -> Result<Self, MapError> {
        let asid = alloc_asid();
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
        })
    }

    /// The value for TTBR0_EL1: root table and ASID.
    pub fn ttbr0(&self) -> u64 {
        self.root | (self.asid as u64) << 48
    }

    /// The level-3 slot for `va`, creating tables on the way if `create`.
    fn slot(&mut self, va: usize, create: bool) -> Result<Option<&'static mut u64>, MapError> {
        let mut table = self.root;
        let mut level = 0;
        while level < 3 {
            let entry = table_at(table)[pte::index(va, level)];
            if entry & pte::VALID == 0 {
                break;
            }
            table = entry & pte::ADDR_MASK;
            level += 1;
        }
        if level < 3 {
            if !create {
                return Ok(None);
            }
            // Every missing table at once: running out of memory half-way must not leave
            // an empty table linked in, which no unmap would ever free.
            let mut fresh = [0usize; 3];
            let need = 3 - level;
            for i in 0..need {
                match frames::alloc(1) {
                    Ok(pa) => fresh[i] = pa,
                    Err(e) => {
                        for &pa in &fresh[..i] {
                            frames::free(pa, 1);
                        }
                        return Err(e.into());
                    }
                }
            }
            for &pa in &fresh[..need] {
                zero_frame(pa);
                TABLE_PAGES.fetch_add(1, Ordering::Relaxed);
                // Publish the zeroed table before linking it in.
                // SAFETY: a barrier only.
                unsafe { core::arch::asm!("dsb ishst") };
                set_pte(
                    &mut table_at(table)[pte::index(va, level)],
                    pte::table_desc(pa as u64),
                );
                table = pa as u64;
                level += 1;
            }
        }
        Ok(Some(&mut table_at(table)[pte::index(va, 3)]))
    }

    /// Maps `va` to `pa` with `perms` and the memory type of cache `policy`. With
    /// `replace`, an existing entry is swapped out (break-before-make: cleared, flushed
    /// from the TLB, then written). A page that was not executable at `va` before and is
    /// now gets the instruction-cache maintenance first ([`sync_for_execute`]).
    pub fn map_page(
        &mut self,
        va: usize,
        pa: usize,
        perms: Perms,
        policy: u32,
        replace: bool,
    ) -> Result<(), MapError> {
        if !va.is_multiple_of(PAGE_SIZE)
            || !pa.is_multiple_of(PAGE_SIZE)
            || !(USER_BASE..USER_END).contains(&va)
        {
            return Err(MapError::BadAddress);
        }
        let asid = self.asid;
        let slot = self.slot(va, true)?.ok_or(MapError::NoMemory)?;
        let old = *slot;
        if old & pte::VALID != 0 && !replace {
            return Err(MapError::Occupied);
        }
        if perms.execute && !(is_executable(old) && old & pte::ADDR_MASK == pa as u64) {
            // The page is about to become code here: what was written into it (by the
            // loader, zx_vmo_write or a user store) must reach instruction fetch first.
            sync_for_execute(pa as u64);
        }
        if old & pte::VALID != 0 {
            set_pte(slot, 0);
            flush_va(asid, va);
        }
        set_pte(slot, pte::page_desc(pa as u64, leaf_attrs(perms, policy)));
        // SAFETY: a barrier only: the entry was invalid, so no TLB holds it.
        unsafe { core::arch::asm!("dsb ishst", "isb") };
        Ok(())
    }

    /// Calls `leaf` on every valid level-3 entry for `[start, end)` under `table` (a
    /// level-`level` table whose first entry maps `base`), skipping absent tables whole
    /// so the cost follows what is mapped, not the length. With `prune`, tables left
    /// empty are unlinked and freed. Returns whether `table` was emptied by this walk
    /// (only a table this walk took something from is scanned for that).
    fn walk(
        &mut self,
        table: u64,
        level: usize,
        base: usize,
        (start, end): (usize, usize),
        prune: bool,
        leaf: &mut dyn FnMut(usize, &mut u64),
    ) -> bool {
        let span = PAGE_SIZE << (9 * (3 - level));
        let first = start.saturating_sub(base) / span;
        let last = (end - base).div_ceil(span).min(ENTRIES);
        let mut changed = false;
        for i in first..last {
            let entry = &mut table_at(table)[i];
            if *entry & pte::VALID == 0 {
                continue;
            }
            let va = base + i * span;
            if level == 3 {
                leaf(va, entry);
                changed = true;
                continue;
            }
            let child = *entry & pte::ADDR_MASK;
            let range = (start.max(va), end.min(va + span));
            if self.walk(child, level + 1, va, range, prune, leaf) && prune {
                set_pte(entry, 0);
                // Drops walk-cache entries through the unlinked table (by any address in
                // its span) before the frame is reused.
                flush_va(self.asid, va);
                frames::free(child as usize, 1);
                TABLE_PAGES.fetch_sub(1, Ordering::Relaxed);
                changed = true;
            }
        }
        prune && changed && table_at(table).iter().all(|e| *e & pte::VALID == 0)
    }

    /// The part of `[va, va + len)` in user space, page-aligned, as (start, end).
    fn user_span(va: usize, len: usize) -> Option<(usize, usize)> {
        let start = (va & !(PAGE_SIZE - 1)).max(USER_BASE);
        let end = va.saturating_add(len).min(USER_END);
        (start < end).then_some((start, end))
    }

    /// Removes every mapping in `[va, va + len)` and frees the tables left empty;
    /// returns how many pages were mapped.
    pub fn unmap_range(&mut self, va: usize, len: usize) -> usize {
        let Some(range) = Self::user_span(va, len) else {
            return 0;
        };
        let asid = self.asid;
        let mut removed = 0;
        // Invalidations are batched: each page's is issued without waiting, and past
        // FLUSH_BATCH pages one flush of the whole ASID replaces the rest; one barrier at
        // the end waits for all of them on every CPU, before the caller frees any page.
        self.walk(self.root, 0, 0, range, true, &mut |page, slot| {
            set_pte(slot, 0);
            if removed < FLUSH_BATCH {
                start_flush_va(asid, page);
            }
            removed += 1;
        });
        if removed > FLUSH_BATCH {
            flush_asid(asid);
        }
        // SAFETY: barriers only: the invalidations above complete everywhere.
        unsafe { core::arch::asm!("dsb ish", "isb") };
        removed
    }

    /// Gives the mapped pages in `[va, va + len)` new permissions (a page mapped
    /// read-only for copy-on-write stays read-only unless `perms` removes write).
    pub fn protect_range(&mut self, va: usize, len: usize, perms: Perms) {
        let Some(range) = Self::user_span(va, len) else {
            return;
        };
        let asid = self.asid;
        self.walk(self.root, 0, 0, range, false, &mut |page, slot| {
            let old = *slot;
            let cow_read_only = old & AP_RO != 0;
            let mut perms = perms;
            perms.write &= !cow_read_only;
            let keep = old & (pte::ADDR_MASK | ATTR_INDEX_MASK);
            let attrs = leaf_attrs(perms, ZX_CACHE_POLICY_CACHED) & !ATTR_INDEX_MASK;
            if perms.execute && !is_executable(old) {
                // Written while it was data (perhaps through this very mapping): make
                // instruction fetch see it before it becomes code.
                sync_for_execute(old & pte::ADDR_MASK);
            }
            set_pte(slot, 0);
            flush_va(asid, page);
            set_pte(slot, keep | attrs | pte::TABLE_OR_PAGE | pte::VALID);
        });
        // SAFETY: a barrier only.
        unsafe { core::arch::asm!("dsb ishst", "isb") };
    }

    /// Frees every table frame below `table` (a level-`level` table); returns how many.
    fn free_tables_below(table: u64, level: usize) -> usize {
        if level == 3 {
            return 0;
        }
        let mut freed = 0;
        for &entry in table_at(table).iter() {
            if entry & pte::VALID != 0 {
                let child = entry & pte::ADDR_MASK;
                freed += Self::free_tables_below(child, level + 1) + 1;
                frames::free(child as usize, 1);
            }
        }
        freed
    }
}

impl Drop for AddressSpace {
    fn drop(&mut self) {
        // Forget every TLB entry tagged with this ASID before it is reused.
        flush_asid(self.asid);
        let freed = Self::free_tables_below(self.root, 0);
        TABLE_PAGES.fetch_sub(freed + 1, Ordering::Relaxed);
        frames::free(self.root as usize, 1);
        free_asid(self.asid);
    }
}
