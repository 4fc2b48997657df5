// Copy-on-write through mappings (issue 5, "Demand paging" and "Coherence"): a snapshot
// child mapped and written does not disturb its parent or the parent's mappings, and the
// other way round, also when the parent's pages were already mapped writable before the
// snapshot was taken (the kernel must take write access away from those mappings).
// A write fault forks exactly one page into the writer; reading a child through a
// read-only mapping commits nothing in it (Fuchsia's MapRangeReadOnly).
//
// CamelCase cases are Fuchsia's cases of the same name (VmoClone2TestCase in
// zircon/system/utest/core/vmo/vmo-clone2.cc); snake_case cases are ours.
#include <zrk/vmar_util.h>

static const uint32_t kOriginal = 0xdeadbeef, kNew = 0xc0ffee;

// Fuchsia's VmarWriteTestHelper: the parent is written through its mapping before the
// snapshot, then one side is written through its mapping.
static void vmar_write(bool clone_write) {
  zx_handle_t vmo = new_vmo(1, 0);
  uintptr_t vmo_map = map_root(PERM_RW, vmo, 0, PAGE);
  ASSERT_NE(vmo_map, 0);
  *u32_at(vmo_map) = kOriginal;
  zx_handle_t clone = child_of(vmo, SNAPSHOT, 0, PAGE);
  ASSERT_NE(clone, ZX_HANDLE_INVALID);
  uintptr_t clone_map = map_root(PERM_RW, clone, 0, PAGE);
  ASSERT_NE(clone_map, 0);
  *u32_at(clone_write ? clone_map : vmo_map) = kNew;
  EXPECT_EQ(*u32_at(vmo_map), clone_write ? kOriginal : kNew);
  EXPECT_EQ(*u32_at(clone_map), clone_write ? kNew : kOriginal);
  EXPECT_U32(vmo, 0, clone_write ? kOriginal : kNew);
  EXPECT_U32(clone, 0, clone_write ? kNew : kOriginal);
  unmap_root(vmo_map, PAGE);
  unmap_root(clone_map, PAGE);
  zx_handle_t handles[] = {clone, vmo};
  close_all(handles, 2);
}

MAP_TEST(CloneVmarWrite) { vmar_write(true); }
MAP_TEST(ParentVmarWrite) { vmar_write(false); }

// Every page of the parent mapped writable and touched before the snapshot; afterwards
// stores through that same mapping must not reach the child, page by page.
MAP_TEST(a_snapshot_write_protects_existing_mappings) {
  const uint32_t pages = 8;
  zx_handle_t vmo = new_vmo(pages, 0);
  uintptr_t p = map_root(PERM_RW, vmo, 0, pages * PAGE);
  ASSERT_NE(p, 0);
  for (uint32_t i = 0; i < pages; i++) {
    *u32_at(p + i * PAGE) = i + 1;
  }
  zx_handle_t child = child_of(vmo, SNAPSHOT, 0, pages * PAGE);
  ASSERT_NE(child, ZX_HANDLE_INVALID);
  uintptr_t c = map_root(PERM_R, child, 0, pages * PAGE);
  ASSERT_NE(c, 0);
  for (uint32_t i = 0; i < pages; i++) {
    EXPECT_EQ(*u32_at(c + i * PAGE), i + 1);  // the child's pages now in its page tables
  }
  for (uint32_t i = 0; i < pages; i++) {
    TEST_CONTEXT("page %u", i);
    *u32_at(p + i * PAGE) = 100 + i;
    EXPECT_EQ(*u32_at(p + i * PAGE), 100 + i);
    EXPECT_EQ(*u32_at(c + i * PAGE), i + 1);
    EXPECT_U32(child, i * PAGE, i + 1);
    EXPECT_U32(vmo, i * PAGE, 100 + i);
  }
  TEST_CONTEXT("%s", "");
  unmap_root(p, pages * PAGE);
  unmap_root(c, pages * PAGE);
  zx_handle_t handles[] = {child, vmo};
  close_all(handles, 2);
}

