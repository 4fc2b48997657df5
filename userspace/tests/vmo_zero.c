// ZX_VMO_OP_ZERO (vmo_op_range.md; the digest's section 3.5): zeroes exactly the bytes
// asked for, as writing zeros would, but may drop fully covered pages instead of keeping
// zero-filled ones; needs WRITE; the range must lie inside the VMO; a zero length is fine
// anywhere up to the end. In copy-on-write families zeroing one side never changes what
// the other sees, and pages nobody can see any more are freed.
//
// Fuchsia's tests do this through mappings; vmo_write and vmo_read stand in for them
// here. Page counts are checked as in vmo_child_snapshot.c: per-VMO committed_bytes
// where Fuchsia's tests fix it (shared pages counted in the oldest VMO that sees them),
// the kernel's total VMO memory otherwise.
//
// CamelCase cases are Fuchsia's cases of the same name (VmoZeroTestCase in
// zircon/system/utest/core/vmo/vmo-zero.cc; ZeroFreesAndAllocates is spelt
// VmoZeroTestcase there); snake_case cases are ours.
#include <zircon/process.h>
#include <zircon/rights.h>
#include <zircon/syscalls/object.h>
#include <zrk/startup.h>
#include <zrk/test.h>
#include <zrk/vmo_util.h>

static uint8_t buf[4 * ZX_PAGE_SIZE];

static zx_status_t zero(zx_handle_t vmo, uint64_t offset, uint64_t len) {
  return zx_vmo_op_range(vmo, ZX_VMO_OP_ZERO, offset, len, NULL, 0);
}

static void fill(zx_handle_t vmo, size_t len, uint8_t value) {
  memset(buf, value, len);
  EXPECT_OK(zx_vmo_write(vmo, buf, 0, len));
}

VMO_TEST(UnalignedSubPage) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  fill(vmo, PAGE, 0xff);
  EXPECT_OK(zero(vmo, 42, 91));
  ASSERT_OK(zx_vmo_read(vmo, buf, 0, PAGE));
  EXPECT_TRUE(all_bytes(buf, 42, 0xff));
  EXPECT_TRUE(all_bytes(buf + 42, 91, 0));
  EXPECT_TRUE(all_bytes(buf + 42 + 91, PAGE - 42 - 91, 0xff));
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(UnalignedCommitted) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &vmo));
  fill(vmo, 2 * PAGE, 0xff);
  EXPECT_OK(zero(vmo, PAGE / 2, PAGE));
  ASSERT_OK(zx_vmo_read(vmo, buf, 0, 2 * PAGE));
  EXPECT_TRUE(all_bytes(buf, PAGE / 2, 0xff));
  EXPECT_TRUE(all_bytes(buf + PAGE / 2, PAGE, 0));
  EXPECT_TRUE(all_bytes(buf + PAGE + PAGE / 2, PAGE / 2, 0xff));
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(UnalignedUnCommitted) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &vmo));
  EXPECT_COMMITTED(vmo, 0);
  uint64_t before = vmo_bytes();
  EXPECT_OK(zero(vmo, PAGE / 2, PAGE));
  EXPECT_COMMITTED(vmo, 0);
  EXPECT_EQ(vmo_bytes(), before);
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(DecommitMiddle) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(3 * PAGE, 0, &vmo));
  fill(vmo, 3 * PAGE, 0xff);
  EXPECT_COMMITTED(vmo, 3);
  uint64_t before = vmo_bytes();
  EXPECT_OK(zero(vmo, PAGE / 2, 2 * PAGE));
  EXPECT_COMMITTED(vmo, 2);
  EXPECT_EQ(vmo_bytes(), before - PAGE);
  ASSERT_OK(zx_vmo_read(vmo, buf, 0, 3 * PAGE));
  EXPECT_TRUE(all_bytes(buf, PAGE / 2, 0xff));
  EXPECT_TRUE(all_bytes(buf + PAGE / 2, 2 * PAGE, 0));
  EXPECT_TRUE(all_bytes(buf + 2 * PAGE + PAGE / 2, PAGE / 2, 0xff));
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(ContentInParentAndChild) {
  zx_handle_t parent;
  ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &parent));
  ASSERT_OK(write_u32(parent, 0, 1));
  zx_handle_t child = child_of(parent, SNAPSHOT, 0, 2 * PAGE);
  ASSERT_OK(write_u32(child, 0, 2));
  EXPECT_OK(zero(child, 0, PAGE));
  EXPECT_U32(child, 0, 0);
  EXPECT_U32(parent, 0, 1);
  EXPECT_OK(zx_handle_close(child));
  EXPECT_OK(zx_handle_close(parent));
}

