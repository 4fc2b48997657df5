//! Per-CPU state, reached through `TPIDR_EL1`: the running thread, the idle thread, the
//! scheduler's flags, the timer's next tick, the syscall ring, the held-lock set.
//!
//! Each CPU's block is touched by other CPUs only through atomics (a waker reads
//! `idle_now`, the watchdog nothing else); the running-thread slot is changed only by
//! its own CPU, with IRQs masked, during a switch.

use super::thread::Thread;
use super::watchdog::Ring;
use crate::arch::thread::{cpu_pointer, set_cpu_pointer};
use crate::arch::user::ArchCpu;
use crate::lockorder::{self, Level};
use alloc::sync::Arc;
use core::mem::ManuallyDrop;
use core::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicU64, AtomicUsize, Ordering};

/// QEMU `virt` offers up to 8 CPUs with GICv2 (and we run on at most that); the Pi has 4.
pub const MAX_CPUS: usize = 8;

#[repr(C)]
pub struct Cpu {
    /// Must come first: the exception vectors read it (see arch::user).
    pub arch: ArchCpu,
    pub index: AtomicUsize,
    /// The running thread: an owned `Arc` (from `Arc::into_raw`), replaced only by this
    /// CPU during a switch.
    current: AtomicPtr<Thread>,
    /// The thread this CPU switched away from, for the next one to finish (see
    /// sched::finish_switch): also an owned `Arc`, or null.
    pub(super) previous: AtomicPtr<Thread>,
    pub(super) idle: spin::Once<Arc<Thread>>,
    pub need_resched: AtomicBool,
    /// Set while this CPU's idle thread runs, so wakers know to kick it.
    pub idle_now: AtomicBool,
    pub online: AtomicBool,
    /// Ticks left in the running thread's time slice.
    pub slice_left: AtomicU32,
    /// Counter value of this CPU's next periodic tick.
    pub next_tick: AtomicU64,
    /// Lock levels held (bit per `lockorder` rank), checked in debug builds.
    held_locks: AtomicU64,
    pub ring: Ring,
}

impl Cpu {
    const fn new() -> Self {
        Cpu {
            arch: ArchCpu::new(),
            index: AtomicUsize::new(0),
            current: AtomicPtr::new(core::ptr::null_mut()),
            previous: AtomicPtr::new(core::ptr::null_mut()),
            idle: spin::Once::new(),
            need_resched: AtomicBool::new(false),
            idle_now: AtomicBool::new(false),
            online: AtomicBool::new(false),
            slice_left: AtomicU32::new(0),
            next_tick: AtomicU64::new(0),
            held_locks: AtomicU64::new(0),
            ring: Ring::new(),
        }
    }

    pub fn index(&self) -> usize {
        self.index.load(Ordering::Relaxed)
    }

    pub fn idle_thread(&self) -> Option<&Arc<Thread>> {
        self.idle.get()
    }

    /// Installs `thread` as the running thread; returns the one that was (owned).
    pub(super) fn replace_current(&self, thread: Arc<Thread>) -> Option<Arc<Thread>> {
        let old = self
            .current
            .swap(Arc::into_raw(thread).cast_mut(), Ordering::Relaxed);
        // SAFETY: a non-null pointer in the slot is an Arc given up by into_raw above.
        (!old.is_null()).then(|| unsafe { Arc::from_raw(old) })
    }

    /// Takes the thread left for [`super::sched`] to finish.
    pub(super) fn take_previous(&self) -> Option<Arc<Thread>> {
        let old = self.previous.swap(core::ptr::null_mut(), Ordering::Relaxed);
        // SAFETY: as in replace_current.
        (!old.is_null()).then(|| unsafe { Arc::from_raw(old) })
    }

    pub(super) fn set_previous(&self, thread: Arc<Thread>) {
        let old = self
            .previous
            .swap(Arc::into_raw(thread).cast_mut(), Ordering::Relaxed);
        debug_assert!(
            old.is_null(),
            "a switch left its previous thread unfinished"
        );
    }
}

static CPUS: [Cpu; MAX_CPUS] = [const { Cpu::new() }; MAX_CPUS];
/// CPUs that have come online.
static ONLINE: AtomicUsize = AtomicUsize::new(0);

/// Points this CPU's `TPIDR_EL1` at block `index`. Done first thing on every CPU.
pub fn init_this_cpu(index: usize) {
    let cpu = &CPUS[index.min(MAX_CPUS - 1)];
    cpu.index.store(index, Ordering::Relaxed);
    set_cpu_pointer(cpu as *const Cpu as usize);
}

/// Marks this CPU as running the scheduler.
pub fn mark_online() {
    if !this().online.swap(true, Ordering::AcqRel) {
        ONLINE.fetch_add(1, Ordering::AcqRel);
    }
}

pub fn online_count() -> usize {
    ONLINE.load(Ordering::Acquire).max(1)
}

#[inline(always)]
pub fn this() -> &'static Cpu {
    // SAFETY: init_this_cpu ran first on this CPU and pointed TPIDR_EL1 at a static Cpu.
    unsafe { &*(cpu_pointer() as *const Cpu) }
}

/// CPU `index`'s block.
pub fn cpu(index: usize) -> Option<&'static Cpu> {
    CPUS.get(index)
}

pub fn all() -> impl Iterator<Item = &'static Cpu> {
    CPUS.iter().filter(|c| c.online.load(Ordering::Acquire))
}

/// Runs `f` with the running thread, without touching its reference count.
#[inline(always)]
pub fn with_current<R>(f: impl FnOnce(&Arc<Thread>) -> R) -> Option<R> {
    let ptr = this().current.load(Ordering::Relaxed);
    if ptr.is_null() {
        return None;
    }
    // SAFETY: the slot owns a reference to the running thread, and only this CPU changes
    // the slot, in a switch; the thread that runs `f` is that thread, so the reference
    // outlives `f` even if `f` blocks (the slot's reference moves, it is not dropped,
    // until after the thread has switched away, and then `f` is not running).
    let thread = ManuallyDrop::new(unsafe { Arc::from_raw(ptr) });
    Some(f(&thread))
}

/// The running thread.
pub fn current() -> Option<Arc<Thread>> {
    with_current(Arc::clone)
}

/// Debug builds: records that this CPU takes a lock of `level`, panicking on an inversion.
pub fn note_acquire(level: Level) {
    if cfg!(debug_assertions) {
        let cpu = this();
        let held = cpu.held_locks.load(Ordering::Relaxed);
        match lockorder::acquire(held, level) {
            Ok(now) => cpu.held_locks.store(now, Ordering::Relaxed),
            Err(inner) => panic!(
                "lock order: taking the {} lock (level {}) while holding the {} lock (level {})",
                level.name, level.rank, inner.name, inner.rank
            ),
        }
    }
}

pub fn note_release(level: Level) {
    if cfg!(debug_assertions) {
        let cpu = this();
        let held = cpu.held_locks.load(Ordering::Relaxed);
        cpu.held_locks
            .store(lockorder::release(held, level), Ordering::Relaxed);
    }
}

/// Debug builds: no spin lock may be held where a thread gives up its CPU.
pub fn assert_no_locks_held() {
    if cfg!(debug_assertions) {
        let held = this().held_locks.load(Ordering::Relaxed);
        assert!(
            held == 0,
            "switching threads with locks held (levels {held:#b})"
        );
    }
}
