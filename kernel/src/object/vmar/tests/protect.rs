//! `zx_vmar_protect`: splitting, sub-VMARs, and every error in Zircon's order.

use super::super::PermChange;
use super::*;

fn change(base: usize, len: usize, old: u32, new: u32) -> PermChange {
    PermChange {
        base,
        len,
        old,
        new,
    }
}

fn perms_of(t: &Tree, base: usize, pages: usize) -> Vec<u32> {
    (0..pages)
        .map(|i| t.find(base + i * P).unwrap().perms)
        .collect()
}

#[test]
fn protect_changes_permissions_and_reports_them() {
    let mut t = tree();
    let root = t.root();
    let m = map_any(&mut t, root, 4 * P, 1);
    let changes = t.protect(root, R, m, 4 * P, true).unwrap();
    assert_eq!(changes, [change(m, 4 * P, RW, R)]);
    assert_eq!(perms_of(&t, m, 4), [R; 4]);
    // Back again: allowed, the maximum is the VMO's.
    assert_eq!(
        t.protect(root, RW, m, 4 * P, true).unwrap(),
        [change(m, 4 * P, R, RW)]
    );
}

#[test]
fn protect_splits_a_mapping_from_the_left_right_and_centre() {
    // Fuchsia's ProtectSplitTest.
    let mut t = tree();
    let root = t.root();
    for (offset, pages, expect) in [
        (0, 2, [R, R, RW, RW]),
        (2, 2, [RW, RW, R, R]),
        (1, 2, [RW, R, R, RW]),
    ] {
        let m = map_any(&mut t, root, 4 * P, 1);
        let changes = t.protect(root, R, m + offset * P, pages * P, true).unwrap();
        assert_eq!(changes, [change(m + offset * P, pages * P, RW, R)]);
        assert_eq!(perms_of(&t, m, 4), expect);
        assert_eq!(
            t.find(m + 3 * P).unwrap().vmo_offset_of(m + 3 * P),
            3 * P as u64
        );
        check_invariants(&t);
        assert_eq!(
            t.unmap(root, m, 4 * P, true).unwrap().len(),
            3 - (offset != 1) as usize
        );
        assert_eq!(mapped_bits(&t, m, 4), 0);
    }
}

#[test]
fn protect_rounds_length_up() {
    // Fuchsia's UnalignedLenTest.
    let mut t = tree();
    let root = t.root();
    let m = t.map(root, R, 0, 4 * P, 1, 0, RWX).unwrap().base;
    let changes = t.protect(root, RW, m, 4 * P - 1, true).unwrap();
    assert_eq!(changes, [change(m, 4 * P, R, RW)]);
}

#[test]
fn protect_invalid_combinations_and_options_are_invalid_args() {
    let mut t = tree();
    let root = t.root();
    let m = map_any(&mut t, root, 4 * P, 1);
    for options in [
        ZX_VM_PERM_WRITE,
        ZX_VM_PERM_EXECUTE,
        R | ZX_VM_CAN_MAP_WRITE,
        R | ZX_VM_SPECIFIC,
        R | 1 << 31,
        R | 1 << 15,
        R | ZX_VM_ALIGN_4KB,
    ] {
        assert_eq!(
            t.protect(root, options, m, P, true).unwrap_err(),
            Status::INVALID_ARGS
        );
    }
    assert_eq!(perms_of(&t, m, 4), [RW; 4]);
}

#[test]
fn protect_unaligned_or_empty_range_is_invalid_args() {
    let mut t = tree();
    let root = t.root();
    let m = map_any(&mut t, root, 4 * P, 1);
    assert_eq!(
        t.protect(root, R, m + 1, P, true).unwrap_err(),
        Status::INVALID_ARGS
    );
    assert_eq!(
        t.protect(root, R, m, 0, true).unwrap_err(),
        Status::INVALID_ARGS
    );
    let bad = usize::MAX - P + 2;
    for at in [m - P, m, m + P] {
        assert_eq!(
            t.protect(root, R, at, bad, true).unwrap_err(),
            Status::INVALID_ARGS
        );
    }
}

