//! Handle tables: a process's handles, each naming an object with a set of rights.
//!
//! A handle value is 32 bits with the two low bits set (Zircon's fixed bits). The other
//! 30 bits are a slot index and the slot's generation, scrambled with a per-table key by
//! a small Feistel network (a keyed bijection): closing a handle bumps its slot's
//! generation, so a stale value reads as ZX_ERR_BAD_HANDLE rather than as whatever
//! reuses the slot, and values cannot be predicted from one another.
//!
//! A [`Handle`] is counted: each object knows how many handles name it (in tables and in
//! channel messages in flight; `ZX_INFO_HANDLE_COUNT`), and acts when the last one goes
//! ([`HandleObject::on_zero_handles`]: a channel end's peer sees PEER_CLOSED then, even
//! while a blocked thread still holds a reference to the object). Lookups do not count:
//! they copy the [`Entry`] (the object reference and the rights), as before.

use alloc::vec::Vec;
use core::sync::atomic::{AtomicU32, Ordering};
use libzircon::prelude::*;
use libzircon::Status;

const INDEX_BITS: u32 = 14;
/// The most handles one process may hold.
pub const MAX_HANDLES: usize = 1 << INDEX_BITS;
const GENERATION_MASK: u32 = (1 << (30 - INDEX_BITS)) - 1;
const HALF_MASK: u32 = (1 << 15) - 1;

/// What a handle refers to, and what it allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry<O> {
    pub object: O,
    pub rights: zx_rights_t,
}

/// How many handles name an object: one field in each object a handle can name.
#[derive(Debug, Default)]
pub struct HandleCount(AtomicU32);

impl HandleCount {
    pub const fn new() -> Self {
        HandleCount(AtomicU32::new(0))
    }

    /// The handles now (ZX_INFO_HANDLE_COUNT); another thread may change it at once.
    pub fn get(&self) -> u32 {
        self.0.load(Ordering::Relaxed)
    }
}

/// What a handle can name: an object with a handle count, told when it reaches zero.
pub trait HandleObject {
    fn handle_count(&self) -> &HandleCount;

    /// The object's last handle is gone (no new one can be made from a handle now). Runs
    /// where the handle was dropped, with no lock held but possibly a handle table's
    /// (a failed [`HandleTable::add`] of a new object): it must not take a handle table's
    /// lock.
    fn on_zero_handles(&self);
}

/// A handle: an object and rights, counted in the object's [`HandleCount`] from
/// creation to drop, wherever it is kept (a process's table, a channel message).
pub struct Handle<O: HandleObject> {
    entry: Entry<O>,
    /// False once [`Handle::release`] has given up the count.
    counted: bool,
}

impl<O: HandleObject> Handle<O> {
    pub fn new(object: O, rights: zx_rights_t) -> Self {
        object.handle_count().0.fetch_add(1, Ordering::Relaxed);
        super::counts::handle_added();
        Handle {
            entry: Entry { object, rights },
            counted: true,
        }
    }

    pub fn entry(&self) -> &Entry<O> {
        &self.entry
    }

    pub fn object(&self) -> &O {
        &self.entry.object
    }

    pub fn rights(&self) -> zx_rights_t {
        self.entry.rights
    }

    /// The same handle with other rights (a transfer that reduces them).
    pub fn set_rights(&mut self, rights: zx_rights_t) {
        self.entry.rights = rights;
    }

    /// Gives the count up; true if it was the object's last handle.
    fn uncount(&mut self) -> bool {
        if !core::mem::replace(&mut self.counted, false) {
            return false;
        }
        super::counts::handles_removed(1);
        self.entry
            .object
            .handle_count()
            .0
            .fetch_sub(1, Ordering::AcqRel)
            == 1
    }

    /// Ends the handle without running the zero-handles hook: the object, if this was
    /// its last handle, for a caller that runs the hook's work itself (a channel
    /// destroying nested messages in a loop rather than by recursion).
    pub fn release(mut self) -> Option<O>
    where
        O: Clone,
    {
        self.uncount().then(|| self.entry.object.clone())
    }
}

impl<O: HandleObject> Drop for Handle<O> {
    fn drop(&mut self) {
        if self.uncount() {
            self.entry.object.on_zero_handles();
        }
    }
}

