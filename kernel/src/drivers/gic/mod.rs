//! The Arm Generic Interrupt Controller, behind one trait so the exception path and the
//! timer never know which version the device tree named: GICv2 (the Raspberry Pi 4's
//! GIC-400, QEMU `virt` by default) or GICv3 (QEMU `virt,gic-version=3`).
//!
//! Interrupt IDs (INTIDs) are the architecture's: 0–15 are SGIs (inter-processor), 16–31
//! PPIs (per-CPU devices such as the generic timer), 32–1019 SPIs (shared devices), and
//! 1020–1023 are special values an acknowledge returns when nothing is pending.
//!
//! Besides the trait, this file holds what both versions share: priorities, INTID
//! arithmetic, polling, and (for v3) the CPU interface's system registers.

pub mod v2;
pub mod v3;

/// An interrupt controller as the kernel uses it: every interrupt in Non-secure Group 1
/// (the only group a Non-secure EL1 kernel can take), delivered as IRQ, and every
/// enabled interrupt at one priority, so none preempts another.
pub trait InterruptController: Send + Sync {
    /// Sets up the distributor (once, on the boot CPU) and then this CPU's part, as
    /// [`init_cpu`](Self::init_cpu). Afterwards every interrupt is disabled, at the
    /// default priority, in Group 1, and SPIs are routed to this CPU.
    fn init(&self);

    /// Sets up only the calling CPU's part (its CPU interface, and on GICv3 its
    /// redistributor): what a secondary CPU calls once the boot CPU has run `init`.
    fn init_cpu(&self);

    /// Enables `intid`: an SGI or PPI (below 32) on the calling CPU only, or an SPI.
    /// INTIDs of 1020 and above are ignored.
    fn enable(&self, intid: u32);

    /// Disables `intid`, as [`enable`](Self::enable) names it.
    fn disable(&self, intid: u32);

    /// Takes the highest-priority pending interrupt and makes it active: its INTID, or
    /// `None` if nothing was pending (a spurious interrupt; then no EOI is due).
    #[must_use]
    fn acknowledge(&self) -> Option<u32>;

    /// Ends the interrupt `acknowledge` returned, on the same CPU: drops the running
    /// priority and deactivates it, so it can fire again.
    fn end_of_interrupt(&self, intid: u32);

    /// "GICv2" or "GICv3", for the boot banner.
    fn name(&self) -> &'static str;

    /// How other CPUs address the calling CPU in [`send_sgi`](Self::send_sgi): its
    /// CPU-interface bit (GICv2) or its MPIDR affinity (GICv3).
    fn cpu_token(&self) -> u64;

    /// Raises SGI `intid` on the CPU whose [`cpu_token`](Self::cpu_token) is `target`.
    fn send_sgi(&self, intid: u32, target: u64);
}

/// SGIs and PPIs: banked per CPU.
const PRIVATE_INTIDS: u32 = 32;

/// SGIs: the first 16 INTIDs.
const SGI_COUNT: usize = 16;

/// The first INTID that is not an interrupt (1020–1023 are special; LPIs, from 8192,
/// are not used).
const SPECIAL_INTIDS_START: u32 = 1020;

/// The priority `init` gives every interrupt (Linux's default too). Lower is more urgent.
const DEFAULT_PRIORITY: u8 = 0xA0;

/// The priority `enable` gives the interrupt it enables.
const ENABLED_PRIORITY: u8 = 0x80;

/// The CPU interface's priority mask: interrupts more urgent than this are signalled,
/// which takes in both priorities above, also in the Non-secure view, where the GIC
/// stores a Non-secure priority p as 0x80 | p >> 1.
const PRIORITY_MASK: u8 = 0xF0;

/// How many times to poll a GIC status bit before reporting the hardware as stuck.
const POLL_LIMIT: u32 = 1_000_000;

/// The number of INTIDs a distributor implements, from its GICD_TYPER.ITLinesNumber
/// (32 × (N + 1), capped below the special INTIDs).
fn interrupt_lines(it_lines_number: u32) -> u32 {
    (32 * (it_lines_number + 1)).min(SPECIAL_INTIDS_START)
}

/// Where `intid`'s bit sits in a bank of 1-bit-per-interrupt registers (ISENABLER and
/// friends): register index and mask. `None` for special INTIDs.
fn bit_position(intid: u32) -> Option<(usize, u32)> {
    if intid >= SPECIAL_INTIDS_START {
        return None;
    }
    Some(((intid / 32) as usize, 1 << (intid % 32)))
}

