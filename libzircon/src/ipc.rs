//! Channels and ports: message and packet layouts (`<zircon/types.h>` and
//! `<zircon/syscalls/port.h>`), digest part 2, sections 5 and 6.
//!
//! Structs with pointers or unions are declared twice, as Fuchsia's headers have them:
//! the Rust view (pointers as `uint64_t` user addresses, unions as the bytes they
//! cover) with `c_struct!`, and a hand-written C definition in `cgen::c_text` whose
//! layout the check file pins to the Rust one.

use crate::cdef::AbiStruct;
use crate::ctypes::*;
use crate::object_type::zx_obj_type_t;
use crate::rights::zx_rights_t;
use crate::signals::zx_signals_t;
use crate::time::zx_time_t;
use crate::types::{zx_handle_t, zx_status_t};

c_typedefs! {
    /// Channel messages.
    pub const CHANNEL_TYPEDEFS = {
        /// A channel message's transaction id: its first four bytes.
        zx_txid_t = uint32_t;
        /// What `zx_channel_write_etc` does with one handle (`ZX_HANDLE_OP_*`).
        zx_handle_op_t = uint32_t;
    }
}

c_consts! {
    /// Channel limits and options.
    pub const CHANNEL_CONSTS: dec = {
        /// The most bytes one message may carry.
        ZX_CHANNEL_MAX_MSG_BYTES: uint32_t = 65536;
        /// The most handles one message may carry.
        ZX_CHANNEL_MAX_MSG_HANDLES: uint32_t = 64;
        /// The most iovecs one `ZX_CHANNEL_WRITE_USE_IOVEC` write may gather.
        ZX_CHANNEL_MAX_MSG_IOVECS: uint32_t = 8192;
        /// `zx_channel_read`: a message too large for the buffers is dropped, not kept.
        ZX_CHANNEL_READ_MAY_DISCARD: uint32_t = 1;
        /// `zx_channel_write`: `bytes` is an array of `zx_channel_iovec_t`.
        ZX_CHANNEL_WRITE_USE_IOVEC: uint32_t = 2;
        /// A disposition moves the handle into the message.
        ZX_HANDLE_OP_MOVE: zx_handle_op_t = 0;
        /// A disposition puts a duplicate in the message and keeps the handle.
        ZX_HANDLE_OP_DUPLICATE: zx_handle_op_t = 1;
    }
}

c_struct! {
    /// A handle read by `zx_channel_read_etc`: its value, object type and rights.
    pub struct zx_handle_info_t (zx_handle_info) {
        pub handle: zx_handle_t,
        pub r#type: zx_obj_type_t,
        pub rights: zx_rights_t,
        pub unused: uint32_t,
    }
}

c_struct! {
    /// One handle for `zx_channel_write_etc`: what to do with it, the type it must
    /// have (`ZX_OBJ_TYPE_NONE` for any), the rights it carries, and (written back on
    /// failure) what became of it.
    pub struct zx_handle_disposition_t (zx_handle_disposition) {
        pub operation: zx_handle_op_t,
        pub handle: zx_handle_t,
        pub r#type: zx_obj_type_t,
        pub rights: zx_rights_t,
        pub result: zx_status_t,
    }
}

c_struct! {
    /// `zx_channel_call`'s buffers (pointers are user addresses here; C sees pointers).
    pub struct zx_channel_call_args_t (zx_channel_call_args) {
        pub wr_bytes: uint64_t,
        pub wr_handles: uint64_t,
        pub rd_bytes: uint64_t,
        pub rd_handles: uint64_t,
        pub wr_num_bytes: uint32_t,
        pub wr_num_handles: uint32_t,
        pub rd_num_bytes: uint32_t,
        pub rd_num_handles: uint32_t,
    }
}

c_struct! {
    /// `zx_channel_call_etc`'s buffers: handle dispositions out, handle infos in.
    pub struct zx_channel_call_etc_args_t (zx_channel_call_etc_args) {
        pub wr_bytes: uint64_t,
        pub wr_handles: uint64_t,
        pub rd_bytes: uint64_t,
        pub rd_handles: uint64_t,
        pub wr_num_bytes: uint32_t,
        pub wr_num_handles: uint32_t,
        pub rd_num_bytes: uint32_t,
        pub rd_num_handles: uint32_t,
    }
}

c_struct! {
    /// One piece of a `ZX_CHANNEL_WRITE_USE_IOVEC` message.
    pub struct zx_channel_iovec_t (zx_channel_iovec) {
        pub buffer: uint64_t,
        pub capacity: uint32_t,
        pub reserved: uint32_t,
    }
}

c_consts! {
    /// `zx_object_wait_async` options.
    pub const WAIT_ASYNC_CONSTS: hex = {
        /// Queue one packet, once (the only mode; the name is the zero value).
        ZX_WAIT_ASYNC_ONCE: uint32_t = 0;
        /// Record when the signal rose in the packet.
        ZX_WAIT_ASYNC_TIMESTAMP: uint32_t = bit(0);
        /// Fire only on a later rise of a signal, not on one already up.
        ZX_WAIT_ASYNC_EDGE: uint32_t = bit(1);
    }
}

c_typedefs! {
    /// Port packets.
    pub const PORT_TYPEDEFS = {
        /// A packet's kind (`ZX_PKT_TYPE_*`).
        zx_packet_type_t = uint32_t;
    }
}

