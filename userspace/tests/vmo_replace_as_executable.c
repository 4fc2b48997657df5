// zx_vmo_replace_as_executable (docs/reference/syscalls/vmo_replace_as_executable.md) with
// the VMEX resource the start-up block hands out, and what ZX_RIGHT_EXECUTE then allows
// (the digest's section 3.13, Fuchsia's RightsExec).
//
// As Fuchsia's kernel does it: the vmex handle is checked first but its verdict is
// reported after the VMO handle's; the VMO handle is always consumed, whatever
// happens, once it names a handle at all (a handle that is not a VMO is BAD_HANDLE,
// and consumed too); the new handle has the old one's rights plus ZX_RIGHT_EXECUTE and
// names the same VMO. A bad out pointer is INVALID_ARGS and leaves no handle behind.
// Where the page says BAD_HANDLE for a vmex handle that is not a VMEX resource and the
// kernel answers WRONG_TYPE or OUT_OF_RANGE, these tests only ask for a failure.
// (vmex = ZX_HANDLE_INVALID asks the job's ambient-exec policy; there are no jobs yet,
// so it is not tested.)
//
// CamelCase cases are Fuchsia's cases of the same name (VmoTestCase in
// zircon/system/utest/core/vmo/vmo.cc, or the Vmar tests of
// zircon/system/utest/core/vmar/vmar.cc); snake_case cases are ours.
#include <zrk/vmar_util.h>

static zx_handle_t vmex(void) { return zrk_startup()->vmex_resource; }

// `vmo` replaced by an executable handle (ZX_HANDLE_INVALID if that failed, reported).
static zx_handle_t make_exec(zx_handle_t vmo) {
  zx_handle_t out = ZX_HANDLE_INVALID;
  zx_status_t status = zx_vmo_replace_as_executable(vmo, vmex(), &out);
  if (status != ZX_OK) {
    printf("# replace_as_executable failed: %s\n", zx_status_get_string(status));
    return ZX_HANDLE_INVALID;
  }
  return out;
}

// A new executable VMO of `pages` pages.
static zx_handle_t exec_vmo(uint64_t pages) { return make_exec(new_vmo(pages, 0)); }

// AArch64: mov w0, #42; ret.
static const uint32_t return_42[] = {0x52800540, 0xd65f03c0};

MAP_TEST(the_start_up_block_carries_a_vmex_resource) {
  zx_handle_t h = vmex();
  EXPECT_NE(h, ZX_HANDLE_INVALID);
  EXPECT_TRUE(is_valid(h));
  EXPECT_EQ(basic_info(h).type, ZX_OBJ_TYPE_RESOURCE);
  EXPECT_NE(h, zrk_startup()->info_resource);
}

MAP_TEST(replace_adds_execute_to_the_same_vmo) {
  zx_handle_t vmo = new_vmo(1, 0);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  zx_info_handle_basic_t before = basic_info(vmo);
  EXPECT_EQ(before.rights & ZX_RIGHT_EXECUTE, 0);
  ASSERT_OK(write_u32(vmo, 0, 0x1234));
  zx_handle_t exec = ZX_HANDLE_INVALID;
  ASSERT_OK(zx_vmo_replace_as_executable(vmo, vmex(), &exec));
  EXPECT_FALSE(is_valid(vmo));
  zx_info_handle_basic_t after = basic_info(exec);
  EXPECT_EQ(after.rights, before.rights | ZX_RIGHT_EXECUTE);
  EXPECT_EQ(after.koid, before.koid);
  EXPECT_EQ(after.type, ZX_OBJ_TYPE_VMO);
  EXPECT_EQ(read_u32(exec, 0), 0x1234);
  // A handle with fewer rights keeps exactly those, plus EXECUTE.
  zx_handle_t few = dup_with(exec, ZX_RIGHT_READ | ZX_RIGHT_MAP);
  zx_handle_t few_exec = ZX_HANDLE_INVALID;
  ASSERT_OK(zx_vmo_replace_as_executable(few, vmex(), &few_exec));
  EXPECT_EQ(rights_of(few_exec), ZX_RIGHT_READ | ZX_RIGHT_MAP | ZX_RIGHT_EXECUTE);
  // And one that has EXECUTE already is fine too.
  zx_handle_t again = ZX_HANDLE_INVALID;
  ASSERT_OK(zx_vmo_replace_as_executable(few_exec, vmex(), &again));
  EXPECT_EQ(rights_of(again), ZX_RIGHT_READ | ZX_RIGHT_MAP | ZX_RIGHT_EXECUTE);
  zx_handle_t handles[] = {again, exec};
  close_all(handles, 2);
}

