//! One VMAR's own bookkeeping: its children (sub-VMARs and mappings) in a vector sorted
//! by base address, the lookups over it, and the choice of a free spot.
//!
//! Children never overlap, so their ends are sorted too and every lookup is a binary
//! search. Inserting is O(n) (a move of the tail); n is the number of children of one
//! VMAR, and the vector's growth goes through `try_reserve`.

use alloc::vec::Vec;
use core::ops::Range;
use libzircon::Status;

use super::options::Perms;
use super::{reserve, VmarId, PAGE_SIZE};

/// A mapping: `len` bytes at `base` show the object from byte `vmo_offset` on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mapping<M> {
    pub base: usize,
    pub len: usize,
    pub object: M,
    pub vmo_offset: u64,
    /// The permissions now (`ZX_VM_PERM_*`).
    pub perms: Perms,
    /// The most `zx_vmar_protect` may give it: what the VMO and VMAR handles allowed
    /// when it was made.
    pub max_perms: Perms,
}

impl<M> Mapping<M> {
    pub fn end(&self) -> usize {
        self.base + self.len
    }

    #[cfg(test)]
    pub fn range(&self) -> Range<usize> {
        self.base..self.end()
    }

    #[cfg(test)]
    pub fn contains(&self, addr: usize) -> bool {
        self.base <= addr && addr < self.end()
    }

    /// The byte of the object that address `addr` (inside the mapping) shows.
    pub fn vmo_offset_of(&self, addr: usize) -> u64 {
        self.vmo_offset + (addr - self.base) as u64
    }

    /// The addresses that show bytes `vmo` of the object, if any do.
    pub fn addresses_of(&self, vmo: Range<u64>) -> Option<Range<usize>> {
        let end = self.vmo_offset + self.len as u64;
        let start = vmo.start.max(self.vmo_offset);
        let stop = vmo.end.min(end);
        (start < stop).then(|| {
            let first = self.base + (start - self.vmo_offset) as usize;
            first..first + (stop - start) as usize
        })
    }
}

impl<M: Clone> Mapping<M> {
    /// Cuts the mapping at `at` (strictly inside it): `self` keeps the part below, the
    /// part from `at` on is returned.
    pub(super) fn split_off(&mut self, at: usize) -> Mapping<M> {
        debug_assert!(self.base < at && at < self.end());
        let tail = Mapping {
            base: at,
            len: self.end() - at,
            object: self.object.clone(),
            vmo_offset: self.vmo_offset_of(at),
            perms: self.perms,
            max_perms: self.max_perms,
        };
        self.len = at - self.base;
        tail
    }
}

/// A sub-VMAR as its parent sees it.
#[derive(Clone, Copy, Debug)]
pub(super) struct SubRegion {
    pub serial: u64,
    pub base: usize,
    pub size: usize,
}

/// What a VMAR holds directly.
#[derive(Debug)]
pub(super) enum Child<M> {
    Region(SubRegion),
    Mapping(Mapping<M>),
}

impl<M> Child<M> {
    pub fn base(&self) -> usize {
        match self {
            Child::Region(r) => r.base,
            Child::Mapping(m) => m.base,
        }
    }

    pub fn end(&self) -> usize {
        match self {
            Child::Region(r) => r.base + r.size,
            Child::Mapping(m) => m.end(),
        }
    }

    pub fn mapping(&self) -> Option<&Mapping<M>> {
        match self {
            Child::Mapping(m) => Some(m),
            Child::Region(_) => None,
        }
    }
}

/// A live VMAR.
pub(super) struct VmarNode<M> {
    pub id: VmarId,
    /// The parent's serial; none for the root.
    pub parent: Option<u64>,
    /// Sorted by base; never overlapping; all inside `id`'s range.
    pub children: Vec<Child<M>>,
}

/// Where a new child goes, once the checks passed.
pub(super) enum Spot {
    /// A free range at this base.
    Free(usize),
    /// SPECIFIC_OVERWRITE over this base: existing mappings in the range go.
    Overwrite(usize),
}

/// Zircon's default ASLR entropy (`aslr.entropy_bits`), and its default for COMPACT
/// VMARs (`aslr.compact_entropy_bits`): placement picks among this many of the lowest
/// candidate positions.
const ENTROPY_BITS: u32 = 30;
const COMPACT_ENTROPY_BITS: u32 = 8;

impl<M> VmarNode<M> {
    pub fn new(id: VmarId, parent: Option<u64>) -> Self {
        VmarNode {
            id,
            parent,
            children: Vec::new(),
        }
    }

    /// Index of the first child that ends after `addr`.
    pub fn first_ending_after(&self, addr: usize) -> usize {
        self.children.partition_point(|c| c.end() <= addr)
    }

    /// Indices of the children that overlap `[start, end)`.
    pub fn overlapping(&self, start: usize, end: usize) -> Range<usize> {
        let first = self.first_ending_after(start);
        let stop = self.children.partition_point(|c| c.base() < end);
        first..stop.max(first)
    }

