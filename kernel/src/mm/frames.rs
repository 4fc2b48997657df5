//! Physical page frames: a buddy allocator whose bookkeeping is a table with one entry
//! per page, carved out of RAM at boot, and never the kernel heap. The heap takes its
//! memory from here, so this must never take any from the heap: it is a leaf (it calls
//! nothing that allocates and takes no other lock), and the heap can grow from any
//! context, under any lock, without recursing. Failure is `Err(NoMemory)`, never a panic.
//!
//! Free blocks are naturally aligned runs of 2^k pages. Each free block's first page
//! holds, in the table, its order and the links of a doubly linked list per order, so
//! taking a block, freeing one and merging with its buddy are each O(1) per order and
//! never touch the pages themselves.

use core::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use spin::{Mutex, Once};

pub const PAGE_SIZE: usize = 4096;

/// Orders 0..ORDERS: the largest block is 2^(ORDERS - 1) pages (2 GiB).
const ORDERS: usize = 20;
const NIL: u32 = u32::MAX;
/// `Links::order` of a page that heads a free block, ORed with the block's order. Any
/// other page (allocated, inside a free block, or not RAM) has 0.
const FREE_HEAD: u32 = 0x100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoMemory;

/// One page's entry in the table (meaningful only while the page heads a free block).
#[derive(Clone, Copy, Debug, Default)]
#[repr(C)]
pub struct Links {
    next: u32,
    prev: u32,
    order: u32,
}

/// The buddy system over the pages `base..base + links.len()` (page numbers).
pub struct Buddy {
    base: usize,
    links: &'static mut [Links],
    heads: [u32; ORDERS],
    free: usize,
    total: usize,
}

impl Buddy {
    pub const fn empty() -> Self {
        Buddy {
            base: 0,
            links: &mut [],
            heads: [NIL; ORDERS],
            free: 0,
            total: 0,
        }
    }

    /// A buddy system for the pages `base..base + links.len()`, none of them free yet.
    pub fn new(base: usize, links: &'static mut [Links]) -> Self {
        links.fill(Links::default());
        Buddy {
            base,
            links,
            ..Buddy::empty()
        }
    }

    fn push(&mut self, index: u32, order: usize) {
        let head = self.heads[order];
        self.links[index as usize] = Links {
            next: head,
            prev: NIL,
            order: FREE_HEAD | order as u32,
        };
        if head != NIL {
            self.links[head as usize].prev = index;
        }
        self.heads[order] = index;
    }

    fn unlink(&mut self, index: u32, order: usize) {
        let Links { next, prev, .. } = self.links[index as usize];
        if prev == NIL {
            self.heads[order] = next;
        } else {
            self.links[prev as usize].next = next;
        }
        if next != NIL {
            self.links[next as usize].prev = prev;
        }
        self.links[index as usize].order = 0;
    }

    /// Takes a block of 2^order pages; returns its first page number.
    fn alloc_block(&mut self, order: usize) -> Option<usize> {
        let found = (order..ORDERS).find(|&o| self.heads[o] != NIL)?;
        let index = self.heads[found];
        self.unlink(index, found);
        // Keep the low half at each split; the high halves go back.
        for k in (order..found).rev() {
            self.push(index + (1 << k), k);
        }
        self.free -= 1 << order;
        Some(self.base + index as usize)
    }

    /// Frees the naturally aligned block of 2^order pages at `page`, merging it with its
    /// buddy while the buddy is free and whole.
    fn free_block(&mut self, page: usize, order: usize) {
        debug_assert!(
            self.links[page - self.base].order & FREE_HEAD == 0,
            "page {page:#x} freed twice"
        );
        self.free += 1 << order;
        let (mut page, mut order) = (page, order);
        while order + 1 < ORDERS {
            let buddy = page ^ (1 << order);
            let Some(index) = buddy
                .checked_sub(self.base)
                .filter(|&i| i < self.links.len())
            else {
                break;
            };
            if self.links[index].order != FREE_HEAD | order as u32 {
                break;
            }
            self.unlink(index as u32, order);
            page = page.min(buddy);
            order += 1;
        }
        self.push((page - self.base) as u32, order);
    }

    /// Frees `count` pages from `page` as the naturally aligned blocks they split into.
    fn free_range(&mut self, page: usize, count: usize) {
        let (mut page, end) = (page, page + count);
        while page < end {
            let align = if page == 0 {
                ORDERS - 1
            } else {
                page.trailing_zeros() as usize
            };
            let fits = (usize::BITS - 1 - (end - page).leading_zeros()) as usize;
            let order = align.min(fits).min(ORDERS - 1);
            self.free_block(page, order);
            page += 1 << order;
        }
    }

