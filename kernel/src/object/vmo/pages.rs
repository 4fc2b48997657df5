//! The pages one VMO holds: a sparse, sorted map from page index to physical page.
//!
//! Pages are grouped in chunks of [`CHUNK_PAGES`] consecutive indices; the chunks sit in
//! a vector sorted by index, so a lookup is a binary search over chunks (O(log n)) and
//! an append past the end is O(1) amortized. A chunk's slots live in a box of their own,
//! so the vector stays small (24 bytes per 64 KiB of VMO) and never needs a huge
//! contiguous reallocation. Every allocation is fallible: [`PageList::reserve`] makes
//! room for an index before the caller takes a page, so a failure leaks nothing.
//!
//! Each slot also carries the two facts the VMO keeps about a page:
//! - `owned`: this VMO is the one a shared (copy-on-write) page is attributed to;
//! - `pins`: how many in-flight copies took a temporary reference through this slot
//!   (see `family.rs`: such references must not make the page look shared).

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::mem::size_of;
use libzircon::Status;

use super::PageAddr;

const CHUNK_SHIFT: u32 = 4;
/// Consecutive page indices per chunk.
pub const CHUNK_PAGES: usize = 1 << CHUNK_SHIFT;
const CHUNK_MASK: u64 = CHUNK_PAGES as u64 - 1;

/// A committed page as the list records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub page: PageAddr,
    pub owned: bool,
    pub pins: u32,
}

#[derive(Clone, Copy, Default)]
struct Slot {
    page: PageAddr,
    pins: u32,
}

struct Chunk {
    /// Index of the chunk's first page, divided by `CHUNK_PAGES`.
    number: u64,
    present: u16,
    owned: u16,
    slots: Box<[Slot; CHUNK_PAGES]>,
}

impl Chunk {
    fn new(number: u64) -> Result<Chunk, Status> {
        let mut slots = Vec::new();
        slots
            .try_reserve_exact(CHUNK_PAGES)
            .map_err(|_| Status::NO_MEMORY)?;
        slots.resize(CHUNK_PAGES, Slot::default());
        // The length equals the capacity, so neither conversion reallocates.
        let slots: Box<[Slot]> = slots.into_boxed_slice();
        let slots: Box<[Slot; CHUNK_PAGES]> = slots.try_into().map_err(|_| Status::INTERNAL)?;
        Ok(Chunk {
            number,
            present: 0,
            owned: 0,
            slots,
        })
    }

    fn entry(&self, bit: usize) -> Option<Entry> {
        if self.present & (1 << bit) == 0 {
            return None;
        }
        Some(Entry {
            page: self.slots[bit].page,
            owned: self.owned & (1 << bit) != 0,
            pins: self.slots[bit].pins,
        })
    }
}

fn split(index: u64) -> (u64, usize) {
    (index >> CHUNK_SHIFT, (index & CHUNK_MASK) as usize)
}

/// The committed pages of one VMO, by page index.
#[derive(Default)]
pub struct PageList {
    chunks: Vec<Chunk>,
    len: usize,
}

impl PageList {
    /// Committed pages.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.len
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Kernel heap bytes spent on the list itself.
    pub fn heap_bytes(&self) -> usize {
        self.chunks.capacity() * size_of::<Chunk>()
            + self.chunks.len() * size_of::<[Slot; CHUNK_PAGES]>()
    }

    fn find(&self, number: u64) -> Result<usize, usize> {
        // Sequential access mostly touches the last chunk: try it first.
        match self.chunks.last() {
            Some(last) if last.number == number => return Ok(self.chunks.len() - 1),
            Some(last) if last.number < number => return Err(self.chunks.len()),
            _ => {}
        }
        self.chunks.binary_search_by_key(&number, |c| c.number)
    }

    pub fn get(&self, index: u64) -> Option<Entry> {
        let (number, bit) = split(index);
        let at = self.find(number).ok()?;
        self.chunks[at].entry(bit)
    }

