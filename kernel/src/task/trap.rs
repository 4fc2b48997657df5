//! Traps from user mode: system calls, faults and interrupts taken while a user thread
//! ran, and the checks made on every way back to user mode (a pending kill, a policy
//! exception, the end of a time slice). A fault the kernel does not resolve is an
//! exception: its handlers (object::exception) get it first, and only if none resumes
//! the thread is the process killed, with a report of the fault.

use super::percpu;
use super::watchdog;
use super::Exit;
use crate::arch::exceptions::TrapFrame;
use crate::arch::{cpu, user};
use crate::object::exception::{self, Outcome};
use crate::object::vmar::aspace::{Access, Unresolved};
use alloc::string::String;
use core::fmt::Write;
use core::sync::atomic::Ordering;
use libzircon::prelude::*;

/// A system call from EL0. True if the thread must stop before it returns (the short
/// frame is then completed and [`stop_here`] called).
pub fn on_syscall(frame: &mut TrapFrame) -> bool {
    let number = frame.x[16];
    // Borrowed, not copied: a copy of the eight words was a call to memcpy (about 60
    // instructions, a quarter of a null syscall).
    let Some(args) = frame.x.first_chunk::<8>() else {
        return false;
    };
    let result = percpu::with_current(|thread| {
        let slot = watchdog::record_start(thread, number, args);
        // The tick, and with it the watchdog, must reach a syscall that runs long.
        cpu::enable_irqs();
        let result = crate::syscall::dispatch(thread, number, args);
        cpu::disable_irqs();
        watchdog::record_end(thread, slot, result.unwrap_or(u64::MAX - 1));
        result
    })
    .flatten();
    match result {
        Some(ret) => frame.x[0] = ret,
        None => unknown_syscall(frame, number),
    }
    before_user_return(None)
}

/// Zircon's answer to a syscall it does not have: BAD_SYSCALL, and a policy exception
/// that kills the process unless a handler resumes the thread. Out of line: formatting
/// the report inside on_syscall gave every syscall a bigger frame to set up.
#[cold]
#[inline(never)]
fn unknown_syscall(frame: &mut TrapFrame, number: u64) {
    let pc = frame.elr.wrapping_sub(4);
    frame.x[0] = ZX_ERR_BAD_SYSCALL as i64 as u64;
    raise_policy(
        ZX_EXCP_POLICY_CODE_BAD_SYSCALL,
        number as u32,
        alloc::format!("unknown syscall number {number:#x} (pc {pc:#x})"),
    );
}

/// Last checks before returning to EL0: a kill, a suspension, a rescheduling. With the
/// thread's complete user frame, a suspended thread stops here; without (the system
/// call's short frame), true asks the caller to complete the frame and call [`stop_here`].
pub fn before_user_return(frame: Option<&mut TrapFrame>) -> bool {
    // The common case, kept small since every syscall pays for it: nothing asks for the
    // thread's attention and its time slice is not over.
    let cpu = percpu::this();
    let attention = percpu::with_current(|t| t.attention.load(Ordering::Acquire)).unwrap_or(false);
    if !attention && !cpu.need_resched.load(Ordering::Relaxed) {
        return false;
    }
    attend(frame)
}

/// before_user_return's loop, for when something needs the thread: a kill, a policy
/// exception, a suspension, a rescheduling.
#[cold]
#[inline(never)]
fn attend(frame: Option<&mut TrapFrame>) -> bool {
    let mut frame = frame;
    loop {
        let cpu = percpu::this();
        // The flag is cleared before the state is read, and set after the state by whoever
        // changes it, so a kill or suspension that comes meanwhile leaves it set.
        let (killed, suspended, policy) = percpu::with_current(|t| {
            if !t.attention.load(Ordering::Acquire) {
                return (false, false, false);
            }
            t.attention.store(false, Ordering::SeqCst);
            let state = (
                t.kill_pending.load(Ordering::SeqCst),
                t.suspend_requested(),
                t.pending_policy.lock().is_some(),
            );
            if state.0 || state.1 || state.2 {
                t.call_attention();
            }
            state
        })
        .unwrap_or((false, false, false));
        if killed {
            super::handle_pending_kill();
        }
        if policy {
            // Delivered with the complete frame, so a handler can read and change it.
            match frame.as_deref_mut() {
                Some(frame) => deliver_policy(frame),
                None => return true,
            }
            continue;
        }
        if suspended {
            match frame.as_deref_mut() {
                Some(frame) => super::suspend::park(frame),
                None => return true,
            }
            continue;
        }
        if !cpu.need_resched.load(Ordering::Relaxed) {
            return false;
        }
        super::sched::reschedule(true);
    }
}

/// A system call's thread stops (vectors.s's svc_stop), then goes on.
pub fn stop_here(frame: &mut TrapFrame) {
    before_user_return(Some(frame));
}

/// Kills the running thread's process with `report` and ends the thread.
fn kill_current(report: String) -> ! {
    if let Some(process) = super::current_process() {
        process.kill_with(Exit::Killed(report));
    }
    super::exit_current()
}

