//! Builds a process from a static ELF executable: its segments, a stack, the start-up
//! block, and the handles it starts with. Everything a process sees is a VMO mapped
//! through its root VMAR, as in Zircon: each segment a VMO mapped with the segment's
//! permissions (never writable and executable at once), the stack a VMO with a
//! reserved, unmappable region below it, the start-up block a read-only VMO. Pages
//! arrive on first touch.
//!
//! The text the loader copies in reaches instruction fetch through the cache
//! maintenance `mm::aspace` does whenever a page first becomes executable at an address
//! (data cleaned to the point of unification, instruction cache invalidated), which
//! every text page goes through when its first instruction fetch faults it in. So a
//! program loaded into frames an earlier program ran code from never runs the earlier
//! program's instructions, and the loader itself needs no maintenance of its own.
//!
//! The start-up block (libzircon's `zrk_startup_t`, `<zircon/zrk-startup.h>`) is how a
//! process learns its handles (Zircon passes them in a channel message; we have no
//! channels yet): `x0` holds its address when `_start` runs. argv and the program's
//! name follow it in the same read-only page.

use crate::arch::user::{USER_BASE, USER_END};
use crate::mm::aspace::MapError;
use crate::mm::frames::PAGE_SIZE;
use crate::mm::vmo_pages::KernelPages;
use crate::object::process::Name;
use crate::object::vmar::options::MapOptions;
use crate::object::{Job, KernelVmo, Object, Process, Resource, Thread, Vmar};
use crate::task::thread::{Body, UserStart};
use alloc::sync::Arc;
use elf::abi::{EM_AARCH64, ET_EXEC, PF_R, PF_W, PF_X, PT_LOAD};
use elf::endian::LittleEndian;
use elf::ElfBytes;
use libzircon::cdef::AbiStruct;
use libzircon::prelude::*;
use libzircon::startup::{zrk_startup_t, ZRK_STARTUP_MAGIC, ZRK_STARTUP_VERSION};

/// The stack: 256 KiB ending at 256 GiB, with a region below it nothing can map.
pub const STACK_TOP: usize = 0x0000_0040_0000_0000;
pub const STACK_SIZE: usize = 256 * 1024;
pub const STACK_GUARD: usize = 64 * 1024;
/// The rights of the boot image's handle: a VMO's, without WRITE, SET_PROPERTY or
/// EXECUTE.
const BOOT_IMAGE_RIGHTS: zx_rights_t =
    ZX_RIGHTS_BASIC | ZX_RIGHT_READ | ZX_RIGHT_MAP | ZX_RIGHT_GET_PROPERTY;
/// The start-up block's page, a little above the stack.
pub const STARTUP_VA: usize = STACK_TOP + 0x1_0000;

#[derive(Debug)]
pub enum LoadError {
    NotElf,
    WrongKind(&'static str),
    BadSegment(&'static str),
    Map(MapError),
    Handles(libzircon::Status),
    Vm(libzircon::Status),
}

impl From<MapError> for LoadError {
    fn from(e: MapError) -> Self {
        LoadError::Map(e)
    }
}

impl core::fmt::Display for LoadError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            LoadError::NotElf => write!(f, "not an ELF file"),
            LoadError::WrongKind(what) => write!(f, "not a static AArch64 executable: {what}"),
            LoadError::BadSegment(what) => write!(f, "bad segment: {what}"),
            LoadError::Map(e) => write!(f, "cannot map it: {e:?}"),
            LoadError::Handles(s) => write!(f, "cannot create its handles: {s:?}"),
            LoadError::Vm(s) => write!(f, "cannot map its memory: {s:?}"),
        }
    }
}

/// A process ready to run: its first thread and the registers to start it with.
pub struct Loaded {
    pub process: Arc<Process>,
    pub thread: Arc<Thread>,
    /// Where its first thread starts: x0 holds the start-up block's address.
    pub start: UserStart,
}

/// Loads `image` as a new process named `name` in `job`, which the process also gets a
/// handle to (`zrk_startup_t.job`, what `zx_job_default()` returns).
pub fn load(
    name: &str,
    image: &[u8],
    job: &Arc<Job>,
    boot_image: Option<Arc<KernelVmo>>,
    handle_seed: u64,
) -> Result<Loaded, LoadError> {
    let elf = ElfBytes::<LittleEndian>::minimal_parse(image).map_err(|_| LoadError::NotElf)?;
    if elf.ehdr.class != elf::file::Class::ELF64 {
        return Err(LoadError::WrongKind("not 64-bit"));
    }
    if elf.ehdr.e_machine != EM_AARCH64 {
        return Err(LoadError::WrongKind("not AArch64"));
    }
    if elf.ehdr.e_type != ET_EXEC {
        return Err(LoadError::WrongKind(
            "not ET_EXEC (position-dependent static)",
        ));
    }
    let process = Process::new(
        Name::new(name),
        job.clone(),
        handle_seed,
        crate::random::next_u64(),
    )?;
    job.add_process(&process).map_err(LoadError::Handles)?;
    // Tear the half-built process down on any error below.
    let result = populate(&process, &elf, image, name, job, boot_image);
    match result {
        Ok((entry, thread)) => {
            let start = UserStart {
                entry: entry as usize,
                stack: STACK_TOP,
                arg1: STARTUP_VA as u64,
                arg2: 0,
            };
            Ok(Loaded {
                process,
                thread,
                start,
            })
        }
        Err(e) => {
            process.tear_down();
            Err(e)
        }
    }
}

