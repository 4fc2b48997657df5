//! The option word's split and the permission helpers.

use super::super::options::*;
use super::*;

#[test]
fn split_separates_perms_flags_and_alignment() {
    let o = VmOptions::split(RW | ZX_VM_SPECIFIC | ZX_VM_ALIGN_64KB).unwrap();
    assert_eq!(o.perms, RW);
    assert_eq!(o.flags, ZX_VM_SPECIFIC);
    assert_eq!(o.align_pow2, 16);
}

#[test]
fn split_rejects_unknown_low_bits() {
    assert_eq!(VmOptions::split(1 << 15), Err(Status::INVALID_ARGS));
    assert_eq!(VmOptions::split(1 << 23), Err(Status::INVALID_ARGS));
    assert_eq!(VmOptions::split(ZX_VM_MAP_RANGE), Err(Status::INVALID_ARGS));
}

#[test]
fn split_rejects_alignment_below_1kb_and_above_4gb() {
    assert_eq!(
        VmOptions::split(9 << ZX_VM_ALIGN_BASE),
        Err(Status::INVALID_ARGS)
    );
    assert_eq!(
        VmOptions::split(33 << ZX_VM_ALIGN_BASE),
        Err(Status::INVALID_ARGS)
    );
    assert_eq!(VmOptions::split(1 << 31), Err(Status::INVALID_ARGS));
    assert_eq!(
        VmOptions::split(1 << ZX_VM_ALIGN_BASE),
        Err(Status::INVALID_ARGS)
    );
}

#[test]
fn split_accepts_every_alignment_from_1kb_to_4gb() {
    for pow2 in 10..=32u32 {
        let o = VmOptions::split(pow2 << ZX_VM_ALIGN_BASE).unwrap();
        assert_eq!(o.align_pow2 as u32, pow2);
    }
    assert_eq!(VmOptions::split(ZX_VM_ALIGN_4GB).unwrap().align_pow2, 32);
}

#[test]
fn split_drops_read_if_xom_unsupported() {
    let o = VmOptions::split(ZX_VM_PERM_READ_IF_XOM_UNSUPPORTED | ZX_VM_PERM_EXECUTE).unwrap();
    assert_eq!((o.perms, o.flags), (ZX_VM_PERM_EXECUTE, 0));
}

#[test]
fn for_map_accepts_map_range() {
    let o = VmOptions::for_map(R | ZX_VM_MAP_RANGE).unwrap();
    assert_eq!((o.perms, o.flags), (R, 0));
}

#[test]
fn write_or_execute_without_read_is_not_a_valid_protection() {
    assert!(is_valid_protection(0));
    assert!(is_valid_protection(R));
    assert!(is_valid_protection(RWX));
    assert!(!is_valid_protection(ZX_VM_PERM_WRITE));
    assert!(!is_valid_protection(ZX_VM_PERM_EXECUTE));
    assert!(!is_valid_protection(ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE));
}

#[test]
fn perms_convert_to_and_from_can_map_bits_and_rights() {
    for perms in 0..=RWX {
        assert_eq!(perms_allowed_by(can_map_bits(perms)), perms);
        assert_eq!(perms_for_rights(rights_for_perms(perms)), perms);
    }
    assert_eq!(can_map_bits(RWX), CAN_MAP_RWX);
    assert_eq!(rights_for_perms(RW), ZX_RIGHT_READ | ZX_RIGHT_WRITE);
}
