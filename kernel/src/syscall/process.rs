//! Processes and jobs (digest part 2, section 7): process and job creation, starting a
//! process, reading and writing another process's memory, job policies, and
//! zx_object_get_child.

use super::{copy_in, copy_out, Syscalls, ZxResult};
use crate::arch::user;
use crate::object::policy::Request;
use crate::object::process::Name;
use crate::object::{Job, Object, Process, Thread, Vmar};
use crate::task::thread::UserStart;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicBool, Ordering};
use libzircon::dispatch::{UserPtr, UserPtrMut};
use libzircon::prelude::*;
use libzircon::Status;

/// The most bytes one zx_process_read_memory / write_memory moves (Zircon's
/// kMaxDebugReadBlock and kMaxDebugWriteBlock).
const MAX_DEBUG_BLOCK: usize = 64 * 1024 * 1024;

/// The `debugging_syscalls` command-line option (Fuchsia's
/// `kernel.enable-debugging-syscalls`): off by default, set once at boot.
static DEBUGGING_SYSCALLS: AtomicBool = AtomicBool::new(false);

pub fn enable_debugging_syscalls(on: bool) {
    DEBUGGING_SYSCALLS.store(on, Ordering::Relaxed);
}

impl Syscalls<'_> {
    /// A job handle with `right`: BAD_HANDLE, WRONG_TYPE, ACCESS_DENIED.
    pub(super) fn lookup_job(
        &self,
        handle: zx_handle_t,
        right: zx_rights_t,
    ) -> Result<Arc<Job>, Status> {
        let entry = self.lookup(handle)?;
        let Object::Job(job) = entry.object else {
            return Err(Status::WRONG_TYPE);
        };
        if entry.rights & right != right {
            return Err(Status::ACCESS_DENIED);
        }
        Ok(job)
    }

    /// A process handle with all of `rights`: BAD_HANDLE, WRONG_TYPE, ACCESS_DENIED.
    pub(super) fn lookup_process(
        &self,
        handle: zx_handle_t,
        rights: zx_rights_t,
    ) -> Result<Arc<Process>, Status> {
        let entry = self.lookup(handle)?;
        let Object::Process(process) = entry.object else {
            return Err(Status::WRONG_TYPE);
        };
        if entry.rights & rights != rights {
            return Err(Status::ACCESS_DENIED);
        }
        Ok(process)
    }

    /// Applies the caller's job policy for `condition` (a `ZX_POL_NEW_*`): ALLOW goes
    /// on, DENY is ACCESS_DENIED. The EXCEPTION actions do the same and raise a policy
    /// exception (code: the condition, as in Zircon) that the thread takes on its way
    /// back to user mode: unhandled, it kills the process as any exception does. KILL
    /// kills it with ZX_TASK_RETCODE_POLICY_KILL; a killed caller never returns.
    pub(super) fn enforce_policy(&self, condition: u32) -> ZxResult {
        let action = self.process.job.policy().action(condition);
        let raise = || {
            crate::task::trap::raise_policy(
                condition,
                0,
                alloc::format!("policy exception: job policy condition {condition}"),
            )
        };
        match action {
            ZX_POL_ACTION_ALLOW => Ok(()),
            ZX_POL_ACTION_DENY => Err(Status::ACCESS_DENIED),
            ZX_POL_ACTION_ALLOW_EXCEPTION => {
                raise();
                Ok(())
            }
            ZX_POL_ACTION_DENY_EXCEPTION => {
                raise();
                Err(Status::ACCESS_DENIED)
            }
            _ => {
                self.process
                    .kill_with(crate::task::Exit::Exited(ZX_TASK_RETCODE_POLICY_KILL));
                crate::task::exit_current()
            }
        }
    }
}

/// Copies an object name argument (thread and process creation): NULL is INVALID_ARGS
/// even with size 0; at most ZX_MAX_NAME_LEN bytes are read; the name stops at the
/// first NUL and keeps at most 31 bytes.
fn copy_name(name: usize, name_size: usize) -> Result<Name, Status> {
    if name == 0 {
        return Err(Status::INVALID_ARGS);
    }
    let mut raw = [0u8; ZX_MAX_NAME_LEN];
    let len = name_size.min(ZX_MAX_NAME_LEN);
    copy_in(&mut raw[..len], name)?;
    Ok(Name::from_bytes(&raw[..len]))
}

