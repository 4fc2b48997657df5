//! Waiting: object signals with observers, the timer queue, and blocking with a
//! deadline.
//!
//! A waiter takes a wait number ([`prepare_wait`]), registers itself wherever the thing
//! it waits for will look for it (an object's observer list, a futex queue, the timer
//! queue for its deadline), and blocks ([`block`]). Whoever makes the condition true
//! wakes it through `sched::wake` with that number; a wake for a wait that is over is
//! ignored. The waiter unregisters itself after waking, whatever woke it.
//!
//! Signals have a second kind of observer, a port's ([`PortObserver`], from
//! zx_object_wait_async): it does not block anyone; when its signals rise it queues a
//! packet on its port and is gone. Level-triggered ones fire at once if their signals are
//! up already; edge-triggered ones only on a later rise.

use super::lock::IrqMutex;
use super::percpu;
use super::sched;
use super::thread::{Run, Thread, WakeReason};
use crate::arch::timer;
use crate::lockorder;
use crate::mm::frames::NoMemory;
use crate::object::port::{PortObserver, PortQueue};
use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU64, Ordering};
use libzircon::prelude::*;

/// Who waits on a signal, and through which handle (closing it cancels the wait).
struct Observer {
    thread: Arc<Thread>,
    seq: u64,
    mask: zx_signals_t,
    /// (process koid, handle value) the wait came through; (0, 0) if none.
    via: (zx_koid_t, zx_handle_t),
    canceled: bool,
    /// The signals that woke it, which the wait reports even if they drop again before
    /// the waiter runs.
    woke_on: zx_signals_t,
}

struct SignalState {
    state: zx_signals_t,
    observers: Vec<Observer>,
    /// Ports' observers (zx_object_wait_async), in the order they were registered.
    ports: Vec<PortObserver>,
}

/// An object's signals, and the threads and ports waiting for some of them.
pub struct Signals {
    /// Lock: `lockorder::SIGNALS`. Shared (not inline) so a port can hold it weakly
    /// ([`WeakSignals`]) and take its observers back out when it closes first.
    inner: Arc<IrqMutex<SignalState>>,
}

/// A port's weak reference to signals it registered observers on.
#[derive(Clone)]
pub struct WeakSignals(Weak<IrqMutex<SignalState>>);

impl WeakSignals {
    /// Whether both name the same signals.
    pub fn same(&self, other: &WeakSignals) -> bool {
        Weak::ptr_eq(&self.0, &other.0)
    }

    /// An order for sorting (the allocation's address).
    pub fn addr(&self) -> usize {
        self.0.as_ptr() as usize
    }

    /// The object has gone (and its observers with it).
    pub fn is_dead(&self) -> bool {
        self.0.strong_count() == 0
    }

    /// Removes every observer of `port` (the port is closing).
    pub fn forget_port(&self, port: &PortQueue) {
        if let Some(inner) = self.0.upgrade() {
            inner.lock().ports.retain(|o| !o.is_for(port));
            // `inner` may be the last reference now: its state drops here, unlocked.
        }
    }
}

impl Signals {
    pub fn new(initial: zx_signals_t) -> Self {
        Signals {
            inner: Arc::new(IrqMutex::new(
                lockorder::SIGNALS,
                SignalState {
                    state: initial,
                    observers: Vec::new(),
                    ports: Vec::new(),
                },
            )),
        }
    }

    pub fn downgrade(&self) -> WeakSignals {
        WeakSignals(Arc::downgrade(&self.inner))
    }

    pub fn state(&self) -> zx_signals_t {
        self.inner.lock().state
    }

    /// Clears `clear`, then sets `set`, and wakes the waiters whose signals are now up.
    pub fn update(&self, clear: zx_signals_t, set: zx_signals_t) {
        let mut guard = self.inner.lock();
        let s = &mut *guard;
        let old = s.state;
        s.state = (old & !clear) | set;
        let state = s.state;
        for o in s.observers.iter_mut().filter(|o| o.mask & state != 0) {
            if o.woke_on == 0 {
                o.woke_on = state;
            }
            sched::wake(&o.thread, o.seq, WakeReason::Signaled);
        }
        if !s.ports.is_empty() {
            let rising = state & !old;
            s.ports.retain_mut(|o| {
                let fires = o.trigger & if o.edge { rising } else { state } != 0;
                if fires {
                    o.fire(state);
                }
                !fires
            });
        }
    }

    /// Registers a port's observer. A level-triggered one whose signals are up already
    /// fires now; NoMemory leaves nothing registered.
    pub fn observe_port(&self, mut observer: PortObserver) -> Result<(), NoMemory> {
        let mut s = self.inner.lock();
        if !observer.edge && s.state & observer.trigger != 0 {
            observer.fire(s.state);
            return Ok(());
        }
        s.ports.try_reserve(1).map_err(|_| NoMemory)?;
        s.ports.push(observer);
        Ok(())
    }

