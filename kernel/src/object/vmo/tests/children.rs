//! Snapshots and slices: options, errors, isolation, sharing, signals, rights.

use super::*;
use crate::object::vmo::{check_child_options, child_rights};

#[test]
fn child_options_without_a_type_are_invalid_args() {
    let vmo = create(&MockSource::new(), P, 0);
    for options in [0, ZX_VMO_CHILD_RESIZABLE, 1 << 7, ZX_VMO_CHILD_NO_WRITE] {
        assert_eq!(
            err(vmo.create_child(options, 0, P, false)),
            Status::INVALID_ARGS
        );
    }
}

#[test]
fn snapshot_with_extra_options_is_invalid_args() {
    let vmo = create(&MockSource::new(), P, 0);
    let both = ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE;
    assert_eq!(
        err(vmo.create_child(both, 0, P, false)),
        Status::INVALID_ARGS
    );
    let odd = ZX_VMO_CHILD_SNAPSHOT | (1 << 9);
    assert_eq!(
        err(vmo.create_child(odd, 0, P, false)),
        Status::INVALID_ARGS
    );
}

#[test]
fn no_write_with_resizable_is_invalid_args_for_every_child_type() {
    let src = MockSource::new();
    for parent_options in [0, ZX_VMO_RESIZABLE] {
        let vmo = create(&src, P, parent_options);
        for kind in [
            ZX_VMO_CHILD_SNAPSHOT,
            ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE,
            ZX_VMO_CHILD_SLICE,
        ] {
            let options = kind | ZX_VMO_CHILD_NO_WRITE | ZX_VMO_CHILD_RESIZABLE;
            assert_eq!(check_child_options(options), Err(Status::INVALID_ARGS));
            assert_eq!(
                err(vmo.create_child(options, 0, P, false)),
                Status::INVALID_ARGS
            );
        }
        let no_write = ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_NO_WRITE;
        assert!(vmo.create_child(no_write, 0, P, false).is_ok());
    }
}

#[test]
fn reference_children_are_not_supported() {
    let vmo = create(&MockSource::new(), P, 0);
    let options = ZX_VMO_CHILD_REFERENCE;
    assert_eq!(
        err(vmo.create_child(options, 0, 0, false)),
        Status::NOT_SUPPORTED
    );
    let odd = ZX_VMO_CHILD_REFERENCE | ZX_VMO_CHILD_SNAPSHOT;
    assert_eq!(
        err(vmo.create_child(odd, 0, 0, false)),
        Status::INVALID_ARGS
    );
}

#[test]
fn a_discardable_vmo_has_no_children() {
    let vmo = create(&MockSource::new(), P, ZX_VMO_DISCARDABLE);
    for options in [ZX_VMO_CHILD_SNAPSHOT, ZX_VMO_CHILD_SLICE, 0] {
        assert_eq!(
            err(vmo.create_child(options, 0, P, false)),
            Status::NOT_SUPPORTED
        );
    }
}

#[test]
fn snapshot_range_errors() {
    let vmo = create(&MockSource::new(), 2 * P, 0);
    let snap = ZX_VMO_CHILD_SNAPSHOT;
    assert_eq!(
        err(vmo.create_child(snap, 1, P, false)),
        Status::INVALID_ARGS
    );
    assert_eq!(
        err(vmo.create_child(snap, 0, u64::MAX, false)),
        Status::OUT_OF_RANGE
    );
    let near_max = u64::MAX - P + 1;
    assert_eq!(
        err(vmo.create_child(snap, near_max, 2 * P, false)),
        Status::INVALID_ARGS
    );
    assert!(
        vmo.create_child(snap, 100 * P, P, false).is_ok(),
        "past the parent is fine"
    );
}

#[test]
fn no_accumulated_offset_overflow() {
    // Fuchsia's NoAccumulatedOverflow.
    let vmo = create(&MockSource::new(), 0, 0);
    let child1 = snapshot(&vmo, 0xffff_ffff_ffff_8000, 0);
    assert_eq!(
        err(child1.create_child(ZX_VMO_CHILD_SNAPSHOT, 0x8000, 0, false)),
        Status::INVALID_ARGS
    );
    let options = ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_RESIZABLE;
    let child2 = child1.create_child(options, 0x4000, 0, false).unwrap();
    assert_eq!(child2.set_size(0x8000), Err(Status::INVALID_ARGS));
}

