//! Ports (digest part 2, section 5): a queue of packets that threads take in FIFO order
//! (zx_port_wait), fed by zx_port_queue (user packets) and by observers that
//! zx_object_wait_async registers on other objects' signals (signal packets).
//!
//! Ownership, so that closing either side in any order frees everything and nothing
//! forms a cycle:
//! - A [`Port`] (what handles hold) owns a [`PortQueue`] (packets, waiting threads).
//! - A [`PortObserver`] lives in the watched object's `Signals` and holds the queue, not
//!   the port. It carries its packet, allocated at registration, and the queue keeps room
//!   for one more entry per armed observer, so firing (under the signals' lock, IRQs
//!   masked) never allocates.
//! - The port remembers the signals it registered on, weakly ([`WeakSignals`]). When the
//!   port goes (its last handle and reference), it takes its observers back out of each:
//!   then nothing holds the queue and its packets are freed. Zircon does this in the
//!   port's on_zero_handles; we have no handle count yet, so it is the port's Drop.
//! - An observer goes when it fires (one-shot), when zx_port_cancel or the close of the
//!   handle it was made through removes it, or with the watched object.

use super::counts::{Counted, Kind as CountedKind};
use super::handle::HandleCount;
use super::koid;
use crate::mm::frames::NoMemory;
use crate::task::lock::IrqMutex;
use crate::task::thread::{Thread, WakeReason};
use crate::task::wait::{self, Signals, WeakSignals};
use crate::task::{percpu, sched};
use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicUsize, Ordering};
use libzircon::prelude::*;
use libzircon::Status;
use spin::Mutex;

/// User packets a port may hold; zx_port_queue on a port holding more raises
/// ZX_EXCP_POLICY_CODE_PORT_TOO_MANY_PACKETS (Zircon compares with `>`, so the 4097th is
/// still queued).
pub const MAX_USER_PACKETS: usize = 4096;

/// Fuchsia's default limit of armed observers per port.
pub const DEFAULT_MAX_OBSERVERS: usize = 50_000;

/// The limit of armed observers per port: the command line's `max_port_observers`.
static MAX_OBSERVERS: AtomicUsize = AtomicUsize::new(DEFAULT_MAX_OBSERVERS);

pub fn set_max_observers(limit: usize) {
    MAX_OBSERVERS.store(limit, Ordering::Relaxed);
}

/// A queued packet, and for a signal packet the handle its wait came through
/// (zx_port_cancel removes queued packets by handle and key).
struct Queued {
    packet: zx_port_packet_t,
    origin: Option<(zx_koid_t, zx_handle_t)>,
}

/// One packet on the heap, allocated fallibly (stable Rust's `Box::new` aborts when the
/// heap is full): a one-element boxed slice. Queues hold these, so a long queue is an
/// array of pointers, not one large block.
struct PacketBox(Box<[Queued]>);

impl PacketBox {
    fn new(queued: Queued) -> Result<PacketBox, NoMemory> {
        let mut v = Vec::new();
        v.try_reserve_exact(1).map_err(|_| NoMemory)?;
        v.push(queued);
        Ok(PacketBox(v.into_boxed_slice()))
    }

    fn get(&self) -> &Queued {
        &self.0[0]
    }

    fn get_mut(&mut self) -> &mut Queued {
        &mut self.0[0]
    }
}

struct QueueState {
    packets: VecDeque<PacketBox>,
    /// Observers registered and neither fired nor removed. `packets` always has room for
    /// this many more entries.
    armed: usize,
    /// User packets in `packets`.
    user_packets: usize,
    /// Threads in zx_port_wait (thread, wait number), first come first served.
    waiters: VecDeque<(Arc<Thread>, u64)>,
}

/// A port's packets and waiting threads.
pub struct PortQueue {
    /// Lock: `lockorder::PORT`, IRQs masked (taken inside an object's signals lock when an
    /// observer fires).
    state: IrqMutex<QueueState>,
}

impl QueueState {
    fn push(&mut self, packet: PacketBox) {
        self.packets.push_back(packet);
        self.wake_one();
    }

    /// Wakes the longest waiting thread; it takes a packet if one is still there.
    fn wake_one(&mut self) {
        if let Some((thread, seq)) = self.waiters.pop_front() {
            sched::wake(&thread, seq, WakeReason::Signaled);
        }
    }

    fn pop(&mut self) -> Option<zx_port_packet_t> {
        let b = self.packets.pop_front()?;
        if b.get().origin.is_none() {
            self.user_packets -= 1;
        }
        // Give back the room a burst needed, keeping what armed observers are owed.
        let needed = self.packets.len() + self.armed;
        if self.packets.capacity() > 64 && needed < self.packets.capacity() / 4 {
            self.packets.shrink_to((needed * 2).max(64));
        }
        Some(b.get().packet)
    }
}

