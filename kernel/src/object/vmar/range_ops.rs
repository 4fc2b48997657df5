//! `zx_vmar_unmap`, `zx_vmar_protect` and `zx_vmar_destroy` on the tree.
//!
//! Each checks everything first, then reserves every vector slot it will need, and
//! only then changes the tree: an error, NO_MEMORY included, changes nothing.
//!
//! A VMAR's descendants are found without walking the tree: they are exactly the live
//! sub-VMARs with a higher serial whose range lies inside it (a VMAR made later inside
//! another's range can only have been made inside it, and ancestors, which may share
//! the range, have lower serials).

use alloc::vec::Vec;
use libzircon::Status;

use super::node::{Child, Mapping, VmarNode};
use super::options::{is_valid_protection, Perms, VmOptions};
use super::{reserve, AddressRegionTree, PermChange, VmarId, PAGE_SIZE};

/// Zircon's rounding of unmap and protect lengths: up to whole pages, and a length
/// that rounds to 0 (or past the top) is INVALID_ARGS.
fn round_len(len: usize) -> Result<usize, Status> {
    match len.checked_next_multiple_of(PAGE_SIZE) {
        Some(rounded) if rounded > 0 => Ok(rounded),
        _ => Err(Status::INVALID_ARGS),
    }
}

/// Whether `node` is one of the VMARs a removal of `[lo, hi)` from a VMAR whose
/// descendants have serials from `min_serial` takes away.
fn doomed<M>(node: &VmarNode<M>, min_serial: u64, lo: usize, hi: usize) -> bool {
    node.id.serial >= min_serial && lo <= node.id.base() && node.id.end() <= hi
}

impl<M: Clone> AddressRegionTree<M> {
    /// `zx_vmar_unmap`. `op_children` says whether the handle has
    /// `ZX_RIGHT_OP_CHILDREN`: without it, a range that holds a sub-VMAR is refused.
    /// Returns the removed mappings (or parts), by address; sub-VMARs wholly in the
    /// range are destroyed and their mappings returned too. Holes are fine. Errors, in
    /// Zircon's order:
    /// - INVALID_ARGS: `addr` not page-aligned; `len` rounds up to 0;
    /// - BAD_STATE: the VMAR is destroyed;
    /// - INVALID_ARGS: the range is not inside the VMAR; it cuts through a sub-VMAR,
    ///   or holds one and `op_children` is false;
    /// - NO_MEMORY.
    pub fn unmap(
        &mut self,
        vmar: VmarId,
        addr: usize,
        len: usize,
        op_children: bool,
    ) -> Result<Vec<Mapping<M>>, Status> {
        if !addr.is_multiple_of(PAGE_SIZE) {
            return Err(Status::INVALID_ARGS);
        }
        let len = round_len(len)?;
        let node = self.live(vmar)?;
        if !vmar.contains_range(addr, len) {
            return Err(Status::INVALID_ARGS);
        }
        let end = addr + len;
        let overlapping = node.overlapping(addr, end);
        let mut count = 0;
        let mut splits_one = false;
        let mut regions = false;
        for child in &node.children[overlapping] {
            match child {
                Child::Region(r) => {
                    if r.base < addr || r.base + r.size > end || !op_children {
                        return Err(Status::INVALID_ARGS);
                    }
                    regions = true;
                }
                Child::Mapping(m) => {
                    count += 1;
                    splits_one |= m.base < addr && m.end() > end;
                }
            }
        }
        let min_serial = vmar.serial + 1;
        if regions {
            count += self.subtree_mapping_count(min_serial, addr, end);
        }
        let mut removed = Vec::new();
        reserve(&mut removed, count)?;
        if splits_one {
            self.live_mut(vmar)?.reserve(1)?;
        }
        if regions {
            self.take_subtrees(min_serial, addr, end, &mut removed);
            self.live_mut(vmar)?.children.retain(|c| match c {
                Child::Region(r) => r.base + r.size <= addr || r.base >= end,
                Child::Mapping(_) => true,
            });
        }
        self.live_mut(vmar)?.cut(addr, end, &mut removed);
        removed.sort_unstable_by_key(|m| m.base);
        Ok(removed)
    }

