//! Futexes: wait queues keyed by (process, user address), as Zircon keys them (processes
//! sharing a VMO do not share futexes), with an optional owner thread per futex.
//!
//! One table for the whole kernel, behind one lock (`lockorder::FUTEX`): a requeue moves
//! waiters between two futexes atomically, and waits and wakes are short. The value is
//! read under the lock with page faults disabled; if that faults, the lock is dropped,
//! the page faulted in, and the check made again.

use super::lock::IrqMutex;
use super::thread::{Thread, WakeReason};
use super::wait::{block, prepare_wait};
use super::{percpu, sched};
use crate::arch::user::{self, BadUserAccess};
use crate::lockorder;
use alloc::sync::Arc;
use alloc::vec::Vec;
use libzircon::dispatch::UserPtr;
use libzircon::prelude::*;
use libzircon::Status;

/// A futex is named by its process and its address there.
type Key = (zx_koid_t, usize);

/// A futex word in user memory.
pub type FutexPtr = UserPtr<zx_futex_t>;

struct Waiter {
    key: Key,
    thread: Arc<Thread>,
    seq: u64,
}

struct Table {
    /// In arrival order: wakes take the oldest first.
    waiters: Vec<Waiter>,
    owners: Vec<(Key, Arc<Thread>)>,
}

/// Lock: `lockorder::FUTEX`.
static TABLE: IrqMutex<Table> = IrqMutex::new(
    lockorder::FUTEX,
    Table {
        waiters: Vec::new(),
        owners: Vec::new(),
    },
);

/// NULL or misaligned futex addresses are INVALID_ARGS (so is one outside user space).
pub fn check_address(futex: FutexPtr) -> Result<(), Status> {
    let addr = futex.addr();
    if addr == 0 || !addr.is_multiple_of(4) || !user::is_user_range(addr, 4) {
        return Err(Status::INVALID_ARGS);
    }
    Ok(())
}

fn read_value(futex: FutexPtr) -> Result<i32, BadUserAccess> {
    let mut raw = [0u8; 4];
    user::copy_from_user(&mut raw, futex)?;
    Ok(i32::from_le_bytes(raw))
}

impl Table {
    fn owner(&self, key: Key) -> Option<&Arc<Thread>> {
        self.owners.iter().find(|(k, _)| *k == key).map(|(_, t)| t)
    }

    fn set_owner(&mut self, key: Key, owner: Option<Arc<Thread>>) -> Result<(), Status> {
        self.owners.retain(|(k, _)| *k != key);
        if let Some(owner) = owner {
            self.owners.try_reserve(1).map_err(|_| Status::NO_MEMORY)?;
            self.owners.push((key, owner));
        }
        Ok(())
    }

    fn is_waiting(&self, thread: &Arc<Thread>, keys: &[Key]) -> bool {
        self.waiters
            .iter()
            .any(|w| Arc::ptr_eq(&w.thread, thread) && keys.contains(&w.key))
    }

    /// Wakes up to `count` waiters of `key`; returns the last one woken.
    fn wake(&mut self, key: Key, count: u32) -> Option<Arc<Thread>> {
        let mut left = count;
        let mut last = None;
        let mut i = 0;
        while left > 0 && i < self.waiters.len() {
            if self.waiters[i].key == key {
                let w = self.waiters.remove(i);
                if sched::wake(&w.thread, w.seq, WakeReason::Signaled) {
                    left -= 1;
                    last = Some(w.thread);
                }
            } else {
                i += 1;
            }
        }
        last
    }
}

/// The owner a futex call names: a thread of the caller's process that has started.
/// Errors are returned after the value check, as Zircon does.
pub fn resolve_owner(
    process: &Arc<crate::object::Process>,
    handle: zx_handle_t,
) -> Result<Option<Arc<Thread>>, Status> {
    if handle == ZX_HANDLE_INVALID {
        return Ok(None);
    }
    let entry = process.handles.lock().get(handle).cloned()?;
    let crate::object::Object::Thread(thread) = entry.object else {
        return Err(Status::WRONG_TYPE);
    };
    if thread.process_koid() != process.koid
        || thread.state.load(core::sync::atomic::Ordering::Relaxed) == ZX_THREAD_STATE_NEW
    {
        return Err(Status::INVALID_ARGS);
    }
    let dead = matches!(
        thread.state.load(core::sync::atomic::Ordering::Relaxed),
        ZX_THREAD_STATE_DYING | ZX_THREAD_STATE_DEAD
    );
    Ok((!dead).then_some(thread))
}

