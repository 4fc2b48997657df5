// The same-VMO case (issue 5, item 4): zx_vmo_write(vmo, p, ...) and zx_vmo_read(vmo, p,
// ...) where p points into a mapping of vmo itself, of a slice of it, of a snapshot
// child of it or of its parent. Each completes with the right bytes: no deadlock, no
// fault loop, and copy-on-write keeps every VMO's view. The mappings are fresh, so the
// copy itself has to fault their pages in while it works on the VMO.
//
// Ranges that overlap with a shift have no documented order of copying and are not
// used, except where copy-on-write decides the answer (a child's view is fixed).
//
// CamelCase cases are Fuchsia's cases of the same name (VmoTestCase in
// zircon/system/utest/core/vmo/vmo.cc); snake_case cases are ours.
#include <zrk/vmar_util.h>

static uint8_t expect_buf[64 * ZX_PAGE_SIZE], got_buf[64 * ZX_PAGE_SIZE];

// A VMO of `pages` pages filled with the pattern for `seed`, which also goes to `copy`.
static zx_handle_t pattern_vmo(uint64_t pages, uint32_t seed, uint8_t* copy) {
  zx_handle_t vmo = new_vmo(pages, 0);
  if (vmo == ZX_HANDLE_INVALID) {
    return vmo;
  }
  fill_pattern(copy, pages * PAGE, seed);
  if (zx_vmo_write(vmo, copy, 0, pages * PAGE) != ZX_OK) {
    printf("# cannot fill the VMO\n");
  }
  return vmo;
}

// True if [offset, offset + len) of the VMO holds exactly `want`.
static bool vmo_holds(zx_handle_t vmo, uint64_t offset, const uint8_t* want, size_t len) {
  if (zx_vmo_read(vmo, got_buf, offset, len) != ZX_OK) {
    printf("# vmo_read failed\n");
    return false;
  }
  return memcmp(got_buf, want, len) == 0;
}

// vmo_read from the second page into a mapping of the first (Fuchsia's MapRead).
MAP_TEST(MapRead) {
  zx_handle_t vmo = pattern_vmo(2, 1, expect_buf);
  uintptr_t addr = map_root(PERM_RW, vmo, 0, PAGE);
  ASSERT_NE(addr, 0);
  EXPECT_OK(zx_vmo_read(vmo, (void*)addr, PAGE, PAGE));
  EXPECT_EQ(memcmp((const void*)addr, expect_buf + PAGE, PAGE), 0);
  EXPECT_TRUE(vmo_holds(vmo, 0, expect_buf + PAGE, PAGE));
  EXPECT_TRUE(vmo_holds(vmo, PAGE, expect_buf + PAGE, PAGE));
  unmap_root(addr, PAGE);
  EXPECT_OK(zx_handle_close(vmo));
}

MAP_TEST(write_from_a_mapping_of_the_same_vmo) {
  zx_handle_t vmo = pattern_vmo(4, 2, expect_buf);
  uintptr_t addr = map_root(PERM_RW, vmo, 0, 4 * PAGE);
  ASSERT_NE(addr, 0);
  // Pages 0-1 into pages 2-3.
  EXPECT_OK(zx_vmo_write(vmo, (const void*)addr, 2 * PAGE, 2 * PAGE));
  memcpy(expect_buf + 2 * PAGE, expect_buf, 2 * PAGE);
  EXPECT_TRUE(vmo_holds(vmo, 0, expect_buf, 4 * PAGE));
  EXPECT_EQ(memcmp((const void*)addr, expect_buf, 4 * PAGE), 0);
  unmap_root(addr, 4 * PAGE);
  // Unaligned, from a read-only mapping at a VMO offset: bytes 100.. of page 3 into the
  // start of page 0.
  addr = map_root(PERM_R, vmo, 3 * PAGE, PAGE);
  ASSERT_NE(addr, 0);
  EXPECT_OK(zx_vmo_write(vmo, (const void*)(addr + 100), 0, PAGE - 100));
  memcpy(expect_buf, expect_buf + 3 * PAGE + 100, PAGE - 100);
  EXPECT_TRUE(vmo_holds(vmo, 0, expect_buf, 4 * PAGE));
  unmap_root(addr, PAGE);
  EXPECT_OK(zx_handle_close(vmo));
}

