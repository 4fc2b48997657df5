//! A page source for tests: each page is a boxed byte array in a map from a made-up
//! address, with a reference count. Addresses are never reused, so a reference taken or
//! dropped on a freed page panics (a use-after-free in the VMO code). An allocation
//! budget makes it run out of memory on demand, and it records cache operations.
//!
//! `window` hands out a raw window onto the page's own storage (interior-mutable cells,
//! so no reference excludes anyone), with no lock held while it is used: like real
//! memory, two users of one page at once (nested, or on two threads) both see their own
//! stores land. A freed page's storage is poisoned and kept until the source is
//! dropped, so a window used after its page was freed reads garbage instead of freed
//! memory.

use std::cell::UnsafeCell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use libzircon::Status;

use super::super::{CacheOp, PageAddr, PageSource, PageWindow, PAGE_SIZE};

/// A page's bytes: cells, since windows write them through a shared borrow.
type Storage = Box<[UnsafeCell<u8>]>;

/// Byte a freed page is filled with.
const POISON: u8 = 0xA5;

struct MockPage {
    refs: u32,
    bytes: Storage,
}

fn storage(bytes: impl Iterator<Item = u8>) -> Storage {
    bytes.map(UnsafeCell::new).collect()
}

/// A window onto `bytes` (a whole page).
fn window_of(bytes: &Storage) -> PageWindow {
    assert_eq!(bytes.len(), PAGE_SIZE);
    let ptr = UnsafeCell::raw_get(bytes.as_ptr());
    // SAFETY: the storage is PAGE_SIZE interior-mutable bytes on the heap, so writes
    // through a pointer derived from a shared borrow are allowed, and it does not move
    // when the map does. It is never freed while the source lives (a freed page's
    // storage goes to `Inner::freed`), and no Rust reference to the bytes themselves is
    // formed anywhere else.
    #[allow(unsafe_code)]
    unsafe {
        PageWindow::new(ptr, PAGE_SIZE)
    }
}

#[derive(Default)]
struct Inner {
    pages: HashMap<u64, MockPage>,
    /// Storage of freed pages, poisoned, kept so stale windows stay harmless.
    freed: Vec<Storage>,
    next: u64,
    /// Allocations left before NO_MEMORY; None: unlimited.
    budget: Option<usize>,
    failures: usize,
    allocations: usize,
    cache_ops: Vec<(PageAddr, usize, usize, CacheOp)>,
}

#[derive(Clone, Default)]
pub struct MockSource(Arc<Mutex<Inner>>);

impl MockSource {
    pub fn new() -> MockSource {
        MockSource::default()
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.0.lock().unwrap()
    }

    /// Pages allocated and not yet freed.
    pub fn live_pages(&self) -> usize {
        self.inner().pages.len()
    }

    /// Allows `budget` more allocations, then fails each with NO_MEMORY (None: no
    /// limit).
    pub fn set_budget(&self, budget: Option<usize>) {
        self.inner().budget = budget;
    }

    /// Allocations refused so far.
    pub fn failures(&self) -> usize {
        self.inner().failures
    }

    /// Allocations made so far.
    pub fn allocations(&self) -> usize {
        self.inner().allocations
    }

    /// The cache operations asked for since the last call.
    pub fn take_cache_ops(&self) -> Vec<(PageAddr, usize, usize, CacheOp)> {
        core::mem::take(&mut self.inner().cache_ops)
    }

    fn allocate(&self, contents: Option<PageAddr>) -> Result<PageAddr, Status> {
        let mut inner = self.inner();
        match inner.budget {
            Some(0) => {
                inner.failures += 1;
                return Err(Status::NO_MEMORY);
            }
            Some(left) => inner.budget = Some(left - 1),
            None => {}
        }
        let bytes = match contents {
            Some(src) => {
                let mut copy = vec![0; PAGE_SIZE];
                window_of(&inner.pages.get(&src.0).expect("copy of a freed page").bytes)
                    .copy_to(&mut copy);
                storage(copy.into_iter())
            }
            None => storage(core::iter::repeat_n(0, PAGE_SIZE)),
        };
        inner.next += 1;
        inner.allocations += 1;
        let addr = 0x4000_0000 + inner.next * PAGE_SIZE as u64;
        inner.pages.insert(addr, MockPage { refs: 1, bytes });
        Ok(PageAddr(addr))
    }
}

/// The host tests' signal state: the VMO module's own `signals()` is what they check.
pub struct NoWaiters;

impl crate::object::vmo::SignalSink for NoWaiters {
    fn update(&self, _clear: u32, _set: u32) {}
}

impl PageSource for MockSource {
    type Signals = NoWaiters;
    fn new_signals(&self, _initial: u32) -> NoWaiters {
        NoWaiters
    }

    fn alloc_zeroed(&self) -> Result<PageAddr, Status> {
        self.allocate(None)
    }

    fn alloc_copy(&self, src: PageAddr) -> Result<PageAddr, Status> {
        self.allocate(Some(src))
    }

    fn add_ref(&self, page: PageAddr) {
        let mut inner = self.inner();
        let entry = inner
            .pages
            .get_mut(&page.0)
            .expect("add_ref on a freed page");
        entry.refs += 1;
    }

    fn release(&self, page: PageAddr) {
        let mut inner = self.inner();
        let entry = inner
            .pages
            .get_mut(&page.0)
            .expect("release of a freed page");
        entry.refs -= 1;
        if entry.refs == 0 {
            let freed = inner.pages.remove(&page.0).unwrap().bytes;
            window_of(&freed).fill(POISON);
            inner.freed.push(freed);
        }
    }

    fn ref_count(&self, page: PageAddr) -> u32 {
        self.inner()
            .pages
            .get(&page.0)
            .expect("ref_count of a freed page")
            .refs
    }

    fn window(&self, page: PageAddr) -> PageWindow {
        window_of(
            &self
                .inner()
                .pages
                .get(&page.0)
                .expect("window on a freed page")
                .bytes,
        )
    }

    fn cache_op(&self, page: PageAddr, offset: usize, len: usize, op: CacheOp) {
        assert!(
            offset + len <= PAGE_SIZE && len > 0,
            "cache op outside its page"
        );
        let mut inner = self.inner();
        assert!(
            inner.pages.contains_key(&page.0),
            "cache op on a freed page"
        );
        inner.cache_ops.push((page, offset, len, op));
    }
}
