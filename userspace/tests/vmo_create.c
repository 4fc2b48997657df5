// zx_vmo_create, as Fuchsia documents it (docs/reference/syscalls/vmo_create.md) and
// checks it (the digest's section 3.1): options other than ZX_VMO_RESIZABLE and
// ZX_VMO_DISCARDABLE are ZX_ERR_INVALID_ARGS, checked before the size; a size whose
// page round-up overflows or exceeds the largest VMO (0xffff_ffff_fffe_0000) is
// ZX_ERR_OUT_OF_RANGE; a handle out pointer the kernel cannot write is
// ZX_ERR_INVALID_ARGS and no handle appears. A new VMO is zero-filled on demand: it
// commits nothing until written, and its size reads back rounded up to whole pages.
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

// The baseline every leak check below compares with must be readable at all.
TEST(kmem_stats_are_readable_through_the_info_resource) {
  zx_handle_t info = zrk_startup()->info_resource;
  ASSERT_NE(info, ZX_HANDLE_INVALID);
  zx_info_kmem_stats_t stats;
  ASSERT_OK(zx_object_get_info(info, ZX_INFO_KMEM_STATS, &stats, sizeof stats, NULL, NULL));
  EXPECT_GT(stats.total_bytes, 0);
  EXPECT_GT(stats.free_bytes, 0);
  EXPECT_LE(stats.free_bytes, stats.total_bytes);
  EXPECT_LE(stats.vmo_bytes, stats.total_bytes);
}

VMO_TEST(Create) {
  zx_handle_t vmos[16];
  for (size_t i = 0; i < 16; i++) {
    TEST_CONTEXT("VMO %zu (%zu pages)", i, i);
    EXPECT_OK(zx_vmo_create(i * PAGE, 0, &vmos[i]));
  }
  for (size_t i = 0; i < 16; i++) {
    TEST_CONTEXT("VMO %zu", i);
    EXPECT_OK(zx_handle_close(vmos[i]));
  }
}

VMO_TEST(SizeAlign) {
  for (uint64_t s = 0; s < 4 * PAGE; s++) {
    zx_handle_t vmo;
    zx_status_t status = zx_vmo_create(s, 0, &vmo);
    if (status != ZX_OK) {
      TEST_CONTEXT("size %" PRIu64, s);
      EXPECT_OK(status);
      return;
    }
    uint64_t size = 0x99999999;
    EXPECT_OK(zx_vmo_get_size(vmo, &size));
    uint64_t want = (s + PAGE - 1) / PAGE * PAGE;
    if (size != want) {
      TEST_CONTEXT("size %" PRIu64, s);
      EXPECT_EQ(size, want);
      zx_handle_close(vmo);
      return;
    }
    EXPECT_OK(zx_handle_close(vmo));
  }
}

VMO_TEST(new_handle_has_the_default_vmo_rights) {
  zx_handle_t vmo, resizable;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(zx_vmo_create(PAGE, ZX_VMO_RESIZABLE, &resizable));
  zx_info_handle_basic_t info = basic_info(vmo);
  EXPECT_EQ(info.type, ZX_OBJ_TYPE_VMO);
  EXPECT_EQ(info.rights, ZX_DEFAULT_VMO_RIGHTS);
  EXPECT_EQ(ZX_DEFAULT_VMO_RIGHTS, 0xd0ef);
  EXPECT_EQ(info.related_koid, 0);
  EXPECT_GT(info.koid, ZX_KOID_KERNEL);
  // The rights vmo_create.md lists, all there.
  zx_rights_t listed = ZX_RIGHT_DUPLICATE | ZX_RIGHT_TRANSFER | ZX_RIGHT_READ | ZX_RIGHT_WRITE |
                       ZX_RIGHT_MAP | ZX_RIGHT_GET_PROPERTY | ZX_RIGHT_SET_PROPERTY;
  EXPECT_EQ(info.rights & listed, listed);
  EXPECT_EQ(info.rights & ZX_RIGHT_RESIZE, 0);
  EXPECT_EQ(info.rights & ZX_RIGHT_EXECUTE, 0);
  // A resizable VMO's handle has RESIZE as well.
  EXPECT_EQ(rights_of(resizable), ZX_DEFAULT_VMO_RIGHTS | ZX_RIGHT_RESIZE);
  EXPECT_OK(zx_handle_close(vmo));
  EXPECT_OK(zx_handle_close(resizable));
}

