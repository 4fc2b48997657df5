//! Object syscalls: get_info, get/set_property, wait_one.

use super::{copy_in, copy_out, copy_out_optional, Syscalls, ZxResult};
use crate::object::handle::HandleObject;
use crate::object::process::Name;
use crate::object::{Object, ResourceKind};
use libzircon::cdef::AbiStruct;
use libzircon::dispatch::{UserPtr, UserPtrMut};
use libzircon::prelude::*;
use libzircon::Status;

pub fn get_info(
    sys: &Syscalls,
    handle: zx_handle_t,
    topic: u32,
    buffer: UserPtrMut<c_void>,
    buffer_size: usize,
    actual: UserPtrMut<size_t>,
    avail: UserPtrMut<size_t>,
) -> ZxResult {
    match topic {
        ZX_INFO_HANDLE_VALID => sys.lookup(handle).map(|_| ()),
        ZX_INFO_HANDLE_BASIC => {
            let entry = sys.lookup(handle)?;
            let record = zx_info_handle_basic_t {
                koid: entry.object.koid(),
                rights: entry.rights,
                r#type: entry.object.obj_type(),
                related_koid: entry.object.related_koid(),
                ..Default::default()
            };
            single_record(&record, buffer, buffer_size, actual, avail)
        }
        ZX_INFO_HANDLE_COUNT => {
            let entry = sys.lookup(handle)?;
            if entry.rights & ZX_RIGHT_INSPECT == 0 {
                return Err(Status::ACCESS_DENIED);
            }
            let record = zx_info_handle_count_t {
                handle_count: entry.object.handle_count().get(),
            };
            single_record(&record, buffer, buffer_size, actual, avail)
        }
        // V1 and V2 (for programs built against older headers) are prefixes of the
        // current layout: the same fields, fewer of them at the end.
        ZX_INFO_VMO | ZX_INFO_VMO_V2 | ZX_INFO_VMO_V1 => {
            let record = super::vmo::info(sys, handle)?;
            let len = match topic {
                ZX_INFO_VMO_V1 => core::mem::size_of::<zx_info_vmo_v1_t>(),
                ZX_INFO_VMO_V2 => core::mem::size_of::<zx_info_vmo_v2_t>(),
                _ => core::mem::size_of::<zx_info_vmo_t>(),
            };
            record_bytes(
                &record.as_bytes()[..len],
                buffer,
                buffer_size,
                actual,
                avail,
            )
        }
        ZX_INFO_VMAR => {
            let record = super::vmar::info(sys, handle)?;
            single_record(&record, buffer, buffer_size, actual, avail)
        }
        ZRK_INFO_KERNEL_OBJECTS => {
            info_resource(sys, handle)?;
            let [processes, threads, vmos, vmars, resources, handles, events, timers, ports, jobs, channels] =
                crate::object::counts::snapshot();
            let record = zrk_info_kernel_objects_t {
                processes,
                threads,
                vmos,
                vmars,
                resources,
                handles,
                events,
                timers,
                ports,
                jobs,
                channels,
            };
            single_record(&record, buffer, buffer_size, actual, avail)
        }
        ZRK_INFO_PROCESS_EXIT_REASON => {
            // A byte string: `actual` is how many bytes were copied, `avail` how many
            // there are (none unless the process was killed and is dead).
            let process = sys.lookup_process(handle, ZX_RIGHT_INSPECT)?;
            let reason = match process.exit() {
                Some(crate::task::Exit::Killed(reason)) => reason,
                _ => alloc::string::String::new(),
            };
            let bytes = reason.as_bytes();
            let n = bytes.len().min(buffer_size);
            if n > 0 {
                copy_out(buffer, &bytes[..n])?;
            }
            copy_out_optional(actual, &n.to_le_bytes())?;
            copy_out_optional(avail, &bytes.len().to_le_bytes())
        }
        ZX_INFO_THREAD => {
            let thread = sys.lookup_thread(handle, ZX_RIGHT_INSPECT)?;
            let mut record = zx_info_thread_t {
                state: thread.state.load(core::sync::atomic::Ordering::Relaxed),
                wait_exception_channel_type: thread
                    .exception_channel_type
                    .load(core::sync::atomic::Ordering::Acquire),
                ..Default::default()
            };
            // Decision 4: the affinity mask is the set of online CPUs.
            let cpus = crate::task::percpu::online_count();
            for cpu in 0..cpus {
                record.cpu_affinity_mask.mask[cpu / 64] |= 1 << (cpu % 64);
            }
            single_record(&record, buffer, buffer_size, actual, avail)
        }
        // V1's report is the current one without the synthetic code and datum.
        ZX_INFO_THREAD_EXCEPTION_REPORT | ZX_INFO_THREAD_EXCEPTION_REPORT_V1 => {
            let thread = sys.lookup_thread(handle, ZX_RIGHT_INSPECT)?;
            let report = (*thread.exception_report.lock()).ok_or(Status::BAD_STATE)?;
            let len = match topic {
                ZX_INFO_THREAD_EXCEPTION_REPORT_V1 => 32,
                _ => core::mem::size_of::<zx_exception_report_t>(),
            };
            record_bytes(
                &report.as_bytes()[..len],
                buffer,
                buffer_size,
                actual,
                avail,
            )
        }
        ZX_INFO_THREAD_STATS => {
            let thread = sys.lookup_thread(handle, ZX_RIGHT_INSPECT)?;
            if thread.state.load(core::sync::atomic::Ordering::Relaxed) == ZX_THREAD_STATE_DEAD {
                return Err(Status::BAD_STATE);
            }
            let record = zx_info_thread_stats_t {
                total_runtime: crate::arch::timer::ticks_to_ns(
                    thread.run_ticks.load(core::sync::atomic::Ordering::Relaxed),
                ) as i64,
                last_scheduled_cpu: thread.last_cpu.load(core::sync::atomic::Ordering::Relaxed)
                    as u32,
                ..Default::default()
            };
            single_record(&record, buffer, buffer_size, actual, avail)
        }
        ZX_INFO_TIMER => {
            let timer = super::signal::timer_of(sys, handle, ZX_RIGHT_INSPECT)?;
            single_record(&timer.info(), buffer, buffer_size, actual, avail)
        }
        ZX_INFO_PROCESS_THREADS => {
            let process = sys.lookup_process(handle, ZX_RIGHT_ENUMERATE)?;
            let koids: alloc::vec::Vec<u64> = {
                let l = process.lifecycle.lock();
                let mut v = alloc::vec::Vec::new();
                v.try_reserve(l.threads.len())
                    .map_err(|_| Status::NO_MEMORY)?;
                v.extend(l.threads.iter().map(|t| t.koid));
                v
            };
            koid_array(&koids, buffer, buffer_size, actual, avail)
        }
        ZX_INFO_PROCESS => {
            let process = sys.lookup_process(handle, ZX_RIGHT_INSPECT)?;
            single_record(&process.info(), buffer, buffer_size, actual, avail)
        }
        ZX_INFO_PROCESS_HANDLE_STATS => {
            let process = sys.lookup_process(handle, ZX_RIGHT_INSPECT)?;
            let mut record = zx_info_process_handle_stats_t::default();
            for entry in process.handles.lock().iter() {
                if let Some(n) = record
                    .handle_count
                    .get_mut(entry.object.obj_type() as usize)
                {
                    *n += 1;
                }
            }
            single_record(&record, buffer, buffer_size, actual, avail)
        }
        ZX_INFO_JOB => {
            let job = sys.lookup_job(handle, ZX_RIGHT_INSPECT)?;
            single_record(&job.info(), buffer, buffer_size, actual, avail)
        }
        ZX_INFO_JOB_CHILDREN | ZX_INFO_JOB_PROCESSES => {
            let job = sys.lookup_job(handle, ZX_RIGHT_ENUMERATE)?;
            let koids = job.child_koids(topic == ZX_INFO_JOB_PROCESSES)?;
            koid_array(&koids, buffer, buffer_size, actual, avail)
        }
        ZX_INFO_KMEM_STATS => {
            info_resource(sys, handle)?;
            single_record(&crate::mm::kmem_stats(), buffer, buffer_size, actual, avail)
        }
        _ => Err(Status::NOT_SUPPORTED),
    }
}

