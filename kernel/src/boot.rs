//! From the first Rust instruction in the upper half to a running kernel: device tree,
//! linear map, console, memory, interrupts, banner.

use crate::arch::{backtrace, cpu, exceptions, psci, pte, timer, user};
use crate::bsp::{self, devicetree};
use crate::cmdline::{self, CrashKind};
use crate::drivers::{console, pl011::Pl011};
use crate::mm::{self, frames, heap, paging};
use crate::{irq, kprintln, logger, power, random, userboot};
use core::fmt::Write;
use core::panic::PanicInfo;
use core::sync::atomic::{AtomicBool, Ordering};

const VERSION: &str = env!("CARGO_PKG_VERSION");
const MIB: u64 = 1 << 20;

unsafe extern "C" {
    static __kernel_start: u8;
    static __kernel_end: u8;
}

/// Entered from boot.s with the MMU on, on the boot stack, IRQs masked.
#[unsafe(no_mangle)]
pub extern "C" fn kernel_main(dtb_pa: usize, entry_el: u64, image_pa: usize) -> ! {
    crate::task::percpu::init_this_cpu(0);
    exceptions::init();
    timer::record_boot();
    paging::init(image_pa);

    // The device tree's size, read through the early identity map.
    // SAFETY: early_map identity-mapped the gigabytes around dtb_pa.
    let header = unsafe { paging::with_identity_mapped(dtb_pa, 64, devicetree::blob_size) };
    let Ok(dtb_size) = header else {
        // Without a device tree there is no console to say so on.
        cpu::halt();
    };
    // SAFETY: as above; the blob lies within the two identity-mapped gigabytes.
    let memory = unsafe {
        paging::with_identity_mapped(dtb_pa, dtb_size, |dtb| {
            devicetree::parse_any_memory(dtb).map(|info| info.memory)
        })
    };
    // A tree that does not parse names no console to complain on: stop here.
    let Ok(memory) = memory else { cpu::halt() };
    let mut ram = mm::regions::RegionSet::new();
    for r in memory.iter() {
        ram.add(r);
    }
    ram.align_inward(mm::LINEAR_ALIGN);
    // The tree itself is RAM even when it fails to say so: map it to report that.
    let dtb_start = dtb_pa as u64 & !(mm::LINEAR_ALIGN - 1);
    let dtb_end = (dtb_pa + dtb_size) as u64;
    ram.add(devicetree::PhysRange {
        start: dtb_start,
        size: dtb_end.div_ceil(mm::LINEAR_ALIGN) * mm::LINEAR_ALIGN - dtb_start,
    });
    paging::map_linear(ram.iter());
    // The device tree is in RAM, so now it is in the linear map too; that view stays.
    // SAFETY: the blob is reserved below (never handed to an allocator) and read-only.
    let dtb = unsafe { paging::phys_slice(dtb_pa as u64, dtb_size) };
    let Ok(mut info) = devicetree::parse_any_memory(dtb) else {
        cpu::halt()
    };
    let mut board = bsp::check_tree(&mut info);
    paging::drop_identity_map();

    let (cmd, problems) = cmdline::parse(info.bootargs);
    if cmd.test_mode {
        power::set_test_mode();
        console::allow_semihosting_fallback();
    }
    if let Some(uart) = info.uart {
        board.prepare_console(&info);
        match paging::map_device(uart.base, uart.size) {
            Ok(va) => {
                // SAFETY: the PL011's registers were just mapped for the console alone.
                let pl011 = unsafe { Pl011::new(va) };
                pl011.init(bsp::uart_clock_hz(&info), 115_200);
                console::install(pl011);
            }
            Err(e) => kprintln!("cannot map the console UART: {e:?}"),
        }
    }
    logger::init(cmd.loglevel.unwrap_or(log::LevelFilter::Info));
    board.report();
    if info.memory.is_empty() {
        log::error!("the device tree has no /memory node with a usable range");
        power::fail();
    }
    for p in problems.iter() {
        log::warn!("command line: {p} (ignored)");
    }
    if problems.dropped() > 0 {
        log::warn!("command line: {} more problems", problems.dropped());
    }
    if let Some(psci_conduit) = info.psci {
        psci::set_conduit(psci_conduit == devicetree::PsciConduit::Smc);
    }

    // SAFETY: linker symbols; only their addresses are taken.
    let image_size =
        unsafe { &__kernel_end as *const u8 as usize - &__kernel_start as *const u8 as usize }
            as u64;
    let mut holes = [devicetree::PhysRange { start: 0, size: 0 }; 3];
    holes[0] = devicetree::PhysRange {
        start: image_pa as u64,
        size: image_size,
    };
    holes[1] = devicetree::PhysRange {
        start: dtb_pa as u64,
        size: dtb_size as u64,
    };
    if let Some(initrd) = info.initrd {
        holes[2] = initrd;
    }
    let placement = bsp::Placement {
        kernel: holes[0],
        tree: holes[1],
        initrd: info.initrd,
    };
    placement.report();
    let report = init_memory(&info, cmd.mem_limit, &holes);
    // The page untouched mappings show; taken now so it is not charged to a program.
    let _ = crate::mm::vmo_pages::zero_page();
    if let Err(e) = mm::check_frames() {
        log::error!("frame allocator self-check failed: {e}");
        power::fail();
    }

    let rng_source = seed_random(&info);
    let user_access = user::init(|va| (va - pte::KERNEL_VBASE + image_pa) as u64);

    if crate::task::sched::start_cpu("boot").is_err() {
        log::error!("no memory for the boot CPU's idle thread");
        power::fail();
    }
    let irq_name = match irq::init(&info) {
        Ok(name) => name,
        Err(e) => {
            log::error!("{e}");
            power::fail();
        }
    };
    cpu::enable_irqs();
    crate::smp::start_secondaries(&info, image_pa);

    banner(&info, entry_el, &report, irq_name, &cmd, &placement);
    log::info!("user memory access: {user_access}; random seed: {rng_source}");
    // The counter starts at reset, so this includes firmware or QEMU's own boot code.
    log::info!("banner {} us after reset", timer::monotonic_ns() / 1000);

    check_tick();
    if let Some(seconds) = cmd.watchdog {
        crate::task::set_watchdog_seconds(seconds);
    }
    if let Some(limit) = cmd.max_port_observers {
        crate::object::port::set_max_observers(limit);
    }
    if let Some(n) = cmd.max_asids {
        crate::mm::aspace::limit_asids(n);
    }
    crate::syscall::enable_debugging_syscalls(cmd.debugging_syscalls);
    // The root of the job tree, before any process.
    crate::object::Job::root();
    if let Some(kind) = cmd.crash {
        crash(kind);
    }

    let Some(initrd) = info.initrd else {
        log::info!("nothing to run; powering off");
        power::shutdown(0)
    };
    if !placement.initrd_intact() {
        log::error!("not running the boot image: it is not what the loader put there");
        power::fail();
    }
    // SAFETY: the boot image is reserved RAM (a hole in the free regions), never written.
    let archive = unsafe { paging::phys_slice(initrd.start, initrd.size as usize) };
    let status = userboot::run_all(archive);
    power::shutdown(status)
}

