//! Board support. The device tree describes the machine; board modules only add what
//! the tree does not say, or says for Linux's needs rather than ours.

pub mod devicetree;

use devicetree::{Board, MachineInfo};

/// The Pi's firmware runs the PL011 from the 48 MHz clock config.txt fixes with
/// `init_uart_clock`; its device tree gives no usable rate.
const RPI4_UART_CLOCK_HZ: u32 = 48_000_000;

pub fn board_name(board: Board) -> &'static str {
    match board {
        Board::QemuVirt => "qemu-virt",
        Board::Rpi4 => "rpi4",
        Board::Unknown => "unknown board",
    }
}

/// The console UART's input clock, if it should be programmed.
pub fn uart_clock_hz(info: &MachineInfo) -> Option<u32> {
    match info.board {
        Board::Rpi4 => Some(RPI4_UART_CLOCK_HZ),
        _ => info.uart.and_then(|u| u.clock_hz),
    }
}
