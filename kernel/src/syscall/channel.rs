//! Channels (digest part 2, section 6): create, write and write_etc, read and read_etc,
//! and zx_channel_call's two halves (noretry: write and wait; finish: wait again after a
//! suspension), plain and _etc.
//!
//! Handle ownership (digest 6.6): once the caller's handle list can be read, every handle
//! in it is consumed whatever the result (moved into the message, or closed; a
//! DUPLICATE disposition leaves its source). Reading a message takes it whole: on a
//! fault its handles are closed, never left half-installed.

#![allow(clippy::too_many_arguments)]

use super::{copy_in, copy_out, copy_out_optional, Syscalls, ZxResult};
use crate::object::channel::{CallError, ChannelEnd, Message, PendingCall, ReadError};
use crate::object::handle::Handle;
use crate::object::Object;
use crate::task::{percpu, Exit};
use alloc::sync::Arc;
use alloc::vec::Vec;
use libzircon::cdef::AbiStruct;
use libzircon::dispatch::{UserPtr, UserPtrMut};
use libzircon::prelude::*;
use libzircon::Status;

const MAX_BYTES: usize = ZX_CHANNEL_MAX_MSG_BYTES as usize;
const MAX_HANDLES: usize = ZX_CHANNEL_MAX_MSG_HANDLES as usize;
const MAX_IOVECS: usize = ZX_CHANNEL_MAX_MSG_IOVECS as usize;

pub(super) fn create(
    sys: &Syscalls,
    options: u32,
    out0: UserPtrMut<zx_handle_t>,
    out1: UserPtrMut<zx_handle_t>,
) -> ZxResult {
    if options != 0 {
        return Err(Status::INVALID_ARGS);
    }
    sys.enforce_policy(ZX_POL_NEW_CHANNEL)?;
    let (a, b) = ChannelEnd::pair();
    sys.add_handle_pair_out(
        (Object::Channel(a), Object::Channel(b)),
        ZX_DEFAULT_CHANNEL_RIGHTS,
        (out0, out1),
    )
}

/// The channel a handle names, with `rights`: BAD_HANDLE, WRONG_TYPE, ACCESS_DENIED.
fn channel_of(
    sys: &Syscalls,
    handle: zx_handle_t,
    rights: zx_rights_t,
) -> Result<Arc<ChannelEnd>, Status> {
    let entry = sys.lookup(handle)?;
    let Object::Channel(end) = entry.object else {
        return Err(Status::WRONG_TYPE);
    };
    if entry.rights & rights != rights {
        return Err(Status::ACCESS_DENIED);
    }
    Ok(end)
}

/// How the caller lists the handles to send: values (write, call) or dispositions
/// (write_etc, call_etc).
#[derive(Clone, Copy, PartialEq, Eq)]
enum ListKind {
    Values,
    Dispositions,
}

impl ListKind {
    fn size(self) -> usize {
        match self {
            ListKind::Values => 4,
            ListKind::Dispositions => core::mem::size_of::<zx_handle_disposition_t>(),
        }
    }
}

/// One listed handle: a value is a MOVE with no type or rights asked for.
#[derive(Clone, Copy)]
struct Listed {
    operation: u32,
    handle: zx_handle_t,
    r#type: zx_obj_type_t,
    rights: zx_rights_t,
}

fn word(raw: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([raw[at], raw[at + 1], raw[at + 2], raw[at + 3]])
}

fn parse(raw: &[u8], kind: ListKind) -> Listed {
    match kind {
        ListKind::Values => Listed {
            operation: ZX_HANDLE_OP_MOVE,
            handle: word(raw, 0),
            r#type: ZX_OBJ_TYPE_NONE,
            rights: ZX_RIGHT_SAME_RIGHTS,
        },
        ListKind::Dispositions => Listed {
            operation: word(raw, 0),
            handle: word(raw, 4),
            r#type: word(raw, 8),
            rights: word(raw, 12),
        },
    }
}

