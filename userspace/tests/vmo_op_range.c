// zx_vmo_op_range (docs/reference/syscalls/vmo_op_range.md; the digest's section 3.5):
// the handle is looked up first (type only), then the op decides the right it needs
// (COMMIT, DECOMMIT, ZERO and CACHE_INVALIDATE: WRITE; CACHE_SYNC, CACHE_CLEAN and
// CACHE_CLEAN_INVALIDATE: READ; LOCK, TRY_LOCK and UNLOCK: READ or WRITE), and an op
// it does not know is INVALID_ARGS. A range not inside the VMO is OUT_OF_RANGE for every
// op: this follows Fuchsia's newest vmo.cc (OpOutOfBounds and DecommitChildSliceTests
// after fxbug.dev/130470 was fixed) and its kernel, not the older test that expected
// COMMIT and DECOMMIT to trim. COMMIT rounds an unaligned range outward; DECOMMIT wants
// whole pages; cache ops want a length. LOCK and friends work on discardable VMOs only
// and on the whole VMO only. (ZERO has its own program, vmo_zero.c.)
//
// CamelCase cases are Fuchsia's cases of the same name (VmoTestCase in
// zircon/system/utest/core/vmo/vmo.cc); snake_case cases are ours.
#include <zircon/process.h>
#include <zircon/rights.h>
#include <zircon/syscalls/object.h>
#include <zrk/bad_ptr.h>
#include <zrk/startup.h>
#include <zrk/test.h>
#include <zrk/vmo_util.h>

static zx_status_t op(zx_handle_t vmo, uint32_t which, uint64_t offset, uint64_t size) {
  return zx_vmo_op_range(vmo, which, offset, size, NULL, 0);
}

// Fuchsia's Commit without its mappings (they need VMARs).
VMO_TEST(Commit) {
  const uint64_t size = 16384;
  uint64_t before = vmo_bytes();
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(size, 0, &vmo));
  EXPECT_OK(op(vmo, ZX_VMO_OP_COMMIT, 0, size));
  EXPECT_EQ(committed(vmo), size);
  EXPECT_EQ(vmo_bytes(), before + size);
  EXPECT_OK(op(vmo, ZX_VMO_OP_DECOMMIT, 0, size));
  EXPECT_EQ(committed(vmo), 0);
  EXPECT_EQ(vmo_bytes(), before);
  EXPECT_OK(op(vmo, ZX_VMO_OP_COMMIT, 0, size));
  EXPECT_EQ(committed(vmo), size);
  // Decommitting page 0 leaves page 1's contents; decommitting page 1 makes it zero.
  EXPECT_OK(write_u32(vmo, PAGE, 99));
  EXPECT_OK(op(vmo, ZX_VMO_OP_DECOMMIT, 0, PAGE));
  EXPECT_EQ(read_u32(vmo, PAGE), 99);
  EXPECT_OK(op(vmo, ZX_VMO_OP_DECOMMIT, PAGE, PAGE));
  EXPECT_EQ(read_u32(vmo, PAGE), 0);
  EXPECT_EQ(committed(vmo), size - 2 * PAGE);
  // A range that overflows.
  EXPECT_STATUS(op(vmo, ZX_VMO_OP_COMMIT, PAGE, UINT64_MAX - PAGE + 1), ZX_ERR_OUT_OF_RANGE);
  EXPECT_OK(zx_handle_close(vmo));
  EXPECT_EQ(vmo_bytes(), before);
}

