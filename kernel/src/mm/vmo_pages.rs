//! VMO pages as the kernel provides them: reference-counted frames from the buddy
//! allocator, reached through the linear map.

use super::aspace::zero_frame;
use super::frames::{self, PAGE_SIZE};
use super::paging::phys_to_virt;
use super::window::PageWindow;
use crate::object::vmo::{CacheOp, PageAddr, PageSource};
use libzircon::Status;

pub struct KernelPages;

fn bytes_of(page: PageAddr) -> *mut [u8; PAGE_SIZE] {
    phys_to_virt(page.0) as *mut [u8; PAGE_SIZE]
}

impl crate::object::vmo::SignalSink for crate::task::wait::Signals {
    fn update(&self, clear: u32, set: u32) {
        crate::task::wait::Signals::update(self, clear, set)
    }
}

impl PageSource for KernelPages {
    fn checkpoint(&self) -> Result<(), Status> {
        crate::task::preempt_point().map_err(|_| Status::INTERNAL_INTR_RETRY)
    }

    type Signals = crate::task::wait::Signals;
    fn new_signals(&self, initial: u32) -> Self::Signals {
        crate::task::wait::Signals::new(initial)
    }

    fn alloc_zeroed(&self) -> Result<PageAddr, Status> {
        let pa = frames::alloc_shared_page().map_err(|_| Status::NO_MEMORY)?;
        zero_frame(pa);
        Ok(PageAddr(pa as u64))
    }

    fn alloc_copy(&self, src: PageAddr) -> Result<PageAddr, Status> {
        let pa = frames::alloc_shared_page().map_err(|_| Status::NO_MEMORY)?;
        let dst = PageAddr(pa as u64);
        // SAFETY: both are whole RAM pages in the linear map; `dst` is fresh and ours,
        // `src` is held by the caller's reference, and they are distinct frames.
        unsafe { core::ptr::copy_nonoverlapping(bytes_of(src), bytes_of(dst), 1) };
        Ok(dst)
    }

    fn add_ref(&self, page: PageAddr) {
        frames::add_ref(page.0 as usize);
    }

    fn release(&self, page: PageAddr) {
        frames::release(page.0 as usize);
    }

    fn ref_count(&self, page: PageAddr) -> u32 {
        frames::ref_count(page.0 as usize)
    }

    #[inline]
    fn window(&self, page: PageAddr) -> PageWindow {
        // SAFETY: the VMO layer asks only for pages it holds a reference to, and uses
        // the window only while it does, so the frame stays allocated; it is a whole
        // RAM page in the linear map, readable and writable by the kernel. The window
        // is never turned into a reference, so user threads writing the page through
        // their mappings at the same time race only on plain data.
        unsafe { PageWindow::new(bytes_of(page).cast::<u8>(), PAGE_SIZE) }
    }

    fn cache_op(&self, page: PageAddr, offset: usize, len: usize, op: CacheOp) {
        let start = phys_to_virt(page.0) + offset.min(PAGE_SIZE);
        let end = start + len.min(PAGE_SIZE - offset.min(PAGE_SIZE));
        crate::arch::cache::maintain(start, end, op);
    }
}

static ZERO_PAGE: spin::Once<usize> = spin::Once::new();

/// One page of zeros, mapped read-only wherever a mapping shows a page nothing was
/// written to yet (a write then faults and commits a real page). Never freed.
pub fn zero_page() -> Option<usize> {
    if let Some(&pa) = ZERO_PAGE.get() {
        return Some(pa);
    }
    let pa = frames::alloc(1).ok()?;
    zero_frame(pa);
    Some(*ZERO_PAGE.call_once(|| pa))
}
