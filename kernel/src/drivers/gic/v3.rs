//! GICv3, as on QEMU `virt,gic-version=3`. The distributor (GICD) holds the SPIs and
//! routes each to a CPU by affinity; every CPU has a redistributor (GICR) holding its
//! SGIs and PPIs, and a CPU interface reached through system registers (ICC_*), not
//! memory. The kernel runs with affinity routing on and every interrupt in Non-secure
//! Group 1, whether the GIC has two Security states (then firmware owns the groups and
//! Group 0) or one (QEMU's default, where the kernel sets them). Register names follow
//! the GICv3/v4 architecture specification (Arm IHI 0069).

use aarch64_cpu::{asm::barrier, registers::MPIDR_EL1};
use tock_registers::{
    fields::FieldValue,
    interfaces::{ReadWriteable, Readable, Writeable},
    register_bitfields, register_structs,
    registers::{ReadOnly, ReadWrite},
};

use super::icc::{
    self, ICC_BPR1_EL1, ICC_CTLR_EL1, ICC_EOIR1_EL1, ICC_IAR1_EL1, ICC_IGRPEN1_EL1, ICC_PMR_EL1,
    ICC_SRE_EL1,
};
use super::{
    bit_position, interrupt_lines, poll_until, InterruptController, DEFAULT_PRIORITY,
    ENABLED_PRIORITY, PRIORITY_MASK, PRIVATE_INTIDS, SPECIAL_INTIDS_START,
};

/// Each redistributor has two 64 KiB frames: RD_base (control) and SGI_base (SGIs and
/// PPIs); with GICv4 virtual LPIs (GICR_TYPER.VLPIS) two more follow.
const FRAME_SIZE: usize = 0x1_0000;

register_bitfields! {u32,
    /// Distributor Control Register, in the bits both views share.
    GICD_CTLR [
        /// Register Write Pending: an earlier write has not yet taken effect.
        RWP OFFSET(31) NUMBITS(1) [],
        /// Affinity routing for Non-secure state (ARE with one Security state).
        ARE_NS OFFSET(4) NUMBITS(1) [],
        /// Non-secure Group 1 enable with affinity routing (EnableGrp1 with one
        /// Security state).
        EnableGrp1A OFFSET(1) NUMBITS(1) [],
        /// EnableGrp0 with one Security state; legacy EnableGrp1 in the Non-secure view.
        EnableGrp0 OFFSET(0) NUMBITS(1) []
    ],

    /// Interrupt Controller Type Register.
    GICD_TYPER [ ITLinesNumber OFFSET(0) NUMBITS(5) [] ],

    /// Redistributor Control Register. RWP: Register Write Pending, for GICR_ICENABLER0.
    GICR_CTLR [ RWP OFFSET(3) NUMBITS(1) [] ],

    /// Redistributor Wake Register.
    GICR_WAKER [
        /// The interface to the CPU is quiescent.
        ChildrenAsleep OFFSET(2) NUMBITS(1) [],
        /// The CPU is asleep: the redistributor will not forward it interrupts.
        ProcessorSleep OFFSET(1) NUMBITS(1) []
    ]
}

register_bitfields! {u64,
    /// Interrupt Routing Register, one per SPI.
    GICD_IROUTER [
        Aff3 OFFSET(32) NUMBITS(8) [],
        Interrupt_Routing_Mode OFFSET(31) NUMBITS(1) [SpecifiedPe = 0, AnyPe = 1],
        Aff2 OFFSET(16) NUMBITS(8) [],
        Aff1 OFFSET(8) NUMBITS(8) [],
        Aff0 OFFSET(0) NUMBITS(8) []
    ],

    /// Redistributor Type Register.
    GICR_TYPER [
        /// Aff3.Aff2.Aff1.Aff0 of the CPU this redistributor serves.
        Affinity_Value OFFSET(32) NUMBITS(32) [],
        /// The last redistributor in this region.
        Last OFFSET(4) NUMBITS(1) [],
        /// GICv4 virtual LPIs: this redistributor has four frames, not two.
        VLPIS OFFSET(1) NUMBITS(1) []
    ]
}

