// Slices: zx_vmo_create_child with ZX_VMO_CHILD_SLICE (vmo_create_child.md; the digest's
// section 3.6 step 4). A slice is a window onto a range of its parent's pages: writes go
// both ways, decommits too, and committed pages are counted in the parent, not in the
// slice. Checks after the handle: no other option bit (INVALID_ARGS), a page-aligned
// offset (INVALID_ARGS), a size that rounds (OUT_OF_RANGE), a range inside the parent
// (INVALID_ARGS), and only then a resizable parent (NOT_SUPPORTED). A size-0 slice is
// allowed at the start or the end; a slice's size rounds up to whole pages.
//
// CamelCase cases are Fuchsia's cases of the same name (VmoSliceTestCase in
// zircon/system/utest/core/vmo/vmo-slice.cc); snake_case cases are ours. The slice
// ZERO_CHILDREN cases are in vmo_signals.c.
#include <zircon/process.h>
#include <zircon/rights.h>
#include <zircon/syscalls/object.h>
#include <zrk/bad_ptr.h>
#include <zrk/startup.h>
#include <zrk/test.h>
#include <zrk/vmo_util.h>

VMO_TEST(WriteThrough) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(4 * PAGE, 0, &vmo));
  ASSERT_OK(write_u32(vmo, 0, 42));
  ASSERT_OK(write_u32(vmo, PAGE, 42));
  zx_handle_t slice = child_of(vmo, SLICE, PAGE, 2 * PAGE);
  ASSERT_NE(slice, ZX_HANDLE_INVALID);
  EXPECT_U32(slice, 0, 42);
  ASSERT_OK(write_u32(slice, 0, 84));
  ASSERT_OK(write_u32(slice, PAGE, 84));
  EXPECT_U32(vmo, 0, 42);
  EXPECT_U32(vmo, PAGE, 84);
  EXPECT_U32(vmo, 2 * PAGE, 84);
  EXPECT_U32(vmo, 3 * PAGE, 0);
  EXPECT_OK(zx_handle_close(slice));
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(slice_sharing_both_ways) {
  static uint8_t a[3 * ZX_PAGE_SIZE], b[3 * ZX_PAGE_SIZE];
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(5 * PAGE, 0, &vmo));
  zx_handle_t slice = child_of(vmo, SLICE, PAGE, 3 * PAGE);
  uint64_t before = vmo_bytes();
  // Parent to slice, across the slice's page boundaries.
  for (size_t i = 0; i < sizeof a; i++) {
    a[i] = (uint8_t)(i * 7 + 1);
  }
  ASSERT_OK(zx_vmo_write(vmo, a, PAGE, sizeof a));
  ASSERT_OK(zx_vmo_read(slice, b, 0, sizeof b));
  EXPECT_EQ(memcmp(a, b, sizeof a), 0);
  // Slice to parent, unaligned.
  memset(a, 0x6b, 2 * PAGE);
  ASSERT_OK(zx_vmo_write(slice, a, PAGE / 2, 2 * PAGE));
  ASSERT_OK(zx_vmo_read(vmo, b, PAGE + PAGE / 2, 2 * PAGE));
  EXPECT_TRUE(all_bytes(b, 2 * PAGE, 0x6b));
  // One set of pages: three, in the parent.
  EXPECT_EQ(vmo_bytes(), before + 3 * PAGE);
  EXPECT_EQ(committed(vmo), 3 * PAGE);
  EXPECT_EQ(committed(slice), 0);
  // The slice sees exactly its range.
  EXPECT_STATUS(zx_vmo_read(slice, b, 3 * PAGE, 1), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(zx_vmo_write(slice, b, 0, 3 * PAGE + 1), ZX_ERR_OUT_OF_RANGE);
  EXPECT_OK(zx_handle_close(slice));
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(DecommitParent) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  uint8_t v = 42;
  ASSERT_OK(zx_vmo_write(vmo, &v, 0, 1));
  zx_handle_t slice = child_of(vmo, SLICE, 0, PAGE);
  v = 0;
  EXPECT_OK(zx_vmo_read(slice, &v, 0, 1));
  EXPECT_EQ(v, 42);
  EXPECT_OK(zx_vmo_op_range(vmo, ZX_VMO_OP_DECOMMIT, 0, PAGE, NULL, 0));
  EXPECT_OK(zx_vmo_read(slice, &v, 0, 1));
  EXPECT_EQ(v, 0);
  EXPECT_OK(zx_handle_close(slice));
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(Nested) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &vmo));
  ASSERT_OK(write_u32(vmo, 0, 42));
  zx_handle_t slice = child_of(vmo, SLICE, 0, 2 * PAGE);
  zx_handle_t slice2 = child_of(slice, SLICE, 0, 2 * PAGE);
  EXPECT_U32(slice2, 0, 42);
  ASSERT_OK(write_u32(slice2, 0, 84));
  ASSERT_OK(write_u32(slice2, PAGE, 84));
  EXPECT_U32(vmo, 0, 84);
  EXPECT_U32(vmo, PAGE, 84);
  EXPECT_U32(slice, PAGE, 84);
  // A slice of a slice's sub-range lands at the sum of the offsets.
  zx_handle_t inner = child_of(slice, SLICE, PAGE, PAGE);
  ASSERT_OK(write_u32(inner, 8, 99));
  EXPECT_U32(vmo, PAGE + 8, 99);
  EXPECT_EQ(vmo_info(inner).parent_koid, basic_info(slice).koid);
  zx_handle_t handles[] = {inner, slice2, slice, vmo};
  for (size_t i = 0; i < 4; i++) {
    EXPECT_OK(zx_handle_close(handles[i]));
  }
}

