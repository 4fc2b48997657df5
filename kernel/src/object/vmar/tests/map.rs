//! `zx_vmar_map`: placement, SPECIFIC_OVERWRITE, and every error in Zircon's order.

use super::*;

#[test]
fn map_places_inside_vmar_and_rounds_len_up() {
    let mut t = tree();
    let a = alloc_in_root(&mut t, CAN_RW, 0, 10 * P);
    let mapped = t.map(a, RW, 0, 4 * P - 1, 7, 0, RWX).unwrap();
    assert_eq!(mapped.len, 4 * P);
    assert!(mapped.base >= a.base() && mapped.base + mapped.len <= a.end());
    assert!(mapped.replaced.is_empty());
    assert_eq!(mapped_bits(&t, mapped.base, 4), 0b1111);
    let m = t.find(mapped.base + 3 * P).unwrap();
    assert_eq!((m.object, m.perms, m.vmo_offset), (7, RW, 0));
    check_invariants(&t);
}

#[test]
fn map_specific_offset_is_relative_to_vmar_base() {
    let mut t = tree();
    let a = alloc_in_root(&mut t, CAN_RWXS | ZX_VM_SPECIFIC, 16 * P, 16 * P);
    assert_eq!(map_at(&mut t, a, 2 * P, P, 1), BASE + 18 * P);
}

#[test]
fn map_zero_length_is_invalid_args() {
    let mut t = tree();
    assert_eq!(
        t.map(t.root(), RW, 0, 0, 1, 0, RWX).unwrap_err(),
        Status::INVALID_ARGS
    );
}

#[test]
fn map_length_that_rounds_past_the_top_is_out_of_range() {
    let mut t = tree();
    let bad = usize::MAX - P + 2;
    assert_eq!(
        t.map(t.root(), RW, 0, bad, 1, 0, RWX).unwrap_err(),
        Status::OUT_OF_RANGE
    );
    let range = R | ZX_VM_MAP_RANGE;
    assert_eq!(
        t.map(t.root(), range, 0, bad, 1, 0, RWX).unwrap_err(),
        Status::OUT_OF_RANGE
    );
}

#[test]
fn map_vmo_offset_overflow_is_out_of_range() {
    let mut t = tree();
    let root = t.root();
    let last = u64::MAX - P as u64 + 1;
    assert_eq!(
        t.map(root, RW, 0, P, 1, last, RWX).unwrap_err(),
        Status::OUT_OF_RANGE
    );
    let mapped = t.map(root, RW, 0, P, 1, last - P as u64, RWX).unwrap();
    assert_eq!(t.find(mapped.base).unwrap().vmo_offset, last - P as u64);
}

#[test]
fn map_unaligned_vmo_offset_is_invalid_args() {
    let mut t = tree();
    let root = t.root();
    for options in [RW, RW | ZX_VM_SPECIFIC, RW | ZX_VM_MAP_RANGE] {
        let offset = if options & ZX_VM_SPECIFIC != 0 { P } else { 0 };
        let got = t.map(root, options, offset, 3 * P, 1, P as u64 - 1, RWX);
        assert_eq!(got.unwrap_err(), Status::INVALID_ARGS);
    }
}

#[test]
fn map_write_or_execute_without_read_is_invalid_args() {
    let mut t = tree();
    let root = t.root();
    for perms in [
        ZX_VM_PERM_WRITE,
        ZX_VM_PERM_EXECUTE,
        ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE,
    ] {
        // Even where the handle would not allow it: this check comes first.
        assert_eq!(
            t.map(root, perms, 0, P, 1, 0, 0).unwrap_err(),
            Status::INVALID_ARGS
        );
    }
}

#[test]
fn map_range_with_specific_overwrite_is_invalid_args() {
    let mut t = tree();
    let options = R | ZX_VM_SPECIFIC_OVERWRITE | ZX_VM_MAP_RANGE;
    assert_eq!(
        t.map(t.root(), options, P, 4 * P, 1, 0, RWX).unwrap_err(),
        Status::INVALID_ARGS
    );
}

