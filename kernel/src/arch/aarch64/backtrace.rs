//! Frame-pointer backtraces with symbol names.
//!
//! The kernel is built with frame pointers, so x29 chains frame records
//! `[previous x29, return address]` up the stack. Symbols come from the table that
//! scripts/ksyms.py writes into the `.ksyms` section after linking.

use core::fmt::Write;

const MAX_FRAMES: usize = 32;

unsafe extern "C" {
    static __ksyms_start: u8;
    static __ksyms_end: u8;
    static __boot_stack_bottom: u8;
    static __boot_stack_top: u8;
    static __overflow_stack_bottom: u8;
    static __overflow_stack_top: u8;
}

fn symbol_table() -> &'static [u8] {
    // SAFETY: the linker script brackets the .ksyms section, which is read-only data of
    // the image, with these symbols. It is read through a pointer the compiler cannot see
    // through, since its contents are written after linking.
    unsafe {
        let start = &__ksyms_start as *const u8;
        let end = &__ksyms_end as *const u8;
        core::slice::from_raw_parts(start, end as usize - start as usize)
    }
}

/// The stacks a frame pointer may point into; anything else ends the walk, so a corrupt
/// chain cannot fault inside the panic path.
fn on_known_stack(addr: usize, len: usize) -> bool {
    // SAFETY: only the addresses of linker symbols are taken.
    let ranges = unsafe {
        [
            (
                &__boot_stack_bottom as *const u8 as usize,
                &__boot_stack_top as *const u8 as usize,
            ),
            (
                &__overflow_stack_bottom as *const u8 as usize,
                &__overflow_stack_top as *const u8 as usize,
            ),
        ]
    };
    ranges
        .iter()
        .any(|&(lo, hi)| addr >= lo && addr.checked_add(len).is_some_and(|end| end <= hi))
}

/// Writes " <symbol+offset>" for a code address, if the table knows it.
pub fn write_symbol(out: &mut dyn Write, pc: usize) {
    if let Some((name, offset)) = crate::symbols::lookup(symbol_table(), pc as u64) {
        let _ = write!(out, " {name}+{offset:#x}");
    }
}

/// Prints `pc` (if given), then every return address found by following the
/// frame-pointer chain from `fp`.
pub fn write_from(out: &mut dyn Write, pc: Option<usize>, mut fp: usize) {
    if let Some(pc) = pc {
        let _ = write!(out, "    #0  {pc:#018x}");
        write_symbol(out, pc);
        let _ = writeln!(out);
    }
    for n in 1..MAX_FRAMES {
        if fp == 0 || !fp.is_multiple_of(16) || !on_known_stack(fp, 16) {
            break;
        }
        // SAFETY: fp is 16-byte aligned and its record lies inside a mapped kernel stack.
        let (next, lr) = unsafe { (*(fp as *const usize), *((fp + 8) as *const usize)) };
        if lr == 0 {
            break;
        }
        // The return address follows the call; name the call itself.
        let call = lr - 4;
        let _ = write!(out, "    #{n:<2} {call:#018x}");
        write_symbol(out, call);
        let _ = writeln!(out);
        if next <= fp {
            break;
        }
        fp = next;
    }
}

/// The current frame pointer, to start a backtrace from the caller.
#[inline(always)]
pub fn current_fp() -> usize {
    let fp: usize;
    // SAFETY: reads a register.
    unsafe { core::arch::asm!("mov {0}, x29", out(reg) fp) };
    fp
}

/// Room for the symbol table, patched in after linking (see scripts/ksyms.py).
#[used]
#[unsafe(link_section = ".ksyms")]
static KSYMS_SPACE: [u8; 64 * 1024] = [0; 64 * 1024];
