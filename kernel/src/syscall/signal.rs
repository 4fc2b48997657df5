//! Signals, events, event pairs, timers, zx_object_wait_many and zx_task_kill (digest part
//! 2, sections 2.6, 4 and 8).

use super::{copy_in, copy_out, Syscalls, ZxResult};
use crate::object::{Event, EventPairEnd, Object, Timer};
use crate::task::wait::{self, WaitEnd, WaitItem};
use crate::task::{percpu, Exit};
use alloc::vec::Vec;
use libzircon::dispatch::UserPtrMut;
use libzircon::prelude::*;
use libzircon::Status;

pub fn event_create(sys: &Syscalls, options: u32, out: UserPtrMut<zx_handle_t>) -> ZxResult {
    if options != 0 {
        return Err(Status::INVALID_ARGS);
    }
    sys.enforce_policy(ZX_POL_NEW_EVENT)?;
    sys.add_handle_out(Object::Event(Event::new()), ZX_DEFAULT_EVENT_RIGHTS, out)
}

pub fn eventpair_create(
    sys: &Syscalls,
    options: u32,
    out0: UserPtrMut<zx_handle_t>,
    out1: UserPtrMut<zx_handle_t>,
) -> ZxResult {
    if options != 0 {
        return Err(Status::NOT_SUPPORTED);
    }
    sys.enforce_policy(ZX_POL_NEW_EVENTPAIR)?;
    let (a, b) = EventPairEnd::pair();
    sys.add_handle_pair_out(
        (Object::EventPair(a), Object::EventPair(b)),
        ZX_DEFAULT_EVENTPAIR_RIGHTS,
        (out0, out1),
    )
}

fn check_mask(allowed: zx_signals_t, clear: u32, set: u32) -> ZxResult {
    if (clear | set) & !allowed != 0 {
        return Err(Status::INVALID_ARGS);
    }
    Ok(())
}

pub fn object_signal(sys: &Syscalls, handle: zx_handle_t, clear: u32, set: u32) -> ZxResult {
    let entry = sys.lookup(handle)?;
    if entry.rights & ZX_RIGHT_SIGNAL == 0 {
        return Err(Status::ACCESS_DENIED);
    }
    let signals = entry.object.signal_source().ok_or(Status::NOT_SUPPORTED)?;
    check_mask(entry.object.user_signals(), clear, set)?;
    signals.update(clear, set);
    Ok(())
}

pub fn object_signal_peer(sys: &Syscalls, handle: zx_handle_t, clear: u32, set: u32) -> ZxResult {
    let entry = sys.lookup(handle)?;
    if entry.rights & ZX_RIGHT_SIGNAL_PEER == 0 {
        return Err(Status::ACCESS_DENIED);
    }
    match &entry.object {
        Object::EventPair(end) => {
            check_mask(ZX_USER_SIGNAL_ALL | ZX_EVENTPAIR_SIGNALED, clear, set)?;
            let peer = end.peer().ok_or(Status::PEER_CLOSED)?;
            peer.signals.update(clear, set);
            Ok(())
        }
        Object::Channel(end) => {
            check_mask(ZX_USER_SIGNAL_ALL, clear, set)?;
            end.signal_peer(clear, set)
        }
        _ => Err(Status::NOT_SUPPORTED),
    }
}

/// The size of a zx_wait_item_t (handle, waitfor, pending).
const ITEM: usize = core::mem::size_of::<zx_wait_item_t>();

