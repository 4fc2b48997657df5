//! Virtual memory objects: Zircon's paged memory with its documented semantics.
//!
//! A [`Vmo`] is what a VMO handle names. Its pages come from a [`PageSource`] (the
//! kernel's frame allocator seen through the linear map; a mock in the tests), are
//! committed lazily on first write or `ZX_VMO_OP_COMMIT`, and are reference-counted so
//! that snapshot children can share them copy-on-write. Reading a page never committed
//! yields zeros without allocating. Dropping the last `Arc<Vmo>` releases every page
//! only it needed.
//!
//! The syscall layer (kernel/src/syscall/vmo.rs) looks up handles, checks rights and
//! copies user memory; everything else is here, with Zircon's checks in Zircon's order
//! (`zircon-abi.md` section 3). Every allocation on these paths is fallible and
//! NO_MEMORY leaves the VMO as it was (or, for multi-page work, with the pages done so
//! far done). The exceptions are the two `Arc::new` calls that create a VMO (its
//! family's shared state for a root, and the handle-side object itself).
//!
//! Files: `family.rs` holds the shared state of a root and its children and the
//! copy-on-write invariants; `pages.rs` the per-VMO page map; `io.rs` read and write;
//! `range_ops.rs` `zx_vmo_op_range`, sizes and cache policy.

mod family;
mod io;
mod mapping;
mod pages;
mod range_ops;
#[cfg(test)]
mod tests;

use alloc::sync::Arc;
use libzircon::prelude::*;
use libzircon::Status;
use spin::{Mutex, MutexGuard};

pub use crate::mm::window::PageWindow;
use crate::object::counts::{Counted, Kind as CountedKind};
use crate::object::handle::HandleCount;
use crate::object::koid;
use family::{Kind, Node, Paged, State};
// For the kernel's address spaces (target only; the host tests reach them directly).
#[cfg_attr(not(target_os = "none"), allow(unused_imports))]
pub use family::MappingObserver;
#[cfg_attr(not(target_os = "none"), allow(unused_imports))]
pub use io::WOULD_FAULT;
#[cfg_attr(not(target_os = "none"), allow(unused_imports))]
pub use mapping::{FaultPage, MappingTarget};

pub const PAGE_SIZE: usize = 4096;
const PAGE: u64 = PAGE_SIZE as u64;

/// The largest VMO size (Fuchsia's newer `VmPageList::MAX_SIZE`, digest 2.14).
pub const MAX_SIZE: u64 = 0xFFFF_FFFF_FFFE_0000;

/// A physical page, by address. Reference-counted by the source so children can
/// share it.
#[derive(Clone, Copy, PartialEq, Eq, Debug, PartialOrd, Ord, Hash, Default)]
pub struct PageAddr(pub u64);

/// Cache maintenance asked of the page source.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CacheOp {
    /// `ZX_VMO_OP_CACHE_SYNC`: make instruction fetch see the data.
    Sync,
    Clean,
    CleanInvalidate,
    /// `ZX_VMO_OP_CACHE_INVALIDATE`. The kernel may (and ours does) perform it as a
    /// clean-and-invalidate.
    Invalidate,
}

/// Where a VMO's pages come from.
///
/// The kernel implements it with its buddy frame allocator and the linear map; the
/// tests with a map from address to bytes. A source must never call back into a VMO:
/// it is called with a VMO family's lock held.
pub trait PageSource: Send + Sync {
    /// A zeroed page with reference count 1; `Err(Status::NO_MEMORY)` when memory is
    /// out.
    fn alloc_zeroed(&self) -> Result<PageAddr, Status>;
    /// A copy of `src` (for copy-on-write) with reference count 1.
    fn alloc_copy(&self, src: PageAddr) -> Result<PageAddr, Status>;
    fn add_ref(&self, page: PageAddr);
    /// Drops one reference; the page is freed when none remain.
    fn release(&self, page: PageAddr);
    fn ref_count(&self, page: PageAddr) -> u32;
    /// A window onto the whole page (kernel: through the linear map), valid while the
    /// caller holds a reference to the page. Never a Rust reference: user threads on
    /// other CPUs may write the page through their mappings at the same time, and two
    /// CPUs may copy into one page at once (as with any shared memory).
    fn window(&self, page: PageAddr) -> PageWindow;
    /// Cache maintenance over `len` bytes at `offset` in a committed page.
    fn cache_op(&self, page: PageAddr, offset: usize, len: usize, op: CacheOp);
    /// Called between the batches of a long operation, with no lock held: lets other
    /// threads run, and ends the operation (INTERNAL_INTR_RETRY) when the calling thread
    /// must leave the kernel (its process is dying).
    fn checkpoint(&self) -> Result<(), Status> {
        Ok(())
    }
    /// What each VMO keeps for the waiters of its signals.
    type Signals: SignalSink + 'static;
    /// A VMO's signal state, starting with `initial`.
    fn new_signals(&self, initial: zx_signals_t) -> Self::Signals;
}

