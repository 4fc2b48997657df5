//! The scheduler: per-CPU run queues of ready threads, round robin with a time slice,
//! and idle CPUs taking work from busy ones.
//!
//! Policy: each CPU runs its own queue first in, first out; a thread runs until it
//! blocks, yields, or uses up its slice ([`SLICE_TICKS`] ticks of 10 ms), and then goes
//! to the back of its CPU's queue. A CPU whose queue is empty takes the oldest thread
//! from another CPU's queue before going idle, and a waker kicks an idle CPU (an SGI)
//! when it makes a thread ready. No runnable thread starves: every queue is FIFO and
//! every thread's turn ends within a slice.
//!
//! A switch happens with IRQs masked. The thread switched away from stays `on_cpu`
//! until the next thread has finished the switch ([`finish_switch`]); a CPU that picks
//! a thread still `on_cpu` elsewhere waits for that, so a thread never runs on two CPUs.

use super::lock::IrqMutex;
use super::percpu::{self, Cpu, MAX_CPUS};
use super::thread::{Body, Run, Thread, WakeReason};
use crate::arch::cpu::IrqGuard;
use crate::arch::{thread as arch_thread, timer, user};
use crate::lockorder;
use crate::mm::frames::NoMemory;
use alloc::collections::VecDeque;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicUsize, Ordering};

/// Ticks (10 ms each) a thread runs before another ready thread gets the CPU.
pub const SLICE_TICKS: u32 = 2;

/// Lock: `lockorder::RUN_QUEUE` (one per CPU; never two at once).
static RUN_QUEUES: [IrqMutex<VecDeque<Arc<Thread>>>; MAX_CPUS] =
    [const { IrqMutex::new(lockorder::RUN_QUEUE, VecDeque::new()) }; MAX_CPUS];
/// Threads that exist: every queue keeps room for all of them, so making a thread
/// ready (in an interrupt handler, say) never allocates.
static THREADS: AtomicUsize = AtomicUsize::new(0);

/// Makes room in every run queue for one more thread; called when a thread is created.
pub fn reserve_queue_room() -> Result<(), NoMemory> {
    let n = THREADS.fetch_add(1, Ordering::Relaxed) + 1;
    for q in RUN_QUEUES.iter() {
        let mut q = q.lock();
        let more = n.saturating_sub(q.len());
        if q.try_reserve(more).is_err() {
            THREADS.fetch_sub(1, Ordering::Relaxed);
            return Err(NoMemory);
        }
    }
    Ok(())
}

/// Gives back the room [`reserve_queue_room`] made, for a thread that never ran (one
/// that ran gives it back when it dies, in `finish_switch`).
pub fn release_queue_room() {
    THREADS.fetch_sub(1, Ordering::Relaxed);
}

/// Puts a ready thread on a run queue: this CPU's, and kicks an idle CPU to come and
/// take it.
pub fn make_ready(thread: Arc<Thread>) {
    let this = percpu::this();
    let target = this.index();
    RUN_QUEUES[target].lock().push_back(thread);
    if let Some(idle) = percpu::all().find(|c| c.idle_now.load(Ordering::Acquire)) {
        if idle.index() == target {
            idle.need_resched.store(true, Ordering::Release);
        } else {
            crate::irq::send_reschedule(idle.index());
        }
    } else if this.idle_now.load(Ordering::Relaxed) {
        this.need_resched.store(true, Ordering::Release);
    }
}

/// Wakes `thread` from the wait numbered `seq` with `reason`; false if it is not in that
/// wait any more (woken already, or gone on to another).
pub fn wake(thread: &Arc<Thread>, seq: u64, reason: WakeReason) -> bool {
    let mut s = thread.sched.lock();
    if !s.waiting || s.wait_seq != seq || s.wake.is_some() {
        return false;
    }
    s.wake = Some(reason);
    if s.run == Run::Blocked {
        s.run = Run::Ready;
        drop(s);
        make_ready(thread.clone());
    }
    true
}