VMO_TEST(commit_is_idempotent_and_keeps_contents) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(4 * PAGE, 0, &vmo));
  ASSERT_OK(write_u32(vmo, PAGE + 8, 0x1234));
  uint64_t before = vmo_bytes();
  EXPECT_OK(op(vmo, ZX_VMO_OP_COMMIT, 0, 4 * PAGE));
  EXPECT_EQ(vmo_bytes(), before + 3 * PAGE);
  EXPECT_OK(op(vmo, ZX_VMO_OP_COMMIT, 0, 4 * PAGE));
  EXPECT_EQ(vmo_bytes(), before + 3 * PAGE);
  EXPECT_EQ(read_u32(vmo, PAGE + 8), 0x1234);
  EXPECT_EQ(read_u32(vmo, 3 * PAGE), 0);
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(commit_rounds_an_unaligned_range_outward) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(4 * PAGE, 0, &vmo));
  EXPECT_OK(op(vmo, ZX_VMO_OP_COMMIT, 0x10, 0x100));
  EXPECT_EQ(committed(vmo), PAGE);
  EXPECT_OK(op(vmo, ZX_VMO_OP_COMMIT, 2 * PAGE - 1, 2));
  EXPECT_EQ(committed(vmo), 3 * PAGE);
  EXPECT_OK(op(vmo, ZX_VMO_OP_COMMIT, 4 * PAGE - 1, 1));
  EXPECT_EQ(committed(vmo), 4 * PAGE);
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(decommit_reads_back_zeros) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(4 * PAGE, 0, &vmo));
  static uint8_t buf[4 * ZX_PAGE_SIZE];
  memset(buf, 0xee, sizeof buf);
  ASSERT_OK(zx_vmo_write(vmo, buf, 0, sizeof buf));
  uint64_t before = vmo_bytes();
  EXPECT_OK(op(vmo, ZX_VMO_OP_DECOMMIT, PAGE, 2 * PAGE));
  EXPECT_EQ(vmo_bytes(), before - 2 * PAGE);
  EXPECT_EQ(committed(vmo), 2 * PAGE);
  ASSERT_OK(zx_vmo_read(vmo, buf, 0, sizeof buf));
  EXPECT_TRUE(all_bytes(buf, PAGE, 0xee));
  EXPECT_TRUE(all_bytes(buf + PAGE, 2 * PAGE, 0));
  EXPECT_TRUE(all_bytes(buf + 3 * PAGE, PAGE, 0xee));
  // Decommitting what is not committed, or nothing, is fine.
  EXPECT_OK(op(vmo, ZX_VMO_OP_DECOMMIT, PAGE, 2 * PAGE));
  EXPECT_OK(op(vmo, ZX_VMO_OP_DECOMMIT, 0, 0));
  EXPECT_OK(op(vmo, ZX_VMO_OP_DECOMMIT, 4 * PAGE, 0));
  EXPECT_EQ(committed(vmo), 2 * PAGE);
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(DecommitMisaligned) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &vmo));
  EXPECT_STATUS(op(vmo, ZX_VMO_OP_DECOMMIT, 0x10, 0x100), ZX_ERR_INVALID_ARGS);
  EXPECT_OK(op(vmo, ZX_VMO_OP_COMMIT, 0x10, 0x100));
  EXPECT_STATUS(op(vmo, ZX_VMO_OP_DECOMMIT, 0x10, 0x100), ZX_ERR_INVALID_ARGS);
  // Either end unaligned.
  EXPECT_STATUS(op(vmo, ZX_VMO_OP_DECOMMIT, 0, 0x100), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(op(vmo, ZX_VMO_OP_DECOMMIT, 0x10, PAGE), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(committed(vmo), PAGE);
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(OpOutOfBounds) {
  const uint64_t vmo_size = PAGE, op_size = 2 * PAGE;
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(vmo_size, 0, &vmo));
  uint32_t ops[] = {ZX_VMO_OP_COMMIT,           ZX_VMO_OP_DECOMMIT,
                    ZX_VMO_OP_ZERO,             ZX_VMO_OP_CACHE_SYNC,
                    ZX_VMO_OP_CACHE_INVALIDATE, ZX_VMO_OP_CACHE_CLEAN,
                    ZX_VMO_OP_CACHE_CLEAN_INVALIDATE};
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
    TEST_CONTEXT("op %u", ops[i]);
    EXPECT_STATUS(op(vmo, ops[i], 0, op_size), ZX_ERR_OUT_OF_RANGE);
    EXPECT_STATUS(op(vmo, ops[i], vmo_size, PAGE), ZX_ERR_OUT_OF_RANGE);
  }
  EXPECT_EQ(committed(vmo), 0);
  EXPECT_OK(zx_handle_close(vmo));
  // Lock ops on a discardable VMO (the pager-backed half, DONT_NEED and ALWAYS_NEED,
  // needs a pager).
  ASSERT_OK(zx_vmo_create(vmo_size, ZX_VMO_DISCARDABLE, &vmo));
  zx_vmo_lock_state_t state;
  EXPECT_STATUS(zx_vmo_op_range(vmo, ZX_VMO_OP_LOCK, 0, op_size, &state, sizeof state),
                ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(op(vmo, ZX_VMO_OP_TRY_LOCK, 0, op_size), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(op(vmo, ZX_VMO_OP_UNLOCK, 0, op_size), ZX_ERR_OUT_OF_RANGE);
  EXPECT_OK(zx_handle_close(vmo));
}

// Decommits through nested slices: a range past a slice's end is OUT_OF_RANGE even
// where the root VMO still has pages.
VMO_TEST(DecommitChildSliceTests) {
  struct level {
    uint64_t offset, size, size_past_end;
    zx_handle_t vmo;
  } levels[3] = {
      {0, 6 * PAGE, 0, ZX_HANDLE_INVALID},
      {1 * PAGE, 4 * PAGE, 0, ZX_HANDLE_INVALID},
      {1 * PAGE, 2 * PAGE, 0, ZX_HANDLE_INVALID},
  };
  ASSERT_OK(zx_vmo_create(levels[0].size, 0, &levels[0].vmo));
  for (size_t i = 1; i < 3; i++) {
    ASSERT_OK(zx_vmo_create_child(levels[i - 1].vmo, ZX_VMO_CHILD_SLICE, levels[i].offset,
                                  levels[i].size, &levels[i].vmo));
    levels[i].size_past_end = levels[i - 1].size_past_end +
                              (levels[i - 1].size - (levels[i].size + levels[i].offset));
  }
  for (size_t l = 0; l < 3; l++) {
    const uint64_t root_end = levels[l].size + levels[l].size_past_end;
    bool saw_out_of_range = false, saw_ok = false;
    for (uint64_t start = 0; start <= root_end + PAGE; start += PAGE) {
      for (uint64_t end = start + PAGE; end <= root_end + 2 * PAGE; end += PAGE) {
        EXPECT_OK(op(levels[0].vmo, ZX_VMO_OP_COMMIT, 0, levels[0].size));
        zx_status_t want = end > levels[l].size ? ZX_ERR_OUT_OF_RANGE : ZX_OK;
        saw_out_of_range |= want == ZX_ERR_OUT_OF_RANGE;
        saw_ok |= want == ZX_OK;
        zx_status_t got = op(levels[l].vmo, ZX_VMO_OP_DECOMMIT, start, end - start);
        if (got != want) {
          TEST_CONTEXT("level %zu: decommit [%#" PRIx64 ", %#" PRIx64 ")", l, start, end);
          EXPECT_STATUS(got, want);
        }
      }
    }
    EXPECT_TRUE(saw_out_of_range);
    EXPECT_TRUE(saw_ok);
  }
  // Decommitting through the innermost slice frees the root's pages.
  EXPECT_OK(op(levels[0].vmo, ZX_VMO_OP_COMMIT, 0, levels[0].size));
  ASSERT_OK(write_u32(levels[0].vmo, 2 * PAGE, 5));
  EXPECT_OK(op(levels[2].vmo, ZX_VMO_OP_DECOMMIT, 0, 2 * PAGE));
  EXPECT_EQ(read_u32(levels[0].vmo, 2 * PAGE), 0);
  EXPECT_EQ(committed(levels[0].vmo), 4 * PAGE);
  for (size_t l = 3; l-- > 0;) {
    EXPECT_OK(zx_handle_close(levels[l].vmo));
  }
}

VMO_TEST(unknown_ops_are_invalid_args) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  zx_handle_t none = dup_with(vmo, ZX_RIGHT_NONE);
  uint32_t unknown[] = {0, 5, 14, 15, 100, 0x80000001u, UINT32_MAX};
  for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
    TEST_CONTEXT("op %#x", unknown[i]);
    EXPECT_STATUS(op(vmo, unknown[i], 0, PAGE), ZX_ERR_INVALID_ARGS);
    // The op is looked at after the handle, before any right.
    EXPECT_STATUS(op(none, unknown[i], 0, PAGE), ZX_ERR_INVALID_ARGS);
    EXPECT_STATUS(op(ZX_HANDLE_INVALID, unknown[i], 0, PAGE), ZX_ERR_BAD_HANDLE);
    EXPECT_STATUS(op(zx_thread_self(), unknown[i], 0, PAGE), ZX_ERR_WRONG_TYPE);
  }
  EXPECT_OK(zx_handle_close(none));
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(bad_handles_and_wrong_types) {
  uint32_t ops[] = {ZX_VMO_OP_COMMIT, ZX_VMO_OP_DECOMMIT, ZX_VMO_OP_ZERO, ZX_VMO_OP_CACHE_CLEAN,
                    ZX_VMO_OP_LOCK};
  zx_handle_t thread_none = dup_with(zx_thread_self(), ZX_RIGHT_NONE);
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
    TEST_CONTEXT("op %u", ops[i]);
    EXPECT_STATUS(op(ZX_HANDLE_INVALID, ops[i], 0, PAGE), ZX_ERR_BAD_HANDLE);
    EXPECT_STATUS(op(stale_handle(), ops[i], UINT64_MAX, 5), ZX_ERR_BAD_HANDLE);
    EXPECT_STATUS(op(zx_process_self(), ops[i], 0, PAGE), ZX_ERR_WRONG_TYPE);
    EXPECT_STATUS(op(thread_none, ops[i], 0, PAGE), ZX_ERR_WRONG_TYPE);
  }
  EXPECT_OK(zx_handle_close(thread_none));
}