/// The Zircon exception an EL0 synchronous exception (by its ESR) is, on arm64.
fn exception_kind(esr: u64) -> zx_excp_type_t {
    match (esr >> 26) & 0x3f {
        0x00 => ZX_EXCP_UNDEFINED_INSTRUCTION,
        0x20 | 0x21 => ZX_EXCP_FATAL_PAGE_FAULT,
        0x24 | 0x25 if esr & 0x3f == DFSC_ALIGNMENT => ZX_EXCP_UNALIGNED_ACCESS,
        0x24 | 0x25 => ZX_EXCP_FATAL_PAGE_FAULT,
        0x22 => ZX_EXCP_UNALIGNED_ACCESS,
        0x30..=0x35 => ZX_EXCP_HW_BREAKPOINT,
        0x38 | 0x3c => ZX_EXCP_SW_BREAKPOINT,
        _ => ZX_EXCP_GENERAL,
    }
}

/// A data abort's fault status for an alignment fault.
const DFSC_ALIGNMENT: u64 = 0x21;

/// Whether FAR_EL1 means something for this ESR (aborts, PC alignment, watchpoints).
fn sets_far(esr: u64) -> bool {
    matches!(
        (esr >> 26) & 0x3f,
        0x20 | 0x21 | 0x22 | 0x24 | 0x25 | 0x34 | 0x35
    )
}

/// The running thread takes exception `kind`: returns if a handler resumed it (with the
/// registers in `frame`, which the handler may have changed); otherwise the thread
/// exits, or its process is killed with `report`.
fn raise(frame: &mut TrapFrame, kind: zx_excp_type_t, synth: (u32, u32), report: String) {
    let Some(thread) = percpu::current() else {
        return;
    };
    let far = if sets_far(frame.esr) { frame.far } else { 0 };
    let esr = if kind & ZX_EXCP_SYNTH != 0 {
        0
    } else {
        frame.esr
    };
    let record = exception::report(kind, esr, far, synth);
    // Handlers run for as long as they like: the thread waits with interrupts on, as a
    // syscall does.
    cpu::enable_irqs();
    let outcome = exception::dispatch(&thread, record, frame as *mut TrapFrame as usize);
    cpu::disable_irqs();
    drop(thread);
    match outcome {
        Outcome::Resume => {}
        Outcome::ThreadExit => super::exit_current(),
        Outcome::Killed => super::handle_pending_kill(),
        Outcome::Unhandled => kill_current(report),
    }
}

/// A policy exception from the syscall the running thread is in (a job policy's
/// EXCEPTION action, a full channel, too many port packets or observers, a syscall that
/// does not exist): delivered on its way back to user mode.
pub fn raise_policy(code: u32, data: u32, report: String) {
    percpu::with_current(|t| {
        *t.pending_policy.lock() = Some(super::thread::PolicyException { code, data, report });
        t.call_attention();
    });
}

fn deliver_policy(frame: &mut TrapFrame) {
    let Some(pending) = percpu::with_current(|t| t.pending_policy.lock().take()).flatten() else {
        return;
    };
    raise(
        frame,
        ZX_EXCP_POLICY_ERROR,
        (pending.code, pending.data),
        pending.report,
    );
}

/// A fault from EL0 the kernel does not resolve: an exception, and with no handler to
/// resume the thread, the process is killed with a report.
pub fn on_fault(description: core::fmt::Arguments, frame: &mut TrapFrame) {
    on_fault_with(description, frame, 0)
}

fn on_fault_with(description: core::fmt::Arguments, frame: &mut TrapFrame, synth_code: u32) {
    let mut report = String::new();
    let _ = write!(
        report,
        "{description}, pc {:#x}, sp {:#x}",
        frame.elr, frame.sp
    );
    let kind = exception_kind(frame.esr);
    raise(frame, kind, (synth_code, 0), report);
    before_user_return(Some(frame));
}

fn access_of(code: u8) -> Access {
    match code {
        1 => Access::Write,
        2 => Access::Execute,
        _ => Access::Read,
    }
}

/// Runs a user copy that must not resolve faults (the caller holds a lock demand paging
/// may need): a fault fails the copy, and the caller retries without the lock.
pub fn without_paging<R>(f: impl FnOnce() -> R) -> R {
    let set = |on| percpu::with_current(|t| t.no_paging.store(on, Ordering::Relaxed));
    set(true);
    let result = f();
    set(false);
    result
}

/// A user copy faulted on `addr`: true if demand paging mapped the page (the copy
/// retries), false if the copy must fail.
pub fn on_copy_fault(addr: usize, access: Option<u8>) -> bool {
    percpu::with_current(|thread| {
        if thread.no_paging.load(Ordering::Relaxed) {
            return false;
        }
        let (Some(process), Some(access)) = (&thread.process, access) else {
            *thread.copy_fault.lock() = Some(Unresolved::NotMapped);
            return false;
        };
        match process.vm.fault(addr, access_of(access)) {
            Ok(()) => true,
            Err(why) => {
                *thread.copy_fault.lock() = Some(why);
                false
            }
        }
    })
    .unwrap_or(false)
}