/// Receives a VMO's signal changes (the kernel wakes its waiters).
pub trait SignalSink: Send + Sync {
    fn update(&self, clear: zx_signals_t, set: zx_signals_t);
}

/// What a root and all its children share: the page source and the one lock.
struct Family<S> {
    source: S,
    state: Mutex<State>,
}

/// A virtual memory object: what a VMO handle refers to.
pub struct Vmo<S: PageSource> {
    koid: zx_koid_t,
    slot: usize,
    family: Arc<Family<S>>,
    /// Mappings showing this VMO (kept by the kernel's mapping records).
    mappings: core::sync::atomic::AtomicUsize,
    /// Its signal state (the node keeps the same, to change it when children come and go).
    signals: Arc<S::Signals>,
    /// Its handles (ZX_INFO_HANDLE_COUNT).
    pub handle_count: HandleCount,
    _counted: Counted,
}

/// The size `size` rounds up to, or OUT_OF_RANGE past [`MAX_SIZE`] (digest 2.14).
pub fn round_size(size: u64) -> Result<u64, Status> {
    match size.checked_next_multiple_of(PAGE) {
        Some(rounded) if rounded <= MAX_SIZE => Ok(rounded),
        _ => Err(Status::OUT_OF_RANGE),
    }
}

/// Rights of the handle `zx_vmo_create` returns (RESIZE only on resizable VMOs).
pub fn create_rights(options: u32) -> zx_rights_t {
    if options & ZX_VMO_RESIZABLE != 0 {
        ZX_DEFAULT_VMO_RIGHTS | ZX_RIGHT_RESIZE
    } else {
        ZX_DEFAULT_VMO_RIGHTS
    }
}

/// Rights of a child's handle, from the rights of the parent handle it was made
/// through and the (accepted) `zx_vmo_create_child` options (digest 3.6 step 8).
pub fn child_rights(parent_rights: zx_rights_t, options: u32) -> zx_rights_t {
    let mut rights = parent_rights & !ZX_RIGHT_RESIZE;
    if options & ZX_VMO_CHILD_RESIZABLE != 0 {
        rights |= ZX_RIGHT_RESIZE;
    }
    rights |= ZX_RIGHT_GET_PROPERTY | ZX_RIGHT_SET_PROPERTY;
    if options & ZX_VMO_CHILD_NO_WRITE != 0 {
        rights &= !ZX_RIGHT_WRITE;
    } else if options & (ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE) != 0 {
        rights = (rights | ZX_RIGHT_WRITE) & !ZX_RIGHT_EXECUTE;
    }
    rights
}

/// The `zx_vmo_create_child` check done before the handle lookup: NO_WRITE with
/// RESIZABLE is INVALID_ARGS for every child type (digest 3.6 step 1).
pub fn check_child_options(options: u32) -> Result<(), Status> {
    if options & ZX_VMO_CHILD_NO_WRITE != 0 && options & ZX_VMO_CHILD_RESIZABLE != 0 {
        return Err(Status::INVALID_ARGS);
    }
    Ok(())
}

const NO_NAME: [u8; ZX_MAX_NAME_LEN] = [0; ZX_MAX_NAME_LEN];

