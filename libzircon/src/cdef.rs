//! Descriptions of C declarations, and the macros that write a Rust item together with
//! its description.
//!
//! A constant, typedef or struct of the ABI is declared once, with one of the macros
//! below. The macro emits the Rust item (what the kernel and the stubs use) and a
//! description of it (what the header generator prints and the C layout check pins).
//! Because both come from the same tokens, the Rust view and the C view cannot drift.

/// A scalar `typedef`, e.g. `typedef uint32_t zx_handle_t;`.
#[derive(Debug)]
pub struct CTypedef {
    pub name: &'static str,
    /// The C type it names.
    pub c_type: &'static str,
    pub size: usize,
    pub signed: bool,
    pub doc: &'static str,
}

/// Typedefs declared together; the doc becomes their section comment in C.
#[derive(Debug)]
pub struct CTypedefGroup {
    pub doc: &'static str,
    pub typedefs: &'static [CTypedef],
}

/// How a constant's value is spelled in its `#define`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CSpelling {
    /// A single bit, `((type)1u << n)`, as flag constants read in Fuchsia's headers.
    Bit(u32),
    /// The value as a hexadecimal literal.
    Hex,
    /// The value as a decimal literal.
    Dec,
    /// A C expression over other constants; the Rust source of the value, with Rust's
    /// bitwise `!` turned into C's `~` by the generator.
    Expr(&'static str),
    /// C text given by hand where C has its own name for the value (`INT64_MAX`).
    Verbatim(&'static str),
}

/// A `#define` of a constant. The value is the Rust value; the C view is checked
/// against it by a compiled `_Static_assert` file (see `cgen::check`).
#[derive(Debug)]
pub struct CConst {
    pub name: &'static str,
    /// The type the C macro casts to (and the Rust constant has).
    pub c_type: &'static str,
    pub size: usize,
    pub signed: bool,
    pub value: i128,
    pub spelling: CSpelling,
    pub doc: &'static str,
}

/// Constants declared together; the doc becomes their section comment in C.
#[derive(Debug)]
pub struct CConstGroup {
    pub doc: &'static str,
    pub consts: &'static [CConst],
}

/// One field of a [`CStruct`].
#[derive(Debug, Clone, Copy)]
pub struct CField {
    pub name: &'static str,
    /// The C type of the field, or of its elements when it is an array.
    pub c_type: &'static str,
    /// The C text of the array length (`ZX_MAX_NAME_LEN`, `4`) for array fields.
    pub array_len: Option<&'static str>,
    pub offset: usize,
    pub size: usize,
    pub doc: &'static str,
}

impl CField {
    /// The name C code uses: Rust spells fields named after its keywords raw (`r#type`).
    pub fn c_name(&self) -> &'static str {
        self.name.trim_start_matches("r#")
    }
}

/// A `typedef struct tag { ... } name;` with its exact layout.
#[derive(Debug)]
pub struct CStruct {
    pub name: &'static str,
    pub tag: &'static str,
    pub size: usize,
    pub align: usize,
    pub fields: &'static [CField],
    pub doc: &'static str,
}

/// A `#[repr(C)]` struct of the ABI, declared with `c_struct!`.
///
/// # Safety
///
/// Implementors are `#[repr(C)]`, made of integer fields and arrays of integers, with
/// no implicit padding (field sizes add up to the struct's size), so every byte of a
/// value is initialized. `c_struct!` asserts the padding rule at compile time and is
/// the only implementor.
pub unsafe trait AbiStruct: Copy {
    /// The C description of the struct.
    const C: CStruct;

    /// The value's bytes, in the layout C programs see: what the kernel copies out.
    fn as_bytes(&self) -> &[u8] {
        // SAFETY: by the trait's contract `Self` has no padding and only integer fields,
        // so all `size_of::<Self>()` bytes behind `self` are initialized and may be read
        // as `u8` for as long as `self` is borrowed.
        unsafe {
            core::slice::from_raw_parts(
                (self as *const Self).cast::<u8>(),
                core::mem::size_of::<Self>(),
            )
        }
    }
}

