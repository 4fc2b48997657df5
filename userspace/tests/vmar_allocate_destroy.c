// zx_vmar_allocate and zx_vmar_destroy (docs/reference/syscalls/vmar_allocate.md,
// vmar_destroy.md; the digest's section 2.10).
//
// allocate checks the parent handle first, with the rights the CAN_MAP_* options ask for
// (READ, WRITE, EXECUTE; BAD_HANDLE, WRONG_TYPE, ACCESS_DENIED), then the options
// (unknown bits, an alignment outside 2^10..2^32, PERM_* or other mapping-only options:
// INVALID_ARGS), the size (0 or unaligned: INVALID_ARGS), a destroyed parent
// (BAD_STATE), CAN_MAP_* the parent does not have (ACCESS_DENIED), the offset (non-zero
// without SPECIFIC or OFFSET_IS_UPPER_LIMIT, both of those, unaligned, or out of the
// parent: INVALID_ARGS), SPECIFIC without CAN_MAP_SPECIFIC on the parent
// (ACCESS_DENIED), an overlap (ALREADY_EXISTS) and no room (NO_RESOURCES, as Fuchsia's
// tests have it; the page says NO_MEMORY: digest decision 4). The new handle's rights
// are the VMAR defaults plus READ, WRITE, EXECUTE for its CAN_MAP_* options. Bad
// child_vmar or child_addr pointers are INVALID_ARGS and leave no region behind.
//
// destroy needs ZX_RIGHT_OP_CHILDREN; it unmaps everything in the region and destroys
// every sub-region, recursively; handles stay valid but every VMAR call on them is then
// BAD_STATE; the root VMAR cannot be destroyed (NOT_SUPPORTED). Closing a VMAR's handle
// does not free its range.
//
// CamelCase cases are Fuchsia's cases of the same name (the Vmar tests of
// zircon/system/utest/core/vmar/vmar.cc); snake_case cases are ours.
#include <zrk/vmar_util.h>

int main(void);

MAP_TEST(BasicAllocateTest) {
  zx_handle_t r1 = ZX_HANDLE_INVALID, r2 = ZX_HANDLE_INVALID;
  zx_vaddr_t a1 = 0, a2 = 0;
  ASSERT_OK(zx_vmar_allocate(zx_vmar_root_self(), CAN_RW, 0, 10 * PAGE, &r1, &a1));
  ASSERT_OK(zx_vmar_allocate(r1, CAN_RW, 0, PAGE, &r2, &a2));
  EXPECT_NE(a1, 0);
  EXPECT_EQ(a1 % PAGE, 0);
  EXPECT_GE(a2, a1);
  EXPECT_LE(a2 + PAGE, a1 + 10 * PAGE);
  zx_info_vmar_t i1 = vmar_info(r1), i2 = vmar_info(r2);
  EXPECT_EQ(i1.base, a1);
  EXPECT_EQ(i1.len, 10 * PAGE);
  EXPECT_EQ(i2.base, a2);
  EXPECT_EQ(i2.len, PAGE);
  EXPECT_EQ(basic_info(r2).type, ZX_OBJ_TYPE_VMAR);
  EXPECT_OK(zx_handle_close(r2));
  drop_vmar(r1);
}

MAP_TEST(child_rights_follow_the_can_map_options) {
  zx_handle_t root = zx_vmar_root_self();
  zx_rights_t root_rights = rights_of(root);
  EXPECT_EQ(root_rights & ZX_DEFAULT_VMAR_RIGHTS, ZX_DEFAULT_VMAR_RIGHTS);
  EXPECT_EQ(root_rights & (ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_EXECUTE),
            ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_EXECUTE);
  struct {
    zx_vm_option_t options;
    zx_rights_t rights;
  } rows[] = {
      {0, ZX_DEFAULT_VMAR_RIGHTS},
      {ZX_VM_CAN_MAP_READ, ZX_DEFAULT_VMAR_RIGHTS | ZX_RIGHT_READ},
      {CAN_RW, ZX_DEFAULT_VMAR_RIGHTS | ZX_RIGHT_READ | ZX_RIGHT_WRITE},
      {CAN_RWX, ZX_DEFAULT_VMAR_RIGHTS | ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_EXECUTE},
      {ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_EXECUTE,
       ZX_DEFAULT_VMAR_RIGHTS | ZX_RIGHT_READ | ZX_RIGHT_EXECUTE},
      {ZX_VM_CAN_MAP_SPECIFIC | ZX_VM_COMPACT, ZX_DEFAULT_VMAR_RIGHTS},
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    TEST_CONTEXT("options %#x", rows[i].options);
    zx_handle_t child = ZX_HANDLE_INVALID;
    zx_vaddr_t addr = 0;
    ASSERT_OK(zx_vmar_allocate(root, rows[i].options, 0, 4 * PAGE, &child, &addr));
    EXPECT_EQ(rights_of(child), rows[i].rights);
    drop_vmar(child);
  }
}