impl<S: PageSource> Vmo<S> {
    /// `zx_vmo_create`: options, then size (digest 3.1). Content size is `size`.
    pub fn create(source: S, size: u64, options: u32) -> Result<Arc<Self>, Status> {
        if options & !(ZX_VMO_RESIZABLE | ZX_VMO_DISCARDABLE) != 0 {
            return Err(Status::INVALID_ARGS);
        }
        let resizable = options & ZX_VMO_RESIZABLE != 0;
        let discardable = options & ZX_VMO_DISCARDABLE != 0;
        if resizable && discardable {
            return Err(Status::INVALID_ARGS);
        }
        let rounded = round_size(size)?;
        let mut state = State::default();
        state.reserve_node()?;
        let koid = koid::next();
        state.family_id = koid as usize;
        let signals = Arc::new(source.new_signals(ZX_VMO_ZERO_CHILDREN));
        let slot = state.insert_node(Node {
            signals: signals.clone(),
            koid,
            parent: None,
            parent_koid: ZX_KOID_INVALID,
            children: 0,
            alive: true,
            size: rounded,
            content_size: size,
            resizable,
            discardable,
            cache_policy: ZX_CACHE_POLICY_CACHED,
            name: NO_NAME,
            lock_count: 0,
            kind: Kind::Paged(Paged {
                pages: Default::default(),
                family_offset: 0,
                cow_clone: false,
                slices: 0,
                released: false,
                writers: 0,
            }),
        });
        let family = Arc::new(Family {
            source,
            state: Mutex::new(state),
        });
        Ok(Arc::new(Vmo {
            koid,
            slot,
            family,
            mappings: Default::default(),
            signals,
            handle_count: HandleCount::new(),
            _counted: Counted::new(CountedKind::Vmo),
        }))
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.family.state.lock()
    }

    fn source(&self) -> &S {
        &self.family.source
    }

    /// `zx_vmo_create_child` after the handle lookup (the lookup needs
    /// `ZX_RIGHT_DUPLICATE | ZX_RIGHT_READ`; run [`check_child_options`] before it).
    /// `copy_name`: the parent handle has `ZX_RIGHT_GET_PROPERTY`.
    ///
    /// Errors, in order: INVALID_ARGS (NO_WRITE|RESIZABLE); NOT_SUPPORTED (discardable
    /// parent); then for a slice: INVALID_ARGS (other options, unaligned offset),
    /// OUT_OF_RANGE (size rounds past the maximum), INVALID_ARGS (range not inside the
    /// parent), NOT_SUPPORTED (resizable parent), BAD_STATE (uncached parent); for
    /// `ZX_VMO_CHILD_REFERENCE`: INVALID_ARGS (other options) else NOT_SUPPORTED; for a
    /// snapshot: INVALID_ARGS (no snapshot type, other options, unaligned offset),
    /// OUT_OF_RANGE (size), BAD_STATE (uncached parent), NOT_SUPPORTED (the parent is a
    /// slice), INVALID_ARGS (offset plus the parent's offset in its family, plus size,
    /// overflows), NO_MEMORY.
    pub fn create_child(
        &self,
        options: u32,
        offset: u64,
        size: u64,
        copy_name: bool,
    ) -> Result<Arc<Self>, Status> {
        check_child_options(options)?;
        let options = options & !ZX_VMO_CHILD_NO_WRITE;
        if self.state().node(self.slot).discardable {
            return Err(Status::NOT_SUPPORTED);
        }
        if options & ZX_VMO_CHILD_SLICE != 0 {
            return self.create_slice(options & !ZX_VMO_CHILD_SLICE, offset, size, copy_name);
        }
        if options & ZX_VMO_CHILD_REFERENCE != 0 {
            if options & !(ZX_VMO_CHILD_REFERENCE | ZX_VMO_CHILD_RESIZABLE) != 0 {
                return Err(Status::INVALID_ARGS);
            }
            return Err(Status::NOT_SUPPORTED);
        }
        let rest = if options & ZX_VMO_CHILD_SNAPSHOT != 0 {
            options & !ZX_VMO_CHILD_SNAPSHOT
        } else if options & ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE != 0 {
            // Without a pager, "at least on write" is a full snapshot.
            options & !ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE
        } else {
            return Err(Status::INVALID_ARGS);
        };
        if rest & !ZX_VMO_CHILD_RESIZABLE != 0 {
            return Err(Status::INVALID_ARGS);
        }
        self.create_snapshot(rest != 0, offset, size, copy_name)
    }