VMO_TEST(EmptyCowChildren) {
  zx_handle_t parent;
  ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &parent));
  ASSERT_OK(write_u32(parent, 0, 1));
  zx_handle_t child = child_of(parent, SNAPSHOT, 0, 2 * PAGE);
  EXPECT_COMMITTED(parent, 1);
  EXPECT_COMMITTED(child, 0);
  EXPECT_U32(child, 0, 1);
  uint64_t before = vmo_bytes();
  EXPECT_OK(zero(child, 0, PAGE));
  EXPECT_U32(child, 0, 0);
  EXPECT_U32(parent, 0, 1);
  EXPECT_COMMITTED(parent, 1);
  EXPECT_COMMITTED(child, 0);
  EXPECT_EQ(vmo_bytes(), before);
  // Now nobody needs the page.
  EXPECT_OK(zero(parent, 0, PAGE));
  EXPECT_U32(parent, 0, 0);
  EXPECT_COMMITTED(parent, 0);
  EXPECT_COMMITTED(child, 0);
  EXPECT_EQ(vmo_bytes(), before - PAGE);
  EXPECT_OK(zx_handle_close(child));
  EXPECT_OK(zx_handle_close(parent));
}

VMO_TEST(MergeZeroChildren) {
  zx_handle_t parent;
  ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &parent));
  ASSERT_OK(write_u32(parent, 0, 1));
  zx_handle_t child = child_of(parent, SNAPSHOT, 0, PAGE);
  EXPECT_COMMITTED(parent, 1);
  EXPECT_COMMITTED(child, 0);
  EXPECT_OK(zero(parent, 0, PAGE));
  EXPECT_COMMITTED(parent, 0);
  EXPECT_COMMITTED(child, 1);
  EXPECT_U32(child, 0, 1);
  uint64_t before = vmo_bytes();
  EXPECT_OK(zx_handle_close(child));
  EXPECT_COMMITTED(parent, 0);
  EXPECT_EQ(vmo_bytes(), before - PAGE);
  EXPECT_U32(parent, 0, 0);
  EXPECT_OK(zx_handle_close(parent));
}

VMO_TEST(AllocateAfterMerge) {
  zx_handle_t parent = tagged_vmo(2);
  zx_handle_t child = child_of(parent, SNAPSHOT, 0, 2 * PAGE);
  EXPECT_U32(child, 0, 1);
  EXPECT_U32(child, PAGE, 2);
  EXPECT_EQ(committed(parent) + committed(child), 2 * PAGE);
  EXPECT_OK(zero(child, 0, PAGE));
  EXPECT_EQ(committed(parent) + committed(child), 2 * PAGE);
  EXPECT_OK(zx_handle_close(parent));
  EXPECT_COMMITTED(child, 1);
  EXPECT_U32(child, 0, 0);
  EXPECT_U32(child, PAGE, 2);
  EXPECT_OK(zx_handle_close(child));
}

