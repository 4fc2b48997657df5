//! Board support. The device tree describes the machine; board modules only add what
//! the tree does not say, or says for Linux's needs rather than ours (`rpi4`, `virt`).
//!
//! Boot asks two things of this module, in order: [`check_tree`] right after parsing
//! (drop device addresses that cannot be right, fill in the board's usual console when
//! the tree names none), [`BoardCheck::prepare_console`] before the UART is set up (the
//! Pi's pin muxing). [`BoardCheck::report`] says what was wrong.

pub mod devicetree;
pub mod rpi4;
pub mod virt;

use devicetree::{Board, GicInfo, MachineInfo, PhysRange, UartInfo};

pub fn board_name(board: Board) -> &'static str {
    match board {
        Board::QemuVirt => "qemu-virt",
        Board::Rpi4 => "rpi4",
        Board::Unknown => "unknown board",
    }
}

/// The console UART's input clock, if it should be programmed.
pub fn uart_clock_hz(info: &MachineInfo) -> Option<u32> {
    match info.board {
        Board::Rpi4 => Some(rpi4::UART_CLOCK_HZ),
        _ => info.uart.and_then(|u| u.clock_hz),
    }
}

/// Where the console UART came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsoleSource {
    /// The device tree's node.
    Tree,
    /// The tree names none; the board (known from the root `compatible`) always has this
    /// one.
    BoardDefault,
    /// Neither: the console is semihosting in test mode, else nothing.
    None,
}

/// What [`check_tree`] found and did, to be reported once the console is up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BoardCheck<'a> {
    pub board: Board,
    pub model: &'a str,
    pub console: ConsoleSource,
    /// The tree names a known board, but its RAM starts elsewhere than that board's
    /// does (found, expected): the tree was written for another machine, so its devices
    /// were dropped.
    pub ram_mismatch: Option<(u64, u64)>,
    /// Devices whose registers the tree puts inside RAM (dropped from the machine
    /// description): what and where.
    pub in_ram: [Option<(&'static str, u64)>; 3],
    /// Routing the console pins failed (the GPIO block could not be mapped).
    pub pins_failed: bool,
}

/// The console a board always has, for a tree that names none.
fn usual_console(board: Board) -> Option<UartInfo> {
    match board {
        Board::QemuVirt => Some(virt::UART),
        Board::Rpi4 => Some(rpi4::UART0),
        Board::Unknown => None,
    }
}

/// Where a known board's RAM starts (the loader writes `/memory`, so this is the
/// machine's, whatever the tree was written for).
fn ram_base(board: Board) -> Option<u64> {
    match board {
        Board::QemuVirt => Some(0x4000_0000),
        Board::Rpi4 => Some(0),
        Board::Unknown => None,
    }
}

/// Checks the machine description against what the board must look like, and fixes
/// what it can:
/// - A tree for a known board whose RAM (which the loader fills in) does not start where
///   that board's does was written for another machine (QEMU `virt` given the Pi's
///   tree): its UART, GIC and GPIO addresses are dropped, as touching them could fault.
/// - A UART, GIC or GPIO block whose registers lie in RAM is dropped: such a tree was
///   written for another board (QEMU `raspi4b` given `virt`'s tree, or a Pi given a
///   Pi 3's), and writing there would scribble over memory instead of reaching a device.
/// - A tree that names no console UART gets the board's usual one (chosen by the root
///   `compatible`), if that is not in RAM either; on the Pi, likewise the GPIO block.
pub fn check_tree<'a>(info: &mut MachineInfo<'a>) -> BoardCheck<'a> {
    let memory = info.memory;
    let in_ram = |r: PhysRange| {
        memory
            .iter()
            .any(|m| r.start < m.end() && m.start < r.end())
    };
    let mut check = BoardCheck {
        board: info.board,
        model: info.model,
        console: ConsoleSource::None,
        ram_mismatch: None,
        in_ram: [None; 3],
        pins_failed: false,
    };
    let lowest_ram = memory.iter().map(|m| m.start).min();
    if let (Some(found), Some(expected)) = (lowest_ram, ram_base(info.board)) {
        if found != expected {
            check.ram_mismatch = Some((found, expected));
            info.uart = None;
            info.gic = None;
            info.gpio = None;
            info.act_led = None;
            info.cpus = devicetree::CpuList::new();
            return check;
        }
    }
    if let Some(uart) = info.uart {
        if in_ram(PhysRange::new(uart.base, uart.size)) {
            check.in_ram[0] = Some(("console UART", uart.base));
            info.uart = None;
        }
    }
    if let Some(gic) = info.gic {
        let (first, second) = match gic {
            GicInfo::V2 { dist, cpu } => (dist, cpu),
            GicInfo::V3 { dist, redist } => (dist, redist),
        };
        if in_ram(first) || in_ram(second) {
            check.in_ram[1] = Some(("interrupt controller", first.start));
            info.gic = None;
        }
    }
    if let Some(gpio) = info.gpio {
        if in_ram(gpio) {
            check.in_ram[2] = Some(("GPIO block", gpio.start));
            info.gpio = None;
            info.act_led = None;
        }
    }
    check.console = if info.uart.is_some() {
        ConsoleSource::Tree
    } else {
        match usual_console(info.board) {
            Some(uart) if !in_ram(PhysRange::new(uart.base, uart.size)) => {
                info.uart = Some(uart);
                ConsoleSource::BoardDefault
            }
            _ => ConsoleSource::None,
        }
    };
    if info.board == Board::Rpi4 && info.gpio.is_none() && !in_ram(rpi4::GPIO) {
        info.gpio = Some(rpi4::GPIO);
    }
    if info.board == Board::Rpi4 && info.gpio.is_some() && info.act_led.is_none() {
        info.act_led = Some(rpi4::ACT_LED);
    }
    check
}

