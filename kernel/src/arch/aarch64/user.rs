//! Running user code and reaching user memory.
//!
//! [`enter`] drops to EL0 with a prepared register frame and comes back when an
//! exception from EL0 ends the thread's turn. The copy routines (uaccess.s) are the
//! only code that touches user memory (with unprivileged LDTR/STTR, so EL0 permissions
//! apply), and only after [`copy_from_user`] and
//! [`copy_to_user`] have checked the range is user space; everywhere else the kernel
//! cannot, even by mistake: with PAN on CPUs that have it (ARMv8.1+), and on older ones
//! (the Pi's Cortex-A72) by keeping an empty table with the reserved ASID 0 in TTBR0
//! whenever the kernel runs outside the copy routines, as Linux does.

use super::exceptions::TrapFrame;
use super::pte::Table;
use crate::mm::window::PageWindow;
use core::arch::global_asm;
use core::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use libzircon::dispatch::{UserPtr, UserPtrMut};

global_asm!(include_str!("uaccess.s"));

/// Read by vectors.s and uaccess.s: 1 when PAN is emulated by switching TTBR0.
#[unsafe(no_mangle)]
static SOFTWARE_PAN: AtomicU8 = AtomicU8::new(0);
/// TTBR0 while the kernel runs: an empty table, ASID 0 (never given to a process).
#[unsafe(no_mangle)]
static KERNEL_TTBR0: AtomicU64 = AtomicU64::new(0);

static EMPTY_TABLE: Table = Table::EMPTY;

unsafe extern "C" {
    fn zrk_enter_user(frame: *const TrapFrame, stack_top: usize) -> !;
    fn uaccess_copy_from_user(dst: *mut u8, user_src: usize, len: usize) -> CopyResult;
    fn uaccess_copy_to_user(user_dst: usize, src: *const u8, len: usize) -> CopyResult;
    static __uaccess_start: u8;
    static __uaccess_end: u8;
    static uaccess_fault: u8;
}

/// Lowest user address (Zircon's USER_ASPACE_BASE on arm64: nothing is mapped below
/// 2 MiB).
pub const USER_BASE: usize = 0x0000_0000_0020_0000;
/// One past the highest user address (Zircon's user aspace end).
pub const USER_END: usize = 0x0000_ffff_ff00_0000;

const SCTLR_SA0: u64 = 1 << 4;
const SCTLR_DZE: u64 = 1 << 14; // EL0 may use DC ZVA (picolibc's memset does)
const SCTLR_UCT: u64 = 1 << 15; // EL0 may read CTR_EL0
const SCTLR_SPAN: u64 = 1 << 23; // clear: exceptions to EL1 set PSTATE.PAN
const SCTLR_UCI: u64 = 1 << 26; // EL0 may clean caches by VA
const CPACR_FPEN_EL0: u64 = 3 << 20;

/// Sets up EL0 and the kernel's protection from user memory. `kernel_to_phys` turns
/// a kernel image address into a physical one.
pub fn init(kernel_to_phys: impl Fn(usize) -> u64) -> &'static str {
    let empty = kernel_to_phys(&EMPTY_TABLE as *const Table as usize);
    KERNEL_TTBR0.store(empty, Ordering::Relaxed);
    let hardware_pan = super::cpu::has_pan();
    SOFTWARE_PAN.store(u8::from(!hardware_pan), Ordering::Relaxed);
    init_cpu();
    if hardware_pan {
        "PAN"
    } else {
        "software PAN (reserved ASID)"
    }
}

