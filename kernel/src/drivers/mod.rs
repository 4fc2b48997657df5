//! Device drivers: register blocks described with tock-registers.

pub mod bcm2711_gpio;
pub mod console;
pub mod gic;
pub mod pl011;
pub mod spin_table;
