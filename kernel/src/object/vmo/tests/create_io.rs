//! Creation, sizes, properties, info, read and write.

use super::*;
use crate::object::vmo::{create_rights, round_size, PageSource, MAX_SIZE};

#[test]
fn create_rounds_the_size_up_to_pages() {
    let src = MockSource::new();
    for size in 0..4 * P {
        let vmo = create(&src, size, 0);
        assert_eq!(vmo.size(), size.div_ceil(P) * P, "size {size}");
        assert_eq!(vmo.content_size(), size);
    }
    assert_eq!(src.allocations(), 0, "creation is lazy");
}

#[test]
fn create_accepts_resizable_and_discardable() {
    let src = MockSource::new();
    assert!(create(&src, P, ZX_VMO_RESIZABLE).is_resizable());
    assert!(create(&src, P, ZX_VMO_DISCARDABLE).is_discardable());
    assert!(!create(&src, P, 0).is_resizable());
}

#[test]
fn create_with_an_unknown_option_is_invalid_args() {
    let src = MockSource::new();
    for options in [1, ZX_VMO_TRAP_DIRTY, 1 << 31, 0x10] {
        assert_eq!(
            err(Vmo::create(src.clone(), P, options)),
            Status::INVALID_ARGS
        );
    }
}

#[test]
fn create_discardable_and_resizable_together_is_invalid_args() {
    let options = ZX_VMO_DISCARDABLE | ZX_VMO_RESIZABLE;
    assert_eq!(
        err(Vmo::create(MockSource::new(), P, options)),
        Status::INVALID_ARGS
    );
}

#[test]
fn create_past_the_maximum_size_is_out_of_range() {
    let src = MockSource::new();
    assert_eq!(
        err(Vmo::create(src.clone(), u64::MAX, 0)),
        Status::OUT_OF_RANGE
    );
    assert_eq!(
        err(Vmo::create(src.clone(), MAX_SIZE + 1, 0)),
        Status::OUT_OF_RANGE
    );
    assert_eq!(create(&src, MAX_SIZE, 0).size(), MAX_SIZE);
    // Fuchsia's CacheOpLargeVmo size.
    assert_eq!(
        create(&src, u64::MAX - 64 * P + 1, 0).size(),
        0xFFFF_FFFF_FFFC_0000
    );
    // Options are checked before the size.
    assert_eq!(err(Vmo::create(src, u64::MAX, 1)), Status::INVALID_ARGS);
}

#[test]
fn round_size_matches_zircon() {
    assert_eq!(round_size(0), Ok(0));
    assert_eq!(round_size(1), Ok(P));
    assert_eq!(round_size(u64::MAX - P + 2), Err(Status::OUT_OF_RANGE));
}

#[test]
fn handle_rights_get_resize_only_when_resizable() {
    assert_eq!(create_rights(0), 0xD0EF);
    assert_eq!(create_rights(ZX_VMO_RESIZABLE), 0x40D0EF);
}

#[test]
fn koids_are_unique_and_names_start_empty() {
    let src = MockSource::new();
    let a = create(&src, P, 0);
    let b = create(&src, P, 0);
    assert_ne!(a.koid(), b.koid());
    assert!(a.koid() >= ZX_KOID_FIRST);
    assert_eq!(a.name(), [0; ZX_MAX_NAME_LEN]);
}

#[test]
fn set_name_keeps_31_bytes_and_a_nul() {
    let src = MockSource::new();
    let vmo = create(&src, P, 0);
    vmo.set_name(b"a name");
    assert_eq!(&vmo.name()[..7], b"a name\0");
    vmo.set_name(&[b'x'; 40]);
    let name = vmo.name();
    assert_eq!(&name[..31], &[b'x'; 31]);
    assert_eq!(name[31], 0);
    let info = vmo.info(0);
    assert_eq!(info.name[30] as u8, b'x');
    assert_eq!(info.name[31], 0);
}

