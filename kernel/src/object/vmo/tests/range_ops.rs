//! `zx_vmo_op_range`, `zx_vmo_set_size` and `zx_vmo_set_cache_policy`.

use super::*;
use crate::object::vmo::{CacheOp, MAX_SIZE};

const ALL: zx_rights_t = ZX_RIGHT_READ | ZX_RIGHT_WRITE;

fn op(vmo: &TestVmo, op: u32, offset: u64, size: u64) -> Status {
    err(vmo.op_range(op, offset, size, ALL))
}

#[test]
fn unknown_ops_are_invalid_args_whatever_the_rights() {
    let vmo = create(&MockSource::new(), P, 0);
    for bad in [0, 5, 14, 1000] {
        assert_eq!(err(vmo.op_range(bad, 0, P, 0)), Status::INVALID_ARGS);
    }
}

#[test]
fn ops_need_their_rights() {
    let vmo = create(&MockSource::new(), P, ZX_VMO_DISCARDABLE);
    let denied = Status::ACCESS_DENIED;
    for write_op in [
        ZX_VMO_OP_COMMIT,
        ZX_VMO_OP_DECOMMIT,
        ZX_VMO_OP_ZERO,
        ZX_VMO_OP_CACHE_INVALIDATE,
    ] {
        assert_eq!(err(vmo.op_range(write_op, 0, P, ZX_RIGHT_READ)), denied);
    }
    for read_op in [
        ZX_VMO_OP_CACHE_SYNC,
        ZX_VMO_OP_CACHE_CLEAN,
        ZX_VMO_OP_CACHE_CLEAN_INVALIDATE,
    ] {
        assert_eq!(err(vmo.op_range(read_op, 0, P, ZX_RIGHT_WRITE)), denied);
    }
    for lock_op in [ZX_VMO_OP_LOCK, ZX_VMO_OP_TRY_LOCK, ZX_VMO_OP_UNLOCK] {
        assert_eq!(err(vmo.op_range(lock_op, 0, P, ZX_RIGHT_DUPLICATE)), denied);
    }
    // READ alone is enough to lock.
    assert!(vmo
        .op_range(ZX_VMO_OP_LOCK, 0, P, ZX_RIGHT_READ)
        .unwrap()
        .is_some());
    assert_eq!(
        err(vmo.op_range(ZX_VMO_OP_UNLOCK, 0, P, ZX_RIGHT_WRITE)),
        Status::OK
    );
}

#[test]
fn hints_are_accepted() {
    let vmo = create(&MockSource::new(), P, 0);
    assert_eq!(op(&vmo, ZX_VMO_OP_DONT_NEED, 0, P), Status::OK);
    assert_eq!(
        err(vmo.op_range(ZX_VMO_OP_ALWAYS_NEED, 0, P, 0)),
        Status::OK
    );
}

#[test]
fn commit_commits_pages_rounded_outward() {
    let src = MockSource::new();
    let vmo = create(&src, 4 * P, 0);
    assert_eq!(op(&vmo, ZX_VMO_OP_COMMIT, 0x10, 0x100), Status::OK);
    assert_eq!(committed(&vmo), 1);
    assert_eq!(op(&vmo, ZX_VMO_OP_COMMIT, P - 1, 2), Status::OK);
    assert_eq!(committed(&vmo), 2);
    assert_eq!(
        read(&vmo, 0, 4 * PAGE_SIZE).unwrap(),
        vec![0; 4 * PAGE_SIZE]
    );
}

#[test]
fn commit_past_the_end_is_out_of_range() {
    // OpOutOfBounds (as documented and as Zircon's kernel checks) and Commit.
    let src = MockSource::new();
    let vmo = create(&src, 2 * P, 0);
    assert_eq!(op(&vmo, ZX_VMO_OP_COMMIT, P, 10 * P), Status::OUT_OF_RANGE);
    assert_eq!(committed(&vmo), 0);
    assert_eq!(op(&vmo, ZX_VMO_OP_COMMIT, P, P), Status::OK);
    assert_eq!(committed(&vmo), 1);
    assert_eq!(op(&vmo, ZX_VMO_OP_COMMIT, 3 * P, P), Status::OUT_OF_RANGE);
    assert_eq!(
        op(&vmo, ZX_VMO_OP_COMMIT, P, u64::MAX - P + 1),
        Status::OUT_OF_RANGE
    );
    assert_eq!(
        op(&vmo, ZX_VMO_OP_COMMIT, u64::MAX - 10, 5),
        Status::OUT_OF_RANGE
    );
    assert_eq!(op(&vmo, ZX_VMO_OP_COMMIT, 2 * P, 0), Status::OK);
}