    /// Adds the pages `first..last` (all inside the table) as free memory.
    pub fn add(&mut self, first: usize, last: usize) {
        let (first, last) = (first.max(self.base), last.min(self.base + self.links.len()));
        if first < last {
            self.free_range(first, last - first);
            self.total += last - first;
        }
    }

    /// `count` pages rounded up to a power of two, naturally aligned.
    pub fn alloc(&mut self, count: usize) -> Option<usize> {
        let order = order_of(count)?;
        self.alloc_block(order)
    }

    pub fn free(&mut self, page: usize, count: usize) {
        if let Some(order) = order_of(count) {
            self.free_block(page, order);
        }
    }

    /// Exactly `count` pages, aligned to `count` rounded up to a power of two: the block's
    /// tail past `count` goes straight back.
    pub fn alloc_exact(&mut self, count: usize) -> Option<usize> {
        let order = order_of(count)?;
        let page = self.alloc_block(order)?;
        let count = count.max(1);
        self.free_range(page + count, (1 << order) - count);
        Some(page)
    }

    /// Returns pages from [`Buddy::alloc_exact`]; `count` is the count given there.
    pub fn free_exact(&mut self, page: usize, count: usize) {
        let count = count.max(1);
        self.free_range(page, count);
    }

    pub fn free_pages(&self) -> usize {
        self.free
    }

    pub fn total_pages(&self) -> usize {
        self.total
    }

    /// Checks the free lists against the table and the free count (for tests).
    #[cfg(test)]
    pub fn check(&self) -> Result<(), &'static str> {
        let mut pages = 0;
        for (order, &head) in self.heads.iter().enumerate() {
            let (mut at, mut prev) = (head, NIL);
            while at != NIL {
                let l = self.links[at as usize];
                if l.order != FREE_HEAD | order as u32 || l.prev != prev {
                    return Err("a free list's links or orders are wrong");
                }
                if !(self.base + at as usize).is_multiple_of(1 << order) {
                    return Err("a free block is misaligned");
                }
                let buddy = (self.base + at as usize) ^ (1 << order);
                let bi = buddy.wrapping_sub(self.base);
                if order + 1 < ORDERS
                    && bi < self.links.len()
                    && self.links[bi].order == FREE_HEAD | order as u32
                {
                    return Err("two free buddies were not merged");
                }
                pages += 1 << order;
                (prev, at) = (at, l.next);
            }
        }
        if pages != self.free {
            return Err("the free count differs from the free lists");
        }
        Ok(())
    }
}

fn order_of(count: usize) -> Option<usize> {
    let order = count.max(1).checked_next_power_of_two()?.trailing_zeros() as usize;
    (order < ORDERS).then_some(order)
}

/// The frame allocator. Lock: a leaf, taken with IRQs masked (an interrupt handler may
/// drop the last reference to a page or to a heap object whose slab then empties).
static FRAMES: Mutex<Buddy> = Mutex::new(Buddy::empty());

#[cfg(target_os = "none")]
fn irq_guard() -> crate::arch::cpu::IrqGuard {
    crate::arch::cpu::IrqGuard::new()
}
/// On the host (tests) there are no interrupts to mask.
#[cfg(not(target_os = "none"))]
fn irq_guard() -> NoIrqs {
    NoIrqs
}
#[cfg(not(target_os = "none"))]
struct NoIrqs;

/// The tables' size for `pages` pages: what boot carves out for [`init_with_table`].
pub fn table_bytes(pages: usize) -> usize {
    pages * (core::mem::size_of::<Links>() + core::mem::size_of::<AtomicU32>())
}

/// Sets up the allocator for the pages from physical address `start` (page-aligned)
/// that `links` and `counts` cover (one entry each per page); no page is free until
/// [`add_region`]. Called once, at boot.
pub fn init(start: usize, links: &'static mut [Links], counts: &'static [AtomicU32]) {
    let _irq = irq_guard();
    *FRAMES.lock() = Buddy::new(start / PAGE_SIZE, links);
    REFCOUNTS.call_once(|| RefCounts {
        base: start,
        counts,
    });
}

