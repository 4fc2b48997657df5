// Running out of memory (issue 4, "Running out of memory"; vmo_write.md and
// vmo_op_range.md list ZX_ERR_NO_MEMORY). The kernel boots with 64 MiB (the marker
// below), so a 1 GiB VMO cannot be filled: writing it page by page must end in
// ZX_ERR_NO_MEMORY, not a panic, and closing it must give every page back, the free
// count (ZX_INFO_KMEM_STATS free_bytes, with the kernel heap's: see <zrk/vmo_util.h>)
// returning exactly to where it started. The kernel heap keeps a reserve for small
// objects, so VMO objects can still be created while no frame is left, and reading
// pages nobody wrote needs no memory.
//
// zrk-test: append mem=64M
#include <zircon/process.h>
#include <zircon/rights.h>
#include <zircon/syscalls/object.h>
#include <zrk/startup.h>
#include <zrk/test.h>
#include <zrk/vmar_util.h>

// Writes one u64 at the start of each page from page `first` on until a write fails;
// returns how many succeeded and the failing status in *status.
static uint64_t fill_until_failure(zx_handle_t vmo, uint64_t first, uint64_t limit,
                                   zx_status_t* status) {
  uint64_t n = 0;
  *status = ZX_OK;
  for (uint64_t page = first; page < limit; page++) {
    uint64_t value = page ^ 0x5a5a5a5a5a5a5a5aull;
    zx_status_t s = zx_vmo_write(vmo, &value, page * PAGE, sizeof value);
    if (s != ZX_OK) {
      *status = s;
      break;
    }
    n++;
  }
  return n;
}

TEST(the_kernel_runs_with_little_memory) {
  zx_info_kmem_stats_t stats = kmem();
  printf("# total %" PRIu64 " KiB, free %" PRIu64 " KiB, heap %" PRIu64 " KiB\n",
         stats.total_bytes >> 10, stats.free_bytes >> 10, stats.total_heap_bytes >> 10);
  EXPECT_LE(stats.total_bytes, 64ull << 20);
  EXPECT_GT(stats.free_bytes, 16ull << 20);
  EXPECT_LT(stats.free_bytes, GIB);
}

TEST(filling_a_huge_vmo_ends_in_no_memory_and_closing_it_frees_everything) {
  uint64_t free_before = free_bytes();
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(GIB, 0, &vmo));
  zx_status_t status;
  uint64_t pages = fill_until_failure(vmo, 0, GIB / PAGE, &status);
  uint64_t free_at_failure = free_bytes();
  printf("# wrote %" PRIu64 " pages (%" PRIu64 " KiB) before %s; %" PRIu64 " KiB free then\n",
         pages, pages * PAGE >> 10, zx_status_get_string(status), free_at_failure >> 10);
  EXPECT_STATUS(status, ZX_ERR_NO_MEMORY);
  // Nearly all free memory went into the VMO before the failure.
  EXPECT_GE(pages * PAGE, free_before - free_before / 10);
  EXPECT_LE(pages * PAGE, free_before);
  EXPECT_EQ(committed(vmo), pages * PAGE);
  // What was written is still there; the page that failed reads as zeros.
  for (uint64_t page = 0; page < pages; page += pages / 7 + 1) {
    uint64_t value = 0;
    EXPECT_OK(zx_vmo_read(vmo, &value, page * PAGE, sizeof value));
    EXPECT_EQ(value, page ^ 0x5a5a5a5a5a5a5a5aull);
  }
  uint64_t value = 1;
  EXPECT_OK(zx_vmo_read(vmo, &value, pages * PAGE, sizeof value));
  EXPECT_EQ(value, 0);
  // The kernel goes on: other calls that need no frames still work.
  zx_handle_t other;
  EXPECT_OK(zx_vmo_create(PAGE, 0, &other));
  EXPECT_OK(zx_vmo_read(other, &value, 0, sizeof value));
  zx_handle_t child = ZX_HANDLE_INVALID;
  EXPECT_OK(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SLICE, 0, PAGE, &child));
  EXPECT_OK(zx_handle_close(child));
  EXPECT_OK(zx_handle_close(other));
  EXPECT_OK(zx_handle_close(vmo));
  EXPECT_EQ(free_bytes(), free_before);
  // And memory is usable again.
  ASSERT_OK(zx_vmo_create(16 * PAGE, 0, &vmo));
  for (uint64_t i = 0; i < 16; i++) {
    EXPECT_OK(write_u32(vmo, i * PAGE, (uint32_t)i));
  }
  EXPECT_EQ(free_bytes(), free_before - 16 * PAGE);
  EXPECT_OK(zx_handle_close(vmo));
  EXPECT_EQ(free_bytes(), free_before);
}

