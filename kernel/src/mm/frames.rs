//! Physical page frames: buddy_system_allocator's `FrameAllocator` behind our lock, with a
//! count of free pages that tests read. Failure is `Err(NoMemory)`, never a panic.

use alloc::vec::Vec;
use buddy_system_allocator::FrameAllocator;
use core::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use spin::{Mutex, Once};

pub const PAGE_SIZE: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoMemory;

struct Frames {
    buddy: FrameAllocator<32>,
    free: usize,
    total: usize,
}

static FRAMES: Mutex<Frames> = Mutex::new(Frames {
    buddy: FrameAllocator::new(),
    free: 0,
    total: 0,
});

/// Hands `[start, end)` (page-aligned physical addresses) to the allocator.
pub fn add_region(start: usize, end: usize) {
    let (first, last) = (start / PAGE_SIZE, end / PAGE_SIZE);
    if first >= last {
        return;
    }
    let mut f = FRAMES.lock();
    f.buddy.add_frame(first, last);
    f.free += last - first;
    f.total += last - first;
}

/// Allocates `count` contiguous pages (rounded up to a power of two, naturally aligned).
/// Returns the physical address of the first.
pub fn alloc(count: usize) -> Result<usize, NoMemory> {
    let pages = count.max(1).checked_next_power_of_two().ok_or(NoMemory)?;
    let mut f = FRAMES.lock();
    let frame = f.buddy.alloc(pages).ok_or(NoMemory)?;
    f.free -= pages;
    Ok(frame * PAGE_SIZE)
}

/// Returns pages from [`alloc`]; `count` must be the count given there.
pub fn free(pa: usize, count: usize) {
    let pages = count.max(1).next_power_of_two();
    let mut f = FRAMES.lock();
    f.buddy.dealloc(pa / PAGE_SIZE, pages);
    f.free += pages;
}

/// Reference counts of single pages that VMOs share (copy-on-write children): one
/// counter per page of RAM between the lowest and highest free address.
struct RefCounts {
    base: usize,
    counts: Vec<AtomicU32>,
}

static REFCOUNTS: Once<RefCounts> = Once::new();

/// Pages handed out through [`alloc_shared_page`] and not yet freed: VMO memory.
static SHARED_IN_USE: AtomicUsize = AtomicUsize::new(0);

/// Pages of VMO memory in use (for ZX_INFO_KMEM_STATS).
pub fn shared_pages_in_use() -> usize {
    SHARED_IN_USE.load(Ordering::Relaxed)
}

/// Sets up reference counting for pages in `[start, end)`. Called once at boot, after the
/// heap exists.
pub fn init_refcounts(start: usize, end: usize) {
    REFCOUNTS.call_once(|| {
        let n = end.saturating_sub(start) / PAGE_SIZE;
        let mut counts = Vec::with_capacity(n);
        counts.resize_with(n, || AtomicU32::new(0));
        RefCounts {
            base: start,
            counts,
        }
    });
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
    FRAMES.lock().free
}

pub fn total_pages() -> usize {
    FRAMES.lock().total
}

#[cfg(test)]
mod tests {
    use super::*;

    // One test only: the allocator is a global.
    #[test]
    fn alloc_free_counts_and_exhaustion() {
        add_region(0x10_0000, 0x10_0000 + 16 * PAGE_SIZE);
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

        // Shared pages live until their last reference goes.
        init_refcounts(0x10_0000, 0x10_0000 + 16 * PAGE_SIZE);
        let p = alloc_shared_page().unwrap();
        add_ref(p);
        assert_eq!(ref_count(p), 2);
        release(p);
        assert_eq!(free_pages(), 15);
        release(p);
        assert_eq!(ref_count(p), 0);
        assert_eq!(free_pages(), 16);
    }
}
