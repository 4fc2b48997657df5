//! Channels (digest part 2, section 6): not yet built.

#![allow(clippy::too_many_arguments)]

use super::{Syscalls, ZxResult};
use libzircon::dispatch::{UserPtr, UserPtrMut};
use libzircon::prelude::*;
use libzircon::Status;

pub(super) fn create(
    _: &Syscalls,
    _options: u32,
    _out0: UserPtrMut<zx_handle_t>,
    _out1: UserPtrMut<zx_handle_t>,
) -> ZxResult {
    Err(Status::NOT_SUPPORTED)
}

pub(super) fn write(
    _: &Syscalls,
    _handle: zx_handle_t,
    _options: u32,
    _bytes: UserPtr<c_void>,
    _num_bytes: u32,
    _handles: UserPtr<zx_handle_t>,
    _num_handles: u32,
) -> ZxResult {
    Err(Status::NOT_SUPPORTED)
}

pub(super) fn write_etc(
    _: &Syscalls,
    _handle: zx_handle_t,
    _options: u32,
    _bytes: UserPtr<c_void>,
    _num_bytes: u32,
    _handles: UserPtrMut<zx_handle_disposition_t>,
    _num_handles: u32,
) -> ZxResult {
    Err(Status::NOT_SUPPORTED)
}

pub(super) fn read(
    _: &Syscalls,
    _handle: zx_handle_t,
    _options: u32,
    _bytes: UserPtrMut<c_void>,
    _handles: UserPtrMut<zx_handle_t>,
    _num_bytes: u32,
    _num_handles: u32,
    _actual_bytes: UserPtrMut<u32>,
    _actual_handles: UserPtrMut<u32>,
) -> ZxResult {
    Err(Status::NOT_SUPPORTED)
}

pub(super) fn read_etc(
    _: &Syscalls,
    _handle: zx_handle_t,
    _options: u32,
    _bytes: UserPtrMut<c_void>,
    _handles: UserPtrMut<zx_handle_info_t>,
    _num_bytes: u32,
    _num_handles: u32,
    _actual_bytes: UserPtrMut<u32>,
    _actual_handles: UserPtrMut<u32>,
) -> ZxResult {
    Err(Status::NOT_SUPPORTED)
}

pub(super) fn call_noretry(
    _: &Syscalls,
    _handle: zx_handle_t,
    _options: u32,
    _deadline: zx_time_t,
    _args: UserPtr<zx_channel_call_args_t>,
    _actual_bytes: UserPtrMut<u32>,
    _actual_handles: UserPtrMut<u32>,
) -> ZxResult {
    Err(Status::NOT_SUPPORTED)
}

pub(super) fn call_finish(
    _: &Syscalls,
    _deadline: zx_time_t,
    _args: UserPtr<zx_channel_call_args_t>,
    _actual_bytes: UserPtrMut<u32>,
    _actual_handles: UserPtrMut<u32>,
) -> ZxResult {
    Err(Status::NOT_SUPPORTED)
}

pub(super) fn call_etc_noretry(
    _: &Syscalls,
    _handle: zx_handle_t,
    _options: u32,
    _deadline: zx_time_t,
    _args: UserPtrMut<zx_channel_call_etc_args_t>,
    _actual_bytes: UserPtrMut<u32>,
    _actual_handles: UserPtrMut<u32>,
) -> ZxResult {
    Err(Status::NOT_SUPPORTED)
}

pub(super) fn call_etc_finish(
    _: &Syscalls,
    _deadline: zx_time_t,
    _args: UserPtrMut<zx_channel_call_etc_args_t>,
    _actual_bytes: UserPtrMut<u32>,
    _actual_handles: UserPtrMut<u32>,
) -> ZxResult {
    Err(Status::NOT_SUPPORTED)
}
