//! Kernel stacks for threads: 64 KiB each, in a window of the kernel's address space
//! where each stack starts on a 128 KiB boundary and the 64 KiB below it stays unmapped.
//! That gap is the guard: running off the bottom faults instead of corrupting a
//! neighbour, and the exception vectors' overflow check (bit 16 of the stack pointer,
//! see vectors.s) recognises it before pushing a frame there.
//!
//! Slots are handed out from a free list under a spin lock (never taken in interrupt
//! context); the frames come from the frame allocator and go back when the stack drops.

use super::aspace::zero_frame;
use super::frames::{self, NoMemory, PAGE_SIZE};
use super::paging;
use crate::arch::aarch64::pte::STACK_VBASE;
use alloc::vec::Vec;
use spin::Mutex;

/// Bytes of one stack (the vectors' STACK_SHIFT).
pub const STACK_SIZE: usize = 64 * 1024;
const SLOT_SIZE: usize = 2 * STACK_SIZE;
const PAGES: usize = STACK_SIZE / PAGE_SIZE;
/// The window is 1 GiB: this many threads can exist at once.
pub const MAX_STACKS: usize = (1 << 30) / SLOT_SIZE;

struct Slots {
    /// Slots given back, reused first.
    free: Vec<usize>,
    /// Slots below this were handed out at least once.
    high_water: usize,
}

/// Lock: the stack window's slots. Taken alone, never with IRQs masked by its holder's
/// caller in interrupt context.
static SLOTS: Mutex<Slots> = Mutex::new(Slots {
    free: Vec::new(),
    high_water: 0,
});

pub struct KernelStack {
    slot: usize,
    pa: usize,
}

impl KernelStack {
    pub fn new() -> Result<KernelStack, NoMemory> {
        let slot = {
            let mut s = SLOTS.lock();
            match s.free.pop() {
                Some(slot) => slot,
                None if s.high_water < MAX_STACKS => {
                    // Room for this slot in the free list later, so dropping never fails.
                    let room = s.high_water + 1;
                    s.free.try_reserve(room).map_err(|_| NoMemory)?;
                    s.high_water += 1;
                    s.high_water - 1
                }
                None => return Err(NoMemory),
            }
        };
        let give_back = |slot| SLOTS.lock().free.push(slot);
        let pa = match frames::alloc(PAGES) {
            Ok(pa) => pa,
            Err(e) => {
                give_back(slot);
                return Err(e);
            }
        };
        let base = STACK_VBASE + slot * SLOT_SIZE;
        let new_table = || {
            let t = frames::alloc(1).ok()?;
            zero_frame(t);
            Some(t as u64)
        };
        if !paging::map_stack(base, pa as u64, PAGES, new_table) {
            frames::free(pa, PAGES);
            give_back(slot);
            return Err(NoMemory);
        }
        Ok(KernelStack { slot, pa })
    }

    /// The lowest address of the stack.
    pub fn base(&self) -> usize {
        STACK_VBASE + self.slot * SLOT_SIZE
    }

    /// One past the highest address: the initial stack pointer.
    pub fn top(&self) -> usize {
        self.base() + STACK_SIZE
    }
}

impl Drop for KernelStack {
    fn drop(&mut self) {
        paging::unmap_stack(self.base(), PAGES);
        frames::free(self.pa, PAGES);
        SLOTS.lock().free.push(self.slot);
    }
}
