//! `zx_vmo_op_range`, `zx_vmo_set_size`, the content size and `zx_vmo_set_cache_policy`.
//!
//! Each method checks in the order Zircon does (`zircon-abi.md` 3.4, 3.5, 3.7, 3.12).
//! Operations on a slice act on the pages of the VMO it is a window onto.

use libzircon::prelude::*;
use libzircon::Status;

use super::family::Kind;
use super::{round_size, CacheOp, PageSource, Vmo, PAGE, PAGE_SIZE};

/// Pages committed per lock hold by a COMMIT.
const COMMIT_BATCH: u64 = 64;

/// Zircon's `TrimRange`: None if `offset` is past `size`, else the length clamped to
/// what is left.
fn trim(offset: u64, len: u64, size: u64) -> Option<u64> {
    (offset <= size).then(|| len.min(size - offset))
}

fn need(rights: zx_rights_t, any_of: zx_rights_t) -> Result<(), Status> {
    if rights & any_of == 0 {
        Err(Status::ACCESS_DENIED)
    } else {
        Ok(())
    }
}

impl<S: PageSource> Vmo<S> {
    /// `zx_vmo_op_range` after the handle lookup (type only): picks the op, checks the
    /// right it needs against `rights` (ACCESS_DENIED), then runs it. An unknown op is
    /// INVALID_ARGS whatever the rights. `ZX_VMO_OP_LOCK` returns the lock state for the
    /// caller to copy out; if that copy fails (or `buffer_size` is below 32 bytes: an
    /// INVALID_ARGS), the caller undoes the lock with [`Vmo::unlock`] (digest 3.5).
    /// `ZX_VMO_OP_DONT_NEED` and `ZX_VMO_OP_ALWAYS_NEED` are accepted and ignored, as
    /// Zircon does for VMOs without a pager.
    pub fn op_range(
        &self,
        op: u32,
        offset: u64,
        size: u64,
        rights: zx_rights_t,
    ) -> Result<Option<zx_vmo_lock_state_t>, Status> {
        match op {
            ZX_VMO_OP_COMMIT => {
                need(rights, ZX_RIGHT_WRITE)?;
                self.commit(offset, size)?;
            }
            ZX_VMO_OP_DECOMMIT => {
                need(rights, ZX_RIGHT_WRITE)?;
                self.decommit(offset, size)?;
            }
            ZX_VMO_OP_LOCK => {
                need(rights, ZX_RIGHT_READ | ZX_RIGHT_WRITE)?;
                return self.lock(offset, size).map(Some);
            }
            ZX_VMO_OP_TRY_LOCK => {
                need(rights, ZX_RIGHT_READ | ZX_RIGHT_WRITE)?;
                self.try_lock(offset, size)?;
            }
            ZX_VMO_OP_UNLOCK => {
                need(rights, ZX_RIGHT_READ | ZX_RIGHT_WRITE)?;
                self.unlock(offset, size)?;
            }
            ZX_VMO_OP_CACHE_SYNC => {
                need(rights, ZX_RIGHT_READ)?;
                self.cache_op(offset, size, CacheOp::Sync)?;
            }
            ZX_VMO_OP_CACHE_INVALIDATE => {
                // It may drop dirty lines, changing the contents: WRITE.
                need(rights, ZX_RIGHT_WRITE)?;
                self.cache_op(offset, size, CacheOp::Invalidate)?;
            }
            ZX_VMO_OP_CACHE_CLEAN => {
                need(rights, ZX_RIGHT_READ)?;
                self.cache_op(offset, size, CacheOp::Clean)?;
            }
            ZX_VMO_OP_CACHE_CLEAN_INVALIDATE => {
                need(rights, ZX_RIGHT_READ)?;
                self.cache_op(offset, size, CacheOp::CleanInvalidate)?;
            }
            ZX_VMO_OP_ZERO => {
                need(rights, ZX_RIGHT_WRITE)?;
                self.zero(offset, size)?;
            }
            ZX_VMO_OP_DONT_NEED | ZX_VMO_OP_ALWAYS_NEED => {}
            _ => return Err(Status::INVALID_ARGS),
        }
        Ok(None)
    }

