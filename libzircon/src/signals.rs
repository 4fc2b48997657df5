//! Signals: the per-object state bits `zx_object_wait_one` waits for.
//!
//! The low 24 bits mean different things per object type (several names share a bit);
//! the top 8 are user signals, set and cleared by programs.

use crate::ctypes::*;

c_typedefs! {
    /// Signals.
    pub const SIGNAL_TYPEDEFS = {
        /// A set of signal bits.
        zx_signals_t = uint32_t;
    }
}

c_consts! {
    /// Signal sets.
    pub const SIGNAL_SET_CONSTS: hex = {
        ZX_SIGNAL_NONE: zx_signals_t = 0;
        /// The eight bits programs own.
        ZX_USER_SIGNAL_ALL: zx_signals_t = 0xff000000;
    }
}

c_consts! {
    /// The generic bits behind the per-type names (not meant for direct use).
    pub const GENERIC_SIGNAL_CONSTS: hex = {
        __ZX_OBJECT_SIGNAL_ALL: zx_signals_t = 0x00ffffff;
        __ZX_OBJECT_READABLE: zx_signals_t = bit(0);
        __ZX_OBJECT_WRITABLE: zx_signals_t = bit(1);
        __ZX_OBJECT_PEER_CLOSED: zx_signals_t = bit(2);
        __ZX_OBJECT_SIGNALED: zx_signals_t = bit(3);
        __ZX_OBJECT_SIGNAL_4: zx_signals_t = bit(4);
        __ZX_OBJECT_SIGNAL_5: zx_signals_t = bit(5);
        __ZX_OBJECT_SIGNAL_6: zx_signals_t = bit(6);
        __ZX_OBJECT_SIGNAL_7: zx_signals_t = bit(7);
        __ZX_OBJECT_SIGNAL_8: zx_signals_t = bit(8);
        __ZX_OBJECT_SIGNAL_9: zx_signals_t = bit(9);
        __ZX_OBJECT_SIGNAL_10: zx_signals_t = bit(10);
        __ZX_OBJECT_SIGNAL_11: zx_signals_t = bit(11);
        __ZX_OBJECT_SIGNAL_12: zx_signals_t = bit(12);
        __ZX_OBJECT_SIGNAL_13: zx_signals_t = bit(13);
        __ZX_OBJECT_SIGNAL_14: zx_signals_t = bit(14);
        __ZX_OBJECT_SIGNAL_15: zx_signals_t = bit(15);
        __ZX_OBJECT_SIGNAL_16: zx_signals_t = bit(16);
        __ZX_OBJECT_SIGNAL_17: zx_signals_t = bit(17);
        __ZX_OBJECT_SIGNAL_18: zx_signals_t = bit(18);
        __ZX_OBJECT_SIGNAL_19: zx_signals_t = bit(19);
        __ZX_OBJECT_SIGNAL_20: zx_signals_t = bit(20);
        __ZX_OBJECT_SIGNAL_21: zx_signals_t = bit(21);
        __ZX_OBJECT_SIGNAL_22: zx_signals_t = bit(22);
        __ZX_OBJECT_HANDLE_CLOSED: zx_signals_t = bit(23);
    }
}

c_consts! {
    /// User signals, for `zx_object_signal` and `zx_object_signal_peer`.
    pub const USER_SIGNAL_CONSTS: hex = {
        ZX_USER_SIGNAL_0: zx_signals_t = bit(24);
        ZX_USER_SIGNAL_1: zx_signals_t = bit(25);
        ZX_USER_SIGNAL_2: zx_signals_t = bit(26);
        ZX_USER_SIGNAL_3: zx_signals_t = bit(27);
        ZX_USER_SIGNAL_4: zx_signals_t = bit(28);
        ZX_USER_SIGNAL_5: zx_signals_t = bit(29);
        ZX_USER_SIGNAL_6: zx_signals_t = bit(30);
        ZX_USER_SIGNAL_7: zx_signals_t = bit(31);
    }
}

