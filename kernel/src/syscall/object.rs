//! zx_object_get_info (other object syscalls arrive with the objects they serve).

use super::{copy_out, copy_out_optional, Syscalls, ZxResult};
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
        ZX_INFO_KMEM_STATS => {
            let entry = sys.lookup(handle)?;
            match entry.object {
                Object::Resource(r) if r.kind == ResourceKind::Info => {}
                Object::Resource(_) => return Err(Status::ACCESS_DENIED),
                _ => return Err(Status::WRONG_TYPE),
            }
            single_record(&crate::mm::kmem_stats(), buffer, buffer_size, actual, avail)
        }
        _ => Err(Status::NOT_SUPPORTED),
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
    let bytes = record.as_bytes();
    if buffer_size < bytes.len() {
        copy_out_optional(actual.addr(), &0usize.to_le_bytes())?;
        copy_out_optional(avail.addr(), &1usize.to_le_bytes())?;
        return Err(Status::BUFFER_TOO_SMALL);
    }
    copy_out(buffer, bytes)?;
    copy_out_optional(actual.addr(), &1usize.to_le_bytes())?;
    copy_out_optional(avail.addr(), &1usize.to_le_bytes())
}