    /// `ZX_VMO_OP_COMMIT`: commits zero pages over the range, rounded out to pages.
    /// OUT_OF_RANGE if `offset + len` or its round-up overflows, or the range is not
    /// inside the VMO (the documented contract, and what Zircon's kernel checks; an old
    /// Fuchsia test still expects a longer range to be clamped); NO_MEMORY, with the
    /// pages before it committed.
    pub fn commit(&self, offset: u64, len: u64) -> Result<(), Status> {
        let end = offset
            .checked_add(len)
            .and_then(|end| end.checked_next_multiple_of(PAGE))
            .ok_or(Status::OUT_OF_RANGE)?;
        if offset + len > self.state().node(self.slot).size {
            return Err(Status::OUT_OF_RANGE);
        }
        let mut start = offset - offset % PAGE;
        let mut first = true;
        loop {
            self.source().checkpoint()?;
            let mut state = self.state();
            let size = state.node(self.slot).size;
            let Some(len) = trim(start, end - start, size) else {
                // Past the end on a later round: the VMO shrank, as if after the call.
                return if first {
                    Err(Status::OUT_OF_RANGE)
                } else {
                    Ok(())
                };
            };
            if len == 0 {
                return Ok(());
            }
            first = false;
            let step = len.min(COMMIT_BATCH * PAGE);
            let (target, base) = state.resolve(self.slot);
            let at = base + start;
            state.commit_pages(self.source(), target, at / PAGE, (at + step) / PAGE)?;
            start += step;
        }
    }

    /// `ZX_VMO_OP_DECOMMIT`. Errors, in order: OUT_OF_RANGE (the range is not inside
    /// the VMO, overflow included; a length of 0 then succeeds), NOT_SUPPORTED (the
    /// pages are in a copy-on-write family: a snapshot parent or child), and
    /// INVALID_ARGS (offset or length not page-aligned).
    pub fn decommit(&self, offset: u64, len: u64) -> Result<(), Status> {
        let mut state = self.state();
        let node = state.node(self.slot);
        match offset.checked_add(len) {
            Some(end) if end <= node.size => {}
            _ => return Err(Status::OUT_OF_RANGE),
        }
        let trimmed = len;
        if trimmed == 0 {
            return Ok(());
        }
        // A slice forwards the clamped range to the VMO it shows (Zircon's order).
        let (target, at, checked_len) = match node.kind {
            Kind::Slice {
                target,
                offset: base,
            } => (target, base + offset, trimmed),
            Kind::Paged(_) => (self.slot, offset, len),
        };
        if state.holders > 1 {
            return Err(Status::NOT_SUPPORTED);
        }
        if !at.is_multiple_of(PAGE) || !checked_len.is_multiple_of(PAGE) {
            return Err(Status::INVALID_ARGS);
        }
        state.remove_pages(self.source(), target, at / PAGE, (at + trimmed) / PAGE);
        Ok(())
    }

    /// `ZX_VMO_OP_ZERO`: the range reads as zeros afterwards; whole pages are
    /// decommitted, partial pages cleared. Errors, in order: BAD_STATE (not cached),
    /// OUT_OF_RANGE (`offset + len` overflows or passes the end), NO_MEMORY (a shared
    /// partial page could not be copied).
    pub fn zero(&self, offset: u64, len: u64) -> Result<(), Status> {
        let mut state = self.state();
        let node = state.node(self.slot);
        if node.cache_policy != ZX_CACHE_POLICY_CACHED {
            return Err(Status::BAD_STATE);
        }
        if offset.checked_add(len).is_none_or(|end| end > node.size) {
            return Err(Status::OUT_OF_RANGE);
        }
        if len == 0 {
            return Ok(());
        }
        let (target, base) = state.resolve(self.slot);
        state.zero_range(self.source(), target, base + offset, len)
    }

    /// `ZX_VMO_OP_CACHE_*`: `op` on the committed pages behind the range. INVALID_ARGS
    /// for a zero length, OUT_OF_RANGE for a range not inside the VMO. Any offsets.
    pub fn cache_op(&self, offset: u64, len: u64, op: CacheOp) -> Result<(), Status> {
        if len == 0 {
            return Err(Status::INVALID_ARGS);
        }
        let state = self.state();
        if offset
            .checked_add(len)
            .is_none_or(|end| end > state.node(self.slot).size)
        {
            return Err(Status::OUT_OF_RANGE);
        }
        let (target, base) = state.resolve(self.slot);
        state.cache_op(self.source(), target, base + offset, len, op);
        Ok(())
    }

    /// Discardable VMOs: NOT_SUPPORTED if not discardable, OUT_OF_RANGE unless the
    /// range is the whole VMO.
    fn check_lock_range(&self, offset: u64, len: u64) -> Result<(), Status> {
        let state = self.state();
        let node = state.node(self.slot);
        if !node.discardable {
            return Err(Status::NOT_SUPPORTED);
        }
        if offset.checked_add(len).is_none() || offset != 0 || len != node.size {
            return Err(Status::OUT_OF_RANGE);
        }
        Ok(())
    }

    /// `ZX_VMO_OP_LOCK`. Pages are never discarded here, so the discarded range is
    /// always empty and the contents persist.
    pub fn lock(&self, offset: u64, len: u64) -> Result<zx_vmo_lock_state_t, Status> {
        self.check_lock_range(offset, len)?;
        self.state().node_mut(self.slot).lock_count += 1;
        Ok(zx_vmo_lock_state_t {
            offset,
            size: len,
            discarded_offset: 0,
            discarded_size: 0,
        })
    }

