//! Property tests: random sequences of allocate, map, unmap, protect and destroy, run
//! on a tree and on the reference model (`model.rs`). After every operation the
//! statuses agree; returned pieces are exactly the pages the model says changed; every
//! page of the root (and one on each side) resolves to the same mapping and owner in
//! both; the same VMARs are alive; and the tree's own invariants hold (no overlaps,
//! children inside parents). Placement is checked against the model's list of legal
//! spots (free, aligned, under the limit), and to be the lowest under first fit.
//!
//! A second property gives each operation a small budget of successful reserves: an
//! operation that meets NO_MEMORY must be one the model accepts, and must change
//! nothing.

use proptest::prelude::*;
use proptest::sample::Index;

use super::model::{page_of, Gone, Model, PAGES, ROOT_BASE};
use super::*;

#[derive(Clone, Debug)]
enum Op {
    Allocate {
        parent: Index,
        options: u32,
        offset: Offset,
        size: usize,
    },
    Map {
        vmar: Index,
        options: u32,
        offset: Offset,
        len: usize,
        vmo_offset: u64,
        max: u32,
    },
    Unmap {
        aim: Aim,
        len: usize,
        op_children: bool,
    },
    Protect {
        aim: Aim,
        options: u32,
        len: usize,
        op_children: bool,
    },
    Destroy {
        vmar: Index,
    },
}

/// An offset into a VMAR: a page from 0 to 2 past its size (resolved against the VMAR
/// the operation picks), or a raw value.
#[derive(Clone, Copy, Debug)]
enum Offset {
    Page(Index),
    Raw(usize),
}

impl Offset {
    fn resolve(self, model: &Model, vmar: usize) -> usize {
        match self {
            Offset::Page(i) => i.index(model.vmars[vmar].pages + 3) * P,
            Offset::Raw(offset) => offset,
        }
    }
}

/// Offsets for SPECIFIC and OFFSET_IS_UPPER_LIMIT: mostly pages in or just past the
/// VMAR; sometimes far past it, unaligned, or huge.
fn offset() -> impl Strategy<Value = Offset> {
    prop_oneof![
        12 => any::<Index>().prop_map(Offset::Page),
        1 => (0..PAGES + 4).prop_map(|p| Offset::Raw(p * P)),
        1 => (1..PAGES * P).prop_map(Offset::Raw),
        1 => Just(Offset::Raw(usize::MAX & !(P - 1))),
    ]
}

/// Offsets without SPECIFIC or OFFSET_IS_UPPER_LIMIT: mostly 0, as they must be.
fn plain_offset() -> impl Strategy<Value = Offset> {
    prop_oneof![
        12 => Just(Offset::Raw(0)),
        1 => (1..8usize).prop_map(|p| Offset::Raw(p * P)),
    ]
}

/// The offset for `placement` from the two kinds.
fn offset_for(placement: u32, specific: Offset, plain: Offset) -> Offset {
    if placement & (ZX_VM_SPECIFIC | ZX_VM_SPECIFIC_OVERWRITE | ZX_VM_OFFSET_IS_UPPER_LIMIT) != 0 {
        specific
    } else {
        plain
    }
}

/// Sizes and lengths: mostly a few pages, sometimes 0, unaligned or overflowing.
fn length() -> impl Strategy<Value = usize> {
    prop_oneof![
        12 => (1..8usize).prop_map(|p| p * P),
        1 => Just(0usize),
        2 => 1..6 * P,
        2 => (1..PAGES + 2).prop_map(|p| p * P),
        1 => Just(usize::MAX - P + 2),
    ]
}

/// Addresses for unmap and protect: pages in and just around the root.
fn address() -> impl Strategy<Value = usize> {
    prop_oneof![
        10 => (0..PAGES + 4).prop_map(|p| ROOT_BASE - 2 * P + p * P),
        1 => (0..PAGES * P).prop_map(|b| ROOT_BASE + b),
    ]
}

fn alignment() -> impl Strategy<Value = u32> {
    prop_oneof![
        12 => Just(0u32),
        1 => Just(10u32),
        1 => Just(12u32),
        2 => Just(13u32),
        2 => Just(14u32),
        1 => Just(16u32),
        1 => Just(20u32),
        1 => Just(9u32),
        1 => Just(33u32),
    ]
    .prop_map(|a| a << ZX_VM_ALIGN_BASE)
}