/// Seeds the kernel's CPRNG: from the device tree if the loader put a seed there, else
/// (weakly) from counter jitter. Says which.
fn seed_random(info: &devicetree::MachineInfo) -> &'static str {
    match info.rng_seed {
        Some(_) => {
            for bytes in info.rng_seed_bytes {
                random::add_entropy(bytes);
            }
            "device tree rng-seed"
        }
        None => {
            // Boot timing varies a little with the hardware and the emulator.
            random::add_entropy(&cpu::midr().to_le_bytes());
            random::add_jitter_entropy();
            "counter timing (weak: the device tree has no rng-seed)"
        }
    }
}

/// Waits for a few timer interrupts, proving the tick runs, and says how long they took.
fn check_tick() {
    const WANT: u64 = 3;
    let start = timer::ticks();
    let t0 = timer::monotonic_ns();
    // Five times the expected time at most: a dead timer must not hang the boot.
    let limit = t0 + 5 * WANT * 1_000_000_000 / timer::TICK_HZ;
    while timer::ticks() - start < WANT && timer::monotonic_ns() < limit {
        cpu::wait_for_interrupt();
    }
    let got = timer::ticks() - start;
    let ms = (timer::monotonic_ns() - t0) / 1_000_000;
    if got >= WANT {
        log::info!("timer: {got} ticks in {ms} ms ({} Hz tick)", timer::TICK_HZ);
    } else {
        log::error!("timer: only {got} ticks in {ms} ms; the tick interrupt is not arriving");
    }
}

