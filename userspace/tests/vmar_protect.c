// zx_vmar_protect (docs/reference/syscalls/vmar_protect.md; the digest's section 3.15),
// in Zircon's order: the handle with the rights the new permissions need (READ for
// PERM_READ, WRITE for PERM_WRITE, EXECUTE for PERM_EXECUTE; BAD_HANDLE, WRONG_TYPE,
// ACCESS_DENIED), WRITE or EXECUTE without READ and any other option bit (INVALID_ARGS),
// an unaligned address or a length that rounds up to 0 (INVALID_ARGS), a destroyed VMAR
// (BAD_STATE), a range not inside the VMAR (INVALID_ARGS), an unmapped gap anywhere in
// the range, an empty sub-VMAR included (NOT_FOUND), more than a mapping's maximum
// permissions (the rights of the VMO and VMAR handles it was made with; ACCESS_DENIED),
// raising permissions inside a sub-VMAR (ACCESS_DENIED). A failed call changes nothing;
// options 0 (no access) is valid.
//
// What a page allows is asked with probes (<zrk/vmar_util.h>): a load or store that a
// mapping refuses would kill the program, so these tests ask zx_vmo_write/zx_vmo_read
// to do it, which answer ACCESS_DENIED where Fuchsia's probe_for_read/probe_for_write
// see the fault.
//
// CamelCase cases are Fuchsia's cases of the same name (VmoTestCase in
// zircon/system/utest/core/vmo/vmo.cc, or the Vmar tests of
// zircon/system/utest/core/vmar/vmar.cc); snake_case cases are ours.
#include <zrk/vmar_util.h>

MAP_TEST(bad_handles) {
  zx_handle_t vmo = new_vmo(1, 0);
  uintptr_t addr = map_root(PERM_RW, vmo, 0, PAGE);
  ASSERT_NE(addr, 0);
  zx_handle_t bad[] = {ZX_HANDLE_INVALID, stale_handle(), 0xfffffffbu};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    TEST_CONTEXT("handle %#x", bad[i]);
    EXPECT_STATUS(zx_vmar_protect(bad[i], PERM_R, addr, PAGE), ZX_ERR_BAD_HANDLE);
    EXPECT_STATUS(zx_vmar_protect(bad[i], ZX_VM_PERM_WRITE, addr + 1, 0), ZX_ERR_BAD_HANDLE);
  }
  TEST_CONTEXT("wrong types");
  EXPECT_STATUS(zx_vmar_protect(vmo, PERM_R, 0, 0), ZX_ERR_WRONG_TYPE);
  EXPECT_STATUS(zx_vmar_protect(vmo, PERM_R, addr, PAGE), ZX_ERR_WRONG_TYPE);
  EXPECT_STATUS(zx_vmar_protect(zx_process_self(), 0, addr, PAGE), ZX_ERR_WRONG_TYPE);
  EXPECT_EQ(writable_pages(addr, 1), 1);
  unmap_root(addr, PAGE);
  EXPECT_OK(zx_handle_close(vmo));
}