    /// Inserts `child` in order. The caller reserved room and checked it overlaps
    /// nothing.
    pub fn insert(&mut self, child: Child<M>) {
        let at = self.children.partition_point(|c| c.base() < child.base());
        debug_assert!(self.children.len() < self.children.capacity());
        self.children.insert(at, child);
    }

    /// Makes room for `additional` more children.
    pub fn reserve(&mut self, additional: usize) -> Result<(), Status> {
        reserve(&mut self.children, additional)
    }

    /// The child index of sub-VMAR `serial` at `base`.
    pub fn region_index(&self, serial: u64, base: usize) -> Option<usize> {
        let at = self.children.partition_point(|c| c.base() < base);
        match self.children.get(at) {
            Some(Child::Region(r)) if r.serial == serial => Some(at),
            _ => None,
        }
    }

    /// Calls `f` with each free range `[start, end)` between the children, within
    /// `[self.base, limit)`, lowest first; stops when `f` returns true.
    fn for_each_gap(&self, limit: usize, mut f: impl FnMut(usize, usize) -> bool) {
        let limit = limit.min(self.id.end());
        let mut free_from = self.id.base();
        for child in &self.children {
            if child.base() >= limit {
                break;
            }
            if child.base() > free_from && f(free_from, child.base()) {
                return;
            }
            free_from = free_from.max(child.end());
        }
        if free_from < limit {
            f(free_from, limit);
        }
    }

    /// A free, aligned spot for `size` bytes that ends at or below `limit`.
    ///
    /// Zircon's allocator: the candidates are the aligned positions in the gaps,
    /// lowest first; without ASLR the lowest is taken, with it one chosen uniformly
    /// among the lowest 2^entropy candidates (fewer bits in a COMPACT VMAR, so its
    /// children stay close). NO_RESOURCES when nothing fits.
    pub fn pick_spot(
        &self,
        size: usize,
        align_pow2: u8,
        limit: usize,
        rng: Option<&mut u64>,
    ) -> Result<usize, Status> {
        let align = 1usize << (align_pow2 as u32).max(PAGE_SIZE.trailing_zeros());
        let mut candidates: u64 = 0;
        self.for_each_gap(limit, |start, end| {
            candidates += spots_in_gap(start, end, size, align).1;
            false
        });
        if candidates == 0 {
            return Err(Status::NO_RESOURCES);
        }
        // Only the root VMAR randomizes placement: a program that carves out a
        // sub-VMAR lays it out itself, and random spots would fragment a region sized
        // to fit what it will hold exactly.
        let rng = if self.parent.is_none() { rng } else { None };
        let mut index = match rng {
            None => 0,
            Some(state) => {
                let bits = if self.id.flags() & libzircon::prelude::ZX_VM_COMPACT != 0 {
                    COMPACT_ENTROPY_BITS
                } else {
                    ENTROPY_BITS
                };
                splitmix(state) % candidates.min(1 << bits)
            }
        };
        let mut spot = None;
        self.for_each_gap(limit, |start, end| {
            let (first, count) = spots_in_gap(start, end, size, align);
            if index < count {
                spot = Some(first + index as usize * align);
                return true;
            }
            index -= count;
            false
        });
        spot.ok_or(Status::NO_RESOURCES)
    }
}

/// The first aligned position for `size` bytes in `[start, end)`, and how many there
/// are.
fn spots_in_gap(start: usize, end: usize, size: usize, align: usize) -> (usize, u64) {
    match start.checked_next_multiple_of(align) {
        Some(first) if first <= end && end - first >= size => {
            (first, ((end - first - size) / align) as u64 + 1)
        }
        _ => (0, 0),
    }
}

/// SplitMix64: a small, fast generator for placement (not for cryptography).
pub(super) fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl<M: Clone> VmarNode<M> {
    /// Takes `[start, end)` out of the mappings among the children, splitting those
    /// that cross its edges, and appends the removed parts to `out` by address. The
    /// caller checked that no sub-VMAR overlaps the range and reserved room: one more
    /// child if a single mapping spans the whole range, and one slot in `out` per
    /// overlapping mapping.
    pub fn cut(&mut self, start: usize, end: usize, out: &mut Vec<Mapping<M>>) {
        let overlapping = self.overlapping(start, end);
        let first_out = out.len();
        // Back to front, so the indices still to visit stay put.
        for index in overlapping.rev() {
            let Child::Mapping(m) = &mut self.children[index] else {
                unreachable!("no sub-VMAR in a cut range");
            };
            if m.base < start && m.end() > end {
                let above = m.split_off(end);
                out.push(m.split_off(start));
                self.children.insert(index + 1, Child::Mapping(above));
            } else if m.base < start {
                out.push(m.split_off(start));
            } else if m.end() > end {
                let above = m.split_off(end);
                out.push(core::mem::replace(m, above));
            } else if let Child::Mapping(m) = self.children.remove(index) {
                out.push(m);
            }
        }
        out[first_out..].reverse();
    }
}
