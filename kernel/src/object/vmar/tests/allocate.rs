//! `zx_vmar_allocate`: placement, and every error in Zircon's order.

use super::*;

#[test]
fn allocate_places_child_inside_parent() {
    let mut t = tree();
    let a = alloc_in_root(&mut t, CAN_RW, 0, 10 * P);
    let b = alloc(&mut t, a, CAN_RW, 0, P);
    assert!(a.base() >= BASE && a.end() <= BASE + SIZE);
    assert!(b.base() >= a.base() && b.end() <= a.end());
    assert_eq!((a.size(), b.size()), (10 * P, P));
    check_invariants(&t);
}

#[test]
fn allocate_specific_offset_is_relative_to_parent_base() {
    let mut t = tree();
    let a = alloc_in_root(&mut t, CAN_RWXS | ZX_VM_SPECIFIC, 8 * P, 16 * P);
    assert_eq!(a.base(), BASE + 8 * P);
    let b = alloc(&mut t, a, CAN_RW | ZX_VM_SPECIFIC, 2 * P, P);
    assert_eq!(b.base(), BASE + 10 * P);
}

#[test]
fn allocate_whole_parent_gets_parent_base() {
    let mut t = tree();
    let a = alloc_in_root(&mut t, CAN_RWXS, 0, 10 * P);
    let b = alloc(&mut t, a, CAN_RW, 0, 10 * P);
    assert_eq!(b.base(), a.base());
}

#[test]
fn allocate_with_permission_bits_is_invalid_args() {
    let mut t = tree();
    let root = t.root();
    assert_eq!(
        t.allocate(root, CAN_RW | R, 0, 4 * P),
        Err(Status::INVALID_ARGS)
    );
    assert_eq!(
        t.allocate(root, ZX_VM_CAN_MAP_READ | R, P, 10 * P),
        Err(Status::INVALID_ARGS)
    );
}

#[test]
fn allocate_with_unknown_bits_is_invalid_args() {
    let mut t = tree();
    let root = t.root();
    assert_eq!(
        t.allocate(root, ZX_VM_CAN_MAP_READ | 1 << 31, 0, 4 * P),
        Err(Status::INVALID_ARGS)
    );
    assert_eq!(
        t.allocate(root, CAN_RW | ZX_VM_MAP_RANGE, 0, P),
        Err(Status::INVALID_ARGS)
    );
    assert_eq!(
        t.allocate(root, CAN_RW | 9 << ZX_VM_ALIGN_BASE, 0, P),
        Err(Status::INVALID_ARGS)
    );
}

#[test]
fn allocate_with_mapping_only_options_is_invalid_args() {
    let mut t = tree();
    let root = t.root();
    for option in [
        ZX_VM_SPECIFIC_OVERWRITE,
        ZX_VM_REQUIRE_NON_RESIZABLE,
        ZX_VM_ALLOW_FAULTS,
    ] {
        assert_eq!(
            t.allocate(root, CAN_RW | option, 0, P),
            Err(Status::INVALID_ARGS)
        );
    }
    let overwrite_upper = CAN_RW | ZX_VM_SPECIFIC_OVERWRITE | ZX_VM_OFFSET_IS_UPPER_LIMIT;
    assert_eq!(
        t.allocate(root, overwrite_upper, P, 10 * P),
        Err(Status::INVALID_ARGS)
    );
}

#[test]
fn allocate_unaligned_or_zero_size_is_invalid_args() {
    let mut t = tree();
    let root = t.root();
    assert_eq!(
        t.allocate(root, CAN_RW, 0, P - 1),
        Err(Status::INVALID_ARGS)
    );
    assert_eq!(t.allocate(root, CAN_RW, 0, 0), Err(Status::INVALID_ARGS));
    // Fuchsia's "size rounds up to 0" case: unaligned, so INVALID_ARGS.
    assert_eq!(
        t.allocate(root, CAN_RW, 0, usize::MAX - P + 2),
        Err(Status::INVALID_ARGS)
    );
}

#[test]
fn allocate_in_destroyed_vmar_is_bad_state() {
    let mut t = tree();
    let a = alloc_in_root(&mut t, CAN_RW, 0, 10 * P);
    t.destroy(a).unwrap();
    assert_eq!(t.allocate(a, CAN_RW, 0, P), Err(Status::BAD_STATE));
    // BAD_STATE comes before a zero size, but after the checks on the options.
    assert_eq!(t.allocate(a, CAN_RW, 0, 0), Err(Status::BAD_STATE));
    assert_eq!(t.allocate(a, CAN_RW, 0, P - 1), Err(Status::INVALID_ARGS));
    assert_eq!(t.allocate(a, CAN_RW | R, 0, P), Err(Status::INVALID_ARGS));
}

