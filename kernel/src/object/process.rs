//! Processes, their threads and root VMARs.
//!
//! A process owns an address space (its page tables and ASID), a handle table, and the
//! frames its loader mapped. Ending it drains the handle table first: a process holds
//! a handle to itself, and that cycle must break for the memory to come back.

pub use super::channel::ChannelEnd;
use super::counts::{Counted, Kind as CountedKind};
pub use super::event::{Event, EventPairEnd, Timer};
use super::handle::{HandleCount, HandleObject, HandleTable};
use super::koid;
pub use super::vmar::aspace::{Vm, Vmar};
use crate::mm::aspace::MapError;
use crate::mm::vmo_pages::KernelPages;
pub use crate::task::thread::Thread;
use crate::task::wait::Signals;
use alloc::sync::Arc;
use alloc::vec::Vec;
use libzircon::prelude::*;
use spin::Mutex;

/// Anything a handle can refer to.
#[derive(Clone)]
pub enum Object {
    Process(Arc<Process>),
    Thread(Arc<Thread>),
    Vmar(Arc<Vmar>),
    Resource(Arc<Resource>),
    Vmo(Arc<KernelVmo>),
    Event(Arc<Event>),
    EventPair(Arc<EventPairEnd>),
    Timer(Arc<Timer>),
    SuspendToken(Arc<crate::task::suspend::SuspendToken>),
    Port(Arc<super::port::Port>),
    Job(Arc<super::job::Job>),
    Channel(Arc<ChannelEnd>),
    Exception(Arc<super::exception::Exception>),
}

impl HandleObject for Object {
    fn handle_count(&self) -> &HandleCount {
        match self {
            Object::Process(p) => &p.handle_count,
            Object::Thread(t) => &t.handle_count,
            Object::Vmar(v) => &v.handle_count,
            Object::Resource(r) => &r.handle_count,
            Object::Vmo(v) => &v.handle_count,
            Object::Event(e) => &e.handle_count,
            Object::EventPair(e) => &e.handle_count,
            Object::Timer(t) => &t.handle_count,
            Object::SuspendToken(t) => &t.handle_count,
            Object::Port(p) => &p.handle_count,
            Object::Job(j) => &j.handle_count,
            Object::Channel(c) => &c.handle_count,
            Object::Exception(e) => &e.handle_count,
        }
    }

    fn on_zero_handles(&self) {
        match self {
            Object::EventPair(e) => e.on_zero_handles(),
            Object::Channel(c) => super::channel::reap(c.clone()),
            Object::Exception(e) => e.on_zero_handles(),
            _ => {}
        }
    }
}

/// A VMO over the kernel's frames.
pub type KernelVmo = super::vmo::Vmo<KernelPages>;

impl Object {
    pub fn koid(&self) -> zx_koid_t {
        match self {
            Object::Process(p) => p.koid,
            Object::Thread(t) => t.koid,
            Object::Vmar(v) => v.koid,
            Object::Resource(r) => r.koid,
            Object::Vmo(v) => v.koid(),
            Object::Event(e) => e.koid,
            Object::EventPair(e) => e.koid,
            Object::Timer(t) => t.koid,
            Object::SuspendToken(t) => t.koid,
            Object::Port(p) => p.koid,
            Object::Job(j) => j.koid,
            Object::Channel(c) => c.koid(),
            Object::Exception(e) => e.koid,
        }
    }

    pub fn obj_type(&self) -> zx_obj_type_t {
        match self {
            Object::Process(_) => ZX_OBJ_TYPE_PROCESS,
            Object::Thread(_) => ZX_OBJ_TYPE_THREAD,
            Object::Vmar(_) => ZX_OBJ_TYPE_VMAR,
            Object::Resource(_) => ZX_OBJ_TYPE_RESOURCE,
            Object::Vmo(_) => ZX_OBJ_TYPE_VMO,
            Object::Event(_) => ZX_OBJ_TYPE_EVENT,
            Object::EventPair(_) => ZX_OBJ_TYPE_EVENTPAIR,
            Object::Timer(_) => ZX_OBJ_TYPE_TIMER,
            Object::SuspendToken(_) => ZX_OBJ_TYPE_SUSPEND_TOKEN,
            Object::Port(_) => ZX_OBJ_TYPE_PORT,
            Object::Job(_) => ZX_OBJ_TYPE_JOB,
            Object::Channel(_) => ZX_OBJ_TYPE_CHANNEL,
            Object::Exception(_) => ZX_OBJ_TYPE_EXCEPTION,
        }
    }

