//! Virtual memory address regions: the bookkeeping of one address space.
//!
//! An [`AddressRegionTree`] holds a root VMAR, its sub-VMARs (`zx_vmar_allocate`) and
//! their mappings (`zx_vmar_map`), with Zircon's semantics and its errors in its order
//! (digest sections 3.13–3.15; `vm_address_region.cc` and
//! `vm_address_region_dispatcher.cc` in Fuchsia). It knows nothing of page tables or
//! VMOs: a mapping maps some `M` (the kernel's `Arc` of its VMO type; a small `Clone`
//! type in the tests), and every operation that takes pages away or changes their
//! permissions returns the pieces it changed, for the caller to unmap or re-protect.
//!
//! **Locking.** The tree has no lock of its own: methods that change it take
//! `&mut self`. The kernel keeps one tree per address space behind the same lock as
//! its page tables, so a change and its page-table work are one atomic step. A VMAR
//! handle names a VMAR by [`VmarId`], which stays valid (and answers `ZX_INFO_VMAR`)
//! after the VMAR is destroyed; operations on it then return BAD_STATE.
//!
//! **Placement.** Without a seed, a VMAR or mapping placed by the kernel goes to the
//! lowest free, aligned spot (first fit). With [`AddressRegionTree::with_aslr_seed`],
//! placement in the root VMAR goes, as in Zircon, to a spot chosen uniformly among the
//! lowest 2^30 candidates; inside sub-VMARs it stays first fit, so a region sized for
//! what it will hold never fragments.
//!
//! **Memory.** Each VMAR's children sit in a vector sorted by address, so a lookup is
//! a binary search per level of nesting. Every growth on an operation's path goes
//! through `try_reserve` before anything changes, so NO_MEMORY leaves the tree as it
//! was. [`AddressRegionTree::new`] allocates nothing.
//!
//! **Left to others.** Handle lookups and rights (the VMAR handle's READ/WRITE/EXECUTE
//! against requested permissions, `ZX_RIGHT_OP_CHILDREN`, the VMO handle's
//! `ZX_RIGHT_MAP`) are the syscall layer's; the checks of `zx_vmar_map` that need a VMO
//! (REQUIRE_NON_RESIZABLE, ALLOW_FAULTS), the page tables, MAP_RANGE's pre-population
//! and demand paging are the address space's (`aspace.rs`). The vDSO rules are not
//! built (there is no vDSO).
//!
//! Files: `options.rs` splits and checks option words; `node.rs` holds one VMAR's
//! children and placement; `create.rs` allocate and map; `range_ops.rs` unmap, protect
//! and destroy; `aspace.rs` (kernel only) the VMAR handle's object and a process's
//! address space: the tree, its page tables and page faults under one lock.

#![deny(unsafe_code)]

#[cfg(target_os = "none")]
pub mod aspace;
mod create;
mod node;
pub mod options;
mod range_ops;
#[cfg(test)]
mod tests;

use alloc::vec::Vec;
use core::sync::atomic::{AtomicU64, Ordering};
use libzircon::prelude::*;
use libzircon::Status;

pub use node::Mapping;
pub use options::{Perms, VmOptions};

use options::{perms_allowed_by, rights_for_perms, CAN_MAP_RWX};

use node::{Child, VmarNode};

pub use crate::object::vmo::PAGE_SIZE;

/// Zircon's user address space on arm64, as current Fuchsia's `kernel_aspace.h` has it:
/// `[2 MiB, 2^48 - 16 MiB)`.
pub const USER_ASPACE_BASE: usize = 0x0000_0000_0020_0000;
pub const USER_ASPACE_SIZE: usize = 0x0000_ffff_ff00_0000 - USER_ASPACE_BASE;

/// Flags of a root VMAR: everything may be mapped, at specific addresses too.
const ROOT_FLAGS: u32 = CAN_MAP_RWX | ZX_VM_CAN_MAP_SPECIFIC;

/// The flags a sub-VMAR keeps from its `zx_vmar_allocate` options.
const REGION_FLAGS: u32 = CAN_MAP_RWX | ZX_VM_CAN_MAP_SPECIFIC | ZX_VM_COMPACT;

/// Serials are unique across all trees, so an id from another tree is BAD_STATE here.
static NEXT_SERIAL: AtomicU64 = AtomicU64::new(1);

fn next_serial() -> u64 {
    NEXT_SERIAL.fetch_add(1, Ordering::Relaxed)
}

/// Names one VMAR of a tree. Copyable; what a VMAR handle object holds beside its tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct VmarId {
    serial: u64,
    base: usize,
    size: usize,
    flags: u32,
}

impl VmarId {
    pub fn base(&self) -> usize {
        self.base
    }