/// After an error before the handles were taken: closes every handle the list names
/// (DUPLICATE dispositions excepted), as far as the list can be read. It may be longer
/// than a message allows (`WriteConsumesAllHandles` lists 65), so it is read in chunks.
fn consume_listed(sys: &Syscalls, addr: usize, count: usize, kind: ListKind) {
    let mut raw = [0u8; MAX_HANDLES * 20];
    let mut done = 0;
    while done < count {
        if crate::task::preempt_point().is_err() {
            return;
        }
        let n = (count - done).min(MAX_HANDLES);
        let len = n * kind.size();
        let Some(at) = done
            .checked_mul(kind.size())
            .and_then(|o| addr.checked_add(o))
        else {
            return;
        };
        if copy_in(&mut raw[..len], at).is_err() {
            return;
        }
        let mut closing: [Option<Handle<Object>>; MAX_HANDLES] = [const { None }; MAX_HANDLES];
        let mut values = [ZX_HANDLE_INVALID; MAX_HANDLES];
        {
            let mut table = sys.process.handles.lock();
            for (i, item) in raw[..len].chunks_exact(kind.size()).enumerate() {
                let item = parse(item, kind);
                if item.operation != ZX_HANDLE_OP_DUPLICATE {
                    closing[i] = table.remove(item.handle).ok();
                    values[i] = item.handle;
                }
            }
        }
        for (handle, &value) in closing.iter().zip(values.iter()) {
            if let Some(handle) = handle {
                cancel_waits_via(sys, handle, value);
            }
        }
        drop(closing);
        done += n;
    }
}

/// A handle has left the caller's table (moved into a message, or closed because the
/// write consumed it): as for zx_handle_close, the waits made through it end
/// (ZX_ERR_CANCELED) and ports' observers registered through it go. Zircon ends them
/// when the receiver reads a moved handle out (or the message is destroyed); here they
/// end at the write, so no wait can outlive the handle it was made through.
fn cancel_waits_via(sys: &Syscalls, handle: &Handle<Object>, value: zx_handle_t) {
    if let Some(signals) = handle.object().signal_source() {
        signals.cancel_via(sys.process.koid, value);
    }
}

/// The checks every listed handle passes (Zircon's order): TRANSFER, not the channel
/// written to, the type asked for, rights that are a subset of the handle's.
fn transfer_checks(
    object: &Object,
    rights: zx_rights_t,
    channel: &Arc<ChannelEnd>,
    item: &Listed,
) -> ZxResult {
    if rights & ZX_RIGHT_TRANSFER == 0 {
        return Err(Status::ACCESS_DENIED);
    }
    if matches!(object, Object::Channel(end) if Arc::ptr_eq(end, channel)) {
        return Err(Status::NOT_SUPPORTED);
    }
    if item.r#type != ZX_OBJ_TYPE_NONE && object.obj_type() != item.r#type {
        return Err(Status::WRONG_TYPE);
    }
    if item.rights != ZX_RIGHT_SAME_RIGHTS && item.rights & !rights != 0 {
        return Err(Status::INVALID_ARGS);
    }
    Ok(())
}

/// The rights a transferred handle carries.
fn rights_after(item: &Listed, rights: zx_rights_t) -> zx_rights_t {
    if item.rights == ZX_RIGHT_SAME_RIGHTS {
        rights
    } else {
        item.rights
    }
}

/// Takes one listed handle out of `table` (or duplicates it). A handle removed and then
/// refused goes to `closing`, to be closed after the table's lock is dropped.
fn take_one(
    table: &mut crate::object::handle::HandleTable<Object>,
    channel: &Arc<ChannelEnd>,
    item: &Listed,
    closing: &mut Option<Handle<Object>>,
) -> Result<Handle<Object>, Status> {
    if item.operation == ZX_HANDLE_OP_DUPLICATE {
        let entry = table.get(item.handle)?;
        transfer_checks(&entry.object, entry.rights, channel, item)?;
        if entry.rights & ZX_RIGHT_DUPLICATE == 0 {
            return Err(Status::ACCESS_DENIED);
        }
        let rights = rights_after(item, entry.rights);
        return Ok(Handle::new(entry.object.clone(), rights));
    }
    let mut handle = table.remove(item.handle)?;
    let checked = if item.operation != ZX_HANDLE_OP_MOVE {
        Err(Status::INVALID_ARGS)
    } else {
        transfer_checks(handle.object(), handle.rights(), channel, item)
    };
    if let Err(e) = checked {
        *closing = Some(handle);
        return Err(e);
    }
    let rights = rights_after(item, handle.rights());
    handle.set_rights(rights);
    Ok(handle)
}

