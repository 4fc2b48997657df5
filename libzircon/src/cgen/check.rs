//! The layout check: a C file of static assertions, printed from the Rust values,
//! that pins every constant, typedef and struct layout of the headers. Compiling it as
//! C11 and as C++17 proves the C view and the Rust view agree.

use super::layout::{Item, HEADERS};
use crate::cdef::{CConst, CStruct};
use crate::ctypes::*;
use crate::status::STATUS_CODES;
use crate::types::zx_futex_t;

/// The C literal of `value` with the signedness of its type and room for 64 bits.
fn literal(value: i128, signed: bool) -> String {
    match (signed, value) {
        // -9223372036854775808 is not a C literal: its digits overflow before the minus.
        (true, v) if v == i64::MIN as i128 => "(-9223372036854775807ll - 1)".to_string(),
        (true, v) => format!("{v}ll"),
        (false, v) => format!("0x{v:X}ull"),
    }
}

fn check(out: &mut String, condition: String, what: String) {
    out.push_str(&format!("ZX_CHECK({condition}, \"{what}\");\n"));
}

fn scalar(out: &mut String, name: &str, size: usize, signed: bool) {
    check(
        out,
        format!("sizeof({name}) == {size}"),
        format!("sizeof({name})"),
    );
    check(
        out,
        format!("(({name})-1 < ({name})0) == {}", u8::from(signed)),
        format!("{name} is {}", if signed { "signed" } else { "unsigned" }),
    );
}

fn constant(out: &mut String, c: &CConst) {
    let name = c.name;
    let expected = literal(c.value, c.signed);
    check(
        out,
        format!("({name}) == {expected}"),
        format!("{name} == {expected}"),
    );
    check(
        out,
        format!("sizeof({name}) == {}", c.size),
        format!("sizeof({name})"),
    );
    // `x * 0 - 1` is negative exactly when x's type is signed.
    check(
        out,
        format!("(({name}) * 0 - 1 < 0) == {}", u8::from(c.signed)),
        format!("{name} is {}", if c.signed { "signed" } else { "unsigned" }),
    );
}

fn layout(out: &mut String, s: &CStruct) {
    let name = s.name;
    check(
        out,
        format!("sizeof({name}) == {}", s.size),
        format!("sizeof({name})"),
    );
    check(
        out,
        format!("ZX_ALIGNOF({name}) == {}", s.align),
        format!("alignof({name})"),
    );
    for field in s.fields {
        let f = field.c_name();
        check(
            out,
            format!("offsetof({name}, {f}) == {}", field.offset),
            format!("offsetof({name}, {f})"),
        );
        check(
            out,
            format!("sizeof((({name}*)0)->{f}) == {}", field.size),
            format!("sizeof({name}.{f})"),
        );
    }
}

/// The check file's source; it includes every generated header.
pub fn static_asserts() -> String {
    let mut out = String::from(
        "// Printed by libzircon's cgen::check from the Rust definitions of the ABI: every\n\
         // value, size and offset below is what Rust has. Compiles only if C agrees.\n\n\
         #include <stddef.h>\n",
    );
    for header in HEADERS {
        out += &format!("#include <{}>\n", header.path);
    }
    out += "\n\
        #ifdef __cplusplus\n\
        #define ZX_CHECK(condition, what) static_assert(condition, what)\n\
        #define ZX_ALIGNOF(type) alignof(type)\n\
        #else\n\
        #define ZX_CHECK(condition, what) _Static_assert(condition, what)\n\
        #define ZX_ALIGNOF(type) _Alignof(type)\n\
        #endif\n\n\
        // The signedness checks compare unsigned values with 0 on purpose.\n\
        #pragma GCC diagnostic ignored \"-Wtype-limits\"\n\
        #pragma GCC diagnostic ignored \"-Wbool-compare\"\n\n";

    // The C scalar types the Rust side calls by their C names.
    let c_scalars: [(&str, usize, bool); 8] = [
        ("int32_t", size_of::<int32_t>(), true),
        ("int64_t", size_of::<int64_t>(), true),
        ("uint8_t", size_of::<uint8_t>(), false),
        ("uint16_t", size_of::<uint16_t>(), false),
        ("uint32_t", size_of::<uint32_t>(), false),
        ("uint64_t", size_of::<uint64_t>(), false),
        ("size_t", size_of::<size_t>(), false),
        ("uintptr_t", size_of::<uintptr_t>(), false),
    ];
    for (name, size, signed) in c_scalars {
        scalar(&mut out, name, size, signed);
    }
    check(&mut out, "sizeof(char) == 1".into(), "sizeof(char)".into());
    check(
        &mut out,
        format!("sizeof(zx_futex_t) == {}", size_of::<zx_futex_t>()),
        "sizeof(zx_futex_t)".into(),
    );

    for code in STATUS_CODES {
        let expected = literal(code.value.into(), true);
        check(
            &mut out,
            format!("({}) == {expected}", code.name),
            format!("{} == {expected}", code.name),
        );
        check(
            &mut out,
            format!("sizeof({}) == 4", code.name),
            format!("sizeof({})", code.name),
        );
    }

    for header in HEADERS {
        for item in header.items {
            match item {
                Item::Typedefs(group) => {
                    for t in group.typedefs {
                        scalar(&mut out, t.name, t.size, t.signed);
                    }
                }
                Item::Consts(group) => group.consts.iter().for_each(|c| constant(&mut out, c)),
                Item::Structs(structs) => structs.iter().for_each(|s| layout(&mut out, s)),
                Item::StructText(s, _) => layout(&mut out, s),
                Item::Aliases(aliases) => {
                    for (alias, s) in aliases.iter() {
                        check(
                            &mut out,
                            format!("sizeof({alias}) == {}", s.size),
                            format!("sizeof({alias})"),
                        );
                        check(
                            &mut out,
                            format!("ZX_ALIGNOF({alias}) == {}", s.align),
                            format!("alignof({alias})"),
                        );
                    }
                }
                _ => {}
            }
        }
    }
    out
}
