// zx_vmar_unmap (docs/reference/syscalls/vmar_unmap.md; the digest's section 3.14), in
// Zircon's order: the handle (BAD_HANDLE, WRONG_TYPE; no right is needed), an unaligned
// address (INVALID_ARGS), a length that rounds up to 0 (INVALID_ARGS), a destroyed VMAR
// (BAD_STATE), a range not inside the VMAR (INVALID_ARGS), then the work. Holes in the
// range are fine, and a range with nothing mapped is OK. A mapping partly in the range is
// split and only that part goes; a sub-VMAR must lie wholly inside the range (and the
// handle needs ZX_RIGHT_OP_CHILDREN), and is then destroyed. Unmapping takes pages out of
// the address space, not out of the VMO.
//
// Whether a page is mapped is asked with probes (<zrk/vmar_util.h>) where Fuchsia's tests
// use zx_process_read_memory.
//
// CamelCase cases are Fuchsia's cases of the same name (the Vmar tests of
// zircon/system/utest/core/vmar/vmar.cc); snake_case cases are ours.
#include <zrk/vmar_util.h>

MAP_TEST(bad_handles) {
  zx_handle_t vmo = new_vmo(1, 0);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  uintptr_t addr = map_root(PERM_R, vmo, 0, PAGE);
  ASSERT_NE(addr, 0);
  zx_handle_t bad[] = {ZX_HANDLE_INVALID, stale_handle(), 0xfffffffbu};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    TEST_CONTEXT("handle %#x", bad[i]);
    EXPECT_STATUS(zx_vmar_unmap(bad[i], addr, PAGE), ZX_ERR_BAD_HANDLE);
    EXPECT_STATUS(zx_vmar_unmap(bad[i], 1, 0), ZX_ERR_BAD_HANDLE);
  }
  TEST_CONTEXT("wrong types");
  EXPECT_STATUS(zx_vmar_unmap(vmo, addr, PAGE), ZX_ERR_WRONG_TYPE);
  EXPECT_STATUS(zx_vmar_unmap(vmo, 0, 0), ZX_ERR_WRONG_TYPE);
  EXPECT_STATUS(zx_vmar_unmap(zx_thread_self(), addr, PAGE), ZX_ERR_WRONG_TYPE);
  EXPECT_EQ(probe_read(addr), ZX_OK);
  unmap_root(addr, PAGE);
  EXPECT_OK(zx_handle_close(vmo));
}

// No right is needed to unmap a mapping (only OP_CHILDREN, for sub-VMARs).
MAP_TEST(a_handle_without_rights_unmaps_mappings) {
  zx_handle_t vmo = new_vmo(1, 0);
  uintptr_t addr = map_root(PERM_R, vmo, 0, PAGE);
  ASSERT_NE(addr, 0);
  zx_handle_t none = dup_with(zx_vmar_root_self(), ZX_RIGHT_NONE);
  ASSERT_NE(none, ZX_HANDLE_INVALID);
  EXPECT_OK(zx_vmar_unmap(none, addr, PAGE));
  EXPECT_EQ(probe_read(addr), ZX_ERR_NOT_FOUND);
  EXPECT_EQ(num_mappings(vmo), 0);
  EXPECT_OK(zx_handle_close(none));
  EXPECT_OK(zx_handle_close(vmo));
}

