//! An address space: a process's regions (the [`AddressRegionTree`]), the page tables
//! that show them, and demand paging, together.
//!
//! [`Vmar`] is a VMAR handle's object; each `zx_vmar_*` syscall is, after the handle
//! lookups, one method on it, which makes the checks of digest 3.13–3.15 that need no
//! tree (in Zircon's order, each once) and hands the rest to the process's [`Vm`]. `Vm`
//! changes the tree and the page tables in one step, and resolves faults: a user access
//! to a mapped page that is not in the page tables yet (or is read-only because it is
//! shared copy-on-write, or is the zero page) asks the mapping's VMO for the page and
//! maps it ([`Vm::fault`], called by the trap layer and by user copies).
//!
//! **Locking.** A `Vm`'s tree and tables sit behind one lock, `lockorder::ASPACE` (rank
//! 18), so a region change and its page-table work are one atomic step. A VMO family's
//! lock (rank 12) comes before it: a fault finds its mapping under the address-space
//! lock, lets it go, asks the VMO for the page (which takes the family lock) and, with
//! that held, takes the address-space lock again to install the page, but only if the
//! mapping is still the one the page was found for (else it looks again). Mappings taken
//! out of the tree are dropped after the lock: dropping a VMO may call back into the
//! process.

use super::options::{perms_for_rights, MapOptions, Perms};
use super::{AddressRegionTree, Mapping, VmarId, USER_ASPACE_BASE, USER_ASPACE_SIZE};
use crate::mm::aspace::{self, AddressSpace, MapError};
use crate::mm::vmo_pages::zero_page;
use crate::object::counts::{Counted, Kind as CountedKind};
use crate::object::handle::HandleCount;
use crate::object::koid;
use crate::object::process::{KernelVmo, Process};
use crate::object::vmo::{FaultPage, MappingObserver, MappingTarget, PAGE_SIZE};
use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;
use libzircon::prelude::*;
use libzircon::Status;
use spin::Mutex;

/// The access that faulted.
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
    /// again. Never leaves [`Vm::fault`].
    Changed,
}

/// How many times a fault is looked at again when its mapping keeps changing under it
/// (each time because another thread protected, unmapped or remapped it meanwhile).
const FAULT_RETRIES: usize = 64;

/// What a mapping maps: a VMO, and where its pages live in the VMO's family (kept
/// here because coherence notifications arrive with the family's lock held). Each one
/// counts as a mapping of the VMO (ZX_INFO_VMO's num_mappings; a split mapping is two).
pub struct MappedVmo {
    pub vmo: Arc<KernelVmo>,
    pub target: MappingTarget,
}

impl MappedVmo {
    pub fn new(vmo: Arc<KernelVmo>) -> Self {
        let target = vmo.mapping_target();
        vmo.mapping_added();
        MappedVmo { vmo, target }
    }
}

impl Clone for MappedVmo {
    fn clone(&self) -> Self {
        self.vmo.mapping_added();
        MappedVmo {
            vmo: self.vmo.clone(),
            target: self.target,
        }
    }
}

impl Drop for MappedVmo {
    fn drop(&mut self) {
        self.vmo.mapping_removed();
    }
}

/// The page-table permissions of a mapping's `perms`; write only on a `writable` page.
fn pte_perms(perms: Perms, writable: bool) -> aspace::Perms {
    aspace::Perms {
        read: perms & ZX_VM_PERM_READ != 0,
        write: perms & ZX_VM_PERM_WRITE != 0 && writable,
        execute: perms & ZX_VM_PERM_EXECUTE != 0,
    }
}

/// A process's regions and the page tables that show them.
struct State {
    page_tables: AddressSpace,
    regions: AddressRegionTree<MappedVmo>,
}

impl State {
    /// Takes removed mappings out of the page tables; the caller drops them after the
    /// lock.
    fn unmap_all(&mut self, removed: &[Mapping<MappedVmo>]) {
        for m in removed {
            self.page_tables.unmap_range(m.base, m.len);
        }
    }
}

/// A process's memory. See the module documentation.
pub struct Vm {
    /// None once the process has ended. Lock: `lockorder::ASPACE` (rank 18), taken
    /// inside a VMO family's (rank 12).
    state: Mutex<Option<State>>,
    /// TTBR0 for the process's threads (the root table and ASID never change).
    ttbr0: u64,
}

