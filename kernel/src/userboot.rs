//! Runs the programs in the boot image (a cpio archive passed as the initrd), one after
//! another, printing each one's name and how it ended.
//!
//! Programs are the archive's files; an optional `manifest` lists the names to run, in
//! order, one per line. The lines printed here are what test harnesses parse:
//! `zrk: run NAME`, `zrk: killed NAME: REASON`, `zrk: exit NAME status N`, and
//! `zrk: all programs done`.

use crate::kprintln;
use crate::loader;
use crate::mm::frames;
use crate::object::process::Name;
use crate::object::{Job, Process};
use crate::task::wait::{self, WaitItem};
use crate::task::Exit;
use alloc::sync::Arc;
use libzircon::prelude::*;

/// ZX_TASK_RETCODE_EXCEPTION_KILL: the status of a process killed for a fault.
const RETCODE_EXCEPTION_KILL: i64 = -1028;

/// Runs every program; returns the status QEMU should exit with: 0 if all exited 0,
/// else the last failure's status if it fits in 1..=255, else 1.
pub fn run_all(archive: &[u8]) -> u32 {
    let manifest = cpio_reader::iter_files(archive)
        .find(|e| e.name() == "manifest")
        .map(|e| core::str::from_utf8(e.file()).unwrap_or(""));
    let mut result = 0u32;
    let mut ran = 0;
    let mut run_one = |name: &str, image: &[u8]| {
        let status = run_program(name, image);
        ran += 1;
        if status != 0 {
            result = u32::try_from(status)
                .ok()
                .filter(|s| (1..=255).contains(s))
                .unwrap_or(1);
        }
    };
    match manifest {
        Some(list) => {
            for name in list.lines().map(str::trim).filter(|l| !l.is_empty()) {
                match cpio_reader::iter_files(archive).find(|e| e.name() == name) {
                    Some(entry) => run_one(name, entry.file()),
                    None => run_one(name, &[]),
                }
            }
        }
        None => {
            for entry in cpio_reader::iter_files(archive) {
                let is_file = entry.mode().bits() & 0o170_000 == 0o100_000;
                if is_file && entry.name() != "manifest" {
                    run_one(entry.name(), entry.file());
                }
            }
        }
    }
    kprintln!("zrk: all programs done ({ran} run)");
    result
}

/// Runs one program in a job of its own under the root job: what it does to its job
/// (kill it, fill it) stays its own business, and its job goes away with it.
fn run_program(name: &str, image: &[u8]) -> i64 {
    kprintln!("zrk: run {name}");
    // Pages outside the kernel heap: the heap keeps what its high-water marks need (run
    // queues sized for the most threads ever alive), which is not a leak; leaked objects
    // show in ZRK_INFO_KERNEL_OBJECTS instead.
    let free_before = free_or_heap_pages();
    let job = match Job::root().create_child() {
        Ok(job) => {
            *job.name.lock() = Name::new(name);
            Ok(job)
        }
        Err(e) => Err(e),
    };
    let loaded = job
        .map_err(loader::LoadError::Handles)
        .and_then(|job| loader::load(name, image, &job, crate::random::next_u64()));
    let exit = match loaded {
        Ok(loaded) => match loaded
            .process
            .start_thread(&loaded.thread, loaded.start, true)
        {
            Ok(()) => {
                drop(loaded.thread);
                let exit = wait_for_exit(&loaded.process);
                wait_for_reaping(&loaded.process);
                exit
            }
            Err(e) => {
                loaded
                    .process
                    .kill_with(Exit::Killed(alloc::format!("cannot start: {e:?}")));
                Exit::Killed(alloc::format!("cannot start: {e:?}"))
            }
        },
        Err(e) => Exit::Killed(alloc::format!("cannot load: {e}")),
    };
    crate::drivers::console::finish_user_line();
    let status = match exit {
        Exit::Exited(code) => code,
        Exit::Killed(reason) => {
            kprintln!("zrk: killed {name}: {reason}");
            RETCODE_EXCEPTION_KILL
        }
    };
    kprintln!("zrk: exit {name} status {status}");
    let leaked = free_before as i64 - free_or_heap_pages() as i64;
    if leaked != 0 {
        log::error!("{name}: {leaked} pages not returned after exit");
    }
    status
}

/// Blocks the boot thread until `process` has died; returns how it ended.
fn wait_for_exit(process: &Arc<Process>) -> Exit {
    loop {
        if let Some(exit) = process.exit() {
            return exit;
        }
        let item = WaitItem {
            signals: &process.signals,
            mask: ZX_PROCESS_TERMINATED,
            via: ZX_HANDLE_INVALID,
        };
        let mut observed = [0];
        wait::wait_signals(
            core::slice::from_ref(&item),
            ZX_TIME_INFINITE,
            &mut observed,
        );
    }
}

/// Waits (a second at most) until the dead process's threads are gone: each is freed by
/// its CPU's next switch, which may come a moment after the process's death woke us. The
/// next program then starts with every object and page of this one back, so leak checks
/// that count kernel-wide see only their own.
fn wait_for_reaping(process: &Arc<Process>) {
    let give_up = crate::arch::timer::monotonic_ns() as i64 + 1_000_000_000;
    while Arc::strong_count(process) > 1 {
        let now = crate::arch::timer::monotonic_ns() as i64;
        if now > give_up {
            log::warn!("a thread of the dead process was not freed within a second");
            return;
        }
        wait::sleep_until(now + 1_000_000);
    }
}

/// Free pages plus the pages the kernel heap holds.
fn free_or_heap_pages() -> usize {
    frames::free_pages() + crate::mm::heap::stats().0 / frames::PAGE_SIZE
}
