//! Kernel object types (`ZX_OBJ_TYPE_*`), as `ZX_INFO_HANDLE_BASIC` reports them.

use crate::ctypes::*;

c_typedefs! {
    /// Object types.
    pub const OBJECT_TYPE_TYPEDEFS = {
        /// One of the `ZX_OBJ_TYPE_*` values.
        zx_obj_type_t = uint32_t;
    }
}

c_consts! {
    /// Object types. Gaps are retired types; the ABI promises fewer than 64 types.
    pub const OBJECT_TYPE_CONSTS: dec = {
        ZX_OBJ_TYPE_NONE: zx_obj_type_t = 0;
        ZX_OBJ_TYPE_PROCESS: zx_obj_type_t = 1;
        ZX_OBJ_TYPE_THREAD: zx_obj_type_t = 2;
        ZX_OBJ_TYPE_VMO: zx_obj_type_t = 3;
        ZX_OBJ_TYPE_CHANNEL: zx_obj_type_t = 4;
        ZX_OBJ_TYPE_EVENT: zx_obj_type_t = 5;
        ZX_OBJ_TYPE_PORT: zx_obj_type_t = 6;
        ZX_OBJ_TYPE_INTERRUPT: zx_obj_type_t = 9;
        ZX_OBJ_TYPE_PCI_DEVICE: zx_obj_type_t = 11;
        ZX_OBJ_TYPE_DEBUGLOG: zx_obj_type_t = 12;
        ZX_OBJ_TYPE_SOCKET: zx_obj_type_t = 14;
        ZX_OBJ_TYPE_RESOURCE: zx_obj_type_t = 15;
        ZX_OBJ_TYPE_EVENTPAIR: zx_obj_type_t = 16;
        ZX_OBJ_TYPE_JOB: zx_obj_type_t = 17;
        ZX_OBJ_TYPE_VMAR: zx_obj_type_t = 18;
        ZX_OBJ_TYPE_FIFO: zx_obj_type_t = 19;
        ZX_OBJ_TYPE_GUEST: zx_obj_type_t = 20;
        ZX_OBJ_TYPE_VCPU: zx_obj_type_t = 21;
        ZX_OBJ_TYPE_TIMER: zx_obj_type_t = 22;
        ZX_OBJ_TYPE_IOMMU: zx_obj_type_t = 23;
        ZX_OBJ_TYPE_BTI: zx_obj_type_t = 24;
        ZX_OBJ_TYPE_PROFILE: zx_obj_type_t = 25;
        ZX_OBJ_TYPE_PMT: zx_obj_type_t = 26;
        ZX_OBJ_TYPE_SUSPEND_TOKEN: zx_obj_type_t = 27;
        ZX_OBJ_TYPE_PAGER: zx_obj_type_t = 28;
        ZX_OBJ_TYPE_EXCEPTION: zx_obj_type_t = 29;
        ZX_OBJ_TYPE_CLOCK: zx_obj_type_t = 30;
        ZX_OBJ_TYPE_STREAM: zx_obj_type_t = 31;
        ZX_OBJ_TYPE_MSI: zx_obj_type_t = 32;
        ZX_OBJ_TYPE_IOB: zx_obj_type_t = 33;
        /// The older name of `ZX_OBJ_TYPE_DEBUGLOG`.
        ZX_OBJ_TYPE_LOG: zx_obj_type_t = ZX_OBJ_TYPE_DEBUGLOG;
        /// Every object type is below this.
        ZX_OBJ_TYPE_UPPER_BOUND: zx_obj_type_t = 64;
    }
}
