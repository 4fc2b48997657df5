//! Page sizes (`<zircon/limits.h>`).
//!
//! Programs should ask `zx_system_get_page_size()`; these constants are the page size
//! this kernel uses (4 KiB) and the range an arm64 Zircon allows.

use crate::ctypes::*;

c_consts! {
    /// The page size.
    pub const PAGE_CONSTS: dec = {
        ZX_PAGE_SHIFT: uint32_t = 12;
        ZX_PAGE_SIZE: uintptr_t = 1 << ZX_PAGE_SHIFT;
        ZX_PAGE_MASK: uintptr_t = ZX_PAGE_SIZE - 1;
    }
}

c_consts! {
    /// The page sizes an arm64 Zircon may use (the header assumes arm64).
    pub const PAGE_RANGE_CONSTS: dec = {
        ZX_MIN_PAGE_SHIFT: uint32_t = 12;
        ZX_MAX_PAGE_SHIFT: uint32_t = 16;
        ZX_MIN_PAGE_SIZE: uintptr_t = 1 << ZX_MIN_PAGE_SHIFT;
        ZX_MAX_PAGE_SIZE: uintptr_t = 1 << ZX_MAX_PAGE_SHIFT;
    }
}
