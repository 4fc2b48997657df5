//! Translation-table descriptors for the 4 KiB granule, 48-bit virtual addresses.
//!
//! Attribute indices refer to the MAIR value the boot code programs:
//! 0 Device-nGnRnE, 1 Normal write-back, 2 Device-nGnRE, 3 Normal non-cacheable.

pub const PAGE_SHIFT: usize = 12;
pub const PAGE_SIZE: usize = 1 << PAGE_SHIFT;
pub const ENTRIES: usize = 512;

/// Where the kernel image is linked (see linker/kernel.ld).
pub const KERNEL_VBASE: usize = 0xffff_ffff_8000_0000;
/// All of RAM below 512 GiB appears here, at its physical address plus this base.
pub const LINEAR_BASE: usize = 0xffff_0000_0000_0000;
/// Kernel thread stacks live here (one 1 GiB slot), each with an unmapped guard below.
pub const STACK_VBASE: usize = 0xffff_ffff_4000_0000;
/// Device registers are mapped page by page from here (one 1 GiB slot).
pub const DEVICE_VBASE: usize = 0xffff_ffff_c000_0000;

pub const VALID: u64 = 1 << 0;
/// At levels 0–2: points to a next-level table. At level 3: a page.
pub const TABLE_OR_PAGE: u64 = 1 << 1;
pub const ATTR_DEVICE: u64 = 2 << 2;
pub const ATTR_NORMAL: u64 = 1 << 2;
pub const AP_READ_ONLY: u64 = 1 << 7;
pub const SH_INNER: u64 = 3 << 8;
pub const ACCESSED: u64 = 1 << 10;
pub const PXN: u64 = 1 << 53;
pub const UXN: u64 = 1 << 54;
pub const ADDR_MASK: u64 = 0x0000_ffff_ffff_f000;

/// Kernel code: read-only, executable at EL1 only.
pub const KERNEL_TEXT: u64 = ATTR_NORMAL | SH_INNER | ACCESSED | AP_READ_ONLY | UXN;
/// Kernel constants: read-only, never executable.
pub const KERNEL_RODATA: u64 = ATTR_NORMAL | SH_INNER | ACCESSED | AP_READ_ONLY | UXN | PXN;
/// Kernel data and RAM: read-write, never executable.
pub const KERNEL_DATA: u64 = ATTR_NORMAL | SH_INNER | ACCESSED | UXN | PXN;
/// Device registers: Device-nGnRE, never executable.
pub const KERNEL_DEVICE: u64 = ATTR_DEVICE | ACCESSED | UXN | PXN;

#[repr(C, align(4096))]
pub struct Table(pub [u64; ENTRIES]);

impl Table {
    pub const EMPTY: Table = Table([0; ENTRIES]);
}

pub const fn table_desc(table_pa: u64) -> u64 {
    (table_pa & ADDR_MASK) | TABLE_OR_PAGE | VALID
}

pub const fn page_desc(pa: u64, attrs: u64) -> u64 {
    (pa & ADDR_MASK) | attrs | TABLE_OR_PAGE | VALID
}

/// A 1 GiB (level 1) or 2 MiB (level 2) block.
pub const fn block_desc(pa: u64, attrs: u64) -> u64 {
    (pa & ADDR_MASK) | attrs | VALID
}

pub const fn index(va: usize, level: usize) -> usize {
    (va >> (PAGE_SHIFT + 9 * (3 - level))) & (ENTRIES - 1)
}
