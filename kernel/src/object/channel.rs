//! Channels (digest part 2, section 6): two ends, each with a queue of the messages the
//! other end wrote, which its reader takes whole and in order.
//!
//! Invariants, all under the pair's one lock:
//! - A side's queue is only written while that side is open; closing it (its last handle
//!   going) takes the queue, so messages never sit at a closed side, and a pair whose two
//!   ends are gone holds no messages.
//! - READABLE is up at a side exactly while its queue is non-empty; PEER_CLOSED rises
//!   (and WRITABLE falls) when the other side closes, never to change again.
//! - A `zx_channel_call` waiting at a side has a txid (high bit set) no other call waiting
//!   there has; a message arriving for that txid goes to the waiter, not the queue.
//!
//! Messages hold counted handles. Destroying one may close the last handle to another
//! channel end whose queue holds more of the same; [`reap`] closes such chains in a loop
//! (an intrusive list through the ends), never by recursion on the kernel stack.

use super::counts::{Counted, Kind as CountedKind};
use super::handle::{Handle, HandleCount, HandleObject};
use super::koid;
use super::Object;
use crate::task::lock::IrqMutex;
use crate::task::thread::{Thread, WakeReason};
use crate::task::wait::{self, Signals};
use crate::task::{percpu, sched};
use alloc::collections::VecDeque;
use alloc::sync::Arc;
use alloc::vec::Vec;
use libzircon::prelude::*;
use libzircon::Status;
use spin::Mutex;

/// More messages than this queued at one side is a policy exception for the writer
/// (`ZX_EXCP_POLICY_CODE_CHANNEL_FULL_WRITE`; Zircon's kMaxPendingMessageCount).
pub const MAX_PENDING: usize = 3500;

/// The bit every txid `zx_channel_call` hands out has; writers use txids below it.
const CALL_TXID_BIT: u32 = 0x8000_0000;

/// One message: its bytes and the handles it carries (each still counted).
pub struct Message {
    pub bytes: Vec<u8>,
    pub handles: Vec<Handle<Object>>,
}

impl Message {
    /// The transaction id: its first four bytes (0 if it has fewer).
    pub fn txid(&self) -> u32 {
        match self.bytes.get(..4) {
            Some(b) => u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            None => 0,
        }
    }

    fn set_txid(&mut self, txid: u32) {
        if let Some(b) = self.bytes.get_mut(..4) {
            b.copy_from_slice(&txid.to_le_bytes());
        }
    }
}

impl Drop for Message {
    /// A message destroyed on its own (a discarded read, a failed write, a reply too
    /// large): ends it held the last handles to are reaped here.
    fn drop(&mut self) {
        let mut list = None;
        close_handles(core::mem::take(&mut self.handles), &mut list);
        if let Some(end) = list {
            reap(end);
        }
    }
}

/// A `zx_channel_call` waiting at a side for its reply.
struct CallWaiter {
    txid: u32,
    /// The caller's (thread, wait number) while it is blocked.
    wake: Option<(Arc<Thread>, u64)>,
    /// The reply, or why there will be none (PEER_CLOSED, CANCELED).
    outcome: Option<Result<Message, Status>>,
}

#[derive(Default)]
struct Side {
    /// Messages written by the other end, waiting to be read here.
    queue: VecDeque<Message>,
    /// The last handle to this end is gone.
    closed: bool,
    /// Calls made through this end, waiting for replies.
    calls: Vec<CallWaiter>,
    /// The last call txid handed out here (without its high bit).
    txid_counter: u32,
}

impl Side {
    fn waiter(&mut self, txid: u32) -> Option<&mut CallWaiter> {
        self.calls.iter_mut().find(|w| w.txid == txid)
    }

    fn remove_waiter(&mut self, txid: u32) -> Option<CallWaiter> {
        let at = self.calls.iter().position(|w| w.txid == txid)?;
        Some(self.calls.swap_remove(at))
    }

    /// Ends every call waiting here with `status` (their replies will not come).
    fn end_calls(&mut self, status: Status) {
        for w in self.calls.iter_mut().filter(|w| w.outcome.is_none()) {
            w.outcome = Some(Err(status));
            if let Some((thread, seq)) = &w.wake {
                sched::wake(thread, *seq, WakeReason::Signaled);
            }
        }
    }
}

/// What the two ends share.
struct Pair {
    koids: [zx_koid_t; 2],
    signals: [Signals; 2],
    /// Lock: `lockorder::CHANNEL`. Never held across a user copy, a block, or the
    /// destruction of a message (which may take another pair's lock).
    sides: IrqMutex<[Side; 2]>,
}