MAP_TEST(argument_errors) {
  zx_vaddr_t base;
  zx_handle_t vmar = sandbox(8, &base);
  zx_handle_t vmo = new_vmo(4, 0);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  uintptr_t addr = map_vmo(vmar, PERM_RW | ZX_VM_SPECIFIC, 2 * PAGE, vmo, 0, 4 * PAGE);
  ASSERT_NE(addr, 0);
  const size_t rounds_to_zero = SIZE_MAX - PAGE + 2;
  EXPECT_STATUS(zx_vmar_unmap(vmar, addr + 1, PAGE), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_vmar_unmap(vmar, addr + PAGE / 2, 0), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_vmar_unmap(vmar, addr, 0), ZX_ERR_INVALID_ARGS);
  for (int i = -1; i < 2; i++) {
    TEST_CONTEXT("length that rounds to 0, at page %d", i);
    EXPECT_STATUS(zx_vmar_unmap(vmar, addr + (intptr_t)i * (intptr_t)PAGE, rounds_to_zero),
                  ZX_ERR_INVALID_ARGS);
  }
  // Ranges not inside the VMAR.
  struct {
    const char* name;
    uintptr_t addr;
    size_t len;
  } outside[] = {
      {"below it", base - PAGE, PAGE},
      {"across its start", base - PAGE, 3 * PAGE},
      {"across its end", base + 6 * PAGE, 4 * PAGE},
      {"just past it", base + 8 * PAGE, PAGE},
      {"wrapping", base + 4 * PAGE, SIZE_MAX - 2 * PAGE + 1},
      {"the kernel half", 0xffff000000000000, PAGE},
  };
  for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++) {
    TEST_CONTEXT("%s", outside[i].name);
    EXPECT_STATUS(zx_vmar_unmap(vmar, outside[i].addr, outside[i].len), ZX_ERR_INVALID_ARGS);
  }
  TEST_CONTEXT("%s", "");
  // Nothing was unmapped by any of that.
  EXPECT_EQ(mapped_pages(base, 8), 0x3c);
  drop_vmar(vmar);
  EXPECT_OK(zx_handle_close(vmo));
}

// A destroyed VMAR answers BAD_STATE, after the alignment and length checks.
MAP_TEST(destroyed_vmar) {
  zx_vaddr_t base;
  zx_handle_t vmar = sandbox(8, &base);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  ASSERT_OK(zx_vmar_destroy(vmar));
  EXPECT_STATUS(zx_vmar_unmap(vmar, base, PAGE), ZX_ERR_BAD_STATE);
  EXPECT_STATUS(zx_vmar_unmap(vmar, base + 100 * PAGE, PAGE), ZX_ERR_BAD_STATE);
  EXPECT_STATUS(zx_vmar_unmap(vmar, base + 1, PAGE), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_vmar_unmap(vmar, base, 0), ZX_ERR_INVALID_ARGS);
  EXPECT_OK(zx_handle_close(vmar));
}

MAP_TEST(holes_are_fine) {
  zx_vaddr_t base;
  zx_handle_t vmar = sandbox(16, &base);
  zx_handle_t vmo = new_vmo(4, 0);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  // Nothing mapped at all.
  EXPECT_OK(zx_vmar_unmap(vmar, base, 16 * PAGE));
  EXPECT_OK(zx_vmar_unmap(vmar, base + 5 * PAGE, PAGE));
  // Two mappings with holes around and between them.
  ASSERT_NE(map_vmo(vmar, PERM_RW | ZX_VM_SPECIFIC, 2 * PAGE, vmo, 0, 2 * PAGE), 0);
  ASSERT_NE(map_vmo(vmar, PERM_RW | ZX_VM_SPECIFIC, 8 * PAGE, vmo, 0, 4 * PAGE), 0);
  EXPECT_EQ(mapped_pages(base, 16), 0x0f0c);
  EXPECT_OK(zx_vmar_unmap(vmar, base + 4 * PAGE, 4 * PAGE));  // just the hole
  EXPECT_EQ(mapped_pages(base, 16), 0x0f0c);
  EXPECT_OK(zx_vmar_unmap(vmar, base, 16 * PAGE));
  EXPECT_EQ(mapped_pages(base, 16), 0);
  EXPECT_EQ(num_mappings(vmo), 0);
  drop_vmar(vmar);
  EXPECT_OK(zx_handle_close(vmo));
}

