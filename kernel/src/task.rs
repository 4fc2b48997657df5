//! Running a user thread: which one runs on this CPU, what happens when it traps, and
//! how its turn ends (exit or a fatal fault).
//!
//! There is one CPU and one thread at a time for now; the scheduler arrives with
//! threads. Exceptions from EL0 come here through the arch layer as a syscall or a
//! decoded fault; the answer says whether the thread goes on.

use crate::arch::aarch64::exceptions::TrapFrame;
use crate::arch::aarch64::user;
use crate::object::{Process, Thread};
use crate::pagefault::{self, Access, Unresolved};
use alloc::string::String;
use alloc::sync::Arc;
use core::fmt::Write;
use core::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use spin::{Mutex, RwLock};

/// How a thread's run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exit {
    /// zx_process_exit(code).
    Exited(i64),
    /// Killed for a fault it did not handle; the report says why.
    Killed(String),
}

struct Running {
    exit: Option<Exit>,
}

static CURRENT: Mutex<Option<Running>> = Mutex::new(None);

/// Set when the running thread's turn must end; read on every return to EL0 without
/// taking the lock above.
static ENDING: AtomicBool = AtomicBool::new(false);

/// The process whose thread runs, for syscalls and faults: read-locked while they use
/// it (readers nest: a fault inside a syscall's user copy reads it again), written
/// only between runs.
static RUNNING_PROCESS: RwLock<Option<Arc<Process>>> = RwLock::new(None);

/// The process whose thread is running (the caller of the current syscall).
pub fn current_process() -> Option<Arc<Process>> {
    RUNNING_PROCESS.read().clone()
}

/// Runs `f` with the running process, without taking a reference count.
pub fn with_current_process<R>(f: impl FnOnce(&Arc<Process>) -> R) -> Option<R> {
    RUNNING_PROCESS.read().as_ref().map(f)
}

/// Ends the current thread's turn; the trap returns to the kernel, not to EL0.
pub fn end_current(exit: Exit) {
    if let Some(r) = CURRENT.lock().as_mut() {
        r.exit.get_or_insert(exit);
    }
    ENDING.store(true, Ordering::Relaxed);
}

/// Runs `thread` of `process` from `frame` until it exits or is killed.
pub fn run(process: Arc<Process>, thread: Arc<Thread>, frame: &TrapFrame) -> Exit {
    let Some(ttbr0) = process.ttbr0() else {
        return Exit::Killed("the process has no address space".into());
    };
    thread.registers.lock().restore();
    ENDING.store(false, Ordering::Relaxed);
    *RUNNING_PROCESS.write() = Some(process.clone());
    *CURRENT.lock() = Some(Running { exit: None });
    user::activate(ttbr0);
    loop {
        user::enter(frame);
        let exit = CURRENT.lock().as_mut().and_then(|r| r.exit.take());
        if let Some(exit) = exit {
            user::deactivate();
            *CURRENT.lock() = None;
            *RUNNING_PROCESS.write() = None;
            thread.registers.lock().save();
            return exit;
        }
    }
}

/// Value for the arch layer: 0 resumes the thread, anything else ends its turn.
fn resume_or_leave() -> u64 {
    u64::from(ENDING.load(Ordering::Relaxed))
}

/// A system call from EL0.
pub fn on_syscall(frame: &mut TrapFrame) -> u64 {
    let number = frame.x[16];
    let Some(args) = frame.x.first_chunk::<8>() else {
        return 1;
    };
    let slot = record_start(number, args);
    // The tick, and with it the watchdog, must reach a syscall that runs long. Its
    // handler touches only atomics and the interrupt controller, so no lock a syscall
    // holds can be wanted by it.
    crate::arch::aarch64::cpu::enable_irqs();
    let result = crate::syscall::dispatch(number, args);
    crate::arch::aarch64::cpu::disable_irqs();
    record_end(slot, result.unwrap_or(u64::MAX - 1));
    match result {
        Some(ret) => frame.x[0] = ret,
        None => {
            let pc = frame.elr.wrapping_sub(4);
            end_current(Exit::Killed(alloc::format!(
                "unknown syscall number {number:#x} (pc {pc:#x})"
            )));
        }
    }
    resume_or_leave()
}

