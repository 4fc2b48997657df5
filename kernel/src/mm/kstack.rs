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
use crate::arch::pte::STACK_VBASE;
use alloc::vec::Vec;
use spin::Mutex;

/// Bytes of one stack (the vectors' STACK_SHIFT).
pub const STACK_SIZE: usize = 64 * 1024;
const SLOT_SIZE: usize = 2 * STACK_SIZE;
const PAGES: usize = STACK_SIZE / PAGE_SIZE;
/// The window is 1 GiB: this many threads can exist at once.
pub const MAX_STACKS: usize = (1 << 30) / SLOT_SIZE;

/// Stacks per 2 MiB stretch of the window (one level-3 table).
const SLOTS_PER_TABLE: usize = (2 << 20) / SLOT_SIZE;

struct Slots {
    /// Slots given back, reused lowest first so stacks stay packed in few tables.
    free: Vec<usize>,
    /// Slots below this were handed out at least once.
    high_water: usize,
    /// Live stacks in each 2 MiB stretch: a table whose last stack goes is freed.
    per_table: [u16; MAX_STACKS / SLOTS_PER_TABLE],
}

/// Lock: the stack window's slots. Taken alone, and never in interrupt context (stacks
/// are freed by the scheduler's switch, in thread context).
static SLOTS: Mutex<Slots> = Mutex::new(Slots {
    free: Vec::new(),
    high_water: 0,
    per_table: [0; MAX_STACKS / SLOTS_PER_TABLE],
});

pub struct KernelStack {
    slot: usize,
    pa: usize,
}

impl KernelStack {
    pub fn new() -> Result<KernelStack, NoMemory> {
        let slot = {
            let mut s = SLOTS.lock();
            let lowest = (0..s.free.len()).min_by_key(|&i| s.free[i]);
            let slot = match lowest {
                Some(i) => s.free.swap_remove(i),
                None if s.high_water < MAX_STACKS => {
                    // Room for this slot in the free list later, so dropping never fails.
                    let room = s.high_water + 1;
                    s.free.try_reserve(room).map_err(|_| NoMemory)?;
                    s.high_water += 1;
                    s.high_water - 1
                }
                None => return Err(NoMemory),
            };
            s.per_table[slot / SLOTS_PER_TABLE] += 1;
            slot
        };
        let give_back = |slot| release_slot(slot);
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

/// Returns a slot; the last one of its 2 MiB stretch takes the level-3 table with it.
fn release_slot(slot: usize) {
    let mut s = SLOTS.lock();
    s.free.push(slot);
    let table = slot / SLOTS_PER_TABLE;
    s.per_table[table] -= 1;
    if s.per_table[table] == 0 {
        if let Some(pa) = paging::unmap_stack_table(STACK_VBASE + table * (2 << 20)) {
            frames::free(pa as usize, 1);
        }
    }
}

impl Drop for KernelStack {
    fn drop(&mut self) {
        paging::unmap_stack(self.base(), PAGES);
        frames::free(self.pa, PAGES);
        release_slot(self.slot);
    }
}