#[test]
fn map_with_can_map_bits_is_invalid_args() {
    let mut t = tree();
    let root = t.root();
    let options = RW | ZX_VM_CAN_MAP_EXECUTE;
    assert_eq!(
        t.map(root, options, 0, 4 * P, 1, 0, RWX).unwrap_err(),
        Status::INVALID_ARGS
    );
    let options = RW | ZX_VM_CAN_MAP_SPECIFIC;
    assert_eq!(
        t.map(root, options, 0, 4 * P, 1, 0, RWX).unwrap_err(),
        Status::INVALID_ARGS
    );
}

#[test]
fn map_with_unknown_bits_or_compact_is_invalid_args() {
    let mut t = tree();
    let root = t.root();
    for options in [
        RW | 1 << 31,
        RW | 1 << 15,
        RW | ZX_VM_COMPACT,
        RW | 9 << ZX_VM_ALIGN_BASE,
    ] {
        assert_eq!(
            t.map(root, options, 0, P, 1, 0, RWX).unwrap_err(),
            Status::INVALID_ARGS
        );
    }
}

#[test]
fn map_beyond_max_perms_is_access_denied() {
    let mut t = tree();
    let root = t.root();
    assert_eq!(
        t.map(root, RW, 0, P, 1, 0, R).unwrap_err(),
        Status::ACCESS_DENIED
    );
    assert_eq!(
        t.map(root, R, 0, P, 1, 0, 0).unwrap_err(),
        Status::ACCESS_DENIED
    );
    assert_eq!(
        t.map(root, RWX, 0, P, 1, 0, RW).unwrap_err(),
        Status::ACCESS_DENIED
    );
    assert!(t.map(root, 0, 0, P, 1, 0, 0).is_ok());
}

#[test]
fn map_beyond_vmar_can_map_is_access_denied() {
    let mut t = tree();
    for (excluded, perm) in [
        (ZX_VM_CAN_MAP_READ, ZX_VM_PERM_READ),
        (ZX_VM_CAN_MAP_WRITE, ZX_VM_PERM_WRITE),
        (ZX_VM_CAN_MAP_EXECUTE, ZX_VM_PERM_EXECUTE),
    ] {
        let a = alloc_in_root(&mut t, CAN_RWX ^ excluded, 0, 10 * P);
        assert_eq!(
            t.map(a, RWX, 0, P, 1, 0, RWX).unwrap_err(),
            Status::ACCESS_DENIED
        );
        if perm != ZX_VM_PERM_READ {
            let mapped = t.map(a, RWX ^ perm, 0, P, 1, 0, RWX).unwrap();
            // The mapping can never gain what its VMAR cannot map.
            assert_eq!(t.find(mapped.base).unwrap().max_perms, RWX ^ perm);
        }
        t.destroy(a).unwrap();
        // Checked before BAD_STATE: the id still knows its flags.
        assert_eq!(
            t.map(a, RWX, 0, P, 1, 0, RWX).unwrap_err(),
            Status::ACCESS_DENIED
        );
    }
}

#[test]
fn map_in_destroyed_vmar_is_bad_state() {
    let mut t = tree();
    let a = alloc_in_root(&mut t, CAN_RW, 0, 10 * P);
    t.destroy(a).unwrap();
    assert_eq!(t.map(a, R, 0, P, 1, 0, RWX).unwrap_err(), Status::BAD_STATE);
    // Before a zero length; after an unaligned VMO offset and the overflow checks.
    assert_eq!(t.map(a, R, 0, 0, 1, 0, RWX).unwrap_err(), Status::BAD_STATE);
    assert_eq!(
        t.map(a, R, 0, P, 1, 1, RWX).unwrap_err(),
        Status::INVALID_ARGS
    );
    let last = u64::MAX - P as u64 + 1;
    assert_eq!(
        t.map(a, R, 0, P, 1, last, RWX).unwrap_err(),
        Status::OUT_OF_RANGE
    );
}

