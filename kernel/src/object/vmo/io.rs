//! `zx_vmo_read` and `zx_vmo_write`: the one copy between a caller's buffer and pages.
//!
//! Each call works in batches of up to [`BATCH`] pages. Under the family lock a batch is
//! made ready (for a write: committed and made private) and every page in it gets a
//! temporary reference, *pinned* on its slot (family.rs, invariant 1); then the lock
//! is dropped and the caller's callback copies page by page; then, locked again, the
//! pins and references are dropped. So the callback never runs under the lock: its
//! buffer may be a mapping of the very same VMO. Dropping the lock lets the VMO change
//! between batches (a resize, a decommit), so the checks are redone before each one,
//! as Zircon redoes them whenever it drops its lock.

use libzircon::prelude::*;
use libzircon::Status;

use super::family::{is_shared, Node, BATCH};
use super::{PageAddr, PageSource, PageWindow, Vmo, PAGE, PAGE_SIZE};

/// How [`Vmo::read`] hands bytes out: `copy_out(window, position)` gets a read-only
/// window onto the VMO's bytes for `[position, position + window.len())` of the
/// caller's buffer. The window is never a Rust reference: others may be writing the
/// page meanwhile.
pub type CopyOut<'a> = dyn FnMut(PageWindow, usize) -> Result<(), Status> + 'a;

/// How [`Vmo::write`] takes bytes in: `copy_in(window, position)` fills the VMO's bytes
/// in `window` from `[position, position + window.len())` of the caller's buffer.
pub type CopyIn<'a> = dyn FnMut(PageWindow, usize) -> Result<(), Status> + 'a;

/// Zircon's order after the handle: cache policy (BAD_STATE), then range.
fn check(node: &Node, end: u64) -> Result<(), Status> {
    if node.cache_policy != ZX_CACHE_POLICY_CACHED {
        return Err(Status::BAD_STATE);
    }
    if end > node.size {
        return Err(Status::OUT_OF_RANGE);
    }
    Ok(())
}

/// Bytes of a transfer at byte `at` (of `left` bytes) that fall in `at`'s page.
fn in_page(at: u64, left: usize) -> (usize, usize) {
    let start = (at % PAGE) as usize;
    (start, (PAGE_SIZE - start).min(left))
}

/// The status a copier returns from a locked attempt when it would have to take a
/// fault (it must not, with the family lock held): the transfer is then done the slow
/// way, with the lock dropped around each copy.
pub const WOULD_FAULT: Status = Status::SHOULD_WAIT;

impl<S: PageSource> Vmo<S> {
    /// [`Vmo::read`], first trying a transfer that lies in one page with the family lock
    /// held and no pinning: `locked(bytes, position)` must not block or take faults, and
    /// returns [`WOULD_FAULT`] when it would have to; the transfer then goes the usual
    /// way, through `copy_out`. Small reads cost much less this way.
    pub fn read_fast(
        &self,
        offset: u64,
        len: usize,
        locked: &mut CopyOut<'_>,
        copy_out: &mut CopyOut<'_>,
    ) -> Result<(), Status> {
        {
            let state = self.state();
            let end = offset.checked_add(len as u64).ok_or(Status::OUT_OF_RANGE)?;
            check(state.node(self.slot), end)?;
            if len == 0 {
                return Ok(());
            }
            let (target, base) = state.resolve(self.slot);
            let (start, bytes) = in_page(base + offset, len);
            if bytes == len {
                let index = (base + offset) / PAGE;
                let window = match state.paged(target).pages.get(index) {
                    Some(entry) => self.source().window(entry.page).read_only(),
                    None => PageWindow::zeroes(PAGE_SIZE),
                };
                let result = locked(window.sub(start, len), 0);
                if result != Err(WOULD_FAULT) {
                    return result;
                }
            }
        }
        self.read(offset, len, copy_out)
    }

    /// [`Vmo::write`], first trying a transfer that lies in one committed, private page
    /// with the family lock held and no pinning (see [`Vmo::read_fast`]).
    pub fn write_fast(
        &self,
        offset: u64,
        len: usize,
        locked: &mut CopyIn<'_>,
        copy_in: &mut CopyIn<'_>,
    ) -> Result<(), Status> {
        {
            let state = self.state();
            let end = offset.checked_add(len as u64).ok_or(Status::OUT_OF_RANGE)?;
            check(state.node(self.slot), end)?;
            if len == 0 {
                return Ok(());
            }
            let (target, base) = state.resolve(self.slot);
            let (start, bytes) = in_page(base + offset, len);
            if bytes == len {
                let index = (base + offset) / PAGE;
                if let Some(entry) = state.paged(target).pages.get(index) {
                    if !is_shared(self.source(), &entry) {
                        let window = self.source().window(entry.page);
                        let result = locked(window.sub(start, len), 0);
                        if result != Err(WOULD_FAULT) {
                            return result;
                        }
                    }
                }
            }
        }
        self.write(offset, len, copy_in)
    }