register_structs! {
    DistributorRegisters {
        (0x0000 => ctlr: ReadWrite<u32, GICD_CTLR::Register>),
        (0x0004 => typer: ReadOnly<u32, GICD_TYPER::Register>),
        (0x0008 => _reserved0),
        (0x0080 => igroupr: [ReadWrite<u32>; 32]),
        (0x0100 => isenabler: [ReadWrite<u32>; 32]),
        (0x0180 => icenabler: [ReadWrite<u32>; 32]),
        (0x0200 => _reserved1),
        (0x0280 => icpendr: [ReadWrite<u32>; 32]),
        (0x0300 => _reserved2),
        (0x0380 => icactiver: [ReadWrite<u32>; 32]),
        /// One byte per INTID; byte accesses are architecturally allowed.
        (0x0400 => ipriorityr: [ReadWrite<u8>; 1024]),
        (0x0800 => _reserved3),
        (0x0C00 => icfgr: [ReadWrite<u32>; 64]),
        (0x0D00 => _reserved4),
        /// Entries 32–1019 exist, one per SPI.
        (0x6000 => irouter: [ReadWrite<u64, GICD_IROUTER::Register>; 1024]),
        (0x8000 => @END),
    }
}

register_structs! {
    /// A redistributor's RD_base frame.
    ControlFrame {
        (0x0000 => ctlr: ReadWrite<u32, GICR_CTLR::Register>),
        (0x0004 => _reserved0),
        (0x0008 => typer: ReadOnly<u64, GICR_TYPER::Register>),
        (0x0010 => _reserved1),
        (0x0014 => waker: ReadWrite<u32, GICR_WAKER::Register>),
        (0x0018 => @END),
    }
}

register_structs! {
    /// A redistributor's SGI_base frame: the distributor's layout, for INTIDs 0–31.
    SgiFrame {
        (0x0000 => _reserved0),
        (0x0080 => igroupr0: ReadWrite<u32>),
        (0x0084 => _reserved1),
        (0x0100 => isenabler0: ReadWrite<u32>),
        (0x0104 => _reserved2),
        (0x0180 => icenabler0: ReadWrite<u32>),
        (0x0184 => _reserved3),
        (0x0280 => icpendr0: ReadWrite<u32>),
        (0x0284 => _reserved4),
        (0x0380 => icactiver0: ReadWrite<u32>),
        (0x0384 => _reserved5),
        (0x0400 => ipriorityr: [ReadWrite<u8>; 32]),
        (0x0420 => @END),
    }
}

/// One CPU's redistributor.
struct Redistributor<'a> {
    control: &'a ControlFrame,
    sgi: &'a SgiFrame,
}

/// A GICv3 distributor and the redistributors of one region.
pub struct GicV3 {
    distributor: *const DistributorRegisters,
    redistributors: usize,
}

// SAFETY: the register blocks belong to this driver alone (`new`'s contract), and every
// method does single volatile accesses or accesses to the calling CPU's own system
// registers, which any CPU may make: the distributor serves all CPUs at once, and each
// CPU touches only its own redistributor.
unsafe impl Send for GicV3 {}

// SAFETY: see `Send` above.
unsafe impl Sync for GicV3 {}

impl GicV3 {
    /// A driver for the GICv3 whose distributor is at `dist_base` and whose first
    /// redistributor region starts at `redist_base`. Touches no hardware.
    ///
    /// # Safety
    ///
    /// `dist_base` is the virtual address of a GICv3 distributor (64 KiB), and
    /// `redist_base` of a redistributor region: every redistributor in it, up to the one
    /// whose GICR_TYPER.Last is set, and the calling CPUs' among them. Both are mapped as
    /// Device memory, valid for the kernel's lifetime, and driven by nothing else.
    /// Every CPU using the driver can access the ICC_* system registers at EL1 (entered
    /// at EL2, the boot code set ICC_SRE_EL2.SRE and .Enable).
    #[must_use]
    pub const unsafe fn new(dist_base: usize, redist_base: usize) -> Self {
        Self {
            distributor: dist_base as *const DistributorRegisters,
            redistributors: redist_base,
        }
    }

    fn distributor(&self) -> &DistributorRegisters {
        // SAFETY: `new`'s contract: the block is mapped Device memory for the kernel's
        // lifetime, and its registers are interior-mutable, so `&` permits exactly the
        // volatile accesses tock-registers makes.
        unsafe { &*self.distributor }
    }