/// This CPU's part of [`init`]: every CPU runs it (the boot CPU through `init`).
pub fn init_cpu() {
    let empty = KERNEL_TTBR0.load(Ordering::Relaxed);
    let hardware_pan = SOFTWARE_PAN.load(Ordering::Relaxed) == 0;
    this_cpu().user_ttbr0.store(empty, Ordering::Relaxed);
    // SAFETY: system-register set-up for EL0 (FP/SIMD on, stack alignment checks, cache
    // maintenance instructions) and PAN. TTBR0 gets an empty table, so nothing in the
    // lower half is mapped; walks through it are re-enabled (EPD0 cleared).
    unsafe {
        core::arch::asm!(
            "msr ttbr0_el1, {empty}",
            "isb",
            "mrs {t}, tcr_el1",
            "bic {t}, {t}, #(1 << 7)",
            "msr tcr_el1, {t}",
            "isb",
            "tlbi vmalle1",
            "dsb nsh",
            "mrs {t}, cpacr_el1",
            "orr {t}, {t}, {fpen}",
            "msr cpacr_el1, {t}",
            "mrs {t}, sctlr_el1",
            "orr {t}, {t}, {set}",
            "bic {t}, {t}, {clear}",
            "msr sctlr_el1, {t}",
            "isb",
            empty = in(reg) empty,
            t = out(reg) _,
            fpen = in(reg) CPACR_FPEN_EL0,
            set = in(reg) SCTLR_SA0 | SCTLR_DZE | SCTLR_UCT | SCTLR_UCI,
            clear = in(reg) if hardware_pan { SCTLR_SPAN } else { 0 },
        );
        if hardware_pan {
            core::arch::asm!(".inst 0xd500419f"); // msr pan, #1
        }
    }
}

/// What uaccess.s returns in x0 and x1: the bytes not copied, and where it faulted.
#[repr(C)]
struct CopyResult {
    left: usize,
    fault: usize,
}

/// The first words of every CPU's per-CPU block (`TPIDR_EL1` points at it), which
/// vectors.s and uaccess.s read.
#[repr(C)]
pub struct ArchCpu {
    /// TTBR0 of the address space whose thread runs on this CPU: table | ASID << 48.
    pub user_ttbr0: AtomicU64,
}

impl ArchCpu {
    pub const fn new() -> Self {
        ArchCpu {
            user_ttbr0: AtomicU64::new(0),
        }
    }
}

impl Default for ArchCpu {
    fn default() -> Self {
        Self::new()
    }
}

fn this_cpu() -> &'static ArchCpu {
    // SAFETY: the task layer points TPIDR_EL1 at a static per-CPU block whose first field
    // is an ArchCpu before any user address space exists (set_cpu_pointer).
    unsafe { &*(super::thread::cpu_pointer() as *const ArchCpu) }
}

/// Makes `ttbr0` (table | ASID << 48) the user address space of this CPU.
pub fn activate(ttbr0: u64) {
    this_cpu().user_ttbr0.store(ttbr0, Ordering::Relaxed);
    if SOFTWARE_PAN.load(Ordering::Relaxed) == 0 {
        // SAFETY: PAN keeps the kernel's own accesses out; the new tables are complete.
        unsafe { core::arch::asm!("msr ttbr0_el1, {0}", "isb", in(reg) ttbr0) };
    }
}

/// Forgets the user address space (before its tables are freed).
pub fn deactivate() {
    let empty = KERNEL_TTBR0.load(Ordering::Relaxed);
    this_cpu().user_ttbr0.store(empty, Ordering::Relaxed);
    // SAFETY: the empty table maps nothing.
    unsafe { core::arch::asm!("msr ttbr0_el1, {0}", "isb", in(reg) empty) };
}

/// A new thread's first entry to EL0, from `frame`, with its kernel stack starting
/// again at `stack_top`.
///
/// # Safety
/// `stack_top` is the top of the running thread's own kernel stack, and nothing on that
/// stack is needed any more.
pub unsafe fn enter_first(frame: &TrapFrame, stack_top: usize) -> ! {
    // SAFETY: thread::init_stack keeps the top FRAME_SIZE bytes of every kernel stack
    // free of the thread's own frames, so the copy there cannot overlap `frame`; what the
    // caller had on the stack below is given up, as the caller promised.
    unsafe { zrk_enter_user(frame, stack_top) }
}

/// Why a user copy failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadUserAccess {
    /// NULL, a kernel or non-canonical address, or a range leaving the user address space.
    NotUser,
    /// The access faulted at this user address (unmapped, or not permitted).
    Fault(usize),
}

pub fn is_user_range(addr: usize, len: usize) -> bool {
    addr >= USER_BASE && addr.checked_add(len).is_some_and(|end| end <= USER_END)
}

/// Copies `dst.len()` bytes from user address `src`. User pointers stay typed up to
/// here (`UserPtr` is any `const T*` parameter, or an in/out one made readable); this is
/// where they become addresses.
#[inline]
pub fn copy_from_user<T>(dst: &mut [u8], src: UserPtr<T>) -> Result<(), BadUserAccess> {
    copy_from_user_at(dst, src.addr())
}