c_consts! {
    /// Port options and packet kinds.
    pub const PORT_CONSTS: hex = {
        /// `zx_port_create`: the port may be bound to interrupts.
        ZX_PORT_BIND_TO_INTERRUPT: uint32_t = bit(0);
        /// Queued by `zx_port_queue`.
        ZX_PKT_TYPE_USER: zx_packet_type_t = 0x00;
        /// A `zx_object_wait_async` registration fired.
        ZX_PKT_TYPE_SIGNAL_ONE: zx_packet_type_t = 0x01;
        ZX_PKT_TYPE_GUEST_BELL: zx_packet_type_t = 0x03;
        ZX_PKT_TYPE_GUEST_MEM: zx_packet_type_t = 0x04;
        ZX_PKT_TYPE_GUEST_IO: zx_packet_type_t = 0x05;
        ZX_PKT_TYPE_GUEST_VCPU: zx_packet_type_t = 0x06;
        ZX_PKT_TYPE_INTERRUPT: zx_packet_type_t = 0x07;
        /// A pager's page request.
        ZX_PKT_TYPE_PAGE_REQUEST: zx_packet_type_t = 0x09;
    }
}

c_struct! {
    /// A signal packet's payload.
    pub struct zx_packet_signal_t (zx_packet_signal) {
        /// The signals the wait was registered for.
        pub trigger: zx_signals_t,
        /// All the object's signals when the wait fired.
        pub observed: zx_signals_t,
        /// Always 1.
        pub count: uint64_t,
        /// When it fired, with `ZX_WAIT_ASYNC_TIMESTAMP`; else 0.
        pub timestamp: zx_time_t,
        pub reserved1: uint64_t,
    }
}

c_struct! {
    /// An interrupt packet's payload.
    pub struct zx_packet_interrupt_t (zx_packet_interrupt) {
        pub timestamp: zx_time_t,
        pub reserved0: uint64_t,
        pub reserved1: uint64_t,
        pub reserved2: uint64_t,
    }
}

c_struct! {
    /// A page request's payload (pagers).
    pub struct zx_packet_page_request_t (zx_packet_page_request) {
        pub command: uint16_t,
        pub flags: uint16_t,
        pub reserved0: uint32_t,
        pub offset: uint64_t,
        pub length: uint64_t,
        pub reserved1: uint64_t,
    }
}

c_struct! {
    /// A port packet. The Rust view keeps the 32-byte payload union as words; C sees
    /// the union of `user`, `signal`, `interrupt` and `page_request`.
    pub struct zx_port_packet_t (zx_port_packet) {
        pub key: uint64_t,
        pub r#type: zx_packet_type_t,
        pub status: zx_status_t,
        pub payload: [uint64_t; 4],
    }
}

impl zx_port_packet_t {
    /// The payload read as a signal packet's.
    pub fn signal(&self) -> zx_packet_signal_t {
        zx_packet_signal_t {
            trigger: self.payload[0] as u32,
            observed: (self.payload[0] >> 32) as u32,
            count: self.payload[1],
            timestamp: self.payload[2] as i64,
            reserved1: self.payload[3],
        }
    }

    /// A signal packet.
    pub fn from_signal(key: u64, signal: zx_packet_signal_t) -> Self {
        zx_port_packet_t {
            key,
            r#type: ZX_PKT_TYPE_SIGNAL_ONE,
            status: 0,
            payload: [
                u64::from(signal.trigger) | (u64::from(signal.observed) << 32),
                signal.count,
                signal.timestamp as u64,
                signal.reserved1,
            ],
        }
    }
}

/// The C layout of `zx_port_packet_t` (a union the generic description cannot say):
/// every union member at offset 16, 32 bytes.
pub const ZX_PORT_PACKET_C: crate::cdef::CStruct = {
    const fn member(name: &'static str, c_type: &'static str) -> crate::cdef::CField {
        crate::cdef::CField {
            name,
            c_type,
            array_len: None,
            offset: 16,
            size: 32,
            doc: "",
        }
    }
    const FIELDS: [crate::cdef::CField; 7] = [
        zx_port_packet_t::C.fields[0],
        zx_port_packet_t::C.fields[1],
        zx_port_packet_t::C.fields[2],
        member("user", "zx_packet_user_t"),
        member("signal", "zx_packet_signal_t"),
        member("interrupt", "zx_packet_interrupt_t"),
        member("page_request", "zx_packet_page_request_t"),
    ];
    crate::cdef::CStruct {
        fields: &FIELDS,
        ..zx_port_packet_t::C
    }
};

const _: () = {
    assert!(size_of::<zx_handle_info_t>() == 16);
    assert!(size_of::<zx_handle_disposition_t>() == 20);
    assert!(core::mem::offset_of!(zx_handle_disposition_t, result) == 16);
    assert!(size_of::<zx_channel_call_args_t>() == 48);
    assert!(core::mem::offset_of!(zx_channel_call_args_t, wr_num_bytes) == 32);
    assert!(core::mem::offset_of!(zx_channel_call_args_t, rd_num_handles) == 44);
    assert!(size_of::<zx_channel_iovec_t>() == 16);
    assert!(size_of::<zx_packet_signal_t>() == 32);
    assert!(size_of::<zx_packet_page_request_t>() == 32);
    assert!(size_of::<zx_port_packet_t>() == 48);
    assert!(core::mem::offset_of!(zx_port_packet_t, payload) == 16);
};