#[test]
fn an_uncached_parent_refuses_children_with_bad_state() {
    let src = MockSource::new();
    let vmo = create(&src, P, 0);
    put(&vmo, 1, 0);
    vmo.set_cache_policy(ZX_CACHE_POLICY_UNCACHED).unwrap();
    assert_eq!(
        err(vmo.create_child(ZX_VMO_CHILD_SNAPSHOT, 0, P, false)),
        Status::BAD_STATE
    );
    assert_eq!(
        err(vmo.create_child(ZX_VMO_CHILD_SLICE, 0, P, false)),
        Status::BAD_STATE
    );
    // Range errors still come first for a slice; the offset check first for a snapshot.
    assert_eq!(
        err(vmo.create_child(ZX_VMO_CHILD_SLICE, 0, 2 * P, false)),
        Status::INVALID_ARGS
    );
    assert_eq!(
        err(vmo.create_child(ZX_VMO_CHILD_SNAPSHOT, 1, P, false)),
        Status::INVALID_ARGS
    );
}

#[test]
fn snapshot_sees_the_parent_data() {
    let src = MockSource::new();
    let vmo = create(&src, P, 0);
    put(&vmo, 0xdeadbeef, 0);
    let clone = snapshot(&vmo, 0, P);
    assert_eq!(get(&vmo, 0), 0xdeadbeef);
    assert_eq!(get(&clone, 0), 0xdeadbeef);
}

#[test]
fn snapshot_is_isolated_both_ways() {
    for clone_writes in [true, false] {
        let src = MockSource::new();
        let vmo = create(&src, P, 0);
        put(&vmo, 0xdeadbeef, 0);
        let clone = snapshot(&vmo, 0, P);
        put(if clone_writes { &clone } else { &vmo }, 0xc0ffee, 0);
        assert_eq!(
            get(&vmo, 0),
            if clone_writes { 0xdeadbeef } else { 0xc0ffee }
        );
        assert_eq!(
            get(&clone, 0),
            if clone_writes { 0xc0ffee } else { 0xdeadbeef }
        );
    }
}

#[test]
fn snapshot_does_not_see_later_parent_writes_to_uncommitted_pages() {
    let src = MockSource::new();
    let vmo = create(&src, 2 * P, 0);
    let clone = snapshot(&vmo, 0, 2 * P);
    put(&vmo, 5, P);
    assert_eq!(get(&clone, P), 0);
}

#[test]
fn closing_either_side_keeps_the_other_intact() {
    for close_original in [true, false] {
        let src = MockSource::new();
        let vmo = create(&src, P, 0);
        put(&vmo, 0xdeadbeef, 0);
        let clone = snapshot(&vmo, 0, P);
        let kept = if close_original {
            drop(vmo);
            clone
        } else {
            drop(clone);
            vmo
        };
        assert_eq!(get(&kept, 0), 0xdeadbeef);
        drop(kept);
        assert_eq!(src.live_pages(), 0);
    }
}

#[test]
fn snapshot_info_names_its_parent_and_is_a_cow_clone() {
    let src = MockSource::new();
    let vmo = create(&src, P, 0);
    vmo.set_name(b"parent");
    let before = vmo.info(0);
    let clone = snapshot(&vmo, 0, P);
    let unnamed = vmo
        .create_child(ZX_VMO_CHILD_SNAPSHOT, 0, P, false)
        .unwrap();
    let after = vmo.info(0);
    let info = clone.info(0);
    assert_eq!(before.koid, after.koid);
    assert_ne!(info.koid, before.koid);
    assert_eq!(info.parent_koid, before.koid);
    assert_eq!(after.flags, 0x9);
    assert_eq!(info.flags, 0xD, "PAGED | IS_COW_CLONE | VIA_HANDLE");
    assert_eq!(&clone.name()[..7], b"parent\0", "the name is copied");
    assert_eq!(
        unnamed.name(),
        [0; ZX_MAX_NAME_LEN],
        "unless the handle can't read it"
    );
    assert_eq!(after.num_children, 2);
}

