//! The records `zx_object_get_info` fills in, with Fuchsia's exact layouts.
//!
//! The assertions at the bottom pin sizes and offsets to the digest's values, so a
//! layout change here fails the build before it reaches a C program.

use crate::ctypes::*;
use crate::info::zx_info_process_flags_t;
use crate::info::zx_thread_state_t;
use crate::object_type::{zx_obj_type_t, ZX_OBJ_TYPE_UPPER_BOUND};
use crate::rights::zx_rights_t;
use crate::time::{zx_duration_t, zx_time_t};
use crate::types::{zx_cpu_set_t, zx_koid_t, ZX_MAX_NAME_LEN};

c_struct! {
    /// `ZX_INFO_HANDLE_BASIC`: what a handle refers to and what it allows.
    pub struct zx_info_handle_basic_t (zx_info_handle_basic) {
        /// The object's koid.
        pub koid: zx_koid_t,
        /// This handle's rights.
        pub rights: zx_rights_t,
        /// The object's `ZX_OBJ_TYPE_*`.
        pub r#type: zx_obj_type_t,
        /// The koid of a related object (a channel's peer, a job's parent), or 0.
        pub related_koid: zx_koid_t,
        pub reserved: uint32_t,
        pub padding1: [uint8_t; 4],
    }
}

c_struct! {
    /// `ZX_INFO_HANDLE_COUNT`: how many handles refer to the object.
    pub struct zx_info_handle_count_t (zx_info_handle_count) {
        pub handle_count: uint32_t,
    }
}

c_struct! {
    /// `ZX_INFO_PROCESS`: a process's state.
    pub struct zx_info_process_t (zx_info_process) {
        /// Valid once `ZX_INFO_PROCESS_FLAG_EXITED` is set; a `ZX_TASK_RETCODE_*` value if
        /// the process was killed.
        pub return_code: int64_t,
        /// Monotonic time of the start; valid once `ZX_INFO_PROCESS_FLAG_STARTED` is set.
        pub start_time: zx_time_t,
        /// `ZX_INFO_PROCESS_FLAG_*` bits.
        pub flags: zx_info_process_flags_t,
        pub padding1: [uint8_t; 4],
    }
}

c_struct! {
    /// `ZX_INFO_JOB`: a job's state.
    pub struct zx_info_job_t (zx_info_job) {
        /// Valid once `exited` is set: the `ZX_TASK_RETCODE_*` the job was killed with.
        pub return_code: int64_t,
        /// The job has been killed and all its children are dead.
        pub exited: c_bool,
        /// Whether the out-of-memory killer may kill the job (never set here).
        pub kill_on_oom: c_bool,
        /// Whether a debugger is attached to the job (never, here).
        pub debugger_attached: c_bool,
        pub padding1: [uint8_t; 5],
    }
}

c_struct! {
    /// `ZX_INFO_PROCESS_HANDLE_STATS`: how many handles of each object type a process
    /// holds, indexed by `ZX_OBJ_TYPE_*`.
    pub struct zx_info_process_handle_stats_t (zx_info_process_handle_stats) {
        /// `ZX_OBJ_TYPE_UPPER_BOUND` entries.
        pub handle_count: [uint32_t; 64],
    }
}

c_struct! {
    /// `ZX_INFO_TIMER`: a timer's slack mode and what it is armed with.
    pub struct zx_info_timer_t (zx_info_timer) {
        /// The options `zx_timer_create` got (a `ZX_TIMER_SLACK_*` mode).
        pub options: uint32_t,
        pub padding1: [uint8_t; 4],
        /// When the timer fires next (monotonic), or 0 when it is not armed.
        pub deadline: zx_time_t,
        /// The slack it was armed with, or 0 when it is not armed.
        pub slack: zx_duration_t,
    }
}

c_struct! {
    /// `ZX_INFO_THREAD`: a thread's state.
    pub struct zx_info_thread_t (zx_info_thread) {
        /// A `ZX_THREAD_STATE_*` value (a `BLOCKED_*` one while blocked).
        pub state: zx_thread_state_t,
        /// While `state` is `ZX_THREAD_STATE_BLOCKED_EXCEPTION`: the kind of exception
        /// channel (`ZX_EXCEPTION_CHANNEL_TYPE_*`) whose answer it waits for, else 0.
        pub wait_exception_channel_type: uint32_t,
        /// The CPUs the thread may run on.
        pub cpu_affinity_mask: zx_cpu_set_t,
    }
}

