//! Processes, their threads and root VMARs.
//!
//! A process owns an address space (its page tables and ASID), a handle table, and the
//! frames its loader mapped. Ending it drains the handle table first: a process holds
//! a handle to itself, and that cycle must break for the memory to come back.

use super::handle::HandleTable;
use super::koid;
use crate::arch::aarch64::user::UserRegisters;
use crate::mm::aspace::{AddressSpace, MapError, Perms};
use crate::mm::frames;
use crate::mm::vmo_pages::KernelPages;
use alloc::sync::Arc;
use alloc::vec::Vec;
use libzircon::prelude::*;
use spin::Mutex;

/// Anything a handle can refer to.
#[derive(Clone)]
pub enum Object {
    Process(Arc<Process>),
    Thread(Arc<Thread>),
    Vmar(Arc<Vmar>),
    Resource(Arc<Resource>),
    Vmo(Arc<KernelVmo>),
}

/// A VMO over the kernel's frames.
pub type KernelVmo = super::vmo::Vmo<KernelPages>;

impl Object {
    pub fn koid(&self) -> zx_koid_t {
        match self {
            Object::Process(p) => p.koid,
            Object::Thread(t) => t.koid,
            Object::Vmar(v) => v.koid,
            Object::Resource(r) => r.koid,
            Object::Vmo(v) => v.koid(),
        }
    }

    pub fn obj_type(&self) -> zx_obj_type_t {
        match self {
            Object::Process(_) => ZX_OBJ_TYPE_PROCESS,
            Object::Thread(_) => ZX_OBJ_TYPE_THREAD,
            Object::Vmar(_) => ZX_OBJ_TYPE_VMAR,
            Object::Resource(_) => ZX_OBJ_TYPE_RESOURCE,
            Object::Vmo(_) => ZX_OBJ_TYPE_VMO,
        }
    }

    /// The signals the object asserts now; None if it cannot be waited on.
    pub fn signals(&self) -> Option<zx_signals_t> {
        match self {
            // Only live processes and threads can be named by a handle here: a process
            // ends with its handle table, and a thread with its process.
            Object::Process(_) => Some(0),
            Object::Thread(_) => Some(ZX_THREAD_RUNNING),
            Object::Vmo(v) => Some(v.signals()),
            Object::Vmar(_) | Object::Resource(_) => None,
        }
    }

    /// The object's name (ZX_PROP_NAME), for objects that have one.
    pub fn name(&self) -> Option<Name> {
        match self {
            Object::Process(p) => Some(*p.name.lock()),
            Object::Thread(t) => Some(*t.name.lock()),
            Object::Vmo(v) => Some(Name::from_bytes(&v.name())),
            Object::Vmar(_) | Object::Resource(_) => None,
        }
    }

    /// Renames the object; false if it has no name.
    pub fn set_name(&self, name: Name) -> bool {
        match self {
            Object::Process(p) => *p.name.lock() = name,
            Object::Thread(t) => *t.name.lock() = name,
            Object::Vmo(v) => v.set_name(name.padded()),
            Object::Vmar(_) | Object::Resource(_) => return false,
        }
        true
    }

    /// The koid Zircon reports as `related_koid`: a thread's or a VMAR's process.
    pub fn related_koid(&self) -> zx_koid_t {
        match self {
            Object::Process(_) => 0,
            Object::Thread(t) => t.process_koid,
            Object::Vmar(v) => v.process_koid,
            Object::Resource(_) | Object::Vmo(_) => 0,
        }
    }
}

/// The name Zircon objects carry: at most ZX_MAX_NAME_LEN - 1 bytes.
#[derive(Clone, Copy)]
pub struct Name {
    /// NUL-padded; the last byte is always NUL.
    bytes: [u8; ZX_MAX_NAME_LEN],
}

impl Name {
    pub fn new(s: &str) -> Self {
        let mut bytes = [0; ZX_MAX_NAME_LEN];
        let mut len = s.len().min(ZX_MAX_NAME_LEN - 1);
        while !s.is_char_boundary(len) {
            len -= 1;
        }
        bytes[..len].copy_from_slice(&s.as_bytes()[..len]);
        Name { bytes }
    }

    /// From raw bytes: up to the first NUL, at most ZX_MAX_NAME_LEN - 1 of them.
    pub fn from_bytes(raw: &[u8]) -> Self {
        let len = raw
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(raw.len())
            .min(ZX_MAX_NAME_LEN - 1);
        let mut bytes = [0; ZX_MAX_NAME_LEN];
        bytes[..len].copy_from_slice(&raw[..len]);
        Name { bytes }
    }

