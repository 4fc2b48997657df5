//! VMO syscalls: handle lookups, rights and the checks Zircon makes before the object
//! (zircon-abi.md section 3), then one call into object/vmo. User buffers are copied
//! straight to and from the VMO's pages, one page at a time: no bounce buffer.

use super::{copy_in, copy_out, Syscalls, ZxResult};
use crate::arch::user::{self, BadUserAccess};
use crate::mm::vmo_pages::KernelPages;
use crate::object::vmar::aspace::Unresolved;
use crate::object::vmo::{self, Vmo};
use crate::object::{KernelVmo, Object, ResourceKind};
use alloc::sync::Arc;
use libzircon::dispatch::{UserPtr, UserPtrMut};
use libzircon::prelude::*;
use libzircon::Status;

impl Syscalls<'_> {
    /// A VMO handle with `rights`: BAD_HANDLE, WRONG_TYPE, ACCESS_DENIED, in that order.
    pub(super) fn lookup_vmo(
        &self,
        handle: zx_handle_t,
        rights: zx_rights_t,
    ) -> Result<(Arc<KernelVmo>, zx_rights_t), Status> {
        let entry = self.lookup(handle)?;
        let Object::Vmo(vmo) = entry.object else {
            return Err(Status::WRONG_TYPE);
        };
        if entry.rights & rights != rights {
            return Err(Status::ACCESS_DENIED);
        }
        Ok((vmo, entry.rights))
    }

    /// The status for a user buffer of vmo_read/vmo_write that faulted (digest decision
    /// 2 and section 4): an address no mapping covers is NOT_FOUND, a mapping that does
    /// not allow the access ACCESS_DENIED, a mapping past its VMO's end OUT_OF_RANGE.
    fn buffer_fault(&self, fault: BadUserAccess) -> Status {
        match fault {
            BadUserAccess::NotUser => Status::INVALID_ARGS,
            BadUserAccess::Fault(_) => match crate::task::trap::take_copy_fault() {
                Some(Unresolved::Denied { .. }) => Status::ACCESS_DENIED,
                Some(Unresolved::PastVmoEnd) => Status::OUT_OF_RANGE,
                Some(Unresolved::NoMemory) => Status::NO_MEMORY,
                Some(Unresolved::NotMapped | Unresolved::Changed) | None => Status::NOT_FOUND,
            },
        }
    }
}

/// A vmo_read/vmo_write buffer, `len` bytes at `buffer`: the whole of it must lie in the
/// user address space, checked before the first byte moves (at `position` 0), so a bad
/// range copies nothing. Then where the piece at `position` goes.
fn piece_at<P: UserBuffer>(buffer: P, len: usize, position: usize) -> Result<P, Status> {
    if position == 0 {
        let start = buffer.addr();
        let end = start.checked_add(len).ok_or(Status::INVALID_ARGS)?;
        if start < user::USER_BASE || end > user::USER_END {
            return Err(Status::INVALID_ARGS);
        }
    }
    buffer.piece(position).ok_or(Status::INVALID_ARGS)
}

/// The two directions of a vmo_read/vmo_write buffer, for [`piece_at`].
trait UserBuffer: Copy {
    fn addr(self) -> usize;
    fn piece(self, position: usize) -> Option<Self>;
}

impl UserBuffer for UserPtr<c_void> {
    fn addr(self) -> usize {
        UserPtr::addr(self)
    }
    fn piece(self, position: usize) -> Option<Self> {
        self.checked_byte_add(position)
    }
}

impl UserBuffer for UserPtrMut<c_void> {
    fn addr(self) -> usize {
        UserPtrMut::addr(self)
    }
    fn piece(self, position: usize) -> Option<Self> {
        self.checked_byte_add(position)
    }
}

/// Moves one piece of a vmo_read/vmo_write buffer; a fault becomes NOT_FOUND or
/// ACCESS_DENIED.
fn user_piece<P: UserBuffer>(
    sys: &Syscalls,
    buffer: P,
    len: usize,
    position: usize,
    copy: impl FnOnce(P) -> Result<(), BadUserAccess>,
) -> ZxResult {
    copy(piece_at(buffer, len, position)?).map_err(|f| sys.buffer_fault(f))
}

pub fn create(sys: &Syscalls, size: u64, options: u32, out: UserPtrMut<zx_handle_t>) -> ZxResult {
    sys.enforce_policy(ZX_POL_NEW_VMO)?;
    let vmo = Vmo::create(KernelPages, size, options)?;
    sys.add_handle_out(Object::Vmo(vmo), vmo::create_rights(options), out)
}

/// The same for a copy made with the VMO's lock held: a fault is not resolved but
/// reported as WOULD_FAULT, and the VMO retries the slow way.
fn locked_piece<P: UserBuffer>(
    buffer: P,
    len: usize,
    position: usize,
    copy: impl FnOnce(P) -> Result<(), BadUserAccess>,
) -> ZxResult {
    let at = piece_at(buffer, len, position)?;
    match crate::task::trap::without_paging(|| copy(at)) {
        Ok(()) => Ok(()),
        Err(BadUserAccess::NotUser) => Err(Status::INVALID_ARGS),
        Err(BadUserAccess::Fault(_)) => Err(vmo::WOULD_FAULT),
    }
}

pub fn read(
    sys: &Syscalls,
    handle: zx_handle_t,
    buffer: UserPtrMut<c_void>,
    offset: u64,
    len: usize,
) -> ZxResult {
    let (vmo, _) = sys.lookup_vmo(handle, ZX_RIGHT_READ)?;
    vmo.read_fast(
        offset,
        len,
        &mut |window, position| {
            locked_piece(buffer, len, position, |at| {
                user::copy_window_to_user(at, window)
            })
        },
        &mut |window, position| {
            user_piece(sys, buffer, len, position, |at| {
                user::copy_window_to_user(at, window)
            })
        },
    )
}

