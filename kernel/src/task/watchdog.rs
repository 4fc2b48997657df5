//! The syscall ring and the watchdog.
//!
//! Each CPU records its last syscalls (number, two arguments, status) for panic and
//! watchdog reports, in plain atomics so recording costs little and never blocks. On
//! every tick the watchdog looks at the thread running on its CPU: one that has been in
//! the same syscall, on the CPU and not waiting on purpose, for `watchdog=` seconds
//! (default 10) is killed with a report, and the kernel goes on. A syscall that still
//! has not returned three times as long later never checks for a kill: that is a kernel
//! bug, and the watchdog stops the machine with the report.

use super::percpu;
use super::thread::Thread;
use crate::arch::timer;
use core::fmt::Write;
use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

const RING_LEN: usize = 16;
/// The status of a syscall that has not returned: no zx_status_t has this bit pattern.
const IN_PROGRESS: u64 = 1 << 63;

pub struct Ring {
    entries: [[AtomicU64; 4]; RING_LEN],
    next: AtomicUsize,
}

impl Ring {
    pub const fn new() -> Self {
        Ring {
            entries: [const { [const { AtomicU64::new(0) }; 4] }; RING_LEN],
            next: AtomicUsize::new(0),
        }
    }
}

/// Seconds a syscall may run (not waiting on purpose) before the watchdog kills its
/// thread's process; `watchdog=` on the command line sets it.
static WATCHDOG_SECONDS: AtomicU64 = AtomicU64::new(10);

pub fn set_watchdog_seconds(seconds: u64) {
    WATCHDOG_SECONDS.store(seconds, Ordering::Relaxed);
}

/// Records a syscall starting on this CPU; returns where (CPU << 8 | slot), for
/// [`record_end`] to find it even if the syscall blocked and resumes on another CPU.
#[inline(always)]
pub fn record_start(thread: &Thread, number: u64, args: &[u64; 8]) -> usize {
    // This CPU alone starts entries in its ring, with IRQs masked (the tick only reads).
    let cpu = percpu::this();
    let ring = &cpu.ring;
    let n = ring.next.load(Ordering::Relaxed);
    ring.next.store(n.wrapping_add(1), Ordering::Relaxed);
    let slot = n % RING_LEN;
    let entry = &ring.entries[slot];
    entry[0].store(number, Ordering::Relaxed);
    entry[1].store(args[0], Ordering::Relaxed);
    entry[2].store(args[1], Ordering::Relaxed);
    entry[3].store(IN_PROGRESS, Ordering::Relaxed);
    thread.syscall_number.store(number, Ordering::Relaxed);
    thread
        .syscall_since
        .store(timer::ticks() | 1 << 63, Ordering::Relaxed);
    cpu.index() << 8 | slot
}

#[inline(always)]
pub fn record_end(thread: &Thread, place: usize, ret: u64) {
    if let Some(cpu) = percpu::cpu(place >> 8) {
        cpu.ring.entries[place & 0xff][3].store(ret, Ordering::Relaxed);
    }
    thread.syscall_since.store(0, Ordering::Relaxed);
}

/// A thread that blocked in a syscall runs again: its time blocked does not count.
pub fn syscall_resumed(thread: &Thread) {
    thread
        .syscall_since
        .store(timer::ticks() | 1 << 63, Ordering::Relaxed);
}

/// Writes this CPU's recent syscalls, oldest first.
pub fn write_recent_syscalls(out: &mut dyn Write) {
    let ring = &percpu::this().ring;
    let next = ring.next.load(Ordering::Relaxed);
    let _ = writeln!(
        out,
        "  last syscalls on CPU {} (oldest first; the last may be in progress):",
        percpu::this().index()
    );
    for n in next.saturating_sub(RING_LEN)..next {
        let e = &ring.entries[n % RING_LEN];
        let v = |i: usize| e[i].load(Ordering::Relaxed);
        let name = syscall_name(v(0));
        let _ = write!(out, "    #{n:<6} {name}({:#x}, {:#x}, ...) ", v(1), v(2));
        let _ = match v(3) {
            IN_PROGRESS => writeln!(out, "(in progress)"),
            status => writeln!(out, "-> {}", status as i64),
        };
    }
}

/// The name of syscall `number`, for reports.
pub fn syscall_name(number: u64) -> &'static str {
    libzircon::syscalls::kernel_syscall(number).map_or("?", |s| s.name)
}

/// Called on every tick of this CPU.
pub fn on_tick() {
    // At least one whole tick, so `watchdog=0` stops a syscall that spans two ticks.
    let limit = (WATCHDOG_SECONDS.load(Ordering::Relaxed) * timer::TICK_HZ).max(1);
    percpu::with_current(|thread| {
        let since = thread.syscall_since.load(Ordering::Relaxed);
        if since == 0 {
            return;
        }
        let elapsed = timer::ticks().wrapping_sub(since & !(1 << 63));
        if elapsed >= 3 * limit {
            panic!(
                "watchdog: {} has run for {} s after its thread was killed, without checking",
                syscall_name(thread.syscall_number.load(Ordering::Relaxed)),
                elapsed / timer::TICK_HZ
            );
        }
        if elapsed >= limit && !thread.kill_pending.load(Ordering::Relaxed) && thread.is_user() {
            // Only atomics here (an interrupt handler): the thread itself kills its process
            // and prints the report when it next checks (super::handle_pending_kill).
            let number = thread.syscall_number.load(Ordering::Relaxed);
            let seconds = elapsed / timer::TICK_HZ;
            thread
                .watchdog
                .store(seconds << 32 | (number + 1), Ordering::Relaxed);
            thread.kill_pending.store(true, Ordering::Release);
            thread.call_attention();
        }
    });
}