pub fn object_wait_many(
    sys: &Syscalls,
    items: UserPtrMut<zx_wait_item_t>,
    count: usize,
    deadline: i64,
) -> ZxResult {
    if count == 0 {
        percpu::with_current(|t| t.set_state(ZX_THREAD_STATE_BLOCKED_WAIT_MANY));
        let slept = wait::sleep_until(deadline);
        percpu::with_current(|t| t.set_state(ZX_THREAD_STATE_RUNNING));
        return Err(if slept {
            Status::TIMED_OUT
        } else {
            Status::INTERNAL_INTR_RETRY
        });
    }
    if count > ZX_WAIT_MANY_MAX_ITEMS {
        return Err(Status::OUT_OF_RANGE);
    }
    let mut raw = [0u8; ZX_WAIT_MANY_MAX_ITEMS * ITEM];
    copy_in(&mut raw[..count * ITEM], items)?;
    let word = |i: usize, f: usize| {
        let at = i * ITEM + f * 4;
        u32::from_le_bytes([raw[at], raw[at + 1], raw[at + 2], raw[at + 3]])
    };
    let mut entries = Vec::new();
    entries.try_reserve(count).map_err(|_| Status::NO_MEMORY)?;
    for i in 0..count {
        let entry = sys.lookup(word(i, 0))?;
        if entry.rights & ZX_RIGHT_WAIT == 0 {
            return Err(Status::ACCESS_DENIED);
        }
        if entry.object.signal_source().is_none() {
            return Err(Status::NOT_SUPPORTED);
        }
        entries.push(entry);
    }
    let mut waits = Vec::new();
    waits.try_reserve(count).map_err(|_| Status::NO_MEMORY)?;
    for (i, entry) in entries.iter().enumerate() {
        if let Some(signals) = entry.object.signal_source() {
            waits.push(WaitItem {
                signals,
                mask: word(i, 1),
                via: word(i, 0),
            });
        }
    }
    let mut pending = [0u32; ZX_WAIT_MANY_MAX_ITEMS];
    percpu::with_current(|t| t.set_state(ZX_THREAD_STATE_BLOCKED_WAIT_MANY));
    let end = wait::wait_signals(&waits, deadline, &mut pending[..count]);
    percpu::with_current(|t| t.set_state(ZX_THREAD_STATE_RUNNING));
    let result = match end {
        WaitEnd::Satisfied => Ok(()),
        WaitEnd::TimedOut => Err(Status::TIMED_OUT),
        WaitEnd::Killed => return Err(Status::INTERNAL_INTR_RETRY),
        WaitEnd::NoMemory => return Err(Status::NO_MEMORY),
    };
    for (i, p) in pending[..count].iter().enumerate() {
        let pending = items
            .checked_index(i)
            .and_then(|item| item.checked_byte_add(core::mem::offset_of!(zx_wait_item_t, pending)))
            .ok_or(Status::INVALID_ARGS)?;
        copy_out(pending, &p.to_le_bytes())?;
    }
    if pending[..count]
        .iter()
        .any(|p| p & ZX_SIGNAL_HANDLE_CLOSED != 0)
    {
        return Err(Status::CANCELED);
    }
    result
}

pub fn timer_create(
    sys: &Syscalls,
    options: u32,
    clock: u32,
    out: UserPtrMut<zx_handle_t>,
) -> ZxResult {
    if clock != ZX_CLOCK_MONOTONIC {
        return Err(Status::INVALID_ARGS);
    }
    sys.enforce_policy(ZX_POL_NEW_TIMER)?;
    if options > ZX_TIMER_SLACK_LATE {
        return Err(Status::INVALID_ARGS);
    }
    sys.add_handle_out(
        Object::Timer(Timer::new(options)),
        ZX_DEFAULT_TIMER_RIGHTS,
        out,
    )
}

/// The timer a handle names, with `right`: BAD_HANDLE, WRONG_TYPE, ACCESS_DENIED.
pub(super) fn timer_of(
    sys: &Syscalls,
    handle: zx_handle_t,
    right: zx_rights_t,
) -> Result<alloc::sync::Arc<Timer>, Status> {
    let entry = sys.lookup(handle)?;
    let Object::Timer(timer) = entry.object else {
        return Err(Status::WRONG_TYPE);
    };
    if entry.rights & right == 0 {
        return Err(Status::ACCESS_DENIED);
    }
    Ok(timer)
}

pub fn timer_set(sys: &Syscalls, handle: zx_handle_t, deadline: i64, slack: i64) -> ZxResult {
    if slack < 0 {
        return Err(Status::OUT_OF_RANGE);
    }
    timer_of(sys, handle, ZX_RIGHT_WRITE)?.set(deadline, slack)
}

pub fn timer_cancel(sys: &Syscalls, handle: zx_handle_t) -> ZxResult {
    timer_of(sys, handle, ZX_RIGHT_WRITE)?.cancel();
    Ok(())
}

/// zx_task_kill: jobs and processes (decision 10: a thread is WRONG_TYPE). A process
/// that kills itself does not return; one that kills a job it is in leaves on its way
/// out of the syscall, like any thread of a killed process.
pub fn task_kill(sys: &Syscalls, handle: zx_handle_t) -> ZxResult {
    let entry = sys.lookup(handle)?;
    if entry.rights & ZX_RIGHT_DESTROY == 0 {
        return Err(Status::ACCESS_DENIED);
    }
    if let Object::Job(job) = &entry.object {
        job.kill(ZX_TASK_RETCODE_SYSCALL_KILL);
        return Ok(());
    }
    let Object::Process(process) = &entry.object else {
        return Err(Status::WRONG_TYPE);
    };
    process.kill_with(Exit::Exited(ZX_TASK_RETCODE_SYSCALL_KILL));
    if alloc::sync::Arc::ptr_eq(process, sys.process) {
        drop(entry);
        crate::task::exit_current();
    }
    Ok(())
}
