//! zx_task_suspend and a stopped thread's registers: zx_thread_read_state and
//! zx_thread_write_state (digest part 2, sections 2.5 and 2.7).

use super::{copy_in, copy_out, Syscalls, ZxResult};
use crate::arch::exceptions::TrapFrame;
use crate::object::Object;
use crate::task::percpu;
use crate::task::suspend::{self, SuspendToken};
use alloc::sync::Arc;
use libzircon::cdef::AbiStruct;
use libzircon::dispatch::{UserPtr, UserPtrMut};
use libzircon::prelude::*;
use libzircon::Status;

pub fn task_suspend(sys: &Syscalls, handle: zx_handle_t, out: UserPtrMut<zx_handle_t>) -> ZxResult {
    let entry = sys.lookup(handle)?;
    if entry.rights & ZX_RIGHT_WRITE == 0 {
        return Err(Status::ACCESS_DENIED);
    }
    let token = match &entry.object {
        Object::Thread(thread) => {
            if percpu::with_current(|me| Arc::ptr_eq(me, thread)) == Some(true) {
                return Err(Status::NOT_SUPPORTED);
            }
            let state = thread.state.load(core::sync::atomic::Ordering::Relaxed);
            if state == ZX_THREAD_STATE_DYING || state == ZX_THREAD_STATE_DEAD {
                return Err(Status::BAD_STATE);
            }
            SuspendToken::thread(thread.clone())
        }
        Object::Process(process) => {
            if Arc::ptr_eq(process, sys.process) {
                return Err(Status::NOT_SUPPORTED);
            }
            if process.is_dying() {
                return Err(Status::BAD_STATE);
            }
            SuspendToken::process(process.clone())
        }
        _ => return Err(Status::WRONG_TYPE),
    };
    sys.add_handle_out(
        Object::SuspendToken(token),
        ZX_DEFAULT_SUSPEND_TOKEN_RIGHTS,
        out,
    )
}

/// The size of the record `kind` names; INVALID_ARGS for a kind there is none of.
fn record_size(kind: u32) -> Result<usize, Status> {
    match kind {
        ZX_THREAD_STATE_GENERAL_REGS => Ok(core::mem::size_of::<zx_thread_state_general_regs_t>()),
        ZX_THREAD_STATE_FP_REGS => Ok(core::mem::size_of::<zx_thread_state_fp_regs_t>()),
        ZX_THREAD_STATE_VECTOR_REGS => Ok(core::mem::size_of::<zx_thread_state_vector_regs_t>()),
        ZX_THREAD_STATE_DEBUG_REGS => Ok(core::mem::size_of::<zx_thread_state_debug_regs_t>()),
        ZX_THREAD_STATE_SINGLE_STEP => Ok(core::mem::size_of::<zx_thread_state_single_step_t>()),
        _ => Err(Status::INVALID_ARGS),
    }
}

/// Only the condition flags of PSTATE are the thread's to see and set.
const NZCV: u64 = 0xf000_0000;

fn general_regs(frame: &TrapFrame, tpidr: u64) -> zx_thread_state_general_regs_t {
    let mut regs = zx_thread_state_general_regs_t {
        lr: frame.x[30],
        sp: frame.sp,
        pc: frame.elr,
        cpsr: frame.spsr & NZCV,
        tpidr,
        ..Default::default()
    };
    regs.r.copy_from_slice(&frame.x[..30]);
    regs
}

pub fn read_state(
    sys: &Syscalls,
    handle: zx_handle_t,
    kind: u32,
    buffer: UserPtrMut<c_void>,
    size: usize,
) -> ZxResult {
    let thread = sys.lookup_thread(handle, ZX_RIGHT_READ)?;
    let need = record_size(kind)?;
    if size < need {
        return Err(Status::BUFFER_TOO_SMALL);
    }
    let tpidr = || thread.registers.lock().tpidr_el0();
    match kind {
        ZX_THREAD_STATE_GENERAL_REGS => {
            let regs = suspend::with_parked_frame(&thread, |f| general_regs(f, tpidr()))?;
            copy_out(buffer, regs.as_bytes())
        }
        ZX_THREAD_STATE_VECTOR_REGS => {
            suspend::with_parked_frame(&thread, |_| ())?;
            let mut regs = zx_thread_state_vector_regs_t::default();
            let saved = thread.registers.lock();
            let (fpcr, fpsr) = saved.fp_control();
            regs.fpcr = fpcr as u32;
            regs.fpsr = fpsr as u32;
            for (v, q) in regs.v.iter_mut().zip(saved.vectors()) {
                v.low = *q as u64;
                v.high = (*q >> 64) as u64;
            }
            drop(saved);
            copy_out(buffer, regs.as_bytes())
        }
        // arm64 has no FP file apart from the vector registers; hardware debug registers
        // and single-stepping are not offered (no debugger support yet).
        _ => {
            suspend::with_parked_frame(&thread, |_| ())?;
            Err(Status::NOT_SUPPORTED)
        }
    }
}

fn word(bytes: &[u8], index: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&bytes[index * 8..index * 8 + 8]);
    u64::from_le_bytes(w)
}

pub fn write_state(
    sys: &Syscalls,
    handle: zx_handle_t,
    kind: u32,
    buffer: UserPtr<c_void>,
    size: usize,
) -> ZxResult {
    if kind & ZX_THREAD_STATE_DEBUG_REGS != 0 {
        // Debugging syscalls are not enabled (this covers SINGLE_STEP too, as in Zircon).
        return Err(Status::NOT_SUPPORTED);
    }
    let thread = sys.lookup_thread(handle, ZX_RIGHT_WRITE)?;
    let need = record_size(kind)?;
    if size < need {
        return Err(Status::BUFFER_TOO_SMALL);
    }
    let mut raw = [0u8; 520];
    let raw = &mut raw[..need];
    copy_in(raw, buffer)?;
    match kind {
        ZX_THREAD_STATE_GENERAL_REGS => suspend::with_parked_frame(&thread, |frame| {
            for (i, x) in frame.x[..30].iter_mut().enumerate() {
                *x = word(raw, i);
            }
            frame.x[30] = word(raw, 30);
            frame.sp = word(raw, 31);
            frame.elr = word(raw, 32);
            frame.spsr = (frame.spsr & !NZCV) | (word(raw, 33) & NZCV);
            thread.registers.lock().set_tpidr_el0(word(raw, 34));
        }),
        ZX_THREAD_STATE_VECTOR_REGS => suspend::with_parked_frame(&thread, |_| {
            let control = word(raw, 0);
            let mut saved = thread.registers.lock();
            saved.set_fp_control(control & 0xffff_ffff, control >> 32);
            for (i, q) in saved.vectors_mut().iter_mut().enumerate() {
                *q = u128::from(word(raw, 1 + 2 * i)) | u128::from(word(raw, 2 + 2 * i)) << 64;
            }
        }),
        _ => {
            suspend::with_parked_frame(&thread, |_| ())?;
            Err(Status::NOT_SUPPORTED)
        }
    }
}