impl<O: HandleObject> core::ops::Deref for Handle<O> {
    type Target = Entry<O>;
    fn deref(&self) -> &Entry<O> {
        &self.entry
    }
}

impl<O: HandleObject + core::fmt::Debug> core::fmt::Debug for Handle<O> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.entry.fmt(f)
    }
}

struct Slot<O: HandleObject> {
    generation: u32,
    entry: Option<Handle<O>>,
}

pub struct HandleTable<O: HandleObject> {
    slots: Vec<Slot<O>>,
    free: Vec<u32>,
    keys: [u32; 4],
    live: usize,
}

fn round(half: u32, key: u32) -> u32 {
    let x = (half ^ key).wrapping_mul(0x2c1b_3c6d);
    (x ^ (x >> 15) ^ (x >> 7)) & HALF_MASK
}

impl<O: HandleObject> HandleTable<O> {
    /// An empty table whose handle values are scrambled with `seed`.
    pub fn new(seed: u64) -> Self {
        HandleTable {
            slots: Vec::new(),
            free: Vec::new(),
            keys: [
                seed as u32,
                (seed >> 32) as u32,
                (seed as u32).rotate_left(11) ^ 0x5bd1_e995,
                ((seed >> 32) as u32).rotate_left(19) ^ 0x1b87_3593,
            ],
            live: 0,
        }
    }

    fn encode(&self, index: u32, generation: u32) -> zx_handle_t {
        let raw = (generation << INDEX_BITS) | index;
        let (mut left, mut right) = (raw >> 15, raw & HALF_MASK);
        for &k in &self.keys {
            (left, right) = (right, left ^ round(right, k));
        }
        (((left << 15) | right) << 2) | ZX_HANDLE_FIXED_BITS_MASK
    }

    /// The slot index of a live handle value.
    fn decode(&self, handle: zx_handle_t) -> Option<usize> {
        if handle & ZX_HANDLE_FIXED_BITS_MASK != ZX_HANDLE_FIXED_BITS_MASK {
            return None;
        }
        let scrambled = handle >> 2;
        let (mut left, mut right) = (scrambled >> 15, scrambled & HALF_MASK);
        for &k in self.keys.iter().rev() {
            (left, right) = (right ^ round(left, k), left);
        }
        let raw = (left << 15) | right;
        let index = (raw & ((1 << INDEX_BITS) - 1)) as usize;
        let slot = self.slots.get(index)?;
        (slot.entry.is_some() && slot.generation == raw >> INDEX_BITS).then_some(index)
    }

    /// Adds a handle to a new object. Fails with NO_RESOURCES when the table is full and
    /// NO_MEMORY when it cannot grow (the handle is dropped then, here).
    pub fn add(&mut self, object: O, rights: zx_rights_t) -> Result<zx_handle_t, Status> {
        self.insert(Handle::new(object, rights))
            .map_err(|(status, _handle)| status)
    }

    /// Adds an existing handle (one taken out of a message, say); on failure it comes
    /// back with the status, for the caller to drop outside the table's lock.
    pub fn insert(&mut self, handle: Handle<O>) -> Result<zx_handle_t, (Status, Handle<O>)> {
        let index = match self.free.pop() {
            Some(i) => i as usize,
            None => {
                if self.slots.len() >= MAX_HANDLES {
                    return Err((Status::NO_RESOURCES, handle));
                }
                if self.slots.try_reserve(1).is_err()
                    // Reserve room to free this slot later, so remove() never allocates.
                    || self
                        .free
                        .try_reserve(self.slots.len() + 1 - self.free.len())
                        .is_err()
                {
                    return Err((Status::NO_MEMORY, handle));
                }
                self.slots.push(Slot {
                    generation: 0,
                    entry: None,
                });
                self.slots.len() - 1
            }
        };
        let slot = &mut self.slots[index];
        slot.entry = Some(handle);
        let generation = slot.generation;
        self.live += 1;
        debug_assert_eq!(self.free.len() + self.live, self.slots.len());
        // The whole table now and then: a full scan on every call would be quadratic.
        #[cfg(debug_assertions)]
        if self.live.is_multiple_of(64) {
            debug_assert_eq!(self.check(), Ok(()));
        }
        Ok(self.encode(index as u32, generation))
    }

