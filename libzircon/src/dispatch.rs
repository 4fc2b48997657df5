//! The kernel's side of the syscall table: [`SyscallHandler`], one typed method per
//! kernel syscall, and [`dispatch`], which decodes the saved registers and calls it.
//!
//! Both are expanded from [`zx_syscall_table!`](crate::zx_syscall_table), so a new
//! table entry becomes a new trait method, and the kernel does not build until it
//! implements it. The kernel's SVC handler passes `x16` and a copy of `x0`-`x7` from
//! the saved frame and writes the result back to `x0`; `None` means no syscall has that
//! number, and the caller is killed (digest decision 5).
//!
//! Pointers from user space arrive as [`UserPtr`]/[`UserPtrMut`]: addresses that only the
//! kernel's user-copy routines may touch.

use core::fmt;
use core::marker::PhantomData;

use crate::prelude::*;

/// A user-space address of a `T` (or of `T`s) that the kernel reads: a `const T*`
/// parameter. It is only a number; dereferencing it is the user-copy code's job.
pub struct UserPtr<T> {
    addr: usize,
    _points_to: PhantomData<fn() -> T>,
}

/// A user-space address of a `T` (or of `T`s) that the kernel writes: a `T*` parameter.
pub struct UserPtrMut<T> {
    addr: usize,
    _points_to: PhantomData<fn() -> T>,
}

macro_rules! user_pointer_impls {
    ($ptr:ident) => {
        impl<T> $ptr<T> {
            pub const fn from_addr(addr: usize) -> Self {
                $ptr {
                    addr,
                    _points_to: PhantomData,
                }
            }

            pub const fn addr(self) -> usize {
                self.addr
            }

            pub const fn is_null(self) -> bool {
                self.addr == 0
            }

            /// The same address, pointing to a `U`.
            pub const fn cast<U>(self) -> $ptr<U> {
                $ptr::from_addr(self.addr)
            }

            /// The address `bytes` further on; None if that wraps (which no user
            /// range can).
            pub const fn checked_byte_add(self, bytes: usize) -> Option<Self> {
                match self.addr.checked_add(bytes) {
                    Some(addr) => Some($ptr::from_addr(addr)),
                    None => None,
                }
            }

            /// The address of element `index` of an array of `T` that starts here;
            /// None if that wraps.
            pub const fn checked_index(self, index: usize) -> Option<Self> {
                match index.checked_mul(core::mem::size_of::<T>()) {
                    Some(bytes) => self.checked_byte_add(bytes),
                    None => None,
                }
            }
        }

        // By hand: deriving would demand `T: Copy` of the pointee.
        impl<T> Clone for $ptr<T> {
            fn clone(&self) -> Self {
                *self
            }
        }
        impl<T> Copy for $ptr<T> {}
        impl<T> PartialEq for $ptr<T> {
            fn eq(&self, other: &Self) -> bool {
                self.addr == other.addr
            }
        }
        impl<T> Eq for $ptr<T> {}

        impl<T> fmt::Debug for $ptr<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($ptr), "({:#x})"), self.addr)
            }
        }
    };
}

user_pointer_impls!(UserPtr);
user_pointer_impls!(UserPtrMut);

impl<T> UserPtrMut<T> {
    /// The same address, for reading: an in/out parameter (`zx_wait_item_t*`) is read
    /// before it is written.
    pub const fn as_const(self) -> UserPtr<T> {
        UserPtr::from_addr(self.addr)
    }
}

/// Decoding of one argument register into a parameter's type.
///
/// AAPCS64 leaves the upper bits of a register holding a narrower argument undefined,
/// so 32-bit parameters keep only the low 32 bits of the register, as C would.
pub trait FromSyscallArg {
    fn from_syscall_arg(raw: u64) -> Self;
}

macro_rules! from_syscall_arg_by_cast {
    ($($t:ty),*) => {
        $( impl FromSyscallArg for $t {
            fn from_syscall_arg(raw: u64) -> Self {
                raw as $t
            }
        } )*
    };
}

from_syscall_arg_by_cast!(u32, i32, u64, i64, usize);

impl<T> FromSyscallArg for UserPtr<T> {
    fn from_syscall_arg(raw: u64) -> Self {
        UserPtr::from_addr(raw as usize)
    }
}

impl<T> FromSyscallArg for UserPtrMut<T> {
    fn from_syscall_arg(raw: u64) -> Self {
        UserPtrMut::from_addr(raw as usize)
    }
}

/// Encoding of a handler's result into `x0`.
pub trait IntoSyscallReturn {
    fn into_syscall_return(self) -> u64;
}

impl IntoSyscallReturn for Result<(), Status> {
    /// The status, sign-extended to 64 bits as Zircon returns it.
    fn into_syscall_return(self) -> u64 {
        Status::from_result(&self).into_raw() as i64 as u64
    }
}

impl IntoSyscallReturn for () {
    fn into_syscall_return(self) -> u64 {
        0
    }
}

