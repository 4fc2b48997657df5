//! The flattened device tree (DTB) the loader hands us, boiled down to the plain facts the
//! kernel needs: RAM, reserved ranges, console UART, interrupt controller, timer interrupt,
//! PSCI conduit, CPUs, command line and boot image.
//!
//! Portable and host-tested. It runs before the kernel heap exists, so it allocates
//! nothing (fixed-capacity lists), and it never panics: whatever the bytes, [`parse`]
//! returns a [`MachineInfo`] or a [`DtError`].
//!
//! It reads the blob with its own small reader rather than the `fdt` crate: `fdt` 0.1.5
//! panics on malformed input (unchecked slicing, `unwrap`s and `assert!`s while walking
//! the structure block) and gives no access to a node's ancestors, which address
//! translation needs. The reader checks the whole structure block once, up front;
//! after that every walk is still written with checked reads, so a bug can at worst lose
//! information, not crash.
//!
//! Every address reported is a CPU physical address: a device's `reg` is translated
//! through the `ranges` of each bus above it (on the Raspberry Pi 4, `/soc` maps bus
//! address 0x7e00_0000 to 0xfe00_0000).

// The parser reports everything the input says; the kernel reads more of it as
// features land (the Pi's GPIO and spin tables, the RNG seed), and tests read the rest.
#![cfg_attr(not(test), allow(dead_code))]

use core::fmt;

/// Capacity of a [`RangeList`].
pub const MAX_RANGES: usize = 32;
/// Capacity of a [`CpuList`]. A tree with more CPUs still reports them all in
/// [`MachineInfo::cpu_count`]; the list keeps the first `MAX_CPUS`.
pub const MAX_CPUS: usize = 16;
/// Size of the version-17 header; [`blob_size`] needs at least this many bytes.
pub const HEADER_SIZE: usize = 40;
/// Largest blob accepted (Linux's arm64 limit, too).
pub const MAX_BLOB_SIZE: usize = 2 << 20;
/// Deepest node nesting accepted (real trees use 5 or 6 levels).
pub const MAX_DEPTH: usize = 16;

const FDT_MAGIC: u32 = 0xd00d_feed;
const FDT_BEGIN_NODE: u32 = 1;
const FDT_END_NODE: u32 = 2;
const FDT_PROP: u32 = 3;
const FDT_NOP: u32 = 4;
const FDT_END: u32 = 9;

/// The bus address of the Raspberry Pi 4's PL011 `uart0`, the one on GPIO 14/15.
const RPI4_UART0_BUS_ADDR: u64 = 0x7e20_1000;

/// What went wrong while reading a device tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DtError {
    /// Not a flattened device tree: bad magic, impossible sizes or a broken structure block.
    BadBlob,
    /// A node the kernel cannot run without is absent (or says nothing usable).
    MissingNode(&'static str),
    /// More entries than a fixed-capacity list holds.
    TooManyRanges,
    /// A property the kernel needs is malformed, or an address cannot be translated.
    BadProperty(&'static str),
}

impl fmt::Display for DtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DtError::BadBlob => f.write_str(
                "not a valid flattened device tree (bad magic, size or structure block)",
            ),
            DtError::MissingNode(node) => {
                write!(f, "device tree has no usable {node} node")
            }
            DtError::TooManyRanges => write!(
                f,
                "device tree lists more address ranges than fit ({MAX_RANGES} at most)"
            ),
            DtError::BadProperty(prop) => {
                write!(f, "device tree property {prop} is malformed or unusable")
            }
        }
    }
}

/// A range of physical addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct PhysRange {
    pub start: u64,
    pub size: u64,
}

impl PhysRange {
    pub const fn new(start: u64, size: u64) -> Self {
        PhysRange { start, size }
    }

    /// One past the last address (saturates at `u64::MAX`).
    pub const fn end(&self) -> u64 {
        self.start.saturating_add(self.size)
    }

    pub const fn contains(&self, addr: u64) -> bool {
        addr >= self.start && addr - self.start < self.size
    }
}

/// A fixed-capacity list of [`PhysRange`]s, in the order the tree gives them.
#[derive(Clone, Copy)]
pub struct RangeList {
    items: [PhysRange; MAX_RANGES],
    len: usize,
}

impl RangeList {
    pub const fn new() -> Self {
        RangeList {
            items: [PhysRange::new(0, 0); MAX_RANGES],
            len: 0,
        }
    }

    pub fn push(&mut self, range: PhysRange) -> Result<(), DtError> {
        let slot = self.items.get_mut(self.len).ok_or(DtError::TooManyRanges)?;
        *slot = range;
        self.len += 1;
        Ok(())
    }

    pub fn as_slice(&self) -> &[PhysRange] {
        self.items.get(..self.len).unwrap_or(&[])
    }

    pub fn iter(&self) -> impl Iterator<Item = PhysRange> + '_ {
        self.as_slice().iter().copied()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Sum of the sizes (saturating).
    pub fn total_size(&self) -> u64 {
        self.iter().fold(0u64, |acc, r| acc.saturating_add(r.size))
    }
}

impl Default for RangeList {
    fn default() -> Self {
        Self::new()
    }
}

impl PartialEq for RangeList {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for RangeList {}

impl fmt::Debug for RangeList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

/// The boards the kernel knows, told apart by the root `compatible`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Board {
    QemuVirt,
    Rpi4,
    Unknown,
}

/// The interrupt controller's register frames.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GicInfo {
    V2 {
        dist: PhysRange,
        cpu: PhysRange,
    },
    /// `redist` is the first redistributor region.
    V3 {
        dist: PhysRange,
        redist: PhysRange,
    },
}

/// How PSCI calls reach the firmware.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PsciConduit {
    Hvc,
    Smc,
}

/// The console PL011.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UartInfo {
    pub base: u64,
    pub size: u64,
    /// The reference clock, when the tree names a clock with a fixed rate (QEMU `virt`:
    /// 24 MHz). `None` on the Pi, whose PL011 clock comes from the firmware's clock
    /// manager; `config.txt` fixes it.
    pub clock_hz: Option<u32>,
}

/// An LED on a pin of the GPIO block (`MachineInfo::gpio`), from a `gpio-leds` node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GpioLed {
    pub pin: u32,
    /// The pin is driven low to light the LED (`GPIO_ACTIVE_LOW` in the flags cell).
    pub active_low: bool,
}

/// How a secondary CPU is started, from its node's `enable-method`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnableMethod {
    /// PSCI `CPU_ON` with the CPU's MPIDR.
    Psci,
    /// Write the entry point to `release_addr` and `sev` (the Pi: 0xd8 + 8 × core).
    SpinTable { release_addr: u64 },
    /// Absent (a single-CPU QEMU `virt` says none) or a method the kernel does not know.
    Unknown,
}

/// One `/cpus/cpu@N` node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CpuInfo {
    /// The node's `reg`: the MPIDR affinity bits.
    pub mpidr: u64,
    pub enable: EnableMethod,
}

/// A fixed-capacity list of [`CpuInfo`]s, in tree order.
#[derive(Clone, Copy)]
pub struct CpuList {
    items: [CpuInfo; MAX_CPUS],
    len: usize,
}

impl CpuList {
    pub const fn new() -> Self {
        const NONE: CpuInfo = CpuInfo {
            mpidr: 0,
            enable: EnableMethod::Unknown,
        };
        CpuList {
            items: [NONE; MAX_CPUS],
            len: 0,
        }
    }

    /// Appends `cpu`; false (and nothing stored) when the list is full.
    pub fn push(&mut self, cpu: CpuInfo) -> bool {
        match self.items.get_mut(self.len) {
            Some(slot) => {
                *slot = cpu;
                self.len += 1;
                true
            }
            None => false,
        }
    }

    pub fn as_slice(&self) -> &[CpuInfo] {
        self.items.get(..self.len).unwrap_or(&[])
    }

    pub fn iter(&self) -> impl Iterator<Item = CpuInfo> + '_ {
        self.as_slice().iter().copied()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Default for CpuList {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for CpuList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

/// What the device tree says about the machine. Strings borrow from the blob.
#[derive(Clone, Copy, Debug)]
pub struct MachineInfo<'a> {
    /// Root `model`, "" if absent.
    pub model: &'a str,
    pub board: Board,
    /// Every `reg` entry of the root's `device_type = "memory"` nodes, in tree order.
    /// Entries of size zero (the placeholder a Pi's firmware fills in) are left out;
    /// never empty.
    pub memory: RangeList,
    /// `/memreserve/` entries, then the `reg` entries of `/reserved-memory` children
    /// that are not disabled. Zero-size entries are left out. Dynamically placed pools
    /// (a `size` and no `reg`, like Linux's CMA) are not reservations and are not listed.
    pub reserved: RangeList,
    /// The console PL011 (see [`parse`] for how it is chosen).
    pub uart: Option<UartInfo>,
    /// The `brcm,bcm2711-gpio` block (the Pi 4 only), to put GPIO 14/15 into ALT0.
    pub gpio: Option<PhysRange>,
    /// The activity LED (the Pi 4's green ACT LED, GPIO 42), when the tree's `gpio-leds`
    /// node has a `led-act` (or `act`) child wired to a pin of [`Self::gpio`]'s block.
    pub act_led: Option<GpioLed>,
    pub gic: Option<GicInfo>,
    /// INTID of the virtual timer: 16 + the PPI in the 3rd `interrupts` entry of the
    /// `arm,armv8-timer` node (27 on both boards).
    pub timer_virt_intid: Option<u32>,
    pub psci: Option<PsciConduit>,
    /// `/chosen/bootargs`, "" if absent.
    pub bootargs: &'a str,
    /// `/chosen/linux,initrd-start` .. `linux,initrd-end`.
    pub initrd: Option<PhysRange>,
    /// `/chosen/rng-seed` then `kaslr-seed`, folded into a u64 (see [`fold_seed`]).
    pub rng_seed: Option<u64>,
    /// The same two properties' bytes, whole (empty when absent), for the CPRNG.
    pub rng_seed_bytes: [&'a [u8]; 2],
    /// Number of `device_type = "cpu"` nodes under `/cpus` (0 if the tree lists none;
    /// the boot CPU exists regardless).
    pub cpu_count: usize,
    /// The first [`MAX_CPUS`] of those CPUs.
    pub cpus: CpuList,
    /// The blob's `boot_cpuid_phys` header field.
    pub boot_cpuid: u32,
}

/// Total size of the blob, from its header, after checking the header makes sense
/// (magic 0xd00dfeed, version, every block inside the total, total at most
/// [`MAX_BLOB_SIZE`]). `header` needs at least [`HEADER_SIZE`] bytes.
pub fn blob_size(header: &[u8]) -> Result<usize, DtError> {
    Header::read(header).map(|h| h.total_size)
}

/// Reads the machine description out of a device tree blob.
///
/// Rules, beyond what the [`MachineInfo`] fields say:
/// - No `/memory` (or only zero-size entries) is `MissingNode("/memory")`; no UART, GIC,
///   timer, PSCI or initrd is just `None`.
/// - The UART: on the Pi 4 the PL011 at bus address 0x7e20_1000 (`uart0`, GPIO 14/15),
///   whatever `stdout-path` says (it names the mini UART). Elsewhere the node
///   `/chosen/stdout-path` names (a path or an alias, with any `:options` dropped) if
///   it is an `arm,pl011`, else the first enabled `arm,pl011`.
/// - Devices marked `status = "disabled"` are skipped (the Pi's `uart0` excepted).
/// - A `reg` that cannot be translated to a CPU address (a bus without `ranges`, or an
///   address no `ranges` entry covers) is `BadProperty("ranges")`.
pub fn parse(dtb: &[u8]) -> Result<MachineInfo<'_>, DtError> {
    let info = parse_any_memory(dtb)?;
    if info.memory.is_empty() {
        return Err(DtError::MissingNode("/memory"));
    }
    Ok(info)
}

/// As [`parse`], but an absent or empty `/memory` gives an empty list rather than an
/// error, so the kernel can still find its console and say what is wrong.
pub fn parse_any_memory(dtb: &[u8]) -> Result<MachineInfo<'_>, DtError> {
    let tree = Tree::new(dtb)?;
    let root = tree.root().ok_or(DtError::BadBlob)?;

