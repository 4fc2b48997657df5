//! Running code: per-CPU state, threads, the scheduler, traps from user mode, waiting
//! and the watchdog. `arch/` enters user mode and switches stacks; everything that
//! decides what runs lives here.

pub mod futex;
pub mod lock;
pub mod percpu;
pub mod sched;
pub mod suspend;
pub mod thread;
pub mod timer_irq;
pub mod trap;
pub mod wait;
pub mod watchdog;

pub use crate::object::process::Exit;
pub use watchdog::{set_watchdog_seconds, write_recent_syscalls};

use core::sync::atomic::Ordering;
use thread::Run;

/// Ends the running thread: it leaves its process (the last one out ends the process),
/// raises ZX_THREAD_TERMINATED, and gives up its CPU for good.
pub fn exit_current() -> ! {
    if let Some(thread) = percpu::current() {
        thread.kill_pending.store(true, Ordering::Relaxed);
        thread.set_state(libzircon::prelude::ZX_THREAD_STATE_DYING);
        // A call a suspension interrupted ends with the thread, not with its last reference.
        let call = thread.channel_call.lock().take();
        drop(call);
        // Its exception channel's handler sees PEER_CLOSED.
        thread.exceptionate.shut_down();
        let policy = thread.pending_policy.lock().take();
        drop(policy);
        if let Some(process) = &thread.process {
            process.thread_exited(&thread);
        }
        thread.set_state(libzircon::prelude::ZX_THREAD_STATE_DEAD);
        thread.signals.update(
            libzircon::prelude::ZX_THREAD_RUNNING | libzircon::prelude::ZX_THREAD_SUSPENDED,
            libzircon::prelude::ZX_THREAD_TERMINATED,
        );
        thread.sched.lock().run = Run::Dead;
    }
    sched::reschedule(false);
    // A dead thread is never switched back to.
    crate::arch::cpu::halt()
}

/// The running thread's process is dying (or the watchdog stopped it): end the thread.
/// Called where the thread would otherwise return to user mode or go on with a long
/// syscall.
pub fn handle_pending_kill() -> ! {
    if let Some(thread) = percpu::current() {
        let fired = thread.watchdog.swap(0, Ordering::Relaxed);
        if fired != 0 {
            let seconds = fired >> 32;
            let name = watchdog::syscall_name((fired & 0xffff_ffff) - 1);
            let mut out = crate::drivers::console::panic_writer();
            use core::fmt::Write;
            let _ = writeln!(
                out,
                "\nzrk: watchdog: {name} ran for {seconds} s; killing its process"
            );
            write_recent_syscalls(&mut out);
            if let Some(process) = &thread.process {
                process.kill_with(Exit::Killed(alloc::format!(
                    "watchdog: {name} ran for {seconds} s without returning"
                )));
            }
        }
    }
    exit_current()
}

/// A point where a long syscall lets others run and notices a kill: Err if the thread
/// must stop (its process is dying).
pub fn preempt_point() -> Result<(), Killed> {
    let Some(stop) = percpu::with_current(|t| t.kill_pending.load(Ordering::Acquire)) else {
        return Ok(());
    };
    if stop {
        return Err(Killed);
    }
    if percpu::this().need_resched.load(Ordering::Relaxed) {
        sched::yield_now();
    }
    Ok(())
}

/// The running thread must leave the syscall: its process is dying.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Killed;

/// The process whose thread is running (the caller of the current syscall).
pub fn current_process() -> Option<alloc::sync::Arc<crate::object::Process>> {
    percpu::with_current(|t| t.process.clone()).flatten()
}

/// Takes two locks against the written order, on purpose (`crash=lockorder`): a checked
/// build panics naming both; a release build has no checker and returns.
pub fn lock_order_inversion() {
    let outer = lock::IrqMutex::new(crate::lockorder::RUN_QUEUE, ());
    let inner = lock::IrqMutex::new(crate::lockorder::THREAD, ());
    let _a = outer.lock();
    let _b = inner.lock();
}
