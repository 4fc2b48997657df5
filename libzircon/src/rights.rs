//! Handle rights (`<zircon/rights.h>`): what a handle lets its holder do.

use crate::ctypes::*;

c_typedefs! {
    /// Rights.
    pub const RIGHTS_TYPEDEFS = {
        /// A set of `ZX_RIGHT_*` bits.
        zx_rights_t = uint32_t;
    }
}

c_consts! {
    /// Single rights.
    pub const RIGHT_CONSTS: hex = {
        ZX_RIGHT_NONE: zx_rights_t = 0;
        ZX_RIGHT_DUPLICATE: zx_rights_t = bit(0);
        ZX_RIGHT_TRANSFER: zx_rights_t = bit(1);
        ZX_RIGHT_READ: zx_rights_t = bit(2);
        ZX_RIGHT_WRITE: zx_rights_t = bit(3);
        ZX_RIGHT_EXECUTE: zx_rights_t = bit(4);
        ZX_RIGHT_MAP: zx_rights_t = bit(5);
        ZX_RIGHT_GET_PROPERTY: zx_rights_t = bit(6);
        ZX_RIGHT_SET_PROPERTY: zx_rights_t = bit(7);
        ZX_RIGHT_ENUMERATE: zx_rights_t = bit(8);
        ZX_RIGHT_DESTROY: zx_rights_t = bit(9);
        ZX_RIGHT_SET_POLICY: zx_rights_t = bit(10);
        ZX_RIGHT_GET_POLICY: zx_rights_t = bit(11);
        ZX_RIGHT_SIGNAL: zx_rights_t = bit(12);
        ZX_RIGHT_SIGNAL_PEER: zx_rights_t = bit(13);
        ZX_RIGHT_WAIT: zx_rights_t = bit(14);
        ZX_RIGHT_INSPECT: zx_rights_t = bit(15);
        ZX_RIGHT_MANAGE_JOB: zx_rights_t = bit(16);
        ZX_RIGHT_MANAGE_PROCESS: zx_rights_t = bit(17);
        ZX_RIGHT_MANAGE_THREAD: zx_rights_t = bit(18);
        ZX_RIGHT_APPLY_PROFILE: zx_rights_t = bit(19);
        ZX_RIGHT_MANAGE_SOCKET: zx_rights_t = bit(20);
        ZX_RIGHT_OP_CHILDREN: zx_rights_t = bit(21);
        /// Needed by `zx_vmo_set_size` on a resizable VMO; resizable VMOs get it at creation.
        ZX_RIGHT_RESIZE: zx_rights_t = bit(22);
        ZX_RIGHT_ATTACH_VMO: zx_rights_t = bit(23);
        ZX_RIGHT_MANAGE_VMO: zx_rights_t = bit(24);
        /// Not a right: asks `zx_handle_duplicate`/`zx_handle_replace` to keep the rights.
        ZX_RIGHT_SAME_RIGHTS: zx_rights_t = bit(31);
    }
}

c_consts! {
    /// Rights that usually go together.
    pub const RIGHT_GROUP_CONSTS: hex = {
        ZX_RIGHTS_BASIC: zx_rights_t =
            ZX_RIGHT_TRANSFER | ZX_RIGHT_DUPLICATE | ZX_RIGHT_WAIT | ZX_RIGHT_INSPECT;
        ZX_RIGHTS_IO: zx_rights_t = ZX_RIGHT_READ | ZX_RIGHT_WRITE;
        ZX_RIGHTS_PROPERTY: zx_rights_t = ZX_RIGHT_GET_PROPERTY | ZX_RIGHT_SET_PROPERTY;
        ZX_RIGHTS_POLICY: zx_rights_t = ZX_RIGHT_GET_POLICY | ZX_RIGHT_SET_POLICY;
    }
}