impl IntoSyscallReturn for i64 {
    fn into_syscall_return(self) -> u64 {
        self as u64
    }
}

/// A 32-bit value, zero-extended: C reads only `w0`.
impl IntoSyscallReturn for u32 {
    fn into_syscall_return(self) -> u64 {
        self.into()
    }
}

impl IntoSyscallReturn for u64 {
    fn into_syscall_return(self) -> u64 {
        self
    }
}

/// The kernel-side type of a table parameter type.
macro_rules! kernel_arg_type {
    (* const $t:ident) => { UserPtr<$t> };
    (* mut $t:ident) => { UserPtrMut<$t> };
    ($t:ident) => { $t };
}

/// The kernel-side return type of a table return type: handlers return `Result`, and
/// `noreturn` calls return `()` after ending the caller (its thread never resumes).
macro_rules! kernel_return_type {
    (zx_status_t) => { Result<(), Status> };
    (void) => { () };
    ($t:ident) => { $t };
}

macro_rules! define_dispatch {
    (
        kernel { $(
            $(#[doc = $doc:literal])*
            $num:literal $kind:ident $name:ident ( $( $p:ident : $(* $q:ident)? $t:ident ),* )
                -> $ret:ident;
        )* }
        user { $($user:tt)* }
    ) => {
        /// One method per kernel syscall, with the parameters of its C synopsis.
        ///
        /// Implemented by the kernel's syscall layer: look up handles, check arguments in
        /// Zircon's order, call the object. The arguments are exactly what the caller
        /// passed; validating them is the method's job.
        pub trait SyscallHandler {
            $(
                $(#[doc = $doc])*
                // The arity is the syscall's (vmar_map has seven parameters).
                #[allow(clippy::too_many_arguments)]
                fn $name(&mut self $(, $p: kernel_arg_type!($(* $q)? $t))*)
                    -> kernel_return_type!($ret);
            )*
        }

        /// Calls the handler method for syscall `number` with arguments decoded from
        /// `args` (the caller's `x0`-`x7`) and returns the value for `x0`, or `None` when
        /// no syscall has that number.
        pub fn dispatch<H: SyscallHandler + ?Sized>(
            handler: &mut H,
            number: u64,
            args: &[u64; 8],
        ) -> Option<u64> {
            // Arguments are taken in order; no syscall has more than eight (asserted
            // with the table), so the registers never run out.
            #[allow(unused_mut, unused_variables)]
            let mut regs = args.iter().copied();
            let result = match number {
                $( $num => dispatch_arm!(handler, args, regs, $name, $( $p : $(* $q)? $t ),*), )*
                _ => return None,
            };
            Some(result)
        }
    };
}

/// One arm of [`dispatch`]: decodes the arguments and calls the handler's method.
///
/// A syscall with eight parameters is called through an out-of-line shim: with the
/// handler as a ninth argument the call passes one on the stack, and making that call
/// from the dispatcher itself would give it a stack frame that every syscall, the null
/// syscall included, pays for (two instructions).
macro_rules! dispatch_arm {
    ($handler:ident, $args:ident, $regs:ident, $name:ident,
        $p1:ident : $(* $q1:ident)? $t1:ident, $p2:ident : $(* $q2:ident)? $t2:ident,
        $p3:ident : $(* $q3:ident)? $t3:ident, $p4:ident : $(* $q4:ident)? $t4:ident,
        $p5:ident : $(* $q5:ident)? $t5:ident, $p6:ident : $(* $q6:ident)? $t6:ident,
        $p7:ident : $(* $q7:ident)? $t7:ident, $p8:ident : $(* $q8:ident)? $t8:ident) => {{
        #[inline(never)]
        fn shim<H: SyscallHandler + ?Sized>(handler: &mut H, r: &[u64; 8]) -> u64 {
            handler
                .$name(
                    <kernel_arg_type!($(* $q1)? $t1) as FromSyscallArg>::from_syscall_arg(r[0]),
                    <kernel_arg_type!($(* $q2)? $t2) as FromSyscallArg>::from_syscall_arg(r[1]),
                    <kernel_arg_type!($(* $q3)? $t3) as FromSyscallArg>::from_syscall_arg(r[2]),
                    <kernel_arg_type!($(* $q4)? $t4) as FromSyscallArg>::from_syscall_arg(r[3]),
                    <kernel_arg_type!($(* $q5)? $t5) as FromSyscallArg>::from_syscall_arg(r[4]),
                    <kernel_arg_type!($(* $q6)? $t6) as FromSyscallArg>::from_syscall_arg(r[5]),
                    <kernel_arg_type!($(* $q7)? $t7) as FromSyscallArg>::from_syscall_arg(r[6]),
                    <kernel_arg_type!($(* $q8)? $t8) as FromSyscallArg>::from_syscall_arg(r[7]),
                )
                .into_syscall_return()
        }
        shim($handler, $args)
    }};
    ($handler:ident, $args:ident, $regs:ident, $name:ident,
        $( $p:ident : $(* $q:ident)? $t:ident ),*) => {
        $handler.$name($(
            <kernel_arg_type!($(* $q)? $t) as FromSyscallArg>::from_syscall_arg(
                $regs.next().unwrap_or(0),
            )
        ),*).into_syscall_return()
    };
}

crate::zx_syscall_table!(define_dispatch);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syscalls::{nr, SYSCALL_COUNT};

    /// Records the last call; answers every syscall with a fixed status.
    #[derive(Default)]
    struct Recorder {
        calls: Vec<String>,
    }

    macro_rules! recorder_impl {
        (
            kernel { $(
                $(#[doc = $doc:literal])*
                $num:literal $kind:ident $name:ident ( $( $p:ident : $(* $q:ident)? $t:ident ),* )
                    -> $ret:ident;
            )* }
            user { $($user:tt)* }
        ) => {
            impl SyscallHandler for Recorder {
                $(
                    fn $name(&mut self $(, $p: kernel_arg_type!($(* $q)? $t))*)
                        -> kernel_return_type!($ret) {
                        let args: Vec<String> = vec![$(format!("{:?}", $p)),*];
                        self.calls.push(format!("{}({})", stringify!($name), args.join(", ")));
                        recorder_impl!(@answer $ret)
                    }
                )*
            }
        };
        (@answer zx_status_t) => { Err(Status::ACCESS_DENIED) };
        (@answer void) => { () };
        (@answer uint32_t) => { 0xdead_beef };
        (@answer uint64_t) => { 0x1_0000_0000 };
    }

    crate::zx_syscall_table!(recorder_impl);

    #[test]
    fn decodes_arguments_with_their_c_types() {
        let mut rec = Recorder::default();
        let args = [
            0xdead_beef_0000_0007,
            0x1000,
            0xffff_ffff_ffff_fff0,
            42,
            0,
            0,
            0,
            0,
        ];
        let ret = dispatch(&mut rec, nr::vmo_write as u64, &args);
        assert_eq!(ret, Some(Status::ACCESS_DENIED.into_raw() as i64 as u64));
        // The handle is 32 bits: the register's upper half is not part of it.
        assert_eq!(
            rec.calls,
            ["vmo_write(7, UserPtr(0x1000), 18446744073709551600, 42)"]
        );
    }

    #[test]
    fn user_pointers_offset_by_elements_and_refuse_to_wrap() {
        let items = UserPtrMut::<zx_wait_item_t>::from_addr(0x1000);
        assert_eq!(
            items.checked_index(2).map(|p| p.addr()),
            Some(0x1000 + 2 * 12)
        );
        assert_eq!(
            items.cast::<u8>().checked_index(2).map(|p| p.addr()),
            Some(0x1002)
        );
        assert_eq!(items.as_const().addr(), 0x1000);
        let top = UserPtr::<u64>::from_addr(usize::MAX - 7);
        assert_eq!(top.checked_byte_add(7).map(|p| p.addr()), Some(usize::MAX));
        assert_eq!(top.checked_byte_add(8), None);
        assert_eq!(top.checked_index(1), None);
        assert_eq!(items.checked_index(usize::MAX / 2), None);
    }

    #[test]
    fn status_is_sign_extended_into_x0() {
        let mut rec = Recorder::default();
        let ret = dispatch(&mut rec, nr::handle_close as u64, &[3, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(ret, Some((-30i64) as u64));
    }

    #[test]
    fn values_come_back_whole() {
        let mut rec = Recorder::default();
        let cpus = dispatch(&mut rec, nr::system_get_num_cpus as u64, &[0; 8]);
        assert_eq!(cpus, Some(0xdead_beef));
        let physmem = dispatch(&mut rec, nr::system_get_physmem as u64, &[0; 8]);
        assert_eq!(physmem, Some(0x1_0000_0000));
    }

    #[test]
    fn unknown_numbers_are_refused() {
        let mut rec = Recorder::default();
        for number in [
            SYSCALL_COUNT as u64,
            0x8000_0000,
            0xff00_ff00_0000_0000,
            u64::MAX,
        ] {
            assert_eq!(dispatch(&mut rec, number, &[0; 8]), None);
        }
        assert!(rec.calls.is_empty());
    }

    #[test]
    fn every_kernel_syscall_reaches_its_method() {
        let mut rec = Recorder::default();
        for number in 0..SYSCALL_COUNT as u64 {
            assert!(dispatch(&mut rec, number, &[1, 2, 3, 4, 5, 6, 7, 8]).is_some());
        }
        let names: Vec<&str> = rec
            .calls
            .iter()
            .map(|c| c.split('(').next().unwrap())
            .collect();
        let expected: Vec<&str> = crate::syscalls::SYSCALLS
            .iter()
            .filter(|s| !s.is_user_level())
            .map(|s| s.name)
            .collect();
        assert_eq!(names, expected);
        assert_eq!(
            rec.calls[nr::vmar_map as usize],
            "vmar_map(1, 2, 3, 4, 5, 6, UserPtrMut(0x7))"
        );
    }
}
