//! Exceptions (`<zircon/syscalls/exception.h>`): exception kinds, the reports a handler
//! reads, the message an exception channel carries, and the states an exception handle
//! can be given before it is closed.

use crate::cdef::AbiStruct;
use crate::ctypes::*;
use crate::types::zx_koid_t;

c_typedefs! {
    /// Exception kinds.
    pub const EXCEPTION_TYPEDEFS = {
        /// A `ZX_EXCP_*` value.
        zx_excp_type_t = uint32_t;
    }
}

c_consts! {
    /// Architectural exceptions (`report.context.arch` says more) and synthetic ones
    /// (`ZX_EXCP_SYNTH` set).
    pub const EXCEPTION_TYPE_CONSTS: hex = {
        ZX_EXCP_GENERAL: zx_excp_type_t = 0x008;
        /// `synth_code` holds the page fault's `zx_status_t`, cast to `uint32_t`.
        ZX_EXCP_FATAL_PAGE_FAULT: zx_excp_type_t = 0x108;
        ZX_EXCP_UNDEFINED_INSTRUCTION: zx_excp_type_t = 0x208;
        ZX_EXCP_SW_BREAKPOINT: zx_excp_type_t = 0x308;
        ZX_EXCP_HW_BREAKPOINT: zx_excp_type_t = 0x408;
        ZX_EXCP_UNALIGNED_ACCESS: zx_excp_type_t = 0x508;
        /// Set in every synthetic exception.
        ZX_EXCP_SYNTH: zx_excp_type_t = 0x8000;
        /// A thread is starting (process debugger channels only).
        ZX_EXCP_THREAD_STARTING: zx_excp_type_t = 0x8008;
        /// A thread is exiting (process debugger channels only).
        ZX_EXCP_THREAD_EXITING: zx_excp_type_t = 0x8108;
        /// A job policy's `ZX_POL_ACTION_*_EXCEPTION`, or a policy limit such as a full
        /// channel: `synth_code` is a `ZX_EXCP_POLICY_CODE_*`.
        ZX_EXCP_POLICY_ERROR: zx_excp_type_t = 0x8208;
        /// A process is starting (job debugger channels only).
        ZX_EXCP_PROCESS_STARTING: zx_excp_type_t = 0x8308;
    }
}

c_consts! {
    /// What a `ZX_EXCP_POLICY_ERROR` was about (its report's `synth_code`).
    pub const EXCEPTION_POLICY_CODE_CONSTS: dec = {
        ZX_EXCP_POLICY_CODE_BAD_HANDLE: uint32_t = 0;
        ZX_EXCP_POLICY_CODE_WRONG_OBJECT: uint32_t = 1;
        ZX_EXCP_POLICY_CODE_VMAR_WX: uint32_t = 2;
        ZX_EXCP_POLICY_CODE_NEW_ANY: uint32_t = 3;
        ZX_EXCP_POLICY_CODE_NEW_VMO: uint32_t = 4;
        ZX_EXCP_POLICY_CODE_NEW_CHANNEL: uint32_t = 5;
        ZX_EXCP_POLICY_CODE_NEW_EVENT: uint32_t = 6;
        ZX_EXCP_POLICY_CODE_NEW_EVENTPAIR: uint32_t = 7;
        ZX_EXCP_POLICY_CODE_NEW_PORT: uint32_t = 8;
        ZX_EXCP_POLICY_CODE_NEW_SOCKET: uint32_t = 9;
        ZX_EXCP_POLICY_CODE_NEW_FIFO: uint32_t = 10;
        ZX_EXCP_POLICY_CODE_NEW_TIMER: uint32_t = 11;
        ZX_EXCP_POLICY_CODE_NEW_PROCESS: uint32_t = 12;
        ZX_EXCP_POLICY_CODE_NEW_PROFILE: uint32_t = 13;
        ZX_EXCP_POLICY_CODE_NEW_PAGER: uint32_t = 14;
        ZX_EXCP_POLICY_CODE_AMBIENT_MARK_VMO_EXEC: uint32_t = 15;
        ZX_EXCP_POLICY_CODE_CHANNEL_FULL_WRITE: uint32_t = 16;
        ZX_EXCP_POLICY_CODE_PORT_TOO_MANY_PACKETS: uint32_t = 17;
        /// `synth_data` is the syscall number.
        ZX_EXCP_POLICY_CODE_BAD_SYSCALL: uint32_t = 18;
        ZX_EXCP_POLICY_CODE_PORT_TOO_MANY_OBSERVERS: uint32_t = 19;
    }
}

c_struct! {
    /// The arm64 part of an exception's context: the syndrome and fault address
    /// registers of the exception.
    pub struct zx_arm64_exc_data_t (zx_arm64_exc_data) {
        pub esr: uint32_t,
        pub padding1: [uint8_t; 4],
        pub far: uint64_t,
        pub padding2: [uint8_t; 8],
    }
}

