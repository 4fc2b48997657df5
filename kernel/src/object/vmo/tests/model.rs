//! The reference model for the property tests (`properties.rs`): a `Vec<u8>` per paged
//! VMO (a root or a snapshot, which copies its parent's bytes when made) and, for each
//! slice, a window onto the bytes of the VMO it shows. It mirrors the object's rules
//! for errors, children and closing, not its pages.

use std::collections::HashMap;

use super::*;
use crate::object::vmo::round_size;

/// The byte a write with `seed` puts at position `at` of its buffer.
pub(super) fn pattern(seed: u8, at: u64) -> u8 {
    seed.wrapping_add((at as u8).wrapping_mul(31)) ^ (at >> 8) as u8
}

#[derive(Clone)]
pub(super) enum MKind {
    Paged {
        bytes: Vec<u8>,
        family_offset: u64,
        slices: usize,
        released: bool,
    },
    Slice {
        target: usize,
        offset: u64,
    },
}

#[derive(Clone)]
pub(super) struct MNode {
    pub(super) parent: Option<usize>,
    pub(super) children: usize,
    pub(super) alive: bool,
    pub(super) size: u64,
    pub(super) content: u64,
    pub(super) resizable: bool,
    pub(super) family: usize,
    pub(super) kind: MKind,
}

#[derive(Clone, Default)]
pub(super) struct Model {
    pub(super) nodes: Vec<Option<MNode>>,
    pub(super) holders: HashMap<usize, usize>,
}

pub(super) type Outcome<T = ()> = Result<T, Status>;

impl Model {
    pub(super) fn node(&self, n: usize) -> &MNode {
        self.nodes[n].as_ref().unwrap()
    }

    pub(super) fn node_mut(&mut self, n: usize) -> &mut MNode {
        self.nodes[n].as_mut().unwrap()
    }

    pub(super) fn resolve(&self, n: usize) -> (usize, u64) {
        match self.node(n).kind {
            MKind::Paged { .. } => (n, 0),
            MKind::Slice { target, offset } => (target, offset),
        }
    }

    pub(super) fn bytes_mut(&mut self, t: usize) -> &mut Vec<u8> {
        match &mut self.node_mut(t).kind {
            MKind::Paged { bytes, .. } => bytes,
            MKind::Slice { .. } => unreachable!(),
        }
    }

    pub(super) fn view(&self, n: usize) -> Vec<u8> {
        let (t, base) = self.resolve(n);
        let size = self.node(n).size as usize;
        match &self.node(t).kind {
            MKind::Paged { bytes, .. } => bytes[base as usize..base as usize + size].to_vec(),
            MKind::Slice { .. } => unreachable!(),
        }
    }

    pub(super) fn set_view(&mut self, n: usize, data: &[u8]) {
        let (t, base) = self.resolve(n);
        self.bytes_mut(t)[base as usize..base as usize + data.len()].copy_from_slice(data);
    }

    pub(super) fn fill(&mut self, n: usize, offset: u64, len: u64, byte: impl Fn(u64) -> u8) {
        let (t, base) = self.resolve(n);
        let bytes = self.bytes_mut(t);
        for i in 0..len {
            bytes[(base + offset + i) as usize] = byte(i);
        }
    }

    pub(super) fn add(&mut self, node: MNode) -> usize {
        if let MKind::Paged { .. } = node.kind {
            *self.holders.entry(node.family).or_default() += 1;
        }
        if let Some(parent) = node.parent {
            self.node_mut(parent).children += 1;
        }
        self.nodes.push(Some(node));
        self.nodes.len() - 1
    }

    pub(super) fn create(&mut self, size: u64, resizable: bool) -> Outcome<usize> {
        let rounded = round_size(size)?;
        let id = self.nodes.len();
        Ok(self.add(MNode {
            parent: None,
            children: 0,
            alive: true,
            size: rounded,
            content: size,
            resizable,
            family: id,
            kind: MKind::Paged {
                bytes: vec![0; rounded as usize],
                family_offset: 0,
                slices: 0,
                released: false,
            },
        }))
    }

    pub(super) fn check_io(&self, n: usize, offset: u64, len: u64) -> Outcome<bool> {
        let end = offset.checked_add(len).ok_or(Status::OUT_OF_RANGE)?;
        if end > self.node(n).size {
            return Err(Status::OUT_OF_RANGE);
        }
        Ok(len > 0)
    }

    pub(super) fn write(&mut self, n: usize, offset: u64, len: u64, seed: u8) -> Outcome {
        if self.check_io(n, offset, len)? {
            self.fill(n, offset, len, |i| pattern(seed, i));
        }
        Ok(())
    }

    pub(super) fn read(&self, n: usize, offset: u64, len: u64) -> Outcome<Vec<u8>> {
        if !self.check_io(n, offset, len)? {
            return Ok(Vec::new());
        }
        Ok(self.view(n)[offset as usize..(offset + len) as usize].to_vec())
    }

    pub(super) fn set_size(&mut self, n: usize, size: u64) -> Outcome {
        let rounded = size
            .checked_next_multiple_of(P)
            .ok_or(Status::OUT_OF_RANGE)?;
        let node = self.node(n);
        if !node.resizable {
            return Err(Status::UNAVAILABLE);
        }
        round_size(rounded)?;
        let MKind::Paged { family_offset, .. } = node.kind else {
            unreachable!()
        };
        family_offset
            .checked_add(rounded)
            .ok_or(Status::INVALID_ARGS)?;
        self.bytes_mut(n).resize(rounded as usize, 0);
        self.fill(n, size, rounded - size, |_| 0);
        let node = self.node_mut(n);
        node.size = rounded;
        node.content = size;
        Ok(())
    }