/// Faults on purpose (`crash=`), to show the fault report and backtrace.
#[inline(never)]
fn crash(kind: CrashKind) -> ! {
    match kind {
        CrashKind::Null => cpu::deliberate_fault(false),
        CrashKind::Undefined => cpu::deliberate_fault(true),
        CrashKind::UserRead => read_user_page_directly(),
        CrashKind::LockOrder => {
            crate::task::lock_order_inversion();
            log::error!(
                "lock-order checks are off in this build (scripts/build --checked has them)"
            );
            power::fail();
        }
        CrashKind::StackOverflow => {
            log::info!("overflowing the kernel stack on purpose");
            let depth = recurse(core::hint::black_box(1));
            log::error!("recursion returned {depth}: the guard page did not fire");
            power::fail();
        }
    }
}

/// Maps one user page, reads it through the copy routine (which may), then with an
/// ordinary load (which PAN forbids): the second read must end in a fault report.
fn read_user_page_directly() -> ! {
    use crate::mm::aspace::{zero_frame, AddressSpace, Perms};
    use libzircon::prelude::ZX_CACHE_POLICY_CACHED;
    let perms = Perms {
        read: true,
        write: true,
        execute: false,
    };
    let mut aspace = AddressSpace::new().unwrap_or_else(|_| power::fail());
    let pa = frames::alloc(1).unwrap_or_else(|_| power::fail());
    zero_frame(pa);
    if aspace
        .map_page(user::USER_BASE, pa, perms, ZX_CACHE_POLICY_CACHED, false)
        .is_err()
    {
        power::fail();
    }
    user::activate(aspace.ttbr0());
    let mut word = [0xffu8; 8];
    let at = libzircon::dispatch::UserPtr::<u64>::from_addr(user::USER_BASE);
    let copied = user::copy_from_user(&mut word, at);
    log::info!(
        "copy routine read of user page {:#x}: {copied:?}, {:?}",
        user::USER_BASE,
        word
    );
    log::info!("reading it with an ordinary load");
    let value = cpu::deliberate_read(user::USER_BASE);
    log::error!("the kernel read user memory directly ({value}): PAN is not in force");
    power::fail();
}

/// Burns 4 KiB of stack per level, forever.
#[allow(unconditional_recursion)]
fn recurse(n: u64) -> u64 {
    let mut frame = [0u8; 4096];
    frame[(n % 4096) as usize] = n as u8;
    core::hint::black_box(&mut frame);
    recurse(n + 1) + frame[0] as u64
}

fn init_memory(
    info: &devicetree::MachineInfo,
    mem_limit: Option<u64>,
    holes: &[devicetree::PhysRange],
) -> mm::MemoryReport {
    let ram_bytes = info.memory.total_size();
    let reserved = info.reserved.iter().chain(holes.iter().copied());
    let (mut free, usable) = mm::free_regions(info.memory.iter(), mem_limit, reserved);
    let (Some(first), Some(last)) = (free.iter().next(), free.iter().last()) else {
        log::error!("no free memory");
        power::fail();
    };
    // The frame allocator's table covers every page from the first free one to the last.
    let (span_start, span_end) = (first.start, last.start + last.size);
    let page = frames::PAGE_SIZE as u64;
    let pages = ((span_end - span_start) / page) as usize;
    let table_bytes = (frames::table_bytes(pages) as u64).div_ceil(page) * page;
    let Some(table) = free.take_from_largest(table_bytes, page) else {
        log::error!(
            "not enough memory for the {} KiB frame table ({} KiB free)",
            table_bytes / 1024,
            free.total() / 1024
        );
        power::fail();
    };
    let table_va = paging::phys_to_virt(table.start);
    // SAFETY: the table's range was just taken out of the free RAM, and RAM is
    // linear-mapped; zeroing it makes every entry "not free".
    unsafe {
        core::ptr::write_bytes(table_va as *mut u8, 0, table.size as usize);
        frames::init_with_table(
            span_start as usize,
            span_end as usize,
            table_va,
            table.size as usize,
        );
    }
    for r in free.iter() {
        frames::add_region(r.start as usize, (r.start + r.size) as usize);
    }
    heap::init();
    mm::set_usable_bytes(usable);
    mm::MemoryReport {
        ram_bytes,
        usable_bytes: usable,
        table_bytes: table.size,
        heap_bytes: heap::stats().0 as u64,
        heap_used_bytes: heap::stats().1 as u64,
        free_pages: frames::free_pages(),
        reserved_bytes: usable - free.total() - table.size,
    }
}

