//! The reference model for the property tests (`properties.rs`): a list of VMARs and,
//! for each page of the root's range, the mapping that covers it (owning VMAR, object,
//! VMO page, permissions). It applies Zircon's rules page by page, with none of the
//! tree's machinery: no sorted children, no splitting, no serials.

use super::*;

/// The model's root: `PAGES` pages from `ROOT_BASE`.
pub(super) const PAGES: usize = 64;
pub(super) const ROOT_BASE: usize = 0x10_0000;

const PERMS: u32 = 0b111;
const CAN_MAP: u32 = ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_EXECUTE;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct MPage {
    pub owner: usize,
    pub object: u32,
    pub vmo_page: u64,
    pub perms: u32,
    pub max: u32,
}

#[derive(Clone, Debug)]
pub(super) struct MVmar {
    pub alive: bool,
    /// First page, counted from `ROOT_BASE`.
    pub first: usize,
    pub pages: usize,
    pub flags: u32,
    pub parent: Option<usize>,
}

impl MVmar {
    fn base(&self) -> usize {
        ROOT_BASE + self.first * P
    }

    fn end(&self) -> usize {
        self.base() + self.pages * P
    }
}

/// A removed or replaced page: (page, object, VMO page, permissions, maximum).
pub(super) type Gone = (usize, u32, u64, u32, u32);

#[derive(Clone)]
pub(super) struct Model {
    pub vmars: Vec<MVmar>,
    pub pages: Vec<Option<MPage>>,
    pub first_fit: bool,
}

pub(super) fn page_of(addr: usize) -> usize {
    (addr - ROOT_BASE) / P
}

fn gone(page: usize, m: MPage) -> Gone {
    (page, m.object, m.vmo_page, m.perms, m.max)
}

/// The permissions `CAN_MAP_*` flags allow (bits 7..9 to bits 0..2).
fn allowed(flags: u32) -> u32 {
    (flags & CAN_MAP) >> 7
}

/// Zircon's option split: unknown bits below 24 (MAP_RANGE included) or a bad
/// alignment are INVALID_ARGS. Returns (low bits, alignment exponent).
fn split(options: u32) -> Result<(u32, u32), Status> {
    let low = options & 0xff_ffff;
    let known = 0x7fff & !ZX_VM_MAP_RANGE;
    let align = options >> 24;
    if low & !known != 0 || (align != 0 && align < 10) || align > 32 {
        return Err(Status::INVALID_ARGS);
    }
    Ok((low, align))
}

fn round(len: usize) -> Option<usize> {
    len.checked_add(P - 1).map(|l| l / P * P)
}

impl Model {
    pub(super) fn new(first_fit: bool) -> Model {
        Model {
            vmars: vec![MVmar {
                alive: true,
                first: 0,
                pages: PAGES,
                flags: CAN_MAP | ZX_VM_CAN_MAP_SPECIFIC,
                parent: None,
            }],
            pages: vec![None; PAGES],
            first_fit,
        }
    }

    fn is_descendant(&self, mut c: usize, v: usize) -> bool {
        while let Some(parent) = self.vmars[c].parent {
            if parent == v {
                return true;
            }
            c = parent;
        }
        false
    }

    /// The live direct child VMAR of `v` over `page`.
    fn child_at(&self, v: usize, page: usize) -> Option<usize> {
        (0..self.vmars.len()).find(|&c| {
            let m = &self.vmars[c];
            m.alive && m.parent == Some(v) && m.first <= page && page < m.first + m.pages
        })
    }

    fn occupied(&self, v: usize, page: usize) -> bool {
        self.pages[page].is_some_and(|m| m.owner == v) || self.child_at(v, page).is_some()
    }

    fn in_range(&self, v: usize, addr: usize, len: usize) -> bool {
        let m = &self.vmars[v];
        addr >= m.base() && addr - m.base() < m.pages * P && m.pages * P - (addr - m.base()) >= len
    }

