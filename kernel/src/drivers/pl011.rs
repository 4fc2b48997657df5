//! Arm PL011 UART, the kernel's console on both boards: QEMU `virt` has one at the
//! address its device tree gives, and the Raspberry Pi 4 has UART0 on GPIO 14/15 (the
//! board module muxes the pins) clocked at 48 MHz (the firmware's default, which
//! `config.txt` also states). The driver
//! polls and never takes interrupts, so it works in early boot and inside a panic.
//! Register names and programming order follow the PL011 Technical Reference Manual
//! (Arm DDI 0183).

use crate::arch::timer;
use core::fmt;
use core::hint::spin_loop;

/// How long [`Pl011::flush`] waits at most: a full 32-byte FIFO takes 3 ms at 115200
/// baud and 35 ms at 9600.
pub const FLUSH_TIMEOUT_NS: u64 = 50_000_000;

use tock_registers::{
    interfaces::{ReadWriteable, Readable, Writeable},
    register_bitfields, register_structs,
    registers::{ReadOnly, ReadWrite, WriteOnly},
};

register_bitfields! {u32,
    /// Data Register: one character from the receive FIFO or into the transmit FIFO.
    DR [
        DATA OFFSET(0) NUMBITS(8) []
    ],

    /// Flag Register.
    FR [
        /// Transmit FIFO empty.
        TXFE OFFSET(7) NUMBITS(1) [],
        /// Transmit FIFO full: a write to DR now would be lost.
        TXFF OFFSET(5) NUMBITS(1) [],
        /// Receive FIFO empty.
        RXFE OFFSET(4) NUMBITS(1) [],
        /// Busy transmitting: set while the transmit FIFO holds data or the last
        /// character's stop bits are still going out, whether or not the UART is enabled.
        BUSY OFFSET(3) NUMBITS(1) []
    ],

    /// Integer Baud Rate Divisor.
    IBRD [
        BAUD_DIVINT OFFSET(0) NUMBITS(16) []
    ],

    /// Fractional Baud Rate Divisor, in 64ths.
    FBRD [
        BAUD_DIVFRAC OFFSET(0) NUMBITS(6) []
    ],

    /// Line Control Register. Writing it also latches IBRD and FBRD.
    LCR_H [
        /// Word length.
        WLEN OFFSET(5) NUMBITS(2) [
            FiveBit = 0b00,
            SixBit = 0b01,
            SevenBit = 0b10,
            EightBit = 0b11
        ],
        /// FIFO enable. Clearing it flushes the transmit FIFO.
        FEN OFFSET(4) NUMBITS(1) [],
        /// Two stop bits (clear: one).
        STP2 OFFSET(3) NUMBITS(1) [],
        /// Parity enable (clear: no parity).
        PEN OFFSET(1) NUMBITS(1) []
    ],

    /// Control Register.
    CR [
        /// CTS hardware flow control: transmit only while CTS is asserted.
        CTSEN OFFSET(15) NUMBITS(1) [],
        /// RTS hardware flow control.
        RTSEN OFFSET(14) NUMBITS(1) [],
        /// Receive enable.
        RXE OFFSET(9) NUMBITS(1) [],
        /// Transmit enable.
        TXE OFFSET(8) NUMBITS(1) [],
        /// UART enable.
        UARTEN OFFSET(0) NUMBITS(1) []
    ],

    /// Interrupt Mask Set/Clear, Interrupt Clear: one bit per interrupt source.
    INT [
        ALL OFFSET(0) NUMBITS(11) []
    ]
}

register_structs! {
    RegisterBlock {
        (0x00 => dr: ReadWrite<u32, DR::Register>),
        (0x04 => _reserved0),
        (0x18 => fr: ReadOnly<u32, FR::Register>),
        (0x1c => _reserved1),
        (0x24 => ibrd: ReadWrite<u32, IBRD::Register>),
        (0x28 => fbrd: ReadWrite<u32, FBRD::Register>),
        (0x2c => lcr_h: ReadWrite<u32, LCR_H::Register>),
        (0x30 => cr: ReadWrite<u32, CR::Register>),
        (0x34 => _reserved2),
        (0x38 => imsc: ReadWrite<u32, INT::Register>),
        (0x3c => _reserved3),
        (0x44 => icr: WriteOnly<u32, INT::Register>),
        (0x48 => @END),
    }
}

