//! The basic `zx_*` types of `<zircon/types.h>`: handles, status, koids, clocks,
//! addresses and futexes, with their constants.

use crate::ctypes::*;

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
