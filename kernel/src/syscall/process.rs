//! Processes and jobs (digest part 2, section 7): not yet built.

use super::{Syscalls, ZxResult};
use libzircon::dispatch::{UserPtr, UserPtrMut};
use libzircon::prelude::*;
use libzircon::Status;

pub(super) fn create(
    _: &Syscalls,
    _job: zx_handle_t,
    _name: UserPtr<c_char>,
    _name_size: usize,
    _options: u32,
    _proc_handle: UserPtrMut<zx_handle_t>,
    _vmar_handle: UserPtrMut<zx_handle_t>,
) -> ZxResult {
    Err(Status::NOT_SUPPORTED)
}

pub(super) fn start(
    _: &Syscalls,
    _handle: zx_handle_t,
    _thread: zx_handle_t,
    _entry: zx_vaddr_t,
    _stack: zx_vaddr_t,
    _arg1: zx_handle_t,
    _arg2: uintptr_t,
) -> ZxResult {
    Err(Status::NOT_SUPPORTED)
}

pub(super) fn job_create(
    _: &Syscalls,
    _parent_job: zx_handle_t,
    _options: u32,
    _out: UserPtrMut<zx_handle_t>,
) -> ZxResult {
    Err(Status::NOT_SUPPORTED)
}

pub(super) fn read_memory(
    _: &Syscalls,
    _handle: zx_handle_t,
    _vaddr: zx_vaddr_t,
    _buffer: UserPtrMut<c_void>,
    _buffer_size: usize,
    _actual: UserPtrMut<usize>,
) -> ZxResult {
    Err(Status::NOT_SUPPORTED)
}

pub(super) fn write_memory(
    _: &Syscalls,
    _handle: zx_handle_t,
    _vaddr: zx_vaddr_t,
    _buffer: UserPtr<c_void>,
    _buffer_size: usize,
    _actual: UserPtrMut<usize>,
) -> ZxResult {
    Err(Status::NOT_SUPPORTED)
}

pub(super) fn get_child(
    _: &Syscalls,
    _handle: zx_handle_t,
    _koid: u64,
    _rights: zx_rights_t,
    _out: UserPtrMut<zx_handle_t>,
) -> ZxResult {
    Err(Status::NOT_SUPPORTED)
}

pub(super) fn job_set_policy(
    _: &Syscalls,
    _handle: zx_handle_t,
    _options: u32,
    _topic: u32,
    _policy: UserPtr<c_void>,
    _policy_size: u32,
) -> ZxResult {
    Err(Status::NOT_SUPPORTED)
}

pub(super) fn job_set_critical(
    _: &Syscalls,
    _job: zx_handle_t,
    _options: u32,
    _process: zx_handle_t,
) -> ZxResult {
    Err(Status::NOT_SUPPORTED)
}