/// zx_process_create (digest 7.1).
pub(super) fn create(
    sys: &Syscalls,
    job: zx_handle_t,
    name: UserPtr<c_char>,
    name_size: usize,
    options: u32,
    proc_handle: UserPtrMut<zx_handle_t>,
    vmar_handle: UserPtrMut<zx_handle_t>,
) -> ZxResult {
    if options != 0 && options != ZX_PROCESS_SHARED {
        return Err(Status::INVALID_ARGS);
    }
    sys.enforce_policy(ZX_POL_NEW_PROCESS)?;
    let name = copy_name(name.addr(), name_size)?;
    let job = sys.lookup_job(job, ZX_RIGHT_MANAGE_PROCESS)?;
    if options & ZX_PROCESS_SHARED != 0 {
        // Shareable address spaces do not exist yet (digest 12.9).
        return Err(Status::NOT_SUPPORTED);
    }
    let process = Process::new(
        name,
        job.clone(),
        crate::random::next_u64(),
        crate::random::next_u64(),
    )
    .map_err(|_| Status::NO_MEMORY)?;
    // From here an error drops the process: it never ran and has no handles, so it
    // dies then and there (Process's Drop takes it out of the job's list).
    job.add_process(&process)?;
    let root = process.vm.root().ok_or(Status::BAD_STATE)?;
    let vmar = Vmar::new(&process, root);
    let (p, v) = {
        let mut table = sys.process.handles.lock();
        let p = table.add(Object::Process(process), ZX_DEFAULT_PROCESS_RIGHTS)?;
        match table.add(Object::Vmar(vmar), root.handle_rights()) {
            Ok(v) => (p, v),
            Err(e) => {
                let removed = table.remove(p);
                drop(table);
                drop(removed);
                return Err(e);
            }
        }
    };
    if copy_out(proc_handle.addr(), &p.to_le_bytes()).is_err()
        || copy_out(vmar_handle.addr(), &v.to_le_bytes()).is_err()
    {
        let removed = {
            let mut table = sys.process.handles.lock();
            (table.remove(p), table.remove(v))
        };
        drop(removed);
        return Err(Status::INVALID_ARGS);
    }
    Ok(())
}

/// zx_process_start (digest 7.2): `arg1` leaves the caller on every path, success or
/// not; on success it is in the new process's table and its value there is in x0.
pub(super) fn start(
    sys: &Syscalls,
    handle: zx_handle_t,
    thread: zx_handle_t,
    entry: zx_vaddr_t,
    stack: zx_vaddr_t,
    arg1: zx_handle_t,
    arg2: uintptr_t,
) -> ZxResult {
    // Removes arg1 from the caller (a value that names nothing removes nothing).
    let take_arg = || sys.process.handles.lock().remove(arg1).ok();
    let process = match sys.lookup_process(handle, ZX_RIGHT_WRITE) {
        Ok(p) => p,
        Err(e) => {
            drop(take_arg());
            return Err(e);
        }
    };
    let thread: Arc<Thread> = match sys.lookup_thread(thread, ZX_RIGHT_WRITE) {
        Ok(t) => t,
        Err(e) => {
            drop(take_arg());
            return Err(e);
        }
    };
    // Decision 14: an arg1 that is not a valid handle starts the thread with x0 = 0.
    let arg = take_arg();
    if !thread
        .process
        .as_ref()
        .is_some_and(|p| Arc::ptr_eq(p, &process))
    {
        return Err(Status::ACCESS_DENIED);
    }
    let mut arg_value = ZX_HANDLE_INVALID;
    if let Some(arg) = arg {
        if arg.rights & ZX_RIGHT_TRANSFER == 0 {
            return Err(Status::ACCESS_DENIED);
        }
        // The handle itself moves (its count stays); refused, it closes outside the lock.
        let inserted = process.handles.lock().insert(arg);
        arg_value = inserted.map_err(|(status, _closed)| status)?;
    }
    let start = UserStart {
        entry,
        stack,
        arg1: u64::from(arg_value),
        arg2: arg2 as u64,
    };
    if let Err(e) = process.start_thread(&thread, start, true) {
        // The handle goes with the start that failed.
        let removed = process.handles.lock().remove(arg_value);
        drop(removed);
        return Err(e);
    }
    Ok(())
}