#[test]
fn commit_out_of_memory_keeps_the_pages_committed_so_far() {
    let src = MockSource::new();
    let vmo = create(&src, 200 * P, 0);
    src.set_budget(Some(100));
    assert_eq!(op(&vmo, ZX_VMO_OP_COMMIT, 0, 200 * P), Status::NO_MEMORY);
    assert_eq!(committed(&vmo), 100);
    src.set_budget(None);
    assert_eq!(op(&vmo, ZX_VMO_OP_COMMIT, 0, 200 * P), Status::OK);
    assert_eq!(committed(&vmo), 200);
    drop(vmo);
    assert_eq!(src.live_pages(), 0);
}

#[test]
fn decommit_frees_pages_that_then_read_zero() {
    let src = MockSource::new();
    let vmo = create(&src, 4 * P, 0);
    write(&vmo, 0, &vec![9; 4 * PAGE_SIZE]).unwrap();
    assert_eq!(op(&vmo, ZX_VMO_OP_DECOMMIT, P, 2 * P), Status::OK);
    assert_eq!(src.live_pages(), 2);
    assert_eq!(get(&vmo, P), 0);
    assert_eq!(get(&vmo, 3 * P), 0x0909_0909);
}

#[test]
fn decommit_misaligned_is_invalid_args_even_with_nothing_committed() {
    let vmo = create(&MockSource::new(), 4 * P, 0);
    assert_eq!(
        op(&vmo, ZX_VMO_OP_DECOMMIT, 0x10, 0x100),
        Status::INVALID_ARGS
    );
    assert_eq!(op(&vmo, ZX_VMO_OP_COMMIT, 0x10, 0x100), Status::OK);
    assert_eq!(
        op(&vmo, ZX_VMO_OP_DECOMMIT, 0x10, 0x100),
        Status::INVALID_ARGS
    );
    assert_eq!(op(&vmo, ZX_VMO_OP_DECOMMIT, 0, 0x100), Status::INVALID_ARGS);
}

#[test]
fn decommit_range_past_the_end_is_out_of_range() {
    let src = MockSource::new();
    let vmo = create(&src, 2 * P, 0);
    vmo.commit(0, 2 * P).unwrap();
    assert_eq!(op(&vmo, ZX_VMO_OP_DECOMMIT, 3 * P, P), Status::OUT_OF_RANGE);
    assert_eq!(op(&vmo, ZX_VMO_OP_DECOMMIT, 2 * P, P), Status::OUT_OF_RANGE);
    assert_eq!(
        op(&vmo, ZX_VMO_OP_DECOMMIT, P, 10 * P),
        Status::OUT_OF_RANGE
    );
    assert_eq!(op(&vmo, ZX_VMO_OP_DECOMMIT, 2 * P, 0), Status::OK);
    assert_eq!(committed(&vmo), 2);
    assert_eq!(op(&vmo, ZX_VMO_OP_DECOMMIT, P, P), Status::OK);
    assert_eq!(committed(&vmo), 1);
    assert_eq!(op(&vmo, ZX_VMO_OP_DECOMMIT, 0, 0), Status::OK);
}

#[test]
fn decommit_in_a_copy_on_write_family_is_not_supported() {
    let src = MockSource::new();
    let vmo = create(&src, P, 0);
    let clone = snapshot(&vmo, 0, P);
    assert_eq!(op(&vmo, ZX_VMO_OP_DECOMMIT, 0, P), Status::NOT_SUPPORTED);
    assert_eq!(op(&clone, ZX_VMO_OP_DECOMMIT, 0, P), Status::NOT_SUPPORTED);
    // Misalignment is only looked at after.
    assert_eq!(
        op(&vmo, ZX_VMO_OP_DECOMMIT, 1, P - 1),
        Status::NOT_SUPPORTED
    );
    drop(clone);
    assert_eq!(op(&vmo, ZX_VMO_OP_DECOMMIT, 0, P), Status::OK);
}

