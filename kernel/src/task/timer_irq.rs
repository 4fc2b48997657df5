//! Each CPU's timer interrupt: a periodic tick (time slices, the watchdog), and the
//! deadlines of the timer queue. The virtual timer is one-shot (`CNTV_CVAL`): it is
//! programmed for whichever comes first, this CPU's next tick or the earliest armed
//! deadline, so a sleep ends on time rather than at the next 10 ms tick.

use super::percpu;
use super::wait;
use crate::arch::timer;
use core::sync::atomic::Ordering;

/// Starts this CPU's tick.
pub fn start_this_cpu() {
    let cpu = percpu::this();
    let next = timer::counter() + timer::tick_interval();
    cpu.next_tick.store(next, Ordering::Relaxed);
    timer::start(next);
}

/// The timer interrupt.
pub fn on_interrupt() {
    let cpu = percpu::this();
    let now = timer::counter();
    let next_tick = cpu.next_tick.load(Ordering::Relaxed);
    if now >= next_tick {
        // Catch up without a burst after a long time with interrupts masked.
        let interval = timer::tick_interval().max(1);
        let missed = (now - next_tick) / interval;
        cpu.next_tick
            .store(next_tick + (missed + 1) * interval, Ordering::Relaxed);
        if cpu.index() == 0 {
            timer::count_tick();
        }
        if !cpu.idle_now.load(Ordering::Relaxed) {
            let left = cpu.slice_left.load(Ordering::Relaxed);
            if left <= 1 {
                cpu.need_resched.store(true, Ordering::Relaxed);
            } else {
                cpu.slice_left.store(left - 1, Ordering::Relaxed);
            }
        }
        super::watchdog::on_tick();
    }
    wait::expire_timers(timer::ticks_to_ns(now) as i64);
    program(cpu);
}

fn program(cpu: &percpu::Cpu) {
    let mut cval = cpu.next_tick.load(Ordering::Relaxed);
    if let Some(deadline) = wait::next_deadline() {
        cval = cval.min(timer::ns_to_ticks(deadline.max(0) as u64));
    }
    timer::set_compare(cval);
}

/// A deadline was armed: bring this CPU's interrupt forward if it is earlier.
pub fn deadline_armed(deadline: i64) {
    let _irq = crate::arch::cpu::IrqGuard::new();
    let cval = timer::ns_to_ticks(deadline.max(0) as u64);
    if cval < timer::compare() {
        timer::set_compare(cval);
    }
}
