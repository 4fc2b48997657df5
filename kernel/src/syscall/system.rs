//! System information and the CPRNG: zx_system_get_num_cpus, zx_system_get_physmem,
//! zx_cprng_draw_once (the kernel half of zx_cprng_draw) and zx_cprng_add_entropy.
//!
//! Zircon answers the two `system_get_*` calls in its vDSO from constants the kernel
//! wrote there; without a vDSO they are kernel calls here, answering the same values.
//! None of these calls takes a handle or checks a right: Fuchsia's pages name none
//! (`zx_cprng_add_entropy` "should be very privileged", but is not).

use super::{copy_in, copy_out, ZxResult};
use crate::random;
use libzircon::dispatch::{UserPtr, UserPtrMut};
use libzircon::prelude::c_void;
use libzircon::prelude::{ZX_CPRNG_ADD_ENTROPY_MAX_LEN, ZX_CPRNG_DRAW_MAX_LEN};
use libzircon::Status;

/// The number of CPUs the kernel runs threads on (those the device tree lists that came
/// online; they all do unless one failed to start, which the boot log says).
pub fn num_cpus() -> u32 {
    crate::task::percpu::online_count() as u32
}

/// The bytes of RAM the kernel manages (after `mem=`), as ZX_INFO_KMEM_STATS's
/// `total_bytes` reports them.
pub fn physmem() -> u64 {
    crate::mm::usable_bytes()
}

/// Copies `buffer_size` (at most ZX_CPRNG_DRAW_MAX_LEN) bytes from the CPRNG to `buffer`.
/// Too large a size, or a buffer the kernel cannot write, is INVALID_ARGS.
pub fn cprng_draw_once(buffer: UserPtrMut<c_void>, buffer_size: usize) -> ZxResult {
    if buffer_size > ZX_CPRNG_DRAW_MAX_LEN {
        return Err(Status::INVALID_ARGS);
    }
    let mut bytes = [0u8; ZX_CPRNG_DRAW_MAX_LEN];
    let bytes = &mut bytes[..buffer_size];
    random::draw(bytes);
    let result = copy_out(buffer, bytes);
    forget(bytes);
    result
}

/// Mixes `buffer_size` (at most ZX_CPRNG_ADD_ENTROPY_MAX_LEN) bytes at `buffer` into the
/// CPRNG. Too large a size, or a buffer the kernel cannot read, is INVALID_ARGS.
pub fn cprng_add_entropy(buffer: UserPtr<c_void>, buffer_size: usize) -> ZxResult {
    if buffer_size > ZX_CPRNG_ADD_ENTROPY_MAX_LEN {
        return Err(Status::INVALID_ARGS);
    }
    let mut bytes = [0u8; ZX_CPRNG_ADD_ENTROPY_MAX_LEN];
    let bytes = &mut bytes[..buffer_size];
    let result = copy_in(bytes, buffer);
    if result.is_ok() {
        random::add_entropy(bytes);
    }
    forget(bytes);
    result
}

/// Clears the kernel stack's copy of random bytes or entropy, as Zircon does; the
/// `black_box` keeps the compiler from dropping the stores as dead.
fn forget(bytes: &mut [u8]) {
    bytes.fill(0);
    core::hint::black_box(bytes);
}
