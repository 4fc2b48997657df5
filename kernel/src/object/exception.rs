//! Exceptions and exception channels (Fuchsia's docs/concepts/kernel/exceptions.md).
//!
//! A task (thread, process, job) has an [`Exceptionate`] per kind of handler: the kernel
//! holds one end of a channel there, and `zx_task_create_exception_channel` gives the
//! other end to the caller. When a thread takes an exception the kernel does not
//! resolve, the thread itself walks the handlers in Zircon's order ([`dispatch`]):
//! process debugger, thread, process, (process debugger again for a second-chance
//! exception), then the process's job and its ancestors. To each bound channel it writes
//! a `zx_exception_info_t` with one handle, to a new [`Exception`] object, and blocks
//! (`ZX_THREAD_STATE_BLOCKED_EXCEPTION`) until that object's last handle closes. The
//! state the handler set (`ZX_PROP_EXCEPTION_STATE`) decides what follows: HANDLED
//! resumes the thread at its (possibly rewritten) registers, THREAD_EXIT ends the
//! thread, TRY_NEXT (the default) goes on to the next handler. With none left, the
//! caller kills the process (`ZX_TASK_RETCODE_EXCEPTION_KILL`).
//!
//! Invariants:
//! - an exceptionate's channels are kernel-held handles to channel ends; a bound one
//!   whose peer (the handler's end) has closed counts as unbound, and is replaced or
//!   dropped, never written to successfully;
//! - once shut down (its task died) an exceptionate binds nothing and holds nothing, so
//!   every handler end sees PEER_CLOSED;
//! - one [`Exception`] is out at a time per thread, at one handler at a time: the rights
//!   it hands out are the ones of the handler it was sent to;
//! - a thread waiting on an exception leaves the wait when the exception's last handle
//!   closes or when its process dies (a kill always wins over a handler's answer).

use super::channel::{ChannelEnd, Message};
use super::counts::{Counted, Kind as CountedKind};
use super::handle::{Handle, HandleCount};
use super::koid;
use super::process::Process;
use super::Object;
use crate::lockorder;
use crate::task::lock::IrqMutex;
use crate::task::thread::{Run, Thread};
use crate::task::{sched, wait};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::Ordering;
use libzircon::cdef::AbiStruct;
use libzircon::prelude::*;
use libzircon::Status;

/// A channel a handler bound, with the rights the task handles it gives out will have
/// (those of the task handle `zx_task_create_exception_channel` was given).
struct Bound {
    /// The kernel's end, held as a handle so that dropping it closes the end.
    end: Handle<Object>,
    thread_rights: zx_rights_t,
    process_rights: zx_rights_t,
}

impl Bound {
    fn channel(&self) -> Option<&Arc<ChannelEnd>> {
        match self.end.object() {
            Object::Channel(end) => Some(end),
            _ => None,
        }
    }

    fn is_open(&self) -> bool {
        self.channel().is_some_and(|end| !end.peer_closed())
    }
}

struct ExceptionateState {
    /// At most `limit` (one; a job's debugger channels up to
    /// ZX_EXCEPTION_CHANNEL_JOB_DEBUGGER_MAX_COUNT), oldest first.
    channels: Vec<Bound>,
    shut_down: bool,
}

/// Where one kind of handler of one task binds its channel.
pub struct Exceptionate {
    /// `ZX_EXCEPTION_CHANNEL_TYPE_*`.
    pub kind: u32,
    limit: usize,
    /// Lock: `lockorder::EXCEPTIONATE`. Channel ends it gives up are dropped after it
    /// is released (closing one takes other locks).
    state: IrqMutex<ExceptionateState>,
}

/// What sending an exception to one handler did.
enum Sent {
    /// The handler has it.
    Yes,
    /// No handler here (none bound, or its end closed).
    No,
    /// The message could not be made (NO_MEMORY): exception handling ends.
    Failed,
}