/// Checks `*futex == expected` with the table locked, faulting the page in (lock
/// dropped) as often as needed; runs `then` with the table still locked.
fn with_value_checked<R>(
    futex: FutexPtr,
    expected: i32,
    mut then: impl FnMut(&mut Table) -> Result<R, Status>,
) -> Result<R, Status> {
    loop {
        let mut table = TABLE.lock();
        match super::trap::without_paging(|| read_value(futex)) {
            Ok(v) if v != expected => return Err(Status::BAD_STATE),
            Ok(_) => return then(&mut table),
            Err(BadUserAccess::NotUser) => return Err(Status::INVALID_ARGS),
            Err(BadUserAccess::Fault(_)) => {
                drop(table);
                read_value(futex).map_err(|_| Status::INVALID_ARGS)?;
            }
        }
    }
}

/// zx_futex_wait, after the address and owner handle have been checked.
pub fn wait(
    process: &Arc<crate::object::Process>,
    futex: FutexPtr,
    expected: i32,
    owner: Result<Option<Arc<Thread>>, Status>,
    deadline: i64,
) -> Result<(), Status> {
    let Some(thread) = percpu::current() else {
        return Err(Status::BAD_STATE);
    };
    let key = (process.koid, futex.addr());
    let seq = with_value_checked(futex, expected, |table| {
        let owner = owner.clone()?;
        if let Some(o) = &owner {
            if Arc::ptr_eq(o, &thread) || table.is_waiting(o, &[key]) {
                return Err(Status::INVALID_ARGS);
            }
        }
        table
            .waiters
            .try_reserve(1)
            .map_err(|_| Status::NO_MEMORY)?;
        table.set_owner(key, owner)?;
        let seq = prepare_wait(&thread);
        table.waiters.push(Waiter {
            key,
            thread: thread.clone(),
            seq,
        });
        thread.set_state(ZX_THREAD_STATE_BLOCKED_FUTEX);
        Ok(seq)
    })?;
    let reason = block(&thread, seq, deadline);
    thread.set_state(ZX_THREAD_STATE_RUNNING);
    if reason != WakeReason::Signaled {
        // Still queued (a wake removes what it wakes): leave, wherever a requeue put us.
        TABLE
            .lock()
            .waiters
            .retain(|w| !(Arc::ptr_eq(&w.thread, &thread) && w.seq == seq));
    }
    match reason {
        WakeReason::Signaled => Ok(()),
        WakeReason::TimedOut => Err(Status::TIMED_OUT),
        WakeReason::Killed => Err(Status::INTERNAL_INTR_RETRY),
    }
}

/// zx_futex_wake (single_owner: wake one and make it the owner).
pub fn wake(
    process_koid: zx_koid_t,
    futex: FutexPtr,
    count: u32,
    single_owner: bool,
) -> Result<(), Status> {
    check_address(futex)?;
    let key = (process_koid, futex.addr());
    let mut table = TABLE.lock();
    let woken = table.wake(key, if single_owner { 1 } else { count });
    let owner = if single_owner { woken } else { None };
    // Clearing never allocates; setting an owner reuses the slot just cleared.
    let _ = table.set_owner(key, owner);
    Ok(())
}

/// zx_futex_requeue, after the addresses have been checked.
#[allow(clippy::too_many_arguments)]
pub fn requeue(
    process: &Arc<crate::object::Process>,
    futex: FutexPtr,
    wake_count: u32,
    expected: i32,
    requeue_futex: FutexPtr,
    requeue_count: u32,
    requeue_owner: Result<Option<Arc<Thread>>, Status>,
    single_owner: bool,
) -> Result<(), Status> {
    let key = (process.koid, futex.addr());
    let target = (process.koid, requeue_futex.addr());
    with_value_checked(futex, expected, |table| {
        let owner = requeue_owner.clone()?;
        if let Some(o) = &owner {
            if table.is_waiting(o, &[key, target]) {
                return Err(Status::INVALID_ARGS);
            }
        }
        let woken = table.wake(key, if single_owner { 1 } else { wake_count });
        let _ = table.set_owner(key, if single_owner { woken } else { None });
        let moving = table.waiters.iter_mut().filter(|w| w.key == key);
        for w in moving.take(requeue_count as usize) {
            w.key = target;
        }
        let anyone = table.waiters.iter().any(|w| w.key == target);
        table.set_owner(target, if anyone { owner } else { None })
    })
}

/// zx_futex_get_owner.
pub fn owner_koid(process_koid: zx_koid_t, futex: FutexPtr) -> zx_koid_t {
    TABLE
        .lock()
        .owner((process_koid, futex.addr()))
        .map_or(ZX_KOID_INVALID, |t| t.koid)
}