impl PortQueue {
    fn disarm(&self) {
        let mut q = self.state.lock();
        q.armed = q.armed.saturating_sub(1);
    }
}

/// A port's observer on an object's signals (Zircon's PortObserver): one-shot.
pub struct PortObserver {
    port: Arc<PortQueue>,
    /// None once queued.
    packet: Option<PacketBox>,
    pub trigger: zx_signals_t,
    /// ZX_WAIT_ASYNC_EDGE: fires only on a rise after registration.
    pub edge: bool,
    timestamp: bool,
    /// (process koid, handle value) the wait came through.
    pub via: (zx_koid_t, zx_handle_t),
    key: u64,
    /// Counted in its port's armed observers.
    armed: bool,
}

impl PortObserver {
    pub fn is_for(&self, port: &PortQueue) -> bool {
        core::ptr::eq(&*self.port, port)
    }

    pub fn key(&self) -> u64 {
        self.key
    }

    /// Queues the packet with `observed`, the object's signals now (with the object's
    /// signals lock held: no allocation, the room was reserved at registration).
    pub fn fire(&mut self, observed: zx_signals_t) {
        let Some(mut packet) = self.packet.take() else {
            return;
        };
        let timestamp = if self.timestamp {
            crate::arch::timer::monotonic_ns() as i64
        } else {
            0
        };
        packet.get_mut().packet = zx_port_packet_t::from_signal(
            self.key,
            zx_packet_signal_t {
                trigger: self.trigger,
                observed,
                count: 1,
                timestamp,
                reserved1: 0,
            },
        );
        let mut q = self.port.state.lock();
        q.armed = q.armed.saturating_sub(1);
        self.armed = false;
        q.push(packet);
    }
}

impl Drop for PortObserver {
    fn drop(&mut self) {
        if self.armed {
            self.port.disarm();
        }
    }
}

/// The signal states a port has observers on (maybe some it no longer has).
struct Sources {
    list: Vec<WeakSignals>,
    /// The length at which dead and repeated entries are dropped next.
    compact_at: usize,
}

/// A zx_port_queue that did not queue.
#[derive(Debug, PartialEq, Eq)]
pub enum QueueError {
    NoMemory,
    /// The port holds more than MAX_USER_PACKETS user packets: a policy exception.
    TooManyPackets,
}

/// zx_port_create's object.
pub struct Port {
    pub koid: zx_koid_t,
    queue: Arc<PortQueue>,
    /// Lock: taken inside the handle table's at most (zx_object_wait_async registers
    /// with it held); nothing is taken inside it.
    sources: Mutex<Sources>,
    /// Its handles (ZX_INFO_HANDLE_COUNT).
    pub handle_count: HandleCount,
    _counted: Counted,
}

impl Port {
    /// A port (ZX_PORT_BIND_TO_INTERRUPT changes nothing until interrupt objects exist).
    pub fn new() -> Arc<Port> {
        Arc::new(Port {
            koid: koid::next(),
            queue: Arc::new(PortQueue {
                state: IrqMutex::new(
                    crate::lockorder::PORT,
                    QueueState {
                        packets: VecDeque::new(),
                        armed: 0,
                        user_packets: 0,
                        waiters: VecDeque::new(),
                    },
                ),
            }),
            sources: Mutex::new(Sources {
                list: Vec::new(),
                compact_at: 64,
            }),
            handle_count: HandleCount::new(),
            _counted: Counted::new(CountedKind::Port),
        })
    }

    /// zx_port_queue after its checks: the type becomes ZX_PKT_TYPE_USER.
    pub fn queue_user(&self, mut packet: zx_port_packet_t) -> Result<(), QueueError> {
        packet.r#type = ZX_PKT_TYPE_USER;
        let b = PacketBox::new(Queued {
            packet,
            origin: None,
        })
        .map_err(|_| QueueError::NoMemory)?;
        let mut q = self.queue.state.lock();
        if q.user_packets > MAX_USER_PACKETS {
            return Err(QueueError::TooManyPackets);
        }
        let room = q.armed + 1;
        q.packets
            .try_reserve(room)
            .map_err(|_| QueueError::NoMemory)?;
        q.user_packets += 1;
        q.push(b);
        Ok(())
    }

    /// zx_port_wait after its checks: the oldest packet, waiting for one until
    /// `deadline` (TIMED_OUT). A kill or suspension ends the wait with
    /// INTERNAL_INTR_RETRY, leaving the packets for others.
    pub fn wait(&self, deadline: i64) -> Result<zx_port_packet_t, Status> {
        let Some(thread) = percpu::current() else {
            return Err(Status::INTERNAL_INTR_RETRY);
        };
        let result = self.wait_as(&thread, deadline);
        thread.set_state(ZX_THREAD_STATE_RUNNING);
        result
    }