impl Exceptionate {
    pub fn new(kind: u32) -> Self {
        Self::with_limit(kind, 1)
    }

    /// A job's debugger exceptionate: several channels.
    pub fn job_debugger() -> Self {
        Self::with_limit(
            ZX_EXCEPTION_CHANNEL_TYPE_JOB_DEBUGGER,
            ZX_EXCEPTION_CHANNEL_JOB_DEBUGGER_MAX_COUNT as usize,
        )
    }

    fn with_limit(kind: u32, limit: usize) -> Self {
        Exceptionate {
            kind,
            limit,
            state: IrqMutex::new(
                lockorder::EXCEPTIONATE,
                ExceptionateState {
                    channels: Vec::new(),
                    shut_down: false,
                },
            ),
        }
    }

    /// Binds the kernel's end of a new exception channel: BAD_STATE once the task has
    /// died, ALREADY_BOUND while the limit of open channels is reached.
    pub fn bind(
        &self,
        end: Arc<ChannelEnd>,
        thread_rights: zx_rights_t,
        process_rights: zx_rights_t,
    ) -> Result<(), Status> {
        let bound = Bound {
            end: Handle::new(Object::Channel(end), ZX_DEFAULT_CHANNEL_RIGHTS),
            thread_rights,
            process_rights,
        };
        // What leaves the list (an end whose handler has gone, or the refused one) is
        // dropped after the lock is released: closing an end takes its channel's lock.
        let (result, dropped) = {
            let mut s = self.state.lock();
            let open = s.channels.iter().filter(|b| b.is_open()).count();
            if s.shut_down {
                (Err(Status::BAD_STATE), Some(bound))
            } else if open >= self.limit {
                (Err(Status::ALREADY_BOUND), Some(bound))
            } else if let Some(i) = s.channels.iter().position(|b| !b.is_open()) {
                // Ends never reopen: a closed one makes room (the new one goes last).
                let gone = s.channels.remove(i);
                s.channels.push(bound);
                (Ok(()), Some(gone))
            } else if s.channels.try_reserve(1).is_err() {
                (Err(Status::NO_MEMORY), Some(bound))
            } else {
                s.channels.push(bound);
                (Ok(()), None)
            }
        };
        drop(dropped);
        result
    }

    /// Whether a handler's channel is bound and open.
    pub fn is_bound(&self) -> bool {
        self.state.lock().channels.iter().any(Bound::is_open)
    }

    /// The task died: every channel closes (handlers see PEER_CLOSED) and none binds
    /// again.
    pub fn shut_down(&self) {
        let channels = {
            let mut s = self.state.lock();
            s.shut_down = true;
            core::mem::take(&mut s.channels)
        };
        drop(channels);
    }

    /// Sends `exception` to the first open channel here.
    fn send(&self, exception: &Arc<Exception>) -> Sent {
        let found = {
            let s = self.state.lock();
            s.channels
                .iter()
                .find(|b| b.is_open())
                .and_then(|b| Some((b.channel()?.clone(), b.thread_rights, b.process_rights)))
        };
        let Some((end, thread_rights, process_rights)) = found else {
            return Sent::No;
        };
        exception.set_task_rights(thread_rights, process_rights);
        let info = zx_exception_info_t {
            pid: exception.process.koid,
            tid: exception.thread.koid,
            r#type: exception.kind(),
            ..Default::default()
        };
        let mut bytes = Vec::new();
        let mut handles = Vec::new();
        if crate::mm::heap::headroom().is_err()
            || bytes.try_reserve(info.as_bytes().len()).is_err()
            || handles.try_reserve(1).is_err()
        {
            return Sent::Failed;
        }
        bytes.extend_from_slice(info.as_bytes());
        handles.push(Handle::new(
            Object::Exception(exception.clone()),
            ZX_DEFAULT_EXCEPTION_RIGHTS,
        ));
        match end.write(Message { bytes, handles }) {
            Ok(_) => Sent::Yes,
            Err(status) => {
                // The exception's handle died with the message: that close is no answer.
                exception.discard_close();
                if status == Status::NO_MEMORY {
                    Sent::Failed
                } else {
                    // The handler's end closed meanwhile: that handler is gone.
                    let gone = {
                        let mut s = self.state.lock();
                        let at = s
                            .channels
                            .iter()
                            .position(|b| b.channel().is_some_and(|c| Arc::ptr_eq(c, &end)));
                        at.map(|i| s.channels.remove(i))
                    };
                    drop(gone);
                    Sent::No
                }
            }
        }
    }
}

