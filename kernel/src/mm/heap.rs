//! The kernel heap: a buddy allocator over a region of its own, reserved at boot before
//! the frame allocator takes the rest of RAM, so the two never feed each other.

use buddy_system_allocator::Heap;
use core::alloc::{GlobalAlloc, Layout};
use core::ptr::{null_mut, NonNull};
use spin::Mutex;

pub struct KernelHeap(Mutex<Heap<32>>);

#[cfg_attr(target_os = "none", global_allocator)]
static HEAP: KernelHeap = KernelHeap(Mutex::new(Heap::empty()));

/// Masks IRQs while the heap's lock is held (on the kernel target): interrupt handlers
/// may free memory (a timer's wake-up dropping the last reference to something), and an
/// interrupt arriving while this CPU holds the lock must not spin on it.
#[cfg(target_os = "none")]
fn irq_guard() -> crate::arch::cpu::IrqGuard {
    crate::arch::cpu::IrqGuard::new()
}
#[cfg(not(target_os = "none"))]
fn irq_guard() {}

// SAFETY: the buddy heap hands out disjoint blocks; the mutex serialises its bookkeeping.
unsafe impl GlobalAlloc for KernelHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _irq = irq_guard();
        self.0
            .lock()
            .alloc(layout)
            .map_or(null_mut(), |p| p.as_ptr())
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if let Some(p) = NonNull::new(ptr) {
            let _irq = irq_guard();
            // SAFETY: the caller returns a block this allocator gave out with this layout.
            unsafe { self.0.lock().dealloc(p, layout) }
        }
    }
}

/// Gives the heap its region.
///
/// # Safety
/// `[start, start + size)` is mapped read-write, unused by anything else, forever.
pub unsafe fn init(start: usize, size: usize) {
    // SAFETY: forwarded from the caller.
    unsafe { HEAP.0.lock().init(start, size) }
}

/// (bytes in the heap, bytes allocated)
pub fn stats() -> (usize, usize) {
    let heap = HEAP.0.lock();
    (heap.stats_total_bytes(), heap.stats_alloc_actual())
}