impl Vm {
    /// Empty page tables with a fresh ASID, and a root VMAR over the whole user address
    /// space whose kernel-chosen placements are random from `aslr_seed`.
    pub fn new(aslr_seed: u64) -> Result<Vm, MapError> {
        let regions =
            AddressRegionTree::new(USER_ASPACE_BASE, USER_ASPACE_SIZE).with_aslr_seed(aslr_seed);
        let page_tables = AddressSpace::new()?;
        Ok(Vm {
            ttbr0: page_tables.ttbr0(),
            state: Mutex::new(Some(State {
                page_tables,
                regions,
            })),
        })
    }

    pub fn ttbr0(&self) -> u64 {
        self.ttbr0
    }

    /// The root VMAR, if the process has not ended.
    pub fn root(&self) -> Option<VmarId> {
        self.state.lock().as_ref().map(|s| s.regions.root())
    }

    /// The permissions (ZX_VM_PERM_*) of the mapping covering `va`, if any.
    pub fn mapping_perms(&self, va: usize) -> Option<Perms> {
        let state = self.state.lock();
        state.as_ref()?.regions.find(va).map(|m| m.perms)
    }

    /// What is mapped at `va`: the VMO, the VMO offset of `va`, and how many of `len`
    /// bytes the mapping holds from there (zx_process_read_memory/write_memory).
    /// BAD_STATE once the process has ended, NOT_FOUND where nothing is mapped.
    pub fn vmo_at(&self, va: usize, len: usize) -> Result<(Arc<KernelVmo>, u64, usize), Status> {
        self.with_state(|s| {
            let m = s.regions.find(va).ok_or(Status::NOT_FOUND)?;
            let into = va - m.base;
            Ok((
                m.object.vmo.clone(),
                m.vmo_offset + into as u64,
                len.min(m.len - into),
            ))
        })
    }

    /// Runs `f` on the state under the lock; BAD_STATE once the process has ended.
    fn with_state<R>(&self, f: impl FnOnce(&mut State) -> Result<R, Status>) -> Result<R, Status> {
        let mut state = self.state.lock();
        f(state.as_mut().ok_or(Status::BAD_STATE)?)
    }

    /// Maps `vmo` into `vmar` with `options` (already checked: [`MapOptions::check`], and
    /// the VMO's own checks). `owner` is the process this is the memory of: the VMO
    /// tells it when pages leave. Returns the mapping's base and length; errors are the
    /// tree's ([`AddressRegionTree::create_mapping`]), or NO_MEMORY.
    #[allow(clippy::too_many_arguments)]
    pub fn map(
        &self,
        owner: &Arc<Process>,
        vmar: VmarId,
        options: &MapOptions,
        vmar_offset: usize,
        vmo: &Arc<KernelVmo>,
        vmo_offset: u64,
        len: usize,
    ) -> Result<(usize, usize), Status> {
        // A mapping is kernel memory with no handle: the heap-headroom check that
        // add_handle_out makes for objects.
        crate::mm::heap::headroom().map_err(|_| Status::NO_MEMORY)?;
        let observer: Weak<dyn MappingObserver> =
            Arc::downgrade(owner) as Weak<dyn MappingObserver>;
        vmo.add_observer(observer)?;
        // Made before the address-space lock: it takes the VMO's.
        let object = MappedVmo::new(vmo.clone());
        let (mapped, replaced) = self.with_state(|s| {
            let mapped =
                s.regions
                    .create_mapping(vmar, options, vmar_offset, len, object, vmo_offset)?;
            s.unmap_all(&mapped.replaced);
            Ok(((mapped.base, mapped.len), mapped.replaced))
        })?;
        drop(replaced);
        if options.map_range {
            self.populate(vmo, vmo_offset, mapped.0, mapped.1);
        }
        Ok(mapped)
    }

    /// ZX_VM_MAP_RANGE: puts the pages the VMO holds now in the page tables (reads never
    /// commit), skipping what it does not hold, so the cost follows its content.
    fn populate(&self, vmo: &KernelVmo, vmo_offset: u64, base: usize, len: usize) {
        let end = vmo_offset.saturating_add(len as u64);
        let mut offset = vmo_offset;
        while let Some(at) = vmo.next_present(offset, end) {
            let va = base + (at - vmo_offset) as usize;
            // Out of memory for page tables: that page faults in later instead.
            let _ = self.fault(va, Access::Read);
            offset = at + PAGE_SIZE as u64;
        }
    }

    /// [`AddressRegionTree::unmap`], and the pages out of the page tables.
    pub fn unmap(
        &self,
        vmar: VmarId,
        addr: usize,
        len: usize,
        op_children: bool,
    ) -> Result<(), Status> {
        let removed = self.with_state(|s| {
            let removed = s.regions.unmap(vmar, addr, len, op_children)?;
            s.unmap_all(&removed);
            Ok(removed)
        })?;
        drop(removed);
        Ok(())
    }