MAP_TEST(read_into_a_mapping_of_the_same_vmo) {
  zx_handle_t vmo = pattern_vmo(4, 3, expect_buf);
  uintptr_t addr = map_root(PERM_RW, vmo, 0, 4 * PAGE);
  ASSERT_NE(addr, 0);
  // Pages 0-1 into pages 2-3, through the mapping.
  EXPECT_OK(zx_vmo_read(vmo, (void*)(addr + 2 * PAGE), 0, 2 * PAGE));
  memcpy(expect_buf + 2 * PAGE, expect_buf, 2 * PAGE);
  EXPECT_TRUE(vmo_holds(vmo, 0, expect_buf, 4 * PAGE));
  // Page 3 into page 0, unaligned.
  EXPECT_OK(zx_vmo_read(vmo, (void*)(addr + 7), 3 * PAGE + 50, PAGE - 50));
  memcpy(expect_buf + 7, expect_buf + 3 * PAGE + 50, PAGE - 50);
  EXPECT_TRUE(vmo_holds(vmo, 0, expect_buf, 4 * PAGE));
  EXPECT_EQ(memcmp((const void*)addr, expect_buf, 4 * PAGE), 0);
  unmap_root(addr, 4 * PAGE);
  EXPECT_OK(zx_handle_close(vmo));
}

// A range copied onto itself stays as it was, through a fresh mapping each time.
MAP_TEST(a_range_onto_itself) {
  zx_handle_t vmo = pattern_vmo(4, 4, expect_buf);
  struct {
    uint64_t offset;
    size_t len;
  } cases[] = {{0, 4 * PAGE}, {100, 3 * PAGE}, {PAGE - 1, 2}, {2 * PAGE, PAGE}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    TEST_CONTEXT("%zu bytes at %#" PRIx64, cases[i].len, cases[i].offset);
    uintptr_t addr = map_root(PERM_RW, vmo, 0, 4 * PAGE);
    ASSERT_NE(addr, 0);
    EXPECT_OK(zx_vmo_write(vmo, (const void*)(addr + cases[i].offset), cases[i].offset,
                           cases[i].len));
    EXPECT_TRUE(vmo_holds(vmo, 0, expect_buf, 4 * PAGE));
    unmap_root(addr, 4 * PAGE);
    addr = map_root(PERM_RW, vmo, 0, 4 * PAGE);
    ASSERT_NE(addr, 0);
    EXPECT_OK(zx_vmo_read(vmo, (void*)(addr + cases[i].offset), cases[i].offset, cases[i].len));
    EXPECT_TRUE(vmo_holds(vmo, 0, expect_buf, 4 * PAGE));
    unmap_root(addr, 4 * PAGE);
  }
  EXPECT_OK(zx_handle_close(vmo));
}

// Big enough that the copy spans many pages it must fault in on the way.
MAP_TEST(many_pages_at_once) {
  const size_t half = 32 * PAGE;
  zx_handle_t vmo = pattern_vmo(64, 5, expect_buf);
  uintptr_t addr = map_root(PERM_RW, vmo, 0, 2 * half);
  ASSERT_NE(addr, 0);
  EXPECT_OK(zx_vmo_read(vmo, (void*)(addr + half), 0, half));
  memcpy(expect_buf + half, expect_buf, half);
  EXPECT_TRUE(vmo_holds(vmo, 0, expect_buf, 2 * half));
  unmap_root(addr, 2 * half);
  fill_pattern(expect_buf + half, half, 6);
  ASSERT_OK(zx_vmo_write(vmo, expect_buf + half, half, half));
  addr = map_root(PERM_R, vmo, 0, 2 * half);
  ASSERT_NE(addr, 0);
  EXPECT_OK(zx_vmo_write(vmo, (const void*)(addr + half), 0, half));
  memcpy(expect_buf, expect_buf + half, half);
  EXPECT_TRUE(vmo_holds(vmo, 0, expect_buf, 2 * half));
  unmap_root(addr, 2 * half);
  EXPECT_OK(zx_handle_close(vmo));
}