    #[cfg(test)]
    pub fn size(&self) -> usize {
        self.size
    }

    pub fn end(&self) -> usize {
        self.base + self.size
    }

    /// `ZX_VM_CAN_MAP_{READ,WRITE,EXECUTE,SPECIFIC}` and `ZX_VM_COMPACT`, as allocated.
    pub fn flags(&self) -> u32 {
        self.flags
    }

    /// `ZX_INFO_VMAR`. Zircon answers it for destroyed VMARs too.
    pub fn info(&self) -> zx_info_vmar_t {
        zx_info_vmar_t {
            base: self.base,
            len: self.size,
        }
    }

    /// Rights of the handle `zx_vmar_allocate` (or process creation, for a root)
    /// returns: the default VMAR rights, plus READ, WRITE and EXECUTE for each
    /// `CAN_MAP_*` flag.
    pub fn handle_rights(&self) -> zx_rights_t {
        ZX_DEFAULT_VMAR_RIGHTS | rights_for_perms(perms_allowed_by(self.flags))
    }

    /// Zircon's `is_in_range`: `[addr, addr + len)` lies inside this VMAR.
    fn contains_range(&self, addr: usize, len: usize) -> bool {
        addr >= self.base && addr - self.base < self.size && self.size - (addr - self.base) >= len
    }
}

/// A range whose permissions [`AddressRegionTree::protect`] changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PermChange {
    pub base: usize,
    pub len: usize,
    pub old: Perms,
    pub new: Perms,
}

/// What [`AddressRegionTree::map`] made.
#[derive(Debug)]
pub struct Mapped<M> {
    pub base: usize,
    pub len: usize,
    /// The mappings (or parts) `ZX_VM_SPECIFIC_OVERWRITE` removed, by address: their
    /// pages must leave the page tables.
    pub replaced: Vec<Mapping<M>>,
}

/// One address space's regions and mappings. See the module documentation.
pub struct AddressRegionTree<M> {
    root: VmarNode<M>,
    /// False once [`clear`](Self::clear) ran (the process ended).
    root_alive: bool,
    /// Every live sub-VMAR, sorted by serial. A child's serial is above its parent's.
    subregions: Vec<VmarNode<M>>,
    /// SplitMix64 state for placement; none for first fit.
    aslr: Option<u64>,
}

impl<M> AddressRegionTree<M> {
    /// A tree whose root VMAR covers `[base, base + size)`; placement is first fit.
    ///
    /// # Panics
    /// If `base` or `size` is not page-aligned, `size` is 0, or the range wraps: the
    /// kernel passes constants here, never user input.
    pub fn new(base: usize, size: usize) -> Self {
        assert!(base.is_multiple_of(PAGE_SIZE) && size.is_multiple_of(PAGE_SIZE) && size > 0);
        assert!(base.checked_add(size).is_some());
        let id = VmarId {
            serial: next_serial(),
            base,
            size,
            flags: ROOT_FLAGS,
        };
        AddressRegionTree {
            root: VmarNode::new(id, None),
            root_alive: true,
            subregions: Vec::new(),
            aslr: None,
        }
    }

    /// Places kernel-chosen addresses at random from now on (ASLR), from `seed`.
    pub fn with_aslr_seed(mut self, seed: u64) -> Self {
        self.aslr = Some(seed);
        self
    }

    pub fn root(&self) -> VmarId {
        self.root.id
    }

    /// True until `vmar` is destroyed (or, for the root, the tree cleared).
    #[cfg(test)]
    pub fn is_alive(&self, vmar: VmarId) -> bool {
        self.node(vmar.serial).is_some()
    }

    /// The mapping that covers `addr`, if any: for page faults, and for telling
    /// NOT_FOUND from ACCESS_DENIED in user copies. O(log n) per level of nesting.
    pub fn find(&self, addr: usize) -> Option<&Mapping<M>> {
        let (owner, index) = self.locate(self.root.id.serial, addr)?;
        self.node(owner)?.children[index].mapping()
    }