#[test]
fn info_of_a_plain_vmo() {
    let src = MockSource::new();
    let vmo = create(&src, 3 * P - 7, 0);
    let info = vmo.info(ZX_DEFAULT_VMO_RIGHTS);
    assert_eq!(info.koid, vmo.koid());
    assert_eq!(info.size_bytes, 3 * P);
    assert_eq!(info.flags, 0x9, "PAGED | VIA_HANDLE");
    assert_eq!(info.cache_policy, ZX_CACHE_POLICY_CACHED);
    assert_eq!(info.handle_rights, ZX_DEFAULT_VMO_RIGHTS);
    assert_eq!(info.parent_koid, 0);
    assert_eq!(info.num_children, 0);
    assert_eq!(info.committed_bytes, 0);
    assert_eq!(
        info.metadata_bytes, 0,
        "MetadataBytes: a fresh VMO has none"
    );
    put(&vmo, 1, 0);
    let info = vmo.info(0);
    assert_eq!(info.committed_bytes, P);
    assert_eq!(info.populated_bytes, P);
    assert!(
        info.metadata_bytes > 0,
        "MetadataBytes: non-zero after a commit"
    );
}

#[test]
fn info_of_a_resizable_uncached_vmo() {
    let src = MockSource::new();
    let vmo = create(&src, P, ZX_VMO_RESIZABLE);
    vmo.set_cache_policy(ZX_CACHE_POLICY_UNCACHED).unwrap();
    let info = vmo.info(0);
    assert_eq!(info.flags, 0xB, "PAGED | RESIZABLE | VIA_HANDLE");
    assert_eq!(info.cache_policy, ZX_CACHE_POLICY_UNCACHED);
}

#[test]
fn info_of_a_discardable_vmo_says_so() {
    let vmo = create(&MockSource::new(), P, ZX_VMO_DISCARDABLE);
    assert_ne!(vmo.info(0).flags & ZX_INFO_VMO_DISCARDABLE, 0);
}

#[test]
fn a_new_vmo_reads_zeros_without_committing() {
    let src = MockSource::new();
    let vmo = create(&src, 3 * P, 0);
    assert_eq!(
        read(&vmo, 0, 3 * PAGE_SIZE).unwrap(),
        vec![0; 3 * PAGE_SIZE]
    );
    assert_eq!(src.allocations(), 0);
    assert_eq!(committed(&vmo), 0);
}

#[test]
fn write_then_read_round_trips_across_page_boundaries() {
    let src = MockSource::new();
    let vmo = create(&src, 40 * P, 0);
    let data: Vec<u8> = (0..20 * PAGE_SIZE + 333)
        .map(|i| (i * 7 % 251) as u8)
        .collect();
    write(&vmo, P - 100, &data).unwrap();
    assert_eq!(read(&vmo, P - 100, data.len()).unwrap(), data);
    assert_eq!(
        read(&vmo, 0, P as usize - 100).unwrap(),
        vec![0; PAGE_SIZE - 100]
    );
    let touched = (P - 100 + data.len() as u64).div_ceil(P);
    assert_eq!(committed(&vmo), touched, "only touched pages are committed");
    drop(vmo);
    assert_eq!(src.live_pages(), 0);
}

#[test]
fn the_callback_sees_positions_in_the_caller_buffer() {
    let src = MockSource::new();
    let vmo = create(&src, 4 * P, 0);
    let mut calls = Vec::new();
    vmo.write(10, 2 * PAGE_SIZE, &mut |dst, at| {
        calls.push((at, dst.len()));
        Ok(())
    })
    .unwrap();
    assert_eq!(
        calls,
        [
            (0, PAGE_SIZE - 10),
            (PAGE_SIZE - 10, PAGE_SIZE),
            (2 * PAGE_SIZE - 10, 10)
        ]
    );
}

#[test]
fn write_past_the_end_is_out_of_range() {
    let src = MockSource::new();
    let vmo = create(&src, P, 0);
    assert_eq!(write(&vmo, P - 1, &[1, 2]), Err(Status::OUT_OF_RANGE));
    assert_eq!(
        write(&vmo, 0, &vec![1; PAGE_SIZE + 1]),
        Err(Status::OUT_OF_RANGE)
    );
    assert_eq!(
        src.allocations(),
        0,
        "nothing is written on a short transfer"
    );
}

#[test]
fn read_past_the_end_is_out_of_range() {
    let vmo = create(&MockSource::new(), P, 0);
    assert_eq!(read(&vmo, P, 1), Err(Status::OUT_OF_RANGE));
    assert_eq!(read(&vmo, 1, PAGE_SIZE), Err(Status::OUT_OF_RANGE));
}

