//! Memory management: the kernel's address space, the heap, and physical frames.
//!
//! At boot, RAM (from the device tree, capped by `mem=`) minus everything that is not
//! free (the image, the device tree, the boot image, reserved ranges) goes to the frame
//! allocator, less its own per-page table. The kernel heap has no region of its own: it
//! takes frames as it needs them and gives them back as they empty (heap.rs).

pub mod frames;
pub mod heap;
pub mod regions;
pub mod window;

#[cfg(target_os = "none")]
pub mod aspace;
#[cfg(target_os = "none")]
pub mod kstack;
#[cfg(target_os = "none")]
pub mod paging;
#[cfg(target_os = "none")]
pub mod vmo_pages;

use crate::bsp::devicetree::PhysRange;
use regions::RegionSet;

/// RAM the kernel manages (after `mem=`), set once at boot.
#[cfg(target_os = "none")]
static USABLE_BYTES: core::sync::atomic::AtomicU64 = core::sync::atomic::AtomicU64::new(0);

#[cfg(target_os = "none")]
pub fn set_usable_bytes(bytes: u64) {
    USABLE_BYTES.store(bytes, core::sync::atomic::Ordering::Relaxed);
}

/// The RAM the kernel manages: what the device tree describes, capped by `mem=`
/// (`zx_system_get_physmem`, and `ZX_INFO_KMEM_STATS.total_bytes`).
#[cfg(target_os = "none")]
pub fn usable_bytes() -> u64 {
    USABLE_BYTES.load(core::sync::atomic::Ordering::Relaxed)
}

/// Where memory is, for ZX_INFO_KMEM_STATS (Fuchsia's layout).
#[cfg(target_os = "none")]
pub fn kmem_stats() -> libzircon::prelude::zx_info_kmem_stats_t {
    let page = frames::PAGE_SIZE as u64;
    let total = usable_bytes();
    let free = frames::free_pages() as u64 * page;
    let (heap_total, heap_used) = heap::stats();
    let vmo = frames::shared_pages_in_use() as u64 * page;
    let mmu = aspace::table_pages() as u64 * page;
    let managed = frames::total_pages() as u64 * page;
    let heap_total = heap_total as u64;
    // The image, the device tree, the boot image, the frame table: RAM the frame
    // allocator does not manage. The heap's pages are the frame allocator's.
    let wired = total.saturating_sub(managed);
    // Kernel stacks, mostly.
    let other = managed.saturating_sub(free + vmo + mmu + heap_total);
    libzircon::prelude::zx_info_kmem_stats_t {
        total_bytes: total,
        free_bytes: free,
        wired_bytes: wired,
        total_heap_bytes: heap_total,
        free_heap_bytes: heap_total.saturating_sub(heap_used as u64),
        vmo_bytes: vmo,
        mmu_overhead_bytes: mmu,
        ipc_bytes: 0,
        other_bytes: other,
    }
}

/// Linear-map granularity: RAM is usable only in whole 2 MiB blocks.
pub const LINEAR_ALIGN: u64 = 2 << 20;

/// What boot found and decided about memory, for the banner.
#[derive(Clone, Copy, Debug, Default)]
pub struct MemoryReport {
    /// RAM the device tree describes.
    pub ram_bytes: u64,
    /// RAM left after `mem=`.
    pub usable_bytes: u64,
    /// The frame allocator's per-page table.
    pub table_bytes: u64,
    /// What the kernel heap holds and has handed out, when `free_pages` was read.
    pub heap_bytes: u64,
    pub heap_used_bytes: u64,
    pub free_pages: usize,
    pub reserved_bytes: u64,
}

/// Allocates and frees a few blocks of frames and checks that the free count comes back
/// and that the blocks are distinct and aligned: the allocator is wired up right.
pub fn check_frames() -> Result<(), &'static str> {
    let before = frames::free_pages();
    let a = frames::alloc(1).map_err(|_| "cannot allocate one page")?;
    let b = frames::alloc(3).map_err(|_| "cannot allocate four pages")?;
    let ok = a != b && b % (4 * frames::PAGE_SIZE) == 0 && frames::free_pages() == before - 5;
    frames::free(b, 3);
    frames::free(a, 1);
    if !ok {
        return Err("allocations overlap, are misaligned, or miscounted");
    }
    if frames::free_pages() != before {
        return Err("free pages did not come back");
    }
    Ok(())
}

/// Free RAM: `ram` aligned to the linear map, capped at `limit`, minus `holes`.
pub fn free_regions(
    ram: impl Iterator<Item = PhysRange>,
    limit: Option<u64>,
    holes: impl Iterator<Item = PhysRange>,
) -> (RegionSet, u64) {
    let mut set = RegionSet::new();
    for r in ram {
        set.add(r);
    }
    set.align_inward(LINEAR_ALIGN);
    if let Some(limit) = limit {
        set.cap_total(limit);
    }
    let usable = set.total();
    for h in holes {
        // Widen each hole to whole pages; failing to record one only loses memory.
        let start = h.start & !(frames::PAGE_SIZE as u64 - 1);
        let end = h
            .start
            .saturating_add(h.size)
            .saturating_add(frames::PAGE_SIZE as u64 - 1)
            & !(frames::PAGE_SIZE as u64 - 1);
        let hole = PhysRange {
            start,
            size: end - start,
        };
        if !set.subtract(hole) {
            // Too fragmented to track the split: give up the ranges the hole touches.
            set.remove_overlapping(hole);
        }
    }
    (set, usable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_regions_leave_out_kernel_and_reserved() {
        let ram = [PhysRange {
            start: 0x4000_0000,
            size: 2 << 30,
        }];
        let holes = [
            PhysRange {
                start: 0x4000_0000,
                size: 0x1_0000,
            }, // device tree
            PhysRange {
                start: 0x4020_0000,
                size: 0x30_0123,
            }, // kernel image
        ];
        let (set, usable) = free_regions(ram.into_iter(), Some(64 << 20), holes.into_iter());
        assert_eq!(usable, 64 << 20);
        assert_eq!(set.total(), (64 << 20) - 0x1_0000 - 0x30_1000);
        assert!(set
            .iter()
            .all(|r| r.start % 4096 == 0 && r.size % 4096 == 0));
    }
}
