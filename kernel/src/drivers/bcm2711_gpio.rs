//! The BCM2711's GPIO block (Raspberry Pi 4): each pin's function (GPFSEL) and pull
//! resistor (GPIO_PUP_PDN_CNTRL, which replaced the older chips' GPPUD/GPPUDCLK
//! sequence). Only what the console needs: putting UART0 (the PL011) on GPIO 14/15.
//! Register names follow the BCM2711 ARM Peripherals datasheet, chapter 5.

use crate::bsp::devicetree::PhysRange;
use crate::mm::paging::{self, MapError};
use tock_registers::{
    interfaces::ReadWriteable, register_bitfields, register_structs, registers::ReadWrite,
};

register_bitfields! {u32,
    /// Function Select 1: GPIO 10–19, three bits each.
    GPFSEL1 [
        /// GPIO 14: ALT0 is UART0 TXD (the PL011's transmit line).
        FSEL14 OFFSET(12) NUMBITS(3) [
            Input = 0b000,
            Output = 0b001,
            AltFunc0 = 0b100,
            AltFunc5 = 0b010
        ],
        /// GPIO 15: ALT0 is UART0 RXD.
        FSEL15 OFFSET(15) NUMBITS(3) [
            Input = 0b000,
            Output = 0b001,
            AltFunc0 = 0b100,
            AltFunc5 = 0b010
        ]
    ],

    /// Function Select 3: GPIO 30–39.
    GPFSEL3 [
        /// GPIO 32: ALT3 is UART0 TXD, toward the Bluetooth chip.
        FSEL32 OFFSET(6) NUMBITS(3) [
            Input = 0b000,
            AltFunc3 = 0b111
        ],
        /// GPIO 33: ALT3 is UART0 RXD, from the Bluetooth chip.
        FSEL33 OFFSET(9) NUMBITS(3) [
            Input = 0b000,
            AltFunc3 = 0b111
        ]
    ],

    /// Pull-up/down control for GPIO 0–15, two bits each.
    GPIO_PUP_PDN_CNTRL_REG0 [
        GPIO_PUP_PDN_CNTRL14 OFFSET(28) NUMBITS(2) [
            NoResistor = 0b00,
            PullUp = 0b01,
            PullDown = 0b10
        ],
        GPIO_PUP_PDN_CNTRL15 OFFSET(30) NUMBITS(2) [
            NoResistor = 0b00,
            PullUp = 0b01,
            PullDown = 0b10
        ]
    ]
}

register_structs! {
    /// The registers this driver uses; the rest of the block is padding here.
    RegisterBlock {
        (0x00 => _gpfsel0: ReadWrite<u32>),
        (0x04 => gpfsel1: ReadWrite<u32, GPFSEL1::Register>),
        (0x08 => _gpfsel2: ReadWrite<u32>),
        (0x0c => gpfsel3: ReadWrite<u32, GPFSEL3::Register>),
        (0x10 => _reserved0),
        (0xe4 => gpio_pup_pdn_cntrl_reg0: ReadWrite<u32, GPIO_PUP_PDN_CNTRL_REG0::Register>),
        (0xe8 => _reserved1),
        (0xf4 => @END),
    }
}

/// The GPIO registers the console setup touches end here: the device tree's `reg` (0xb4
/// bytes, the older chips' layout) stops short of the BCM2711's pull-control registers.
const BLOCK_SIZE: u64 = 0xf4;

/// Maps the GPIO block at `block` (physical) and routes UART0 to GPIO 14/15 (see
/// [`Bcm2711Gpio::route_uart0_to_header`]).
pub fn route_uart0_to_header(block: PhysRange) -> Result<(), MapError> {
    let va = paging::map_device(block.start, block.size.max(BLOCK_SIZE))?;
    // SAFETY: the whole block was just mapped as Device memory, for good; nothing else
    // in the kernel drives the GPIO pins.
    let gpio = unsafe { Bcm2711Gpio::new(va) };
    gpio.route_uart0_to_header();
    Ok(())
}

/// The GPIO block, through the mapping `new` was given.
pub struct Bcm2711Gpio {
    registers: *const RegisterBlock,
}

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

    /// Routes UART0 (the PL011) to GPIO 14 (TXD) and 15 (RXD), ALT0. TXD has no pull
    /// resistor (the PL011 drives it); RXD is pulled up, so with no adapter attached (or
    /// its TX not connected) the line idles high, as a UART's does, instead of floating
    /// and feeding the receiver noise. GPIO 32/33, where the firmware may have routed
    /// UART0 to the Bluetooth chip, become plain inputs so that GPIO 15 alone feeds the
    /// receiver. Other pins keep their setting (read-modify-write).
    pub fn route_uart0_to_header(&self) {
        let regs = self.registers();
        regs.gpfsel3
            .modify(GPFSEL3::FSEL32::Input + GPFSEL3::FSEL33::Input);
        regs.gpio_pup_pdn_cntrl_reg0.modify(
            GPIO_PUP_PDN_CNTRL_REG0::GPIO_PUP_PDN_CNTRL14::NoResistor
                + GPIO_PUP_PDN_CNTRL_REG0::GPIO_PUP_PDN_CNTRL15::PullUp,
        );
        regs.gpfsel1
            .modify(GPFSEL1::FSEL14::AltFunc0 + GPFSEL1::FSEL15::AltFunc0);
    }
}
