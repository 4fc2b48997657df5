//! Lookups (`find`, `mappings_of`), teardown, and placement policy.

use super::*;

#[test]
fn find_returns_the_covering_mapping_at_any_depth() {
    let mut t = tree();
    let root = t.root();
    let a = alloc(&mut t, root, CAN_RWXS | ZX_VM_SPECIFIC, 8 * P, 8 * P);
    let b = alloc(&mut t, a, CAN_RWXS | ZX_VM_SPECIFIC, 2 * P, 4 * P);
    map_at(&mut t, root, 0, 2 * P, 1);
    map_at(&mut t, a, 0, P, 2);
    map_at(&mut t, b, P, 2 * P, 3);
    let object = |addr| t.find(addr).map(|m| m.object);
    assert_eq!(object(BASE), Some(1));
    assert_eq!(object(BASE + 2 * P - 1), Some(1));
    assert_eq!(object(BASE + 2 * P), None);
    assert_eq!(object(BASE + 8 * P + 5), Some(2));
    assert_eq!(object(BASE + 10 * P), None);
    assert_eq!(object(BASE + 11 * P), Some(3));
    assert_eq!(object(BASE + 13 * P - 1), Some(3));
    assert_eq!(object(BASE + 13 * P), None);
    assert_eq!(object(0), None);
    assert_eq!(object(usize::MAX), None);
}

#[test]
fn mappings_of_finds_every_mapping_of_an_object() {
    let mut t = tree();
    let root = t.root();
    let a = alloc(&mut t, root, CAN_RWXS, 0, 16 * P);
    map_at(&mut t, root, 32 * P, 2 * P, 1);
    map_at(&mut t, a, 0, 2 * P, 1);
    map_at(&mut t, a, 4 * P, 2 * P, 2);
    let mut bases: Vec<usize> = t.mappings_of(|&o| o == 1).map(|m| m.base).collect();
    bases.sort();
    assert_eq!(bases, [a.base(), BASE + 32 * P]);
    assert_eq!(t.mappings().count(), 3);
}

#[test]
fn addresses_of_translates_vmo_ranges() {
    let mut t = tree();
    let mapped = t.map(t.root(), RW, 0, 4 * P, 1, 2 * P as u64, RWX).unwrap();
    let m = t.find(mapped.base).unwrap();
    let p = P as u64;
    assert_eq!(m.addresses_of(0..p), None);
    assert_eq!(m.addresses_of(0..3 * p), Some(m.base..m.base + P));
    assert_eq!(
        m.addresses_of(3 * p..4 * p),
        Some(m.base + P..m.base + 2 * P)
    );
    assert_eq!(
        m.addresses_of(5 * p..9 * p),
        Some(m.base + 3 * P..m.base + 4 * P)
    );
    assert_eq!(m.addresses_of(6 * p..7 * p), None);
}

#[test]
fn clear_hands_back_every_mapping_and_ends_the_tree() {
    let mut t = tree();
    let root = t.root();
    let a = alloc(&mut t, root, CAN_RWXS, 0, 16 * P);
    let b = alloc(&mut t, a, CAN_RWXS, 0, 4 * P);
    map_any(&mut t, root, P, 1);
    map_any(&mut t, a, P, 2);
    map_any(&mut t, b, P, 3);
    let mut objects: Vec<u32> = t.clear().map(|m| m.object).collect();
    objects.sort();
    assert_eq!(objects, [1, 2, 3]);
    assert_eq!(t.mappings().count(), 0);
    for vmar in [root, a, b] {
        assert!(!t.is_alive(vmar));
        assert_eq!(
            t.map(vmar, R, 0, P, 1, 0, RWX).unwrap_err(),
            Status::BAD_STATE
        );
    }
    assert_eq!(
        t.allocate(root, CAN_RW, 0, P).unwrap_err(),
        Status::BAD_STATE
    );
    assert!(t.find(BASE + P).is_none());
    check_invariants(&t);
}

#[test]
fn first_fit_takes_the_lowest_free_spot() {
    let mut t = tree();
    let root = t.root();
    assert_eq!(map_any(&mut t, root, P, 1), BASE);
    assert_eq!(map_any(&mut t, root, 2 * P, 1), BASE + P);
    t.unmap(root, BASE, P, true).unwrap();
    assert_eq!(map_any(&mut t, root, 2 * P, 1), BASE + 3 * P);
    assert_eq!(map_any(&mut t, root, P, 1), BASE);
}

#[test]
fn aslr_spreads_placements_over_the_free_space() {
    let mut bases = Vec::new();
    for seed in 0..8 {
        let mut t = tree().with_aslr_seed(seed);
        let root = t.root();
        let base = map_any(&mut t, root, P, 1);
        assert!((BASE..BASE + SIZE).contains(&base));
        bases.push(base);
    }
    bases.sort();
    bases.dedup();
    assert!(bases.len() > 4, "placements should differ: {bases:x?}");
}

#[test]
fn aslr_placements_never_overlap() {
    let mut t = tree().with_aslr_seed(42);
    let root = t.root();
    for i in 0..100 {
        map_any(&mut t, root, (i % 3 + 1) * P, i as u32);
    }
    check_invariants(&t);
    // 34 + 2 * 33 + 3 * 33 = 199 pages taken; single pages fill the rest exactly.
    let taken: usize = t.mappings().map(|m| m.len).sum();
    assert_eq!(taken, 199 * P);
    while t.map(root, RW, 0, P, 0, 0, RWX).is_ok() {}
    let taken: usize = t.mappings().map(|m| m.len).sum();
    assert_eq!(taken, SIZE);
}

#[test]
fn compact_vmars_keep_children_among_the_lowest_spots() {
    let mut t = Tree::new(BASE, 4096 * P).with_aslr_seed(9);
    let compact = alloc_in_root(&mut t, CAN_RWXS | ZX_VM_COMPACT, 0, 2048 * P);
    for _ in 0..20 {
        let base = map_any(&mut t, compact, P, 1);
        // At most 2^8 candidates: the 256 lowest free pages.
        assert!(base < compact.base() + (256 + 20) * P);
    }
}
