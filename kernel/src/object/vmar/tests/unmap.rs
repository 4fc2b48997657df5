//! `zx_vmar_unmap`: splitting, sub-VMARs, and every error in Zircon's order.

use super::*;

#[test]
fn unmap_unaligned_address_is_invalid_args() {
    let mut t = tree();
    let root = t.root();
    let m = map_any(&mut t, root, 4 * P, 1);
    assert_eq!(
        t.unmap(root, m + 1, P, true).unwrap_err(),
        Status::INVALID_ARGS
    );
}

#[test]
fn unmap_length_zero_or_rounding_to_zero_is_invalid_args() {
    let mut t = tree();
    let root = t.root();
    let m = map_any(&mut t, root, 4 * P, 1);
    assert_eq!(t.unmap(root, m, 0, true).unwrap_err(), Status::INVALID_ARGS);
    let bad = usize::MAX - P + 2;
    for at in [m - P, m, m + P] {
        assert_eq!(
            t.unmap(root, at, bad, true).unwrap_err(),
            Status::INVALID_ARGS
        );
    }
    assert_eq!(mapped_bits(&t, m, 4), 0b1111);
}

#[test]
fn unmap_rounds_length_up() {
    let mut t = tree();
    let root = t.root();
    let m = map_any(&mut t, root, 4 * P, 1);
    let removed = t.unmap(root, m, 4 * P - 1, true).unwrap();
    assert_eq!(pieces(&removed), [(m, 4 * P, 1, 0)]);
    assert_eq!(mapped_bits(&t, m, 4), 0);
}

#[test]
fn unmap_in_destroyed_vmar_is_bad_state() {
    let mut t = tree();
    let a = alloc_in_root(&mut t, CAN_RW, 0, 10 * P);
    let m = map_any(&mut t, a, P, 1);
    t.destroy(a).unwrap();
    assert_eq!(t.unmap(a, m, P, true).unwrap_err(), Status::BAD_STATE);
    assert_eq!(t.unmap(a, m, 0, true).unwrap_err(), Status::INVALID_ARGS);
}

#[test]
fn unmap_outside_the_vmar_is_invalid_args() {
    let mut t = tree();
    let a = alloc_in_root(&mut t, CAN_RW, 0, 10 * P);
    map_any(&mut t, a, P, 1);
    assert_eq!(
        t.unmap(a, a.base() - P, P, true).unwrap_err(),
        Status::INVALID_ARGS
    );
    assert_eq!(
        t.unmap(a, a.base(), 11 * P, true).unwrap_err(),
        Status::INVALID_ARGS
    );
    assert_eq!(
        t.unmap(a, a.end(), P, true).unwrap_err(),
        Status::INVALID_ARGS
    );
}

#[test]
fn unmap_of_a_hole_succeeds_and_removes_nothing() {
    let mut t = tree();
    let root = t.root();
    assert!(t.unmap(root, BASE, SIZE, true).unwrap().is_empty());
    let m = map_at(&mut t, root, P, 4 * P, 1);
    // Fuchsia's UnmapBaseNotMappedTest: a range that starts below the mapping.
    let removed = t.unmap(root, m - P, 5 * P, true).unwrap();
    assert_eq!(pieces(&removed), [(m, 4 * P, 1, 0)]);
}