/// Interrupts whatever wait `thread` is in (its process is dying); a thread running on
/// another CPU is kicked so that it notices before returning to user mode.
pub fn interrupt(thread: &Arc<Thread>) {
    let seq = thread.sched.lock().wait_seq;
    if !wake(thread, seq, WakeReason::Killed) {
        let cpu = thread.last_cpu.load(Ordering::Relaxed);
        if thread.on_cpu.load(Ordering::Acquire) && cpu != percpu::this().index() {
            crate::irq::send_reschedule(cpu);
        }
    }
}

/// Takes the oldest thread of queue `q` whose last CPU has finished switching away from
/// it. A thread still `on_cpu` elsewhere (made ready, or preempted, while that CPU is
/// mid-switch) is left for later: a CPU never waits for another while it is itself
/// mid-switch, which could close a cycle (A waits for a thread B is leaving while B waits
/// for the one A is leaving).
fn take_ready(q: usize) -> Option<Arc<Thread>> {
    let mut queue = RUN_QUEUES[q].lock();
    if queue.front()?.on_cpu.load(Ordering::Acquire) {
        let at = queue
            .iter()
            .position(|t| !t.on_cpu.load(Ordering::Acquire))?;
        return queue.remove(at);
    }
    queue.pop_front()
}

fn pick_next(cpu: &Cpu) -> Option<Arc<Thread>> {
    let me = cpu.index();
    if let Some(t) = take_ready(me) {
        return Some(t);
    }
    // Nothing here: take the oldest ready thread of another CPU.
    let online = percpu::online_count().min(MAX_CPUS);
    (1..online).find_map(|i| take_ready((me + i) % online))
}

/// Gives up the CPU: `still_ready` puts the running thread back on the run queue (a
/// yield or the end of a slice); otherwise it has blocked or died and leaves until
/// something makes it ready again.
pub fn reschedule(still_ready: bool) {
    let _irq = IrqGuard::new();
    percpu::assert_no_locks_held();
    let cpu = percpu::this();
    cpu.need_resched.store(false, Ordering::Relaxed);
    let Some(prev) = percpu::current() else {
        return;
    };
    let is_idle = cpu.idle_thread().is_some_and(|i| Arc::ptr_eq(i, &prev));
    let next = match pick_next(cpu) {
        Some(next) => next,
        None if still_ready && !is_idle => return,
        None => match cpu.idle_thread() {
            Some(idle) if !is_idle => idle.clone(),
            _ => return,
        },
    };
    if still_ready && !is_idle {
        prev.sched.lock().run = Run::Ready;
        RUN_QUEUES[cpu.index()].lock().push_back(prev.clone());
    }
    switch_to(cpu, prev, next);
}

/// The running thread blocks: the caller has marked it `Blocked` (under its sched lock,
/// having found no wake pending). Returns when it is woken and runs again.
pub fn block_current() {
    reschedule(false);
}

fn switch_to(cpu: &Cpu, prev: Arc<Thread>, next: Arc<Thread>) {
    if Arc::ptr_eq(&prev, &next) {
        next.sched.lock().run = Run::Running;
        return;
    }
    // pick_next took a thread no CPU is on (on_cpu stays clear until someone switches
    // to it, and only its taker does).
    debug_assert!(!next.on_cpu.load(Ordering::Acquire));
    next.on_cpu.store(true, Ordering::Relaxed);
    next.sched.lock().run = Run::Running;
    next.last_cpu.store(cpu.index(), Ordering::Relaxed);
    cpu.slice_left.store(SLICE_TICKS, Ordering::Relaxed);
    cpu.idle_now.store(
        cpu.idle_thread().is_some_and(|i| Arc::ptr_eq(i, &next)),
        Ordering::Release,
    );
    // Counter ticks here (no division on the switch path); ZX_INFO_THREAD_STATS converts.
    let now = timer::counter();
    let ran = now.saturating_sub(prev.scheduled_at.load(Ordering::Relaxed));
    prev.run_ticks.fetch_add(ran, Ordering::Relaxed);
    next.scheduled_at.store(now, Ordering::Relaxed);

    if prev.is_user() {
        prev.registers.lock().save();
    }
    match &next.process {
        Some(p) if next.is_user() => {
            let other_space = !prev.process.as_ref().is_some_and(|q| Arc::ptr_eq(p, q));
            if other_space {
                p.cpus_using.fetch_add(1, Ordering::AcqRel);
            }
            user::activate(p.ttbr0);
            if other_space && crate::mm::aspace::shares_asid(p.ttbr0) {
                // What another address space with this ASID left here must go.
                crate::mm::aspace::forget_shared_asid_here();
            }
            next.registers.lock().restore();
        }
        _ => user::deactivate(),
    }
    let save = prev.saved_sp.as_ptr();
    let load = next.saved_sp.load(Ordering::Relaxed);
    let running = cpu.replace_current(next);
    // The slot's reference to prev moves to `previous`; finish_switch drops it.
    drop(running);
    cpu.set_previous(prev);
    // SAFETY: IRQs are masked; `load` is the saved stack of a thread no CPU runs (on_cpu
    // was clear); `save` points into prev, kept alive by `previous` until finish_switch.
    unsafe { arch_thread::switch(save, load) };
    finish_switch();
}