// The VMAR handle needs the rights matching the new permissions, checked before
// anything about the arguments; taking all access away needs none.
MAP_TEST(rights_come_first) {
  zx_handle_t vmo = new_vmo(1, 0);
  uintptr_t addr = map_root(PERM_RW, vmo, 0, PAGE);
  ASSERT_NE(addr, 0);
  zx_handle_t root = zx_vmar_root_self();
  zx_rights_t all = rights_of(root);
  zx_handle_t no_read = dup_with(root, all & ~ZX_RIGHT_READ);
  zx_handle_t no_write = dup_with(root, all & ~ZX_RIGHT_WRITE);
  zx_handle_t no_exec = dup_with(root, all & ~ZX_RIGHT_EXECUTE);
  zx_handle_t none = dup_with(root, ZX_RIGHT_NONE);
  EXPECT_STATUS(zx_vmar_protect(no_read, PERM_R, addr, PAGE), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_vmar_protect(no_read, PERM_R, addr + 1, 0), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_vmar_protect(no_write, PERM_RW, addr, PAGE), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_vmar_protect(no_write, ZX_VM_PERM_WRITE, addr, PAGE), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_vmar_protect(no_exec, PERM_RX, addr, PAGE), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_vmar_protect(no_exec, ZX_VM_PERM_EXECUTE, 1, 0), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_vmar_protect(none, PERM_R, addr, PAGE), ZX_ERR_ACCESS_DENIED);
  EXPECT_EQ(writable_pages(addr, 1), 1);
  // What each handle does allow.
  EXPECT_OK(zx_vmar_protect(no_write, PERM_R, addr, PAGE));
  EXPECT_EQ(writable_pages(addr, 1), 0);
  EXPECT_OK(zx_vmar_protect(no_read, 0, addr, PAGE));
  EXPECT_EQ(readable_pages(addr, 1), 0);
  EXPECT_OK(zx_vmar_protect(no_exec, PERM_RW, addr, PAGE));
  EXPECT_EQ(writable_pages(addr, 1), 1);
  EXPECT_OK(zx_vmar_protect(none, 0, addr, PAGE));
  EXPECT_EQ(readable_pages(addr, 1), 0);
  zx_handle_t handles[] = {no_read, no_write, no_exec, none, vmo};
  close_all(handles, 5);
  unmap_root(addr, PAGE);
}

MAP_TEST(invalid_options) {
  zx_handle_t vmo = new_vmo(4, 0);
  uintptr_t addr = map_root(PERM_RW, vmo, 0, 4 * PAGE);
  ASSERT_NE(addr, 0);
  struct {
    const char* name;
    zx_vm_option_t options;
  } cases[] = {
      {"WRITE without READ", ZX_VM_PERM_WRITE},
      {"EXECUTE without READ", ZX_VM_PERM_EXECUTE},
      {"WRITE|EXECUTE without READ", ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE},
      {"bit 31", PERM_R | (1u << 31)},
      {"bit 20", PERM_R | (1u << 20)},
      {"CAN_MAP_WRITE", PERM_R | ZX_VM_CAN_MAP_WRITE},
      {"CAN_MAP_READ", PERM_R | ZX_VM_CAN_MAP_READ},
      {"SPECIFIC", PERM_R | ZX_VM_SPECIFIC},
      {"SPECIFIC_OVERWRITE", PERM_R | ZX_VM_SPECIFIC_OVERWRITE},
      {"MAP_RANGE", PERM_R | ZX_VM_MAP_RANGE},
      {"COMPACT", PERM_R | ZX_VM_COMPACT},
      {"an alignment", PERM_R | ZX_VM_ALIGN_64KB},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    TEST_CONTEXT("%s", cases[i].name);
    EXPECT_STATUS(zx_vmar_protect(zx_vmar_root_self(), cases[i].options, addr, 4 * PAGE),
                  ZX_ERR_INVALID_ARGS);
  }
  TEST_CONTEXT("%s", "");
  EXPECT_EQ(writable_pages(addr, 4), 0xf);
  unmap_root(addr, 4 * PAGE);
  EXPECT_OK(zx_handle_close(vmo));
}

