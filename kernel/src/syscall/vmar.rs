//! VMAR syscalls: lookups and rights in Zircon's order (digest 3.13–3.15), then one call
//! on the VMAR's object (object/vmar/aspace.rs), which makes the remaining checks and
//! changes the region tree and the page tables together.

use super::{copy_out, Syscalls, ZxResult};
use crate::object::vmar::options::{perms_allowed_by, rights_for_perms};
use crate::object::{Object, Vmar};
use alloc::sync::Arc;
use libzircon::dispatch::UserPtrMut;
use libzircon::prelude::*;
use libzircon::Status;

impl Syscalls<'_> {
    /// A VMAR handle: BAD_HANDLE, WRONG_TYPE, ACCESS_DENIED (missing `rights`).
    fn lookup_vmar(
        &self,
        handle: zx_handle_t,
        rights: zx_rights_t,
    ) -> Result<(Arc<Vmar>, zx_rights_t), Status> {
        let entry = self.lookup(handle)?;
        let Object::Vmar(vmar) = entry.object else {
            return Err(Status::WRONG_TYPE);
        };
        if entry.rights & rights != rights {
            return Err(Status::ACCESS_DENIED);
        }
        Ok((vmar, entry.rights))
    }
}

#[allow(clippy::too_many_arguments)]
pub fn map(
    sys: &Syscalls,
    handle: zx_handle_t,
    options: u32,
    vmar_offset: usize,
    vmo: zx_handle_t,
    vmo_offset: u64,
    len: usize,
    mapped_addr: UserPtrMut<zx_vaddr_t>,
) -> ZxResult {
    let (vmar, vmar_rights) = sys.lookup_vmar(handle, 0)?;
    let (vmo, vmo_rights) = sys.lookup_vmo(vmo, ZX_RIGHT_MAP)?;
    let (base, len) = vmar.map(
        options,
        vmar_offset,
        &vmo,
        vmo_offset,
        len,
        vmo_rights,
        vmar_rights,
    )?;
    if copy_out(mapped_addr, &(base as u64).to_le_bytes()).is_err() {
        let _ = vmar.unmap(base, len, true);
        return Err(Status::INVALID_ARGS);
    }
    Ok(())
}

pub fn unmap(sys: &Syscalls, handle: zx_handle_t, addr: usize, len: usize) -> ZxResult {
    let (vmar, rights) = sys.lookup_vmar(handle, 0)?;
    vmar.unmap(addr, len, rights & ZX_RIGHT_OP_CHILDREN != 0)
}

pub fn protect(
    sys: &Syscalls,
    handle: zx_handle_t,
    options: u32,
    addr: usize,
    len: usize,
) -> ZxResult {
    let (vmar, rights) = sys.lookup_vmar(handle, rights_for_perms(options))?;
    vmar.protect(options, addr, len, rights & ZX_RIGHT_OP_CHILDREN != 0)
}

pub fn allocate(
    sys: &Syscalls,
    parent: zx_handle_t,
    options: u32,
    offset: usize,
    size: usize,
    child_vmar: UserPtrMut<zx_handle_t>,
    child_addr: UserPtrMut<zx_vaddr_t>,
) -> ZxResult {
    let needed = rights_for_perms(perms_allowed_by(options));
    let (vmar, _) = sys.lookup_vmar(parent, needed)?;
    let child = vmar.allocate(options, offset, size)?;
    if copy_out(child_addr, &(child.id.base() as u64).to_le_bytes()).is_err() {
        let _ = child.destroy();
        return Err(Status::INVALID_ARGS);
    }
    let rights = child.id.handle_rights();
    if let Err(e) = sys.add_handle_out(Object::Vmar(child.clone()), rights, child_vmar) {
        let _ = child.destroy();
        return Err(e);
    }
    Ok(())
}

pub fn destroy(sys: &Syscalls, handle: zx_handle_t) -> ZxResult {
    let (vmar, _) = sys.lookup_vmar(handle, ZX_RIGHT_OP_CHILDREN)?;
    vmar.destroy()
}

/// ZX_INFO_VMAR: a VMAR handle with ZX_RIGHT_INSPECT; answered after destruction too.
pub fn info(sys: &Syscalls, handle: zx_handle_t) -> Result<zx_info_vmar_t, Status> {
    let (vmar, _) = sys.lookup_vmar(handle, ZX_RIGHT_INSPECT)?;
    Ok(vmar.info())
}