VMO_TEST(each_op_needs_its_right) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &vmo));
  zx_handle_t ro = dup_with(vmo, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_WRITE);
  zx_handle_t wo = dup_with(vmo, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_READ);
  uint32_t need_write[] = {ZX_VMO_OP_COMMIT, ZX_VMO_OP_DECOMMIT, ZX_VMO_OP_ZERO,
                           ZX_VMO_OP_CACHE_INVALIDATE};
  for (size_t i = 0; i < sizeof need_write / sizeof need_write[0]; i++) {
    TEST_CONTEXT("op %u", need_write[i]);
    EXPECT_STATUS(op(ro, need_write[i], 0, PAGE), ZX_ERR_ACCESS_DENIED);
    // The right is checked before the range.
    EXPECT_STATUS(op(ro, need_write[i], 0, 100 * PAGE), ZX_ERR_ACCESS_DENIED);
    EXPECT_OK(op(wo, need_write[i], 0, PAGE));
  }
  uint32_t need_read[] = {ZX_VMO_OP_CACHE_SYNC, ZX_VMO_OP_CACHE_CLEAN,
                          ZX_VMO_OP_CACHE_CLEAN_INVALIDATE};
  for (size_t i = 0; i < sizeof need_read / sizeof need_read[0]; i++) {
    TEST_CONTEXT("op %u", need_read[i]);
    EXPECT_STATUS(op(wo, need_read[i], 0, PAGE), ZX_ERR_ACCESS_DENIED);
    EXPECT_STATUS(op(wo, need_read[i], 0, 0), ZX_ERR_ACCESS_DENIED);
    EXPECT_OK(op(ro, need_read[i], 0, PAGE));
  }
  zx_handle_t handles[] = {ro, wo, vmo};
  EXPECT_OK(zx_handle_close_many(handles, 3));
}

