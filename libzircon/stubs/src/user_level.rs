//! The calls Zircon's vDSO answers without entering the kernel, answered here the same
//! way: the page size and version string are constants, time comes from the arm64
//! generic timer's virtual counter, which the kernel lets EL0 read
//! (CNTKCTL_EL1.EL0VCTEN), and the cache line size from CTR_EL0 (SCTLR_EL1.UCT lets EL0
//! read it). `zx_cprng_draw` is a loop over the kernel's `zx_cprng_draw_once`, as in
//! Zircon's vDSO.

use core::arch::asm;

use libzircon::prelude::*;
use libzircon::time::ticks_to_nanoseconds;
use libzircon::vm::dcache_line_size;

/// CNTVCT_EL0, after an `isb` so the read is not hoisted above earlier instructions
/// (a timestamp taken "after" some work must not be read before it).
fn counter() -> u64 {
    let ticks: u64;
    // SAFETY: reads a register EL0 may read; no memory or stack is touched.
    unsafe { asm!("isb", "mrs {}, cntvct_el0", out(reg) ticks, options(nomem, nostack)) };
    ticks
}

/// CNTFRQ_EL0, the counter's frequency as firmware set it (it differs between boards
/// and QEMU CPU models, so it is read, never assumed).
fn counter_frequency() -> u64 {
    let frequency: u64;
    // SAFETY: reads a register EL0 may read; no memory or stack is touched.
    unsafe { asm!("mrs {}, cntfrq_el0", out(reg) frequency, options(nomem, nostack)) };
    frequency
}

/// CTR_EL0, the cache type register.
fn cache_type() -> u64 {
    let ctr: u64;
    // SAFETY: reads a register the kernel lets EL0 read (SCTLR_EL1.UCT); no memory or
    // stack is touched.
    unsafe { asm!("mrs {}, ctr_el0", out(reg) ctr, options(nomem, nostack)) };
    ctr
}

/// What `zx_system_get_version_string` names: the scheme ("zrk-") and the version,
/// NUL-terminated for `c_str`.
const VERSION: &str = concat!("zrk-", env!("CARGO_PKG_VERSION"), "\0");

/// Ends the process the way Zircon's vDSO does when a call that cannot fail did: a trap
/// (BRK), looped in case the kernel lets the thread go on.
fn trap() -> ! {
    loop {
        // SAFETY: BRK only raises an exception; the kernel kills the process.
        unsafe { asm!("brk #0x1", options(nomem, nostack)) };
    }
}

/// A weak function symbol `alias` that branches to `target`. The public `zx_` names are
/// weak, as in Fuchsia, so a program may wrap or replace them.
macro_rules! weak_alias {
    ($alias:expr, $target:expr) => {
        core::arch::global_asm!(
            concat!(".pushsection .text.", $alias, ",\"ax\",%progbits"),
            ".p2align 2",
            concat!(".weak ", $alias),
            concat!(".type ", $alias, ", %function"),
            concat!($alias, ":"),
            concat!("b ", $target),
            concat!(".size ", $alias, ", . - ", $alias),
            ".popsection",
        );
    };
}

