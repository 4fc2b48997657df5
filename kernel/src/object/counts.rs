//! Live kernel objects by type, and handles, for leak checks (this kernel's own
//! `ZRK_INFO_KERNEL_OBJECTS` topic): each object holds a [`Counted`] for its lifetime.

use core::sync::atomic::{AtomicU64, Ordering};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Process = 0,
    Thread = 1,
    Vmo = 2,
    Vmar = 3,
    Resource = 4,
    Event = 5,
    Timer = 6,
    Port = 7,
    Job = 8,
    /// Channel ends.
    Channel = 9,
}

static LIVE: [AtomicU64; 10] = [const { AtomicU64::new(0) }; 10];
static HANDLES: AtomicU64 = AtomicU64::new(0);

/// Counts one live object of its kind until dropped.
#[derive(Debug)]
pub struct Counted(Kind);

impl Counted {
    pub fn new(kind: Kind) -> Self {
        LIVE[kind as usize].fetch_add(1, Ordering::Relaxed);
        Counted(kind)
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        LIVE[self.0 as usize].fetch_sub(1, Ordering::Relaxed);
    }
}

pub fn handle_added() {
    HANDLES.fetch_add(1, Ordering::Relaxed);
}

pub fn handles_removed(n: usize) {
    HANDLES.fetch_sub(n as u64, Ordering::Relaxed);
}

/// Live counts: processes, threads, VMOs, VMARs, resources, handles, events, timers,
/// ports, jobs, channel ends.
pub fn snapshot() -> [u64; 11] {
    let live = |k: Kind| LIVE[k as usize].load(Ordering::Relaxed);
    [
        live(Kind::Process),
        live(Kind::Thread),
        live(Kind::Vmo),
        live(Kind::Vmar),
        live(Kind::Resource),
        HANDLES.load(Ordering::Relaxed),
        live(Kind::Event),
        live(Kind::Timer),
        live(Kind::Port),
        live(Kind::Job),
        live(Kind::Channel),
    ]
}
