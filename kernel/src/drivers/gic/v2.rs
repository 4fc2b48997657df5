//! GICv2: the Raspberry Pi 4's GIC-400 and QEMU `virt`'s default. The distributor
//! (GICD) holds each interrupt's enable, priority and target CPUs; each CPU's interface
//! (GICC, memory-mapped) hands its CPU the most urgent one. SGIs and PPIs (INTIDs below
//! 32) are banked: the distributor shows each CPU its own.
//!
//! On the Pi the kernel runs Non-secure, with firmware having put every interrupt in
//! Group 1; on `virt` the GIC has no Security Extensions and interrupts stay in Group 0.
//! Bit 0 of GICD_CTLR and GICC_CTLR enables exactly that group in both views (EnableGrp1
//! seen from Non-secure, EnableGrp0 otherwise), so like Linux the driver sets only that
//! bit and leaves the groups as it found them. Register names follow the GICv2
//! architecture specification (Arm IHI 0048B).

use core::sync::atomic::{AtomicU8, Ordering};

use tock_registers::{
    interfaces::{Readable, Writeable},
    register_bitfields, register_structs,
    registers::{ReadOnly, ReadWrite, WriteOnly},
};

use super::{
    bit_position, interrupt_lines, InterruptController, DEFAULT_PRIORITY, ENABLED_PRIORITY,
    PRIORITY_MASK, PRIVATE_INTIDS, SGI_COUNT, SPECIAL_INTIDS_START,
};

/// GICv2 serves at most eight CPU interfaces.
const MAX_CPUS: usize = 8;

register_bitfields! {u32,
    /// Distributor Control Register.
    GICD_CTLR [
        /// Forward interrupts of the group this view controls to the CPU interfaces.
        Enable OFFSET(0) NUMBITS(1) []
    ],

    /// Interrupt Controller Type Register.
    GICD_TYPER [
        /// The distributor implements 32 × (ITLinesNumber + 1) INTIDs.
        ITLinesNumber OFFSET(0) NUMBITS(5) []
    ],

    /// CPU Interface Control Register.
    GICC_CTLR [
        /// The FIQ and IRQ bypass-disable bits, which firmware may have set.
        BypassDisable OFFSET(5) NUMBITS(4) [],
        /// Signal interrupts of the group this view controls to the CPU.
        Enable OFFSET(0) NUMBITS(1) []
    ],

    /// Interrupt Priority Mask Register.
    GICC_PMR [
        Priority OFFSET(0) NUMBITS(8) []
    ],

    /// Binary Point Register: how much of a priority decides preemption.
    GICC_BPR [
        BinaryPoint OFFSET(0) NUMBITS(3) []
    ],

    /// Interrupt Acknowledge and End of Interrupt Registers.
    GICC_IAR [
        /// For an SGI, the CPU interface that sent it.
        CPUID OFFSET(10) NUMBITS(3) [],
        InterruptID OFFSET(0) NUMBITS(10) []
    ]
}

register_structs! {
    DistributorRegisters {
        (0x000 => ctlr: ReadWrite<u32, GICD_CTLR::Register>),
        (0x004 => typer: ReadOnly<u32, GICD_TYPER::Register>),
        (0x008 => _reserved0),
        (0x100 => isenabler: [ReadWrite<u32>; 32]),
        (0x180 => icenabler: [ReadWrite<u32>; 32]),
        (0x200 => _reserved1),
        (0x280 => icpendr: [ReadWrite<u32>; 32]),
        (0x300 => _reserved2),
        (0x380 => icactiver: [ReadWrite<u32>; 32]),
        /// One byte per INTID; byte accesses are architecturally allowed.
        (0x400 => ipriorityr: [ReadWrite<u8>; 1024]),
        /// One byte per INTID, a bit per CPU interface. Bytes 0–31 are read-only and
        /// show the reading CPU's own bit.
        (0x800 => itargetsr: [ReadWrite<u8>; 1024]),
        (0xC00 => icfgr: [ReadWrite<u32>; 64]),
        (0xD00 => _reserved3),
        (0xF00 => sgir: WriteOnly<u32>),
        (0xF04 => @END),
    }
}

