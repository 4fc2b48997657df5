//! Physical memory bookkeeping at boot: which parts of RAM are free for the allocators.
//!
//! Plain arithmetic over address ranges, with a fixed capacity (it runs before the
//! heap exists), so it is tested on the host.

use crate::bsp::devicetree::PhysRange;

pub const MAX_REGIONS: usize = 64;

/// A sorted set of disjoint, non-empty physical ranges.
#[derive(Clone, Copy)]
pub struct RegionSet {
    ranges: [PhysRange; MAX_REGIONS],
    len: usize,
}

impl Default for RegionSet {
    fn default() -> Self {
        Self::new()
    }
}

impl RegionSet {
    pub const fn new() -> Self {
        RegionSet {
            ranges: [PhysRange { start: 0, size: 0 }; MAX_REGIONS],
            len: 0,
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = PhysRange> + '_ {
        self.ranges[..self.len].iter().copied()
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.len
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn total(&self) -> u64 {
        self.iter().map(|r| r.size).sum()
    }

    /// Adds a range, merging with neighbours. Returns false if the set is full.
    pub fn add(&mut self, r: PhysRange) -> bool {
        let (start, end) = (r.start, r.start.saturating_add(r.size));
        if start >= end {
            return true;
        }
        let mut merged = PhysRange {
            start,
            size: end - start,
        };
        let mut out = RegionSet::new();
        let mut placed = false;
        for cur in self.iter() {
            let (cs, ce) = (cur.start, cur.start + cur.size);
            let (ms, me) = (merged.start, merged.start + merged.size);
            if ce < ms {
                out.push(cur);
            } else if me < cs {
                if !placed {
                    out.push(merged);
                    placed = true;
                }
                out.push(cur);
            } else {
                let s = cs.min(ms);
                merged = PhysRange {
                    start: s,
                    size: ce.max(me) - s,
                };
            }
        }
        if !placed {
            out.push(merged);
        }
        if out.len > MAX_REGIONS {
            return false;
        }
        *self = out;
        true
    }

    fn push(&mut self, r: PhysRange) {
        if self.len < MAX_REGIONS {
            self.ranges[self.len] = r;
        }
        // One past capacity signals overflow to `add`/`subtract`.
        self.len += 1;
    }

    /// Removes every byte of `hole` from the set. Returns false if the set would overflow.
    pub fn subtract(&mut self, hole: PhysRange) -> bool {
        let (hs, he) = (hole.start, hole.start.saturating_add(hole.size));
        if hs >= he {
            return true;
        }
        let mut out = RegionSet::new();
        for cur in self.iter() {
            let (cs, ce) = (cur.start, cur.start + cur.size);
            if he <= cs || ce <= hs {
                out.push(cur);
                continue;
            }
            if cs < hs {
                out.push(PhysRange {
                    start: cs,
                    size: hs - cs,
                });
            }
            if he < ce {
                out.push(PhysRange {
                    start: he,
                    size: ce - he,
                });
            }
        }
        if out.len > MAX_REGIONS {
            return false;
        }
        *self = out;
        true
    }

    /// Drops every range that overlaps `hole` (never needs more room).
    pub fn remove_overlapping(&mut self, hole: PhysRange) {
        let (hs, he) = (hole.start, hole.start.saturating_add(hole.size));
        let mut out = RegionSet::new();
        for cur in self.iter() {
            if he <= cur.start || cur.start + cur.size <= hs {
                out.push(cur);
            }
        }
        *self = out;
    }

    /// Shrinks each range to `align` boundaries, dropping those that vanish.
    pub fn align_inward(&mut self, align: u64) {
        let mut out = RegionSet::new();
        for cur in self.iter() {
            let s = cur.start.div_ceil(align).saturating_mul(align);
            let e = (cur.start + cur.size) / align * align;
            if s < e {
                out.push(PhysRange {
                    start: s,
                    size: e - s,
                });
            }
        }
        *self = out;
    }

    /// Keeps only the lowest `limit` bytes of the set.
    pub fn cap_total(&mut self, limit: u64) {
        let mut left = limit;
        let mut out = RegionSet::new();
        for cur in self.iter() {
            if left == 0 {
                break;
            }
            let size = cur.size.min(left);
            out.push(PhysRange {
                start: cur.start,
                size,
            });
            left -= size;
        }
        *self = out;
    }

    /// Takes `size` bytes (aligned to `align`) from the start of the largest range.
    pub fn take_from_largest(&mut self, size: u64, align: u64) -> Option<PhysRange> {
        let largest = self.iter().max_by_key(|r| r.size)?;
        let start = largest.start.div_ceil(align).checked_mul(align)?;
        let end = start.checked_add(size)?;
        if end > largest.start + largest.size {
            return None;
        }
        let taken = PhysRange { start, size };
        self.subtract(taken).then_some(taken)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(start: u64, size: u64) -> PhysRange {
        PhysRange { start, size }
    }

    fn set(ranges: &[PhysRange]) -> RegionSet {
        let mut s = RegionSet::new();
        for &x in ranges {
            assert!(s.add(x));
        }
        s
    }

    fn list(s: &RegionSet) -> Vec<(u64, u64)> {
        s.iter().map(|x| (x.start, x.size)).collect()
    }

    #[test]
    fn overlapping_and_adjacent_ranges_merge() {
        let s = set(&[
            r(0x3000, 0x1000),
            r(0x1000, 0x1000),
            r(0x2000, 0x1000),
            r(0x8000, 0x10),
        ]);
        assert_eq!(list(&s), vec![(0x1000, 0x3000), (0x8000, 0x10)]);
    }

    #[test]
    fn subtracting_a_hole_splits_a_range() {
        let mut s = set(&[r(0x4000_0000, 0x400_0000)]);
        assert!(s.subtract(r(0x4020_0000, 0x10_0000)));
        assert_eq!(
            list(&s),
            vec![(0x4000_0000, 0x20_0000), (0x4030_0000, 0x3d0_0000)]
        );
        assert_eq!(s.total(), 0x400_0000 - 0x10_0000);
    }

    #[test]
    fn subtracting_outside_or_covering_everything() {
        let mut s = set(&[r(0x1000, 0x1000)]);
        assert!(s.subtract(r(0x9000, 0x1000)));
        assert_eq!(s.total(), 0x1000);
        assert!(s.subtract(r(0, u64::MAX)));
        assert!(s.is_empty());
    }

    #[test]
    fn cap_keeps_lowest_bytes() {
        let mut s = set(&[r(0x4000_0000, 0x8000_0000), r(0x1_0000_0000, 0x1000_0000)]);
        s.cap_total(64 << 20);
        assert_eq!(list(&s), vec![(0x4000_0000, 64 << 20)]);
    }

    #[test]
    fn align_inward_drops_small_pieces() {
        let mut s = set(&[r(0x1234, 0x20_0000), r(0x40_0000, 0x1000)]);
        s.align_inward(0x1000);
        assert_eq!(list(&s), vec![(0x2000, 0x1f_f000), (0x40_0000, 0x1000)]);
        s.align_inward(0x20_0000);
        assert!(s.is_empty());
    }

    #[test]
    fn take_from_largest_removes_what_it_returns() {
        let mut s = set(&[r(0x1000, 0x1000), r(0x10_0000, 0x10_0000)]);
        let t = s.take_from_largest(0x2000, 0x1000).unwrap();
        assert_eq!((t.start, t.size), (0x10_0000, 0x2000));
        assert_eq!(s.total(), 0x1000 + 0x10_0000 - 0x2000);
        assert!(s.take_from_largest(0x100_0000, 0x1000).is_none());
    }

    #[test]
    fn too_many_holes_is_refused_not_corrupted() {
        let mut s = set(&[r(0, 0x100_0000)]);
        let mut refused = false;
        for i in 0..(MAX_REGIONS as u64 + 4) {
            if !s.subtract(r(0x1000 + i * 0x2000, 0x1000)) {
                refused = true;
                break;
            }
        }
        assert!(refused);
        assert!(s.len() <= MAX_REGIONS);
    }
}
