// zx_object_get_info with ZX_INFO_VMAR (docs/reference/syscalls/object_get_info.md; the
// digest's sections 2.12, 2.13 and 3.11): one zx_info_vmar_t {base, len} for a VMAR
// handle with ZX_RIGHT_INSPECT (ACCESS_DENIED without it, WRONG_TYPE for other objects),
// through the single-record rules (a buffer smaller than the record is BUFFER_TOO_SMALL
// with actual 0 and avail 1; actual and avail may be NULL; a pointer the kernel cannot
// write is INVALID_ARGS). Also what ZX_INFO_HANDLE_BASIC says of VMARs and how
// ZX_INFO_VMO counts a VMO's mappings.
//
// CamelCase cases are Fuchsia's cases of the same name (the Vmar tests of
// zircon/system/utest/core/vmar/vmar.cc); snake_case cases are ours.
#include <zrk/vmar_util.h>

int main(void);

MAP_TEST(ObjectInfoTest) {
  zx_handle_t region = ZX_HANDLE_INVALID;
  zx_vaddr_t addr = 0;
  ASSERT_OK(zx_vmar_allocate(zx_vmar_root_self(), CAN_RW, 0, 10 * PAGE, &region, &addr));
  zx_info_vmar_t info;
  memset(&info, 0xee, sizeof info);
  size_t actual = 7, avail = 7;
  ASSERT_OK(zx_object_get_info(region, ZX_INFO_VMAR, &info, sizeof info, &actual, &avail));
  EXPECT_EQ(info.base, addr);
  EXPECT_EQ(info.len, 10 * PAGE);
  EXPECT_EQ(actual, 1);
  EXPECT_EQ(avail, 1);
  // A region inside it, and one inside that.
  zx_handle_t inner = ZX_HANDLE_INVALID, innermost = ZX_HANDLE_INVALID;
  zx_vaddr_t inner_addr = 0, innermost_addr = 0;
  ASSERT_OK(zx_vmar_allocate(region, CAN_RW, 0, 4 * PAGE, &inner, &inner_addr));
  ASSERT_OK(zx_vmar_allocate(inner, CAN_RW, 0, PAGE, &innermost, &innermost_addr));
  EXPECT_EQ(vmar_info(inner).base, inner_addr);
  EXPECT_EQ(vmar_info(inner).len, 4 * PAGE);
  EXPECT_EQ(vmar_info(innermost).base, innermost_addr);
  EXPECT_EQ(vmar_info(innermost).len, PAGE);
  zx_handle_t handles[] = {innermost, inner};
  close_all(handles, 2);
  drop_vmar(region);
}

// The root VMAR covers the user address space from Zircon's 2 MiB base (arm64) up to at most
// the top of the 48-bit range, and so the program's image, its stack and its start-up
// block.
MAP_TEST(the_root_vmar_covers_the_program) {
  zx_info_vmar_t root = root_info();
  EXPECT_EQ(root.base, 0x200000);
  EXPECT_EQ(root.base % PAGE, 0);
  EXPECT_EQ(root.len % PAGE, 0);
  EXPECT_LE(root.base + root.len, ZRK_USER_TOP);
  EXPECT_GE(root.base + root.len, root.base);
  const zrk_startup_t* s = zrk_startup();
  uintptr_t inside[] = {(uintptr_t)__zrk_image_start, (uintptr_t)__zrk_image_end - 1,
                        (uintptr_t)s->stack_base, (uintptr_t)(s->stack_base + s->stack_size - 1),
                        (uintptr_t)s, (uintptr_t)&main};
  for (size_t i = 0; i < sizeof inside / sizeof inside[0]; i++) {
    TEST_CONTEXT("address %#zx", inside[i]);
    EXPECT_GE(inside[i], root.base);
    EXPECT_LT(inside[i], root.base + root.len);
  }
  TEST_CONTEXT("%s", "");
  // A sub-VMAR lies inside it.
  zx_vaddr_t base;
  zx_handle_t vmar = sandbox(4, &base);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  EXPECT_GE(base, root.base);
  EXPECT_LE(base + 4 * PAGE, root.base + root.len);
  drop_vmar(vmar);
}