/// zx_job_create (digest 7.5).
pub(super) fn job_create(
    sys: &Syscalls,
    parent_job: zx_handle_t,
    options: u32,
    out: UserPtrMut<zx_handle_t>,
) -> ZxResult {
    if options != 0 {
        return Err(Status::INVALID_ARGS);
    }
    let parent = sys.lookup_job(parent_job, ZX_RIGHT_MANAGE_JOB)?;
    let child = parent.create_child()?;
    sys.add_handle_out(Object::Job(child), ZX_DEFAULT_JOB_RIGHTS, out)
}

/// zx_process_read_memory (digest 7.7): at most the rest of one mapping is read; the
/// VMO is read with no lock of the target held, so the target may be the caller.
pub(super) fn read_memory(
    sys: &Syscalls,
    handle: zx_handle_t,
    vaddr: zx_vaddr_t,
    buffer: UserPtrMut<c_void>,
    buffer_size: usize,
    actual: UserPtrMut<usize>,
) -> ZxResult {
    if buffer.is_null() || buffer_size == 0 || buffer_size > MAX_DEBUG_BLOCK {
        return Err(Status::INVALID_ARGS);
    }
    let process = sys.lookup_process(handle, ZX_RIGHT_READ | ZX_RIGHT_WRITE)?;
    let (vmo, offset, len) = process.vm.vmo_at(vaddr, buffer_size)?;
    drop(process);
    vmo.read(offset, len, &mut |window, position| {
        let at = buffer
            .checked_byte_add(position)
            .ok_or(Status::INVALID_ARGS)?;
        user::copy_window_to_user(at, window).map_err(|_| Status::INVALID_ARGS)
    })?;
    copy_out(actual, &len.to_le_bytes())
}

/// zx_process_write_memory (digest 7.7): a debugging call, NOT_SUPPORTED unless the
/// kernel was booted with `debugging_syscalls`. It writes the mapped VMO, whatever the
/// mapping's permissions (a debugger planting a breakpoint writes code).
pub(super) fn write_memory(
    sys: &Syscalls,
    handle: zx_handle_t,
    vaddr: zx_vaddr_t,
    buffer: UserPtr<c_void>,
    buffer_size: usize,
    actual: UserPtrMut<usize>,
) -> ZxResult {
    if !DEBUGGING_SYSCALLS.load(Ordering::Relaxed) {
        return Err(Status::NOT_SUPPORTED);
    }
    if buffer.is_null() || buffer_size == 0 || buffer_size > MAX_DEBUG_BLOCK {
        return Err(Status::INVALID_ARGS);
    }
    let process = sys.lookup_process(handle, ZX_RIGHT_WRITE)?;
    let (vmo, offset, len) = process.vm.vmo_at(vaddr, buffer_size)?;
    drop(process);
    vmo.write(offset, len, &mut |window, position| {
        let at = buffer
            .checked_byte_add(position)
            .ok_or(Status::INVALID_ARGS)?;
        user::copy_window_from_user(window, at).map_err(|_| Status::INVALID_ARGS)
    })?;
    copy_out(actual, &len.to_le_bytes())
}

/// zx_object_get_child: a job's child job or process, or a process's thread, by koid.
/// The new handle has the parent handle's rights (ZX_RIGHT_SAME_RIGHTS) or a subset of
/// them, as Zircon gives it.
pub(super) fn get_child(
    sys: &Syscalls,
    handle: zx_handle_t,
    koid: u64,
    rights: zx_rights_t,
    out: UserPtrMut<zx_handle_t>,
) -> ZxResult {
    let entry = sys.lookup(handle)?;
    if entry.rights & ZX_RIGHT_ENUMERATE == 0 {
        return Err(Status::ACCESS_DENIED);
    }
    let rights = if rights == ZX_RIGHT_SAME_RIGHTS {
        entry.rights
    } else if entry.rights & rights != rights {
        return Err(Status::ACCESS_DENIED);
    } else {
        rights
    };
    let child = match &entry.object {
        Object::Process(p) => Object::Thread(p.thread_by_koid(koid).ok_or(Status::NOT_FOUND)?),
        Object::Job(j) => match j.child_job(koid) {
            Some(job) => Object::Job(job),
            None => Object::Process(j.child_process(koid).ok_or(Status::NOT_FOUND)?),
        },
        _ => return Err(Status::WRONG_TYPE),
    };
    drop(entry);
    sys.add_handle_out(child, rights, out)
}

