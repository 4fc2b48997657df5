//! The basic `zx_*` types of `<zircon/types.h>`: handles, status, koids, clocks,
//! addresses and futexes, with their constants.

use crate::ctypes::*;
use crate::signals::zx_signals_t;

c_typedefs! {
    /// Handles.
    pub const HANDLE_TYPEDEFS = {
        /// A process-local name for a kernel object, carrying rights of its own.
        zx_handle_t = uint32_t;
    }
}

c_consts! {
    /// Handle values.
    pub const HANDLE_CONSTS: hex = {
        /// Never names an object; closing it is a no-op.
        ZX_HANDLE_INVALID: zx_handle_t = 0;
        /// The two low bits are set in every valid handle value, so programs may borrow
        /// them for tags as long as they set them again before a syscall.
        ZX_HANDLE_FIXED_BITS_MASK: zx_handle_t = 0x3;
    }
}

c_typedefs! {
    /// Status.
    pub const STATUS_TYPEDEFS = {
        /// `ZX_OK` (0) or a negative `ZX_ERR_*` code; valid codes lie in [-2^30, 0].
        zx_status_t = int32_t;
    }
}

c_typedefs! {
    /// Clocks.
    pub const CLOCK_TYPEDEFS = {
        /// Names a kernel clock.
        zx_clock_t = uint32_t;
    }
}

c_consts! {
    /// Clock ids.
    pub const CLOCK_CONSTS: dec = {
        /// Nanoseconds since boot; never goes backwards.
        ZX_CLOCK_MONOTONIC: zx_clock_t = 0;
        /// The boot timeline (RFC 0260), which also counts time the machine spends
        /// suspended. This kernel never suspends, so it reads as the monotonic clock
        /// (`zx_clock_get_boot`); timers accept only `ZX_CLOCK_MONOTONIC` for now.
        ZX_CLOCK_BOOT: zx_clock_t = 1;
    }
}

c_typedefs! {
    /// Kernel object ids.
    pub const KOID_TYPEDEFS = {
        /// A kernel object's id, unique for the life of the system and never reused. The
        /// kernel only hands out values below 2^63; the upper half is left to programs
        /// that name artificial objects.
        zx_koid_t = uint64_t;
    }
}

c_consts! {
    /// Reserved koids.
    pub const KOID_CONSTS: dec = {
        /// Names no object.
        ZX_KOID_INVALID: zx_koid_t = 0;
        /// The kernel itself.
        ZX_KOID_KERNEL: zx_koid_t = 1;
        /// The first koid given to an object; the ones below are reserved.
        ZX_KOID_FIRST: zx_koid_t = 1024;
    }
}

c_consts! {
    /// `zx_object_wait_many` limits.
    pub const WAIT_MANY_CONSTS: dec = {
        /// The most items one `zx_object_wait_many` call may wait on (the same as
        /// `ZX_CHANNEL_MAX_MSG_HANDLES`).
        ZX_WAIT_MANY_MAX_ITEMS: size_t = 64;
    }
}

c_struct! {
    /// One entry of `zx_object_wait_many`'s array: the handle, the signals to wait for,
    /// and (written back) the object's signals when the wait ended.
    pub struct zx_wait_item_t (zx_wait_item) {
        pub handle: zx_handle_t,
        pub waitfor: zx_signals_t,
        pub pending: zx_signals_t,
    }
}

c_typedefs! {
    /// Addresses and offsets.
    pub const ADDRESS_TYPEDEFS = {
        /// A virtual address.
        zx_vaddr_t = uintptr_t;
        /// A physical address.
        zx_paddr_t = uintptr_t;
        /// A guest-physical address (hypervisor).
        zx_gpaddr_t = uintptr_t;
        /// An offset, e.g. into a VMO.
        zx_off_t = uint64_t;
    }
}

c_consts! {
    /// Names.
    pub const NAME_CONSTS: dec = {
        /// Longest object name (process, thread, VMO...), counting the terminating NUL.
        ZX_MAX_NAME_LEN: size_t = 32;
    }
}

c_consts! {
    /// Buffer limits of the CPRNG syscalls.
    pub const CPRNG_CONSTS: dec = {
        /// The most bytes one `zx_cprng_draw_once` returns (`zx_cprng_draw` loops over it).
        ZX_CPRNG_DRAW_MAX_LEN: size_t = 256;
        /// The most bytes one `zx_cprng_add_entropy` call accepts.
        ZX_CPRNG_ADD_ENTROPY_MAX_LEN: size_t = 256;
    }
}