#[test]
fn snapshot_size_rounds_up_and_keeps_the_content_size() {
    let vmo = create(&MockSource::new(), 2 * P, 0);
    let clone = snapshot(&vmo, 0, P + 1);
    assert_eq!(clone.size(), 2 * P);
    assert_eq!(clone.content_size(), P + 1);
}

#[test]
fn snapshot_past_the_parent_end_reads_zeros() {
    // Fuchsia's Offset and OutOfBounds.
    let src = MockSource::new();
    let vmo = tagged(&src, 3);
    let clone = snapshot(&vmo, P, 3 * P);
    assert_eq!(
        (get(&clone, 0), get(&clone, P), get(&clone, 2 * P)),
        (2, 3, 0)
    );
    put(&clone, 4, P);
    drop(vmo);
    assert_eq!(
        (get(&clone, 0), get(&clone, P), get(&clone, 2 * P)),
        (2, 4, 0)
    );
    assert_eq!(committed(&clone), 2);
    let far = snapshot(&clone, 10 * P, 2 * P);
    assert_eq!(
        read(&far, 0, 2 * PAGE_SIZE).unwrap(),
        vec![0; 2 * PAGE_SIZE]
    );
    assert_eq!(committed(&far), 0);
}

#[test]
fn snapshot_of_a_slice_is_not_supported() {
    // Fuchsia's CowPageSourceThroughSlices allows NOT_SUPPORTED.
    let src = MockSource::new();
    let vmo = create(&src, P, 0);
    vmo.commit(0, P).unwrap();
    let cow = snapshot(&vmo, 0, P);
    let window = slice(&cow, 0, P);
    assert_eq!(
        err(window.create_child(ZX_VMO_CHILD_SNAPSHOT, 0, P, false)),
        Status::NOT_SUPPORTED
    );
    let at_least = ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE;
    assert_eq!(
        err(window.create_child(at_least, 0, P, false)),
        Status::NOT_SUPPORTED
    );
}

#[test]
fn slice_writes_go_through_both_ways() {
    // Fuchsia's WriteThrough.
    let src = MockSource::new();
    let vmo = create(&src, 4 * P, 0);
    put(&vmo, 42, 0);
    put(&vmo, 42, P);
    let window = slice(&vmo, P, 2 * P);
    assert_eq!(get(&window, 0), 42);
    put(&window, 84, 0);
    put(&window, 84, P);
    assert_eq!(
        (
            get(&vmo, 0),
            get(&vmo, P),
            get(&vmo, 2 * P),
            get(&vmo, 3 * P)
        ),
        (42, 84, 84, 0)
    );
    assert_eq!(committed(&vmo), 3);
    assert_eq!(
        committed(&window),
        0,
        "AttributedCounts: pages count for the parent"
    );
    assert_eq!(
        window.info(0).flags & ZX_INFO_VMO_IS_COW_CLONE,
        0,
        "NotCoWType"
    );
    assert_eq!(window.info(0).parent_koid, vmo.koid());
}

#[test]
fn nested_slices_reach_the_root() {
    let src = MockSource::new();
    let vmo = create(&src, 2 * P, 0);
    put(&vmo, 42, 0);
    let window = slice(&vmo, 0, 2 * P);
    let inner = slice(&window, P, P);
    let innermost = slice(&inner, 0, P);
    put(&innermost, 84, 0);
    assert_eq!(get(&vmo, P), 84);
    assert_eq!(get(&slice(&window, 0, P), 0), 42);
}

