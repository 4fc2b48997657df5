//! Shutting down: through semihosting in test mode (so QEMU exits with our status),
//! otherwise through PSCI, and a clear halt where neither is available. On the Pi, a
//! halt after a fatal error flashes SOS on the ACT LED; a clean halt leaves it lit.

use crate::arch::{cpu, psci, semihosting, timer};
use crate::drivers::bcm2711_gpio::{act_led, ActLed};
use core::sync::atomic::{AtomicBool, Ordering};

static TEST_MODE: AtomicBool = AtomicBool::new(false);

pub fn set_test_mode() {
    TEST_MODE.store(true, Ordering::Relaxed);
}

pub fn test_mode() -> bool {
    TEST_MODE.load(Ordering::Relaxed)
}

/// Powers off with `status` (0 = success) as QEMU's exit status in test mode.
pub fn shutdown(status: u32) -> ! {
    if test_mode() {
        semihosting::exit(status);
    }
    psci::system_off();
    crate::kprintln!("system halted (no way to power off)");
    cpu::halt()
}

/// Stops after a fatal error (a panic, or a boot that cannot go on): exit status 1 in
/// test mode; otherwise the machine halts where it is, leaving the report on the console,
/// and where there is an ACT LED (the Pi) it flashes SOS until the power goes.
pub fn fail() -> ! {
    if test_mode() {
        semihosting::exit(1);
    }
    crate::kprintln!("system halted");
    match act_led() {
        Some(led) => flash_sos_forever(led),
        None => cpu::halt(),
    }
}

/// Morse SOS on the LED, forever: three 150 ms flashes, three 450 ms flashes, three
/// 150 ms flashes, then about a second dark (5.1 s in all). Unlike the firmware's error
/// codes (long flashes first, then short ones, see the README), it starts short.
fn flash_sos_forever(led: &ActLed) -> ! {
    const UNIT_MS: u64 = 150;
    let _irqs = cpu::IrqGuard::new();
    timer::stop();
    loop {
        // S, O, S: units on per flash; one unit dark after each flash, three after each
        // letter, seven after the word.
        for letter in [1, 3, 1] {
            for _ in 0..3 {
                led.set(true);
                delay_ms(letter * UNIT_MS);
                led.set(false);
                delay_ms(UNIT_MS);
            }
            delay_ms(2 * UNIT_MS);
        }
        delay_ms(4 * UNIT_MS);
    }
}

/// Waits `ms` milliseconds on the counter (interrupts masked, no tick).
fn delay_ms(ms: u64) {
    let ticks = timer::frequency().max(1_000) / 1_000 * ms;
    let start = timer::counter();
    while timer::counter().wrapping_sub(start) < ticks {
        core::hint::spin_loop();
    }
}