VMO_TEST(NonSlice) {
  zx_handle_t vmo, out = ZX_HANDLE_INVALID;
  // A resizable parent: every range error below comes before NOT_SUPPORTED.
  ASSERT_OK(zx_vmo_create(2 * PAGE, ZX_VMO_RESIZABLE, &vmo));
  EXPECT_STATUS(zx_vmo_create_child(vmo, SLICE, 0, 3 * PAGE, &out), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_vmo_create_child(vmo, SLICE, PAGE, 2 * PAGE, &out), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_vmo_create_child(vmo, SLICE, 2 * PAGE, PAGE, &out), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_vmo_create_child(vmo, SLICE, 0, UINT64_MAX, &out), ZX_ERR_OUT_OF_RANGE);
  const uint64_t nearly_max = UINT64_MAX - PAGE + 1;
  EXPECT_STATUS(zx_vmo_create_child(vmo, SLICE, 0, nearly_max, &out), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(zx_vmo_create_child(vmo, SLICE, nearly_max, PAGE, &out), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_vmo_create_child(vmo, SLICE, nearly_max, nearly_max, &out),
                ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(zx_vmo_create_child(vmo, SLICE, nearly_max, UINT64_MAX, &out),
                ZX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(out, ZX_HANDLE_INVALID);
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(slice_offsets_must_be_page_aligned) {
  zx_handle_t vmo, out = ZX_HANDLE_INVALID;
  ASSERT_OK(zx_vmo_create(4 * PAGE, 0, &vmo));
  EXPECT_STATUS(zx_vmo_create_child(vmo, SLICE, 1, PAGE, &out), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_vmo_create_child(vmo, SLICE, PAGE + PAGE / 2, PAGE, &out),
                ZX_ERR_INVALID_ARGS);
  // Alignment is checked before the size and the range.
  EXPECT_STATUS(zx_vmo_create_child(vmo, SLICE, 1, UINT64_MAX, &out), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(out, ZX_HANDLE_INVALID);
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(NonResizable) {
  zx_handle_t vmo, out = ZX_HANDLE_INVALID;
  ASSERT_OK(zx_vmo_create(PAGE, ZX_VMO_RESIZABLE, &vmo));
  EXPECT_STATUS(zx_vmo_create_child(vmo, SLICE, 0, PAGE, &out), ZX_ERR_NOT_SUPPORTED);
  EXPECT_STATUS(zx_vmo_create_child(vmo, SLICE | ZX_VMO_CHILD_RESIZABLE, 0, PAGE, &out),
                ZX_ERR_INVALID_ARGS);
  EXPECT_OK(zx_handle_close(vmo));
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  EXPECT_STATUS(zx_vmo_create_child(vmo, SLICE | ZX_VMO_CHILD_RESIZABLE, 0, PAGE, &out),
                ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(out, ZX_HANDLE_INVALID);
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(CommitChild) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  zx_handle_t slice = child_of(vmo, SLICE, 0, PAGE);
  uint64_t before = vmo_bytes();
  EXPECT_OK(zx_vmo_op_range(slice, ZX_VMO_OP_COMMIT, 0, PAGE, NULL, 0));
  EXPECT_EQ(vmo_bytes(), before + PAGE);
  EXPECT_EQ(committed(vmo), PAGE);
  uint8_t v = 42;
  EXPECT_OK(zx_vmo_write(slice, &v, 0, 1));
  v = 0;
  EXPECT_OK(zx_vmo_read(vmo, &v, 0, 1));
  EXPECT_EQ(v, 42);
  EXPECT_EQ(vmo_bytes(), before + PAGE);
  EXPECT_OK(zx_handle_close(slice));
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(DecommitChild) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  uint8_t v = 42;
  EXPECT_OK(zx_vmo_write(vmo, &v, 0, 1));
  zx_handle_t slice = child_of(vmo, SLICE, 0, PAGE);
  uint64_t before = vmo_bytes();
  EXPECT_OK(zx_vmo_op_range(slice, ZX_VMO_OP_DECOMMIT, 0, PAGE, NULL, 0));
  EXPECT_EQ(vmo_bytes(), before - PAGE);
  EXPECT_OK(zx_vmo_read(vmo, &v, 0, 1));
  EXPECT_EQ(v, 0);
  EXPECT_EQ(committed(vmo), 0);
  EXPECT_OK(zx_handle_close(slice));
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(ZeroSized) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  zx_handle_t slice1 = child_of(vmo, SLICE, 0, 0);
  zx_handle_t slice2 = child_of(vmo, SLICE, PAGE, 0);
  ASSERT_NE(slice1, ZX_HANDLE_INVALID);
  ASSERT_NE(slice2, ZX_HANDLE_INVALID);
  uint8_t v = 42;
  EXPECT_STATUS(zx_vmo_read(slice1, &v, 0, 1), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(zx_vmo_read(slice2, &v, 0, 1), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(zx_vmo_write(slice1, &v, 0, 1), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(zx_vmo_write(slice2, &v, 0, 1), ZX_ERR_OUT_OF_RANGE);
  EXPECT_OK(zx_vmo_read(slice1, &v, 0, 0));
  uint64_t size = 1;
  EXPECT_OK(zx_vmo_get_size(slice2, &size));
  EXPECT_EQ(size, 0);
  EXPECT_OK(zx_handle_close(slice1));
  EXPECT_OK(zx_handle_close(slice2));
  EXPECT_OK(zx_handle_close(vmo));
}

// A snapshot of a slice of a copy-on-write child: Fuchsia refuses it (NOT_SUPPORTED);
// if it is ever allowed, it must work.
VMO_TEST(CowPageSourceThroughSlices) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(zx_vmo_op_range(vmo, ZX_VMO_OP_COMMIT, 0, PAGE, NULL, 0));
  zx_handle_t cow = child_of(vmo, ZX_VMO_CHILD_SNAPSHOT, 0, PAGE);
  zx_handle_t slice = child_of(cow, SLICE, 0, PAGE);
  zx_handle_t cow2 = ZX_HANDLE_INVALID;
  zx_status_t status = zx_vmo_create_child(slice, ZX_VMO_CHILD_SNAPSHOT, 0, PAGE, &cow2);
  if (status == ZX_OK) {
    uint8_t v = 7;
    EXPECT_OK(zx_vmo_write(cow2, &v, 0, 1));
    EXPECT_U32(slice, 0, 0);
    EXPECT_U32(vmo, 0, 0);
    EXPECT_OK(zx_handle_close(cow2));
  } else {
    EXPECT_STATUS(status, ZX_ERR_NOT_SUPPORTED);
  }
  zx_handle_t handles[] = {slice, cow, vmo};
  for (size_t i = 0; i < 3; i++) {
    EXPECT_OK(zx_handle_close(handles[i]));
  }
}

VMO_TEST(RoundUpSize) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  uint8_t v = 42;
  EXPECT_OK(zx_vmo_write(vmo, &v, PAGE - 64, 1));
  zx_handle_t slice = child_of(vmo, SLICE, 0, 42);
  ASSERT_NE(slice, ZX_HANDLE_INVALID);
  uint64_t size = 0;
  EXPECT_OK(zx_vmo_get_size(slice, &size));
  EXPECT_EQ(size, PAGE);
  v = 0;
  EXPECT_OK(zx_vmo_read(slice, &v, PAGE - 64, 1));
  EXPECT_EQ(v, 42);
  EXPECT_OK(zx_handle_close(slice));
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(NotCoWType) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  zx_handle_t slice = child_of(vmo, SLICE, 0, PAGE);
  zx_info_vmo_t info = vmo_info(slice);
  EXPECT_EQ(info.flags & ZX_INFO_VMO_IS_COW_CLONE, 0);
  EXPECT_EQ(info.flags, ZX_INFO_VMO_TYPE_PAGED | ZX_INFO_VMO_VIA_HANDLE);
  EXPECT_EQ(info.parent_koid, basic_info(vmo).koid);
  EXPECT_EQ(info.size_bytes, PAGE);
  EXPECT_EQ(vmo_info(vmo).num_children, 1);
  EXPECT_OK(zx_handle_close(slice));
  EXPECT_EQ(vmo_info(vmo).num_children, 0);
  EXPECT_OK(zx_handle_close(vmo));
}

// 1000 nested slices, each holding the only reference to its parent: tearing the chain
// down must not exhaust the kernel's stack.
VMO_TEST(DeepHierarchy) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(write_u32(vmo, 0, 5));
  for (int i = 0; i < 1000; i++) {
    zx_handle_t next = ZX_HANDLE_INVALID;
    zx_status_t status = zx_vmo_create_child(vmo, SLICE, 0, PAGE, &next);
    if (status != ZX_OK) {
      TEST_CONTEXT("level %d", i);
      EXPECT_OK(status);
      break;
    }
    EXPECT_OK(zx_handle_close(vmo));
    vmo = next;
  }
  EXPECT_U32(vmo, 0, 5);
  ASSERT_OK(write_u32(vmo, 0, 6));
  EXPECT_U32(vmo, 0, 6);
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(AttributedCounts) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(write_u32(vmo, 0, 42));
  zx_handle_t slice = child_of(vmo, SLICE, 0, PAGE);
  EXPECT_U32(slice, 0, 42);
  EXPECT_EQ(committed(vmo), PAGE);
  EXPECT_EQ(committed(slice), 0);
  uint64_t before = vmo_bytes();
  EXPECT_OK(zx_handle_close(vmo));
  // The slice keeps the parent's pages, still not counted as its own.
  EXPECT_EQ(vmo_bytes(), before);
  EXPECT_EQ(committed(slice), 0);
  EXPECT_U32(slice, 0, 42);
  EXPECT_OK(zx_handle_close(slice));
  EXPECT_EQ(vmo_bytes(), before - PAGE);
}

VMO_TEST(slices_of_snapshots_share_the_snapshot) {
  zx_handle_t vmo = tagged_vmo(2);
  zx_handle_t snap = child_of(vmo, ZX_VMO_CHILD_SNAPSHOT, 0, 2 * PAGE);
  zx_handle_t slice = child_of(snap, SLICE, PAGE, PAGE);
  EXPECT_U32(slice, 0, 2);
  ASSERT_OK(write_u32(slice, 0, 7));
  EXPECT_U32(snap, PAGE, 7);
  EXPECT_U32(vmo, PAGE, 2);
  ASSERT_OK(write_u32(vmo, PAGE, 9));
  EXPECT_U32(slice, 0, 7);
  zx_handle_t handles[] = {slice, snap, vmo};
  for (size_t i = 0; i < 3; i++) {
    EXPECT_OK(zx_handle_close(handles[i]));
  }
}

VMO_TEST(zero_through_a_slice_zeroes_the_parent) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(3 * PAGE, 0, &vmo));
  static uint8_t buf[3 * ZX_PAGE_SIZE];
  memset(buf, 0xaa, sizeof buf);
  ASSERT_OK(zx_vmo_write(vmo, buf, 0, sizeof buf));
  zx_handle_t slice = child_of(vmo, SLICE, PAGE, PAGE);
  EXPECT_OK(zx_vmo_op_range(slice, ZX_VMO_OP_ZERO, 100, 200, NULL, 0));
  ASSERT_OK(zx_vmo_read(vmo, buf, 0, sizeof buf));
  EXPECT_TRUE(all_bytes(buf, PAGE + 100, 0xaa));
  EXPECT_TRUE(all_bytes(buf + PAGE + 100, 200, 0));
  EXPECT_TRUE(all_bytes(buf + PAGE + 300, 2 * PAGE - 300, 0xaa));
  // And a slice's ops stay inside it.
  EXPECT_STATUS(zx_vmo_op_range(slice, ZX_VMO_OP_ZERO, 0, PAGE + 1, NULL, 0),
                ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(zx_vmo_op_range(slice, ZX_VMO_OP_COMMIT, PAGE, PAGE, NULL, 0),
                ZX_ERR_OUT_OF_RANGE);
  EXPECT_OK(zx_handle_close(slice));
  EXPECT_OK(zx_handle_close(vmo));
}

int main(void) { return run_tests(); }