// A store through the child's mapping forks exactly that page into the child.
MAP_TEST(a_store_forks_one_page) {
  zx_handle_t vmo = tagged_vmo(4);
  zx_handle_t child = child_of(vmo, SNAPSHOT, 0, 4 * PAGE);
  ASSERT_NE(child, ZX_HANDLE_INVALID);
  uintptr_t c = map_root(PERM_RW, child, 0, 4 * PAGE);
  ASSERT_NE(c, 0);
  EXPECT_COMMITTED(child, 0);
  EXPECT_EQ(*u32_at(c + 2 * PAGE), 3);
  *u32_at(c + 2 * PAGE + 8) = 0x77;
  EXPECT_COMMITTED(child, 1);
  EXPECT_COMMITTED(vmo, 4);
  // The forked page keeps the rest of the parent's contents.
  EXPECT_EQ(*u32_at(c + 2 * PAGE), 3);
  EXPECT_U32(child, 2 * PAGE + 8, 0x77);
  EXPECT_U32(vmo, 2 * PAGE + 8, 0);
  *u32_at(c + 2 * PAGE + 12) = 0x78;
  EXPECT_COMMITTED(child, 1);
  *u32_at(c) = 0x79;
  EXPECT_COMMITTED(child, 2);
  EXPECT_U32(vmo, 0, 1);
  unmap_root(c, 4 * PAGE);
  zx_handle_t handles[] = {child, vmo};
  close_all(handles, 2);
}

// Reading a child through a read-only mapping maps the parent's pages; nothing is
// committed in the child.
MAP_TEST(reading_a_child_commits_nothing) {
  zx_handle_t vmo = tagged_vmo(4);
  zx_handle_t child = child_of(vmo, SNAPSHOT, 0, 4 * PAGE);
  uintptr_t c = map_root(PERM_R, child, 0, 4 * PAGE);
  ASSERT_NE(c, 0);
  for (uint32_t i = 0; i < 4; i++) {
    EXPECT_EQ(*u32_at(c + i * PAGE), i + 1);
  }
  EXPECT_COMMITTED(child, 0);
  EXPECT_COMMITTED(vmo, 4);
  unmap_root(c, 4 * PAGE);
  zx_handle_t handles[] = {child, vmo};
  close_all(handles, 2);
}

MAP_TEST(MapRangeReadOnly) {
  const uint64_t pages = 5;
  zx_handle_t vmo = new_vmo(pages, 0);
  for (uint64_t i = 0; i < pages; i++) {
    uint64_t data = 77;
    ASSERT_OK(zx_vmo_write(vmo, &data, i * PAGE, sizeof data));
  }
  EXPECT_COMMITTED(vmo, pages);
  zx_handle_t clone = child_of(vmo, SNAPSHOT, 0, pages * PAGE);
  ASSERT_NE(clone, ZX_HANDLE_INVALID);
  uintptr_t addr = map_root(ZX_VM_MAP_RANGE | PERM_R, clone, 0, pages * PAGE);
  ASSERT_NE(addr, 0);
  EXPECT_COMMITTED(clone, 0);
  EXPECT_COMMITTED(vmo, pages);
  EXPECT_EQ(*(volatile uint64_t*)(addr + 4 * PAGE), 77);
  EXPECT_COMMITTED(clone, 0);
  unmap_root(addr, pages * PAGE);
  zx_handle_t handles[] = {clone, vmo};
  close_all(handles, 2);
}

// Fuchsia's ManyCloneMapping: a tree of four (an original, two children, a grandchild),
// each mapped, written through its mapping in every order; each mapping sees only its
// own VMO's writes.
static void many_clone_mapping(const uint32_t* perm) {
  zx_handle_t vmos[4];
  uintptr_t maps[4];
  vmos[0] = new_vmo(1, 0);
  ASSERT_NE(vmos[0], ZX_HANDLE_INVALID);
  maps[0] = map_root(PERM_RW, vmos[0], 0, PAGE);
  ASSERT_NE(maps[0], 0);
  *u32_at(maps[0]) = kOriginal;
  vmos[1] = child_of(vmos[0], SNAPSHOT, 0, PAGE);
  vmos[2] = child_of(vmos[0], SNAPSHOT, 0, PAGE);
  vmos[3] = child_of(vmos[1], SNAPSHOT, 0, PAGE);
  for (int i = 1; i < 4; i++) {
    maps[i] = map_root(PERM_RW, vmos[i], 0, PAGE);
    ASSERT_NE(maps[i], 0);
  }
  bool written[4] = {false, false, false, false};
  for (uint32_t i = 0; i < 4; i++) {
    *u32_at(maps[perm[i]]) = kNew;
    written[perm[i]] = true;
    for (uint32_t j = 0; j < 4; j++) {
      TEST_CONTEXT("order %u%u%u%u, step %u, VMO %u", perm[0], perm[1], perm[2], perm[3], i, j);
      EXPECT_EQ(*u32_at(maps[j]), written[j] ? kNew : kOriginal);
    }
  }
  for (int i = 0; i < 4; i++) {
    unmap_root(maps[i], PAGE);
  }
  close_all(vmos, 4);
}