#[test]
fn allocate_can_map_beyond_parent_is_access_denied() {
    let mut t = tree();
    for excluded in [
        ZX_VM_CAN_MAP_READ,
        ZX_VM_CAN_MAP_WRITE,
        ZX_VM_CAN_MAP_EXECUTE,
    ] {
        let a = alloc_in_root(&mut t, CAN_RWX ^ excluded, 0, 10 * P);
        assert_eq!(t.allocate(a, CAN_RWX, 0, P), Err(Status::ACCESS_DENIED));
        let b = alloc(&mut t, a, CAN_RWX ^ excluded, 0, P);
        assert_eq!(b.flags() & excluded, 0);
        t.destroy(a).unwrap();
    }
}

#[test]
fn allocate_can_map_specific_beyond_parent_is_allowed() {
    let mut t = tree();
    let a = alloc_in_root(&mut t, CAN_RW, 0, 10 * P);
    let b = alloc(&mut t, a, CAN_RW | ZX_VM_CAN_MAP_SPECIFIC, 0, P);
    assert_ne!(b.flags() & ZX_VM_CAN_MAP_SPECIFIC, 0);
}

#[test]
fn allocate_size_zero_comes_before_access_denied() {
    let mut t = tree();
    let a = alloc_in_root(&mut t, ZX_VM_CAN_MAP_READ, 0, 10 * P);
    assert_eq!(t.allocate(a, CAN_RW, 0, 0), Err(Status::INVALID_ARGS));
    // ACCESS_DENIED for CAN_MAP_* comes before the offset checks.
    assert_eq!(t.allocate(a, CAN_RW, P, P), Err(Status::ACCESS_DENIED));
}

#[test]
fn allocate_offset_without_specific_is_invalid_args() {
    let mut t = tree();
    assert_eq!(
        t.allocate(t.root(), CAN_RW, P, 10 * P),
        Err(Status::INVALID_ARGS)
    );
}

#[test]
fn allocate_specific_with_upper_limit_is_invalid_args() {
    let mut t = tree();
    let options = CAN_RW | ZX_VM_SPECIFIC | ZX_VM_OFFSET_IS_UPPER_LIMIT;
    assert_eq!(
        t.allocate(t.root(), options, P, 10 * P),
        Err(Status::INVALID_ARGS)
    );
}

#[test]
fn allocate_unaligned_offset_is_invalid_args() {
    let mut t = tree();
    let options = CAN_RWXS | ZX_VM_SPECIFIC;
    assert_eq!(
        t.allocate(t.root(), options, P - 1, P),
        Err(Status::INVALID_ARGS)
    );
}

#[test]
fn allocate_specific_without_can_map_specific_is_access_denied() {
    let mut t = tree();
    let a = alloc_in_root(&mut t, CAN_RW, 0, 10 * P);
    let specific = CAN_RW | ZX_VM_SPECIFIC;
    assert_eq!(t.allocate(a, specific, P, P), Err(Status::ACCESS_DENIED));
    let upper = CAN_RW | ZX_VM_OFFSET_IS_UPPER_LIMIT;
    assert_eq!(t.allocate(a, upper, 4 * P, P), Err(Status::ACCESS_DENIED));
}

#[test]
fn allocate_out_of_bounds_is_invalid_args() {
    let mut t = tree();
    let a = alloc_in_root(&mut t, CAN_RWXS, 0, 10 * P);
    let specific = CAN_RW | ZX_VM_SPECIFIC;
    assert_eq!(
        t.allocate(a, specific, 10 * P, P),
        Err(Status::INVALID_ARGS)
    );
    assert_eq!(
        t.allocate(a, specific, 9 * P, 2 * P),
        Err(Status::INVALID_ARGS)
    );
    assert_eq!(t.allocate(a, CAN_RW, 0, 11 * P), Err(Status::INVALID_ARGS));
    let huge = usize::MAX & !(P - 1);
    assert_eq!(t.allocate(a, specific, huge, P), Err(Status::INVALID_ARGS));
}

#[test]
fn allocate_when_full_is_no_resources() {
    let mut t = tree();
    let a = alloc_in_root(&mut t, CAN_RWXS, 0, 10 * P);
    let b = alloc(&mut t, a, CAN_RW, 0, 10 * P);
    assert_eq!(b.base(), a.base());
    assert_eq!(t.allocate(a, CAN_RW, 0, P), Err(Status::NO_RESOURCES));
}

