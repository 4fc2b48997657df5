//! Which cache maintenance makes memory the kernel (or a user thread) wrote safe to run as
//! code, decided from `CTR_EL0` alone. Plain Rust, so the host tests pin the exact
//! sequence; [`super::cache::sync_icache`] issues the steps this yields, one instruction
//! each, and nothing else.
//!
//! The sequence is Linux's `caches_clean_inval_pou` (arch/arm64/mm/cache.S), as the
//! ARM ARM (B2.4.4, "Instruction cache maintenance") gives it for code written through
//! one mapping and run through another:
//!
//! 1. `dc cvau` on every data-cache line of the range (the smallest line `CTR_EL0.DminLine`
//!    names), so the new bytes reach the point of unification, where instruction fetch
//!    looks; then `dsb ish`, so the cleans finish before the invalidation starts. With
//!    `CTR_EL0.IDC` set the clean is not needed; the `dsb ish` still orders the stores.
//! 2. `ic ivau` on every instruction-cache line (`CTR_EL0.IminLine`), or one `ic ialluis`
//!    when the instruction cache is VIPT or AIVIVT (`CTR_EL0.L1Ip`): there an address in
//!    the kernel's linear map need not pick the lines the user's address fills. Then
//!    `dsb ish` and `isb`. With `CTR_EL0.DIC` set none of this but the `isb` is needed.
//!
//! The Raspberry Pi 4's Cortex-A72 reports `CTR_EL0` = 0x8444_c004: 64-byte lines,
//! PIPT instruction cache, IDC = DIC = 0, so it needs every step. QEMU's `max` CPU sets
//! IDC and DIC, so there only the barriers remain.

/// One instruction of the sequence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// `dc cvau, va`: clean the data-cache line holding `va` to the point of unification.
    CleanDataLine(usize),
    /// `ic ivau, va`: invalidate the instruction-cache line holding `va`, on every core.
    InvalidateInstructionLine(usize),
    /// `ic ialluis`: invalidate every instruction cache of the inner-shareable domain.
    InvalidateAllInstructions,
    /// `dsb ish`
    DsbIsh,
    /// `isb`
    Isb,
}

/// How the instruction cache is invalidated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invalidate {
    /// Not at all (`CTR_EL0.DIC`): instruction fetch is coherent with the data side.
    No,
    /// `ic ivau` per line of this many bytes.
    ByLine(usize),
    /// One `ic ialluis` (aliasing instruction caches).
    All,
}

/// What `CTR_EL0` asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    /// `dc cvau` per line of this many bytes; `None` when `CTR_EL0.IDC` says the data
    /// cache need not be cleaned for instruction fetch to see new code.
    pub clean_line: Option<usize>,
    pub invalidate: Invalidate,
}

const IDC: u64 = 1 << 28;
const DIC: u64 = 1 << 29;

impl Plan {
    /// The plan for a CPU whose `CTR_EL0` reads `ctr`.
    pub const fn from_ctr(ctr: u64) -> Plan {
        let dline = 4usize << ((ctr >> 16) & 0xf);
        let iline = 4usize << (ctr & 0xf);
        // L1Ip, bits [15:14]: 0b00 VPIPT, 0b01 AIVIVT, 0b10 VIPT, 0b11 PIPT.
        let aliasing = matches!((ctr >> 14) & 0b11, 0b01 | 0b10);
        Plan {
            clean_line: if ctr & IDC != 0 { None } else { Some(dline) },
            invalidate: if ctr & DIC != 0 {
                Invalidate::No
            } else if aliasing {
                Invalidate::All
            } else {
                Invalidate::ByLine(iline)
            },
        }
    }