#[test]
fn map_offset_without_specific_is_invalid_args() {
    let mut t = tree();
    assert_eq!(
        t.map(t.root(), RW, P, 4 * P, 1, 0, RWX).unwrap_err(),
        Status::INVALID_ARGS
    );
}

#[test]
fn map_specific_with_upper_limit_is_invalid_args() {
    let mut t = tree();
    let root = t.root();
    for placement in [ZX_VM_SPECIFIC, ZX_VM_SPECIFIC_OVERWRITE] {
        let options = RW | placement | ZX_VM_OFFSET_IS_UPPER_LIMIT;
        assert_eq!(
            t.map(root, options, P, 4 * P, 1, 0, RWX).unwrap_err(),
            Status::INVALID_ARGS
        );
    }
}

#[test]
fn map_specific_without_can_map_specific_is_access_denied() {
    let mut t = tree();
    let a = alloc_in_root(&mut t, CAN_RWX, 0, 10 * P);
    for placement in [
        ZX_VM_SPECIFIC,
        ZX_VM_SPECIFIC_OVERWRITE,
        ZX_VM_OFFSET_IS_UPPER_LIMIT,
    ] {
        let got = t.map(a, R | placement, P, P, 1, 0, RWX);
        assert_eq!(got.unwrap_err(), Status::ACCESS_DENIED);
    }
}

#[test]
fn map_specific_outside_vmar_is_invalid_args() {
    let mut t = tree();
    let root = t.root();
    let specific = RW | ZX_VM_SPECIFIC;
    let top = usize::MAX & !(P - 1);
    assert_eq!(
        t.map(root, specific, top, P, 1, 0, RWX).unwrap_err(),
        Status::INVALID_ARGS
    );
    assert_eq!(
        t.map(root, specific, SIZE, P, 1, 0, RWX).unwrap_err(),
        Status::INVALID_ARGS
    );
    assert_eq!(
        t.map(root, specific, SIZE - P, 2 * P, 1, 0, RWX)
            .unwrap_err(),
        Status::INVALID_ARGS
    );
    assert_eq!(
        t.map(root, RW, 0, SIZE + P, 1, 0, RWX).unwrap_err(),
        Status::INVALID_ARGS
    );
    let specific_unaligned = t.map(root, specific, P - 1, 4 * P, 1, 0, RWX);
    assert_eq!(specific_unaligned.unwrap_err(), Status::INVALID_ARGS);
}

#[test]
fn map_specific_over_a_mapping_or_region_is_already_exists() {
    let mut t = tree();
    let a = alloc_in_root(&mut t, CAN_RWXS, 0, 10 * P);
    let m = map_at(&mut t, a, P, 2 * P, 1) - a.base();
    let specific = RW | ZX_VM_SPECIFIC;
    for len in [2 * P, P, 4 * P] {
        assert_eq!(
            t.map(a, specific, m, len, 2, 0, RWX).unwrap_err(),
            Status::ALREADY_EXISTS
        );
    }
    t.unmap(a, a.base() + m, 2 * P, true).unwrap();
    let b = alloc(&mut t, a, CAN_RW | ZX_VM_SPECIFIC, P, 2 * P);
    let at = b.base() - a.base();
    for len in [2 * P, P, 4 * P] {
        assert_eq!(
            t.map(a, specific, at, len, 2, 0, RWX).unwrap_err(),
            Status::ALREADY_EXISTS
        );
    }
    check_invariants(&t);
}

