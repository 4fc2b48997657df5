//! Bringing up the secondary CPUs: each gets a kernel stack and a start-up record, is
//! started through PSCI `CPU_ON` (QEMU `virt`) or released from the firmware's spin
//! table (the Pi), sets up its own exception vectors, EL0 controls, GIC CPU interface and
//! timer, and becomes an idle CPU of the scheduler.

use crate::arch::{cpu, early_mmu, exceptions, psci, smp, timer, user};
use crate::bsp::devicetree::{EnableMethod, MachineInfo};
use crate::mm::kstack::KernelStack;
use crate::task::percpu::{self, MAX_CPUS};
use aarch64_cpu::registers::{Readable, MPIDR_EL1};

/// Starts every CPU the device tree lists besides this one; returns how many came up.
pub fn start_secondaries(info: &MachineInfo, image_pa: usize) -> usize {
    let me = MPIDR_EL1.get() & 0xff_00ff_ffff;
    let idmap = early_mmu::identity_root_pa(image_pa);
    let mut started = 0;
    for cpu in info.cpus.iter().filter(|c| c.mpidr != me) {
        let index = 1 + started;
        if index >= MAX_CPUS {
            log::warn!(
                "CPU {:#x} and later: more CPUs than the kernel runs ({MAX_CPUS})",
                cpu.mpidr
            );
            break;
        }
        let Ok(stack) = KernelStack::new() else {
            log::warn!("no memory for CPU {:#x}'s stack", cpu.mpidr);
            break;
        };
        let Some(entry) = smp::prepare(
            index,
            cpu.mpidr,
            index,
            stack.top(),
            secondary_main,
            idmap,
            image_pa,
        ) else {
            break;
        };
        let ok = match cpu.enable {
            EnableMethod::Psci if psci::available() => {
                let status = psci::cpu_on(cpu.mpidr, entry, 0);
                if status != 0 {
                    log::warn!("CPU {:#x}: PSCI CPU_ON failed ({status})", cpu.mpidr);
                }
                status == 0
            }
            EnableMethod::SpinTable { release_addr } => {
                match crate::drivers::spin_table::start(release_addr, &info.memory, entry) {
                    Ok(()) => true,
                    Err(e) => {
                        log::warn!(
                            "CPU {:#x}: cannot use its spin-table release address {release_addr:#x} ({e:?})",
                            cpu.mpidr
                        );
                        false
                    }
                }
            }
            _ => false,
        };
        if !ok {
            continue;
        }
        // The stack is the CPU's for good (its idle thread runs on it).
        core::mem::forget(stack);
        // Wait (a second at most) for it to come online before starting the next, so CPU
        // indices are dense in the order CPUs come up.
        let deadline = timer::monotonic_ns() + 1_000_000_000;
        while percpu::online_count() < index + 1 && timer::monotonic_ns() < deadline {
            core::hint::spin_loop();
        }
        if percpu::online_count() < index + 1 {
            log::warn!("CPU {:#x} did not come up", cpu.mpidr);
            break;
        }
        started += 1;
    }
    started
}

/// A secondary CPU, in the upper half on its own stack (boot.s's `secondary_entry`).
extern "C" fn secondary_main(index: usize) -> ! {
    percpu::init_this_cpu(index);
    exceptions::init();
    user::init_cpu();
    crate::irq::init_secondary();
    crate::task::sched::start_secondary();
    cpu::enable_irqs();
    crate::task::sched::idle_loop()
}