MAP_TEST(record_rules) {
  zx_handle_t root = zx_vmar_root_self();
  zx_info_vmar_t info;
  size_t actual = 7, avail = 7;
  EXPECT_OK(zx_object_get_info(root, ZX_INFO_VMAR, &info, sizeof info, NULL, NULL));
  EXPECT_OK(zx_object_get_info(root, ZX_INFO_VMAR, &info, sizeof info, &actual, NULL));
  EXPECT_EQ(actual, 1);
  EXPECT_OK(zx_object_get_info(root, ZX_INFO_VMAR, &info, sizeof info, NULL, &avail));
  EXPECT_EQ(avail, 1);
  // A bigger buffer holds one record.
  zx_info_vmar_t two[2];
  memset(two, 0xee, sizeof two);
  actual = avail = 7;
  EXPECT_OK(zx_object_get_info(root, ZX_INFO_VMAR, two, sizeof two, &actual, &avail));
  EXPECT_EQ(actual, 1);
  EXPECT_EQ(avail, 1);
  EXPECT_EQ(two[0].base, info.base);
  EXPECT_EQ(two[0].len, info.len);
  // Too small.
  size_t small[] = {0, 1, sizeof info - 1};
  for (size_t i = 0; i < 3; i++) {
    TEST_CONTEXT("buffer of %zu bytes", small[i]);
    actual = avail = 7;
    EXPECT_STATUS(zx_object_get_info(root, ZX_INFO_VMAR, &info, small[i], &actual, &avail),
                  ZX_ERR_BUFFER_TOO_SMALL);
    EXPECT_EQ(actual, 0);
    EXPECT_EQ(avail, 1);
    EXPECT_STATUS(zx_object_get_info(root, ZX_INFO_VMAR, NULL, small[i], NULL, NULL),
                  ZX_ERR_BUFFER_TOO_SMALL);
  }
}

MAP_TEST(bad_pointers_are_invalid_args) {
  zx_vaddr_t base;
  zx_handle_t vmar = sandbox(4, &base);
  zx_handle_t ro_vmo = new_vmo(1, 0);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  uintptr_t ro = map_vmo(vmar, PERM_R | ZX_VM_SPECIFIC, 3 * PAGE, ro_vmo, 0, PAGE);
  ASSERT_NE(ro, 0);
  zrk_bad_ptr_t bad[ZRK_BAD_PTR_MAX];
  size_t n = bad_out_ptrs(bad, base + PAGE, ro);
  zx_info_vmar_t info;
  size_t count;
  for (size_t i = 0; i < n; i++) {
    TEST_CONTEXT("buffer = %s", bad[i].name);
    EXPECT_STATUS(zx_object_get_info(vmar, ZX_INFO_VMAR, bad[i].ptr, sizeof info, NULL, NULL),
                  ZX_ERR_INVALID_ARGS);
    TEST_CONTEXT("actual = %s", bad[i].name);
    if (bad[i].ptr != NULL) {
      EXPECT_STATUS(zx_object_get_info(vmar, ZX_INFO_VMAR, &info, sizeof info,
                                       (size_t*)bad[i].ptr, &count),
                    ZX_ERR_INVALID_ARGS);
      TEST_CONTEXT("avail = %s", bad[i].name);
      EXPECT_STATUS(zx_object_get_info(vmar, ZX_INFO_VMAR, &info, sizeof info, &count,
                                       (size_t*)bad[i].ptr),
                    ZX_ERR_INVALID_ARGS);
    }
  }
  TEST_CONTEXT("%s", "");
  EXPECT_EQ(*u32_at(ro), 0);
  drop_vmar(vmar);
  EXPECT_OK(zx_handle_close(ro_vmo));
}