struct ExceptionState {
    /// `ZX_EXCEPTION_STATE_*` for when the handle closes.
    disposition: u32,
    second_chance: bool,
    thread_rights: zx_rights_t,
    process_rights: zx_rights_t,
    /// The last handle has closed since the exception was sent.
    closed: bool,
    /// The faulting thread's wait, while it waits.
    waiter: Option<(Arc<Thread>, u64)>,
}

/// An exception (ZX_OBJ_TYPE_EXCEPTION): the thread waits while a handle to it is open.
pub struct Exception {
    pub koid: zx_koid_t,
    pub thread: Arc<Thread>,
    pub process: Arc<Process>,
    report: zx_exception_report_t,
    /// Lock: `lockorder::EXCEPTION`.
    state: IrqMutex<ExceptionState>,
    /// Its handles (ZX_INFO_HANDLE_COUNT).
    pub handle_count: HandleCount,
    _counted: Counted,
}

impl Exception {
    fn new(thread: Arc<Thread>, process: Arc<Process>, report: zx_exception_report_t) -> Self {
        Exception {
            koid: koid::next(),
            thread,
            process,
            report,
            state: IrqMutex::new(
                lockorder::EXCEPTION,
                ExceptionState {
                    disposition: ZX_EXCEPTION_STATE_TRY_NEXT,
                    second_chance: false,
                    thread_rights: 0,
                    process_rights: 0,
                    closed: false,
                    waiter: None,
                },
            ),
            handle_count: HandleCount::new(),
            // Counted with events, as suspend tokens are: ZRK_INFO_KERNEL_OBJECTS keeps
            // its layout.
            _counted: Counted::new(CountedKind::Event),
        }
    }

    pub fn kind(&self) -> zx_excp_type_t {
        self.report.header.r#type
    }

    fn set_task_rights(&self, thread_rights: zx_rights_t, process_rights: zx_rights_t) {
        let mut s = self.state.lock();
        s.thread_rights = thread_rights;
        s.process_rights = process_rights;
    }

    /// zx_exception_get_thread: the thread, with the rights of the handler's task
    /// handle; ACCESS_DENIED if it had none to give.
    pub fn thread_handle(&self) -> Result<(Object, zx_rights_t), Status> {
        let rights = self.state.lock().thread_rights;
        if rights == 0 {
            return Err(Status::ACCESS_DENIED);
        }
        Ok((Object::Thread(self.thread.clone()), rights))
    }

    /// zx_exception_get_process: ACCESS_DENIED through a thread's channel.
    pub fn process_handle(&self) -> Result<(Object, zx_rights_t), Status> {
        let rights = self.state.lock().process_rights;
        if rights == 0 {
            return Err(Status::ACCESS_DENIED);
        }
        Ok((Object::Process(self.process.clone()), rights))
    }

    /// ZX_PROP_EXCEPTION_STATE.
    pub fn disposition(&self) -> u32 {
        self.state.lock().disposition
    }

    /// Sets ZX_PROP_EXCEPTION_STATE: INVALID_ARGS for a value that is not a state.
    pub fn set_disposition(&self, state: u32) -> Result<(), Status> {
        match state {
            ZX_EXCEPTION_STATE_TRY_NEXT
            | ZX_EXCEPTION_STATE_HANDLED
            | ZX_EXCEPTION_STATE_THREAD_EXIT => {
                self.state.lock().disposition = state;
                Ok(())
            }
            _ => Err(Status::INVALID_ARGS),
        }
    }