MAP_TEST(argument_errors) {
  zx_vaddr_t base;
  zx_handle_t vmar = sandbox(8, &base);
  zx_handle_t vmo = new_vmo(8, 0);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  uintptr_t addr = map_vmo(vmar, PERM_RW | ZX_VM_SPECIFIC, 0, vmo, 0, 8 * PAGE);
  ASSERT_NE(addr, 0);
  const size_t rounds_to_zero = SIZE_MAX - PAGE + 2;
  EXPECT_STATUS(zx_vmar_protect(vmar, PERM_R, addr + 1, PAGE), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_vmar_protect(vmar, PERM_R, addr + PAGE - 1, PAGE), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_vmar_protect(vmar, PERM_R, addr, 0), ZX_ERR_INVALID_ARGS);
  for (int i = -1; i < 2; i++) {
    TEST_CONTEXT("length that rounds to 0, at page %d", i);
    EXPECT_STATUS(zx_vmar_protect(vmar, PERM_R, addr + (intptr_t)i * (intptr_t)PAGE,
                                  rounds_to_zero),
                  ZX_ERR_INVALID_ARGS);
  }
  struct {
    const char* name;
    uintptr_t addr;
    size_t len;
  } outside[] = {
      {"below it", base - PAGE, PAGE},
      {"across its start", base - PAGE, 2 * PAGE},
      {"across its end", base + 7 * PAGE, 2 * PAGE},
      {"just past it", base + 8 * PAGE, PAGE},
      {"wrapping", base + 4 * PAGE, SIZE_MAX - 2 * PAGE + 1},
      {"the kernel half", 0xffff000000000000, PAGE},
  };
  for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++) {
    TEST_CONTEXT("%s", outside[i].name);
    EXPECT_STATUS(zx_vmar_protect(vmar, PERM_R, outside[i].addr, outside[i].len),
                  ZX_ERR_INVALID_ARGS);
  }
  TEST_CONTEXT("%s", "");
  EXPECT_EQ(writable_pages(base, 8), 0xff);
  drop_vmar(vmar);
  EXPECT_OK(zx_handle_close(vmo));
}