/// Writes `bytes` into `vmo` at `offset` (kernel memory to VMO: no user copy).
pub fn fill(vmo: &KernelVmo, offset: u64, bytes: &[u8]) -> Result<(), LoadError> {
    vmo.write(offset, bytes.len(), &mut |dst, at| {
        dst.copy_from(&bytes[at..at + dst.len()]);
        Ok(())
    })
    .map_err(LoadError::Vm)
}

/// Maps `vmo` at `va` with `perms` (ZX_VM_PERM_*), as zx_vmar_map with ZX_VM_SPECIFIC
/// into the root VMAR would.
fn map_at(
    process: &Arc<Process>,
    vmo: Arc<KernelVmo>,
    va: usize,
    perms: u32,
) -> Result<(), LoadError> {
    let len = vmo.size() as usize;
    let root = process
        .vm
        .root()
        .ok_or(LoadError::Vm(libzircon::Status::BAD_STATE))?;
    let options = MapOptions::check(ZX_VM_SPECIFIC | perms, perms).map_err(LoadError::Vm)?;
    process
        .vm
        .map(process, root, &options, va - root.base(), &vmo, 0, len)
        .map(|_| ())
        .map_err(LoadError::Vm)
}

fn populate(
    process: &Arc<Process>,
    elf: &ElfBytes<LittleEndian>,
    image: &[u8],
    name: &str,
    job: &Arc<Job>,
    boot_image: Option<Arc<KernelVmo>>,
) -> Result<(u64, Arc<Thread>), LoadError> {
    let segments = elf
        .segments()
        .ok_or(LoadError::BadSegment("no program headers"))?;
    let mut loaded_any = false;
    for ph in segments.iter().filter(|ph| ph.p_type == PT_LOAD) {
        load_segment(process, image, &ph)?;
        loaded_any = true;
    }
    if !loaded_any {
        return Err(LoadError::BadSegment("nothing to load"));
    }
    let entry = elf.ehdr.e_entry;
    match process.vm.mapping_perms(entry as usize) {
        Some(perms) if perms & ZX_VM_PERM_EXECUTE != 0 => {}
        _ => {
            return Err(LoadError::BadSegment(
                "entry point is not in executable memory",
            ))
        }
    }

    let stack_base = STACK_TOP - STACK_SIZE;
    let stack = KernelVmo::create(KernelPages, STACK_SIZE as u64, 0).map_err(LoadError::Vm)?;
    stack.commit(0, STACK_SIZE as u64).map_err(LoadError::Vm)?;
    map_at(
        process,
        stack,
        stack_base,
        ZX_VM_PERM_READ | ZX_VM_PERM_WRITE,
    )?;
    let root = process
        .vm
        .root()
        .ok_or(LoadError::Vm(libzircon::Status::BAD_STATE))?;
    // A sub-VMAR with no CAN_MAP rights: nothing can ever be mapped into the guard.
    let guard_base = stack_base - STACK_GUARD;
    process
        .vm
        .allocate(root, ZX_VM_SPECIFIC, guard_base - root.base(), STACK_GUARD)
        .map_err(LoadError::Vm)?;
    *process.stack_guard.lock() = guard_base..stack_base;

    let thread = Thread::new(name, Some(process.clone()), Body::User)
        .map_err(|_| LoadError::Vm(libzircon::Status::NO_MEMORY))?;
    let vmar = Vmar::new(process, root);
    let (h_process, h_vmar, h_thread, h_info, h_vmex, h_job, h_boot) = {
        let mut handles = process.handles.lock();
        let p = handles.add(Object::Process(process.clone()), ZX_DEFAULT_PROCESS_RIGHTS);
        let v = handles.add(Object::Vmar(vmar), root.handle_rights());
        let t = handles.add(Object::Thread(thread.clone()), ZX_DEFAULT_THREAD_RIGHTS);
        let resources = ZX_DEFAULT_RESOURCE_RIGHTS;
        let i = handles.add(Object::Resource(Resource::info()), resources);
        let x = handles.add(Object::Resource(Resource::vmex()), resources);
        let j = handles.add(Object::Job(job.clone()), ZX_DEFAULT_JOB_RIGHTS);
        // Read-only: the boot image is what the machine booted with.
        let b = match boot_image {
            Some(vmo) => handles.add(Object::Vmo(vmo), BOOT_IMAGE_RIGHTS),
            None => Ok(ZX_HANDLE_INVALID),
        };
        (
            p.map_err(LoadError::Handles)?,
            v.map_err(LoadError::Handles)?,
            t.map_err(LoadError::Handles)?,
            i.map_err(LoadError::Handles)?,
            x.map_err(LoadError::Handles)?,
            j.map_err(LoadError::Handles)?,
            b.map_err(LoadError::Handles)?,
        )
    };

    let block_size = core::mem::size_of::<zrk_startup_t>();
    let argv = STARTUP_VA + block_size;
    let name_va = argv + 16; // argv[0], then argv[1] = NULL
    let block = zrk_startup_t {
        magic: ZRK_STARTUP_MAGIC,
        version: ZRK_STARTUP_VERSION,
        argc: 1,
        argv: argv as u64,
        process: h_process,
        vmar_root: h_vmar,
        thread: h_thread,
        vmex_resource: h_vmex,
        info_resource: h_info,
        job: h_job,
        stack_base: stack_base as u64,
        stack_size: STACK_SIZE as u64,
        boot_image: h_boot,
        user0: ZX_HANDLE_INVALID,
    };
    let startup = KernelVmo::create(KernelPages, PAGE_SIZE as u64, 0).map_err(LoadError::Vm)?;
    fill(&startup, 0, block.as_bytes())?;
    fill(&startup, block_size as u64, &(name_va as u64).to_le_bytes())?;
    // The VMO reads as zeros past what is written, so the name stays NUL-terminated.
    let name = &name.as_bytes()[..name.len().min(PAGE_SIZE - (name_va - STARTUP_VA) - 1)];
    fill(&startup, (name_va - STARTUP_VA) as u64, name)?;
    map_at(process, startup, STARTUP_VA, ZX_VM_PERM_READ)?;
    Ok((entry, thread))
}