    /// ZX_PROP_EXCEPTION_STRATEGY.
    pub fn strategy(&self) -> u32 {
        if self.state.lock().second_chance {
            ZX_EXCEPTION_STRATEGY_SECOND_CHANCE
        } else {
            ZX_EXCEPTION_STRATEGY_FIRST_CHANCE
        }
    }

    /// Sets ZX_PROP_EXCEPTION_STRATEGY: only a process debugger may (BAD_STATE), and
    /// only to a strategy (INVALID_ARGS). `value` is read after the first check, as
    /// Zircon copies it in after it.
    pub fn set_strategy(&self, value: impl FnOnce() -> Result<u32, Status>) -> ZxResult {
        if self.thread.exception_channel_type.load(Ordering::Acquire)
            != ZX_EXCEPTION_CHANNEL_TYPE_DEBUGGER
        {
            return Err(Status::BAD_STATE);
        }
        let second_chance = match value()? {
            ZX_EXCEPTION_STRATEGY_FIRST_CHANCE => false,
            ZX_EXCEPTION_STRATEGY_SECOND_CHANCE => true,
            _ => return Err(Status::INVALID_ARGS),
        };
        self.state.lock().second_chance = second_chance;
        Ok(())
    }

    fn is_second_chance(&self) -> bool {
        self.state.lock().second_chance
    }

    /// The last handle closed: the handler has answered.
    pub fn on_zero_handles(&self) {
        let mut s = self.state.lock();
        s.closed = true;
        if let Some((thread, seq)) = s.waiter.take() {
            sched::wake(&thread, seq, crate::task::thread::WakeReason::Signaled);
        }
    }

    /// A send failed after the exception's handle was made (and dropped with the
    /// message): forget that close.
    fn discard_close(&self) {
        let mut s = self.state.lock();
        s.closed = false;
        s.disposition = ZX_EXCEPTION_STATE_TRY_NEXT;
    }

    /// Waits (the running thread, which took the exception) for the handler's answer.
    /// None if the thread's process is dying.
    fn wait_for_close(&self, thread: &Arc<Thread>) -> Option<u32> {
        loop {
            let seq = wait::prepare_wait(thread);
            {
                let mut s = self.state.lock();
                if s.closed {
                    drop(s);
                    wait::end_wait(thread);
                    break;
                }
                s.waiter = Some((thread.clone(), seq));
            }
            // A suspension wakes the thread but does not end the exception (both must be
            // resolved for it to run); only a kill does.
            if !thread.kill_pending.load(Ordering::Acquire) {
                let mut sched_state = thread.sched.lock();
                if sched_state.wake.is_none() {
                    sched_state.run = Run::Blocked;
                    drop(sched_state);
                    sched::block_current();
                }
            }
            wait::end_wait(thread);
            self.state.lock().waiter = None;
            if thread.kill_pending.load(Ordering::Acquire) {
                return None;
            }
        }
        let mut s = self.state.lock();
        s.closed = false;
        let answer = core::mem::replace(&mut s.disposition, ZX_EXCEPTION_STATE_TRY_NEXT);
        drop(s);
        // A kill that came with the answer still wins.
        (!thread.kill_pending.load(Ordering::Acquire)).then_some(answer)
    }
}

type ZxResult = Result<(), Status>;

/// How an exception ended for the thread that took it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A handler resumed the thread (ZX_EXCEPTION_STATE_HANDLED).
    Resume,
    /// A handler asked the thread to exit (ZX_EXCEPTION_STATE_THREAD_EXIT).
    ThreadExit,
    /// Its process is dying.
    Killed,
    /// No handler resumed it: the process is to be killed.
    Unhandled,
}