// Fuchsia's UnmapBaseNotMappedTest: a range starting in a hole before a mapping.
MAP_TEST(UnmapBaseNotMappedTest) {
  zx_vaddr_t base;
  zx_handle_t vmar = sandbox(16, &base);
  zx_handle_t vmo = new_vmo(4, 0);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  const size_t size = 4 * PAGE;
  uintptr_t addr = map_vmo(vmar, PERM_RW | ZX_VM_SPECIFIC, PAGE, vmo, 0, size);
  ASSERT_NE(addr, 0);
  ASSERT_OK(zx_vmar_unmap(vmar, addr - PAGE, size + PAGE));
  EXPECT_EQ(mapped_pages(base, 16), 0);
  ASSERT_NE(map_vmo(vmar, PERM_RW | ZX_VM_SPECIFIC, 0, vmo, 0, size), 0);
  for (size_t gap = PAGE; gap < 3 * PAGE; gap += PAGE) {
    TEST_CONTEXT("gap %zu pages", gap / PAGE);
    addr = map_vmo(vmar, PERM_RW | ZX_VM_SPECIFIC, size + gap, vmo, 0, size);
    ASSERT_NE(addr, 0);
    ASSERT_OK(zx_vmar_unmap(vmar, addr - PAGE, size + PAGE));
    EXPECT_EQ(mapped_pages(base, 16), 0xf);
  }
  drop_vmar(vmar);
  EXPECT_OK(zx_handle_close(vmo));
}

// A 4-page VMO with page i holding i + 1, mapped RW at `offset` pages into `vmar`.
static uintptr_t map_tagged(zx_handle_t vmar, zx_handle_t vmo, size_t offset) {
  return map_vmo(vmar, PERM_RW | ZX_VM_SPECIFIC, offset * PAGE, vmo, 0, 4 * PAGE);
}

// Each page still shows its own VMO page: bit i of `pages` says page i should be there.
static void expect_tags(uintptr_t addr, uint64_t pages, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (pages & (1ull << i)) {
      TEST_CONTEXT("page %zu", i);
      EXPECT_EQ(*u32_at(addr + i * PAGE), (uint32_t)(i % 4) + 1);
    }
  }
  TEST_CONTEXT("%s", "");
}

MAP_TEST(UnmapSplitTest) {
  zx_vaddr_t base;
  zx_handle_t vmar = sandbox(16, &base);
  zx_handle_t vmo = tagged_vmo(4);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  uintptr_t a[3];
  for (int i = 0; i < 3; i++) {
    a[i] = map_tagged(vmar, vmo, 5 * (size_t)i);
    ASSERT_NE(a[i], 0);
  }
  // From the left.
  EXPECT_OK(zx_vmar_unmap(vmar, a[0], 2 * PAGE));
  EXPECT_EQ(mapped_pages(a[0], 4), 0xc);
  expect_tags(a[0], 0xc, 4);
  EXPECT_OK(zx_vmar_unmap(vmar, a[0] + 2 * PAGE, 2 * PAGE));
  EXPECT_EQ(mapped_pages(a[0], 4), 0);
  // From the right.
  EXPECT_OK(zx_vmar_unmap(vmar, a[1] + 2 * PAGE, 2 * PAGE));
  EXPECT_EQ(mapped_pages(a[1], 4), 0x3);
  expect_tags(a[1], 0x3, 4);
  EXPECT_OK(zx_vmar_unmap(vmar, a[1], 2 * PAGE));
  EXPECT_EQ(mapped_pages(a[1], 4), 0);
  // From the middle: two pieces remain, each at its own VMO offset.
  EXPECT_OK(zx_vmar_unmap(vmar, a[2] + PAGE, 2 * PAGE));
  EXPECT_EQ(mapped_pages(a[2], 4), 0x9);
  expect_tags(a[2], 0x9, 4);
  *u32_at(a[2] + 3 * PAGE) = 44;
  EXPECT_EQ(read_u32(vmo, 3 * PAGE), 44);
  ASSERT_OK(write_u32(vmo, 3 * PAGE, 4));
  EXPECT_OK(zx_vmar_unmap(vmar, a[2], PAGE));
  EXPECT_OK(zx_vmar_unmap(vmar, a[2] + 3 * PAGE, PAGE));
  EXPECT_EQ(mapped_pages(a[2], 4), 0);
  EXPECT_EQ(num_mappings(vmo), 0);
  // The same places map again.
  for (int i = 0; i < 3; i++) {
    TEST_CONTEXT("remapping %d", i);
    uintptr_t again = map_tagged(vmar, vmo, 5 * (size_t)i);
    EXPECT_EQ(again, a[i]);
    EXPECT_EQ(mapped_pages(a[i], 4), 0xf);
    expect_tags(a[i], 0xf, 4);
    EXPECT_OK(zx_vmar_unmap(vmar, again, 4 * PAGE));
  }
  drop_vmar(vmar);
  EXPECT_OK(zx_handle_close(vmo));
}

