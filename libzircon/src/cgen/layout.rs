//! Which header holds what: the include chain and contents of each generated file,
//! laid out as Fuchsia lays out its public headers.

use super::c_text;
use crate::cdef::{AbiStruct, CConstGroup, CStruct, CTypedefGroup};
use crate::{
    debug, exception, info, info_structs, ipc, limits, object_type, policy, rights, signals,
    startup, time, types, vm,
};

/// One generated header.
pub struct Header {
    /// Path under `include/`, e.g. `zircon/types.h`.
    pub path: &'static str,
    /// What the header is for, printed under the generated-file line.
    pub purpose: &'static str,
    pub items: &'static [Item],
}

/// A piece of a header, printed in order with a blank line between pieces.
pub enum Item {
    /// `#include` lines.
    Includes(&'static [&'static str]),
    /// `__BEGIN_CDECLS` / `__END_CDECLS`.
    BeginCdecls,
    EndCdecls,
    Typedefs(&'static CTypedefGroup),
    Consts(&'static CConstGroup),
    Structs(&'static [&'static CStruct]),
    /// The `ZX_OK`/`ZX_ERR_*` list.
    StatusCodes,
    /// The declarations of every syscall in the table.
    Syscalls,
    /// `#define ZRK_SYS_<name> <number>` for every syscall that enters the kernel.
    SyscallNumbers,
    /// Hand-written C from [`c_text`].
    Text(&'static str),
    /// A struct whose C definition is hand-written (`text`), with its layout, which the
    /// check file pins like a generated struct's.
    StructText(&'static CStruct, &'static str),
    /// `typedef struct_name alias;` for each pair: another name for a struct.
    Aliases(&'static [(&'static str, &'static CStruct)]),
}

use Item::*;

/// Every generated header, in include order (each one's includes come before it).
pub const HEADERS: &[Header] = &[
    Header {
        path: "zircon/compiler.h",
        purpose: "Compiler portability macros.",
        items: &[Text(c_text::COMPILER)],
    },
    Header {
        path: "zircon/errors.h",
        purpose: "Status codes: ZX_OK and ZX_ERR_*.",
        items: &[StatusCodes],
    },
    Header {
        path: "zircon/limits.h",
        purpose: "Page sizes.",
        items: &[
            Includes(&["<stdint.h>"]),
            Consts(&limits::PAGE_CONSTS),
            Consts(&limits::PAGE_RANGE_CONSTS),
        ],
    },
    Header {
        path: "zircon/rights.h",
        purpose: "Handle rights.",
        items: &[
            Includes(&["<stdint.h>"]),
            Typedefs(&rights::RIGHTS_TYPEDEFS),
            Consts(&rights::RIGHT_CONSTS),
            Consts(&rights::RIGHT_GROUP_CONSTS),
            Consts(&rights::DEFAULT_RIGHT_CONSTS),
        ],
    },
    Header {
        path: "zircon/time.h",
        purpose: "Times, durations and ticks, and saturating arithmetic on them.",
        items: &[
            Includes(&["<stdint.h>", "<zircon/compiler.h>"]),
            Text(c_text::TIME_LIBC),
            BeginCdecls,
            Typedefs(&time::TIME_TYPEDEFS),
            Typedefs(&time::TIMELINE_TYPEDEFS),
            Consts(&time::TIME_CONSTS),
            Text(c_text::TIME_FUNCTIONS),
            EndCdecls,
        ],
    },
    Header {
        path: "zircon/types.h",
        purpose: "The basic zx_* types, signals, VM options and object types.",
        items: &[
            Includes(&[
                "<stdbool.h>",
                "<stddef.h>",
                "<stdint.h>",
                "<zircon/compiler.h>",
                "<zircon/errors.h>",
                "<zircon/limits.h>",
                "<zircon/rights.h>",
                "<zircon/time.h>",
            ]),
            Text(c_text::TYPES_STDATOMIC),
            BeginCdecls,
            Typedefs(&types::HANDLE_TYPEDEFS),
            Consts(&types::HANDLE_CONSTS),
            Typedefs(&types::STATUS_TYPEDEFS),
            Typedefs(&types::CLOCK_TYPEDEFS),
            Consts(&types::CLOCK_CONSTS),
            Typedefs(&signals::SIGNAL_TYPEDEFS),
            Consts(&signals::SIGNAL_SET_CONSTS),
            Consts(&signals::GENERIC_SIGNAL_CONSTS),
            Consts(&signals::USER_SIGNAL_CONSTS),
            Consts(&signals::TYPED_SIGNAL_CONSTS),
            Typedefs(&types::KOID_TYPEDEFS),
            Consts(&types::KOID_CONSTS),
            Consts(&types::WAIT_MANY_CONSTS),
            Structs(&[&types::zx_wait_item_t::C]),
            Consts(&vm::VMO_CREATE_CONSTS),
            Consts(&vm::VMO_OP_CONSTS),
            Structs(&[&vm::zx_vmo_lock_state_t::C]),
            Consts(&vm::VMAR_OP_CONSTS),
            Consts(&vm::VMO_CHILD_CONSTS),
            Typedefs(&vm::VM_OPTION_TYPEDEFS),
            Consts(&vm::VM_OPTION_CONSTS),
            Consts(&vm::VM_ALIGN_BASE_CONSTS),
            Consts(&vm::VM_ALIGN_CONSTS),
            Typedefs(&types::ADDRESS_TYPEDEFS),
            Consts(&types::NAME_CONSTS),
            Consts(&types::CPRNG_CONSTS),
            Consts(&vm::CACHE_POLICY_CONSTS),
            Consts(&vm::CACHE_FLUSH_CONSTS),
            Consts(&types::TIMER_CONSTS),
            Typedefs(&object_type::OBJECT_TYPE_TYPEDEFS),
            Consts(&object_type::OBJECT_TYPE_CONSTS),
            Consts(&types::CPU_SET_CONSTS),
            Structs(&[&types::zx_cpu_set_t::C]),
            Text(c_text::FUTEX_TYPEDEF),
            Consts(&types::PROCESS_CONSTS),
            Consts(&types::JOB_CRITICAL_CONSTS),
            Typedefs(&ipc::CHANNEL_TYPEDEFS),
            Consts(&ipc::CHANNEL_CONSTS),
            Structs(&[&ipc::zx_handle_info_t::C, &ipc::zx_handle_disposition_t::C]),
            Text(c_text::CHANNEL_POINTER_STRUCTS),
            Consts(&ipc::WAIT_ASYNC_CONSTS),
            EndCdecls,
        ],
    },
    Header {
        path: "zircon/string_view.h",
        purpose: "zx_string_view_t, the string constants some calls return by value.",
        items: &[
            Includes(&["<stddef.h>"]),
            StructText(&types::ZX_STRING_VIEW_C, c_text::STRING_VIEW),
        ],
    },
    Header {
        path: "zircon/syscalls/object.h",
        purpose: "zx_object_get_info topics and records, and object properties.",
        items: &[
            Includes(&["<zircon/types.h>"]),
            BeginCdecls,
            Typedefs(&info::TOPIC_TYPEDEFS),
            Text(c_text::INFO_TOPIC_MACRO),
            Consts(&info::TOPIC_CONSTS),
            Consts(&info::TASK_RETCODE_CONSTS),
            Consts(&info::INFO_MISC_CONSTS),
            Typedefs(&info::PROCESS_INFO_TYPEDEFS),
            Consts(&info::PROCESS_INFO_FLAG_CONSTS),
            Typedefs(&info::THREAD_STATE_TYPEDEFS),
            Consts(&info::VMO_INFO_FLAG_CONSTS),
            Text(c_text::VMO_TYPE_MACRO),
            Structs(info_structs::INFO_STRUCTS),
            Consts(&info::PROPERTY_CONSTS),
            Consts(&info::THREAD_STATE_CONSTS),
            Text(c_text::THREAD_STATE_BASIC_MACRO),
            EndCdecls,
        ],
    },
    Header {
        path: "zircon/syscalls/debug.h",
        purpose: "Thread registers: what zx_thread_read_state and zx_thread_write_state move.",
        items: &[
            Includes(&["<stdint.h>", "<zircon/compiler.h>", "<zircon/types.h>"]),
            BeginCdecls,
            Structs(&[
                &debug::zx_arm64_thread_state_general_regs_t::C,
                &debug::zx_arm64_thread_state_fp_regs_t::C,
                &debug::__zx_arm64_vector_reg_t::C,
                &debug::zx_arm64_thread_state_vector_regs_t::C,
            ]),
            Consts(&debug::ARM64_DEBUG_CONSTS),
            Structs(&[
                &debug::__zx_arm64_hw_breakpoint_t::C,
                &debug::__zx_arm64_hw_watchpoint_t::C,
                &debug::zx_arm64_thread_state_debug_regs_t::C,
            ]),
            Aliases(debug::THREAD_STATE_ALIASES),
            Typedefs(&debug::THREAD_STATE_KIND_TYPEDEFS),
            Consts(&debug::THREAD_STATE_KIND_CONSTS),
            EndCdecls,
        ],
    },
    Header {
        path: "zircon/syscalls/exception.h",
        purpose: "Exceptions: kinds, reports, exception channels and exception states.",
        items: &[
            Includes(&["<stdint.h>", "<zircon/compiler.h>", "<zircon/types.h>"]),
            BeginCdecls,
            Typedefs(&exception::EXCEPTION_TYPEDEFS),
            Consts(&exception::EXCEPTION_TYPE_CONSTS),
            Consts(&exception::EXCEPTION_POLICY_CODE_CONSTS),
            Structs(&[
                &exception::zx_x86_64_exc_data_t::C,
                &exception::zx_arm64_exc_data_t::C,
            ]),
            StructText(
                &exception::ZX_EXCEPTION_CONTEXT_C,
                c_text::EXCEPTION_CONTEXT,
            ),
            Structs(&[
                &exception::zx_exception_header_t::C,
                &exception::zx_exception_report_t::C,
                &exception::zx_exception_info_t::C,
            ]),
            Consts(&exception::EXCEPTION_CHANNEL_OPTION_CONSTS),
            Consts(&exception::EXCEPTION_CHANNEL_TYPE_CONSTS),
            Consts(&exception::EXCEPTION_CHANNEL_LIMIT_CONSTS),
            Consts(&exception::EXCEPTION_STATE_CONSTS),
            Consts(&exception::EXCEPTION_STRATEGY_CONSTS),
            EndCdecls,
        ],
    },
    Header {
        path: "zircon/syscalls/port.h",
        purpose: "Ports: packet kinds and layouts.",
        items: &[
            Includes(&["<stdint.h>", "<zircon/compiler.h>", "<zircon/types.h>"]),
            BeginCdecls,
            Typedefs(&ipc::PORT_TYPEDEFS),
            Consts(&ipc::PORT_CONSTS),
            Structs(&[
                &ipc::zx_packet_signal_t::C,
                &ipc::zx_packet_interrupt_t::C,
                &ipc::zx_packet_page_request_t::C,
            ]),
            StructText(&ipc::ZX_PORT_PACKET_C, c_text::PORT_PACKET),
            EndCdecls,
        ],
    },
    Header {
        path: "zircon/syscalls/policy.h",
        purpose: "Job policies: what zx_job_set_policy takes.",
        items: &[
            Includes(&["<zircon/types.h>"]),
            BeginCdecls,
            Consts(&policy::POLICY_MODE_CONSTS),
            Consts(&policy::POLICY_TOPIC_CONSTS),
            Structs(&[
                &policy::zx_policy_basic_v1_t::C,
                &policy::zx_policy_basic_v2_t::C,
            ]),
            Aliases(policy::POLICY_BASIC_ALIASES),
            Consts(&policy::POLICY_CONDITION_CONSTS),
            Consts(&policy::POLICY_ACTION_CONSTS),
            Consts(&policy::POLICY_OVERRIDE_CONSTS),
            Structs(&[&policy::zx_policy_timer_slack_t::C]),
            EndCdecls,
        ],
    },
    Header {
        path: "zircon/syscalls/types.h",
        purpose: "Forward declarations for the syscall prototypes.",
        items: &[
            Includes(&["<zircon/compiler.h>"]),
            BeginCdecls,
            Text(c_text::SYSCALL_FORWARD_DECLARATIONS),
            EndCdecls,
        ],
    },
    Header {
        path: "zircon/syscalls.h",
        purpose: "The system calls. Include this one; it brings in the others.",
        items: &[
            Includes(&[
                "<zircon/compiler.h>",
                "<zircon/string_view.h>",
                "<zircon/syscalls/object.h>",
                "<zircon/syscalls/policy.h>",
                "<zircon/syscalls/port.h>",
                "<zircon/syscalls/types.h>",
                "<zircon/types.h>",
            ]),
            BeginCdecls,
            Syscalls,
            EndCdecls,
        ],
    },
    Header {
        path: "zircon/zrk-syscall-numbers.h",
        purpose: "Syscall numbers (x16), for code that issues svc itself (this kernel's own).",
        items: &[SyscallNumbers],
    },
    Header {
        path: "zircon/process.h",
        purpose: "The start-up handles of the calling process.",
        items: &[
            Includes(&["<stdint.h>", "<zircon/types.h>"]),
            BeginCdecls,
            Text(c_text::PROCESS_ACCESSORS),
            EndCdecls,
        ],
    },
    Header {
        path: "zircon/status.h",
        purpose: "Names of status codes.",
        items: &[
            Includes(&["<zircon/types.h>"]),
            BeginCdecls,
            Text(c_text::STATUS_STRING),
            EndCdecls,
        ],
    },
    Header {
        path: "zircon/zrk-startup.h",
        purpose: "The start-up block a process receives in x0, and this kernel's own info \
                  topics (this kernel's own ABI, not Fuchsia's).",
        items: &[
            Includes(&["<stdint.h>", "<zircon/types.h>"]),
            BeginCdecls,
            Consts(&startup::STARTUP_CONSTS),
            Structs(&[&startup::zrk_startup_t::C]),
            Consts(&startup::ZRK_INFO_CONSTS),
            Structs(&[&startup::zrk_info_kernel_objects_t::C]),
            EndCdecls,
        ],
    },
];
