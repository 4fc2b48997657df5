//! The BCM2711's GPIO block (Raspberry Pi 4): each pin's function (GPFSELn), output level
//! (GPSETn/GPCLRn) and pull resistor (GPIO_PUP_PDN_CNTRL_REGn, which replaced the older
//! chips' GPPUD/GPPUDCLK sequence). Only what boot needs: UART0 (the PL011) on GPIO
//! 14/15, and the green ACT LED (GPIO 42), lit as soon as the kernel knows it runs on a
//! Pi and flashing a pattern if it stops on an error. Register names follow the BCM2711
//! ARM Peripherals datasheet, chapter 5.

use crate::bsp::devicetree::{GpioLed, PhysRange};
use crate::mm::paging::{self, MapError};
use tock_registers::{
    interfaces::{Readable, Writeable},
    register_structs,
    registers::{ReadWrite, WriteOnly},
};

register_structs! {
    /// The registers this driver uses; the rest of the block is padding here.
    RegisterBlock {
        /// Function select: ten pins per register, three bits each.
        (0x00 => gpfsel: [ReadWrite<u32>; 6]),
        (0x18 => _reserved0),
        /// Output set: writing 1 to bit n drives pin 32 × i + n high.
        (0x1c => gpset: [WriteOnly<u32>; 2]),
        (0x24 => _reserved1),
        /// Output clear: writing 1 to bit n drives pin 32 × i + n low.
        (0x28 => gpclr: [WriteOnly<u32>; 2]),
        (0x30 => _reserved2),
        /// Pull-up/down control: sixteen pins per register, two bits each.
        (0xe4 => gpio_pup_pdn_cntrl: [ReadWrite<u32>; 4]),
        (0xf4 => @END),
    }
}

/// The GPIO registers this driver touches end here: the device tree's `reg` (0xb4 bytes,
/// the older chips' layout) stops short of the BCM2711's pull-control registers.
const BLOCK_SIZE: u64 = 0xf4;

/// The BCM2711 has 58 GPIO pins.
const PINS: u32 = 58;

/// A pin's function (GPFSEL codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Function {
    Input = 0b000,
    Output = 0b001,
    /// GPIO 14/15: UART0 TXD/RXD.
    Alt0 = 0b100,
}

/// A pin's pull resistor (GPIO_PUP_PDN_CNTRL codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pull {
    None = 0b00,
    Up = 0b01,
}

/// The ACT LED once [`init`] lit it; the panic path reads it without a lock.
static ACT_LED: spin::Once<ActLed> = spin::Once::new();

/// Maps the GPIO block at `block` (physical) once, routes UART0 to GPIO 14/15 (see
/// [`Bcm2711Gpio::route_uart0_to_header`]) and, if `act_led` names the activity LED,
/// makes its pin an output and lights it.
pub fn init(block: PhysRange, act_led: Option<GpioLed>) -> Result<(), MapError> {
    let va = paging::map_device(block.start, block.size.max(BLOCK_SIZE))?;
    // SAFETY: the whole block was just mapped as Device memory, for good; nothing else
    // in the kernel drives the GPIO pins.
    let gpio = unsafe { Bcm2711Gpio::new(va) };
    gpio.route_uart0_to_header();
    if let Some(led) = act_led.filter(|l| l.pin < PINS) {
        let led = ActLed { gpio, led };
        led.set(true);
        gpio.set_function(led.led.pin, Function::Output);
        ACT_LED.call_once(|| led);
    }
    Ok(())
}

/// The activity LED, if boot found and lit it.
pub fn act_led() -> Option<&'static ActLed> {
    ACT_LED.get()
}

/// The ACT LED: one pin of the GPIO block, an output.
pub struct ActLed {
    gpio: Bcm2711Gpio,
    led: GpioLed,
}

impl ActLed {
    /// Lights the LED or puts it out.
    pub fn set(&self, on: bool) {
        self.gpio.drive(self.led.pin, on != self.led.active_low);
    }
}

/// The GPIO block, through the mapping `new` was given.
#[derive(Clone, Copy)]
pub struct Bcm2711Gpio {
    registers: *const RegisterBlock,
}

// SAFETY: the driver is a pointer to device registers mapped for good; every access is a
// single volatile read or write (the set/clear registers make LED updates atomic), and
// the read-modify-write of function and pull registers happens during boot only, on the
// boot CPU.
unsafe impl Send for Bcm2711Gpio {}
// SAFETY: as above.
unsafe impl Sync for Bcm2711Gpio {}

impl Bcm2711Gpio {
    /// A driver for the GPIO block whose registers are at `base`. Touches no hardware.
    ///
    /// # Safety
    ///
    /// `base` is the virtual address of the BCM2711 GPIO register block (0xf4 bytes),
    /// mapped as Device memory for as long as the driver is used, and nothing else
    /// changes the registers this driver writes meanwhile.
    #[must_use]
    pub const unsafe fn new(base: usize) -> Self {
        Self {
            registers: base as *const RegisterBlock,
        }
    }

    fn registers(&self) -> &RegisterBlock {
        // SAFETY: `new`'s contract: the block is mapped Device memory while the driver is
        // used; its fields are interior-mutable registers.
        unsafe { &*self.registers }
    }

    /// Sets `pin`'s function, leaving the other nine pins of its register as they are.
    fn set_function(&self, pin: u32, function: Function) {
        let reg = &self.registers().gpfsel[(pin / 10) as usize];
        let shift = (pin % 10) * 3;
        reg.set(reg.get() & !(0b111 << shift) | (function as u32) << shift);
    }

    /// Sets `pin`'s pull resistor, leaving the other fifteen pins of its register alone.
    fn set_pull(&self, pin: u32, pull: Pull) {
        let reg = &self.registers().gpio_pup_pdn_cntrl[(pin / 16) as usize];
        let shift = (pin % 16) * 2;
        reg.set(reg.get() & !(0b11 << shift) | (pull as u32) << shift);
    }

    /// Drives output `pin` high or low (one write: no other pin changes).
    fn drive(&self, pin: u32, high: bool) {
        let regs = self.registers();
        let bit = 1 << (pin % 32);
        let index = (pin / 32) as usize;
        if high {
            regs.gpset[index].set(bit);
        } else {
            regs.gpclr[index].set(bit);
        }
    }

    /// Routes UART0 (the PL011) to GPIO 14 (TXD) and 15 (RXD), ALT0. TXD has no pull
    /// resistor (the PL011 drives it); RXD is pulled up, so with no adapter attached (or
    /// its TX not connected) the line idles high, as a UART's does, instead of floating
    /// and feeding the receiver noise. GPIO 32/33, where the firmware may have routed
    /// UART0 to the Bluetooth chip (ALT3), become plain inputs so that GPIO 15 alone feeds
    /// the receiver. Other pins keep their setting.
    pub fn route_uart0_to_header(&self) {
        self.set_function(32, Function::Input);
        self.set_function(33, Function::Input);
        self.set_pull(14, Pull::None);
        self.set_pull(15, Pull::Up);
        self.set_function(14, Function::Alt0);
        self.set_function(15, Function::Alt0);
    }
}