MAP_TEST(UnmapMultipleTest) {
  const size_t n = 4;  // pages per mapping
  zx_vaddr_t base;
  zx_handle_t vmar = sandbox(16, &base);
  zx_handle_t vmo = tagged_vmo(4);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  // Two adjacent mappings: the right of one and the left of the other.
  ASSERT_NE(map_tagged(vmar, vmo, 0), 0);
  ASSERT_NE(map_tagged(vmar, vmo, n), 0);
  EXPECT_OK(zx_vmar_unmap(vmar, base + 2 * PAGE, 3 * PAGE));
  EXPECT_EQ(mapped_pages(base, 8), 0xe3);
  expect_tags(base, 0xe3, 8);
  EXPECT_OK(zx_vmar_unmap(vmar, base, 2 * PAGE));
  EXPECT_OK(zx_vmar_unmap(vmar, base + 5 * PAGE, 3 * PAGE));
  EXPECT_EQ(mapped_pages(base, 8), 0);

  // With a gap between: all of the left one and some of the right one.
  ASSERT_NE(map_tagged(vmar, vmo, 0), 0);
  ASSERT_NE(map_tagged(vmar, vmo, 2 * n), 0);
  EXPECT_OK(zx_vmar_unmap(vmar, base, 2 * n * PAGE + PAGE));
  EXPECT_EQ(mapped_pages(base, 12), 0xe00);
  EXPECT_OK(zx_vmar_unmap(vmar, base + 9 * PAGE, 3 * PAGE));
  EXPECT_EQ(mapped_pages(base, 12), 0);

  // With a sub-VMAR between: unmapping across it destroys it.
  zx_handle_t sub = ZX_HANDLE_INVALID;
  zx_vaddr_t sub_addr = 0;
  ASSERT_NE(map_tagged(vmar, vmo, 0), 0);
  ASSERT_NE(map_tagged(vmar, vmo, 2 * n), 0);
  ASSERT_OK(zx_vmar_allocate(vmar, CAN_RW_SPECIFIC | ZX_VM_SPECIFIC, n * PAGE, n * PAGE, &sub,
                             &sub_addr));
  EXPECT_EQ(sub_addr, base + n * PAGE);
  ASSERT_NE(map_vmo(sub, PERM_RW | ZX_VM_SPECIFIC, 0, vmo, 0, PAGE), 0);
  EXPECT_EQ(mapped_pages(base, 12), 0xf1f);
  EXPECT_OK(zx_vmar_unmap(vmar, base, 2 * n * PAGE + PAGE));
  EXPECT_EQ(mapped_pages(base, 12), 0xe00);
  zx_vaddr_t addr = 0;
  EXPECT_STATUS(zx_vmar_map(sub, PERM_RW | ZX_VM_SPECIFIC, PAGE, vmo, 0, PAGE, &addr),
                ZX_ERR_BAD_STATE);
  EXPECT_OK(zx_vmar_unmap(vmar, base + 9 * PAGE, 3 * PAGE));
  EXPECT_EQ(mapped_pages(base, 12), 0);
  EXPECT_OK(zx_handle_close(sub));

  // A sub-VMAR after them: cutting through it fails and changes nothing; all of it works.
  ASSERT_NE(map_tagged(vmar, vmo, 0), 0);
  ASSERT_NE(map_tagged(vmar, vmo, n), 0);
  ASSERT_OK(zx_vmar_allocate(vmar, CAN_RW_SPECIFIC | ZX_VM_SPECIFIC, 2 * n * PAGE, n * PAGE,
                             &sub, &sub_addr));
  ASSERT_NE(map_vmo(sub, PERM_RW | ZX_VM_SPECIFIC, 0, vmo, 0, PAGE), 0);
  EXPECT_EQ(mapped_pages(base, 12), 0x1ff);
  EXPECT_STATUS(zx_vmar_unmap(vmar, base + PAGE, 3 * n * PAGE - 2 * PAGE), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(mapped_pages(base, 12), 0x1ff);
  EXPECT_OK(zx_vmar_unmap(vmar, base + PAGE, 3 * n * PAGE - PAGE));
  EXPECT_EQ(mapped_pages(base, 12), 0x1);
  EXPECT_STATUS(zx_vmar_map(sub, PERM_RW | ZX_VM_SPECIFIC, PAGE, vmo, 0, PAGE, &addr),
                ZX_ERR_BAD_STATE);
  EXPECT_OK(zx_vmar_unmap(vmar, base, PAGE));
  EXPECT_EQ(mapped_pages(base, 12), 0);
  EXPECT_OK(zx_handle_close(sub));

  // A sub-VMAR before them: the same.
  ASSERT_NE(map_tagged(vmar, vmo, n), 0);
  ASSERT_NE(map_tagged(vmar, vmo, 2 * n), 0);
  ASSERT_OK(zx_vmar_allocate(vmar, CAN_RW_SPECIFIC | ZX_VM_SPECIFIC, 0, n * PAGE, &sub,
                             &sub_addr));
  ASSERT_NE(map_vmo(sub, PERM_RW | ZX_VM_SPECIFIC, (n - 1) * PAGE, vmo, 0, PAGE), 0);
  EXPECT_EQ(mapped_pages(base, 12), 0xff8);
  EXPECT_STATUS(zx_vmar_unmap(vmar, base + PAGE, 3 * n * PAGE - PAGE), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(mapped_pages(base, 12), 0xff8);
  EXPECT_OK(zx_vmar_unmap(vmar, base, 3 * n * PAGE));
  EXPECT_EQ(mapped_pages(base, 12), 0);
  EXPECT_STATUS(zx_vmar_map(sub, PERM_RW | ZX_VM_SPECIFIC, PAGE, vmo, 0, PAGE, &addr),
                ZX_ERR_BAD_STATE);
  EXPECT_OK(zx_handle_close(sub));
  EXPECT_EQ(num_mappings(vmo), 0);
  drop_vmar(vmar);
  EXPECT_OK(zx_handle_close(vmo));
}

// Without ZX_RIGHT_OP_CHILDREN a handle cannot unmap across a sub-VMAR.
MAP_TEST(UnmapOpChildren) {
  zx_handle_t vmo = new_vmo(1, 0);
  zx_vaddr_t base;
  zx_handle_t vmar = sandbox_with(CAN_RW, 1, &base);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  zx_handle_t child = ZX_HANDLE_INVALID;
  zx_vaddr_t child_addr = 0;
  ASSERT_OK(zx_vmar_allocate(vmar, CAN_RW, 0, PAGE, &child, &child_addr));
  uintptr_t addr = map_vmo(child, PERM_RW, 0, vmo, 0, PAGE);
  EXPECT_EQ(child_addr, base);
  EXPECT_EQ(addr, base);
  zx_handle_t weak = dup_with(vmar, ZX_DEFAULT_VMAR_RIGHTS & ~ZX_RIGHT_OP_CHILDREN);
  ASSERT_NE(weak, ZX_HANDLE_INVALID);
  EXPECT_STATUS(zx_vmar_unmap(weak, base, PAGE), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(probe_read(base), ZX_OK);
  // The child itself, a mapping and not a sub-VMAR for it, unmaps without it.
  zx_handle_t weak_child = dup_with(child, ZX_DEFAULT_VMAR_RIGHTS & ~ZX_RIGHT_OP_CHILDREN);
  EXPECT_OK(zx_vmar_unmap(weak_child, base, PAGE));
  EXPECT_EQ(probe_read(base), ZX_ERR_NOT_FOUND);
  ASSERT_NE(map_vmo(child, PERM_RW, 0, vmo, 0, PAGE), 0);
  EXPECT_OK(zx_vmar_unmap(vmar, base, PAGE));
  EXPECT_EQ(probe_read(base), ZX_ERR_NOT_FOUND);
  EXPECT_STATUS(zx_vmar_map(child, PERM_RW, 0, vmo, 0, PAGE, &addr), ZX_ERR_BAD_STATE);
  zx_handle_t handles[] = {weak_child, weak, child, vmo};
  close_all(handles, 4);
  drop_vmar(vmar);
}

MAP_TEST(UnalignedLenTest) {
  zx_handle_t vmo = new_vmo(4, 0);
  uintptr_t addr = map_root(PERM_R, vmo, 0, 4 * PAGE);
  ASSERT_NE(addr, 0);
  EXPECT_OK(zx_vmar_protect(zx_vmar_root_self(), PERM_RW, addr, 4 * PAGE - 1));
  EXPECT_EQ(writable_pages(addr, 4), 0xf);
  EXPECT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, 4 * PAGE - 1));
  EXPECT_EQ(probe_read(addr + 3 * PAGE), ZX_ERR_NOT_FOUND);
  EXPECT_EQ(num_mappings(vmo), 0);
  EXPECT_OK(zx_handle_close(vmo));
}

// Unmapping takes the pages out of the address space, not out of the VMO.
MAP_TEST(unmapping_keeps_the_vmo_contents) {
  zx_handle_t vmo = new_vmo(2, 0);
  uintptr_t addr = map_root(PERM_RW, vmo, 0, 2 * PAGE);
  ASSERT_NE(addr, 0);
  *u32_at(addr + PAGE + 8) = 0xabcd;
  unmap_root(addr, 2 * PAGE);
  EXPECT_EQ(probe_read(addr + PAGE), ZX_ERR_NOT_FOUND);
  EXPECT_EQ(read_u32(vmo, PAGE + 8), 0xabcd);
  EXPECT_EQ(committed(vmo), PAGE);
  addr = map_root(PERM_R, vmo, PAGE, PAGE);
  ASSERT_NE(addr, 0);
  EXPECT_EQ(*u32_at(addr + 8), 0xabcd);
  unmap_root(addr, PAGE);
  EXPECT_OK(zx_handle_close(vmo));
}

// Fuchsia's PartialUnmapAndRead and PartialUnmapAndWrite: after the second page of a
// mapping goes, the first still works, the second is NOT_FOUND, and a copy across the
// two moves the first part before it stops.
MAP_TEST(PartialUnmapAndRead) {
  zx_handle_t vmo = new_vmo(2, 0);
  uintptr_t addr = map_root(PERM_RW, vmo, 0, 2 * PAGE);
  ASSERT_NE(addr, 0);
  EXPECT_OK(zx_handle_close(vmo));
  memset((void*)addr, 0x5a, 2 * PAGE);
  EXPECT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr + PAGE, PAGE));
  zx_handle_t sink = new_vmo(2, 0);
  static uint8_t buf[2 * ZX_PAGE_SIZE];
  EXPECT_OK(zx_vmo_write(sink, (const void*)addr, 0, PAGE));
  EXPECT_STATUS(zx_vmo_write(sink, (const void*)(addr + PAGE), 0, PAGE), ZX_ERR_NOT_FOUND);
  EXPECT_STATUS(zx_vmo_write(sink, (const void*)addr, PAGE, 2 * PAGE - PAGE / 2),
                ZX_ERR_OUT_OF_RANGE);
  ASSERT_OK(zx_vmo_op_range(sink, ZX_VMO_OP_ZERO, 0, 2 * PAGE, NULL, 0));
  EXPECT_STATUS(zx_vmo_write(sink, (const void*)addr, 0, 2 * PAGE), ZX_ERR_NOT_FOUND);
  EXPECT_OK(zx_vmo_read(sink, buf, 0, 2 * PAGE));
  EXPECT_TRUE(all_bytes(buf, PAGE, 0x5a));
  EXPECT_TRUE(all_bytes(buf + PAGE, PAGE, 0));
  // Straddling the boundary (at the same place in the VMO): one byte, then NOT_FOUND.
  ASSERT_OK(zx_vmo_op_range(sink, ZX_VMO_OP_ZERO, 0, 2 * PAGE, NULL, 0));
  EXPECT_STATUS(zx_vmo_write(sink, (const void*)(addr + PAGE - 1), PAGE - 1, 2),
                ZX_ERR_NOT_FOUND);
  EXPECT_OK(zx_vmo_read(sink, buf, PAGE - 1, 2));
  EXPECT_EQ(buf[0], 0x5a);
  EXPECT_EQ(buf[1], 0);
  EXPECT_OK(zx_handle_close(sink));
  unmap_root(addr, PAGE);
}