#[test]
fn allocate_specific_over_a_mapping_or_region_is_already_exists() {
    let mut t = tree();
    let a = alloc_in_root(&mut t, CAN_RWXS, 0, 10 * P);
    let m = map_at(&mut t, a, P, 2 * P, 1);
    let specific = CAN_RW | ZX_VM_SPECIFIC;
    assert_eq!(
        t.allocate(a, specific, m - a.base(), P),
        Err(Status::ALREADY_EXISTS)
    );
    t.unmap(a, m, 2 * P, true).unwrap();
    let b = alloc(&mut t, a, specific, P, 2 * P);
    assert_eq!(
        t.allocate(a, specific, b.base() - a.base(), P),
        Err(Status::ALREADY_EXISTS)
    );
    assert_eq!(
        t.allocate(a, specific, 0, 2 * P),
        Err(Status::ALREADY_EXISTS)
    );
}

#[test]
fn allocate_specific_base_must_meet_alignment() {
    let mut t = Tree::new(0x1_0000_0000, 0x2_0000_0000);
    let a = alloc_in_root(&mut t, CAN_RWXS, 0, 0x1_0000_0000);
    let options = CAN_RW | ZX_VM_ALIGN_64KB | ZX_VM_SPECIFIC;
    assert_eq!(
        t.allocate(a, options, 4096, 16 * P),
        Err(Status::INVALID_ARGS)
    );
    let b = alloc(&mut t, a, options, 64 * 1024, 16 * P);
    assert_eq!(b.base(), a.base() + 64 * 1024);
}

#[test]
fn allocate_honours_every_alignment() {
    let mut t = Tree::new(0x1_0000_0000, 0x2_0000_0000).with_aslr_seed(7);
    let a = alloc_in_root(&mut t, CAN_RWXS, 0, 0x2_0000_0000);
    for pow2 in 10..=32u32 {
        let child = alloc(&mut t, a, CAN_RW | pow2 << ZX_VM_ALIGN_BASE, 0, 16 * P);
        assert!(child.base().trailing_zeros() >= pow2.max(12));
        t.destroy(child).unwrap();
    }
}

#[test]
fn allocate_upper_limit_keeps_child_below_limit() {
    let mut t = tree().with_aslr_seed(3);
    let a = alloc_in_root(&mut t, CAN_RWXS, 0, 100 * P);
    let upper = CAN_RW | ZX_VM_OFFSET_IS_UPPER_LIMIT;
    assert_eq!(t.allocate(a, upper, 101 * P, P), Err(Status::INVALID_ARGS));
    assert_eq!(t.allocate(a, upper, P, 2 * P), Err(Status::INVALID_ARGS));
    assert_eq!(
        t.allocate(a, upper, 100 * P, 101 * P),
        Err(Status::INVALID_ARGS)
    );
    for _ in 0..50 {
        let child = alloc(&mut t, a, upper, 50 * P, P);
        assert!(child.end() <= a.base() + 50 * P);
    }
    assert_eq!(t.allocate(a, upper, 50 * P, P), Err(Status::NO_RESOURCES));
    alloc(&mut t, a, CAN_RW, 0, P);
}

#[test]
fn allocate_keeps_only_region_flags() {
    let mut t = tree();
    let a = alloc_in_root(&mut t, CAN_RWXS | ZX_VM_COMPACT | ZX_VM_SPECIFIC, 0, P);
    assert_eq!(a.flags(), CAN_RWXS | ZX_VM_COMPACT);
}

#[test]
fn handle_rights_follow_can_map_flags() {
    let mut t = tree();
    let root = t.root();
    assert_eq!(
        root.handle_rights(),
        ZX_DEFAULT_VMAR_RIGHTS | ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_EXECUTE
    );
    let a = alloc(&mut t, root, ZX_VM_CAN_MAP_READ, 0, P);
    assert_eq!(a.handle_rights(), ZX_DEFAULT_VMAR_RIGHTS | ZX_RIGHT_READ);
}

#[test]
fn info_reports_base_and_size_even_after_destroy() {
    let mut t = tree();
    let info = t.root().info();
    assert_eq!((info.base, info.len), (BASE, SIZE));
    let a = alloc_in_root(&mut t, CAN_RW, 0, 10 * P);
    t.destroy(a).unwrap();
    let info = a.info();
    assert_eq!((info.base, info.len), (a.base(), 10 * P));
}

#[test]
fn allocate_out_of_memory_changes_nothing() {
    let mut t = tree();
    let root = t.root();
    alloc(&mut t, root, CAN_RW, 0, P);
    for budget in 0..2 {
        let result = with_reserve_budget(budget, || t.allocate(root, CAN_RW, 0, P));
        assert_eq!(result, Err(Status::NO_MEMORY));
        assert_eq!(t.subregions.len(), 1);
        assert_eq!(t.root.children.len(), 1);
    }
    check_invariants(&t);
}
