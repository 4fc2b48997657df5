//! Boot tests: the kernel boots on every machine shape the issue lists, reports its
//! facts correctly in the banner, and exits cleanly; bad input gets a clear message.

mod qemu;

use qemu::{checked_kernel_image, Boot, Machine};
use std::time::Duration;

const MIB: u64 = 1 << 20;
const PAGE: u64 = 4096;

/// The banner's RAM and free-page figures agree with the machine QEMU was given: all
/// of RAM is reported, and the free pages are RAM less the frame allocator's table (16
/// bytes a page from the first free page to the last, holes included), the little the
/// kernel heap holds at that point (its reserve: it grows on demand), the image, the
/// device tree and a little rounding, never more.
fn assert_memory(boot: &Boot, ram_mib: u64, usable_mib: u64) {
    boot.assert_contains(&format!("RAM: {ram_mib} MiB"));
    assert_eq!(boot.number_after("usable "), usable_mib);
    let usable = usable_mib * MIB;
    let free = boot.number_after("free pages: ") * PAGE;
    let heap = boot.number_after("kernel heap: ") * 1024;
    let table = boot.number_after("frame table: ") * 1024;
    assert!(heap <= MIB, "heap {heap} after boot for {usable} usable");
    // At most twice RAM's share: the Pi's hole below 1 GiB is in the table too.
    assert!(
        table <= usable / 128,
        "frame table {table} for {usable} usable"
    );
    // Image + device tree + rounding: at most 4 MiB for any of these machines.
    assert!(
        free + heap + table <= usable,
        "free {free} + heap + table exceed RAM"
    );
    assert!(
        free + heap + table + 4 * MIB >= usable,
        "free {free} + heap {heap} + table {table} is far below {usable}:\n{}",
        boot.output
    );
}

#[test]
fn el1_cortex_a72_gicv2_64m() {
    let boot = Machine::virt().mem("64M").boot();
    boot.assert_exit(0)
        .assert_contains("on qemu-virt")
        .assert_contains("Cortex-A72")
        .assert_contains("entered at EL1, running at EL1")
        .assert_contains("PAN: no")
        .assert_contains("interrupts: GICv2")
        .assert_contains("PSCI: hvc")
        .assert_contains("timer: 3 ticks")
        .assert_lacks("PANIC");
    assert_memory(&boot, 64, 64);
}

#[test]
fn el2_max_gicv3_2g() {
    let boot = Machine::virt().el2().gic(3).cpu("max").mem("2G").boot();
    boot.assert_exit(0)
        .assert_contains("QEMU max")
        .assert_contains("entered at EL2, running at EL1")
        .assert_contains("PAN: yes")
        .assert_contains("interrupts: GICv3")
        .assert_contains("PSCI: smc")
        .assert_contains("timer: 3 ticks");
    assert_memory(&boot, 2048, 2048);
}

#[test]
fn el1_max_gicv3_2g() {
    let boot = Machine::virt().gic(3).cpu("max").mem("2G").boot();
    boot.assert_exit(0)
        .assert_contains("entered at EL1")
        .assert_contains("interrupts: GICv3")
        .assert_contains("timer: 3 ticks");
    assert_memory(&boot, 2048, 2048);
}

#[test]
fn el2_cortex_a72_gicv2_64m() {
    let boot = Machine::virt().el2().mem("64M").boot();
    boot.assert_exit(0)
        .assert_contains("entered at EL2")
        .assert_contains("interrupts: GICv2")
        .assert_contains("timer: 3 ticks");
    assert_memory(&boot, 64, 64);
}

#[test]
fn four_gib_and_four_cpus_all_running() {
    let boot = Machine::virt().el2().gic(3).mem("4G").smp(4).boot();
    boot.assert_exit(0)
        .assert_contains("CPUs: 4 (4 running)")
        .assert_contains("timer: 3 ticks");
    assert_memory(&boot, 4096, 4096);
}