/// Builds the report of an exception of `kind` (arm64 context: `esr`, `far`).
pub fn report(
    kind: zx_excp_type_t,
    esr: u64,
    far: u64,
    synth: (u32, u32),
) -> zx_exception_report_t {
    let mut report = zx_exception_report_t::default();
    report.header.size = core::mem::size_of::<zx_exception_report_t>() as u32;
    report.header.r#type = kind;
    report.context.arch.esr = esr as u32;
    report.context.arch.far = far;
    report.context.synth_code = synth.0;
    report.context.synth_data = synth.1;
    report
}

/// The running thread `thread` took an exception: offers it to the handlers in
/// Zircon's order and says how it ended. `frame` is the address of its saved user
/// registers, open to zx_thread_read_state/write_state while a handler has it.
pub fn dispatch(thread: &Arc<Thread>, report: zx_exception_report_t, frame: usize) -> Outcome {
    let Some(process) = thread.process.clone() else {
        return Outcome::Unhandled;
    };
    let exception = Arc::new(Exception::new(thread.clone(), process.clone(), report));
    *thread.exception_frame.lock() = Some(frame);
    *thread.exception_report.lock() = Some(report);
    let state_before = thread.state.load(Ordering::Relaxed);
    thread.set_state(ZX_THREAD_STATE_BLOCKED_EXCEPTION);
    let outcome = walk(thread, &process, &exception);
    thread
        .exception_channel_type
        .store(ZX_EXCEPTION_CHANNEL_TYPE_NONE, Ordering::Release);
    thread.set_state(state_before);
    *thread.exception_report.lock() = None;
    *thread.exception_frame.lock() = None;
    outcome
}

fn walk(thread: &Arc<Thread>, process: &Arc<Process>, exception: &Arc<Exception>) -> Outcome {
    let mut offered_second_chance = false;
    let mut step = 0;
    let mut job = Some(process.job.clone());
    loop {
        // Order: process debugger, thread, process, process debugger again if the
        // exception was made second-chance, then the jobs from the process's upwards.
        let exceptionate = match step {
            0 => &process.debug_exceptionate,
            1 => &thread.exceptionate,
            2 => &process.exceptionate,
            3 if exception.is_second_chance() && !offered_second_chance => {
                offered_second_chance = true;
                &process.debug_exceptionate
            }
            3 => {
                step += 1;
                continue;
            }
            _ => {
                let Some(j) = job.take() else {
                    return Outcome::Unhandled;
                };
                job = j.parent.clone();
                match offer(thread, &j.exceptionate, exception) {
                    Some(Outcome::Unhandled) => continue,
                    Some(end) => return end,
                    None => return Outcome::Unhandled,
                }
            }
        };
        step += 1;
        match offer(thread, exceptionate, exception) {
            Some(Outcome::Unhandled) => {}
            Some(end) => return end,
            None => return Outcome::Unhandled,
        }
    }
}

/// Offers the exception to one handler: Some(Unhandled) to go on to the next, Some of
/// another outcome to stop there, None if handling must end (no memory).
fn offer(
    thread: &Arc<Thread>,
    exceptionate: &Exceptionate,
    exception: &Arc<Exception>,
) -> Option<Outcome> {
    if thread.kill_pending.load(Ordering::Acquire) {
        return Some(Outcome::Killed);
    }
    // Set before the message goes out: a handler may look at the thread at once.
    thread
        .exception_channel_type
        .store(exceptionate.kind, Ordering::Release);
    match exceptionate.send(exception) {
        Sent::Yes => {}
        Sent::No => return Some(Outcome::Unhandled),
        Sent::Failed => return None,
    }
    Some(match exception.wait_for_close(thread) {
        None => Outcome::Killed,
        Some(ZX_EXCEPTION_STATE_HANDLED) => Outcome::Resume,
        Some(ZX_EXCEPTION_STATE_THREAD_EXIT) => Outcome::ThreadExit,
        Some(_) => Outcome::Unhandled,
    })
}