/// A fault from EL0 the kernel does not resolve: the process is killed with a report.
pub fn on_fault(description: core::fmt::Arguments, frame: &TrapFrame) -> u64 {
    let mut report = String::new();
    let _ = write!(
        report,
        "{description}, pc {:#x}, sp {:#x}",
        frame.elr, frame.sp
    );
    end_current(Exit::Killed(report));
    resume_or_leave()
}

fn access_of(code: u8) -> Access {
    match code {
        1 => Access::Write,
        2 => Access::Execute,
        _ => Access::Read,
    }
}

/// A user copy faulted on `addr`: true if demand paging mapped the page (the copy
/// retries), false if the copy must fail.
/// Set while a user copy runs with a lock held that demand paging might need: a fault
/// then fails the copy at once, and the caller retries without the lock.
static NO_PAGING: AtomicBool = AtomicBool::new(false);

/// Runs a user copy that must not resolve faults (see [`NO_PAGING`]).
pub fn without_paging<R>(f: impl FnOnce() -> R) -> R {
    NO_PAGING.store(true, Ordering::Relaxed);
    let result = f();
    NO_PAGING.store(false, Ordering::Relaxed);
    result
}

pub fn on_copy_fault(addr: usize, access: Option<u8>) -> bool {
    if NO_PAGING.load(Ordering::Relaxed) {
        return false;
    }
    let (Some(process), Some(access)) = (current_process(), access) else {
        *LAST_COPY_FAULT.lock() = Some(Unresolved::NotMapped);
        return false;
    };
    match pagefault::resolve(&process, addr, access_of(access)) {
        Ok(()) => true,
        Err(why) => {
            *LAST_COPY_FAULT.lock() = Some(why);
            false
        }
    }
}

/// Why the last user copy that faulted could not be resolved (one CPU for now).
static LAST_COPY_FAULT: Mutex<Option<Unresolved>> = Mutex::new(None);

/// Takes the reason recorded by the last failed user copy.
pub fn take_copy_fault() -> Option<Unresolved> {
    LAST_COPY_FAULT.lock().take()
}

/// A translation or permission fault from EL0: demand paging, or a kill with a report.
pub fn on_page_fault(frame: &mut TrapFrame, access: u8, decoded: core::fmt::Arguments) -> u64 {
    let Some(process) = current_process() else {
        return 1;
    };
    let addr = frame.far as usize;
    let access = access_of(access);
    let why = match pagefault::resolve(&process, addr, access) {
        Ok(()) => return 0,
        Err(why) => why,
    };
    let what = match access {
        Access::Read => "read",
        Access::Write => "write",
        Access::Execute => "execute",
    };
    let guard = process.stack_guard.lock().clone();
    let reason = match why {
        _ if guard.contains(&addr) => {
            alloc::format!("stack overflow ({what} at {addr:#x} in the guard below the stack)")
        }
        Unresolved::NotMapped => {
            alloc::format!("page fault: {what} at {addr:#x}, which no mapping covers")
        }
        Unresolved::Denied { perms } => alloc::format!(
            "page fault: {what} at {addr:#x} denied by the mapping's permissions ({})",
            perms_text(perms)
        ),
        Unresolved::PastVmoEnd => {
            alloc::format!("page fault: {what} at {addr:#x}, past the end of the mapped VMO")
        }
        Unresolved::NoMemory => alloc::format!("page fault: {what} at {addr:#x}: out of memory"),
    };
    on_fault(format_args!("{decoded}: {reason}"), frame)
}

fn perms_text(perms: u32) -> &'static str {
    const R: u32 = libzircon::prelude::ZX_VM_PERM_READ;
    const W: u32 = libzircon::prelude::ZX_VM_PERM_WRITE;
    const X: u32 = libzircon::prelude::ZX_VM_PERM_EXECUTE;
    match perms & (R | W | X) {
        0 => "none",
        p if p == R => "read-only",
        p if p == R | W => "read-write",
        p if p == R | X => "read-execute",
        p if p == R | W | X => "read-write-execute",
        _ => "unusual",
    }
}