#[test]
fn map_specific_overwrite_replaces_whole_and_partial_mappings() {
    let mut t = tree();
    let root = t.root();
    let first = map_at(&mut t, root, P, 4 * P, 1);
    let overwrite = RW | ZX_VM_SPECIFIC_OVERWRITE;
    let mapped = t.map(root, overwrite, P, 4 * P, 2, 0, RWX).unwrap();
    assert_eq!(mapped.base, first);
    assert_eq!(pieces(&mapped.replaced), [(first, 4 * P, 1, 0)]);
    assert!((0..4).all(|i| t.find(first + i * P).unwrap().object == 2));

    // Over the middle: the old mapping keeps its two ends.
    let mapped = t.map(root, overwrite, 2 * P, 2 * P, 1, 0, RWX).unwrap();
    assert_eq!(mapped.base, first + P);
    assert_eq!(pieces(&mapped.replaced), [(first + P, 2 * P, 2, P as u64)]);
    let objects: Vec<u32> = (0..4)
        .map(|i| t.find(first + i * P).unwrap().object)
        .collect();
    assert_eq!(objects, [2, 1, 1, 2]);
    assert_eq!(t.find(first + 3 * P).unwrap().vmo_offset, 3 * P as u64);
    check_invariants(&t);
}

#[test]
fn map_specific_overwrite_across_several_mappings_and_holes() {
    let mut t = tree();
    let root = t.root();
    map_at(&mut t, root, 0, 2 * P, 1);
    map_at(&mut t, root, 3 * P, P, 2);
    map_at(&mut t, root, 5 * P, 3 * P, 3);
    let overwrite = RW | ZX_VM_SPECIFIC_OVERWRITE;
    let mapped = t.map(root, overwrite, P, 5 * P, 9, 0, RWX).unwrap();
    assert_eq!(
        pieces(&mapped.replaced),
        [
            (BASE + P, P, 1, P as u64),
            (BASE + 3 * P, P, 2, 0),
            (BASE + 5 * P, P, 3, 0)
        ]
    );
    assert_eq!(mapped_bits(&t, BASE, 8), 0b1111_1111);
    assert_eq!(t.find(BASE + 6 * P).unwrap().vmo_offset, P as u64);
    check_invariants(&t);
}

#[test]
fn map_specific_overwrite_on_free_range_replaces_nothing() {
    let mut t = tree();
    let mapped = t
        .map(t.root(), RW | ZX_VM_SPECIFIC_OVERWRITE, P, P, 1, 0, RWX)
        .unwrap();
    assert_eq!(mapped.base, BASE + P);
    assert!(mapped.replaced.is_empty());
}

#[test]
fn map_specific_overwrite_touching_a_subvmar_is_invalid_args() {
    let mut t = tree();
    let root = t.root();
    let m = map_at(&mut t, root, P, 4 * P, 1);
    let a = alloc(&mut t, root, CAN_RW | ZX_VM_SPECIFIC, 5 * P, 4 * P);
    assert_eq!(a.base(), m + 4 * P);
    let overwrite = RW | ZX_VM_SPECIFIC_OVERWRITE;
    assert_eq!(
        t.map(root, overwrite, P, 8 * P, 2, 0, RWX).unwrap_err(),
        Status::INVALID_ARGS
    );
    // Nothing was replaced.
    assert_eq!(t.find(m).unwrap().object, 1);
    check_invariants(&t);
}

#[test]
fn map_specific_base_must_meet_alignment() {
    let mut t = Tree::new(0x1_0000_0000, 0x2_0000_0000);
    let root = t.root();
    let options = RW | ZX_VM_ALIGN_64KB | ZX_VM_SPECIFIC;
    assert_eq!(
        t.map(root, options, 4096, 2 * P, 1, 0, RWX).unwrap_err(),
        Status::INVALID_ARGS
    );
    let mapped = t.map(root, options, 64 * 1024, 2 * P, 1, 0, RWX).unwrap();
    assert_eq!(mapped.base, 0x1_0001_0000);
}

#[test]
fn map_honours_every_alignment() {
    let mut t = Tree::new(0x1_0000_0000, 0x2_0000_0000).with_aslr_seed(11);
    let root = t.root();
    for pow2 in 10..=32u32 {
        let mapped = t
            .map(root, RW | pow2 << ZX_VM_ALIGN_BASE, 0, 2 * P, 1, 0, RWX)
            .unwrap();
        assert!(mapped.base.trailing_zeros() >= pow2.max(12));
        t.unmap(root, mapped.base, 2 * P, true).unwrap();
    }
}