c_struct! {
    /// `ZX_INFO_TASK_STATS`: memory use of a task.
    pub struct zx_info_task_stats_t (zx_info_task_stats) {
        /// Bytes of mapped ranges, backed or not.
        pub mem_mapped_bytes: size_t,
        /// Committed bytes mapped only by this task.
        pub mem_private_bytes: size_t,
        /// Committed bytes also mapped by other tasks.
        pub mem_shared_bytes: size_t,
        /// This task's share of `mem_shared_bytes` (each byte divided among its mappers).
        pub mem_scaled_shared_bytes: size_t,
    }
}

c_struct! {
    /// `ZX_INFO_THREAD_STATS`: a thread's run time.
    pub struct zx_info_thread_stats_t (zx_info_thread_stats) {
        pub total_runtime: zx_duration_t,
        /// The CPU it last ran on, or `ZX_INFO_INVALID_CPU`.
        pub last_scheduled_cpu: uint32_t,
        pub padding1: [uint8_t; 4],
    }
}

c_struct! {
    /// `ZX_INFO_VMAR`: the range a VMAR covers.
    pub struct zx_info_vmar_t (zx_info_vmar) {
        pub base: uintptr_t,
        pub len: size_t,
    }
}

c_struct! {
    /// `ZX_INFO_VMO` (topic version 2): a VMO's state. The older topics return a prefix
    /// of it: `ZX_INFO_VMO_V1` the first 104 bytes, `ZX_INFO_VMO_V2` the first 120.
    pub struct zx_info_vmo_t (zx_info_vmo) {
        pub koid: zx_koid_t,
        pub name: [c_char; ZX_MAX_NAME_LEN],
        /// The page-rounded size.
        pub size_bytes: uint64_t,
        /// The parent's koid for a child, else 0.
        pub parent_koid: zx_koid_t,
        pub num_children: size_t,
        pub num_mappings: size_t,
        /// About how many address spaces map it.
        pub share_count: size_t,
        /// `ZX_INFO_VMO_*` bits.
        pub flags: uint32_t,
        pub padding1: [uint8_t; 4],
        /// Bytes of memory committed to it (paged VMOs).
        pub committed_bytes: uint64_t,
        /// The rights of the handle queried (with `ZX_INFO_VMO_VIA_HANDLE`).
        pub handle_rights: zx_rights_t,
        /// A `ZX_CACHE_POLICY_*` value.
        pub cache_policy: uint32_t,
        /// Kernel memory spent tracking it.
        pub metadata_bytes: uint64_t,
        /// How often the kernel changed `committed_bytes` without being asked.
        pub committed_change_events: uint64_t,
        /// Bytes of content it holds, committed or tracked another way (compressed).
        pub populated_bytes: uint64_t,
    }
}

c_struct! {
    /// `ZX_INFO_VMO_V2`: the 120-byte prefix of [`zx_info_vmo_t`].
    pub struct zx_info_vmo_v2_t (zx_info_vmo_v2) {
        pub koid: zx_koid_t,
        pub name: [c_char; ZX_MAX_NAME_LEN],
        pub size_bytes: uint64_t,
        pub parent_koid: zx_koid_t,
        pub num_children: size_t,
        pub num_mappings: size_t,
        pub share_count: size_t,
        pub flags: uint32_t,
        pub padding1: [uint8_t; 4],
        pub committed_bytes: uint64_t,
        pub handle_rights: zx_rights_t,
        pub cache_policy: uint32_t,
        pub metadata_bytes: uint64_t,
        pub committed_change_events: uint64_t,
    }
}

c_struct! {
    /// `ZX_INFO_VMO_V1`: the 104-byte prefix of [`zx_info_vmo_t`].
    pub struct zx_info_vmo_v1_t (zx_info_vmo_v1) {
        pub koid: zx_koid_t,
        pub name: [c_char; ZX_MAX_NAME_LEN],
        pub size_bytes: uint64_t,
        pub parent_koid: zx_koid_t,
        pub num_children: size_t,
        pub num_mappings: size_t,
        pub share_count: size_t,
        pub flags: uint32_t,
        pub padding1: [uint8_t; 4],
        pub committed_bytes: uint64_t,
        pub handle_rights: zx_rights_t,
        pub cache_policy: uint32_t,
    }
}