#[test]
fn zero_length_io_is_ok_up_to_the_end_and_out_of_range_past_it() {
    let vmo = create(&MockSource::new(), P, 0);
    let mut never = |_: PageWindow, _: usize| -> Result<(), Status> { panic!("called") };
    assert_eq!(vmo.write(P, 0, &mut never), Ok(()));
    assert_eq!(vmo.write(P + 1, 0, &mut never), Err(Status::OUT_OF_RANGE));
    let mut never = |_: PageWindow, _: usize| -> Result<(), Status> { panic!("called") };
    assert_eq!(vmo.read(P, 0, &mut never), Ok(()));
    assert_eq!(vmo.read(P + 1, 0, &mut never), Err(Status::OUT_OF_RANGE));
}

#[test]
fn io_whose_end_overflows_is_out_of_range() {
    let vmo = create(&MockSource::new(), P, 0);
    let mut never = |_: PageWindow, _: usize| -> Result<(), Status> { panic!("called") };
    assert_eq!(
        vmo.read(u64::MAX - 2, 4, &mut never),
        Err(Status::OUT_OF_RANGE)
    );
    for len in [usize::MAX - PAGE_SIZE, usize::MAX - PAGE_SIZE / 2] {
        assert_eq!(vmo.read(0, len, &mut never), Err(Status::OUT_OF_RANGE));
        let mut never = |_: PageWindow, _: usize| -> Result<(), Status> { panic!("called") };
        assert_eq!(vmo.write(0, len, &mut never), Err(Status::OUT_OF_RANGE));
    }
}

#[test]
fn io_on_an_uncached_vmo_is_bad_state_after_the_overflow_check() {
    let src = MockSource::new();
    let vmo = create(&src, P, 0);
    vmo.set_cache_policy(ZX_CACHE_POLICY_UNCACHED).unwrap();
    assert_eq!(write(&vmo, 0, &[1]), Err(Status::BAD_STATE));
    assert_eq!(read(&vmo, 0, 1), Err(Status::BAD_STATE));
    // Past the end: BAD_STATE comes first.
    assert_eq!(read(&vmo, 2 * P, 1), Err(Status::BAD_STATE));
    // Zero length too.
    assert_eq!(read(&vmo, 0, 0), Err(Status::BAD_STATE));
    // Overflow comes before it.
    assert_eq!(read(&vmo, u64::MAX, 1), Err(Status::OUT_OF_RANGE));
}

#[test]
fn a_copy_error_is_returned_as_is_with_earlier_pages_written() {
    let src = MockSource::new();
    let vmo = create(&src, 4 * P, 0);
    let result = vmo.write(0, 3 * PAGE_SIZE, &mut |dst, at| {
        if at >= 2 * PAGE_SIZE {
            return Err(Status::NOT_FOUND);
        }
        dst.fill(7);
        Ok(())
    });
    assert_eq!(result, Err(Status::NOT_FOUND));
    assert_eq!(
        read(&vmo, 0, 2 * PAGE_SIZE).unwrap(),
        vec![7; 2 * PAGE_SIZE]
    );
    assert_eq!(read(&vmo, 2 * P, PAGE_SIZE).unwrap(), vec![0; PAGE_SIZE]);
    let result = vmo.read(0, 2 * PAGE_SIZE, &mut |_, at| {
        if at > 0 {
            Err(Status::ACCESS_DENIED)
        } else {
            Ok(())
        }
    });
    assert_eq!(result, Err(Status::ACCESS_DENIED));
    drop(vmo);
    assert_eq!(src.live_pages(), 0);
}

#[test]
fn write_out_of_memory_keeps_earlier_pages_and_leaks_nothing() {
    let src = MockSource::new();
    let vmo = create(&src, 8 * P, 0);
    src.set_budget(Some(3));
    let data = vec![5u8; 6 * PAGE_SIZE];
    assert_eq!(write(&vmo, 0, &data), Err(Status::NO_MEMORY));
    assert_eq!(
        read(&vmo, 0, 3 * PAGE_SIZE).unwrap(),
        vec![5; 3 * PAGE_SIZE]
    );
    assert_eq!(
        read(&vmo, 3 * P, 3 * PAGE_SIZE).unwrap(),
        vec![0; 3 * PAGE_SIZE]
    );
    assert_eq!(src.live_pages(), 3);
    assert_eq!(committed(&vmo), 3);
    src.set_budget(None);
    write(&vmo, 0, &data).unwrap();
    assert_eq!(read(&vmo, 0, data.len()).unwrap(), data);
    drop(vmo);
    assert_eq!(src.live_pages(), 0);
}

