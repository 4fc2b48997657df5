//! Ports and asynchronous waits (digest part 2, section 5): not yet built.

use super::{Syscalls, ZxResult};
use libzircon::dispatch::{UserPtr, UserPtrMut};
use libzircon::prelude::*;
use libzircon::Status;

pub(super) fn create(_: &Syscalls, _options: u32, _out: UserPtrMut<zx_handle_t>) -> ZxResult {
    Err(Status::NOT_SUPPORTED)
}

pub(super) fn queue(
    _: &Syscalls,
    _handle: zx_handle_t,
    _packet: UserPtr<zx_port_packet_t>,
) -> ZxResult {
    Err(Status::NOT_SUPPORTED)
}

pub(super) fn wait(
    _: &Syscalls,
    _handle: zx_handle_t,
    _deadline: zx_time_t,
    _packet: UserPtrMut<zx_port_packet_t>,
) -> ZxResult {
    Err(Status::NOT_SUPPORTED)
}

pub(super) fn cancel(
    _: &Syscalls,
    _handle: zx_handle_t,
    _source: zx_handle_t,
    _key: u64,
) -> ZxResult {
    Err(Status::NOT_SUPPORTED)
}

pub(super) fn wait_async(
    _: &Syscalls,
    _handle: zx_handle_t,
    _port: zx_handle_t,
    _key: u64,
    _signals: zx_signals_t,
    _options: u32,
) -> ZxResult {
    Err(Status::NOT_SUPPORTED)
}
