//! The kernel heap: size classes for small objects, whole pages for the rest, all taken
//! from the frame allocator as they are needed and given back as they empty.
//!
//! - A small allocation (at most [`MAX_SMALL`] bytes) is a slot in a slab: a naturally
//!   aligned block of [`SLAB_PAGES`] pages holding slots of one size class, with a
//!   header in its last bytes. The header is found from a slot's address by masking, so
//!   freeing needs no search. A slab with a free slot is on its class's list; a slab
//!   whose last slot is freed goes back to the frame allocator at once (or into the
//!   reserve, below), so the heap's size follows what is live.
//! - A larger allocation (a message body, a table) is a run of whole pages straight
//!   from the frame allocator, exactly as many as it needs, and goes back when freed.
//!
//! Locks: the heap's lock is a leaf taken with IRQs masked (interrupt handlers free
//! memory), and it is never held while the frame allocator runs: growing drops it,
//! takes frames, and retakes it; a slab that empties is unlinked under it and freed
//! after. The frame allocator keeps its own bookkeeping outside the heap (frames.rs),
//! so neither ever waits on the other and growth cannot recurse, from any context.
//!
//! Out of memory: `Box::new`, `Arc::new` and collection growth abort when the allocator
//! returns null, and stable Rust has no fallible `Arc`. So the heap keeps a reserve of
//! [`RESERVE_SLABS`] slabs that only slab growth may use when the frame allocator is
//! empty (users can take every free frame with a VMO), and syscalls that create kernel
//! objects ask [`headroom`] first: it answers NO_MEMORY once the reserve is half gone
//! (so must any syscall that keeps kernel memory without a new handle: a queued message).
//! The small allocations a syscall makes before its check cannot then find the heap
//! dry. Allocations whose size users choose go through `try_reserve`, which gets null
//! and NO_MEMORY instead of the reserve (the large path never touches it).

use core::alloc::{GlobalAlloc, Layout};
use core::ptr::{null_mut, NonNull};
use core::sync::atomic::{AtomicUsize, Ordering};
use spin::Mutex;

const PAGE: usize = 4096;
/// A slab's size in pages: 16 KiB keeps the header's share small for the big classes
/// (seven 2 KiB slots) and slab churn rare for the small ones.
pub const SLAB_PAGES: usize = 4;
const SLAB_BYTES: usize = SLAB_PAGES * PAGE;
/// Room for the header at the end of each slab.
const HEADER_ROOM: usize = 64;
/// The largest small allocation; anything larger is whole pages.
pub const MAX_SMALL: usize = 2048;
/// Slot sizes: steps of a quarter (or less) between powers of two, so at most a fifth
/// of a slot is lost to rounding above 64 bytes. A slot's alignment is the largest
/// power of two that divides its size (slots start at the slab's aligned base).
const CLASSES: [usize; 24] = [
    16, 32, 48, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 448, 512, 640, 768, 896, 1024,
    1280, 1536, 1792, 2048,
];
const NCLASSES: usize = CLASSES.len();
/// Slabs the heap keeps for its own growth when the frame allocator is empty.
pub const RESERVE_SLABS: usize = 16;

/// The first class for each size in 16-byte steps (index `(size + 15) / 16`).
const CLASS_BY_SIZE: [u8; MAX_SMALL / 16 + 1] = {
    let mut table = [0u8; MAX_SMALL / 16 + 1];
    let (mut i, mut c) = (0, 0);
    while i < table.len() {
        while CLASSES[c] < i * 16 {
            c += 1;
        }
        table[i] = c as u8;
        i += 1;
    }
    table
};

/// The class for `layout`, or `None` for a large allocation.
fn class_for(layout: Layout) -> Option<usize> {
    let size = layout.size().max(1);
    if size > MAX_SMALL {
        return None;
    }
    let mut c = CLASS_BY_SIZE[size.div_ceil(16)] as usize;
    // Rare: an alignment above the class's own. Walk up to a class that has it.
    while c < NCLASSES && (1 << CLASSES[c].trailing_zeros()) < layout.align() {
        c += 1;
    }
    (c < NCLASSES).then_some(c)
}

fn capacity(class: usize) -> usize {
    (SLAB_BYTES - HEADER_ROOM) / CLASSES[class]
}

/// The pages a large allocation takes: its size in pages, enough that the run's
/// alignment (its page count rounded up to a power of two) covers `layout.align()`.
fn large_pages(layout: Layout) -> Option<usize> {
    let pages = layout.size().checked_add(PAGE - 1)? / PAGE;
    Some(pages.max(layout.align().div_ceil(PAGE)).max(1))
}