register_structs! {
    CpuInterfaceRegisters {
        (0x00 => ctlr: ReadWrite<u32, GICC_CTLR::Register>),
        (0x04 => pmr: ReadWrite<u32, GICC_PMR::Register>),
        (0x08 => bpr: ReadWrite<u32, GICC_BPR::Register>),
        (0x0C => iar: ReadOnly<u32, GICC_IAR::Register>),
        (0x10 => eoir: WriteOnly<u32, GICC_IAR::Register>),
        (0x14 => @END),
    }
}

/// A GICv2 distributor and the CPU interfaces behind it.
pub struct GicV2 {
    distributor: *const DistributorRegisters,
    cpu_interface: *const CpuInterfaceRegisters,
    /// For each CPU interface and SGI, the CPU that sent the SGI being handled there:
    /// GICv2 wants it back in GICC_EOIR. A CPU handles one instance of an SGI at a time
    /// (the same priority cannot preempt itself), so one slot each suffices.
    sgi_sources: [[AtomicU8; SGI_COUNT]; MAX_CPUS],
}

// SAFETY: the register blocks belong to this driver alone (`new`'s contract), and every
// method does single volatile accesses that any CPU may make; the distributor and the
// memory-mapped CPU interface are each designed to be used by all CPUs at once (banked
// registers give each CPU its own copy). The rest is atomics.
unsafe impl Send for GicV2 {}

// SAFETY: see `Send` above.
unsafe impl Sync for GicV2 {}

impl GicV2 {
    /// A driver for the GICv2 whose distributor is at `dist_base` and whose CPU
    /// interface is at `cpu_base`. Touches no hardware.
    ///
    /// # Safety
    ///
    /// `dist_base` and `cpu_base` are the virtual addresses of a GICv2 distributor (4 KiB)
    /// and CPU interface (the first 4 KiB suffice), mapped as Device memory and valid for
    /// the kernel's lifetime, and nothing else drives that GIC.
    #[must_use]
    pub const unsafe fn new(dist_base: usize, cpu_base: usize) -> Self {
        Self {
            distributor: dist_base as *const DistributorRegisters,
            cpu_interface: cpu_base as *const CpuInterfaceRegisters,
            sgi_sources: [const { [const { AtomicU8::new(0) }; SGI_COUNT] }; MAX_CPUS],
        }
    }

    fn distributor(&self) -> &DistributorRegisters {
        // SAFETY: `new`'s contract: the block is mapped Device memory for the kernel's
        // lifetime, and its registers are interior-mutable, so `&` permits exactly the
        // volatile accesses tock-registers makes.
        unsafe { &*self.distributor }
    }

    fn cpu_interface(&self) -> &CpuInterfaceRegisters {
        // SAFETY: as for `distributor`.
        unsafe { &*self.cpu_interface }
    }

    /// The calling CPU's bit in ITARGETSR. The banked bytes 0–31 read as it (Linux's
    /// way of asking); a uniprocessor GIC reads zero, and then targets do not matter.
    fn this_cpu_target(&self) -> u8 {
        let gicd = self.distributor();
        (0..PRIVATE_INTIDS as usize)
            .map(|i| gicd.itargetsr[i].get())
            .find(|&mask| mask != 0)
            .unwrap_or(0)
    }

    /// The calling CPU's interface number, 0 to 7.
    fn this_cpu_index(&self) -> usize {
        (self.this_cpu_target().trailing_zeros() as usize).min(MAX_CPUS - 1)
    }

    /// Where the calling CPU keeps the sender of SGI `intid`; `None` if `intid` is not
    /// an SGI. Costs a distributor read, so only SGIs pay it.
    fn sgi_source_slot(&self, intid: u32) -> Option<&AtomicU8> {
        let sgi = usize::try_from(intid).ok().filter(|&i| i < SGI_COUNT)?;
        Some(&self.sgi_sources[self.this_cpu_index()][sgi])
    }
}