    /// Makes room for `index`, so that [`PageList::insert`] there cannot fail.
    pub fn reserve(&mut self, index: u64) -> Result<(), Status> {
        let (number, _) = split(index);
        if let Err(at) = self.find(number) {
            self.chunks.try_reserve(1).map_err(|_| Status::NO_MEMORY)?;
            let chunk = Chunk::new(number)?;
            self.chunks.insert(at, chunk);
        }
        Ok(())
    }

    /// Gives back the room [`PageList::reserve`] made, if nothing was put there.
    pub fn unreserve(&mut self, index: u64) {
        let (number, _) = split(index);
        if let Ok(at) = self.find(number) {
            if self.chunks[at].present == 0 {
                self.chunks.remove(at);
            }
        }
    }

    /// Records `page` at a free, reserved `index`.
    pub fn insert(&mut self, index: u64, page: PageAddr, owned: bool) {
        let (number, bit) = split(index);
        let at = self.find(number).expect("PageList::insert without reserve");
        let chunk = &mut self.chunks[at];
        debug_assert!(chunk.present & (1 << bit) == 0, "slot taken");
        chunk.present |= 1 << bit;
        if owned {
            chunk.owned |= 1 << bit;
        } else {
            chunk.owned &= !(1 << bit);
        }
        chunk.slots[bit] = Slot { page, pins: 0 };
        self.len += 1;
    }

    fn slot_mut(&mut self, index: u64) -> Option<(&mut Chunk, usize)> {
        let (number, bit) = split(index);
        let at = self.find(number).ok()?;
        let chunk = &mut self.chunks[at];
        if chunk.present & (1 << bit) == 0 {
            return None;
        }
        Some((chunk, bit))
    }

    /// Puts `page` in the place of the committed page at `index` and returns the old
    /// entry (its pins stay with the old page).
    pub fn replace(&mut self, index: u64, page: PageAddr, owned: bool) -> Option<Entry> {
        let (chunk, bit) = self.slot_mut(index)?;
        let old = chunk.entry(bit);
        chunk.slots[bit] = Slot { page, pins: 0 };
        if owned {
            chunk.owned |= 1 << bit;
        } else {
            chunk.owned &= !(1 << bit);
        }
        old
    }

    pub fn set_owned(&mut self, index: u64, owned: bool) {
        if let Some((chunk, bit)) = self.slot_mut(index) {
            if owned {
                chunk.owned |= 1 << bit;
            } else {
                chunk.owned &= !(1 << bit);
            }
        }
    }

    /// Notes a temporary reference to the page at `index`.
    pub fn pin(&mut self, index: u64) {
        if let Some((chunk, bit)) = self.slot_mut(index) {
            chunk.slots[bit].pins = chunk.slots[bit].pins.saturating_add(1);
        }
    }

    /// Drops a temporary reference noted by [`PageList::pin`], if `page` is still the
    /// page at `index` (a page replaced or removed since keeps its pins: they no longer
    /// matter to this list).
    pub fn unpin(&mut self, index: u64, page: PageAddr) {
        if let Some((chunk, bit)) = self.slot_mut(index) {
            let slot = &mut chunk.slots[bit];
            if slot.page == page && slot.pins > 0 {
                slot.pins -= 1;
            }
        }
    }

    pub fn remove(&mut self, index: u64) -> Option<Entry> {
        let (number, bit) = split(index);
        let at = self.find(number).ok()?;
        let chunk = &mut self.chunks[at];
        let entry = chunk.entry(bit)?;
        chunk.present &= !(1 << bit);
        chunk.owned &= !(1 << bit);
        chunk.slots[bit] = Slot::default();
        if chunk.present == 0 {
            self.chunks.remove(at);
        }
        self.len -= 1;
        Some(entry)
    }