/// Where the heap's pages come from: the frame allocator, or a stand-in in tests.
pub trait PageSource {
    /// `pages` contiguous pages, aligned to `pages` rounded up to a power of two; their
    /// address (in the linear map). `None` when there are none.
    fn alloc(&self, pages: usize) -> Option<usize>;
    /// Gives back pages: any page-aligned run inside what `alloc` gave.
    ///
    /// # Safety
    /// The pages came from `alloc` and nothing uses them any more.
    unsafe fn free(&self, va: usize, pages: usize);
}

/// A slab's header, in its last [`HEADER_ROOM`] bytes.
#[repr(C)]
struct Slab {
    /// Freed slots, linked through their first word.
    free: *mut usize,
    /// Slots handed out from the never-used tail (slots `carved..` were never touched).
    carved: u32,
    /// Slots in use.
    used: u32,
    /// The class's list of slabs with a free slot.
    next: *mut Slab,
    prev: *mut Slab,
}

const _: () = assert!(core::mem::size_of::<Slab>() <= HEADER_ROOM);

fn header(slab_base: usize) -> *mut Slab {
    (slab_base + SLAB_BYTES - HEADER_ROOM) as *mut Slab
}

fn slab_base_of(ptr: usize) -> usize {
    ptr & !(SLAB_BYTES - 1)
}

/// What the heap's lock protects.
struct State {
    /// Per class, the slabs with a free slot (doubly linked through their headers).
    partial: [*mut Slab; NCLASSES],
    /// Spare slabs, linked through their first word.
    reserve: *mut usize,
    reserve_len: usize,
}

// SAFETY: the pointers name memory the heap owns; only the holder of the lock follows them.
unsafe impl Send for State {}

impl State {
    const fn new() -> Self {
        State {
            partial: [null_mut(); NCLASSES],
            reserve: null_mut(),
            reserve_len: 0,
        }
    }

    /// A slot from a slab on the class's list, if there is one.
    ///
    /// # Safety
    /// Every slab on the lists is live heap memory of this class.
    unsafe fn alloc_slot(&mut self, class: usize) -> Option<NonNull<u8>> {
        let slab = self.partial[class];
        if slab.is_null() {
            return None;
        }
        // SAFETY: listed slabs are live headers, reached only under the lock.
        let s = unsafe { &mut *slab };
        let slot = if !s.free.is_null() {
            let slot = s.free;
            // SAFETY: a freed slot holds the next free slot's address in its first word.
            s.free = unsafe { *slot } as *mut usize;
            slot as usize
        } else {
            let slot = slab_base_of(slab as usize) + s.carved as usize * CLASSES[class];
            s.carved += 1;
            slot
        };
        s.used += 1;
        if s.used as usize == capacity(class) {
            // SAFETY: as above.
            unsafe { self.unlink(class, slab) };
        }
        NonNull::new(slot as *mut u8)
    }

    /// Makes the block at `base` an empty slab of `class` and lists it.
    ///
    /// # Safety
    /// `[base, base + SLAB_BYTES)` is heap memory nothing else uses, aligned to its size.
    unsafe fn add_slab(&mut self, class: usize, base: usize) {
        let slab = header(base);
        // SAFETY: the header's room is inside the caller's block, aligned to 8.
        unsafe {
            slab.write(Slab {
                free: null_mut(),
                carved: 0,
                used: 0,
                next: self.partial[class],
                prev: null_mut(),
            });
            if let Some(next) = self.partial[class].as_mut() {
                next.prev = slab;
            }
        }
        self.partial[class] = slab;
    }

    /// # Safety
    /// `slab` is on `class`'s list.
    unsafe fn unlink(&mut self, class: usize, slab: *mut Slab) {
        // SAFETY: listed slabs and their neighbours are live headers.
        unsafe {
            let s = &mut *slab;
            match s.prev.as_mut() {
                Some(prev) => prev.next = s.next,
                None => self.partial[class] = s.next,
            }
            if let Some(next) = s.next.as_mut() {
                next.prev = s.prev;
            }
            s.next = null_mut();
            s.prev = null_mut();
        }
    }

