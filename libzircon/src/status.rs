//! Status codes (`<zircon/errors.h>`) and [`Status`], their Rust face.
//!
//! The kernel works with `Result<T, Status>` from the object layer up and turns it into
//! a `zx_status_t` only at the syscall boundary ([`Status::from_result`]).

use core::ffi::CStr;
use core::fmt;

pub use crate::types::zx_status_t;

/// One status code in the C header: its names and value.
#[derive(Debug)]
pub struct StatusCode {
    /// The C name, e.g. `ZX_ERR_BAD_HANDLE`.
    pub name: &'static str,
    /// The same, NUL-terminated, for `zx_status_get_string`.
    pub c_name: &'static CStr,
    pub value: zx_status_t,
    pub doc: &'static str,
}

/// A Zircon status: `OK` or one of the `ZX_ERR_*` codes.
///
/// Any `zx_status_t` can be held (user space may pass values the kernel does not
/// know); the associated constants are the ones the ABI defines.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[repr(transparent)]
pub struct Status(zx_status_t);

macro_rules! status_codes {
    ($( $(#[doc = $doc:literal])* $c_name:ident / $name:ident = $value:literal; )*) => {
        $( $(#[doc = $doc])* pub const $c_name: zx_status_t = $value; )*

        impl Status {
            $( $(#[doc = $doc])* pub const $name: Status = Status($c_name); )*
        }

        /// Every status code, in the order of `<zircon/errors.h>`.
        pub const STATUS_CODES: &[StatusCode] = &[
            $( StatusCode {
                name: stringify!($c_name),
                c_name: match CStr::from_bytes_with_nul(
                    concat!(stringify!($c_name), "\0").as_bytes(),
                ) {
                    Ok(name) => name,
                    Err(_) => panic!("a status name holds a NUL"),
                },
                value: $value,
                doc: concat!($($doc, "\n"),*),
            } ),*
        ];
    };
}

status_codes! {
    /// Success.
    ZX_OK / OK = 0;
    /// Something failed that no other code describes.
    ZX_ERR_INTERNAL / INTERNAL = -1;
    /// Not implemented, not supported, or not enabled.
    ZX_ERR_NOT_SUPPORTED / NOT_SUPPORTED = -2;
    /// A resource other than memory ran out.
    ZX_ERR_NO_RESOURCES / NO_RESOURCES = -3;
    /// Memory ran out.
    ZX_ERR_NO_MEMORY / NO_MEMORY = -4;
    /// Kernel-internal: the call was interrupted and is to be issued again. The stubs
    /// retry on it, so programs never see it.
    ZX_ERR_INTERNAL_INTR_RETRY / INTERNAL_INTR_RETRY = -6;
    /// An argument is invalid, e.g. a bad pointer.
    ZX_ERR_INVALID_ARGS / INVALID_ARGS = -10;
    /// The handle value names no handle of the calling process.
    ZX_ERR_BAD_HANDLE / BAD_HANDLE = -11;
    /// The object is not of the type the operation needs.
    ZX_ERR_WRONG_TYPE / WRONG_TYPE = -12;
    /// No system call has this number.
    ZX_ERR_BAD_SYSCALL / BAD_SYSCALL = -13;
    /// An argument lies outside the range the operation accepts.
    ZX_ERR_OUT_OF_RANGE / OUT_OF_RANGE = -14;
    /// The caller's buffer cannot hold the result.
    ZX_ERR_BUFFER_TOO_SMALL / BUFFER_TOO_SMALL = -15;
    /// The object's state, or an unmet precondition, forbids the operation.
    ZX_ERR_BAD_STATE / BAD_STATE = -20;
    /// The deadline passed first.
    ZX_ERR_TIMED_OUT / TIMED_OUT = -21;
    /// Not possible now; waiting for a signal may make it possible.
    ZX_ERR_SHOULD_WAIT / SHOULD_WAIT = -22;
    /// The operation (e.g. a wait) was canceled.
    ZX_ERR_CANCELED / CANCELED = -23;
    /// The other end of the object is closed.
    ZX_ERR_PEER_CLOSED / PEER_CLOSED = -24;
    /// The thing asked for does not exist.
    ZX_ERR_NOT_FOUND / NOT_FOUND = -25;
    /// Something with that identity exists already.
    ZX_ERR_ALREADY_EXISTS / ALREADY_EXISTS = -26;
    /// Someone else owns or controls the thing; it may be released later.
    ZX_ERR_ALREADY_BOUND / ALREADY_BOUND = -27;
    /// Not possible now, and there is no signal to wait for: try again.
    ZX_ERR_UNAVAILABLE / UNAVAILABLE = -28;
    /// The caller lacks the permission, e.g. a right on the handle.
    ZX_ERR_ACCESS_DENIED / ACCESS_DENIED = -30;
    /// An I/O error.
    ZX_ERR_IO / IO = -40;
    /// The device refused the operation.
    ZX_ERR_IO_REFUSED / IO_REFUSED = -41;
    /// The data failed an integrity check.
    ZX_ERR_IO_DATA_INTEGRITY / IO_DATA_INTEGRITY = -42;
    /// The data is unavailable, perhaps for good.
    ZX_ERR_IO_DATA_LOSS / IO_DATA_LOSS = -43;
    /// The device is gone.
    ZX_ERR_IO_NOT_PRESENT / IO_NOT_PRESENT = -44;
    /// The device sent more data than expected.
    ZX_ERR_IO_OVERRUN / IO_OVERRUN = -45;
    /// The operation missed its deadline.
    ZX_ERR_IO_MISSED_DEADLINE / IO_MISSED_DEADLINE = -46;
    /// The device reported invalid data or parameters.
    ZX_ERR_IO_INVALID / IO_INVALID = -47;
    /// A path is too long.
    ZX_ERR_BAD_PATH / BAD_PATH = -50;
    /// Not a directory.
    ZX_ERR_NOT_DIR / NOT_DIR = -51;
    /// Not a regular file.
    ZX_ERR_NOT_FILE / NOT_FILE = -52;
    /// A file would grow past its size limit.
    ZX_ERR_FILE_BIG / FILE_BIG = -53;
    /// No space left.
    ZX_ERR_NO_SPACE / NO_SPACE = -54;
    /// The directory is not empty.
    ZX_ERR_NOT_EMPTY / NOT_EMPTY = -55;
    /// Flow control for callbacks, never returned by a syscall: stop iterating.
    ZX_ERR_STOP / STOP = -60;
    /// Flow control for callbacks, never returned by a syscall: go on to the next item.
    ZX_ERR_NEXT / NEXT = -61;
    /// Flow control for callbacks, never returned by a syscall: an asynchronous worker
    /// took over.
    ZX_ERR_ASYNC / ASYNC = -62;
    /// The protocol is not supported.
    ZX_ERR_PROTOCOL_NOT_SUPPORTED / PROTOCOL_NOT_SUPPORTED = -70;
    /// The host is unreachable.
    ZX_ERR_ADDRESS_UNREACHABLE / ADDRESS_UNREACHABLE = -71;
    /// The address is in use.
    ZX_ERR_ADDRESS_IN_USE / ADDRESS_IN_USE = -72;
    /// Not connected.
    ZX_ERR_NOT_CONNECTED / NOT_CONNECTED = -73;
    /// The peer refused the connection.
    ZX_ERR_CONNECTION_REFUSED / CONNECTION_REFUSED = -74;
    /// The connection was reset.
    ZX_ERR_CONNECTION_RESET / CONNECTION_RESET = -75;
    /// The connection was aborted.
    ZX_ERR_CONNECTION_ABORTED / CONNECTION_ABORTED = -76;
    /// Kernel-internal: the thread is being killed. Programs never see it.
    ZX_ERR_INTERNAL_INTR_KILLED / INTERNAL_INTR_KILLED = -502;
}

impl Status {
    /// The status with this raw value (known to the ABI or not).
    pub const fn from_raw(raw: zx_status_t) -> Status {
        Status(raw)
    }

    /// The raw value, as a syscall returns it.
    pub const fn into_raw(self) -> zx_status_t {
        self.0
    }

    pub const fn is_ok(self) -> bool {
        self.0 == ZX_OK
    }

    /// `Ok(())` for `ZX_OK`, otherwise `Err` of the status: for results of syscalls.
    pub const fn ok(raw: zx_status_t) -> Result<(), Status> {
        if raw == ZX_OK {
            Ok(())
        } else {
            Err(Status(raw))
        }
    }

    /// The status a result ends in: `OK` for `Ok`, the error otherwise.
    pub fn from_result<T>(result: &Result<T, Status>) -> Status {
        match result {
            Ok(_) => Status::OK,
            Err(status) => *status,
        }
    }

    /// The C name (`ZX_ERR_BAD_HANDLE`), or `None` for a value the ABI does not define.
    pub fn name(self) -> Option<&'static str> {
        self.code().map(|code| code.name)
    }

    /// What `zx_status_get_string` answers: the C name, or `(UNKNOWN)` for a value the
    /// ABI does not define.
    pub fn c_name(self) -> &'static CStr {
        self.code().map_or(c"(UNKNOWN)", |code| code.c_name)
    }

    fn code(self) -> Option<&'static StatusCode> {
        STATUS_CODES.iter().find(|code| code.value == self.0)
    }
}

impl From<Status> for zx_status_t {
    fn from(status: Status) -> zx_status_t {
        status.0
    }
}

impl fmt::Debug for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{name} ({})", self.0),
            None => write!(f, "unknown status ({})", self.0),
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_fuchsia_values() {
        assert_eq!(ZX_OK, 0);
        assert_eq!(ZX_ERR_INTERNAL_INTR_RETRY, -6);
        assert_eq!(ZX_ERR_INVALID_ARGS, -10);
        assert_eq!(ZX_ERR_BAD_HANDLE, -11);
        assert_eq!(ZX_ERR_WRONG_TYPE, -12);
        assert_eq!(ZX_ERR_BAD_SYSCALL, -13);
        assert_eq!(ZX_ERR_OUT_OF_RANGE, -14);
        assert_eq!(ZX_ERR_BUFFER_TOO_SMALL, -15);
        assert_eq!(ZX_ERR_BAD_STATE, -20);
        assert_eq!(ZX_ERR_NOT_FOUND, -25);
        assert_eq!(ZX_ERR_UNAVAILABLE, -28);
        assert_eq!(ZX_ERR_ACCESS_DENIED, -30);
        assert_eq!(ZX_ERR_CONNECTION_ABORTED, -76);
        assert_eq!(ZX_ERR_INTERNAL_INTR_KILLED, -502);
        assert_eq!(STATUS_CODES.len(), 47);
    }

    #[test]
    fn codes_are_unique_and_in_the_valid_range() {
        for (i, a) in STATUS_CODES.iter().enumerate() {
            assert!((-(1 << 30)..=0).contains(&a.value), "{}", a.name);
            for b in &STATUS_CODES[i + 1..] {
                assert_ne!(a.value, b.value, "{} and {}", a.name, b.name);
                assert_ne!(a.name, b.name);
            }
        }
    }

    #[test]
    fn ok_and_from_result_round_trip() {
        assert_eq!(Status::ok(ZX_OK), Ok(()));
        assert_eq!(Status::ok(ZX_ERR_NO_MEMORY), Err(Status::NO_MEMORY));
        assert_eq!(Status::from_result(&Ok::<u8, Status>(3)), Status::OK);
        assert_eq!(
            Status::from_result(&Err::<(), _>(Status::BAD_STATE)).into_raw(),
            -20
        );
        assert!(Status::OK.is_ok() && !Status::BAD_HANDLE.is_ok());
    }

    #[test]
    fn debug_names_known_and_unknown_codes() {
        assert_eq!(
            format!("{:?}", Status::BAD_HANDLE),
            "ZX_ERR_BAD_HANDLE (-11)"
        );
        assert_eq!(format!("{}", Status::from_raw(-5)), "unknown status (-5)");
        assert_eq!(Status::ACCESS_DENIED.name(), Some("ZX_ERR_ACCESS_DENIED"));
        assert_eq!(Status::OK.c_name(), c"ZX_OK");
        assert_eq!(Status::from_raw(7).c_name(), c"(UNKNOWN)");
    }
}