impl BoardCheck<'_> {
    /// Readies the console's pins: on the Pi, GPIO 14/15 to the PL011, and the ACT LED
    /// lit (the earliest the kernel can: it needs the tree to know it runs on a Pi). Runs
    /// before the UART is set up, so nothing can be reported yet; [`Self::report`] does
    /// that.
    #[cfg(target_os = "none")]
    pub fn prepare_console(&mut self, info: &MachineInfo) {
        if let (Board::Rpi4, Some(gpio)) = (info.board, info.gpio) {
            self.pins_failed = rpi4::init_gpio(gpio, info.act_led).is_err();
        }
    }

    /// Logs what [`check_tree`] found wrong, if anything.
    pub fn report(&self) {
        let board = board_name(self.board);
        if self.board == Board::Unknown {
            log::warn!(
                "unknown board (model \"{}\"): the root compatible names neither QEMU virt \
                 (linux,dummy-virt) nor a Raspberry Pi 4 (brcm,bcm2711); going by the device \
                 tree alone",
                self.model
            );
        }
        if let Some((found, expected)) = self.ram_mismatch {
            log::error!(
                "the device tree says {board} (model \"{}\"), but RAM starts at {found:#x} \
                 and on that board it starts at {expected:#x}: the tree is for another \
                 machine; ignoring its devices",
                self.model
            );
        }
        for (what, addr) in self.in_ram.iter().flatten() {
            log::error!(
                "the device tree puts the {what} at {addr:#x}, inside RAM; ignoring it. Is \
                 this tree for another board? (it says {board}, model \"{}\")",
                self.model
            );
        }
        match self.console {
            ConsoleSource::Tree => {}
            ConsoleSource::BoardDefault => log::warn!(
                "the device tree names no PL011 console UART; using the one {board} always \
                 has at {:#x} (the board comes from the root compatible)",
                usual_console(self.board).map_or(0, |u| u.base)
            ),
            ConsoleSource::None => log::warn!("the device tree names no PL011 console UART"),
        }
        if self.pins_failed {
            log::warn!(
                "cannot map the GPIO block: GPIO 14/15 keep the firmware's setting, and the \
                 ACT LED is not driven"
            );
        }
    }
}

/// Where the loader put the kernel image, the device tree and the boot image. Neither the
/// Pi's firmware nor Linux's boot protocol promises the last two stay clear of the
/// image's full extent: a loader that goes by the file's size (the firmware's
/// `initramfs ... followkernel`) may put them over the bss and boot stack, which boot.s
/// clears and uses before anything can be checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placement {
    /// The kernel image with its bss and boot stack (`__kernel_start..__kernel_end`).
    pub kernel: PhysRange,
    pub tree: PhysRange,
    pub initrd: Option<PhysRange>,
}

