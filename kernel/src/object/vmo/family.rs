//! A family of VMOs: a root and every child made from it, behind one lock.
//!
//! # Model
//! A family is a slab of nodes. A node is either *paged* (a root or a snapshot child: it
//! holds a [`PageList`]) or a *slice* (a window onto a paged node, its *target*; nested
//! slices target the root of the chain directly). Each [`Vmo`](super::Vmo) names one
//! node; when it is dropped the node becomes *dead* but stays while it has children, so
//! a parent keeps counting a closed child that still has children of its own (Fuchsia's
//! `ZeroChildrenGrandchildClosedLast`).
//!
//! # Copy-on-write by shared pages
//! A snapshot copies the parent's page list for its range and takes a reference on each
//! page: from then on neither side sees the other's writes, because a write to a page
//! with more than one holder first replaces it with a private copy. There are no hidden
//! nodes: every node holds its own references, so closing any node releases exactly its
//! references, in any order.
//!
//! # Invariants (hold whenever the lock is free)
//! 1. A page's reference count is the number of page lists holding it plus the *pins*:
//!    temporary references taken by in-flight copies, each recorded on the slot it was
//!    taken through. So a slot's page is shared iff `ref_count - pins > 1` (a count
//!    only overestimates when a pinned page was since replaced: a harmless extra copy).
//! 2. All holders of one page hold it at the same *family index*
//!    (`family_offset / PAGE + index`): a snapshot at `offset` shifts both its indices
//!    and its family offset.
//! 3. Attribution: a slot counts toward its node's committed bytes iff it is `owned` or
//!    its page has no other holder. Every page held by two or more lists has exactly one
//!    owned slot: a snapshot marks the parent's unshared slots owned before sharing them,
//!    and a node giving up an owned page that others still hold hands the mark to the
//!    holder with the lowest koid. So each page counts exactly once.
//! 4. `slices` counts the live slices targeting a paged node; a dead node's pages are
//!    released once no slice needs them (`released`). A node is removed from the slab
//!    when it is dead and has no children.
//! 5. `writers` counts writes in flight into a paged node with the lock dropped. A
//!    snapshot of the node waits for zero, so it never shares a page mid-write.

use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;
use libzircon::prelude::*;
use libzircon::Status;

use super::pages::{Entry, PageList};
use super::{CacheOp, PageAddr, PageSource, PAGE};

pub(super) struct Paged {
    pub pages: PageList,
    /// Byte offset of this node's offset 0 in family coordinates (invariant 2).
    pub family_offset: u64,
    pub cow_clone: bool,
    pub slices: usize,
    pub released: bool,
    pub writers: usize,
}

pub(super) enum Kind {
    Paged(Paged),
    Slice { target: usize, offset: u64 },
}

pub(super) struct Node {
    pub koid: zx_koid_t,
    pub parent: Option<usize>,
    pub parent_koid: zx_koid_t,
    pub children: usize,
    pub alive: bool,
    /// Page-rounded size.
    pub size: u64,
    pub content_size: u64,
    pub resizable: bool,
    pub discardable: bool,
    pub cache_policy: u32,
    pub name: [u8; ZX_MAX_NAME_LEN],
    pub lock_count: u64,
    pub kind: Kind,
    /// Where this node's VMO signal changes go (ZX_VMO_ZERO_CHILDREN).
    pub signals: Arc<dyn super::SignalSink>,
}

#[derive(Default)]
pub(super) struct State {
    nodes: Vec<Option<Node>>,
    /// Free slots. Its capacity is kept at least `nodes.len()`, so freeing never
    /// allocates.
    free: Vec<usize>,
    /// Paged nodes whose pages are not released: more than one means copy-on-write
    /// sharing is possible, which DECOMMIT refuses (Fuchsia: "has a COW parent").
    pub holders: usize,
    /// Address spaces that map (or mapped) nodes of this family: told when pages leave
    /// a paged node, before those pages can be freed (invariant 6).
    pub observers: Vec<Weak<dyn MappingObserver>>,
    /// Identifies the family to observers: the root's koid (never reused).
    pub family_id: usize,
}