    pub(super) fn commit(&self, n: usize, offset: u64, len: u64) -> Outcome {
        offset
            .checked_add(len)
            .and_then(|end| end.checked_next_multiple_of(P))
            .ok_or(Status::OUT_OF_RANGE)?;
        if offset + len > self.node(n).size {
            return Err(Status::OUT_OF_RANGE);
        }
        Ok(())
    }

    pub(super) fn decommit(&mut self, n: usize, offset: u64, len: u64) -> Outcome {
        let node = self.node(n);
        match offset.checked_add(len) {
            Some(end) if end <= node.size => {}
            _ => return Err(Status::OUT_OF_RANGE),
        }
        let trimmed = len;
        if trimmed == 0 {
            return Ok(());
        }
        let (at, checked) = match node.kind {
            MKind::Slice { offset: base, .. } => (base + offset, len),
            MKind::Paged { .. } => (offset, len),
        };
        if self.holders[&node.family] > 1 {
            return Err(Status::NOT_SUPPORTED);
        }
        if !at.is_multiple_of(P) || !checked.is_multiple_of(P) {
            return Err(Status::INVALID_ARGS);
        }
        self.fill(n, offset, trimmed, |_| 0);
        Ok(())
    }

    pub(super) fn zero(&mut self, n: usize, offset: u64, len: u64) -> Outcome {
        if self.check_io(n, offset, len)? {
            self.fill(n, offset, len, |_| 0);
        }
        Ok(())
    }

    pub(super) fn snapshot(
        &mut self,
        n: usize,
        offset: u64,
        size: u64,
        resizable: bool,
    ) -> Outcome<usize> {
        if !offset.is_multiple_of(P) {
            return Err(Status::INVALID_ARGS);
        }
        let rounded = round_size(size)?;
        let parent = self.node(n);
        let MKind::Paged {
            bytes: ref parent_bytes,
            family_offset: parent_offset,
            ..
        } = parent.kind
        else {
            return Err(Status::NOT_SUPPORTED);
        };
        let family_offset = parent_offset
            .checked_add(offset)
            .filter(|o| o.checked_add(rounded).is_some())
            .ok_or(Status::INVALID_ARGS)?;
        let mut bytes = vec![0; rounded as usize];
        if offset < parent.size {
            let end = (offset + rounded).min(parent.size);
            let part = &parent_bytes[offset as usize..end as usize];
            bytes[..part.len()].copy_from_slice(part);
        }
        let family = parent.family;
        Ok(self.add(MNode {
            parent: Some(n),
            children: 0,
            alive: true,
            size: rounded,
            content: size,
            resizable,
            family,
            kind: MKind::Paged {
                bytes,
                family_offset,
                slices: 0,
                released: false,
            },
        }))
    }

    pub(super) fn slice(&mut self, n: usize, offset: u64, size: u64) -> Outcome<usize> {
        if !offset.is_multiple_of(P) {
            return Err(Status::INVALID_ARGS);
        }
        let rounded = round_size(size)?;
        let parent = self.node(n);
        if offset
            .checked_add(rounded)
            .is_none_or(|end| end > parent.size)
        {
            return Err(Status::INVALID_ARGS);
        }
        if parent.resizable {
            return Err(Status::NOT_SUPPORTED);
        }
        let family = parent.family;
        let (target, base) = self.resolve(n);
        if let MKind::Paged { slices, .. } = &mut self.node_mut(target).kind {
            *slices += 1;
        }
        Ok(self.add(MNode {
            parent: Some(n),
            children: 0,
            alive: true,
            size: rounded,
            content: size,
            resizable: false,
            family,
            kind: MKind::Slice {
                target,
                offset: base + offset,
            },
        }))
    }

    pub(super) fn set_content_size(&mut self, n: usize, size: u64) {
        let node = self.node_mut(n);
        node.content = size;
        let vmo_size = node.size;
        if size < vmo_size {
            self.fill(n, size, vmo_size - size, |_| 0);
        }
    }

    pub(super) fn release(&mut self, t: usize) {
        let family = self.node(t).family;
        if let MKind::Paged {
            released, bytes, ..
        } = &mut self.node_mut(t).kind
        {
            *released = true;
            bytes.clear();
        }
        *self.holders.get_mut(&family).unwrap() -= 1;
    }

    pub(super) fn close(&mut self, n: usize) {
        self.node_mut(n).alive = false;
        match self.node(n).kind {
            MKind::Paged { slices: 0, .. } => self.release(n),
            MKind::Paged { .. } => {}
            MKind::Slice { target, .. } => {
                let MKind::Paged { slices, .. } = &mut self.node_mut(target).kind else {
                    unreachable!()
                };
                *slices -= 1;
                let unused = *slices == 0;
                if unused && !self.node(target).alive {
                    self.release(target);
                }
            }
        }
        let mut current = n;
        loop {
            let node = self.node(current);
            if node.alive || node.children > 0 {
                break;
            }
            let parent = node.parent;
            self.nodes[current] = None;
            let Some(parent) = parent else { break };
            self.node_mut(parent).children -= 1;
            current = parent;
        }
    }
}