MAP_TEST(bad_handles) {
  zx_handle_t child = ZX_HANDLE_INVALID;
  zx_vaddr_t addr = 0;
  zx_handle_t vmo = new_vmo(1, 0);
  zx_handle_t bad[] = {ZX_HANDLE_INVALID, stale_handle(), 0xfffffffbu};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    TEST_CONTEXT("handle %#x", bad[i]);
    EXPECT_STATUS(zx_vmar_allocate(bad[i], CAN_RW, 0, PAGE, &child, &addr), ZX_ERR_BAD_HANDLE);
    EXPECT_STATUS(zx_vmar_allocate(bad[i], 1u << 31, 1, 0, NULL, NULL), ZX_ERR_BAD_HANDLE);
    EXPECT_STATUS(zx_vmar_destroy(bad[i]), ZX_ERR_BAD_HANDLE);
  }
  TEST_CONTEXT("wrong types");
  EXPECT_STATUS(zx_vmar_allocate(vmo, CAN_RW, 0, 10 * PAGE, &child, &addr), ZX_ERR_WRONG_TYPE);
  EXPECT_STATUS(zx_vmar_allocate(zx_thread_self(), 0, 1, 0, NULL, NULL), ZX_ERR_WRONG_TYPE);
  EXPECT_STATUS(zx_vmar_destroy(vmo), ZX_ERR_WRONG_TYPE);
  EXPECT_STATUS(zx_vmar_destroy(zx_process_self()), ZX_ERR_WRONG_TYPE);
  EXPECT_EQ(child, ZX_HANDLE_INVALID);
  EXPECT_EQ(addr, 0);
  EXPECT_OK(zx_handle_close(vmo));
}