MAP_TEST(ManyCloneMapping) { permutations(4, many_clone_mapping); }

// Fuchsia's ManyCloneMappingOffset: children at offsets, read through their mappings
// (so the parent's page is in the children's page tables), then written with
// zx_vmo_write: each mapping must show its own VMO's new page.
MAP_TEST(ManyCloneMappingOffset) {
  zx_handle_t vmos[4];
  uintptr_t maps[4];
  vmos[0] = new_vmo(2, 0);
  ASSERT_NE(vmos[0], ZX_HANDLE_INVALID);
  ASSERT_OK(write_u32(vmos[0], 0, 1));
  vmos[1] = child_of(vmos[0], SNAPSHOT, 0, 2 * PAGE);
  vmos[2] = child_of(vmos[0], SNAPSHOT, PAGE, PAGE);
  vmos[3] = child_of(vmos[0], SNAPSHOT, 0, 2 * PAGE);
  for (int i = 0; i < 4; i++) {
    TEST_CONTEXT("VMO %d", i);
    maps[i] = map_root(PERM_RW, vmos[i], 0, PAGE);
    ASSERT_NE(maps[i], 0);
    if (i != 2) {
      EXPECT_EQ(*u32_at(maps[i]), 1);
    }
  }
  TEST_CONTEXT("%s", "");
  ASSERT_OK(write_u32(vmos[3], 0, 2));
  ASSERT_OK(write_u32(vmos[1], 0, 3));
  EXPECT_EQ(*u32_at(maps[1]), 3);
  EXPECT_EQ(*u32_at(maps[3]), 2);
  EXPECT_EQ(*u32_at(maps[0]), 1);
  for (int i = 0; i < 4; i++) {
    TEST_CONTEXT("VMO %d", i);
    EXPECT_COMMITTED(vmos[i], i != 2 ? 1 : 0);
    unmap_root(maps[i], PAGE);
  }
  TEST_CONTEXT("%s", "");
  close_all(vmos, 4);
}

// The same family written through the mappings instead.
MAP_TEST(clones_at_offsets_written_through_mappings) {
  zx_handle_t vmos[4];
  uintptr_t maps[4];
  vmos[0] = new_vmo(2, 0);
  ASSERT_NE(vmos[0], ZX_HANDLE_INVALID);
  maps[0] = map_root(PERM_RW, vmos[0], 0, 2 * PAGE);
  ASSERT_NE(maps[0], 0);
  *u32_at(maps[0]) = 1;
  *u32_at(maps[0] + PAGE) = 5;
  vmos[1] = child_of(vmos[0], SNAPSHOT, 0, 2 * PAGE);
  vmos[2] = child_of(vmos[0], SNAPSHOT, PAGE, PAGE);
  vmos[3] = child_of(vmos[0], SNAPSHOT, 0, 2 * PAGE);
  maps[1] = map_root(PERM_RW, vmos[1], 0, 2 * PAGE);
  maps[2] = map_root(PERM_RW, vmos[2], 0, PAGE);
  maps[3] = map_root(PERM_RW, vmos[3], 0, 2 * PAGE);
  for (int i = 1; i < 4; i++) {
    ASSERT_NE(maps[i], 0);
  }
  EXPECT_EQ(*u32_at(maps[1]), 1);
  EXPECT_EQ(*u32_at(maps[2]), 5);
  EXPECT_EQ(*u32_at(maps[3] + PAGE), 5);
  *u32_at(maps[3]) = 2;
  *u32_at(maps[1]) = 3;
  *u32_at(maps[2]) = 6;
  *u32_at(maps[0] + PAGE) = 7;
  EXPECT_EQ(*u32_at(maps[0]), 1);
  EXPECT_EQ(*u32_at(maps[1]), 3);
  EXPECT_EQ(*u32_at(maps[3]), 2);
  EXPECT_EQ(*u32_at(maps[2]), 6);
  EXPECT_EQ(*u32_at(maps[1] + PAGE), 5);
  EXPECT_EQ(*u32_at(maps[3] + PAGE), 5);
  EXPECT_EQ(*u32_at(maps[0] + PAGE), 7);
  EXPECT_U32(vmos[2], 0, 6);
  EXPECT_U32(vmos[1], PAGE, 5);
  unmap_root(maps[0], 2 * PAGE);
  unmap_root(maps[1], 2 * PAGE);
  unmap_root(maps[2], PAGE);
  unmap_root(maps[3], 2 * PAGE);
  close_all(vmos, 4);
}

