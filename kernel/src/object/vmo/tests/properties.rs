//! Property tests: random sequences of VMO operations (create, write, read, set_size,
//! commit, decommit, zero, snapshot, slice, content size, close) against the reference
//! model (`model.rs`), comparing every status and every byte, and checking that every
//! page alive is attributed to exactly one VMO.
//!
//! A second property runs the same operations with the page source refusing
//! allocations after a random budget: an operation that met NO_MEMORY may return it
//! (where the model says OK) and may leave each byte old or new, but never anything
//! else; and at the end nothing leaks.

use std::collections::HashMap;

use proptest::prelude::*;
use proptest::sample::Index;

use super::model::{pattern, Model, Outcome};
use super::*;
use crate::object::vmo::MAX_SIZE;

#[derive(Clone, Debug)]
enum Op {
    Create {
        size: u64,
        resizable: bool,
    },
    Write {
        h: Index,
        offset: u64,
        len: u64,
        seed: u8,
    },
    Read {
        h: Index,
        offset: u64,
        len: u64,
    },
    SetSize {
        h: Index,
        size: u64,
    },
    Commit {
        h: Index,
        offset: u64,
        len: u64,
    },
    Decommit {
        h: Index,
        offset: u64,
        len: u64,
    },
    Zero {
        h: Index,
        offset: u64,
        len: u64,
    },
    Snapshot {
        h: Index,
        offset: u64,
        size: u64,
        resizable: bool,
    },
    Slice {
        h: Index,
        offset: u64,
        size: u64,
    },
    SetContentSize {
        h: Index,
        size: u64,
    },
    Close {
        h: Index,
    },
}

const MAX_HANDLES: usize = 8;

fn offset() -> impl Strategy<Value = u64> {
    prop_oneof![
        12 => (0u64..8, prop_oneof![Just(0u64), Just(1), Just(P - 1), 0..P])
            .prop_map(|(pages, delta)| pages * P + delta),
        6 => (0u64..8).prop_map(|pages| pages * P),
        1 => prop_oneof![
            Just(u64::MAX),
            Just(u64::MAX - P + 1),
            Just(0xffff_ffff_ffff_8000u64),
            Just(1u64 << 40),
        ],
    ]
}

fn length() -> impl Strategy<Value = u64> {
    prop_oneof![
        6 => 0u64..3 * P,
        3 => (0u64..4).prop_map(|pages| pages * P),
        1 => prop_oneof![Just(u64::MAX), Just(u64::MAX - P + 1)],
    ]
}