/// Something that may show a family's pages in page tables (an address space).
///
/// Invariant 6: whenever a page leaves a paged node's list (decommit, zero, shrink, a
/// copy-on-write copy replacing it), every observer hears of it, with the family lock
/// held, before the page's reference is dropped, so no page table keeps showing it.
/// An observer must not call back into this family.
pub trait MappingObserver: Send + Sync {
    /// Pages `[start, end)` (indices in paged node `node` of the family identified by
    /// `family`) left that node.
    fn pages_left(&self, family: usize, node: usize, start: u64, end: u64);
}

/// How many pages a batch of copies prepares per lock hold.
pub(super) const BATCH: usize = 16;

impl State {
    pub fn node(&self, slot: usize) -> &Node {
        self.nodes[slot].as_ref().expect("VMO node slot is live")
    }

    pub fn node_mut(&mut self, slot: usize) -> &mut Node {
        self.nodes[slot].as_mut().expect("VMO node slot is live")
    }

    pub fn paged(&self, slot: usize) -> &Paged {
        match &self.node(slot).kind {
            Kind::Paged(p) => p,
            Kind::Slice { .. } => unreachable!("slice where a paged node was expected"),
        }
    }

    pub fn paged_mut(&mut self, slot: usize) -> &mut Paged {
        match &mut self.node_mut(slot).kind {
            Kind::Paged(p) => p,
            Kind::Slice { .. } => unreachable!("slice where a paged node was expected"),
        }
    }

    /// The paged node whose pages `slot` shows, and the byte offset of `slot`'s
    /// offset 0 in it.
    pub fn resolve(&self, slot: usize) -> (usize, u64) {
        match self.node(slot).kind {
            Kind::Paged(_) => (slot, 0),
            Kind::Slice { target, offset } => (target, offset),
        }
    }

    /// Makes room for one node, so that [`State::insert_node`] cannot fail.
    pub fn reserve_node(&mut self) -> Result<(), Status> {
        if !self.free.is_empty() {
            return Ok(());
        }
        self.nodes.try_reserve(1).map_err(|_| Status::NO_MEMORY)?;
        let wanted = self.nodes.len() + 1;
        self.free
            .try_reserve(wanted.saturating_sub(self.free.len()))
            .map_err(|_| Status::NO_MEMORY)
    }

    pub fn insert_node(&mut self, node: Node) -> usize {
        if let Kind::Paged(_) = node.kind {
            self.holders += 1;
        }
        if let Some(parent) = node.parent {
            let parent = self.node_mut(parent);
            parent.children += 1;
            if parent.children == 1 {
                parent.signals.update(ZX_VMO_ZERO_CHILDREN, 0);
            }
        }
        match self.free.pop() {
            Some(slot) => {
                self.nodes[slot] = Some(node);
                slot
            }
            None => {
                self.nodes.push(Some(node));
                self.nodes.len() - 1
            }
        }
    }

    /// A page of `t` (a paged node) that may be written: committed (zero-filled) if
    /// absent, copied if shared. NO_MEMORY leaves `t` unchanged.
    pub fn page_for_write<S: PageSource>(
        &mut self,
        src: &S,
        t: usize,
        index: u64,
    ) -> Result<PageAddr, Status> {
        let paged = self.paged_mut(t);
        let Some(entry) = paged.pages.get(index) else {
            paged.pages.reserve(index)?;
            return match src.alloc_zeroed() {
                Ok(page) => {
                    paged.pages.insert(index, page, true);
                    // A mapping may show the zero page there.
                    self.tell_observers(t, index, index + 1);
                    Ok(page)
                }
                Err(status) => {
                    paged.pages.unreserve(index);
                    Err(status)
                }
            };
        };
        if !is_shared(src, &entry) {
            if !entry.owned {
                paged.pages.set_owned(index, true);
            }
            return Ok(entry.page);
        }
        let copy = src.alloc_copy(entry.page)?;
        paged.pages.replace(index, copy, true);
        let family_index = paged.family_offset / PAGE + index;
        self.tell_observers(t, index, index + 1);
        self.release_page(src, family_index, entry);
        Ok(copy)
    }

    /// Drops a list's reference to a page it no longer holds (invariant 3: passes the
    /// attribution on if others still hold it).
    pub fn release_page<S: PageSource>(&mut self, src: &S, family_index: u64, entry: Entry) {
        let others_hold = src.ref_count(entry.page) > 1;
        src.release(entry.page);
        if entry.owned && others_hold {
            self.pass_ownership(family_index, entry.page);
        }
    }