// A parent whose handle is closed lives on behind its child; its mapping too.
MAP_TEST(mappings_keep_their_vmos_alive_in_a_family) {
  zx_handle_t vmo = tagged_vmo(2);
  uintptr_t p = map_root(PERM_RW, vmo, 0, 2 * PAGE);
  zx_handle_t child = child_of(vmo, SNAPSHOT, 0, 2 * PAGE);
  uintptr_t c = map_root(PERM_RW, child, 0, 2 * PAGE);
  ASSERT_NE(p, 0);
  ASSERT_NE(c, 0);
  EXPECT_OK(zx_handle_close(vmo));
  EXPECT_OK(zx_handle_close(child));
  *u32_at(p) = 10;
  *u32_at(c + PAGE) = 20;
  EXPECT_EQ(*u32_at(c), 1);
  EXPECT_EQ(*u32_at(p + PAGE), 2);
  unmap_root(p, 2 * PAGE);
  EXPECT_EQ(*u32_at(c), 1);
  EXPECT_EQ(*u32_at(c + PAGE), 20);
  unmap_root(c, 2 * PAGE);
}

// A snapshot of a snapshot: each generation keeps the view it was created with while
// the others are written through their mappings.
MAP_TEST(generations_through_mappings) {
  zx_handle_t gen[3];
  uintptr_t map[3];
  gen[0] = tagged_vmo(2);
  map[0] = map_root(PERM_RW, gen[0], 0, 2 * PAGE);
  ASSERT_NE(map[0], 0);
  *u32_at(map[0]) = 10;
  gen[1] = child_of(gen[0], SNAPSHOT, 0, 2 * PAGE);
  map[1] = map_root(PERM_RW, gen[1], 0, 2 * PAGE);
  ASSERT_NE(map[1], 0);
  *u32_at(map[1]) = 11;
  gen[2] = child_of(gen[1], SNAPSHOT, 0, 2 * PAGE);
  map[2] = map_root(PERM_RW, gen[2], 0, 2 * PAGE);
  ASSERT_NE(map[2], 0);
  *u32_at(map[1]) = 21;
  *u32_at(map[0] + PAGE) = 30;
  EXPECT_EQ(*u32_at(map[0]), 10);
  EXPECT_EQ(*u32_at(map[1]), 21);
  EXPECT_EQ(*u32_at(map[2]), 11);
  EXPECT_EQ(*u32_at(map[0] + PAGE), 30);
  EXPECT_EQ(*u32_at(map[1] + PAGE), 2);
  EXPECT_EQ(*u32_at(map[2] + PAGE), 2);
  *u32_at(map[2] + PAGE) = 40;
  EXPECT_EQ(*u32_at(map[1] + PAGE), 2);
  EXPECT_U32(gen[2], PAGE, 40);
  for (int i = 0; i < 3; i++) {
    unmap_root(map[i], 2 * PAGE);
  }
  close_all(gen, 3);
}