/// The tail of koid-array topics: as many koids as fit, how many that was, and how
/// many there are.
fn koid_array(
    koids: &[zx_koid_t],
    buffer: UserPtrMut<c_void>,
    buffer_size: usize,
    actual: UserPtrMut<size_t>,
    avail: UserPtrMut<size_t>,
) -> ZxResult {
    let fit = (buffer_size / 8).min(koids.len());
    for (i, koid) in koids[..fit].iter().enumerate() {
        let at = buffer.cast::<zx_koid_t>().checked_index(i);
        copy_out(at.ok_or(Status::INVALID_ARGS)?, &koid.to_le_bytes())?;
    }
    copy_out_optional(actual, &fit.to_le_bytes())?;
    copy_out_optional(avail, &koids.len().to_le_bytes())
}

/// Kernel-wide topics need the info resource: WRONG_TYPE for other objects,
/// ACCESS_DENIED for other resources.
fn info_resource(sys: &Syscalls, handle: zx_handle_t) -> ZxResult {
    match sys.lookup(handle)?.object {
        Object::Resource(r) if r.kind == ResourceKind::Info => Ok(()),
        Object::Resource(_) => Err(Status::ACCESS_DENIED),
        _ => Err(Status::WRONG_TYPE),
    }
}

/// The shared tail of single-record topics: too small a buffer reports 0 of 1 records
/// and BUFFER_TOO_SMALL; otherwise the record, then 1 of 1.
fn single_record<T: AbiStruct>(
    record: &T,
    buffer: UserPtrMut<c_void>,
    buffer_size: usize,
    actual: UserPtrMut<size_t>,
    avail: UserPtrMut<size_t>,
) -> ZxResult {
    record_bytes(record.as_bytes(), buffer, buffer_size, actual, avail)
}

