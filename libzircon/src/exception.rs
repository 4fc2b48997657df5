//! Exceptions (`<zircon/syscalls/exception.h>`). Only what `ZX_INFO_THREAD` reports so
//! far: exception channels themselves come later (digest decision 9).

use crate::ctypes::*;

c_consts! {
    /// Kinds of exception channel, as `zx_info_thread_t.wait_exception_channel_type`
    /// reports the one a thread waits on.
    pub const EXCEPTION_CHANNEL_TYPE_CONSTS: dec = {
        /// The thread is not waiting on an exception channel.
        ZX_EXCEPTION_CHANNEL_TYPE_NONE: uint32_t = 0;
        ZX_EXCEPTION_CHANNEL_TYPE_DEBUGGER: uint32_t = 1;
        ZX_EXCEPTION_CHANNEL_TYPE_THREAD: uint32_t = 2;
        ZX_EXCEPTION_CHANNEL_TYPE_PROCESS: uint32_t = 3;
        ZX_EXCEPTION_CHANNEL_TYPE_JOB: uint32_t = 4;
        ZX_EXCEPTION_CHANNEL_TYPE_JOB_DEBUGGER: uint32_t = 5;
    }
}
