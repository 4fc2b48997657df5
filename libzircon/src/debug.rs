//! Thread register state (`<zircon/syscalls/debug.h>`): the `kind` values of
//! `zx_thread_read_state` / `zx_thread_write_state` and the arm64 records they move.
//!
//! Fuchsia's header declares the records of every architecture and picks the native
//! ones with `typedef`s; this ABI is arm64's alone, so only the `zx_arm64_*` records are
//! here, with the generic names as aliases. Fuchsia declares the element types of the
//! arrays inside the records anonymously; they are named here (`__zx_arm64_*`) because
//! the generator prints named structs. The layout, and so what C code may write
//! (`regs.v[3].low`), is the same.

use crate::ctypes::*;

c_typedefs! {
    /// Thread state kinds.
    pub const THREAD_STATE_KIND_TYPEDEFS = {
        /// The `kind` argument of `zx_thread_read_state` / `zx_thread_write_state`.
        zx_thread_state_topic_t = uint32_t;
        /// `ZX_THREAD_STATE_SINGLE_STEP`'s value: 0 (not single-stepping) or 1.
        zx_thread_state_single_step_t = uint32_t;
    }
}

c_consts! {
    /// What `zx_thread_read_state` / `zx_thread_write_state` move, by `kind`.
    pub const THREAD_STATE_KIND_CONSTS: dec = {
        /// `zx_thread_state_general_regs_t`.
        ZX_THREAD_STATE_GENERAL_REGS: uint32_t = 0;
        /// `zx_thread_state_fp_regs_t` (arm64 has none of its own: use VECTOR_REGS).
        ZX_THREAD_STATE_FP_REGS: uint32_t = 1;
        /// `zx_thread_state_vector_regs_t`.
        ZX_THREAD_STATE_VECTOR_REGS: uint32_t = 2;
        /// `zx_thread_state_debug_regs_t`.
        ZX_THREAD_STATE_DEBUG_REGS: uint32_t = 4;
        /// `zx_thread_state_single_step_t`.
        ZX_THREAD_STATE_SINGLE_STEP: uint32_t = 5;
    }
}

c_struct! {
    /// `ZX_THREAD_STATE_GENERAL_REGS` on arm64.
    pub struct zx_arm64_thread_state_general_regs_t (zx_arm64_thread_state_general_regs) {
        /// x0-x29.
        pub r: [uint64_t; 30],
        /// x30.
        pub lr: uint64_t,
        /// SP_EL0.
        pub sp: uint64_t,
        /// Where the thread resumes (ELR_EL1).
        pub pc: uint64_t,
        /// The saved SPSR; only the NZCV flags (bits 28-31) are read or written.
        pub cpsr: uint64_t,
        /// TPIDR_EL0, the thread pointer.
        pub tpidr: uint64_t,
    }
}

c_struct! {
    /// `ZX_THREAD_STATE_FP_REGS` on arm64: empty, since the FP registers are the vector
    /// registers (`ZX_THREAD_STATE_VECTOR_REGS`). The field keeps C and C++ sizes equal.
    pub struct zx_arm64_thread_state_fp_regs_t (zx_arm64_thread_state_fp_regs) {
        pub unused: uint32_t,
    }
}

c_struct! {
    /// One 128-bit SIMD&FP register of [`zx_arm64_thread_state_vector_regs_t`] (an
    /// anonymous struct in Fuchsia's header).
    pub struct __zx_arm64_vector_reg_t (__zx_arm64_vector_reg) {
        pub low: uint64_t,
        pub high: uint64_t,
    }
}

c_struct! {
    /// `ZX_THREAD_STATE_VECTOR_REGS` on arm64: FPCR, FPSR and v0-v31.
    pub struct zx_arm64_thread_state_vector_regs_t (zx_arm64_thread_state_vector_regs) {
        pub fpcr: uint32_t,
        pub fpsr: uint32_t,
        pub v: [__zx_arm64_vector_reg_t; 32],
    }
}

c_consts! {
    /// The most hardware breakpoints and watchpoints ARMv8-A has (each CPU says how many
    /// it has in ID_AA64DFR0_EL1). Plain literals, as in Fuchsia's header, so the
    /// preprocessor can use them.
    pub const ARM64_DEBUG_CONSTS: dec = {
        AARCH64_MAX_HW_BREAKPOINTS: size_t = 16 => "16ul";
        AARCH64_MAX_HW_WATCHPOINTS: size_t = 16 => "16ul";
    }
}