MAP_TEST(destroyed_vmar) {
  zx_vaddr_t base;
  zx_handle_t vmar = sandbox(4, &base);
  zx_handle_t vmo = new_vmo(1, 0);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  ASSERT_NE(map_vmo(vmar, PERM_RW | ZX_VM_SPECIFIC, 0, vmo, 0, PAGE), 0);
  ASSERT_OK(zx_vmar_destroy(vmar));
  EXPECT_STATUS(zx_vmar_protect(vmar, PERM_R, base, PAGE), ZX_ERR_BAD_STATE);
  EXPECT_STATUS(zx_vmar_protect(vmar, 0, base + 100 * PAGE, PAGE), ZX_ERR_BAD_STATE);
  EXPECT_STATUS(zx_vmar_protect(vmar, PERM_R, base + 1, PAGE), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_vmar_protect(vmar, PERM_R, base, 0), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(num_mappings(vmo), 0);
  EXPECT_OK(zx_handle_close(vmar));
  EXPECT_OK(zx_handle_close(vmo));
}

// Any part of the range that no mapping covers is NOT_FOUND, and nothing changes.
MAP_TEST(gaps_are_not_found) {
  zx_vaddr_t base;
  zx_handle_t vmar = sandbox(12, &base);
  zx_handle_t vmo = new_vmo(4, 0);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  ASSERT_NE(map_vmo(vmar, PERM_RW | ZX_VM_SPECIFIC, 2 * PAGE, vmo, 0, 4 * PAGE), 0);
  ASSERT_NE(map_vmo(vmar, PERM_RW | ZX_VM_SPECIFIC, 8 * PAGE, vmo, 0, 2 * PAGE), 0);
  struct {
    const char* name;
    size_t first, pages;
  } cases[] = {
      {"all hole", 0, 2},          {"starting in a hole", 1, 3},   {"ending in a hole", 4, 3},
      {"across the gap", 3, 6},    {"all of the VMAR", 0, 12},     {"after the last", 10, 2},
      {"hole between", 6, 2},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    TEST_CONTEXT("%s", cases[i].name);
    EXPECT_STATUS(zx_vmar_protect(vmar, PERM_R, base + cases[i].first * PAGE,
                                  cases[i].pages * PAGE),
                  ZX_ERR_NOT_FOUND);
    EXPECT_STATUS(zx_vmar_protect(vmar, 0, base + cases[i].first * PAGE, cases[i].pages * PAGE),
                  ZX_ERR_NOT_FOUND);
    EXPECT_EQ(writable_pages(base, 12), 0x33c);
  }
  drop_vmar(vmar);
  EXPECT_OK(zx_handle_close(vmo));
}

MAP_TEST(ReadOnlyMap) {
  zx_handle_t vmo = new_vmo(1, 0);
  uintptr_t addr = map_root(PERM_R, vmo, 0, PAGE);
  ASSERT_NE(addr, 0);
  EXPECT_EQ(probe_read(addr), ZX_OK);
  EXPECT_STATUS(probe_write(addr), ZX_ERR_ACCESS_DENIED);
  unmap_root(addr, PAGE);
  EXPECT_OK(zx_handle_close(vmo));
}

MAP_TEST(NoPermMap) {
  zx_handle_t vmo = new_vmo(1, 0);
  uintptr_t addr = map_root(PERM_R, vmo, 0, PAGE);
  ASSERT_NE(addr, 0);
  EXPECT_OK(zx_vmar_protect(zx_vmar_root_self(), 0, addr, PAGE));
  EXPECT_STATUS(probe_read(addr), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(probe_write(addr), ZX_ERR_ACCESS_DENIED);
  unmap_root(addr, PAGE);
  EXPECT_OK(zx_handle_close(vmo));
}

MAP_TEST(NoPermProtect) {
  zx_handle_t vmo = new_vmo(1, 0);
  ASSERT_OK(write_u32(vmo, 0, 0x1eaf));
  uintptr_t addr = map_root(0, vmo, 0, PAGE);
  ASSERT_NE(addr, 0);
  EXPECT_STATUS(probe_write(addr), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(probe_read(addr), ZX_ERR_ACCESS_DENIED);
  EXPECT_OK(zx_vmar_protect(zx_vmar_root_self(), PERM_R, addr, PAGE));
  EXPECT_STATUS(probe_write(addr), ZX_ERR_ACCESS_DENIED);
  EXPECT_OK(probe_read(addr));
  EXPECT_EQ(*u32_at(addr), 0x1eaf);
  EXPECT_OK(zx_vmar_protect(zx_vmar_root_self(), PERM_RW, addr, PAGE));
  *u32_at(addr) = 0xf00d;
  EXPECT_EQ(read_u32(vmo, 0), 0xf00d);
  unmap_root(addr, PAGE);
  EXPECT_OK(zx_handle_close(vmo));
}

// Protect can never go past the rights of the VMO handle a mapping was made with, even
// once that handle is closed; up to them it can (Fuchsia's ProtectTest).
MAP_TEST(ProtectTest) {
  zx_handle_t vmo = new_vmo(1, 0);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  struct {
    zx_rights_t rights;
    zx_vm_option_t perms;
  } rows[] = {{ZX_RIGHT_READ, PERM_R}, {ZX_RIGHT_READ | ZX_RIGHT_WRITE, PERM_RW}};
  for (size_t i = 0; i < 2; i++) {
    TEST_CONTEXT("VMO rights %#x", rows[i].rights);
    zx_handle_t h = dup_with(vmo, rows[i].rights | ZX_RIGHT_MAP);
    ASSERT_NE(h, ZX_HANDLE_INVALID);
    zx_vaddr_t addr = 0;
    EXPECT_STATUS(zx_vmar_map(zx_vmar_root_self(), PERM_RWX, 0, h, 0, PAGE, &addr),
                  ZX_ERR_ACCESS_DENIED);
    ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), rows[i].perms, 0, h, 0, PAGE, &addr));
    EXPECT_STATUS(zx_vmar_protect(zx_vmar_root_self(), PERM_RWX, addr, PAGE),
                  ZX_ERR_ACCESS_DENIED);
    if (rows[i].perms == PERM_R) {
      EXPECT_STATUS(zx_vmar_protect(zx_vmar_root_self(), PERM_RW, addr, PAGE),
                    ZX_ERR_ACCESS_DENIED);
    }
    EXPECT_OK(zx_handle_close(h));
    EXPECT_STATUS(zx_vmar_protect(zx_vmar_root_self(), PERM_RWX, addr, PAGE),
                  ZX_ERR_ACCESS_DENIED);
    if (rows[i].perms == PERM_R) {
      EXPECT_STATUS(zx_vmar_protect(zx_vmar_root_self(), PERM_RW, addr, PAGE),
                    ZX_ERR_ACCESS_DENIED);
      EXPECT_EQ(writable_pages(addr, 1), 0);
    } else {
      EXPECT_EQ(writable_pages(addr, 1), 1);
    }
    EXPECT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, PAGE));
  }
  EXPECT_OK(zx_handle_close(vmo));
}