    let model = tree
        .prop(root.node(), "model")
        .and_then(as_str)
        .unwrap_or("");
    let board = board_of(&tree, root.node());

    let memory = memory(&tree, &root)?;
    let reserved = reserved(&tree)?;
    let uart = uart(&tree, board)?;
    let gpio_node = tree.find_compatible(&["brcm,bcm2711-gpio"], true);
    let gpio = match &gpio_node {
        Some(path) => Some(tree.reg(path, 0, "reg (gpio)")?),
        None => None,
    };
    let act_led = gpio_node.and_then(|g| act_led(&tree, g.node()));
    let gic = gic(&tree)?;
    // A timer we cannot read is reported by the kernel as missing, with the console up.
    let timer_virt_intid = timer(&tree).ok().flatten();
    let psci = psci(&tree)?;

    let chosen = tree.find_path("/chosen");
    let chosen = chosen.as_ref().map(Path::node);
    let bootargs = match chosen.and_then(|c| tree.prop(c, "bootargs")) {
        Some(v) => as_str(v).ok_or(DtError::BadProperty("/chosen/bootargs"))?,
        None => "",
    };
    let initrd = match chosen {
        Some(c) => initrd(&tree, c)?,
        None => None,
    };
    let seed_prop = |name| {
        chosen
            .and_then(|c| tree.prop(c, name))
            .filter(|v| !v.is_empty())
    };
    let (a, b) = (seed_prop("rng-seed"), seed_prop("kaslr-seed"));
    let rng_seed = match (a, b) {
        (None, None) => None,
        (a, b) => Some(fold_seed(b.unwrap_or(&[]), fold_seed(a.unwrap_or(&[]), 0))),
    };
    let rng_seed_bytes = [a.unwrap_or(&[]), b.unwrap_or(&[])];
    let (cpu_count, cpus) = cpus(&tree)?;

    Ok(MachineInfo {
        model,
        board,
        memory,
        reserved,
        uart,
        gpio,
        act_led,
        gic,
        timer_virt_intid,
        psci,
        bootargs,
        initrd,
        rng_seed,
        rng_seed_bytes,
        cpu_count,
        cpus,
        boot_cpuid: tree.header.boot_cpuid,
    })
}

/// Folds seed bytes into `acc`: each 8-byte big-endian word (the last one zero-padded)
/// is XORed in after rotating the accumulator left by 13 bits, so repeated words do not
/// cancel out.
pub fn fold_seed(bytes: &[u8], acc: u64) -> u64 {
    bytes.chunks(8).fold(acc, |acc, chunk| {
        let mut word = [0u8; 8];
        for (dst, src) in word.iter_mut().zip(chunk) {
            *dst = *src;
        }
        acc.rotate_left(13) ^ u64::from_be_bytes(word)
    })
}

fn board_of(tree: &Tree<'_>, root: Node<'_>) -> Board {
    let compat = tree.prop(root, "compatible").unwrap_or(&[]);
    if string_list_contains(compat, "linux,dummy-virt") {
        Board::QemuVirt
    } else if string_list_contains(compat, "brcm,bcm2711")
        || string_list_contains(compat, "raspberrypi,4-model-b")
    {
        Board::Rpi4
    } else {
        Board::Unknown
    }
}

fn memory(tree: &Tree<'_>, root: &Path<'_>) -> Result<RangeList, DtError> {
    let mut list = RangeList::new();
    for child in tree.children(root.node()) {
        let is_memory = tree.prop(child, "device_type").and_then(as_str) == Some("memory");
        if !is_memory || !tree.is_enabled(child) {
            continue;
        }
        let path = root.with(child).ok_or(DtError::BadBlob)?;
        for r in tree.regs(&path, "reg (/memory)")? {
            let r = r?;
            if r.size != 0 {
                list.push(r)?;
            }
        }
    }
    Ok(list)
}

fn reserved(tree: &Tree<'_>) -> Result<RangeList, DtError> {
    let mut list = RangeList::new();
    for r in tree.memreserve() {
        if r.size != 0 {
            list.push(r)?;
        }
    }
    if let Some(parent) = tree.find_path("/reserved-memory") {
        for child in tree.children(parent.node()) {
            if !tree.is_enabled(child) || tree.prop(child, "reg").is_none() {
                continue;
            }
            let path = parent.with(child).ok_or(DtError::BadBlob)?;
            for r in tree.regs(&path, "reg (/reserved-memory)")? {
                let r = r?;
                if r.size != 0 {
                    list.push(r)?;
                }
            }
        }
    }
    Ok(list)
}

fn uart(tree: &Tree<'_>, board: Board) -> Result<Option<UartInfo>, DtError> {
    const PL011: &[&str] = &["arm,pl011"];
    let mut chosen = None;
    if board == Board::Rpi4 {
        chosen = tree.find_first(|t, path| {
            t.has_compatible(path.node(), PL011)
                && t.raw_reg(path, 0).map(|(addr, _)| addr) == Some(RPI4_UART0_BUS_ADDR)
        });
    }
    if chosen.is_none() && board != Board::Rpi4 {
        chosen = stdout_node(tree).filter(|p| tree.has_compatible(p.node(), PL011));
    }
    if chosen.is_none() {
        chosen = tree.find_compatible(PL011, true);
    }
    let Some(path) = chosen else {
        return Ok(None);
    };
    let reg = tree.reg(&path, 0, "reg (uart)")?;
    Ok(Some(UartInfo {
        base: reg.start,
        size: reg.size,
        clock_hz: clock_rate(tree, path.node()),
    }))
}

/// The node `/chosen/stdout-path` names, if it resolves.
fn stdout_node<'a>(tree: &Tree<'a>) -> Option<Path<'a>> {
    let chosen = tree.find_path("/chosen")?;
    let spec = tree.prop(chosen.node(), "stdout-path").and_then(as_str)?;
    let spec = spec.split(':').next().unwrap_or("");
    if spec.starts_with('/') {
        return tree.find_path(spec);
    }
    let aliases = tree.find_path("/aliases")?;
    let target = tree.prop(aliases.node(), spec).and_then(as_str)?;
    tree.find_path(target)
}

/// The rate of the first clock in `clocks`, if that clock has a `clock-frequency`.
fn clock_rate(tree: &Tree<'_>, node: Node<'_>) -> Option<u32> {
    let phandle = tree.prop(node, "clocks").and_then(|v| cell(v, 0))?;
    let clock = tree.find_phandle(phandle)?;
    let freq = tree.prop(clock.node(), "clock-frequency")?;
    match freq.len() {
        4 => cells(freq, 1),
        8 => cells(freq, 2),
        _ => None,
    }
    .and_then(|hz| u32::try_from(hz).ok())
}

/// The activity LED: the child of an enabled `gpio-leds` node named `led-act` (mainline
/// Linux's name) or `act` (older trees'), if its `gpios` is `<&gpio PIN FLAGS>` with
/// `gpio` the controller node given. An LED on another controller (the Pi 4's power LED
/// is on the firmware's GPIO expander) is not one the kernel can drive.
fn act_led(tree: &Tree<'_>, gpio: Node<'_>) -> Option<GpioLed> {
    let leds = tree.find_compatible(&["gpio-leds"], true)?;
    let led = tree
        .children(leds.node())
        .find(|c| matches!(c.name, "led-act" | "act") && tree.is_enabled(*c))?;
    let spec = tree.prop(led, "gpios")?;
    if spec.len() != 12 {
        return None;
    }
    let controller = tree.find_phandle(cell(spec, 0)?)?;
    if controller.node().body != gpio.body {
        return None;
    }
    Some(GpioLed {
        pin: cell(spec, 1)?,
        active_low: cell(spec, 2)? & 1 != 0,
    })
}

fn gic(tree: &Tree<'_>) -> Result<Option<GicInfo>, DtError> {
    const V2: &[&str] = &[
        "arm,cortex-a15-gic",
        "arm,gic-400",
        "arm,cortex-a9-gic",
        "arm,gic-v2",
    ];
    const V3: &[&str] = &["arm,gic-v3"];
    let Some(path) = tree.find_first(|t, p| {
        t.is_enabled(p.node()) && (t.has_compatible(p.node(), V2) || t.has_compatible(p.node(), V3))
    }) else {
        return Ok(None);
    };
    let first = tree.reg(&path, 0, "reg (interrupt controller)")?;
    let second = tree.reg(&path, 1, "reg (interrupt controller)")?;
    Ok(Some(if tree.has_compatible(path.node(), V3) {
        GicInfo::V3 {
            dist: first,
            redist: second,
        }
    } else {
        GicInfo::V2 {
            dist: first,
            cpu: second,
        }
    }))
}