c_consts! {
    /// Per-type signal names.
    pub const TYPED_SIGNAL_CONSTS: hex = {
        /// A wait ended because the handle it used was closed.
        ZX_SIGNAL_HANDLE_CLOSED: zx_signals_t = __ZX_OBJECT_HANDLE_CLOSED;
        ZX_EVENT_SIGNALED: zx_signals_t = __ZX_OBJECT_SIGNALED;
        ZX_EVENT_SIGNAL_MASK: zx_signals_t = ZX_USER_SIGNAL_ALL | __ZX_OBJECT_SIGNALED;
        ZX_EVENTPAIR_SIGNALED: zx_signals_t = __ZX_OBJECT_SIGNALED;
        ZX_EVENTPAIR_PEER_CLOSED: zx_signals_t = __ZX_OBJECT_PEER_CLOSED;
        ZX_EVENTPAIR_SIGNAL_MASK: zx_signals_t =
            ZX_USER_SIGNAL_ALL | __ZX_OBJECT_SIGNALED | __ZX_OBJECT_PEER_CLOSED;
        ZX_CHANNEL_READABLE: zx_signals_t = __ZX_OBJECT_READABLE;
        ZX_CHANNEL_WRITABLE: zx_signals_t = __ZX_OBJECT_WRITABLE;
        ZX_CHANNEL_PEER_CLOSED: zx_signals_t = __ZX_OBJECT_PEER_CLOSED;
        ZX_CLOCK_STARTED: zx_signals_t = __ZX_OBJECT_SIGNAL_4;
        ZX_SOCKET_READABLE: zx_signals_t = __ZX_OBJECT_READABLE;
        ZX_SOCKET_WRITABLE: zx_signals_t = __ZX_OBJECT_WRITABLE;
        ZX_SOCKET_PEER_CLOSED: zx_signals_t = __ZX_OBJECT_PEER_CLOSED;
        ZX_SOCKET_PEER_WRITE_DISABLED: zx_signals_t = __ZX_OBJECT_SIGNAL_4;
        ZX_SOCKET_WRITE_DISABLED: zx_signals_t = __ZX_OBJECT_SIGNAL_5;
        ZX_SOCKET_READ_THRESHOLD: zx_signals_t = __ZX_OBJECT_SIGNAL_10;
        ZX_SOCKET_WRITE_THRESHOLD: zx_signals_t = __ZX_OBJECT_SIGNAL_11;
        ZX_FIFO_READABLE: zx_signals_t = __ZX_OBJECT_READABLE;
        ZX_FIFO_WRITABLE: zx_signals_t = __ZX_OBJECT_WRITABLE;
        ZX_FIFO_PEER_CLOSED: zx_signals_t = __ZX_OBJECT_PEER_CLOSED;
        /// A process, thread or job has ended.
        ZX_TASK_TERMINATED: zx_signals_t = __ZX_OBJECT_SIGNALED;
        ZX_JOB_TERMINATED: zx_signals_t = __ZX_OBJECT_SIGNALED;
        ZX_JOB_NO_JOBS: zx_signals_t = __ZX_OBJECT_SIGNAL_4;
        ZX_JOB_NO_PROCESSES: zx_signals_t = __ZX_OBJECT_SIGNAL_5;
        /// Asserted while a job has neither child jobs nor processes.
        ZX_JOB_NO_CHILDREN: zx_signals_t = __ZX_OBJECT_SIGNAL_6;
        ZX_PROCESS_TERMINATED: zx_signals_t = __ZX_OBJECT_SIGNALED;
        ZX_THREAD_TERMINATED: zx_signals_t = __ZX_OBJECT_SIGNALED;
        ZX_THREAD_RUNNING: zx_signals_t = __ZX_OBJECT_SIGNAL_4;
        ZX_THREAD_SUSPENDED: zx_signals_t = __ZX_OBJECT_SIGNAL_5;
        ZX_LOG_READABLE: zx_signals_t = __ZX_OBJECT_READABLE;
        ZX_LOG_WRITABLE: zx_signals_t = __ZX_OBJECT_WRITABLE;
        ZX_TIMER_SIGNALED: zx_signals_t = __ZX_OBJECT_SIGNALED;
        /// Asserted while a VMO has no children.
        ZX_VMO_ZERO_CHILDREN: zx_signals_t = __ZX_OBJECT_SIGNALED;
        ZX_IOB_PEER_CLOSED: zx_signals_t = __ZX_OBJECT_PEER_CLOSED;
    }
}