/// The last syscalls, for panic and watchdog reports: number, the first two arguments
/// (the handle, usually, and the next), and the status, [`IN_PROGRESS`] until it
/// returns. Plain atomics: recording must cost little and never block.
const RING_LEN: usize = 16;
static RING: [[AtomicU64; 4]; RING_LEN] = [const { [const { AtomicU64::new(0) }; 4] }; RING_LEN];
static RING_NEXT: AtomicUsize = AtomicUsize::new(0);
/// The status of a syscall that has not returned: no return value (a zx_status_t is
/// an i32, sign-extended) has this bit pattern.
const IN_PROGRESS: u64 = 1 << 63;
/// What the watchdog saw running at its last look: the syscall's sequence number plus
/// one (0: none), and the tick it first saw it on. The tick keeps these, so a syscall
/// pays nothing for being watched.
static WATCHED: AtomicUsize = AtomicUsize::new(0);
static WATCHED_SINCE: AtomicU64 = AtomicU64::new(0);
/// Set while a syscall waits on purpose (nanosleep, wait_one): the watchdog ignores it.
static WAITING: AtomicBool = AtomicBool::new(false);

/// Seconds a syscall may run (not waiting on purpose) before the watchdog reports it;
/// `watchdog=` on the command line sets it.
static WATCHDOG_SECONDS: AtomicU64 = AtomicU64::new(10);

pub fn set_watchdog_seconds(seconds: u64) {
    WATCHDOG_SECONDS.store(seconds, Ordering::Relaxed);
}

fn record_start(number: u64, args: &[u64; 8]) -> usize {
    // One CPU, interrupts masked (the tick handler records nothing): a plain load and
    // store suffice for the index.
    let n = RING_NEXT.load(Ordering::Relaxed);
    RING_NEXT.store(n.wrapping_add(1), Ordering::Relaxed);
    let slot = n % RING_LEN;
    let entry = &RING[slot];
    entry[0].store(number, Ordering::Relaxed);
    entry[1].store(args[0], Ordering::Relaxed);
    entry[2].store(args[1], Ordering::Relaxed);
    entry[3].store(IN_PROGRESS, Ordering::Relaxed);
    slot
}

fn record_end(slot: usize, ret: u64) {
    RING[slot][3].store(ret, Ordering::Relaxed);
}

/// Marks a deliberate wait inside a syscall (the watchdog leaves it alone).
pub fn set_waiting(waiting: bool) {
    WAITING.store(waiting, Ordering::Relaxed);
}

/// Writes the recent syscalls, oldest first.
pub fn write_recent_syscalls(out: &mut dyn core::fmt::Write) {
    let next = RING_NEXT.load(Ordering::Relaxed);
    let _ = writeln!(
        out,
        "  last syscalls (oldest first; the last may be in progress):"
    );
    for n in next.saturating_sub(RING_LEN)..next {
        let e = &RING[n % RING_LEN];
        let v = |i: usize| e[i].load(Ordering::Relaxed);
        let name = libzircon::syscalls::kernel_syscall(v(0)).map_or("?", |s| s.name);
        let _ = write!(out, "    #{n:<6} {name}({:#x}, {:#x}, ...) ", v(1), v(2));
        let _ = match v(3) {
            IN_PROGRESS => writeln!(out, "(in progress)"),
            status => writeln!(out, "-> {}", status as i64),
        };
    }
}

/// Called on every timer tick: a syscall running for longer than the watchdog allows
/// (and not waiting on purpose) means the kernel is stuck: report and stop.
pub fn watchdog_tick() {
    let next = RING_NEXT.load(Ordering::Relaxed);
    let running = next != 0
        && RING[(next - 1) % RING_LEN][3].load(Ordering::Relaxed) == IN_PROGRESS
        && !WAITING.load(Ordering::Relaxed);
    if !running {
        WATCHED.store(0, Ordering::Relaxed);
        return;
    }
    let now = crate::arch::aarch64::timer::ticks();
    if WATCHED.load(Ordering::Relaxed) != next {
        WATCHED.store(next, Ordering::Relaxed);
        WATCHED_SINCE.store(now, Ordering::Relaxed);
        return;
    }
    let since = WATCHED_SINCE.load(Ordering::Relaxed);
    let elapsed = now.wrapping_sub(since) / crate::arch::aarch64::timer::TICK_HZ;
    if elapsed >= WATCHDOG_SECONDS.load(Ordering::Relaxed) {
        WATCHED.store(0, Ordering::Relaxed);
        panic!("watchdog: a syscall has run for {elapsed} s");
    }
}