    fn pass_ownership(&mut self, family_index: u64, page: PageAddr) {
        let mut heir: Option<(zx_koid_t, usize, u64)> = None;
        for (slot, node) in self.nodes.iter().enumerate() {
            let Some(node) = node else { continue };
            let Kind::Paged(paged) = &node.kind else {
                continue;
            };
            let base = paged.family_offset / PAGE;
            if paged.released || family_index < base {
                continue;
            }
            let index = family_index - base;
            if paged.pages.get(index).map(|e| e.page) == Some(page)
                && heir.is_none_or(|(koid, _, _)| node.koid < koid)
            {
                heir = Some((node.koid, slot, index));
            }
        }
        if let Some((_, slot, index)) = heir {
            self.paged_mut(slot).pages.set_owned(index, true);
        }
    }

    /// Invariant 6: tells every live observer that `[start, end)` left node `t`, and
    /// forgets the dead ones.
    pub fn tell_observers(&mut self, t: usize, start: u64, end: u64) {
        if self.observers.is_empty() {
            return;
        }
        let family = self.family_id;
        self.observers.retain(|o| match o.upgrade() {
            Some(observer) => {
                observer.pages_left(family, t, start, end);
                true
            }
            None => false,
        });
    }

    /// Removes and releases `t`'s pages with indices in `[start, end)`.
    pub fn remove_pages<S: PageSource>(&mut self, src: &S, t: usize, start: u64, end: u64) {
        if start < end {
            self.tell_observers(t, start, end);
        }
        let mut from = start;
        loop {
            let paged = self.paged_mut(t);
            let Some((index, _)) = paged.pages.next_from(from) else {
                break;
            };
            if index >= end {
                break;
            }
            let entry = paged.pages.remove(index).expect("page just found");
            let family_index = paged.family_offset / PAGE + index;
            self.release_page(src, family_index, entry);
            from = index + 1;
        }
    }

    /// Releases every page of `t` for good (it is dead and no slice needs it).
    fn release_all<S: PageSource>(&mut self, src: &S, t: usize) {
        let paged = self.paged_mut(t);
        if paged.released {
            return;
        }
        paged.released = true;
        let pages = core::mem::take(&mut paged.pages);
        let base = paged.family_offset / PAGE;
        self.holders -= 1;
        for (index, entry) in pages.iter() {
            self.release_page(src, base + index, entry);
        }
    }

    /// Zeroes `len` bytes at `offset` of `t`, within one page: a committed page is made
    /// private and cleared; an absent page already reads as zero.
    pub fn zero_in_page<S: PageSource>(
        &mut self,
        src: &S,
        t: usize,
        offset: u64,
        len: usize,
    ) -> Result<(), Status> {
        let index = offset / PAGE;
        if self.paged(t).pages.get(index).is_none() {
            return Ok(());
        }
        let page = self.page_for_write(src, t, index)?;
        let start = (offset % PAGE) as usize;
        src.window(page).sub(start, len).fill(0);
        Ok(())
    }

    /// Zeroes `[offset, offset + len)` of `t`: partial pages byte-exactly, whole pages
    /// by dropping them (they then read as zero without holding memory).
    pub fn zero_range<S: PageSource>(
        &mut self,
        src: &S,
        t: usize,
        offset: u64,
        len: u64,
    ) -> Result<(), Status> {
        let end = offset + len;
        let mut start = offset;
        let mut stop = end;
        if !start.is_multiple_of(PAGE) {
            let page_end = (start / PAGE + 1) * PAGE;
            let head_end = page_end.min(end);
            self.zero_in_page(src, t, start, (head_end - start) as usize)?;
            start = head_end;
        }
        if stop > start && !stop.is_multiple_of(PAGE) {
            let tail_start = stop - stop % PAGE;
            self.zero_in_page(src, t, tail_start, (stop - tail_start) as usize)?;
            stop = tail_start;
        }
        if stop > start {
            self.remove_pages(src, t, start / PAGE, stop / PAGE);
        }
        Ok(())
    }

    /// Commits zero pages where `t` has none in `[start, end)` (page indices).
    pub fn commit_pages<S: PageSource>(
        &mut self,
        src: &S,
        t: usize,
        start: u64,
        end: u64,
    ) -> Result<(), Status> {
        for index in start..end {
            let paged = self.paged_mut(t);
            if paged.pages.get(index).is_some() {
                continue;
            }
            paged.pages.reserve(index)?;
            match src.alloc_zeroed() {
                Ok(page) => paged.pages.insert(index, page, true),
                Err(status) => {
                    paged.pages.unreserve(index);
                    return Err(status);
                }
            }
            self.tell_observers(t, index, index + 1);
        }
        Ok(())
    }

