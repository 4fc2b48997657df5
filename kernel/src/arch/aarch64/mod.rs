//! AArch64: boot, exceptions, the MMU's descriptors, timers, PSCI and CPU helpers.

pub mod backtrace;
pub mod cache;
pub mod cache_plan;
pub mod cpu;
pub mod early_mmu;
pub mod esr;
pub mod exceptions;
pub mod psci;
pub mod pte;
pub mod semihosting;
pub mod smp;
pub mod thread;
pub mod timer;
pub mod user;

core::arch::global_asm!(include_str!("boot.s"));