    /// Frees a slot. Returns the slab's base if that emptied it: it is off the lists
    /// and the caller gives it back.
    ///
    /// # Safety
    /// `ptr` is a live slot of `class` from this heap.
    unsafe fn free_slot(&mut self, class: usize, ptr: usize) -> Option<usize> {
        let base = slab_base_of(ptr);
        let slab = header(base);
        // SAFETY: a live slot's slab is a live header of its class.
        let s = unsafe { &mut *slab };
        let was_full = s.used as usize == capacity(class);
        // SAFETY: the slot is ours again; its first word links it.
        unsafe { (ptr as *mut usize).write(s.free as usize) };
        s.free = ptr as *mut usize;
        s.used -= 1;
        if s.used == 0 {
            if !was_full {
                // SAFETY: a slab with a free slot is listed.
                unsafe { self.unlink(class, slab) };
            }
            return Some(base);
        }
        if was_full {
            // SAFETY: a full slab is on no list; this puts it back at the front.
            unsafe {
                s.next = self.partial[class];
                s.prev = null_mut();
                if let Some(next) = self.partial[class].as_mut() {
                    next.prev = slab;
                }
            }
            self.partial[class] = slab;
        }
        None
    }

    fn push_reserve(&mut self, base: usize) {
        // SAFETY: a spare slab is the heap's, unused: its first word links it.
        unsafe { (base as *mut usize).write(self.reserve as usize) };
        self.reserve = base as *mut usize;
        self.reserve_len += 1;
    }

    fn pop_reserve(&mut self) -> Option<usize> {
        let base = self.reserve;
        if base.is_null() {
            return None;
        }
        // SAFETY: as in push_reserve.
        self.reserve = unsafe { *base } as *mut usize;
        self.reserve_len -= 1;
        Some(base as usize)
    }
}

/// The heap over a page source.
pub struct Heap<S> {
    /// Lock: a leaf, taken with IRQs masked, never held while `source` runs.
    state: Mutex<State>,
    source: S,
    /// Bytes the heap holds: slabs, large runs, the reserve.
    held: AtomicUsize,
    /// Bytes handed out: slots (at their class's size) and large runs.
    used: AtomicUsize,
    /// `State::reserve_len`, readable without the lock.
    reserve_len: AtomicUsize,
}

/// Masks IRQs while the heap's lock is held (on the kernel target): an interrupt
/// arriving while this CPU holds the lock must not spin on it.
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

impl<S: PageSource> Heap<S> {
    pub const fn new(source: S) -> Self {
        Heap {
            state: Mutex::new(State::new()),
            source,
            held: AtomicUsize::new(0),
            used: AtomicUsize::new(0),
            reserve_len: AtomicUsize::new(0),
        }
    }

    fn alloc_small(&self, class: usize) -> *mut u8 {
        let size = CLASSES[class];
        {
            let _irq = irq_guard();
            let mut st = self.state.lock();
            // SAFETY: the lists hold only live slabs of their class.
            if let Some(p) = unsafe { st.alloc_slot(class) } {
                self.used.fetch_add(size, Ordering::Relaxed);
                return p.as_ptr();
            }
        }
        // Grow, with the lock dropped while the frame allocator works. Another CPU may
        // grow the same class meanwhile: both slabs are used.
        let fresh = self.source.alloc(SLAB_PAGES);
        let _irq = irq_guard();
        let mut st = self.state.lock();
        let base = match fresh {
            Some(base) => {
                self.held.fetch_add(SLAB_BYTES, Ordering::Relaxed);
                base
            }
            None => match st.pop_reserve() {
                Some(base) => {
                    self.reserve_len.store(st.reserve_len, Ordering::Relaxed);
                    base
                }
                None => return null_mut(),
            },
        };
        // SAFETY: the block is fresh heap memory, aligned to SLAB_BYTES (the source
        // aligns runs to their power-of-two size).
        unsafe { st.add_slab(class, base) };
        // SAFETY: as above; the slab just listed has free slots.
        match unsafe { st.alloc_slot(class) } {
            Some(p) => {
                self.used.fetch_add(size, Ordering::Relaxed);
                p.as_ptr()
            }
            None => null_mut(),
        }
    }

    /// # Safety
    /// `ptr` is a live slot of `class`.
    unsafe fn free_small(&self, class: usize, ptr: usize) {
        self.used.fetch_sub(CLASSES[class], Ordering::Relaxed);
        let emptied = {
            let _irq = irq_guard();
            let mut st = self.state.lock();
            // SAFETY: forwarded from the caller.
            let emptied = unsafe { st.free_slot(class, ptr) };
            match emptied {
                Some(base) if st.reserve_len < RESERVE_SLABS => {
                    st.push_reserve(base);
                    self.reserve_len.store(st.reserve_len, Ordering::Relaxed);
                    None
                }
                other => other,
            }
        };
        if let Some(base) = emptied {
            self.held.fetch_sub(SLAB_BYTES, Ordering::Relaxed);
            // SAFETY: the slab is empty and off every list.
            unsafe { self.source.free(base, SLAB_PAGES) };
        }
    }