#[test]
fn the_callback_runs_without_the_vmo_lock() {
    // A write whose source is (a mapping of) the same VMO: the callback uses the VMO.
    let src = MockSource::new();
    let vmo = create(&src, 4 * P, 0);
    let child = snapshot(&vmo, 0, 4 * P);
    put(&vmo, 9, 2 * P);
    vmo.write(0, 8, &mut |dst, _| {
        assert_eq!(get(&vmo, 2 * P), 9);
        put(&vmo, 3, P);
        vmo.op_range(ZX_VMO_OP_COMMIT, 3 * P, P, ZX_RIGHT_WRITE)
            .unwrap();
        assert_eq!(child.size(), 4 * P);
        dst.fill(1);
        Ok(())
    })
    .unwrap();
    assert_eq!(read(&vmo, 0, 8).unwrap(), vec![1; 8]);
    assert_eq!(get(&vmo, P), 3);
    vmo.read(0, 8, &mut |_, _| {
        put(&vmo, 4, P);
        Ok(())
    })
    .unwrap();
    assert_eq!(get(&vmo, P), 4);
    drop((vmo, child));
    assert_eq!(src.live_pages(), 0);
}

#[test]
fn decommit_during_a_write_to_that_page_frees_it_afterwards() {
    let src = MockSource::new();
    let vmo = create(&src, 2 * P, 0);
    vmo.write(0, 8, &mut |dst, _| {
        vmo.decommit(0, P).unwrap();
        dst.fill(1);
        Ok(())
    })
    .unwrap();
    // The write went to a page the VMO no longer holds: as if it came first.
    assert_eq!(read(&vmo, 0, 8).unwrap(), vec![0; 8]);
    assert_eq!(src.live_pages(), 0);
}

#[test]
fn shrinking_during_a_long_write_stops_it_out_of_range() {
    let src = MockSource::new();
    let vmo = create(&src, 40 * P, ZX_VMO_RESIZABLE);
    let result = vmo.write(0, 40 * PAGE_SIZE, &mut |dst, at| {
        if at == 0 {
            vmo.set_size(P).unwrap();
        }
        dst.fill(2);
        Ok(())
    });
    assert_eq!(result, Err(Status::OUT_OF_RANGE));
    assert_eq!(read(&vmo, 0, PAGE_SIZE).unwrap(), vec![2; PAGE_SIZE]);
    drop(vmo);
    assert_eq!(src.live_pages(), 0);
}

#[test]
fn a_pinned_page_is_not_copied_for_a_second_writer() {
    // An in-flight copy's temporary reference must not make a private page look shared
    // (family.rs invariant 1), or a concurrent writer of the page would fork it and the
    // first writer's bytes would be lost.
    let src = MockSource::new();
    let vmo = create(&src, P, 0);
    put(&vmo, 1, 0);
    let mut state = vmo.state();
    let page = state.paged(vmo.slot).pages.get(0).unwrap().page;
    state.paged_mut(vmo.slot).pages.pin(0);
    src.add_ref(page);
    assert_eq!(state.page_for_write(&src, vmo.slot, 0), Ok(page));
    state.paged_mut(vmo.slot).pages.unpin(0, page);
    src.release(page);
    drop(state);
    assert_eq!(committed(&vmo), 1);
}

#[test]
fn content_size_can_exceed_the_vmo_size() {
    let src = MockSource::new();
    let len = 3 * P + 5;
    let vmo = create(&src, len, 0);
    assert_eq!(vmo.content_size(), len);
    vmo.set_content_size(len / 3);
    assert_eq!(vmo.content_size(), len / 3);
    vmo.set_content_size(len + 15643);
    assert_eq!(vmo.content_size(), len + 15643);
    assert_eq!(vmo.size(), 4 * P);
}

#[test]
fn shrinking_the_content_size_zeroes_the_rest() {
    let src = MockSource::new();
    let vmo = create(&src, 3 * P, 0);
    write(&vmo, 0, &vec![1; 3 * PAGE_SIZE]).unwrap();
    vmo.set_content_size(100);
    let bytes = read(&vmo, 0, 3 * PAGE_SIZE).unwrap();
    assert!(bytes[..100].iter().all(|&b| b == 1));
    assert!(bytes[100..].iter().all(|&b| b == 0));
    assert_eq!(committed(&vmo), 1, "whole pages past it are decommitted");
}

#[test]
fn dropping_a_vmo_releases_every_page() {
    let src = MockSource::new();
    let vmo = create(&src, 100 * P, 0);
    for i in (0..100).step_by(3) {
        put(&vmo, i as u32, i * P);
    }
    assert_eq!(src.live_pages(), 34);
    drop(vmo);
    assert_eq!(src.live_pages(), 0);
}