MAP_TEST(option_and_size_errors) {
  zx_vaddr_t base;
  zx_handle_t vmar = sandbox(16, &base);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  struct {
    const char* name;
    zx_vm_option_t options;
    size_t offset, size;
  } cases[] = {
      {"size 0", CAN_RW, 0, 0},
      {"size not page-aligned", CAN_RW, 0, PAGE - 1},
      {"size rounds to 0", CAN_RW, 0, SIZE_MAX - PAGE + 2},
      {"offset without SPECIFIC", CAN_RW, PAGE, 4 * PAGE},
      {"offset not page-aligned", CAN_RW | ZX_VM_SPECIFIC, PAGE - 1, PAGE},
      {"SPECIFIC with OFFSET_IS_UPPER_LIMIT", CAN_RW | ZX_VM_SPECIFIC | ZX_VM_OFFSET_IS_UPPER_LIMIT,
       PAGE, 4 * PAGE},
      {"SPECIFIC_OVERWRITE", CAN_RW | ZX_VM_SPECIFIC_OVERWRITE, PAGE, 4 * PAGE},
      {"PERM_READ", CAN_RW | ZX_VM_PERM_READ, 0, 4 * PAGE},
      {"PERM_WRITE", CAN_RW | ZX_VM_PERM_WRITE, 0, 4 * PAGE},
      {"PERM_EXECUTE", CAN_RW | ZX_VM_PERM_EXECUTE, 0, 4 * PAGE},
      {"MAP_RANGE", CAN_RW | ZX_VM_MAP_RANGE, 0, 4 * PAGE},
      {"REQUIRE_NON_RESIZABLE", CAN_RW | ZX_VM_REQUIRE_NON_RESIZABLE, 0, 4 * PAGE},
      {"ALLOW_FAULTS", CAN_RW | ZX_VM_ALLOW_FAULTS, 0, 4 * PAGE},
      {"bit 31", ZX_VM_CAN_MAP_READ | (1u << 31), 0, 4 * PAGE},
      {"bit 20", ZX_VM_CAN_MAP_READ | (1u << 20), 0, 4 * PAGE},
      {"alignment 2^9", CAN_RW | (9u << ZX_VM_ALIGN_BASE), 0, 4 * PAGE},
      {"alignment 2^33", CAN_RW | (33u << ZX_VM_ALIGN_BASE), 0, 4 * PAGE},
      {"too big for the parent", CAN_RW, 0, 17 * PAGE},
      {"SPECIFIC past the end", CAN_RW | ZX_VM_SPECIFIC, 16 * PAGE, PAGE},
      {"SPECIFIC running off the end", CAN_RW | ZX_VM_SPECIFIC, 15 * PAGE, 2 * PAGE},
      {"SPECIFIC wrapping", CAN_RW | ZX_VM_SPECIFIC, 8 * PAGE, SIZE_MAX - 4 * PAGE + 1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    TEST_CONTEXT("%s", cases[i].name);
    zx_handle_t child = ZX_HANDLE_INVALID;
    zx_vaddr_t addr = 0;
    EXPECT_STATUS(zx_vmar_allocate(vmar, cases[i].options, cases[i].offset, cases[i].size,
                                   &child, &addr),
                  ZX_ERR_INVALID_ARGS);
    EXPECT_EQ(child, ZX_HANDLE_INVALID);
    EXPECT_EQ(addr, 0);
  }
  // Still all free.
  TEST_CONTEXT("%s", "");
  zx_handle_t all = ZX_HANDLE_INVALID;
  zx_vaddr_t addr = 0;
  EXPECT_OK(zx_vmar_allocate(vmar, CAN_RW | ZX_VM_SPECIFIC, 0, 16 * PAGE, &all, &addr));
  EXPECT_EQ(addr, base);
  EXPECT_OK(zx_handle_close(all));
  drop_vmar(vmar);
}

MAP_TEST(AllocateOobTest) {
  zx_vaddr_t base;
  zx_handle_t vmar = sandbox(10, &base);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  zx_handle_t r = ZX_HANDLE_INVALID;
  zx_vaddr_t a = 0;
  EXPECT_STATUS(zx_vmar_allocate(vmar, CAN_RW | ZX_VM_SPECIFIC, 10 * PAGE, PAGE, &r, &a),
                ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_vmar_allocate(vmar, CAN_RW | ZX_VM_SPECIFIC, 9 * PAGE, 2 * PAGE, &r, &a),
                ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(r, ZX_HANDLE_INVALID);
  drop_vmar(vmar);
}

MAP_TEST(AllocateUnsatisfiableTest) {
  zx_vaddr_t base;
  zx_handle_t vmar = sandbox(10, &base);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  zx_handle_t r2 = ZX_HANDLE_INVALID, r3 = ZX_HANDLE_INVALID;
  zx_vaddr_t a2 = 0, a3 = 0;
  EXPECT_STATUS(zx_vmar_allocate(vmar, CAN_RW, 0, 11 * PAGE, &r2, &a2), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_vmar_allocate(vmar, CAN_RW, 0, 10 * PAGE, &r2, &a2));
  EXPECT_EQ(a2, base);
  EXPECT_STATUS(zx_vmar_allocate(vmar, CAN_RW, 0, PAGE, &r3, &a3), ZX_ERR_NO_RESOURCES);
  EXPECT_EQ(r3, ZX_HANDLE_INVALID);
  // A mapping is not placed either.
  zx_handle_t vmo = new_vmo(1, 0);
  zx_vaddr_t m = 0;
  EXPECT_STATUS(zx_vmar_map(vmar, PERM_R, 0, vmo, 0, PAGE, &m), ZX_ERR_NO_RESOURCES);
  zx_handle_t handles[] = {vmo, r2};
  close_all(handles, 2);
  drop_vmar(vmar);
}

// The CAN_MAP_* options need the matching rights on the parent handle, checked before
// anything else, and the parent region must allow them too.
MAP_TEST(NestedRegionPermsTest) {
  zx_handle_t vmo = new_vmo(1, 0);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  struct {
    zx_vm_option_t can;
    zx_vm_option_t perm;
  } rows[] = {{ZX_VM_CAN_MAP_READ, ZX_VM_PERM_READ},
              {ZX_VM_CAN_MAP_WRITE, ZX_VM_PERM_WRITE},
              {ZX_VM_CAN_MAP_EXECUTE, ZX_VM_PERM_EXECUTE}};
  for (size_t i = 0; i < 3; i++) {
    TEST_CONTEXT("without %#x", rows[i].can);
    zx_handle_t r0 = ZX_HANDLE_INVALID, r1 = ZX_HANDLE_INVALID;
    zx_vaddr_t a0 = 0, a1 = 0;
    ASSERT_OK(zx_vmar_allocate(zx_vmar_root_self(), CAN_RWX ^ rows[i].can, 0, 10 * PAGE, &r0, &a0));
    EXPECT_STATUS(zx_vmar_allocate(r0, CAN_RWX, 0, PAGE, &r1, &a1), ZX_ERR_ACCESS_DENIED);
    EXPECT_STATUS(zx_vmar_allocate(r0, rows[i].can, 0, PAGE, &r1, &a1), ZX_ERR_ACCESS_DENIED);
    zx_vaddr_t m = 0;
    EXPECT_STATUS(zx_vmar_map(r0, PERM_R | rows[i].perm, 0, vmo, 0, PAGE, &m),
                  ZX_ERR_ACCESS_DENIED);
    if (rows[i].perm == ZX_VM_PERM_WRITE) {
      ASSERT_OK(zx_vmar_map(r0, PERM_R, 0, vmo, 0, PAGE, &m));
      EXPECT_OK(zx_vmar_unmap(r0, m, PAGE));
    }
    ASSERT_OK(zx_vmar_allocate(r0, CAN_RWX ^ rows[i].can, 0, PAGE, &r1, &a1));
    drop_vmar(r1);
    drop_vmar(r0);
  }
  EXPECT_OK(zx_handle_close(vmo));
}

// The rights come from the handle: a duplicate with fewer cannot ask for more, even of a
// region that allows it; and they are checked before the arguments.
MAP_TEST(rights_come_first) {
  zx_vaddr_t base;
  zx_handle_t vmar = sandbox(8, &base);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  zx_handle_t read_only = dup_with(vmar, ZX_DEFAULT_VMAR_RIGHTS | ZX_RIGHT_READ);
  zx_handle_t none = dup_with(vmar, ZX_RIGHT_NONE);
  zx_handle_t child = ZX_HANDLE_INVALID;
  zx_vaddr_t addr = 0;
  EXPECT_STATUS(zx_vmar_allocate(read_only, CAN_RW, 0, PAGE, &child, &addr),
                ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_vmar_allocate(read_only, CAN_RW | (1u << 31), 1, 0, NULL, NULL),
                ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_vmar_allocate(none, ZX_VM_CAN_MAP_READ, 0, PAGE, &child, &addr),
                ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_vmar_allocate(vmar, ZX_VM_CAN_MAP_EXECUTE, 0, PAGE, &child, &addr),
                ZX_ERR_ACCESS_DENIED);
  EXPECT_EQ(child, ZX_HANDLE_INVALID);
  // What they do allow (a region that can map nothing needs no right).
  ASSERT_OK(zx_vmar_allocate(read_only, ZX_VM_CAN_MAP_READ, 0, PAGE, &child, &addr));
  EXPECT_EQ(rights_of(child), ZX_DEFAULT_VMAR_RIGHTS | ZX_RIGHT_READ);
  EXPECT_OK(zx_handle_close(child));
  ASSERT_OK(zx_vmar_allocate(none, 0, 0, PAGE, &child, &addr));
  EXPECT_OK(zx_handle_close(child));
  zx_handle_t handles[] = {read_only, none};
  close_all(handles, 2);
  drop_vmar(vmar);
}

MAP_TEST(specific_placement) {
  zx_vaddr_t base;
  zx_handle_t vmar = sandbox(16, &base);
  zx_handle_t vmo = new_vmo(2, 0);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  zx_handle_t a = ZX_HANDLE_INVALID, b = ZX_HANDLE_INVALID;
  zx_vaddr_t addr = 0;
  ASSERT_OK(zx_vmar_allocate(vmar, CAN_RW | ZX_VM_SPECIFIC, 4 * PAGE, 4 * PAGE, &a, &addr));
  EXPECT_EQ(addr, base + 4 * PAGE);
  // Overlapping it, or a mapping.
  ASSERT_NE(map_vmo(vmar, PERM_R | ZX_VM_SPECIFIC, 10 * PAGE, vmo, 0, 2 * PAGE), 0);
  size_t overlapping[][2] = {{4, 4}, {2, 3}, {7, 2}, {5, 1}, {0, 16}, {11, 1}, {9, 2}};
  for (size_t i = 0; i < sizeof overlapping / sizeof overlapping[0]; i++) {
    TEST_CONTEXT("pages %zu+%zu", overlapping[i][0], overlapping[i][1]);
    EXPECT_STATUS(zx_vmar_allocate(vmar, CAN_RW | ZX_VM_SPECIFIC, overlapping[i][0] * PAGE,
                                   overlapping[i][1] * PAGE, &b, &addr),
                  ZX_ERR_ALREADY_EXISTS);
    EXPECT_EQ(b, ZX_HANDLE_INVALID);
  }
  TEST_CONTEXT("%s", "");
  // Right next to them is fine.
  ASSERT_OK(zx_vmar_allocate(vmar, CAN_RW | ZX_VM_SPECIFIC, 8 * PAGE, 2 * PAGE, &b, &addr));
  EXPECT_EQ(addr, base + 8 * PAGE);
  EXPECT_OK(zx_handle_close(b));
  // SPECIFIC needs CAN_MAP_SPECIFIC on the parent, which a child need not have itself.
  zx_handle_t c = ZX_HANDLE_INVALID;
  EXPECT_STATUS(zx_vmar_allocate(a, CAN_RW | ZX_VM_SPECIFIC, 0, PAGE, &c, &addr),
                ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_vmar_allocate(a, CAN_RW | ZX_VM_OFFSET_IS_UPPER_LIMIT, 4 * PAGE, PAGE, &c,
                                 &addr),
                ZX_ERR_ACCESS_DENIED);
  ASSERT_OK(zx_vmar_allocate(a, CAN_RW_SPECIFIC, 0, 2 * PAGE, &c, &addr));
  EXPECT_NE(map_vmo(c, PERM_R | ZX_VM_SPECIFIC, PAGE, vmo, 0, PAGE), 0);
  EXPECT_EQ(mapped_pages(base, 16), 0xc00 | (1ull << ((addr - base) / PAGE + 1)));
  EXPECT_OK(zx_handle_close(c));
  EXPECT_OK(zx_handle_close(a));
  drop_vmar(vmar);
  EXPECT_OK(zx_handle_close(vmo));
}

MAP_TEST(allocate_with_an_upper_limit) {
  zx_vaddr_t base;
  zx_handle_t vmar = sandbox(16, &base);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  const zx_vm_option_t opts = CAN_RW | ZX_VM_OFFSET_IS_UPPER_LIMIT;
  zx_handle_t r = ZX_HANDLE_INVALID;
  zx_vaddr_t addr = 0;
  EXPECT_STATUS(zx_vmar_allocate(vmar, opts, 17 * PAGE, PAGE, &r, &addr), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_vmar_allocate(vmar, opts, PAGE, 2 * PAGE, &r, &addr), ZX_ERR_INVALID_ARGS);
  for (int i = 0; i < 4; i++) {
    TEST_CONTEXT("region %d", i);
    ASSERT_OK(zx_vmar_allocate(vmar, opts, 8 * PAGE, 2 * PAGE, &r, &addr));
    EXPECT_GE(addr, base);
    EXPECT_LE(addr + 2 * PAGE, base + 8 * PAGE);
    EXPECT_OK(zx_handle_close(r));
  }
  TEST_CONTEXT("%s", "");
  EXPECT_STATUS(zx_vmar_allocate(vmar, opts, 8 * PAGE, PAGE, &r, &addr), ZX_ERR_NO_RESOURCES);
  ASSERT_OK(zx_vmar_allocate(vmar, CAN_RW, 0, PAGE, &r, &addr));
  EXPECT_GE(addr, base + 8 * PAGE);
  EXPECT_OK(zx_handle_close(r));
  drop_vmar(vmar);
}

MAP_TEST(AlignmentVmarAllocateTest) {
  const size_t size = 16 * PAGE;
  zx_vaddr_t base;
  zx_handle_t vmar = aligned_sandbox(8 * GIB, &base);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  zx_handle_t h = ZX_HANDLE_INVALID;
  zx_vaddr_t a = 0;
  EXPECT_STATUS(
      zx_vmar_allocate(vmar, CAN_RW | ZX_VM_ALIGN_64KB | ZX_VM_SPECIFIC, PAGE, size, &h, &a),
      ZX_ERR_INVALID_ARGS);
  ASSERT_OK(
      zx_vmar_allocate(vmar, CAN_RW | ZX_VM_ALIGN_64KB | ZX_VM_SPECIFIC, 64 * 1024, size, &h, &a));
  EXPECT_EQ(a, base + 64 * 1024);
  drop_vmar(h);
  h = ZX_HANDLE_INVALID;
  EXPECT_STATUS(zx_vmar_allocate(vmar, CAN_RW | (9u << ZX_VM_ALIGN_BASE), 0, size, &h, &a),
                ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_vmar_allocate(vmar, CAN_RW | (33u << ZX_VM_ALIGN_BASE), 0, size, &h, &a),
                ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(h, ZX_HANDLE_INVALID);
  for (uint32_t bits = 10; bits <= 32; bits++) {
    TEST_CONTEXT("ZX_VM_ALIGN 2^%u", bits);
    zx_handle_t child = ZX_HANDLE_INVALID;
    zx_vaddr_t at = 0;
    ASSERT_OK(zx_vmar_allocate(vmar, CAN_RW | (bits << ZX_VM_ALIGN_BASE), 0, size, &child, &at));
    ASSERT_NE(at, 0);
    EXPECT_GE(__builtin_ctzll(at), (int)bits);
    drop_vmar(child);
  }
  drop_vmar(vmar);
}

// Bad child_vmar or child_addr pointers: INVALID_ARGS, and the range is free again.
MAP_TEST(bad_out_pointers_leave_no_region) {
  zx_vaddr_t base;
  zx_handle_t vmar = sandbox(16, &base);
  zx_handle_t ro_vmo = new_vmo(1, 0);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  uintptr_t ro = map_vmo(vmar, PERM_R | ZX_VM_SPECIFIC, 15 * PAGE, ro_vmo, 0, PAGE);
  ASSERT_NE(ro, 0);
  zrk_bad_ptr_t bad[ZRK_BAD_PTR_MAX];
  size_t n = bad_out_ptrs(bad, base + 12 * PAGE, ro);
  for (size_t i = 0; i < n; i++) {
    zx_handle_t h = ZX_HANDLE_INVALID;
    zx_vaddr_t a = 0;
    TEST_CONTEXT("child_vmar = %s", bad[i].name);
    EXPECT_STATUS(zx_vmar_allocate(vmar, CAN_RW | ZX_VM_SPECIFIC, 0, 4 * PAGE,
                                   (zx_handle_t*)bad[i].ptr, &a),
                  ZX_ERR_INVALID_ARGS);
    EXPECT_STATUS(zx_vmar_allocate(vmar, CAN_RW, 0, 4 * PAGE, (zx_handle_t*)bad[i].ptr, &a),
                  ZX_ERR_INVALID_ARGS);
    TEST_CONTEXT("child_addr = %s", bad[i].name);
    EXPECT_STATUS(zx_vmar_allocate(vmar, CAN_RW | ZX_VM_SPECIFIC, 0, 4 * PAGE, &h,
                                   (zx_vaddr_t*)bad[i].ptr),
                  ZX_ERR_INVALID_ARGS);
    EXPECT_STATUS(zx_vmar_allocate(vmar, CAN_RW, 0, 4 * PAGE, &h, (zx_vaddr_t*)bad[i].ptr),
                  ZX_ERR_INVALID_ARGS);
    EXPECT_EQ(h, ZX_HANDLE_INVALID);
    // All the sandbox but its last page is free: one region takes it.
    TEST_CONTEXT("after child pointers = %s", bad[i].name);
    ASSERT_OK(zx_vmar_allocate(vmar, CAN_RW | ZX_VM_SPECIFIC, 0, 15 * PAGE, &h, &a));
    EXPECT_EQ(a, base);
    drop_vmar(h);
  }
  TEST_CONTEXT("%s", "");
  EXPECT_EQ(*u32_at(ro), 0);
  drop_vmar(vmar);
  EXPECT_OK(zx_handle_close(ro_vmo));
}

// Closing a VMAR's handle does not give its range back (vmar_allocate.md, Notes).
MAP_TEST(closing_the_handle_keeps_the_region) {
  zx_vaddr_t base;
  zx_handle_t vmar = sandbox(8, &base);
  zx_handle_t vmo = new_vmo(1, 0);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  ASSERT_OK(write_u32(vmo, 0, 0x77));
  zx_handle_t child = ZX_HANDLE_INVALID;
  zx_vaddr_t addr = 0;
  ASSERT_OK(zx_vmar_allocate(vmar, CAN_RW | ZX_VM_SPECIFIC, 2 * PAGE, 2 * PAGE, &child, &addr));
  uintptr_t m = map_vmo(child, PERM_RW, 0, vmo, 0, PAGE);
  ASSERT_NE(m, 0);
  EXPECT_OK(zx_handle_close(child));
  EXPECT_EQ(*u32_at(m), 0x77);
  EXPECT_STATUS(zx_vmar_allocate(vmar, CAN_RW | ZX_VM_SPECIFIC, 2 * PAGE, 2 * PAGE, &child, &addr),
                ZX_ERR_ALREADY_EXISTS);
  EXPECT_EQ(num_mappings(vmo), 1);
  // Unmapping all of it through the parent destroys it.
  EXPECT_OK(zx_vmar_unmap(vmar, base + 2 * PAGE, 2 * PAGE));
  EXPECT_EQ(num_mappings(vmo), 0);
  ASSERT_OK(zx_vmar_allocate(vmar, CAN_RW | ZX_VM_SPECIFIC, 2 * PAGE, 2 * PAGE, &child, &addr));
  EXPECT_OK(zx_handle_close(child));
  drop_vmar(vmar);
  EXPECT_OK(zx_handle_close(vmo));
}

MAP_TEST(DestroyTest) {
  zx_handle_t sub = ZX_HANDLE_INVALID;
  zx_vaddr_t addr = 0;
  ASSERT_OK(zx_vmar_allocate(zx_vmar_root_self(), CAN_RW, 0, 1024 * PAGE, &sub, &addr));
  zx_handle_t weak = dup_with(sub, ZX_DEFAULT_VMAR_RIGHTS & ~ZX_RIGHT_OP_CHILDREN);
  ASSERT_NE(weak, ZX_HANDLE_INVALID);
  EXPECT_STATUS(zx_vmar_destroy(weak), ZX_ERR_ACCESS_DENIED);
  EXPECT_OK(zx_handle_close(weak));
  EXPECT_OK(zx_vmar_destroy(sub));
  EXPECT_STATUS(zx_vmar_destroy(sub), ZX_ERR_BAD_STATE);
  zx_handle_t region = ZX_HANDLE_INVALID;
  zx_vaddr_t region_addr = 0;
  EXPECT_STATUS(zx_vmar_allocate(sub, CAN_RW, 0, 10 * PAGE, &region, &region_addr),
                ZX_ERR_BAD_STATE);
  EXPECT_EQ(region, ZX_HANDLE_INVALID);
  EXPECT_OK(zx_handle_close(sub));
}

// After destroy, the region and every region under it answer BAD_STATE to everything,
// their handles stay valid, their mappings are gone, and the parent carries on.
MAP_TEST(DestroyedVmarTest) {
  zx_handle_t vmo = new_vmo(1, 0);
  zx_handle_t region[3] = {ZX_HANDLE_INVALID, ZX_HANDLE_INVALID, ZX_HANDLE_INVALID};
  zx_vaddr_t region_addr[3] = {0, 0, 0};
  uintptr_t map_addr[2];
  ASSERT_OK(zx_vmar_allocate(zx_vmar_root_self(), CAN_RW, 0, 10 * PAGE, &region[0],
                             &region_addr[0]));
  map_addr[0] = map_vmo(region[0], PERM_RW, 0, vmo, 0, PAGE);
  ASSERT_NE(map_addr[0], 0);
  ASSERT_OK(zx_vmar_allocate(region[0], CAN_RW, 0, PAGE, &region[1], &region_addr[1]));
  map_addr[1] = map_vmo(region[1], PERM_RW, 0, vmo, 0, PAGE);
  ASSERT_NE(map_addr[1], 0);
  *u8_at(map_addr[0]) = 5;
  EXPECT_EQ(*u8_at(map_addr[1]), 5);
  EXPECT_EQ(num_mappings(vmo), 2);
  ASSERT_OK(zx_vmar_destroy(region[0]));
  EXPECT_EQ(num_mappings(vmo), 0);
  for (int i = 0; i < 2; i++) {
    TEST_CONTEXT("region %d", i);
    EXPECT_TRUE(is_valid(region[i]));
    EXPECT_EQ(probe_read(map_addr[i]), ZX_ERR_NOT_FOUND);
    EXPECT_STATUS(zx_vmar_destroy(region[i]), ZX_ERR_BAD_STATE);
    zx_handle_t h = ZX_HANDLE_INVALID;
    zx_vaddr_t a = 0;
    EXPECT_STATUS(zx_vmar_allocate(region[i], CAN_RW, 0, PAGE, &h, &a), ZX_ERR_BAD_STATE);
    EXPECT_STATUS(zx_vmar_unmap(region[i], map_addr[i], PAGE), ZX_ERR_BAD_STATE);
    EXPECT_STATUS(zx_vmar_protect(region[i], PERM_R, map_addr[i], PAGE), ZX_ERR_BAD_STATE);
    EXPECT_STATUS(zx_vmar_map(region[i], PERM_R, 0, vmo, 0, PAGE, &a), ZX_ERR_BAD_STATE);
    EXPECT_EQ(h, ZX_HANDLE_INVALID);
  }
  TEST_CONTEXT("%s", "");
  EXPECT_EQ(read_u32(vmo, 0), 5);
  ASSERT_OK(zx_vmar_allocate(zx_vmar_root_self(), CAN_RW, 0, PAGE, &region[2], &region_addr[2]));
  close_all(region, 3);
  EXPECT_OK(zx_handle_close(vmo));
}

MAP_TEST(MapOverDestroyedTest) {
  zx_handle_t vmo = new_vmo(1, 0), vmo2 = new_vmo(1, 0);
  zx_handle_t region[2] = {ZX_HANDLE_INVALID, ZX_HANDLE_INVALID};
  zx_vaddr_t region_addr[2] = {0, 0};
  ASSERT_OK(zx_vmar_allocate(zx_vmar_root_self(), CAN_RW_SPECIFIC, 0, 10 * PAGE, &region[0],
                             &region_addr[0]));
  ASSERT_OK(zx_vmar_allocate(region[0], CAN_RW, 0, PAGE, &region[1], &region_addr[1]));
  uintptr_t addr = map_vmo(region[1], PERM_RW, 0, vmo, 0, PAGE);
  ASSERT_NE(addr, 0);
  uint8_t five = 5;
  ASSERT_OK(zx_vmo_write(vmo, &five, 0, 1));
  EXPECT_EQ(*u8_at(addr), 5);
  ASSERT_OK(zx_vmar_destroy(region[1]));
  EXPECT_EQ(probe_read(addr), ZX_ERR_NOT_FOUND);
  zx_vaddr_t again = 0;
  EXPECT_OK(zx_vmar_map(region[0], PERM_RW | ZX_VM_SPECIFIC, addr - region_addr[0], vmo2, 0, PAGE,
                        &again));
  EXPECT_EQ(again, addr);
  EXPECT_EQ(*u8_at(addr), 0);
  EXPECT_OK(zx_handle_close(region[1]));
  drop_vmar(region[0]);
  zx_handle_t handles[] = {vmo, vmo2};
  close_all(handles, 2);
}

// Destroy reaches every level, however deep, and frees what the mappings held.
MAP_TEST(destroy_is_recursive) {
  zx_handle_t vmo = new_vmo(4, 0);
  zx_handle_t levels[4];
  zx_vaddr_t addrs[4];
  uintptr_t maps[4];
  ASSERT_OK(zx_vmar_allocate(zx_vmar_root_self(), CAN_RW, 0, 64 * PAGE, &levels[0], &addrs[0]));
  for (int i = 1; i < 4; i++) {
    ASSERT_OK(zx_vmar_allocate(levels[i - 1], CAN_RW, 0, (size_t)(32 >> (i - 1)) * PAGE,
                               &levels[i], &addrs[i]));
  }
  for (int i = 0; i < 4; i++) {
    maps[i] = map_vmo(levels[i], PERM_RW, 0, vmo, (uint64_t)i * PAGE, PAGE);
    ASSERT_NE(maps[i], 0);
    *u32_at(maps[i]) = (uint32_t)i + 1;
  }
  EXPECT_EQ(num_mappings(vmo), 4);
  EXPECT_OK(zx_vmar_destroy(levels[0]));
  EXPECT_EQ(num_mappings(vmo), 0);
  for (int i = 0; i < 4; i++) {
    TEST_CONTEXT("level %d", i);
    EXPECT_EQ(probe_read(maps[i]), ZX_ERR_NOT_FOUND);
    EXPECT_STATUS(zx_vmar_destroy(levels[i]), ZX_ERR_BAD_STATE);
    EXPECT_EQ(read_u32(vmo, (uint64_t)i * PAGE), (uint32_t)i + 1);
  }
  TEST_CONTEXT("%s", "");
  close_all(levels, 4);
  EXPECT_OK(zx_handle_close(vmo));
}

// Last, since getting this wrong would take the program's own image away.
MAP_TEST(the_root_vmar_cannot_be_destroyed) {
  EXPECT_STATUS(zx_vmar_destroy(zx_vmar_root_self()), ZX_ERR_NOT_SUPPORTED);
  zx_handle_t weak = dup_with(zx_vmar_root_self(), ZX_DEFAULT_VMAR_RIGHTS & ~ZX_RIGHT_OP_CHILDREN);
  EXPECT_STATUS(zx_vmar_destroy(weak), ZX_ERR_ACCESS_DENIED);
  EXPECT_OK(zx_handle_close(weak));
  // Still here.
  EXPECT_EQ(probe_read((uintptr_t)&main), ZX_OK);
}

int main(void) { return run_tests(); }
