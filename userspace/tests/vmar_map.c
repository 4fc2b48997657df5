// zx_vmar_map (docs/reference/syscalls/vmar_map.md; the digest's sections 2.10 and
// 3.13). Checks come in Zircon's order: the VMAR handle, then the VMO handle (BAD_HANDLE,
// WRONG_TYPE), the VMO's MAP right (ACCESS_DENIED even for no permissions), WRITE or
// EXECUTE without READ (INVALID_ARGS), MAP_RANGE with SPECIFIC_OVERWRITE and any
// CAN_MAP_* bit (INVALID_ARGS), permissions beyond both handles' rights (ACCESS_DENIED),
// unknown bits and alignments outside 2^10..2^32 (INVALID_ARGS), REQUIRE_NON_RESIZABLE on
// a resizable VMO and a discardable VMO without ALLOW_FAULTS (NOT_SUPPORTED), then the
// placement: an unaligned VMO offset, a length of 0, a VMAR offset without SPECIFIC, a
// SPECIFIC range outside the VMAR (INVALID_ARGS), SPECIFIC without CAN_MAP_SPECIFIC
// (ACCESS_DENIED), an overlap (ALREADY_EXISTS), no room (NO_RESOURCES), an offset +
// length that overflows (OUT_OF_RANGE). The address is copied out last: a bad
// mapped_addr is INVALID_ARGS and the mapping is removed again.
//
// Where Fuchsia's page and its tests disagree we follow the tests (digest decision 4):
// a resizable VMO, or a mapping reaching past a VMO's end, needs no ALLOW_FAULTS (tests
// Resize, Commit, GrowMappedVmo).
//
// CamelCase cases are Fuchsia's cases of the same name (VmoTestCase in
// zircon/system/utest/core/vmo/vmo.cc, or the Vmar tests of
// zircon/system/utest/core/vmar/vmar.cc); snake_case cases are ours.
#include <zrk/vmar_util.h>

MAP_TEST(Map) {
  zx_handle_t vmo = new_vmo(4, 0);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  zx_vaddr_t a = 0, b = UINTPTR_MAX;
  EXPECT_OK(zx_vmar_map(zx_vmar_root_self(), PERM_R, 0, vmo, 0, PAGE, &a));
  EXPECT_NE(a, 0);
  // Without SPECIFIC, whatever *mapped_addr held on entry does not matter.
  EXPECT_OK(zx_vmar_map(zx_vmar_root_self(), PERM_R, 0, vmo, 0, PAGE, &b));
  EXPECT_NE(b, 0);
  EXPECT_NE(b, UINTPTR_MAX);
  EXPECT_NE(a, b);
  zx_vaddr_t c = 0;
  EXPECT_STATUS(
      zx_vmar_map(zx_vmar_root_self(), PERM_R | ZX_VM_SPECIFIC, UINTPTR_MAX, vmo, 0, PAGE, &c),
      ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(c, 0);
  EXPECT_OK(zx_handle_close(vmo));
  unmap_root(a, PAGE);
  unmap_root(b, PAGE);
}

MAP_TEST(mappings_are_page_aligned_inside_their_vmar_and_do_not_overlap) {
  zx_vaddr_t base;
  zx_handle_t vmar = sandbox(16, &base);
  zx_handle_t vmo = new_vmo(4, 0);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  uintptr_t addr[4];
  for (int i = 0; i < 4; i++) {
    TEST_CONTEXT("mapping %d", i);
    addr[i] = map_vmo(vmar, PERM_RW, 0, vmo, 0, 4 * PAGE);
    ASSERT_NE(addr[i], 0);
    EXPECT_EQ(addr[i] % PAGE, 0);
    EXPECT_GE(addr[i], base);
    EXPECT_LE(addr[i] + 4 * PAGE, base + 16 * PAGE);
    for (int j = 0; j < i; j++) {
      EXPECT_TRUE(addr[i] + 4 * PAGE <= addr[j] || addr[j] + 4 * PAGE <= addr[i]);
    }
  }
  TEST_CONTEXT("the VMAR is full");
  zx_vaddr_t more = 0;
  EXPECT_STATUS(zx_vmar_map(vmar, PERM_RW, 0, vmo, 0, PAGE, &more), ZX_ERR_NO_RESOURCES);
  EXPECT_EQ(num_mappings(vmo), 4);
  // Every page of the VMAR now reads the VMO's pages in order.
  for (uint32_t p = 0; p < 4; p++) {
    *u32_at(addr[0] + p * PAGE) = 100 + p;
  }
  for (int i = 0; i < 4; i++) {
    for (uint32_t p = 0; p < 4; p++) {
      TEST_CONTEXT("mapping %d page %u", i, p);
      EXPECT_EQ(*u32_at(addr[i] + p * PAGE), 100 + p);
    }
  }
  drop_vmar(vmar);
  EXPECT_EQ(num_mappings(vmo), 0);
  EXPECT_OK(zx_handle_close(vmo));
}

// vmar_map.md: the mapping keeps a reference to the VMO; closing the handle does not
// remove it.
MAP_TEST(a_mapping_outlives_the_vmo_handle) {
  zx_handle_t vmo = new_vmo(2, 0);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  ASSERT_OK(write_u32(vmo, PAGE, 0x600d));
  uintptr_t addr = map_root(PERM_RW, vmo, 0, 2 * PAGE);
  ASSERT_NE(addr, 0);
  EXPECT_OK(zx_handle_close(vmo));
  EXPECT_EQ(*u32_at(addr + PAGE), 0x600d);
  *u32_at(addr) = 0xfeed;
  EXPECT_EQ(*u32_at(addr), 0xfeed);
  // Unmapping drops the last reference: the leak check sees both pages go.
  unmap_root(addr, 2 * PAGE);
}

MAP_TEST(bad_handles) {
  zx_handle_t vmo = new_vmo(1, 0);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  zx_handle_t root = zx_vmar_root_self();
  zx_vaddr_t addr = 0;
  zx_handle_t bad[] = {ZX_HANDLE_INVALID, stale_handle(), 0xfffffffbu};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    TEST_CONTEXT("bad handle %#x", bad[i]);
    EXPECT_STATUS(zx_vmar_map(bad[i], PERM_R, 0, vmo, 0, PAGE, &addr), ZX_ERR_BAD_HANDLE);
    EXPECT_STATUS(zx_vmar_map(root, PERM_R, 0, bad[i], 0, PAGE, &addr), ZX_ERR_BAD_HANDLE);
    // Handles before anything else.
    EXPECT_STATUS(zx_vmar_map(bad[i], 1u << 31, 1, vmo, 1, 0, NULL), ZX_ERR_BAD_HANDLE);
    EXPECT_STATUS(zx_vmar_map(root, 1u << 31, 1, bad[i], 1, 0, NULL), ZX_ERR_BAD_HANDLE);
  }
  TEST_CONTEXT("wrong types");
  EXPECT_STATUS(zx_vmar_map(vmo, PERM_R, 0, vmo, 0, PAGE, &addr), ZX_ERR_WRONG_TYPE);
  EXPECT_STATUS(zx_vmar_map(root, PERM_R, 0, root, 0, PAGE, &addr), ZX_ERR_WRONG_TYPE);
  EXPECT_STATUS(zx_vmar_map(zx_thread_self(), PERM_R, 0, vmo, 0, PAGE, &addr),
                ZX_ERR_WRONG_TYPE);
  EXPECT_STATUS(zx_vmar_map(root, PERM_R, 0, zx_process_self(), 0, PAGE, &addr),
                ZX_ERR_WRONG_TYPE);
  // The VMAR handle is looked up first.
  EXPECT_STATUS(zx_vmar_map(vmo, PERM_R, 0, ZX_HANDLE_INVALID, 0, PAGE, &addr),
                ZX_ERR_WRONG_TYPE);
  EXPECT_STATUS(zx_vmar_map(ZX_HANDLE_INVALID, PERM_R, 0, root, 0, PAGE, &addr),
                ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_vmar_map(root, 1u << 31, 1, zx_thread_self(), 1, 0, NULL), ZX_ERR_WRONG_TYPE);
  EXPECT_EQ(addr, 0);
  EXPECT_EQ(num_mappings(vmo), 0);
  EXPECT_OK(zx_handle_close(vmo));
}