#[test]
fn decommit_through_slices() {
    // DecommitParent, DecommitChild, DecommitChildSliceTests.
    let src = MockSource::new();
    let vmo = create(&src, 4 * P, 0);
    put(&vmo, 42, 2 * P);
    let window = slice(&vmo, P, 2 * P);
    let inner = slice(&window, P, P);
    assert_eq!(
        op(&inner, ZX_VMO_OP_DECOMMIT, 2 * P, P),
        Status::OUT_OF_RANGE
    );
    assert_eq!(
        op(&inner, ZX_VMO_OP_DECOMMIT, 0, 10 * P),
        Status::OUT_OF_RANGE
    );
    assert_eq!(op(&inner, ZX_VMO_OP_DECOMMIT, 0, P), Status::OK);
    assert_eq!(get(&vmo, 2 * P), 0);
    assert_eq!(src.live_pages(), 0);
    put(&window, 7, 0);
    assert_eq!(op(&vmo, ZX_VMO_OP_DECOMMIT, 0, 4 * P), Status::OK);
    assert_eq!(get(&window, 0), 0);
}

#[test]
fn zero_clears_exactly_the_bytes_inside_a_page() {
    // UnalignedSubPage.
    let vmo = create(&MockSource::new(), P, 0);
    write(&vmo, 0, &vec![0xff; PAGE_SIZE]).unwrap();
    assert_eq!(op(&vmo, ZX_VMO_OP_ZERO, 42, 91), Status::OK);
    let bytes = read(&vmo, 0, PAGE_SIZE).unwrap();
    assert!(bytes[..42].iter().all(|&b| b == 0xff));
    assert!(bytes[42..133].iter().all(|&b| b == 0));
    assert!(bytes[133..].iter().all(|&b| b == 0xff));
}

#[test]
fn zero_across_a_page_boundary_is_exact() {
    // UnalignedCommitted.
    let vmo = create(&MockSource::new(), 2 * P, 0);
    write(&vmo, 0, &vec![0xff; 2 * PAGE_SIZE]).unwrap();
    assert_eq!(op(&vmo, ZX_VMO_OP_ZERO, P / 2, P), Status::OK);
    let bytes = read(&vmo, 0, 2 * PAGE_SIZE).unwrap();
    let half = PAGE_SIZE / 2;
    assert!(bytes[..half].iter().all(|&b| b == 0xff));
    assert!(bytes[half..half + PAGE_SIZE].iter().all(|&b| b == 0));
    assert!(bytes[half + PAGE_SIZE..].iter().all(|&b| b == 0xff));
}

#[test]
fn zero_on_uncommitted_pages_commits_nothing() {
    let src = MockSource::new();
    let vmo = create(&src, 2 * P, 0);
    assert_eq!(op(&vmo, ZX_VMO_OP_ZERO, P / 2, P), Status::OK);
    assert_eq!(src.allocations(), 0);
}

#[test]
fn zero_decommits_the_pages_it_covers() {
    // DecommitMiddle.
    let src = MockSource::new();
    let vmo = create(&src, 3 * P, 0);
    write(&vmo, 0, &vec![0xff; 3 * PAGE_SIZE]).unwrap();
    assert_eq!(op(&vmo, ZX_VMO_OP_ZERO, P / 2, 2 * P), Status::OK);
    assert_eq!(committed(&vmo), 2);
}

#[test]
fn zero_lengths_and_bounds() {
    // ZeroLengths and OpOutOfBounds.
    let vmo = create(&MockSource::new(), P, 0);
    for offset in [0, 10, P] {
        assert_eq!(op(&vmo, ZX_VMO_OP_ZERO, offset, 0), Status::OK);
    }
    assert_eq!(op(&vmo, ZX_VMO_OP_ZERO, P + 1, 0), Status::OUT_OF_RANGE);
    assert_eq!(op(&vmo, ZX_VMO_OP_ZERO, 0, 2 * P), Status::OUT_OF_RANGE);
    assert_eq!(op(&vmo, ZX_VMO_OP_ZERO, u64::MAX, 2), Status::OUT_OF_RANGE);
}

#[test]
fn zero_on_an_uncached_vmo_is_bad_state_first() {
    let vmo = create(&MockSource::new(), P, 0);
    vmo.set_cache_policy(ZX_CACHE_POLICY_WRITE_COMBINING)
        .unwrap();
    assert_eq!(op(&vmo, ZX_VMO_OP_ZERO, 0, 1), Status::BAD_STATE);
    assert_eq!(op(&vmo, ZX_VMO_OP_ZERO, 0, 2 * P), Status::BAD_STATE);
}