MAP_TEST(PartialUnmapAndWrite) {
  zx_handle_t vmo = new_vmo(2, 0);
  uintptr_t addr = map_root(PERM_RW, vmo, 0, 2 * PAGE);
  ASSERT_NE(addr, 0);
  memset((void*)addr, 0, 2 * PAGE);
  EXPECT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr + PAGE, PAGE));
  zx_handle_t source = new_vmo(2, 0);
  static uint8_t buf[2 * ZX_PAGE_SIZE];
  memset(buf, 0x77, sizeof buf);
  ASSERT_OK(zx_vmo_write(source, buf, 0, 2 * PAGE));
  EXPECT_OK(zx_vmo_read(source, (void*)addr, 0, PAGE));
  EXPECT_TRUE(all_bytes((const void*)addr, PAGE, 0x77));
  EXPECT_STATUS(zx_vmo_read(source, (void*)(addr + PAGE), 0, PAGE), ZX_ERR_NOT_FOUND);
  memset((void*)addr, 0, PAGE);
  EXPECT_STATUS(zx_vmo_read(source, (void*)addr, 0, 2 * PAGE), ZX_ERR_NOT_FOUND);
  EXPECT_TRUE(all_bytes((const void*)addr, PAGE, 0x77));
  memset((void*)addr, 0, PAGE);
  EXPECT_STATUS(zx_vmo_read(source, (void*)(addr + PAGE - 1), PAGE - 1, 2), ZX_ERR_NOT_FOUND);
  EXPECT_EQ(*u8_at(addr + PAGE - 1), 0x77);
  EXPECT_EQ(*u8_at(addr + PAGE - 2), 0);
  // The VMO behind the mapping got exactly what went through the first page.
  EXPECT_OK(zx_vmo_read(vmo, buf, 0, 2 * PAGE));
  EXPECT_EQ(buf[PAGE - 1], 0x77);
  EXPECT_TRUE(all_bytes(buf, PAGE - 1, 0));
  EXPECT_TRUE(all_bytes(buf + PAGE, PAGE, 0));
  zx_handle_t handles[] = {source, vmo};
  close_all(handles, 2);
  unmap_root(addr, PAGE);
}