// Maps 4 pages of `vmo` into the root VMAR with `perms` and checks the status.
static void expect_map(zx_handle_t vmo, zx_vm_option_t perms, zx_status_t want) {
  zx_vaddr_t addr = 0;
  zx_status_t status = zx_vmar_map(zx_vmar_root_self(), perms, 0, vmo, 0, 4 * PAGE, &addr);
  EXPECT_STATUS(status, want);
  if (status == ZX_OK) {
    EXPECT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, 4 * PAGE));
  } else {
    EXPECT_EQ(addr, 0);
  }
}

// The map-permission matrix of Fuchsia's Rights (the digest's 3.13); the executable rows
// are in vmo_replace_as_executable.c (RightsExec).
MAP_TEST(Rights) {
  zx_handle_t vmo = new_vmo(4, 0);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  const zx_vm_option_t W = ZX_VM_PERM_WRITE;
  struct {
    zx_rights_t rights;
    zx_status_t none, r, w, rw, rx;
  } rows[] = {
      {ZX_DEFAULT_VMO_RIGHTS, ZX_OK, ZX_OK, ZX_ERR_INVALID_ARGS, ZX_OK, ZX_ERR_ACCESS_DENIED},
      {ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_DUPLICATE, ZX_ERR_ACCESS_DENIED,
       ZX_ERR_ACCESS_DENIED, ZX_ERR_ACCESS_DENIED, ZX_ERR_ACCESS_DENIED, ZX_ERR_ACCESS_DENIED},
      {ZX_RIGHT_READ | ZX_RIGHT_MAP | ZX_RIGHT_DUPLICATE, ZX_OK, ZX_OK, ZX_ERR_INVALID_ARGS,
       ZX_ERR_ACCESS_DENIED, ZX_ERR_ACCESS_DENIED},
      {ZX_RIGHT_WRITE | ZX_RIGHT_MAP | ZX_RIGHT_DUPLICATE, ZX_OK, ZX_ERR_ACCESS_DENIED,
       ZX_ERR_INVALID_ARGS, ZX_ERR_ACCESS_DENIED, ZX_ERR_ACCESS_DENIED},
      {ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_MAP | ZX_RIGHT_DUPLICATE, ZX_OK, ZX_OK,
       ZX_ERR_INVALID_ARGS, ZX_OK, ZX_ERR_ACCESS_DENIED},
      {ZX_RIGHT_MAP, ZX_OK, ZX_ERR_ACCESS_DENIED, ZX_ERR_INVALID_ARGS, ZX_ERR_ACCESS_DENIED,
       ZX_ERR_ACCESS_DENIED},
      {ZX_RIGHT_NONE, ZX_ERR_ACCESS_DENIED, ZX_ERR_ACCESS_DENIED, ZX_ERR_ACCESS_DENIED,
       ZX_ERR_ACCESS_DENIED, ZX_ERR_ACCESS_DENIED},
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    zx_handle_t h = dup_with(vmo, rows[i].rights);
    ASSERT_NE(h, ZX_HANDLE_INVALID);
    TEST_CONTEXT("rights %#x, no permissions", rows[i].rights);
    expect_map(h, 0, rows[i].none);
    TEST_CONTEXT("rights %#x, R", rows[i].rights);
    expect_map(h, PERM_R, rows[i].r);
    TEST_CONTEXT("rights %#x, W", rows[i].rights);
    expect_map(h, W, rows[i].w);
    TEST_CONTEXT("rights %#x, RW", rows[i].rights);
    expect_map(h, PERM_RW, rows[i].rw);
    TEST_CONTEXT("rights %#x, RX", rows[i].rights);
    expect_map(h, PERM_RX, rows[i].rx);
    EXPECT_OK(zx_handle_close(h));
  }
  EXPECT_EQ(num_mappings(vmo), 0);
  EXPECT_OK(zx_handle_close(vmo));
}

// The VMAR handle's READ/WRITE/EXECUTE rights bound what can be mapped through it, and
// what protect and allocate can ask for (Fuchsia's RightsDropTest; its executable row is
// in vmo_replace_as_executable.c).
MAP_TEST(RightsDropTest) {
  zx_handle_t vmo = new_vmo(1, 0);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  struct {
    zx_rights_t rights;
    zx_vm_option_t perms;
  } rows[] = {{ZX_RIGHT_READ, PERM_R}, {ZX_RIGHT_READ | ZX_RIGHT_WRITE, PERM_RW}};
  for (size_t i = 0; i < 2; i++) {
    TEST_CONTEXT("VMAR rights %#x", rows[i].rights);
    zx_handle_t vmar = dup_with(zx_vmar_root_self(), rows[i].rights);
    ASSERT_NE(vmar, ZX_HANDLE_INVALID);
    zx_vaddr_t addr = 0;
    EXPECT_STATUS(zx_vmar_map(vmar, PERM_RWX, 0, vmo, 0, PAGE, &addr), ZX_ERR_ACCESS_DENIED);
    EXPECT_STATUS(zx_vmar_map(vmar, rows[i].perms | ZX_VM_PERM_EXECUTE, 0, vmo, 0, PAGE, &addr),
                  ZX_ERR_ACCESS_DENIED);
    if (rows[i].perms == PERM_R) {
      EXPECT_STATUS(zx_vmar_map(vmar, PERM_RW, 0, vmo, 0, PAGE, &addr), ZX_ERR_ACCESS_DENIED);
    }
    ASSERT_OK(zx_vmar_map(vmar, rows[i].perms, 0, vmo, 0, PAGE, &addr));
    EXPECT_STATUS(zx_vmar_protect(vmar, PERM_RWX, addr, PAGE), ZX_ERR_ACCESS_DENIED);
    EXPECT_STATUS(zx_vmar_protect(vmar, rows[i].perms | ZX_VM_PERM_EXECUTE, addr, PAGE),
                  ZX_ERR_ACCESS_DENIED);
    if (rows[i].perms == PERM_R) {
      EXPECT_STATUS(zx_vmar_protect(vmar, PERM_RW, addr, PAGE), ZX_ERR_ACCESS_DENIED);
    }
    EXPECT_OK(zx_vmar_protect(vmar, rows[i].perms, addr, PAGE));
    EXPECT_OK(zx_vmar_unmap(vmar, addr, PAGE));
    zx_handle_t region = ZX_HANDLE_INVALID;
    zx_vaddr_t region_addr = 0;
    EXPECT_STATUS(zx_vmar_allocate(vmar, CAN_RWX, 0, 10 * PAGE, &region, &region_addr),
                  ZX_ERR_ACCESS_DENIED);
    EXPECT_EQ(region, ZX_HANDLE_INVALID);
    EXPECT_OK(zx_handle_close(vmar));
  }
  EXPECT_EQ(num_mappings(vmo), 0);
  EXPECT_OK(zx_handle_close(vmo));
}