c_struct! {
    /// The x86-64 part of an exception's context (never reported here).
    pub struct zx_x86_64_exc_data_t (zx_x86_64_exc_data) {
        pub vector: uint64_t,
        pub err_code: uint64_t,
        pub cr2: uint64_t,
    }
}

c_struct! {
    /// What an exception carries besides registers. The Rust view has the arm64 member
    /// of C's `arch.u` union in place of the union (24 bytes at offset 0 either way).
    pub struct zx_exception_context_t (zx_exception_context) {
        pub arch: zx_arm64_exc_data_t,
        pub synth_code: uint32_t,
        pub synth_data: uint32_t,
    }
}

/// The C layout of `zx_exception_context_t`: `arch` is a struct holding the union `u` of
/// the architectures' parts.
pub const ZX_EXCEPTION_CONTEXT_C: crate::cdef::CStruct = zx_exception_context_t::C;

c_struct! {
    /// The header of every exception report.
    pub struct zx_exception_header_t (zx_exception_header) {
        /// The report's size in bytes, this header included.
        pub size: uint32_t,
        pub r#type: zx_excp_type_t,
    }
}

c_struct! {
    /// An exception's report (`ZX_INFO_THREAD_EXCEPTION_REPORT` while the thread is in
    /// the exception).
    pub struct zx_exception_report_t (zx_exception_report) {
        pub header: zx_exception_header_t,
        pub context: zx_exception_context_t,
    }
}

c_struct! {
    /// The bytes of an exception channel's message (its one handle is the exception).
    pub struct zx_exception_info_t (zx_exception_info) {
        pub pid: zx_koid_t,
        pub tid: zx_koid_t,
        pub r#type: zx_excp_type_t,
        pub padding1: [uint8_t; 4],
    }
}

c_consts! {
    /// `zx_task_create_exception_channel` options.
    pub const EXCEPTION_CHANNEL_OPTION_CONSTS: dec = {
        /// The task's debugger channel (processes and jobs only).
        ZX_EXCEPTION_CHANNEL_DEBUGGER: uint32_t = 1;
    }
}

c_consts! {
    /// Kinds of exception channel, as `zx_info_thread_t.wait_exception_channel_type`
    /// reports the one a thread waits on.
    pub const EXCEPTION_CHANNEL_TYPE_CONSTS: dec = {
        /// The thread is not waiting on an exception channel.
        ZX_EXCEPTION_CHANNEL_TYPE_NONE: uint32_t = 0;
        ZX_EXCEPTION_CHANNEL_TYPE_DEBUGGER: uint32_t = 1;
        ZX_EXCEPTION_CHANNEL_TYPE_THREAD: uint32_t = 2;
        ZX_EXCEPTION_CHANNEL_TYPE_PROCESS: uint32_t = 3;
        ZX_EXCEPTION_CHANNEL_TYPE_JOB: uint32_t = 4;
        ZX_EXCEPTION_CHANNEL_TYPE_JOB_DEBUGGER: uint32_t = 5;
    }
}

c_consts! {
    /// How many debugger channels one job may have.
    pub const EXCEPTION_CHANNEL_LIMIT_CONSTS: dec = {
        ZX_EXCEPTION_CHANNEL_JOB_DEBUGGER_MAX_COUNT: uint32_t = 32;
    }
}

c_consts! {
    /// `ZX_PROP_EXCEPTION_STATE`: what closing the exception handle does.
    pub const EXCEPTION_STATE_CONSTS: dec = {
        /// The next handler gets the exception (the default).
        ZX_EXCEPTION_STATE_TRY_NEXT: uint32_t = 0;
        /// The thread resumes.
        ZX_EXCEPTION_STATE_HANDLED: uint32_t = 1;
        /// The thread exits.
        ZX_EXCEPTION_STATE_THREAD_EXIT: uint32_t = 2;
    }
}

c_consts! {
    /// `ZX_PROP_EXCEPTION_STRATEGY`: whether the process debugger sees the exception a
    /// second time, after the process channel.
    pub const EXCEPTION_STRATEGY_CONSTS: dec = {
        ZX_EXCEPTION_STRATEGY_FIRST_CHANCE: uint32_t = 0;
        ZX_EXCEPTION_STRATEGY_SECOND_CHANCE: uint32_t = 1;
    }
}

const _: () = {
    use core::mem::{offset_of, size_of};
    assert!(size_of::<zx_arm64_exc_data_t>() == 24);
    assert!(size_of::<zx_exception_context_t>() == 32);
    assert!(offset_of!(zx_exception_context_t, synth_code) == 24);
    assert!(size_of::<zx_exception_report_t>() == 40);
    assert!(offset_of!(zx_exception_report_t, context) == 8);
    assert!(size_of::<zx_exception_info_t>() == 24);
    assert!(offset_of!(zx_exception_info_t, r#type) == 16);
};
