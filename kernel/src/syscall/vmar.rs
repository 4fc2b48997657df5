//! VMAR syscalls: lookups and rights, Zircon's checks in Zircon's order (digest
//! 3.13–3.15), then the region tree (object/vmar) and the page tables it governs, under
//! the process's memory lock. Mappings fill in on demand (pagefault.rs).

use super::{copy_out, Syscalls, ZxResult};
use crate::object::process::{KernelVmo, MappedVmo, Vm};
use crate::object::vmar::options::{perms_for_rights, VmOptions};
use crate::object::vmar::Mapping;
use crate::object::vmo::MappingObserver;
use crate::object::{Object, Process, Vmar};
use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;
use libzircon::dispatch::UserPtrMut;
use libzircon::prelude::*;
use libzircon::Status;

const PERM_BITS: u32 = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE;
const CAN_MAP_BITS: u32 = ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_EXECUTE;

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

/// The handle rights `perms` (ZX_VM_PERM_*) need.
fn rights_for(perms: u32) -> zx_rights_t {
    crate::object::vmar::options::rights_for_perms(perms & PERM_BITS)
}

/// Runs `f` on the memory of the process a VMAR belongs to; BAD_STATE once it ended.
fn with_vm<R>(vmar: &Vmar, f: impl FnOnce(&mut Vm) -> Result<R, Status>) -> Result<R, Status> {
    let process = vmar.process.upgrade().ok_or(Status::BAD_STATE)?;
    let mut vm = process.vm.lock();
    f(vm.as_mut().ok_or(Status::BAD_STATE)?)
}

