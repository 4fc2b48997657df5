//! Device drivers: register blocks described with tock-registers.

pub mod console;
pub mod gic;
pub mod pl011;
