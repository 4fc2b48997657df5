//! Job policies (`<zircon/syscalls/policy.h>`): what `zx_job_set_policy` takes.

use crate::ctypes::*;
use crate::time::zx_duration_t;

c_consts! {
    /// How `zx_job_set_policy` treats a condition the parent's policy fixes.
    pub const POLICY_MODE_CONSTS: dec = {
        /// Applied where the parent's policy lets it; other entries are skipped.
        ZX_JOB_POL_RELATIVE: uint32_t = 0;
        /// Applied as given, or the call fails (`ZX_ERR_ALREADY_EXISTS`).
        ZX_JOB_POL_ABSOLUTE: uint32_t = 1;
    }
}

c_consts! {
    /// Policy topics: the format of the `policy` array.
    pub const POLICY_TOPIC_CONSTS: hex = {
        /// `zx_policy_basic_v1_t` entries.
        ZX_JOB_POL_BASIC_V1: uint32_t = 0;
        /// `zx_policy_basic_v2_t` entries.
        ZX_JOB_POL_BASIC_V2: uint32_t = 0x01000000;
        /// One `zx_policy_timer_slack_t`.
        ZX_JOB_POL_TIMER_SLACK: uint32_t = 1;
        /// The old name of `ZX_JOB_POL_BASIC_V1`.
        ZX_JOB_POL_BASIC: uint32_t = ZX_JOB_POL_BASIC_V1;
    }
}

c_consts! {
    /// Conditions a basic policy sets an action for.
    pub const POLICY_CONDITION_CONSTS: dec = {
        /// A syscall named a handle that is not valid.
        ZX_POL_BAD_HANDLE: uint32_t = 0;
        /// A syscall got a handle to an object it does not work on.
        ZX_POL_WRONG_OBJECT: uint32_t = 1;
        /// A mapping both writable and executable.
        ZX_POL_VMAR_WX: uint32_t = 2;
        /// Every `ZX_POL_NEW_*` condition at once.
        ZX_POL_NEW_ANY: uint32_t = 3;
        ZX_POL_NEW_VMO: uint32_t = 4;
        ZX_POL_NEW_CHANNEL: uint32_t = 5;
        ZX_POL_NEW_EVENT: uint32_t = 6;
        ZX_POL_NEW_EVENTPAIR: uint32_t = 7;
        ZX_POL_NEW_PORT: uint32_t = 8;
        ZX_POL_NEW_SOCKET: uint32_t = 9;
        ZX_POL_NEW_FIFO: uint32_t = 10;
        ZX_POL_NEW_TIMER: uint32_t = 11;
        ZX_POL_NEW_PROCESS: uint32_t = 12;
        ZX_POL_NEW_PROFILE: uint32_t = 13;
        ZX_POL_NEW_PAGER: uint32_t = 14;
        /// `zx_vmo_replace_as_executable` without a VMEX resource.
        ZX_POL_AMBIENT_MARK_VMO_EXEC: uint32_t = 15;
    }
}

c_consts! {
    /// What happens when a condition occurs.
    pub const POLICY_ACTION_CONSTS: dec = {
        ZX_POL_ACTION_ALLOW: uint32_t = 0;
        /// The call fails (`ZX_ERR_ACCESS_DENIED` for the `NEW_*` conditions).
        ZX_POL_ACTION_DENY: uint32_t = 1;
        /// A policy exception, then allowed.
        ZX_POL_ACTION_ALLOW_EXCEPTION: uint32_t = 2;
        /// A policy exception, then denied.
        ZX_POL_ACTION_DENY_EXCEPTION: uint32_t = 3;
        /// The process is killed (`ZX_TASK_RETCODE_POLICY_KILL`).
        ZX_POL_ACTION_KILL: uint32_t = 4;
    }
}

c_consts! {
    /// Whether child jobs may change a condition's action.
    pub const POLICY_OVERRIDE_CONSTS: dec = {
        ZX_POL_OVERRIDE_ALLOW: uint32_t = 0;
        ZX_POL_OVERRIDE_DENY: uint32_t = 1;
    }
}

/// The conditions below this are real (`ZX_POL_MAX` in the kernel's headers).
pub const ZX_POL_MAX: u32 = 16;
/// The actions below this are real (`ZX_POL_ACTION_MAX` in the kernel's headers).
pub const ZX_POL_ACTION_MAX: u32 = 5;

c_struct! {
    /// One `ZX_JOB_POL_BASIC_V1` entry (deprecated: children may not override it).
    pub struct zx_policy_basic_v1_t (zx_policy_basic_v1) {
        pub condition: uint32_t,
        /// A `ZX_POL_ACTION_*`.
        pub policy: uint32_t,
    }
}

c_struct! {
    /// One `ZX_JOB_POL_BASIC_V2` entry.
    pub struct zx_policy_basic_v2_t (zx_policy_basic_v2) {
        pub condition: uint32_t,
        /// A `ZX_POL_ACTION_*`.
        pub action: uint32_t,
        /// A `ZX_POL_OVERRIDE_*`.
        pub flags: uint32_t,
    }
}

c_struct! {
    /// The `ZX_JOB_POL_TIMER_SLACK` policy.
    pub struct zx_policy_timer_slack_t (zx_policy_timer_slack) {
        pub min_slack: zx_duration_t,
        /// A `ZX_TIMER_SLACK_*` mode.
        pub default_mode: uint32_t,
        pub padding1: [uint8_t; 4],
    }
}

const _: () = {
    assert!(size_of::<zx_policy_basic_v1_t>() == 8);
    assert!(size_of::<zx_policy_basic_v2_t>() == 12);
    assert!(size_of::<zx_policy_timer_slack_t>() == 16);
};

/// The old name of the basic policy entry (`zx_policy_basic_t` = v1).
pub const POLICY_BASIC_ALIASES: &[(&str, &crate::cdef::CStruct)] = {
    use crate::cdef::AbiStruct;
    &[("zx_policy_basic_t", &zx_policy_basic_v1_t::C)]
};