/// An option bit that is wrong somewhere, or nothing.
fn stray_bit() -> impl Strategy<Value = u32> {
    prop_oneof![
        50 => Just(0u32),
        1 => Just(ZX_VM_PERM_READ),
        1 => Just(ZX_VM_SPECIFIC_OVERWRITE),
        1 => Just(ZX_VM_MAP_RANGE),
        1 => Just(ZX_VM_COMPACT),
        1 => Just(ZX_VM_CAN_MAP_READ),
        1 => Just(ZX_VM_CAN_MAP_SPECIFIC),
        1 => Just(ZX_VM_ALLOW_FAULTS),
        1 => Just(1u32 << 15),
    ]
}

fn placement() -> impl Strategy<Value = u32> {
    prop_oneof![
        4 => Just(0u32),
        4 => Just(ZX_VM_SPECIFIC),
        2 => Just(ZX_VM_SPECIFIC_OVERWRITE),
        2 => Just(ZX_VM_OFFSET_IS_UPPER_LIMIT),
        1 => Just(ZX_VM_SPECIFIC | ZX_VM_OFFSET_IS_UPPER_LIMIT),
    ]
}

fn perms() -> impl Strategy<Value = u32> {
    prop_oneof![4 => Just(R), 4 => Just(RW), 1 => Just(RWX), 1 => Just(0u32), 1 => 0..8u32]
}

/// `CAN_MAP_{READ,WRITE,EXECUTE,SPECIFIC}`: mostly all of them.
fn can_map() -> impl Strategy<Value = u32> {
    prop_oneof![3 => Just(0b1111u32), 1 => 0..16u32].prop_map(|bits| bits << 6)
}

/// Where unmap and protect aim: at a random address in `vmar`, or (`near`) at the
/// `near`-th mapped page, through its owner, the root, or `vmar` (by `who`).
#[derive(Clone, Debug)]
struct Aim {
    vmar: Index,
    addr: usize,
    near: Option<Index>,
    who: u8,
}

fn aim() -> impl Strategy<Value = Aim> {
    (
        any::<Index>(),
        address(),
        prop::option::weighted(0.7, any::<Index>()),
        0..10u8,
    )
        .prop_map(|(vmar, addr, near, who)| Aim {
            vmar,
            addr,
            near,
            who,
        })
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (any::<Index>(), can_map(), prop::bool::weighted(0.2), placement(), alignment(),
              stray_bit(), offset(), plain_offset(), length())
            .prop_map(|(parent, can, compact, place, align, stray, specific, plain, size)| {
                let compact = if compact { ZX_VM_COMPACT } else { 0 };
                let options = can | compact | place | align | stray;
                let offset = offset_for(place, specific, plain);
                Op::Allocate { parent, options, offset, size }
            }),
        6 => (any::<Index>(), perms(), placement(), alignment(), stray_bit(), offset(),
              plain_offset(), length(), (0..16u64).prop_map(|p| p * P as u64), 0..8u32)
            .prop_map(|(vmar, perms, place, align, stray, specific, plain, len, vmo_offset, max)| {
                let options = perms | place | align | stray;
                let offset = offset_for(place, specific, plain);
                Op::Map { vmar, options, offset, len, vmo_offset, max: max | perms }
            }),
        1 => (any::<Index>(), perms(), plain_offset(), length(), prop_oneof![
                Just(P as u64 - 1), Just(u64::MAX - P as u64 + 1), Just(u64::MAX - 3 * P as u64 + 1)
            ], 0..8u32)
            .prop_map(|(vmar, perms, offset, len, vmo_offset, max)| {
                Op::Map { vmar, options: perms, offset, len, vmo_offset, max }
            }),
        3 => (aim(), length(), prop::bool::weighted(0.8))
            .prop_map(|(aim, len, op_children)| Op::Unmap { aim, len, op_children }),
        3 => (aim(), perms(), stray_bit(), length(), prop::bool::weighted(0.8))
            .prop_map(|(aim, perms, stray, len, op_children)| {
                Op::Protect { aim, options: perms | stray, len, op_children }
            }),
        1 => any::<Index>().prop_map(|vmar| Op::Destroy { vmar }),
    ]
}