#[test]
fn slice_range_errors() {
    // Fuchsia's NonSlice, on a non-resizable parent (with a resizable one the range
    // errors come first and NOT_SUPPORTED after).
    for options in [0, ZX_VMO_RESIZABLE] {
        let vmo = create(&MockSource::new(), 2 * P, options);
        let s = ZX_VMO_CHILD_SLICE;
        let near_max = u64::MAX - P + 1;
        assert_eq!(
            err(vmo.create_child(s, 0, 3 * P, false)),
            Status::INVALID_ARGS
        );
        assert_eq!(
            err(vmo.create_child(s, P, 2 * P, false)),
            Status::INVALID_ARGS
        );
        assert_eq!(
            err(vmo.create_child(s, 2 * P, P, false)),
            Status::INVALID_ARGS
        );
        assert_eq!(
            err(vmo.create_child(s, 0, u64::MAX, false)),
            Status::OUT_OF_RANGE
        );
        assert_eq!(
            err(vmo.create_child(s, 0, near_max, false)),
            Status::OUT_OF_RANGE
        );
        assert_eq!(
            err(vmo.create_child(s, near_max, P, false)),
            Status::INVALID_ARGS
        );
        assert_eq!(
            err(vmo.create_child(s, near_max, near_max, false)),
            Status::OUT_OF_RANGE
        );
        assert_eq!(
            err(vmo.create_child(s, near_max, u64::MAX, false)),
            Status::OUT_OF_RANGE
        );
        assert_eq!(err(vmo.create_child(s, 1, P, false)), Status::INVALID_ARGS);
    }
}

#[test]
fn slices_of_resizable_vmos_are_not_supported() {
    let vmo = create(&MockSource::new(), P, ZX_VMO_RESIZABLE);
    let s = ZX_VMO_CHILD_SLICE;
    assert_eq!(err(vmo.create_child(s, 0, P, false)), Status::NOT_SUPPORTED);
    assert_eq!(
        err(vmo.create_child(s | ZX_VMO_CHILD_RESIZABLE, 0, P, false)),
        Status::INVALID_ARGS
    );
    let fixed = create(&MockSource::new(), P, 0);
    assert_eq!(
        err(fixed.create_child(s | ZX_VMO_CHILD_RESIZABLE, 0, P, false)),
        Status::INVALID_ARGS
    );
}

#[test]
fn zero_sized_slices_refuse_io() {
    let vmo = create(&MockSource::new(), P, 0);
    for offset in [0, P] {
        let window = slice(&vmo, offset, 0);
        assert_eq!(read(&window, 0, 1), Err(Status::OUT_OF_RANGE));
        assert_eq!(write(&window, 0, &[1]), Err(Status::OUT_OF_RANGE));
    }
}

#[test]
fn a_small_slice_sees_the_rest_of_its_page() {
    let src = MockSource::new();
    let vmo = create(&src, P, 0);
    write(&vmo, P - 64, &[42]).unwrap();
    let window = slice(&vmo, 0, 42);
    assert_eq!(window.size(), P);
    assert_eq!(window.content_size(), 42);
    assert_eq!(read(&window, P - 64, 1).unwrap(), [42]);
}

#[test]
fn a_slice_keeps_the_parent_pages_after_the_parent_closes() {
    let src = MockSource::new();
    let vmo = create(&src, P, 0);
    put(&vmo, 42, 0);
    let window = slice(&vmo, 0, P);
    drop(vmo);
    assert_eq!(get(&window, 0), 42);
    assert_eq!(committed(&window), 0, "AttributedCounts");
    put(&window, 43, 0);
    assert_eq!(get(&window, 0), 43);
    assert_attribution_exact(&src, &window);
    drop(window);
    assert_eq!(src.live_pages(), 0);
}

#[test]
fn a_deep_chain_of_slices_tears_down() {
    let src = MockSource::new();
    let mut vmo = create(&src, P, 0);
    put(&vmo, 1, 0);
    for _ in 0..1000 {
        vmo = slice(&vmo, 0, P);
    }
    assert_eq!(get(&vmo, 0), 1);
    drop(vmo);
    assert_eq!(src.live_pages(), 0);
}

#[test]
fn zero_children_signal_follows_children() {
    let src = MockSource::new();
    let vmo = create(&src, P, 0);
    assert_eq!(vmo.signals(), ZX_VMO_ZERO_CHILDREN);
    let clone = snapshot(&vmo, 0, P);
    assert_eq!(vmo.signals(), 0);
    assert_eq!(clone.signals(), ZX_VMO_ZERO_CHILDREN);
    drop(clone);
    assert_eq!(vmo.signals(), ZX_VMO_ZERO_CHILDREN);
    let window = slice(&vmo, 0, P);
    assert_eq!(vmo.signals(), 0);
    drop(window);
    assert_eq!(vmo.signals(), ZX_VMO_ZERO_CHILDREN);
}