#[test]
fn protect_in_destroyed_vmar_is_bad_state() {
    let mut t = tree();
    let a = alloc_in_root(&mut t, CAN_RW, 0, 10 * P);
    let m = map_any(&mut t, a, P, 1);
    t.destroy(a).unwrap();
    assert_eq!(t.protect(a, R, m, P, true).unwrap_err(), Status::BAD_STATE);
    assert_eq!(
        t.protect(a, R, m, 0, true).unwrap_err(),
        Status::INVALID_ARGS
    );
}

#[test]
fn protect_outside_the_vmar_is_invalid_args() {
    let mut t = tree();
    let a = alloc_in_root(&mut t, CAN_RW, 0, 2 * P);
    map_any(&mut t, a, 2 * P, 1);
    assert_eq!(
        t.protect(a, R, a.base() - P, 2 * P, true).unwrap_err(),
        Status::INVALID_ARGS
    );
    assert_eq!(
        t.protect(a, R, a.base(), 3 * P, true).unwrap_err(),
        Status::INVALID_ARGS
    );
}

#[test]
fn protect_across_a_gap_is_not_found() {
    let mut t = tree();
    let root = t.root();
    let size = 4 * P;
    map_at(&mut t, root, 0, size, 1);
    map_at(&mut t, root, 2 * size, size, 2);
    let got = t.protect(root, R, BASE + P, 3 * size - 2 * P, true);
    assert_eq!(got.unwrap_err(), Status::NOT_FOUND);
    // A gap at the start and at the end.
    assert_eq!(
        t.protect(root, R, BASE + size, P, true).unwrap_err(),
        Status::NOT_FOUND
    );
    let got = t.protect(root, R, BASE + 2 * size, size + P, true);
    assert_eq!(got.unwrap_err(), Status::NOT_FOUND);
    assert_eq!(
        t.protect(root, R, BASE, size + P, true).unwrap_err(),
        Status::NOT_FOUND
    );
    assert!(t.mappings().all(|m| m.perms == RW));
}

#[test]
fn protect_across_an_empty_subvmar_is_not_found() {
    let mut t = tree();
    let root = t.root();
    let size = 4 * P;
    map_at(&mut t, root, 0, size, 1);
    alloc(&mut t, root, CAN_RW | ZX_VM_SPECIFIC, size, size);
    map_at(&mut t, root, 2 * size, size, 2);
    let got = t.protect(root, R, BASE + P, 3 * size - 2 * P, true);
    assert_eq!(got.unwrap_err(), Status::NOT_FOUND);
    assert!(t.mappings().all(|m| m.perms == RW));
}

#[test]
fn protect_across_a_full_subvmar_lowers_its_mappings() {
    // Fuchsia's ProtectMultipleTest, last case.
    let mut t = tree();
    let root = t.root();
    let size = 4 * P;
    map_at(&mut t, root, 0, size, 1);
    let sub = alloc(&mut t, root, CAN_RWXS | ZX_VM_SPECIFIC, size, size);
    map_at(&mut t, sub, 0, size, 2);
    map_at(&mut t, root, 2 * size, size, 3);
    let changes = t
        .protect(root, R, BASE + P, 3 * size - 2 * P, true)
        .unwrap();
    assert_eq!(
        changes,
        [
            change(BASE + P, 3 * P, RW, R),
            change(BASE + size, size, RW, R),
            change(BASE + 2 * size, 3 * P, RW, R)
        ]
    );
    let perms = perms_of(&t, BASE, 12);
    assert_eq!(perms[0], RW);
    assert!(perms[1..11].iter().all(|&p| p == R));
    assert_eq!(perms[11], RW);
    check_invariants(&t);
}

