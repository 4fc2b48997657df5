// Cache policies and mappings (docs/reference/syscalls/vmo_set_cache_policy.md; the
// digest's section 3.7; issue 5, "Cache policy of the VMO becomes the memory type of its
// mappings"): a VMO's policy cannot change while it is mapped (BAD_STATE), and can again
// once the last mapping is gone; a VMO of every policy maps, and its mappings agree with
// each other through aligned 32-bit loads and stores (uncached memory takes no unaligned
// access, so nothing else touches it here).
//
// CamelCase cases are Fuchsia's cases of the same name (VmoTestCase in vmo.cc,
// VmoClone2TestCase in vmo-clone2.cc; zircon/system/utest/core/vmo/); snake_case cases
// are ours.
#include <zrk/vmar_util.h>

static const uint32_t policies[] = {ZX_CACHE_POLICY_CACHED, ZX_CACHE_POLICY_UNCACHED,
                                    ZX_CACHE_POLICY_UNCACHED_DEVICE,
                                    ZX_CACHE_POLICY_WRITE_COMBINING};

// Fuchsia's Cache, its mapping part.
MAP_TEST(Cache) {
  zx_handle_t vmo = new_vmo(1, 0);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  uintptr_t addr = map_root(PERM_R, vmo, 0, PAGE);
  ASSERT_NE(addr, 0);
  EXPECT_STATUS(zx_vmo_set_cache_policy(vmo, ZX_CACHE_POLICY_CACHED), ZX_ERR_BAD_STATE);
  EXPECT_STATUS(zx_vmo_set_cache_policy(vmo, ZX_CACHE_POLICY_UNCACHED), ZX_ERR_BAD_STATE);
  unmap_root(addr, PAGE);
  EXPECT_OK(zx_vmo_set_cache_policy(vmo, ZX_CACHE_POLICY_CACHED));
  EXPECT_OK(zx_handle_close(vmo));
}

// Any mapping blocks the change, until the last one goes; the mapping being gone from
// the address space is what counts, not the handle.
MAP_TEST(no_policy_change_while_any_mapping_remains) {
  zx_handle_t vmo = new_vmo(2, 0);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  zx_vaddr_t base;
  zx_handle_t vmar = sandbox(4, &base);
  ASSERT_NE(vmar, ZX_HANDLE_INVALID);
  uintptr_t a = map_root(PERM_RW, vmo, 0, 2 * PAGE);
  uintptr_t b = map_vmo(vmar, 0, 0, vmo, PAGE, PAGE);  // no permissions at all
  ASSERT_NE(a, 0);
  ASSERT_NE(b, 0);
  EXPECT_STATUS(zx_vmo_set_cache_policy(vmo, ZX_CACHE_POLICY_UNCACHED), ZX_ERR_BAD_STATE);
  unmap_root(a, 2 * PAGE);
  EXPECT_STATUS(zx_vmo_set_cache_policy(vmo, ZX_CACHE_POLICY_UNCACHED), ZX_ERR_BAD_STATE);
  // A duplicate handle does not help; destroying the VMAR that holds the mapping does.
  zx_handle_t dup = dup_with(vmo, ZX_RIGHT_SAME_RIGHTS);
  EXPECT_STATUS(zx_vmo_set_cache_policy(dup, ZX_CACHE_POLICY_UNCACHED), ZX_ERR_BAD_STATE);
  drop_vmar(vmar);
  EXPECT_OK(zx_vmo_set_cache_policy(dup, ZX_CACHE_POLICY_UNCACHED));
  EXPECT_EQ(vmo_info(vmo).cache_policy, ZX_CACHE_POLICY_UNCACHED);
  zx_handle_t handles[] = {dup, vmo};
  close_all(handles, 2);
}

// Fuchsia's Uncached: an uncached VMO written through its mapping cannot be snapshotted,
// and the data is untouched by the attempt.
MAP_TEST(Uncached) {
  zx_handle_t vmo = new_vmo(1, 0);
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  ASSERT_OK(zx_vmo_set_cache_policy(vmo, ZX_CACHE_POLICY_UNCACHED));
  uintptr_t addr = map_root(PERM_RW, vmo, 0, PAGE);
  ASSERT_NE(addr, 0);
  *u32_at(addr) = 0xdeadbeef;
  zx_handle_t clone = ZX_HANDLE_INVALID;
  EXPECT_STATUS(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SNAPSHOT, 0, PAGE, &clone),
                ZX_ERR_BAD_STATE);
  EXPECT_EQ(clone, ZX_HANDLE_INVALID);
  EXPECT_EQ(*u32_at(addr), 0xdeadbeef);
  unmap_root(addr, PAGE);
  EXPECT_OK(zx_handle_close(vmo));
}

// Every policy maps; two mappings of the VMO agree word for word, and a mapping made
// later sees what earlier ones stored.
MAP_TEST(every_policy_maps_and_its_mappings_agree) {
  for (size_t i = 0; i < sizeof policies / sizeof policies[0]; i++) {
    TEST_CONTEXT("policy %u", policies[i]);
    zx_handle_t vmo = new_vmo(2, 0);
    ASSERT_NE(vmo, ZX_HANDLE_INVALID);
    ASSERT_OK(zx_vmo_set_cache_policy(vmo, policies[i]));
    uintptr_t a = map_root(PERM_RW, vmo, 0, 2 * PAGE);
    uintptr_t b = map_root(PERM_RW, vmo, 0, 2 * PAGE);
    ASSERT_NE(a, 0);
    ASSERT_NE(b, 0);
    for (uint32_t w = 0; w < 2 * PAGE / 4; w += 97) {
      *u32_at(a + 4 * w) = w * 3 + 1;
    }
    for (uint32_t w = 0; w < 2 * PAGE / 4; w += 97) {
      EXPECT_EQ(*u32_at(b + 4 * w), w * 3 + 1);
    }
    *u32_at(b + PAGE + 64) = 0xfeedface;
    EXPECT_EQ(*u32_at(a + PAGE + 64), 0xfeedface);
    unmap_root(a, 2 * PAGE);
    uintptr_t c = map_root(PERM_R, vmo, PAGE, PAGE);
    ASSERT_NE(c, 0);
    EXPECT_EQ(*u32_at(c + 64), 0xfeedface);
    EXPECT_EQ(vmo_info(vmo).cache_policy, policies[i]);
    unmap_root(b, 2 * PAGE);
    unmap_root(c, PAGE);
    EXPECT_OK(zx_handle_close(vmo));
  }
}

int main(void) { return run_tests(); }