    /// The signal state waits observe, for objects that keep one.
    pub fn signal_source(&self) -> Option<&Signals> {
        match self {
            Object::Process(p) => Some(&p.signals),
            Object::Thread(t) => Some(&t.signals),
            Object::Vmo(v) => Some(v.observers()),
            Object::Event(e) => Some(&e.signals),
            Object::EventPair(e) => Some(&e.signals),
            Object::Timer(t) => Some(&t.signals),
            Object::Job(j) => Some(&j.signals),
            Object::Channel(c) => Some(c.signals()),
            // Ports are not waitable (their rights lack ZX_RIGHT_WAIT).
            Object::Vmar(_)
            | Object::Resource(_)
            | Object::SuspendToken(_)
            | Object::Port(_)
            | Object::Exception(_) => None,
        }
    }

    /// The signals zx_object_signal may change on this object.
    pub fn user_signals(&self) -> zx_signals_t {
        match self {
            Object::Event(_) | Object::EventPair(_) => ZX_USER_SIGNAL_ALL | ZX_EVENT_SIGNALED,
            _ => ZX_USER_SIGNAL_ALL,
        }
    }

    /// The object's name (ZX_PROP_NAME), for objects that have one.
    pub fn name(&self) -> Option<Name> {
        match self {
            Object::Process(p) => Some(*p.name.lock()),
            Object::Thread(t) => Some(*t.name.lock()),
            Object::Job(j) => Some(*j.name.lock()),
            Object::Vmo(v) => Some(Name::from_bytes(&v.name())),
            _ => None,
        }
    }

    /// Renames the object; false if it has no name.
    pub fn set_name(&self, name: Name) -> bool {
        match self {
            Object::Process(p) => *p.name.lock() = name,
            Object::Thread(t) => *t.name.lock() = name,
            Object::Job(j) => *j.name.lock() = name,
            Object::Vmo(v) => v.set_name(name.padded()),
            _ => return false,
        }
        true
    }

    /// The koid Zircon reports as `related_koid`: a thread's or a VMAR's process, a
    /// process's job, a job's parent, the other end of an event pair or a channel.
    pub fn related_koid(&self) -> zx_koid_t {
        match self {
            Object::Process(p) => p.job.koid,
            Object::Job(j) => j.parent_koid(),
            Object::Thread(t) => t.process_koid(),
            Object::Vmar(v) => v.process_koid,
            Object::EventPair(e) => e.peer_koid,
            Object::Channel(c) => c.peer_koid(),
            _ => 0,
        }
    }
}

/// The name Zircon objects carry: at most ZX_MAX_NAME_LEN - 1 bytes.
#[derive(Clone, Copy)]
pub struct Name {
    /// NUL-padded; the last byte is always NUL.
    bytes: [u8; ZX_MAX_NAME_LEN],
}

impl Name {
    pub fn new(s: &str) -> Self {
        let mut bytes = [0; ZX_MAX_NAME_LEN];
        let mut len = s.len().min(ZX_MAX_NAME_LEN - 1);
        while !s.is_char_boundary(len) {
            len -= 1;
        }
        bytes[..len].copy_from_slice(&s.as_bytes()[..len]);
        Name { bytes }
    }

    /// From raw bytes: up to the first NUL, at most ZX_MAX_NAME_LEN - 1 of them.
    pub fn from_bytes(raw: &[u8]) -> Self {
        let len = raw
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(raw.len())
            .min(ZX_MAX_NAME_LEN - 1);
        let mut bytes = [0; ZX_MAX_NAME_LEN];
        bytes[..len].copy_from_slice(&raw[..len]);
        Name { bytes }
    }

    /// All ZX_MAX_NAME_LEN bytes, NUL-padded, as ZX_PROP_NAME returns them.
    pub fn padded(&self) -> &[u8; ZX_MAX_NAME_LEN] {
        &self.bytes
    }
}

/// How a process ended: its return code, and for a kill the report printed for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exit {
    /// zx_process_exit(code), or its last thread's exit (code 0).
    Exited(i64),
    /// Killed (a fault with no handler, the watchdog): the report says why.
    Killed(alloc::string::String),
}

/// A process's life (Zircon's ProcessDispatcher states).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Life {
    /// Created; no thread has started.
    Initial,
    Running,
    /// Killed or exiting: its threads are leaving.
    Dying,
    Dead,
}