fn banner(
    info: &devicetree::MachineInfo,
    entry_el: u64,
    mem: &mm::MemoryReport,
    irq_name: &str,
    cmd: &cmdline::CommandLine,
    placed: &bsp::Placement,
) {
    kprintln!();
    kprintln!(
        "zrk {VERSION}: a Zircon-compatible kernel, on {} ({})",
        bsp::board_name(info.board),
        info.model
    );
    kprintln!(
        "  cpu: {} (MIDR {:#010x}), entered at EL{entry_el}, running at EL1, PAN: {}, CPUs: {} ({} running)",
        cpu::core_name(),
        cpu::midr(),
        if cpu::has_pan() { "yes" } else { "no" },
        info.cpu_count,
        crate::task::percpu::online_count()
    );
    kprintln!(
        "  RAM: {} MiB in {} range(s), usable {} MiB{}",
        mem.ram_bytes / MIB,
        info.memory.len(),
        mem.usable_bytes / MIB,
        if cmd.mem_limit.is_some() {
            " (capped by mem=)"
        } else {
            ""
        }
    );
    kprintln!(
        "  free pages: {} of {} ({} KiB), kernel heap: {} KiB ({} KiB used), frame table: {} KiB, reserved: {} KiB",
        mem.free_pages,
        frames::total_pages(),
        mem.free_pages * 4,
        mem.heap_bytes / 1024,
        mem.heap_used_bytes / 1024,
        mem.table_bytes / 1024,
        mem.reserved_bytes / 1024
    );
    kprintln!(
        "  console: PL011 @ {:#x}, interrupts: {irq_name}, timer: {} Hz, PSCI: {}",
        info.uart.map_or(0, |u| u.base),
        timer::frequency(),
        match info.psci {
            Some(devicetree::PsciConduit::Hvc) => "hvc",
            Some(devicetree::PsciConduit::Smc) => "smc",
            None => "none",
        }
    );
    let (k, t) = (placed.kernel, placed.tree);
    kprintln!(
        "  kernel: {:#x}..{:#x} ({} KiB with bss and stack), device tree: {:#x}..{:#x}",
        k.start,
        k.end(),
        k.size / 1024,
        t.start,
        t.end()
    );
    match placed.initrd {
        Some(r) => kprintln!("  initrd: {:#x}..{:#x}, {} bytes", r.start, r.end(), r.size),
        None => kprintln!("  initrd: none"),
    }
    kprintln!("  command line: \"{}\"", cmd.raw);
    kprintln!();
}

static PANICKING: AtomicBool = AtomicBool::new(false);

#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    let _irqs = cpu::IrqGuard::new();
    let mut out = console::panic_writer();
    if PANICKING.swap(true, Ordering::Relaxed) {
        let _ = writeln!(out, "\n*** panic while panicking: {}", info.message());
        power::fail();
    }
    let _ = write!(out, "\n*** KERNEL PANIC");
    if let Some(loc) = info.location() {
        let _ = write!(out, " at {}:{}:{}", loc.file(), loc.line(), loc.column());
    }
    let _ = writeln!(out, ": {}", info.message());
    let _ = writeln!(out, "  backtrace:");
    backtrace::write_from(&mut out, None, backtrace::current_fp());
    crate::task::write_recent_syscalls(&mut out);
    power::fail()
}