/// Defines each call as `_zx_<name>`, and `zx_<name>` as a weak alias of it.
macro_rules! user_level_calls {
    ($(
        $(#[$attr:meta])*
        fn $name:ident($($p:ident: $t:ty),*) $(-> $ret:ty)? $body:block
    )*) => {
        $(
            $(#[$attr])*
            #[export_name = concat!("_zx_", stringify!($name))]
            pub extern "C" fn $name($($p: $t),*) $(-> $ret)? $body

            weak_alias!(concat!("zx_", stringify!($name)), concat!("_zx_", stringify!($name)));
        )*
    };
}

user_level_calls! {
    /// The page size this kernel uses.
    fn system_get_page_size() -> uint32_t {
        ZX_PAGE_SIZE as uint32_t
    }

    /// The virtual counter.
    fn ticks_get() -> zx_ticks_t {
        counter() as zx_ticks_t
    }

    /// The virtual counter's frequency.
    fn ticks_per_second() -> zx_ticks_t {
        counter_frequency() as zx_ticks_t
    }

    /// Nanoseconds since the counter started (boot).
    fn clock_get_monotonic() -> zx_time_t {
        ticks_to_nanoseconds(counter(), counter_frequency())
    }

    /// Now plus `nanoseconds`, saturating at ZX_TIME_INFINITE (and INFINITE_PAST).
    fn deadline_after(nanoseconds: zx_duration_t) -> zx_time_t {
        clock_get_monotonic().saturating_add(nanoseconds)
    }

    /// The boot timeline: the monotonic clock, since the machine never suspends.
    fn clock_get_boot() -> zx_instant_boot_t {
        clock_get_monotonic()
    }

    /// The smallest data cache line (CTR_EL0.DminLine).
    fn system_get_dcache_line_size() -> uint32_t {
        dcache_line_size(cache_type())
    }

    /// "zrk-" and the version of this library, which is the kernel's (one workspace).
    fn system_get_version_string() -> zx_string_view_t {
        zx_string_view_t {
            c_str: VERSION.as_ptr().cast(),
            length: VERSION.len() - 1,
        }
    }

    /// Draws `buffer_size` bytes in pieces the kernel accepts. The kernel refuses only
    /// bad buffers; Zircon's vDSO then kills the process with a trap, and so does this.
    // A C entry point: C hands it any pointer, which only the kernel dereferences.
    #[allow(clippy::not_unsafe_ptr_arg_deref)]
    fn cprng_draw(buffer: *mut c_void, buffer_size: size_t) {
        let mut at = buffer.cast::<u8>();
        let mut left = buffer_size;
        while left != 0 {
            let chunk = left.min(ZX_CPRNG_DRAW_MAX_LEN);
            // SAFETY: a syscall stub; the kernel checks the buffer and only writes
            // through its user-copy routine, answering INVALID_ARGS for a bad one.
            let status = unsafe { crate::kernel_calls::cprng_draw_once(at.cast(), chunk) };
            if status != ZX_OK {
                trap();
            }
            at = at.wrapping_add(chunk);
            left -= chunk;
        }
    }

    /// Zircon's vDSO protocol: write and wait; if the thread was interrupted
    /// (suspended) while waiting, wait again for the same reply with `_finish`.
    fn channel_call(
        handle: zx_handle_t,
        options: uint32_t,
        deadline: zx_time_t,
        args: *const zx_channel_call_args_t,
        actual_bytes: *mut uint32_t,
        actual_handles: *mut uint32_t
    ) -> zx_status_t {
        // SAFETY: syscall stubs; the kernel checks every pointer it is given.
        let mut status = unsafe {
            crate::kernel_calls::channel_call_noretry(
                handle, options, deadline, args, actual_bytes, actual_handles,
            )
        };
        while status == ZX_ERR_INTERNAL_INTR_RETRY {
            // SAFETY: as above.
            status = unsafe {
                crate::kernel_calls::channel_call_finish(deadline, args, actual_bytes, actual_handles)
            };
        }
        status
    }

    /// As `channel_call`, with dispositions and handle infos.
    fn channel_call_etc(
        handle: zx_handle_t,
        options: uint32_t,
        deadline: zx_time_t,
        args: *mut zx_channel_call_etc_args_t,
        actual_bytes: *mut uint32_t,
        actual_handles: *mut uint32_t
    ) -> zx_status_t {
        // SAFETY: syscall stubs; the kernel checks every pointer it is given.
        let mut status = unsafe {
            crate::kernel_calls::channel_call_etc_noretry(
                handle, options, deadline, args, actual_bytes, actual_handles,
            )
        };
        while status == ZX_ERR_INTERNAL_INTR_RETRY {
            // SAFETY: as above.
            status = unsafe {
                crate::kernel_calls::channel_call_etc_finish(
                    deadline, args, actual_bytes, actual_handles,
                )
            };
        }
        status
    }
}

/// The name of a status code, or "(UNKNOWN)": `<zircon/status.h>`, which is no syscall
/// (so not in the table). Both of its names are weak, so a C runtime that still
/// carries its own definition links as before.
#[export_name = "__zircon_stubs_status_get_string"]
pub extern "C" fn status_get_string(status: zx_status_t) -> *const c_char {
    Status::from_raw(status).c_name().as_ptr()
}

weak_alias!("zx_status_get_string", "__zircon_stubs_status_get_string");
weak_alias!("_zx_status_get_string", "__zircon_stubs_status_get_string");

/// Fails to compile if a user-level call above and its table entry disagree.
macro_rules! check_user_level_signatures {
    (
        kernel { $($kernel:tt)* }
        user { $(
            $(#[doc = $doc:literal])*
            $kind:ident $name:ident ( $( $p:ident : $(* $q:ident)? $t:ident ),* ) -> $ret:ident;
        )* }
    ) => {
        $( const _: extern "C" fn($($(* $q)? $t),*) -> user_return_type!($ret) = $name; )*
        // Every table entry has a definition here: the line above names each one.
    };
}

/// The Rust return type of a table return type (`void` is `()`).
macro_rules! user_return_type {
    (void) => {
        ()
    };
    ($t:ident) => {
        $t
    };
}

libzircon::zx_syscall_table!(check_user_level_signatures);
