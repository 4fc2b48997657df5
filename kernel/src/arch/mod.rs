//! Architecture support. Only AArch64 exists; nothing above this module names a CPU
//! register.

#[cfg(target_os = "none")]
pub mod aarch64;

/// On the host only arch's portable parts build, for their unit tests.
#[cfg(not(target_os = "none"))]
pub mod aarch64 {
    pub mod cache_plan;
}