    /// `zx_vmar_protect` after the handle lookup (whose rights follow the permissions
    /// asked for). `op_children` says whether the handle has `ZX_RIGHT_OP_CHILDREN`.
    /// Mappings in sub-VMARs may only lose permissions this way. Returns the ranges
    /// whose permissions changed, by address (unchanged mappings are left whole).
    /// Errors, in Zircon's order:
    /// - INVALID_ARGS: write or execute without read; `addr` not page-aligned; an
    ///   unknown option bit, a non-permission option or an alignment; `len` rounds
    ///   up to 0;
    /// - BAD_STATE: the VMAR is destroyed;
    /// - INVALID_ARGS: the range is not inside the VMAR;
    /// - then, mapping by mapping in address order: NOT_FOUND for a gap before it;
    ///   ACCESS_DENIED beyond its maximum permissions; INVALID_ARGS if it is in a
    ///   sub-VMAR and `op_children` is false; ACCESS_DENIED if it is in a sub-VMAR and
    ///   would gain a permission;
    /// - NOT_FOUND: a gap at the end;
    /// - NO_MEMORY.
    pub fn protect(
        &mut self,
        vmar: VmarId,
        options: u32,
        addr: usize,
        len: usize,
        op_children: bool,
    ) -> Result<Vec<PermChange>, Status> {
        if !is_valid_protection(options) || !addr.is_multiple_of(PAGE_SIZE) {
            return Err(Status::INVALID_ARGS);
        }
        let split = VmOptions::split(options)?;
        if split.flags != 0 || split.align_pow2 != 0 {
            return Err(Status::INVALID_ARGS);
        }
        let new = split.perms;
        let len = round_len(len)?;
        self.live(vmar)?;
        if !vmar.contains_range(addr, len) {
            return Err(Status::INVALID_ARGS);
        }
        let end = addr + len;
        let top = vmar.serial;

        let mut expected = addr;
        let mut changing = 0;
        while let Some((owner, index)) = self.next_mapping(top, expected, end) {
            let m = self.mapping_at(owner, index);
            if m.base > expected {
                return Err(Status::NOT_FOUND);
            }
            if new & !m.max_perms != 0 {
                return Err(Status::ACCESS_DENIED);
            }
            if owner != top {
                if !op_children {
                    return Err(Status::INVALID_ARGS);
                }
                if new & !m.perms != 0 {
                    return Err(Status::ACCESS_DENIED);
                }
            }
            changing += usize::from(m.perms != new);
            expected = m.end();
        }
        if expected < end {
            return Err(Status::NOT_FOUND);
        }

        // Only a mapping whose permissions change is split at the range's edges.
        let split_low = self.straddler(top, addr, new);
        let split_high = self.straddler(top, end, new);
        let mut changes = Vec::new();
        reserve(&mut changes, changing)?;
        match (split_low, split_high) {
            (Some(a), Some(b)) if a == b => self.node_mut(a).map_or(Ok(()), |n| n.reserve(2))?,
            _ => {
                for owner in [split_low, split_high].into_iter().flatten() {
                    self.node_mut(owner).map_or(Ok(()), |n| n.reserve(1))?;
                }
            }
        }
        if split_low.is_some() {
            self.split_at(top, addr);
        }
        if split_high.is_some() {
            self.split_at(top, end);
        }

        let mut cursor = addr;
        while let Some((owner, index)) = self.next_mapping(top, cursor, end) {
            let m = self.mapping_at_mut(owner, index);
            if m.perms != new {
                changes.push(PermChange {
                    base: m.base,
                    len: m.len,
                    old: m.perms,
                    new,
                });
                m.perms = new;
            }
            cursor = m.end();
        }
        Ok(changes)
    }

    /// `zx_vmar_destroy` after the handle lookup (which needs
    /// `ZX_RIGHT_OP_CHILDREN`): removes the VMAR's mappings and destroys it and its
    /// descendants; their ids answer BAD_STATE from now on. Returns the removed
    /// mappings, by address. Errors, in Zircon's order:
    /// - NOT_SUPPORTED: `vmar` is the root;
    /// - BAD_STATE: it is already destroyed;
    /// - NO_MEMORY.
    pub fn destroy(&mut self, vmar: VmarId) -> Result<Vec<Mapping<M>>, Status> {
        if vmar.serial == self.root.id.serial {
            return Err(Status::NOT_SUPPORTED);
        }
        let parent = self.live(vmar)?.parent.ok_or(Status::BAD_STATE)?;
        let count = self.subtree_mapping_count(vmar.serial, vmar.base, vmar.end());
        let mut removed = Vec::new();
        reserve(&mut removed, count)?;
        if let Some(node) = self.node_mut(parent) {
            if let Some(index) = node.region_index(vmar.serial, vmar.base) {
                node.children.remove(index);
            }
        }
        self.take_subtrees(vmar.serial, vmar.base, vmar.end(), &mut removed);
        removed.sort_unstable_by_key(|m| m.base);
        Ok(removed)
    }

    /// How many mappings the doomed VMARs (see [`doomed`]) hold.
    fn subtree_mapping_count(&self, min_serial: u64, lo: usize, hi: usize) -> usize {
        let first = self
            .subregions
            .partition_point(|n| n.id.serial < min_serial);
        self.subregions[first..]
            .iter()
            .filter(|n| doomed(n, min_serial, lo, hi))
            .map(|n| n.children.iter().filter(|c| c.mapping().is_some()).count())
            .sum()
    }

    /// Destroys the doomed VMARs, moving their mappings to `out` (which has room).
    /// Their parents' child entries are the caller's to remove.
    fn take_subtrees(&mut self, min_serial: u64, lo: usize, hi: usize, out: &mut Vec<Mapping<M>>) {
        let first = self
            .subregions
            .partition_point(|n| n.id.serial < min_serial);
        for node in &mut self.subregions[first..] {
            if doomed(node, min_serial, lo, hi) {
                out.extend(node.children.drain(..).filter_map(|c| match c {
                    Child::Mapping(m) => Some(m),
                    Child::Region(_) => None,
                }));
            }
        }
        self.subregions.retain(|n| !doomed(n, min_serial, lo, hi));
    }

    /// The owner of the mapping in `top` that `at` cuts (`base < at < end`), if its
    /// permissions are not already `new`.
    fn straddler(&self, top: u64, at: usize, new: Perms) -> Option<u64> {
        let (owner, index) = self.locate(top, at)?;
        let m = self.mapping_at(owner, index);
        (m.base < at && m.perms != new).then_some(owner)
    }

    /// Splits the mapping in `top` that `at` cuts; its owner has room.
    fn split_at(&mut self, top: u64, at: usize) {
        let Some((owner, index)) = self.locate(top, at) else {
            return;
        };
        let upper = self.mapping_at_mut(owner, index).split_off(at);
        if let Some(node) = self.node_mut(owner) {
            node.children.insert(index + 1, Child::Mapping(upper));
        }
    }
}