#[test]
fn protect_beyond_max_perms_is_access_denied_and_changes_nothing() {
    // Fuchsia's ProtectMultipleTest, second case.
    let mut t = tree();
    let root = t.root();
    let size = 4 * P;
    map_at(&mut t, root, 0, size, 1);
    t.map(root, R | ZX_VM_SPECIFIC, size, size, 2, 0, R)
        .unwrap();
    map_at(&mut t, root, 2 * size, size, 3);
    let got = t.protect(root, RW, BASE + P, 3 * size - 2 * P, true);
    assert_eq!(got.unwrap_err(), Status::ACCESS_DENIED);
    let got = t.protect(root, RWX, BASE + size, P, true);
    assert_eq!(got.unwrap_err(), Status::ACCESS_DENIED);
    assert_eq!(perms_of(&t, BASE, 12), [[RW; 4], [R; 4], [RW; 4]].concat());
    check_invariants(&t);
}

#[test]
fn protect_reports_the_first_problem_by_address() {
    let mut t = tree();
    let root = t.root();
    map_at(&mut t, root, 0, P, 1);
    t.map(root, R | ZX_VM_SPECIFIC, 2 * P, P, 2, 0, R).unwrap();
    // A gap, then a mapping that cannot be made writable: the gap first.
    assert_eq!(
        t.protect(root, RW, BASE, 3 * P, true).unwrap_err(),
        Status::NOT_FOUND
    );
    // The mapping first, then a gap after it.
    let got = t.protect(root, RW, BASE + 2 * P, 2 * P, true);
    assert_eq!(got.unwrap_err(), Status::ACCESS_DENIED);
}

#[test]
fn protect_through_a_parent_can_only_lower_permissions() {
    // Fuchsia's ProtectSubregionTest.
    let mut t = tree();
    let a = alloc_in_root(&mut t, CAN_RW, 0, P);
    let child = alloc(&mut t, a, CAN_RW, 0, P);
    let m = map_any(&mut t, child, P, 1);
    assert_eq!((a.base(), child.base()), (m, m));
    assert_eq!(t.protect(a, R, m, P, true).unwrap(), [change(m, P, RW, R)]);
    assert_eq!(
        t.protect(a, RW, m, P, true).unwrap_err(),
        Status::ACCESS_DENIED
    );
    assert_eq!(
        t.protect(child, RW, m, P, true).unwrap(),
        [change(m, P, R, RW)]
    );
    // Without OP_CHILDREN not even lowering works through the parent.
    assert_eq!(
        t.protect(a, R, m, P, false).unwrap_err(),
        Status::INVALID_ARGS
    );
    // A mapping of the VMAR itself needs no OP_CHILDREN.
    assert_eq!(t.protect(child, R, m, P, false).unwrap().len(), 1);
}

#[test]
fn protect_to_no_permissions_is_allowed() {
    let mut t = tree();
    let root = t.root();
    let m = map_any(&mut t, root, P, 1);
    assert_eq!(
        t.protect(root, 0, m, P, true).unwrap(),
        [change(m, P, RW, 0)]
    );
    assert_eq!(t.find(m).unwrap().perms, 0);
}

#[test]
fn protect_to_the_same_permissions_changes_and_splits_nothing() {
    let mut t = tree();
    let root = t.root();
    let m = map_any(&mut t, root, 4 * P, 1);
    assert!(t.protect(root, RW, m + P, 2 * P, true).unwrap().is_empty());
    assert_eq!(t.mappings().count(), 1);
    // Only the part whose permissions differ is reported.
    t.protect(root, R, m, P, true).unwrap();
    let changes = t.protect(root, R, m, 4 * P, true).unwrap();
    assert_eq!(changes, [change(m + P, 3 * P, RW, R)]);
}

#[test]
fn protect_out_of_memory_changes_nothing() {
    let mut t = tree();
    let root = t.root();
    let m = map_any(&mut t, root, 4 * P, 1);
    let before = snapshot(&t);
    for budget in 0..2 {
        let got = with_reserve_budget(budget, || t.protect(root, R, m + P, P, true));
        assert_eq!(got.unwrap_err(), Status::NO_MEMORY);
    }
    assert_eq!(snapshot(&t), before);
    check_invariants(&t);
}