/// One end of a channel (ZX_OBJ_TYPE_CHANNEL).
pub struct ChannelEnd {
    pair: Arc<Pair>,
    side: usize,
    /// Its handles (ZX_INFO_HANDLE_COUNT).
    pub handle_count: HandleCount,
    /// [`reap`]'s list: the next end whose queue waits to be closed. Lock: taken alone.
    reap_next: Mutex<Option<Arc<ChannelEnd>>>,
    _counted: Counted,
}

/// How a call's wait ended, besides with a reply.
pub enum CallError {
    /// TIMED_OUT, PEER_CLOSED, CANCELED, ...: the call is over.
    Failed(Status),
    /// The thread was suspended or killed: the call stays registered, so that
    /// `zx_channel_call_finish` can wait again for the same reply.
    Interrupted,
}

impl ChannelEnd {
    /// A new channel: two ends, both WRITABLE. (The syscall asks the heap for headroom
    /// first, as for every new object.)
    pub fn pair() -> (Arc<ChannelEnd>, Arc<ChannelEnd>) {
        let pair = Arc::new(Pair {
            koids: [koid::next(), koid::next()],
            signals: [
                Signals::new(ZX_CHANNEL_WRITABLE),
                Signals::new(ZX_CHANNEL_WRITABLE),
            ],
            sides: IrqMutex::new(crate::lockorder::CHANNEL, Default::default()),
        });
        let end = |side| {
            Arc::new(ChannelEnd {
                pair: pair.clone(),
                side,
                handle_count: HandleCount::new(),
                reap_next: Mutex::new(None),
                _counted: Counted::new(CountedKind::Channel),
            })
        };
        (end(0), end(1))
    }

    pub fn koid(&self) -> zx_koid_t {
        self.pair.koids[self.side]
    }

    pub fn peer_koid(&self) -> zx_koid_t {
        self.pair.koids[1 - self.side]
    }

    pub fn signals(&self) -> &Signals {
        &self.pair.signals[self.side]
    }

    /// Writes `message` to the other end. Ok(true) if the other end's queue is now over
    /// [`MAX_PENDING`] (the caller raises the policy exception). On failure the message
    /// is destroyed, its handles closed.
    pub fn write(&self, message: Message) -> Result<bool, Status> {
        let mut message = Some(message);
        let result = self.deliver(&mut message);
        drop(message);
        result
    }

    /// Hands `message` to a call waiting for it at the other end, or queues it there;
    /// on failure it is left in `message` for the caller to destroy outside the lock.
    fn deliver(&self, message: &mut Option<Message>) -> Result<bool, Status> {
        let (mine, peer) = (self.side, 1 - self.side);
        let mut sides = self.pair.sides.lock();
        Self::deliver_locked(&self.pair, &mut sides, mine, peer, message)
    }

    fn deliver_locked(
        pair: &Pair,
        sides: &mut [Side; 2],
        mine: usize,
        peer: usize,
        message: &mut Option<Message>,
    ) -> Result<bool, Status> {
        if sides[mine].closed {
            // Our last handle went while we were writing (closed or moved away).
            return Err(Status::BAD_HANDLE);
        }
        if sides[peer].closed {
            return Err(Status::PEER_CLOSED);
        }
        let txid = message.as_ref().map_or(0, Message::txid);
        if txid & CALL_TXID_BIT != 0 {
            if let Some(w) = sides[peer].waiter(txid).filter(|w| w.outcome.is_none()) {
                w.outcome = message.take().map(Ok);
                if let Some((thread, seq)) = &w.wake {
                    sched::wake(thread, *seq, WakeReason::Signaled);
                }
                return Ok(false);
            }
        }
        let queue = &mut sides[peer].queue;
        queue.try_reserve(1).map_err(|_| Status::NO_MEMORY)?;
        if let Some(m) = message.take() {
            queue.push_back(m);
        }
        let full = queue.len() > MAX_PENDING;
        pair.signals[peer].update(0, ZX_CHANNEL_READABLE);
        Ok(full)
    }

