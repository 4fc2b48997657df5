//! `zx_vmar_destroy`, and what becomes of ids afterwards.

use super::*;

#[test]
fn destroying_the_root_is_not_supported() {
    let mut t = tree();
    let root = t.root();
    assert_eq!(t.destroy(root).unwrap_err(), Status::NOT_SUPPORTED);
    t.clear();
    assert_eq!(t.destroy(root).unwrap_err(), Status::NOT_SUPPORTED);
}

#[test]
fn destroying_twice_is_bad_state() {
    let mut t = tree();
    let a = alloc_in_root(&mut t, CAN_RW, 0, 1024 * P - P);
    assert!(t.destroy(a).unwrap().is_empty());
    assert_eq!(t.destroy(a).unwrap_err(), Status::BAD_STATE);
}

#[test]
fn destroy_takes_mappings_and_descendants_with_it() {
    // Fuchsia's DestroyedVmarTest.
    let mut t = tree();
    let root = t.root();
    let r0 = alloc(&mut t, root, CAN_RW, 0, 10 * P);
    let m0 = map_any(&mut t, r0, P, 1);
    let r1 = alloc(&mut t, r0, CAN_RW, 0, P);
    let m1 = map_any(&mut t, r1, P, 2);
    let removed = t.destroy(r0).unwrap();
    let mut expect = vec![(m0, P, 1, 0), (m1, P, 2, 0)];
    expect.sort();
    assert_eq!(pieces(&removed), expect);
    for (region, mapping) in [(r0, m0), (r1, m1)] {
        assert!(t.find(mapping).is_none());
        assert!(!t.is_alive(region));
        assert_eq!(t.destroy(region).unwrap_err(), Status::BAD_STATE);
        assert_eq!(
            t.allocate(region, CAN_RW, 0, P).unwrap_err(),
            Status::BAD_STATE
        );
        assert_eq!(
            t.unmap(region, mapping, P, true).unwrap_err(),
            Status::BAD_STATE
        );
        assert_eq!(
            t.protect(region, R, mapping, P, true).unwrap_err(),
            Status::BAD_STATE
        );
        assert_eq!(
            t.map(region, R, 0, P, 1, 0, RWX).unwrap_err(),
            Status::BAD_STATE
        );
    }
    alloc(&mut t, root, CAN_RW, 0, P);
    check_invariants(&t);
}

#[test]
fn destroy_frees_the_space_for_new_mappings() {
    // Fuchsia's MapOverDestroyedTest.
    let mut t = tree();
    let r0 = alloc_in_root(&mut t, CAN_RWXS, 0, 10 * P);
    let r1 = alloc(&mut t, r0, CAN_RW, 0, P);
    let m = map_any(&mut t, r1, P, 1);
    t.destroy(r1).unwrap();
    assert!(t.find(m).is_none());
    assert_eq!(map_at(&mut t, r0, m - r0.base(), P, 2), m);
    assert_eq!(t.find(m).unwrap().object, 2);
}

#[test]
fn destroy_leaves_siblings_and_ancestors_alone() {
    let mut t = tree();
    let root = t.root();
    let outer = alloc(&mut t, root, CAN_RWXS, 0, 8 * P);
    // Same range as its parent: its parent must survive it.
    let same = alloc(&mut t, outer, CAN_RWXS, 0, 8 * P);
    let left = alloc(&mut t, same, CAN_RWXS | ZX_VM_SPECIFIC, 0, 4 * P);
    let right = alloc(&mut t, same, CAN_RWXS | ZX_VM_SPECIFIC, 4 * P, 4 * P);
    let inner = alloc(&mut t, left, CAN_RWXS, 0, 4 * P);
    map_any(&mut t, inner, P, 1);
    let kept = map_any(&mut t, right, P, 2);
    assert_eq!(t.destroy(left).unwrap().len(), 1);
    assert!(!t.is_alive(left) && !t.is_alive(inner));
    assert!(t.is_alive(outer) && t.is_alive(same) && t.is_alive(right));
    assert_eq!(t.find(kept).unwrap().object, 2);
    check_invariants(&t);
    assert_eq!(t.destroy(same).unwrap().len(), 1);
    assert!(t.is_alive(outer) && !t.is_alive(right));
    check_invariants(&t);
}

#[test]
fn an_id_from_another_tree_is_bad_state() {
    let mut a = tree();
    let mut b = tree();
    let sub = alloc_in_root(&mut a, CAN_RW, 0, P);
    assert_eq!(b.destroy(sub).unwrap_err(), Status::BAD_STATE);
    assert_eq!(
        b.map(a.root(), R, 0, P, 1, 0, RWX).unwrap_err(),
        Status::BAD_STATE
    );
    assert!(!b.is_alive(a.root()));
}

#[test]
fn destroy_out_of_memory_changes_nothing() {
    let mut t = tree();
    let a = alloc_in_root(&mut t, CAN_RW, 0, 10 * P);
    map_any(&mut t, a, P, 1);
    let got = with_reserve_budget(0, || t.destroy(a));
    assert_eq!(got.unwrap_err(), Status::NO_MEMORY);
    assert!(t.is_alive(a));
    assert_eq!(t.mappings().count(), 1);
    check_invariants(&t);
}

#[test]
fn deep_nesting_needs_no_recursion() {
    let mut t = tree();
    let mut vmar = t.root();
    let first = alloc(&mut t, vmar, CAN_RWXS, 0, 4 * P);
    vmar = first;
    for _ in 0..5000 {
        vmar = alloc(&mut t, vmar, CAN_RWXS, 0, 4 * P);
    }
    let m = map_any(&mut t, vmar, P, 1);
    assert_eq!(t.find(m).unwrap().object, 1);
    assert_eq!(t.protect(first, R, m, P, true).unwrap().len(), 1);
    assert_eq!(
        t.unmap(t.root(), first.base(), 4 * P, true).unwrap().len(),
        1
    );
    assert!(!t.is_alive(vmar));
    check_invariants(&t);
}
