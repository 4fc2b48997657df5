//! The start-up block: how a process learns its handles and arguments.
//!
//! This is our own ABI (Fuchsia passes start-up handles over a channel instead). The
//! kernel maps one read-only page holding the block and passes its address to `_start`
//! in `x0`; crt0 reads it, and programs use the accessors of `<zircon/process.h>`
//! (`zx_process_self()` and friends). The layout is the one `userspace/` defined first
//! (`<zrk/startup.h>`); the kernel fills it from here.

use crate::ctypes::*;
use crate::types::zx_handle_t;

c_consts! {
    /// Identification of the start-up block.
    pub const STARTUP_CONSTS: hex = {
        /// "ZRKSTART" read as a little-endian word.
        ZRK_STARTUP_MAGIC: uint64_t = 0x54524154534b525a;
        /// The layout below; bumped on any change.
        ZRK_STARTUP_VERSION: uint32_t = 3;
    }
}

c_consts! {
    /// This kernel's own `zx_object_get_info` topics, on the info resource. Not
    /// Fuchsia's: the value is outside the range Fuchsia's topics use.
    pub const ZRK_INFO_CONSTS: hex = {
        /// `zrk_info_kernel_objects_t[1]`: live kernel objects by type.
        ZRK_INFO_KERNEL_OBJECTS: uint32_t = 0x5a4b0001;
        /// On a dead process killed for a fault (or by the watchdog, or a policy): the
        /// kernel's one-line reason, UTF-8 without a NUL (`actual` bytes; none for a
        /// process that exited or still runs). What zrk-init prints as
        /// `zrk: killed NAME: REASON`.
        ZRK_INFO_PROCESS_EXIT_REASON: uint32_t = 0x5a4b0002;
    }
}

c_struct! {
    /// `ZRK_INFO_KERNEL_OBJECTS`: how many kernel objects of each type exist, for leak
    /// checks (a program that closes everything it made should see the counts it
    /// started with).
    pub struct zrk_info_kernel_objects_t (zrk_info_kernel_objects) {
        pub processes: uint64_t,
        pub threads: uint64_t,
        pub vmos: uint64_t,
        pub vmars: uint64_t,
        pub resources: uint64_t,
        /// Handles, in every process's table and in channel messages.
        pub handles: uint64_t,
        /// Events and event-pair ends.
        pub events: uint64_t,
        pub timers: uint64_t,
        pub ports: uint64_t,
        /// Jobs (the root job included).
        pub jobs: uint64_t,
        /// Channel ends (two per channel).
        pub channels: uint64_t,
    }
}

c_struct! {
    /// The block at the address `_start` receives in `x0`.
    pub struct zrk_startup_t (zrk_startup) {
        /// `ZRK_STARTUP_MAGIC`.
        pub magic: uint64_t,
        /// `ZRK_STARTUP_VERSION`.
        pub version: uint32_t,
        /// At least 1: `argv[0]` is the program's name.
        pub argc: uint32_t,
        /// User address of a NULL-terminated `char*[]` inside the same page.
        pub argv: uint64_t,
        /// The process itself (`ZX_OBJ_TYPE_PROCESS`).
        pub process: zx_handle_t,
        /// Its root VMAR (`ZX_OBJ_TYPE_VMAR`).
        pub vmar_root: zx_handle_t,
        /// Its first thread (`ZX_OBJ_TYPE_THREAD`).
        pub thread: zx_handle_t,
        /// `ZX_HANDLE_INVALID` until the kernel hands out a VMEX resource.
        pub vmex_resource: zx_handle_t,
        /// `ZX_HANDLE_INVALID` until the kernel hands out an info resource.
        pub info_resource: zx_handle_t,
        /// The job the process runs in, with `ZX_DEFAULT_JOB_RIGHTS` (version 2; the
        /// `reserved` slot of version 1): what `zx_job_default()` returns.
        pub job: zx_handle_t,
        /// Lowest address of the stack mapping.
        pub stack_base: uint64_t,
        pub stack_size: uint64_t,
        /// The boot image (the cpio archive the kernel was booted with) as a read-only
        /// VMO (version 3): zrk-init starts the programs from it, and every program may
        /// start others from it (`zrk_launch_boot`), as Fuchsia's early processes have
        /// /boot.
        pub boot_image: zx_handle_t,
        /// A handle the launching program chose for this one, or `ZX_HANDLE_INVALID`
        /// (Fuchsia's `PA_USER0`).
        pub user0: zx_handle_t,
    }
}

// The layout userspace/include/zrk/startup.h was written with.
const _: () = {
    assert!(size_of::<zrk_startup_t>() == 72);
    assert!(core::mem::offset_of!(zrk_startup_t, argv) == 16);
    assert!(core::mem::offset_of!(zrk_startup_t, process) == 24);
    assert!(core::mem::offset_of!(zrk_startup_t, info_resource) == 40);
    assert!(core::mem::offset_of!(zrk_startup_t, job) == 44);
    assert!(core::mem::offset_of!(zrk_startup_t, stack_base) == 48);
    assert!(core::mem::offset_of!(zrk_startup_t, boot_image) == 64);
};
