//! The `log` backend: time since boot, level, module, message, on the console.

use crate::arch::timer;
use log::{LevelFilter, Log, Metadata, Record};

struct ConsoleLogger;

static LOGGER: ConsoleLogger = ConsoleLogger;

impl Log for ConsoleLogger {
    fn enabled(&self, metadata: &Metadata) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &Record) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let ns = timer::since_boot_ns();
        crate::kprintln!(
            "[{:>5}.{:06}] {:<5} {}: {}",
            ns / 1_000_000_000,
            (ns / 1_000) % 1_000_000,
            record.level(),
            record.target(),
            record.args()
        );
    }

    fn flush(&self) {}
}

pub fn init(level: LevelFilter) {
    // Fails only if a logger is already set, which then stays.
    let _ = log::set_logger(&LOGGER);
    log::set_max_level(level);
}
