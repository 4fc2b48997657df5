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
    assert_eq!(ZX_DEFAULT_EVENTPAIR_RIGHTS, 0xF003);
    assert_eq!(ZX_DEFAULT_TIMER_RIGHTS, 0xD00B);
    assert_eq!(ZX_DEFAULT_SUSPEND_TOKEN_RIGHTS, 0x8002);
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

/// The values of the digest's part 2 (`zircon-abi-tasks.md`, sections 1 and 8).
#[test]
fn thread_wait_timer_and_cprng_values_match_the_digest() {
    assert_eq!(ZX_THREAD_STATE_NEW, 0);
    assert_eq!(ZX_THREAD_STATE_DEAD, 5);
    assert_eq!(ZX_THREAD_STATE_BLOCKED_EXCEPTION, 0x103);
    assert_eq!(ZX_THREAD_STATE_BLOCKED_FUTEX, 0x303);
    assert_eq!(ZX_THREAD_STATE_BLOCKED_PORT, 0x403);
    assert_eq!(ZX_THREAD_STATE_BLOCKED_PAGER, 0x903);
    assert_eq!(
        zx_thread_state_basic(ZX_THREAD_STATE_BLOCKED_WAIT_MANY),
        ZX_THREAD_STATE_BLOCKED
    );
    assert_eq!(ZX_EXCEPTION_CHANNEL_TYPE_JOB_DEBUGGER, 5);
    assert_eq!(ZX_INFO_PROCESS_THREADS, 4);
    assert_eq!(ZX_INFO_THREAD, 10);
    assert_eq!(ZX_INFO_THREAD_STATS, 15);
    assert_eq!(ZX_INFO_TIMER, 25);
    assert_eq!(ZX_THREAD_STATE_GENERAL_REGS, 0);
    assert_eq!(ZX_THREAD_STATE_VECTOR_REGS, 2);
    assert_eq!(ZX_THREAD_STATE_DEBUG_REGS, 4);
    assert_eq!(ZX_THREAD_STATE_SINGLE_STEP, 5);
    assert_eq!(ZX_WAIT_MANY_MAX_ITEMS, 64);
    assert_eq!(ZX_TIMER_SLACK_LATE, 2);
    assert_eq!(ZX_CLOCK_BOOT, 1);
    assert_eq!(ZX_CPRNG_DRAW_MAX_LEN, 256);
    assert_eq!(ZX_CPRNG_ADD_ENTROPY_MAX_LEN, 256);
    assert_eq!(ZX_SIGNAL_HANDLE_CLOSED, 0x80_0000);
    assert_eq!(ZX_EVENT_SIGNALED, 0x8);
    assert_eq!(ZX_EVENTPAIR_PEER_CLOSED, 0x4);
    assert_eq!(ZX_TIMER_SIGNALED, 0x8);
    assert_eq!(ZX_THREAD_RUNNING, 0x10);
    assert_eq!(ZX_THREAD_SUSPENDED, 0x20);
    assert_eq!(ZX_TASK_TERMINATED, 0x8);
    assert_eq!(ZX_OBJ_TYPE_EVENT, 5);
    assert_eq!(ZX_OBJ_TYPE_EVENTPAIR, 16);
    assert_eq!(ZX_OBJ_TYPE_TIMER, 22);
    assert_eq!(ZX_OBJ_TYPE_SUSPEND_TOKEN, 27);
    assert_eq!(ZX_ERR_INTERNAL_INTR_RETRY, -6);
    assert_eq!(size_of::<zx_wait_item_t>(), 12);
    assert_eq!(size_of::<zx_info_thread_t>(), 72);
    assert_eq!(size_of::<zx_info_thread_stats_t>(), 16);
    assert_eq!(size_of::<zx_info_timer_t>(), 24);
    assert_eq!(size_of::<zx_cpu_set_t>(), 64);
    assert_eq!(size_of::<zx_thread_state_general_regs_t>(), 280);
    assert_eq!(size_of::<zx_thread_state_fp_regs_t>(), 4);
    assert_eq!(size_of::<zx_thread_state_vector_regs_t>(), 520);
    assert_eq!(size_of::<zx_string_view_t>(), 16);
}