VMO_TEST(koids_are_distinct) {
  zx_handle_t a, b;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &a));
  ASSERT_OK(zx_vmo_create(PAGE, 0, &b));
  zx_koid_t ka = basic_info(a).koid, kb = basic_info(b).koid;
  EXPECT_NE(ka, kb);
  EXPECT_NE(ka, basic_info(zx_process_self()).koid);
  EXPECT_NE(ka, 0);
  EXPECT_NE(kb, 0);
  // A duplicate names the same object.
  zx_handle_t a2 = dup_with(a, ZX_RIGHT_SAME_RIGHTS);
  EXPECT_EQ(basic_info(a2).koid, ka);
  EXPECT_OK(zx_handle_close(a2));
  EXPECT_OK(zx_handle_close(a));
  EXPECT_OK(zx_handle_close(b));
}

VMO_TEST(documented_options_are_accepted) {
  uint32_t good[] = {0, ZX_VMO_RESIZABLE, ZX_VMO_DISCARDABLE};
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    TEST_CONTEXT("options %#x", good[i]);
    zx_handle_t vmo = ZX_HANDLE_INVALID;
    EXPECT_OK(zx_vmo_create(PAGE, good[i], &vmo));
    EXPECT_NE(vmo, ZX_HANDLE_INVALID);
    EXPECT_OK(zx_handle_close(vmo));
  }
}

VMO_TEST(other_options_are_invalid_args) {
  // Bit 0 is not an option; bit 3 (TRAP_DIRTY) is for pager VMOs only; the rest are
  // unassigned.
  uint32_t bad[] = {1u << 0, 1u << 3, 1u << 4, 1u << 8, 1u << 31, ZX_VMO_RESIZABLE | (1u << 0),
                    ZX_VMO_TRAP_DIRTY, 0xffffffffu};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    TEST_CONTEXT("options %#x", bad[i]);
    zx_handle_t vmo = ZX_HANDLE_INVALID;
    EXPECT_STATUS(zx_vmo_create(PAGE, bad[i], &vmo), ZX_ERR_INVALID_ARGS);
    EXPECT_EQ(vmo, ZX_HANDLE_INVALID);
  }
}

