//! Windows onto memory that others may write at the same time.
//!
//! A VMO's page is reached through the linear map while user threads on other CPUs may
//! be storing to it through their own mappings. A Rust reference (`&[u8]`, `&mut [u8]`)
//! promises that nobody else writes the bytes while it lives, which such a page cannot
//! promise, so the kernel never forms one: a [`PageWindow`] is a raw pointer and a
//! length, and every access goes through raw-pointer copies. What a racing writer
//! leaves is then plain data (torn, as with any shared memory), never undefined
//! behaviour in the kernel.

use core::ptr;

use super::frames::PAGE_SIZE;

/// One page of zeros, for reads of pages never committed: only ever read.
static ZERO_PAGE: [u8; PAGE_SIZE] = [0; PAGE_SIZE];

/// `len` bytes at `ptr`, which others may read and write concurrently. Never exposed as
/// a Rust reference. Copying the window does not copy the bytes.
///
/// Two words, so that it travels in two registers like the slice it replaces: whether
/// the window is writable is the top bit of the length word (a length never reaches
/// it: no object is larger than `isize::MAX` bytes).
#[derive(Clone, Copy, Debug)]
pub struct PageWindow {
    ptr: *mut u8,
    /// The length, with [`READ_ONLY`] set for a window that must not be written.
    len_flags: usize,
}

/// The flag in `PageWindow::len_flags` for a read-only window.
const READ_ONLY: usize = 1 << (usize::BITS - 1);

// SAFETY: a window is an address and a length; whoever made it (`new`) keeps the memory
// valid for as long as any copy of it is used, from whichever thread.
unsafe impl Send for PageWindow {}
// SAFETY: as above; all access is through raw-pointer copies.
unsafe impl Sync for PageWindow {}

impl PageWindow {
    /// A writable window onto `len` bytes at `ptr`.
    ///
    /// # Safety
    /// `ptr..ptr + len` must be valid for reads and writes (not necessarily exclusive:
    /// others may write it at the same time), and stay so for as long as the window or
    /// any window derived from it is used: the caller holds the page. No Rust reference
    /// to those bytes may be alive while the window is used.
    #[inline]
    pub unsafe fn new(ptr: *mut u8, len: usize) -> Self {
        PageWindow {
            ptr,
            // A valid allocation is at most isize::MAX bytes: the flag bit is clear.
            len_flags: len & !READ_ONLY,
        }
    }

    /// A read-only window onto `len` zeros (at most a page): what an uncommitted page
    /// reads as.
    #[inline]
    pub fn zeroes(len: usize) -> Self {
        PageWindow {
            ptr: ZERO_PAGE.as_ptr().cast_mut(),
            len_flags: len.min(PAGE_SIZE) | READ_ONLY,
        }
    }

    /// The same bytes, read-only.
    #[inline]
    pub fn read_only(self) -> Self {
        PageWindow {
            ptr: self.ptr,
            len_flags: self.len_flags | READ_ONLY,
        }
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.len_flags & !READ_ONLY
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    #[inline]
    fn writable(&self) -> bool {
        self.len_flags & READ_ONLY == 0
    }

    /// The `len` bytes at `start` of this window, clamped to it (never panics).
    #[inline]
    pub fn sub(&self, start: usize, len: usize) -> Self {
        let whole = self.len();
        let start = start.min(whole);
        PageWindow {
            // In bounds: `start <= whole`, and wrapping_add keeps this safe code.
            ptr: self.ptr.wrapping_add(start),
            len_flags: len.min(whole - start) | (self.len_flags & READ_ONLY),
        }
    }

    /// Where the bytes start, for reading them (with raw-pointer copies only).
    #[inline]
    pub fn as_ptr(&self) -> *const u8 {
        self.ptr
    }

    /// Where the bytes start, for writing them; None for a read-only window.
    #[inline]
    pub fn as_mut_ptr(&self) -> Option<*mut u8> {
        self.writable().then_some(self.ptr)
    }

    /// Copies the window's bytes into `dst`, which must be as long as the window
    /// (only the shorter of the two lengths is copied).
    #[inline]
    #[cfg_attr(target_os = "none", allow(dead_code))] // the kernel copies to user memory
    pub fn copy_to(&self, dst: &mut [u8]) {
        let n = self.len().min(dst.len());
        // SAFETY: `new`'s contract makes the window's `len` bytes readable; `dst` is an
        // exclusive buffer of at least `n` bytes, so the two cannot overlap.
        unsafe { ptr::copy_nonoverlapping(self.ptr, dst.as_mut_ptr(), n) };
    }

    /// Copies `src` into the window (only the shorter of the two lengths); false, and
    /// nothing copied, for a read-only window.
    #[inline]
    pub fn copy_from(&self, src: &[u8]) -> bool {
        let Some(dst) = self.as_mut_ptr() else {
            return false;
        };
        let n = self.len().min(src.len());
        // SAFETY: `new`'s contract makes the window's bytes writable; `src` is a shared
        // Rust slice, so it cannot be the window's memory (no reference to that exists).
        unsafe { ptr::copy_nonoverlapping(src.as_ptr(), dst, n) };
        true
    }

    /// Sets every byte of the window to `byte`; false, and nothing written, for a
    /// read-only window.
    #[inline]
    pub fn fill(&self, byte: u8) -> bool {
        let Some(dst) = self.as_mut_ptr() else {
            return false;
        };
        // SAFETY: `new`'s contract makes the window's `len` bytes writable.
        unsafe { ptr::write_bytes(dst, byte, self.len()) };
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_fill_and_bounds() {
        let mut page = std::boxed::Box::new([0u8; PAGE_SIZE]);
        // SAFETY: the box outlives the window and no reference to it is used meanwhile.
        let w = unsafe { PageWindow::new(page.as_mut_ptr(), PAGE_SIZE) };
        assert!(w.sub(10, 4).copy_from(&[1, 2, 3, 4, 5]));
        let mut out = [9u8; 6];
        w.sub(9, 6).copy_to(&mut out);
        assert_eq!(out, [0, 1, 2, 3, 4, 0]);
        assert!(w.sub(12, 1).fill(7));
        assert_eq!(w.sub(PAGE_SIZE - 2, 10).len(), 2);
        assert_eq!(w.sub(PAGE_SIZE + 5, 10).len(), 0);
        let ro = w.read_only();
        assert!(ro.as_mut_ptr().is_none());
        assert!(!ro.copy_from(&[5]));
        assert!(!ro.fill(5));
        assert_eq!(page[9..15], [0, 1, 2, 7, 4, 0]);
        let z = PageWindow::zeroes(PAGE_SIZE + 1);
        assert_eq!(z.len(), PAGE_SIZE);
        assert!(!z.fill(1));
        let mut out = [1u8; 3];
        z.sub(100, 3).copy_to(&mut out);
        assert_eq!(out, [0; 3]);
    }
}