    /// Runs a cache operation over the committed pages behind `[offset, offset + len)`
    /// of `t`.
    pub fn cache_op<S: PageSource>(&self, src: &S, t: usize, offset: u64, len: u64, op: CacheOp) {
        let end = offset + len;
        let pages = &self.paged(t).pages;
        let mut from = offset / PAGE;
        while let Some((index, entry)) = pages.next_from(from) {
            let page_start = index * PAGE;
            if page_start >= end {
                break;
            }
            let start = offset.max(page_start);
            let stop = end.min(page_start + PAGE);
            src.cache_op(
                entry.page,
                (start - page_start) as usize,
                (stop - start) as usize,
                op,
            );
            from = index + 1;
        }
    }

    /// Pages attributed to `slot` (invariant 3); slices hold none.
    pub fn attributed_pages<S: PageSource>(&self, src: &S, slot: usize) -> u64 {
        match &self.node(slot).kind {
            Kind::Slice { .. } => 0,
            Kind::Paged(paged) => paged
                .pages
                .iter()
                .filter(|(_, e)| e.owned || !is_shared(src, e))
                .count() as u64,
        }
    }

    /// The family's share of the source's live pages: the sum of every node's
    /// attribution (invariant 3 says it equals the pages the family holds).
    #[cfg(test)]
    pub fn attributed_total<S: PageSource>(&self, src: &S) -> u64 {
        (0..self.nodes.len())
            .filter(|&slot| self.nodes[slot].is_some())
            .map(|slot| self.attributed_pages(src, slot))
            .sum()
    }

    /// Builds a snapshot's page list: `parent`'s pages in `[offset, offset + size)`,
    /// shared. On NO_MEMORY every reference taken is given back.
    pub fn share_range<S: PageSource>(
        &mut self,
        src: &S,
        parent: usize,
        offset: u64,
        size: u64,
    ) -> Result<PageList, Status> {
        let first = offset / PAGE;
        let end = offset.saturating_add(size).div_ceil(PAGE);
        let mut list = PageList::default();
        let pages = &mut self.paged_mut(parent).pages;
        let mut from = first;
        while let Some((index, entry)) = pages.next_from(from) {
            if index >= end {
                break;
            }
            if let Err(status) = list.reserve(index - first) {
                for (_, taken) in list.iter() {
                    src.release(taken.page);
                }
                return Err(status);
            }
            if !entry.owned && !is_shared(src, &entry) {
                pages.set_owned(index, true);
            }
            src.add_ref(entry.page);
            list.insert(index - first, entry.page, false);
            from = index + 1;
        }
        // The parent's pages are shared now: mappings that could write them must fault
        // again (and then copy).
        self.tell_observers(parent, first, end);
        Ok(list)
    }

    /// The VMO naming `slot` is gone: release what only it needed and remove the nodes
    /// nothing needs any more.
    pub fn drop_handle<S: PageSource>(&mut self, src: &S, slot: usize) {
        self.node_mut(slot).alive = false;
        match self.node(slot).kind {
            Kind::Paged(_) => {
                if self.paged(slot).slices == 0 {
                    self.release_all(src, slot);
                }
            }
            Kind::Slice { target, .. } => {
                let paged = self.paged_mut(target);
                paged.slices -= 1;
                if paged.slices == 0 && !self.node(target).alive {
                    self.release_all(src, target);
                }
            }
        }
        let mut current = slot;
        loop {
            let node = self.node(current);
            if node.alive || node.children > 0 {
                break;
            }
            let parent = node.parent;
            self.nodes[current] = None;
            // Cannot allocate: capacity is kept at least `nodes.len()`.
            self.free.push(current);
            let Some(parent) = parent else { break };
            let node = self.node_mut(parent);
            node.children -= 1;
            if node.children == 0 {
                node.signals.update(0, ZX_VMO_ZERO_CHILDREN);
            }
            current = parent;
        }
    }
}

/// Whether a slot's page has a holder other than this slot (invariant 1).
pub(super) fn is_shared<S: PageSource>(src: &S, entry: &Entry) -> bool {
    src.ref_count(entry.page).saturating_sub(entry.pins) > 1
}
