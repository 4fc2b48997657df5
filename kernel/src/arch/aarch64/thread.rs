//! Kernel threads at the CPU level: a new thread's first stack frame, the switch from
//! one thread's kernel stack to another's, and the per-CPU pointer (`TPIDR_EL1`).

use core::arch::global_asm;

global_asm!(include_str!("switch.s"));

unsafe extern "C" {
    fn zrk_context_switch(save_sp: *mut usize, load_sp: usize);
    fn zrk_thread_trampoline();
}

/// Bytes the switch keeps on a stack (see switch.s).
const SWITCH_FRAME: usize = 112;

/// Lays out a new thread's stack so that the first switch to it calls
/// `zrk_thread_entry(arg)` (defined by the task layer). Returns the thread's saved stack
/// pointer.
///
/// # Safety
/// `[top - 400, top)` is writable memory that belongs to the new thread's stack,
/// `top` 16-byte aligned.
pub unsafe fn init_stack(top: usize, arg: usize) -> usize {
    // The top TrapFrame's worth stays free: user::enter_first copies the first user
    // frame there while running on frames below it.
    let sp = top - core::mem::size_of::<super::exceptions::TrapFrame>() - SWITCH_FRAME;
    let words = sp as *mut u64;
    // SAFETY: the caller gives us the top of a fresh stack; we write its first frame:
    // x19 = arg, x29 = 0 (ends backtraces), x30 = the trampoline, SP_EL0 = 0.
    unsafe {
        for i in 0..SWITCH_FRAME / 8 {
            words.add(i).write(0);
        }
        words.write(arg as u64);
        words
            .add(11)
            .write(zrk_thread_trampoline as *const () as u64);
    }
    sp
}

/// Saves the running thread's kernel context (its stack pointer goes to `*save_sp`) and
/// resumes the one whose saved stack pointer is `load_sp`. Returns when something
/// switches back to the saved context.
///
/// # Safety
/// IRQs are masked; `load_sp` came from [`init_stack`] or from an earlier switch away
/// from a thread that is not running anywhere; `save_sp` stays valid until then.
pub unsafe fn switch(save_sp: *mut usize, load_sp: usize) {
    // SAFETY: forwarded from the caller.
    unsafe { zrk_context_switch(save_sp, load_sp) }
}

/// Points this CPU's `TPIDR_EL1` at its per-CPU block.
pub fn set_cpu_pointer(ptr: usize) {
    // SAFETY: TPIDR_EL1 is the kernel's own scratch register; only this module uses it.
    unsafe { core::arch::asm!("msr tpidr_el1, {0}", in(reg) ptr, options(nomem, nostack)) };
}

/// This CPU's per-CPU block, as [`set_cpu_pointer`] set it.
#[inline(always)]
pub fn cpu_pointer() -> usize {
    let ptr: usize;
    // SAFETY: reads a system register.
    unsafe {
        core::arch::asm!("mrs {0}, tpidr_el1", out(reg) ptr, options(nomem, nostack, preserves_flags))
    };
    ptr
}