pub struct Lifecycle {
    pub life: Life,
    /// Threads that have started and not yet died.
    pub threads: Vec<Arc<Thread>>,
    /// Set by the first exit or kill; later ones do not change it.
    pub exit: Option<Exit>,
    /// Monotonic time its first thread started (ZX_INFO_PROCESS), 0 before.
    pub start_time: i64,
    /// The job (itself or an ancestor of its own) this process is critical to
    /// (zx_job_set_critical), and whether only a non-zero return code kills that job.
    /// Taken when the process dies.
    pub critical_to: Option<(Arc<super::job::Job>, bool)>,
}

pub struct Process {
    pub koid: zx_koid_t,
    /// The job it was created in: it keeps the job alive, and leaves its list when it
    /// dies or is dropped.
    pub job: Arc<super::job::Job>,
    pub name: Mutex<Name>,
    pub handles: Mutex<HandleTable<Object>>,
    /// Lock: taken alone or inside the handle table's, never across a block.
    pub lifecycle: Mutex<Lifecycle>,
    /// ZX_PROCESS_TERMINATED.
    pub signals: Signals,
    /// TTBR0 for its threads (the root table and ASID never change).
    pub ttbr0: u64,
    /// CPUs whose TTBR0 holds this address space now: counted up when one of its threads
    /// is switched in, down once that CPU has switched to another address space. Its
    /// tables are freed only when this reaches zero.
    pub cpus_using: core::sync::atomic::AtomicUsize,
    /// Suspend tokens held on the whole process: its threads run while none are.
    pub suspend_count: core::sync::atomic::AtomicU32,
    /// Its regions, page tables and demand paging.
    pub vm: Vm,
    /// The unmapped pages below the stack, to call an overflow what it is.
    pub stack_guard: Mutex<core::ops::Range<usize>>,
    /// Its handles (ZX_INFO_HANDLE_COUNT).
    pub handle_count: HandleCount,
    /// Its exception channels: the ordinary one and the debugger's.
    pub exceptionate: super::exception::Exceptionate,
    pub debug_exceptionate: super::exception::Exceptionate,
    _counted: Counted,
}

impl Process {
    /// A new process in `job`, not yet in the job's list (see `Job::add_process`).
    pub fn new(
        name: Name,
        job: Arc<super::job::Job>,
        handle_seed: u64,
        aslr_seed: u64,
    ) -> Result<Arc<Process>, MapError> {
        let vm = Vm::new(aslr_seed)?;
        Ok(Arc::new(Process {
            koid: koid::next(),
            job,
            name: Mutex::new(name),
            handles: Mutex::new(HandleTable::new(handle_seed)),
            lifecycle: Mutex::new(Lifecycle {
                life: Life::Initial,
                threads: Vec::new(),
                exit: None,
                start_time: 0,
                critical_to: None,
            }),
            signals: Signals::new(0),
            ttbr0: vm.ttbr0(),
            cpus_using: core::sync::atomic::AtomicUsize::new(0),
            suspend_count: core::sync::atomic::AtomicU32::new(0),
            vm,
            stack_guard: Mutex::new(0..0),
            handle_count: HandleCount::new(),
            exceptionate: super::exception::Exceptionate::new(ZX_EXCEPTION_CHANNEL_TYPE_PROCESS),
            debug_exceptionate: super::exception::Exceptionate::new(
                ZX_EXCEPTION_CHANNEL_TYPE_DEBUGGER,
            ),
            _counted: Counted::new(CountedKind::Process),
        }))
    }

    /// Starts `thread` (a thread of this process, never started) at `start`, checking
    /// in Zircon's order: the process's state (BAD_STATE), the entry point
    /// (INVALID_ARGS), the thread's state (BAD_STATE). The first thread started starts
    /// the process (digest decision 17); with `ensure_initial` (zx_process_start) it
    /// must be the first.
    pub fn start_thread(
        &self,
        thread: &Arc<Thread>,
        start: crate::task::thread::UserStart,
        ensure_initial: bool,
    ) -> Result<(), libzircon::Status> {
        use crate::task::thread::Run;
        use libzircon::Status;
        {
            let mut l = self.lifecycle.lock();
            let first = l.threads.is_empty() && l.life == Life::Initial;
            if ensure_initial && !first {
                return Err(Status::BAD_STATE);
            }
            match l.life {
                Life::Initial | Life::Running => {}
                Life::Dying | Life::Dead => return Err(Status::BAD_STATE),
            }
            // 0 is accepted (the thread faults at once, as in Zircon).
            if start.entry != 0 && !crate::arch::user::is_user_range(start.entry, 4) {
                return Err(Status::INVALID_ARGS);
            }
            if thread.run_state() != Run::New {
                return Err(Status::BAD_STATE);
            }
            l.threads.try_reserve(1).map_err(|_| Status::NO_MEMORY)?;
            l.threads.push(thread.clone());
            if first {
                l.start_time = crate::arch::timer::monotonic_ns() as i64;
            }
            l.life = Life::Running;
            *thread.start.lock() = start;
            thread.set_state(ZX_THREAD_STATE_RUNNING);
            thread.signals.update(0, ZX_THREAD_RUNNING);
            thread.sched.lock().run = Run::Ready;
        }
        crate::task::sched::make_ready(thread.clone());
        Ok(())
    }