/// Takes removed mappings out of the page tables. The mappings (and the VMO references
/// they hold) are returned to be dropped after the lock, since dropping a VMO may call
/// back into the process.
fn unmap_all(vm: &mut Vm, removed: &[Mapping<MappedVmo>]) {
    for m in removed {
        vm.aspace.unmap_range(m.base, m.len);
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
    let entry = sys.lookup(vmo)?;
    let Object::Vmo(vmo) = entry.object else {
        return Err(Status::WRONG_TYPE);
    };
    if entry.rights & ZX_RIGHT_MAP == 0 {
        return Err(Status::ACCESS_DENIED);
    }
    let perms = options & PERM_BITS;
    if perms & (ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE) != 0 && perms & ZX_VM_PERM_READ == 0 {
        return Err(Status::INVALID_ARGS);
    }
    if options & ZX_VM_MAP_RANGE != 0 && options & ZX_VM_SPECIFIC_OVERWRITE != 0 {
        return Err(Status::INVALID_ARGS);
    }
    if options & CAN_MAP_BITS != 0 {
        return Err(Status::INVALID_ARGS);
    }
    let max_perms = perms_for_rights(entry.rights & vmar_rights);
    if perms & !max_perms != 0 {
        return Err(Status::ACCESS_DENIED);
    }
    VmOptions::for_map(options)?;
    // A mapping is kernel memory with no handle: the heap-headroom check add_handle_out
    // makes for objects.
    crate::mm::heap::headroom().map_err(|_| Status::NO_MEMORY)?;
    if options & ZX_VM_REQUIRE_NON_RESIZABLE != 0 && vmo.is_resizable() {
        return Err(Status::NOT_SUPPORTED);
    }
    if vmo.is_discardable() && options & ZX_VM_ALLOW_FAULTS == 0 {
        return Err(Status::NOT_SUPPORTED);
    }
    let process = vmar.process.upgrade().ok_or(Status::BAD_STATE)?;
    let observer: Weak<dyn MappingObserver> = Arc::downgrade(&process) as Weak<dyn MappingObserver>;
    vmo.add_observer(observer)?;
    // Taken before the process lock: it takes the VMO's.
    let object = MappedVmo::new(vmo.clone());
    let (mapped, replaced) = with_vm(&vmar, |vm| {
        let mapped = vm.regions.map(
            vmar.id,
            options & !ZX_VM_MAP_RANGE,
            vmar_offset,
            len,
            object,
            vmo_offset,
            max_perms,
        )?;
        unmap_all(vm, &mapped.replaced);
        Ok(((mapped.base, mapped.len), mapped.replaced))
    })?;
    drop(replaced);
    let (base, len) = mapped;
    if options & ZX_VM_MAP_RANGE != 0 {
        populate(&process, &vmo, vmo_offset, base, len);
    }
    if copy_out(mapped_addr.addr(), &(base as u64).to_le_bytes()).is_err() {
        let removed = with_vm(&vmar, |vm| {
            let removed = vm.regions.unmap(vmar.id, base, len, true)?;
            unmap_all(vm, &removed);
            Ok(removed)
        });
        drop(removed);
        return Err(Status::INVALID_ARGS);
    }
    Ok(())
}

/// ZX_VM_MAP_RANGE: puts the pages the VMO holds now in the page tables (reads never
/// commit), skipping what it does not hold, so the cost follows its content.
fn populate(
    process: &Arc<Process>,
    vmo: &Arc<KernelVmo>,
    vmo_offset: u64,
    base: usize,
    len: usize,
) {
    let end = vmo_offset.saturating_add(len as u64);
    let mut offset = vmo_offset;
    while let Some(at) = vmo.next_present(offset, end) {
        let va = base + (at - vmo_offset) as usize;
        // Out of memory for page tables: that page faults in later instead.
        let _ = crate::pagefault::resolve(process, va, crate::pagefault::Access::Read);
        offset = at + crate::mm::frames::PAGE_SIZE as u64;
    }
}

pub fn unmap(sys: &Syscalls, handle: zx_handle_t, addr: usize, len: usize) -> ZxResult {
    let (vmar, rights) = sys.lookup_vmar(handle, 0)?;
    let removed = with_vm(&vmar, |vm| {
        let removed = vm
            .regions
            .unmap(vmar.id, addr, len, rights & ZX_RIGHT_OP_CHILDREN != 0)?;
        unmap_all(vm, &removed);
        Ok(removed)
    })?;
    drop(removed);
    Ok(())
}

pub fn protect(
    sys: &Syscalls,
    handle: zx_handle_t,
    options: u32,
    addr: usize,
    len: usize,
) -> ZxResult {
    let (vmar, rights) = sys.lookup_vmar(handle, rights_for(options))?;
    with_vm(&vmar, |vm| {
        let changes = vm.regions.protect(
            vmar.id,
            options,
            addr,
            len,
            rights & ZX_RIGHT_OP_CHILDREN != 0,
        )?;
        for c in changes {
            let perms = crate::mm::aspace::Perms {
                read: c.new & ZX_VM_PERM_READ != 0,
                write: c.new & ZX_VM_PERM_WRITE != 0,
                execute: c.new & ZX_VM_PERM_EXECUTE != 0,
            };
            vm.aspace.protect_range(c.base, c.len, perms);
        }
        Ok(())
    })
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
    let mut needed = 0;
    if options & ZX_VM_CAN_MAP_READ != 0 {
        needed |= ZX_RIGHT_READ;
    }
    if options & ZX_VM_CAN_MAP_WRITE != 0 {
        needed |= ZX_RIGHT_WRITE;
    }
    if options & ZX_VM_CAN_MAP_EXECUTE != 0 {
        needed |= ZX_RIGHT_EXECUTE;
    }
    let (vmar, _) = sys.lookup_vmar(parent, needed)?;
    let process = vmar.process.upgrade().ok_or(Status::BAD_STATE)?;
    let id = with_vm(&vmar, |vm| {
        vm.regions.allocate(vmar.id, options, offset, size)
    })?;
    let undo = || {
        let removed: Result<Vec<_>, Status> = with_vm(&vmar, |vm| {
            let removed = vm.regions.destroy(id)?;
            unmap_all(vm, &removed);
            Ok(removed)
        });
        drop(removed);
    };
    if copy_out(child_addr.addr(), &(id.base() as u64).to_le_bytes()).is_err() {
        undo();
        return Err(Status::INVALID_ARGS);
    }
    let child = Vmar::new(&process, id);
    if let Err(e) = sys.add_handle_out(Object::Vmar(child), id.handle_rights(), child_vmar) {
        undo();
        return Err(e);
    }
    Ok(())
}

pub fn destroy(sys: &Syscalls, handle: zx_handle_t) -> ZxResult {
    let (vmar, _) = sys.lookup_vmar(handle, ZX_RIGHT_OP_CHILDREN)?;
    let removed = with_vm(&vmar, |vm| {
        let removed = vm.regions.destroy(vmar.id)?;
        unmap_all(vm, &removed);
        Ok(removed)
    })?;
    drop(removed);
    Ok(())
}

/// ZX_INFO_VMAR: a VMAR handle with ZX_RIGHT_INSPECT; answered after destruction too.
pub fn info(sys: &Syscalls, handle: zx_handle_t) -> Result<zx_info_vmar_t, Status> {
    let (vmar, _) = sys.lookup_vmar(handle, ZX_RIGHT_INSPECT)?;
    Ok(vmar.id.info())
}
