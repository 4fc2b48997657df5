// zx_vmo_set_cache_policy (vmo_set_cache_policy.md; the digest's section 3.7): a policy
// outside ZX_CACHE_POLICY_MASK is INVALID_ARGS before the handle is looked at; the handle
// needs ZX_RIGHT_MAP; a VMO with children, or that is a child, is BAD_STATE, and so is a
// VMO that has committed pages while it is not cached. A VMO that is not cached refuses
// zx_vmo_read and zx_vmo_write (and ZX_VMO_OP_ZERO) with BAD_STATE, after the
// offset-overflow check and before the range and zero-length checks; it cannot have
// copy-on-write children or slices (BAD_STATE).
//
// CamelCase cases are Fuchsia's cases of the same name (VmoTestCase.Cache in vmo.cc,
// VmoClone2TestCase.Uncached in vmo-clone2.cc); snake_case cases are ours.
#include <zircon/process.h>
#include <zircon/rights.h>
#include <zircon/syscalls/object.h>
#include <zrk/startup.h>
#include <zrk/test.h>
#include <zrk/vmo_util.h>

static zx_status_t policy(zx_handle_t vmo, uint32_t p) { return zx_vmo_set_cache_policy(vmo, p); }

static const uint32_t not_cached[] = {ZX_CACHE_POLICY_UNCACHED, ZX_CACHE_POLICY_UNCACHED_DEVICE,
                                      ZX_CACHE_POLICY_WRITE_COMBINING};

// Fuchsia's Cache without its mapping part (that needs VMARs).
VMO_TEST(Cache) {
  const uint64_t size = PAGE;
  zx_handle_t vmo, clone = ZX_HANDLE_INVALID;
  ASSERT_OK(zx_vmo_create(size, 0, &vmo));
  // A clean VMO takes every policy.
  EXPECT_OK(policy(vmo, ZX_CACHE_POLICY_CACHED));
  EXPECT_OK(policy(vmo, ZX_CACHE_POLICY_UNCACHED));
  EXPECT_OK(policy(vmo, ZX_CACHE_POLICY_UNCACHED_DEVICE));
  EXPECT_OK(policy(vmo, ZX_CACHE_POLICY_WRITE_COMBINING));
  EXPECT_STATUS(policy(vmo, ZX_CACHE_POLICY_MASK + 1), ZX_ERR_INVALID_ARGS);
  EXPECT_OK(policy(vmo, ZX_CACHE_POLICY_CACHED));
  // Not while it has a child, nor on the child.
  ASSERT_OK(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SNAPSHOT, 0, size, &clone));
  EXPECT_STATUS(policy(vmo, ZX_CACHE_POLICY_CACHED), ZX_ERR_BAD_STATE);
  EXPECT_STATUS(policy(clone, ZX_CACHE_POLICY_CACHED), ZX_ERR_BAD_STATE);
  EXPECT_OK(zx_handle_close(clone));
  EXPECT_OK(policy(vmo, ZX_CACHE_POLICY_CACHED));
  // Uncached: no snapshots.
  EXPECT_OK(policy(vmo, ZX_CACHE_POLICY_UNCACHED));
  clone = ZX_HANDLE_INVALID;
  EXPECT_STATUS(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SNAPSHOT, 0, size, &clone),
                ZX_ERR_BAD_STATE);
  EXPECT_EQ(clone, ZX_HANDLE_INVALID);
  EXPECT_OK(policy(vmo, ZX_CACHE_POLICY_CACHED));
  ASSERT_OK(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SNAPSHOT, 0, size, &clone));
  EXPECT_OK(zx_handle_close(clone));
  // Uncached: no vmo_read or vmo_write.
  char c = 0;
  EXPECT_OK(policy(vmo, ZX_CACHE_POLICY_UNCACHED));
  EXPECT_STATUS(zx_vmo_read(vmo, &c, 0, 1), ZX_ERR_BAD_STATE);
  EXPECT_STATUS(zx_vmo_write(vmo, &c, 0, 1), ZX_ERR_BAD_STATE);
  EXPECT_OK(policy(vmo, ZX_CACHE_POLICY_CACHED));
  EXPECT_OK(zx_vmo_read(vmo, &c, 0, 1));
  EXPECT_OK(zx_vmo_write(vmo, &c, 0, 1));
  EXPECT_OK(zx_handle_close(vmo));
  // A huge sparse VMO with one byte written can go uncached (its page is cleaned).
  ASSERT_OK(zx_vmo_create(size << 40, 0, &vmo));
  c = 42;
  EXPECT_OK(zx_vmo_write(vmo, &c, 1ull << 50, 1));
  EXPECT_OK(policy(vmo, ZX_CACHE_POLICY_UNCACHED));
  EXPECT_EQ(vmo_info(vmo).cache_policy, ZX_CACHE_POLICY_UNCACHED);
  EXPECT_OK(zx_handle_close(vmo));
}