#[test]
fn zero_children_waits_for_a_grandchild_closed_last() {
    for use_slices in [true, false] {
        let src = MockSource::new();
        let vmo = create(&src, P, 0);
        let make = |v: &TestVmo| {
            if use_slices {
                slice(v, 0, P)
            } else {
                snapshot(v, 0, P)
            }
        };
        let child = make(&vmo);
        let grandchild = make(&child);
        drop(child);
        assert_eq!(vmo.signals(), 0);
        assert_eq!(vmo.info(0).num_children, 1);
        drop(grandchild);
        assert_eq!(vmo.signals(), ZX_VMO_ZERO_CHILDREN);
        assert_eq!(vmo.info(0).num_children, 0);
    }
}

#[test]
fn num_children_counts_up_and_down() {
    // Fuchsia's ManyChildren / ManyChildrenRevClose.
    for reverse in [false, true] {
        let vmo = create(&MockSource::new(), P, 0);
        let mut clones: Vec<_> = (0..5)
            .map(|i| {
                let c = snapshot(&vmo, 0, P);
                assert_eq!(vmo.info(0).num_children, i + 1);
                c
            })
            .collect();
        for left in (0..5).rev() {
            let gone = if reverse {
                clones.pop()
            } else {
                Some(clones.remove(0))
            };
            drop(gone);
            assert_eq!(vmo.info(0).num_children, left);
        }
        assert_eq!(vmo.signals(), ZX_VMO_ZERO_CHILDREN);
    }
}

#[test]
fn child_rights_follow_zircon() {
    let rw = ZX_RIGHT_READ | ZX_RIGHT_DUPLICATE;
    let props = ZX_RIGHT_GET_PROPERTY | ZX_RIGHT_SET_PROPERTY;
    let snap = ZX_VMO_CHILD_SNAPSHOT;
    assert_eq!(child_rights(rw, snap), rw | ZX_RIGHT_WRITE | props);
    assert_eq!(
        child_rights(
            rw | ZX_RIGHT_EXECUTE | ZX_RIGHT_RESIZE,
            ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE
        ),
        rw | ZX_RIGHT_WRITE | props
    );
    assert_eq!(
        child_rights(rw, snap | ZX_VMO_CHILD_RESIZABLE),
        rw | ZX_RIGHT_WRITE | props | ZX_RIGHT_RESIZE
    );
    assert_eq!(
        child_rights(rw | ZX_RIGHT_WRITE, snap | ZX_VMO_CHILD_NO_WRITE),
        rw | props
    );
    assert_eq!(
        child_rights(rw | ZX_RIGHT_EXECUTE, ZX_VMO_CHILD_SLICE),
        rw | ZX_RIGHT_EXECUTE | props
    );
    assert_eq!(child_rights(0x40D0EF, ZX_VMO_CHILD_SLICE), 0xD0EF);
}

#[test]
fn commit_through_a_slice_commits_the_parent_pages() {
    // CommitChild.
    let src = MockSource::new();
    let vmo = create(&src, P, 0);
    let window = slice(&vmo, 0, P);
    window.commit(0, P).unwrap();
    assert_eq!(committed(&vmo), 1);
    write(&window, 0, &[42]).unwrap();
    assert_eq!(read(&vmo, 0, 1).unwrap(), [42]);
    assert_eq!(src.live_pages(), 1);
}

#[test]
fn writing_through_a_slice_copies_pages_shared_with_a_snapshot() {
    let src = MockSource::new();
    let vmo = create(&src, 2 * P, 0);
    put(&vmo, 1, 0);
    let window = slice(&vmo, 0, 2 * P);
    let clone = snapshot(&vmo, 0, 2 * P);
    put(&window, 2, 0);
    assert_eq!((get(&vmo, 0), get(&window, 0), get(&clone, 0)), (2, 2, 1));
    assert_eq!(counts_of(&[&vmo, &window, &clone]), [1, 0, 1]);
    drop(vmo);
    assert_eq!(get(&window, 0), 2, "the slice keeps its parent's pages");
    assert_attribution_exact(&src, &clone);
    drop((window, clone));
    assert_eq!(src.live_pages(), 0);
}

fn counts_of(vmos: &[&Arc<TestVmo>]) -> Vec<u64> {
    vmos.iter().map(|v| committed(v)).collect()
}