    /// Takes the first message queued here if it fits in `max_bytes` and `max_handles`.
    /// Too large: Err(BUFFER_TOO_SMALL) with its sizes, and with `may_discard` it is
    /// dequeued and destroyed (`discarded`, for the caller to drop). Empty: SHOULD_WAIT,
    /// or PEER_CLOSED once the other end is gone.
    pub fn read(
        &self,
        max_bytes: usize,
        max_handles: usize,
        may_discard: bool,
    ) -> Result<Message, ReadError> {
        let (mine, peer) = (self.side, 1 - self.side);
        let mut sides = self.pair.sides.lock();
        let Some(first) = sides[mine].queue.front() else {
            return Err(ReadError::Status(if sides[peer].closed {
                Status::PEER_CLOSED
            } else {
                Status::SHOULD_WAIT
            }));
        };
        let (bytes, handles) = (first.bytes.len(), first.handles.len());
        let fits = bytes <= max_bytes && handles <= max_handles;
        if !fits && !may_discard {
            return Err(ReadError::TooSmall {
                bytes,
                handles,
                discarded: None,
            });
        }
        let message = sides[mine].queue.pop_front();
        if sides[mine].queue.is_empty() {
            self.pair.signals[mine].update(ZX_CHANNEL_READABLE, 0);
        }
        drop(sides);
        match message {
            Some(m) if fits => Ok(m),
            discarded => Err(ReadError::TooSmall {
                bytes,
                handles,
                discarded,
            }),
        }
    }

    /// The first half of `zx_channel_call`: gives the request a txid unique among the
    /// calls waiting here, registers the wait and writes the request. Ok((txid, full)),
    /// `full` as for [`Self::write`]. On failure the request is destroyed.
    pub fn call_start(&self, request: Message) -> Result<(u32, bool), Status> {
        let (mine, peer) = (self.side, 1 - self.side);
        let mut request = Some(request);
        let result = {
            let mut sides = self.pair.sides.lock();
            self.call_start_locked(&mut sides, mine, peer, &mut request)
        };
        drop(request);
        result
    }

    fn call_start_locked(
        &self,
        sides: &mut [Side; 2],
        mine: usize,
        peer: usize,
        request: &mut Option<Message>,
    ) -> Result<(u32, bool), Status> {
        if sides[peer].closed {
            return Err(Status::PEER_CLOSED);
        }
        sides[mine]
            .calls
            .try_reserve(1)
            .map_err(|_| Status::NO_MEMORY)?;
        let side = &mut sides[mine];
        let txid = loop {
            side.txid_counter = side.txid_counter.wrapping_add(1);
            let txid = side.txid_counter | CALL_TXID_BIT;
            if side.waiter(txid).is_none() {
                break txid;
            }
        };
        if let Some(m) = request.as_mut() {
            m.set_txid(txid);
        }
        let full = Self::deliver_locked(&self.pair, sides, mine, peer, request)?;
        sides[mine].calls.push(CallWaiter {
            txid,
            wake: None,
            outcome: None,
        });
        Ok((txid, full))
    }

    /// Waits (`ZX_THREAD_STATE_BLOCKED_CHANNEL`) for the reply to call `txid` made
    /// through this end, until `deadline`.
    pub fn call_wait(&self, txid: u32, deadline: i64) -> Result<Message, CallError> {
        let Some(thread) = percpu::current() else {
            return Err(CallError::Failed(Status::BAD_STATE));
        };
        let mine = self.side;
        loop {
            let seq = wait::prepare_wait(&thread);
            {
                let mut sides = self.pair.sides.lock();
                let Some(w) = sides[mine].waiter(txid) else {
                    drop(sides);
                    wait::end_wait(&thread);
                    return Err(CallError::Failed(Status::BAD_STATE));
                };
                if w.outcome.is_some() {
                    let outcome = sides[mine].remove_waiter(txid).and_then(|w| w.outcome);
                    drop(sides);
                    wait::end_wait(&thread);
                    return outcome
                        .unwrap_or(Err(Status::BAD_STATE))
                        .map_err(CallError::Failed);
                }
                w.wake = Some((thread.clone(), seq));
            }
            thread.set_state(ZX_THREAD_STATE_BLOCKED_CHANNEL);
            let reason = wait::block(&thread, seq, deadline);
            thread.set_state(ZX_THREAD_STATE_RUNNING);
            let mut sides = self.pair.sides.lock();
            let outcome = match sides[mine].waiter(txid) {
                Some(w) => {
                    w.wake = None;
                    w.outcome.is_some()
                }
                None => true,
            };
            let ended = match reason {
                _ if outcome => sides[mine].remove_waiter(txid).and_then(|w| w.outcome),
                WakeReason::TimedOut => {
                    sides[mine].remove_waiter(txid);
                    Some(Err(Status::TIMED_OUT))
                }
                WakeReason::Killed => return Err(CallError::Interrupted),
                WakeReason::Signaled => continue,
            };
            drop(sides);
            return ended
                .unwrap_or(Err(Status::BAD_STATE))
                .map_err(CallError::Failed);
        }
    }