    /// zx_port_cancel: removes the observers of `port` registered through `via` with
    /// `key`; whether there were any.
    pub fn cancel_port_key(
        &self,
        port: &PortQueue,
        via: (zx_koid_t, zx_handle_t),
        key: u64,
    ) -> bool {
        let mut s = self.inner.lock();
        let before = s.ports.len();
        s.ports
            .retain(|o| !(o.is_for(port) && o.via == via && o.key() == key));
        s.ports.len() != before
    }

    /// Every handle of process `koid` is closing (it is dying): its ports' observers go.
    pub fn cancel_process(&self, koid: zx_koid_t) {
        self.inner.lock().ports.retain(|o| o.via.0 != koid);
    }

    /// Registers the running thread's wait `seq` for any of `mask`; if one is up
    /// already, the wait is woken at once (so it will not block).
    fn observe(
        &self,
        thread: &Arc<Thread>,
        seq: u64,
        mask: zx_signals_t,
        via: (zx_koid_t, zx_handle_t),
    ) -> Result<(), NoMemory> {
        let mut s = self.inner.lock();
        s.observers.try_reserve(1).map_err(|_| NoMemory)?;
        // Satisfied already: the wait reports these signals even if they drop before
        // the waiter looks (else a wait with no deadline could end TIMED_OUT).
        let up = s.state & mask != 0;
        let woke_on = if up { s.state } else { 0 };
        s.observers.push(Observer {
            thread: thread.clone(),
            seq,
            mask,
            via,
            canceled: false,
            woke_on,
        });
        if up {
            sched::wake(thread, seq, WakeReason::Signaled);
        }
        Ok(())
    }

    /// Ends the registration of wait `seq` of `thread`; returns the signals now, with
    /// ZX_SIGNAL_HANDLE_CLOSED if the handle was closed meanwhile.
    fn unobserve(&self, thread: &Arc<Thread>, seq: u64) -> zx_signals_t {
        let mut s = self.inner.lock();
        let mut canceled = false;
        let mut woke_on = 0;
        s.observers.retain(|o| {
            let mine = Arc::ptr_eq(&o.thread, thread) && o.seq == seq;
            if mine {
                canceled |= o.canceled;
                woke_on |= o.woke_on;
            }
            !mine
        });
        let state = if woke_on != 0 { woke_on } else { s.state };
        state | if canceled { ZX_SIGNAL_HANDLE_CLOSED } else { 0 }
    }

    /// A handle was closed: end the waits made through it (they report
    /// ZX_SIGNAL_HANDLE_CLOSED and ZX_ERR_CANCELED), and drop the ports' observers
    /// registered through it (packets they queued already stay queued).
    pub fn cancel_via(&self, process: zx_koid_t, handle: zx_handle_t) {
        let mut s = self.inner.lock();
        s.ports.retain(|o| o.via != (process, handle));
        for o in s
            .observers
            .iter_mut()
            .filter(|o| o.via == (process, handle))
        {
            o.canceled = true;
            sched::wake(&o.thread, o.seq, WakeReason::Signaled);
        }
    }
}

/// What a deadline does when it passes.
pub enum TimerAction {
    /// Ends a thread's wait with TimedOut.
    Wake { thread: Arc<Thread>, seq: u64 },
    /// Calls an object (a zx_timer) that has not gone away.
    Expire(Weak<dyn Expire>),
}

pub trait Expire: Send + Sync {
    fn expire(&self, id: u64);
}

struct TimerEntry {
    deadline: i64,
    id: u64,
    action: TimerAction,
}

/// Armed deadlines, latest first (the next to expire is at the end).
/// Lock: `lockorder::TIMERS`.
static TIMERS: IrqMutex<Vec<TimerEntry>> = IrqMutex::new(lockorder::TIMERS, Vec::new());
static NEXT_TIMER_ID: AtomicU64 = AtomicU64::new(1);

/// Arms a deadline (monotonic ns); returns its id for [`cancel_timer`].
pub fn arm_timer(deadline: i64, action: TimerAction) -> Result<u64, NoMemory> {
    let id = NEXT_TIMER_ID.fetch_add(1, Ordering::Relaxed);
    {
        let mut t = TIMERS.lock();
        t.try_reserve(1).map_err(|_| NoMemory)?;
        let at = t.partition_point(|e| e.deadline > deadline);
        t.insert(
            at,
            TimerEntry {
                deadline,
                id,
                action,
            },
        );
    }
    super::timer_irq::deadline_armed(deadline);
    Ok(id)
}

/// Disarms a deadline; false if it had expired (or never existed).
pub fn cancel_timer(id: u64) -> bool {
    let removed = {
        let mut t = TIMERS.lock();
        t.iter().position(|e| e.id == id).map(|i| t.remove(i))
    };
    removed.is_some()
}

/// The earliest armed deadline.
pub fn next_deadline() -> Option<i64> {
    TIMERS.lock().last().map(|e| e.deadline)
}