    /// The calling CPU's redistributor, found by walking the region until a GICR_TYPER
    /// names this CPU's affinity.
    fn this_redistributor(&self) -> Option<Redistributor<'_>> {
        let affinity = this_cpu_affinity();
        let mut frame = self.redistributors;
        loop {
            // SAFETY: `new`'s contract: every redistributor up to the one marked Last is
            // mapped, and the walk stops there. Registers are interior-mutable (as in
            // `distributor`).
            let control = unsafe { &*(frame as *const ControlFrame) };
            let typer = control.typer.extract();
            if typer.read(GICR_TYPER::Affinity_Value) == u64::from(affinity) {
                // SAFETY: the SGI_base frame follows RD_base within the same
                // redistributor, mapped as above.
                let sgi = unsafe { &*((frame + FRAME_SIZE) as *const SgiFrame) };
                return Some(Redistributor { control, sgi });
            }
            if typer.is_set(GICR_TYPER::Last) {
                return None;
            }
            let frames = if typer.is_set(GICR_TYPER::VLPIS) {
                4
            } else {
                2
            };
            frame += frames * FRAME_SIZE;
        }
    }

    fn wait_for_distributor_writes(&self) {
        let gicd = self.distributor();
        poll_until("GICD_CTLR.RWP", || !gicd.ctlr.is_set(GICD_CTLR::RWP));
    }
}

impl InterruptController for GicV3 {
    fn init(&self) {
        let gicd = self.distributor();
        // Read-modify-write throughout: the security bits (DS, ARE_S) are not ours. ARE
        // may only change while the groups are disabled, and never back to 0.
        gicd.ctlr
            .modify(GICD_CTLR::EnableGrp0::CLEAR + GICD_CTLR::EnableGrp1A::CLEAR);
        self.wait_for_distributor_writes();
        gicd.ctlr.modify(GICD_CTLR::ARE_NS::SET);
        self.wait_for_distributor_writes();

        let lines = interrupt_lines(gicd.typer.read(GICD_TYPER::ITLinesNumber));
        let words = (lines / 32) as usize;
        for word in 1..words {
            // With two Security states these group bits are firmware's and ignore us.
            gicd.igroupr[word].set(u32::MAX);
            gicd.icenabler[word].set(u32::MAX);
            gicd.icpendr[word].set(u32::MAX);
            gicd.icactiver[word].set(u32::MAX);
        }
        // Two bits per INTID; 0 is level-sensitive, what most devices are.
        for word in 2..2 * words {
            gicd.icfgr[word].set(0);
        }
        let route = route_to(this_cpu_affinity());
        for intid in PRIVATE_INTIDS as usize..lines as usize {
            gicd.ipriorityr[intid].set(DEFAULT_PRIORITY);
            gicd.irouter[intid].write(route);
        }
        self.wait_for_distributor_writes();

        gicd.ctlr.modify(GICD_CTLR::EnableGrp1A::SET);
        self.wait_for_distributor_writes();
        self.init_cpu();
    }

    fn init_cpu(&self) {
        // The system register interface first: without it nothing below reaches the CPU.
        ICC_SRE_EL1.modify(icc::SRE::SRE::SET);
        barrier::isb(barrier::SY);
        assert!(
            ICC_SRE_EL1.is_set(icc::SRE::SRE),
            "GICv3: ICC_SRE_EL1.SRE stays 0; the CPU interface has no system registers"
        );

        let Some(redistributor) = self.this_redistributor() else {
            panic!(
                "GICv3: no redistributor for this CPU (affinity {:#x})",
                this_cpu_affinity()
            );
        };
        let Redistributor { control, sgi } = redistributor;
        control.waker.modify(GICR_WAKER::ProcessorSleep::CLEAR);
        poll_until("GICR_WAKER.ChildrenAsleep", || {
            !control.waker.is_set(GICR_WAKER::ChildrenAsleep)
        });

        sgi.igroupr0.set(u32::MAX);
        sgi.icenabler0.set(u32::MAX);
        poll_until("GICR_CTLR.RWP", || !control.ctlr.is_set(GICR_CTLR::RWP));
        sgi.icpendr0.set(u32::MAX);
        sgi.icactiver0.set(u32::MAX);
        for intid in 0..PRIVATE_INTIDS as usize {
            sgi.ipriorityr[intid].set(DEFAULT_PRIORITY);
        }

        ICC_PMR_EL1.write(icc::PMR::Priority.val(PRIORITY_MASK.into()));
        ICC_BPR1_EL1.write(icc::BPR::BinaryPoint.val(0));
        ICC_CTLR_EL1.modify(icc::CTLR::EOImode::DropAndDeactivate);
        ICC_IGRPEN1_EL1.write(icc::IGRPEN::Enable::SET);
        barrier::isb(barrier::SY);
    }