/// Takes the listed handles for a message to `channel`, all of them even past an error
/// (the first error is returned and every handle is consumed). If the list cannot be
/// read nothing is consumed. For dispositions, a failure writes each one's `result`
/// back.
fn take_handles(
    sys: &Syscalls,
    channel: &Arc<ChannelEnd>,
    addr: usize,
    count: usize,
    kind: ListKind,
) -> Result<Vec<Handle<Object>>, Status> {
    let mut raw = [0u8; MAX_HANDLES * 20];
    let len = count * kind.size();
    copy_in(&mut raw[..len], addr)?;
    let mut taken = Vec::new();
    if taken.try_reserve_exact(count).is_err() {
        consume_listed(sys, addr, count, kind);
        return Err(Status::NO_MEMORY);
    }
    let mut closing: [Option<Handle<Object>>; MAX_HANDLES] = [const { None }; MAX_HANDLES];
    // The value each listed handle had, if it left the table (not a DUPLICATE).
    let mut values = [ZX_HANDLE_INVALID; MAX_HANDLES];
    let mut moved = [ZX_HANDLE_INVALID; MAX_HANDLES];
    let mut first_error = None;
    {
        let mut table = sys.process.handles.lock();
        for (i, item) in raw[..len].chunks_exact_mut(kind.size()).enumerate() {
            let listed = parse(item, kind);
            if listed.operation != ZX_HANDLE_OP_DUPLICATE {
                values[i] = listed.handle;
            }
            match take_one(&mut table, channel, &listed, &mut closing[i]) {
                Ok(handle) => {
                    moved[taken.len()] = values[i];
                    taken.push(handle);
                }
                Err(e) => {
                    first_error.get_or_insert(e);
                    if kind == ListKind::Dispositions {
                        item[16..20].copy_from_slice(&e.into_raw().to_le_bytes());
                    }
                }
            }
        }
    }
    for (handle, &value) in taken.iter().zip(moved.iter()) {
        if value != ZX_HANDLE_INVALID {
            cancel_waits_via(sys, handle, value);
        }
    }
    for (handle, &value) in closing.iter().zip(values.iter()) {
        if let Some(handle) = handle {
            cancel_waits_via(sys, handle, value);
        }
    }
    drop(closing);
    let Some(error) = first_error else {
        return Ok(taken);
    };
    drop(taken);
    if kind == ListKind::Dispositions {
        copy_out(addr, &raw[..len])?;
    }
    Err(error)
}

/// The message's bytes: `num_bytes` bytes at `addr`, or with ZX_CHANNEL_WRITE_USE_IOVEC
/// the pieces `num_bytes` iovecs at `addr` name, gathered. Checks the handle count's limit
/// too (Zircon's MessagePacket::Create does both).
fn message_bytes(
    options: u32,
    addr: usize,
    num_bytes: usize,
    num_handles: usize,
) -> Result<Vec<u8>, Status> {
    let iovec = options & ZX_CHANNEL_WRITE_USE_IOVEC != 0;
    let limit = if iovec { MAX_IOVECS } else { MAX_BYTES };
    if num_bytes > limit || num_handles > MAX_HANDLES {
        return Err(Status::OUT_OF_RANGE);
    }
    let mut bytes = Vec::new();
    // A queued message keeps kernel memory without a new handle: it asks for the heap's
    // headroom as new objects do (mm::heap), so messages cannot drain the reserve the
    // kernel's infallible small allocations rely on. The body itself is try_reserve'd.
    crate::mm::heap::headroom().map_err(|_| Status::NO_MEMORY)?;
    if !iovec {
        bytes
            .try_reserve_exact(num_bytes)
            .map_err(|_| Status::NO_MEMORY)?;
        bytes.resize(num_bytes, 0);
        copy_in(&mut bytes, addr)?;
        return Ok(bytes);
    }
    const IOVEC: usize = core::mem::size_of::<zx_channel_iovec_t>();
    let mut iovecs = Vec::new();
    iovecs
        .try_reserve_exact(num_bytes * IOVEC)
        .map_err(|_| Status::NO_MEMORY)?;
    iovecs.resize(num_bytes * IOVEC, 0);
    copy_in(&mut iovecs, addr)?;
    let mut total = 0usize;
    for v in iovecs.chunks_exact(IOVEC) {
        if word(v, 12) != 0 {
            return Err(Status::INVALID_ARGS);
        }
        total += word(v, 8) as usize;
        if total > MAX_BYTES {
            return Err(Status::OUT_OF_RANGE);
        }
    }
    bytes
        .try_reserve_exact(total)
        .map_err(|_| Status::NO_MEMORY)?;
    bytes.resize(total, 0);
    let mut at = 0;
    for v in iovecs.chunks_exact(IOVEC) {
        let base = u64::from_le_bytes(v[..8].try_into().unwrap_or([0; 8])) as usize;
        let len = word(v, 8) as usize;
        copy_in(&mut bytes[at..at + len], base)?;
        at += len;
    }
    Ok(bytes)
}