pub fn write(
    sys: &Syscalls,
    handle: zx_handle_t,
    buffer: UserPtr<c_void>,
    offset: u64,
    len: usize,
) -> ZxResult {
    let (vmo, _) = sys.lookup_vmo(handle, ZX_RIGHT_WRITE)?;
    vmo.write_fast(
        offset,
        len,
        &mut |window, position| {
            locked_piece(buffer, len, position, |at| {
                user::copy_window_from_user(window, at)
            })
        },
        &mut |window, position| {
            user_piece(sys, buffer, len, position, |at| {
                user::copy_window_from_user(window, at)
            })
        },
    )
}

pub fn get_size(sys: &Syscalls, handle: zx_handle_t, size: UserPtrMut<u64>) -> ZxResult {
    let (vmo, _) = sys.lookup_vmo(handle, 0)?;
    copy_out(size, &vmo.size().to_le_bytes())
}

pub fn set_size(sys: &Syscalls, handle: zx_handle_t, size: u64) -> ZxResult {
    let (vmo, rights) = sys.lookup_vmo(handle, ZX_RIGHT_WRITE)?;
    if vmo.is_resizable() && rights & ZX_RIGHT_RESIZE == 0 {
        return Err(Status::ACCESS_DENIED);
    }
    vmo.set_size(size)
}

pub fn op_range(
    sys: &Syscalls,
    handle: zx_handle_t,
    op: u32,
    offset: u64,
    size: u64,
    buffer: UserPtrMut<c_void>,
    buffer_size: usize,
) -> ZxResult {
    let (vmo, rights) = sys.lookup_vmo(handle, 0)?;
    let Some(lock_state) = vmo.op_range(op, offset, size, rights)? else {
        return Ok(());
    };
    // ZX_VMO_OP_LOCK: the state goes out; if it cannot, the lock is undone.
    let copied = if buffer_size < core::mem::size_of::<zx_vmo_lock_state_t>() {
        Err(Status::INVALID_ARGS)
    } else {
        copy_out(buffer, libzircon::cdef::AbiStruct::as_bytes(&lock_state))
    };
    if copied.is_err() {
        let _ = vmo.unlock(offset, size);
    }
    copied
}

pub fn create_child(
    sys: &Syscalls,
    handle: zx_handle_t,
    options: u32,
    offset: u64,
    size: u64,
    out: UserPtrMut<zx_handle_t>,
) -> ZxResult {
    vmo::check_child_options(options)?;
    let (parent, rights) = sys.lookup_vmo(handle, ZX_RIGHT_DUPLICATE | ZX_RIGHT_READ)?;
    let child = parent.create_child(options, offset, size, rights & ZX_RIGHT_GET_PROPERTY != 0)?;
    sys.add_handle_out(Object::Vmo(child), vmo::child_rights(rights, options), out)
}

pub fn set_cache_policy(sys: &Syscalls, handle: zx_handle_t, policy: u32) -> ZxResult {
    if policy & !ZX_CACHE_POLICY_MASK != 0 {
        return Err(Status::INVALID_ARGS);
    }
    let (vmo, _) = sys.lookup_vmo(handle, ZX_RIGHT_MAP)?;
    vmo.set_cache_policy(policy)
}

/// ZX_INFO_VMO: any VMO handle, no rights needed.
pub fn info(sys: &Syscalls, handle: zx_handle_t) -> Result<zx_info_vmo_t, Status> {
    let (vmo, rights) = sys.lookup_vmo(handle, 0)?;
    Ok(vmo.info(rights))
}

/// ZX_PROP_VMO_CONTENT_SIZE, read.
pub fn get_content_size(object: &Object) -> Result<u64, Status> {
    match object {
        Object::Vmo(vmo) => Ok(vmo.content_size()),
        _ => Err(Status::WRONG_TYPE),
    }
}

/// ZX_PROP_VMO_CONTENT_SIZE, written.
pub fn set_content_size(object: &Object, value: UserPtr<u64>) -> ZxResult {
    let Object::Vmo(vmo) = object else {
        return Err(Status::WRONG_TYPE);
    };
    let mut raw = [0u8; 8];
    copy_in(&mut raw, value)?;
    vmo.set_content_size(u64::from_le_bytes(raw));
    Ok(())
}

/// The source handle is gone whatever happens after its lookup, as in Zircon. `vmex`
/// must be the VMEX resource, or ZX_HANDLE_INVALID (the ambient policy, which allows it).
pub fn replace_as_executable(
    sys: &Syscalls,
    handle: zx_handle_t,
    vmex: zx_handle_t,
    out: UserPtrMut<zx_handle_t>,
) -> ZxResult {
    let vmex_status = if vmex == ZX_HANDLE_INVALID {
        // No VMEX resource: the job's ambient-exec policy decides.
        sys.enforce_policy(ZX_POL_AMBIENT_MARK_VMO_EXEC)
    } else {
        match sys.lookup(vmex).map(|e| e.object) {
            Ok(Object::Resource(r)) if r.kind == ResourceKind::Vmex => Ok(()),
            Ok(Object::Resource(_)) => Err(Status::ACCESS_DENIED),
            Ok(_) => Err(Status::WRONG_TYPE),
            Err(e) => Err(e),
        }
    };
    let mut old = sys.process.handles.lock().remove(handle)?;
    vmex_status?;
    // As documented (and as Zircon does): anything but a VMO is BAD_HANDLE here.
    let Object::Vmo(_) = old.object() else {
        return Err(Status::BAD_HANDLE);
    };
    old.set_rights(old.rights() | ZX_RIGHT_EXECUTE);
    sys.insert_handle_out(old, out)
}
