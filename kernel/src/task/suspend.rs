//! Suspension (zx_task_suspend): while a suspend token on a thread or its process is
//! open, the thread stops where it would return to user mode: a thread running user code
//! is kicked into the kernel, one blocked in a syscall leaves its wait with
//! ZX_ERR_INTERNAL_INTR_RETRY (the libzircon stub issues the call again once the thread
//! resumes: digest decision 8), and a thread not yet started starts stopped. A stopped
//! thread asserts ZX_THREAD_SUSPENDED (RUNNING cleared), and its user registers can be
//! read and written (zx_thread_read_state/write_state). Closing the last token resumes it.

use super::thread::{Run, Thread, WakeReason};
use super::{percpu, sched, wait};
use crate::arch::exceptions::TrapFrame;
use crate::object::counts::{Counted, Kind as CountedKind};
use crate::object::handle::HandleCount;
use crate::object::{koid, Process};
use alloc::sync::Arc;
use core::sync::atomic::Ordering;
use libzircon::prelude::*;

/// What a token holds stopped.
enum Target {
    Thread(Arc<Thread>),
    Process(Arc<Process>),
}

/// A suspend token (ZX_OBJ_TYPE_SUSPEND_TOKEN): its target runs again when it closes.
pub struct SuspendToken {
    pub koid: zx_koid_t,
    target: Target,
    /// Its handles (ZX_INFO_HANDLE_COUNT).
    pub handle_count: HandleCount,
    /// Taken (uncounted) before the target resumes: a resumed program must not see the
    /// token still counted.
    counted: Option<Counted>,
}

impl SuspendToken {
    pub fn thread(thread: Arc<Thread>) -> Arc<SuspendToken> {
        if thread.suspend_count.fetch_add(1, Ordering::AcqRel) == 0 {
            thread.call_attention();
            sched::interrupt(&thread);
        }
        Self::new(Target::Thread(thread))
    }

    pub fn process(process: Arc<Process>) -> Arc<SuspendToken> {
        if process.suspend_count.fetch_add(1, Ordering::AcqRel) == 0 {
            for t in process.lifecycle.lock().threads.iter() {
                t.call_attention();
                sched::interrupt(t);
            }
        }
        Self::new(Target::Process(process))
    }

    fn new(target: Target) -> Arc<SuspendToken> {
        Arc::new(SuspendToken {
            koid: koid::next(),
            target,
            handle_count: HandleCount::new(),
            counted: Some(Counted::new(CountedKind::Event)),
        })
    }
}

impl Drop for SuspendToken {
    fn drop(&mut self) {
        drop(self.counted.take());
        match &self.target {
            Target::Thread(t) => {
                if t.suspend_count.fetch_sub(1, Ordering::AcqRel) == 1 {
                    resume(t);
                }
            }
            Target::Process(p) => {
                if p.suspend_count.fetch_sub(1, Ordering::AcqRel) == 1 {
                    for t in p.lifecycle.lock().threads.iter() {
                        resume(t);
                    }
                }
            }
        }
    }
}

/// Lets a stopped thread go: its registers are no longer open to read_state/write_state,
/// and it is woken to look again (another token may hold it still).
fn resume(thread: &Arc<Thread>) {
    *thread.parked.lock() = None;
    let seq = thread.sched.lock().wait_seq;
    sched::wake(thread, seq, WakeReason::Signaled);
}

/// Stops the running thread, with its user registers in `frame`, while a suspension
/// holds it (or until its process dies).
pub fn park(frame: &mut TrapFrame) {
    let Some(thread) = percpu::current() else {
        return;
    };
    let mut stopped = false;
    loop {
        wait::prepare_wait(&thread);
        if thread.kill_pending.load(Ordering::Acquire) || !thread.suspend_requested() {
            wait::end_wait(&thread);
            break;
        }
        *thread.parked.lock() = Some(frame as *mut TrapFrame as usize);
        if !stopped {
            stopped = true;
            thread.set_state(ZX_THREAD_STATE_SUSPENDED);
            thread
                .signals
                .update(ZX_THREAD_RUNNING, ZX_THREAD_SUSPENDED);
        }
        let mut s = thread.sched.lock();
        if s.wake.is_none() {
            s.run = Run::Blocked;
            drop(s);
            sched::block_current();
        } else {
            drop(s);
        }
        wait::end_wait(&thread);
    }
    *thread.parked.lock() = None;
    if stopped {
        thread.set_state(ZX_THREAD_STATE_RUNNING);
        thread
            .signals
            .update(ZX_THREAD_SUSPENDED, ZX_THREAD_RUNNING);
    }
}

/// Runs `f` on the user registers of `thread` while it is stopped by a suspension;
/// BAD_STATE if it is not (running, blocked, new or dead).
pub fn with_parked_frame<R>(
    thread: &Thread,
    f: impl FnOnce(&mut TrapFrame) -> R,
) -> Result<R, libzircon::Status> {
    let parked = thread.parked.lock();
    if let Some(addr) = *parked {
        // SAFETY: `addr` is the user frame at the top of the stopped thread's kernel
        // stack (or on it, for a thread that has not started). The thread is off every
        // CPU and cannot leave `park` (nor its stack be freed) without the `parked` lock,
        // which we hold, being cleared first by `resume` under the same lock; so the
        // frame is valid and nothing else touches it meanwhile.
        let frame = unsafe { &mut *(addr as *mut TrapFrame) };
        return Ok(f(frame));
    }
    drop(parked);
    // Zircon allows the registers of a thread in an exception too.
    let in_exception = thread.exception_frame.lock();
    let Some(addr) = *in_exception else {
        return Err(libzircon::Status::BAD_STATE);
    };
    // SAFETY: `addr` is the user frame on the kernel stack of a thread blocked in
    // object::exception::dispatch, which clears `exception_frame` under this lock
    // before it returns to that frame; while it is set the thread is blocked or inside
    // the dispatch (never running user code), and nothing else writes the frame.
    let frame = unsafe { &mut *(addr as *mut TrapFrame) };
    Ok(f(frame))
}