    /// `zx_vmo_read` after the handle lookup: `copy_out(bytes, position)` receives the
    /// VMO's bytes for `[position, position + bytes.len())` of the caller's buffer, in
    /// order, at most a page at a time.
    ///
    /// Errors, in order: OUT_OF_RANGE (`offset + len` overflows), BAD_STATE (not
    /// cached), OUT_OF_RANGE (past the end); a zero length then succeeds without
    /// calling `copy_out`; a status from `copy_out` is returned as is, with the bytes
    /// before it copied.
    pub fn read(&self, offset: u64, len: usize, copy_out: &mut CopyOut<'_>) -> Result<(), Status> {
        let src = self.source();
        let end = offset.checked_add(len as u64).ok_or(Status::OUT_OF_RANGE)?;
        let mut state = self.state();
        check(state.node(self.slot), end)?;
        if len == 0 {
            return Ok(());
        }
        let (target, base) = state.resolve(self.slot);
        let mut batch = [(0u64, None::<PageAddr>); BATCH];
        let mut done = 0;
        loop {
            let mut count = 0;
            let mut at = done;
            while count < BATCH && at < len {
                let index = (base + offset + at as u64) / PAGE;
                let pages = &mut state.paged_mut(target).pages;
                let page = pages.get(index).map(|entry| {
                    pages.pin(index);
                    src.add_ref(entry.page);
                    entry.page
                });
                batch[count] = (index, page);
                count += 1;
                at += in_page(base + offset + at as u64, len - at).1;
            }
            drop(state);

            let mut result = Ok(());
            for &(_, page) in &batch[..count] {
                let (start, bytes) = in_page(base + offset + done as u64, len - done);
                let window = match page {
                    Some(page) => src.window(page).read_only(),
                    None => PageWindow::zeroes(PAGE_SIZE),
                };
                result = copy_out(window.sub(start, bytes), done);
                if result.is_err() {
                    break;
                }
                done += bytes;
            }

            state = self.state();
            for &(index, page) in &batch[..count] {
                if let Some(page) = page {
                    state.paged_mut(target).pages.unpin(index, page);
                    src.release(page);
                }
            }
            result?;
            if done == len {
                return Ok(());
            }
            check(state.node(self.slot), end)?;
        }
    }

    /// `zx_vmo_write` after the handle lookup: `copy_in(bytes, position)` fills the VMO's
    /// bytes from `[position, position + bytes.len())` of the caller's buffer, in order,
    /// at most a page at a time.
    ///
    /// Errors, in order: OUT_OF_RANGE (`offset + len` overflows), BAD_STATE (not
    /// cached), OUT_OF_RANGE (past the end); a zero length then succeeds without
    /// calling `copy_in`; then NO_MEMORY (a page could not be committed or copied) or a
    /// status from `copy_in`, returned as is, with the bytes before it written.
    pub fn write(&self, offset: u64, len: usize, copy_in: &mut CopyIn<'_>) -> Result<(), Status> {
        let src = self.source();
        let end = offset.checked_add(len as u64).ok_or(Status::OUT_OF_RANGE)?;
        let mut state = self.state();
        check(state.node(self.slot), end)?;
        if len == 0 {
            return Ok(());
        }
        let (target, base) = state.resolve(self.slot);
        state.paged_mut(target).writers += 1;
        let mut batch = [(0u64, PageAddr(0)); BATCH];
        let mut done = 0;
        let result = loop {
            let mut count = 0;
            let mut at = done;
            let mut shortage = Ok(());
            while count < BATCH && at < len {
                let index = (base + offset + at as u64) / PAGE;
                match state.page_for_write(src, target, index) {
                    Ok(page) => {
                        state.paged_mut(target).pages.pin(index);
                        src.add_ref(page);
                        batch[count] = (index, page);
                    }
                    Err(status) => {
                        shortage = Err(status);
                        break;
                    }
                }
                count += 1;
                at += in_page(base + offset + at as u64, len - at).1;
            }
            drop(state);

            let mut copied = Ok(());
            for &(_, page) in &batch[..count] {
                let (start, bytes) = in_page(base + offset + done as u64, len - done);
                copied = copy_in(src.window(page).sub(start, bytes), done);
                if copied.is_err() {
                    break;
                }
                done += bytes;
            }

            state = self.state();
            for &(index, page) in &batch[..count] {
                state.paged_mut(target).pages.unpin(index, page);
                src.release(page);
            }
            if let Err(status) = copied.and(shortage) {
                break Err(status);
            }
            if done == len {
                break Ok(());
            }
            if let Err(status) = check(state.node(self.slot), end) {
                break Err(status);
            }
        };
        state.paged_mut(target).writers -= 1;
        result
    }
}