#[test]
fn map_when_full_is_no_resources() {
    let mut t = tree();
    let a = alloc_in_root(&mut t, CAN_RWXS, 0, 4 * P);
    map_any(&mut t, a, 4 * P, 1);
    assert_eq!(
        t.map(a, RW, 0, P, 1, 0, RWX).unwrap_err(),
        Status::NO_RESOURCES
    );
}

#[test]
fn map_upper_limit_keeps_mappings_below_limit() {
    // Fuchsia's MapInUpperLimitTest.
    let mut t = tree().with_aslr_seed(5);
    let a = alloc_in_root(&mut t, CAN_RWXS, 0, 100 * P);
    let options = RW | ZX_VM_OFFSET_IS_UPPER_LIMIT;
    let err = |t: &mut Tree, limit, len| t.map(a, options, limit, len, 1, 0, RWX).unwrap_err();
    assert_eq!(err(&mut t, 101 * P, P), Status::INVALID_ARGS);
    assert_eq!(err(&mut t, P, 2 * P), Status::INVALID_ARGS);
    assert_eq!(err(&mut t, P, 101 * P), Status::INVALID_ARGS);
    let whole = t.map(a, options, 100 * P, 100 * P, 1, 0, RWX).unwrap();
    assert_eq!(whole.base, a.base());
    t.unmap(a, whole.base, 100 * P, true).unwrap();
    for _ in 0..50 {
        let mapped = t.map(a, options, 50 * P, P, 1, 0, RWX).unwrap();
        assert!(mapped.base >= a.base() && mapped.base + P <= a.base() + 50 * P);
    }
    assert_eq!(err(&mut t, 50 * P, P), Status::NO_RESOURCES);
    map_any(&mut t, a, P, 1);
}

#[test]
fn map_ignores_the_callers_options() {
    let mut t = tree();
    let root = t.root();
    for option in [
        ZX_VM_MAP_RANGE,
        ZX_VM_REQUIRE_NON_RESIZABLE,
        ZX_VM_ALLOW_FAULTS,
        ZX_VM_PERM_READ_IF_XOM_UNSUPPORTED,
    ] {
        assert!(t.map(root, R | option, 0, P, 1, 0, RWX).is_ok());
    }
}

#[test]
fn map_with_no_permissions_is_allowed() {
    let mut t = tree();
    let mapped = t.map(t.root(), 0, 0, P, 1, 0, R).unwrap();
    let m = t.find(mapped.base).unwrap();
    assert_eq!((m.perms, m.max_perms), (0, R));
}

#[test]
fn map_keeps_the_vmo_offset_and_max_perms() {
    let mut t = tree();
    let mapped = t.map(t.root(), R, 0, 2 * P, 4, 8 * P as u64, RW).unwrap();
    let m = t.find(mapped.base + P).unwrap();
    assert_eq!(
        (m.object, m.vmo_offset, m.perms, m.max_perms),
        (4, 8 * P as u64, R, RW)
    );
    assert_eq!(m.vmo_offset_of(mapped.base + P + 5), 9 * P as u64 + 5);
}

#[test]
fn map_out_of_memory_changes_nothing() {
    let mut t = tree();
    let root = t.root();
    map_at(&mut t, root, 0, 4 * P, 1);
    let before = snapshot(&t);
    let got = with_reserve_budget(0, || t.map(root, RW, 0, P, 2, 0, RWX));
    assert_eq!(got.unwrap_err(), Status::NO_MEMORY);
    for budget in 0..2 {
        let overwrite = RW | ZX_VM_SPECIFIC_OVERWRITE;
        let got = with_reserve_budget(budget, || t.map(root, overwrite, P, P, 2, 0, RWX));
        assert_eq!(got.unwrap_err(), Status::NO_MEMORY);
    }
    assert_eq!(snapshot(&t), before);
    check_invariants(&t);
}