MAP_TEST(errors_consume_the_handle) {
  zx_handle_t out = ZX_HANDLE_INVALID;
  // Not a handle: BAD_HANDLE, whatever the vmex.
  EXPECT_STATUS(zx_vmo_replace_as_executable(ZX_HANDLE_INVALID, vmex(), &out), ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_vmo_replace_as_executable(stale_handle(), vmex(), &out), ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_vmo_replace_as_executable(stale_handle(), stale_handle(), NULL),
                ZX_ERR_BAD_HANDLE);
  // Not a VMO: BAD_HANDLE, and the handle is gone.
  zx_handle_t thread = dup_with(zx_thread_self(), ZX_RIGHT_SAME_RIGHTS);
  EXPECT_STATUS(zx_vmo_replace_as_executable(thread, vmex(), &out), ZX_ERR_BAD_HANDLE);
  EXPECT_FALSE(is_valid(thread));
  // A stale vmex: BAD_HANDLE, and the VMO handle is gone.
  zx_handle_t vmo = new_vmo(1, 0);
  EXPECT_STATUS(zx_vmo_replace_as_executable(vmo, stale_handle(), &out), ZX_ERR_BAD_HANDLE);
  EXPECT_FALSE(is_valid(vmo));
  // A vmex that is not a VMEX resource: refused, and the VMO handle is gone.
  zx_handle_t not_vmex[] = {zx_thread_self(), zx_process_self(), zrk_startup()->info_resource,
                            zx_vmar_root_self()};
  for (size_t i = 0; i < sizeof not_vmex / sizeof not_vmex[0]; i++) {
    TEST_CONTEXT("vmex = object %zu", i);
    vmo = new_vmo(1, 0);
    EXPECT_NE(zx_vmo_replace_as_executable(vmo, not_vmex[i], &out), ZX_OK);
    EXPECT_FALSE(is_valid(vmo));
  }
  TEST_CONTEXT("%s", "");
  EXPECT_EQ(out, ZX_HANDLE_INVALID);
  // The vmex handle itself is never consumed.
  EXPECT_TRUE(is_valid(vmex()));
}

MAP_TEST(bad_out_pointers) {
  zx_vaddr_t base;
  zx_handle_t vmar = sandbox(2, &base);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  zrk_bad_ptr_t bad[ZRK_BAD_PTR_MAX];
  size_t n = bad_out_ptrs(bad, base, 0);
  for (size_t i = 0; i < n; i++) {
    TEST_CONTEXT("out = %s", bad[i].name);
    zx_handle_t vmo = new_vmo(1, 0);
    ASSERT_OK(write_u32(vmo, 0, 1));  // a page the leak check must see freed
    EXPECT_STATUS(zx_vmo_replace_as_executable(vmo, vmex(), (zx_handle_t*)bad[i].ptr),
                  ZX_ERR_INVALID_ARGS);
    EXPECT_FALSE(is_valid(vmo));
  }
  TEST_CONTEXT("%s", "");
  drop_vmar(vmar);
}

// Maps 4 pages of `vmo` into the root VMAR with `perms` and checks the status.
static void expect_map(zx_handle_t vmo, zx_vm_option_t perms, zx_status_t want) {
  zx_vaddr_t addr = 0;
  zx_status_t status = zx_vmar_map(zx_vmar_root_self(), perms, 0, vmo, 0, 4 * PAGE, &addr);
  EXPECT_STATUS(status, want);
  if (status == ZX_OK) {
    EXPECT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, 4 * PAGE));
  }
}