c_struct! {
    /// `ZX_INFO_KMEM_STATS`: how the kernel uses physical memory.
    pub struct zx_info_kmem_stats_t (zx_info_kmem_stats) {
        /// All physical memory the system can use.
        pub total_bytes: uint64_t,
        /// Memory not allocated at all.
        pub free_bytes: uint64_t,
        /// Memory the kernel holds for itself and that no other field counts (its image,
        /// the boot ramdisk, early allocations).
        pub wired_bytes: uint64_t,
        /// The kernel heap.
        pub total_heap_bytes: uint64_t,
        /// The unused part of the heap.
        pub free_heap_bytes: uint64_t,
        /// Memory committed to VMOs, kernel and user.
        pub vmo_bytes: uint64_t,
        /// Page tables and other MMU bookkeeping.
        pub mmu_overhead_bytes: uint64_t,
        /// Memory in use by IPC.
        pub ipc_bytes: uint64_t,
        /// Allocated memory no other field counts.
        pub other_bytes: uint64_t,
    }
}

/// Every info record, in the order `<zircon/syscalls/object.h>` declares them.
pub const INFO_STRUCTS: &[&crate::cdef::CStruct] = {
    use crate::cdef::AbiStruct;
    &[
        &zx_info_handle_basic_t::C,
        &zx_info_handle_count_t::C,
        &zx_info_process_t::C,
        &zx_info_job_t::C,
        &zx_info_process_handle_stats_t::C,
        &zx_info_timer_t::C,
        &zx_info_thread_t::C,
        &zx_info_thread_stats_t::C,
        &zx_info_task_stats_t::C,
        &zx_info_vmar_t::C,
        &zx_info_vmo_t::C,
        &zx_info_vmo_v2_t::C,
        &zx_info_vmo_v1_t::C,
        &zx_info_kmem_stats_t::C,
    ]
};

// Layouts from the digest (section 2.13): these numbers are the contract with C.
macro_rules! assert_layout {
    ($ty:ty, size $size:literal $(, $field:ident @ $offset:literal)*) => {
        const _: () = assert!(core::mem::size_of::<$ty>() == $size);
        $( const _: () = assert!(core::mem::offset_of!($ty, $field) == $offset); )*
    };
}

assert_layout!(zx_info_handle_basic_t, size 32,
    koid @ 0, rights @ 8, r#type @ 12, related_koid @ 16, reserved @ 24, padding1 @ 28);
assert_layout!(zx_info_process_t, size 24, return_code @ 0, start_time @ 8, flags @ 16);
assert_layout!(zx_info_job_t, size 16,
    return_code @ 0, exited @ 8, kill_on_oom @ 9, debugger_attached @ 10, padding1 @ 11);
assert_layout!(zx_info_process_handle_stats_t, size 256);
const _: () = assert!(ZX_OBJ_TYPE_UPPER_BOUND == 64);
assert_layout!(zx_info_vmar_t, size 16, base @ 0, len @ 8);
assert_layout!(zx_info_vmo_t, size 128,
    koid @ 0, name @ 8, size_bytes @ 40, parent_koid @ 48, num_children @ 56,
    num_mappings @ 64, share_count @ 72, flags @ 80, padding1 @ 84, committed_bytes @ 88,
    handle_rights @ 96, cache_policy @ 100, metadata_bytes @ 104,
    committed_change_events @ 112, populated_bytes @ 120);
assert_layout!(zx_info_vmo_v2_t, size 120, metadata_bytes @ 104, committed_change_events @ 112);
assert_layout!(zx_info_vmo_v1_t, size 104, cache_policy @ 100);
assert_layout!(zx_info_kmem_stats_t, size 72, other_bytes @ 64);
assert_layout!(zx_info_task_stats_t, size 32);
assert_layout!(zx_info_thread_stats_t, size 16, last_scheduled_cpu @ 8);
assert_layout!(zx_info_handle_count_t, size 4);
assert_layout!(zx_info_timer_t, size 24, options @ 0, deadline @ 8, slack @ 16);
assert_layout!(zx_info_thread_t, size 72,
    state @ 0, wait_exception_channel_type @ 4, cpu_affinity_mask @ 8);