// vmo_op_range.md: DONT_NEED and ALWAYS_NEED are hints that trivially succeed for VMOs
// that are not pager-backed.
VMO_TEST(dont_need_and_always_need_are_hints) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(4 * PAGE, 0, &vmo));
  ASSERT_OK(write_u32(vmo, PAGE, 17));
  EXPECT_OK(op(vmo, ZX_VMO_OP_DONT_NEED, 0, 4 * PAGE));
  EXPECT_OK(op(vmo, ZX_VMO_OP_ALWAYS_NEED, 0, 4 * PAGE));
  EXPECT_OK(op(vmo, ZX_VMO_OP_DONT_NEED, 10, 100));
  EXPECT_EQ(read_u32(vmo, PAGE), 17);
  EXPECT_OK(zx_handle_close(vmo));
}

static void cache_op_matrix(zx_handle_t vmo, uint64_t size, uint32_t which) {
  struct {
    uint64_t offset, len;
    zx_status_t want;
  } cases[] = {
      {0, 1, ZX_OK},
      {1, 1, ZX_OK},
      {0, size, ZX_OK},
      {1, size - 1, ZX_OK},
      {0x5200, 1, ZX_OK},
      {0x5200, 0x800, ZX_OK},
      {0x5200, 0x1000, ZX_OK},
      {0x5200, 0x1200, ZX_OK},
      {0, 0, ZX_ERR_INVALID_ARGS},
      {1, size, ZX_ERR_OUT_OF_RANGE},
      {size, 1, ZX_ERR_OUT_OF_RANGE},
      {size + 1, 1, ZX_ERR_OUT_OF_RANGE},
      {UINT64_MAX - 1, 1, ZX_ERR_OUT_OF_RANGE},
      {UINT64_MAX, 1, ZX_ERR_OUT_OF_RANGE},
      {UINT64_MAX, UINT64_MAX, ZX_ERR_OUT_OF_RANGE},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    TEST_CONTEXT("op %u at %#" PRIx64 ", %#" PRIx64 " bytes", which, cases[i].offset,
                 cases[i].len);
    EXPECT_STATUS(op(vmo, which, cases[i].offset, cases[i].len), cases[i].want);
  }
}

