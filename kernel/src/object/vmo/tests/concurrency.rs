//! Several threads on one VMO family: no deadlock, no lost update, snapshots never
//! catch a write half done, nothing leaks.

use std::thread;

use super::*;

fn uniform(bytes: &[u8]) -> bool {
    bytes.iter().all(|&b| b == bytes[0])
}

#[test]
fn concurrent_writers_of_one_page_lose_nothing_and_snapshots_see_whole_writes() {
    let src = MockSource::new();
    let vmo = create(&src, 2 * P, 0);
    let rounds = 1500u32;
    let half = PAGE_SIZE / 2;
    thread::scope(|s| {
        for part in 0..2u32 {
            let vmo = &vmo;
            s.spawn(move || {
                for round in 0..rounds {
                    let value = (round % 100 + 100 * part) as u8;
                    write(vmo, u64::from(part) * half as u64, &vec![value; half]).unwrap();
                }
            });
        }
        let vmo = &vmo;
        s.spawn(move || {
            for _ in 0..300 {
                let child = snapshot(vmo, 0, P);
                let bytes = read(&child, 0, PAGE_SIZE).unwrap();
                assert!(
                    uniform(&bytes[..half]) && uniform(&bytes[half..]),
                    "a torn write"
                );
                put(&child, 1, 0);
            }
        });
        s.spawn(move || {
            for _ in 0..3000 {
                let bytes = read(vmo, 0, PAGE_SIZE).unwrap();
                assert!(bytes[..half].iter().all(|&b| b < 100));
                assert!(bytes[half..].iter().all(|&b| b == 0 || b >= 100));
            }
        });
    });
    let last = ((rounds - 1) % 100) as u8;
    let bytes = read(&vmo, 0, PAGE_SIZE).unwrap();
    assert_eq!(&bytes[..half], &vec![last; half][..]);
    assert_eq!(&bytes[half..], &vec![last + 100; half][..]);
    assert_attribution_exact(&src, &vmo);
    drop(vmo);
    assert_eq!(src.live_pages(), 0);
}

#[test]
fn closing_parent_and_child_at_once() {
    // Fuchsia's DropChildrenInParallel.
    let src = MockSource::new();
    for _ in 0..200 {
        let vmo = create(&src, P, 0);
        put(&vmo, 1, 0);
        let child = snapshot(&vmo, 0, P);
        thread::scope(|s| {
            s.spawn(move || drop(child));
            s.spawn(move || drop(vmo));
        });
        assert_eq!(src.live_pages(), 0);
    }
}
