//! Threads: a kernel stack, the saved kernel context, the user registers the kernel keeps
//! for it (FP/SIMD, thread pointers), and its scheduling state. One type serves user
//! threads (Zircon thread objects, which handles name) and the kernel's own (the boot
//! thread, each CPU's idle thread).

use super::lock::IrqMutex;
use super::wait::Signals;
use crate::arch::user::UserRegisters;
use crate::lockorder;
use crate::mm::frames::NoMemory;
use crate::mm::kstack::KernelStack;
use crate::object::counts::{Counted, Kind as CountedKind};
use crate::object::handle::HandleCount;
use crate::object::koid;
use crate::object::process::Name;
use crate::object::vmar::aspace::Unresolved;
use crate::object::Process;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use libzircon::prelude::*;
use spin::Mutex;

/// Where a thread is in the scheduler's eyes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Run {
    /// Created, not started.
    New,
    /// On a run queue.
    Ready,
    /// On a CPU.
    Running,
    /// Off every CPU, waiting for [`super::sched::wake`].
    Blocked,
    /// Finished; never runs again.
    Dead,
}

/// Why a blocked thread was woken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WakeReason {
    /// What it waited for happened (a signal, a futex wake).
    Signaled,
    /// Its deadline passed.
    TimedOut,
    /// Its process is dying: it must leave the syscall.
    Killed,
}

pub(crate) struct SchedState {
    pub run: Run,
    /// Counts waits; a wake names the wait it is for, so a late one is ignored.
    pub wait_seq: u64,
    /// Between prepare_wait and the end of block.
    pub waiting: bool,
    pub wake: Option<WakeReason>,
}

/// What a thread runs.
pub enum Body {
    /// User code, entered at `start` when the thread is started.
    User,
    /// A kernel function.
    Kernel(fn()),
}

/// The registers a user thread starts with (zx_thread_start).
#[derive(Clone, Copy, Default)]
pub struct UserStart {
    pub entry: usize,
    pub stack: usize,
    pub arg1: u64,
    pub arg2: u64,
}

