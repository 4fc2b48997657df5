//! The kernel console: the UART the board module chose, behind a lock that also masks
//! interrupts, so an interrupt handler that logs cannot deadlock against the code it
//! interrupted. Before a UART exists (and in test mode without one), text goes to
//! semihosting.

use super::pl011::Pl011;
use crate::arch::{cpu::IrqGuard, semihosting};
use core::fmt::{self, Write};
use core::sync::atomic::{AtomicBool, Ordering};
use spin::Mutex;

static CONSOLE: Mutex<Option<Pl011>> = Mutex::new(None);
static SEMIHOSTING_FALLBACK: AtomicBool = AtomicBool::new(false);
/// Whether the last byte user space wrote ended a line.
static USER_LINE_OPEN: AtomicBool = AtomicBool::new(false);

pub fn install(uart: Pl011) {
    *CONSOLE.lock() = Some(uart);
}

/// Allows writing through semihosting while there is no UART (test mode only).
pub fn allow_semihosting_fallback() {
    SEMIHOSTING_FALLBACK.store(true, Ordering::Relaxed);
}

fn write_to(slot: &mut Option<Pl011>, args: fmt::Arguments) {
    match slot {
        Some(uart) => {
            let _ = uart.write_fmt(args);
        }
        None if SEMIHOSTING_FALLBACK.load(Ordering::Relaxed) => {
            let _ = SemihostingWriter.write_fmt(args);
        }
        None => {}
    }
}

pub fn write_fmt(args: fmt::Arguments) {
    let _irqs = IrqGuard::new();
    write_to(&mut CONSOLE.lock(), args);
}

/// Writes raw bytes (from user space: not necessarily UTF-8), '\n' as "\r\n".
pub fn write_bytes(bytes: &[u8]) {
    if let Some(&last) = bytes.last() {
        USER_LINE_OPEN.store(last != b'\n', Ordering::Relaxed);
    }
    let _irqs = IrqGuard::new();
    let mut slot = CONSOLE.lock();
    match slot.as_mut() {
        Some(uart) => {
            for &b in bytes {
                if b == b'\n' {
                    uart.write_byte(b'\r');
                }
                uart.write_byte(b);
            }
        }
        None if SEMIHOSTING_FALLBACK.load(Ordering::Relaxed) => semihosting::write(bytes),
        None => {}
    }
}

/// Ends a line user space left open, so the kernel's next line starts fresh.
pub fn finish_user_line() {
    if USER_LINE_OPEN.swap(false, Ordering::Relaxed) {
        write_bytes(b"\n");
    }
}

struct SemihostingWriter;

impl Write for SemihostingWriter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        semihosting::write(s.as_bytes());
        Ok(())
    }
}

/// A writer for panic reports: takes the console even if the panicking code held it.
pub struct PanicWriter;

pub fn panic_writer() -> PanicWriter {
    if CONSOLE.is_locked() {
        // SAFETY: we are stopping the machine; whoever held the lock on this CPU will
        // never run again, and secondaries are parked.
        unsafe { CONSOLE.force_unlock() };
    }
    PanicWriter
}

impl Write for PanicWriter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        write_to(&mut CONSOLE.lock(), format_args!("{s}"));
        Ok(())
    }
}

#[macro_export]
macro_rules! kprintln {
    () => { $crate::drivers::console::write_fmt(format_args!("\n")) };
    ($($arg:tt)*) => {
        $crate::drivers::console::write_fmt(format_args!("{}\n", format_args!($($arg)*)))
    };
}