    /// `ZX_VMO_OP_TRY_LOCK`: as LOCK (never UNAVAILABLE: nothing is discarded).
    pub fn try_lock(&self, offset: u64, len: u64) -> Result<(), Status> {
        self.lock(offset, len).map(|_| ())
    }

    /// `ZX_VMO_OP_UNLOCK`: as LOCK, then BAD_STATE if not locked.
    pub fn unlock(&self, offset: u64, len: u64) -> Result<(), Status> {
        self.check_lock_range(offset, len)?;
        let mut state = self.state();
        let node = state.node_mut(self.slot);
        if node.lock_count == 0 {
            return Err(Status::BAD_STATE);
        }
        node.lock_count -= 1;
        Ok(())
    }

    /// `zx_vmo_set_size` after the lookup and the RESIZE-right check. Errors, in order:
    /// OUT_OF_RANGE (rounding up overflows), UNAVAILABLE (not resizable), OUT_OF_RANGE
    /// (past the maximum size), INVALID_ARGS (a snapshot child whose offset in its
    /// family plus the size overflows), NO_MEMORY (the new last page is shared
    /// copy-on-write and cannot be copied to zero its tail; nothing changes). Shrinking
    /// releases the pages past the end;
    /// growing shows zeros. The bytes from `size` to the end of its page are zeroed
    /// and the content size becomes `size`.
    pub fn set_size(&self, size: u64) -> Result<(), Status> {
        let rounded = size
            .checked_next_multiple_of(PAGE)
            .ok_or(Status::OUT_OF_RANGE)?;
        let mut state = self.state();
        let node = state.node(self.slot);
        if !node.resizable {
            return Err(Status::UNAVAILABLE);
        }
        round_size(rounded)?;
        // Resizable VMOs are never slices.
        let family_offset = state.paged(self.slot).family_offset;
        if family_offset.checked_add(rounded).is_none() {
            return Err(Status::INVALID_ARGS);
        }
        let node = state.node(self.slot);
        let old = node.size;
        // The bytes from `size` to the end of its page read as zero afterwards. Inside
        // the old size they may sit in a page shared copy-on-write, which then needs a
        // copy: do that first, so running out of memory changes nothing (Zircon would
        // ignore the failure and leave the old bytes visible).
        if rounded > size && size < old && node.cache_policy == ZX_CACHE_POLICY_CACHED {
            state.zero_range(self.source(), self.slot, size, rounded - size)?;
        }
        if rounded < old {
            state.remove_pages(self.source(), self.slot, rounded / PAGE, old / PAGE);
        }
        let node = state.node_mut(self.slot);
        node.size = rounded;
        node.content_size = size;
        Ok(())
    }

    /// Sets `ZX_PROP_VMO_CONTENT_SIZE`. It may exceed the VMO's size (the VMO is not
    /// resized); a smaller one zeroes the VMO from it to the end. Zircon ignores a
    /// failure to zero (not cached, or NO_MEMORY), and so does this.
    pub fn set_content_size(&self, content_size: u64) {
        let mut state = self.state();
        let node = state.node_mut(self.slot);
        node.content_size = content_size;
        let size = node.size;
        if content_size < size && node.cache_policy == ZX_CACHE_POLICY_CACHED {
            let (target, base) = state.resolve(self.slot);
            let _ = state.zero_range(
                self.source(),
                target,
                base + content_size,
                size - content_size,
            );
        }
    }

    /// `zx_vmo_set_cache_policy` (the handle needs `ZX_RIGHT_MAP`). Errors, in order:
    /// INVALID_ARGS (not a policy: checked before the lookup too), BAD_STATE (pages
    /// committed under a policy other than CACHED; children; being a child). Leaving
    /// CACHED cleans and invalidates the committed pages first.
    pub fn set_cache_policy(&self, policy: u32) -> Result<(), Status> {
        if policy & !ZX_CACHE_POLICY_MASK != 0 {
            return Err(Status::INVALID_ARGS);
        }
        let src = self.source();
        let mut state = self.state();
        let node = state.node(self.slot);
        let current = node.cache_policy;
        if current != ZX_CACHE_POLICY_CACHED && state.attributed_pages(src, self.slot) != 0 {
            return Err(Status::BAD_STATE);
        }
        if node.children > 0 || node.parent.is_some() || self.mapping_count() > 0 {
            return Err(Status::BAD_STATE);
        }
        if current == ZX_CACHE_POLICY_CACHED && policy != ZX_CACHE_POLICY_CACHED {
            for (_, entry) in state.paged(self.slot).pages.iter() {
                src.cache_op(entry.page, 0, PAGE_SIZE, CacheOp::CleanInvalidate);
            }
        }
        state.node_mut(self.slot).cache_policy = policy;
        Ok(())
    }
}