VMO_TEST(options_are_checked_before_the_size) {
  zx_handle_t vmo = ZX_HANDLE_INVALID;
  EXPECT_STATUS(zx_vmo_create(UINT64_MAX, 1u << 0, &vmo), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_vmo_create(UINT64_MAX, 1u << 31, NULL), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(vmo, ZX_HANDLE_INVALID);
}

VMO_TEST(size_limits) {
  zx_handle_t vmo = ZX_HANDLE_INVALID;
  // Too large: the round-up wraps, or the rounded size is past the largest VMO.
  uint64_t too_big[] = {UINT64_MAX, UINT64_MAX - PAGE + 2, VMO_MAX_SIZE + 1,
                        VMO_MAX_SIZE + PAGE, 1ull << 63 | 1ull << 62 | (VMO_MAX_SIZE + 1)};
  for (size_t i = 0; i < sizeof too_big / sizeof too_big[0]; i++) {
    TEST_CONTEXT("size %#" PRIx64, too_big[i]);
    EXPECT_STATUS(zx_vmo_create(too_big[i], 0, &vmo), ZX_ERR_OUT_OF_RANGE);
    EXPECT_STATUS(zx_vmo_create(too_big[i], ZX_VMO_RESIZABLE, &vmo), ZX_ERR_OUT_OF_RANGE);
    EXPECT_EQ(vmo, ZX_HANDLE_INVALID);
  }
  // The largest sizes that fit: creation is lazy, so they cost nothing.
  uint64_t fits[] = {0, 1, VMO_MAX_SIZE, VMO_MAX_SIZE - PAGE + 1,
                     UINT64_MAX - 64 * PAGE + 1 /* Fuchsia's CacheOpLargeVmo */};
  for (size_t i = 0; i < sizeof fits / sizeof fits[0]; i++) {
    TEST_CONTEXT("size %#" PRIx64, fits[i]);
    uint64_t before = vmo_bytes();
    ASSERT_OK(zx_vmo_create(fits[i], 0, &vmo));
    uint64_t size = 1;
    EXPECT_OK(zx_vmo_get_size(vmo, &size));
    EXPECT_EQ(size, (fits[i] + PAGE - 1) & ~(PAGE - 1));
    EXPECT_EQ(vmo_bytes(), before);
    EXPECT_OK(zx_handle_close(vmo));
    vmo = ZX_HANDLE_INVALID;
  }
}

VMO_TEST(hostile_out_pointers_are_invalid_args) {
  zrk_bad_ptr_t bad[ZRK_BAD_PTR_MAX];
  size_t n = zrk_bad_ptrs(bad, sizeof(zx_handle_t));
  bad[n++] = (zrk_bad_ptr_t){"read-only", zrk_readonly_ptr()};
  for (size_t i = 0; i < n; i++) {
    TEST_CONTEXT("out = %s", bad[i].name);
    EXPECT_STATUS(zx_vmo_create(PAGE, 0, bad[i].ptr), ZX_ERR_INVALID_ARGS);
    EXPECT_STATUS(zx_vmo_create(0, ZX_VMO_RESIZABLE, bad[i].ptr), ZX_ERR_INVALID_ARGS);
  }
  EXPECT_EQ(*(const char*)zrk_readonly_ptr(), 1);
}

// The VMO made for an out pointer that cannot be written is destroyed: many such
// failures leave creation working (and the leak check finds no page held).
VMO_TEST(failed_copy_outs_leave_nothing_behind) {
  for (int i = 0; i < 2000; i++) {
    zx_status_t status = zx_vmo_create(PAGE, 0, NULL);
    if (status != ZX_ERR_INVALID_ARGS) {
      EXPECT_STATUS(status, ZX_ERR_INVALID_ARGS);
      break;
    }
  }
  zx_handle_t vmos[32];
  for (size_t i = 0; i < 32; i++) {
    ASSERT_OK(zx_vmo_create(PAGE, 0, &vmos[i]));
  }
  EXPECT_OK(zx_handle_close_many(vmos, 32));
}

VMO_TEST(a_new_vmo_reads_zeros_and_commits_nothing) {
  static uint8_t buffer[64 * 1024];
  memset(buffer, 0xa5, sizeof buffer);
  uint64_t before = vmo_bytes();
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(sizeof buffer, 0, &vmo));
  EXPECT_OK(zx_vmo_read(vmo, buffer, 0, sizeof buffer));
  EXPECT_TRUE(all_bytes(buffer, sizeof buffer, 0));
  // Reading uncommitted pages allocates nothing.
  EXPECT_EQ(vmo_bytes(), before);
  EXPECT_EQ(committed(vmo), 0);
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(pages_are_committed_by_the_first_write_only) {
  uint64_t before = vmo_bytes();
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(8 * PAGE, 0, &vmo));
  EXPECT_OK(write_u32(vmo, 3 * PAGE + 100, 7));
  EXPECT_EQ(vmo_bytes(), before + PAGE);
  EXPECT_EQ(committed(vmo), PAGE);
  // A second write to the same page allocates nothing more.
  EXPECT_OK(write_u32(vmo, 3 * PAGE + 200, 8));
  EXPECT_EQ(vmo_bytes(), before + PAGE);
  // A write straddling pages 4 and 5 commits both.
  uint8_t bytes[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  EXPECT_OK(zx_vmo_write(vmo, bytes, 5 * PAGE - 8, sizeof bytes));
  EXPECT_EQ(vmo_bytes(), before + 3 * PAGE);
  EXPECT_EQ(committed(vmo), 3 * PAGE);
  EXPECT_OK(zx_handle_close(vmo));
  EXPECT_EQ(vmo_bytes(), before);
}

VMO_TEST(huge_sparse_vmo_commits_only_what_is_written) {
  uint64_t before = vmo_bytes();
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE << 40, 0, &vmo));  // 4 PiB
  uint8_t c = 42;
  EXPECT_OK(zx_vmo_write(vmo, &c, 1ull << 50, 1));
  EXPECT_EQ(vmo_bytes(), before + PAGE);
  EXPECT_EQ(committed(vmo), PAGE);
  c = 0;
  EXPECT_OK(zx_vmo_read(vmo, &c, 1ull << 50, 1));
  EXPECT_EQ(c, 42);
  EXPECT_OK(zx_vmo_read(vmo, &c, (1ull << 50) + 1, 1));
  EXPECT_EQ(c, 0);
  EXPECT_OK(zx_vmo_read(vmo, &c, (PAGE << 40) - 1, 1));
  EXPECT_EQ(c, 0);
  EXPECT_OK(zx_handle_close(vmo));
  EXPECT_EQ(vmo_bytes(), before);
}

VMO_TEST(closing_the_last_handle_frees_every_page) {
  uint64_t free_before = free_bytes();
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(16 * PAGE, 0, &vmo));
  for (uint64_t i = 0; i < 16; i++) {
    EXPECT_OK(write_u32(vmo, i * PAGE, (uint32_t)i));
  }
  EXPECT_EQ(free_bytes(), free_before - 16 * PAGE);
  // A duplicate keeps the VMO, and its pages, alive.
  zx_handle_t dup = dup_with(vmo, ZX_RIGHT_SAME_RIGHTS);
  EXPECT_OK(zx_handle_close(vmo));
  EXPECT_EQ(free_bytes(), free_before - 16 * PAGE);
  EXPECT_EQ(read_u32(dup, 9 * PAGE), 9);
  EXPECT_OK(zx_handle_close(dup));
  EXPECT_EQ(free_bytes(), free_before);
}

int main(void) { return run_tests(); }