// Fuchsia's RightsExec: the mapping matrix of an executable VMO and of duplicates with
// rights dropped, and the rights of its children.
MAP_TEST(RightsExec) {
  zx_handle_t vmo = exec_vmo(4);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  const zx_rights_t expected = ZX_RIGHT_DUPLICATE | ZX_RIGHT_TRANSFER | ZX_RIGHT_WAIT |
                               ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_MAP |
                               ZX_RIGHT_GET_PROPERTY | ZX_RIGHT_SET_PROPERTY | ZX_RIGHT_EXECUTE;
  EXPECT_EQ(rights_of(vmo) & expected, expected);
  const zx_status_t OK = ZX_OK, IA = ZX_ERR_INVALID_ARGS, AD = ZX_ERR_ACCESS_DENIED;
  const zx_rights_t R = ZX_RIGHT_READ, W = ZX_RIGHT_WRITE, X = ZX_RIGHT_EXECUTE,
                    M = ZX_RIGHT_MAP, D = ZX_RIGHT_DUPLICATE;
  struct {
    zx_rights_t rights;  // ZX_RIGHT_SAME_RIGHTS: the handle itself
    zx_status_t none, r, w, rw, rwx, rx, x;
  } rows[] = {
      {ZX_RIGHT_SAME_RIGHTS, OK, OK, IA, OK, OK, OK, IA},
      {R | W | X | D, AD, AD, AD, AD, AD, AD, AD},
      {R | M | D, OK, OK, IA, AD, AD, AD, IA},
      {W | M | D, OK, AD, IA, AD, AD, AD, IA},
      {R | W | M | D, OK, OK, IA, OK, AD, AD, IA},
      {R | X | M | D, OK, OK, IA, AD, AD, OK, IA},
      {R | W | X | M | D, OK, OK, IA, OK, OK, OK, IA},
      {X | M, OK, AD, IA, AD, AD, AD, IA},
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    zx_handle_t h = dup_with(vmo, rows[i].rights);
    ASSERT_NE(h, ZX_HANDLE_INVALID);
    TEST_CONTEXT("rights %#x: none", rows[i].rights);
    expect_map(h, 0, rows[i].none);
    TEST_CONTEXT("rights %#x: R", rows[i].rights);
    expect_map(h, PERM_R, rows[i].r);
    TEST_CONTEXT("rights %#x: W", rows[i].rights);
    expect_map(h, ZX_VM_PERM_WRITE, rows[i].w);
    TEST_CONTEXT("rights %#x: RW", rows[i].rights);
    expect_map(h, PERM_RW, rows[i].rw);
    TEST_CONTEXT("rights %#x: RWX", rows[i].rights);
    expect_map(h, PERM_RWX, rows[i].rwx);
    TEST_CONTEXT("rights %#x: RX", rows[i].rights);
    expect_map(h, PERM_RX, rows[i].rx);
    TEST_CONTEXT("rights %#x: X", rows[i].rights);
    expect_map(h, ZX_VM_PERM_EXECUTE, rows[i].x);
    EXPECT_OK(zx_handle_close(h));
  }
  // Children: a snapshot trades EXECUTE for WRITE unless NO_WRITE; a slice keeps it.
  TEST_CONTEXT("children");
  zx_rights_t parent = rights_of(vmo);
  const zx_rights_t props = ZX_RIGHT_GET_PROPERTY | ZX_RIGHT_SET_PROPERTY;
  struct {
    uint32_t options;
    zx_rights_t rights;
  } children[] = {
      {SNAPSHOT, (parent | props | ZX_RIGHT_WRITE) & ~ZX_RIGHT_EXECUTE},
      {SNAPSHOT | ZX_VMO_CHILD_NO_WRITE, (parent | props) & ~ZX_RIGHT_WRITE},
      {SLICE, parent | props},
      {SLICE | ZX_VMO_CHILD_NO_WRITE, (parent | props) & ~ZX_RIGHT_WRITE},
  };
  for (size_t i = 0; i < 4; i++) {
    TEST_CONTEXT("child options %#x", children[i].options);
    zx_handle_t child = child_of(vmo, children[i].options, 0, PAGE);
    ASSERT_NE(child, ZX_HANDLE_INVALID);
    EXPECT_EQ(rights_of(child), children[i].rights);
    expect_map(child, PERM_RX,
               (children[i].rights & ZX_RIGHT_EXECUTE) ? ZX_OK : ZX_ERR_ACCESS_DENIED);
    EXPECT_OK(zx_handle_close(child));
  }
  EXPECT_OK(zx_handle_close(vmo));
}

// Code written into an executable VMO runs from an R-X mapping of it.
MAP_TEST(code_runs_from_an_executable_mapping) {
  zx_handle_t vmo = new_vmo(1, 0);
  ASSERT_OK(zx_vmo_write(vmo, return_42, 0, sizeof return_42));
  vmo = make_exec(vmo);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  uintptr_t addr = map_root(PERM_RX, vmo, 0, PAGE);
  ASSERT_NE(addr, 0);
  int (*fn)(void) = (int (*)(void))addr;
  EXPECT_EQ(fn(), 42);
  EXPECT_EQ(writable_pages(addr, 1), 0);
  unmap_root(addr, PAGE);
  // Made executable later by protect, from a read-only mapping.
  addr = map_root(PERM_R, vmo, 0, PAGE);
  ASSERT_NE(addr, 0);
  EXPECT_OK(zx_vmar_protect(zx_vmar_root_self(), PERM_RX, addr, PAGE));
  fn = (int (*)(void))addr;
  EXPECT_EQ(fn(), 42);
  unmap_root(addr, PAGE);
  EXPECT_OK(zx_handle_close(vmo));
}