VMO_TEST(AllocateAfterMergeHiddenChild) {
  zx_handle_t parent = tagged_vmo(3);
  zx_handle_t child1 = child_of(parent, SNAPSHOT, 0, 3 * PAGE);
  EXPECT_EQ(committed(parent) + committed(child1), 3 * PAGE);
  EXPECT_OK(zero(parent, 0, PAGE));
  EXPECT_EQ(committed(parent) + committed(child1), 3 * PAGE);
  zx_handle_t child2 = child_of(parent, SNAPSHOT, 0, 3 * PAGE);
  EXPECT_OK(zero(child1, PAGE, PAGE));
  EXPECT_EQ(committed(parent) + committed(child1) + committed(child2), 3 * PAGE);
  EXPECT_U32(child2, 0, 0);
  EXPECT_U32(child2, PAGE, 2);
  EXPECT_U32(child2, 2 * PAGE, 3);
  EXPECT_U32(child1, 0, 1);
  EXPECT_U32(child1, PAGE, 0);
  EXPECT_U32(child1, 2 * PAGE, 3);
  EXPECT_OK(zx_handle_close(child1));
  EXPECT_U32(parent, 0, 0);
  EXPECT_U32(parent, PAGE, 2);
  EXPECT_U32(parent, 2 * PAGE, 3);
  EXPECT_U32(child2, 0, 0);
  EXPECT_U32(child2, PAGE, 2);
  EXPECT_U32(child2, 2 * PAGE, 3);
  EXPECT_COMMITTED(parent, 2);
  EXPECT_COMMITTED(child2, 0);
  // Writing elsewhere in the zeroed page must not bring back child1's data.
  ASSERT_OK(write_u32(parent, 64, 1));
  EXPECT_U32(parent, 0, 0);
  EXPECT_EQ(committed(parent) + committed(child2), 3 * PAGE);
  ASSERT_OK(write_u32(child2, PAGE + 64, 5));
  EXPECT_U32(child2, PAGE, 2);
  EXPECT_U32(parent, PAGE + 64, 0);
  EXPECT_U32(parent, PAGE, 2);
  EXPECT_EQ(committed(parent) + committed(child2), 4 * PAGE);
  EXPECT_OK(zx_handle_close(child2));
  EXPECT_OK(zx_handle_close(parent));
}

VMO_TEST(WriteCowParent) {
  zx_handle_t parent;
  ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &parent));
  ASSERT_OK(write_u32(parent, 0, 1));
  zx_handle_t child = child_of(parent, SNAPSHOT, 0, 2 * PAGE);
  EXPECT_COMMITTED(parent, 1);
  EXPECT_COMMITTED(child, 0);
  EXPECT_U32(parent, 0, 1);
  ASSERT_OK(write_u32(parent, 0, 2));
  EXPECT_COMMITTED(parent, 1);
  EXPECT_COMMITTED(child, 1);
  EXPECT_U32(child, 0, 1);
  EXPECT_OK(zero(child, 0, PAGE));
  EXPECT_U32(child, 0, 0);
  EXPECT_U32(parent, 0, 2);
  EXPECT_COMMITTED(parent, 1);
  EXPECT_COMMITTED(child, 0);
  EXPECT_OK(zx_handle_close(parent));
  EXPECT_U32(child, 0, 0);
  EXPECT_COMMITTED(child, 0);
  EXPECT_OK(zx_handle_close(child));
}

VMO_TEST(ChildZeroThenWrite) {
  zx_handle_t parent;
  ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &parent));
  ASSERT_OK(write_u32(parent, 0, 1));
  zx_handle_t child = child_of(parent, SNAPSHOT, 0, 2 * PAGE);
  EXPECT_COMMITTED(parent, 1);
  EXPECT_COMMITTED(child, 0);
  EXPECT_OK(zero(child, 0, PAGE));
  EXPECT_COMMITTED(parent, 1);
  EXPECT_COMMITTED(child, 0);
  uint64_t before = vmo_bytes();
  ASSERT_OK(write_u32(child, 0, 1));
  EXPECT_EQ(vmo_bytes(), before + PAGE);
  EXPECT_COMMITTED(parent, 1);
  EXPECT_COMMITTED(child, 1);
  EXPECT_OK(zx_handle_close(parent));
  EXPECT_COMMITTED(child, 1);
  EXPECT_EQ(vmo_bytes(), before);
  EXPECT_OK(zx_handle_close(child));
}

VMO_TEST(Nested) {
  zx_handle_t parent;
  ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &parent));
  ASSERT_OK(write_u32(parent, 0, 1));
  zx_handle_t child1 = child_of(parent, SNAPSHOT, 0, PAGE);
  zx_handle_t child2 = child_of(parent, SNAPSHOT, 0, PAGE);
  EXPECT_COMMITTED(parent, 1);
  EXPECT_COMMITTED(child1, 0);
  EXPECT_COMMITTED(child2, 0);
  EXPECT_OK(zero(parent, 0, PAGE));
  EXPECT_U32(parent, 0, 0);
  EXPECT_U32(child1, 0, 1);
  EXPECT_U32(child2, 0, 1);
  EXPECT_COMMITTED(parent, 0);
  // Fuchsia's kernel ends with a copy in each child; one shared copy is as good.
  EXPECT_GE(committed(child1) + committed(child2), PAGE);
  EXPECT_LE(committed(child1), PAGE);
  EXPECT_LE(committed(child2), PAGE);
  zx_handle_t handles[] = {child2, child1, parent};
  for (size_t i = 0; i < 3; i++) {
    EXPECT_OK(zx_handle_close(handles[i]));
  }
}