pub struct Thread {
    pub koid: zx_koid_t,
    pub name: Mutex<Name>,
    /// None for the kernel's own threads.
    pub process: Option<Arc<Process>>,
    pub body: Body,
    /// Freed once the thread is dead and off its CPU (sched::finish_switch).
    stack: Mutex<Option<KernelStack>>,
    /// The stack pointer saved by the last switch away from this thread.
    pub(super) saved_sp: AtomicUsize,
    /// True from the moment a CPU switches to the thread until the next thread on that
    /// CPU has finished switching away from it: no other CPU may run it meanwhile.
    pub(super) on_cpu: AtomicBool,
    /// Lock: `lockorder::THREAD`.
    pub(crate) sched: IrqMutex<SchedState>,
    /// FP/SIMD registers and thread pointers while the thread is off its CPU; touched only
    /// by the CPU switching it, so the lock is never contended.
    pub registers: Mutex<UserRegisters>,
    pub start: Mutex<UserStart>,
    /// Its process is dying: leave the kernel at the next chance, never return to EL0.
    pub kill_pending: AtomicBool,
    /// Set (after the state it points at) whenever a kill or a suspension may want this
    /// thread; the way back to user mode looks closer only when it is set, so the common
    /// return costs one load (see trap::before_user_return).
    pub attention: AtomicBool,
    /// ZX_THREAD_RUNNING, ZX_THREAD_TERMINATED, ...
    pub signals: Signals,
    /// ZX_THREAD_STATE_* (with the blocked sub-state), for ZX_INFO_THREAD.
    pub state: AtomicU32,
    /// Set while a user copy must not resolve page faults (a lock is held that demand
    /// paging may need): a fault fails the copy, and the caller retries without the lock.
    pub no_paging: AtomicBool,
    /// Why the last user copy that faulted could not be resolved.
    pub copy_fault: Mutex<Option<Unresolved>>,
    pub last_cpu: AtomicUsize,
    /// Counter ticks on a CPU, and the counter when it last got one.
    pub run_ticks: AtomicU64,
    pub(super) scheduled_at: AtomicU64,
    /// The watchdog's tick when this thread's running syscall began (0: none).
    pub syscall_since: AtomicU64,
    /// The number of the syscall this thread is in (meaningful while `syscall_since` is
    /// not 0): the watchdog names it. The CPU's ring cannot: another thread may have
    /// entered a syscall on that CPU since.
    pub syscall_number: AtomicU64,
    /// Set by the watchdog: seconds << 32 | (syscall number + 1) of the syscall it stopped.
    pub watchdog: AtomicU64,
    /// Suspend tokens held on this thread (zx_task_suspend); it runs while none are.
    pub suspend_count: AtomicU32,
    /// While it is stopped by a suspension: its user registers (the frame at the top of
    /// its kernel stack), for zx_thread_read_state/write_state. Lock: taken alone.
    pub(crate) parked: Mutex<Option<usize>>,
    /// A zx_channel_call a suspension interrupted, for zx_channel_call_finish to wait on
    /// again (digest 6.5). Lock: taken alone.
    pub channel_call: Mutex<Option<crate::object::channel::PendingCall>>,
    /// Its handles (ZX_INFO_HANDLE_COUNT).
    pub handle_count: HandleCount,
    /// Its exception channel (ZX_EXCEPTION_CHANNEL_TYPE_THREAD).
    pub exceptionate: crate::object::exception::Exceptionate,
    /// While a handler has one of its exceptions: the handler's kind
    /// (ZX_INFO_THREAD.wait_exception_channel_type), else 0.
    pub exception_channel_type: AtomicU32,
    /// While it is in an exception: the report (ZX_INFO_THREAD_EXCEPTION_REPORT).
    /// Lock: taken alone.
    pub exception_report: Mutex<Option<libzircon::prelude::zx_exception_report_t>>,
    /// While it is in an exception: its user registers (the frame on its kernel stack),
    /// for zx_thread_read_state/write_state. Lock: taken alone; the thread clears it
    /// before it leaves the exception.
    pub(crate) exception_frame: Mutex<Option<usize>>,
    /// A policy exception raised by the syscall it is in, delivered on its way back to
    /// user mode (as Zircon's thread signals do). Lock: taken alone.
    pub pending_policy: Mutex<Option<PolicyException>>,
    _counted: Option<Counted>,
}

/// A policy exception waiting to be delivered: its `ZX_EXCP_POLICY_CODE_*`, datum, and
/// the report printed if nobody handles it.
pub struct PolicyException {
    pub code: u32,
    pub data: u32,
    pub report: alloc::string::String,
}

impl Drop for Thread {
    fn drop(&mut self) {
        // A thread made by `Thread::new` (it has a stack) that never started still holds
        // its run-queue room: without this, creating and closing unstarted threads would
        // grow every run queue for good.
        if self.sched.get_mut().run == Run::New && self.stack.get_mut().is_some() {
            super::sched::release_queue_room();
        }
    }
}