    /// All ZX_MAX_NAME_LEN bytes, NUL-padded, as ZX_PROP_NAME returns them.
    pub fn padded(&self) -> &[u8; ZX_MAX_NAME_LEN] {
        &self.bytes
    }
}

pub struct Process {
    pub koid: zx_koid_t,
    pub name: Mutex<Name>,
    pub handles: Mutex<HandleTable<Object>>,
    /// None once the process has ended.
    aspace: Mutex<Option<AddressSpace>>,
    /// Frames the loader mapped (code, data, stack, start-up block), freed at the end.
    frames: Mutex<Vec<usize>>,
}

impl Process {
    pub fn new(name: &str, handle_seed: u64) -> Result<Arc<Process>, MapError> {
        Ok(Arc::new(Process {
            koid: koid::next(),
            name: Mutex::new(Name::new(name)),
            handles: Mutex::new(HandleTable::new(handle_seed)),
            aspace: Mutex::new(Some(AddressSpace::new()?)),
            frames: Mutex::new(Vec::new()),
        }))
    }

    /// Maps a fresh zeroed page at `va`, owned by the process; returns its frame.
    pub fn map_new_page(&self, va: usize, perms: Perms) -> Result<usize, MapError> {
        let mut owned = self.frames.lock();
        owned.try_reserve(1).map_err(|_| MapError::NoMemory)?;
        let pa = frames::alloc(1)?;
        crate::mm::aspace::zero_frame(pa);
        let mapped = match self.aspace.lock().as_mut() {
            Some(aspace) => aspace.map(va, pa, perms),
            None => Err(MapError::BadAddress),
        };
        if let Err(e) = mapped {
            frames::free(pa, 1);
            return Err(e);
        }
        owned.push(pa);
        Ok(pa)
    }

    /// TTBR0 for running this process, if it has not ended.
    pub fn ttbr0(&self) -> Option<u64> {
        self.aspace.lock().as_ref().map(AddressSpace::ttbr0)
    }

    /// Where user address `va` leads, for fault reports.
    pub fn translate(&self, va: usize) -> Option<(usize, Perms)> {
        self.aspace.lock().as_mut()?.translate(va)
    }

    /// Ends the process's hold on everything: handles first (breaking the cycle through
    /// its own handle), then the address space (its drop flushes the ASID from the TLB),
    /// and only then the pages it mapped, so no translation outlives its frame.
    pub fn tear_down(&self) {
        let entries = self.handles.lock().drain();
        drop(entries);
        let aspace = self.aspace.lock().take();
        drop(aspace);
        let owned = core::mem::take(&mut *self.frames.lock());
        for pa in owned {
            frames::free(pa, 1);
        }
    }
}

pub struct Thread {
    pub koid: zx_koid_t,
    pub process_koid: zx_koid_t,
    pub name: Mutex<Name>,
    /// FP/SIMD registers and thread pointers while the thread is not on a CPU.
    pub registers: Mutex<UserRegisters>,
}

impl Thread {
    pub fn new(process: &Process, name: &str) -> Arc<Thread> {
        Arc::new(Thread {
            koid: koid::next(),
            process_koid: process.koid,
            name: Mutex::new(Name::new(name)),
            registers: Mutex::new(UserRegisters::default()),
        })
    }
}

/// A virtual memory address region. Only the root VMAR exists until the VMAR issue,
/// which reads its range (ZX_INFO_VMAR, mapping).
#[allow(dead_code)]
pub struct Vmar {
    pub koid: zx_koid_t,
    pub process_koid: zx_koid_t,
    pub base: usize,
    pub size: usize,
}

impl Vmar {
    pub fn root(process: &Process, base: usize, size: usize) -> Arc<Vmar> {
        Arc::new(Vmar {
            koid: koid::next(),
            process_koid: process.koid,
            base,
            size,
        })
    }
}

/// What a resource grants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResourceKind {
    /// Fuchsia's info resource (system resource, INFO base): reading kernel-wide
    /// statistics such as ZX_INFO_KMEM_STATS.
    Info,
}

/// A resource: a capability to use a kernel-wide facility.
pub struct Resource {
    pub koid: zx_koid_t,
    pub kind: ResourceKind,
}

static INFO_RESOURCE: spin::Once<Arc<Resource>> = spin::Once::new();

impl Resource {
    /// The one info resource; boot programs each get a handle to it.
    pub fn info() -> Arc<Resource> {
        INFO_RESOURCE
            .call_once(|| {
                Arc::new(Resource {
                    koid: koid::next(),
                    kind: ResourceKind::Info,
                })
            })
            .clone()
    }
}