TEST(running_out_again_and_again_leaks_nothing) {
  uint64_t free_before = free_bytes();
  uint64_t first = 0;
  for (int round = 0; round < 3; round++) {
    TEST_CONTEXT("round %d", round);
    zx_handle_t vmo;
    ASSERT_OK(zx_vmo_create(GIB, 0, &vmo));
    zx_status_t status;
    uint64_t pages = fill_until_failure(vmo, 0, GIB / PAGE, &status);
    EXPECT_STATUS(status, ZX_ERR_NO_MEMORY);
    if (round == 0) {
      first = pages;
    } else {
      EXPECT_EQ(pages, first);
    }
    EXPECT_OK(zx_handle_close(vmo));
    EXPECT_EQ(free_bytes(), free_before);
  }
}

TEST(committing_a_huge_range_is_no_memory_and_leaks_nothing) {
  uint64_t free_before = free_bytes();
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(GIB, 0, &vmo));
  EXPECT_STATUS(zx_vmo_op_range(vmo, ZX_VMO_OP_COMMIT, 0, GIB, NULL, 0), ZX_ERR_NO_MEMORY);
  // The VMO is still usable; what it holds is zeros.
  uint64_t value = 1;
  EXPECT_OK(zx_vmo_read(vmo, &value, GIB - PAGE, sizeof value));
  EXPECT_EQ(value, 0);
  EXPECT_OK(zx_vmo_read(vmo, &value, 0, sizeof value));
  EXPECT_EQ(value, 0);
  EXPECT_OK(zx_handle_close(vmo));
  EXPECT_EQ(free_bytes(), free_before);
  // A commit that fits still works afterwards.
  ASSERT_OK(zx_vmo_create(64 * PAGE, 0, &vmo));
  EXPECT_OK(zx_vmo_op_range(vmo, ZX_VMO_OP_COMMIT, 0, 64 * PAGE, NULL, 0));
  EXPECT_EQ(committed(vmo), 64 * PAGE);
  EXPECT_OK(zx_handle_close(vmo));
  EXPECT_EQ(free_bytes(), free_before);
}

// Copy-on-write forks need frames too: with memory full, writing a shared page is
// NO_MEMORY and changes nothing on either side.
TEST(forking_a_shared_page_with_no_memory_left) {
  uint64_t free_before = free_bytes();
  zx_handle_t parent, child, filler;
  ASSERT_OK(zx_vmo_create(4 * PAGE, 0, &parent));
  for (uint64_t i = 0; i < 4; i++) {
    ASSERT_OK(write_u32(parent, i * PAGE, (uint32_t)(i + 1)));
  }
  ASSERT_OK(zx_vmo_create_child(parent, ZX_VMO_CHILD_SNAPSHOT, 0, 4 * PAGE, &child));
  // Take every frame that is left.
  ASSERT_OK(zx_vmo_create(GIB, 0, &filler));
  zx_status_t status;
  fill_until_failure(filler, 0, GIB / PAGE, &status);
  EXPECT_STATUS(status, ZX_ERR_NO_MEMORY);
  EXPECT_STATUS(write_u32(child, 0, 99), ZX_ERR_NO_MEMORY);
  EXPECT_STATUS(write_u32(parent, PAGE, 99), ZX_ERR_NO_MEMORY);
  EXPECT_EQ(read_u32(child, 0), 1);
  EXPECT_EQ(read_u32(parent, PAGE), 2);
  // Zeroing part of a shared page may need a private copy: NO_MEMORY then, with nothing
  // changed; or it may not, and then the child alone reads zeros there.
  zx_status_t zeroed = zx_vmo_op_range(child, ZX_VMO_OP_ZERO, 2 * PAGE, 16, NULL, 0);
  EXPECT_TRUE(zeroed == ZX_OK || zeroed == ZX_ERR_NO_MEMORY);
  EXPECT_EQ(read_u32(child, 2 * PAGE), zeroed == ZX_OK ? 0 : 3);
  EXPECT_EQ(read_u32(parent, 2 * PAGE), 3);
  // Free one page's worth and the fork goes through.
  EXPECT_OK(zx_vmo_op_range(filler, ZX_VMO_OP_DECOMMIT, 0, PAGE, NULL, 0));
  EXPECT_OK(write_u32(child, 0, 99));
  EXPECT_EQ(read_u32(child, 0), 99);
  EXPECT_EQ(read_u32(parent, 0), 1);
  zx_handle_t handles[] = {filler, child, parent};
  EXPECT_OK(zx_handle_close_many(handles, 3));
  EXPECT_EQ(free_bytes(), free_before);
}