/// The VMAR and address an [`Aim`] resolves to in `model`.
fn resolve(aim: &Aim, model: &Model) -> (usize, usize) {
    let vmar = aim.vmar.index(model.vmars.len());
    let mapped: Vec<usize> = (0..PAGES).filter(|&p| model.pages[p].is_some()).collect();
    match aim.near {
        Some(near) if !mapped.is_empty() => {
            let page = mapped[near.index(mapped.len())];
            let owner = model.pages[page].unwrap().owner;
            let through = match aim.who {
                0..=4 => owner,
                5..=7 => 0,
                _ => vmar,
            };
            (through, ROOT_BASE + page * P)
        }
        _ => (vmar, aim.addr),
    }
}

/// The pages of the pieces a tree operation returned.
fn gone_pages(list: &[Mapping<u32>]) -> Vec<Gone> {
    let mut pages = Vec::new();
    for m in list {
        assert!(m.len > 0 && m.base % P == 0 && m.len % P == 0);
        for i in 0..m.len / P {
            let vmo_page = m.vmo_offset / P as u64 + i as u64;
            pages.push((
                page_of(m.base) + i,
                m.object,
                vmo_page,
                m.perms,
                m.max_perms,
            ));
        }
    }
    pages.sort();
    pages
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

/// The status of an operation the tree and the model disagree on, which is fine only
/// for NO_MEMORY (when `oom_ok`) where the model accepted; anything else fails.
fn mismatch<T, U>(
    got: Result<T, Status>,
    want: Result<U, Status>,
    oom_ok: bool,
    op: &Op,
) -> Status {
    let got = got.err();
    if oom_ok && got == Some(Status::NO_MEMORY) && want.is_ok() {
        return Status::NO_MEMORY;
    }
    assert_eq!(got, want.err(), "{op:x?}");
    got.unwrap_or(Status::OK)
}

/// Runs `op` on both; returns the tree's status. With `oom_ok`, the tree may meet
/// NO_MEMORY where the model succeeds; the caller then restores the model.
fn apply(
    t: &mut Tree,
    ids: &mut Vec<VmarId>,
    model: &mut Model,
    op: &Op,
    obj: u32,
    oom_ok: bool,
) -> Status {
    let pick = |i: &Index| i.index(ids.len());
    match op {
        Op::Allocate {
            parent,
            options,
            offset,
            size,
        } => {
            let p = pick(parent);
            let offset = offset.resolve(model, p);
            let got = t.allocate(ids[p], *options, offset, *size);
            let want = model.allocate(p, *options, offset, *size, got.ok().map(|id| id.base()));
            match (got, want) {
                (Ok(id), Ok(index)) => {
                    assert_eq!(index, ids.len());
                    assert_eq!(page_of(id.base()), model.vmars[index].first);
                    assert_eq!(id.size(), model.vmars[index].pages * P);
                    ids.push(id);
                    Status::OK
                }
                (got, want) => mismatch(got, want, oom_ok, op),
            }
        }
        Op::Map {
            vmar,
            options,
            offset,
            len,
            vmo_offset,
            max,
        } => {
            let v = pick(vmar);
            let offset = offset.resolve(model, v);
            let got = t.map(ids[v], *options, offset, *len, obj, *vmo_offset, *max);
            let chosen = got.as_ref().ok().map(|m| m.base);
            let want = model.map(v, *options, offset, *len, obj, *vmo_offset, *max, chosen);
            match (got, want) {
                (Ok(mapped), Ok((base, replaced))) => {
                    assert_eq!(mapped.base, base);
                    assert_eq!(gone_pages(&mapped.replaced), sorted(replaced));
                    Status::OK
                }
                (got, want) => mismatch(got, want, oom_ok, op),
            }
        }
        Op::Unmap {
            aim,
            len,
            op_children,
        } => {
            let (v, addr) = resolve(aim, model);
            let got = t.unmap(ids[v], addr, *len, *op_children);
            let want = model.unmap(v, addr, *len, *op_children);
            match (got, want) {
                (Ok(removed), Ok(expect)) => {
                    assert!(removed.windows(2).all(|w| w[0].end() <= w[1].base));
                    assert_eq!(gone_pages(&removed), sorted(expect));
                    Status::OK
                }
                (got, want) => mismatch(got, want, oom_ok, op),
            }
        }
        Op::Protect {
            aim,
            options,
            len,
            op_children,
        } => {
            let (v, addr) = resolve(aim, model);
            let got = t.protect(ids[v], *options, addr, *len, *op_children);
            let want = model.protect(v, *options, addr, *len, *op_children);
            match (got, want) {
                (Ok(changes), Ok(expect)) => {
                    let mut pages = Vec::new();
                    for c in &changes {
                        assert!(c.len > 0 && c.base % P == 0 && c.len % P == 0);
                        pages.extend((0..c.len / P).map(|i| (page_of(c.base) + i, c.old, c.new)));
                    }
                    assert!(
                        pages.windows(2).all(|w| w[0].0 < w[1].0),
                        "by address, disjoint"
                    );
                    assert_eq!(pages, expect);
                    Status::OK
                }
                (got, want) => mismatch(got, want, oom_ok, op),
            }
        }
        Op::Destroy { vmar } => {
            let v = pick(vmar);
            let got = t.destroy(ids[v]);
            let want = model.destroy(v);
            match (got, want) {
                (Ok(removed), Ok(expect)) => {
                    assert_eq!(gone_pages(&removed), sorted(expect));
                    Status::OK
                }
                (got, want) => mismatch(got, want, oom_ok, op),
            }
        }
    }
}

/// Every page of the root, and one on each side, resolves alike in both; the same
/// VMARs are alive.
fn check_agreement(t: &Tree, ids: &[VmarId], model: &Model) {
    check_invariants(t);
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(t.is_alive(*id), model.vmars[i].alive, "VMAR {i} alive");
    }
    assert!(t.find(ROOT_BASE - 1).is_none());
    assert!(t.find(ROOT_BASE + PAGES * P).is_none());
    for page in 0..PAGES {
        let addr = ROOT_BASE + page * P + (page * 97) % P;
        let got = t.find(addr).map(|m| {
            let owner = t.locate(t.root().serial, addr).unwrap().0;
            let vmo_page = m.vmo_offset_of(addr) / P as u64;
            (owner, m.object, vmo_page, m.perms, m.max_perms)
        });
        let want =
            model.pages[page].map(|m| (ids[m.owner].serial, m.object, m.vmo_page, m.perms, m.max));
        assert_eq!(got, want, "page {page}");
    }
}