c_consts! {
    /// `zx_timer_create` options: where in `[deadline - slack, deadline + slack]` a timer
    /// may fire.
    pub const TIMER_CONSTS: dec = {
        /// Anywhere in the window.
        ZX_TIMER_SLACK_CENTER: uint32_t = 0;
        /// Not after the deadline.
        ZX_TIMER_SLACK_EARLY: uint32_t = 1;
        /// Not before the deadline.
        ZX_TIMER_SLACK_LATE: uint32_t = 2;
    }
}

/// The word a futex waits on. C sees `atomic_int` (plain `int` in C++ and in the
/// kernel); the header spells that out by hand, since it depends on the language.
pub type zx_futex_t = int32_t;

c_consts! {
    /// Process creation options.
    pub const PROCESS_CONSTS: hex = {
        /// `zx_process_create_shared`: the new process shares part of its address space.
        ZX_PROCESS_SHARED: uint32_t = bit(0);
    }
}

c_consts! {
    /// `zx_job_set_critical` options.
    pub const JOB_CRITICAL_CONSTS: hex = {
        /// Kill the job only if the critical process exits with a nonzero code.
        ZX_JOB_CRITICAL_PROCESS_RETCODE_NONZERO: uint32_t = bit(0);
    }
}

c_consts! {
    /// CPU sets. Plain literals, as Fuchsia spells them, so the preprocessor can use them.
    pub const CPU_SET_CONSTS: dec = {
        /// The most CPUs a `zx_cpu_set_t` can name.
        ZX_CPU_SET_MAX_CPUS: size_t = 512 => "512ul";
        ZX_CPU_SET_BITS_PER_WORD: size_t = 64 => "64ul";
    }
}

c_struct! {
    /// A set of CPUs: CPU `n` is in it when bit `n % 64` of `mask[n / 64]` is set.
    pub struct zx_cpu_set_t (zx_cpu_set) {
        pub mask: [uint64_t; ZX_CPU_SET_MAX_CPUS / ZX_CPU_SET_BITS_PER_WORD],
    }
}

/// A string constant returned by value (`zx_system_get_version_string`): a pointer to
/// NUL-terminated UTF-8 and its length without the NUL. Two registers (`x0`, `x1`) on
/// arm64, so to C it costs no more than a `const char*`. The C definition is written by
/// hand (`<zircon/string_view.h>`: C++ code may convert it to `std::string_view`); its
/// layout is pinned by [`ZX_STRING_VIEW_C`].
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct zx_string_view_t {
    /// NUL-terminated UTF-8, valid for the life of the process.
    pub c_str: *const c_char,
    /// The length in bytes, without the NUL.
    pub length: size_t,
}

/// The layout of [`zx_string_view_t`], for the C layout check (the struct has a pointer,
/// which `c_struct!` does not describe).
pub const ZX_STRING_VIEW_C: crate::cdef::CStruct = crate::cdef::CStruct {
    name: "zx_string_view_t",
    tag: "zx_string_view",
    size: core::mem::size_of::<zx_string_view_t>(),
    align: core::mem::align_of::<zx_string_view_t>(),
    fields: &[
        crate::cdef::CField {
            name: "c_str",
            c_type: "const char*",
            array_len: None,
            offset: core::mem::offset_of!(zx_string_view_t, c_str),
            size: core::mem::size_of::<*const c_char>(),
            doc: "",
        },
        crate::cdef::CField {
            name: "length",
            c_type: "size_t",
            array_len: None,
            offset: core::mem::offset_of!(zx_string_view_t, length),
            size: core::mem::size_of::<size_t>(),
            doc: "",
        },
    ],
    doc: "",
};

const _: () = assert!(core::mem::size_of::<zx_wait_item_t>() == 12);
const _: () = assert!(core::mem::offset_of!(zx_wait_item_t, pending) == 8);
const _: () = assert!(core::mem::size_of::<zx_cpu_set_t>() == 64);
const _: () = assert!(core::mem::size_of::<zx_string_view_t>() == 16);
const _: () = assert!(ZX_WAIT_MANY_MAX_ITEMS == 64);