    /// Zircon's CreateSubVmarInternal: (base, over existing mappings).
    #[allow(clippy::too_many_arguments)]
    fn claim(
        &self,
        v: usize,
        flags: u32,
        child_can_map: u32,
        offset: usize,
        size: usize,
        align: u32,
        chosen: Option<usize>,
    ) -> Result<(usize, bool), Status> {
        let vm = &self.vmars[v];
        if !vm.alive {
            return Err(Status::BAD_STATE);
        }
        if size == 0 {
            return Err(Status::INVALID_ARGS);
        }
        if child_can_map & !vm.flags & CAN_MAP != 0 {
            return Err(Status::ACCESS_DENIED);
        }
        let overwrite = flags & ZX_VM_SPECIFIC_OVERWRITE != 0;
        let specific = flags & ZX_VM_SPECIFIC != 0 || overwrite;
        let upper = flags & ZX_VM_OFFSET_IS_UPPER_LIMIT != 0;
        if (specific && upper) || (!specific && !upper && offset != 0) || !offset.is_multiple_of(P)
        {
            return Err(Status::INVALID_ARGS);
        }
        if (specific || upper) && vm.flags & ZX_VM_CAN_MAP_SPECIFIC == 0 {
            return Err(Status::ACCESS_DENIED);
        }
        let room = vm.pages * P;
        let fits = if upper {
            offset <= room && size <= offset
        } else {
            offset < room && size <= room - offset
        };
        if !fits {
            return Err(Status::INVALID_ARGS);
        }
        let free = |base: usize| (0..size / P).all(|i| !self.occupied(v, page_of(base) + i));
        if specific {
            let base = vm.base() + offset;
            if align > 0 && !base.is_multiple_of(1 << align) {
                return Err(Status::INVALID_ARGS);
            }
            return match (free(base), overwrite) {
                (true, _) => Ok((base, false)),
                (false, true) => Ok((base, true)),
                (false, false) => Err(Status::ALREADY_EXISTS),
            };
        }
        let limit = if upper { vm.base() + offset } else { vm.end() };
        let alignment = (1usize << align).max(P);
        let legal: Vec<usize> = (0..vm.pages)
            .map(|i| vm.base() + i * P)
            .filter(|&b| b % alignment == 0 && b + size <= limit && free(b))
            .collect();
        let Some(&lowest) = legal.first() else {
            return Err(Status::NO_RESOURCES);
        };
        if let Some(base) = chosen {
            assert!(
                legal.contains(&base),
                "placed at {base:#x}, not a legal spot"
            );
            if self.first_fit {
                assert_eq!(base, lowest, "first fit must take the lowest spot");
            }
        }
        Ok((chosen.unwrap_or(lowest), false))
    }

    /// Returns the new VMAR's index.
    pub(super) fn allocate(
        &mut self,
        parent: usize,
        options: u32,
        offset: usize,
        size: usize,
        chosen: Option<usize>,
    ) -> Result<usize, Status> {
        let (low, align) = split(options)?;
        let not_for_vmars =
            ZX_VM_SPECIFIC_OVERWRITE | ZX_VM_REQUIRE_NON_RESIZABLE | ZX_VM_ALLOW_FAULTS;
        if low & PERMS != 0 || !size.is_multiple_of(P) || low & not_for_vmars != 0 {
            return Err(Status::INVALID_ARGS);
        }
        let (base, _) = self.claim(parent, low, low & CAN_MAP, offset, size, align, chosen)?;
        self.vmars.push(MVmar {
            alive: true,
            first: page_of(base),
            pages: size / P,
            flags: low & (CAN_MAP | ZX_VM_CAN_MAP_SPECIFIC | ZX_VM_COMPACT),
            parent: Some(parent),
        });
        Ok(self.vmars.len() - 1)
    }