    /// [`AddressRegionTree::protect`], and the page tables changed to match.
    pub fn protect(
        &self,
        vmar: VmarId,
        options: u32,
        addr: usize,
        len: usize,
        op_children: bool,
    ) -> Result<(), Status> {
        self.with_state(|s| {
            let changes = s.regions.protect(vmar, options, addr, len, op_children)?;
            for c in changes {
                s.page_tables
                    .protect_range(c.base, c.len, pte_perms(c.new, true));
            }
            Ok(())
        })
    }

    /// [`AddressRegionTree::allocate`]: a sub-VMAR holds no pages, so the page tables
    /// stay as they are.
    pub fn allocate(
        &self,
        parent: VmarId,
        options: u32,
        offset: usize,
        size: usize,
    ) -> Result<VmarId, Status> {
        self.with_state(|s| s.regions.allocate(parent, options, offset, size))
    }

    /// [`AddressRegionTree::destroy`], and its mappings' pages out of the page tables.
    pub fn destroy(&self, vmar: VmarId) -> Result<(), Status> {
        let removed = self.with_state(|s| {
            let removed = s.regions.destroy(vmar)?;
            s.unmap_all(&removed);
            Ok(removed)
        })?;
        drop(removed);
        Ok(())
    }

    /// Resolves a fault at `addr` for `access`.
    pub fn fault(&self, addr: usize, access: Access) -> Result<(), Unresolved> {
        for _ in 0..FAULT_RETRIES {
            match self.fault_once(addr, access) {
                Err(Unresolved::Changed) => continue,
                result => return result,
            }
        }
        // Still changing: let the access fault again from scratch.
        Ok(())
    }

    fn fault_once(&self, addr: usize, access: Access) -> Result<(), Unresolved> {
        let page_va = addr & !(PAGE_SIZE - 1);
        let needed = match access {
            Access::Read => ZX_VM_PERM_READ,
            Access::Write => ZX_VM_PERM_WRITE,
            Access::Execute => ZX_VM_PERM_EXECUTE,
        };
        let (object, offset, base) = {
            let state = self.state.lock();
            let state = state.as_ref().ok_or(Unresolved::NotMapped)?;
            let m = state.regions.find(addr).ok_or(Unresolved::NotMapped)?;
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
                let mut state = self.state.lock();
                let state = state.as_mut().ok_or(Unresolved::NotMapped)?;
                // The mapping may have changed while no lock was held (another thread
                // protected, unmapped or split it): install the page only if the mapping
                // is still the one the page was found for, with the permissions it has
                // now.
                let perms = match state.regions.find(addr) {
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
                state
                    .page_tables
                    .map_page(page_va, pa, pte_perms(perms, writable), policy, true)
                    .map_err(|_| Unresolved::NoMemory)
            });
        match result {
            Ok(mapped) => mapped,
            Err(Status::OUT_OF_RANGE) => Err(Unresolved::PastVmoEnd),
            Err(_) => Err(Unresolved::NoMemory),
        }
    }

    /// Pages `[start, end)` of a family's node left it: unmap them wherever this
    /// address space shows them, so the next touch faults in what is there now.
    fn pages_left(&self, family: usize, node: usize, start: u64, end: u64) {
        let mut state = self.state.lock();
        let Some(State {
            page_tables,
            regions,
        }) = state.as_mut()
        else {
            return;
        };
        let page = PAGE_SIZE as u64;
        for m in regions.mappings_of(|o| o.target.family == family && o.target.node == node) {
            // Node bytes as offsets of the mapped VMO (a slice sees the node from base).
            let base = m.object.target.base;
            let vmo = (start * page).saturating_sub(base)..(end * page).saturating_sub(base);
            if let Some(addresses) = m.addresses_of(vmo) {
                page_tables.unmap_range(addresses.start, addresses.len());
            }
        }
    }

    /// The process has ended: every VMAR is destroyed and the page tables freed. The
    /// mappings' VMOs are dropped with no lock held, since dropping one may call back
    /// into the process.
    pub fn tear_down(&self) {
        let state = self.state.lock().take();
        if let Some(mut state) = state {
            let mappings: Vec<_> = state.regions.clear().collect();
            drop(state);
            drop(mappings);
        }
    }
}

impl MappingObserver for Process {
    /// Pages left a VMO family this process maps: its address space forgets them.
    fn pages_left(&self, family: usize, node: usize, start: u64, end: u64) {
        self.vm.pages_left(family, node, start, end);
    }
}