fn copy_from_user_at(dst: &mut [u8], src: usize) -> Result<(), BadUserAccess> {
    if dst.is_empty() {
        return Ok(());
    }
    if !is_user_range(src, dst.len()) {
        return Err(BadUserAccess::NotUser);
    }
    // SAFETY: dst is a valid kernel buffer and the source range was just checked to be
    // user space; a fault there returns the count left instead of crashing.
    let r = unsafe { uaccess_copy_from_user(dst.as_mut_ptr(), src, dst.len()) };
    fault_result(r)
}

/// Copies `src` to user address `dst`.
#[inline]
pub fn copy_to_user<T>(dst: UserPtrMut<T>, src: &[u8]) -> Result<(), BadUserAccess> {
    copy_to_user_at(dst.addr(), src)
}

fn copy_to_user_at(dst: usize, src: &[u8]) -> Result<(), BadUserAccess> {
    if src.is_empty() {
        return Ok(());
    }
    if !is_user_range(dst, src.len()) {
        return Err(BadUserAccess::NotUser);
    }
    // SAFETY: as above, with the destination checked to be user space.
    let r = unsafe { uaccess_copy_to_user(dst, src.as_ptr(), src.len()) };
    fault_result(r)
}

/// Copies the bytes of `src` (a page others may be writing) to user address `dst`.
#[inline]
pub fn copy_window_to_user<T>(dst: UserPtrMut<T>, src: PageWindow) -> Result<(), BadUserAccess> {
    let dst = dst.addr();
    if src.is_empty() {
        return Ok(());
    }
    if !is_user_range(dst, src.len()) {
        return Err(BadUserAccess::NotUser);
    }
    // SAFETY: the window's bytes are readable (PageWindow::new's contract) and the
    // destination was just checked to be user space; a fault there returns the count
    // left instead of crashing. No reference to either side is formed.
    let r = unsafe { uaccess_copy_to_user(dst, src.as_ptr(), src.len()) };
    fault_result(r)
}

/// Copies `dst.len()` bytes from user address `src` into the window `dst` (a page
/// others may be writing). A read-only window is refused, as not kernel memory the
/// copy may write: `NotUser`, with nothing copied.
#[inline]
pub fn copy_window_from_user<T>(dst: PageWindow, src: UserPtr<T>) -> Result<(), BadUserAccess> {
    let src = src.addr();
    let Some(ptr) = dst.as_mut_ptr() else {
        return Err(BadUserAccess::NotUser);
    };
    if dst.is_empty() {
        return Ok(());
    }
    if !is_user_range(src, dst.len()) {
        return Err(BadUserAccess::NotUser);
    }
    // SAFETY: the window's bytes are writable (PageWindow::new's contract, and it is
    // not read-only) and the source range was just checked to be user space; a fault
    // there returns the count left instead of crashing.
    let r = unsafe { uaccess_copy_from_user(ptr, src, dst.len()) };
    fault_result(r)
}

fn fault_result(r: CopyResult) -> Result<(), BadUserAccess> {
    if r.left == 0 {
        Ok(())
    } else {
        Err(BadUserAccess::Fault(r.fault))
    }
}

/// Whether the exception came from inside the copy routines.
pub fn in_copy(frame: &TrapFrame) -> bool {
    // SAFETY: only the addresses of the routines' labels are taken.
    let (start, end) = unsafe {
        (
            &__uaccess_start as *const u8 as u64,
            &__uaccess_end as *const u8 as u64,
        )
    };
    (start..end).contains(&frame.elr)
}

/// If a kernel data abort happened inside the copy routines, resumes at their fix-up
/// and returns true.
pub fn fixup(frame: &mut TrapFrame) -> bool {
    // SAFETY: only the addresses of the routines' labels are taken.
    let (start, end, fault) = unsafe {
        (
            &__uaccess_start as *const u8 as u64,
            &__uaccess_end as *const u8 as u64,
            &uaccess_fault as *const u8 as u64,
        )
    };
    if (start..end).contains(&frame.elr) {
        // uaccess_fault returns x1 as the fault address.
        frame.x[1] = frame.far;
        frame.elr = fault;
        true
    } else {
        false
    }
}