    /// `ZX_INFO_PROCESS` (digest 7.4).
    pub fn info(&self) -> zx_info_process_t {
        let l = self.lifecycle.lock();
        let mut flags = match l.life {
            Life::Initial => 0,
            Life::Running => ZX_INFO_PROCESS_FLAG_STARTED,
            Life::Dying | Life::Dead => ZX_INFO_PROCESS_FLAG_STARTED | ZX_INFO_PROCESS_FLAG_EXITED,
        };
        if self.debug_exceptionate.is_bound() {
            flags |= ZX_INFO_PROCESS_FLAG_DEBUGGER_ATTACHED;
        }
        let return_code = if flags & ZX_INFO_PROCESS_FLAG_EXITED != 0 {
            Self::return_code(&l)
        } else {
            0
        };
        zx_info_process_t {
            return_code,
            start_time: l.start_time,
            flags,
            ..Default::default()
        }
    }

    /// The return code its exit or kill decided (0 while none has).
    fn return_code(l: &Lifecycle) -> i64 {
        match &l.exit {
            Some(Exit::Exited(code)) => *code,
            Some(Exit::Killed(_)) => ZX_TASK_RETCODE_EXCEPTION_KILL,
            None => 0,
        }
    }

    /// zx_job_set_critical's work: from now on this process's death kills `job` (with
    /// `retcode_nonzero`, only a death with a non-zero return code does). `job` must be
    /// the process's job or an ancestor of it (INVALID_ARGS); a process is critical to
    /// one job at most (ALREADY_BOUND). Zircon checks in that order, the bound first.
    pub fn set_critical(
        &self,
        job: Arc<super::job::Job>,
        retcode_nonzero: bool,
    ) -> Result<(), libzircon::Status> {
        let mut l = self.lifecycle.lock();
        if l.critical_to.is_some() {
            return Err(libzircon::Status::ALREADY_BOUND);
        }
        let mut ancestor = Some(&self.job);
        while let Some(j) = ancestor {
            if Arc::ptr_eq(j, &job) {
                l.critical_to = Some((job, retcode_nonzero));
                return Ok(());
            }
            ancestor = j.parent.as_ref();
        }
        Err(libzircon::Status::INVALID_ARGS)
    }

    /// A dead process that was critical to a job kills that job
    /// (ZX_TASK_RETCODE_CRITICAL_PROCESS_KILL), unless only a non-zero return code
    /// should and it ended with 0. Called with no lock held.
    fn kill_critical_job(critical: Option<(Arc<super::job::Job>, bool)>, return_code: i64) {
        if let Some((job, retcode_nonzero)) = critical {
            if !retcode_nonzero || return_code != 0 {
                job.kill(ZX_TASK_RETCODE_CRITICAL_PROCESS_KILL);
            }
        }
    }

    /// A thread of this process that has started and not died, by koid.
    pub fn thread_by_koid(&self, koid: zx_koid_t) -> Option<Arc<Thread>> {
        let l = self.lifecycle.lock();
        l.threads.iter().find(|t| t.koid == koid).cloned()
    }

    /// Ends the process with `exit` (the first exit or kill decides how it ended): every
    /// thread is told to leave, and the last one out finishes the process. A process
    /// with no running thread finishes now.
    pub fn kill_with(&self, exit: Exit) {
        {
            let mut l = self.lifecycle.lock();
            if matches!(l.life, Life::Dead) {
                return;
            }
            l.exit.get_or_insert(exit);
            let started = !l.threads.is_empty();
            l.life = Life::Dying;
            if started {
                for t in l.threads.iter() {
                    t.kill_pending
                        .store(true, core::sync::atomic::Ordering::Release);
                    t.call_attention();
                    crate::task::sched::interrupt(t);
                }
                return;
            }
        }
        self.finish();
    }

    /// A thread of this process has ended; the last one finishes the process.
    pub fn thread_exited(&self, thread: &Arc<Thread>) {
        let last = {
            let mut l = self.lifecycle.lock();
            l.threads.retain(|t| !Arc::ptr_eq(t, thread));
            if l.threads.is_empty() {
                l.life = Life::Dying;
            }
            l.threads.is_empty()
        };
        if last {
            self.finish();
        }
    }