    /// Checks the table's own bookkeeping (for tests and debug builds): the live count
    /// matches the occupied slots, and the free list names each empty slot once.
    #[cfg(any(test, debug_assertions))]
    pub fn check(&self) -> Result<(), &'static str> {
        let occupied = self.slots.iter().filter(|s| s.entry.is_some()).count();
        if occupied != self.live {
            return Err("live count differs from the occupied slots");
        }
        let mut seen = alloc::vec![false; self.slots.len()];
        for &i in &self.free {
            let i = i as usize;
            if i >= self.slots.len() || self.slots[i].entry.is_some() || seen[i] {
                return Err("free list names a used, missing or repeated slot");
            }
            seen[i] = true;
        }
        if self.free.len() + self.live != self.slots.len() {
            return Err("a slot is neither used nor free");
        }
        Ok(())
    }

    pub fn get(&self, handle: zx_handle_t) -> Result<&Entry<O>, Status> {
        let index = self.decode(handle).ok_or(Status::BAD_HANDLE)?;
        self.slots[index]
            .entry
            .as_ref()
            .map(Handle::entry)
            .ok_or(Status::BAD_HANDLE)
    }

    /// Removes a handle and returns it (dropping it, outside the table's lock, closes it).
    pub fn remove(&mut self, handle: zx_handle_t) -> Result<Handle<O>, Status> {
        let index = self.decode(handle).ok_or(Status::BAD_HANDLE)?;
        let slot = &mut self.slots[index];
        let entry = slot.entry.take().ok_or(Status::BAD_HANDLE)?;
        slot.generation = (slot.generation + 1) & GENERATION_MASK;
        // Capacity for every slot was reserved in add(), so this cannot allocate.
        self.free.push(index as u32);
        debug_assert_eq!(self.free.len() + self.live - 1, self.slots.len());
        self.live -= 1;
        Ok(entry)
    }

    /// Number of live handles.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.live
    }

    /// Every handle's entry, in slot order.
    pub fn iter(&self) -> impl Iterator<Item = &Entry<O>> {
        self.slots
            .iter()
            .filter_map(|s| s.entry.as_ref().map(Handle::entry))
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Removes every handle, returning them so the caller can drop them outside any lock.
    pub fn drain(&mut self) -> Vec<Handle<O>> {
        let mut out = Vec::new();
        for slot in &mut self.slots {
            if let Some(e) = slot.entry.take() {
                out.push(e);
            }
        }
        self.slots.clear();
        self.free.clear();
        self.live = 0;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::test_runner::TestCaseError;
    use proptest::{prop_assert, prop_assert_eq};
    use std::collections::{HashMap, HashSet};
    use std::sync::atomic::AtomicUsize;
    use std::sync::Arc;

    /// Plain values as objects: they share one count and have no hook.
    static SHARED: HandleCount = HandleCount::new();
    macro_rules! plain_objects {
        ($($t:ty),*) => {$(
            impl HandleObject for $t {
                fn handle_count(&self) -> &HandleCount {
                    &SHARED
                }
                fn on_zero_handles(&self) {}
            }
        )*};
    }
    plain_objects!(i32, u64, usize, &'static str);

    /// An object that counts its handles and how often its last one went.
    #[derive(Debug, Default)]
    struct Counting {
        handles: HandleCount,
        zeros: AtomicUsize,
    }

    impl HandleObject for Arc<Counting> {
        fn handle_count(&self) -> &HandleCount {
            &self.handles
        }
        fn on_zero_handles(&self) {
            self.zeros.fetch_add(1, Ordering::Relaxed);
        }
    }

    #[test]
    fn handles_are_counted_wherever_they_live() {
        let object = Arc::new(Counting::default());
        let mut t = HandleTable::new(11);
        let a = t.add(object.clone(), ZX_RIGHT_READ).unwrap();
        let b = t.add(object.clone(), ZX_RIGHT_WRITE).unwrap();
        assert_eq!(object.handles.get(), 2);
        // Lookups do not count.
        let entry = t.get(a).unwrap().clone();
        assert_eq!(object.handles.get(), 2);
        // Out of the table (into a message, say) the handle still counts.
        let moved = t.remove(a).unwrap();
        assert_eq!(object.handles.get(), 2);
        let again = t.insert(moved).unwrap();
        drop(t.remove(b).unwrap());
        assert_eq!(object.handles.get(), 1);
        assert_eq!(object.zeros.load(Ordering::Relaxed), 0);
        drop(t.remove(again).unwrap());
        assert_eq!(object.handles.get(), 0);
        assert_eq!(object.zeros.load(Ordering::Relaxed), 1);
        // The lookup's reference keeps the object, not a handle.
        drop(entry);
    }

    #[test]
    fn release_gives_the_last_handle_back_without_the_hook() {
        let object = Arc::new(Counting::default());
        let first = Handle::new(object.clone(), 0);
        let second = Handle::new(object.clone(), 0);
        assert!(first.release().is_none());
        assert!(second.release().is_some());
        assert_eq!(object.handles.get(), 0);
        assert_eq!(object.zeros.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn drained_handles_close_when_dropped() {
        let object = Arc::new(Counting::default());
        let mut t = HandleTable::new(12);
        t.add(object.clone(), 0).unwrap();
        t.add(object.clone(), 0).unwrap();
        let drained = t.drain();
        assert_eq!(object.handles.get(), 2);
        drop(drained);
        assert_eq!(object.handles.get(), 0);
        assert_eq!(object.zeros.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn handles_have_fixed_bits_and_are_never_invalid() {
        let mut t = HandleTable::new(7);
        for i in 0..1000 {
            let h = t.add(i, ZX_RIGHT_READ).unwrap();
            assert_eq!(h & 3, 3);
            assert_ne!(h, ZX_HANDLE_INVALID);
        }
    }

    #[test]
    fn a_handle_finds_its_object_and_rights() {
        let mut t = HandleTable::new(1);
        let a = t.add("a", ZX_RIGHT_READ).unwrap();
        let b = t.add("b", ZX_RIGHT_WRITE).unwrap();
        assert_eq!(t.get(a).unwrap().object, "a");
        assert_eq!(t.get(b).unwrap().rights, ZX_RIGHT_WRITE);
    }

    #[test]
    fn closed_handle_is_bad_even_after_its_slot_is_reused() {
        let mut t = HandleTable::new(3);
        let a = t.add(1, 0).unwrap();
        t.remove(a).unwrap();
        let b = t.add(2, 0).unwrap();
        assert_ne!(a, b);
        assert_eq!(t.get(a), Err(Status::BAD_HANDLE));
        assert!(matches!(t.remove(a), Err(Status::BAD_HANDLE)));
        assert_eq!(t.get(b).unwrap().object, 2);
    }

    #[test]
    fn forged_values_are_bad_handles() {
        let mut t = HandleTable::new(99);
        let real: HashSet<u32> = (0..64).map(|i| t.add(i, 0).unwrap()).collect();
        for forged in [0u32, 1, 2, 3, 0xffff_ffff, 0x7, 0x8000_0003] {
            if !real.contains(&forged) {
                assert_eq!(t.get(forged), Err(Status::BAD_HANDLE), "{forged:#x}");
            }
        }
        // Flipping bits of real handles finds nothing (or another real handle).
        for &h in &real {
            for bit in 2..32 {
                let f = h ^ (1 << bit);
                if !real.contains(&f) {
                    assert_eq!(t.get(f), Err(Status::BAD_HANDLE));
                }
            }
        }
    }

    #[test]
    fn values_depend_on_the_key() {
        let mut a = HandleTable::new(1);
        let mut b = HandleTable::new(2);
        let ha: Vec<_> = (0..8).map(|i| a.add(i, 0).unwrap()).collect();
        let hb: Vec<_> = (0..8).map(|i| b.add(i, 0).unwrap()).collect();
        assert_ne!(ha, hb);
    }

    #[test]
    fn table_full_is_no_resources() {
        let mut t = HandleTable::new(5);
        for i in 0..MAX_HANDLES {
            t.add(i, 0).unwrap();
        }
        assert_eq!(t.add(0, 0), Err(Status::NO_RESOURCES));
        assert_eq!(t.len(), MAX_HANDLES);
    }

    #[test]
    fn drain_empties_the_table() {
        let mut t = HandleTable::new(5);
        let h = t.add(1, 0).unwrap();
        t.add(2, 0).unwrap();
        assert_eq!(t.drain().len(), 2);
        assert!(t.is_empty());
        assert_eq!(t.get(h), Err(Status::BAD_HANDLE));
    }

    /// Random add/remove sequences agree with a map from handle to object.
    #[test]
    fn matches_a_reference_model() {
        let mut rng = 0x1234_5678_9abc_def0u64;
        let mut next = || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        let mut t = HandleTable::new(next());
        let mut model: HashMap<u32, u64> = HashMap::new();
        let mut closed: Vec<u32> = Vec::new();
        for step in 0..20_000u64 {
            let r = next();
            if r % 3 != 0 || model.is_empty() {
                let h = t.add(step, 0).unwrap();
                assert!(model.insert(h, step).is_none(), "value reused while live");
            } else {
                let &h = model.keys().nth((r as usize / 3) % model.len()).unwrap();
                assert_eq!(t.remove(h).unwrap().object, model.remove(&h).unwrap());
                closed.push(h);
            }
            if step % 97 == 0 {
                for (&h, &v) in &model {
                    assert_eq!(t.get(h).unwrap().object, v);
                }
                for h in closed.iter().rev().take(50) {
                    if !model.contains_key(h) {
                        assert_eq!(t.get(*h), Err(Status::BAD_HANDLE));
                    }
                }
            }
        }
        assert_eq!(t.len(), model.len());
    }

    /// One step of the property below, decoded from an arbitrary byte and word.
    fn step(
        t: &mut HandleTable<u64>,
        model: &mut HashMap<u32, (u64, zx_rights_t)>,
        dead: &mut HashSet<u32>,
        (kind, word): (u8, u32),
        n: u64,
    ) -> Result<(), TestCaseError> {
        let live: Vec<u32> = model.keys().copied().collect();
        let pick = |list: &[u32]| list[word as usize % list.len()];
        match kind % 5 {
            0 | 1 => match t.add(n, word) {
                Ok(h) => {
                    prop_assert_eq!(h & ZX_HANDLE_FIXED_BITS_MASK, ZX_HANDLE_FIXED_BITS_MASK);
                    prop_assert!(model.insert(h, (n, word)).is_none(), "live value reissued");
                    dead.remove(&h);
                }
                Err(e) => {
                    prop_assert_eq!(e, Status::NO_RESOURCES);
                    prop_assert_eq!(model.len(), MAX_HANDLES);
                }
            },
            2 if !live.is_empty() => {
                let h = pick(&live);
                let (object, rights) = model.remove(&h).unwrap();
                prop_assert_eq!(
                    t.remove(h).map(|h| h.entry().clone()),
                    Ok(Entry { object, rights })
                );
                dead.insert(h);
            }
            3 if !live.is_empty() => {
                let h = pick(&live);
                let &(object, rights) = model.get(&h).unwrap();
                prop_assert_eq!(t.get(h), Ok(&Entry { object, rights }));
            }
            _ => {
                // Any other value: a closed one, or a forged one, must not be found
                // unless it happens to be live.
                let h = if !dead.is_empty() && kind & 0x80 != 0 {
                    pick(&dead.iter().copied().collect::<Vec<_>>())
                } else {
                    word
                };
                match model.get(&h) {
                    Some(&(object, rights)) => {
                        prop_assert_eq!(t.get(h), Ok(&Entry { object, rights }))
                    }
                    None => prop_assert_eq!(t.get(h), Err(Status::BAD_HANDLE)),
                }
            }
        }
        prop_assert_eq!(t.len(), model.len());
        prop_assert_eq!(t.check(), Ok(()));
        Ok(())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 512, ..proptest::prelude::ProptestConfig::default()
        })]

        /// Arbitrary sequences of add, remove, lookups of live, closed and forged values
        /// against a map: the table finds exactly what the map holds.
        #[test]
        fn arbitrary_operations_match_a_map(
            seed in proptest::prelude::any::<u64>(),
            ops in proptest::collection::vec(
                (proptest::prelude::any::<u8>(), proptest::prelude::any::<u32>()),
                1..400,
            ),
        ) {
            let mut t = HandleTable::new(seed);
            let mut model = HashMap::new();
            let mut dead = HashSet::new();
            for (n, &op) in ops.iter().enumerate() {
                step(&mut t, &mut model, &mut dead, op, n as u64)?;
            }
        }
    }
}
