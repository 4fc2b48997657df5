//! QEMU `virt`: its device tree says everything the kernel needs. Known here only is
//! where its console PL011 always is, for a tree (given with `-dtb`) without the node.

use super::devicetree::UartInfo;

/// The PL011 at 0x0900_0000, clocked by the 24 MHz `apb-pclk`.
pub const UART: UartInfo = UartInfo {
    base: 0x0900_0000,
    size: 0x1000,
    clock_hz: Some(24_000_000),
};