/// Two things the loader placed that overlap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overlap {
    TreeOnKernel,
    InitrdOnKernel,
    InitrdOnTree,
}

fn overlapping(a: PhysRange, b: PhysRange) -> bool {
    a.size != 0 && b.size != 0 && a.start < b.end() && b.start < a.end()
}

impl Placement {
    /// Every overlap, in the order of [`Overlap`]'s variants.
    pub fn overlaps(&self) -> impl Iterator<Item = Overlap> {
        let initrd = self.initrd.unwrap_or_default();
        [
            (Overlap::TreeOnKernel, overlapping(self.tree, self.kernel)),
            (Overlap::InitrdOnKernel, overlapping(initrd, self.kernel)),
            (Overlap::InitrdOnTree, overlapping(initrd, self.tree)),
        ]
        .into_iter()
        .filter_map(|(o, yes)| yes.then_some(o))
    }

    /// Whether the boot image is as the loader left it: it overlaps neither the kernel
    /// (whose bss boot cleared) nor the tree.
    pub fn initrd_intact(&self) -> bool {
        !self
            .overlaps()
            .any(|o| matches!(o, Overlap::InitrdOnKernel | Overlap::InitrdOnTree))
    }

    /// Logs each overlap, saying what it means.
    pub fn report(&self) {
        let k = self.kernel;
        let t = self.tree;
        let i = self.initrd.unwrap_or_default();
        for overlap in self.overlaps() {
            match overlap {
                Overlap::TreeOnKernel => log::error!(
                    "the device tree ({:#x}..{:#x}) overlaps the kernel image ({:#x}..{:#x}, \
                     bss and boot stack included), which boot cleared: the loader placed it \
                     by the file's size; what the tree says may be damaged",
                    t.start,
                    t.end(),
                    k.start,
                    k.end()
                ),
                Overlap::InitrdOnKernel => log::error!(
                    "the boot image (initrd, {:#x}..{:#x}) overlaps the kernel image \
                     ({:#x}..{:#x}, bss and boot stack included), which boot cleared: the \
                     loader placed it by the file's size (use the zrk.bin scripts/rpi4-image \
                     writes, padded to the full size)",
                    i.start,
                    i.end(),
                    k.start,
                    k.end()
                ),
                Overlap::InitrdOnTree => log::error!(
                    "the boot image (initrd, {:#x}..{:#x}) overlaps the device tree \
                     ({:#x}..{:#x})",
                    i.start,
                    i.end(),
                    t.start,
                    t.end()
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RPI4_QEMU: &[u8] = include_bytes!("testdata/rpi4-qemu-raspi4b.dtb");
    const VIRT: &[u8] = include_bytes!("testdata/virt-gicv2.dtb");

    #[test]
    fn rpi4_tree_needs_no_fixing() {
        let mut info = devicetree::parse(RPI4_QEMU).unwrap();
        let before = (info.uart, info.gic, info.gpio);
        let check = check_tree(&mut info);
        assert_eq!(check.console, ConsoleSource::Tree);
        assert_eq!(check.in_ram, [None; 3]);
        assert_eq!((info.uart, info.gic, info.gpio), before);
    }

    #[test]
    fn virt_tree_needs_no_fixing() {
        let mut info = devicetree::parse(VIRT).unwrap();
        let before = (info.uart, info.gic);
        let check = check_tree(&mut info);
        assert_eq!(check.console, ConsoleSource::Tree);
        assert_eq!(check.in_ram, [None; 3]);
        assert_eq!((info.uart, info.gic), before);
    }

    #[test]
    fn rpi4_tree_without_uart0_or_gpio_gets_the_bcm2711_ones() {
        let mut info = devicetree::parse(RPI4_QEMU).unwrap();
        info.uart = None;
        info.gpio = None;
        info.act_led = None;
        let check = check_tree(&mut info);
        assert_eq!(check.console, ConsoleSource::BoardDefault);
        assert_eq!(info.uart.map(|u| u.base), Some(0xfe20_1000));
        assert_eq!(info.gpio, Some(PhysRange::new(0xfe20_0000, 0xb4)));
        assert_eq!(info.act_led, Some(rpi4::ACT_LED));
    }

    #[test]
    fn only_the_pi_gets_an_act_led() {
        let mut info = devicetree::parse(RPI4_QEMU).unwrap();
        check_tree(&mut info);
        assert_eq!(
            info.act_led,
            Some(devicetree::GpioLed {
                pin: 42,
                active_low: false
            })
        );
        let mut info = devicetree::parse(VIRT).unwrap();
        check_tree(&mut info);
        assert_eq!(info.act_led, None);
        // The Pi's tree on a machine whose RAM says otherwise: no GPIO, no LED.
        let mut info = devicetree::parse(RPI4_QEMU).unwrap();
        with_memory(&mut info, 0x4000_0000, 128 << 20);
        check_tree(&mut info);
        assert_eq!((info.gpio, info.act_led), (None, None));
    }

    #[test]
    fn virt_tree_without_uart_gets_the_usual_pl011() {
        let mut info = devicetree::parse(VIRT).unwrap();
        info.uart = None;
        assert_eq!(check_tree(&mut info).console, ConsoleSource::BoardDefault);
        assert_eq!(info.uart, Some(virt::UART));
        assert_eq!(info.gpio, None);
    }

    #[test]
    fn the_usual_console_is_not_used_where_the_machine_has_ram() {
        let mut info = devicetree::parse(RPI4_QEMU).unwrap();
        info.uart = None;
        // RAM from 0 up to past the peripherals (no real Pi has it; a bad tree might).
        with_memory(&mut info, 0, 0x1_0000_0000);
        let check = check_tree(&mut info);
        assert_eq!(check.console, ConsoleSource::None);
        assert_eq!(info.uart, None);
    }

    #[test]
    fn unknown_board_without_uart_has_no_console() {
        let mut info = devicetree::parse(VIRT).unwrap();
        info.board = Board::Unknown;
        info.uart = None;
        assert_eq!(check_tree(&mut info).console, ConsoleSource::None);
        assert_eq!(info.uart, None);
    }

    fn with_memory(info: &mut MachineInfo, start: u64, size: u64) {
        info.memory = devicetree::RangeList::new();
        info.memory.push(PhysRange::new(start, size)).unwrap();
    }

    #[test]
    fn a_known_boards_tree_with_ram_where_that_board_has_none_loses_its_devices() {
        // The Pi's tree on QEMU virt, which writes its own RAM (from 1 GiB) into it.
        let mut info = devicetree::parse(RPI4_QEMU).unwrap();
        with_memory(&mut info, 0x4000_0000, 128 << 20);
        let check = check_tree(&mut info);
        assert_eq!(check.ram_mismatch, Some((0x4000_0000, 0)));
        assert_eq!(check.console, ConsoleSource::None);
        assert_eq!((info.uart, info.gic, info.gpio), (None, None, None));
        // And virt's tree on the Pi.
        let mut info = devicetree::parse(VIRT).unwrap();
        with_memory(&mut info, 0, 0x3c00_0000);
        assert_eq!(check_tree(&mut info).ram_mismatch, Some((0, 0x4000_0000)));
        assert_eq!((info.uart, info.gic), (None, None));
    }

    #[test]
    fn another_boards_devices_inside_ram_are_dropped() {
        // virt's PL011 (0x0900_0000) and GIC (0x0800_0000) in a tree of unknown board
        // on a machine with RAM from 0: both are RAM there.
        let mut info = devicetree::parse(VIRT).unwrap();
        info.board = Board::Unknown;
        with_memory(&mut info, 0, 0x3c00_0000);
        let check = check_tree(&mut info);
        assert_eq!(
            check.in_ram,
            [
                Some(("console UART", 0x0900_0000)),
                Some(("interrupt controller", 0x0800_0000)),
                None
            ]
        );
        assert_eq!(check.console, ConsoleSource::None);
        assert_eq!((info.uart, info.gic), (None, None));
    }

    #[test]
    fn uart_clock_is_48_mhz_on_the_pi_and_the_trees_on_virt() {
        let info = devicetree::parse(RPI4_QEMU).unwrap();
        assert_eq!(uart_clock_hz(&info), Some(48_000_000));
        let info = devicetree::parse(VIRT).unwrap();
        assert_eq!(uart_clock_hz(&info), Some(24_000_000));
    }

    /// Debian's tree with `/memory@0` as the Pi's firmware fills it on the 4 GB and 8 GB
    /// boards (testdata/README.md says how they were made).
    const RPI4_4GB: &[u8] = include_bytes!("testdata/rpi4-4gb.dtb");
    const RPI4_8GB: &[u8] = include_bytes!("testdata/rpi4-8gb.dtb");

    #[test]
    fn rpi4_4gb_and_8gb_layouts_are_read_whole_and_leave_the_devices_outside_ram() {
        const GIB: u64 = 1 << 30;
        let low = PhysRange::new(0, 0x3b40_0000);
        let to_peripherals = PhysRange::new(0x4000_0000, 0xbc00_0000);
        for (blob, want) in [
            (RPI4_4GB, vec![low, to_peripherals]),
            (
                RPI4_8GB,
                vec![
                    low,
                    to_peripherals,
                    PhysRange::new(4 * GIB, 2 * GIB),
                    PhysRange::new(6 * GIB, 2 * GIB),
                ],
            ),
        ] {
            let mut info = devicetree::parse(blob).unwrap();
            assert_eq!(info.memory.as_slice(), &want[..]);
            // RAM ends where the peripherals begin (0xfc00_0000): the console, GIC and
            // GPIO are all above, so none is taken for RAM.
            let check = check_tree(&mut info);
            assert_eq!(check.ram_mismatch, None);
            assert_eq!(check.in_ram, [None; 3]);
            assert_eq!(check.console, ConsoleSource::Tree);
            assert_eq!(info.uart.map(|u| u.base), Some(0xfe20_1000));
            assert!(info.gic.is_some() && info.gpio.is_some());
            // All of it is usable: every range is whole 2 MiB blocks of the linear map.
            let (free, usable) = crate::mm::free_regions(info.memory.iter(), None, [].into_iter());
            assert_eq!(usable, info.memory.total_size());
            assert_eq!(free.total(), usable);
        }
        assert_eq!(
            devicetree::parse(RPI4_4GB).unwrap().memory.total_size() >> 20,
            3956
        );
        assert_eq!(
            devicetree::parse(RPI4_8GB).unwrap().memory.total_size() >> 20,
            8052
        );
    }

    fn placement(tree: (u64, u64), initrd: Option<(u64, u64)>) -> Placement {
        Placement {
            kernel: PhysRange::new(0x20_0000, 0xc_8000),
            tree: PhysRange::new(tree.0, tree.1),
            initrd: initrd.map(|(start, size)| PhysRange::new(start, size)),
        }
    }

    fn overlaps(p: Placement) -> Vec<Overlap> {
        p.overlaps().collect()
    }

    #[test]
    fn apart_is_fine() {
        // QEMU raspi4b: tree at 128 MiB + initrd size, initrd at 128 MiB.
        let p = placement((0x800_1000, 0x6b00), Some((0x800_0000, 0x1000)));
        assert_eq!(overlaps(p), vec![]);
        assert!(p.initrd_intact());
        // Touching is not overlapping: an initrd right after the image's last byte.
        let p = placement((0x2eff_2000, 0x6b00), Some((0x2c_8000, 0x1000)));
        assert_eq!(overlaps(p), vec![]);
        assert!(placement((0x2eff_2000, 0x6b00), None).initrd_intact());
    }

    #[test]
    fn an_initrd_placed_after_the_file_but_inside_the_bss_is_caught() {
        // What `followkernel` does with an unpadded image: right after the file's end,
        // which is inside the bss.
        let p = placement((0x2eff_2000, 0x6b00), Some((0x2b_0000, 0x2_f000)));
        assert_eq!(overlaps(p), vec![Overlap::InitrdOnKernel]);
        assert!(!p.initrd_intact());
    }

    #[test]
    fn a_tree_inside_the_image_is_caught_and_spares_the_initrd() {
        let p = placement((0x2c_0000, 0x6b00), Some((0x800_0000, 0x1000)));
        assert_eq!(overlaps(p), vec![Overlap::TreeOnKernel]);
        assert!(p.initrd_intact());
    }

    #[test]
    fn an_initrd_over_the_tree_is_caught() {
        let p = placement((0x800_0800, 0x6b00), Some((0x800_0000, 0x1000)));
        assert_eq!(overlaps(p), vec![Overlap::InitrdOnTree]);
        assert!(!p.initrd_intact());
        // An empty initrd overlaps nothing.
        assert!(placement((0x800_0000, 0x6b00), Some((0x800_0000, 0))).initrd_intact());
    }
}
