//! Architecture support. Only AArch64 exists; nothing above this module names a CPU
//! register.

pub mod aarch64;