/// The C spelling of a Rust type name: `c_char` is `char`, `c_void` is `void`, and
/// every other name used by the ABI is already spelled as in C (`uint64_t`, `zx_handle_t`).
#[macro_export]
#[doc(hidden)]
macro_rules! __zx_c_type_name {
    (c_char) => {
        "char"
    };
    (c_void) => {
        "void"
    };
    (c_bool) => {
        "bool"
    };
    ($t:ident) => {
        stringify!($t)
    };
}

/// Declares scalar typedefs: a Rust type alias for each and a [`CTypedefGroup`].
macro_rules! c_typedefs {
    (
        $(#[doc = $gdoc:literal])*
        pub const $group:ident = {
            $( $(#[doc = $doc:literal])* $name:ident = $cty:ident; )*
        }
    ) => {
        $( $(#[doc = $doc])* pub type $name = $cty; )*

        $(#[doc = $gdoc])*
        pub const $group: $crate::cdef::CTypedefGroup = $crate::cdef::CTypedefGroup {
            doc: concat!($($gdoc, "\n"),*),
            typedefs: &[
                $( $crate::cdef::CTypedef {
                    name: stringify!($name),
                    c_type: $crate::__zx_c_type_name!($cty),
                    size: core::mem::size_of::<$name>(),
                    signed: <$name>::MIN != 0,
                    doc: concat!($($doc, "\n"),*),
                } ),*
            ],
        };
    };
}

/// Declares constants: a Rust `pub const` for each and a [`CConstGroup`] describing them.
///
/// Each entry is `NAME: type = value;` where value is one of:
/// - `bit(n)`: the single bit `1 << n`, spelled `((type)1u << n)` in C;
/// - a literal, spelled in the group's base (`hex` or `dec`);
/// - an expression over other constants, spelled as that expression in C;
/// - `expr => "C text"`: for values C spells with names of its own (`INT64_MAX`).
macro_rules! c_consts {
    (
        $(#[doc = $gdoc:literal])*
        pub const $group:ident: $base:ident = { $($body:tt)* }
    ) => {
        c_consts!(@munch $group [$($gdoc)*] $base [] $($body)*);
    };

    (@munch $group:ident [$($gdoc:literal)*] $base:ident [$($acc:tt)*]) => {
        $(#[doc = $gdoc])*
        pub const $group: $crate::cdef::CConstGroup = $crate::cdef::CConstGroup {
            doc: concat!($($gdoc, "\n"),*),
            consts: &[$($acc)*],
        };
    };
    (@munch $group:ident $gdoc:tt $base:ident [$($acc:tt)*]
        $(#[doc = $doc:literal])* $name:ident: $ty:ident = bit($bit:literal); $($rest:tt)*
    ) => {
        $(#[doc = $doc])*
        pub const $name: $ty = 1 << $bit;
        c_consts!(@munch $group $gdoc $base [$($acc)*
            c_consts!(@describe $name $ty [$($doc)*] $crate::cdef::CSpelling::Bit($bit)),
        ] $($rest)*);
    };
    (@munch $group:ident $gdoc:tt $base:ident [$($acc:tt)*]
        $(#[doc = $doc:literal])* $name:ident: $ty:ident = $value:literal; $($rest:tt)*
    ) => {
        $(#[doc = $doc])*
        pub const $name: $ty = $value;
        c_consts!(@munch $group $gdoc $base [$($acc)*
            c_consts!(@describe $name $ty [$($doc)*] c_consts!(@base $base)),
        ] $($rest)*);
    };
    (@munch $group:ident $gdoc:tt $base:ident [$($acc:tt)*]
        $(#[doc = $doc:literal])* $name:ident: $ty:ident = $value:expr => $c:literal; $($rest:tt)*
    ) => {
        $(#[doc = $doc])*
        pub const $name: $ty = $value;
        c_consts!(@munch $group $gdoc $base [$($acc)*
            c_consts!(@describe $name $ty [$($doc)*] $crate::cdef::CSpelling::Verbatim($c)),
        ] $($rest)*);
    };
    (@munch $group:ident $gdoc:tt $base:ident [$($acc:tt)*]
        $(#[doc = $doc:literal])* $name:ident: $ty:ident = $value:expr; $($rest:tt)*
    ) => {
        $(#[doc = $doc])*
        pub const $name: $ty = $value;
        c_consts!(@munch $group $gdoc $base [$($acc)*
            c_consts!(@describe $name $ty [$($doc)*]
                $crate::cdef::CSpelling::Expr(stringify!($value))),
        ] $($rest)*);
    };

    (@base hex) => { $crate::cdef::CSpelling::Hex };
    (@base dec) => { $crate::cdef::CSpelling::Dec };

    (@describe $name:ident $ty:ident [$($doc:literal)*] $spelling:expr) => {
        $crate::cdef::CConst {
            name: stringify!($name),
            c_type: stringify!($ty),
            size: core::mem::size_of::<$ty>(),
            signed: <$ty>::MIN != 0,
            value: $name as i128,
            spelling: $spelling,
            doc: concat!($($doc, "\n"),*),
        }
    };
}

/// Declares a `#[repr(C)]` struct of the ABI and its [`AbiStruct`] description.
///
/// Field types are a type name or an array `[element; length]`, both spelled with the
/// C names of [`crate::ctypes`]; padding is written out as fields (`padding1`), as in
/// Fuchsia's headers, and the macro refuses structs with implicit padding.
macro_rules! c_struct {
    (
        $(#[doc = $doc:literal])*
        pub struct $name:ident ($tag:ident) {
            $( $(#[doc = $fdoc:literal])* pub $field:ident: $fty:tt, )*
        }
    ) => {
        $(#[doc = $doc])*
        #[repr(C)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct $name {
            $( $(#[doc = $fdoc])* pub $field: $fty, )*
        }

        // By hand rather than derived: arrays longer than 32 have no Default.
        impl Default for $name {
            fn default() -> Self {
                // SAFETY: integer fields and arrays of them only (see AbiStruct below),
                // for which all-zero bytes are a valid value.
                unsafe { core::mem::zeroed() }
            }
        }

        const _: () = assert!(
            0 $(+ core::mem::size_of::<$fty>())* == core::mem::size_of::<$name>(),
            concat!(stringify!($name), " has implicit padding: name it as a field"),
        );

        // SAFETY: repr(C), integer fields only (the C names of `ctypes`/`types` are
        // integer aliases), and the assertion above rules out implicit padding.
        unsafe impl $crate::cdef::AbiStruct for $name {
            const C: $crate::cdef::CStruct = $crate::cdef::CStruct {
                name: stringify!($name),
                tag: stringify!($tag),
                size: core::mem::size_of::<$name>(),
                align: core::mem::align_of::<$name>(),
                fields: &[
                    $( $crate::cdef::CField {
                        name: stringify!($field),
                        c_type: c_struct!(@element $fty),
                        array_len: c_struct!(@length $fty),
                        offset: core::mem::offset_of!($name, $field),
                        size: core::mem::size_of::<$fty>(),
                        doc: concat!($($fdoc, "\n"),*),
                    } ),*
                ],
                doc: concat!($($doc, "\n"),*),
            };
        }
    };

    (@element [$element:ident; $len:expr]) => { $crate::__zx_c_type_name!($element) };
    (@element $ty:ident) => { $crate::__zx_c_type_name!($ty) };
    (@length [$element:ident; $len:expr]) => { Some(stringify!($len)) };
    (@length $ty:ident) => { None };
}