    /// Gives up call `txid` (its thread died, or the call was abandoned): a reply that
    /// came meanwhile is destroyed; one that comes later is queued as an ordinary message.
    pub fn call_abandon(&self, txid: u32) {
        let removed = self.pair.sides.lock()[self.side].remove_waiter(txid);
        drop(removed);
    }

    /// Whether the other end has closed (an exception channel's handler end is gone).
    pub fn peer_closed(&self) -> bool {
        self.pair.sides.lock()[1 - self.side].closed
    }

    /// zx_object_signal_peer: PEER_CLOSED once the other end is gone.
    pub fn signal_peer(&self, clear: zx_signals_t, set: zx_signals_t) -> Result<(), Status> {
        let peer = 1 - self.side;
        let sides = self.pair.sides.lock();
        if sides[peer].closed {
            return Err(Status::PEER_CLOSED);
        }
        self.pair.signals[peer].update(clear, set);
        Ok(())
    }

    /// The last handle to this end is gone: the end closes (its queue and calls end, the
    /// peer sees PEER_CLOSED); returns its queued messages for [`reap`] to destroy.
    fn close(&self) -> VecDeque<Message> {
        let (mine, peer) = (self.side, 1 - self.side);
        let mut sides = self.pair.sides.lock();
        sides[mine].closed = true;
        let queue = core::mem::take(&mut sides[mine].queue);
        sides[mine].end_calls(Status::CANCELED);
        self.pair.signals[mine].update(ZX_CHANNEL_READABLE, 0);
        if !sides[peer].closed {
            sides[peer].end_calls(Status::PEER_CLOSED);
            self.pair.signals[peer].update(ZX_CHANNEL_WRITABLE, ZX_CHANNEL_PEER_CLOSED);
        }
        queue
    }
}

/// A call registered at an end and not over: kept on its thread while a suspension has
/// interrupted it, for `zx_channel_call_finish`. Dropping it gives the call up.
pub struct PendingCall {
    /// None once the call is over.
    call: Option<(Arc<ChannelEnd>, u32)>,
}

impl PendingCall {
    pub fn new(end: Arc<ChannelEnd>, txid: u32) -> Self {
        PendingCall {
            call: Some((end, txid)),
        }
    }

    /// The end the call was made through (`call_wait` takes it from here).
    pub fn wait(&self, deadline: i64) -> Result<Message, CallError> {
        match &self.call {
            Some((end, txid)) => end.call_wait(*txid, deadline),
            None => Err(CallError::Failed(Status::BAD_STATE)),
        }
    }

    /// The call ended (`call_wait` has removed it): nothing to give up.
    pub fn finished(mut self) {
        self.call = None;
    }
}

impl Drop for PendingCall {
    fn drop(&mut self) {
        if let Some((end, txid)) = self.call.take() {
            end.call_abandon(txid);
        }
    }
}

/// Why a read took no message.
pub enum ReadError {
    /// SHOULD_WAIT or PEER_CLOSED.
    Status(Status),
    /// The first message is larger than the buffers: its sizes, and the message if
    /// MAY_DISCARD dequeued it (dropping it closes its handles).
    TooSmall {
        bytes: usize,
        handles: usize,
        discarded: Option<Message>,
    },
}

/// Closes `end` (its last handle is gone; it may head a list of more such ends) and
/// destroys the messages queued at it; ends whose last handle was in one of those
/// messages are closed in the same loop.
pub fn reap(end: Arc<ChannelEnd>) {
    let mut list = Some(end);
    while let Some(end) = list.take() {
        list = end.reap_next.lock().take();
        for mut message in end.close() {
            close_handles(core::mem::take(&mut message.handles), &mut list);
        }
    }
}

/// Closes handles taken out of a message. A channel end whose last handle this was goes
/// on `list`, the [`reap`] loop's list (allocation-free, so no recursion and no failure);
/// any other object runs its own last-handle hook.
fn close_handles(handles: Vec<Handle<Object>>, list: &mut Option<Arc<ChannelEnd>>) {
    for handle in handles {
        match handle.release() {
            Some(Object::Channel(end)) => {
                *end.reap_next.lock() = list.take();
                *list = Some(end);
            }
            Some(other) => other.on_zero_handles(),
            None => {}
        }
    }
}