fn timer(tree: &Tree<'_>) -> Result<Option<u32>, DtError> {
    const BAD: DtError = DtError::BadProperty("interrupts (arm,armv8-timer)");
    let Some(path) = tree.find_compatible(&["arm,armv8-timer", "arm,armv7-timer"], true) else {
        return Ok(None);
    };
    let Some(irqs) = tree.prop(path.node(), "interrupts") else {
        return Ok(None);
    };
    // Cells per entry come from the interrupt parent's #interrupt-cells.
    let parent = path
        .nodes()
        .iter()
        .rev()
        .find_map(|n| tree.prop(*n, "interrupt-parent"))
        .and_then(|v| if v.len() == 4 { cell(v, 0) } else { None })
        .and_then(|ph| tree.find_phandle(ph))
        .ok_or(DtError::BadProperty("interrupt-parent (arm,armv8-timer)"))?;
    let ncells = tree
        .prop(parent.node(), "#interrupt-cells")
        .filter(|v| v.len() == 4)
        .and_then(|v| cell(v, 0))
        .ok_or(DtError::BadProperty("#interrupt-cells"))? as usize;
    // The binding lists secure, non-secure, virtual, hypervisor PPIs; a GIC
    // specifier is <type number flags> with type 1 = PPI.
    if !(2..=4).contains(&ncells) || !irqs.len().is_multiple_of(ncells * 4) {
        return Err(BAD);
    }
    let kind = cell(irqs, 2 * ncells).ok_or(BAD)?;
    let number = cell(irqs, 2 * ncells + 1).ok_or(BAD)?;
    if kind != 1 || number >= 16 {
        return Err(BAD);
    }
    Ok(Some(16 + number))
}

fn psci(tree: &Tree<'_>) -> Result<Option<PsciConduit>, DtError> {
    let node = tree
        .find_path("/psci")
        .or_else(|| tree.find_compatible(&["arm,psci-1.0", "arm,psci-0.2", "arm,psci"], false));
    let Some(node) = node.filter(|p| tree.is_enabled(p.node())) else {
        return Ok(None);
    };
    match tree.prop(node.node(), "method").map(as_str) {
        None => Ok(None),
        Some(Some("hvc")) => Ok(Some(PsciConduit::Hvc)),
        Some(Some("smc")) => Ok(Some(PsciConduit::Smc)),
        Some(_) => Err(DtError::BadProperty("/psci method")),
    }
}

fn initrd(tree: &Tree<'_>, chosen: Node<'_>) -> Result<Option<PhysRange>, DtError> {
    let read = |name, err: &'static str| -> Result<Option<u64>, DtError> {
        match tree.prop(chosen, name) {
            None => Ok(None),
            Some(v) if v.len() == 4 => Ok(cells(v, 1)),
            Some(v) if v.len() == 8 => Ok(cells(v, 2)),
            Some(_) => Err(DtError::BadProperty(err)),
        }
    };
    let start = read("linux,initrd-start", "/chosen/linux,initrd-start")?;
    let end = read("linux,initrd-end", "/chosen/linux,initrd-end")?;
    match (start, end) {
        (None, None) => Ok(None),
        (Some(start), Some(end)) if end >= start => Ok(Some(PhysRange::new(start, end - start))),
        (Some(_), _) => Err(DtError::BadProperty("/chosen/linux,initrd-end")),
        (None, Some(_)) => Err(DtError::BadProperty("/chosen/linux,initrd-start")),
    }
}

fn cpus(tree: &Tree<'_>) -> Result<(usize, CpuList), DtError> {
    const BAD_REG: DtError = DtError::BadProperty("reg (cpu)");
    let mut list = CpuList::new();
    let mut count = 0;
    let Some(parent) = tree.find_path("/cpus") else {
        return Ok((0, list));
    };
    let (address_cells, _) = tree.cell_sizes(parent.node())?;
    for child in tree.children(parent.node()) {
        if tree.prop(child, "device_type").and_then(as_str) != Some("cpu") {
            continue;
        }
        count += 1;
        let reg = tree.prop(child, "reg").ok_or(BAD_REG)?;
        if address_cells == 0 || address_cells > 2 || reg.len() < address_cells * 4 {
            return Err(BAD_REG);
        }
        let mpidr = cells(reg, address_cells).ok_or(BAD_REG)?;
        let enable = match tree.prop(child, "enable-method").and_then(as_str) {
            Some("psci") => EnableMethod::Psci,
            Some("spin-table") => {
                const BAD: DtError = DtError::BadProperty("cpu-release-addr");
                let v = tree.prop(child, "cpu-release-addr").ok_or(BAD)?;
                let release_addr = match v.len() {
                    4 => cells(v, 1),
                    8 => cells(v, 2),
                    _ => None,
                }
                .ok_or(BAD)?;
                EnableMethod::SpinTable { release_addr }
            }
            _ => EnableMethod::Unknown,
        };
        list.push(CpuInfo { mpidr, enable });
    }
    Ok((count, list))
}

// ---------------------------------------------------------------------------------------
// Property value helpers.

/// A string property: the bytes up to the first NUL, if UTF-8.
fn as_str(value: &[u8]) -> Option<&str> {
    let end = value.iter().position(|&b| b == 0).unwrap_or(value.len());
    core::str::from_utf8(value.get(..end)?).ok()
}

/// Whether a NUL-separated string list contains `want`.
fn string_list_contains(value: &[u8], want: &str) -> bool {
    value.split(|&b| b == 0).any(|s| s == want.as_bytes())
}

/// The big-endian u32 at cell index `index`.
fn cell(value: &[u8], index: usize) -> Option<u32> {
    let start = index.checked_mul(4)?;
    let bytes: [u8; 4] = value.get(start..start.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_be_bytes(bytes))
}

/// The first `n` cells (0, 1 or 2) of `value` as one number.
fn cells(value: &[u8], n: usize) -> Option<u64> {
    match n {
        0 => Some(0),
        1 => cell(value, 0).map(u64::from),
        2 => Some(u64::from(cell(value, 0)?) << 32 | u64::from(cell(value, 1)?)),
        _ => None,
    }
}

fn be32(data: &[u8], offset: usize) -> Option<u32> {
    cell(data.get(offset..)?, 0)
}

fn be64(data: &[u8], offset: usize) -> Option<u64> {
    cells(data.get(offset..)?, 2)
}

fn align4(n: usize) -> Option<usize> {
    Some(n.checked_add(3)? & !3)
}

// ---------------------------------------------------------------------------------------
// The blob reader.

#[derive(Clone, Copy)]
struct Header {
    total_size: usize,
    off_struct: usize,
    size_struct: usize,
    off_strings: usize,
    size_strings: usize,
    off_rsvmap: usize,
    boot_cpuid: u32,
}

impl Header {
    fn read(bytes: &[u8]) -> Result<Header, DtError> {
        let field = |i: usize| be32(bytes, i * 4).ok_or(DtError::BadBlob);
        if bytes.len() < HEADER_SIZE || field(0)? != FDT_MAGIC {
            return Err(DtError::BadBlob);
        }
        let h = Header {
            total_size: field(1)? as usize,
            off_struct: field(2)? as usize,
            off_strings: field(3)? as usize,
            off_rsvmap: field(4)? as usize,
            boot_cpuid: field(7)?,
            size_strings: field(8)? as usize,
            size_struct: field(9)? as usize,
        };
        let (version, last_compatible) = (field(5)?, field(6)?);
        let within = |off: usize, size: usize| {
            off >= HEADER_SIZE && off.checked_add(size).is_some_and(|end| end <= h.total_size)
        };
        let ok = version >= 17
            && last_compatible <= 17
            && (HEADER_SIZE..=MAX_BLOB_SIZE).contains(&h.total_size)
            && h.off_struct.is_multiple_of(4)
            && h.off_rsvmap.is_multiple_of(8)
            && within(h.off_struct, h.size_struct)
            && within(h.off_strings, h.size_strings)
            && within(h.off_rsvmap, 16);
        if ok {
            Ok(h)
        } else {
            Err(DtError::BadBlob)
        }
    }
}

/// A node: its name and where its properties start in the structure block.
#[derive(Clone, Copy)]
struct Node<'a> {
    name: &'a str,
    body: usize,
}

const NO_NODE: Node<'static> = Node { name: "", body: 0 };

/// A node together with its ancestors: `nodes()[0]` is the root, the last is the node.
#[derive(Clone, Copy)]
struct Path<'a> {
    nodes: [Node<'a>; MAX_DEPTH],
    len: usize,
}

impl<'a> Path<'a> {
    fn nodes(&self) -> &[Node<'a>] {
        self.nodes.get(..self.len).unwrap_or(&[])
    }

    fn node(&self) -> Node<'a> {
        self.nodes().last().copied().unwrap_or(NO_NODE)
    }

    /// This path extended by `child`.
    fn with(&self, child: Node<'a>) -> Option<Path<'a>> {
        let mut p = *self;
        *p.nodes.get_mut(p.len)? = child;
        p.len += 1;
        Some(p)
    }
}

enum Token<'a> {
    Begin(Node<'a>),
    End,
    Prop(&'a str, &'a [u8]),
    Nop,
    Finish,
}

struct Tree<'a> {
    header: Header,
    structs: &'a [u8],
    strings: &'a [u8],
    rsvmap: &'a [u8],
}