// ZERO and DECOMMIT in a child show through its mapping and leave the parent alone.
MAP_TEST(zero_in_a_child_shows_through_its_mapping) {
  zx_handle_t vmo = tagged_vmo(2);
  zx_handle_t child = child_of(vmo, SNAPSHOT, 0, 2 * PAGE);
  uintptr_t p = map_root(PERM_R, vmo, 0, 2 * PAGE);
  uintptr_t c = map_root(PERM_RW, child, 0, 2 * PAGE);
  ASSERT_NE(p, 0);
  ASSERT_NE(c, 0);
  EXPECT_EQ(*u32_at(c + PAGE), 2);
  ASSERT_OK(zx_vmo_op_range(child, ZX_VMO_OP_ZERO, PAGE, PAGE, NULL, 0));
  EXPECT_EQ(*u32_at(c + PAGE), 0);
  EXPECT_EQ(*u32_at(p + PAGE), 2);
  *u32_at(c) = 5;
  EXPECT_EQ(*u32_at(p), 1);
  ASSERT_OK(zx_vmo_op_range(child, ZX_VMO_OP_ZERO, 0, PAGE, NULL, 0));
  EXPECT_EQ(*u32_at(c), 0);
  EXPECT_EQ(*u32_at(p), 1);
  unmap_root(p, 2 * PAGE);
  unmap_root(c, 2 * PAGE);
  zx_handle_t handles[] = {child, vmo};
  close_all(handles, 2);
}

// A resizable child shrunk under its mapping: its pages go past the end, the parent's
// mapping is untouched.
MAP_TEST(shrinking_a_mapped_child) {
  zx_handle_t vmo = tagged_vmo(3);
  zx_handle_t child = child_of(vmo, SNAPSHOT | ZX_VMO_CHILD_RESIZABLE, 0, 3 * PAGE);
  uintptr_t p = map_root(PERM_RW, vmo, 0, 3 * PAGE);
  uintptr_t c = map_root(PERM_RW, child, 0, 3 * PAGE);
  ASSERT_NE(p, 0);
  ASSERT_NE(c, 0);
  *u32_at(c + 2 * PAGE) = 9;
  ASSERT_OK(zx_vmo_set_size(child, PAGE));
  EXPECT_EQ(probe_read(c + PAGE), ZX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(probe_read(c + 2 * PAGE), ZX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(*u32_at(c), 1);
  EXPECT_EQ(*u32_at(p + 2 * PAGE), 3);
  ASSERT_OK(zx_vmo_set_size(child, 3 * PAGE));
  EXPECT_EQ(*u32_at(c + 2 * PAGE), 0);
  EXPECT_EQ(*u32_at(p + 2 * PAGE), 3);
  unmap_root(p, 3 * PAGE);
  unmap_root(c, 3 * PAGE);
  zx_handle_t handles[] = {child, vmo};
  close_all(handles, 2);
}

// A slice of the parent is the parent: writes through the slice's mapping after the
// snapshot do not reach the child either.
MAP_TEST(writes_through_a_slice_do_not_reach_a_snapshot) {
  // Not tagged_vmo(): slices of resizable VMOs are NOT_SUPPORTED.
  zx_handle_t vmo = new_vmo(2, 0);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  ASSERT_OK(write_u32(vmo, 0, 1));
  ASSERT_OK(write_u32(vmo, PAGE, 2));
  zx_handle_t slice = child_of(vmo, SLICE, 0, 2 * PAGE);
  uintptr_t s = map_root(PERM_RW, slice, 0, 2 * PAGE);
  ASSERT_NE(s, 0);
  *u32_at(s + PAGE) = 22;
  zx_handle_t child = child_of(vmo, SNAPSHOT, 0, 2 * PAGE);
  ASSERT_NE(child, ZX_HANDLE_INVALID);
  *u32_at(s + PAGE) = 33;
  EXPECT_U32(child, PAGE, 22);
  EXPECT_U32(vmo, PAGE, 33);
  uintptr_t c = map_root(PERM_R, child, 0, 2 * PAGE);
  ASSERT_NE(c, 0);
  EXPECT_EQ(*u32_at(c + PAGE), 22);
  unmap_root(c, 2 * PAGE);
  unmap_root(s, 2 * PAGE);
  zx_handle_t handles[] = {child, slice, vmo};
  close_all(handles, 3);
}

int main(void) { return run_tests(); }