VMO_TEST(ZeroLengths) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  EXPECT_OK(zero(vmo, 0, 0));
  EXPECT_OK(zero(vmo, 10, 0));
  EXPECT_OK(zero(vmo, PAGE, 0));
  EXPECT_STATUS(zero(vmo, PAGE + 1, 0), ZX_ERR_OUT_OF_RANGE);
  EXPECT_COMMITTED(vmo, 0);
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(ZeroFreesAndAllocates) {
  zx_handle_t parent;
  ASSERT_OK(zx_vmo_create(3 * PAGE, 0, &parent));
  ASSERT_OK(write_u32(parent, PAGE, 1));
  zx_handle_t intermediate = child_of(parent, SNAPSHOT, 0, 3 * PAGE);
  zx_handle_t child = child_of(intermediate, SNAPSHOT, 0, 3 * PAGE);
  ASSERT_OK(write_u32(child, 0, 1));
  EXPECT_OK(zero(child, 0, 2 * PAGE));
  EXPECT_U32(child, 0, 0);
  EXPECT_U32(child, PAGE, 0);
  EXPECT_U32(intermediate, PAGE, 1);
  EXPECT_U32(parent, PAGE, 1);
  zx_handle_t handles[] = {child, intermediate, parent};
  for (size_t i = 0; i < 3; i++) {
    EXPECT_OK(zx_handle_close(handles[i]));
  }
}

VMO_TEST(ResizeOverHiddenMarkers) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(4 * PAGE, ZX_VMO_RESIZABLE, &vmo));
  ASSERT_OK(write_u32(vmo, 2 * PAGE, 1));
  zx_handle_t intermediate = child_of(vmo, SNAPSHOT, 0, 4 * PAGE);
  ASSERT_OK(zero(vmo, 2 * PAGE, PAGE));
  zx_handle_t sibling = child_of(vmo, SNAPSHOT, 2 * PAGE, PAGE);
  EXPECT_U32(sibling, 0, 0);
  ASSERT_OK(zx_vmo_set_size(vmo, PAGE));
  EXPECT_U32(sibling, 0, 0);
  EXPECT_OK(write_u32(sibling, 0, 1));
  EXPECT_U32(sibling, 0, 1);
  EXPECT_U32(intermediate, 2 * PAGE, 1);
  zx_handle_t handles[] = {sibling, intermediate, vmo};
  for (size_t i = 0; i < 3; i++) {
    EXPECT_OK(zx_handle_close(handles[i]));
  }
}

VMO_TEST(zero_needs_write_and_a_range_inside) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &vmo));
  fill(vmo, 2 * PAGE, 0x11);
  zx_handle_t ro = dup_with(vmo, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_WRITE);
  EXPECT_STATUS(zero(ro, 0, PAGE), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zero(vmo, PAGE, PAGE + 1), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(zero(vmo, 2 * PAGE, 1), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(zero(vmo, UINT64_MAX, 2), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(zero(vmo, 1, UINT64_MAX), ZX_ERR_OUT_OF_RANGE);
  // Nothing was zeroed by the failures.
  ASSERT_OK(zx_vmo_read(vmo, buf, 0, 2 * PAGE));
  EXPECT_TRUE(all_bytes(buf, 2 * PAGE, 0x11));
  // The whole VMO, exactly.
  EXPECT_OK(zero(vmo, 0, 2 * PAGE));
  ASSERT_OK(zx_vmo_read(vmo, buf, 0, 2 * PAGE));
  EXPECT_TRUE(all_bytes(buf, 2 * PAGE, 0));
  EXPECT_COMMITTED(vmo, 0);
  EXPECT_OK(zx_handle_close(ro));
  EXPECT_OK(zx_handle_close(vmo));
}

int main(void) { return run_tests(); }
