//! The static library C programs link to make Zircon system calls.
//!
//! `libzircon_stubs.a` defines, under both names Fuchsia uses (`zx_<name>` and
//! `_zx_<name>`), every call of libzircon's syscall table:
//!
//! - one `svc` stub per kernel syscall ([`kernel_calls`]), expanded from the table;
//! - the calls Zircon's vDSO answers without entering the kernel ([`user_level`]),
//!   read from the arm64 generic timer.
//!
//! Only an `aarch64-unknown-none` build has content. Elsewhere the crate compiles to
//! nothing, so `cargo build/test/clippy --workspace` on the host are unaffected.

#![cfg_attr(all(target_arch = "aarch64", target_os = "none"), no_std)]

#[cfg(all(target_arch = "aarch64", target_os = "none"))]
pub mod kernel_calls;
#[cfg(all(target_arch = "aarch64", target_os = "none"))]
pub mod user_level;

/// Nothing in the library panics; `no_std` still requires a handler.
#[cfg(all(target_arch = "aarch64", target_os = "none"))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {
        core::hint::spin_loop();
    }
}