// A mapping made read-only from a handle with WRITE may be made writable later.
MAP_TEST(maximum_permissions_come_from_the_handles_not_the_mapping) {
  zx_handle_t vmo = new_vmo(2, 0);
  uintptr_t addr = map_root(PERM_R, vmo, 0, 2 * PAGE);
  ASSERT_NE(addr, 0);
  EXPECT_EQ(writable_pages(addr, 2), 0);
  EXPECT_OK(zx_vmar_protect(zx_vmar_root_self(), PERM_RW, addr, PAGE));
  EXPECT_EQ(writable_pages(addr, 2), 1);
  // A sub-VMAR that may only hold readable mappings gives its mappings no more, even
  // asked through the root.
  zx_vaddr_t base;
  zx_handle_t ro = sandbox_with(ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_SPECIFIC, 2, &base);
  ASSERT_NE(ro, ZX_HANDLE_INVALID);
  EXPECT_EQ(rights_of(ro) & (ZX_RIGHT_READ | ZX_RIGHT_WRITE), ZX_RIGHT_READ);
  uintptr_t inner = map_vmo(ro, PERM_R | ZX_VM_SPECIFIC, 0, vmo, 0, PAGE);
  ASSERT_NE(inner, 0);
  EXPECT_STATUS(zx_vmar_protect(ro, PERM_RW, inner, PAGE), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_vmar_protect(zx_vmar_root_self(), PERM_RW, inner, PAGE),
                ZX_ERR_ACCESS_DENIED);
  EXPECT_EQ(writable_pages(inner, 1), 0);
  drop_vmar(ro);
  unmap_root(addr, 2 * PAGE);
  EXPECT_OK(zx_handle_close(vmo));
}

// Protecting through a parent can lower the permissions of a mapping in a sub-VMAR but
// not raise them; the sub-VMAR's own handle can. Without OP_CHILDREN the parent cannot
// touch it at all.
MAP_TEST(ProtectSubregionTest) {
  zx_vaddr_t addr;
  zx_handle_t vmar = sandbox_with(CAN_RW, 1, &addr);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  zx_handle_t child = ZX_HANDLE_INVALID;
  zx_vaddr_t child_addr = 0;
  ASSERT_OK(zx_vmar_allocate(vmar, CAN_RW, 0, PAGE, &child, &child_addr));
  zx_handle_t vmo = new_vmo(1, 0);
  uintptr_t map_addr = map_vmo(child, PERM_RW, 0, vmo, 0, PAGE);
  EXPECT_EQ(child_addr, addr);
  EXPECT_EQ(map_addr, addr);
  EXPECT_OK(zx_vmar_protect(vmar, PERM_R, addr, PAGE));
  EXPECT_EQ(writable_pages(addr, 1), 0);
  EXPECT_STATUS(zx_vmar_protect(vmar, PERM_RW, addr, PAGE), ZX_ERR_ACCESS_DENIED);
  EXPECT_EQ(writable_pages(addr, 1), 0);
  EXPECT_OK(zx_vmar_protect(child, PERM_RW, addr, PAGE));
  EXPECT_EQ(writable_pages(addr, 1), 1);
  zx_handle_t weak = dup_with(vmar, rights_of(vmar) & ~ZX_RIGHT_OP_CHILDREN);
  ASSERT_NE(weak, ZX_HANDLE_INVALID);
  EXPECT_STATUS(zx_vmar_protect(weak, PERM_R, addr, PAGE), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(writable_pages(addr, 1), 1);
  zx_handle_t handles[] = {weak, child, vmo};
  close_all(handles, 3);
  drop_vmar(vmar);
}

// Protecting part of a mapping splits it; each part gets exactly what was asked.
MAP_TEST(ProtectSplitTest) {
  zx_handle_t vmo = new_vmo(4, 0);
  struct {
    const char* name;
    size_t first, pages;
    uint64_t writable;
  } cases[] = {{"from the left", 0, 2, 0xc},
               {"from the right", 2, 2, 0x3},
               {"from the middle", 1, 2, 0x9}};
  for (size_t i = 0; i < 3; i++) {
    TEST_CONTEXT("%s", cases[i].name);
    uintptr_t addr = map_root(PERM_RW, vmo, 0, 4 * PAGE);
    ASSERT_NE(addr, 0);
    for (uint32_t p = 0; p < 4; p++) {
      *u32_at(addr + p * PAGE) = 10 * (uint32_t)i + p;
    }
    EXPECT_OK(zx_vmar_protect(zx_vmar_root_self(), PERM_R, addr + cases[i].first * PAGE,
                              cases[i].pages * PAGE));
    EXPECT_EQ(mapped_pages(addr, 4), 0xf);
    EXPECT_EQ(readable_pages(addr, 4), 0xf);
    EXPECT_EQ(writable_pages(addr, 4), cases[i].writable);
    for (uint32_t p = 0; p < 4; p++) {
      EXPECT_EQ(*u32_at(addr + p * PAGE), 10 * (uint32_t)i + p);
    }
    EXPECT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, 4 * PAGE));
    EXPECT_EQ(mapped_pages(addr, 4), 0);
  }
  EXPECT_OK(zx_handle_close(vmo));
}