impl Thread {
    fn build(
        name: &str,
        process: Option<Arc<Process>>,
        body: Body,
        stack: Option<KernelStack>,
        run: Run,
    ) -> Thread {
        let counted = process.is_some().then(|| Counted::new(CountedKind::Thread));
        Thread {
            koid: koid::next(),
            name: Mutex::new(Name::new(name)),
            process,
            body,
            stack: Mutex::new(stack),
            saved_sp: AtomicUsize::new(0),
            on_cpu: AtomicBool::new(false),
            sched: IrqMutex::new(
                lockorder::THREAD,
                SchedState {
                    run,
                    wait_seq: 0,
                    waiting: false,
                    wake: None,
                },
            ),
            registers: Mutex::new(UserRegisters::default()),
            start: Mutex::new(UserStart::default()),
            kill_pending: AtomicBool::new(false),
            // A new thread looks once, on its first way to user mode (it may have been
            // suspended before it started, or its process since).
            attention: AtomicBool::new(true),
            signals: Signals::new(0),
            state: AtomicU32::new(0),
            no_paging: AtomicBool::new(false),
            copy_fault: Mutex::new(None),
            last_cpu: AtomicUsize::new(0),
            run_ticks: AtomicU64::new(0),
            scheduled_at: AtomicU64::new(0),
            syscall_since: AtomicU64::new(0),
            syscall_number: AtomicU64::new(0),
            watchdog: AtomicU64::new(0),
            suspend_count: AtomicU32::new(0),
            parked: Mutex::new(None),
            channel_call: Mutex::new(None),
            handle_count: HandleCount::new(),
            exceptionate: crate::object::exception::Exceptionate::new(
                ZX_EXCEPTION_CHANNEL_TYPE_THREAD,
            ),
            exception_channel_type: AtomicU32::new(0),
            exception_report: Mutex::new(None),
            exception_frame: Mutex::new(None),
            pending_policy: Mutex::new(None),
            _counted: counted,
        }
    }

    /// A new thread with its own kernel stack, not yet started.
    pub fn new(
        name: &str,
        process: Option<Arc<Process>>,
        body: Body,
    ) -> Result<Arc<Thread>, NoMemory> {
        let stack = KernelStack::new()?;
        let top = stack.top();
        super::sched::reserve_queue_room()?;
        // Arc::new aborts on failure (stable Rust has no fallible Arc): the thread's big
        // allocations, its stack and queue room, were made fallibly above.
        let thread = Arc::new(Thread::build(name, process, body, Some(stack), Run::New));
        // SAFETY: the stack is this thread's, fresh, and nothing else uses it yet.
        let sp = unsafe { crate::arch::thread::init_stack(top, 0) };
        thread.saved_sp.store(sp, Ordering::Relaxed);
        Ok(thread)
    }

    /// The thread that is already running on this CPU's boot stack (it has no stack of
    /// its own to free, and its context is saved by its first switch away).
    pub fn adopt_current(name: &str) -> Arc<Thread> {
        let t = Arc::new(Thread::build(
            name,
            None,
            Body::Kernel(|| {}),
            None,
            Run::Running,
        ));
        t.on_cpu.store(true, Ordering::Relaxed);
        t
    }

    pub fn is_user(&self) -> bool {
        matches!(self.body, Body::User)
    }

    /// The koid of its process (ZX_INFO_HANDLE_BASIC's related_koid), 0 for kernel threads.
    pub fn process_koid(&self) -> zx_koid_t {
        self.process.as_ref().map_or(0, |p| p.koid)
    }

    pub fn stack_top(&self) -> Option<usize> {
        self.stack.lock().as_ref().map(KernelStack::top)
    }

    /// Frees the kernel stack of a dead thread that no CPU runs any more.
    pub(super) fn release_stack(&self) {
        let stack = self.stack.lock().take();
        drop(stack);
    }

    pub fn run_state(&self) -> Run {
        self.sched.lock().run
    }

    /// Whether a suspension (of the thread or its process) holds it.
    pub fn suspend_requested(&self) -> bool {
        self.suspend_count.load(Ordering::Acquire) > 0
            || self
                .process
                .as_ref()
                .is_some_and(|p| p.suspend_count.load(Ordering::Acquire) > 0)
    }

    /// Asks the thread to look at its kill and suspension state on its way to user mode.
    pub fn call_attention(&self) {
        self.attention.store(true, Ordering::Release);
    }

    /// It must leave any wait: its process is dying or it is being suspended.
    pub fn interrupt_requested(&self) -> bool {
        self.kill_pending.load(Ordering::Acquire) || self.suspend_requested()
    }

    pub fn set_state(&self, state: u32) {
        self.state.store(state, Ordering::Relaxed);
    }
}