// Without EXECUTE on the VMO handle, no executable mapping, by map or by protect.
MAP_TEST(no_execute_without_the_right) {
  zx_handle_t vmo = new_vmo(1, 0);
  zx_vaddr_t addr = 0;
  EXPECT_STATUS(zx_vmar_map(zx_vmar_root_self(), PERM_RX, 0, vmo, 0, PAGE, &addr),
                ZX_ERR_ACCESS_DENIED);
  addr = map_root(PERM_RW, vmo, 0, PAGE);
  ASSERT_NE(addr, 0);
  EXPECT_STATUS(zx_vmar_protect(zx_vmar_root_self(), PERM_RX, addr, PAGE), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_vmar_protect(zx_vmar_root_self(), PERM_RWX, addr, PAGE),
                ZX_ERR_ACCESS_DENIED);
  // Replacing the handle later does not widen a mapping made before.
  vmo = make_exec(vmo);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  EXPECT_STATUS(zx_vmar_protect(zx_vmar_root_self(), PERM_RX, addr, PAGE), ZX_ERR_ACCESS_DENIED);
  unmap_root(addr, PAGE);
  EXPECT_OK(zx_handle_close(vmo));
}

// The VMAR side: a region without CAN_MAP_EXECUTE (or a handle without EXECUTE) takes no
// executable mapping (Fuchsia's RightsDropTest and NestedRegionPermsTest, execute rows).
MAP_TEST(vmars_limit_execute) {
  zx_handle_t vmo = exec_vmo(1);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  zx_vaddr_t base, addr = 0;
  zx_handle_t rw = sandbox(2, &base);
  ASSERT_NE(rw, ZX_HANDLE_INVALID);
  EXPECT_STATUS(zx_vmar_map(rw, PERM_RX, 0, vmo, 0, PAGE, &addr), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_vmar_map(rw, PERM_RWX, 0, vmo, 0, PAGE, &addr), ZX_ERR_ACCESS_DENIED);
  addr = map_vmo(rw, PERM_R, 0, vmo, 0, PAGE);
  ASSERT_NE(addr, 0);
  EXPECT_STATUS(zx_vmar_protect(zx_vmar_root_self(), PERM_RX, addr, PAGE), ZX_ERR_ACCESS_DENIED);
  drop_vmar(rw);
  zx_handle_t rwx = sandbox_with(CAN_RWX, 2, &base);
  ASSERT_NE(rwx, ZX_HANDLE_INVALID);
  EXPECT_EQ(rights_of(rwx) & ZX_RIGHT_EXECUTE, ZX_RIGHT_EXECUTE);
  addr = map_vmo(rwx, PERM_RX, 0, vmo, 0, PAGE);
  EXPECT_NE(addr, 0);
  addr = map_vmo(rwx, PERM_RWX, 0, vmo, 0, PAGE);
  EXPECT_NE(addr, 0);
  drop_vmar(rwx);
  // A root handle with READ|EXECUTE only.
  zx_handle_t rx_root = dup_with(zx_vmar_root_self(), ZX_RIGHT_READ | ZX_RIGHT_EXECUTE);
  ASSERT_NE(rx_root, ZX_HANDLE_INVALID);
  EXPECT_STATUS(zx_vmar_map(rx_root, PERM_RWX, 0, vmo, 0, PAGE, &addr), ZX_ERR_ACCESS_DENIED);
  ASSERT_OK(zx_vmar_map(rx_root, PERM_RX, 0, vmo, 0, PAGE, &addr));
  EXPECT_STATUS(zx_vmar_protect(rx_root, PERM_RWX, addr, PAGE), ZX_ERR_ACCESS_DENIED);
  EXPECT_OK(zx_vmar_unmap(rx_root, addr, PAGE));
  zx_handle_t region = ZX_HANDLE_INVALID;
  EXPECT_STATUS(zx_vmar_allocate(rx_root, CAN_RWX, 0, 10 * PAGE, &region, &base),
                ZX_ERR_ACCESS_DENIED);
  EXPECT_OK(zx_handle_close(rx_root));
  // A VMO handle with READ|EXECUTE only (Fuchsia's ProtectTest, execute row).
  zx_handle_t rx_vmo = dup_with(vmo, ZX_RIGHT_READ | ZX_RIGHT_EXECUTE | ZX_RIGHT_MAP);
  EXPECT_STATUS(zx_vmar_map(zx_vmar_root_self(), PERM_RWX, 0, rx_vmo, 0, PAGE, &addr),
                ZX_ERR_ACCESS_DENIED);
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), PERM_RX, 0, rx_vmo, 0, PAGE, &addr));
  EXPECT_OK(zx_handle_close(rx_vmo));
  EXPECT_STATUS(zx_vmar_protect(zx_vmar_root_self(), PERM_RWX, addr, PAGE), ZX_ERR_ACCESS_DENIED);
  unmap_root(addr, PAGE);
  EXPECT_OK(zx_handle_close(vmo));
}

int main(void) { return run_tests(); }