// Fuchsia's Uncached without its mapping part (that needs VMARs).
VMO_TEST(Uncached) {
  zx_handle_t vmo, clone = ZX_HANDLE_INVALID;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(policy(vmo, ZX_CACHE_POLICY_UNCACHED));
  EXPECT_STATUS(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SNAPSHOT, 0, PAGE, &clone),
                ZX_ERR_BAD_STATE);
  EXPECT_STATUS(
      zx_vmo_create_child(vmo, ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE, 0, PAGE, &clone),
      ZX_ERR_BAD_STATE);
  EXPECT_EQ(clone, ZX_HANDLE_INVALID);
  EXPECT_EQ(vmo_info(vmo).num_children, 0);
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(every_policy_but_cached_refuses_io) {
  for (size_t i = 0; i < 3; i++) {
    TEST_CONTEXT("policy %u", not_cached[i]);
    zx_handle_t vmo;
    ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &vmo));
    ASSERT_OK(policy(vmo, not_cached[i]));
    EXPECT_EQ(vmo_info(vmo).cache_policy, not_cached[i]);
    uint32_t v = 0;
    EXPECT_STATUS(zx_vmo_read(vmo, &v, 0, sizeof v), ZX_ERR_BAD_STATE);
    EXPECT_STATUS(zx_vmo_write(vmo, &v, 0, sizeof v), ZX_ERR_BAD_STATE);
    EXPECT_STATUS(zx_vmo_op_range(vmo, ZX_VMO_OP_ZERO, 0, PAGE, NULL, 0), ZX_ERR_BAD_STATE);
    EXPECT_EQ(committed(vmo), 0);
    EXPECT_OK(zx_handle_close(vmo));
  }
}