/// Builds a message to `channel` from the caller's bytes and handle list: everything
/// up to taking the handles, for write and call. Errors before the handles are taken
/// consume them here.
fn build_message(
    sys: &Syscalls,
    channel: &Arc<ChannelEnd>,
    options: u32,
    bytes: (usize, usize),
    handles: (usize, usize),
    kind: ListKind,
    min_bytes: usize,
) -> Result<Message, Status> {
    let data = message_bytes(options, bytes.0, bytes.1, handles.1)
        .and_then(|b| {
            if b.len() < min_bytes {
                Err(Status::INVALID_ARGS)
            } else {
                Ok(b)
            }
        })
        .inspect_err(|_| consume_listed(sys, handles.0, handles.1, kind))?;
    let taken = if handles.1 == 0 {
        Vec::new()
    } else {
        take_handles(sys, channel, handles.0, handles.1, kind)?
    };
    Ok(Message {
        bytes: data,
        handles: taken,
    })
}

/// A policy exception for the writer, delivered on its way back to user mode: unless a
/// handler resumes it, its process dies with ZX_TASK_RETCODE_EXCEPTION_KILL.
fn channel_full(_sys: &Syscalls, channel: &ChannelEnd) {
    crate::task::trap::raise_policy(
        ZX_EXCP_POLICY_CODE_CHANNEL_FULL_WRITE,
        0,
        alloc::format!(
            "policy exception CHANNEL_FULL_WRITE: more than {} messages queued at channel {}",
            crate::object::channel::MAX_PENDING,
            channel.peer_koid()
        ),
    );
}

fn write_common(
    sys: &Syscalls,
    handle: zx_handle_t,
    options: u32,
    bytes: (usize, usize),
    handles: (usize, usize),
    kind: ListKind,
) -> ZxResult {
    if options & !ZX_CHANNEL_WRITE_USE_IOVEC != 0 {
        consume_listed(sys, handles.0, handles.1, kind);
        return Err(Status::INVALID_ARGS);
    }
    let channel = channel_of(sys, handle, ZX_RIGHT_WRITE)
        .inspect_err(|_| consume_listed(sys, handles.0, handles.1, kind))?;
    let message = build_message(sys, &channel, options, bytes, handles, kind, 0)?;
    if channel.write(message)? {
        channel_full(sys, &channel);
    }
    Ok(())
}

pub(super) fn write(
    sys: &Syscalls,
    handle: zx_handle_t,
    options: u32,
    bytes: UserPtr<c_void>,
    num_bytes: u32,
    handles: UserPtr<zx_handle_t>,
    num_handles: u32,
) -> ZxResult {
    write_common(
        sys,
        handle,
        options,
        (bytes.addr(), num_bytes as usize),
        (handles.addr(), num_handles as usize),
        ListKind::Values,
    )
}

