//! `zx_object_get_info` topics, `zx_object_get_property` properties, and the flag
//! values reported inside info records (`<zircon/syscalls/object.h>`).
//!
//! A topic carries a version in its top four bits (`topic | version << 28`); the
//! unversioned name is the newest layout, the one this kernel fills in.

use crate::ctypes::*;

c_typedefs! {
    /// Topics.
    pub const TOPIC_TYPEDEFS = {
        /// A `ZX_INFO_*` topic.
        zx_object_info_topic_t = uint32_t;
    }
}

c_consts! {
    /// Topics for `zx_object_get_info`, and the record each one fills in.
    pub const TOPIC_CONSTS: dec = {
        ZX_INFO_NONE: zx_object_info_topic_t = 0;
        /// No record: only whether the handle is valid.
        ZX_INFO_HANDLE_VALID: zx_object_info_topic_t = 1;
        /// `zx_info_handle_basic_t[1]`.
        ZX_INFO_HANDLE_BASIC: zx_object_info_topic_t = 2;
        /// `zx_info_process_t[1]` (version 1: with start time and flags).
        ZX_INFO_PROCESS: zx_object_info_topic_t = 3 | (1 << 28);
        /// `zx_koid_t[n]`.
        ZX_INFO_PROCESS_THREADS: zx_object_info_topic_t = 4;
        /// `zx_info_vmar_t[1]`.
        ZX_INFO_VMAR: zx_object_info_topic_t = 7;
        /// `zx_koid_t[n]`.
        ZX_INFO_JOB_CHILDREN: zx_object_info_topic_t = 8;
        /// `zx_koid_t[n]`.
        ZX_INFO_JOB_PROCESSES: zx_object_info_topic_t = 9;
        /// `zx_info_thread_t[1]`.
        ZX_INFO_THREAD: zx_object_info_topic_t = 10;
        ZX_INFO_THREAD_EXCEPTION_REPORT_V1: zx_object_info_topic_t = 11;
        ZX_INFO_THREAD_EXCEPTION_REPORT: zx_object_info_topic_t = 11 | (1 << 28);
        /// `zx_info_task_stats_t[1]`.
        ZX_INFO_TASK_STATS: zx_object_info_topic_t = 12;
        ZX_INFO_PROCESS_MAPS_V1: zx_object_info_topic_t = 13;
        ZX_INFO_PROCESS_MAPS: zx_object_info_topic_t = 13 | (1 << 28);
        ZX_INFO_PROCESS_VMOS_V1: zx_object_info_topic_t = 14;
        ZX_INFO_PROCESS_VMOS_V2: zx_object_info_topic_t = 14 | (1 << 28);
        /// `zx_info_vmo_t[n]`.
        ZX_INFO_PROCESS_VMOS: zx_object_info_topic_t = 14 | (2 << 28);
        /// `zx_info_thread_stats_t[1]`.
        ZX_INFO_THREAD_STATS: zx_object_info_topic_t = 15;
        ZX_INFO_CPU_STATS: zx_object_info_topic_t = 16;
        /// `zx_info_kmem_stats_t[1]`.
        ZX_INFO_KMEM_STATS: zx_object_info_topic_t = 17;
        ZX_INFO_RESOURCE: zx_object_info_topic_t = 18;
        /// `zx_info_handle_count_t[1]`.
        ZX_INFO_HANDLE_COUNT: zx_object_info_topic_t = 19;
        ZX_INFO_BTI: zx_object_info_topic_t = 20;
        ZX_INFO_PROCESS_HANDLE_STATS: zx_object_info_topic_t = 21;
        ZX_INFO_SOCKET: zx_object_info_topic_t = 22;
        /// `zx_info_vmo_v1_t[1]` (the first 104 bytes of `zx_info_vmo_t`).
        ZX_INFO_VMO_V1: zx_object_info_topic_t = 23;
        /// `zx_info_vmo_v2_t[1]` (the first 120 bytes of `zx_info_vmo_t`).
        ZX_INFO_VMO_V2: zx_object_info_topic_t = 23 | (1 << 28);
        /// `zx_info_vmo_t[1]` (version 2 of the topic, the 128-byte record).
        ZX_INFO_VMO: zx_object_info_topic_t = 23 | (2 << 28);
        ZX_INFO_JOB: zx_object_info_topic_t = 24;
        /// `zx_info_timer_t[1]`.
        ZX_INFO_TIMER: zx_object_info_topic_t = 25;
        ZX_INFO_STREAM: zx_object_info_topic_t = 26;
        ZX_INFO_HANDLE_TABLE: zx_object_info_topic_t = 27;
        ZX_INFO_MSI: zx_object_info_topic_t = 28;
        ZX_INFO_GUEST_STATS: zx_object_info_topic_t = 29;
        ZX_INFO_TASK_RUNTIME_V1: zx_object_info_topic_t = 30;
        ZX_INFO_TASK_RUNTIME: zx_object_info_topic_t = 30 | (1 << 28);
        ZX_INFO_KMEM_STATS_EXTENDED: zx_object_info_topic_t = 31;
        ZX_INFO_VCPU: zx_object_info_topic_t = 32;
        ZX_INFO_KMEM_STATS_COMPRESSION: zx_object_info_topic_t = 33;
    }
}