#[test]
fn unmap_splits_a_mapping_from_the_left_right_and_centre() {
    // Fuchsia's UnmapSplitTest.
    let mut t = tree();
    let root = t.root();
    let m: Vec<usize> = (0..3).map(|i| map_any(&mut t, root, 4 * P, i)).collect();

    let removed = t.unmap(root, m[0], 2 * P, true).unwrap();
    assert_eq!(pieces(&removed), [(m[0], 2 * P, 0, 0)]);
    assert_eq!(mapped_bits(&t, m[0], 4), 0b1100);
    assert_eq!(t.find(m[0] + 2 * P).unwrap().vmo_offset, 2 * P as u64);
    t.unmap(root, m[0] + 2 * P, 2 * P, true).unwrap();
    assert_eq!(mapped_bits(&t, m[0], 4), 0);

    let removed = t.unmap(root, m[1] + 2 * P, 2 * P, true).unwrap();
    assert_eq!(pieces(&removed), [(m[1] + 2 * P, 2 * P, 1, 2 * P as u64)]);
    assert_eq!(mapped_bits(&t, m[1], 4), 0b0011);
    t.unmap(root, m[1], 2 * P, true).unwrap();
    assert_eq!(mapped_bits(&t, m[1], 4), 0);

    let removed = t.unmap(root, m[2] + P, 2 * P, true).unwrap();
    assert_eq!(pieces(&removed), [(m[2] + P, 2 * P, 2, P as u64)]);
    assert_eq!(mapped_bits(&t, m[2], 4), 0b1001);
    assert_eq!(t.find(m[2] + 3 * P).unwrap().vmo_offset, 3 * P as u64);
    t.unmap(root, m[2], P, true).unwrap();
    t.unmap(root, m[2] + 3 * P, P, true).unwrap();
    assert_eq!(mapped_bits(&t, m[2], 4), 0);
    check_invariants(&t);

    // The space is free again.
    for &base in &m {
        map_at(&mut t, root, base - BASE, 4 * P, 9);
    }
}

#[test]
fn unmap_across_several_mappings() {
    // Fuchsia's UnmapMultipleTest, first cases.
    let mut t = tree();
    let root = t.root();
    let size = 4 * P;
    map_at(&mut t, root, 0, size, 1);
    map_at(&mut t, root, size, size, 2);
    let removed = t.unmap(root, BASE + 2 * P, 3 * P, true).unwrap();
    assert_eq!(
        pieces(&removed),
        [
            (BASE + 2 * P, 2 * P, 1, 2 * P as u64),
            (BASE + size, P, 2, 0)
        ]
    );
    assert_eq!(mapped_bits(&t, BASE, 8), 0b1110_0011);
    t.unmap(root, BASE, 8 * P, true).unwrap();
    assert_eq!(mapped_bits(&t, BASE, 8), 0);

    map_at(&mut t, root, 0, size, 1);
    map_at(&mut t, root, 2 * size, size, 2);
    t.unmap(root, BASE, 2 * size + P, true).unwrap();
    assert_eq!(mapped_bits(&t, BASE, 12), 0b1110_0000_0000);
    check_invariants(&t);
}

#[test]
fn unmap_of_a_whole_subvmar_destroys_it() {
    // Fuchsia's UnmapMultipleTest, "subregion between".
    let mut t = tree();
    let root = t.root();
    let size = 4 * P;
    map_at(&mut t, root, 0, size, 1);
    map_at(&mut t, root, 2 * size, size, 2);
    let sub = alloc(&mut t, root, CAN_RWXS | ZX_VM_SPECIFIC, size, size);
    let inner = alloc(&mut t, sub, CAN_RWXS | ZX_VM_SPECIFIC, 2 * P, P);
    map_at(&mut t, sub, 0, P, 3);
    map_at(&mut t, inner, 0, P, 4);
    assert_eq!(mapped_bits(&t, BASE, 12), 0b1111_0101_1111);
    let removed = t.unmap(root, BASE, 2 * size + P, true).unwrap();
    assert_eq!(
        pieces(&removed),
        [
            (BASE, size, 1, 0),
            (BASE + size, P, 3, 0),
            (BASE + size + 2 * P, P, 4, 0),
            (BASE + 2 * size, P, 2, 0)
        ]
    );
    assert_eq!(mapped_bits(&t, BASE, 12), 0b1110_0000_0000);
    assert!(!t.is_alive(sub) && !t.is_alive(inner));
    assert_eq!(
        t.map(sub, RW | ZX_VM_SPECIFIC, P, P, 1, 0, RWX)
            .unwrap_err(),
        Status::BAD_STATE
    );
    check_invariants(&t);
}