/// A VMAR handle's object: one region of a process's address space.
pub struct Vmar {
    pub koid: zx_koid_t,
    pub process_koid: zx_koid_t,
    pub process: Weak<Process>,
    pub id: VmarId,
    /// Its handles (ZX_INFO_HANDLE_COUNT).
    pub handle_count: HandleCount,
    _counted: Counted,
}

impl Vmar {
    pub fn new(process: &Arc<Process>, id: VmarId) -> Arc<Vmar> {
        Arc::new(Vmar {
            koid: koid::next(),
            process_koid: process.koid,
            process: Arc::downgrade(process),
            id,
            handle_count: HandleCount::new(),
            _counted: Counted::new(CountedKind::Vmar),
        })
    }

    /// The process whose address space this is; BAD_STATE once it has ended.
    fn process(&self) -> Result<Arc<Process>, Status> {
        self.process.upgrade().ok_or(Status::BAD_STATE)
    }

    /// `zx_vmar_map` after the handle lookups (digest 3.13 steps 1–3). `vmo_rights` and
    /// `vmar_rights` are the two handles' rights. Returns the mapping's base and
    /// length. Errors, in Zircon's order: [`MapOptions::check`]'s (steps 5–9);
    /// NOT_SUPPORTED for REQUIRE_NON_RESIZABLE on a resizable VMO, or a discardable VMO
    /// without ALLOW_FAULTS (steps 10–11); BAD_STATE once the process has ended; then
    /// [`AddressRegionTree::create_mapping`]'s.
    #[allow(clippy::too_many_arguments)]
    pub fn map(
        &self,
        options: u32,
        vmar_offset: usize,
        vmo: &Arc<KernelVmo>,
        vmo_offset: u64,
        len: usize,
        vmo_rights: zx_rights_t,
        vmar_rights: zx_rights_t,
    ) -> Result<(usize, usize), Status> {
        let options = MapOptions::check(options, perms_for_rights(vmo_rights & vmar_rights))?;
        if options.flags & ZX_VM_REQUIRE_NON_RESIZABLE != 0 && vmo.is_resizable() {
            return Err(Status::NOT_SUPPORTED);
        }
        if vmo.is_discardable() && options.flags & ZX_VM_ALLOW_FAULTS == 0 {
            return Err(Status::NOT_SUPPORTED);
        }
        let process = self.process()?;
        process.vm.map(
            &process,
            self.id,
            &options,
            vmar_offset,
            vmo,
            vmo_offset,
            len,
        )
    }

    /// `zx_vmar_unmap` after the handle lookup; `op_children` says whether the handle
    /// has ZX_RIGHT_OP_CHILDREN. Errors: BAD_STATE once the process has ended, then
    /// [`AddressRegionTree::unmap`]'s.
    pub fn unmap(&self, addr: usize, len: usize, op_children: bool) -> Result<(), Status> {
        self.process()?.vm.unmap(self.id, addr, len, op_children)
    }

    /// `zx_vmar_protect` after the handle lookup (whose rights follow the permissions
    /// asked for). Errors: BAD_STATE once the process has ended, then
    /// [`AddressRegionTree::protect`]'s.
    pub fn protect(
        &self,
        options: u32,
        addr: usize,
        len: usize,
        op_children: bool,
    ) -> Result<(), Status> {
        self.process()?
            .vm
            .protect(self.id, options, addr, len, op_children)
    }

    /// `zx_vmar_allocate` after the handle lookup (whose rights follow the `CAN_MAP_*`
    /// bits asked for): the new VMAR's object. Errors: BAD_STATE once the process has
    /// ended, then [`AddressRegionTree::allocate`]'s.
    pub fn allocate(&self, options: u32, offset: usize, size: usize) -> Result<Arc<Vmar>, Status> {
        let process = self.process()?;
        let id = process.vm.allocate(self.id, options, offset, size)?;
        Ok(Vmar::new(&process, id))
    }

    /// `zx_vmar_destroy` after the handle lookup (which needs ZX_RIGHT_OP_CHILDREN).
    /// Errors: BAD_STATE once the process has ended, then
    /// [`AddressRegionTree::destroy`]'s.
    pub fn destroy(&self) -> Result<(), Status> {
        self.process()?.vm.destroy(self.id)
    }

    /// ZX_INFO_VMAR; answered after destruction too.
    pub fn info(&self) -> zx_info_vmar_t {
        self.id.info()
    }
}