pub(super) fn write_etc(
    sys: &Syscalls,
    handle: zx_handle_t,
    options: u32,
    bytes: UserPtr<c_void>,
    num_bytes: u32,
    handles: UserPtrMut<zx_handle_disposition_t>,
    num_handles: u32,
) -> ZxResult {
    write_common(
        sys,
        handle,
        options,
        (bytes.addr(), num_bytes as usize),
        (handles.addr(), num_handles as usize),
        ListKind::Dispositions,
    )
}

/// Installs a read message's handles in the caller's table and writes their values
/// (`zx_handle_t`, or `zx_handle_info_t` with `infos`) to `addr`. On any failure the
/// handles are closed.
fn install_handles(
    sys: &Syscalls,
    handles: Vec<Handle<Object>>,
    addr: usize,
    infos: bool,
) -> ZxResult {
    const INFO: usize = core::mem::size_of::<zx_handle_info_t>();
    let count = handles.len();
    let mut out = [0u8; MAX_HANDLES * INFO];
    let mut values = [ZX_HANDLE_INVALID; MAX_HANDLES];
    let mut pending = handles.into_iter();
    let mut refused = None;
    {
        let mut table = sys.process.handles.lock();
        for (i, handle) in pending.by_ref().enumerate() {
            let info = zx_handle_info_t {
                handle: 0,
                r#type: handle.object().obj_type(),
                rights: handle.rights(),
                unused: 0,
            };
            match table.insert(handle) {
                Ok(value) => {
                    values[i] = value;
                    let record = zx_handle_info_t {
                        handle: value,
                        ..info
                    };
                    if infos {
                        out[i * INFO..(i + 1) * INFO].copy_from_slice(record.as_bytes());
                    } else {
                        out[i * 4..i * 4 + 4].copy_from_slice(&value.to_le_bytes());
                    }
                }
                Err((status, handle)) => {
                    refused = Some((status, handle));
                    break;
                }
            }
        }
    }
    // The handles not yet installed when one was refused are closed here, unlocked.
    drop(pending);
    let size = if infos { INFO } else { 4 };
    let result = match refused {
        Some((status, handle)) => {
            drop(handle);
            Err(status)
        }
        None => copy_out(addr, &out[..count * size]),
    };
    if result.is_err() {
        let mut closing: [Option<Handle<Object>>; MAX_HANDLES] = [const { None }; MAX_HANDLES];
        {
            let mut table = sys.process.handles.lock();
            for (slot, &value) in closing.iter_mut().zip(values[..count].iter()) {
                if value != ZX_HANDLE_INVALID {
                    *slot = table.remove(value).ok();
                }
            }
        }
        drop(closing);
    }
    result
}

/// Hands a message to the caller: its bytes to `bytes`, its handles to `handles`.
fn deliver_message(
    sys: &Syscalls,
    mut message: Message,
    bytes: usize,
    handles: usize,
    infos: bool,
) -> ZxResult {
    if !message.bytes.is_empty() {
        copy_out(bytes, &message.bytes)?;
    }
    let taken = core::mem::take(&mut message.handles);
    if taken.is_empty() {
        return Ok(());
    }
    install_handles(sys, taken, handles, infos)
}

fn read_common(
    sys: &Syscalls,
    handle: zx_handle_t,
    options: u32,
    bytes: usize,
    handles: usize,
    num_bytes: u32,
    num_handles: u32,
    actual_bytes: usize,
    actual_handles: usize,
    infos: bool,
) -> ZxResult {
    let channel = channel_of(sys, handle, ZX_RIGHT_READ)?;
    if options & !ZX_CHANNEL_READ_MAY_DISCARD != 0 {
        return Err(Status::NOT_SUPPORTED);
    }
    let may_discard = options & ZX_CHANNEL_READ_MAY_DISCARD != 0;
    let (message, sizes, result) =
        match channel.read(num_bytes as usize, num_handles as usize, may_discard) {
            Ok(m) => {
                let sizes = (m.bytes.len(), m.handles.len());
                (Some(m), sizes, Ok(()))
            }
            Err(ReadError::Status(s)) => return Err(s),
            Err(ReadError::TooSmall {
                bytes,
                handles,
                discarded,
            }) => {
                drop(discarded);
                (None, (bytes, handles), Err(Status::BUFFER_TOO_SMALL))
            }
        };
    copy_out_optional(actual_bytes, &(sizes.0 as u32).to_le_bytes())?;
    copy_out_optional(actual_handles, &(sizes.1 as u32).to_le_bytes())?;
    match message {
        Some(m) => deliver_message(sys, m, bytes, handles, infos),
        None => result,
    }
}

