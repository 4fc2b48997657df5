//! Events, event pairs and timers: objects that are only signal state (digest part 2,
//! sections 4.5, 4.6 and 8).

use super::counts::{Counted, Kind as CountedKind};
use super::handle::HandleCount;
use super::koid;
use crate::task::lock::IrqMutex;
use crate::task::wait::{self, Expire, Signals, TimerAction};
use alloc::sync::{Arc, Weak};
use libzircon::prelude::*;
use libzircon::Status;
use spin::Mutex;

/// zx_event_create's object.
pub struct Event {
    pub koid: zx_koid_t,
    pub signals: Signals,
    /// Its handles (ZX_INFO_HANDLE_COUNT).
    pub handle_count: HandleCount,
    _counted: Counted,
}

impl Event {
    pub fn new() -> Arc<Event> {
        Arc::new(Event {
            koid: koid::next(),
            signals: Signals::new(0),
            handle_count: HandleCount::new(),
            _counted: Counted::new(CountedKind::Event),
        })
    }
}

/// One end of an event pair. Each end sees the other weakly: when the last handle to an
/// end closes (even while a waiter still holds the end), the two forget each other and
/// the peer gets ZX_EVENTPAIR_PEER_CLOSED.
pub struct EventPairEnd {
    pub koid: zx_koid_t,
    pub peer_koid: zx_koid_t,
    pub signals: Signals,
    /// Lock: taken alone.
    peer: Mutex<Weak<EventPairEnd>>,
    /// Its handles (ZX_INFO_HANDLE_COUNT).
    pub handle_count: HandleCount,
    _counted: Counted,
}

impl EventPairEnd {
    pub fn pair() -> (Arc<EventPairEnd>, Arc<EventPairEnd>) {
        let (ka, kb) = (koid::next(), koid::next());
        let end = |koid, peer_koid| EventPairEnd {
            koid,
            peer_koid,
            signals: Signals::new(0),
            peer: Mutex::new(Weak::new()),
            handle_count: HandleCount::new(),
            _counted: Counted::new(CountedKind::Event),
        };
        let a = Arc::new(end(ka, kb));
        let b = Arc::new(end(kb, ka));
        *a.peer.lock() = Arc::downgrade(&b);
        *b.peer.lock() = Arc::downgrade(&a);
        (a, b)
    }

    /// The other end, while it lives.
    pub fn peer(&self) -> Option<Arc<EventPairEnd>> {
        self.peer.lock().upgrade()
    }
}

impl EventPairEnd {
    /// The last handle to this end closed. The locks are taken one at a time: both ends
    /// may be closing at once on two CPUs.
    pub fn on_zero_handles(&self) {
        let peer = core::mem::take(&mut *self.peer.lock()).upgrade();
        if let Some(peer) = peer {
            *peer.peer.lock() = Weak::new();
            peer.signals.update(0, ZX_EVENTPAIR_PEER_CLOSED);
        }
    }
}

struct TimerState {
    deadline: i64,
    slack: i64,
    /// The armed entry in the timer queue.
    armed: Option<u64>,
}

/// zx_timer_create's object: signals ZX_TIMER_SIGNALED when its deadline passes.
pub struct Timer {
    pub koid: zx_koid_t,
    pub options: u32,
    pub signals: Signals,
    /// Lock: `lockorder::TIMER_OBJECT`, IRQs masked: the expiry takes it from the timer
    /// interrupt, so a holder must not be interrupted by it on its own CPU. Taken before
    /// the timer queue's (set, cancel), never inside it (expiry takes it after the queue
    /// has let go of the entry).
    state: IrqMutex<TimerState>,
    me: Weak<Timer>,
    /// Its handles (ZX_INFO_HANDLE_COUNT).
    pub handle_count: HandleCount,
    _counted: Counted,
}

impl Timer {
    pub fn new(options: u32) -> Arc<Timer> {
        Arc::new_cyclic(|me| Timer {
            koid: koid::next(),
            options,
            signals: Signals::new(0),
            state: IrqMutex::new(
                crate::lockorder::TIMER_OBJECT,
                TimerState {
                    deadline: 0,
                    slack: 0,
                    armed: None,
                },
            ),
            me: me.clone(),
            handle_count: HandleCount::new(),
            _counted: Counted::new(CountedKind::Timer),
        })
    }

    /// zx_timer_set after its checks: cancels, clears SIGNALED, then arms (or signals at
    /// once for a deadline already past).
    pub fn set(&self, deadline: i64, slack: i64) -> Result<(), Status> {
        let mut s = self.state.lock();
        if let Some(id) = s.armed.take() {
            wait::cancel_timer(id);
        }
        self.signals.update(ZX_TIMER_SIGNALED, 0);
        let now = crate::arch::timer::monotonic_ns() as i64;
        if deadline <= now {
            s.deadline = 0;
            s.slack = 0;
            self.signals.update(0, ZX_TIMER_SIGNALED);
            return Ok(());
        }
        let me: Weak<dyn Expire> = self.me.clone();
        let id =
            wait::arm_timer(deadline, TimerAction::Expire(me)).map_err(|_| Status::NO_MEMORY)?;
        *s = TimerState {
            deadline,
            slack,
            armed: Some(id),
        };
        Ok(())
    }

    /// zx_timer_cancel: disarms, and clears SIGNALED whether or not it fired.
    pub fn cancel(&self) {
        let mut s = self.state.lock();
        if let Some(id) = s.armed.take() {
            wait::cancel_timer(id);
        }
        s.deadline = 0;
        s.slack = 0;
        self.signals.update(ZX_TIMER_SIGNALED, 0);
    }

    /// ZX_INFO_TIMER.
    pub fn info(&self) -> zx_info_timer_t {
        let s = self.state.lock();
        zx_info_timer_t {
            options: self.options,
            deadline: s.deadline,
            slack: s.slack,
            ..Default::default()
        }
    }
}

impl Expire for Timer {
    /// The deadline passed (from the timer interrupt: the state lock is never held
    /// across anything that blocks, and set/cancel hold it only briefly).
    fn expire(&self, id: u64) {
        let mut s = self.state.lock();
        if s.armed != Some(id) {
            return;
        }
        s.armed = None;
        s.deadline = 0;
        s.slack = 0;
        self.signals.update(0, ZX_TIMER_SIGNALED);
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        if let Some(id) = self.state.lock().armed.take() {
            wait::cancel_timer(id);
        }
    }
}