c_consts! {
    /// Return codes of tasks the system killed.
    pub const TASK_RETCODE_CONSTS: dec = {
        /// By `zx_task_kill`.
        ZX_TASK_RETCODE_SYSCALL_KILL: int64_t = -1024;
        /// By the out-of-memory killer.
        ZX_TASK_RETCODE_OOM_KILL: int64_t = -1025;
        /// By a job policy.
        ZX_TASK_RETCODE_POLICY_KILL: int64_t = -1026;
        /// By the vDSO.
        ZX_TASK_RETCODE_VDSO_KILL: int64_t = -1027;
        /// An exception nobody handled.
        ZX_TASK_RETCODE_EXCEPTION_KILL: int64_t = -1028;
        /// A critical process died.
        ZX_TASK_RETCODE_CRITICAL_PROCESS_KILL: int64_t = -1029;
    }
}

c_consts! {
    /// Misc info values.
    pub const INFO_MISC_CONSTS: hex = {
        /// No CPU (e.g. a thread that never ran).
        ZX_INFO_INVALID_CPU: uint32_t = 0xFFFFFFFF;
    }
}

c_typedefs! {
    /// Process info flags.
    pub const PROCESS_INFO_TYPEDEFS = {
        /// `ZX_INFO_PROCESS_FLAG_*` bits.
        zx_info_process_flags_t = uint32_t;
    }
}

c_consts! {
    /// `zx_info_process_t.flags`.
    pub const PROCESS_INFO_FLAG_CONSTS: hex = {
        /// The process has started; `start_time` is valid.
        ZX_INFO_PROCESS_FLAG_STARTED: zx_info_process_flags_t = bit(0);
        /// The process has exited; `return_code` is valid.
        ZX_INFO_PROCESS_FLAG_EXITED: zx_info_process_flags_t = bit(1);
        ZX_INFO_PROCESS_FLAG_DEBUGGER_ATTACHED: zx_info_process_flags_t = bit(2);
    }
}

c_typedefs! {
    /// Thread states.
    pub const THREAD_STATE_TYPEDEFS = {
        /// `zx_info_thread_t.state`: one of the `ZX_THREAD_STATE_*` values.
        zx_thread_state_t = uint32_t;
    }
}

c_consts! {
    /// Thread states, as `ZX_INFO_THREAD` reports them. The low byte is the basic state;
    /// a blocked thread always reports one of the `BLOCKED_*` values, which say what it
    /// waits in (`ZX_THREAD_STATE_BASIC` reduces one to `ZX_THREAD_STATE_BLOCKED`).
    pub const THREAD_STATE_CONSTS: hex = {
        /// Created, not yet started.
        ZX_THREAD_STATE_NEW: zx_thread_state_t = 0x0000;
        ZX_THREAD_STATE_RUNNING: zx_thread_state_t = 0x0001;
        ZX_THREAD_STATE_SUSPENDED: zx_thread_state_t = 0x0002;
        /// Never reported alone: see the `BLOCKED_*` values.
        ZX_THREAD_STATE_BLOCKED: zx_thread_state_t = 0x0003;
        ZX_THREAD_STATE_DYING: zx_thread_state_t = 0x0004;
        ZX_THREAD_STATE_DEAD: zx_thread_state_t = 0x0005;
        /// Waiting for an exception handler's answer.
        ZX_THREAD_STATE_BLOCKED_EXCEPTION: zx_thread_state_t = 0x0103;
        /// In `zx_nanosleep`.
        ZX_THREAD_STATE_BLOCKED_SLEEPING: zx_thread_state_t = 0x0203;
        /// In `zx_futex_wait`.
        ZX_THREAD_STATE_BLOCKED_FUTEX: zx_thread_state_t = 0x0303;
        /// In `zx_port_wait`.
        ZX_THREAD_STATE_BLOCKED_PORT: zx_thread_state_t = 0x0403;
        /// In `zx_channel_call`.
        ZX_THREAD_STATE_BLOCKED_CHANNEL: zx_thread_state_t = 0x0503;
        /// In `zx_object_wait_one`.
        ZX_THREAD_STATE_BLOCKED_WAIT_ONE: zx_thread_state_t = 0x0603;
        /// In `zx_object_wait_many`.
        ZX_THREAD_STATE_BLOCKED_WAIT_MANY: zx_thread_state_t = 0x0703;
        /// In `zx_interrupt_wait`.
        ZX_THREAD_STATE_BLOCKED_INTERRUPT: zx_thread_state_t = 0x0803;
        /// Waiting for a pager to supply pages.
        ZX_THREAD_STATE_BLOCKED_PAGER: zx_thread_state_t = 0x0903;
    }
}