// A mapping at a VMO offset: its first and last bytes work, the byte after it does not,
// and a copy across its end moves the byte before it and stops.
MAP_TEST(PartialUnmapWithVmarOffset) {
  const size_t offset = PAGE, vmo_size = 10 * PAGE, len = vmo_size - offset;
  zx_vaddr_t base;
  zx_handle_t vmar = sandbox(10, &base);
  zx_handle_t vmo = new_vmo(10, 0);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  uintptr_t addr = map_vmo(vmar, PERM_RW | ZX_VM_SPECIFIC, 0, vmo, offset, len);
  ASSERT_NE(addr, 0);
  EXPECT_OK(zx_handle_close(vmo));
  memset((void*)addr, 0x3c, len);
  EXPECT_EQ(probe_write(addr), ZX_OK);
  EXPECT_EQ(probe_write(addr + len - 1), ZX_OK);
  EXPECT_EQ(probe_write(addr + len), ZX_ERR_NOT_FOUND);
  EXPECT_EQ(probe_read(addr + len), ZX_ERR_NOT_FOUND);
  zx_handle_t sink = new_vmo(2, 0);
  uint8_t two[2] = {0, 0};
  EXPECT_STATUS(zx_vmo_write(sink, (const void*)(addr + len - 1), PAGE - 1, 2),
                ZX_ERR_NOT_FOUND);
  EXPECT_OK(zx_vmo_read(sink, two, PAGE - 1, 2));
  EXPECT_EQ(two[0], 0x3c);
  EXPECT_EQ(two[1], 0);
  EXPECT_OK(zx_handle_close(sink));
  drop_vmar(vmar);
}