c_struct! {
    /// One hardware breakpoint of [`zx_arm64_thread_state_debug_regs_t`] (an anonymous
    /// struct in Fuchsia's header).
    pub struct __zx_arm64_hw_breakpoint_t (__zx_arm64_hw_breakpoint) {
        /// DBGBCR<n>_EL1, its control register.
        pub dbgbcr: uint32_t,
        pub padding1: [uint8_t; 4],
        /// DBGBVR<n>_EL1, its address.
        pub dbgbvr: uint64_t,
    }
}

c_struct! {
    /// One hardware watchpoint of [`zx_arm64_thread_state_debug_regs_t`] (an anonymous
    /// struct in Fuchsia's header).
    pub struct __zx_arm64_hw_watchpoint_t (__zx_arm64_hw_watchpoint) {
        /// DBGWCR<n>_EL1, its control register.
        pub dbgwcr: uint32_t,
        pub padding1: [uint8_t; 4],
        /// DBGWVR<n>_EL1, its address.
        pub dbgwvr: uint64_t,
    }
}

c_struct! {
    /// `ZX_THREAD_STATE_DEBUG_REGS` on arm64.
    pub struct zx_arm64_thread_state_debug_regs_t (zx_arm64_thread_state_debug_regs) {
        pub hw_bps: [__zx_arm64_hw_breakpoint_t; AARCH64_MAX_HW_BREAKPOINTS],
        pub hw_wps: [__zx_arm64_hw_watchpoint_t; AARCH64_MAX_HW_WATCHPOINTS],
        /// The faulting address of the last watchpoint exception (read only).
        pub far: uint64_t,
        /// The ESR of the last exception (read only).
        pub esr: uint32_t,
        /// How many breakpoints and watchpoints the CPU has (set on read, ignored on
        /// write).
        pub hw_bps_count: uint8_t,
        pub hw_wps_count: uint8_t,
        pub padding1: [uint8_t; 2],
    }
}

/// The native (arm64) record of `ZX_THREAD_STATE_GENERAL_REGS`.
pub type zx_thread_state_general_regs_t = zx_arm64_thread_state_general_regs_t;
/// The native (arm64) record of `ZX_THREAD_STATE_FP_REGS`.
pub type zx_thread_state_fp_regs_t = zx_arm64_thread_state_fp_regs_t;
/// The native (arm64) record of `ZX_THREAD_STATE_VECTOR_REGS`.
pub type zx_thread_state_vector_regs_t = zx_arm64_thread_state_vector_regs_t;
/// The native (arm64) record of `ZX_THREAD_STATE_DEBUG_REGS`.
pub type zx_thread_state_debug_regs_t = zx_arm64_thread_state_debug_regs_t;

/// The native names C code uses, and the arm64 records they stand for.
pub const THREAD_STATE_ALIASES: &[(&str, &crate::cdef::CStruct)] = {
    use crate::cdef::AbiStruct;
    &[
        (
            "zx_thread_state_general_regs_t",
            &zx_arm64_thread_state_general_regs_t::C,
        ),
        (
            "zx_thread_state_fp_regs_t",
            &zx_arm64_thread_state_fp_regs_t::C,
        ),
        (
            "zx_thread_state_vector_regs_t",
            &zx_arm64_thread_state_vector_regs_t::C,
        ),
        (
            "zx_thread_state_debug_regs_t",
            &zx_arm64_thread_state_debug_regs_t::C,
        ),
    ]
};

// Layouts from Fuchsia's header (the digest's section 1.6).
const _: () = {
    use core::mem::{offset_of, size_of};
    assert!(size_of::<zx_arm64_thread_state_general_regs_t>() == 280);
    assert!(offset_of!(zx_arm64_thread_state_general_regs_t, lr) == 240);
    assert!(offset_of!(zx_arm64_thread_state_general_regs_t, sp) == 248);
    assert!(offset_of!(zx_arm64_thread_state_general_regs_t, pc) == 256);
    assert!(offset_of!(zx_arm64_thread_state_general_regs_t, cpsr) == 264);
    assert!(offset_of!(zx_arm64_thread_state_general_regs_t, tpidr) == 272);
    assert!(size_of::<zx_arm64_thread_state_fp_regs_t>() == 4);
    assert!(size_of::<zx_arm64_thread_state_vector_regs_t>() == 520);
    assert!(offset_of!(zx_arm64_thread_state_vector_regs_t, v) == 8);
    assert!(size_of::<zx_arm64_thread_state_debug_regs_t>() == 528);
    assert!(offset_of!(zx_arm64_thread_state_debug_regs_t, hw_wps) == 256);
    assert!(offset_of!(zx_arm64_thread_state_debug_regs_t, far) == 512);
    assert!(offset_of!(zx_arm64_thread_state_debug_regs_t, esr) == 520);
    assert!(offset_of!(zx_arm64_thread_state_debug_regs_t, hw_bps_count) == 524);
};