impl<'a> Tree<'a> {
    /// Checks the header and the whole structure block.
    fn new(dtb: &'a [u8]) -> Result<Tree<'a>, DtError> {
        let header = Header::read(dtb)?;
        let blob = dtb.get(..header.total_size).ok_or(DtError::BadBlob)?;
        let block = |off: usize, size: usize| {
            blob.get(off..off.checked_add(size).ok_or(DtError::BadBlob)?)
                .ok_or(DtError::BadBlob)
        };
        let tree = Tree {
            header,
            structs: block(header.off_struct, header.size_struct)?,
            strings: block(header.off_strings, header.size_strings)?,
            rsvmap: blob.get(header.off_rsvmap..).ok_or(DtError::BadBlob)?,
        };
        tree.validate()?;
        Ok(tree)
    }

    /// One token at `pos` and the position after it.
    fn token(&self, pos: usize) -> Option<(Token<'a>, usize)> {
        let after_tag = pos.checked_add(4)?;
        match be32(self.structs, pos)? {
            FDT_BEGIN_NODE => {
                let rest = self.structs.get(after_tag..)?;
                let len = rest.iter().position(|&b| b == 0)?;
                let name = core::str::from_utf8(rest.get(..len)?).ok()?;
                let body = align4(after_tag.checked_add(len)?.checked_add(1)?)?;
                Some((Token::Begin(Node { name, body }), body))
            }
            FDT_END_NODE => Some((Token::End, after_tag)),
            FDT_PROP => {
                let len = be32(self.structs, after_tag)? as usize;
                let name_off = be32(self.structs, after_tag.checked_add(4)?)? as usize;
                let start = pos.checked_add(12)?;
                let end = start.checked_add(len)?;
                let value = self.structs.get(start..end)?;
                let name_bytes = self.strings.get(name_off..)?;
                let name_len = name_bytes.iter().position(|&b| b == 0)?;
                let name = core::str::from_utf8(name_bytes.get(..name_len)?).ok()?;
                Some((Token::Prop(name, value), align4(end)?))
            }
            FDT_NOP => Some((Token::Nop, after_tag)),
            FDT_END => Some((Token::Finish, after_tag)),
            _ => None,
        }
    }

    /// One pass over the structure block: every token readable, nodes properly nested
    /// and at most [`MAX_DEPTH`] deep, properties before subnodes, a single root, and
    /// `FDT_END` after it. The memory reservation block must be terminated in bounds.
    fn validate(&self) -> Result<(), DtError> {
        let mut pos = 0;
        let mut depth = 0usize;
        let mut roots = 0;
        let mut props_allowed = false;
        loop {
            let (token, next) = self.token(pos).ok_or(DtError::BadBlob)?;
            match token {
                Token::Begin(_) => {
                    if depth == 0 {
                        roots += 1;
                    }
                    depth += 1;
                    if depth > MAX_DEPTH || roots > 1 {
                        return Err(DtError::BadBlob);
                    }
                    props_allowed = true;
                }
                Token::End => {
                    depth = depth.checked_sub(1).ok_or(DtError::BadBlob)?;
                    props_allowed = false;
                }
                Token::Prop(..) if !props_allowed || depth == 0 => return Err(DtError::BadBlob),
                Token::Prop(..) | Token::Nop => {}
                Token::Finish if depth == 0 && roots == 1 => break,
                Token::Finish => return Err(DtError::BadBlob),
            }
            pos = next;
        }
        for i in 0.. {
            let off = i * 16;
            let start = be64(self.rsvmap, off).ok_or(DtError::BadBlob)?;
            let size = be64(self.rsvmap, off + 8).ok_or(DtError::BadBlob)?;
            if start == 0 && size == 0 {
                break;
            }
        }
        Ok(())
    }

    /// The `/memreserve/` entries.
    fn memreserve(&self) -> impl Iterator<Item = PhysRange> + '_ {
        (0..)
            .map_while(move |i: usize| {
                let off = i.checked_mul(16)?;
                Some(PhysRange::new(
                    be64(self.rsvmap, off)?,
                    be64(self.rsvmap, off.checked_add(8)?)?,
                ))
            })
            .take_while(|r| r.start != 0 || r.size != 0)
    }

