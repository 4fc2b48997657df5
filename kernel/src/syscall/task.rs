//! Process, thread, futex and time syscalls.

use super::{copy_in, copy_out, Syscalls, ZxResult};
use crate::object::process::Name;
use crate::object::Object;
use crate::task::futex::{self, FutexPtr};
use crate::task::thread::{Body, Thread, UserStart};
use crate::task::{percpu, wait, Exit};
use libzircon::dispatch::{UserPtr, UserPtrMut};
use libzircon::prelude::*;
use libzircon::Status;

/// zx_process_exit: the whole process ends with `retcode`; this thread goes first.
pub fn process_exit(sys: &Syscalls, retcode: i64) {
    sys.process.kill_with(Exit::Exited(retcode));
    crate::task::exit_current()
}

/// zx_thread_exit.
pub fn thread_exit() {
    crate::task::exit_current()
}

/// Sleeps until `deadline` on the monotonic clock; a deadline in the past returns at once,
/// and one of 0 or below yields the CPU first, as Zircon's does.
pub fn nanosleep(deadline: i64) -> ZxResult {
    if deadline <= 0 {
        crate::task::sched::yield_now();
        return Ok(());
    }
    percpu::with_current(|t| t.set_state(ZX_THREAD_STATE_BLOCKED_SLEEPING));
    let slept = wait::sleep_until(deadline);
    percpu::with_current(|t| t.set_state(ZX_THREAD_STATE_RUNNING));
    if slept {
        Ok(())
    } else {
        Err(Status::INTERNAL_INTR_RETRY)
    }
}

/// zx_thread_create (digest part 2, 2.1).
pub fn thread_create(
    sys: &Syscalls,
    process: zx_handle_t,
    name: UserPtr<c_char>,
    name_size: usize,
    options: u32,
    out: UserPtrMut<zx_handle_t>,
) -> ZxResult {
    if options != 0 || name.is_null() {
        return Err(Status::INVALID_ARGS);
    }
    let mut raw = [0u8; ZX_MAX_NAME_LEN];
    let len = name_size.min(ZX_MAX_NAME_LEN);
    copy_in(&mut raw[..len], name)?;
    let name = Name::from_bytes(&raw[..len]);
    let entry = sys.lookup(process)?;
    let Object::Process(target) = &entry.object else {
        return Err(Status::WRONG_TYPE);
    };
    if entry.rights & ZX_RIGHT_MANAGE_THREAD == 0 {
        return Err(Status::ACCESS_DENIED);
    }
    let thread =
        Thread::new("", Some(target.clone()), Body::User).map_err(|_| Status::NO_MEMORY)?;
    *thread.name.lock() = name;
    sys.add_handle_out(Object::Thread(thread), ZX_DEFAULT_THREAD_RIGHTS, out)
}

/// zx_thread_start (digest part 2, 2.2): the process's state, the entry point and the
/// thread's state are checked in that order by `Process::start_thread`.
pub fn thread_start(
    sys: &Syscalls,
    handle: zx_handle_t,
    entry: usize,
    stack: usize,
    arg1: u64,
    arg2: u64,
) -> ZxResult {
    let thread = sys.lookup_thread(handle, ZX_RIGHT_MANAGE_THREAD)?;
    let Some(process) = &thread.process else {
        return Err(Status::BAD_STATE);
    };
    let start = UserStart {
        entry,
        stack,
        arg1,
        arg2,
    };
    process.start_thread(&thread, start, false)
}

/// zx_futex_wait (digest part 2, 3.1).
pub fn futex_wait(
    sys: &Syscalls,
    value_ptr: FutexPtr,
    current_value: i32,
    new_owner: zx_handle_t,
    deadline: i64,
) -> ZxResult {
    futex::check_address(value_ptr)?;
    let owner = futex::resolve_owner(sys.process, new_owner);
    futex::wait(sys.process, value_ptr, current_value, owner, deadline)
}

/// zx_futex_wake.
pub fn futex_wake(sys: &Syscalls, value_ptr: FutexPtr, wake_count: u32) -> ZxResult {
    futex::wake(sys.process.koid, value_ptr, wake_count, false)
}

/// zx_futex_wake_single_owner.
pub fn futex_wake_single_owner(sys: &Syscalls, value_ptr: FutexPtr) -> ZxResult {
    futex::wake(sys.process.koid, value_ptr, 1, true)
}

/// zx_futex_requeue and zx_futex_requeue_single_owner (digest part 2, 3.3).
#[allow(clippy::too_many_arguments)]
pub fn futex_requeue(
    sys: &Syscalls,
    value_ptr: FutexPtr,
    wake_count: u32,
    current_value: i32,
    requeue_ptr: FutexPtr,
    requeue_count: u32,
    new_requeue_owner: zx_handle_t,
    single_owner: bool,
) -> ZxResult {
    futex::check_address(value_ptr)?;
    futex::check_address(requeue_ptr)?;
    if value_ptr == requeue_ptr {
        return Err(Status::INVALID_ARGS);
    }
    let owner = futex::resolve_owner(sys.process, new_requeue_owner);
    futex::requeue(
        sys.process,
        value_ptr,
        wake_count,
        current_value,
        requeue_ptr,
        requeue_count,
        owner,
        single_owner,
    )
}

/// zx_futex_get_owner.
pub fn futex_get_owner(
    sys: &Syscalls,
    value_ptr: FutexPtr,
    koid: UserPtrMut<zx_koid_t>,
) -> ZxResult {
    futex::check_address(value_ptr)?;
    if koid.is_null() {
        return Err(Status::INVALID_ARGS);
    }
    let owner = futex::owner_koid(sys.process.koid, value_ptr);
    copy_out(koid, &owner.to_le_bytes())
}