/// A thread's FP/SIMD registers and thread pointer: what the kernel (soft-float, never
/// touching them) must carry from one run of a thread to the next, and must not let
/// leak from one thread to another.
#[repr(C, align(16))]
#[derive(Clone, Default)]
pub struct UserRegisters {
    q: [u128; 32],
    fpcr: u64,
    fpsr: u64,
    tpidr_el0: u64,
    tpidrro_el0: u64,
}

impl UserRegisters {
    pub fn tpidr_el0(&self) -> u64 {
        self.tpidr_el0
    }

    pub fn set_tpidr_el0(&mut self, value: u64) {
        self.tpidr_el0 = value;
    }

    /// (FPCR, FPSR).
    pub fn fp_control(&self) -> (u64, u64) {
        (self.fpcr, self.fpsr)
    }

    pub fn set_fp_control(&mut self, fpcr: u64, fpsr: u64) {
        self.fpcr = fpcr;
        self.fpsr = fpsr;
    }

    /// v0-v31.
    pub fn vectors(&self) -> &[u128; 32] {
        &self.q
    }

    pub fn vectors_mut(&mut self) -> &mut [u128; 32] {
        &mut self.q
    }

    /// Captures this CPU's user FP/SIMD state and thread pointers.
    pub fn save(&mut self) {
        let q = self.q.as_mut_ptr();
        // SAFETY: stores the 32 q registers into `self.q` (512 bytes, 16-byte aligned)
        // and reads system registers; the kernel itself never uses FP/SIMD.
        unsafe {
            core::arch::asm!(
                ".arch_extension fp",
                ".arch_extension simd",
                "stp q0, q1, [{q}, #0]",
                "stp q2, q3, [{q}, #32]",
                "stp q4, q5, [{q}, #64]",
                "stp q6, q7, [{q}, #96]",
                "stp q8, q9, [{q}, #128]",
                "stp q10, q11, [{q}, #160]",
                "stp q12, q13, [{q}, #192]",
                "stp q14, q15, [{q}, #224]",
                "stp q16, q17, [{q}, #256]",
                "stp q18, q19, [{q}, #288]",
                "stp q20, q21, [{q}, #320]",
                "stp q22, q23, [{q}, #352]",
                "stp q24, q25, [{q}, #384]",
                "stp q26, q27, [{q}, #416]",
                "stp q28, q29, [{q}, #448]",
                "stp q30, q31, [{q}, #480]",
                "mrs {fpcr}, fpcr",
                "mrs {fpsr}, fpsr",
                "mrs {tp}, tpidr_el0",
                "mrs {tpro}, tpidrro_el0",
                q = in(reg) q,
                fpcr = out(reg) self.fpcr,
                fpsr = out(reg) self.fpsr,
                tp = out(reg) self.tpidr_el0,
                tpro = out(reg) self.tpidrro_el0,
            )
        };
    }

    /// Loads this state into the CPU, for the thread about to run.
    pub fn restore(&self) {
        let q = self.q.as_ptr();
        // SAFETY: loads the q registers from `self.q` and writes the user-visible
        // system registers; the kernel itself never uses FP/SIMD.
        unsafe {
            core::arch::asm!(
                ".arch_extension fp",
                ".arch_extension simd",
                "ldp q0, q1, [{q}, #0]",
                "ldp q2, q3, [{q}, #32]",
                "ldp q4, q5, [{q}, #64]",
                "ldp q6, q7, [{q}, #96]",
                "ldp q8, q9, [{q}, #128]",
                "ldp q10, q11, [{q}, #160]",
                "ldp q12, q13, [{q}, #192]",
                "ldp q14, q15, [{q}, #224]",
                "ldp q16, q17, [{q}, #256]",
                "ldp q18, q19, [{q}, #288]",
                "ldp q20, q21, [{q}, #320]",
                "ldp q22, q23, [{q}, #352]",
                "ldp q24, q25, [{q}, #384]",
                "ldp q26, q27, [{q}, #416]",
                "ldp q28, q29, [{q}, #448]",
                "ldp q30, q31, [{q}, #480]",
                "msr fpcr, {fpcr}",
                "msr fpsr, {fpsr}",
                "msr tpidr_el0, {tp}",
                "msr tpidrro_el0, {tpro}",
                q = in(reg) q,
                fpcr = in(reg) self.fpcr,
                fpsr = in(reg) self.fpsr,
                tp = in(reg) self.tpidr_el0,
                tpro = in(reg) self.tpidrro_el0,
            )
        };
    }
}
