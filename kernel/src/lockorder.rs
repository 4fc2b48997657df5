//! The kernel's lock order, written once. Every lock that can be held while another is
//! taken has a level here; a lock may only be taken while every lock already held has a
//! lower level. Debug builds check it on every acquisition (the task layer keeps the set
//! of held levels per CPU: no thread gives up its CPU while holding a spin lock, so a
//! CPU's set is its running thread's), and panic with both names on an inversion.
//!
//! From outermost to innermost:
//!
//! | rank | lock | kind | held across a page fault? |
//! |---|---|---|---|
//! | 6 | a process's handle table (`Process::handles`) | spin | no: user copies happen outside it |
//! | 12 | a VMO family (`object::vmo` family lock) | spin | no: copies under it never resolve faults (a faulting copy drops it, resolves, retries) |
//! | 18 | a process's address space (`Process::vm`: `object::vmar::aspace::Vm`) | spin | it is what a fault takes |
//! | 21 | a task's exception channel (`object::exception::Exceptionate`): checking whether the handler's end is open takes the channel's lock | spin, IRQs masked | no |
//! | 24 | a futex bucket (`task::futex`) | spin, IRQs masked | no: the value is read with paging off, and re-read after the lock is dropped if that faults |
//! | 27 | a channel's two queues and its waiting calls (`object::channel`) | spin, IRQs masked | no: messages are copied outside it |
//! | 30 | a timer object's state (`object::event::Timer`) | spin, IRQs masked (its expiry runs in the timer interrupt) | no |
//! | 32 | a job's children, life and policy (`object::job::Job`) | spin, IRQs masked (signals are updated under it) | no |
//! | 36 | an object's signal state and its observers (`task::wait::Signals`) | spin, IRQs masked | no |
//! | 39 | a port's packet queue and waiters (`object::port::PortQueue`): an observer that fires queues its packet with the signals' lock held | spin, IRQs masked | no |
//! | 42 | the timer queue (`task::wait`) | spin, IRQs masked | no |
//! | 45 | an exception's disposition and waiting thread (`object::exception::Exception`): its last handle's close wakes the thread under it | spin, IRQs masked | no |
//! | 48 | a thread's scheduling state (`Thread::sched`) | spin, IRQs masked | no |
//! | 54 | a CPU's run queue (`task::sched`) | spin, IRQs masked | no |
//!
//! Not in the table because nothing is ever taken while they are held: the kernel heap
//! and the frame allocator (leaves, both masking IRQs; the heap drops its lock before it
//! takes frames or gives them back, and the frame allocator never allocates), the kernel
//! stack slots, the console. A thread never blocks or switches while holding any of
//! these (the scheduler asserts that no level is held when it switches).

/// A lock's place in the order. Ranks are spaced six apart so a new lock can go between
/// two without renumbering; a rank is a bit of a `u64`, so all stay below 64.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Level {
    pub rank: u8,
    pub name: &'static str,
}

pub const HANDLES: Level = Level {
    rank: 6,
    name: "handle table",
};
pub const VMO_FAMILY: Level = Level {
    rank: 12,
    name: "VMO family",
};
pub const ASPACE: Level = Level {
    rank: 18,
    name: "address space",
};
pub const EXCEPTIONATE: Level = Level {
    rank: 21,
    name: "exception channel",
};
pub const FUTEX: Level = Level {
    rank: 24,
    name: "futex bucket",
};
pub const CHANNEL: Level = Level {
    rank: 27,
    name: "channel queues",
};
pub const TIMER_OBJECT: Level = Level {
    rank: 30,
    name: "timer object",
};
pub const JOB: Level = Level {
    rank: 32,
    name: "job",
};
pub const SIGNALS: Level = Level {
    rank: 36,
    name: "object signals",
};
pub const PORT: Level = Level {
    rank: 39,
    name: "port queue",
};
pub const TIMERS: Level = Level {
    rank: 42,
    name: "timer queue",
};
pub const EXCEPTION: Level = Level {
    rank: 45,
    name: "exception",
};
pub const THREAD: Level = Level {
    rank: 48,
    name: "thread scheduling state",
};
pub const RUN_QUEUE: Level = Level {
    rank: 54,
    name: "run queue",
};

/// Every level, outermost first (for reports).
pub const ALL: [Level; 14] = [
    HANDLES,
    VMO_FAMILY,
    ASPACE,
    EXCEPTIONATE,
    FUTEX,
    CHANNEL,
    TIMER_OBJECT,
    JOB,
    SIGNALS,
    PORT,
    TIMERS,
    EXCEPTION,
    THREAD,
    RUN_QUEUE,
];

/// The set of held levels after taking `level` with `held` already held, or the
/// innermost held level that forbids it.
pub fn acquire(held: u64, level: Level) -> Result<u64, Level> {
    let bit = 1u64 << level.rank;
    // Any held rank at or above this one is an inversion (or the same lock class twice).
    let forbidden = held & !(bit - 1);
    if forbidden != 0 {
        let rank = 63 - forbidden.leading_zeros() as u8;
        let innermost = ALL.iter().find(|l| l.rank == rank).copied();
        return Err(innermost.unwrap_or(Level { rank, name: "?" }));
    }
    Ok(held | bit)
}

/// The set of held levels after releasing `level`.
pub fn release(held: u64, level: Level) -> u64 {
    held & !(1u64 << level.rank)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outer_then_inner_is_allowed() {
        let held = acquire(0, HANDLES).unwrap();
        let held = acquire(held, SIGNALS).unwrap();
        let held = acquire(held, THREAD).unwrap();
        let held = acquire(held, RUN_QUEUE).unwrap();
        assert_eq!(
            release(release(held, RUN_QUEUE), THREAD),
            acquire(acquire(0, HANDLES).unwrap(), SIGNALS).unwrap()
        );
    }

    #[test]
    fn inner_then_outer_is_an_inversion() {
        let held = acquire(0, RUN_QUEUE).unwrap();
        assert_eq!(acquire(held, THREAD), Err(RUN_QUEUE));
        let held = acquire(0, TIMERS).unwrap();
        assert_eq!(acquire(held, SIGNALS), Err(TIMERS));
        assert_eq!(acquire(held, HANDLES), Err(TIMERS));
    }

    #[test]
    fn the_same_class_twice_is_refused() {
        let held = acquire(0, THREAD).unwrap();
        assert_eq!(acquire(held, THREAD), Err(THREAD));
    }

    #[test]
    fn release_forgets_only_that_level() {
        let held = acquire(acquire(0, FUTEX).unwrap(), THREAD).unwrap();
        let held = release(held, THREAD);
        assert!(acquire(held, RUN_QUEUE).is_ok());
        assert_eq!(acquire(held, HANDLES), Err(FUTEX));
    }

    #[test]
    fn levels_are_distinct_and_ordered() {
        for w in ALL.windows(2) {
            assert!(w[0].rank < w[1].rank);
        }
    }
}