/// Takes the reason recorded by the running thread's last failed user copy.
pub fn take_copy_fault() -> Option<Unresolved> {
    percpu::with_current(|t| t.copy_fault.lock().take()).flatten()
}

/// How far below the stack pointer an unmapped access still counts as running off the
/// stack: the guard regions zrk's loaders leave below stacks are 64 KiB.
const STACK_GUARD_GUESS: usize = 64 * 1024;

/// A translation or permission fault from EL0: demand paging, or a kill with a report.
pub fn on_page_fault(frame: &mut TrapFrame, access: u8, decoded: core::fmt::Arguments) {
    let Some(process) = super::current_process() else {
        return;
    };
    let addr = frame.far as usize;
    let access = access_of(access);
    if frame.esr & 0x3f == DFSC_ALIGNMENT {
        // Not a missing page: paging cannot resolve it.
        drop(process);
        return on_fault(decoded, frame);
    }
    let why = match process.vm.fault(addr, access) {
        Ok(()) => {
            drop(process);
            before_user_return(Some(frame));
            return;
        }
        Err(why) => why,
    };
    let what = match access {
        Access::Read => "read",
        Access::Write => "write",
        Access::Execute => "execute",
    };
    let guard = process.stack_guard.lock().clone();
    // No mapping just below the stack pointer: a stack ran into the unmapped region
    // below it (a loader-made process records its guard; a launched one, or a thread's
    // own stack, is told by where the stack pointer is).
    let sp = frame.sp as usize;
    let below_sp = addr <= sp && sp - addr < STACK_GUARD_GUESS;
    let reason = match why {
        _ if guard.contains(&addr) => {
            alloc::format!("stack overflow ({what} at {addr:#x} in the guard below the stack)")
        }
        Unresolved::NotMapped if below_sp => alloc::format!(
            "stack overflow ({what} at {addr:#x}, unmapped, just below the stack pointer)"
        ),
        Unresolved::NotMapped => {
            alloc::format!("page fault: {what} at {addr:#x}, which no mapping covers")
        }
        Unresolved::Denied { perms } => alloc::format!(
            "page fault: {what} at {addr:#x} denied by the mapping's permissions ({})",
            perms_text(perms)
        ),
        Unresolved::PastVmoEnd => {
            alloc::format!("page fault: {what} at {addr:#x}, past the end of the mapped VMO")
        }
        Unresolved::NoMemory => alloc::format!("page fault: {what} at {addr:#x}: out of memory"),
        Unresolved::Changed => alloc::format!("page fault: {what} at {addr:#x}: mapping changing"),
    };
    drop(process);
    // Zircon reports the page fault handler's status in synth_code.
    let status = match why {
        Unresolved::NotMapped | Unresolved::Changed => ZX_ERR_NOT_FOUND,
        Unresolved::Denied { .. } => ZX_ERR_ACCESS_DENIED,
        Unresolved::PastVmoEnd => ZX_ERR_OUT_OF_RANGE,
        Unresolved::NoMemory => ZX_ERR_NO_MEMORY,
    };
    on_fault_with(format_args!("{decoded}: {reason}"), frame, status as u32)
}

fn perms_text(perms: u32) -> &'static str {
    const R: u32 = libzircon::prelude::ZX_VM_PERM_READ;
    const W: u32 = libzircon::prelude::ZX_VM_PERM_WRITE;
    const X: u32 = libzircon::prelude::ZX_VM_PERM_EXECUTE;
    match perms & (R | W | X) {
        0 => "none",
        p if p == R => "read-only",
        p if p == R | W => "read-write",
        p if p == R | X => "read-execute",
        p if p == R | W | X => "read-write-execute",
        _ => "unusual",
    }
}

/// An interrupt taken while a user thread ran: after the handlers, the usual checks.
pub fn on_user_irq(frame: &mut TrapFrame) {
    crate::irq::handle();
    before_user_return(Some(frame));
}

/// A user thread's first entry to EL0, with the registers zx_thread_start gave it:
/// x0 = arg1, x1 = arg2, every other register zero, SP_EL0 = the stack as given.
pub fn enter_user_first() -> ! {
    let Some(thread) = percpu::current() else {
        cpu::halt()
    };
    if thread.kill_pending.load(Ordering::Acquire) {
        drop(thread);
        super::handle_pending_kill();
    }
    let start = *thread.start.lock();
    let mut frame = TrapFrame {
        elr: start.entry as u64,
        sp: start.stack as u64,
        ..Default::default()
    };
    frame.x[0] = start.arg1;
    frame.x[1] = start.arg2;
    let Some(top) = thread.stack_top() else {
        cpu::halt()
    };
    drop(thread);
    // A thread suspended before it started starts suspended.
    before_user_return(Some(&mut frame));
    // SAFETY: `top` is the running thread's own kernel stack, and this function's frames
    // are all it holds (the thread has just started).
    unsafe { user::enter_first(&frame, top) }
}