    /// Returns the base and the replaced pages.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn map(
        &mut self,
        v: usize,
        options: u32,
        offset: usize,
        len: usize,
        object: u32,
        vmo_offset: u64,
        max: u32,
        chosen: Option<usize>,
    ) -> Result<(usize, Vec<Gone>), Status> {
        let perms = options & PERMS;
        let valid = perms & ZX_VM_PERM_READ != 0 || perms == 0;
        let range_overwrite =
            options & ZX_VM_MAP_RANGE != 0 && options & ZX_VM_SPECIFIC_OVERWRITE != 0;
        if !valid || range_overwrite || options & CAN_MAP != 0 {
            return Err(Status::INVALID_ARGS);
        }
        if perms & !max != 0 {
            return Err(Status::ACCESS_DENIED);
        }
        let (low, align) = split(options & !ZX_VM_MAP_RANGE)?;
        let ignored = PERMS
            | ZX_VM_PERM_READ_IF_XOM_UNSUPPORTED
            | ZX_VM_REQUIRE_NON_RESIZABLE
            | ZX_VM_ALLOW_FAULTS;
        let flags = low & !ignored;
        let placement = ZX_VM_SPECIFIC | ZX_VM_SPECIFIC_OVERWRITE | ZX_VM_OFFSET_IS_UPPER_LIMIT;
        if flags & !placement != 0 {
            return Err(Status::INVALID_ARGS);
        }
        let vmar_allows = allowed(self.vmars[v].flags);
        if perms & !vmar_allows != 0 {
            return Err(Status::ACCESS_DENIED);
        }
        if !vmo_offset.is_multiple_of(P as u64) {
            return Err(Status::INVALID_ARGS);
        }
        let len = round(len).ok_or(Status::OUT_OF_RANGE)?;
        if vmo_offset.checked_add(len as u64).is_none() {
            return Err(Status::OUT_OF_RANGE);
        }
        let max = (max & vmar_allows) | perms;
        let (base, overwrite) = self.claim(v, flags, max << 7, offset, len, align, chosen)?;
        let first = page_of(base);
        let range = first..first + len / P;
        if overwrite && range.clone().any(|p| self.child_at(v, p).is_some()) {
            return Err(Status::INVALID_ARGS);
        }
        let mut replaced = Vec::new();
        for (i, page) in range.enumerate() {
            if let Some(old) = self.pages[page] {
                assert_eq!(old.owner, v);
                replaced.push(gone(page, old));
            }
            self.pages[page] = Some(MPage {
                owner: v,
                object,
                vmo_page: vmo_offset / P as u64 + i as u64,
                perms,
                max,
            });
        }
        Ok((base, replaced))
    }

    pub(super) fn unmap(
        &mut self,
        v: usize,
        addr: usize,
        len: usize,
        op_children: bool,
    ) -> Result<Vec<Gone>, Status> {
        if !addr.is_multiple_of(P) {
            return Err(Status::INVALID_ARGS);
        }
        let len = round(len).filter(|&l| l > 0).ok_or(Status::INVALID_ARGS)?;
        if !self.vmars[v].alive {
            return Err(Status::BAD_STATE);
        }
        if !self.in_range(v, addr, len) {
            return Err(Status::INVALID_ARGS);
        }
        let end = addr + len;
        let mut covered = Vec::new();
        for c in 0..self.vmars.len() {
            let m = &self.vmars[c];
            if !m.alive || m.parent != Some(v) || m.end() <= addr || m.base() >= end {
                continue;
            }
            if m.base() < addr || m.end() > end || !op_children {
                return Err(Status::INVALID_ARGS);
            }
            covered.push(c);
        }
        for c in 0..self.vmars.len() {
            if covered
                .iter()
                .any(|&top| c == top || self.is_descendant(c, top))
            {
                self.vmars[c].alive = false;
            }
        }
        let mut removed = Vec::new();
        for page in page_of(addr)..page_of(end) {
            if let Some(old) = self.pages[page].take() {
                removed.push(gone(page, old));
            }
        }
        Ok(removed)
    }

    /// Returns the pages whose permissions changed: (page, old, new).
    pub(super) fn protect(
        &mut self,
        v: usize,
        options: u32,
        addr: usize,
        len: usize,
        op_children: bool,
    ) -> Result<Vec<(usize, u32, u32)>, Status> {
        let perms = options & PERMS;
        if (perms & ZX_VM_PERM_READ == 0 && perms != 0) || !addr.is_multiple_of(P) {
            return Err(Status::INVALID_ARGS);
        }
        let (low, align) = split(options)?;
        if low & !(PERMS | ZX_VM_PERM_READ_IF_XOM_UNSUPPORTED) != 0 || align != 0 {
            return Err(Status::INVALID_ARGS);
        }
        let len = round(len).filter(|&l| l > 0).ok_or(Status::INVALID_ARGS)?;
        if !self.vmars[v].alive {
            return Err(Status::BAD_STATE);
        }
        if !self.in_range(v, addr, len) {
            return Err(Status::INVALID_ARGS);
        }
        let pages = page_of(addr)..page_of(addr + len);
        for page in pages.clone() {
            let Some(m) = self.pages[page] else {
                return Err(Status::NOT_FOUND);
            };
            if perms & !m.max != 0 {
                return Err(Status::ACCESS_DENIED);
            }
            if m.owner != v {
                assert!(self.is_descendant(m.owner, v));
                if !op_children {
                    return Err(Status::INVALID_ARGS);
                }
                if perms & !m.perms != 0 {
                    return Err(Status::ACCESS_DENIED);
                }
            }
        }
        let mut changed = Vec::new();
        for page in pages {
            let m = self.pages[page].as_mut().unwrap();
            if m.perms != perms {
                changed.push((page, m.perms, perms));
                m.perms = perms;
            }
        }
        Ok(changed)
    }

    pub(super) fn destroy(&mut self, v: usize) -> Result<Vec<Gone>, Status> {
        if v == 0 {
            return Err(Status::NOT_SUPPORTED);
        }
        if !self.vmars[v].alive {
            return Err(Status::BAD_STATE);
        }
        for c in 0..self.vmars.len() {
            if c == v || self.is_descendant(c, v) {
                self.vmars[c].alive = false;
            }
        }
        let mut removed = Vec::new();
        for page in 0..PAGES {
            if let Some(old) = self.pages[page] {
                if old.owner == v || self.is_descendant(old.owner, v) {
                    removed.push(gone(page, old));
                    self.pages[page] = None;
                }
            }
        }
        Ok(removed)
    }
}
