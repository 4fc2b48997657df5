//! Host tests of the VMAR tree: unit tests named for the behaviour they pin down (many
//! after Fuchsia's `zircon/system/utest/core/vmar/vmar.cc`), and property tests
//! against a per-page reference model (`model.rs`, `properties.rs`).

mod allocate;
mod destroy;
mod lookup;
mod map;
mod model;
mod options;
mod properties;
mod protect;
mod unmap;

use std::cell::Cell;
use std::vec::Vec;

use libzircon::prelude::*;
use libzircon::Status;

use super::options::MapOptions;
use super::options::PERM_RWX;
use super::{AddressRegionTree, Mapped, Mapping, VmarId, PAGE_SIZE};

thread_local! {
    /// How many more `reserve` calls may succeed; none for no limit.
    static RESERVE_BUDGET: Cell<Option<usize>> = const { Cell::new(None) };
}

/// Called by every fallible growth of the tree's vectors.
pub(super) fn reserve_hook() -> Result<(), Status> {
    RESERVE_BUDGET.with(|budget| match budget.get() {
        None => Ok(()),
        Some(0) => Err(Status::NO_MEMORY),
        Some(n) => {
            budget.set(Some(n - 1));
            Ok(())
        }
    })
}

/// Runs `f` with at most `n` successful reserves.
fn with_reserve_budget<T>(n: usize, f: impl FnOnce() -> T) -> T {
    RESERVE_BUDGET.with(|b| b.set(Some(n)));
    let result = f();
    RESERVE_BUDGET.with(|b| b.set(None));
    result
}

type Tree = AddressRegionTree<u32>;

/// `zx_vmar_map` as the kernel runs it after the handle lookups: the option word's
/// checks, then the tree's (the VMO's own checks need a VMO, which the tests lack).
trait MapWord {
    #[allow(clippy::too_many_arguments)]
    fn map(
        &mut self,
        vmar: VmarId,
        options: u32,
        vmar_offset: usize,
        len: usize,
        object: u32,
        vmo_offset: u64,
        max_perms: u32,
    ) -> Result<Mapped<u32>, Status>;
}

impl MapWord for Tree {
    fn map(
        &mut self,
        vmar: VmarId,
        options: u32,
        vmar_offset: usize,
        len: usize,
        object: u32,
        vmo_offset: u64,
        max_perms: u32,
    ) -> Result<Mapped<u32>, Status> {
        let options = MapOptions::check(options, max_perms)?;
        self.create_mapping(vmar, &options, vmar_offset, len, object, vmo_offset)
    }
}

const P: usize = PAGE_SIZE;
/// The test trees' root: 1024 pages from 16 MiB.
const BASE: usize = 0x100_0000;
const SIZE: usize = 1024 * P;

const R: u32 = ZX_VM_PERM_READ;
const RW: u32 = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE;
const RWX: u32 = PERM_RWX;
const CAN_RW: u32 = ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE;
const CAN_RWX: u32 = CAN_RW | ZX_VM_CAN_MAP_EXECUTE;
const CAN_RWXS: u32 = CAN_RWX | ZX_VM_CAN_MAP_SPECIFIC;

fn tree() -> Tree {
    Tree::new(BASE, SIZE)
}

/// A sub-VMAR, which must succeed.
fn alloc(t: &mut Tree, parent: VmarId, options: u32, offset: usize, size: usize) -> VmarId {
    t.allocate(parent, options, offset, size).expect("allocate")
}

/// A sub-VMAR of the root, which must succeed.
fn alloc_in_root(t: &mut Tree, options: u32, offset: usize, size: usize) -> VmarId {
    let root = t.root();
    alloc(t, root, options, offset, size)
}

/// A read-write mapping of object `obj` at `offset` in `vmar`; returns its base.
fn map_at(t: &mut Tree, vmar: VmarId, offset: usize, len: usize, obj: u32) -> usize {
    t.map(vmar, RW | ZX_VM_SPECIFIC, offset, len, obj, 0, RWX)
        .expect("map")
        .base
}

/// A read-write mapping placed by the tree; returns its base.
fn map_any(t: &mut Tree, vmar: VmarId, len: usize, obj: u32) -> usize {
    t.map(vmar, RW, 0, len, obj, 0, RWX).expect("map").base
}

/// Which of `pages` pages from `base` some mapping covers, as bits (page i = bit i),
/// like Fuchsia's `check_pages_mapped`.
fn mapped_bits(t: &Tree, base: usize, pages: usize) -> u64 {
    (0..pages)
        .filter(|&i| t.find(base + i * P).is_some())
        .fold(0, |bits, i| bits | 1 << i)
}

/// (base, len, object, vmo_offset) of each mapping.
fn pieces(list: &[Mapping<u32>]) -> Vec<(usize, usize, u32, u64)> {
    list.iter()
        .map(|m| (m.base, m.len, m.object, m.vmo_offset))
        .collect()
}

/// Every mapping of the tree, by address, as (base, len, object, vmo_offset, perms).
fn snapshot(t: &Tree) -> Vec<(usize, usize, u32, u64, u32)> {
    let mut all: Vec<_> = t
        .mappings()
        .map(|m| (m.base, m.len, m.object, m.vmo_offset, m.perms))
        .collect();
    all.sort();
    all
}

/// The structure's own invariants: each live VMAR's children are sorted, disjoint and
/// inside it; sub-VMAR entries and live sub-VMARs match one to one; mappings are
/// page-aligned, non-empty, and within their maximum and their VMAR's flags.
fn check_invariants(t: &Tree) {
    let mut nodes: Vec<&super::node::VmarNode<u32>> = t.subregions.iter().collect();
    if t.root_alive {
        nodes.push(&t.root);
    } else {
        assert!(t.root.children.is_empty());
        assert!(t.subregions.is_empty());
    }
    assert!(t
        .subregions
        .windows(2)
        .all(|w| w[0].id.serial < w[1].id.serial));
    let mut region_entries = 0;
    for node in &nodes {
        let mut free_from = node.id.base();
        for child in &node.children {
            assert!(
                child.base() >= free_from,
                "children overlap or are unsorted"
            );
            assert!(child.base() < child.end() && child.end() <= node.id.end());
            assert!(child.base() % P == 0 && child.end() % P == 0);
            free_from = child.end();
            match child {
                super::node::Child::Region(r) => {
                    region_entries += 1;
                    let sub = t.node(r.serial).expect("entry of a live sub-VMAR");
                    assert_eq!(sub.parent, Some(node.id.serial));
                    assert_eq!((sub.id.base(), sub.id.size()), (r.base, r.size));
                    assert!(sub.id.serial > node.id.serial);
                }
                super::node::Child::Mapping(m) => {
                    assert_eq!(m.perms & !m.max_perms, 0);
                    let allowed = super::options::perms_allowed_by(node.id.flags());
                    assert_eq!(m.max_perms & !allowed, 0);
                }
            }
        }
    }
    assert_eq!(region_entries, t.subregions.len());
}