#[test]
fn zero_out_of_memory_on_a_shared_partial_page() {
    let src = MockSource::new();
    let vmo = create(&src, 2 * P, 0);
    write(&vmo, 0, &vec![1; 2 * PAGE_SIZE]).unwrap();
    let clone = snapshot(&vmo, 0, 2 * P);
    src.set_budget(Some(0));
    assert_eq!(op(&clone, ZX_VMO_OP_ZERO, 10, P), Status::NO_MEMORY);
    assert_eq!(
        read(&clone, 0, 2 * PAGE_SIZE).unwrap(),
        vec![1; 2 * PAGE_SIZE]
    );
    src.set_budget(None);
    drop((vmo, clone));
    assert_eq!(src.live_pages(), 0);
}

#[test]
fn cache_op_range_matrix() {
    // Fuchsia's CacheOp on a 0x8000-byte VMO.
    let src = MockSource::new();
    let size = 0x8000;
    let vmo = create(&src, size, 0);
    let ok = [
        (0, 1),
        (1, 1),
        (0, size),
        (1, size - 1),
        (0x5200, 1),
        (0x5200, 0x800),
        (0x5200, 0x1000),
        (0x5200, 0x1200),
    ];
    let out = [
        (1, size),
        (size, 1),
        (size + 1, 1),
        (u64::MAX - 1, 1),
        (u64::MAX, 1),
        (u64::MAX, u64::MAX),
    ];
    for code in [
        ZX_VMO_OP_CACHE_SYNC,
        ZX_VMO_OP_CACHE_CLEAN,
        ZX_VMO_OP_CACHE_CLEAN_INVALIDATE,
        ZX_VMO_OP_CACHE_INVALIDATE,
    ] {
        for &(offset, len) in &ok {
            assert_eq!(
                op(&vmo, code, offset, len),
                Status::OK,
                "{code} {offset:#x} {len:#x}"
            );
        }
        assert_eq!(op(&vmo, code, 0, 0), Status::INVALID_ARGS);
        for &(offset, len) in &out {
            assert_eq!(op(&vmo, code, offset, len), Status::OUT_OF_RANGE);
        }
    }
}

#[test]
fn cache_ops_reach_only_committed_pages_with_exact_ranges() {
    let src = MockSource::new();
    let vmo = create(&src, 4 * P, 0);
    put(&vmo, 1, P);
    put(&vmo, 1, 3 * P);
    src.take_cache_ops();
    vmo.cache_op(P / 2, 3 * P, CacheOp::Clean).unwrap();
    let ops: Vec<_> = src
        .take_cache_ops()
        .iter()
        .map(|&(_, o, l, op)| (o, l, op))
        .collect();
    assert_eq!(
        ops,
        [
            (0, PAGE_SIZE, CacheOp::Clean),
            (0, PAGE_SIZE / 2, CacheOp::Clean)
        ]
    );
    assert_eq!(op(&vmo, ZX_VMO_OP_CACHE_INVALIDATE, P, 1), Status::OK);
    assert_eq!(
        src.take_cache_ops()[0].3,
        CacheOp::Invalidate,
        "the kernel picks how"
    );
}

#[test]
fn cache_op_over_a_huge_sparse_vmo_is_fast() {
    // CacheOpLargeVmo.
    let src = MockSource::new();
    let vmo = create(&src, u64::MAX - 64 * P + 1, 0);
    for i in 0..64 {
        put(&vmo, 1, i * P);
    }
    assert_eq!(op(&vmo, ZX_VMO_OP_CACHE_CLEAN, 0, vmo.size()), Status::OK);
    assert_eq!(src.take_cache_ops().len(), 64);
    assert_eq!(
        op(&vmo, ZX_VMO_OP_CACHE_CLEAN_INVALIDATE, P, u64::MAX),
        Status::OUT_OF_RANGE
    );
    assert_eq!(
        op(&vmo, ZX_VMO_OP_CACHE_CLEAN_INVALIDATE, u64::MAX - P + 1, 1),
        Status::OUT_OF_RANGE
    );
}