    fn create_slice(
        &self,
        options: u32,
        offset: u64,
        size: u64,
        copy_name: bool,
    ) -> Result<Arc<Self>, Status> {
        if options != 0 || !offset.is_multiple_of(PAGE) {
            return Err(Status::INVALID_ARGS);
        }
        let rounded = round_size(size)?;
        let mut state = self.state();
        let parent = state.node(self.slot);
        if offset
            .checked_add(rounded)
            .is_none_or(|end| end > parent.size)
        {
            return Err(Status::INVALID_ARGS);
        }
        if parent.resizable {
            return Err(Status::NOT_SUPPORTED);
        }
        if parent.cache_policy != ZX_CACHE_POLICY_CACHED {
            return Err(Status::BAD_STATE);
        }
        let name = if copy_name { parent.name } else { NO_NAME };
        let (target, base) = state.resolve(self.slot);
        state.reserve_node()?;
        let koid = koid::next();
        let signals = Arc::new(self.source().new_signals(ZX_VMO_ZERO_CHILDREN));
        let slot = state.insert_node(Node {
            signals: signals.clone(),
            koid,
            parent: Some(self.slot),
            parent_koid: self.koid,
            children: 0,
            alive: true,
            size: rounded,
            content_size: size,
            resizable: false,
            discardable: false,
            cache_policy: ZX_CACHE_POLICY_CACHED,
            name,
            lock_count: 0,
            kind: Kind::Slice {
                target,
                offset: base + offset,
            },
        });
        state.paged_mut(target).slices += 1;
        drop(state);
        Ok(self.sibling_handle(koid, slot, signals))
    }

    fn create_snapshot(
        &self,
        resizable: bool,
        offset: u64,
        size: u64,
        copy_name: bool,
    ) -> Result<Arc<Self>, Status> {
        if !offset.is_multiple_of(PAGE) {
            return Err(Status::INVALID_ARGS);
        }
        let rounded = round_size(size)?;
        loop {
            let mut state = self.state();
            let parent = state.node(self.slot);
            if parent.cache_policy != ZX_CACHE_POLICY_CACHED {
                return Err(Status::BAD_STATE);
            }
            let Kind::Paged(paged) = &parent.kind else {
                return Err(Status::NOT_SUPPORTED);
            };
            let family_offset = paged
                .family_offset
                .checked_add(offset)
                .filter(|o| o.checked_add(rounded).is_some())
                .ok_or(Status::INVALID_ARGS)?;
            if paged.writers > 0 {
                // A write is copying into the parent with the lock dropped: sharing
                // its pages now would let the rest of that write show in the child.
                drop(state);
                core::hint::spin_loop();
                continue;
            }
            let name = if copy_name { parent.name } else { NO_NAME };
            state.reserve_node()?;
            let pages = state.share_range(self.source(), self.slot, offset, rounded)?;
            let koid = koid::next();
            let signals = Arc::new(self.source().new_signals(ZX_VMO_ZERO_CHILDREN));
            let slot = state.insert_node(Node {
                signals: signals.clone(),
                koid,
                parent: Some(self.slot),
                parent_koid: self.koid,
                children: 0,
                alive: true,
                size: rounded,
                content_size: size,
                resizable,
                discardable: false,
                cache_policy: ZX_CACHE_POLICY_CACHED,
                name,
                lock_count: 0,
                kind: Kind::Paged(Paged {
                    pages,
                    family_offset,
                    cow_clone: true,
                    slices: 0,
                    released: false,
                    writers: 0,
                }),
            });
            drop(state);
            return Ok(self.sibling_handle(koid, slot, signals));
        }
    }

    fn sibling_handle(&self, koid: zx_koid_t, slot: usize, signals: Arc<S::Signals>) -> Arc<Self> {
        Arc::new(Vmo {
            koid,
            slot,
            family: self.family.clone(),
            mappings: Default::default(),
            signals,
            handle_count: HandleCount::new(),
            _counted: Counted::new(CountedKind::Vmo),
        })
    }

