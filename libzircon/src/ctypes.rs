//! The C scalar types the ABI is written in, under their C names.
//!
//! The syscall table and the struct descriptions name types the way the C headers do
//! (`uint64_t`, `size_t`, `const char*`), so one spelling serves both languages: Rust
//! reads these aliases, the header generator prints the names.

pub use core::ffi::{c_char, c_void};

pub type int32_t = i32;
pub type int64_t = i64;
pub type uint8_t = u8;
pub type uint16_t = u16;
pub type uint32_t = u32;
pub type uint64_t = u64;
pub type size_t = usize;
pub type uintptr_t = usize;
/// C's `bool` in a struct: one byte, 0 or 1. Rust sees a `u8`, so every byte a C
/// program may leave there is a valid value.
pub type c_bool = u8;
