//! `zx_vmar_allocate` and `zx_vmar_map` on the tree, and the checks and placement
//! they share (Zircon's `CreateSubVmarInternal`).

use alloc::vec::Vec;
use libzircon::prelude::*;
use libzircon::Status;

use super::node::{Child, Mapping, Spot, SubRegion, VmarNode};
use super::options::{can_map_bits, perms_allowed_by, MapOptions, CAN_MAP_RWX};
use super::{
    next_serial, reserve, AddressRegionTree, Mapped, VmOptions, VmarId, PAGE_SIZE, REGION_FLAGS,
};

impl<M: Clone> AddressRegionTree<M> {
    /// `zx_vmar_allocate` after the handle lookup (whose rights follow the
    /// `CAN_MAP_*` bits asked for). Returns the new VMAR; its base is
    /// [`VmarId::base`]. Errors, in Zircon's order:
    /// - INVALID_ARGS: an unknown option bit or bad alignment exponent; any
    ///   `ZX_VM_PERM_*`; `size` not page-aligned; an option that is not for VMARs
    ///   (SPECIFIC_OVERWRITE, REQUIRE_NON_RESIZABLE, ALLOW_FAULTS);
    /// - BAD_STATE: `parent` is destroyed;
    /// - INVALID_ARGS: `size` is 0;
    /// - ACCESS_DENIED: a `CAN_MAP_*` the parent lacks;
    /// - INVALID_ARGS: SPECIFIC with OFFSET_IS_UPPER_LIMIT; a non-zero `offset`
    ///   without either; `offset` not page-aligned;
    /// - ACCESS_DENIED: SPECIFIC or OFFSET_IS_UPPER_LIMIT where the parent lacks
    ///   `CAN_MAP_SPECIFIC`;
    /// - INVALID_ARGS: the range does not fit in the parent; a SPECIFIC base that
    ///   misses the alignment asked for;
    /// - ALREADY_EXISTS: SPECIFIC over a mapping or sub-VMAR;
    /// - NO_RESOURCES: no free spot;
    /// - NO_MEMORY.
    pub fn allocate(
        &mut self,
        parent: VmarId,
        options: u32,
        offset: usize,
        size: usize,
    ) -> Result<VmarId, Status> {
        let split = VmOptions::split(options)?;
        if split.perms != 0 || !size.is_multiple_of(PAGE_SIZE) {
            return Err(Status::INVALID_ARGS);
        }
        let allowed = REGION_FLAGS | ZX_VM_SPECIFIC | ZX_VM_OFFSET_IS_UPPER_LIMIT;
        if split.flags & !allowed != 0 {
            return Err(Status::INVALID_ARGS);
        }
        let spot = self.claim(
            parent,
            split.flags,
            split.flags & CAN_MAP_RWX,
            offset,
            size,
            split.align_pow2,
        )?;
        let base = match spot {
            Spot::Free(base) => base,
            Spot::Overwrite(_) => return Err(Status::ALREADY_EXISTS),
        };
        reserve(&mut self.subregions, 1)?;
        self.live_mut(parent)?.reserve(1)?;
        let id = VmarId {
            serial: next_serial(),
            base,
            size,
            flags: split.flags & REGION_FLAGS,
        };
        self.live_mut(parent)?.insert(Child::Region(SubRegion {
            serial: id.serial,
            base,
            size,
        }));
        // Serials only grow, so pushing keeps the vector sorted.
        self.subregions.push(VmarNode::new(id, Some(parent.serial)));
        Ok(id)
    }