impl InterruptController for GicV2 {
    fn init(&self) {
        let gicd = self.distributor();
        gicd.ctlr.set(0);

        let lines = interrupt_lines(gicd.typer.read(GICD_TYPER::ITLinesNumber));
        let words = (lines / 32) as usize;
        for word in 1..words {
            gicd.icenabler[word].set(u32::MAX);
            gicd.icpendr[word].set(u32::MAX);
            gicd.icactiver[word].set(u32::MAX);
        }
        // Two bits per INTID; 0 is level-sensitive, what most devices are.
        for word in 2..2 * words {
            gicd.icfgr[word].set(0);
        }
        let target = match self.this_cpu_target() {
            0 => 1,
            mask => mask,
        };
        for intid in PRIVATE_INTIDS as usize..lines as usize {
            gicd.ipriorityr[intid].set(DEFAULT_PRIORITY);
            gicd.itargetsr[intid].set(target);
        }

        gicd.ctlr.write(GICD_CTLR::Enable::SET);
        self.init_cpu();
    }

    fn init_cpu(&self) {
        let gicd = self.distributor();
        // The banked SGI and PPI registers: this CPU's copy. SGI enable bits may be fixed
        // at 1, and SGI pending bits are cleared elsewhere (CPENDSGIR); writes to them
        // here are ignored, which is harmless.
        gicd.icenabler[0].set(u32::MAX);
        gicd.icpendr[0].set(u32::MAX);
        gicd.icactiver[0].set(u32::MAX);
        for intid in 0..PRIVATE_INTIDS as usize {
            gicd.ipriorityr[intid].set(DEFAULT_PRIORITY);
        }

        let gicc = self.cpu_interface();
        gicc.pmr.write(GICC_PMR::Priority.val(PRIORITY_MASK.into()));
        gicc.bpr.write(GICC_BPR::BinaryPoint.val(0));
        // Keep firmware's bypass settings; clearing the rest leaves EOImode at 0, so an
        // EOI both drops the priority and deactivates.
        let bypass = gicc.ctlr.read(GICC_CTLR::BypassDisable);
        gicc.ctlr
            .write(GICC_CTLR::Enable::SET + GICC_CTLR::BypassDisable.val(bypass));
    }

    fn enable(&self, intid: u32) {
        let Some((word, mask)) = bit_position(intid) else {
            return;
        };
        let gicd = self.distributor();
        gicd.ipriorityr[intid as usize].set(ENABLED_PRIORITY);
        gicd.isenabler[word].set(mask);
    }

    fn disable(&self, intid: u32) {
        let Some((word, mask)) = bit_position(intid) else {
            return;
        };
        self.distributor().icenabler[word].set(mask);
    }

    fn acknowledge(&self) -> Option<u32> {
        let iar = self.cpu_interface().iar.extract();
        let intid = iar.read(GICC_IAR::InterruptID);
        if intid >= SPECIAL_INTIDS_START {
            return None;
        }
        if let Some(slot) = self.sgi_source_slot(intid) {
            // CPUID is 3 bits wide, so the cast keeps it whole.
            slot.store(iar.read(GICC_IAR::CPUID) as u8, Ordering::Relaxed);
        }
        Some(intid)
    }

    fn end_of_interrupt(&self, intid: u32) {
        if intid >= SPECIAL_INTIDS_START {
            return;
        }
        let source = self
            .sgi_source_slot(intid)
            .map_or(0, |slot| slot.load(Ordering::Relaxed));
        self.cpu_interface()
            .eoir
            .write(GICC_IAR::InterruptID.val(intid) + GICC_IAR::CPUID.val(source.into()));
    }

    fn name(&self) -> &'static str {
        "GICv2"
    }

    fn cpu_token(&self) -> u64 {
        self.this_cpu_target().into()
    }

    fn send_sgi(&self, intid: u32, target: u64) {
        // GICD_SGIR: target list filter 0 (the listed CPUs), the list in bits 16-23.
        let list = (target & 0xff) as u32;
        // The barrier orders the memory the target will read (a run queue) before the
        // interrupt that sends it there.
        aarch64_cpu::asm::barrier::dsb(aarch64_cpu::asm::barrier::ISHST);
        self.distributor().sgir.set(list << 16 | (intid & 0xf));
    }
}