MAP_TEST(handles_rights_and_types) {
  zx_handle_t vmo = new_vmo(1, 0);
  zx_info_vmar_t info;
  EXPECT_STATUS(zx_object_get_info(ZX_HANDLE_INVALID, ZX_INFO_VMAR, &info, sizeof info, NULL,
                                   NULL),
                ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_object_get_info(stale_handle(), ZX_INFO_VMAR, &info, sizeof info, NULL, NULL),
                ZX_ERR_BAD_HANDLE);
  zx_handle_t others[] = {vmo, zx_thread_self(), zx_process_self(), zrk_startup()->info_resource};
  for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
    TEST_CONTEXT("object %zu", i);
    EXPECT_STATUS(zx_object_get_info(others[i], ZX_INFO_VMAR, &info, sizeof info, NULL, NULL),
                  ZX_ERR_WRONG_TYPE);
  }
  TEST_CONTEXT("%s", "");
  // And the other way round: a VMAR is not a VMO.
  zx_info_vmo_t vmo_record;
  EXPECT_STATUS(zx_object_get_info(zx_vmar_root_self(), ZX_INFO_VMO, &vmo_record,
                                   sizeof vmo_record, NULL, NULL),
                ZX_ERR_WRONG_TYPE);
  // ZX_RIGHT_INSPECT is needed.
  zx_handle_t blind = dup_with(zx_vmar_root_self(), rights_of(zx_vmar_root_self()) &
                                                        ~ZX_RIGHT_INSPECT);
  ASSERT_NE(blind, ZX_HANDLE_INVALID);
  EXPECT_STATUS(zx_object_get_info(blind, ZX_INFO_VMAR, &info, sizeof info, NULL, NULL),
                ZX_ERR_ACCESS_DENIED);
  zx_handle_t inspect = dup_with(zx_vmar_root_self(), ZX_RIGHT_INSPECT);
  EXPECT_OK(zx_object_get_info(inspect, ZX_INFO_VMAR, &info, sizeof info, NULL, NULL));
  EXPECT_EQ(info.base, root_info().base);
  zx_handle_t handles[] = {blind, inspect, vmo};
  close_all(handles, 3);
}

MAP_TEST(handle_basic_of_vmars) {
  zx_info_handle_basic_t root = basic_info(zx_vmar_root_self());
  EXPECT_EQ(root.type, ZX_OBJ_TYPE_VMAR);
  EXPECT_NE(root.koid, 0);
  zx_vaddr_t base;
  zx_handle_t a = sandbox(4, &base), b = sandbox(4, &base);
  zx_info_handle_basic_t ia = basic_info(a), ib = basic_info(b);
  EXPECT_EQ(ia.type, ZX_OBJ_TYPE_VMAR);
  EXPECT_EQ(ia.rights, ZX_DEFAULT_VMAR_RIGHTS | ZX_RIGHT_READ | ZX_RIGHT_WRITE);
  EXPECT_NE(ia.koid, 0);
  EXPECT_NE(ia.koid, ib.koid);
  EXPECT_NE(ia.koid, root.koid);
  // A duplicate names the same VMAR.
  zx_handle_t dup = dup_with(a, ZX_RIGHT_SAME_RIGHTS);
  EXPECT_EQ(basic_info(dup).koid, ia.koid);
  EXPECT_EQ(vmar_info(dup).base, vmar_info(a).base);
  EXPECT_OK(zx_handle_close(dup));
  drop_vmar(a);
  drop_vmar(b);
}

// ZX_INFO_VMO num_mappings follows the VMO's mappings, wherever they are.
MAP_TEST(num_mappings_counts_the_mappings_of_a_vmo) {
  zx_handle_t vmo = new_vmo(4, 0);
  zx_handle_t child = child_of(vmo, SNAPSHOT, 0, 4 * PAGE);
  zx_vaddr_t base;
  zx_handle_t vmar = sandbox(16, &base);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  EXPECT_EQ(num_mappings(vmo), 0);
  uintptr_t a = map_vmo(vmar, PERM_RW | ZX_VM_SPECIFIC, 0, vmo, 0, 4 * PAGE);
  EXPECT_EQ(num_mappings(vmo), 1);
  uintptr_t b = map_root(PERM_R, vmo, PAGE, PAGE);
  EXPECT_EQ(num_mappings(vmo), 2);
  uintptr_t c = map_vmo(vmar, PERM_R | ZX_VM_SPECIFIC, 8 * PAGE, child, 0, PAGE);
  EXPECT_NE(c, 0);
  EXPECT_EQ(num_mappings(vmo), 2);
  EXPECT_EQ(num_mappings(child), 1);
  // Through any handle to the VMO.
  zx_handle_t ro = dup_with(vmo, ZX_RIGHT_READ);
  EXPECT_EQ(num_mappings(ro), 2);
  unmap_root(b, PAGE);
  EXPECT_EQ(num_mappings(vmo), 1);
  EXPECT_OK(zx_vmar_unmap(vmar, a, 4 * PAGE));
  EXPECT_EQ(num_mappings(vmo), 0);
  drop_vmar(vmar);
  EXPECT_EQ(num_mappings(child), 0);
  zx_handle_t handles[] = {ro, child, vmo};
  close_all(handles, 3);
}

int main(void) { return run_tests(); }