MAP_TEST(UnmapLargeUncommittedTest) {
  const size_t size = 1 * GIB;
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(size, 0, &vmo));
  uintptr_t addr = map_root(PERM_RW, vmo, 0, size);
  ASSERT_NE(addr, 0);
  EXPECT_OK(zx_handle_close(vmo));
  *u8_at(addr) = 5;
  *u8_at(addr + size / 2) = 6;
  *u8_at(addr + size - 1) = 7;
  // Start off a 2 MiB boundary, so whole and partial page tables are involved.
  const uintptr_t from = ((addr + 512 * PAGE - 1) & ~(512 * PAGE - 1)) + PAGE;
  EXPECT_OK(zx_vmar_unmap(zx_vmar_root_self(), from, addr + size - from));
  EXPECT_EQ(probe_write(addr), ZX_OK);
  EXPECT_EQ(*u8_at(addr), 5);
  EXPECT_EQ(probe_write(addr + size / 4), ZX_ERR_NOT_FOUND);
  EXPECT_EQ(probe_write(addr + size / 2), ZX_ERR_NOT_FOUND);
  EXPECT_EQ(probe_write(addr + size - 1), ZX_ERR_NOT_FOUND);
  EXPECT_EQ(probe_write(from), ZX_ERR_NOT_FOUND);
  EXPECT_EQ(probe_write(from - 1), ZX_OK);
  EXPECT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, size));
}