    /// The first committed page at `index` or after it.
    pub fn next_from(&self, index: u64) -> Option<(u64, Entry)> {
        let (number, first_bit) = split(index);
        let mut at = match self.find(number) {
            Ok(at) | Err(at) => at,
        };
        while let Some(chunk) = self.chunks.get(at) {
            let from = if chunk.number == number { first_bit } else { 0 };
            let mask = chunk.present & (u16::MAX << from);
            if mask != 0 {
                let bit = mask.trailing_zeros() as usize;
                let entry = chunk.entry(bit)?;
                return Some(((chunk.number << CHUNK_SHIFT) + bit as u64, entry));
            }
            at += 1;
        }
        None
    }

    /// Every committed page, in index order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, Entry)> + '_ {
        self.chunks.iter().flat_map(|chunk| {
            (0..CHUNK_PAGES).filter_map(move |bit| {
                chunk
                    .entry(bit)
                    .map(|e| ((chunk.number << CHUNK_SHIFT) + bit as u64, e))
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(list: &mut PageList, index: u64, page: u64) {
        list.reserve(index).unwrap();
        list.insert(index, PageAddr(page), true);
    }

    #[test]
    fn lookup_finds_what_was_inserted_in_any_order() {
        let mut list = PageList::default();
        for &i in &[40u64, 3, 1000, 17, 16, 15, 0, 1 << 40] {
            put(&mut list, i, i + 1);
        }
        for &i in &[40u64, 3, 1000, 17, 16, 15, 0, 1 << 40] {
            assert_eq!(list.get(i).unwrap().page, PageAddr(i + 1));
        }
        assert_eq!(list.get(1), None);
        assert_eq!(list.len(), 8);
        let indices: Vec<u64> = list.iter().map(|(i, _)| i).collect();
        assert_eq!(indices, [0, 3, 15, 16, 17, 40, 1000, 1 << 40]);
    }

    #[test]
    fn next_from_skips_gaps_and_chunks() {
        let mut list = PageList::default();
        put(&mut list, 5, 1);
        put(&mut list, 70, 2);
        assert_eq!(list.next_from(0).unwrap().0, 5);
        assert_eq!(list.next_from(5).unwrap().0, 5);
        assert_eq!(list.next_from(6).unwrap().0, 70);
        assert_eq!(list.next_from(71), None);
    }

    #[test]
    fn removing_the_last_page_of_a_chunk_frees_the_chunk() {
        let mut list = PageList::default();
        put(&mut list, 5, 1);
        assert!(list.heap_bytes() > 0);
        assert_eq!(list.remove(5).unwrap().page, PageAddr(1));
        assert_eq!(list.remove(5), None);
        assert!(list.is_empty());
        assert_eq!(list.chunks.len(), 0);
    }

    #[test]
    fn unreserve_drops_an_unused_chunk_only() {
        let mut list = PageList::default();
        list.reserve(3).unwrap();
        list.unreserve(3);
        assert_eq!(list.chunks.len(), 0);
        put(&mut list, 3, 9);
        list.reserve(4).unwrap();
        list.unreserve(4);
        assert_eq!(list.get(3).unwrap().page, PageAddr(9));
    }

    #[test]
    fn pins_follow_the_page_not_the_slot() {
        let mut list = PageList::default();
        put(&mut list, 2, 7);
        list.pin(2);
        assert_eq!(list.get(2).unwrap().pins, 1);
        let old = list.replace(2, PageAddr(8), true).unwrap();
        assert_eq!(old.pins, 1);
        assert_eq!(list.get(2).unwrap().pins, 0);
        list.unpin(2, PageAddr(7));
        assert_eq!(list.get(2).unwrap().pins, 0);
    }

    #[test]
    fn ownership_bits_are_per_page() {
        let mut list = PageList::default();
        list.reserve(0).unwrap();
        list.insert(0, PageAddr(1), false);
        list.reserve(1).unwrap();
        list.insert(1, PageAddr(2), true);
        assert!(!list.get(0).unwrap().owned);
        assert!(list.get(1).unwrap().owned);
        list.set_owned(0, true);
        assert!(list.get(0).unwrap().owned);
    }
}
