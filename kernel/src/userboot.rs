//! Starts the first program, zrk-init, from the boot image (a cpio archive passed as the
//! initrd) and waits for it; zrk-init starts the others from user space
//! (userspace/boot/init.c, with the launcher of <zrk/launch.h>), as Fuchsia's userboot
//! hands the rest of the system to user space.
//!
//! zrk-init runs in the root job and gets, besides what every program gets, the boot
//! image as a read-only VMO (`zrk_startup_t.boot_image`). It prints the lines test
//! harnesses parse (`zrk: run NAME`, `zrk: killed NAME: REASON`, `zrk: exit NAME status
//! N`, `zrk: all programs done`), and its exit status is what the machine ends with.

use crate::kprintln;
use crate::loader;
use crate::mm::vmo_pages::KernelPages;
use crate::object::{Job, KernelVmo, Process};
use crate::task::wait::{self, WaitItem};
use crate::task::Exit;
use alloc::sync::Arc;
use libzircon::prelude::*;

/// The archive member the kernel starts.
const INIT: &str = "zrk-init";

/// Runs zrk-init; returns the status QEMU should exit with: zrk-init's exit code if it
/// is in 0..=255 (it computes the programs' combined status), else 1; 0 for a boot image
/// without zrk-init (nothing to run).
pub fn run_all(archive: &[u8]) -> u32 {
    let Some(init) = cpio_reader::iter_files(archive).find(|e| e.name() == INIT) else {
        // As with no boot image at all: nothing to run.
        log::info!("the boot image has no {INIT} (scripts/build-user adds it): nothing to run");
        return 0;
    };
    let exit = match start_init(archive, init.file()) {
        Ok(process) => {
            let exit = wait_for_exit(&process);
            wait_for_reaping(&process);
            exit
        }
        Err(reason) => Exit::Killed(reason),
    };
    crate::drivers::console::finish_user_line();
    match exit {
        Exit::Exited(code) => u32::try_from(code).ok().filter(|c| *c <= 255).unwrap_or(1),
        Exit::Killed(reason) => {
            kprintln!("zrk: killed {INIT}: {reason}");
            1
        }
    }
}

/// Loads and starts zrk-init in the root job, with the archive in a VMO of its own.
fn start_init(archive: &[u8], image: &[u8]) -> Result<Arc<Process>, alloc::string::String> {
    use alloc::format;
    let boot_image = KernelVmo::create(KernelPages, archive.len() as u64, 0)
        .map_err(|e| format!("no memory for the boot image: {e:?}"))?;
    loader::fill(&boot_image, 0, archive)
        .map_err(|e| format!("cannot copy the boot image: {e}"))?;
    let loaded = loader::load(
        INIT,
        image,
        &Job::root(),
        Some(boot_image),
        crate::random::next_u64(),
    )
    .map_err(|e| format!("cannot load: {e}"))?;
    match loaded
        .process
        .start_thread(&loaded.thread, loaded.start, true)
    {
        Ok(()) => Ok(loaded.process),
        Err(e) => {
            let reason = format!("cannot start: {e:?}");
            loaded.process.kill_with(Exit::Killed(reason.clone()));
            Err(reason)
        }
    }
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