/// Polls `done` until it holds or [`POLL_LIMIT`] polls pass; in the second case logs
/// that `what` never happened and carries on (as Linux does), rather than hang the boot
/// silently.
fn poll_until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..POLL_LIMIT {
        if done() {
            return;
        }
        core::hint::spin_loop();
    }
    log::warn!("GIC: timed out waiting for {what}");
}

/// The GICv3 CPU interface's system registers, for [`v3`]. aarch64-cpu 11 has only a
/// read-only ICC_CTLR_EL1 among them, so they are defined here, by encoding (op0, op1,
/// CRn, CRm, op2) so that any assembler takes them, with tock-registers' interfaces on
/// top.
#[allow(non_camel_case_types)]
mod icc {
    use tock_registers::{
        interfaces::{Readable, Writeable},
        register_bitfields,
    };

    register_bitfields! {u64,
        /// ICC_SRE_EL1, System Register Enable.
        pub SRE [ SRE OFFSET(0) NUMBITS(1) [] ],
        /// ICC_CTLR_EL1, Control.
        pub CTLR [ EOImode OFFSET(1) NUMBITS(1) [DropAndDeactivate = 0, DropOnly = 1] ],
        /// ICC_PMR_EL1, Priority Mask.
        pub PMR [ Priority OFFSET(0) NUMBITS(8) [] ],
        /// ICC_BPR1_EL1, Binary Point.
        pub BPR [ BinaryPoint OFFSET(0) NUMBITS(3) [] ],
        /// ICC_IAR1_EL1 and ICC_EOIR1_EL1: an INTID.
        pub INTID [ INTID OFFSET(0) NUMBITS(24) [] ],
        /// ICC_IGRPEN1_EL1, Group 1 enable.
        pub IGRPEN [ Enable OFFSET(0) NUMBITS(1) [] ]
    }

    /// Defines a register as a unit struct with tock-registers' `Readable` and/or
    /// `Writeable`. The asm omits `nomem`, so the compiler keeps memory accesses on
    /// their side of it: an acknowledge or EOI must not move across the handler's.
    macro_rules! system_register {
        ($name:ident, $encoding:literal, $fields:ident, $($access:ident),+) => {
            pub struct $name;
            $(system_register!(@$access $name, $encoding, $fields);)+
        };
        (@read $name:ident, $encoding:literal, $fields:ident) => {
            impl Readable for $name {
                type T = u64;
                type R = $fields::Register;

                fn get(&self) -> u64 {
                    let value;
                    // SAFETY: an `mrs` of a GIC CPU interface register reads no memory
                    // Rust knows of; the register exists and is accessible at EL1
                    // (`GicV3::new`'s contract).
                    unsafe {
                        core::arch::asm!(concat!("mrs {}, ", $encoding), out(reg) value,
                            options(nostack, preserves_flags));
                    }
                    value
                }
            }
        };
        (@write $name:ident, $encoding:literal, $fields:ident) => {
            impl Writeable for $name {
                type T = u64;
                type R = $fields::Register;

                fn set(&self, value: u64) {
                    // SAFETY: an `msr` to a GIC CPU interface register writes no memory
                    // Rust knows of; the register exists and is accessible at EL1
                    // (`GicV3::new`'s contract).
                    unsafe {
                        core::arch::asm!(concat!("msr ", $encoding, ", {}"), in(reg) value,
                            options(nostack, preserves_flags));
                    }
                }
            }
        };
    }

    system_register!(ICC_SRE_EL1, "S3_0_C12_C12_5", SRE, read, write);
    system_register!(ICC_CTLR_EL1, "S3_0_C12_C12_4", CTLR, read, write);
    system_register!(ICC_PMR_EL1, "S3_0_C4_C6_0", PMR, write);
    system_register!(ICC_BPR1_EL1, "S3_0_C12_C12_3", BPR, write);
    system_register!(ICC_IAR1_EL1, "S3_0_C12_C12_0", INTID, read);
    system_register!(ICC_EOIR1_EL1, "S3_0_C12_C12_1", INTID, write);
    system_register!(ICC_IGRPEN1_EL1, "S3_0_C12_C12_7", IGRPEN, write);
}