    fn wait_as(&self, thread: &Arc<Thread>, deadline: i64) -> Result<zx_port_packet_t, Status> {
        loop {
            let seq = wait::prepare_wait(thread);
            {
                let mut q = self.queue.state.lock();
                if let Some(packet) = q.pop() {
                    drop(q);
                    wait::end_wait(thread);
                    return Ok(packet);
                }
                if q.waiters.try_reserve(1).is_err() {
                    drop(q);
                    wait::end_wait(thread);
                    return Err(Status::NO_MEMORY);
                }
                // Visible before any packet can be queued for it (tests poll for it).
                thread.set_state(ZX_THREAD_STATE_BLOCKED_PORT);
                q.waiters.push_back((thread.clone(), seq));
            }
            let reason = wait::block(thread, seq, deadline);
            let mut q = self.queue.state.lock();
            if let Some(at) = q
                .waiters
                .iter()
                .position(|(t, s)| Arc::ptr_eq(t, thread) && *s == seq)
            {
                q.waiters.remove(at);
            }
            if reason != WakeReason::Killed {
                if let Some(packet) = q.pop() {
                    return Ok(packet);
                }
            }
            if reason == WakeReason::Signaled {
                // Woken for a packet another thread took first: wait again.
                continue;
            }
            // Leaving without a packet: one a wake meant for us goes to the next waiter.
            if !q.packets.is_empty() {
                q.wake_one();
            }
            return Err(if reason == WakeReason::Killed {
                Status::INTERNAL_INTR_RETRY
            } else {
                Status::TIMED_OUT
            });
        }
    }

    /// zx_object_wait_async after its checks: registers an observer of `source` that
    /// queues a packet with `key` when one of `trigger` rises (at once, for a level
    /// trigger already met). Returns true if the port had as many armed observers as
    /// the limit allows already (a policy exception; the observer is registered anyway,
    /// as in Zircon).
    pub fn observe(
        &self,
        source: &Signals,
        via: (zx_koid_t, zx_handle_t),
        key: u64,
        trigger: zx_signals_t,
        options: u32,
    ) -> Result<bool, Status> {
        let packet = PacketBox::new(Queued {
            packet: zx_port_packet_t::default(),
            origin: Some(via),
        })
        .map_err(|_| Status::NO_MEMORY)?;
        let over_limit = {
            let mut q = self.queue.state.lock();
            let room = q.armed + 1;
            q.packets.try_reserve(room).map_err(|_| Status::NO_MEMORY)?;
            let over = q.armed >= MAX_OBSERVERS.load(Ordering::Relaxed);
            q.armed += 1;
            over
        };
        // From here on, dropping the observer gives its place back.
        let observer = PortObserver {
            port: self.queue.clone(),
            packet: Some(packet),
            trigger,
            edge: options & ZX_WAIT_ASYNC_EDGE != 0,
            timestamp: options & ZX_WAIT_ASYNC_TIMESTAMP != 0,
            via,
            key,
            armed: true,
        };
        self.remember(source).map_err(|_| Status::NO_MEMORY)?;
        source
            .observe_port(observer)
            .map_err(|_| Status::NO_MEMORY)?;
        Ok(over_limit)
    }

    /// Notes that `source` may hold observers of this port. Dead and repeated entries are
    /// dropped whenever the list has doubled, so it stays within twice the live objects
    /// observed (amortized O(log n) a registration).
    fn remember(&self, source: &Signals) -> Result<(), NoMemory> {
        let weak = source.downgrade();
        let mut s = self.sources.lock();
        if s.list.last().is_some_and(|last| last.same(&weak)) {
            return Ok(());
        }
        if s.list.len() >= s.compact_at {
            s.list.retain(|w| !w.is_dead());
            s.list.sort_unstable_by_key(WeakSignals::addr);
            s.list.dedup_by(|a, b| a.same(b));
            s.compact_at = (s.list.len() * 2).max(64);
        }
        s.list.try_reserve(1).map_err(|_| NoMemory)?;
        s.list.push(weak);
        Ok(())
    }

    /// zx_port_cancel after its checks: removes the observers of `source` registered
    /// through `via` with `key`, and the packets they queued; whether there were any.
    pub fn cancel(&self, source: &Signals, via: (zx_koid_t, zx_handle_t), key: u64) -> bool {
        // An observer fires under the signals' lock, so it is found in one place or the
        // other.
        let armed = source.cancel_port_key(&self.queue, via, key);
        let mut q = self.queue.state.lock();
        let before = q.packets.len();
        q.packets.retain(|b| {
            let queued = b.get();
            !(queued.origin == Some(via) && queued.packet.key == key)
        });
        armed || q.packets.len() != before
    }
}

impl Drop for Port {
    /// The port's last reference: its observers leave the objects they watch; then
    /// nothing holds the queue and its packets go with it.
    fn drop(&mut self) {
        let list = core::mem::take(&mut self.sources.get_mut().list);
        for source in list {
            source.forget_port(&self.queue);
        }
    }
}
