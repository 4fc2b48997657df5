//! Values pinned straight from the digest (`zircon-abi.md`), independent of how they
//! are computed here: if a definition changes one of these, it has left Fuchsia's ABI.

use crate::cdef::AbiStruct;
use crate::prelude::*;

#[test]
fn default_rights_have_fuchsia_values() {
    assert_eq!(ZX_RIGHTS_BASIC, 0xC003);
    assert_eq!(ZX_RIGHTS_IO, 0xC);
    assert_eq!(ZX_RIGHTS_PROPERTY, 0xC0);
    assert_eq!(ZX_RIGHTS_POLICY, 0xC00);
    assert_eq!(ZX_DEFAULT_VMO_RIGHTS, 0xD0EF);
    assert_eq!(ZX_DEFAULT_VMO_RIGHTS | ZX_RIGHT_RESIZE, 0x40D0EF);
    assert_eq!(ZX_DEFAULT_VMAR_RIGHTS, 0x208003);
    assert_eq!(ZX_DEFAULT_PROCESS_RIGHTS, 0x6D3CF);
    assert_eq!(ZX_DEFAULT_THREAD_RIGHTS, 0x4D2CF);
    assert_eq!(ZX_DEFAULT_EVENT_RIGHTS, 0xD003);
    assert_eq!(ZX_DEFAULT_CHANNEL_RIGHTS, 0xF00E);
    assert_eq!(ZX_RIGHT_MANAGE_VMO, 0x100_0000);
    assert_eq!(ZX_RIGHT_SAME_RIGHTS, 0x8000_0000);
}

#[test]
fn info_topics_are_the_newer_snapshot() {
    assert_eq!(ZX_INFO_HANDLE_VALID, 1);
    assert_eq!(ZX_INFO_HANDLE_BASIC, 2);
    assert_eq!(ZX_INFO_PROCESS, 0x1000_0003);
    assert_eq!(ZX_INFO_VMAR, 7);
    assert_eq!(ZX_INFO_KMEM_STATS, 17);
    assert_eq!(ZX_INFO_VMO, 0x2000_0017);
    assert_eq!(ZX_INFO_VMO_V1, 0x17);
    assert_eq!(ZX_INFO_VMO_V2, 0x1000_0017);
    assert_eq!(ZX_INFO_PROCESS_MAPS, 0x1000_000d);
    assert_eq!(ZX_INFO_PROCESS_VMOS, 0x2000_000e);
    assert_eq!(ZX_INFO_TASK_RUNTIME, 0x1000_001e);
    assert_eq!(ZX_PROP_NAME, 3);
    assert_eq!(ZX_PROP_VMO_CONTENT_SIZE, 17);
}

#[test]
fn info_records_have_fuchsia_sizes() {
    assert_eq!(size_of::<zx_info_handle_basic_t>(), 32);
    assert_eq!(size_of::<zx_info_vmo_t>(), 128);
    assert_eq!(size_of::<zx_info_vmo_v2_t>(), 120);
    assert_eq!(size_of::<zx_info_vmo_v1_t>(), 104);
    assert_eq!(size_of::<zx_info_process_t>(), 24);
    assert_eq!(size_of::<zx_vmo_lock_state_t>(), 32);
    assert_eq!(
        zx_info_vmo_t::C
            .fields
            .iter()
            .map(|f| f.size)
            .sum::<usize>(),
        128
    );
}

#[test]
fn info_records_copy_out_as_their_c_bytes() {
    let info = zx_info_handle_basic_t {
        koid: 0x1122,
        rights: ZX_DEFAULT_VMO_RIGHTS,
        r#type: ZX_OBJ_TYPE_VMO,
        ..Default::default()
    };
    let bytes = info.as_bytes();
    assert_eq!(bytes.len(), 32);
    assert_eq!(&bytes[0..8], &0x1122u64.to_le_bytes());
    assert_eq!(&bytes[8..12], &0xD0EFu32.to_le_bytes());
    assert_eq!(&bytes[12..16], &3u32.to_le_bytes());
    assert!(bytes[16..].iter().all(|&b| b == 0));
}

#[test]
fn option_and_type_values_match_the_digest() {
    assert_eq!(ZX_HANDLE_INVALID, 0);
    assert_eq!(ZX_HANDLE_FIXED_BITS_MASK, 3);
    assert_eq!(ZX_MAX_NAME_LEN, 32);
    assert_eq!(ZX_PAGE_SIZE, 4096);
    assert_eq!(ZX_TIME_INFINITE, i64::MAX);
    assert_eq!(ZX_TIME_INFINITE_PAST, i64::MIN);
    assert_eq!(ZX_VMO_RESIZABLE, 2);
    assert_eq!(ZX_VMO_DISCARDABLE, 4);
    assert_eq!(ZX_VMO_CHILD_SNAPSHOT, 0x01);
    assert_eq!(ZX_VMO_CHILD_RESIZABLE, 0x04);
    assert_eq!(ZX_VMO_CHILD_SLICE, 0x08);
    assert_eq!(ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE, 0x10);
    assert_eq!(ZX_VMO_CHILD_NO_WRITE, 0x20);
    assert_eq!(ZX_VMO_CHILD_REFERENCE, 0x40);
    assert_eq!(ZX_VMO_OP_ZERO, 10);
    assert_eq!(ZX_VMO_OP_ALWAYS_NEED, 13);
    assert_eq!(ZX_CACHE_POLICY_MASK, 3);
    assert_eq!(ZX_VM_PERM_READ_IF_XOM_UNSUPPORTED, 1 << 14);
    assert_eq!(ZX_VM_ALIGN_1KB, 10 << 24);
    assert_eq!(ZX_VM_ALIGN_4GB, 32 << 24);
    assert_eq!(ZX_OBJ_TYPE_VMAR, 18);
    assert_eq!(ZX_OBJ_TYPE_IOB, 33);
    assert_eq!(ZX_VMO_ZERO_CHILDREN, 1 << 3);
    assert_eq!(ZX_USER_SIGNAL_7, 1 << 31);
    assert_eq!(ZX_TASK_RETCODE_CRITICAL_PROCESS_KILL, -1029);
    assert_eq!(ZX_INFO_VMO_TYPE_PAGED | ZX_INFO_VMO_VIA_HANDLE, 0x9);
}