pub(super) fn read(
    sys: &Syscalls,
    handle: zx_handle_t,
    options: u32,
    bytes: UserPtrMut<c_void>,
    handles: UserPtrMut<zx_handle_t>,
    num_bytes: u32,
    num_handles: u32,
    actual_bytes: UserPtrMut<u32>,
    actual_handles: UserPtrMut<u32>,
) -> ZxResult {
    read_common(
        sys,
        handle,
        options,
        bytes.addr(),
        handles.addr(),
        num_bytes,
        num_handles,
        actual_bytes.addr(),
        actual_handles.addr(),
        false,
    )
}

pub(super) fn read_etc(
    sys: &Syscalls,
    handle: zx_handle_t,
    options: u32,
    bytes: UserPtrMut<c_void>,
    handles: UserPtrMut<zx_handle_info_t>,
    num_bytes: u32,
    num_handles: u32,
    actual_bytes: UserPtrMut<u32>,
    actual_handles: UserPtrMut<u32>,
) -> ZxResult {
    read_common(
        sys,
        handle,
        options,
        bytes.addr(),
        handles.addr(),
        num_bytes,
        num_handles,
        actual_bytes.addr(),
        actual_handles.addr(),
        true,
    )
}

/// `zx_channel_call_args_t` and `zx_channel_call_etc_args_t` (the same layout).
struct CallArgs {
    wr_bytes: usize,
    wr_handles: usize,
    rd_bytes: usize,
    rd_handles: usize,
    wr_num_bytes: usize,
    wr_num_handles: usize,
    rd_num_bytes: usize,
    rd_num_handles: usize,
}

fn call_args(addr: usize) -> Result<CallArgs, Status> {
    let mut raw = [0u8; core::mem::size_of::<zx_channel_call_args_t>()];
    copy_in(&mut raw, addr)?;
    let wide = |at: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&raw[at..at + 8]);
        u64::from_le_bytes(b) as usize
    };
    Ok(CallArgs {
        wr_bytes: wide(0),
        wr_handles: wide(8),
        rd_bytes: wide(16),
        rd_handles: wide(24),
        wr_num_bytes: word(&raw, 32) as usize,
        wr_num_handles: word(&raw, 36) as usize,
        rd_num_bytes: word(&raw, 40) as usize,
        rd_num_handles: word(&raw, 44) as usize,
    })
}

/// Kills the caller's process for breaking the call protocol (a call while one is
/// outstanding), as Zircon does when its vDSO is bypassed.
fn protocol_broken(sys: &Syscalls) -> ZxResult {
    sys.process
        .kill_with(Exit::Exited(ZX_TASK_RETCODE_VDSO_KILL));
    Err(Status::BAD_STATE)
}

fn call_noretry_common(
    sys: &Syscalls,
    handle: zx_handle_t,
    options: u32,
    deadline: i64,
    args: usize,
    actual: (usize, usize),
    kind: ListKind,
) -> ZxResult {
    let args = call_args(args)?;
    let handles = (args.wr_handles, args.wr_num_handles);
    if options & !ZX_CHANNEL_WRITE_USE_IOVEC != 0 {
        consume_listed(sys, handles.0, handles.1, kind);
        return Err(Status::INVALID_ARGS);
    }
    let channel = channel_of(sys, handle, ZX_RIGHT_READ | ZX_RIGHT_WRITE)
        .inspect_err(|_| consume_listed(sys, handles.0, handles.1, kind))?;
    let bytes = (args.wr_bytes, args.wr_num_bytes);
    let request = build_message(sys, &channel, options, bytes, handles, kind, 4)?;
    let Some(thread) = percpu::current() else {
        return Err(Status::BAD_STATE);
    };
    if thread.channel_call.lock().is_some() {
        drop(request);
        return protocol_broken(sys);
    }
    let (txid, full) = channel.call_start(request)?;
    if full {
        channel_full(sys, &channel);
    }
    let pending = PendingCall::new(channel, txid);
    wait_for_reply(sys, &thread, pending, deadline, &args, actual, kind)
}

