//! Process and time syscalls: zx_process_exit, zx_nanosleep.

use super::ZxResult;
use crate::arch::aarch64::{cpu, timer};
use crate::task::{end_current, Exit};

pub fn process_exit(retcode: i64) {
    end_current(Exit::Exited(retcode));
}

/// Sleeps until `deadline` on the monotonic clock. A deadline in the past returns at
/// once, as the newest Zircon does. With one thread there is nothing else to run, so the
/// CPU waits for interrupts (the tick wakes it at least every 10 ms).
pub fn nanosleep(deadline: i64) -> ZxResult {
    crate::task::set_waiting(true);
    while (timer::monotonic_ns() as i64) < deadline {
        cpu::wait_for_interrupt_enabled();
    }
    crate::task::set_waiting(false);
    Ok(())
}
