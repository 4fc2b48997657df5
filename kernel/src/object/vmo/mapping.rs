//! What address spaces need from a VMO: to be told when pages leave it (coherence),
//! where a mapping's pages live in the family, and a page to map on a fault.

use alloc::sync::Weak;
use core::sync::atomic::Ordering;
use libzircon::Status;

use super::family::{is_shared, Kind, MappingObserver};
use super::{PageAddr, PageSource, Vmo, PAGE};

/// Where the pages a VMO shows live: paged node `node` of family `family`, from byte
/// `base` of it (a slice's window; 0 otherwise). Observers match against this.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MappingTarget {
    pub family: usize,
    pub node: usize,
    pub base: u64,
}

/// The page a fault should map.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultPage {
    /// This page; `writable` is false when it is shared copy-on-write (a write must
    /// fault again and copy it).
    Page { page: PageAddr, writable: bool },
    /// Nothing is committed there: map the zero page read-only.
    Zero,
}

impl<S: PageSource> Vmo<S> {
    /// Registers an address space to be told when pages leave this VMO's family.
    pub fn add_observer(&self, observer: Weak<dyn MappingObserver>) -> Result<(), Status> {
        let mut state = self.state();
        if state.observers.iter().any(|o| o.ptr_eq(&observer)) {
            return Ok(());
        }
        state
            .observers
            .try_reserve(1)
            .map_err(|_| Status::NO_MEMORY)?;
        state.observers.push(observer);
        Ok(())
    }

    pub fn mapping_target(&self) -> MappingTarget {
        let state = self.state();
        let (node, base) = state.resolve(self.slot);
        MappingTarget {
            family: state.family_id,
            node,
            base,
        }
    }

    /// Resolves a fault at byte `offset` of this VMO, then calls `map` with the page and
    /// the VMO's cache policy while the family lock is held, so no coherence
    /// notification can slip between finding the page and mapping it. A write commits
    /// (or copies) the page; a read maps what is there, or the zero page. OUT_OF_RANGE
    /// past the VMO's end; NO_MEMORY if a write needs a page it cannot get.
    pub fn fault<R>(
        &self,
        offset: u64,
        write: bool,
        map: impl FnOnce(FaultPage, u32) -> R,
    ) -> Result<R, Status> {
        let mut state = self.state();
        let node = state.node(self.slot);
        if offset >= node.size {
            return Err(Status::OUT_OF_RANGE);
        }
        let policy = node.cache_policy;
        let (target, base) = state.resolve(self.slot);
        let index = (base + offset) / PAGE;
        let page = if write {
            let page = state.page_for_write(self.source(), target, index)?;
            FaultPage::Page {
                page,
                writable: true,
            }
        } else {
            match state.paged(target).pages.get(index) {
                Some(entry) => FaultPage::Page {
                    page: entry.page,
                    writable: !is_shared(self.source(), &entry),
                },
                None => FaultPage::Zero,
            }
        };
        debug_assert!(matches!(state.node(target).kind, Kind::Paged(_)));
        Ok(map(page, policy))
    }
}

impl<S: PageSource> Vmo<S> {
    /// The offset of the first page at `offset` or after it, and before `end` (and the
    /// VMO's size), that holds content: what ZX_VM_MAP_RANGE puts in the page tables.
    pub fn next_present(&self, offset: u64, end: u64) -> Option<u64> {
        let state = self.state();
        let end = end.min(state.node(self.slot).size);
        if offset >= end {
            return None;
        }
        let (target, base) = state.resolve(self.slot);
        let (index, _) = state
            .paged(target)
            .pages
            .next_from((base + offset) / PAGE)?;
        let at = (index * PAGE).checked_sub(base)?;
        (at < end).then_some(at)
    }
}

impl<S: PageSource> Vmo<S> {
    /// A mapping of this VMO was made (or split in two).
    pub fn mapping_added(&self) {
        self.mappings.fetch_add(1, Ordering::Relaxed);
    }

    /// A mapping of this VMO went away.
    pub fn mapping_removed(&self) {
        self.mappings.fetch_sub(1, Ordering::Relaxed);
    }

    /// How many mappings show this VMO (ZX_INFO_VMO's num_mappings).
    pub fn mapping_count(&self) -> usize {
        self.mappings.load(Ordering::Relaxed)
    }
}