/// Carves the tables for `[start, end)` out of `bytes` bytes of zeroed memory at `va`,
/// and calls [`init`].
///
/// # Safety
/// `[va, va + bytes)` is mapped read-write, aligned to 8, at least
/// `table_bytes((end - start) / PAGE_SIZE)` long, and used by nothing else, forever.
pub unsafe fn init_with_table(start: usize, end: usize, va: usize, bytes: usize) {
    let pages = (end - start) / PAGE_SIZE;
    assert!(bytes >= table_bytes(pages));
    let links_bytes = pages * core::mem::size_of::<Links>();
    // SAFETY: the caller gives us this memory for good; Links is plain data valid when
    // zeroed, and the two slices do not overlap.
    let links = unsafe { core::slice::from_raw_parts_mut(va as *mut Links, pages) };
    // SAFETY: as above; AtomicU32 is valid when zeroed and aligned to 4 (links_bytes is
    // a multiple of 12 after an address aligned to 8).
    let counts =
        unsafe { core::slice::from_raw_parts((va + links_bytes) as *const AtomicU32, pages) };
    init(start, links, counts);
}

/// Hands `[start, end)` (page-aligned physical addresses) to the allocator.
pub fn add_region(start: usize, end: usize) {
    let _irq = irq_guard();
    FRAMES.lock().add(start / PAGE_SIZE, end / PAGE_SIZE);
}

/// Allocates `count` contiguous pages (rounded up to a power of two, naturally aligned).
/// Returns the physical address of the first.
pub fn alloc(count: usize) -> Result<usize, NoMemory> {
    let _irq = irq_guard();
    let page = FRAMES.lock().alloc(count).ok_or(NoMemory)?;
    Ok(page * PAGE_SIZE)
}

/// Returns pages from [`alloc`]; `count` must be the count given there.
pub fn free(pa: usize, count: usize) {
    let _irq = irq_guard();
    FRAMES.lock().free(pa / PAGE_SIZE, count);
}

/// Allocates exactly `count` contiguous pages, aligned to `count` rounded up to a power
/// of two (the rest of that block stays free).
pub fn alloc_exact(count: usize) -> Result<usize, NoMemory> {
    let _irq = irq_guard();
    let page = FRAMES.lock().alloc_exact(count).ok_or(NoMemory)?;
    Ok(page * PAGE_SIZE)
}

/// Returns pages from [`alloc_exact`]; `count` must be the count given there.
pub fn free_exact(pa: usize, count: usize) {
    let _irq = irq_guard();
    FRAMES.lock().free_exact(pa / PAGE_SIZE, count);
}

/// Reference counts of single pages that VMOs share (copy-on-write children): one
/// counter per page of the allocator's range.
struct RefCounts {
    base: usize,
    counts: &'static [AtomicU32],
}

static REFCOUNTS: Once<RefCounts> = Once::new();

/// Pages handed out through [`alloc_shared_page`] and not yet freed: VMO memory.
static SHARED_IN_USE: AtomicUsize = AtomicUsize::new(0);

/// Pages of VMO memory in use (for ZX_INFO_KMEM_STATS).
pub fn shared_pages_in_use() -> usize {
    SHARED_IN_USE.load(Ordering::Relaxed)
}

fn refcount(pa: usize) -> Option<&'static AtomicU32> {
    let rc = REFCOUNTS.get()?;
    rc.counts.get(pa.checked_sub(rc.base)? / PAGE_SIZE)
}

/// Allocates one page with reference count 1.
pub fn alloc_shared_page() -> Result<usize, NoMemory> {
    let pa = alloc(1)?;
    match refcount(pa) {
        Some(rc) => {
            rc.store(1, Ordering::Relaxed);
            SHARED_IN_USE.fetch_add(1, Ordering::Relaxed);
            Ok(pa)
        }
        None => {
            free(pa, 1);
            Err(NoMemory)
        }
    }
}

/// Takes another reference to a page from [`alloc_shared_page`].
pub fn add_ref(pa: usize) {
    if let Some(rc) = refcount(pa) {
        let before = rc.fetch_add(1, Ordering::Relaxed);
        debug_assert!(before > 0, "a reference taken to a free page {pa:#x}");
    }
}

/// Drops a reference; the last one frees the page.
pub fn release(pa: usize) {
    if let Some(rc) = refcount(pa) {
        let before = rc.fetch_sub(1, Ordering::AcqRel);
        debug_assert!(before > 0, "a reference dropped from a free page {pa:#x}");
        if before == 1 {
            SHARED_IN_USE.fetch_sub(1, Ordering::Relaxed);
            free(pa, 1);
        }
    }
}

pub fn ref_count(pa: usize) -> u32 {
    refcount(pa).map_or(0, |rc| rc.load(Ordering::Relaxed))
}

