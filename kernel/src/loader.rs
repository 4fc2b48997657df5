//! Builds a process from a static ELF executable: its segments, a stack, the start-up
//! block, and the handles it starts with.
//!
//! The start-up block (libzircon's `zrk_startup_t`, `<zircon/zrk-startup.h>`) is how a
//! process learns its handles (Zircon passes them in a channel message; we have no
//! channels yet): `x0` holds its address when `_start` runs. argv and the program's
//! name follow it in the same read-only page.

use crate::arch::aarch64::exceptions::TrapFrame;
use crate::arch::aarch64::user::{USER_BASE, USER_END};
use crate::mm::aspace::{write_frame, MapError, Perms};
use crate::mm::frames::PAGE_SIZE;
use crate::object::{Object, Process, Resource, Thread, Vmar};
use alloc::sync::Arc;
use elf::abi::{EM_AARCH64, ET_EXEC, PF_R, PF_W, PF_X, PT_LOAD};
use elf::endian::LittleEndian;
use elf::ElfBytes;
use libzircon::cdef::AbiStruct;
use libzircon::prelude::*;
use libzircon::startup::{zrk_startup_t, ZRK_STARTUP_MAGIC, ZRK_STARTUP_VERSION};

/// The stack: 256 KiB ending at 256 GiB, with unmapped pages below it.
pub const STACK_TOP: usize = 0x0000_0040_0000_0000;
pub const STACK_SIZE: usize = 256 * 1024;
/// The start-up block's page, a little above the stack.
pub const STARTUP_VA: usize = STACK_TOP + 0x1_0000;

#[derive(Debug)]
pub enum LoadError {
    NotElf,
    WrongKind(&'static str),
    BadSegment(&'static str),
    Map(MapError),
    Handles(libzircon::Status),
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
        }
    }
}

/// A process ready to run: its first thread and the registers to start it with.
pub struct Loaded {
    pub process: Arc<Process>,
    pub thread: Arc<Thread>,
    pub frame: TrapFrame,
}

pub fn load(name: &str, image: &[u8], handle_seed: u64) -> Result<Loaded, LoadError> {
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
    let process = Process::new(name, handle_seed)?;
    // Tear the half-built process down on any error below.
    let result = populate(&process, &elf, image, name);
    match result {
        Ok((entry, thread)) => {
            let mut frame = TrapFrame::default();
            frame.x[0] = STARTUP_VA as u64;
            frame.sp = STACK_TOP as u64;
            frame.elr = entry;
            frame.spsr = 0; // EL0t, interrupts unmasked
            Ok(Loaded {
                process,
                thread,
                frame,
            })
        }
        Err(e) => {
            process.tear_down();
            Err(e)
        }
    }
}

fn populate(
    process: &Arc<Process>,
    elf: &ElfBytes<LittleEndian>,
    image: &[u8],
    name: &str,
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
    match process.translate(entry as usize) {
        Some((_, perms)) if perms.execute => {}
        _ => {
            return Err(LoadError::BadSegment(
                "entry point is not in executable memory",
            ))
        }
    }

    let rw = Perms {
        read: true,
        write: true,
        execute: false,
    };
    for va in (STACK_TOP - STACK_SIZE..STACK_TOP).step_by(PAGE_SIZE) {
        process.map_new_page(va, rw)?;
    }

    let thread = Thread::new(process, name);
    let vmar = Vmar::root(process, USER_BASE, USER_END - USER_BASE);
    let (h_process, h_vmar, h_thread, h_info) = {
        let mut handles = process.handles.lock();
        let p = handles.add(Object::Process(process.clone()), ZX_DEFAULT_PROCESS_RIGHTS);
        let v = handles.add(Object::Vmar(vmar), ZX_DEFAULT_VMAR_RIGHTS);
        let t = handles.add(Object::Thread(thread.clone()), ZX_DEFAULT_THREAD_RIGHTS);
        let i = handles.add(
            Object::Resource(Resource::info()),
            ZX_DEFAULT_RESOURCE_RIGHTS,
        );
        (
            p.map_err(LoadError::Handles)?,
            v.map_err(LoadError::Handles)?,
            t.map_err(LoadError::Handles)?,
            i.map_err(LoadError::Handles)?,
        )
    };

    let ro = Perms {
        read: true,
        write: false,
        execute: false,
    };
    let page = process.map_new_page(STARTUP_VA, ro)?;
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
        vmex_resource: ZX_HANDLE_INVALID,
        info_resource: h_info,
        reserved: 0,
        stack_base: (STACK_TOP - STACK_SIZE) as u64,
        stack_size: STACK_SIZE as u64,
    };
    write_frame(page, 0, block.as_bytes());
    write_frame(page, block_size, &(name_va as u64).to_le_bytes());
    // The page is zeroed, so the name stays NUL-terminated.
    let name = &name.as_bytes()[..name.len().min(PAGE_SIZE - (name_va - STARTUP_VA) - 1)];
    write_frame(page, name_va - STARTUP_VA, name);
    Ok((entry, thread))
}

fn load_segment(
    process: &Process,
    image: &[u8],
    ph: &elf::segment::ProgramHeader,
) -> Result<(), LoadError> {
    let perms = Perms {
        read: ph.p_flags & PF_R != 0,
        write: ph.p_flags & PF_W != 0,
        execute: ph.p_flags & PF_X != 0,
    };
    if perms.write && perms.execute {
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
    let file = offset
        .checked_add(filesz)
        .and_then(|e| image.get(offset..e))
        .ok_or(LoadError::BadSegment("extends past the end of the file"))?;
    let first = vaddr & !(PAGE_SIZE - 1);
    for page_va in (first..end).step_by(PAGE_SIZE) {
        let pa = process.map_new_page(page_va, perms)?;
        // The part of the file that lands in this page.
        let seg_lo = page_va.max(vaddr) - vaddr;
        let seg_hi = (page_va + PAGE_SIZE)
            .min(vaddr + filesz)
            .saturating_sub(vaddr);
        if seg_lo < seg_hi {
            write_frame(pa, vaddr + seg_lo - page_va, &file[seg_lo..seg_hi]);
        }
    }
    Ok(())
}