#[test]
fn unmap_cutting_through_a_subvmar_is_invalid_args() {
    // Fuchsia's UnmapMultipleTest, "subregion after" and "subregion before".
    let mut t = tree();
    let root = t.root();
    let size = 4 * P;
    map_at(&mut t, root, 0, size, 1);
    map_at(&mut t, root, size, size, 2);
    let sub = alloc(&mut t, root, CAN_RWXS | ZX_VM_SPECIFIC, 2 * size, size);
    map_at(&mut t, sub, 0, P, 3);
    assert_eq!(mapped_bits(&t, BASE, 12), 0b0001_1111_1111);
    let got = t.unmap(root, BASE + P, 3 * size - 2 * P, true);
    assert_eq!(got.unwrap_err(), Status::INVALID_ARGS);
    assert_eq!(mapped_bits(&t, BASE, 12), 0b0001_1111_1111);
    t.unmap(root, BASE + P, 3 * size - P, true).unwrap();
    assert_eq!(mapped_bits(&t, BASE, 12), 0b0000_0000_0001);
    assert!(!t.is_alive(sub));
    t.unmap(root, BASE, P, true).unwrap();

    let sub = alloc(&mut t, root, CAN_RWXS | ZX_VM_SPECIFIC, 0, size);
    map_at(&mut t, root, size, size, 1);
    map_at(&mut t, sub, size - P, P, 3);
    let got = t.unmap(root, BASE + P, 3 * size - P, true);
    assert_eq!(got.unwrap_err(), Status::INVALID_ARGS);
    assert_eq!(mapped_bits(&t, BASE, 12), 0b0000_1111_1000);
    t.unmap(root, BASE, 3 * size, true).unwrap();
    assert_eq!(mapped_bits(&t, BASE, 12), 0);
    check_invariants(&t);
}

#[test]
fn unmap_inside_a_subvmar_through_its_parent_is_invalid_args() {
    let mut t = tree();
    let root = t.root();
    let sub = alloc(&mut t, root, CAN_RWXS, 0, 4 * P);
    let m = map_at(&mut t, sub, 0, 4 * P, 1);
    assert_eq!(t.unmap(root, m, P, true).unwrap_err(), Status::INVALID_ARGS);
    assert_eq!(t.unmap(sub, m, P, true).unwrap().len(), 1);
}

#[test]
fn unmap_of_a_subvmar_without_op_children_is_invalid_args() {
    // Fuchsia's UnmapOpChildren.
    let mut t = tree();
    let a = alloc_in_root(&mut t, CAN_RW, 0, P);
    let child = alloc(&mut t, a, CAN_RW, 0, P);
    let m = map_any(&mut t, child, P, 1);
    assert_eq!((a.base(), child.base()), (m, m));
    assert_eq!(t.unmap(a, m, P, false).unwrap_err(), Status::INVALID_ARGS);
    assert_eq!(t.unmap(a, m, P, true).unwrap().len(), 1);
    assert!(!t.is_alive(child));
    // Mappings alone need no OP_CHILDREN.
    let m = map_any(&mut t, a, P, 2);
    assert_eq!(t.unmap(a, m, P, false).unwrap().len(), 1);
}

#[test]
fn unmap_out_of_memory_changes_nothing() {
    let mut t = tree();
    let root = t.root();
    let m = map_any(&mut t, root, 4 * P, 1);
    let sub = alloc(&mut t, root, CAN_RW | ZX_VM_SPECIFIC, m + 4 * P - BASE, P);
    map_any(&mut t, sub, P, 2);
    let before = snapshot(&t);
    for budget in 0..2 {
        let got = with_reserve_budget(budget, || t.unmap(root, m + P, P, true));
        assert_eq!(got.unwrap_err(), Status::NO_MEMORY);
    }
    let got = with_reserve_budget(0, || t.unmap(root, m + 3 * P, 2 * P, true));
    assert_eq!(got.unwrap_err(), Status::NO_MEMORY);
    assert_eq!(snapshot(&t), before);
    assert!(t.is_alive(sub));
    check_invariants(&t);
}