// The cache-policy check sits after the overflow check and before the range and
// zero-length checks (the digest's 3.2 steps 2-5).
VMO_TEST(uncached_io_errors_in_zircon_order) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &vmo));
  ASSERT_OK(policy(vmo, ZX_CACHE_POLICY_UNCACHED));
  uint8_t b[8];
  // Rights first.
  zx_handle_t ro = dup_with(vmo, ZX_RIGHT_READ);
  EXPECT_STATUS(zx_vmo_write(ro, b, 0, 1), ZX_ERR_ACCESS_DENIED);
  // Overflow before the policy.
  EXPECT_STATUS(zx_vmo_read(vmo, b, UINT64_MAX, 2), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(zx_vmo_write(vmo, b, 1, SIZE_MAX), ZX_ERR_OUT_OF_RANGE);
  // The policy before the range, the zero-length exit and the buffer.
  EXPECT_STATUS(zx_vmo_read(vmo, b, 10 * PAGE, 1), ZX_ERR_BAD_STATE);
  EXPECT_STATUS(zx_vmo_write(vmo, b, 10 * PAGE, 0), ZX_ERR_BAD_STATE);
  EXPECT_STATUS(zx_vmo_read(vmo, b, 0, 0), ZX_ERR_BAD_STATE);
  EXPECT_STATUS(zx_vmo_read(vmo, NULL, 0, 0), ZX_ERR_BAD_STATE);
  EXPECT_STATUS(zx_vmo_write(vmo, NULL, 0, 8), ZX_ERR_BAD_STATE);
  EXPECT_OK(zx_handle_close(ro));
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(set_cache_policy_errors_in_zircon_order) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  // A bad policy before the handle.
  uint32_t bad[] = {ZX_CACHE_POLICY_MASK + 1, 8, 0x80000000u, 0xffffffffu, 5};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    TEST_CONTEXT("policy %#x", bad[i]);
    EXPECT_STATUS(policy(vmo, bad[i]), ZX_ERR_INVALID_ARGS);
    EXPECT_STATUS(policy(ZX_HANDLE_INVALID, bad[i]), ZX_ERR_INVALID_ARGS);
    EXPECT_STATUS(policy(zx_thread_self(), bad[i]), ZX_ERR_INVALID_ARGS);
  }
  TEST_CONTEXT("handles");
  EXPECT_STATUS(policy(ZX_HANDLE_INVALID, ZX_CACHE_POLICY_CACHED), ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(policy(stale_handle(), ZX_CACHE_POLICY_UNCACHED), ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(policy(zx_thread_self(), ZX_CACHE_POLICY_UNCACHED), ZX_ERR_WRONG_TYPE);
  zx_handle_t thread_none = dup_with(zx_thread_self(), ZX_RIGHT_NONE);
  EXPECT_STATUS(policy(thread_none, ZX_CACHE_POLICY_UNCACHED), ZX_ERR_WRONG_TYPE);
  // MAP is the right it needs; READ and WRITE are not enough, MAP alone is.
  zx_handle_t no_map = dup_with(vmo, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_MAP);
  EXPECT_STATUS(policy(no_map, ZX_CACHE_POLICY_UNCACHED), ZX_ERR_ACCESS_DENIED);
  zx_handle_t map_only = dup_with(vmo, ZX_RIGHT_MAP);
  EXPECT_OK(policy(map_only, ZX_CACHE_POLICY_UNCACHED));
  EXPECT_EQ(vmo_info(vmo).cache_policy, ZX_CACHE_POLICY_UNCACHED);
  EXPECT_OK(policy(map_only, ZX_CACHE_POLICY_CACHED));
  zx_handle_t handles[] = {thread_none, no_map, map_only, vmo};
  EXPECT_OK(zx_handle_close_many(handles, 4));
}

// Committed pages may go from cached to uncached (they are cleaned first), but not back.
VMO_TEST(committed_pages_cannot_become_cached_again) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &vmo));
  ASSERT_OK(write_u32(vmo, 0, 0x5a5a5a5a));
  EXPECT_OK(policy(vmo, ZX_CACHE_POLICY_UNCACHED));
  EXPECT_STATUS(policy(vmo, ZX_CACHE_POLICY_CACHED), ZX_ERR_BAD_STATE);
  EXPECT_STATUS(policy(vmo, ZX_CACHE_POLICY_WRITE_COMBINING), ZX_ERR_BAD_STATE);
  EXPECT_EQ(vmo_info(vmo).cache_policy, ZX_CACHE_POLICY_UNCACHED);
  // Decommitted, it can.
  EXPECT_OK(zx_vmo_op_range(vmo, ZX_VMO_OP_DECOMMIT, 0, 2 * PAGE, NULL, 0));
  EXPECT_EQ(committed(vmo), 0);
  EXPECT_OK(policy(vmo, ZX_CACHE_POLICY_CACHED));
  EXPECT_EQ(read_u32(vmo, 0), 0);
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(slices_and_their_parents_keep_their_policy) {
  zx_handle_t vmo, slice;
  ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &vmo));
  ASSERT_OK(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SLICE, 0, PAGE, &slice));
  EXPECT_STATUS(policy(vmo, ZX_CACHE_POLICY_UNCACHED), ZX_ERR_BAD_STATE);
  EXPECT_STATUS(policy(slice, ZX_CACHE_POLICY_UNCACHED), ZX_ERR_BAD_STATE);
  EXPECT_OK(zx_handle_close(slice));
  // An uncached parent cannot be sliced.
  EXPECT_OK(policy(vmo, ZX_CACHE_POLICY_UNCACHED));
  slice = ZX_HANDLE_INVALID;
  EXPECT_STATUS(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SLICE, 0, PAGE, &slice), ZX_ERR_BAD_STATE);
  EXPECT_EQ(slice, ZX_HANDLE_INVALID);
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(a_grandchild_is_a_child_too) {
  zx_handle_t vmo, child, grandchild;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SNAPSHOT, 0, PAGE, &child));
  ASSERT_OK(zx_vmo_create_child(child, ZX_VMO_CHILD_SNAPSHOT, 0, PAGE, &grandchild));
  EXPECT_OK(zx_handle_close(child));
  EXPECT_STATUS(policy(grandchild, ZX_CACHE_POLICY_UNCACHED), ZX_ERR_BAD_STATE);
  EXPECT_OK(zx_handle_close(grandchild));
  EXPECT_OK(policy(vmo, ZX_CACHE_POLICY_UNCACHED));
  EXPECT_OK(zx_handle_close(vmo));
}

int main(void) { return run_tests(); }