    /// The death of the process: its address space leaves every CPU, its handles and
    /// memory go, and ZX_PROCESS_TERMINATED rises.
    fn finish(&self) {
        use core::sync::atomic::Ordering;
        if crate::task::current_process().is_some_and(|p| core::ptr::eq(&*p, self)) {
            // Our own last thread: stop using the tables here, and wait until no other
            // CPU has them in TTBR0 (a thread of ours may still be switching away).
            crate::arch::user::deactivate();
            while self.cpus_using.load(Ordering::Acquire) > 1 {
                core::hint::spin_loop();
            }
        } else {
            while self.cpus_using.load(Ordering::Acquire) > 0 {
                core::hint::spin_loop();
            }
        }
        // Exception channels shut down first (digest 7.3): their handlers see PEER_CLOSED.
        self.exceptionate.shut_down();
        self.debug_exceptionate.shut_down();
        self.tear_down();
        let (critical, return_code) = {
            let mut l = self.lifecycle.lock();
            l.life = Life::Dead;
            l.exit.get_or_insert(Exit::Exited(0));
            (l.critical_to.take(), Self::return_code(&l))
        };
        self.signals.update(0, ZX_PROCESS_TERMINATED);
        self.job.remove_process(self.koid);
        // After leaving its job, as Zircon does: the job's kill then need not wait for it.
        Self::kill_critical_job(critical, return_code);
    }

    /// Whether it is dying or dead (a kill or exit has begun).
    pub fn is_dying(&self) -> bool {
        matches!(self.lifecycle.lock().life, Life::Dying | Life::Dead)
    }

    /// How the process ended, once it has.
    pub fn exit(&self) -> Option<Exit> {
        let l = self.lifecycle.lock();
        matches!(l.life, Life::Dead)
            .then(|| l.exit.clone())
            .flatten()
    }

    /// Ends the process's hold on everything: handles first (breaking the cycle through
    /// its own handle), then its memory. The mappings' VMOs are dropped with no lock
    /// held, since dropping one may call back into this process.
    pub fn tear_down(&self) {
        let entries = self.handles.lock().drain();
        // Every handle closes: the ports' observers registered through them go, as
        // zx_handle_close would take them (syscall::handle::close).
        for entry in &entries {
            if let Some(signals) = entry.object.signal_source() {
                signals.cancel_process(self.koid);
            }
        }
        drop(entries);
        self.vm.tear_down();
    }
}

impl Drop for Process {
    /// A process that never ran and lost its last handle goes straight to dead
    /// (digest 7.3): it only has to leave its job's list.
    fn drop(&mut self) {
        self.job.remove_process(self.koid);
        // Never started, so its return code is 0 (a dead one's was taken by `finish`).
        let critical = self.lifecycle.get_mut().critical_to.take();
        Self::kill_critical_job(critical, 0);
    }
}

/// What a resource grants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResourceKind {
    /// Fuchsia's info resource (system resource, INFO base): reading kernel-wide
    /// statistics such as ZX_INFO_KMEM_STATS.
    Info,
    /// Fuchsia's VMEX resource (system resource, VMEX base): making VMOs executable.
    Vmex,
}

/// A resource: a capability to use a kernel-wide facility.
pub struct Resource {
    pub koid: zx_koid_t,
    pub kind: ResourceKind,
    /// Its handles (ZX_INFO_HANDLE_COUNT).
    pub handle_count: HandleCount,
    _counted: Counted,
}

static INFO_RESOURCE: spin::Once<Arc<Resource>> = spin::Once::new();
static VMEX_RESOURCE: spin::Once<Arc<Resource>> = spin::Once::new();

impl Resource {
    /// The one info resource; boot programs each get a handle to it.
    pub fn info() -> Arc<Resource> {
        INFO_RESOURCE
            .call_once(|| {
                Arc::new(Resource {
                    koid: koid::next(),
                    kind: ResourceKind::Info,
                    handle_count: HandleCount::new(),
                    _counted: Counted::new(CountedKind::Resource),
                })
            })
            .clone()
    }

    /// The one VMEX resource; boot programs each get a handle to it.
    pub fn vmex() -> Arc<Resource> {
        VMEX_RESOURCE
            .call_once(|| {
                Arc::new(Resource {
                    koid: koid::next(),
                    kind: ResourceKind::Vmex,
                    handle_count: HandleCount::new(),
                    _counted: Counted::new(CountedKind::Resource),
                })
            })
            .clone()
    }
}
