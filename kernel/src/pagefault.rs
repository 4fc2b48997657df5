//! Demand paging: a user access to a mapped page that is not in the page tables yet
//! (or is read-only because it is shared copy-on-write, or is the zero page) is
//! resolved by asking the mapping's VMO for the page and mapping it.

use crate::mm::aspace::Perms;
use crate::mm::vmo_pages::zero_page;
use crate::object::vmo::FaultPage;
use crate::object::Process;
use alloc::sync::Arc;
use libzircon::prelude::*;
use libzircon::Status;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
    Execute,
}

/// Why a fault could not be resolved (the thread is killed, or a user copy fails).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unresolved {
    /// No mapping covers the address.
    NotMapped,
    /// The mapping does not allow the access.
    Denied { perms: u32 },
    /// The mapping reaches past the end of its VMO.
    PastVmoEnd,
    /// A page was needed and memory is out.
    NoMemory,
    /// The mapping changed while the page was being found (protect, unmap, split): look
    /// again. Never leaves [`resolve`].
    Changed,
}

fn perms_of(mapping_perms: u32, writable_page: bool) -> Perms {
    Perms {
        read: mapping_perms & ZX_VM_PERM_READ != 0,
        write: mapping_perms & ZX_VM_PERM_WRITE != 0 && writable_page,
        execute: mapping_perms & ZX_VM_PERM_EXECUTE != 0,
    }
}

/// How many times a fault is looked at again when its mapping keeps changing under it
/// (each time because another thread protected, unmapped or remapped it meanwhile).
const RETRIES: usize = 64;

/// Resolves a fault at `addr` for `access`.
pub fn resolve(process: &Arc<Process>, addr: usize, access: Access) -> Result<(), Unresolved> {
    for _ in 0..RETRIES {
        match resolve_once(process, addr, access) {
            Err(Unresolved::Changed) => continue,
            result => return result,
        }
    }
    // Still changing: let the access fault again from scratch.
    Ok(())
}

fn resolve_once(process: &Arc<Process>, addr: usize, access: Access) -> Result<(), Unresolved> {
    let page_va = addr & !(crate::mm::frames::PAGE_SIZE - 1);
    let needed = match access {
        Access::Read => ZX_VM_PERM_READ,
        Access::Write => ZX_VM_PERM_WRITE,
        Access::Execute => ZX_VM_PERM_EXECUTE,
    };
    let (object, offset, base) = {
        let vm = process.vm.lock();
        let vm = vm.as_ref().ok_or(Unresolved::NotMapped)?;
        let m = vm.regions.find(addr).ok_or(Unresolved::NotMapped)?;
        if m.perms & needed == 0 {
            return Err(Unresolved::Denied { perms: m.perms });
        }
        (m.object.clone(), m.vmo_offset_of(page_va), m.base)
    };
    let result = object
        .vmo
        .fault(offset, access == Access::Write, |page, policy| {
            let (pa, writable) = match page {
                FaultPage::Page { page, writable } => (page.0 as usize, writable),
                FaultPage::Zero => (zero_page().ok_or(Unresolved::NoMemory)?, false),
            };
            let mut vm = process.vm.lock();
            let vm = vm.as_mut().ok_or(Unresolved::NotMapped)?;
            // The mapping may have changed while no lock was held (another thread
            // protected, unmapped or split it): install the page only if the mapping is
            // still the one the page was found for, with the permissions it has now.
            let perms = match vm.regions.find(addr) {
                Some(m)
                    if m.base == base
                        && Arc::ptr_eq(&m.object.vmo, &object.vmo)
                        && m.vmo_offset_of(page_va) == offset =>
                {
                    if m.perms & needed == 0 {
                        return Err(Unresolved::Changed);
                    }
                    m.perms
                }
                _ => return Err(Unresolved::Changed),
            };
            vm.aspace
                .map_page(page_va, pa, perms_of(perms, writable), policy, true)
                .map_err(|_| Unresolved::NoMemory)
        });
    match result {
        Ok(mapped) => mapped,
        Err(Status::OUT_OF_RANGE) => Err(Unresolved::PastVmoEnd),
        Err(_) => Err(Unresolved::NoMemory),
    }
}
