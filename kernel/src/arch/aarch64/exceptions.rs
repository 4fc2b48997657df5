//! Exception entry: the vector table (vectors.s) saves a [`TrapFrame`] and calls
//! [`handle_exception`]. Interrupts go to the interrupt layer; anything the kernel does
//! not expect is reported (decoded ESR, registers, backtrace) and the machine stops.

use super::esr;
use core::arch::global_asm;
use core::fmt::Write;

global_asm!(include_str!("vectors.s"));

/// The registers of the interrupted context, as vectors.s lays them out.
#[repr(C)]
#[derive(Default)]
pub struct TrapFrame {
    pub x: [u64; 31],
    pub sp: u64,
    pub elr: u64,
    pub spsr: u64,
    pub esr: u64,
    pub far: u64,
}

const _: () = assert!(core::mem::size_of::<TrapFrame>() == 288);

const KIND_NAMES: [&str; 16] = [
    "sync (EL1, SP_EL0)",
    "IRQ (EL1, SP_EL0)",
    "FIQ (EL1, SP_EL0)",
    "SError (EL1, SP_EL0)",
    "sync (EL1)",
    "IRQ (EL1)",
    "FIQ (EL1)",
    "SError (EL1)",
    "sync (EL0)",
    "IRQ (EL0)",
    "FIQ (EL0)",
    "SError (EL0)",
    "sync (EL0, AArch32)",
    "IRQ (EL0, AArch32)",
    "FIQ (EL0, AArch32)",
    "SError (EL0, AArch32)",
];

const KIND_EL1_SYNC: u64 = 4;
const KIND_EL1_IRQ: u64 = 5;
const KIND_EL0_SYNC: u64 = 8;
const KIND_EL0_IRQ: u64 = 9;
const KIND_EL0_SERROR: u64 = 11;

/// Installs the vector table on this CPU.
pub fn init() {
    unsafe extern "C" {
        static exception_vectors: u8;
    }
    // SAFETY: exception_vectors is the 2 KiB-aligned table defined in vectors.s.
    unsafe {
        let base = &exception_vectors as *const u8 as u64;
        core::arch::asm!("msr vbar_el1, {0}", "isb", in(reg) base);
    }
}

/// A system call from EL0, by the short path of vectors.s (svc_entry): only x0–x7, x16,
/// x18, x30 and the return state are in the frame. Returns 0 to resume the thread, 1 if
/// it must stop first (it is being suspended); a thread that must not resume never
/// returns here.
#[unsafe(no_mangle)]
extern "C" fn handle_svc(frame: &mut TrapFrame) -> u64 {
    u64::from(crate::task::trap::on_syscall(frame))
}

/// The rest of a system call whose thread must stop first (vectors.s's svc_stop, with the
/// frame now complete). Returns to resume the thread through the full path.
#[unsafe(no_mangle)]
extern "C" fn handle_svc_stop(frame: &mut TrapFrame) {
    crate::task::trap::stop_here(frame)
}

/// Returns to resume the interrupted code.
#[unsafe(no_mangle)]
extern "C" fn handle_exception(kind: u64, frame: &mut TrapFrame) {
    match kind {
        KIND_EL1_IRQ => crate::irq::handle(),
        KIND_EL0_IRQ => crate::task::trap::on_user_irq(frame),
        KIND_EL1_SYNC if esr::is_data_abort(frame.esr) && super::user::in_copy(frame) => {
            // A user copy touched a page not mapped in yet: fault it in and retry, or
            // let the copy fail.
            let access = esr::pageable_access(frame.esr);
            if !crate::task::trap::on_copy_fault(frame.far as usize, access) {
                super::user::fixup(frame);
            }
        }
        KIND_EL0_SYNC if esr::pageable_access(frame.esr).is_some() => {
            let access = esr::pageable_access(frame.esr).unwrap_or(0);
            let decoded = esr::UserFault(frame.esr, frame.far);
            crate::task::trap::on_page_fault(frame, access, format_args!("{decoded}"))
        }
        KIND_EL0_SYNC..=KIND_EL0_SERROR => crate::task::trap::on_fault(
            format_args!("{}", esr::UserFault(frame.esr, frame.far)),
            frame,
        ),
        12..=15 => crate::task::trap::on_fault(format_args!("AArch32 exception"), frame),
        _ => fatal(KIND_NAMES[(kind & 15) as usize], frame),
    }
}

#[unsafe(no_mangle)]
extern "C" fn handle_stack_overflow(frame: &mut TrapFrame) -> ! {
    let mut out = crate::drivers::console::panic_writer();
    let _ = writeln!(
        out,
        "\n*** KERNEL STACK OVERFLOW: sp {:#018x} ran into the guard page",
        frame.sp
    );
    fatal("kernel stack overflow", frame)
}

fn fatal(kind: &str, frame: &TrapFrame) -> ! {
    let mut out = crate::drivers::console::panic_writer();
    let _ = writeln!(out, "\n*** KERNEL PANIC: unexpected exception: {kind}");
    let _ = writeln!(out, "  {}", esr::Decoded(frame.esr, frame.far));
    let _ = write!(out, "  ELR {:#018x}", frame.elr);
    super::backtrace::write_symbol(&mut out, frame.elr as usize);
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "  FAR {:#018x}  ESR {:#010x}  SPSR {:#010x}  SP {:#018x}",
        frame.far, frame.esr, frame.spsr, frame.sp
    );
    for row in 0..8 {
        let _ = write!(out, " ");
        for col in 0..4 {
            let i = row * 4 + col;
            if i < 31 {
                let _ = write!(out, " x{i:<2} {:#018x}", frame.x[i]);
            }
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "  backtrace:");
    super::backtrace::write_from(&mut out, Some(frame.elr as usize), frame.x[29] as usize);
    crate::task::write_recent_syscalls(&mut out);
    crate::power::fail()
}
