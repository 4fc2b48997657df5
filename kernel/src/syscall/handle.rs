//! Handle syscalls: close, close_many, duplicate, replace.

use super::{copy_in, Syscalls, ZxResult};
use libzircon::dispatch::{UserPtr, UserPtrMut};
use libzircon::prelude::*;
use libzircon::Status;

pub fn close(sys: &Syscalls, handle: zx_handle_t) -> ZxResult {
    if handle == ZX_HANDLE_INVALID {
        return Ok(());
    }
    let entry = sys.process.handles.lock().remove(handle)?;
    // Waits made through this handle end (ZX_ERR_CANCELED) and ports' observers made
    // through it go (their queued packets stay). The object may die here; outside the
    // table's lock.
    if let Some(signals) = entry.object.signal_source() {
        signals.cancel_via(sys.process.koid, handle);
    }
    drop(entry);
    Ok(())
}

/// Closes every valid handle in the array, even past a bad one; any bad one (or a
/// repeat) makes the result BAD_HANDLE.
pub fn close_many(sys: &Syscalls, handles: UserPtr<zx_handle_t>, count: usize) -> ZxResult {
    const CHUNK: usize = 64;
    let mut result = Ok(());
    let mut done = 0;
    while done < count {
        // A huge count must not hold the CPU, nor outlive a kill of the process.
        crate::task::preempt_point().map_err(|_| Status::INTERNAL_INTR_RETRY)?;
        let n = (count - done).min(CHUNK);
        let mut raw = [0u8; CHUNK * 4];
        let at = handles.checked_index(done).ok_or(Status::INVALID_ARGS)?;
        copy_in(&mut raw[..n * 4], at)?;
        for value in raw[..n * 4].chunks_exact(4) {
            let handle = u32::from_le_bytes([value[0], value[1], value[2], value[3]]);
            if close(sys, handle).is_err() {
                result = Err(Status::BAD_HANDLE);
            }
        }
        done += n;
    }
    result
}

/// The rights a new handle gets: the source's, or a subset of them.
fn derive_rights(source: zx_rights_t, requested: zx_rights_t) -> Result<zx_rights_t, Status> {
    if requested == ZX_RIGHT_SAME_RIGHTS {
        Ok(source)
    } else if requested & !source == 0 {
        Ok(requested)
    } else {
        Err(Status::INVALID_ARGS)
    }
}

pub fn duplicate(
    sys: &Syscalls,
    handle: zx_handle_t,
    rights: zx_rights_t,
    out: UserPtrMut<zx_handle_t>,
) -> ZxResult {
    let entry = sys.lookup(handle)?;
    if entry.rights & ZX_RIGHT_DUPLICATE == 0 {
        return Err(Status::ACCESS_DENIED);
    }
    let rights = derive_rights(entry.rights, rights)?;
    sys.add_handle_out(entry.object, rights, out)
}

/// The old handle is gone whatever happens after the lookup, as in Zircon; so are the
/// waits and ports' observers made through it, as for a close.
pub fn replace(
    sys: &Syscalls,
    handle: zx_handle_t,
    rights: zx_rights_t,
    out: UserPtrMut<zx_handle_t>,
) -> ZxResult {
    let mut old = sys.process.handles.lock().remove(handle)?;
    // As for close: waits and port observers made through the old value end.
    if let Some(signals) = old.object().signal_source() {
        signals.cancel_via(sys.process.koid, handle);
    }
    let rights = derive_rights(old.rights(), rights)?;
    old.set_rights(rights);
    sys.insert_handle_out(old, out)
}