/// `ZX_THREAD_STATE_BASIC(n)`: the basic state of a (possibly more precise) thread state.
pub const fn zx_thread_state_basic(state: zx_thread_state_t) -> zx_thread_state_t {
    state & 0xff
}

c_consts! {
    /// `zx_info_vmo_t.flags`. Bit 0 is the type: paged (set) or physical (clear).
    pub const VMO_INFO_FLAG_CONSTS: hex = {
        ZX_INFO_VMO_TYPE_PHYSICAL: uint32_t = 0;
        ZX_INFO_VMO_TYPE_PAGED: uint32_t = bit(0);
        ZX_INFO_VMO_RESIZABLE: uint32_t = bit(1);
        /// A copy-on-write child (slices are not).
        ZX_INFO_VMO_IS_COW_CLONE: uint32_t = bit(2);
        /// Reported through a handle (as `ZX_INFO_VMO` always is).
        ZX_INFO_VMO_VIA_HANDLE: uint32_t = bit(3);
        /// Reported through a mapping (`ZX_INFO_PROCESS_VMOS`).
        ZX_INFO_VMO_VIA_MAPPING: uint32_t = bit(4);
        ZX_INFO_VMO_PAGER_BACKED: uint32_t = bit(5);
        ZX_INFO_VMO_CONTIGUOUS: uint32_t = bit(6);
        ZX_INFO_VMO_DISCARDABLE: uint32_t = bit(7);
        ZX_INFO_VMO_IMMUTABLE: uint32_t = bit(8);
        ZX_INFO_VMO_VIA_IOB_HANDLE: uint32_t = bit(9);
    }
}

c_consts! {
    /// Properties for `zx_object_get_property` and `zx_object_set_property`. 2 and 4
    /// are x86-only register properties, left out here.
    pub const PROPERTY_CONSTS: dec = {
        /// `char[ZX_MAX_NAME_LEN]`.
        ZX_PROP_NAME: uint32_t = 3;
        /// `uintptr_t`: the address of the dynamic linker's debug structure.
        ZX_PROP_PROCESS_DEBUG_ADDR: uint32_t = 5;
        /// `uintptr_t`: where the vDSO is mapped (0: nowhere).
        ZX_PROP_PROCESS_VDSO_BASE_ADDRESS: uint32_t = 6;
        ZX_PROP_PROCESS_BREAK_ON_LOAD: uint32_t = 7;
        ZX_PROP_PROCESS_HW_TRACE_CONTEXT_ID: uint32_t = 8;
        ZX_PROP_SOCKET_RX_THRESHOLD: uint32_t = 12;
        ZX_PROP_SOCKET_TX_THRESHOLD: uint32_t = 13;
        ZX_PROP_JOB_KILL_ON_OOM: uint32_t = 15;
        ZX_PROP_EXCEPTION_STATE: uint32_t = 16;
        /// `uint64_t`: the VMO's size in bytes, unrounded (may differ from its page-rounded size).
        ZX_PROP_VMO_CONTENT_SIZE: uint32_t = 17;
        ZX_PROP_EXCEPTION_STRATEGY: uint32_t = 18;
        ZX_PROP_STREAM_MODE_APPEND: uint32_t = 19;
    }
}