fn size() -> impl Strategy<Value = u64> {
    prop_oneof![
        8 => 0u64..=6 * P,
        3 => (0u64..=6).prop_map(|pages| pages * P),
        1 => prop_oneof![Just(u64::MAX), Just(MAX_SIZE + 1)],
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let h = any::<Index>;
    prop_oneof![
        3 => (size(), any::<bool>()).prop_map(|(size, resizable)| Op::Create { size, resizable }),
        8 => (h(), offset(), length(), any::<u8>())
            .prop_map(|(h, offset, len, seed)| Op::Write { h, offset, len, seed }),
        3 => (h(), offset(), length()).prop_map(|(h, offset, len)| Op::Read { h, offset, len }),
        2 => (h(), size()).prop_map(|(h, size)| Op::SetSize { h, size }),
        1 => (h(), offset(), length()).prop_map(|(h, offset, len)| Op::Commit { h, offset, len }),
        2 => (h(), offset(), length()).prop_map(|(h, offset, len)| Op::Decommit { h, offset, len }),
        2 => (h(), offset(), length()).prop_map(|(h, offset, len)| Op::Zero { h, offset, len }),
        3 => (h(), offset(), size(), any::<bool>()).prop_map(|(h, offset, size, resizable)| {
            Op::Snapshot { h, offset, size, resizable }
        }),
        2 => (h(), offset(), size()).prop_map(|(h, offset, size)| Op::Slice { h, offset, size }),
        1 => (h(), size()).prop_map(|(h, size)| Op::SetContentSize { h, size }),
        1 => h().prop_map(|h| Op::Close { h }),
    ]
}

struct Run {
    src: MockSource,
    model: Model,
    handles: Vec<(Arc<TestVmo>, usize)>,
}

fn status<T>(result: &Result<T, Status>) -> Status {
    match result {
        Ok(_) => Status::OK,
        Err(status) => *status,
    }
}

impl Run {
    /// Runs one op on the VMO and on `after` (a copy of the model); returns both
    /// statuses and the handles whose contents may have changed.
    fn step(&mut self, op: &Op, after: &mut Model) -> (Status, Status, Vec<usize>) {
        let pick = |h: &Index, handles: &[(Arc<TestVmo>, usize)]| h.index(handles.len());
        if self.handles.is_empty() && !matches!(op, Op::Create { .. }) {
            return (Status::OK, Status::OK, vec![]);
        }
        match op {
            &Op::Create { size, resizable } => {
                if self.handles.len() >= MAX_HANDLES {
                    return (Status::OK, Status::OK, vec![]);
                }
                let options = if resizable { ZX_VMO_RESIZABLE } else { 0 };
                let real = Vmo::create(self.src.clone(), size, options);
                let expected = after.create(size, resizable);
                let statuses = (status(&real), status(&expected));
                if let (Ok(vmo), Ok(node)) = (real, expected) {
                    self.handles.push((vmo, node));
                    return (statuses.0, statuses.1, vec![self.handles.len() - 1]);
                }
                (statuses.0, statuses.1, vec![])
            }
            Op::Write {
                h,
                offset,
                len,
                seed,
            } => {
                let i = pick(h, &self.handles);
                let (vmo, node) = &self.handles[i];
                let real = vmo.write(*offset, *len as usize, &mut |dst, at| {
                    let bytes: Vec<u8> = (0..dst.len())
                        .map(|k| pattern(*seed, (at + k) as u64))
                        .collect();
                    dst.copy_from(&bytes);
                    Ok(())
                });
                let expected = after.write(*node, *offset, *len, *seed);
                (status(&real), status(&expected), vec![i])
            }
            Op::Read { h, offset, len } => {
                let i = pick(h, &self.handles);
                let (vmo, node) = &self.handles[i];
                let mut got = Vec::new();
                let real = vmo.read(*offset, *len as usize, &mut |bytes, at| {
                    assert_eq!(at, got.len());
                    got.extend_from_slice(&bytes_of(bytes));
                    Ok(())
                });
                let expected = after.read(*node, *offset, *len);
                if let (Ok(()), Ok(want)) = (&real, &expected) {
                    assert_eq!(&got, want, "bytes read");
                }
                (status(&real), status(&expected), vec![])
            }
            Op::SetSize { h, size } => {
                let i = pick(h, &self.handles);
                let (vmo, node) = &self.handles[i];
                (
                    status(&vmo.set_size(*size)),
                    status(&after.set_size(*node, *size)),
                    vec![i],
                )
            }
            Op::Commit { h, offset, len } => {
                let i = pick(h, &self.handles);
                let (vmo, node) = &self.handles[i];
                let real = vmo.commit(*offset, *len);
                (
                    status(&real),
                    status(&after.commit(*node, *offset, *len)),
                    vec![i],
                )
            }
            Op::Decommit { h, offset, len } => {
                let i = pick(h, &self.handles);
                let (vmo, node) = &self.handles[i];
                let real = vmo.decommit(*offset, *len);
                (
                    status(&real),
                    status(&after.decommit(*node, *offset, *len)),
                    vec![i],
                )
            }
            Op::Zero { h, offset, len } => {
                let i = pick(h, &self.handles);
                let (vmo, node) = &self.handles[i];
                let real = vmo.zero(*offset, *len);
                (
                    status(&real),
                    status(&after.zero(*node, *offset, *len)),
                    vec![i],
                )
            }
            Op::Snapshot {
                h,
                offset,
                size,
                resizable,
            } => {
                let i = pick(h, &self.handles);
                if self.handles.len() >= MAX_HANDLES {
                    return (Status::OK, Status::OK, vec![]);
                }
                let (vmo, node) = &self.handles[i];
                let mut options = ZX_VMO_CHILD_SNAPSHOT;
                if *resizable {
                    options |= ZX_VMO_CHILD_RESIZABLE;
                }
                let real = vmo.create_child(options, *offset, *size, false);
                let expected = after.snapshot(*node, *offset, *size, *resizable);
                self.adopt_child(real, expected, i)
            }
            Op::Slice { h, offset, size } => {
                let i = pick(h, &self.handles);
                if self.handles.len() >= MAX_HANDLES {
                    return (Status::OK, Status::OK, vec![]);
                }
                let (vmo, node) = &self.handles[i];
                let real = vmo.create_child(ZX_VMO_CHILD_SLICE, *offset, *size, false);
                let expected = after.slice(*node, *offset, *size);
                self.adopt_child(real, expected, i)
            }
            Op::SetContentSize { h, size } => {
                let i = pick(h, &self.handles);
                let (vmo, node) = &self.handles[i];
                vmo.set_content_size(*size);
                after.set_content_size(*node, *size);
                (Status::OK, Status::OK, vec![i])
            }
            Op::Close { h } => {
                let i = pick(h, &self.handles);
                let (vmo, node) = self.handles.remove(i);
                drop(vmo);
                after.close(node);
                (Status::OK, Status::OK, vec![])
            }
        }
    }

    fn adopt_child(
        &mut self,
        real: Result<Arc<TestVmo>, Status>,
        expected: Outcome<usize>,
        parent: usize,
    ) -> (Status, Status, Vec<usize>) {
        let statuses = (status(&real), status(&expected));
        if let (Ok(vmo), Ok(node)) = (real, expected) {
            self.handles.push((vmo, node));
            return (statuses.0, statuses.1, vec![parent, self.handles.len() - 1]);
        }
        (statuses.0, statuses.1, vec![parent])
    }

    /// The handle matches the model: size, content size, children, bytes.
    fn check(&self, i: usize) -> Result<(), TestCaseError> {
        let (vmo, n) = &self.handles[i];
        let node = self.model.node(*n);
        prop_assert_eq!(vmo.size(), node.size);
        prop_assert_eq!(vmo.content_size(), node.content);
        prop_assert_eq!(vmo.info(0).num_children, node.children);
        let signal = if node.children == 0 {
            ZX_VMO_ZERO_CHILDREN
        } else {
            0
        };
        prop_assert_eq!(vmo.signals(), signal);
        prop_assert!(read(vmo, 0, node.size as usize).unwrap() == self.model.view(*n));
        Ok(())
    }

    /// Every page alive is attributed to exactly one VMO of its family.
    fn check_attribution(&self) -> Result<(), TestCaseError> {
        let mut seen = HashMap::new();
        for (vmo, n) in &self.handles {
            seen.entry(self.model.node(*n).family).or_insert(vmo);
        }
        let total: u64 = seen.values().map(|v| v.family_attributed_pages()).sum();
        prop_assert_eq!(total as usize, self.src.live_pages());
        Ok(())
    }

    /// After an op that met NO_MEMORY: each byte is as before or as after the op;
    /// the model takes the VMO's bytes.
    fn reconcile(&mut self, before: &Model, after: &Model) -> Result<(), TestCaseError> {
        for (vmo, n) in &self.handles {
            let size = self.model.node(*n).size as usize;
            let real = read(vmo, 0, size).unwrap();
            let old = match before.nodes.get(*n) {
                Some(Some(_)) => before.view(*n),
                _ => Vec::new(),
            };
            let new = after.view(*n);
            for (k, &b) in real.iter().enumerate() {
                prop_assert!(
                    old.get(k) == Some(&b) || new.get(k) == Some(&b),
                    "byte {}",
                    k
                );
            }
            self.model.set_view(*n, &real);
        }
        Ok(())
    }
}

fn run(ops: &[Op], budget: Option<usize>) -> Result<(), TestCaseError> {
    let src = MockSource::new();
    src.set_budget(budget);
    let mut run = Run {
        src,
        model: Model::default(),
        handles: Vec::new(),
    };
    for (step, op) in ops.iter().enumerate() {
        let failures = run.src.failures();
        let before = run.model.clone();
        let mut after = run.model.clone();
        let (real, expected, touched) = run.step(op, &mut after);
        if run.src.failures() == failures {
            prop_assert_eq!(real, expected, "step {}: {:?}", step, op);
            run.model = after;
        } else {
            let ok = real == expected || (real == Status::NO_MEMORY && expected == Status::OK);
            prop_assert!(ok, "step {}: {:?}: {:?} vs {:?}", step, op, real, expected);
            run.model = if real == expected {
                after.clone()
            } else {
                before.clone()
            };
            run.reconcile(&before, &after)?;
        }
        for &i in &touched {
            run.check(i)?;
        }
        if step % 16 == 15 {
            for i in 0..run.handles.len() {
                run.check(i)?;
            }
        }
        run.check_attribution()?;
    }
    for i in 0..run.handles.len() {
        run.check(i)?;
    }
    let src = run.src.clone();
    drop(run);
    prop_assert_eq!(src.live_pages(), 0, "pages leaked");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn vmo_matches_the_model(ops in prop::collection::vec(op(), 1..64)) {
        run(&ops, None)?;
    }

    #[test]
    fn out_of_memory_keeps_vmos_consistent_and_leaks_nothing(
        ops in prop::collection::vec(op(), 1..64),
        budget in 0usize..24,
    ) {
        run(&ops, Some(budget))?;
    }
}
