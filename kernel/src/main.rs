//! zrk: an AArch64 kernel that implements Zircon's system-call ABI.
//!
//! The kernel is built for `aarch64-unknown-none-softfloat` (see scripts/build). The
//! portable parts (device-tree parsing, the command line, memory bookkeeping, kernel
//! objects) also build for the host, where `cargo test` runs their unit tests.

#![cfg_attr(target_os = "none", no_std, no_main)]
#![cfg_attr(not(target_os = "none"), allow(dead_code))]

extern crate alloc;

mod bsp;
mod cmdline;
mod lockorder;
mod mm;
mod object;
mod random;
mod symbols;

mod arch;
#[cfg(target_os = "none")]
mod boot;
#[cfg(target_os = "none")]
#[macro_use]
mod drivers;
#[cfg(target_os = "none")]
mod irq;
#[cfg(target_os = "none")]
mod loader;
#[cfg(target_os = "none")]
mod logger;
#[cfg(target_os = "none")]
mod power;
#[cfg(target_os = "none")]
mod smp;
#[cfg(target_os = "none")]
mod syscall;
#[cfg(target_os = "none")]
mod task;
#[cfg(target_os = "none")]
mod userboot;

#[cfg(not(target_os = "none"))]
fn main() {
    eprintln!("the kernel runs under QEMU or on a Raspberry Pi: see scripts/run");
    std::process::exit(2);
}