/// Waits for the reply to a call and hands it over; a suspension leaves the call
/// pending on the thread for `call_finish`.
fn wait_for_reply(
    sys: &Syscalls,
    thread: &crate::task::thread::Thread,
    pending: PendingCall,
    deadline: i64,
    args: &CallArgs,
    actual: (usize, usize),
    kind: ListKind,
) -> ZxResult {
    let reply = match pending.wait(deadline) {
        Ok(reply) => reply,
        Err(CallError::Failed(status)) => {
            pending.finished();
            return Err(status);
        }
        Err(CallError::Interrupted) => {
            // Killed: the call dies here (the thread will not come back for it).
            if !thread
                .kill_pending
                .load(core::sync::atomic::Ordering::Acquire)
            {
                *thread.channel_call.lock() = Some(pending);
            }
            return Err(Status::INTERNAL_INTR_RETRY);
        }
    };
    pending.finished();
    if reply.bytes.len() > args.rd_num_bytes || reply.handles.len() > args.rd_num_handles {
        return Err(Status::BUFFER_TOO_SMALL);
    }
    copy_out(actual.0, &(reply.bytes.len() as u32).to_le_bytes())?;
    copy_out(actual.1, &(reply.handles.len() as u32).to_le_bytes())?;
    deliver_message(
        sys,
        reply,
        args.rd_bytes,
        args.rd_handles,
        kind == ListKind::Dispositions,
    )
}

fn call_finish_common(
    sys: &Syscalls,
    deadline: i64,
    args: usize,
    actual: (usize, usize),
    kind: ListKind,
) -> ZxResult {
    let args = call_args(args)?;
    let Some(thread) = percpu::current() else {
        return Err(Status::BAD_STATE);
    };
    let Some(pending) = thread.channel_call.lock().take() else {
        return Err(Status::BAD_STATE);
    };
    wait_for_reply(sys, &thread, pending, deadline, &args, actual, kind)
}

pub(super) fn call_noretry(
    sys: &Syscalls,
    handle: zx_handle_t,
    options: u32,
    deadline: zx_time_t,
    args: UserPtr<zx_channel_call_args_t>,
    actual_bytes: UserPtrMut<u32>,
    actual_handles: UserPtrMut<u32>,
) -> ZxResult {
    call_noretry_common(
        sys,
        handle,
        options,
        deadline,
        args.addr(),
        (actual_bytes.addr(), actual_handles.addr()),
        ListKind::Values,
    )
}

pub(super) fn call_finish(
    sys: &Syscalls,
    deadline: zx_time_t,
    args: UserPtr<zx_channel_call_args_t>,
    actual_bytes: UserPtrMut<u32>,
    actual_handles: UserPtrMut<u32>,
) -> ZxResult {
    call_finish_common(
        sys,
        deadline,
        args.addr(),
        (actual_bytes.addr(), actual_handles.addr()),
        ListKind::Values,
    )
}

pub(super) fn call_etc_noretry(
    sys: &Syscalls,
    handle: zx_handle_t,
    options: u32,
    deadline: zx_time_t,
    args: UserPtrMut<zx_channel_call_etc_args_t>,
    actual_bytes: UserPtrMut<u32>,
    actual_handles: UserPtrMut<u32>,
) -> ZxResult {
    call_noretry_common(
        sys,
        handle,
        options,
        deadline,
        args.addr(),
        (actual_bytes.addr(), actual_handles.addr()),
        ListKind::Dispositions,
    )
}

pub(super) fn call_etc_finish(
    sys: &Syscalls,
    deadline: zx_time_t,
    args: UserPtrMut<zx_channel_call_etc_args_t>,
    actual_bytes: UserPtrMut<u32>,
    actual_handles: UserPtrMut<u32>,
) -> ZxResult {
    call_finish_common(
        sys,
        deadline,
        args.addr(),
        (actual_bytes.addr(), actual_handles.addr()),
        ListKind::Dispositions,
    )
}