fn record_bytes(
    bytes: &[u8],
    buffer: UserPtrMut<c_void>,
    buffer_size: usize,
    actual: UserPtrMut<size_t>,
    avail: UserPtrMut<size_t>,
) -> ZxResult {
    if buffer_size < bytes.len() {
        copy_out_optional(actual, &0usize.to_le_bytes())?;
        copy_out_optional(avail, &1usize.to_le_bytes())?;
        return Err(Status::BUFFER_TOO_SMALL);
    }
    copy_out(buffer, bytes)?;
    copy_out_optional(actual, &1usize.to_le_bytes())?;
    copy_out_optional(avail, &1usize.to_le_bytes())
}

pub fn get_property(
    sys: &Syscalls,
    handle: zx_handle_t,
    property: u32,
    value: UserPtrMut<c_void>,
    value_size: usize,
) -> ZxResult {
    if value.is_null() {
        return Err(Status::INVALID_ARGS);
    }
    let entry = sys.lookup(handle)?;
    if entry.rights & ZX_RIGHT_GET_PROPERTY == 0 {
        return Err(Status::ACCESS_DENIED);
    }
    match property {
        ZX_PROP_NAME => {
            if value_size < ZX_MAX_NAME_LEN {
                return Err(Status::BUFFER_TOO_SMALL);
            }
            let name = entry.object.name().ok_or(Status::NOT_SUPPORTED)?;
            copy_out(value, name.padded())
        }
        ZX_PROP_VMO_CONTENT_SIZE => {
            if value_size < 8 {
                return Err(Status::BUFFER_TOO_SMALL);
            }
            let size = super::vmo::get_content_size(&entry.object)?;
            copy_out(value, &size.to_le_bytes())
        }
        ZX_PROP_EXCEPTION_STATE | ZX_PROP_EXCEPTION_STRATEGY => {
            if value_size < 4 {
                return Err(Status::BUFFER_TOO_SMALL);
            }
            let exception = super::exception::as_exception(&entry.object)?;
            let v = if property == ZX_PROP_EXCEPTION_STATE {
                exception.disposition()
            } else {
                exception.strategy()
            };
            copy_out(value, &v.to_le_bytes())
        }
        _ => Err(Status::NOT_SUPPORTED),
    }
}