    /// The instructions that make `[start, end)` safe to execute, in order. Nothing for
    /// an empty range.
    pub fn steps(self, start: usize, end: usize) -> Steps {
        Steps {
            plan: self,
            start,
            end,
            next: self.clean_line.map_or(start, |line| start & !(line - 1)),
            stage: if start < end {
                Stage::Clean
            } else {
                Stage::Done
            },
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Clean,
    AfterClean,
    Invalidate,
    AfterInvalidate,
    Isb,
    Done,
}

/// The iterator [`Plan::steps`] returns.
pub struct Steps {
    plan: Plan,
    start: usize,
    end: usize,
    /// The next line address in the clean or invalidate loop.
    next: usize,
    stage: Stage,
}

impl Steps {
    /// The next line in a loop over lines of `line` bytes, if any is left.
    fn line(&mut self, line: usize) -> Option<usize> {
        let va = self.next;
        if va >= self.end {
            return None;
        }
        // A range ending at the top of the address space ends the loop, not the world.
        self.next = va.saturating_add(line);
        Some(va)
    }
}

impl Iterator for Steps {
    type Item = Step;

    fn next(&mut self) -> Option<Step> {
        loop {
            match self.stage {
                Stage::Clean => {
                    if let Some(line) = self.plan.clean_line {
                        if let Some(va) = self.line(line) {
                            return Some(Step::CleanDataLine(va));
                        }
                    }
                    self.stage = Stage::AfterClean;
                }
                Stage::AfterClean => {
                    self.stage = Stage::Invalidate;
                    if let Invalidate::ByLine(line) = self.plan.invalidate {
                        self.next = self.start & !(line - 1);
                    }
                    return Some(Step::DsbIsh);
                }
                Stage::Invalidate => match self.plan.invalidate {
                    Invalidate::No => self.stage = Stage::Isb,
                    Invalidate::All => {
                        self.stage = Stage::AfterInvalidate;
                        return Some(Step::InvalidateAllInstructions);
                    }
                    Invalidate::ByLine(line) => match self.line(line) {
                        Some(va) => return Some(Step::InvalidateInstructionLine(va)),
                        None => self.stage = Stage::AfterInvalidate,
                    },
                },
                Stage::AfterInvalidate => {
                    self.stage = Stage::Isb;
                    return Some(Step::DsbIsh);
                }
                Stage::Isb => {
                    self.stage = Stage::Done;
                    return Some(Step::Isb);
                }
                Stage::Done => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::Step::*;
    use super::*;
    use std::vec;
    use std::vec::Vec;

    /// The Raspberry Pi 4's Cortex-A72 (and QEMU's model of it): 64-byte lines, PIPT
    /// instruction cache, IDC = DIC = 0.
    const CORTEX_A72: u64 = 0x8444_c004;

    fn steps(ctr: u64, start: usize, end: usize) -> Vec<Step> {
        Plan::from_ctr(ctr).steps(start, end).collect()
    }

    #[test]
    fn cortex_a72_cleans_then_invalidates_every_64_byte_line() {
        assert_eq!(
            Plan::from_ctr(CORTEX_A72),
            Plan {
                clean_line: Some(64),
                invalidate: Invalidate::ByLine(64),
            }
        );
        let base = 0xffff_0000_4000_0000;
        assert_eq!(
            steps(CORTEX_A72, base, base + 256),
            vec![
                CleanDataLine(base),
                CleanDataLine(base + 64),
                CleanDataLine(base + 128),
                CleanDataLine(base + 192),
                DsbIsh,
                InvalidateInstructionLine(base),
                InvalidateInstructionLine(base + 64),
                InvalidateInstructionLine(base + 128),
                InvalidateInstructionLine(base + 192),
                DsbIsh,
                Isb,
            ]
        );
    }

    #[test]
    fn a_whole_page_is_64_lines_each_way_on_the_pi() {
        let page = 0xffff_0000_0123_4000;
        let s = steps(CORTEX_A72, page, page + 4096);
        assert_eq!(s.len(), 64 + 1 + 64 + 2);
        assert!(s[..64]
            .iter()
            .enumerate()
            .all(|(i, st)| *st == CleanDataLine(page + 64 * i)));
        assert!(s[65..129]
            .iter()
            .enumerate()
            .all(|(i, st)| *st == InvalidateInstructionLine(page + 64 * i)));
    }

    #[test]
    fn an_unaligned_range_covers_every_line_it_touches() {
        // Two bytes either side of a line boundary: both lines, each way.
        let s = steps(CORTEX_A72, 0x1_003e, 0x1_0042);
        assert_eq!(
            s,
            vec![
                CleanDataLine(0x1_0000),
                CleanDataLine(0x1_0040),
                DsbIsh,
                InvalidateInstructionLine(0x1_0000),
                InvalidateInstructionLine(0x1_0040),
                DsbIsh,
                Isb,
            ]
        );
    }

    #[test]
    fn data_and_instruction_lines_may_differ_in_size() {
        // DminLine 16 words (64 bytes), IminLine 8 words (32 bytes), PIPT.
        let ctr = 0x8004_c003;
        let s = steps(ctr, 0x2000, 0x2040);
        assert_eq!(
            s,
            vec![
                CleanDataLine(0x2000),
                DsbIsh,
                InvalidateInstructionLine(0x2000),
                InvalidateInstructionLine(0x2020),
                DsbIsh,
                Isb,
            ]
        );
    }

    #[test]
    fn idc_skips_the_clean_but_keeps_the_barrier() {
        let s = steps(CORTEX_A72 | IDC, 0x4000, 0x4080);
        assert_eq!(
            s,
            vec![
                DsbIsh,
                InvalidateInstructionLine(0x4000),
                InvalidateInstructionLine(0x4040),
                DsbIsh,
                Isb,
            ]
        );
    }

    #[test]
    fn dic_skips_the_invalidate_but_keeps_the_isb() {
        let s = steps(CORTEX_A72 | DIC, 0x4000, 0x4080);
        assert_eq!(
            s,
            vec![CleanDataLine(0x4000), CleanDataLine(0x4040), DsbIsh, Isb]
        );
    }

    #[test]
    fn idc_and_dic_leave_only_the_barriers() {
        // QEMU's `max` CPU: CTR_EL0 0xb444_c004 (IDC and DIC set).
        assert_eq!(steps(0xb444_c004, 0x4000, 0x5000), vec![DsbIsh, Isb]);
    }

    #[test]
    fn aliasing_instruction_caches_are_invalidated_whole() {
        // L1Ip = VIPT (0b10) and AIVIVT (0b01): one IC IALLUIS, not lines by address.
        for l1ip in [0b10u64, 0b01] {
            let ctr = (CORTEX_A72 & !(0b11 << 14)) | l1ip << 14;
            assert_eq!(Plan::from_ctr(ctr).invalidate, Invalidate::All);
            assert_eq!(
                steps(ctr, 0x4000, 0x4040),
                vec![
                    CleanDataLine(0x4000),
                    DsbIsh,
                    InvalidateAllInstructions,
                    DsbIsh,
                    Isb
                ]
            );
        }
        // VPIPT behaves as PIPT below EL2.
        let vpipt = CORTEX_A72 & !(0b11 << 14);
        assert_eq!(Plan::from_ctr(vpipt).invalidate, Invalidate::ByLine(64));
    }

    #[test]
    fn an_empty_range_needs_nothing() {
        assert_eq!(steps(CORTEX_A72, 0x4000, 0x4000), vec![]);
        assert_eq!(steps(CORTEX_A72, 0x5000, 0x4000), vec![]);
    }

    #[test]
    fn a_range_at_the_top_of_the_address_space_ends() {
        let s = steps(CORTEX_A72, usize::MAX - 63, usize::MAX);
        assert_eq!(
            s,
            vec![
                CleanDataLine(usize::MAX - 63),
                DsbIsh,
                InvalidateInstructionLine(usize::MAX - 63),
                DsbIsh,
                Isb
            ]
        );
    }
}
