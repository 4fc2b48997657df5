//! Exception channels and exception objects (Fuchsia's exceptions.md; the syscalls
//! task_create_exception_channel, exception_get_thread, exception_get_process).

use super::{Syscalls, ZxResult};
use crate::object::channel::ChannelEnd;
use crate::object::exception::{Exception, Exceptionate};
use crate::object::Object;
use alloc::sync::Arc;
use libzircon::dispatch::UserPtrMut;
use libzircon::prelude::*;
use libzircon::Status;

/// The rights a task handle needs to have exceptions sent from it: INSPECT (task
/// information), DUPLICATE and TRANSFER (task handles are made and sent), MANAGE_THREAD
/// (the thread is kept stopped); ENUMERATE too for a job or process (reaching its
/// threads).
const TASK_RIGHTS: zx_rights_t =
    ZX_RIGHT_INSPECT | ZX_RIGHT_DUPLICATE | ZX_RIGHT_TRANSFER | ZX_RIGHT_MANAGE_THREAD;

/// zx_task_create_exception_channel, in Zircon's order: options (INVALID_ARGS), the
/// NEW_CHANNEL policy, the handle and its rights (BAD_HANDLE, ACCESS_DENIED), its type
/// (WRONG_TYPE; a thread's debugger channel is INVALID_ARGS), ENUMERATE for a job or
/// process (ACCESS_DENIED), then binding (BAD_STATE once the task is dead,
/// ALREADY_BOUND). The caller's end can only be read: TRANSFER | WAIT | READ.
pub(super) fn create_channel(
    sys: &Syscalls,
    handle: zx_handle_t,
    options: u32,
    out: UserPtrMut<zx_handle_t>,
) -> ZxResult {
    if options & !ZX_EXCEPTION_CHANNEL_DEBUGGER != 0 {
        return Err(Status::INVALID_ARGS);
    }
    sys.enforce_policy(ZX_POL_NEW_CHANNEL)?;
    let entry = sys.lookup(handle)?;
    if entry.rights & TASK_RIGHTS != TASK_RIGHTS {
        return Err(Status::ACCESS_DENIED);
    }
    let debugger = options & ZX_EXCEPTION_CHANNEL_DEBUGGER != 0;
    let task_rights = entry.rights;
    // The task's handles an exception hands out carry the rights this handle has; a
    // thread's handler gets no process handle.
    let (exceptionate, process_rights): (&Exceptionate, zx_rights_t) = match &entry.object {
        Object::Job(job) if debugger => (&job.debug_exceptionate, task_rights),
        Object::Job(job) => (&job.exceptionate, task_rights),
        Object::Process(p) if debugger => (&p.debug_exceptionate, task_rights),
        Object::Process(p) => (&p.exceptionate, task_rights),
        Object::Thread(_) if debugger => return Err(Status::INVALID_ARGS),
        Object::Thread(t) => (&t.exceptionate, 0),
        _ => return Err(Status::WRONG_TYPE),
    };
    let job_or_process = !matches!(entry.object, Object::Thread(_));
    if job_or_process && entry.rights & ZX_RIGHT_ENUMERATE == 0 {
        return Err(Status::ACCESS_DENIED);
    }
    crate::mm::heap::headroom().map_err(|_| Status::NO_MEMORY)?;
    let (kernel_end, user_end) = ChannelEnd::pair();
    exceptionate.bind(kernel_end, task_rights, process_rights)?;
    // If this fails the handler's end closes, which unbinds the channel again.
    sys.add_handle_out(
        Object::Channel(user_end),
        ZX_DEFAULT_CHANNEL_RIGHTS & (ZX_RIGHT_TRANSFER | ZX_RIGHT_WAIT | ZX_RIGHT_READ),
        out,
    )
}

/// The exception a handle names: BAD_HANDLE, WRONG_TYPE (no right is needed).
fn exception_of(sys: &Syscalls, handle: zx_handle_t) -> Result<Arc<Exception>, Status> {
    match sys.lookup(handle)?.object {
        Object::Exception(e) => Ok(e),
        _ => Err(Status::WRONG_TYPE),
    }
}

/// zx_exception_get_thread: a handle to the thread, with the rights of the task handle
/// the handler's channel was created from.
pub(super) fn get_thread(
    sys: &Syscalls,
    handle: zx_handle_t,
    out: UserPtrMut<zx_handle_t>,
) -> ZxResult {
    let (object, rights) = exception_of(sys, handle)?.thread_handle()?;
    sys.add_handle_out(object, rights, out)
}

/// zx_exception_get_process: ACCESS_DENIED for an exception from a thread's channel.
pub(super) fn get_process(
    sys: &Syscalls,
    handle: zx_handle_t,
    out: UserPtrMut<zx_handle_t>,
) -> ZxResult {
    let (object, rights) = exception_of(sys, handle)?.process_handle()?;
    sys.add_handle_out(object, rights, out)
}

/// The exception an object is, for the exception properties: WRONG_TYPE otherwise.
pub(super) fn as_exception(object: &Object) -> Result<&Arc<Exception>, Status> {
    match object {
        Object::Exception(e) => Ok(e),
        _ => Err(Status::WRONG_TYPE),
    }
}