/// 8 GiB on `virt`: all of it reported, mapped and handed to the allocators.
#[test]
fn eight_gib() {
    let boot = Machine::virt().mem("8G").boot();
    boot.assert_exit(0).assert_contains("timer: 3 ticks");
    assert_memory(&boot, 8192, 8192);
}

/// 8 GiB on `virt` with the first 4 GiB of RAM reserved in the device tree: the frame
/// table, the kernel heap and every page a program gets lie above 4 GiB, and programs run.
#[test]
fn eight_gib_with_only_ram_above_4_gib_free_runs_programs() {
    let hello = user_programs("eight-gib", &["userspace/examples/hello.c"]);
    let boot = Machine::virt()
        .mem("8G")
        .dtb("virt-reserve-low-4g.dtb")
        .qemu_arg("-initrd")
        .qemu_arg(hello.join("initrd.cpio").to_str().unwrap())
        .boot();
    let _ = std::fs::remove_dir_all(&hello);
    boot.assert_exit(0)
        .assert_contains("RAM: 8192 MiB in 1 range(s), usable 8192 MiB")
        .assert_contains("reserved: 4194304 KiB")
        .assert_contains("Hello from C on zrk!")
        .assert_contains("zrk: all programs done (1 run)");
    // Everything free is above 4 GiB: 4 GiB less the heap and the frame table.
    let free = boot.number_after("free pages: ") * PAGE;
    let heap = boot.number_after("kernel heap: ") * 1024;
    let table = boot.number_after("frame table: ") * 1024;
    assert_eq!(free + heap + table, 4 << 30, "{}", boot.output);
}

#[test]
fn mem_option_caps_usable_memory() {
    let boot = Machine::virt().mem("2G").append("mem=64M").boot();
    boot.assert_exit(0).assert_contains("(capped by mem=)");
    assert_memory(&boot, 2048, 64);
}

#[test]
fn unknown_command_line_option_is_reported_and_ignored() {
    let boot = Machine::virt().append("frobnicate=1 mem=12X").boot();
    boot.assert_exit(0)
        .assert_contains("frobnicate=1")
        .assert_contains("mem=12X")
        .assert_contains("(ignored)");
}