#[test]
fn a_write_nested_in_a_write_of_the_same_page_loses_nothing() {
    // The buffer of a write may be a mapping of the page being written: a second write
    // to that page while the first copies must not copy the page away from it.
    let src = MockSource::new();
    let vmo = create(&src, P, 0);
    vmo.write(0, 8, &mut |dst, _| {
        write(&vmo, 100, &[7]).unwrap();
        dst.fill(1);
        Ok(())
    })
    .unwrap();
    assert_eq!(read(&vmo, 0, 8).unwrap(), vec![1; 8]);
    assert_eq!(read(&vmo, 100, 1).unwrap(), [7]);
    assert_eq!(src.live_pages(), 1);
}

/// A locked copier that records whether it ran, and may refuse as if it would fault.
fn locked_writer<'a>(
    ran: &'a mut bool,
    refuse: bool,
    data: &'a [u8],
) -> impl FnMut(PageWindow, usize) -> Result<(), Status> + 'a {
    move |dst, at| {
        *ran = true;
        if refuse {
            return Err(crate::object::vmo::WOULD_FAULT);
        }
        dst.copy_from(&data[at..at + dst.len()]);
        Ok(())
    }
}

#[test]
fn small_write_to_a_private_page_goes_the_locked_way() {
    let src = MockSource::new();
    let vmo = create(&src, 2 * P, 0);
    put(&vmo, 7, 0);
    let data = [1u8, 2, 3, 4];
    let mut ran = false;
    let mut slow = |_: PageWindow, _: usize| -> Result<(), Status> { panic!("slow path used") };
    vmo.write_fast(8, 4, &mut locked_writer(&mut ran, false, &data), &mut slow)
        .unwrap();
    assert!(ran);
    assert_eq!(read(&vmo, 8, 4).unwrap(), data);
}

#[test]
fn locked_write_that_would_fault_is_redone_the_slow_way() {
    let src = MockSource::new();
    let vmo = create(&src, P, 0);
    put(&vmo, 7, 0);
    let data = [9u8; 16];
    let mut ran = false;
    let mut slow = |dst: PageWindow, at: usize| {
        dst.copy_from(&data[at..at + dst.len()]);
        Ok(())
    };
    vmo.write_fast(
        100,
        16,
        &mut locked_writer(&mut ran, true, &data),
        &mut slow,
    )
    .unwrap();
    assert!(ran);
    assert_eq!(read(&vmo, 100, 16).unwrap(), data);
}

#[test]
fn locked_write_never_touches_a_shared_page() {
    // A snapshot shares the parent's page: the fast path must not write into it.
    let src = MockSource::new();
    let parent = create(&src, P, 0);
    put(&parent, 1, 0);
    let child = snapshot(&parent, 0, P);
    let data = [5u8; 4];
    let mut ran = false;
    let mut slow = |dst: PageWindow, at: usize| {
        dst.copy_from(&data[at..at + dst.len()]);
        Ok(())
    };
    child
        .write_fast(0, 4, &mut locked_writer(&mut ran, false, &data), &mut slow)
        .unwrap();
    assert!(!ran, "a shared page needs the copy-on-write path");
    assert_eq!(get(&parent, 0), 1);
    assert_eq!(get(&child, 0), 0x0505_0505);
}

#[test]
fn small_read_goes_the_locked_way_and_sees_zeros_where_nothing_is_committed() {
    let src = MockSource::new();
    let vmo = create(&src, 2 * P, 0);
    put(&vmo, 0x0403_0201, P);
    let mut got = Vec::new();
    let mut slow = |_: PageWindow, _: usize| -> Result<(), Status> { panic!("slow path used") };
    vmo.read_fast(
        P,
        4,
        &mut |bytes: PageWindow, _| {
            got.extend_from_slice(&bytes_of(bytes));
            Ok(())
        },
        &mut slow,
    )
    .unwrap();
    assert_eq!(got, [1, 2, 3, 4]);
    let mut zeros = Vec::new();
    vmo.read_fast(
        0,
        8,
        &mut |bytes: PageWindow, _| {
            zeros.extend_from_slice(&bytes_of(bytes));
            Ok(())
        },
        &mut slow,
    )
    .unwrap();
    assert_eq!(zeros, [0; 8]);
    assert_eq!(src.allocations(), 1, "reading commits nothing");
}