pub fn free_pages() -> usize {
    let _irq = irq_guard();
    FRAMES.lock().free_pages()
}

pub fn total_pages() -> usize {
    let _irq = irq_guard();
    FRAMES.lock().total_pages()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;
    use proptest::prelude::*;

    fn table(pages: usize) -> &'static mut [Links] {
        vec![Links::default(); pages].leak()
    }

    // One test of the global: it is shared by every test in this binary.
    #[test]
    fn global_alloc_free_counts_and_exhaustion() {
        let (start, pages) = (0x10_0000, 16);
        let counts: &'static [AtomicU32] = (0..pages)
            .map(|_| AtomicU32::new(0))
            .collect::<Vec<_>>()
            .leak();
        init(start, table(pages), counts);
        add_region(start, start + pages * PAGE_SIZE);
        assert_eq!(free_pages(), 16);
        let a = alloc(3).unwrap();
        assert_eq!(a % (4 * PAGE_SIZE), 0);
        assert_eq!(free_pages(), 12);
        let b = alloc(8).unwrap();
        assert_eq!(free_pages(), 4);
        assert_eq!(alloc(8), Err(NoMemory));
        assert_eq!(alloc(usize::MAX), Err(NoMemory));
        free(a, 3);
        free(b, 8);
        assert_eq!(free_pages(), 16);
        assert_eq!(total_pages(), 16);
        // Exact runs leave their block's tail free.
        let c = alloc_exact(5).unwrap();
        assert_eq!(c % (8 * PAGE_SIZE), 0);
        assert_eq!(free_pages(), 11);
        free_exact(c, 5);
        assert_eq!(alloc(16), Ok(start), "everything merged back");
        free(start, 16);

        // Shared pages live until their last reference goes.
        let p = alloc_shared_page().unwrap();
        add_ref(p);
        assert_eq!(ref_count(p), 2);
        release(p);
        assert_eq!(free_pages(), 15);
        release(p);
        assert_eq!(ref_count(p), 0);
        assert_eq!(free_pages(), 16);
    }

    #[test]
    fn regions_split_into_aligned_blocks_and_merge_back() {
        // Pages 3..45 of a table over 0..64: odd edges on both sides.
        let mut b = Buddy::new(0, table(64));
        b.add(3, 45);
        b.check().unwrap();
        assert_eq!((b.free_pages(), b.total_pages()), (42, 42));
        let big = b.alloc(16).unwrap();
        assert_eq!(big, 16, "the one aligned 16-page block inside 3..45");
        assert_eq!(b.alloc(32), None);
        b.free(big, 16);
        b.check().unwrap();
        // A table that starts off alignment: buddies are found by absolute page number.
        let mut b = Buddy::new(5, table(27));
        b.add(0, 100);
        assert_eq!(b.free_pages(), 27);
        assert_eq!(b.alloc(8), Some(8));
        b.check().unwrap();
    }

    proptest! {
        #[test]
        fn random_allocations_never_overlap_and_all_merge_back(
            ops in proptest::collection::vec((0usize..3, 1usize..20, any::<prop::sample::Index>()), 1..200)
        ) {
            let mut b = Buddy::new(0, table(256));
            b.add(0, 256);
            let mut owner = [false; 256];
            let mut live: Vec<(usize, usize, bool)> = Vec::new();
            for (kind, count, pick) in ops {
                if kind == 2 && !live.is_empty() {
                    let (page, count, exact) = live.swap_remove(pick.index(live.len()));
                    let span = if exact { count } else { count.next_power_of_two() };
                    for o in &mut owner[page..page + span] { *o = false; }
                    if exact { b.free_exact(page, count) } else { b.free(page, count) }
                } else {
                    let exact = kind == 1;
                    let got = if exact { b.alloc_exact(count) } else { b.alloc(count) };
                    if let Some(page) = got {
                        let span = if exact { count } else { count.next_power_of_two() };
                        prop_assert_eq!(page % count.next_power_of_two(), 0);
                        for o in &mut owner[page..page + span] {
                            prop_assert!(!*o, "overlap");
                            *o = true;
                        }
                        live.push((page, count, exact));
                    }
                }
                prop_assert_eq!(b.check(), Ok(()));
                prop_assert_eq!(b.free_pages(), owner.iter().filter(|o| !**o).count());
            }
            for (page, count, exact) in live {
                if exact { b.free_exact(page, count) } else { b.free(page, count) }
            }
            prop_assert_eq!(b.alloc(256), Some(0));
        }
    }
}
