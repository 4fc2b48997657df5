//! Decoding of ESR_EL1 for fault reports.

use core::fmt;

/// An exception syndrome and fault address, displayed in words.
pub struct Decoded(pub u64, pub u64);

pub fn class_name(ec: u64) -> &'static str {
    match ec {
        0x00 => "unknown reason",
        0x01 => "WFI/WFE trapped",
        0x07 => "FP/SIMD access trapped",
        0x0e => "illegal execution state",
        0x15 => "SVC from AArch64",
        0x18 => "MSR/MRS trapped",
        0x20 => "instruction abort from a lower EL",
        0x21 => "instruction abort, same EL",
        0x22 => "PC alignment fault",
        0x24 => "data abort from a lower EL",
        0x25 => "data abort, same EL",
        0x26 => "SP alignment fault",
        0x2c => "floating-point exception",
        0x2f => "SError",
        0x30 | 0x31 => "breakpoint",
        0x32 | 0x33 => "software step",
        0x34 | 0x35 => "watchpoint",
        0x3c => "BRK instruction",
        _ => "unrecognised exception class",
    }
}

/// The fault status code of an instruction or data abort.
pub fn fault_status(fsc: u64) -> &'static str {
    match fsc {
        0x00..=0x03 => "address size fault",
        0x04..=0x07 => "translation fault",
        0x08..=0x0b => "access flag fault",
        0x0c..=0x0f => "permission fault",
        0x10 => "synchronous external abort",
        0x21 => "alignment fault",
        0x30 => "TLB conflict abort",
        _ => "other fault",
    }
}

pub fn is_abort(ec: u64) -> bool {
    matches!(ec, 0x20 | 0x21 | 0x24 | 0x25)
}

/// A data abort taken at the same EL (the kernel touching memory).
pub fn is_data_abort(esr: u64) -> bool {
    (esr >> 26) & 0x3f == 0x25
}

/// What a data or instruction abort that demand paging may resolve wanted: None for
/// other exceptions and for faults paging cannot fix (alignment, external aborts).
/// `Some(0)` read, `Some(1)` write, `Some(2)` execute.
pub fn pageable_access(esr: u64) -> Option<u8> {
    let ec = (esr >> 26) & 0x3f;
    let fsc = esr & 0x3f;
    if !(0x04..=0x0f).contains(&fsc) {
        return None; // only translation, access flag and permission faults
    }
    match ec {
        0x20 | 0x21 => Some(2),
        0x24 | 0x25 if esr & (1 << 6) != 0 => Some(1),
        0x24 | 0x25 => Some(0),
        _ => None,
    }
}

/// A user fault in the words of a kill report.
pub struct UserFault(pub u64, pub u64);

impl fmt::Display for UserFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (esr, far) = (self.0, self.1);
        let ec = (esr >> 26) & 0x3f;
        match ec {
            0x00 => write!(f, "undefined instruction"),
            0x20 | 0x24 => {
                let what = if ec == 0x20 {
                    "instruction abort"
                } else {
                    "data abort"
                };
                let access = if ec == 0x20 {
                    "execute"
                } else if esr & (1 << 6) != 0 {
                    "write"
                } else {
                    "read"
                };
                write!(
                    f,
                    "{what} ({}, {access}) at {far:#x}",
                    fault_status(esr & 0x3f)
                )
            }
            0x22 => write!(f, "PC alignment fault at {far:#x}"),
            0x26 => write!(f, "SP alignment fault"),
            0x2f => write!(f, "SError"),
            _ => write!(f, "{} (EC {ec:#04x})", class_name(ec)),
        }
    }
}

impl fmt::Display for Decoded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let esr = self.0;
        let ec = (esr >> 26) & 0x3f;
        write!(f, "{} (EC {:#04x})", class_name(ec), ec)?;
        if is_abort(ec) {
            let fsc = esr & 0x3f;
            write!(f, ": {}", fault_status(fsc))?;
            if fsc < 0x10 {
                write!(f, " at level {}", fsc & 3)?;
            }
            if ec >= 0x24 {
                let access = if esr & (1 << 6) != 0 { "write" } else { "read" };
                write!(f, ", {access}")?;
            }
            write!(f, " of address {:#x}", self.1)?;
        }
        Ok(())
    }
}