// One call across several mappings; a gap, an empty sub-VMAR or a mapping that cannot
// take the permissions fails the whole call and changes nothing.
MAP_TEST(ProtectMultipleTest) {
  const size_t n = 4;  // pages per mapping
  zx_vaddr_t base;
  zx_handle_t vmar = sandbox(12, &base);
  zx_handle_t vmo = new_vmo(n, 0);
  zx_handle_t vmo_ro = dup_with(vmo, ZX_RIGHT_MAP | ZX_RIGHT_READ);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  ASSERT_NE(vmo_ro, ZX_HANDLE_INVALID);
  const size_t len = 3 * n * PAGE - 2 * PAGE;  // page 1 up to the last page but one
  // Right part of the first, all of the second, left part of the third.
  for (size_t i = 0; i < 3; i++) {
    ASSERT_NE(map_vmo(vmar, PERM_RW | ZX_VM_SPECIFIC, i * n * PAGE, vmo, 0, n * PAGE), 0);
  }
  EXPECT_OK(zx_vmar_protect(vmar, PERM_R, base + PAGE, len));
  EXPECT_EQ(mapped_pages(base, 12), 0xfff);
  EXPECT_EQ(writable_pages(base, 12), 0x801);
  EXPECT_OK(zx_vmar_unmap(vmar, base, 3 * n * PAGE));
  EXPECT_EQ(mapped_pages(base, 12), 0);

  // The middle one made from a handle without WRITE: RW is refused for the whole range.
  ASSERT_NE(map_vmo(vmar, PERM_R | ZX_VM_SPECIFIC, 0, vmo, 0, n * PAGE), 0);
  ASSERT_NE(map_vmo(vmar, PERM_R | ZX_VM_SPECIFIC, n * PAGE, vmo_ro, 0, n * PAGE), 0);
  ASSERT_NE(map_vmo(vmar, PERM_R | ZX_VM_SPECIFIC, 2 * n * PAGE, vmo, 0, n * PAGE), 0);
  EXPECT_STATUS(zx_vmar_protect(vmar, PERM_RW, base + PAGE, len), ZX_ERR_ACCESS_DENIED);
  EXPECT_EQ(writable_pages(base, 12), 0);
  EXPECT_OK(zx_vmar_unmap(vmar, base, 3 * n * PAGE));

  // A gap in the middle.
  ASSERT_NE(map_vmo(vmar, PERM_RW | ZX_VM_SPECIFIC, 0, vmo, 0, n * PAGE), 0);
  ASSERT_NE(map_vmo(vmar, PERM_RW | ZX_VM_SPECIFIC, 2 * n * PAGE, vmo, 0, n * PAGE), 0);
  EXPECT_STATUS(zx_vmar_protect(vmar, PERM_R, base + PAGE, len), ZX_ERR_NOT_FOUND);
  EXPECT_EQ(mapped_pages(base, 12), 0xf0f);
  EXPECT_EQ(writable_pages(base, 12), 0xf0f);
  EXPECT_OK(zx_vmar_unmap(vmar, base, 3 * n * PAGE));

  // An empty sub-VMAR in the middle is a gap too.
  zx_handle_t sub = ZX_HANDLE_INVALID;
  zx_vaddr_t sub_addr = 0;
  ASSERT_NE(map_vmo(vmar, PERM_RW | ZX_VM_SPECIFIC, 0, vmo, 0, n * PAGE), 0);
  ASSERT_OK(zx_vmar_allocate(vmar, CAN_RW | ZX_VM_SPECIFIC, n * PAGE, n * PAGE, &sub, &sub_addr));
  ASSERT_NE(map_vmo(vmar, PERM_RW | ZX_VM_SPECIFIC, 2 * n * PAGE, vmo, 0, n * PAGE), 0);
  EXPECT_STATUS(zx_vmar_protect(vmar, PERM_R, base + PAGE, len), ZX_ERR_NOT_FOUND);
  EXPECT_EQ(writable_pages(base, 12), 0xf0f);
  EXPECT_OK(zx_vmar_unmap(vmar, base, 3 * n * PAGE));
  EXPECT_OK(zx_handle_close(sub));

  // A sub-VMAR filled by a mapping: lowering its permissions through the parent works.
  ASSERT_NE(map_vmo(vmar, PERM_RW | ZX_VM_SPECIFIC, 0, vmo, 0, n * PAGE), 0);
  ASSERT_OK(zx_vmar_allocate(vmar, CAN_RW_SPECIFIC | ZX_VM_SPECIFIC, n * PAGE, n * PAGE, &sub,
                             &sub_addr));
  ASSERT_NE(map_vmo(sub, PERM_RW | ZX_VM_SPECIFIC, 0, vmo, 0, n * PAGE), 0);
  ASSERT_NE(map_vmo(vmar, PERM_RW | ZX_VM_SPECIFIC, 2 * n * PAGE, vmo, 0, n * PAGE), 0);
  EXPECT_OK(zx_vmar_protect(vmar, PERM_R, base + PAGE, len));
  EXPECT_EQ(mapped_pages(base, 12), 0xfff);
  EXPECT_EQ(writable_pages(base, 12), 0x801);
  EXPECT_OK(zx_vmar_unmap(vmar, base, 3 * n * PAGE));
  EXPECT_EQ(mapped_pages(base, 12), 0);
  EXPECT_OK(zx_handle_close(sub));
  drop_vmar(vmar);
  zx_handle_t handles[] = {vmo_ro, vmo};
  close_all(handles, 2);
}