// Unmapping gives back the page tables it leaves empty: a page mapped where no table was
// costs tables, and they go with it (MAP_TEST checks free_bytes exactly).
MAP_TEST(page_tables_left_empty_are_freed) {
  zx_vaddr_t base = 0;
  zx_handle_t vmar = aligned_sandbox(GIB, &base);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  zx_handle_t vmo = new_vmo(1, 0);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  uint64_t tables_before = kmem().mmu_overhead_bytes;
  uintptr_t addr = map_vmo(vmar, PERM_RW | ZX_VM_SPECIFIC, GIB / 2, vmo, 0, PAGE);
  ASSERT_NE(addr, 0);
  *u32_at(addr) = 7;
  EXPECT_GT(kmem().mmu_overhead_bytes, tables_before);
  EXPECT_OK(zx_vmar_unmap(vmar, addr, PAGE));
  EXPECT_EQ(kmem().mmu_overhead_bytes, tables_before);
  drop_vmar(vmar);
  EXPECT_OK(zx_handle_close(vmo));
}

// Unmapping a vast, sparse range costs what is mapped in it, not its length: two pages
// at the ends of a 16 TiB sub-VMAR go, the tables under them too.
MAP_TEST(a_vast_sparse_range_unmaps) {
  const uint64_t size = 1ull << 44;
  zx_vaddr_t base = 0;
  zx_handle_t vmar = aligned_sandbox(size, &base);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  zx_handle_t vmo = new_vmo(1, 0);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  uint64_t tables_before = kmem().mmu_overhead_bytes;
  uintptr_t first = map_vmo(vmar, PERM_RW | ZX_VM_SPECIFIC, 0, vmo, 0, PAGE);
  uintptr_t last = map_vmo(vmar, PERM_RW | ZX_VM_SPECIFIC, size - PAGE, vmo, 0, PAGE);
  ASSERT_NE(first, 0);
  ASSERT_NE(last, 0);
  *u32_at(first) = 1;
  *u32_at(last) = 2;
  EXPECT_EQ(*u32_at(first), 2u);
  EXPECT_OK(zx_vmar_unmap(vmar, base, size));
  EXPECT_EQ(probe_read(first), ZX_ERR_NOT_FOUND);
  EXPECT_EQ(probe_read(last), ZX_ERR_NOT_FOUND);
  EXPECT_EQ(kmem().mmu_overhead_bytes, tables_before);
  drop_vmar(vmar);
  EXPECT_OK(zx_handle_close(vmo));
}

int main(void) { return run_tests(); }