/// zx_job_set_policy: basic policies (V1, V2) and timer slack, checked in Zircon's
/// order (topic, options, the array, then the handle).
pub(super) fn job_set_policy(
    sys: &Syscalls,
    handle: zx_handle_t,
    options: u32,
    topic: u32,
    policy: UserPtr<c_void>,
    count: u32,
) -> ZxResult {
    let policy = policy.addr();
    match topic {
        ZX_JOB_POL_BASIC_V1 | ZX_JOB_POL_BASIC_V2 => {
            if options != ZX_JOB_POL_RELATIVE && options != ZX_JOB_POL_ABSOLUTE {
                return Err(Status::INVALID_ARGS);
            }
            if policy == 0 || count == 0 || count > 32 {
                return Err(Status::INVALID_ARGS);
            }
            let entry_size = if topic == ZX_JOB_POL_BASIC_V1 { 8 } else { 12 };
            let mut raw = [0u8; 32 * 12];
            let raw = &mut raw[..count as usize * entry_size];
            copy_in(raw, policy)?;
            let word =
                |at: usize| u32::from_le_bytes([raw[at], raw[at + 1], raw[at + 2], raw[at + 3]]);
            let mut requests = [Request {
                condition: 0,
                action: 0,
                flags: 0,
            }; 32];
            for (i, r) in requests.iter_mut().take(count as usize).enumerate() {
                let at = i * entry_size;
                *r = Request {
                    condition: word(at),
                    action: word(at + 4),
                    // V1 entries cannot be overridden below, as Zircon converts them.
                    flags: if entry_size == 8 {
                        ZX_POL_OVERRIDE_DENY
                    } else {
                        word(at + 8)
                    },
                };
            }
            let job = sys.lookup_job(handle, ZX_RIGHT_SET_POLICY)?;
            job.set_basic_policy(options, &requests[..count as usize])
        }
        ZX_JOB_POL_TIMER_SLACK => {
            if options != ZX_JOB_POL_RELATIVE {
                return Err(Status::INVALID_ARGS);
            }
            if policy == 0 || count != 1 {
                return Err(Status::INVALID_ARGS);
            }
            let mut raw = [0u8; 16];
            copy_in(&mut raw, policy)?;
            let mut min = [0u8; 8];
            min.copy_from_slice(&raw[..8]);
            let slack = zx_policy_timer_slack_t {
                min_slack: i64::from_le_bytes(min),
                default_mode: u32::from_le_bytes([raw[8], raw[9], raw[10], raw[11]]),
                ..Default::default()
            };
            let job = sys.lookup_job(handle, ZX_RIGHT_SET_POLICY)?;
            job.set_timer_slack(slack)
        }
        _ => Err(Status::INVALID_ARGS),
    }
}

/// zx_job_set_critical: checked as Zircon checks (options, the job with DESTROY, the
/// process with WAIT, then the process's own checks: ALREADY_BOUND, and INVALID_ARGS for
/// a job that is neither its job nor an ancestor); the process's death then kills the
/// job (see `Process::set_critical`).
pub(super) fn job_set_critical(
    sys: &Syscalls,
    job: zx_handle_t,
    options: u32,
    process: zx_handle_t,
) -> ZxResult {
    if options != 0 && options != ZX_JOB_CRITICAL_PROCESS_RETCODE_NONZERO {
        return Err(Status::INVALID_ARGS);
    }
    let job = sys.lookup_job(job, ZX_RIGHT_DESTROY)?;
    let process = sys.lookup_process(process, ZX_RIGHT_WAIT)?;
    process.set_critical(job, options == ZX_JOB_CRITICAL_PROCESS_RETCODE_NONZERO)
}
