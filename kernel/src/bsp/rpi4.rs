//! Raspberry Pi 4 (BCM2711). Its device tree (Debian's `bcm2711-rpi-4-b.dtb`, as the
//! firmware or QEMU `raspi4b` completes it) says nearly everything; this module holds
//! what the tree says for Linux's needs rather than ours:
//!
//! - The console is the PL011 (`uart0`) on GPIO 14/15. The tree's `stdout-path` names the
//!   mini UART and wires the PL011 to Bluetooth with no fixed clock, so the kernel routes
//!   GPIO 14/15 to the PL011 itself (ALT0, RXD pulled up) and runs it from its 48 MHz
//!   clock: the firmware's default, which `config.txt` also states
//!   (`init_uart_clock=48000000`).
//! - There is no PSCI: the firmware holds cores 1–3 in its spin table (0xd8 + 8 × core);
//!   the kernel releases them into its secondary entry (kernel/src/smp.rs), and power-off
//!   is a halt.
//! - A tree without the `uart0` or GPIO node still gets a console: the BCM2711's
//!   addresses (in the firmware's default "low peripheral" map) are known.
//! - The green ACT LED (GPIO 42, from the tree's `/leds/led-act`) is lit as soon as the
//!   GPIO block is mapped, before the console, and flashes SOS when the kernel stops on an
//!   error (`power::fail`), so a board without a serial adapter still tells whether the
//!   kernel started and whether it failed.

use super::devicetree::{GpioLed, PhysRange, UartInfo};

/// The PL011's reference clock: the firmware's default, `init_uart_clock=48000000` in
/// config.txt.
pub const UART_CLOCK_HZ: u32 = 48_000_000;

/// `uart0`, the PL011: bus address 0x7e20_1000 seen through `/soc`'s first range.
pub const UART0: UartInfo = UartInfo {
    base: 0xfe20_1000,
    size: 0x200,
    clock_hz: Some(UART_CLOCK_HZ),
};

/// The GPIO block: bus address 0x7e20_0000.
pub const GPIO: PhysRange = PhysRange::new(0xfe20_0000, 0xb4);

/// The green ACT LED: GPIO 42, lit when driven high (for a tree without `/leds/led-act`;
/// Debian's says the same).
pub const ACT_LED: GpioLed = GpioLed {
    pin: 42,
    active_low: false,
};

/// Routes the PL011 to GPIO 14/15 (ALT0, RXD pulled up) and lights the ACT LED. Runs
/// before the PL011 is set up, so its first character already goes out on the header
/// pins, and the LED is the first sign, on a board with nothing attached, that the kernel
/// started.
#[cfg(target_os = "none")]
pub fn init_gpio(
    gpio: PhysRange,
    act_led: Option<GpioLed>,
) -> Result<(), crate::mm::paging::MapError> {
    crate::drivers::bcm2711_gpio::init(gpio, act_led)
}
