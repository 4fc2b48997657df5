//! The heap over a stand-in page source that counts what it has lent.

use super::*;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use proptest::prelude::*;
use std::sync::Mutex as StdMutex;

/// Pages from the host's allocator, aligned as the frame allocator aligns them, with a
/// limit; gives back any run inside what it lent.
struct TestPages {
    /// Lent blocks by address: (layout, pages still out).
    blocks: StdMutex<BTreeMap<usize, (std::alloc::Layout, usize)>>,
    out: AtomicUsize,
    limit: usize,
}

impl TestPages {
    fn new(limit: usize) -> Self {
        TestPages {
            blocks: StdMutex::new(BTreeMap::new()),
            out: AtomicUsize::new(0),
            limit,
        }
    }

    fn out(&self) -> usize {
        self.out.load(Ordering::Relaxed)
    }
}

impl PageSource for TestPages {
    fn alloc(&self, pages: usize) -> Option<usize> {
        if self.out() + pages > self.limit {
            return None;
        }
        let align = pages.next_power_of_two() * PAGE;
        let layout = std::alloc::Layout::from_size_align(pages * PAGE, align).ok()?;
        // SAFETY: a non-zero size.
        let p = unsafe { std::alloc::alloc(layout) } as usize;
        assert_ne!(p, 0);
        self.blocks.lock().unwrap().insert(p, (layout, pages));
        self.out.fetch_add(pages, Ordering::Relaxed);
        Some(p)
    }

    unsafe fn free(&self, va: usize, pages: usize) {
        let mut blocks = self.blocks.lock().unwrap();
        let (&base, entry) = blocks
            .range_mut(..=va)
            .next_back()
            .expect("freed pages never lent");
        assert!(
            va + pages * PAGE <= base + entry.0.size(),
            "freed past the block"
        );
        entry.1 -= pages;
        self.out.fetch_sub(pages, Ordering::Relaxed);
        if entry.1 == 0 {
            let layout = entry.0;
            blocks.remove(&base);
            // SAFETY: every page of the block is back.
            unsafe { std::alloc::dealloc(base as *mut u8, layout) };
        }
    }
}

fn layout(size: usize, align: usize) -> Layout {
    Layout::from_size_align(size, align).unwrap()
}

#[test]
fn classes_fit_size_and_alignment() {
    for size in 1..=MAX_SMALL {
        for align in [1, 8, 16, 64, 256, 2048] {
            let l = layout(size, align);
            let c = class_for(l).unwrap();
            assert!(
                CLASSES[c] >= size && CLASSES[c].is_multiple_of(align),
                "{size} {align}"
            );
            // The smallest such class.
            assert!(
                c == 0 || CLASSES[..c].iter().all(|&k| k < size || k % align != 0),
                "{size} {align}"
            );
        }
    }
    assert_eq!(class_for(layout(MAX_SMALL + 1, 8)), None);
    assert_eq!(class_for(layout(8, 4096)), None);
    assert_eq!(large_pages(layout(8, 4096)), Some(1));
    assert_eq!(large_pages(layout(4097, 8)), Some(2));
    assert_eq!(large_pages(layout(100, 16384)), Some(4));
    // Every class's slabs hold at least seven slots.
    assert!((0..NCLASSES).all(|c| capacity(c) >= 7));
}

#[test]
fn slabs_come_and_go_with_their_objects() {
    let heap = Heap::new(TestPages::new(1024));
    let l = layout(100, 8);
    let cap = capacity(class_for(l).unwrap());
    let mut ptrs = Vec::new();
    // SAFETY (all below): allocations are freed once, with their layout.
    for i in 0..cap * 3 {
        let p = unsafe { heap.alloc(l) };
        assert!(!p.is_null());
        assert_eq!(p as usize % 16, 0);
        unsafe { p.write_bytes(i as u8, 100) };
        ptrs.push(p);
    }
    assert_eq!(heap.source.out(), 3 * SLAB_PAGES, "three full slabs");
    assert_eq!(heap.stats(), (3 * SLAB_BYTES, 3 * cap * 112));
    for (i, &p) in ptrs.iter().enumerate() {
        assert!(
            (0..100).all(|k| unsafe { *p.add(k) } == i as u8),
            "slots overlap"
        );
    }
    // Emptying the middle slab gives it back; the reserve (empty) takes it first.
    for &p in &ptrs[cap..cap * 2] {
        unsafe { heap.dealloc(p, l) };
    }
    assert_eq!(
        heap.source.out(),
        3 * SLAB_PAGES,
        "kept as the reserve's first slab"
    );
    assert_eq!(heap.reserve_len.load(Ordering::Relaxed), 1);
    // With the reserve full, emptied slabs go straight back.
    assert!(heap.headroom());
    let reserve = RESERVE_SLABS * SLAB_PAGES;
    assert_eq!(heap.source.out(), 2 * SLAB_PAGES + reserve);
    for &p in ptrs[..cap].iter().chain(&ptrs[cap * 2..]) {
        unsafe { heap.dealloc(p, l) };
    }
    assert_eq!(heap.source.out(), reserve);
    assert_eq!(heap.stats(), (reserve * PAGE, 0));
}