    pub fn koid(&self) -> zx_koid_t {
        self.koid
    }

    /// `zx_vmo_get_size`: the page-rounded size.
    pub fn size(&self) -> u64 {
        self.state().node(self.slot).size
    }

    /// `ZX_PROP_VMO_CONTENT_SIZE`.
    pub fn content_size(&self) -> u64 {
        self.state().node(self.slot).content_size
    }

    pub fn is_resizable(&self) -> bool {
        self.state().node(self.slot).resizable
    }

    pub fn is_discardable(&self) -> bool {
        self.state().node(self.slot).discardable
    }

    #[cfg(test)]
    pub fn cache_policy(&self) -> u32 {
        self.state().node(self.slot).cache_policy
    }

    /// `ZX_PROP_NAME`: the name, NUL-padded to `ZX_MAX_NAME_LEN` bytes.
    pub fn name(&self) -> [u8; ZX_MAX_NAME_LEN] {
        self.state().node(self.slot).name
    }

    /// Sets `ZX_PROP_NAME`: at most `ZX_MAX_NAME_LEN - 1` bytes are kept, then a NUL.
    pub fn set_name(&self, name: &[u8]) {
        let mut padded = NO_NAME;
        let len = name.len().min(ZX_MAX_NAME_LEN - 1);
        padded[..len].copy_from_slice(&name[..len]);
        self.state().node_mut(self.slot).name = padded;
    }

    /// The object's signals: `ZX_VMO_ZERO_CHILDREN` while it has no children (a closed
    /// child still counts while children of its own are open).
    #[cfg(test)]
    pub fn signals(&self) -> zx_signals_t {
        if self.state().node(self.slot).children == 0 {
            ZX_VMO_ZERO_CHILDREN
        } else {
            0
        }
    }

    /// The signal state waits observe.
    pub fn observers(&self) -> &S::Signals {
        &self.signals
    }

    /// `ZX_INFO_VMO` as seen through a handle with `handle_rights`. `num_mappings` is 0
    /// and `share_count` 1 until VMOs can be mapped.
    pub fn info(&self, handle_rights: zx_rights_t) -> zx_info_vmo_t {
        let state = self.state();
        let node = state.node(self.slot);
        let mut flags = ZX_INFO_VMO_TYPE_PAGED | ZX_INFO_VMO_VIA_HANDLE;
        if node.resizable {
            flags |= ZX_INFO_VMO_RESIZABLE;
        }
        if node.discardable {
            flags |= ZX_INFO_VMO_DISCARDABLE;
        }
        let mut metadata_bytes = 0;
        if let Kind::Paged(paged) = &node.kind {
            if paged.cow_clone {
                flags |= ZX_INFO_VMO_IS_COW_CLONE;
            }
            metadata_bytes = paged.pages.heap_bytes() as u64;
        }
        let committed_bytes = state.attributed_pages(self.source(), self.slot) * PAGE;
        let mut name = [0; ZX_MAX_NAME_LEN];
        for (c, &b) in name.iter_mut().zip(node.name.iter()) {
            #[allow(clippy::unnecessary_cast)] // c_char is u8 on some targets, i8 on others
            {
                *c = b as c_char;
            }
        }
        zx_info_vmo_t {
            koid: node.koid,
            name,
            size_bytes: node.size,
            parent_koid: node.parent_koid,
            num_children: node.children,
            num_mappings: self.mapping_count(),
            share_count: usize::from(self.mapping_count() > 0),
            flags,
            committed_bytes,
            handle_rights,
            cache_policy: node.cache_policy,
            metadata_bytes,
            committed_change_events: 0,
            populated_bytes: committed_bytes,
            ..Default::default()
        }
    }

    /// Pages the whole family holds, by attribution (tests check it against the
    /// source's live pages).
    #[cfg(test)]
    fn family_attributed_pages(&self) -> u64 {
        self.state().attributed_total(self.source())
    }
}

impl<S: PageSource> Drop for Vmo<S> {
    fn drop(&mut self) {
        let mut state = self.family.state.lock();
        state.drop_handle(&self.family.source, self.slot);
    }
}