#[test]
fn lock_ops_on_a_normal_vmo_are_not_supported() {
    let vmo = create(&MockSource::new(), P, 0);
    for code in [ZX_VMO_OP_LOCK, ZX_VMO_OP_TRY_LOCK, ZX_VMO_OP_UNLOCK] {
        assert_eq!(op(&vmo, code, 0, P), Status::NOT_SUPPORTED);
    }
}

#[test]
fn lock_and_unlock_a_discardable_vmo() {
    // LockUnlock and Discardable.
    let src = MockSource::new();
    let vmo = create(&src, 3 * P - 5, ZX_VMO_DISCARDABLE);
    let size = vmo.size();
    for code in [ZX_VMO_OP_LOCK, ZX_VMO_OP_TRY_LOCK, ZX_VMO_OP_UNLOCK] {
        assert_eq!(op(&vmo, code, P, size - P), Status::OUT_OF_RANGE);
        assert_eq!(op(&vmo, code, 0, size - P), Status::OUT_OF_RANGE);
        assert_eq!(op(&vmo, code, u64::MAX, 2), Status::OUT_OF_RANGE);
    }
    assert_eq!(op(&vmo, ZX_VMO_OP_UNLOCK, 0, size), Status::BAD_STATE);
    let state = vmo.op_range(ZX_VMO_OP_LOCK, 0, size, ALL).unwrap().unwrap();
    assert_eq!(
        (
            state.offset,
            state.size,
            state.discarded_offset,
            state.discarded_size
        ),
        (0, size, 0, 0)
    );
    put(&vmo, 7, P);
    assert_eq!(op(&vmo, ZX_VMO_OP_TRY_LOCK, 0, size), Status::OK);
    assert_eq!(op(&vmo, ZX_VMO_OP_UNLOCK, 0, size), Status::OK);
    assert_eq!(op(&vmo, ZX_VMO_OP_UNLOCK, 0, size), Status::OK);
    assert_eq!(op(&vmo, ZX_VMO_OP_UNLOCK, 0, size), Status::BAD_STATE);
    assert_eq!(get(&vmo, P), 7, "never discarded");
}

#[test]
fn set_size_on_a_fixed_vmo_is_unavailable() {
    let vmo = create(&MockSource::new(), 2 * P, 0);
    assert_eq!(vmo.set_size(3 * P), Err(Status::UNAVAILABLE));
    assert_eq!(vmo.set_size(P), Err(Status::UNAVAILABLE));
    assert_eq!(vmo.size(), 2 * P);
    // Rounding overflow is found before.
    assert_eq!(vmo.set_size(u64::MAX), Err(Status::OUT_OF_RANGE));
}

#[test]
fn set_size_past_the_maximum_is_out_of_range() {
    let vmo = create(&MockSource::new(), 4 * P, ZX_VMO_RESIZABLE);
    assert_eq!(vmo.set_size(u64::MAX), Err(Status::OUT_OF_RANGE));
    assert_eq!(vmo.set_size(MAX_SIZE + 1), Err(Status::OUT_OF_RANGE));
    assert_eq!(vmo.set_size(5 * P), Ok(()));
    assert_eq!(vmo.set_size(5 * P + 1), Ok(()));
    assert_eq!(vmo.size(), 6 * P);
}

#[test]
fn set_size_rounds_to_pages() {
    // ResizeAlign.
    let vmo = create(&MockSource::new(), 0, ZX_VMO_RESIZABLE);
    for size in (0..4 * P).step_by(97) {
        vmo.set_size(size).unwrap();
        assert_eq!(vmo.size(), size.div_ceil(P) * P);
        assert_eq!(vmo.content_size(), size);
    }
}

#[test]
fn shrink_frees_pages_and_growing_back_reads_zeros() {
    let src = MockSource::new();
    let vmo = create(&src, 4 * P, ZX_VMO_RESIZABLE);
    write(&vmo, 0, &vec![3; 4 * PAGE_SIZE]).unwrap();
    vmo.set_size(P + 100).unwrap();
    assert_eq!(src.live_pages(), 2);
    assert_eq!(read(&vmo, 4 * P, 1), Err(Status::OUT_OF_RANGE));
    vmo.set_size(4 * P).unwrap();
    let bytes = read(&vmo, 0, 4 * PAGE_SIZE).unwrap();
    assert!(bytes[..PAGE_SIZE + 100].iter().all(|&b| b == 3));
    assert!(
        bytes[PAGE_SIZE + 100..].iter().all(|&b| b == 0),
        "tail zeroed, new pages zero"
    );
}