#[test]
fn large_allocations_are_exact_page_runs() {
    let heap = Heap::new(TestPages::new(1024));
    let l = layout(64 * 1024 + 1, 8);
    // SAFETY: freed once, with its layout.
    let p = unsafe { heap.alloc(l) };
    assert!(!p.is_null());
    assert_eq!(heap.source.out(), 17);
    assert_eq!(heap.stats(), (17 * PAGE, 17 * PAGE));
    unsafe { heap.dealloc(p, l) };
    assert_eq!(heap.source.out(), 0);
    // Refused, not aborted, past the source's end; an impossible size too.
    assert!(unsafe { heap.alloc(layout(1025 * PAGE, 8)) }.is_null());
    assert!(unsafe { heap.alloc(layout(isize::MAX as usize - PAGE, 8)) }.is_null());
    assert_eq!(heap.stats(), (0, 0));
}

#[test]
fn the_reserve_serves_small_objects_when_the_source_is_dry() {
    let reserve = RESERVE_SLABS * SLAB_PAGES;
    let heap = Heap::new(TestPages::new(reserve + SLAB_PAGES));
    assert!(heap.headroom());
    assert_eq!(heap.source.out(), reserve);
    let l = layout(2048, 8);
    let mut ptrs = Vec::new();
    loop {
        // SAFETY: freed below, with its layout.
        let p = unsafe { heap.alloc(l) };
        if p.is_null() {
            break;
        }
        ptrs.push(p);
    }
    // One slab from the source, then every reserve slab.
    assert_eq!(ptrs.len(), capacity(NCLASSES - 1) * (RESERVE_SLABS + 1));
    assert!(!heap.headroom(), "no headroom with the reserve gone");
    // Large runs never take the reserve.
    assert!(unsafe { heap.alloc(layout(PAGE, 8)) }.is_null());
    for p in ptrs {
        // SAFETY: allocated above with this layout.
        unsafe { heap.dealloc(p, l) };
    }
    assert!(heap.headroom());
    assert_eq!(heap.source.out(), reserve);
    assert_eq!(heap.stats(), (reserve * PAGE, 0));
}

proptest! {
    #[test]
    fn random_use_never_overlaps_and_returns_every_page(
        ops in proptest::collection::vec((1usize..6000, 0usize..5, any::<bool>(), any::<prop::sample::Index>()), 1..300)
    ) {
        let heap = Heap::new(TestPages::new(4096));
        let mut live: Vec<(usize, Layout, u8)> = Vec::new();
        for (i, (size, align_log, free, pick)) in ops.into_iter().enumerate() {
            if free && !live.is_empty() {
                let (p, l, tag) = live.swap_remove(pick.index(live.len()));
                // SAFETY: allocated below with this layout, freed once.
                unsafe {
                    prop_assert!((0..l.size()).all(|k| *(p as *const u8).add(k) == tag));
                    heap.dealloc(p as *mut u8, l);
                }
            } else {
                let l = layout(size, 1 << (align_log * 2));
                // SAFETY: a non-zero size.
                let p = unsafe { heap.alloc(l) } as usize;
                prop_assert!(p != 0);
                prop_assert_eq!(p % l.align(), 0);
                for &(q, m, _) in &live {
                    prop_assert!(p + l.size() <= q || q + m.size() <= p, "overlap");
                }
                // SAFETY: the allocation is ours.
                unsafe { (p as *mut u8).write_bytes(i as u8, size) };
                live.push((p, l, i as u8));
            }
        }
        for (p, l, _) in live {
            // SAFETY: as above.
            unsafe { heap.dealloc(p as *mut u8, l) };
        }
        // Everything is back except the reserve the emptied slabs filled.
        let reserve = heap.reserve_len.load(Ordering::Relaxed);
        prop_assert_eq!(heap.source.out(), reserve * SLAB_PAGES);
        prop_assert_eq!(heap.stats(), (reserve * SLAB_BYTES, 0));
    }
}