c_consts! {
    /// The rights a new handle gets, per object type.
    pub const DEFAULT_RIGHT_CONSTS: hex = {
        ZX_DEFAULT_CHANNEL_RIGHTS: zx_rights_t = (ZX_RIGHTS_BASIC & !ZX_RIGHT_DUPLICATE)
            | ZX_RIGHTS_IO
            | ZX_RIGHT_SIGNAL
            | ZX_RIGHT_SIGNAL_PEER;
        ZX_DEFAULT_EVENT_RIGHTS: zx_rights_t = ZX_RIGHTS_BASIC | ZX_RIGHT_SIGNAL;
        ZX_DEFAULT_SYSTEM_EVENT_LOW_MEMORY_RIGHTS: zx_rights_t =
            ZX_RIGHT_WAIT | ZX_RIGHT_DUPLICATE | ZX_RIGHT_TRANSFER;
        ZX_DEFAULT_EVENTPAIR_RIGHTS: zx_rights_t =
            ZX_RIGHTS_BASIC | ZX_RIGHT_SIGNAL | ZX_RIGHT_SIGNAL_PEER;
        ZX_DEFAULT_FIFO_RIGHTS: zx_rights_t =
            ZX_RIGHTS_BASIC | ZX_RIGHTS_IO | ZX_RIGHT_SIGNAL | ZX_RIGHT_SIGNAL_PEER;
        ZX_DEFAULT_GUEST_RIGHTS: zx_rights_t = ZX_RIGHT_TRANSFER
            | ZX_RIGHT_DUPLICATE
            | ZX_RIGHT_WRITE
            | ZX_RIGHT_INSPECT
            | ZX_RIGHT_MANAGE_THREAD;
        ZX_DEFAULT_INTERRUPT_RIGHTS: zx_rights_t = ZX_RIGHTS_BASIC | ZX_RIGHTS_IO | ZX_RIGHT_SIGNAL;
        ZX_DEFAULT_JOB_RIGHTS: zx_rights_t = ZX_RIGHTS_BASIC
            | ZX_RIGHTS_IO
            | ZX_RIGHTS_PROPERTY
            | ZX_RIGHTS_POLICY
            | ZX_RIGHT_ENUMERATE
            | ZX_RIGHT_DESTROY
            | ZX_RIGHT_SIGNAL
            | ZX_RIGHT_MANAGE_JOB
            | ZX_RIGHT_MANAGE_PROCESS
            | ZX_RIGHT_MANAGE_THREAD;
        ZX_DEFAULT_LOG_RIGHTS: zx_rights_t = ZX_RIGHTS_BASIC | ZX_RIGHT_WRITE | ZX_RIGHT_SIGNAL;
        ZX_DEFAULT_MSI_RIGHTS: zx_rights_t = ZX_RIGHTS_BASIC;
        ZX_DEFAULT_PCI_DEVICE_RIGHTS: zx_rights_t = ZX_RIGHTS_BASIC | ZX_RIGHTS_IO;
        ZX_DEFAULT_PCI_INTERRUPT_RIGHTS: zx_rights_t =
            ZX_RIGHTS_BASIC | ZX_RIGHTS_IO | ZX_RIGHT_SIGNAL;
        ZX_DEFAULT_PORT_RIGHTS: zx_rights_t = (ZX_RIGHTS_BASIC & !ZX_RIGHT_WAIT) | ZX_RIGHTS_IO;
        ZX_DEFAULT_PROCESS_RIGHTS: zx_rights_t = ZX_RIGHTS_BASIC
            | ZX_RIGHTS_IO
            | ZX_RIGHTS_PROPERTY
            | ZX_RIGHT_ENUMERATE
            | ZX_RIGHT_DESTROY
            | ZX_RIGHT_SIGNAL
            | ZX_RIGHT_MANAGE_PROCESS
            | ZX_RIGHT_MANAGE_THREAD;
        ZX_DEFAULT_RESOURCE_RIGHTS: zx_rights_t =
            ZX_RIGHT_TRANSFER | ZX_RIGHT_DUPLICATE | ZX_RIGHT_WRITE | ZX_RIGHT_INSPECT;
        ZX_DEFAULT_SOCKET_RIGHTS: zx_rights_t = ZX_RIGHTS_BASIC
            | ZX_RIGHTS_IO
            | ZX_RIGHT_GET_PROPERTY
            | ZX_RIGHT_SET_PROPERTY
            | ZX_RIGHT_SIGNAL
            | ZX_RIGHT_SIGNAL_PEER
            | ZX_RIGHT_MANAGE_SOCKET;
        ZX_DEFAULT_STREAM_RIGHTS: zx_rights_t =
            ZX_RIGHTS_BASIC | ZX_RIGHTS_PROPERTY | ZX_RIGHT_SIGNAL;
        ZX_DEFAULT_THREAD_RIGHTS: zx_rights_t = ZX_RIGHTS_BASIC
            | ZX_RIGHTS_IO
            | ZX_RIGHTS_PROPERTY
            | ZX_RIGHT_DESTROY
            | ZX_RIGHT_SIGNAL
            | ZX_RIGHT_MANAGE_THREAD;
        ZX_DEFAULT_TIMER_RIGHTS: zx_rights_t = ZX_RIGHTS_BASIC | ZX_RIGHT_WRITE | ZX_RIGHT_SIGNAL;
        ZX_DEFAULT_VCPU_RIGHTS: zx_rights_t =
            ZX_RIGHTS_BASIC | ZX_RIGHTS_IO | ZX_RIGHT_EXECUTE | ZX_RIGHT_SIGNAL;
        /// A VMAR handle cannot be waited on.
        ZX_DEFAULT_VMAR_RIGHTS: zx_rights_t =
            (ZX_RIGHTS_BASIC & !ZX_RIGHT_WAIT) | ZX_RIGHT_OP_CHILDREN;
        /// A resizable VMO's handle also gets `ZX_RIGHT_RESIZE`.
        ZX_DEFAULT_VMO_RIGHTS: zx_rights_t = ZX_RIGHTS_BASIC
            | ZX_RIGHTS_IO
            | ZX_RIGHTS_PROPERTY
            | ZX_RIGHT_MAP
            | ZX_RIGHT_SIGNAL;
        ZX_DEFAULT_IOMMU_RIGHTS: zx_rights_t = ZX_RIGHTS_BASIC & !ZX_RIGHT_WAIT;
        ZX_DEFAULT_BTI_RIGHTS: zx_rights_t = (ZX_RIGHTS_BASIC & !ZX_RIGHT_WAIT)
            | ZX_RIGHTS_IO
            | ZX_RIGHTS_PROPERTY
            | ZX_RIGHT_MAP;
        ZX_DEFAULT_PROFILE_RIGHTS: zx_rights_t =
            (ZX_RIGHTS_BASIC & !ZX_RIGHT_WAIT) | ZX_RIGHT_APPLY_PROFILE;
        ZX_DEFAULT_PMT_RIGHTS: zx_rights_t = ZX_RIGHT_INSPECT;
        ZX_DEFAULT_SUSPEND_TOKEN_RIGHTS: zx_rights_t = ZX_RIGHT_TRANSFER | ZX_RIGHT_INSPECT;
        ZX_DEFAULT_PAGER_RIGHTS: zx_rights_t = ZX_RIGHT_INSPECT
            | ZX_RIGHT_TRANSFER
            | ZX_RIGHT_ATTACH_VMO
            | ZX_RIGHT_MANAGE_VMO;
        ZX_DEFAULT_EXCEPTION_RIGHTS: zx_rights_t =
            ZX_RIGHT_TRANSFER | ZX_RIGHTS_PROPERTY | ZX_RIGHT_INSPECT;
        ZX_DEFAULT_CLOCK_RIGHTS: zx_rights_t = ZX_RIGHTS_BASIC | ZX_RIGHTS_IO;
    }
}