    fn alloc_large(&self, layout: Layout) -> *mut u8 {
        let Some(pages) = large_pages(layout) else {
            return null_mut();
        };
        match self.source.alloc(pages) {
            Some(va) => {
                self.held.fetch_add(pages * PAGE, Ordering::Relaxed);
                self.used.fetch_add(pages * PAGE, Ordering::Relaxed);
                va as *mut u8
            }
            None => null_mut(),
        }
    }

    /// # Safety
    /// `ptr` is a live large allocation with this layout.
    unsafe fn free_large(&self, layout: Layout, ptr: usize) {
        let Some(pages) = large_pages(layout) else {
            return;
        };
        self.held.fetch_sub(pages * PAGE, Ordering::Relaxed);
        self.used.fetch_sub(pages * PAGE, Ordering::Relaxed);
        // SAFETY: forwarded from the caller.
        unsafe { self.source.free(ptr, pages) };
    }

    /// Tops the reserve up to [`RESERVE_SLABS`] from the source while it can; whether at
    /// least half of it is there.
    pub fn headroom(&self) -> bool {
        while self.reserve_len.load(Ordering::Relaxed) < RESERVE_SLABS {
            let Some(base) = self.source.alloc(SLAB_PAGES) else {
                break;
            };
            let _irq = irq_guard();
            let mut st = self.state.lock();
            if st.reserve_len < RESERVE_SLABS {
                st.push_reserve(base);
                self.reserve_len.store(st.reserve_len, Ordering::Relaxed);
                self.held.fetch_add(SLAB_BYTES, Ordering::Relaxed);
            } else {
                drop(st);
                // SAFETY: just allocated, never used.
                unsafe { self.source.free(base, SLAB_PAGES) };
            }
        }
        self.reserve_len.load(Ordering::Relaxed) * 2 >= RESERVE_SLABS
    }

    /// (bytes the heap holds, bytes handed out)
    pub fn stats(&self) -> (usize, usize) {
        (
            self.held.load(Ordering::Relaxed),
            self.used.load(Ordering::Relaxed),
        )
    }
}

// SAFETY: slots are disjoint pieces of slabs the heap alone owns, large runs are whole
// pages from the source; the lock serialises the lists.
unsafe impl<S: PageSource> GlobalAlloc for Heap<S> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match class_for(layout) {
            Some(class) => self.alloc_small(class),
            None => self.alloc_large(layout),
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ptr.is_null() {
            return;
        }
        match class_for(layout) {
            // SAFETY: the caller frees what `alloc` gave for this layout.
            Some(class) => unsafe { self.free_small(class, ptr as usize) },
            // SAFETY: as above.
            None => unsafe { self.free_large(layout, ptr as usize) },
        }
    }
}

/// The kernel's pages: the frame allocator's, through the linear map.
#[cfg(target_os = "none")]
pub struct Frames;

#[cfg(target_os = "none")]
impl PageSource for Frames {
    fn alloc(&self, pages: usize) -> Option<usize> {
        let pa = super::frames::alloc_exact(pages).ok()?;
        Some(super::paging::phys_to_virt(pa as u64))
    }

    unsafe fn free(&self, va: usize, pages: usize) {
        super::frames::free_exact(va - crate::arch::pte::LINEAR_BASE, pages);
    }
}

#[cfg(target_os = "none")]
#[global_allocator]
static HEAP: Heap<Frames> = Heap::new(Frames);

/// Fills the reserve; called at boot once the frame allocator has memory.
#[cfg(target_os = "none")]
pub fn init() {
    HEAP.headroom();
}

/// Whether a syscall may make kernel objects: NO_MEMORY once the heap's reserve runs
/// low (see the module comment).
#[cfg(target_os = "none")]
pub fn headroom() -> Result<(), super::frames::NoMemory> {
    if HEAP.headroom() {
        Ok(())
    } else {
        Err(super::frames::NoMemory)
    }
}

/// (bytes in the heap, bytes allocated)
#[cfg(target_os = "none")]
pub fn stats() -> (usize, usize) {
    HEAP.stats()
}

#[cfg(test)]
mod tests;