    /// Every mapping, in no particular order.
    pub fn mappings(&self) -> impl Iterator<Item = &Mapping<M>> + '_ {
        let root = self.root_alive.then_some(&self.root);
        root.into_iter()
            .chain(self.subregions.iter())
            .flat_map(|node| node.children.iter())
            .filter_map(Child::mapping)
    }

    /// The mappings whose object satisfies `pred`, for VMO coherence: with
    /// [`Mapping::addresses_of`] they say which addresses show a range of a VMO.
    pub fn mappings_of<'a, P>(&'a self, pred: P) -> impl Iterator<Item = &'a Mapping<M>> + 'a
    where
        P: Fn(&M) -> bool + 'a,
    {
        self.mappings().filter(move |m| pred(&m.object))
    }

    /// Process teardown: destroys every VMAR, the root included (later operations
    /// on any of them are BAD_STATE), and hands back every mapping so the objects can
    /// be dropped outside the caller's lock. Allocates nothing.
    pub fn clear(&mut self) -> Teardown<M> {
        self.root_alive = false;
        Teardown {
            current: core::mem::take(&mut self.root.children).into_iter(),
            rest: core::mem::take(&mut self.subregions).into_iter(),
        }
    }

    fn node(&self, serial: u64) -> Option<&VmarNode<M>> {
        if serial == self.root.id.serial {
            return self.root_alive.then_some(&self.root);
        }
        let at = self
            .subregions
            .binary_search_by_key(&serial, |n| n.id.serial)
            .ok()?;
        Some(&self.subregions[at])
    }

    fn node_mut(&mut self, serial: u64) -> Option<&mut VmarNode<M>> {
        if serial == self.root.id.serial {
            return self.root_alive.then_some(&mut self.root);
        }
        let at = self
            .subregions
            .binary_search_by_key(&serial, |n| n.id.serial)
            .ok()?;
        Some(&mut self.subregions[at])
    }

    /// The VMAR, or BAD_STATE once it is destroyed.
    fn live(&self, vmar: VmarId) -> Result<&VmarNode<M>, Status> {
        self.node(vmar.serial).ok_or(Status::BAD_STATE)
    }

    /// `live` for a VMAR the caller just found alive.
    fn live_mut(&mut self, vmar: VmarId) -> Result<&mut VmarNode<M>, Status> {
        self.node_mut(vmar.serial).ok_or(Status::BAD_STATE)
    }

    /// The mapping covering `addr` inside VMAR `top` or its descendants: (owner's
    /// serial, index among the owner's children).
    fn locate(&self, top: u64, addr: usize) -> Option<(u64, usize)> {
        let mut node = self.node(top)?;
        loop {
            let index = node.first_ending_after(addr);
            let child = node.children.get(index)?;
            if child.base() > addr {
                return None;
            }
            match child {
                Child::Mapping(_) => return Some((node.id.serial, index)),
                Child::Region(r) => node = self.node(r.serial)?,
            }
        }
    }

    /// The lowest mapping inside VMAR `top` or its descendants that ends after
    /// `cursor` and starts below `limit`. Iterative, so deep nesting costs no stack.
    fn next_mapping(&self, top: u64, mut cursor: usize, limit: usize) -> Option<(u64, usize)> {
        'restart: loop {
            let mut node = self.node(top)?;
            loop {
                let index = node.first_ending_after(cursor);
                match node.children.get(index) {
                    Some(child) if child.base() >= limit => return None,
                    Some(Child::Mapping(_)) => return Some((node.id.serial, index)),
                    Some(Child::Region(r)) => node = self.node(r.serial)?,
                    None if node.id.serial == top => return None,
                    None => {
                        // Nothing more in this sub-VMAR: go on after it, from the top.
                        cursor = node.id.end();
                        continue 'restart;
                    }
                }
            }
        }
    }

    fn mapping_at(&self, owner: u64, index: usize) -> &Mapping<M> {
        match self.node(owner).map(|n| &n.children[index]) {
            Some(Child::Mapping(m)) => m,
            _ => unreachable!("located children are mappings"),
        }
    }

    fn mapping_at_mut(&mut self, owner: u64, index: usize) -> &mut Mapping<M> {
        match self.node_mut(owner).map(|n| &mut n.children[index]) {
            Some(Child::Mapping(m)) => m,
            _ => unreachable!("located children are mappings"),
        }
    }
}

/// Grows `v` by `additional` fallibly (NO_MEMORY). Every growth of the tree's
/// vectors goes through here; the tests can make it fail.
fn reserve<T>(v: &mut Vec<T>, additional: usize) -> Result<(), Status> {
    #[cfg(test)]
    tests::reserve_hook()?;
    v.try_reserve(additional).map_err(|_| Status::NO_MEMORY)
}

/// The mappings of a cleared tree; see [`AddressRegionTree::clear`].
pub struct Teardown<M> {
    current: alloc::vec::IntoIter<Child<M>>,
    rest: alloc::vec::IntoIter<VmarNode<M>>,
}

impl<M> Iterator for Teardown<M> {
    type Item = Mapping<M>;

    fn next(&mut self) -> Option<Mapping<M>> {
        loop {
            match self.current.next() {
                Some(Child::Mapping(m)) => return Some(m),
                Some(Child::Region(_)) => {}
                None => self.current = self.rest.next()?.children.into_iter(),
            }
        }
    }
}
