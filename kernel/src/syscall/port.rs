//! Ports and asynchronous waits (digest part 2, section 5): zx_port_create, _queue,
//! _wait, _cancel and zx_object_wait_async. The port limits raise policy exceptions,
//! which kill the calling process unless a handler resumes it (object::exception).

use super::{copy_in, copy_out, Syscalls, ZxResult};
use crate::object::handle::HandleTable;
use crate::object::port::{Port, QueueError, MAX_USER_PACKETS};
use crate::object::Object;
use alloc::sync::Arc;
use libzircon::dispatch::{UserPtr, UserPtrMut};
use libzircon::prelude::*;
use libzircon::Status;

/// The size of a zx_port_packet_t.
const PACKET: usize = 48;

pub(super) fn create(sys: &Syscalls, options: u32, out: UserPtrMut<zx_handle_t>) -> ZxResult {
    if options != 0 && options != ZX_PORT_BIND_TO_INTERRUPT {
        return Err(Status::INVALID_ARGS);
    }
    sys.add_handle_out(Object::Port(Port::new()), ZX_DEFAULT_PORT_RIGHTS, out)
}

/// The port a handle names, with `right`: BAD_HANDLE, WRONG_TYPE, ACCESS_DENIED.
fn port_in(
    table: &HandleTable<Object>,
    handle: zx_handle_t,
    right: zx_rights_t,
) -> Result<&Arc<Port>, Status> {
    let entry = table.get(handle)?;
    let Object::Port(port) = &entry.object else {
        return Err(Status::WRONG_TYPE);
    };
    if entry.rights & right == 0 {
        return Err(Status::ACCESS_DENIED);
    }
    Ok(port)
}

fn port_of(sys: &Syscalls, handle: zx_handle_t, right: zx_rights_t) -> Result<Arc<Port>, Status> {
    port_in(&sys.process.handles.lock(), handle, right).cloned()
}

/// A policy exception (`code`), delivered on the way back to user mode: unless a
/// handler resumes the thread, the process dies with ZX_TASK_RETCODE_EXCEPTION_KILL.
fn policy_exception(code: u32, what: &str) {
    crate::task::trap::raise_policy(
        code,
        0,
        alloc::format!("policy exception ZX_EXCP_POLICY_CODE_{what}"),
    );
}

fn word32(raw: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([raw[at], raw[at + 1], raw[at + 2], raw[at + 3]])
}

fn word64(raw: &[u8], at: usize) -> u64 {
    u64::from(word32(raw, at)) | (u64::from(word32(raw, at + 4)) << 32)
}

pub(super) fn queue(
    sys: &Syscalls,
    handle: zx_handle_t,
    packet: UserPtr<zx_port_packet_t>,
) -> ZxResult {
    let port = port_of(sys, handle, ZX_RIGHT_WRITE)?;
    let mut raw = [0u8; PACKET];
    copy_in(&mut raw, packet.addr())?;
    let packet = zx_port_packet_t {
        key: word64(&raw, 0),
        r#type: word32(&raw, 8),
        status: word32(&raw, 12) as i32,
        payload: [
            word64(&raw, 16),
            word64(&raw, 24),
            word64(&raw, 32),
            word64(&raw, 40),
        ],
    };
    match port.queue_user(packet) {
        Ok(()) => Ok(()),
        Err(QueueError::NoMemory) => Err(Status::NO_MEMORY),
        Err(QueueError::TooManyPackets) => {
            policy_exception(
                ZX_EXCP_POLICY_CODE_PORT_TOO_MANY_PACKETS,
                &alloc::format!(
                    "PORT_TOO_MANY_PACKETS: a port holds more than {MAX_USER_PACKETS} packets"
                ),
            );
            Err(Status::SHOULD_WAIT)
        }
    }
}

pub(super) fn wait(
    sys: &Syscalls,
    handle: zx_handle_t,
    deadline: zx_time_t,
    packet: UserPtrMut<zx_port_packet_t>,
) -> ZxResult {
    let port = port_of(sys, handle, ZX_RIGHT_READ)?;
    let out = port.wait(deadline)?;
    // A packet that cannot be copied out is lost, as in Zircon.
    copy_out(packet.addr(), libzircon::cdef::AbiStruct::as_bytes(&out))
}

pub(super) fn cancel(
    sys: &Syscalls,
    handle: zx_handle_t,
    source: zx_handle_t,
    key: u64,
) -> ZxResult {
    // Under the handle table's lock, as in Zircon: a close of `source` racing with this
    // either comes first (BAD_HANDLE) or finds nothing left to cancel.
    let table = sys.process.handles.lock();
    let port = port_in(&table, handle, ZX_RIGHT_WRITE)?;
    let entry = table.get(source)?;
    // Zircon's code wants WAIT on the source (decision 11; the page says WRITE).
    if entry.rights & ZX_RIGHT_WAIT == 0 {
        return Err(Status::ACCESS_DENIED);
    }
    let signals = entry.object.signal_source().ok_or(Status::NOT_SUPPORTED)?;
    if port.cancel(signals, (sys.process.koid, source), key) {
        Ok(())
    } else {
        Err(Status::NOT_FOUND)
    }
}

pub(super) fn wait_async(
    sys: &Syscalls,
    handle: zx_handle_t,
    port: zx_handle_t,
    key: u64,
    signals: zx_signals_t,
    options: u32,
) -> ZxResult {
    if options & !(ZX_WAIT_ASYNC_TIMESTAMP | ZX_WAIT_ASYNC_EDGE) != 0 {
        return Err(Status::INVALID_ARGS);
    }
    let over_limit = {
        // Registered under the handle table's lock, so a close of `handle` either comes
        // first (BAD_HANDLE) or finds the registration to remove.
        let table = sys.process.handles.lock();
        let port = port_in(&table, port, ZX_RIGHT_WRITE)?;
        let entry = table.get(handle)?;
        if entry.rights & ZX_RIGHT_WAIT == 0 {
            return Err(Status::ACCESS_DENIED);
        }
        let source = entry.object.signal_source().ok_or(Status::NOT_SUPPORTED)?;
        port.observe(source, (sys.process.koid, handle), key, signals, options)?
    };
    if over_limit {
        policy_exception(
            ZX_EXCP_POLICY_CODE_PORT_TOO_MANY_OBSERVERS,
            "PORT_TOO_MANY_OBSERVERS: a port has as many observers as max_port_observers",
        );
    }
    Ok(())
}