    /// `zx_vmar_map` after the handle lookups, the option word's checks
    /// ([`MapOptions::check`], steps 5–9 of digest 3.13) and the VMO's (steps 10–11):
    /// Zircon's `CreateVmMapping`. `len` is rounded up to whole pages. Errors, in
    /// Zircon's order:
    /// - INVALID_ARGS: COMPACT or CAN_MAP_SPECIFIC;
    /// - ACCESS_DENIED: permissions the VMAR's `CAN_MAP_*` flags do not allow;
    /// - INVALID_ARGS: `vmo_offset` not page-aligned;
    /// - OUT_OF_RANGE: `len` overflows when rounded up, or `vmo_offset + len` does;
    /// - BAD_STATE: the VMAR is destroyed;
    /// - then as [`allocate`](Self::allocate) from "size is 0" on, except that
    ///   SPECIFIC_OVERWRITE over a range that touches a sub-VMAR is INVALID_ARGS
    ///   (mappings in its way are replaced, and returned in [`Mapped::replaced`]).
    pub fn create_mapping(
        &mut self,
        vmar: VmarId,
        options: &MapOptions,
        vmar_offset: usize,
        len: usize,
        object: M,
        vmo_offset: u64,
    ) -> Result<Mapped<M>, Status> {
        let perms = options.perms;
        let max_perms = options.max_perms;
        let flags = options.flags & !(ZX_VM_REQUIRE_NON_RESIZABLE | ZX_VM_ALLOW_FAULTS);
        let placement = ZX_VM_SPECIFIC | ZX_VM_SPECIFIC_OVERWRITE | ZX_VM_OFFSET_IS_UPPER_LIMIT;
        if flags & !placement != 0 {
            return Err(Status::INVALID_ARGS);
        }
        let allowed = perms_allowed_by(vmar.flags);
        if perms & !allowed != 0 {
            return Err(Status::ACCESS_DENIED);
        }
        if !vmo_offset.is_multiple_of(PAGE_SIZE as u64) {
            return Err(Status::INVALID_ARGS);
        }
        let len = len
            .checked_next_multiple_of(PAGE_SIZE)
            .ok_or(Status::OUT_OF_RANGE)?;
        if vmo_offset.checked_add(len as u64).is_none() {
            return Err(Status::OUT_OF_RANGE);
        }
        let max_perms = (max_perms & allowed) | perms;
        let spot = self.claim(
            vmar,
            flags,
            can_map_bits(max_perms),
            vmar_offset,
            len,
            options.align_pow2,
        )?;
        let (base, overwrite) = match spot {
            Spot::Free(base) => (base, false),
            Spot::Overwrite(base) => (base, true),
        };
        let mapping = Mapping {
            base,
            len,
            object,
            vmo_offset,
            perms,
            max_perms,
        };
        let mut replaced = Vec::new();
        let node = self.live_mut(vmar)?;
        if overwrite {
            let end = base + len;
            let in_way = node.overlapping(base, end);
            let mut splits_one = false;
            for child in &node.children[in_way.clone()] {
                match child {
                    Child::Region(_) => return Err(Status::INVALID_ARGS),
                    Child::Mapping(m) => splits_one |= m.base < base && m.end() > end,
                }
            }
            reserve(&mut replaced, in_way.len())?;
            node.reserve(1 + usize::from(splits_one))?;
            node.cut(base, end, &mut replaced);
        } else {
            node.reserve(1)?;
        }
        node.insert(Child::Mapping(mapping));
        Ok(Mapped {
            base,
            len,
            replaced,
        })
    }

    /// Zircon's `CreateSubVmarInternal` checks and placement, shared by allocate and
    /// map. `child_can_map` holds the `CAN_MAP_*` bits the new child would have.
    fn claim(
        &mut self,
        parent: VmarId,
        flags: u32,
        child_can_map: u32,
        offset: usize,
        size: usize,
        align_pow2: u8,
    ) -> Result<Spot, Status> {
        let mut rng = self.aslr;
        let node = self.live(parent)?;
        if size == 0 {
            return Err(Status::INVALID_ARGS);
        }
        if child_can_map & !parent.flags & CAN_MAP_RWX != 0 {
            return Err(Status::ACCESS_DENIED);
        }
        let overwrite = flags & ZX_VM_SPECIFIC_OVERWRITE != 0;
        let specific = flags & ZX_VM_SPECIFIC != 0 || overwrite;
        let upper_limit = flags & ZX_VM_OFFSET_IS_UPPER_LIMIT != 0;
        if (specific && upper_limit)
            || (!specific && !upper_limit && offset != 0)
            || !offset.is_multiple_of(PAGE_SIZE)
        {
            return Err(Status::INVALID_ARGS);
        }
        if (specific || upper_limit) && parent.flags & ZX_VM_CAN_MAP_SPECIFIC == 0 {
            return Err(Status::ACCESS_DENIED);
        }
        let room = parent.size;
        let fits = if upper_limit {
            offset <= room && size <= offset
        } else {
            offset < room && size <= room - offset
        };
        if !fits {
            return Err(Status::INVALID_ARGS);
        }
        if specific {
            let base = parent.base + offset;
            if align_pow2 > 0 && base & ((1usize << align_pow2) - 1) != 0 {
                return Err(Status::INVALID_ARGS);
            }
            return if node.overlapping(base, base + size).is_empty() {
                Ok(Spot::Free(base))
            } else if overwrite {
                Ok(Spot::Overwrite(base))
            } else {
                Err(Status::ALREADY_EXISTS)
            };
        }
        let limit = if upper_limit {
            parent.base + offset
        } else {
            parent.end()
        };
        let base = node.pick_spot(size, align_pow2, limit, rng.as_mut())?;
        self.aslr = rng;
        Ok(Spot::Free(base))
    }
}