#[test]
fn set_size_sets_the_content_size_and_zeroes_the_tail() {
    // ContentSize: set_size(5461).
    let src = MockSource::new();
    let vmo = create(&src, 2 * P, ZX_VMO_RESIZABLE);
    write(&vmo, 0, &vec![1; 2 * PAGE_SIZE]).unwrap();
    vmo.set_size(5461).unwrap();
    assert_eq!(vmo.content_size(), 5461);
    let bytes = read(&vmo, 0, 2 * PAGE_SIZE).unwrap();
    assert!(bytes[..5461].iter().all(|&b| b == 1));
    assert!(bytes[5461..].iter().all(|&b| b == 0));
}

#[test]
fn cache_policies_can_be_set_on_a_clean_vmo() {
    let vmo = create(&MockSource::new(), P, 0);
    for policy in [
        ZX_CACHE_POLICY_CACHED,
        ZX_CACHE_POLICY_UNCACHED,
        ZX_CACHE_POLICY_UNCACHED_DEVICE,
        ZX_CACHE_POLICY_WRITE_COMBINING,
        ZX_CACHE_POLICY_CACHED,
    ] {
        assert_eq!(vmo.set_cache_policy(policy), Ok(()));
        assert_eq!(vmo.cache_policy(), policy);
    }
    assert_eq!(
        vmo.set_cache_policy(ZX_CACHE_POLICY_MASK + 1),
        Err(Status::INVALID_ARGS)
    );
}

#[test]
fn cache_policy_is_bad_state_with_children_or_as_a_child() {
    let vmo = create(&MockSource::new(), P, 0);
    let clone = snapshot(&vmo, 0, P);
    assert_eq!(
        vmo.set_cache_policy(ZX_CACHE_POLICY_UNCACHED),
        Err(Status::BAD_STATE)
    );
    assert_eq!(
        clone.set_cache_policy(ZX_CACHE_POLICY_UNCACHED),
        Err(Status::BAD_STATE)
    );
    drop(clone);
    let fixed = create(&MockSource::new(), P, 0);
    let window = slice(&fixed, 0, P);
    assert_eq!(
        window.set_cache_policy(ZX_CACHE_POLICY_UNCACHED),
        Err(Status::BAD_STATE)
    );
    assert_eq!(vmo.set_cache_policy(ZX_CACHE_POLICY_UNCACHED), Ok(()));
}

#[test]
fn leaving_cached_cleans_committed_pages_but_coming_back_is_refused() {
    // Cache: a huge sparse VMO with one written byte can go uncached.
    let src = MockSource::new();
    let vmo = create(&src, 1 << 52, 0);
    write(&vmo, 12345, &[1]).unwrap();
    src.take_cache_ops();
    assert_eq!(vmo.set_cache_policy(ZX_CACHE_POLICY_UNCACHED), Ok(()));
    let ops = src.take_cache_ops();
    assert_eq!(ops.len(), 1);
    assert_eq!(
        (ops[0].1, ops[0].2, ops[0].3),
        (0, PAGE_SIZE, CacheOp::CleanInvalidate)
    );
    assert_eq!(
        vmo.set_cache_policy(ZX_CACHE_POLICY_CACHED),
        Err(Status::BAD_STATE)
    );
    assert_eq!(
        vmo.set_cache_policy(ZX_CACHE_POLICY_UNCACHED_DEVICE),
        Err(Status::BAD_STATE)
    );
    assert_eq!(op(&vmo, ZX_VMO_OP_DECOMMIT, 0, P * 4), Status::OK);
    assert_eq!(vmo.set_cache_policy(ZX_CACHE_POLICY_CACHED), Ok(()));
}

#[test]
fn a_lock_whose_state_cannot_be_copied_out_is_undone() {
    // The syscall layer's LOCK path: lock, fail to copy the state, unlock.
    let vmo = create(&MockSource::new(), P, ZX_VMO_DISCARDABLE);
    assert!(vmo.op_range(ZX_VMO_OP_LOCK, 0, P, ALL).unwrap().is_some());
    vmo.unlock(0, P).unwrap();
    assert_eq!(op(&vmo, ZX_VMO_OP_UNLOCK, 0, P), Status::BAD_STATE);
}
