//! Exception channels (digest part 2, decision 9 until they land): not yet built.

use super::{Syscalls, ZxResult};
use libzircon::dispatch::UserPtrMut;
use libzircon::prelude::*;
use libzircon::Status;

pub(super) fn create_channel(
    _: &Syscalls,
    _handle: zx_handle_t,
    _options: u32,
    _out: UserPtrMut<zx_handle_t>,
) -> ZxResult {
    Err(Status::NOT_SUPPORTED)
}

pub(super) fn get_thread(
    _: &Syscalls,
    _handle: zx_handle_t,
    _out: UserPtrMut<zx_handle_t>,
) -> ZxResult {
    Err(Status::NOT_SUPPORTED)
}

pub(super) fn get_process(
    _: &Syscalls,
    _handle: zx_handle_t,
    _out: UserPtrMut<zx_handle_t>,
) -> ZxResult {
    Err(Status::NOT_SUPPORTED)
}