pub fn set_property(
    sys: &Syscalls,
    handle: zx_handle_t,
    property: u32,
    value: UserPtr<c_void>,
    value_size: usize,
) -> ZxResult {
    if value.is_null() {
        return Err(Status::INVALID_ARGS);
    }
    let entry = sys.lookup(handle)?;
    if entry.rights & ZX_RIGHT_SET_PROPERTY == 0 {
        return Err(Status::ACCESS_DENIED);
    }
    match property {
        ZX_PROP_NAME => {
            let mut raw = [0u8; ZX_MAX_NAME_LEN - 1];
            let len = value_size.min(raw.len());
            copy_in(&mut raw[..len], value)?;
            if entry.object.set_name(Name::from_bytes(&raw[..len])) {
                Ok(())
            } else {
                Err(Status::NOT_SUPPORTED)
            }
        }
        ZX_PROP_VMO_CONTENT_SIZE => {
            if value_size < 8 {
                return Err(Status::BUFFER_TOO_SMALL);
            }
            super::vmo::set_content_size(&entry.object, value.cast())
        }
        ZX_PROP_EXCEPTION_STATE | ZX_PROP_EXCEPTION_STRATEGY => {
            if value_size < 4 {
                return Err(Status::BUFFER_TOO_SMALL);
            }
            let exception = super::exception::as_exception(&entry.object)?;
            let read = || {
                let mut raw = [0u8; 4];
                copy_in(&mut raw, value)?;
                Ok(u32::from_le_bytes(raw))
            };
            if property == ZX_PROP_EXCEPTION_STATE {
                exception.set_disposition(read()?)
            } else {
                exception.set_strategy(read)
            }
        }
        _ => Err(Status::NOT_SUPPORTED),
    }
}

/// Waits until the object asserts one of `signals`, its handle is closed, or `deadline`
/// passes (digest part 2, 4.1).
pub fn wait_one(
    sys: &Syscalls,
    handle: zx_handle_t,
    signals: zx_signals_t,
    deadline: i64,
    observed: UserPtrMut<zx_signals_t>,
) -> ZxResult {
    use crate::task::wait::{self, WaitEnd, WaitItem};
    let entry = sys.lookup(handle)?;
    if entry.rights & ZX_RIGHT_WAIT == 0 {
        return Err(Status::ACCESS_DENIED);
    }
    let source = entry.object.signal_source().ok_or(Status::NOT_SUPPORTED)?;
    let item = WaitItem {
        signals: source,
        mask: signals,
        via: handle,
    };
    let mut now = [0];
    crate::task::percpu::with_current(|t| t.set_state(ZX_THREAD_STATE_BLOCKED_WAIT_ONE));
    let end = wait::wait_signals(core::slice::from_ref(&item), deadline, &mut now);
    crate::task::percpu::with_current(|t| t.set_state(ZX_THREAD_STATE_RUNNING));
    let result = match end {
        WaitEnd::Satisfied => Ok(()),
        WaitEnd::TimedOut => Err(Status::TIMED_OUT),
        WaitEnd::Killed => return Err(Status::INTERNAL_INTR_RETRY),
        WaitEnd::NoMemory => return Err(Status::NO_MEMORY),
    };
    copy_out_optional(observed, &now[0].to_le_bytes())?;
    if now[0] & ZX_SIGNAL_HANDLE_CLOSED != 0 {
        return Err(Status::CANCELED);
    }
    result
}