/// Runs every deadline that has passed (from the timer interrupt).
pub fn expire_timers(now: i64) {
    loop {
        let entry = {
            let mut t = TIMERS.lock();
            match t.last() {
                Some(e) if e.deadline <= now => t.pop(),
                _ => None,
            }
        };
        let Some(entry) = entry else { return };
        match entry.action {
            TimerAction::Wake { thread, seq } => {
                sched::wake(&thread, seq, WakeReason::TimedOut);
            }
            TimerAction::Expire(object) => {
                if let Some(object) = object.upgrade() {
                    object.expire(entry.id);
                }
            }
        }
    }
}

/// Starts a wait of the running thread; returns its number.
pub fn prepare_wait(thread: &Thread) -> u64 {
    let mut s = thread.sched.lock();
    s.wait_seq += 1;
    s.waiting = true;
    s.wake = None;
    s.wait_seq
}

/// Blocks the running thread in wait `seq` until it is woken or `deadline` passes
/// (monotonic ns; ZX_TIME_INFINITE for none). A deadline already past does not block:
/// the wait ends at once, TimedOut unless something woke it already. A pending kill
/// ends any wait.
pub fn block(thread: &Arc<Thread>, seq: u64, deadline: i64) -> WakeReason {
    let mut timer_id = None;
    // No clock read (a 128-bit division) for a wait without a deadline.
    let immediate = deadline != ZX_TIME_INFINITE && deadline <= timer::monotonic_ns() as i64;
    if !immediate && deadline != ZX_TIME_INFINITE {
        match arm_timer(
            deadline,
            TimerAction::Wake {
                thread: thread.clone(),
                seq,
            },
        ) {
            Ok(id) => timer_id = Some(id),
            // No room for the deadline: poll once instead of sleeping past it.
            Err(NoMemory) => return finish_wait(thread, WakeReason::TimedOut),
        }
    }
    {
        let mut s = thread.sched.lock();
        if s.wake.is_none() && !thread.interrupt_requested() && !immediate {
            s.run = Run::Blocked;
            drop(s);
            thread.syscall_since.store(0, Ordering::Relaxed);
            sched::block_current();
            super::watchdog::syscall_resumed(thread);
        }
    }
    if let Some(id) = timer_id {
        cancel_timer(id);
    }
    let reason = if thread.interrupt_requested() {
        WakeReason::Killed
    } else {
        WakeReason::TimedOut
    };
    finish_wait(thread, reason)
}

/// Ends the running thread's wait, whatever woke it (or nothing).
pub fn end_wait(thread: &Thread) {
    finish_wait(thread, WakeReason::Signaled);
}

fn finish_wait(thread: &Thread, otherwise: WakeReason) -> WakeReason {
    let mut s = thread.sched.lock();
    s.waiting = false;
    s.wake.take().unwrap_or(otherwise)
}

/// One object to wait on, for [`wait_signals`].
pub struct WaitItem<'a> {
    pub signals: &'a Signals,
    pub mask: zx_signals_t,
    /// The handle the wait came through, in the running thread's process.
    pub via: zx_handle_t,
}

/// How a signal wait ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitEnd {
    Satisfied,
    TimedOut,
    Killed,
    NoMemory,
}

/// Waits until any item has one of its signals up, or `deadline`. Writes each item's
/// signals when the wait ended into `observed` (with ZX_SIGNAL_HANDLE_CLOSED where its
/// handle was closed during the wait).
pub fn wait_signals(items: &[WaitItem], deadline: i64, observed: &mut [zx_signals_t]) -> WaitEnd {
    let Some(thread) = percpu::current() else {
        return WaitEnd::Killed;
    };
    let koid = thread.process_koid();
    let seq = prepare_wait(&thread);
    let mut registered = 0;
    let mut failed = false;
    for item in items {
        if item
            .signals
            .observe(&thread, seq, item.mask, (koid, item.via))
            .is_err()
        {
            failed = true;
            break;
        }
        registered += 1;
    }
    let reason = if failed {
        finish_wait(&thread, WakeReason::Signaled);
        None
    } else {
        Some(block(&thread, seq, deadline))
    };
    for (item, out) in items[..registered].iter().zip(observed.iter_mut()) {
        *out = item.signals.unobserve(&thread, seq);
    }
    for (item, out) in items.iter().zip(observed.iter_mut()).skip(registered) {
        *out = item.signals.state();
    }
    match reason {
        None => WaitEnd::NoMemory,
        Some(WakeReason::Killed) => WaitEnd::Killed,
        Some(_)
            if items
                .iter()
                .zip(observed.iter())
                .any(|(i, o)| i.mask & o != 0) =>
        {
            WaitEnd::Satisfied
        }
        Some(_) => WaitEnd::TimedOut,
    }
}

/// Sleeps until `deadline`; false if a kill cut it short.
pub fn sleep_until(deadline: i64) -> bool {
    let Some(thread) = percpu::current() else {
        return false;
    };
    let seq = prepare_wait(&thread);
    block(&thread, seq, deadline) != WakeReason::Killed
}