/// The second half of every switch, run by the thread switched to: lets go of the
/// thread switched away from.
pub(super) fn finish_switch() {
    let cpu = percpu::this();
    let Some(prev) = cpu.take_previous() else {
        return;
    };
    let current_process = percpu::with_current(|t| t.process.clone()).flatten();
    if let Some(p) = &prev.process {
        if prev.is_user() && !current_process.is_some_and(|c| Arc::ptr_eq(p, &c)) {
            p.cpus_using.fetch_sub(1, Ordering::AcqRel);
        }
    }
    prev.on_cpu.store(false, Ordering::Release);
    if prev.sched.lock().run == Run::Dead {
        prev.release_stack();
        THREADS.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Where every new thread starts (switch.s's trampoline calls it).
#[unsafe(no_mangle)]
extern "C" fn zrk_thread_entry(_arg: usize) -> ! {
    finish_switch();
    // No reference to the thread may stay on this stack: neither way out returns.
    let body = percpu::with_current(|t| match t.body {
        Body::Kernel(f) => Some(f),
        Body::User => None,
    });
    match body {
        Some(Some(f)) => {
            crate::arch::cpu::enable_irqs();
            f();
            super::exit_current()
        }
        Some(None) => super::trap::enter_user_first(),
        None => crate::arch::cpu::halt(),
    }
}

/// Yields to another ready thread, if any.
pub fn yield_now() {
    reschedule(true);
}

/// The idle loop of every CPU: sleep until something is ready.
pub fn idle_loop() -> ! {
    loop {
        let cpu = percpu::this();
        if cpu.need_resched.load(Ordering::Acquire) || has_work(cpu) {
            reschedule(false);
            continue;
        }
        crate::arch::cpu::wait_for_interrupt_enabled();
    }
}

fn has_work(cpu: &Cpu) -> bool {
    let online = percpu::online_count().min(MAX_CPUS);
    (0..online).any(|i| !RUN_QUEUES[(cpu.index() + i) % online].lock().is_empty())
}

/// Makes the calling kernel context (the boot code on this CPU) a schedulable thread,
/// and creates this CPU's idle thread.
pub fn start_cpu(name: &str) -> Result<(), NoMemory> {
    let cpu = percpu::this();
    let me = Thread::adopt_current(name);
    cpu.replace_current(me);
    let idle = Thread::new("idle", None, Body::Kernel(|| idle_loop()))?;
    idle.sched.lock().run = Run::Ready;
    cpu.idle.call_once(|| idle);
    percpu::mark_online();
    Ok(())
}

/// Makes the calling context (a secondary CPU on its boot stack) this CPU's idle thread.
pub fn start_secondary() {
    let cpu = percpu::this();
    let me = Thread::adopt_current("idle");
    cpu.replace_current(me.clone());
    cpu.idle.call_once(|| me);
    cpu.idle_now.store(true, Ordering::Release);
    percpu::mark_online();
}