#[test]
fn initrd_range_comes_from_the_device_tree() {
    let dir = std::env::temp_dir().join(format!("zrk-initrd-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("initrd.bin");
    std::fs::write(&file, vec![0x5a; 12345]).unwrap();
    let boot = Machine::virt()
        .qemu_arg("-initrd")
        .qemu_arg(file.to_str().unwrap())
        .boot();
    boot.assert_exit(0).assert_contains(", 12345 bytes");
}

/// The kernel reads a mapped user page through the copy routine (allowed), then with an
/// ordinary load (forbidden): hardware PAN on `-cpu max` makes it a permission fault on
/// the mapped page; on the Cortex-A72 the empty TTBR0 makes it a translation fault.
#[test]
fn kernel_cannot_read_user_memory_outside_the_copy_routines() {
    for (cpu, pan, fault) in [
        (
            "max",
            "user memory access: PAN",
            "permission fault at level 3",
        ),
        (
            "cortex-a72",
            "user memory access: software PAN",
            "translation fault at level 0",
        ),
    ] {
        let boot = Machine::virt().cpu(cpu).append("crash=user").boot();
        boot.assert_exit(1)
            .assert_contains(pan)
            .assert_contains(
                "copy routine read of user page 0x200000: Ok(()), [0, 0, 0, 0, 0, 0, 0, 0]",
            )
            .assert_contains("KERNEL PANIC: unexpected exception: sync (EL1)")
            .assert_contains(&format!("{fault}, read of address 0x200000"))
            .assert_contains("kernel::arch::aarch64::cpu::deliberate_read+0x")
            .assert_lacks("PAN is not in force");
    }
}

/// Builds `programs` (paths from the repository root) into a boot image of their own;
/// returns the directory holding its initrd.cpio.
fn user_programs(tag: &str, programs: &[&str]) -> std::path::PathBuf {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = std::env::temp_dir().join(format!("zrk-{tag}-{}", std::process::id()));
    let built = std::process::Command::new(root.join("scripts/build-user"))
        .arg("--werror")
        .arg("--out")
        .arg(&out)
        .args(programs)
        .current_dir(&root)
        .output()
        .expect("scripts/build-user runs");
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    out
}

/// `watchdog=0` kills a program as soon as one of its syscalls spans two timer ticks: a
/// 256 MiB commit does (deterministically, under -icount). The report names it as in
/// progress with the syscalls before it, and the kernel goes on: no panic.
/// (Break it: without the commit's checkpoint between batches the watchdog's second
/// limit, three times the first, panics the kernel instead.)
#[test]
fn watchdog_reports_a_syscall_that_runs_too_long() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = std::env::temp_dir().join(format!("zrk-watchdog-{}", std::process::id()));
    let built = std::process::Command::new(root.join("scripts/build-user"))
        .arg("--werror")
        .arg("--out")
        .arg(&out)
        .arg("userspace/tests/helpers/slow_commit.c")
        .current_dir(&root)
        .output()
        .expect("scripts/build-user runs");
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let boot = Machine::virt()
        .mem("512M")
        .append("watchdog=0")
        .qemu_arg("-icount")
        .qemu_arg("shift=0")
        .qemu_arg("-initrd")
        .qemu_arg(out.join("initrd.cpio").to_str().unwrap())
        .boot();
    let _ = std::fs::remove_dir_all(&out);
    boot.assert_exit(1)
        .assert_contains("# create: 0")
        .assert_contains("zrk: watchdog: vmo_op_range ran for 0 s; killing its process")
        .assert_contains("vmo_create(0x10000000, 0x0, ...) -> 0")
        // The commit noticed the kill between batches and left with INTERNAL_INTR_RETRY.
        .assert_contains(", 0x1, ...) -> -6")
        .assert_contains("zrk: killed slow_commit: watchdog: vmo_op_range ran for 0 s")
        .assert_contains("zrk: all programs done")
        .assert_lacks("KERNEL PANIC")
        .assert_lacks("# commit:");
}

#[test]
fn null_dereference_prints_decoded_report_with_symbolized_backtrace() {
    let boot = Machine::virt().append("crash=null").boot();
    boot.assert_exit(1)
        .assert_contains("KERNEL PANIC: unexpected exception: sync (EL1)")
        .assert_contains(
            "data abort, same EL (EC 0x25): translation fault at level 0, read of address 0x0",
        )
        .assert_contains("FAR 0x0000000000000000")
        .assert_contains("x29 ")
        .assert_contains("backtrace:")
        .assert_contains("kernel::arch::aarch64::cpu::deliberate_fault+0x")
        .assert_contains("kernel::boot::crash+0x")
        .assert_contains("kernel_main+0x")
        .assert_contains("last syscalls");
}

#[test]
fn undefined_instruction_is_reported() {
    let boot = Machine::virt().cpu("max").append("crash=undef").boot();
    boot.assert_exit(1)
        .assert_contains("unknown reason (EC 0x00)")
        .assert_contains("kernel::boot::crash+0x");
}

#[test]
fn kernel_stack_overflow_hits_the_guard_page() {
    let boot = Machine::virt().append("crash=stack").boot();
    boot.assert_exit(1)
        .assert_contains("KERNEL STACK OVERFLOW")
        .assert_contains("translation fault at level 3, write")
        .assert_contains("kernel::boot::recurse+0x");
}

#[test]
fn without_test_mode_psci_system_off_ends_the_machine() {
    let boot = Machine::virt().without_test_mode().boot();
    boot.assert_exit(0)
        .assert_contains("nothing to run; powering off")
        .assert_lacks("system halted");
}

#[test]
fn device_tree_without_interrupt_controller_is_a_clear_error() {
    let boot = Machine::virt().dtb("virt-no-gic.dtb").boot();
    boot.assert_exit(1)
        .assert_contains("the device tree names no GICv2 or GICv3 interrupt controller");
}

#[test]
fn device_tree_without_uart_still_reports_through_semihosting() {
    let boot = Machine::virt().dtb("virt-no-uart.dtb").boot();
    boot.assert_exit(0)
        .assert_contains("the device tree names no PL011 console UART")
        .assert_contains("zrk ");
}

// --- Raspberry Pi 4: QEMU raspi4b with Debian's bcm2711-rpi-4-b.dtb ---------------------

/// What QEMU raspi4b tells the kernel: its 2 GiB as one range below the VideoCore's
/// memory (`memory@0`, 0..0x3c00_0000 = 960 MiB).
const RASPI4B_RAM_MIB: u64 = 960;

/// BCM2711 GPIO registers (0xfe20_0000 in the Pi 4's low-peripheral map).
const GPFSEL1: u64 = 0xfe20_0004;
/// Function select for GPIO 40–49: the ACT LED, GPIO 42, in bits 8:6.
const GPFSEL4: u64 = 0xfe20_0010;
/// Pin levels of GPIO 32–57.
const GPLEV1: u64 = 0xfe20_0038;
const GPIO_PUP_PDN_CNTRL_REG0: u64 = 0xfe20_00e4;
const ACT_LED_BIT: u32 = 1 << (42 - 32);

#[test]
fn rpi4_banner_reports_the_boards_facts() {
    let boot = Machine::rpi4().boot();
    boot.assert_exit(0)
        .assert_contains("on rpi4 (Raspberry Pi 4 Model B)")
        .assert_contains("cpu: Cortex-A72")
        .assert_contains("entered at EL2, running at EL1")
        .assert_contains("PAN: no")
        .assert_contains("CPUs: 4 (4 running)")
        .assert_contains("console: PL011 @ 0xfe201000")
        .assert_contains("interrupts: GICv2")
        .assert_contains("PSCI: none")
        .assert_contains("timer: 3 ticks")
        .assert_lacks("WARN")
        .assert_lacks("ERROR")
        .assert_lacks("PANIC");
    assert_memory(&boot, RASPI4B_RAM_MIB, RASPI4B_RAM_MIB);
}

/// The memory layouts the Pi's firmware writes for the 4 GB and 8 GB boards: RAM below
/// the VideoCore's share, then 0x4000_0000..0xfc00_0000 (up to the peripherals), and on
/// the 8 GB board 4 GiB more above 4 GiB, in two ranges (`#size-cells` is 1). The host
/// tests read the firmware's exact form (kernel/src/bsp/testdata/rpi4-4gb.dtb and
/// rpi4-8gb.dtb, one `memory@0` node). QEMU `raspi4b` replaces every node named
/// `memory` with its own (0..0x3c00_0000), so these trees carry the ranges from 1 GiB up
/// in a second node, `ram@40000000` (the kernel, like Linux, goes by `device_type`).
/// QEMU has 2 GiB, so `mem=1984M` keeps the kernel to what exists: its own 960 MiB and
/// the gigabyte from 0x4000_0000, the largest free range, where the frame table goes.
/// So this boot's kernel objects all live in the second range; the RAM above 2 GiB (and
/// above 4 GiB) is parsed, counted and linear-mapped but not used: the 8 GiB `virt`
/// boots above use RAM above 4 GiB.
fn rpi4_memory_layout_boot(fixture: &str, ram_mib: u64, ranges: usize) {
    let hello = user_programs(fixture, &["userspace/examples/hello.c"]);
    let boot = Machine::rpi4()
        .dtb(fixture)
        .append("mem=1984M")
        .qemu_arg("-initrd")
        .qemu_arg(hello.join("initrd.cpio").to_str().unwrap())
        .boot();
    let _ = std::fs::remove_dir_all(&hello);
    boot.assert_exit(0)
        .assert_contains(&format!(
            "RAM: {ram_mib} MiB in {ranges} range(s), usable 1984 MiB (capped by mem=)"
        ))
        .assert_contains("Hello from C on zrk!")
        .assert_contains("zrk: all programs done (1 run)")
        .assert_lacks("WARN")
        .assert_lacks("ERROR");
    assert_memory(&boot, ram_mib, 1984);
}

#[test]
fn rpi4_4gb_memory_layout() {
    // 960 MiB + 3008 MiB.
    rpi4_memory_layout_boot("rpi4-4gb-raspi4b.dtb", 3968, 2);
}

#[test]
fn rpi4_8gb_memory_layout() {
    // 960 MiB + 3008 MiB + 2 × 2048 MiB above 4 GiB.
    rpi4_memory_layout_boot("rpi4-8gb-raspi4b.dtb", 8064, 4);
}

#[test]
fn rpi4_mem_option_caps_usable_memory() {
    let boot = Machine::rpi4().append("mem=64M").boot();
    boot.assert_exit(0).assert_contains("(capped by mem=)");
    assert_memory(&boot, RASPI4B_RAM_MIB, 64);
}

#[test]
fn rpi4_initrd_range_comes_from_the_device_tree() {
    let dir = std::env::temp_dir().join(format!("zrk-rpi4-initrd-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("initrd.bin");
    std::fs::write(&file, vec![0x5a; 12345]).unwrap();
    let boot = Machine::rpi4()
        .qemu_arg("-initrd")
        .qemu_arg(file.to_str().unwrap())
        .boot();
    boot.assert_exit(0).assert_contains(", 12345 bytes");
}

/// Without test mode there is no semihosting exit and no PSCI: the kernel says it halts.
/// The three secondary cores, released from the firmware's spin table into the kernel,
/// sleep in their idle threads (WFI between ticks): at most one QEMU thread stays busy.
/// In QEMU's own spin loop (WFE, which does not sleep under QEMU) all four were busy.
/// And the console pins: GPIO 14/15 on ALT0 (the PL011), TXD without a pull resistor and
/// RXD pulled up (so an unconnected RXD idles high instead of floating). And the ACT LED
/// (GPIO 42) an output, driven high: lit.
#[test]
fn rpi4_without_test_mode_halts_and_the_secondaries_sleep() {
    let idle = Machine::rpi4().without_test_mode().boot_until(
        "system halted",
        Duration::from_secs(2),
        &[GPFSEL1, GPIO_PUP_PDN_CNTRL_REG0, GPFSEL4, GPLEV1],
    );
    let (Some(fsel), Some(pulls), Some(fsel4), Some(lev1)) =
        (idle.words[0], idle.words[1], idle.words[2], idle.words[3])
    else {
        panic!("no answer from QEMU's monitor: {:?}", idle.words);
    };
    assert_eq!((fsel4 >> 6) & 0o7, 0o1, "GPIO 42 not an output: {fsel4:#x}");
    assert_ne!(lev1 & ACT_LED_BIT, 0, "the ACT LED is not lit: {lev1:#x}");
    assert_eq!(
        (fsel >> 12) & 0o77,
        0o44,
        "GPIO 14/15 not on ALT0: GPFSEL1 {fsel:#x}"
    );
    assert_eq!(
        pulls >> 28,
        0b01_00,
        "GPIO 15 not pulled up or GPIO 14 pulled: {pulls:#x}"
    );
    idle.boot
        .assert_contains("nothing to run; powering off")
        .assert_contains("system halted (no way to power off)");
    let busy = idle.thread_load.iter().filter(|&&load| load > 0.1).count();
    assert!(
        !idle.thread_load.is_empty() && busy <= 1,
        "QEMU threads' CPU use while halted: {:?} (more than one busy: secondaries spinning?)",
        idle.thread_load
    );
}

/// A kernel panic on the Pi without test mode halts with the ACT LED flashing (SOS):
/// sampled over a few seconds, it is seen both lit and dark.
#[test]
fn rpi4_act_led_flashes_after_a_panic() {
    let idle = Machine::rpi4()
        .without_test_mode()
        .append("crash=null")
        .boot_until_sampling("system halted", Duration::from_millis(100), &[GPLEV1], 80);
    idle.boot
        .assert_contains("KERNEL PANIC")
        .assert_contains("system halted");
    let levels: Vec<bool> = idle
        .samples
        .iter()
        .filter_map(|row| row[0])
        .map(|lev| lev & ACT_LED_BIT != 0)
        .collect();
    assert!(
        levels.len() >= 40 && levels.contains(&true) && levels.contains(&false),
        "the ACT LED did not flash after the panic: {levels:?}"
    );
}

#[test]
fn rpi4_device_tree_without_uart0_falls_back_to_the_bcm2711_pl011() {
    let boot = Machine::rpi4().dtb("rpi4-no-uart0.dtb").boot();
    boot.assert_exit(0)
        .assert_contains(
            "the device tree names no PL011 console UART; using the one rpi4 always has at \
             0xfe201000",
        )
        .assert_contains("console: PL011 @ 0xfe201000");
}

/// The banner says where the loader put the kernel (its full extent), the tree and the
/// boot image.
#[test]
fn rpi4_banner_says_where_kernel_tree_and_initrd_lie() {
    let dir = std::env::temp_dir().join(format!("zrk-rpi4-placement-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("initrd.bin");
    std::fs::write(&file, vec![0x5a; 4096]).unwrap();
    let boot = Machine::rpi4()
        .qemu_arg("-initrd")
        .qemu_arg(file.to_str().unwrap())
        .boot();
    let _ = std::fs::remove_dir_all(&dir);
    // QEMU loads the kernel at 2 MiB and the boot image at 128 MiB.
    boot.assert_exit(0)
        .assert_contains("  kernel: 0x200000..0x")
        .assert_contains(" KiB with bss and stack), device tree: 0x")
        .assert_contains("  initrd: 0x8000000..0x8001000, 4096 bytes")
        .assert_lacks("overlaps");
}

/// A boot image placed inside the kernel's bss (as the Pi's `followkernel` would place it
/// after an unpadded image) is named, and not run.
#[test]
fn rpi4_initrd_over_the_kernels_bss_is_reported_and_not_run() {
    let boot = Machine::rpi4().dtb("rpi4-initrd-on-kernel.dtb").boot();
    boot.assert_exit(1)
        .assert_contains(
            "the boot image (initrd, 0x210000..0x211000) overlaps the kernel image (0x200000..",
        )
        .assert_contains("  initrd: 0x210000..0x211000, 4096 bytes")
        .assert_contains("not running the boot image")
        .assert_lacks("zrk: run");
}

#[test]
fn virt_device_tree_on_raspi4b_is_named_another_machines() {
    let boot = Machine::rpi4().dtb("virt-gicv2.dtb").boot();
    boot.assert_exit(1)
        .assert_contains(
            "the device tree says qemu-virt (model \"linux,dummy-virt\"), but RAM starts at 0x0 \
             and on that board it starts at 0x40000000",
        )
        .assert_contains("the device tree names no GICv2 or GICv3 interrupt controller")
        .assert_lacks("PANIC");
}

#[test]
fn rpi4_device_tree_on_virt_is_named_another_machines() {
    let boot = Machine::virt().dtb("bcm2711-rpi-4-b.dtb").boot();
    boot.assert_exit(1)
        .assert_contains(
            "the device tree says rpi4 (model \"Raspberry Pi 4 Model B\"), but RAM starts at \
             0x40000000 and on that board it starts at 0x0",
        )
        .assert_lacks("PANIC");
}

/// The checked kernel runs the thread, futex, wait, signal, port, job and process programs
/// on four CPUs with every lock acquisition checked against the written order
/// (kernel/src/lockorder.rs).
#[test]
fn checked_kernel_runs_threads_on_four_cpus_with_lock_order_checks() {
    let out = user_programs(
        "checked",
        &[
            "userspace/tests/thread_basic.c",
            "userspace/tests/event_signal.c",
            "userspace/tests/race_protect_faults.c",
            "userspace/tests/port_threads.c",
            "userspace/tests/port_async.c",
            "userspace/tests/port_stress.c",
            "userspace/tests/job_tree.c",
            "userspace/tests/process_memory.c",
        ],
    );
    let boot = Machine::virt()
        .kernel_file(checked_kernel_image())
        .smp(4)
        .qemu_arg("-initrd")
        .qemu_arg(out.join("initrd.cpio").to_str().unwrap())
        .boot();
    let _ = std::fs::remove_dir_all(&out);
    boot.assert_exit(0)
        .assert_contains("CPUs: 4 (4 running)")
        .assert_contains("zrk: exit thread_basic status 0")
        .assert_contains("zrk: exit event_signal status 0")
        .assert_contains("zrk: exit race_protect_faults status 0")
        .assert_contains("zrk: exit port_threads status 0")
        .assert_contains("zrk: exit port_async status 0")
        .assert_contains("zrk: exit port_stress status 0")
        .assert_contains("zrk: exit job_tree status 0")
        .assert_contains("zrk: exit process_memory status 0")
        .assert_lacks("not ok")
        .assert_lacks("PANIC");
}

/// The checker works: an inversion on purpose (`crash=lockorder`) stops a checked
/// kernel with both locks named; a release kernel has no checker and says so.
#[test]
fn lock_order_checker_stops_an_inversion() {
    Machine::virt()
        .kernel_file(checked_kernel_image())
        .append("crash=lockorder")
        .boot()
        .assert_exit(1)
        .assert_contains(
            "lock order: taking the thread scheduling state lock (level 48) while holding the \
             run queue lock (level 54)",
        );
    Machine::virt()
        .append("crash=lockorder")
        .boot()
        .assert_exit(1)
        .assert_contains("lock-order checks are off in this build");
}

/// A newcomer's first crash demo, `scripts/run crash.c` with a read of address 0x10: gcc
/// warns (-Warray-bounds) but the program still builds, because a program of your own
/// compiles without -Werror; it then runs and the kernel kills it with the fault report.
/// `--werror` (what the project's own builds pass) makes the same warning an error.
/// (Break it: put -Werror back into scripts/build-user's default flags.)
#[test]
fn scripts_run_builds_a_warning_program_and_reports_its_crash() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = std::env::temp_dir().join(format!("zrk-crash-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let crash = dir.join("crash.c");
    std::fs::write(&crash, "int main(void) { return *(volatile int *)0x10; }\n").unwrap();

    let strict = std::process::Command::new(root.join("scripts/build-user"))
        .arg("--werror")
        .arg("--out")
        .arg(dir.join("strict"))
        .arg(&crash)
        .current_dir(&root)
        .output()
        .expect("scripts/build-user runs");
    assert!(
        !strict.status.success() && String::from_utf8_lossy(&strict.stderr).contains("error:"),
        "--werror should fail on the warning:\n{}",
        String::from_utf8_lossy(&strict.stderr)
    );

    // As a newcomer types it; scripts/run builds the kernel too (up to date here) and
    // leaves QEMU with the program's status. `timeout` bounds a hung boot.
    let run = std::process::Command::new("timeout")
        .arg("120")
        .arg(root.join("scripts/run"))
        .arg(&crash)
        .current_dir(&root)
        .output()
        .expect("scripts/run runs");
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("warning:") && stderr.contains("-Warray-bounds"),
        "the compiler's warning should be shown:\n{stderr}"
    );
    assert!(
        stdout.contains("zrk: run crash")
            && stdout.contains("zrk: killed crash: data abort")
            && stdout.contains("at 0x10")
            && stdout.contains("zrk: exit crash status -1028")
            && stdout.contains("zrk: all programs done"),
        "the program should run and be killed with the fault report:\n{stdout}\n{stderr}"
    );
    assert_ne!(
        run.status.code(),
        Some(0),
        "QEMU's status is the failed program's"
    );
    assert_ne!(run.status.code(), Some(124), "scripts/run timed out");
}
