//! Object syscalls: get_info, get/set_property, wait_one.

use super::{copy_in, copy_out, copy_out_optional, Syscalls, ZxResult};
use crate::object::process::Name;
use crate::object::{Object, ResourceKind};
use libzircon::cdef::AbiStruct;
use libzircon::dispatch::UserPtrMut;
use libzircon::prelude::*;
use libzircon::Status;

pub fn get_info(
    sys: &Syscalls,
    handle: zx_handle_t,
    topic: u32,
    buffer: usize,
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
            let [processes, threads, vmos, vmars, resources, handles] =
                crate::object::counts::snapshot();
            let record = zrk_info_kernel_objects_t {
                processes,
                threads,
                vmos,
                vmars,
                resources,
                handles,
            };
            single_record(&record, buffer, buffer_size, actual, avail)
        }
        ZX_INFO_KMEM_STATS => {
            info_resource(sys, handle)?;
            single_record(&crate::mm::kmem_stats(), buffer, buffer_size, actual, avail)
        }
        _ => Err(Status::NOT_SUPPORTED),
    }
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
    buffer: usize,
    buffer_size: usize,
    actual: UserPtrMut<size_t>,
    avail: UserPtrMut<size_t>,
) -> ZxResult {
    record_bytes(record.as_bytes(), buffer, buffer_size, actual, avail)
}

fn record_bytes(
    bytes: &[u8],
    buffer: usize,
    buffer_size: usize,
    actual: UserPtrMut<size_t>,
    avail: UserPtrMut<size_t>,
) -> ZxResult {
    if buffer_size < bytes.len() {
        copy_out_optional(actual.addr(), &0usize.to_le_bytes())?;
        copy_out_optional(avail.addr(), &1usize.to_le_bytes())?;
        return Err(Status::BUFFER_TOO_SMALL);
    }
    copy_out(buffer, bytes)?;
    copy_out_optional(actual.addr(), &1usize.to_le_bytes())?;
    copy_out_optional(avail.addr(), &1usize.to_le_bytes())
}

pub fn get_property(
    sys: &Syscalls,
    handle: zx_handle_t,
    property: u32,
    value: usize,
    value_size: usize,
) -> ZxResult {
    if value == 0 {
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
        _ => Err(Status::NOT_SUPPORTED),
    }
}

pub fn set_property(
    sys: &Syscalls,
    handle: zx_handle_t,
    property: u32,
    value: usize,
    value_size: usize,
) -> ZxResult {
    if value == 0 {
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
            super::vmo::set_content_size(&entry.object, value)
        }
        _ => Err(Status::NOT_SUPPORTED),
    }
}

/// Waits until the object asserts one of `signals` or `deadline` passes. With one
/// thread nothing can change an object's signals during the wait, so this answers at
/// once when a signal is set and otherwise sleeps to the deadline.
pub fn wait_one(
    sys: &Syscalls,
    handle: zx_handle_t,
    signals: zx_signals_t,
    deadline: i64,
    observed: UserPtrMut<zx_signals_t>,
) -> ZxResult {
    let entry = sys.lookup(handle)?;
    if entry.rights & ZX_RIGHT_WAIT == 0 {
        return Err(Status::ACCESS_DENIED);
    }
    let now = entry.object.signals().ok_or(Status::NOT_SUPPORTED)?;
    let result = if now & signals != 0 {
        Ok(())
    } else {
        if deadline == ZX_TIME_INFINITE {
            // Nothing else runs that could ever assert the signal.
            log::warn!("zx_object_wait_one: waiting forever on a signal nothing can raise");
        }
        super::task::nanosleep(deadline)?;
        Err(Status::TIMED_OUT)
    };
    copy_out_optional(observed.addr(), &now.to_le_bytes())?;
    result
}
