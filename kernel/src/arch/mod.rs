//! Architecture support. Only AArch64 exists; nothing above this module names a CPU
//! register, nor the architecture's own module: code above uses this facade
//! (`crate::arch::cpu`, `crate::arch::user`, ...), so another architecture would slot in
//! here.

#[cfg(target_os = "none")]
mod aarch64;

#[cfg(target_os = "none")]
pub use aarch64::{
    backtrace, cache, cpu, early_mmu, exceptions, psci, pte, semihosting, smp, thread, timer, user,
};

/// On the host only arch's portable parts build, for their unit tests.
#[cfg(not(target_os = "none"))]
mod aarch64 {
    pub mod cache_plan;
}