/// The largest integer divisor IBRD holds; the TRM allows it only with FBRD = 0.
const MAX_IBRD: u64 = 0xFFFF;

/// The IBRD and FBRD values that divide `clock_hz` down to `baud`, or `None` when no
/// divisor fits (a zero baud rate, a clock slower than 16 × `baud`, or a divisor over
/// 65535).
///
/// The PL011 divides its reference clock by 16 × (IBRD + FBRD / 64), so 64 times the
/// divisor is 4 × `clock_hz` / `baud`, rounded to the nearest 64th. Pure arithmetic: it
/// compiles and is tested on the host.
#[must_use]
pub fn baud_divisors(clock_hz: u32, baud: u32) -> Option<(u32, u32)> {
    if baud == 0 {
        return None;
    }
    let baud = u64::from(baud);
    let sixty_fourths = (4 * u64::from(clock_hz) + baud / 2) / baud;
    let (ibrd, fbrd) = (sixty_fourths >> 6, sixty_fourths & 0x3f);
    if ibrd == 0 || ibrd > MAX_IBRD || (ibrd == MAX_IBRD && fbrd != 0) {
        return None;
    }
    Some((u32::try_from(ibrd).ok()?, u32::try_from(fbrd).ok()?))
}

/// One PL011, driven by polling.
pub struct Pl011 {
    registers: *const RegisterBlock,
}

// SAFETY: `Pl011` owns its register block (`new`'s contract), so moving it to another CPU
// moves the only handle. Every method takes `&self` and does single volatile register
// accesses, which the hardware accepts from any CPU; two CPUs writing at once can
// interleave characters but cannot break memory safety. The console serialises callers
// with a lock anyway.
unsafe impl Send for Pl011 {}

// SAFETY: see `Send` above: shared use is only concurrent volatile MMIO accesses.
unsafe impl Sync for Pl011 {}

impl Pl011 {
    /// A driver for the PL011 whose registers are at `base`. Touches no hardware.
    ///
    /// # Safety
    ///
    /// `base` is the virtual address of a PL011 register block (4 KiB), mapped as Device
    /// memory and valid for the kernel's lifetime, and nothing else drives that UART.
    #[must_use]
    pub const unsafe fn new(base: usize) -> Self {
        Self {
            registers: base as *const RegisterBlock,
        }
    }

    fn registers(&self) -> &RegisterBlock {
        // SAFETY: `new`'s contract: the block is mapped Device memory for the kernel's
        // lifetime. Its fields are interior-mutable registers, so a shared reference
        // allows the volatile accesses tock-registers performs and nothing more.
        unsafe { &*self.registers }
    }

    /// Sets 8N1 with FIFOs and enables transmit and receive, interrupts masked. With
    /// `clock_hz`, also programs the divisor for `baud`; without it, or when no divisor
    /// fits, keeps the divisor the firmware (or QEMU, which ignores it) left.
    pub fn init(&self, clock_hz: Option<u32>, baud: u32) {
        let regs = self.registers();

        // TRM order: disable, let the current character finish, flush the transmit FIFO
        // (FEN = 0), reprogram, enable. Draining while still enabled keeps what the
        // firmware queued; waiting on BUSY with the UART disabled and data in the FIFO
        // would never end.
        if regs.cr.is_set(CR::UARTEN) {
            // Flow control first: the Pi's firmware may have left the PL011 talking to the
            // Bluetooth chip with CTS flow control, and with CTS deasserted the FIFO would
            // never drain.
            regs.cr.modify(CR::CTSEN::CLEAR + CR::RTSEN::CLEAR);
            // If it does not drain in time, what is left is dropped with FEN below.
            let _drained = self.flush();
        }
        regs.cr.set(0);
        regs.lcr_h.set(0);
        regs.imsc.set(0);
        regs.icr.write(INT::ALL::SET);

        if let Some((ibrd, fbrd)) = clock_hz.and_then(|hz| baud_divisors(hz, baud)) {
            regs.ibrd.write(IBRD::BAUD_DIVINT.val(ibrd));
            regs.fbrd.write(FBRD::BAUD_DIVFRAC.val(fbrd));
        }
        // IBRD and FBRD take effect on this LCR_H write, so it comes after them.
        regs.lcr_h.write(LCR_H::WLEN::EightBit + LCR_H::FEN::SET);
        regs.cr.write(CR::UARTEN::SET + CR::TXE::SET + CR::RXE::SET);
    }

