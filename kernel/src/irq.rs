//! Interrupt routing: the GIC the device tree names, and the handlers behind it.

use crate::bsp::devicetree::{GicInfo, MachineInfo};
use crate::drivers::gic::{v2::GicV2, v3::GicV3, InterruptController};
use crate::mm::paging::{self, MapError};
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use spin::Once;

static GICV2: Once<GicV2> = Once::new();
static GICV3: Once<GicV3> = Once::new();
static CONTROLLER: Once<&'static dyn InterruptController> = Once::new();
static TIMER_INTID: AtomicU32 = AtomicU32::new(u32::MAX);

/// Redistributors take 128 KiB each, 256 KiB with GICv4's virtual LPI frames; map
/// room for the largest kind for the CPUs that exist, not the whole region.
const GICR_FRAME_MAX: u64 = 0x4_0000;

#[derive(Debug)]
pub enum IrqError {
    NoController,
    NoTimer,
    Map(MapError),
}

impl core::fmt::Display for IrqError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            IrqError::NoController => {
                write!(
                    f,
                    "the device tree names no GICv2 or GICv3 interrupt controller"
                )
            }
            IrqError::NoTimer => {
                write!(
                    f,
                    "the device tree names no usable arm,armv8-timer interrupt"
                )
            }
            IrqError::Map(e) => write!(f, "cannot map the GIC's registers: {e:?}"),
        }
    }
}

/// Brings up the interrupt controller and the tick. Returns the controller's name.
pub fn init(info: &MachineInfo) -> Result<&'static str, IrqError> {
    let gic: &'static dyn InterruptController = match info.gic.ok_or(IrqError::NoController)? {
        GicInfo::V2 { dist, cpu } => {
            let d = paging::map_device(dist.start, dist.size).map_err(IrqError::Map)?;
            let c = paging::map_device(cpu.start, cpu.size).map_err(IrqError::Map)?;
            // SAFETY: both blocks were just mapped as device memory for the GIC alone.
            GICV2.call_once(|| unsafe { GicV2::new(d, c) })
        }
        GicInfo::V3 { dist, redist } => {
            let d = paging::map_device(dist.start, dist.size).map_err(IrqError::Map)?;
            let cpus = info.cpu_count.max(1) as u64;
            let size = redist.size.min(cpus * GICR_FRAME_MAX);
            let r = paging::map_device(redist.start, size).map_err(IrqError::Map)?;
            // SAFETY: as above.
            GICV3.call_once(|| unsafe { GicV3::new(d, r) })
        }
    };
    gic.init();
    let timer_intid = info.timer_virt_intid.ok_or(IrqError::NoTimer)?;
    TIMER_INTID.store(timer_intid, Ordering::Relaxed);
    CONTROLLER.call_once(|| gic);
    start_this_cpu(gic);
    Ok(gic.name())
}

/// This CPU's part: its timer and reschedule interrupts, and how others reach it.
fn start_this_cpu(gic: &dyn InterruptController) {
    gic.enable(TIMER_INTID.load(Ordering::Relaxed));
    gic.enable(RESCHEDULE_SGI);
    let me = crate::task::percpu::this().index();
    if let Some(slot) = CPU_TOKENS.get(me) {
        slot.store(gic.cpu_token(), Ordering::Release);
    }
    crate::task::timer_irq::start_this_cpu();
}

/// A secondary CPU's interrupt set-up, after the boot CPU's [`init`].
pub fn init_secondary() {
    if let Some(gic) = CONTROLLER.get() {
        gic.init_cpu();
        start_this_cpu(*gic);
    }
}

/// The SGI another CPU sends to make this one look at its run queue (or notice a kill).
const RESCHEDULE_SGI: u32 = 0;

/// How the GIC addresses each CPU (by our CPU index), recorded as each comes up.
static CPU_TOKENS: [AtomicU64; crate::task::percpu::MAX_CPUS] =
    [const { AtomicU64::new(u64::MAX) }; crate::task::percpu::MAX_CPUS];

/// Asks CPU `cpu` to look at its run queue (or notice a kill) now.
pub fn send_reschedule(cpu: usize) {
    let (Some(gic), Some(token)) = (CONTROLLER.get(), CPU_TOKENS.get(cpu)) else {
        return;
    };
    let token = token.load(Ordering::Acquire);
    if token != u64::MAX {
        gic.send_sgi(RESCHEDULE_SGI, token);
    }
}

/// Called from the IRQ vector: handles every pending interrupt.
pub fn handle() {
    let Some(gic) = CONTROLLER.get() else {
        return;
    };
    while let Some(intid) = gic.acknowledge() {
        if intid == TIMER_INTID.load(Ordering::Relaxed) {
            crate::task::timer_irq::on_interrupt();
        } else if intid == RESCHEDULE_SGI {
            crate::task::percpu::this()
                .need_resched
                .store(true, Ordering::Relaxed);
        } else {
            log::warn!("unexpected interrupt {intid}; disabling it");
            gic.disable(intid);
        }
        gic.end_of_interrupt(intid);
    }
}