fn new_tree(seed: Option<u64>) -> Tree {
    let t = Tree::new(ROOT_BASE, PAGES * P);
    match seed {
        Some(seed) => t.with_aslr_seed(seed),
        None => t,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_operations_agree_with_the_model(
        seed in prop::option::of(any::<u64>()),
        ops in prop::collection::vec(op(), 1..60),
    ) {
        let mut t = new_tree(seed);
        let mut ids = vec![t.root()];
        let mut model = Model::new(seed.is_none());
        for (n, op) in ops.iter().enumerate() {
            apply(&mut t, &mut ids, &mut model, op, n as u32, false);
            check_agreement(&t, &ids, &model);
        }
        let mut left: Vec<usize> = t.clear().map(|m| m.len / P).collect();
        left.sort();
        prop_assert_eq!(left.iter().sum::<usize>(), model.pages.iter().flatten().count());
        check_invariants(&t);
    }

    #[test]
    fn out_of_memory_changes_nothing(
        seed in prop::option::of(any::<u64>()),
        ops in prop::collection::vec((op(), prop::option::weighted(0.5, 0..3usize)), 1..40),
    ) {
        let mut t = new_tree(seed);
        let mut ids = vec![t.root()];
        let mut model = Model::new(seed.is_none());
        for (n, (op, budget)) in ops.iter().enumerate() {
            let before = model.clone();
            let status = match budget {
                Some(budget) => with_reserve_budget(*budget, || {
                    apply(&mut t, &mut ids, &mut model, op, n as u32, true)
                }),
                None => apply(&mut t, &mut ids, &mut model, op, n as u32, false),
            };
            if status == Status::NO_MEMORY {
                model = before;
            }
            check_agreement(&t, &ids, &model);
        }
    }
}
