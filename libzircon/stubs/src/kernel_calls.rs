//! One `svc` stub per kernel syscall, expanded from libzircon's syscall table.
//!
//! The arm64 convention, as Zircon's: the syscall number in `x16`, the arguments left
//! where the C caller put them (`x0`-`x7`), `svc #0`, the result in `x0`. The stubs are
//! naked functions, so nothing else touches a register. They rely on the kernel
//! preserving everything but `x0` (at least `x19`-`x30` and `sp`, which AAPCS64 says
//! a callee keeps) and returning to the instruction after the `svc`.

use libzircon::prelude::*;

/// The Rust return type of a stub: calls that never return have `!`.
macro_rules! stub_return_type {
    (noreturn $ret:ident) => { ! };
    ($kind:ident $ret:ident) => { $ret };
}

/// The instructions of a stub, by the syscall's kind. As in Fuchsia, `_zx_<name>` is
/// the function (a strong symbol) and `zx_<name>` a weak second label at its first
/// instruction, so a program may wrap or replace the public name.
macro_rules! stub_body {
    (call $name:ident $number:literal) => {
        core::arch::naked_asm!(
            concat!(".weak zx_", stringify!($name)),
            concat!(".type zx_", stringify!($name), ", %function"),
            concat!("zx_", stringify!($name), ":"),
            "mov x16, #{number}",
            "svc #0",
            "ret",
            number = const $number,
        )
    };
    // The kernel answers ZX_ERR_INTERNAL_INTR_RETRY (-6) when a wait was interrupted
    // (e.g. by a suspend); Zircon's vDSO then issues the call again, so programs never
    // see -6. x0 holds the result by then, so the arguments are kept on the stack.
    (blocking $name:ident $number:literal) => {
        core::arch::naked_asm!(
            concat!(".weak zx_", stringify!($name)),
            concat!(".type zx_", stringify!($name), ", %function"),
            concat!("zx_", stringify!($name), ":"),
            "stp x0, x1, [sp, #-64]!",
            "stp x2, x3, [sp, #16]",
            "stp x4, x5, [sp, #32]",
            "stp x6, x7, [sp, #48]",
            "2:",
            "mov x16, #{number}",
            "svc #0",
            "cmn w0, #6",
            "b.ne 3f",
            "ldp x0, x1, [sp]",
            "ldp x2, x3, [sp, #16]",
            "ldp x4, x5, [sp, #32]",
            "ldp x6, x7, [sp, #48]",
            "b 2b",
            "3:",
            "add sp, sp, #64",
            "ret",
            number = const $number,
        )
    };
    // Never returns; should the kernel come back anyway, stay here rather than run
    // into whatever follows.
    (noreturn $name:ident $number:literal) => {
        core::arch::naked_asm!(
            concat!(".weak zx_", stringify!($name)),
            concat!(".type zx_", stringify!($name), ", %function"),
            concat!("zx_", stringify!($name), ":"),
            "mov x16, #{number}",
            "svc #0",
            "2:",
            "b 2b",
            number = const $number,
        )
    };
}

macro_rules! kernel_stubs {
    (
        kernel { $(
            $(#[doc = $doc:literal])*
            $number:literal $kind:ident $name:ident ( $( $p:ident : $(* $q:ident)? $t:ident ),* )
                -> $ret:ident;
        )* }
        user { $($user:tt)* }
    ) => {
        $(
            $(#[doc = $doc])*
            ///
            /// # Safety
            ///
            /// The C contract of the syscall: pointer arguments name memory of the sizes
            /// the call reads or writes.
            #[unsafe(naked)]
            #[export_name = concat!("_zx_", stringify!($name))]
            pub unsafe extern "C" fn $name($($p: $(* $q)? $t),*) -> stub_return_type!($kind $ret) {
                stub_body!($kind $name $number)
            }
        )*
    };
}

libzircon::zx_syscall_table!(kernel_stubs);