// Options the call does not take (Fuchsia's InvalidArgsTest, the flag half).
MAP_TEST(invalid_options) {
  zx_vaddr_t base;
  zx_handle_t vmar = sandbox(16, &base);
  zx_handle_t vmo = new_vmo(4, 0);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  struct {
    const char* name;
    zx_vm_option_t options;
    size_t vmar_offset;
  } cases[] = {
      {"bit 31", PERM_RW | (1u << 31), 0},
      {"bit 20", PERM_RW | (1u << 20), 0},
      {"bit 23", PERM_RW | (1u << 23), 0},
      {"CAN_MAP_READ", PERM_R | ZX_VM_CAN_MAP_READ, 0},
      {"CAN_MAP_WRITE", PERM_RW | ZX_VM_CAN_MAP_WRITE, 0},
      {"CAN_MAP_EXECUTE", PERM_RW | ZX_VM_CAN_MAP_EXECUTE, 0},
      {"CAN_MAP_SPECIFIC", PERM_RW | ZX_VM_CAN_MAP_SPECIFIC, 0},
      {"WRITE without READ", ZX_VM_PERM_WRITE, 0},
      {"EXECUTE without READ", ZX_VM_PERM_EXECUTE, 0},
      {"WRITE|EXECUTE without READ", ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE, 0},
      {"MAP_RANGE with SPECIFIC_OVERWRITE", PERM_R | ZX_VM_MAP_RANGE | ZX_VM_SPECIFIC_OVERWRITE,
       PAGE},
      {"SPECIFIC with OFFSET_IS_UPPER_LIMIT",
       PERM_RW | ZX_VM_SPECIFIC | ZX_VM_OFFSET_IS_UPPER_LIMIT, PAGE},
      {"SPECIFIC_OVERWRITE with OFFSET_IS_UPPER_LIMIT",
       PERM_RW | ZX_VM_SPECIFIC_OVERWRITE | ZX_VM_OFFSET_IS_UPPER_LIMIT, PAGE},
      {"alignment 2^9", PERM_RW | (9u << ZX_VM_ALIGN_BASE), 0},
      {"alignment 2^1", PERM_RW | (1u << ZX_VM_ALIGN_BASE), 0},
      {"alignment 2^33", PERM_RW | (33u << ZX_VM_ALIGN_BASE), 0},
      {"alignment 2^63", PERM_RW | (63u << ZX_VM_ALIGN_BASE), 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    TEST_CONTEXT("%s", cases[i].name);
    zx_vaddr_t addr = 0;
    EXPECT_STATUS(
        zx_vmar_map(vmar, cases[i].options, cases[i].vmar_offset, vmo, 0, 4 * PAGE, &addr),
        ZX_ERR_INVALID_ARGS);
    EXPECT_EQ(addr, 0);
  }
  TEST_CONTEXT("%s", "");
  EXPECT_EQ(num_mappings(vmo), 0);
  EXPECT_EQ(mapped_pages(base, 16), 0);
  drop_vmar(vmar);
  EXPECT_OK(zx_handle_close(vmo));
}

// Lengths round up to pages; 0 and a length that rounds to 0 are refused; VMO offsets
// must be page-aligned and may lie past the VMO's end (Fuchsia's InvalidArgsTest,
// UnalignedLenMapTest and the mappings of Commit).
MAP_TEST(lengths_and_vmo_offsets) {
  zx_vaddr_t base;
  zx_handle_t vmar = sandbox(16, &base);
  zx_handle_t vmo = new_vmo(4, 0);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  zx_vaddr_t addr = 0;
  EXPECT_STATUS(zx_vmar_map(vmar, PERM_RW, 0, vmo, 0, 0, &addr), ZX_ERR_INVALID_ARGS);
  const size_t rounds_to_zero = SIZE_MAX - PAGE + 2;
  EXPECT_STATUS(zx_vmar_map(vmar, PERM_RW, 0, vmo, 0, rounds_to_zero, &addr),
                ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(zx_vmar_map(vmar, PERM_R | ZX_VM_MAP_RANGE, 0, vmo, 0, rounds_to_zero, &addr),
                ZX_ERR_OUT_OF_RANGE);
  for (int map_range = 0; map_range < 2; map_range++) {
    zx_vm_option_t range = map_range ? ZX_VM_MAP_RANGE : 0;
    TEST_CONTEXT("MAP_RANGE %d", map_range);
    EXPECT_STATUS(zx_vmar_map(vmar, PERM_RW | ZX_VM_SPECIFIC | range, PAGE - 1, vmo, 0, 3 * PAGE,
                              &addr),
                  ZX_ERR_INVALID_ARGS);
    EXPECT_STATUS(zx_vmar_map(vmar, PERM_RW | ZX_VM_SPECIFIC | range, PAGE, vmo, PAGE - 1,
                              3 * PAGE, &addr),
                  ZX_ERR_INVALID_ARGS);
    EXPECT_STATUS(zx_vmar_map(vmar, PERM_RW | range, 0, vmo, PAGE - 1, 3 * PAGE, &addr),
                  ZX_ERR_INVALID_ARGS);
    EXPECT_STATUS(zx_vmar_map(vmar, PERM_RW | range, 0, vmo, 1, PAGE, &addr),
                  ZX_ERR_INVALID_ARGS);
    // A VMAR offset needs SPECIFIC (or OFFSET_IS_UPPER_LIMIT).
    EXPECT_STATUS(zx_vmar_map(vmar, PERM_RW | range, PAGE, vmo, 0, PAGE, &addr),
                  ZX_ERR_INVALID_ARGS);
  }
  TEST_CONTEXT("VMO offset + length overflows");
  EXPECT_STATUS(zx_vmar_map(vmar, PERM_RW, 0, vmo, UINT64_MAX - PAGE + 1, PAGE, &addr),
                ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(zx_vmar_map(vmar, PERM_RW, 0, vmo, UINT64_MAX - PAGE + 1, 1, &addr),
                ZX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(addr, 0);
  TEST_CONTEXT("VMO offset far past the end, no overflow");
  ASSERT_OK(zx_vmar_map(vmar, PERM_RW, 0, vmo, UINT64_MAX - 2 * PAGE + 1, PAGE, &addr));
  EXPECT_OK(zx_vmar_unmap(vmar, addr, PAGE));
  // A mapping may start past the VMO's end (Commit maps a 4-page VMO at offset 8
  // pages) or reach past it; it is not touched here.
  TEST_CONTEXT("mappings past the VMO's end");
  ASSERT_OK(zx_vmar_map(vmar, PERM_RW, 0, vmo, 8 * PAGE, 4 * PAGE, &addr));
  EXPECT_OK(zx_vmar_unmap(vmar, addr, 4 * PAGE));
  ASSERT_OK(zx_vmar_map(vmar, PERM_RW, 0, vmo, 2 * PAGE, 6 * PAGE, &addr));
  EXPECT_OK(zx_vmar_unmap(vmar, addr, 6 * PAGE));
  // An unaligned length maps whole pages, and unmaps them the same way.
  for (int map_range = 0; map_range < 2; map_range++) {
    TEST_CONTEXT("unaligned length, MAP_RANGE %d", map_range);
    ASSERT_OK(zx_vmar_map(vmar, PERM_R | ZX_VM_SPECIFIC | (map_range ? ZX_VM_MAP_RANGE : 0),
                          2 * PAGE, vmo, 0, 4 * PAGE - 1, &addr));
    EXPECT_EQ(addr, base + 2 * PAGE);
    EXPECT_EQ(mapped_pages(base, 8), 0x3c);
    EXPECT_EQ(probe_read(addr + 4 * PAGE - 1), ZX_OK);
    EXPECT_OK(zx_vmar_unmap(vmar, addr, 4 * PAGE - 1));
    EXPECT_EQ(mapped_pages(base, 8), 0);
  }
  TEST_CONTEXT("%s", "");
  EXPECT_EQ(num_mappings(vmo), 0);
  drop_vmar(vmar);
  EXPECT_OK(zx_handle_close(vmo));
}

MAP_TEST(specific_placement) {
  zx_vaddr_t base;
  zx_handle_t vmar = sandbox(16, &base);
  zx_handle_t vmo = new_vmo(4, 0);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  zx_vaddr_t addr = 0;
  ASSERT_OK(zx_vmar_map(vmar, PERM_RW | ZX_VM_SPECIFIC, 3 * PAGE, vmo, 0, 2 * PAGE, &addr));
  EXPECT_EQ(addr, base + 3 * PAGE);
  EXPECT_EQ(mapped_pages(base, 16), 0x18);
  ASSERT_OK(zx_vmar_map(vmar, PERM_RW | ZX_VM_SPECIFIC, 14 * PAGE, vmo, 0, 2 * PAGE, &addr));
  EXPECT_EQ(addr, base + 14 * PAGE);
  ASSERT_OK(zx_vmar_map(vmar, PERM_RW | ZX_VM_SPECIFIC, 0, vmo, PAGE, PAGE, &addr));
  EXPECT_EQ(addr, base);
  EXPECT_EQ(mapped_pages(base, 16), 0xc019);
  // Outside the VMAR, or running out of it.
  size_t outside[][2] = {{16 * PAGE, PAGE},     {15 * PAGE, 2 * PAGE}, {8 * PAGE, 9 * PAGE},
                         {UINT64_MAX & ~(PAGE - 1), PAGE}, {SIZE_MAX - PAGE + 1, 2 * PAGE},
                         {1ull << 47, PAGE}};
  for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++) {
    TEST_CONTEXT("offset %#zx, length %#zx", outside[i][0], outside[i][1]);
    zx_vaddr_t none = 0;
    EXPECT_STATUS(zx_vmar_map(vmar, PERM_RW | ZX_VM_SPECIFIC, outside[i][0], vmo, 0,
                              outside[i][1], &none),
                  ZX_ERR_INVALID_ARGS);
    EXPECT_EQ(none, 0);
  }
  TEST_CONTEXT("%s", "");
  EXPECT_STATUS(zx_vmar_map(vmar, PERM_RW | ZX_VM_SPECIFIC, PAGE + 8, vmo, 0, PAGE, &addr),
                ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(num_mappings(vmo), 3);
  drop_vmar(vmar);
  EXPECT_EQ(num_mappings(vmo), 0);
  EXPECT_OK(zx_handle_close(vmo));
}

// SPECIFIC, SPECIFIC_OVERWRITE and OFFSET_IS_UPPER_LIMIT need CAN_MAP_SPECIFIC on the
// VMAR (Fuchsia's NestedRegionPermsTest, the last part).
MAP_TEST(specific_needs_can_map_specific) {
  zx_vaddr_t base;
  zx_handle_t vmar = sandbox_with(CAN_RW, 8, &base);
  zx_handle_t vmo = new_vmo(1, 0);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  zx_vaddr_t addr = 0;
  EXPECT_STATUS(zx_vmar_map(vmar, PERM_R | ZX_VM_SPECIFIC, PAGE, vmo, 0, PAGE, &addr),
                ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_vmar_map(vmar, PERM_R | ZX_VM_SPECIFIC, 0, vmo, 0, PAGE, &addr),
                ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_vmar_map(vmar, PERM_R | ZX_VM_SPECIFIC_OVERWRITE, PAGE, vmo, 0, PAGE, &addr),
                ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(
      zx_vmar_map(vmar, PERM_R | ZX_VM_OFFSET_IS_UPPER_LIMIT, 8 * PAGE, vmo, 0, PAGE, &addr),
      ZX_ERR_ACCESS_DENIED);
  EXPECT_EQ(addr, 0);
  // Without SPECIFIC it maps.
  addr = map_vmo(vmar, PERM_R, 0, vmo, 0, PAGE);
  EXPECT_NE(addr, 0);
  EXPECT_EQ(num_mappings(vmo), 1);
  drop_vmar(vmar);
  EXPECT_OK(zx_handle_close(vmo));
}

MAP_TEST(OvermappingTest) {
  zx_vaddr_t base;
  zx_handle_t vmar = sandbox(10, &base);
  zx_handle_t vmo = new_vmo(1, 0), vmo2 = new_vmo(4, 0);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  ASSERT_NE(vmo2, ZX_HANDLE_INVALID);
  ASSERT_OK(write_u32(vmo, 0, 0x1111));
  zx_vaddr_t first = 0, addr = 0;
  ASSERT_OK(zx_vmar_map(vmar, PERM_RW | ZX_VM_SPECIFIC, PAGE, vmo, 0, 2 * PAGE, &first));
  size_t off = first - base;
  EXPECT_STATUS(zx_vmar_map(vmar, PERM_RW | ZX_VM_SPECIFIC, off, vmo2, 0, 2 * PAGE, &addr),
                ZX_ERR_ALREADY_EXISTS);
  EXPECT_STATUS(zx_vmar_map(vmar, PERM_RW | ZX_VM_SPECIFIC, off, vmo2, 0, PAGE, &addr),
                ZX_ERR_ALREADY_EXISTS);
  EXPECT_STATUS(zx_vmar_map(vmar, PERM_RW | ZX_VM_SPECIFIC, off, vmo2, 0, 4 * PAGE, &addr),
                ZX_ERR_ALREADY_EXISTS);
  EXPECT_STATUS(zx_vmar_map(vmar, PERM_RW | ZX_VM_SPECIFIC, 0, vmo2, 0, 2 * PAGE, &addr),
                ZX_ERR_ALREADY_EXISTS);
  EXPECT_STATUS(zx_vmar_map(vmar, PERM_RW | ZX_VM_SPECIFIC, off + PAGE, vmo2, 0, PAGE, &addr),
                ZX_ERR_ALREADY_EXISTS);
  zx_handle_t region = ZX_HANDLE_INVALID;
  zx_vaddr_t region_addr = 0;
  EXPECT_STATUS(zx_vmar_allocate(vmar, CAN_RW | ZX_VM_SPECIFIC, off, PAGE, &region, &region_addr),
                ZX_ERR_ALREADY_EXISTS);
  EXPECT_EQ(addr, 0);
  EXPECT_EQ(num_mappings(vmo2), 0);
  // The mapping is as it was.
  EXPECT_EQ(*u32_at(first), 0x1111);
  ASSERT_OK(zx_vmar_unmap(vmar, first, 2 * PAGE));

  // The same against a sub-VMAR.
  ASSERT_OK(zx_vmar_allocate(vmar, CAN_RW | ZX_VM_SPECIFIC, PAGE, 2 * PAGE, &region,
                             &region_addr));
  EXPECT_EQ(region_addr, base + PAGE);
  EXPECT_STATUS(zx_vmar_map(vmar, PERM_RW | ZX_VM_SPECIFIC, PAGE, vmo2, 0, 2 * PAGE, &addr),
                ZX_ERR_ALREADY_EXISTS);
  EXPECT_STATUS(zx_vmar_map(vmar, PERM_RW | ZX_VM_SPECIFIC, PAGE, vmo2, 0, PAGE, &addr),
                ZX_ERR_ALREADY_EXISTS);
  EXPECT_STATUS(zx_vmar_map(vmar, PERM_RW | ZX_VM_SPECIFIC, PAGE, vmo2, 0, 4 * PAGE, &addr),
                ZX_ERR_ALREADY_EXISTS);
  zx_handle_t region2 = ZX_HANDLE_INVALID;
  EXPECT_STATUS(zx_vmar_allocate(vmar, CAN_RW | ZX_VM_SPECIFIC, PAGE, PAGE, &region2, &region_addr),
                ZX_ERR_ALREADY_EXISTS);
  EXPECT_EQ(region2, ZX_HANDLE_INVALID);
  EXPECT_EQ(num_mappings(vmo2), 0);
  EXPECT_OK(zx_handle_close(region));
  drop_vmar(vmar);
  EXPECT_OK(zx_handle_close(vmo));
  EXPECT_OK(zx_handle_close(vmo2));
}

MAP_TEST(MapSpecificOverwriteTest) {
  const size_t n = 4;  // pages per mapping
  zx_vaddr_t base;
  zx_handle_t vmar = sandbox(16, &base);
  zx_handle_t vmo = new_vmo(2 * n, 0), vmo2 = new_vmo(2 * n, 0);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  ASSERT_NE(vmo2, ZX_HANDLE_INVALID);
  for (size_t i = 0; i < n; i++) {
    uint8_t one = 1, two = 2;
    ASSERT_OK(zx_vmo_write(vmo, &one, i * PAGE, 1));
    ASSERT_OK(zx_vmo_write(vmo2, &two, i * PAGE, 1));
  }
  zx_vaddr_t a0 = 0, a1 = 0;
  ASSERT_OK(zx_vmar_map(vmar, PERM_RW | ZX_VM_SPECIFIC, PAGE, vmo, 0, n * PAGE, &a0));
  EXPECT_STATUS(zx_vmar_map(vmar, PERM_RW | ZX_VM_SPECIFIC, PAGE, vmo2, 0, n * PAGE, &a1),
                ZX_ERR_ALREADY_EXISTS);
  ASSERT_OK(zx_vmar_map(vmar, PERM_RW | ZX_VM_SPECIFIC_OVERWRITE, PAGE, vmo2, 0, n * PAGE, &a1));
  EXPECT_EQ(a0, a1);
  EXPECT_EQ(num_mappings(vmo), 0);
  for (size_t i = 0; i < n; i++) {
    TEST_CONTEXT("after the whole overwrite, page %zu", i);
    EXPECT_EQ(*u8_at(a1 + i * PAGE), 2);
  }
  // Over the middle: the ends of the first mapping stay.
  ASSERT_OK(zx_vmar_map(vmar, PERM_RW | ZX_VM_SPECIFIC_OVERWRITE, 2 * PAGE, vmo, 0, 2 * PAGE, &a0));
  EXPECT_EQ(a0, a1 + PAGE);
  for (size_t i = 0; i < n; i++) {
    TEST_CONTEXT("after the middle overwrite, page %zu", i);
    EXPECT_EQ(*u8_at(a1 + i * PAGE), (i == 0 || i == 3) ? 2 : 1);
  }
  TEST_CONTEXT("%s", "");
  EXPECT_EQ(mapped_pages(base, 16), 0x1e);
  // A sub-VMAR in the way: refused, nothing changes.
  zx_handle_t region = ZX_HANDLE_INVALID;
  zx_vaddr_t region_addr = 0;
  ASSERT_OK(zx_vmar_allocate(vmar, CAN_RW | ZX_VM_SPECIFIC, PAGE + n * PAGE, n * PAGE, &region,
                             &region_addr));
  EXPECT_EQ(region_addr, a1 + n * PAGE);
  zx_vaddr_t a2 = 0;
  EXPECT_STATUS(zx_vmar_map(vmar, PERM_RW | ZX_VM_SPECIFIC_OVERWRITE, PAGE, vmo2, 0,
                            2 * n * PAGE, &a2),
                ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_vmar_map(vmar, PERM_RW | ZX_VM_SPECIFIC_OVERWRITE, 3 * PAGE, vmo2, 0,
                            4 * PAGE, &a2),
                ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(a2, 0);
  EXPECT_EQ(*u8_at(a1 + 3 * PAGE), 2);
  EXPECT_EQ(*u8_at(a1 + 2 * PAGE), 1);
  // Unmapping over all of it takes the sub-VMAR too (this handle has OP_CHILDREN).
  EXPECT_OK(zx_vmar_unmap(vmar, a1, 2 * n * PAGE));
  EXPECT_EQ(mapped_pages(base, 16), 0);
  EXPECT_STATUS(zx_vmar_map(region, PERM_R, 0, vmo, 0, PAGE, &a2), ZX_ERR_BAD_STATE);
  EXPECT_EQ(num_mappings(vmo) + num_mappings(vmo2), 0);
  EXPECT_OK(zx_handle_close(region));
  drop_vmar(vmar);
  EXPECT_OK(zx_handle_close(vmo));
  EXPECT_OK(zx_handle_close(vmo2));
}

MAP_TEST(MapInUpperLimitTest) {
  const size_t pages = 100;
  zx_vaddr_t base;
  zx_handle_t vmar = sandbox(pages, &base);
  zx_handle_t vmo = new_vmo(pages, 0);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  const zx_vm_option_t opts = PERM_RW | ZX_VM_OFFSET_IS_UPPER_LIMIT;
  const size_t size = pages * PAGE, limit = size / 2;
  zx_vaddr_t addr = 0;
  EXPECT_STATUS(zx_vmar_map(vmar, opts, size + PAGE, vmo, 0, PAGE, &addr), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_vmar_map(vmar, opts, PAGE, vmo, 0, 2 * PAGE, &addr), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_vmar_map(vmar, opts, PAGE, vmo, 0, size + PAGE, &addr), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_vmar_map(vmar, opts, size, vmo, 0, size, &addr));
  EXPECT_EQ(addr, base);
  ASSERT_OK(zx_vmar_unmap(vmar, addr, size));
  for (size_t i = 0; i < pages / 2; i++) {
    TEST_CONTEXT("mapping %zu", i);
    ASSERT_OK(zx_vmar_map(vmar, opts, limit, vmo, 0, PAGE, &addr));
    EXPECT_GE(addr, base);
    EXPECT_LE(addr + PAGE, base + limit);
  }
  TEST_CONTEXT("%s", "");
  EXPECT_STATUS(zx_vmar_map(vmar, opts, limit, vmo, 0, PAGE, &addr), ZX_ERR_NO_RESOURCES);
  ASSERT_OK(zx_vmar_map(vmar, PERM_RW, 0, vmo, 0, PAGE, &addr));
  EXPECT_GE(addr, base + limit);
  EXPECT_LE(addr + PAGE, base + size);
  EXPECT_EQ(num_mappings(vmo), pages / 2 + 1);
  drop_vmar(vmar);
  EXPECT_OK(zx_handle_close(vmo));
}

MAP_TEST(MapInCompactTest) {
  zx_handle_t vmo = new_vmo(1, 0);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  zx_vaddr_t base;
  zx_handle_t vmar = sandbox_with(CAN_RW | ZX_VM_COMPACT, 10, &base);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  for (int i = 0; i < 2; i++) {
    uintptr_t addr = map_vmo(vmar, PERM_RW, 0, vmo, 0, PAGE);
    EXPECT_GE(addr, base);
    EXPECT_LE(addr + PAGE, base + 10 * PAGE);
  }
  drop_vmar(vmar);
  EXPECT_OK(zx_handle_close(vmo));
}

// MAP_RANGE pages in what the VMO already has and commits nothing new.
MAP_TEST(VmarMapRangeOffsetTest) {
  zx_handle_t vmo = new_vmo(4, 0);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  zx_vaddr_t addr = 0;
  EXPECT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_MAP_RANGE, 0, vmo, 2 * PAGE, PAGE, &addr));
  unmap_root(addr, PAGE);
  addr = map_root(PERM_RW | ZX_VM_MAP_RANGE, vmo, 0, 4 * PAGE);
  ASSERT_NE(addr, 0);
  EXPECT_EQ(committed(vmo), 0);
  unmap_root(addr, 4 * PAGE);
  ASSERT_OK(write_u32(vmo, PAGE, 0x4242));
  addr = map_root(PERM_R | ZX_VM_MAP_RANGE, vmo, PAGE, 3 * PAGE);
  ASSERT_NE(addr, 0);
  EXPECT_EQ(*u32_at(addr), 0x4242);
  EXPECT_EQ(*u32_at(addr + PAGE), 0);
  unmap_root(addr, 3 * PAGE);
  EXPECT_OK(zx_handle_close(vmo));
}

// A VMO of `vmo_size` bytes holding one page, at `held`, mapped with MAP_RANGE over a
// 64 GiB sub-VMAR: the page is in the page tables (with at most one table per level
// below the root for it), nothing else is, and nothing is committed.
static void map_range_of_one_held_page(uint64_t vmo_size, uint64_t held) {
  const uint64_t size = 1ull << 36;
  zx_handle_t vmo = ZX_HANDLE_INVALID;
  ASSERT_OK(zx_vmo_create(vmo_size, 0, &vmo));
  ASSERT_OK(write_u32(vmo, held, 0x5a5a));
  zx_vaddr_t base = 0;
  zx_handle_t vmar = aligned_sandbox(size, &base);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  uint64_t tables_before = kmem().mmu_overhead_bytes;
  uintptr_t addr = map_vmo(vmar, PERM_R | ZX_VM_SPECIFIC | ZX_VM_MAP_RANGE, 0, vmo, 0, size);
  ASSERT_EQ(addr, base);
  EXPECT_LE(kmem().mmu_overhead_bytes - tables_before, 3 * PAGE);
  EXPECT_EQ(*u32_at(addr + held), 0x5a5au);
  if (vmo_size == PAGE) {
    EXPECT_EQ(probe_read(addr + PAGE), ZX_ERR_OUT_OF_RANGE);
  } else {
    EXPECT_EQ(*u32_at(addr), 0u);  // faulted in now, as the zero page
  }
  EXPECT_EQ(committed(vmo), PAGE);
  drop_vmar(vmar);
  EXPECT_OK(zx_handle_close(vmo));
}

// MAP_RANGE fills only what the VMO backs: a one-page VMO mapped over 64 GiB puts one
// page in the page tables, not 16 million.
MAP_TEST(map_range_past_the_vmo_end_maps_nothing_there) { map_range_of_one_held_page(PAGE, 0); }

// Nor does it map what the VMO has not committed: a 64 GiB VMO holding only its last
// page puts that page in the page tables, and the rest faults in when touched.
MAP_TEST(map_range_maps_only_committed_pages) {
  map_range_of_one_held_page(1ull << 36, (1ull << 36) - PAGE);
}

MAP_TEST(AlignmentVmarMapTest) {
  const size_t size = 2 * PAGE;
  zx_handle_t vmo = new_vmo(2, 0);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  zx_vaddr_t base;
  zx_handle_t vmar = aligned_sandbox(8 * GIB, &base);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  zx_vaddr_t addr = 0;
  // SPECIFIC: the VMAR's base + offset must meet the alignment.
  EXPECT_STATUS(zx_vmar_map(vmar, PERM_RW | ZX_VM_ALIGN_64KB | ZX_VM_SPECIFIC, PAGE, vmo, 0, size,
                            &addr),
                ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_vmar_map(vmar, PERM_RW | ZX_VM_ALIGN_64KB | ZX_VM_SPECIFIC, 64 * 1024, vmo, 0,
                        size, &addr));
  EXPECT_EQ(addr, base + 64 * 1024);
  ASSERT_OK(zx_vmar_unmap(vmar, addr, size));
  EXPECT_STATUS(zx_vmar_map(vmar, PERM_RW | (9u << ZX_VM_ALIGN_BASE), 0, vmo, 0, size, &addr),
                ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_vmar_map(vmar, PERM_RW | (33u << ZX_VM_ALIGN_BASE), 0, vmo, 0, size, &addr),
                ZX_ERR_INVALID_ARGS);
  for (uint32_t bits = 10; bits <= 32; bits++) {
    TEST_CONTEXT("ZX_VM_ALIGN 2^%u", bits);
    zx_vaddr_t at = 0;
    ASSERT_OK(zx_vmar_map(vmar, PERM_RW | (bits << ZX_VM_ALIGN_BASE), 0, vmo, 0, size, &at));
    ASSERT_NE(at, 0);
    EXPECT_GE(__builtin_ctzll(at), (int)bits);
    *u32_at(at + 8) = 0x1234321;  // touch it
    EXPECT_EQ(*u32_at(at + 8), 0x1234321);
    ASSERT_OK(zx_vmar_unmap(vmar, at, size));
  }
  drop_vmar(vmar);
  EXPECT_OK(zx_handle_close(vmo));
}

// Fuchsia's Resize, its mapping part: a resizable VMO maps (no ALLOW_FAULTS needed,
// digest 3.13 step 11), but not with REQUIRE_NON_RESIZABLE; it can be resized while
// mapped.
MAP_TEST(Resize) {
  zx_handle_t vmo = new_vmo(5, ZX_VMO_RESIZABLE);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  uintptr_t addr = map_root(PERM_R, vmo, 0, 5 * PAGE);
  EXPECT_NE(addr, 0);
  zx_vaddr_t other = 0;
  EXPECT_STATUS(zx_vmar_map(zx_vmar_root_self(), PERM_R | ZX_VM_REQUIRE_NON_RESIZABLE, 0, vmo, 0,
                            5 * PAGE, &other),
                ZX_ERR_NOT_SUPPORTED);
  EXPECT_EQ(other, 0);
  EXPECT_OK(zx_vmo_set_size(vmo, 6 * PAGE));
  EXPECT_OK(zx_vmo_set_size(vmo, 5 * PAGE));
  // A resizable child is refused the same way.
  zx_handle_t child = child_of(vmo, SNAPSHOT | ZX_VMO_CHILD_RESIZABLE, 0, PAGE);
  EXPECT_STATUS(zx_vmar_map(zx_vmar_root_self(), PERM_R | ZX_VM_REQUIRE_NON_RESIZABLE, 0, child, 0,
                            PAGE, &other),
                ZX_ERR_NOT_SUPPORTED);
  EXPECT_OK(zx_handle_close(child));
  unmap_root(addr, 5 * PAGE);
  EXPECT_OK(zx_handle_close(vmo));
}

MAP_TEST(NoResize) {
  zx_handle_t vmo = new_vmo(4, 0);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  uintptr_t addr = map_root(PERM_RW | ZX_VM_REQUIRE_NON_RESIZABLE, vmo, 0, 4 * PAGE);
  ASSERT_NE(addr, 0);
  *u32_at(addr) = 5;
  EXPECT_EQ(read_u32(vmo, 0), 5);
  unmap_root(addr, 4 * PAGE);
  // A non-resizable child of a resizable VMO is fine as well.
  zx_handle_t parent = new_vmo(1, ZX_VMO_RESIZABLE);
  zx_handle_t child = child_of(parent, SNAPSHOT, 0, PAGE);
  addr = map_root(PERM_R | ZX_VM_REQUIRE_NON_RESIZABLE, child, 0, PAGE);
  EXPECT_NE(addr, 0);
  unmap_root(addr, PAGE);
  zx_handle_t handles[] = {child, parent, vmo};
  close_all(handles, 3);
}

MAP_TEST(AllowFaultsTest) {
  zx_handle_t vmo = new_vmo(1, ZX_VMO_RESIZABLE);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  uintptr_t addr = map_root(PERM_RW | ZX_VM_ALLOW_FAULTS, vmo, 0, PAGE);
  EXPECT_NE(addr, 0);
  EXPECT_OK(zx_handle_close(vmo));
  unmap_root(addr, PAGE);
}

// Fuchsia's Discardable, its mapping part: a discardable VMO maps only with
// ZX_VM_ALLOW_FAULTS.
MAP_TEST(Discardable) {
  const uint64_t size = 3 * PAGE;
  zx_handle_t vmo = new_vmo(3, ZX_VMO_DISCARDABLE);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  zx_vmo_lock_state_t state;
  ASSERT_OK(zx_vmo_op_range(vmo, ZX_VMO_OP_LOCK, 0, size, &state, sizeof state));
  static uint8_t buf[3 * ZX_PAGE_SIZE];
  memset(buf, 0xbb, size);
  ASSERT_OK(zx_vmo_write(vmo, buf, 0, size));
  zx_vaddr_t addr = 0;
  EXPECT_STATUS(zx_vmar_map(zx_vmar_root_self(), PERM_RW, 0, vmo, 0, size, &addr),
                ZX_ERR_NOT_SUPPORTED);
  EXPECT_EQ(addr, 0);
  EXPECT_EQ(num_mappings(vmo), 0);
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), PERM_RW | ZX_VM_ALLOW_FAULTS, 0, vmo, 0, size, &addr));
  EXPECT_NE(addr, 0);
  EXPECT_EQ(memcmp((const void*)addr, buf, size), 0);
  memset((void*)addr, 0xcc, size);
  memset(buf, 0, size);
  EXPECT_OK(zx_vmo_read(vmo, buf, 0, size));
  EXPECT_TRUE(all_bytes(buf, size, 0xcc));
  EXPECT_OK(zx_vmo_op_range(vmo, ZX_VMO_OP_UNLOCK, 0, size, NULL, 0));
  unmap_root(addr, size);
  EXPECT_OK(zx_handle_close(vmo));
}

// A mapped_addr the kernel cannot write: INVALID_ARGS, and the mapping is gone again.
MAP_TEST(bad_mapped_addr_pointers_leave_no_mapping) {
  zx_vaddr_t base;
  zx_handle_t vmar = sandbox(16, &base);
  zx_handle_t vmo = new_vmo(2, 0);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  ASSERT_OK(write_u32(vmo, 0, 7));
  // A read-only mapping at the end of the sandbox, and a hole in the middle of it.
  zx_handle_t ro = new_vmo(1, 0);
  uintptr_t ro_addr = map_vmo(vmar, PERM_R | ZX_VM_SPECIFIC, 15 * PAGE, ro, 0, PAGE);
  ASSERT_NE(ro_addr, 0);
  zrk_bad_ptr_t bad[ZRK_BAD_PTR_MAX];
  size_t n = bad_out_ptrs(bad, base + 8 * PAGE, ro_addr);
  for (size_t i = 0; i < n; i++) {
    TEST_CONTEXT("mapped_addr = %s", bad[i].name);
    zx_vaddr_t* out = (zx_vaddr_t*)bad[i].ptr;
    EXPECT_STATUS(zx_vmar_map(vmar, PERM_RW | ZX_VM_SPECIFIC, 0, vmo, 0, 2 * PAGE, out),
                  ZX_ERR_INVALID_ARGS);
    EXPECT_STATUS(zx_vmar_map(vmar, PERM_RW, 0, vmo, 0, 2 * PAGE, out), ZX_ERR_INVALID_ARGS);
    EXPECT_STATUS(zx_vmar_map(vmar, PERM_R | ZX_VM_MAP_RANGE | ZX_VM_SPECIFIC, 4 * PAGE, vmo, 0,
                              2 * PAGE, out),
                  ZX_ERR_INVALID_ARGS);
    EXPECT_EQ(num_mappings(vmo), 0);
    EXPECT_EQ(mapped_pages(base, 16), 0x8000);
    // The spot is free again.
    zx_vaddr_t addr = 0;
    ASSERT_OK(zx_vmar_map(vmar, PERM_RW | ZX_VM_SPECIFIC, 0, vmo, 0, 2 * PAGE, &addr));
    EXPECT_EQ(addr, base);
    EXPECT_EQ(*u32_at(addr), 7);
    ASSERT_OK(zx_vmar_unmap(vmar, addr, 2 * PAGE));
  }
  TEST_CONTEXT("%s", "");
  EXPECT_EQ(*u32_at(ro_addr), 0);
  EXPECT_EQ(*(const char*)zrk_readonly_ptr(), 1);
  drop_vmar(vmar);
  zx_handle_t handles[] = {ro, vmo};
  close_all(handles, 2);
}

// The digest's 3.13 order, step against step; mapped_addr is looked at last.
MAP_TEST(errors_come_in_zircon_order) {
  zx_vaddr_t base;
  zx_handle_t vmar = sandbox(8, &base);
  zx_handle_t vmo = new_vmo(2, 0);
  zx_handle_t resizable = new_vmo(2, ZX_VMO_RESIZABLE);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  ASSERT_NE(resizable, ZX_HANDLE_INVALID);
  zx_handle_t no_map = dup_with(vmo, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_MAP);
  zx_handle_t read_only = dup_with(vmo, ZX_RIGHT_READ | ZX_RIGHT_MAP);
  zx_vaddr_t addr = 0;
  // MAP right (3) before WRITE without READ (5).
  EXPECT_STATUS(zx_vmar_map(vmar, ZX_VM_PERM_WRITE, 0, no_map, 0, PAGE, &addr),
                ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_vmar_map(vmar, 0, 0, no_map, 0, PAGE, &addr), ZX_ERR_ACCESS_DENIED);
  // WRITE without READ (5) before the rights (8).
  EXPECT_STATUS(zx_vmar_map(vmar, ZX_VM_PERM_WRITE, 0, read_only, 0, PAGE, &addr),
                ZX_ERR_INVALID_ARGS);
  // CAN_MAP_* (7) before the rights (8).
  EXPECT_STATUS(zx_vmar_map(vmar, PERM_RW | ZX_VM_CAN_MAP_READ, 0, read_only, 0, PAGE, &addr),
                ZX_ERR_INVALID_ARGS);
  // The rights (8) before unknown bits and alignment (9).
  EXPECT_STATUS(zx_vmar_map(vmar, PERM_RW | (1u << 31), 0, read_only, 0, PAGE, &addr),
                ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_vmar_map(vmar, PERM_RW | (40u << ZX_VM_ALIGN_BASE), 0, read_only, 0, PAGE,
                            &addr),
                ZX_ERR_ACCESS_DENIED);
  // Alignment (9) before REQUIRE_NON_RESIZABLE (10).
  EXPECT_STATUS(zx_vmar_map(vmar, PERM_R | ZX_VM_REQUIRE_NON_RESIZABLE | (5u << ZX_VM_ALIGN_BASE),
                            0, resizable, 0, PAGE, &addr),
                ZX_ERR_INVALID_ARGS);
  // REQUIRE_NON_RESIZABLE (10) before the placement (12).
  EXPECT_STATUS(zx_vmar_map(vmar, PERM_R | ZX_VM_REQUIRE_NON_RESIZABLE, PAGE, resizable, 1, 0,
                            &addr),
                ZX_ERR_NOT_SUPPORTED);
  // Permission problems before a destroyed VMAR; a destroyed VMAR before its range.
  zx_handle_t dead = ZX_HANDLE_INVALID;
  zx_vaddr_t dead_base = 0;
  ASSERT_OK(zx_vmar_allocate(vmar, CAN_RW_SPECIFIC, 0, 2 * PAGE, &dead, &dead_base));
  ASSERT_OK(zx_vmar_destroy(dead));
  EXPECT_STATUS(zx_vmar_map(dead, PERM_RW, 0, read_only, 0, PAGE, &addr), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_vmar_map(dead, PERM_RW, 0, vmo, 0, PAGE, &addr), ZX_ERR_BAD_STATE);
  EXPECT_STATUS(zx_vmar_map(dead, PERM_RW, 0, vmo, 0, 0, &addr), ZX_ERR_BAD_STATE);
  EXPECT_STATUS(zx_vmar_map(dead, PERM_RW | ZX_VM_SPECIFIC, 100 * PAGE, vmo, 0, PAGE, &addr),
                ZX_ERR_BAD_STATE);
  // mapped_addr last: every other error wins over a NULL one.
  EXPECT_STATUS(zx_vmar_map(vmar, PERM_RW, 0, read_only, 0, PAGE, NULL), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_vmar_map(dead, PERM_RW, 0, vmo, 0, PAGE, NULL), ZX_ERR_BAD_STATE);
  EXPECT_STATUS(zx_vmar_map(vmar, PERM_RW, 0, vmo, 0, 0, NULL), ZX_ERR_INVALID_ARGS);
  uintptr_t first = map_vmo(vmar, PERM_RW | ZX_VM_SPECIFIC, 0, vmo, 0, PAGE);
  ASSERT_NE(first, 0);
  EXPECT_STATUS(zx_vmar_map(vmar, PERM_RW, 0, vmo, 0, 8 * PAGE, NULL), ZX_ERR_NO_RESOURCES);
  EXPECT_STATUS(zx_vmar_map(vmar, PERM_RW | ZX_VM_SPECIFIC, 0, vmo, 0, PAGE, NULL),
                ZX_ERR_ALREADY_EXISTS);
  EXPECT_STATUS(zx_vmar_map(vmar, PERM_RW, 0, vmo, UINT64_MAX - PAGE + 1, PAGE, NULL),
                ZX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(addr, 0);
  EXPECT_EQ(num_mappings(vmo), 1);
  EXPECT_EQ(num_mappings(resizable), 0);
  EXPECT_OK(zx_handle_close(dead));
  drop_vmar(vmar);
  zx_handle_t handles[] = {no_map, read_only, resizable, vmo};
  close_all(handles, 4);
}

int main(void) { return run_tests(); }