// Shrinking a snapshot to the middle of a page it shares zeroes the rest of that page.
// If that takes a private copy, with no memory left it is NO_MEMORY (vmo_set_size.md)
// and nothing changes; either way the parent is untouched and the child ends up right.
TEST(shrinking_into_a_shared_page_with_no_memory_left) {
  uint64_t free_before = free_bytes();
  zx_handle_t parent, child, filler;
  ASSERT_OK(zx_vmo_create(4 * PAGE, 0, &parent));
  static uint8_t ones[4 * ZX_PAGE_SIZE];
  memset(ones, 1, sizeof ones);
  ASSERT_OK(zx_vmo_write(parent, ones, 0, sizeof ones));
  ASSERT_OK(zx_vmo_create_child(parent, ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_RESIZABLE, 0,
                                4 * PAGE, &child));
  ASSERT_OK(zx_vmo_create(GIB, 0, &filler));
  zx_status_t status;
  fill_until_failure(filler, 0, GIB / PAGE, &status);
  EXPECT_STATUS(status, ZX_ERR_NO_MEMORY);
  zx_status_t shrunk = zx_vmo_set_size(child, PAGE + 100);
  EXPECT_TRUE(shrunk == ZX_OK || shrunk == ZX_ERR_NO_MEMORY);
  uint64_t size = 0;
  EXPECT_OK(zx_vmo_get_size(child, &size));
  EXPECT_EQ(size, shrunk == ZX_OK ? 2 * PAGE : 4 * PAGE);
  EXPECT_EQ(read_u32(parent, PAGE + 200), 0x01010101);
  EXPECT_EQ(read_u32(child, PAGE + 200), shrunk == ZX_OK ? 0 : 0x01010101);
  EXPECT_OK(zx_handle_close(filler));
  EXPECT_OK(zx_vmo_set_size(child, PAGE + 100));
  EXPECT_EQ(read_u32(child, PAGE + 200), 0);
  EXPECT_EQ(read_u32(child, PAGE + 96), 0x01010101);
  EXPECT_EQ(read_u32(parent, PAGE + 200), 0x01010101);
  zx_handle_t handles[] = {child, parent};
  EXPECT_OK(zx_handle_close_many(handles, 2));
  EXPECT_EQ(free_bytes(), free_before);
}

// Growing a resizable VMO commits nothing, so it succeeds with no memory left; the
// writes into the new part are what fail.
TEST(resizing_needs_no_memory_writing_does) {
  uint64_t free_before = free_bytes();
  zx_handle_t filler, vmo;
  ASSERT_OK(zx_vmo_create(PAGE, ZX_VMO_RESIZABLE, &vmo));
  ASSERT_OK(zx_vmo_create(GIB, 0, &filler));
  zx_status_t status;
  fill_until_failure(filler, 0, GIB / PAGE, &status);
  EXPECT_STATUS(status, ZX_ERR_NO_MEMORY);
  EXPECT_OK(zx_vmo_set_size(vmo, 1024 * PAGE));
  EXPECT_STATUS(write_u32(vmo, 500 * PAGE, 1), ZX_ERR_NO_MEMORY);
  EXPECT_EQ(read_u32(vmo, 500 * PAGE), 0);
  EXPECT_OK(zx_handle_close(filler));
  EXPECT_OK(write_u32(vmo, 500 * PAGE, 1));
  EXPECT_OK(zx_handle_close(vmo));
  EXPECT_EQ(free_bytes(), free_before);
}

// A page fault that finds memory for the page but not for all the page tables it needs
// fails without leaving a table linked that nothing maps through (no unmap would free
// it): MAP_TEST checks free and page-table bytes come back.
MAP_TEST(a_fault_short_of_page_tables_leaves_none_behind) {
  zx_vaddr_t base = 0;
  zx_handle_t vmar = aligned_sandbox(GIB, &base);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  zx_handle_t vmo = new_vmo(1, 0);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  uintptr_t addr = map_vmo(vmar, PERM_RW | ZX_VM_SPECIFIC, GIB / 2, vmo, 0, PAGE);
  ASSERT_NE(addr, 0);
  uint64_t tables_before = kmem().mmu_overhead_bytes;
  // Leave one free page: a table, of the two or three the fresh gigabyte needs (the
  // probe's load maps the zero page there first).
  zx_handle_t hog = ZX_HANDLE_INVALID;
  ASSERT_OK(zx_vmo_create(GIB, 0, &hog));
  // Most of it at once, then page by page: the VMO's own bookkeeping (about 2% of what
  // it holds) is kernel heap, which takes free frames too.
  uint64_t take = (raw_free_bytes() - raw_free_bytes() / 32) & ~(PAGE - 1);
  ASSERT_OK(zx_vmo_op_range(hog, ZX_VMO_OP_COMMIT, 0, take, NULL, 0));
  for (uint64_t at = take; raw_free_bytes() > PAGE; at += PAGE) {
    ASSERT_OK(zx_vmo_op_range(hog, ZX_VMO_OP_COMMIT, at, PAGE, NULL, 0));
  }
  EXPECT_EQ(raw_free_bytes(), PAGE);
  EXPECT_NE(probe_write(addr), ZX_OK);
  EXPECT_EQ(kmem().mmu_overhead_bytes, tables_before);
  EXPECT_OK(zx_handle_close(hog));
  // With memory back, the same store works.
  EXPECT_EQ(probe_write(addr), ZX_OK);
  drop_vmar(vmar);
  EXPECT_OK(zx_handle_close(vmo));
}

int main(void) { return run_tests(); }
