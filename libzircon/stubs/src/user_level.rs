//! The calls Zircon's vDSO answers without entering the kernel, answered here the same
//! way: the page size is a constant, and time comes from the arm64 generic timer's
//! virtual counter, which the kernel lets EL0 read (CNTKCTL_EL1.EL0VCTEN).

use core::arch::asm;

use libzircon::prelude::*;
use libzircon::time::ticks_to_nanoseconds;

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
    ($( $(#[doc = $doc:literal])* fn $name:ident($($p:ident: $t:ty),*) -> $ret:ty $body:block )*) => {
        $(
            $(#[doc = $doc])*
            #[export_name = concat!("_zx_", stringify!($name))]
            pub extern "C" fn $name($($p: $t),*) -> $ret $body

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
            $kind:ident $name:ident ( $( $p:ident : $t:ident ),* ) -> $ret:ident;
        )* }
    ) => {
        $( const _: extern "C" fn($($t),*) -> $ret = $name; )*
        // Every table entry has a definition here: the line above names each one.
    };
}

libzircon::zx_syscall_table!(check_user_level_signatures);
