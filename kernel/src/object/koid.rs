//! Kernel object ids: unique for the life of the system, never reused.

use core::sync::atomic::{AtomicU64, Ordering};

/// Below this, koids are reserved (ZX_KOID_KERNEL is 1), as in Zircon.
const FIRST: u64 = 1024;

static NEXT: AtomicU64 = AtomicU64::new(FIRST);

pub fn next() -> u64 {
    NEXT.fetch_add(1, Ordering::Relaxed)
}