    fn enable(&self, intid: u32) {
        let Some((word, mask)) = bit_position(intid) else {
            return;
        };
        if intid < PRIVATE_INTIDS {
            if let Some(Redistributor { sgi, .. }) = self.this_redistributor() {
                sgi.ipriorityr[intid as usize].set(ENABLED_PRIORITY);
                sgi.isenabler0.set(mask);
            }
        } else {
            let gicd = self.distributor();
            gicd.ipriorityr[intid as usize].set(ENABLED_PRIORITY);
            gicd.isenabler[word].set(mask);
        }
    }

    fn disable(&self, intid: u32) {
        let Some((word, mask)) = bit_position(intid) else {
            return;
        };
        // A disable has taken effect only once RWP clears.
        if intid < PRIVATE_INTIDS {
            if let Some(Redistributor { control, sgi }) = self.this_redistributor() {
                sgi.icenabler0.set(mask);
                poll_until("GICR_CTLR.RWP", || !control.ctlr.is_set(GICR_CTLR::RWP));
            }
        } else {
            self.distributor().icenabler[word].set(mask);
            self.wait_for_distributor_writes();
        }
    }

    fn acknowledge(&self) -> Option<u32> {
        let intid = ICC_IAR1_EL1.read(icc::INTID::INTID);
        // As Linux: the acknowledge completes before the handler's memory accesses.
        barrier::dsb(barrier::SY);
        u32::try_from(intid)
            .ok()
            .filter(|&intid| intid < SPECIAL_INTIDS_START)
    }

    fn end_of_interrupt(&self, intid: u32) {
        if intid >= SPECIAL_INTIDS_START {
            return;
        }
        ICC_EOIR1_EL1.write(icc::INTID::INTID.val(intid.into()));
        // The EOI takes effect before anything that follows (such as `eret`).
        barrier::isb(barrier::SY);
    }

    fn cpu_token(&self) -> u64 {
        let mpidr: u64;
        // SAFETY: reads an ID register.
        unsafe { core::arch::asm!("mrs {0}, mpidr_el1", out(reg) mpidr, options(nomem, nostack)) };
        mpidr & 0xff_00ff_ffff
    }

    fn send_sgi(&self, intid: u32, target: u64) {
        let aff0 = target & 0xff;
        let value = (target >> 32 & 0xff) << 48 // Aff3
            | (target >> 16 & 0xff) << 32 // Aff2
            | u64::from(intid & 0xf) << 24
            | (target >> 8 & 0xff) << 16 // Aff1
            | (aff0 / 16) << 44 // RS: which 16 of Aff0
            | 1 << (aff0 % 16);
        // SAFETY: ICC_SGI1R_EL1 only raises an SGI; the barrier orders the memory the
        // target will read before it.
        unsafe {
            core::arch::asm!("dsb ishst", "msr S3_0_C12_C11_5, {0}", "isb", in(reg) value, options(nostack))
        };
    }

    fn name(&self) -> &'static str {
        "GICv3"
    }
}

/// The calling CPU's affinity as GICR_TYPER and GICD_IROUTER hold it:
/// Aff3.Aff2.Aff1.Aff0, 8 bits each.
fn this_cpu_affinity() -> u32 {
    let mpidr = MPIDR_EL1.extract();
    // Each field is 8 bits wide, so the casts keep them whole.
    let aff = |field| mpidr.read(field) as u8;
    u32::from_be_bytes([
        aff(MPIDR_EL1::Aff3),
        aff(MPIDR_EL1::Aff2),
        aff(MPIDR_EL1::Aff1),
        aff(MPIDR_EL1::Aff0),
    ])
}

/// The GICD_IROUTER value that sends an SPI to the CPU with `affinity`.
fn route_to(affinity: u32) -> FieldValue<u64, GICD_IROUTER::Register> {
    let [aff3, aff2, aff1, aff0] = affinity.to_be_bytes().map(u64::from);
    GICD_IROUTER::Interrupt_Routing_Mode::SpecifiedPe
        + GICD_IROUTER::Aff3.val(aff3)
        + GICD_IROUTER::Aff2.val(aff2)
        + GICD_IROUTER::Aff1.val(aff1)
        + GICD_IROUTER::Aff0.val(aff0)
}