    /// Queues one byte, waiting while the transmit FIFO is full.
    pub fn write_byte(&self, b: u8) {
        let regs = self.registers();
        while regs.fr.is_set(FR::TXFF) {
            spin_loop();
        }
        regs.dr.write(DR::DATA.val(u32::from(b)));
    }

    /// The next received byte, or `None` if the receive FIFO is empty. Framing, parity
    /// and overrun errors are dropped: a console has no use for them.
    #[must_use]
    #[allow(dead_code)] // console input comes with the first interactive program
    pub fn read_byte(&self) -> Option<u8> {
        let regs = self.registers();
        if regs.fr.is_set(FR::RXFE) {
            return None;
        }
        u8::try_from(regs.dr.read(DR::DATA)).ok()
    }

    /// Waits until every queued byte has left the wire, for at most
    /// [`FLUSH_TIMEOUT_NS`]: a UART whose clock the firmware stopped, or that it left in a
    /// state we do not know, may never drain, and boot must go on (the kernel programs it
    /// afresh anyway). Returns whether it drained.
    pub fn flush(&self) -> bool {
        let regs = self.registers();
        let freq = timer::frequency().max(1);
        let budget = FLUSH_TIMEOUT_NS.saturating_mul(freq) / 1_000_000_000;
        let start = timer::counter();
        while regs.fr.is_set(FR::BUSY) {
            if timer::counter().wrapping_sub(start) > budget {
                return false;
            }
            spin_loop();
        }
        true
    }
}

impl fmt::Write for Pl011 {
    /// Writes `s`, turning each `\n` into `\r\n` for terminals.
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for b in s.bytes() {
            if b == b'\n' {
                self.write_byte(b'\r');
            }
            self.write_byte(b);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::baud_divisors;

    #[test]
    fn pi4_48mhz_clock_gives_115200_divisor_26_3() {
        assert_eq!(baud_divisors(48_000_000, 115_200), Some((26, 3)));
    }

    #[test]
    fn clock_24mhz_gives_115200_divisor_13_1() {
        assert_eq!(baud_divisors(24_000_000, 115_200), Some((13, 1)));
    }

    #[test]
    fn fraction_rounds_to_nearest_sixty_fourth() {
        // 3 MHz / (16 × 115200) = 1.6276; 0.6276 × 64 = 40.2.
        assert_eq!(baud_divisors(3_000_000, 115_200), Some((1, 40)));
    }

    #[test]
    fn clock_of_exactly_sixteen_times_baud_is_the_smallest_divisor() {
        assert_eq!(baud_divisors(16 * 115_200, 115_200), Some((1, 0)));
    }

    #[test]
    fn clock_slower_than_sixteen_times_baud_has_no_divisor() {
        assert_eq!(baud_divisors(1_000_000, 115_200), None);
    }

    #[test]
    fn zero_baud_has_no_divisor() {
        assert_eq!(baud_divisors(48_000_000, 0), None);
    }

    #[test]
    fn divisor_over_65535_has_none() {
        assert_eq!(baud_divisors(48_000_000, 45), None);
        assert_eq!(baud_divisors(u32::MAX, 1), None);
    }

    #[test]
    fn divisor_65535_is_allowed_only_without_fraction() {
        let clock = 16 * 0xFFFF * 10;
        assert_eq!(baud_divisors(clock, 10), Some((0xFFFF, 0)));
        assert_eq!(baud_divisors(clock + 16 * 5, 10), None);
    }
}