fn load_segment(
    process: &Arc<Process>,
    image: &[u8],
    ph: &elf::segment::ProgramHeader,
) -> Result<(), LoadError> {
    let mut perms = 0;
    if ph.p_flags & PF_R != 0 {
        perms |= ZX_VM_PERM_READ;
    }
    if ph.p_flags & PF_W != 0 {
        perms |= ZX_VM_PERM_WRITE;
    }
    if ph.p_flags & PF_X != 0 {
        perms |= ZX_VM_PERM_EXECUTE;
    }
    if perms & ZX_VM_PERM_WRITE != 0 && perms & ZX_VM_PERM_EXECUTE != 0 {
        return Err(LoadError::BadSegment("writable and executable (W^X)"));
    }
    let vaddr = usize::try_from(ph.p_vaddr).map_err(|_| LoadError::BadSegment("address"))?;
    let memsz = usize::try_from(ph.p_memsz).map_err(|_| LoadError::BadSegment("size"))?;
    let filesz = usize::try_from(ph.p_filesz).map_err(|_| LoadError::BadSegment("size"))?;
    let offset = usize::try_from(ph.p_offset).map_err(|_| LoadError::BadSegment("offset"))?;
    let end = vaddr
        .checked_add(memsz)
        .ok_or(LoadError::BadSegment("wraps around"))?;
    if vaddr < USER_BASE || end > USER_END {
        return Err(LoadError::BadSegment("outside the user address space"));
    }
    if filesz > memsz {
        return Err(LoadError::BadSegment("file size exceeds memory size"));
    }
    if memsz == 0 {
        return Ok(());
    }
    let file = offset
        .checked_add(filesz)
        .and_then(|e| image.get(offset..e))
        .ok_or(LoadError::BadSegment("extends past the end of the file"))?;
    let first = vaddr & !(PAGE_SIZE - 1);
    let size = end.div_ceil(PAGE_SIZE) * PAGE_SIZE - first;
    let vmo = KernelVmo::create(KernelPages, size as u64, 0).map_err(LoadError::Vm)?;
    fill(&vmo, (vaddr - first) as u64, file)?;
    if perms & ZX_VM_PERM_WRITE != 0 {
        // Data and bss are committed up front, so a program's footprint does not grow
        // behind its back as it first touches them (and faults are saved).
        vmo.commit(0, size as u64).map_err(LoadError::Vm)?;
    }
    map_at(process, vmo, first, perms).map_err(|e| match e {
        LoadError::Vm(libzircon::Status::ALREADY_EXISTS) => {
            LoadError::BadSegment("segments overlap in a page")
        }
        e => e,
    })
}