// A slice over pages 1-2 of a 4-page parent: copies between the two through mappings of
// either.
MAP_TEST(slice_and_parent) {
  zx_handle_t parent = pattern_vmo(4, 7, expect_buf);
  zx_handle_t slice = child_of(parent, SLICE, PAGE, 2 * PAGE);
  ASSERT_NE(slice, ZX_HANDLE_INVALID);
  uintptr_t s = map_root(PERM_RW, slice, 0, 2 * PAGE);
  uintptr_t p = map_root(PERM_RW, parent, 0, 4 * PAGE);
  ASSERT_NE(s, 0);
  ASSERT_NE(p, 0);
  // Into the parent from the slice's mapping: parent page 3 := slice page 0 (parent's 1).
  EXPECT_OK(zx_vmo_write(parent, (const void*)s, 3 * PAGE, PAGE));
  memcpy(expect_buf + 3 * PAGE, expect_buf + PAGE, PAGE);
  EXPECT_TRUE(vmo_holds(parent, 0, expect_buf, 4 * PAGE));
  // Into the slice's mapping from the parent: slice page 1 (parent's 2) := parent page 0.
  EXPECT_OK(zx_vmo_read(parent, (void*)(s + PAGE), 0, PAGE));
  memcpy(expect_buf + 2 * PAGE, expect_buf, PAGE);
  EXPECT_TRUE(vmo_holds(parent, 0, expect_buf, 4 * PAGE));
  // Into the slice from the parent's mapping of the very same pages.
  EXPECT_OK(zx_vmo_write(slice, (const void*)(p + PAGE), 0, 2 * PAGE));
  EXPECT_TRUE(vmo_holds(parent, 0, expect_buf, 4 * PAGE));
  // Out of the slice into the parent's mapping of the slice's own pages, shifted by a
  // whole page: parent page 2 := slice page 0 (parent page 1).
  EXPECT_OK(zx_vmo_read(slice, (void*)(p + 2 * PAGE), 0, PAGE));
  memcpy(expect_buf + 2 * PAGE, expect_buf + PAGE, PAGE);
  EXPECT_TRUE(vmo_holds(parent, 0, expect_buf, 4 * PAGE));
  EXPECT_EQ(memcmp((const void*)s, expect_buf + PAGE, 2 * PAGE), 0);
  EXPECT_EQ(memcmp((const void*)p, expect_buf, 4 * PAGE), 0);
  unmap_root(s, 2 * PAGE);
  unmap_root(p, 4 * PAGE);
  zx_handle_t handles[] = {slice, parent};
  close_all(handles, 2);
}

// A snapshot child and its parent, each written from a mapping of the other or of
// itself while their pages are still shared: every write goes to its own VMO only.
MAP_TEST(snapshot_child_and_parent) {
  static uint8_t original[4 * ZX_PAGE_SIZE], child_view[4 * ZX_PAGE_SIZE];
  zx_handle_t parent = pattern_vmo(4, 8, original);
  zx_handle_t child = child_of(parent, SNAPSHOT, 0, 4 * PAGE);
  ASSERT_NE(child, ZX_HANDLE_INVALID);
  memcpy(expect_buf, original, sizeof original);  // the parent's view
  memcpy(child_view, original, sizeof original);
  uintptr_t c = map_root(PERM_RW, child, 0, 4 * PAGE);
  uintptr_t p = map_root(PERM_RW, parent, 0, 4 * PAGE);
  ASSERT_NE(c, 0);
  ASSERT_NE(p, 0);
  // Child page 1 := child page 0, read from the child's own mapping (page 0 unforked).
  EXPECT_OK(zx_vmo_write(child, (const void*)c, PAGE, PAGE));
  memcpy(child_view + PAGE, child_view, PAGE);
  // Child page 2 := child page 3, written into the child's own mapping.
  EXPECT_OK(zx_vmo_read(child, (void*)(c + 2 * PAGE), 3 * PAGE, PAGE));
  memcpy(child_view + 2 * PAGE, child_view + 3 * PAGE, PAGE);
  EXPECT_TRUE(vmo_holds(child, 0, child_view, 4 * PAGE));
  EXPECT_TRUE(vmo_holds(parent, 0, expect_buf, 4 * PAGE));
  // Parent page 0 := the child's page 0 shifted by 16 bytes. The two share that page
  // until this write, and the child must keep its view: the source never changes.
  EXPECT_OK(zx_vmo_write(parent, (const void*)(c + 16), 0, PAGE - 16));
  memmove(expect_buf, child_view + 16, PAGE - 16);
  EXPECT_TRUE(vmo_holds(parent, 0, expect_buf, 4 * PAGE));
  EXPECT_TRUE(vmo_holds(child, 0, child_view, 4 * PAGE));
  // Child page 3 := parent page 3, read from the parent's mapping.
  EXPECT_OK(zx_vmo_write(child, (const void*)(p + 3 * PAGE), 3 * PAGE, PAGE));
  memcpy(child_view + 3 * PAGE, expect_buf + 3 * PAGE, PAGE);
  // Parent page 2 := child page 1, into the parent's mapping.
  EXPECT_OK(zx_vmo_read(child, (void*)(p + 2 * PAGE), PAGE, PAGE));
  memcpy(expect_buf + 2 * PAGE, child_view + PAGE, PAGE);
  EXPECT_TRUE(vmo_holds(parent, 0, expect_buf, 4 * PAGE));
  EXPECT_TRUE(vmo_holds(child, 0, child_view, 4 * PAGE));
  EXPECT_EQ(memcmp((const void*)p, expect_buf, 4 * PAGE), 0);
  EXPECT_EQ(memcmp((const void*)c, child_view, 4 * PAGE), 0);
  unmap_root(c, 4 * PAGE);
  unmap_root(p, 4 * PAGE);
  zx_handle_t handles[] = {child, parent};
  close_all(handles, 2);
}

int main(void) { return run_tests(); }