// Fuchsia's CacheOp on a normal VMO (its physical-VMO half needs the root resource).
// CACHE_INVALIDATE is allowed: this kernel performs it as clean-and-invalidate.
VMO_TEST(CacheOp) {
  const uint64_t size = 0x8000;
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(size, 0, &vmo));
  uint32_t ops[] = {ZX_VMO_OP_CACHE_SYNC, ZX_VMO_OP_CACHE_CLEAN,
                    ZX_VMO_OP_CACHE_CLEAN_INVALIDATE, ZX_VMO_OP_CACHE_INVALIDATE};
  for (size_t i = 0; i < 4; i++) {
    cache_op_matrix(vmo, size, ops[i]);
  }
  // The same with pages committed, and their contents intact afterwards.
  for (uint64_t p = 0; p < size / PAGE; p += 2) {
    EXPECT_OK(write_u32(vmo, p * PAGE + 0x200, (uint32_t)(p + 100)));
  }
  for (size_t i = 0; i < 4; i++) {
    cache_op_matrix(vmo, size, ops[i]);
  }
  for (uint64_t p = 0; p < size / PAGE; p += 2) {
    TEST_CONTEXT("page %" PRIu64, p);
    EXPECT_EQ(read_u32(vmo, p * PAGE + 0x200), p + 100);
  }
  // Cache maintenance commits nothing.
  EXPECT_EQ(committed(vmo), size / 2);
  EXPECT_OK(zx_handle_close(vmo));
}

// Cache ops over a VMO of nearly 2^64 bytes must not walk it page by page.
VMO_TEST(CacheOpLargeVmo) {
  const uint64_t max_size = UINT64_MAX - 64 * PAGE + 1;
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(max_size, 0, &vmo));
  zx_time_t start = zx_clock_get_monotonic();
  EXPECT_OK(op(vmo, ZX_VMO_OP_CACHE_CLEAN, 0, max_size));
  for (uint64_t i = 0; i < 64; i++) {
    uint64_t value = 42;
    TEST_CONTEXT("write %" PRIu64, i);
    EXPECT_OK(zx_vmo_write(vmo, &value, max_size / 64 * i, sizeof value));
  }
  EXPECT_OK(op(vmo, ZX_VMO_OP_CACHE_CLEAN, 0, max_size));
  EXPECT_OK(op(vmo, ZX_VMO_OP_CACHE_CLEAN_INVALIDATE, 0, max_size));
  EXPECT_OK(op(vmo, ZX_VMO_OP_CACHE_SYNC, 0, max_size));
  EXPECT_LT(zx_clock_get_monotonic() - start, ZX_SEC(10));
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(CacheOpOutOfRange) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &vmo));
  EXPECT_OK(zx_vmo_write(vmo, "A", PAGE, 1));
  EXPECT_STATUS(op(vmo, ZX_VMO_OP_CACHE_CLEAN_INVALIDATE, PAGE, UINT64_MAX),
                ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(op(vmo, ZX_VMO_OP_CACHE_CLEAN_INVALIDATE, UINT64_MAX - PAGE + 1, 1),
                ZX_ERR_OUT_OF_RANGE);
  EXPECT_OK(zx_handle_close(vmo));
}

