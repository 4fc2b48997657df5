//! Host tests of the VMO object over a mock page source: unit tests named for the
//! behaviour they pin down (many after Fuchsia's core VMO tests, digest section 5), and
//! property tests against a reference model (`model.rs`).

mod children;
mod concurrency;
mod cow_accounting;
mod create_io;
mod mock;
mod model;
mod properties;
mod range_ops;

use std::sync::Arc;
use std::vec::Vec;

use libzircon::prelude::*;
use libzircon::Status;

use super::{PageWindow, Vmo, PAGE, PAGE_SIZE};
use mock::MockSource;

type TestVmo = Vmo<MockSource>;

const P: u64 = PAGE;

fn create(src: &MockSource, size: u64, options: u32) -> Arc<TestVmo> {
    Vmo::create(src.clone(), size, options).expect("create")
}

fn write(vmo: &TestVmo, offset: u64, data: &[u8]) -> Result<(), Status> {
    vmo.write(offset, data.len(), &mut |dst, at| {
        dst.copy_from(&data[at..at + dst.len()]);
        Ok(())
    })
}

/// A window's bytes, copied out.
fn bytes_of(window: PageWindow) -> Vec<u8> {
    let mut bytes = vec![0; window.len()];
    window.copy_to(&mut bytes);
    bytes
}

fn read(vmo: &TestVmo, offset: u64, len: usize) -> Result<Vec<u8>, Status> {
    let mut out = vec![0xAA; len];
    vmo.read(offset, len, &mut |src, at| {
        src.copy_to(&mut out[at..at + src.len()]);
        Ok(())
    })?;
    Ok(out)
}

/// Fuchsia's `VmoWrite(vmo, value, offset)`: a u32 at `offset`.
fn put(vmo: &TestVmo, value: u32, offset: u64) {
    write(vmo, offset, &value.to_le_bytes()).expect("write");
}

/// Fuchsia's `VmoCheck`: the u32 at `offset`.
fn get(vmo: &TestVmo, offset: u64) -> u32 {
    let bytes = read(vmo, offset, 4).expect("read");
    u32::from_le_bytes(bytes.try_into().unwrap())
}

/// Fuchsia's `InitPageTaggedVmo`: page i holds i + 1.
fn tagged(src: &MockSource, pages: u64) -> Arc<TestVmo> {
    let vmo = create(src, pages * P, 0);
    for i in 0..pages {
        put(&vmo, i as u32 + 1, i * P);
    }
    vmo
}

fn snapshot(vmo: &TestVmo, offset: u64, size: u64) -> Arc<TestVmo> {
    vmo.create_child(ZX_VMO_CHILD_SNAPSHOT, offset, size, true)
        .expect("snapshot")
}

fn slice(vmo: &TestVmo, offset: u64, size: u64) -> Arc<TestVmo> {
    vmo.create_child(ZX_VMO_CHILD_SLICE, offset, size, true)
        .expect("slice")
}

/// Committed pages, from `ZX_INFO_VMO`.
fn committed(vmo: &TestVmo) -> u64 {
    vmo.info(0).committed_bytes / P
}

fn err<T>(result: Result<T, Status>) -> Status {
    match result {
        Ok(_) => Status::OK,
        Err(status) => status,
    }
}

/// Every page the family holds is attributed to exactly one of its VMOs.
fn assert_attribution_exact(src: &MockSource, vmo: &TestVmo) {
    assert_eq!(vmo.family_attributed_pages() as usize, src.live_pages());
}

#[test]
fn page_size_is_zircons() {
    assert_eq!(PAGE_SIZE, ZX_PAGE_SIZE);
}