    fn root(&self) -> Option<Path<'a>> {
        let mut pos = 0;
        loop {
            match self.token(pos)? {
                (Token::Nop, next) => pos = next,
                (Token::Begin(node), _) => {
                    return Path {
                        nodes: [NO_NODE; MAX_DEPTH],
                        len: 0,
                    }
                    .with(node)
                }
                _ => return None,
            }
        }
    }

    fn props(&self, node: Node<'a>) -> impl Iterator<Item = (&'a str, &'a [u8])> + '_ {
        let mut pos = Some(node.body);
        core::iter::from_fn(move || loop {
            let (token, next) = self.token(pos?)?;
            pos = Some(next);
            match token {
                Token::Nop => continue,
                Token::Prop(name, value) => return Some((name, value)),
                _ => {
                    pos = None;
                    return None;
                }
            }
        })
    }

    fn prop(&self, node: Node<'a>, name: &str) -> Option<&'a [u8]> {
        self.props(node).find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// The position just after the `FDT_END_NODE` closing the node whose body is at `pos`.
    fn skip_node(&self, mut pos: usize) -> Option<usize> {
        let mut depth = 1usize;
        while depth > 0 {
            let (token, next) = self.token(pos)?;
            match token {
                Token::Begin(_) => depth += 1,
                Token::End => depth -= 1,
                Token::Finish => return None,
                Token::Prop(..) | Token::Nop => {}
            }
            pos = next;
        }
        Some(pos)
    }

    fn children(&self, node: Node<'a>) -> impl Iterator<Item = Node<'a>> + '_ {
        let mut pos = Some(node.body);
        core::iter::from_fn(move || loop {
            let (token, next) = self.token(pos?)?;
            match token {
                Token::Nop | Token::Prop(..) => pos = Some(next),
                Token::Begin(child) => {
                    pos = self.skip_node(child.body);
                    return Some(child);
                }
                Token::End | Token::Finish => {
                    pos = None;
                    return None;
                }
            }
        })
    }

    /// Depth-first search for the first node `pred` accepts.
    fn find_first(&self, mut pred: impl FnMut(&Self, &Path<'a>) -> bool) -> Option<Path<'a>> {
        let mut path = Path {
            nodes: [NO_NODE; MAX_DEPTH],
            len: 0,
        };
        let mut pos = 0;
        loop {
            let (token, next) = self.token(pos)?;
            match token {
                Token::Begin(node) => {
                    path = path.with(node)?;
                    if pred(self, &path) {
                        return Some(path);
                    }
                }
                Token::End => path.len = path.len.checked_sub(1)?,
                Token::Finish => return None,
                Token::Prop(..) | Token::Nop => {}
            }
            pos = next;
        }
    }

    fn find_compatible(&self, compatible: &[&str], enabled_only: bool) -> Option<Path<'a>> {
        self.find_first(|t, p| {
            t.has_compatible(p.node(), compatible) && (!enabled_only || t.is_enabled(p.node()))
        })
    }

    fn find_phandle(&self, phandle: u32) -> Option<Path<'a>> {
        self.find_first(|t, p| {
            t.props(p.node()).any(|(name, value)| {
                (name == "phandle" || name == "linux,phandle")
                    && value.len() == 4
                    && cell(value, 0) == Some(phandle)
            })
        })
    }

    /// An absolute path; a component without `@unit` matches the first node whose name
    /// before the `@` is the same.
    fn find_path(&self, path: &str) -> Option<Path<'a>> {
        let mut current = self.root()?;
        for part in path.split('/').filter(|s| !s.is_empty()) {
            let child = self.children(current.node()).find(|c| {
                c.name == part || (!part.contains('@') && c.name.split('@').next() == Some(part))
            })?;
            current = current.with(child)?;
        }
        Some(current)
    }

    fn has_compatible(&self, node: Node<'a>, any_of: &[&str]) -> bool {
        self.prop(node, "compatible")
            .is_some_and(|v| any_of.iter().any(|want| string_list_contains(v, want)))
    }

    /// `status` absent, "okay" or "ok".
    fn is_enabled(&self, node: Node<'a>) -> bool {
        match self.prop(node, "status") {
            None => true,
            Some(v) => matches!(as_str(v), Some("okay" | "ok")),
        }
    }

    /// `#address-cells` and `#size-cells` of `node` (for its children), defaults 2 and 1.
    /// Counts above 4 (PCI uses 3) are rejected, which keeps the arithmetic small.
    fn cell_sizes(&self, node: Node<'a>) -> Result<(usize, usize), DtError> {
        let read = |name, default, err| match self.prop(node, name) {
            None => Ok(default),
            Some(v) => match (v.len(), cell(v, 0)) {
                (4, Some(n @ 0..=4)) => Ok(n as usize),
                _ => Err(DtError::BadProperty(err)),
            },
        };
        Ok((
            read("#address-cells", 2, "#address-cells")?,
            read("#size-cells", 1, "#size-cells")?,
        ))
    }

    /// The `index`th `reg` entry of the node at the end of `path`, untranslated: an
    /// address in its parent bus's space. `None` when absent or unreadable.
    fn raw_reg(&self, path: &Path<'a>, index: usize) -> Option<(u64, u64)> {
        let parent = path.nodes().iter().rev().nth(1)?;
        let (ac, sc) = self.cell_sizes(*parent).ok()?;
        if ac == 0 || ac > 2 || sc > 2 {
            return None;
        }
        let value = self.prop(path.node(), "reg")?;
        let entry = value.get(index.checked_mul((ac + sc) * 4)?..)?;
        let addr = cells(entry, ac)?;
        let size = cells(entry.get(ac * 4..)?, sc)?;
        Some((addr, size))
    }

    /// All `reg` entries of the node at the end of `path`, translated to CPU addresses.
    fn regs<'s>(
        &'s self,
        path: &'s Path<'a>,
        err: &'static str,
    ) -> Result<impl Iterator<Item = Result<PhysRange, DtError>> + 's, DtError> {
        let parent = path
            .nodes()
            .iter()
            .rev()
            .nth(1)
            .ok_or(DtError::BadProperty(err))?;
        let (ac, sc) = self.cell_sizes(*parent)?;
        let value = self
            .prop(path.node(), "reg")
            .ok_or(DtError::BadProperty(err))?;
        if ac == 0 || ac > 2 || sc > 2 || !value.len().is_multiple_of((ac + sc) * 4) {
            return Err(DtError::BadProperty(err));
        }
        let entry = (ac + sc) * 4;
        Ok(value.chunks(entry).map(move |chunk| {
            let addr = cells(chunk, ac).ok_or(DtError::BadProperty(err))?;
            let size = chunk
                .get(ac * 4..)
                .and_then(|s| cells(s, sc))
                .ok_or(DtError::BadProperty(err))?;
            Ok(PhysRange::new(self.translate(path, addr)?, size))
        }))
    }

    /// The `index`th `reg` entry, translated; missing is an error.
    fn reg(&self, path: &Path<'a>, index: usize, err: &'static str) -> Result<PhysRange, DtError> {
        self.regs(path, err)?
            .nth(index)
            .unwrap_or(Err(DtError::BadProperty(err)))
    }

    /// Translates `addr`, an address on the bus that is the parent of `path`'s node,
    /// up through every ancestor's `ranges` to the root's (CPU physical) space.
    fn translate(&self, path: &Path<'a>, mut addr: u64) -> Result<u64, DtError> {
        const BAD: DtError = DtError::BadProperty("ranges");
        let nodes = path.nodes();
        // nodes[i] is a bus whose children's addresses go through its `ranges` into
        // the space of nodes[i - 1]; the root (i = 0) is the CPU's space.
        for i in (1..nodes.len().saturating_sub(1)).rev() {
            let (bus, up) = (nodes.get(i).ok_or(BAD)?, nodes.get(i - 1).ok_or(BAD)?);
            let ranges = self.prop(*bus, "ranges").ok_or(BAD)?;
            if ranges.is_empty() {
                continue;
            }
            let (child_ac, child_sc) = self.cell_sizes(*bus)?;
            let (parent_ac, _) = self.cell_sizes(*up)?;
            if child_ac == 0 || child_ac > 2 || parent_ac == 0 || parent_ac > 2 || child_sc > 2 {
                return Err(BAD);
            }
            let entry = (child_ac + parent_ac + child_sc) * 4;
            if !ranges.len().is_multiple_of(entry) {
                return Err(BAD);
            }
            let mut translated = None;
            for chunk in ranges.chunks(entry) {
                let child = cells(chunk, child_ac).ok_or(BAD)?;
                let parent = chunk
                    .get(child_ac * 4..)
                    .and_then(|s| cells(s, parent_ac))
                    .ok_or(BAD)?;
                let size = chunk
                    .get((child_ac + parent_ac) * 4..)
                    .and_then(|s| cells(s, child_sc))
                    .ok_or(BAD)?;
                if addr >= child && addr - child < size {
                    translated = Some(parent.checked_add(addr - child).ok_or(BAD)?);
                    break;
                }
            }
            addr = translated.ok_or(BAD)?;
        }
        Ok(addr)
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use std::string::ToString;
    use std::vec;
    use std::vec::Vec;

    /// QEMU 10 `-M virt -cpu cortex-a72 -m 2G` (GICv2, EL1: PSCI over HVC).
    static VIRT_GICV2: &[u8] = include_bytes!("testdata/virt-gicv2.dtb");
    /// `-M virt,gic-version=3 -smp 4`.
    static VIRT_GICV3_SMP4: &[u8] = include_bytes!("testdata/virt-gicv3-smp4.dtb");
    /// `-M virt,gic-version=3,virtualization=on -initrd` (EL2: PSCI over SMC).
    static VIRT_GICV3_EL2_INITRD: &[u8] = include_bytes!("testdata/virt-gicv3-el2-initrd.dtb");
    /// `virt-gicv2.dtb` with `memory@40000000` deleted.
    static VIRT_NO_MEMORY: &[u8] = include_bytes!("testdata/virt-no-memory.dtb");
    /// Debian's `bcm2711-rpi-4-b.dtb` (linux-image-6.1.0-56-arm64-unsigned), untouched.
    static RPI4_DEBIAN: &[u8] = include_bytes!("testdata/bcm2711-rpi-4-b.dtb");
    /// That blob as QEMU 10 `-M raspi4b` hands it to the kernel (memory, bootargs, initrd).
    static RPI4_QEMU: &[u8] = include_bytes!("testdata/rpi4-qemu-raspi4b.dtb");

    const VIRT_FIXTURES: [&[u8]; 3] = [VIRT_GICV2, VIRT_GICV3_SMP4, VIRT_GICV3_EL2_INITRD];
    const GIB: u64 = 1 << 30;

    fn ranges(list: &RangeList) -> Vec<(u64, u64)> {
        list.iter().map(|r| (r.start, r.size)).collect()
    }

    /// The Debian blob with `/memory@0`'s `<0 0 0>` placeholder filled in the way the
    /// Pi firmware does, here with 0x3b40_0000 bytes (a 1 GiB board, 76 MiB for the GPU).
    fn rpi4_with_firmware_memory() -> Vec<u8> {
        let mut blob = RPI4_DEBIAN.to_vec();
        let tree = Tree::new(RPI4_DEBIAN).unwrap();
        let memory = tree.find_path("/memory").unwrap();
        let reg = tree.prop(memory.node(), "reg").unwrap();
        assert_eq!(
            reg,
            &[0u8; 12][..],
            "Debian's /memory@0 reg is no longer <0 0 0>"
        );
        let offset = reg.as_ptr() as usize - RPI4_DEBIAN.as_ptr() as usize;
        blob[offset + 8..offset + 12].copy_from_slice(&0x3b40_0000u32.to_be_bytes());
        blob
    }

    fn rpi4_fixtures() -> [Vec<u8>; 2] {
        [rpi4_with_firmware_memory(), RPI4_QEMU.to_vec()]
    }

    // --- QEMU virt -------------------------------------------------------------------

    #[test]
    fn virt_board_and_model_come_from_the_root_node() {
        for blob in VIRT_FIXTURES {
            let m = parse(blob).unwrap();
            assert_eq!(m.board, Board::QemuVirt);
            assert_eq!(m.model, "linux,dummy-virt");
        }
    }

    #[test]
    fn virt_memory_is_exactly_the_m_size_at_0x4000_0000() {
        for blob in VIRT_FIXTURES {
            let m = parse(blob).unwrap();
            assert_eq!(ranges(&m.memory), [(0x4000_0000, 2 * GIB)]);
            assert_eq!(m.memory.total_size(), 2 * GIB);
            assert_eq!(m.memory.as_slice()[0].end(), 0xc000_0000);
        }
    }

    #[test]
    fn virt_has_no_reserved_ranges() {
        for blob in VIRT_FIXTURES {
            assert!(parse(blob).unwrap().reserved.is_empty());
        }
    }

    #[test]
    fn virt_gicv2_reports_distributor_and_cpu_interface() {
        let m = parse(VIRT_GICV2).unwrap();
        assert_eq!(
            m.gic,
            Some(GicInfo::V2 {
                dist: PhysRange::new(0x0800_0000, 0x1_0000),
                cpu: PhysRange::new(0x0801_0000, 0x1_0000),
            })
        );
    }

    #[test]
    fn virt_gicv3_reports_distributor_and_first_redistributor_region() {
        for blob in [VIRT_GICV3_SMP4, VIRT_GICV3_EL2_INITRD] {
            let m = parse(blob).unwrap();
            assert_eq!(
                m.gic,
                Some(GicInfo::V3 {
                    dist: PhysRange::new(0x0800_0000, 0x1_0000),
                    redist: PhysRange::new(0x080a_0000, 0xf6_0000),
                })
            );
        }
    }

    #[test]
    fn virt_uart_is_the_stdout_pl011_at_0x0900_0000_with_its_24mhz_clock() {
        for blob in VIRT_FIXTURES {
            let m = parse(blob).unwrap();
            assert_eq!(
                m.uart,
                Some(UartInfo {
                    base: 0x0900_0000,
                    size: 0x1000,
                    clock_hz: Some(24_000_000)
                })
            );
        }
    }

    #[test]
    fn virt_bootargs_come_from_chosen() {
        for blob in VIRT_FIXTURES {
            assert_eq!(parse(blob).unwrap().bootargs, "test mem=64M");
        }
    }

    #[test]
    fn virt_initrd_range_comes_from_chosen_when_qemu_was_given_one() {
        let m = parse(VIRT_GICV3_EL2_INITRD).unwrap();
        assert_eq!(m.initrd, Some(PhysRange::new(0x4800_0000, 0x1000)));
        assert_eq!(parse(VIRT_GICV2).unwrap().initrd, None);
    }

    #[test]
    fn virt_psci_is_hvc_at_el1_and_smc_with_virtualization_on() {
        assert_eq!(parse(VIRT_GICV2).unwrap().psci, Some(PsciConduit::Hvc));
        assert_eq!(parse(VIRT_GICV3_SMP4).unwrap().psci, Some(PsciConduit::Hvc));
        assert_eq!(
            parse(VIRT_GICV3_EL2_INITRD).unwrap().psci,
            Some(PsciConduit::Smc)
        );
    }

    #[test]
    fn timer_virtual_intid_is_ppi_11_plus_16_on_every_board() {
        for blob in VIRT_FIXTURES {
            assert_eq!(parse(blob).unwrap().timer_virt_intid, Some(27));
        }
        for blob in rpi4_fixtures() {
            assert_eq!(parse(&blob).unwrap().timer_virt_intid, Some(27));
        }
    }

    #[test]
    fn virt_cpus_are_counted_with_their_mpidr_and_psci_enable_method() {
        let m = parse(VIRT_GICV3_SMP4).unwrap();
        assert_eq!(m.cpu_count, 4);
        let cpus: Vec<_> = m.cpus.iter().collect();
        let want: Vec<_> = (0..4)
            .map(|mpidr| CpuInfo {
                mpidr,
                enable: EnableMethod::Psci,
            })
            .collect();
        assert_eq!(cpus, want);

        // A single-CPU virt names no enable-method.
        let m = parse(VIRT_GICV2).unwrap();
        assert_eq!(m.cpu_count, 1);
        assert_eq!(
            m.cpus.as_slice(),
            [CpuInfo {
                mpidr: 0,
                enable: EnableMethod::Unknown
            }]
        );
        assert_eq!(m.boot_cpuid, 0);
    }

    #[test]
    fn virt_rng_seed_folds_rng_seed_then_kaslr_seed() {
        // From virt-gicv2.dtb's /chosen: rng-seed (4 words), then kaslr-seed (1 word).
        let words: [u64; 5] = [
            0x068e_96af_6377_a408,
            0x72e0_1b14_737e_a4aa,
            0xdc21_69a2_a34b_b561,
            0xad1c_629e_a922_b951,
            0x6ff5_84f7_1186_d1fc,
        ];
        let want = words.iter().fold(0u64, |acc, w| acc.rotate_left(13) ^ w);
        assert_eq!(parse(VIRT_GICV2).unwrap().rng_seed, Some(want));
        // The CPRNG gets the bytes whole: 32 of rng-seed, 8 of kaslr-seed.
        let [rng, kaslr] = parse(VIRT_GICV2).unwrap().rng_seed_bytes;
        assert_eq!(rng.len(), 32);
        assert_eq!(&rng[..8], &words[0].to_be_bytes());
        assert_eq!(kaslr, &words[4].to_be_bytes());
    }

    #[test]
    fn fold_seed_pads_a_short_last_word_with_zeros() {
        assert_eq!(fold_seed(&[], 0), 0);
        assert_eq!(fold_seed(&[0x12, 0x34], 0), 0x1234_0000_0000_0000);
        assert_eq!(fold_seed(&[0; 8], 1), 1 << 13);
    }

    #[test]
    fn missing_memory_node_is_an_error() {
        assert_eq!(
            parse(VIRT_NO_MEMORY).unwrap_err(),
            DtError::MissingNode("/memory")
        );
    }

    // --- Raspberry Pi 4 ----------------------------------------------------------------

    #[test]
    fn rpi4_debian_blob_memory_is_a_zero_size_placeholder_so_parse_reports_missing_memory() {
        // Debian ships `memory@0 { reg = <0 0 0>; }` for the firmware to fill in.
        assert_eq!(
            parse(RPI4_DEBIAN).unwrap_err(),
            DtError::MissingNode("/memory")
        );
    }

    #[test]
    fn rpi4_memory_is_what_the_firmware_or_qemu_wrote_into_memory_node() {
        let blob = rpi4_with_firmware_memory();
        let m = parse(&blob).unwrap();
        assert_eq!(ranges(&m.memory), [(0, 0x3b40_0000)]);
        // QEMU -M raspi4b only describes the RAM below the VideoCore's 64 MiB.
        let m = parse(RPI4_QEMU).unwrap();
        assert_eq!(ranges(&m.memory), [(0, 0x3c00_0000)]);
    }

    #[test]
    fn rpi4_board_and_model_come_from_the_root_node() {
        for blob in rpi4_fixtures() {
            let m = parse(&blob).unwrap();
            assert_eq!(m.board, Board::Rpi4);
            assert_eq!(m.model, "Raspberry Pi 4 Model B");
        }
    }

    #[test]
    fn rpi4_uart_address_is_translated_through_soc_ranges() {
        for blob in rpi4_fixtures() {
            let m = parse(&blob).unwrap();
            // Bus 0x7e20_1000 -> CPU 0xfe20_1000; the clock is the firmware's business.
            assert_eq!(
                m.uart,
                Some(UartInfo {
                    base: 0xfe20_1000,
                    size: 0x200,
                    clock_hz: None
                })
            );
        }
    }

    #[test]
    fn rpi4_uart_is_uart0_even_though_stdout_path_names_the_mini_uart() {
        let blob = rpi4_with_firmware_memory();
        let tree = Tree::new(&blob).unwrap();
        let stdout = stdout_node(&tree).unwrap();
        assert_eq!(stdout.node().name, "serial@7e215040");
        assert_eq!(
            parse(&blob).unwrap().uart.map(|u| u.base),
            Some(0xfe20_1000)
        );
    }

    #[test]
    fn rpi4_gpio_address_is_translated_through_soc_ranges() {
        for blob in rpi4_fixtures() {
            assert_eq!(
                parse(&blob).unwrap().gpio,
                Some(PhysRange::new(0xfe20_0000, 0xb4))
            );
        }
    }

    #[test]
    fn rpi4_act_led_is_gpio_42_active_high() {
        for blob in rpi4_fixtures() {
            assert_eq!(
                parse(&blob).unwrap().act_led,
                Some(GpioLed {
                    pin: 42,
                    active_low: false
                })
            );
        }
        for blob in VIRT_FIXTURES {
            assert_eq!(parse(blob).unwrap().act_led, None);
        }
    }

    /// A `gpio-leds` tree: GPIO controller (phandle 6) and an expander (phandle 10), with
    /// `led` as the LED node's name and `gpios` as its specifier.
    fn tree_with_led(led: &str, gpios: &[u32]) -> Vec<u8> {
        tree_with(|b| {
            b.begin("gpio@7e200000")
                .str("compatible", "brcm,bcm2711-gpio")
                .cells("reg", &[0xfe20_0000, 0xb4])
                .cells("phandle", &[6])
                .end();
            b.begin("expgpio")
                .str("compatible", "raspberrypi,firmware-gpio")
                .cells("phandle", &[10])
                .end();
            b.begin("leds").str("compatible", "gpio-leds");
            b.begin(led).cells("gpios", gpios).end();
            b.end();
        })
    }

    #[test]
    fn act_led_takes_pin_and_polarity_from_the_gpios_specifier() {
        let led = |name, gpios: &[u32]| parse(&tree_with_led(name, gpios)).unwrap().act_led;
        let lit = |pin, active_low| Some(GpioLed { pin, active_low });
        assert_eq!(led("led-act", &[6, 42, 0]), lit(42, false));
        assert_eq!(led("act", &[6, 29, 1]), lit(29, true));
        // Another controller's pin, another LED, or a specifier of the wrong shape.
        assert_eq!(led("led-act", &[10, 2, 0]), None);
        assert_eq!(led("led-pwr", &[6, 42, 0]), None);
        assert_eq!(led("led-act", &[6, 42]), None);
        assert_eq!(led("led-act", &[99, 42, 0]), None);
    }

    #[test]
    fn rpi4_gic400_under_soc_is_translated_through_the_third_soc_range() {
        // The GIC sits in /soc at bus address 0x4004_1000, which the range
        // <0x40000000 0x0 0xff800000 0x800000> maps to 0xff84_1000.
        for blob in rpi4_fixtures() {
            assert_eq!(
                parse(&blob).unwrap().gic,
                Some(GicInfo::V2 {
                    dist: PhysRange::new(0xff84_1000, 0x1000),
                    cpu: PhysRange::new(0xff84_2000, 0x2000),
                })
            );
        }
    }

    #[test]
    fn rpi4_reserved_is_the_memreserve_page_and_skips_disabled_or_sizeless_nodes() {
        // /memreserve/ 0x0 0x1000 (the spin table); reserved-memory's linux,cma has no
        // reg and nvram@0 is disabled with a zero reg.
        for blob in rpi4_fixtures() {
            assert_eq!(ranges(&parse(&blob).unwrap().reserved), [(0, 0x1000)]);
        }
    }

    #[test]
    fn rpi4_has_no_psci_and_its_cpus_use_the_spin_table_at_0xd8_plus_8_per_core() {
        for blob in rpi4_fixtures() {
            let m = parse(&blob).unwrap();
            assert_eq!(m.psci, None);
            assert_eq!(m.cpu_count, 4);
            let cpus: Vec<_> = m.cpus.iter().collect();
            let want: Vec<_> = (0..4)
                .map(|n| CpuInfo {
                    mpidr: n,
                    enable: EnableMethod::SpinTable {
                        release_addr: 0xd8 + 8 * n,
                    },
                })
                .collect();
            assert_eq!(cpus, want);
        }
    }

    #[test]
    fn rpi4_chosen_has_no_bootargs_or_initrd_until_the_loader_adds_them() {
        let blob = rpi4_with_firmware_memory();
        let m = parse(&blob).unwrap();
        assert_eq!(m.bootargs, "");
        assert_eq!(m.initrd, None);
        assert_eq!(m.rng_seed, None);
        let m = parse(RPI4_QEMU).unwrap();
        assert_eq!(m.bootargs, "test mem=64M");
        assert_eq!(m.initrd, Some(PhysRange::new(0x0800_0000, 0x1000)));
    }

    // --- Header and malformed blobs ----------------------------------------------------

    #[test]
    fn blob_size_is_the_header_total_size() {
        for blob in [VIRT_GICV2, VIRT_GICV3_SMP4, RPI4_DEBIAN, RPI4_QEMU] {
            assert_eq!(blob_size(&blob[..HEADER_SIZE]), Ok(blob.len()));
        }
        // QEMU's own blob (before dtc repacks it) says 1 MiB.
        let mut header = VIRT_GICV2[..HEADER_SIZE].to_vec();
        header[4..8].copy_from_slice(&(1u32 << 20).to_be_bytes());
        assert_eq!(blob_size(&header), Ok(1 << 20));
    }

    #[test]
    fn blob_size_rejects_bad_magic_short_headers_and_insane_sizes() {
        let header = &VIRT_GICV2[..HEADER_SIZE];
        assert_eq!(blob_size(&header[..HEADER_SIZE - 1]), Err(DtError::BadBlob));
        assert_eq!(blob_size(&[]), Err(DtError::BadBlob));
        let patched = |offset: usize, value: u32| {
            let mut h = header.to_vec();
            h[offset..offset + 4].copy_from_slice(&value.to_be_bytes());
            blob_size(&h)
        };
        assert_eq!(
            patched(0, 0xedfe_0dd0),
            Err(DtError::BadBlob),
            "byte-swapped magic"
        );
        assert_eq!(patched(4, 0), Err(DtError::BadBlob), "total size 0");
        assert_eq!(
            patched(4, 39),
            Err(DtError::BadBlob),
            "total size below the header"
        );
        assert_eq!(
            patched(4, 3 << 20),
            Err(DtError::BadBlob),
            "total size 3 MiB"
        );
        assert_eq!(
            patched(4, u32::MAX),
            Err(DtError::BadBlob),
            "total size 4 GiB"
        );
        assert_eq!(
            patched(8, 0x7fff_fff0),
            Err(DtError::BadBlob),
            "struct block outside"
        );
        assert_eq!(
            patched(12, u32::MAX),
            Err(DtError::BadBlob),
            "strings block outside"
        );
        assert_eq!(
            patched(36, u32::MAX),
            Err(DtError::BadBlob),
            "struct size overflows"
        );
        assert_eq!(patched(20, 16), Err(DtError::BadBlob), "version 16");
    }

    #[test]
    fn wrong_magic_is_bad_blob() {
        let mut blob = VIRT_GICV2.to_vec();
        blob[0] = 0;
        assert_eq!(parse(&blob).unwrap_err(), DtError::BadBlob);
        assert_eq!(parse(&[]).unwrap_err(), DtError::BadBlob);
    }

    #[test]
    fn every_truncation_of_a_real_blob_is_rejected_without_panicking() {
        for blob in [VIRT_GICV3_EL2_INITRD, RPI4_QEMU] {
            for len in 0..blob.len() {
                assert_eq!(
                    parse(&blob[..len]).unwrap_err(),
                    DtError::BadBlob,
                    "len {len}"
                );
            }
        }
    }

    #[test]
    fn structure_or_strings_block_cut_anywhere_is_bad_blob() {
        // The header's block sizes shrunk, so the reader meets the end of the block
        // mid-node or mid-name instead of at the end of the slice.
        for blob in [VIRT_GICV3_EL2_INITRD, RPI4_QEMU] {
            let header = Header::read(blob).unwrap();
            let with_size = |field: usize, size: usize| {
                let mut cut = blob.to_vec();
                cut[field..field + 4].copy_from_slice(&(size as u32).to_be_bytes());
                parse(&cut).map(|_| ())
            };
            for size in (0..header.size_struct).step_by(4) {
                assert_eq!(
                    with_size(36, size),
                    Err(DtError::BadBlob),
                    "struct size {size}"
                );
            }
            for size in 0..header.size_strings {
                // Cutting the unused tail of the strings block is harmless; any other
                // cut leaves a property name unterminated.
                let _ = with_size(32, size);
            }
            assert_eq!(with_size(32, 0), Err(DtError::BadBlob));
        }
    }

    /// xorshift64*, so the "random" tests are repeatable.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    #[test]
    fn random_bytes_after_a_valid_header_never_panic() {
        let mut rng = Rng(0x1234_5678_9abc_def1);
        for round in 0..2000 {
            let len = 64 + rng.below(600);
            let mut blob: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            if round % 2 == 0 {
                // A plausible header so the reader gets past it into random blocks.
                let fields = [
                    FDT_MAGIC,
                    len as u32,
                    56,
                    40 + (len as u32 - 40) / 2,
                    40,
                    17,
                    16,
                ];
                for (i, f) in fields.iter().enumerate() {
                    blob[i * 4..i * 4 + 4].copy_from_slice(&f.to_be_bytes());
                }
                blob[40..56].fill(0);
                let rest = len as u32 - 56;
                blob[32..36].copy_from_slice(&(rest / 2).to_be_bytes());
                blob[36..40].copy_from_slice(&((rest / 2) & !3).to_be_bytes());
            }
            assert!(parse(&blob).is_err() || round % 2 == 0);
        }
    }

    #[test]
    fn random_corruptions_of_real_blobs_never_panic() {
        let mut rng = Rng(0xdead_beef_cafe_f00d);
        for blob in [VIRT_GICV2, RPI4_QEMU] {
            for _ in 0..300 {
                let mut bad = blob.to_vec();
                for _ in 0..1 + rng.below(4) {
                    let at = rng.below(bad.len());
                    bad[at] = match rng.below(4) {
                        0 => 0,
                        1 => 0xff,
                        2 => bad[at] ^ (1 << rng.below(8)),
                        _ => rng.next() as u8,
                    };
                }
                let _ = parse(&bad);
            }
        }
    }

    #[test]
    fn corrupting_each_word_of_a_small_complete_tree_never_panics() {
        // Every word of a tree that exercises every lookup, replaced by tokens, lengths,
        // offsets and cell counts that are just wrong.
        let blob = rich_tree();
        let full = parse(&blob).unwrap();
        assert!(full.uart.is_some() && full.gic.is_some() && full.initrd.is_some());
        for at in (0..blob.len() - 3).step_by(4) {
            for value in [0u32, 1, 2, 3, 4, 9, 0x7fff_ffff, 0xffff_ffff] {
                let mut bad = blob.clone();
                bad[at..at + 4].copy_from_slice(&value.to_be_bytes());
                let _ = parse(&bad);
            }
        }
    }

    #[test]
    fn errors_display_a_human_message() {
        assert_eq!(
            DtError::MissingNode("/memory").to_string(),
            "device tree has no usable /memory node"
        );
        assert_eq!(
            DtError::BadProperty("ranges").to_string(),
            "device tree property ranges is malformed or unusable"
        );
        assert!(DtError::BadBlob
            .to_string()
            .starts_with("not a valid flattened device tree"));
        assert!(DtError::TooManyRanges.to_string().contains("32"));
    }

    // --- Hand-built trees for the edge cases -------------------------------------------

    /// A minimal DTB writer (version 17, no reservations unless asked).
    #[derive(Default)]
    struct Builder {
        structs: Vec<u8>,
        strings: Vec<u8>,
        rsv: Vec<(u64, u64)>,
    }

    impl Builder {
        fn word(&mut self, w: u32) -> &mut Self {
            self.structs.extend_from_slice(&w.to_be_bytes());
            self
        }

        fn pad(&mut self) {
            while !self.structs.len().is_multiple_of(4) {
                self.structs.push(0);
            }
        }

        fn begin(&mut self, name: &str) -> &mut Self {
            self.word(FDT_BEGIN_NODE);
            self.structs.extend_from_slice(name.as_bytes());
            self.structs.push(0);
            self.pad();
            self
        }

        fn end(&mut self) -> &mut Self {
            self.word(FDT_END_NODE)
        }

        fn prop(&mut self, name: &str, value: &[u8]) -> &mut Self {
            let off = self.strings.len() as u32;
            self.strings.extend_from_slice(name.as_bytes());
            self.strings.push(0);
            self.word(FDT_PROP).word(value.len() as u32).word(off);
            self.structs.extend_from_slice(value);
            self.pad();
            self
        }

        fn cells(&mut self, name: &str, cells: &[u32]) -> &mut Self {
            let bytes: Vec<u8> = cells.iter().flat_map(|c| c.to_be_bytes()).collect();
            self.prop(name, &bytes)
        }

        fn str(&mut self, name: &str, value: &str) -> &mut Self {
            let mut bytes = value.as_bytes().to_vec();
            bytes.push(0);
            self.prop(name, &bytes)
        }

        fn build(&mut self) -> Vec<u8> {
            self.word(FDT_END);
            let rsv_off = HEADER_SIZE;
            let struct_off = rsv_off + 16 * (self.rsv.len() + 1);
            let strings_off = struct_off + self.structs.len();
            let total = strings_off + self.strings.len();
            let mut out = Vec::new();
            for f in [
                FDT_MAGIC,
                total as u32,
                struct_off as u32,
                strings_off as u32,
                rsv_off as u32,
                17,
                16,
                0,
                self.strings.len() as u32,
                self.structs.len() as u32,
            ] {
                out.extend_from_slice(&f.to_be_bytes());
            }
            for (a, s) in self.rsv.iter().copied().chain([(0, 0)]) {
                out.extend_from_slice(&a.to_be_bytes());
                out.extend_from_slice(&s.to_be_bytes());
            }
            out.extend_from_slice(&self.structs);
            out.extend_from_slice(&self.strings);
            out
        }
    }

    /// Root with 1-cell addresses and sizes, what `body` adds (root properties first),
    /// then 64 MiB of RAM at 0.
    fn tree_with(body: impl FnOnce(&mut Builder)) -> Vec<u8> {
        let mut b = Builder::default();
        b.begin("")
            .cells("#address-cells", &[1])
            .cells("#size-cells", &[1]);
        body(&mut b);
        b.begin("memory@0")
            .str("device_type", "memory")
            .cells("reg", &[0, 0x400_0000])
            .end();
        b.end().build()
    }

    /// A small tree with every node `parse` looks for, devices behind a bus.
    fn rich_tree() -> Vec<u8> {
        let mut b = Builder {
            rsv: vec![(0x1000, 0x1000)],
            ..Default::default()
        };
        b.begin("")
            .cells("#address-cells", &[1])
            .cells("#size-cells", &[1])
            .str("compatible", "linux,dummy-virt")
            .str("model", "rich")
            .cells("interrupt-parent", &[1]);
        b.begin("aliases")
            .str("serial0", "/soc/pl011@9000000")
            .end();
        b.begin("chosen")
            .str("stdout-path", "serial0:115200")
            .str("bootargs", "test")
            .cells("linux,initrd-start", &[0x4800_0000])
            .cells("linux,initrd-end", &[0x4800_1000])
            .cells("rng-seed", &[1, 2, 3])
            .end();
        b.begin("reserved-memory")
            .cells("#address-cells", &[1])
            .cells("#size-cells", &[1])
            .prop("ranges", &[]);
        b.begin("fw@4000")
            .cells("reg", &[0x4000, 0x1000])
            .end()
            .end();
        b.begin("psci")
            .str("compatible", "arm,psci-1.0")
            .str("method", "hvc")
            .end();
        b.begin("cpus")
            .cells("#address-cells", &[1])
            .cells("#size-cells", &[0]);
        b.begin("cpu@0")
            .str("device_type", "cpu")
            .cells("reg", &[0])
            .str("enable-method", "psci")
            .end();
        b.begin("cpu@1")
            .str("device_type", "cpu")
            .cells("reg", &[1])
            .str("enable-method", "spin-table")
            .cells("cpu-release-addr", &[0, 0xe0])
            .end()
            .end();
        b.begin("timer")
            .str("compatible", "arm,armv8-timer")
            .cells("interrupts", &[1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4])
            .end();
        b.begin("clk")
            .cells("phandle", &[2])
            .cells("clock-frequency", &[24_000_000])
            .end();
        b.begin("soc")
            .cells("#address-cells", &[1])
            .cells("#size-cells", &[1])
            .cells("ranges", &[0x0800_0000, 0x0800_0000, 0x0200_0000]);
        b.begin("intc@8000000")
            .str("compatible", "arm,gic-400")
            .cells("phandle", &[1])
            .cells("#interrupt-cells", &[3])
            .cells("reg", &[0x0800_0000, 0x1_0000, 0x0801_0000, 0x1_0000])
            .end();
        b.begin("pl011@9000000")
            .str("compatible", "arm,pl011")
            .cells("reg", &[0x0900_0000, 0x1000])
            .cells("clocks", &[2])
            .end()
            .end();
        b.begin("memory@40000000")
            .str("device_type", "memory")
            .cells("reg", &[0x4000_0000, 0x1000_0000])
            .end();
        b.end().build()
    }

    #[test]
    fn small_complete_tree_reports_every_field() {
        let blob = rich_tree();
        let m = parse(&blob).unwrap();
        assert_eq!(
            (m.model, m.board, m.bootargs),
            ("rich", Board::QemuVirt, "test")
        );
        assert_eq!(ranges(&m.memory), [(0x4000_0000, 0x1000_0000)]);
        assert_eq!(ranges(&m.reserved), [(0x1000, 0x1000), (0x4000, 0x1000)]);
        assert_eq!(
            m.uart,
            Some(UartInfo {
                base: 0x0900_0000,
                size: 0x1000,
                clock_hz: Some(24_000_000)
            })
        );
        assert_eq!(
            m.gic,
            Some(GicInfo::V2 {
                dist: PhysRange::new(0x0800_0000, 0x1_0000),
                cpu: PhysRange::new(0x0801_0000, 0x1_0000)
            })
        );
        assert_eq!(
            (m.timer_virt_intid, m.psci),
            (Some(27), Some(PsciConduit::Hvc))
        );
        assert_eq!(m.initrd, Some(PhysRange::new(0x4800_0000, 0x1000)));
        assert_eq!(
            m.rng_seed,
            Some(fold_seed(&[0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3], 0))
        );
        assert_eq!(m.cpu_count, 2);
        assert_eq!(
            m.cpus.as_slice(),
            [
                CpuInfo {
                    mpidr: 0,
                    enable: EnableMethod::Psci
                },
                CpuInfo {
                    mpidr: 1,
                    enable: EnableMethod::SpinTable { release_addr: 0xe0 }
                },
            ]
        );
    }

    #[test]
    fn builder_tree_parses_with_one_cell_root() {
        let blob = tree_with(|_| {});
        let m = parse(&blob).unwrap();
        assert_eq!(ranges(&m.memory), [(0, 0x400_0000)]);
        assert_eq!((m.board, m.model, m.bootargs), (Board::Unknown, "", ""));
        assert_eq!(
            (m.uart, m.gic, m.psci, m.timer_virt_intid),
            (None, None, None, None)
        );
        assert_eq!(m.cpu_count, 0);
    }

    #[test]
    fn reg_is_translated_through_nested_buses_with_mixed_cell_sizes() {
        // / (1 address cell) -> bus (2 cells): bus address 1:0 is CPU 0x8000_0000
        //                   -> sub (1 cell): its 0 is the bus's 1:0x2_0000.
        let blob = tree_with(|b| {
            b.begin("bus@80000000")
                .cells("#address-cells", &[2])
                .cells("#size-cells", &[2])
                .cells("ranges", &[0x1, 0x0, 0x8000_0000, 0x0, 0x1000_0000]);
            b.begin("sub@1,20000")
                .cells("#address-cells", &[1])
                .cells("#size-cells", &[1])
                .cells("ranges", &[0x0, 0x1, 0x2_0000, 0x1_0000]);
            b.begin("serial@1000")
                .str("compatible", "arm,pl011")
                .cells("reg", &[0x1000, 0x100]);
            b.end().end().end();
        });
        // 0x1000 -> (1:0x21000) -> 0x8000_0000 + 0x21000.
        assert_eq!(
            parse(&blob).unwrap().uart.map(|u| (u.base, u.size)),
            Some((0x8002_1000, 0x100))
        );
    }

    #[test]
    fn empty_ranges_is_identity_and_absent_ranges_is_an_error() {
        let device = |b: &mut Builder| {
            b.begin("serial@9000000")
                .str("compatible", "arm,pl011")
                .cells("reg", &[0x900_0000, 0x1000])
                .end();
        };
        let blob = tree_with(|b| {
            b.begin("bus")
                .cells("#address-cells", &[1])
                .cells("#size-cells", &[1])
                .prop("ranges", &[]);
            device(b);
            b.end();
        });
        assert_eq!(parse(&blob).unwrap().uart.map(|u| u.base), Some(0x900_0000));

        let blob = tree_with(|b| {
            b.begin("bus")
                .cells("#address-cells", &[1])
                .cells("#size-cells", &[1]);
            device(b);
            b.end();
        });
        assert_eq!(parse(&blob).unwrap_err(), DtError::BadProperty("ranges"));
    }

    #[test]
    fn an_address_no_range_covers_is_an_error() {
        let blob = tree_with(|b| {
            b.begin("soc")
                .cells("#address-cells", &[1])
                .cells("#size-cells", &[1])
                .cells("ranges", &[0x7e00_0000, 0xfe00_0000, 0x1000]);
            // Starts just past the end of the only range.
            b.begin("serial@7e001000")
                .str("compatible", "arm,pl011")
                .cells("reg", &[0x7e00_1000, 0x100])
                .end();
            b.end();
        });
        assert_eq!(parse(&blob).unwrap_err(), DtError::BadProperty("ranges"));
    }

    #[test]
    fn reg_with_three_address_cells_is_a_bad_property() {
        let blob = tree_with(|b| {
            b.begin("pci")
                .cells("#address-cells", &[3])
                .cells("#size-cells", &[2])
                .prop("ranges", &[]);
            b.begin("serial@0")
                .str("compatible", "arm,pl011")
                .cells("reg", &[0, 0, 0, 0, 0x100])
                .end();
            b.end();
        });
        assert_eq!(
            parse(&blob).unwrap_err(),
            DtError::BadProperty("reg (uart)")
        );
    }

    #[test]
    fn stdout_path_alias_with_options_picks_that_pl011_on_virt() {
        let blob = tree_with(|b| {
            b.str("compatible", "linux,dummy-virt");
            b.begin("aliases").str("serial1", "/pl011@2000").end();
            b.begin("chosen")
                .str("stdout-path", "serial1:115200n8")
                .end();
            b.begin("pl011@1000")
                .str("compatible", "arm,pl011")
                .cells("reg", &[0x1000, 0x100])
                .end();
            b.begin("pl011@2000")
                .str("compatible", "arm,pl011")
                .cells("reg", &[0x2000, 0x100])
                .end();
        });
        assert_eq!(parse(&blob).unwrap().uart.map(|u| u.base), Some(0x2000));
    }

    #[test]
    fn without_stdout_path_the_first_enabled_pl011_is_the_console() {
        let blob = tree_with(|b| {
            b.begin("pl011@1000")
                .str("compatible", "arm,pl011")
                .str("status", "disabled")
                .cells("reg", &[0x1000, 0x100])
                .end();
            b.begin("pl011@2000")
                .str("compatible", "arm,pl011")
                .cells("reg", &[0x2000, 0x100])
                .end();
        });
        assert_eq!(parse(&blob).unwrap().uart.map(|u| u.base), Some(0x2000));
    }

    #[test]
    fn more_memory_ranges_than_fit_is_too_many_ranges() {
        let mut b = Builder::default();
        b.begin("")
            .cells("#address-cells", &[1])
            .cells("#size-cells", &[1]);
        let reg: Vec<u32> = (0..MAX_RANGES as u32 + 1)
            .flat_map(|i| [i << 20, 0x1000])
            .collect();
        b.begin("memory")
            .str("device_type", "memory")
            .cells("reg", &reg)
            .end();
        assert_eq!(parse(&b.end().build()).unwrap_err(), DtError::TooManyRanges);
    }

    #[test]
    fn memreserve_and_reserved_memory_children_with_reg_are_reserved() {
        let mut b = Builder {
            rsv: vec![(0x8000, 0x1000)],
            ..Default::default()
        };
        b.begin("")
            .cells("#address-cells", &[1])
            .cells("#size-cells", &[1]);
        b.begin("memory@0")
            .str("device_type", "memory")
            .cells("reg", &[0, 0x1000_0000])
            .end();
        b.begin("reserved-memory")
            .cells("#address-cells", &[1])
            .cells("#size-cells", &[1])
            .prop("ranges", &[]);
        b.begin("fw@100000")
            .cells("reg", &[0x10_0000, 0x2000])
            .prop("no-map", &[])
            .end();
        b.begin("pool").cells("size", &[0x40_0000]).end();
        b.begin("off@200000")
            .cells("reg", &[0x20_0000, 0x1000])
            .str("status", "disabled")
            .end();
        b.end();
        let blob = b.end().build();
        let m = parse(&blob).unwrap();
        assert_eq!(ranges(&m.reserved), [(0x8000, 0x1000), (0x10_0000, 0x2000)]);
    }

    #[test]
    fn initrd_cells_may_be_32_or_64_bit_and_must_be_ordered() {
        let with = |start: &[u32], end: &[u32]| {
            parse(&tree_with(|b| {
                b.begin("chosen")
                    .cells("linux,initrd-start", start)
                    .cells("linux,initrd-end", end)
                    .end();
            }))
            .map(|m| m.initrd)
        };
        assert_eq!(
            with(&[0x4800_0000], &[0x4810_0000]),
            Ok(Some(PhysRange::new(0x4800_0000, 0x10_0000)))
        );
        assert_eq!(
            with(&[0x1, 0x0], &[0x1, 0x1000]),
            Ok(Some(PhysRange::new(1 << 32, 0x1000)))
        );
        assert_eq!(
            with(&[0x1, 0x0], &[0x2000]),
            Err(DtError::BadProperty("/chosen/linux,initrd-end"))
        );
        assert_eq!(
            with(&[0x1, 0x2, 0x3], &[0x4]),
            Err(DtError::BadProperty("/chosen/linux,initrd-start"))
        );
        let only_start = tree_with(|b| {
            b.begin("chosen")
                .cells("linux,initrd-start", &[0x1000])
                .end();
        });
        assert_eq!(
            parse(&only_start).unwrap_err(),
            DtError::BadProperty("/chosen/linux,initrd-end")
        );
    }

    #[test]
    fn psci_method_other_than_hvc_or_smc_is_a_bad_property() {
        let blob = tree_with(|b| {
            b.begin("psci")
                .str("compatible", "arm,psci-1.0")
                .str("method", "svc")
                .end();
        });
        assert_eq!(
            parse(&blob).unwrap_err(),
            DtError::BadProperty("/psci method")
        );
    }

    #[test]
    fn nesting_deeper_than_max_depth_is_bad_blob() {
        let blob = tree_with(|b| {
            for _ in 0..MAX_DEPTH {
                b.begin("n");
            }
            for _ in 0..MAX_DEPTH {
                b.end();
            }
        });
        assert_eq!(parse(&blob).unwrap_err(), DtError::BadBlob);
    }

    #[test]
    fn structure_errors_are_bad_blob() {
        // A property after a subnode, an unbalanced end, two roots, no FDT_END.
        let mut b = Builder::default();
        b.begin("").begin("a").end().cells("late", &[1]).end();
        assert_eq!(parse(&b.build()).unwrap_err(), DtError::BadBlob);
        let mut b = Builder::default();
        b.begin("").end().end();
        assert_eq!(parse(&b.build()).unwrap_err(), DtError::BadBlob);
        let mut b = Builder::default();
        b.begin("").end().begin("").end();
        assert_eq!(parse(&b.build()).unwrap_err(), DtError::BadBlob);
        let mut b = Builder::default();
        b.begin("").end();
        let mut blob = b.build();
        let header = Header::read(&blob).unwrap();
        let end_at = header.off_struct + header.size_struct - 4;
        blob[end_at..end_at + 4].copy_from_slice(&FDT_NOP.to_be_bytes());
        assert_eq!(parse(&blob).unwrap_err(), DtError::BadBlob);
    }

    #[test]
    fn range_list_is_fixed_capacity() {
        let mut list = RangeList::new();
        for i in 0..MAX_RANGES as u64 {
            list.push(PhysRange::new(i, 1)).unwrap();
        }
        assert_eq!(list.push(PhysRange::new(0, 1)), Err(DtError::TooManyRanges));
        assert_eq!(
            (list.len(), list.total_size()),
            (MAX_RANGES, MAX_RANGES as u64)
        );
        assert_eq!(PhysRange::new(u64::MAX - 1, 10).end(), u64::MAX);
        assert!(PhysRange::new(0x1000, 0x1000).contains(0x1fff));
        assert!(!PhysRange::new(0x1000, 0x1000).contains(0x2000));
    }
}