// Fuchsia's Discardable without its mapping half (ZX_VM_ALLOW_FAULTS needs VMARs) and
// its pager half.
VMO_TEST(Discardable) {
  const uint64_t size = 3 * PAGE;
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(size, ZX_VMO_DISCARDABLE, &vmo));
  EXPECT_NE(vmo_info(vmo).flags & ZX_INFO_VMO_DISCARDABLE, 0);
  zx_vmo_lock_state_t state;
  memset(&state, 0xff, sizeof state);
  EXPECT_OK(zx_vmo_op_range(vmo, ZX_VMO_OP_LOCK, 0, size, &state, sizeof state));
  static uint8_t buf[3 * ZX_PAGE_SIZE];
  memset(buf, 0xff, sizeof buf);
  EXPECT_OK(zx_vmo_read(vmo, buf, 0, size));
  EXPECT_TRUE(all_bytes(buf, size, 0));
  memset(buf, 0xbb, sizeof buf);
  EXPECT_OK(zx_vmo_write(vmo, buf, 0, size));
  memset(buf, 0, sizeof buf);
  EXPECT_OK(zx_vmo_read(vmo, buf, 0, size));
  EXPECT_TRUE(all_bytes(buf, size, 0xbb));
  EXPECT_OK(op(vmo, ZX_VMO_OP_UNLOCK, 0, size));
  // No children of any kind.
  zx_handle_t child = ZX_HANDLE_INVALID;
  EXPECT_STATUS(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SLICE, 0, size, &child),
                ZX_ERR_NOT_SUPPORTED);
  EXPECT_STATUS(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SNAPSHOT, 0, size, &child),
                ZX_ERR_NOT_SUPPORTED);
  EXPECT_STATUS(
      zx_vmo_create_child(vmo, ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE, 0, size, &child),
      ZX_ERR_NOT_SUPPORTED);
  EXPECT_EQ(child, ZX_HANDLE_INVALID);
  // This kernel never discards: unlocked, the contents are still there.
  EXPECT_OK(zx_vmo_read(vmo, buf, 0, size));
  EXPECT_TRUE(all_bytes(buf, size, 0xbb));
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(LockUnlock) {
  const uint64_t size = 3 * PAGE;
  zx_vmo_lock_state_t state;
  zx_handle_t vmo;
  // Only discardable VMOs lock.
  ASSERT_OK(zx_vmo_create(size, 0, &vmo));
  EXPECT_STATUS(op(vmo, ZX_VMO_OP_TRY_LOCK, 0, size), ZX_ERR_NOT_SUPPORTED);
  EXPECT_STATUS(op(vmo, ZX_VMO_OP_LOCK, 0, size), ZX_ERR_NOT_SUPPORTED);
  EXPECT_STATUS(zx_vmo_op_range(vmo, ZX_VMO_OP_LOCK, 0, size, &state, sizeof state),
                ZX_ERR_NOT_SUPPORTED);
  EXPECT_STATUS(op(vmo, ZX_VMO_OP_UNLOCK, 0, size), ZX_ERR_NOT_SUPPORTED);
  EXPECT_OK(zx_handle_close(vmo));

  ASSERT_OK(zx_vmo_create(size, ZX_VMO_DISCARDABLE, &vmo));
  EXPECT_OK(op(vmo, ZX_VMO_OP_TRY_LOCK, 0, size));
  EXPECT_OK(op(vmo, ZX_VMO_OP_UNLOCK, 0, size));
  EXPECT_OK(zx_vmo_op_range(vmo, ZX_VMO_OP_LOCK, 0, size, &state, sizeof state));
  EXPECT_OK(op(vmo, ZX_VMO_OP_UNLOCK, 0, size));

  // READ or WRITE is enough; neither is ACCESS_DENIED.
  zx_rights_t rights = rights_of(vmo);
  EXPECT_NE(rights & ZX_RIGHT_READ, 0);
  EXPECT_NE(rights & ZX_RIGHT_WRITE, 0);
  zx_handle_t h;
  ASSERT_OK(zx_handle_replace(vmo, rights & ~ZX_RIGHT_WRITE, &h));
  vmo = h;
  EXPECT_OK(op(vmo, ZX_VMO_OP_TRY_LOCK, 0, size));
  EXPECT_OK(op(vmo, ZX_VMO_OP_UNLOCK, 0, size));
  EXPECT_OK(zx_vmo_op_range(vmo, ZX_VMO_OP_LOCK, 0, size, &state, sizeof state));
  EXPECT_OK(op(vmo, ZX_VMO_OP_UNLOCK, 0, size));
  ASSERT_OK(zx_handle_replace(vmo, rights & ~(ZX_RIGHT_READ | ZX_RIGHT_WRITE), &h));
  vmo = h;
  EXPECT_STATUS(op(vmo, ZX_VMO_OP_TRY_LOCK, 0, size), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_vmo_op_range(vmo, ZX_VMO_OP_LOCK, 0, size, &state, sizeof state),
                ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(op(vmo, ZX_VMO_OP_UNLOCK, 0, size), ZX_ERR_ACCESS_DENIED);
  EXPECT_OK(zx_handle_close(vmo));

  // The whole VMO or nothing.
  ASSERT_OK(zx_vmo_create(size, ZX_VMO_DISCARDABLE, &vmo));
  struct {
    uint64_t offset, len;
  } partial[] = {{0, PAGE}, {PAGE, size - PAGE}, {PAGE, PAGE}};
  for (size_t i = 0; i < 3; i++) {
    TEST_CONTEXT("range %#" PRIx64 "+%#" PRIx64, partial[i].offset, partial[i].len);
    EXPECT_STATUS(op(vmo, ZX_VMO_OP_TRY_LOCK, partial[i].offset, partial[i].len),
                  ZX_ERR_OUT_OF_RANGE);
    EXPECT_STATUS(zx_vmo_op_range(vmo, ZX_VMO_OP_LOCK, partial[i].offset, partial[i].len,
                                  &state, sizeof state),
                  ZX_ERR_OUT_OF_RANGE);
    EXPECT_STATUS(op(vmo, ZX_VMO_OP_UNLOCK, partial[i].offset, partial[i].len),
                  ZX_ERR_OUT_OF_RANGE);
  }
  TEST_CONTEXT("lock state buffers");
  // LOCK needs a whole zx_vmo_lock_state_t to fill in.
  uint64_t small;
  EXPECT_STATUS(op(vmo, ZX_VMO_OP_LOCK, 0, size), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_vmo_op_range(vmo, ZX_VMO_OP_LOCK, 0, size, &state, 0), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_vmo_op_range(vmo, ZX_VMO_OP_LOCK, 0, size, NULL, sizeof state),
                ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_vmo_op_range(vmo, ZX_VMO_OP_LOCK, 0, size, &small, sizeof small),
                ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_vmo_op_range(vmo, ZX_VMO_OP_LOCK, 0, size, zrk_readonly_ptr(), sizeof state),
                ZX_ERR_INVALID_ARGS);
  // A failed LOCK left it unlocked.
  EXPECT_STATUS(op(vmo, ZX_VMO_OP_UNLOCK, 0, size), ZX_ERR_BAD_STATE);
  TEST_CONTEXT("lock state");
  memset(&state, 0xff, sizeof state);
  EXPECT_OK(zx_vmo_op_range(vmo, ZX_VMO_OP_LOCK, 0, size, &state, sizeof state));
  EXPECT_EQ(state.offset, 0);
  EXPECT_EQ(state.size, size);
  EXPECT_EQ(state.discarded_offset, 0);
  EXPECT_EQ(state.discarded_size, 0);
  EXPECT_OK(op(vmo, ZX_VMO_OP_UNLOCK, 0, size));
  // Unlocking what is not locked.
  EXPECT_STATUS(op(vmo, ZX_VMO_OP_UNLOCK, 0, size), ZX_ERR_BAD_STATE);
  EXPECT_OK(zx_handle_close(vmo));
}

// Cache maintenance, DECOMMIT and the lock ops allocate nothing.
VMO_TEST(ops_on_uncommitted_pages_commit_nothing) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(8 * PAGE, 0, &vmo));
  uint64_t before = vmo_bytes();
  EXPECT_OK(op(vmo, ZX_VMO_OP_CACHE_CLEAN, 0, 8 * PAGE));
  EXPECT_OK(op(vmo, ZX_VMO_OP_CACHE_CLEAN_INVALIDATE, 0, 8 * PAGE));
  EXPECT_OK(op(vmo, ZX_VMO_OP_CACHE_INVALIDATE, 0, 8 * PAGE));
  EXPECT_OK(op(vmo, ZX_VMO_OP_CACHE_SYNC, 0, 8 * PAGE));
  EXPECT_OK(op(vmo, ZX_VMO_OP_DECOMMIT, 0, 8 * PAGE));
  EXPECT_OK(op(vmo, ZX_VMO_OP_ZERO, 0, 8 * PAGE));
  EXPECT_EQ(vmo_bytes(), before);
  EXPECT_EQ(committed(vmo), 0);
  EXPECT_OK(zx_handle_close(vmo));
}

int main(void) { return run_tests(); }
