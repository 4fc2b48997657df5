//! zx_debug_write: text from user space to the kernel console.

use super::{copy_in, ZxResult};
use crate::drivers::console;
use libzircon::dispatch::UserPtr;
use libzircon::prelude::c_char;

/// Fuchsia clamps each call to this many bytes; callers write in chunks.
const MAX_WRITE: usize = 256;

pub fn debug_write(buffer: UserPtr<c_char>, buffer_size: usize) -> ZxResult {
    let len = buffer_size.min(MAX_WRITE);
    let mut bytes = [0u8; MAX_WRITE];
    copy_in(&mut bytes[..len], buffer)?;
    console::write_bytes(&bytes[..len]);
    Ok(())
}
