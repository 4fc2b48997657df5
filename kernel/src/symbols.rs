//! Looks up code addresses in the kernel's symbol table.
//!
//! scripts/ksyms.py writes the table into the image after linking, in this layout (all
//! little-endian): `b"KSYM"`, `count: u32`, then `count` entries of
//! `{ addr: u64, name_offset: u32, name_len: u32 }` sorted by address, then the names.
//! Offsets count from the start of the names. A table that is absent or malformed finds
//! nothing; it never panics.

const HEADER: usize = 8;
const ENTRY: usize = 16;

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// The symbol containing `addr` and the offset into it.
pub fn lookup(table: &[u8], addr: u64) -> Option<(&str, u64)> {
    if table.get(..4)? != b"KSYM" {
        return None;
    }
    let count = u32_at(table, 4)? as usize;
    let names = HEADER.checked_add(count.checked_mul(ENTRY)?)?;
    if names > table.len() {
        return None;
    }
    let addr_of = |i: usize| u64_at(table, HEADER + i * ENTRY);
    // The last entry whose address is <= addr.
    let (mut lo, mut hi) = (0usize, count);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if addr_of(mid)? <= addr {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    let i = lo.checked_sub(1)?;
    let start = addr_of(i)?;
    let off = u32_at(table, HEADER + i * ENTRY + 8)? as usize;
    let len = u32_at(table, HEADER + i * ENTRY + 12)? as usize;
    let at = names.checked_add(off)?;
    let name = core::str::from_utf8(table.get(at..at.checked_add(len)?)?).ok()?;
    Some((name, addr - start))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(syms: &[(u64, &str)]) -> Vec<u8> {
        let mut out = b"KSYM".to_vec();
        out.extend((syms.len() as u32).to_le_bytes());
        let mut names: Vec<u8> = Vec::new();
        for (addr, name) in syms {
            out.extend(addr.to_le_bytes());
            out.extend((names.len() as u32).to_le_bytes());
            out.extend((name.len() as u32).to_le_bytes());
            names.extend(name.as_bytes());
        }
        out.extend(names);
        out
    }

    #[test]
    fn address_inside_a_symbol_names_it_with_offset() {
        let t = table(&[(0x1000, "a"), (0x1100, "kernel::b"), (0x1200, "c")]);
        assert_eq!(lookup(&t, 0x1000), Some(("a", 0)));
        assert_eq!(lookup(&t, 0x1134), Some(("kernel::b", 0x34)));
        assert_eq!(lookup(&t, 0x5000), Some(("c", 0x3e00)));
    }

    #[test]
    fn address_before_first_symbol_is_unknown() {
        let t = table(&[(0x1000, "a")]);
        assert_eq!(lookup(&t, 0xfff), None);
    }

    #[test]
    fn empty_or_corrupt_tables_find_nothing() {
        assert_eq!(lookup(&[], 0x1000), None);
        assert_eq!(lookup(&[0; 64], 0x1000), None);
        let mut t = table(&[(0x1000, "a"), (0x2000, "b")]);
        t[4] = 0xff; // count far beyond the data
        assert_eq!(lookup(&t, 0x1000), None);
        let t = table(&[(0x1000, "a")]);
        for cut in 0..t.len() {
            let _ = lookup(&t[..cut], 0x1000);
        }
    }
}