MAP_TEST(ProtectOverDemandPagedTest) {
  const size_t size = 100 * PAGE;
  zx_handle_t vmo = new_vmo(100, 0);
  uintptr_t addr = map_root(PERM_RW, vmo, 0, size);
  ASSERT_NE(addr, 0);
  EXPECT_OK(zx_handle_close(vmo));
  *u8_at(addr) = 5;
  *u8_at(addr + size / 2) = 6;
  *u8_at(addr + size - 1) = 7;
  EXPECT_OK(zx_vmar_protect(zx_vmar_root_self(), PERM_R, addr, size));
  uintptr_t spots[] = {addr, addr + size / 4, addr + size / 2, addr + size - 1};
  for (size_t i = 0; i < 4; i++) {
    TEST_CONTEXT("byte %#zx", spots[i] - addr);
    EXPECT_STATUS(probe_write(spots[i]), ZX_ERR_ACCESS_DENIED);
    EXPECT_OK(probe_read(spots[i]));
  }
  TEST_CONTEXT("%s", "");
  EXPECT_EQ(*u8_at(addr + size / 2), 6);
  unmap_root(addr, size);
}

MAP_TEST(ProtectLargeUncomittedTest) {
  const size_t size = 1 * GIB;
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(size, 0, &vmo));
  uintptr_t addr = map_root(PERM_RW, vmo, 0, size);
  ASSERT_NE(addr, 0);
  EXPECT_OK(zx_handle_close(vmo));
  *u8_at(addr) = 5;
  *u8_at(addr + size / 2) = 6;
  *u8_at(addr + size - 1) = 7;
  const uintptr_t from = ((addr + 512 * PAGE - 1) & ~(512 * PAGE - 1)) + PAGE;
  EXPECT_OK(zx_vmar_protect(zx_vmar_root_self(), PERM_R, from, addr + size - from));
  EXPECT_OK(probe_write(addr));
  EXPECT_OK(probe_write(from - 1));
  EXPECT_STATUS(probe_write(from), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(probe_write(addr + size / 4), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(probe_write(addr + size / 2), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(probe_write(addr + size - 1), ZX_ERR_ACCESS_DENIED);
  EXPECT_EQ(*u8_at(addr + size - 1), 7);
  unmap_root(addr, size);
}

// A copy-on-write child mapped writable, protected read-only, read (so its pages are in
// the page tables), then made writable again: a write still goes to the child's own copy.
MAP_TEST(ProtectCowWritable) {
  zx_handle_t vmo = new_vmo(2, 0);
  uint64_t val = 42;
  ASSERT_OK(zx_vmo_write(vmo, &val, 0, sizeof val));
  zx_handle_t clone = child_of(vmo, SNAPSHOT, 0, 2 * PAGE);
  ASSERT_NE(clone, ZX_HANDLE_INVALID);
  uintptr_t addr = map_root(PERM_RW, clone, 0, 2 * PAGE);
  ASSERT_NE(addr, 0);
  EXPECT_OK(zx_vmar_protect(zx_vmar_root_self(), PERM_R, addr, 2 * PAGE));
  EXPECT_EQ(*(volatile uint64_t*)addr, 42);
  EXPECT_OK(zx_vmar_protect(zx_vmar_root_self(), PERM_RW, addr, PAGE));
  *(volatile uint64_t*)addr = 77;
  uint64_t got = 0;
  EXPECT_OK(zx_vmo_read(vmo, &got, 0, sizeof got));
  EXPECT_EQ(got, 42);
  EXPECT_OK(zx_vmo_read(clone, &got, 0, sizeof got));
  EXPECT_EQ(got, 77);
  unmap_root(addr, 2 * PAGE);
  zx_handle_t handles[] = {clone, vmo};
  close_all(handles, 2);
}

// Permissions change; the contents do not.
MAP_TEST(protect_keeps_the_contents) {
  zx_handle_t vmo = new_vmo(2, 0);
  uintptr_t addr = map_root(PERM_RW, vmo, 0, 2 * PAGE);
  ASSERT_NE(addr, 0);
  *u32_at(addr) = 1;
  *u32_at(addr + PAGE) = 2;
  EXPECT_OK(zx_vmar_protect(zx_vmar_root_self(), 0, addr, 2 * PAGE));
  EXPECT_EQ(readable_pages(addr, 2), 0);
  EXPECT_EQ(read_u32(vmo, PAGE), 2);
  ASSERT_OK(write_u32(vmo, 0, 3));
  EXPECT_OK(zx_vmar_protect(zx_vmar_root_self(), PERM_R, addr, 2 * PAGE));
  EXPECT_EQ(*u32_at(addr), 3);
  EXPECT_EQ(*u32_at(addr + PAGE), 2);
  EXPECT_OK(zx_vmar_protect(zx_vmar_root_self(), PERM_RW, addr + PAGE, PAGE));
  *u32_at(addr + PAGE) = 4;
  EXPECT_EQ(read_u32(vmo, PAGE), 4);
  EXPECT_EQ(writable_pages(addr, 2), 2);
  unmap_root(addr, 2 * PAGE);
  EXPECT_OK(zx_handle_close(vmo));
}

int main(void) { return run_tests(); }
