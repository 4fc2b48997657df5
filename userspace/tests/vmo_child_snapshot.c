// Copy-on-write children: zx_vmo_create_child with ZX_VMO_CHILD_SNAPSHOT and
// ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE (docs/reference/syscalls/vmo_create_child.md;
// the digest's section 3.6). A snapshot behaves as if the parent were copied eagerly:
// neither side ever sees the other's later writes, pages past the parent's end read as
// zeros, and pages are shared until one side writes them. The checks come in Zircon's
// order: NO_WRITE with RESIZABLE before the handle, then the handle (DUPLICATE and READ),
// a discardable parent, the options, the offset's alignment, the size, the parent's cache
// policy, and offsets that overflow across generations. The child's handle rights follow
// the parent's: RESIZE only with ZX_VMO_CHILD_RESIZABLE, GET_PROPERTY and SET_PROPERTY
// always, WRITE added (EXECUTE removed) unless ZX_VMO_CHILD_NO_WRITE takes WRITE away.
//
// Memory: besides each case's leak check, page counts are checked two ways. The
// kernel's VMO memory (ZX_INFO_KMEM_STATS vmo_bytes) counts pages as they are allocated
// and freed, which is the same whatever the implementation. Per-VMO committed_bytes
// (ZX_INFO_VMO) is checked where Fuchsia's tests fix it: a page is counted in the VMO that
// alone can see it, and a page several VMOs share in the oldest of them. Where Fuchsia's
// tests call the split "implementation dependent" only bounds are checked.
//
// CamelCase cases are Fuchsia's cases of the same name (VmoClone2TestCase in
// zircon/system/utest/core/vmo/vmo-clone2.cc, where the disjoint, resize and progressive
// cases sit in fixtures of their own; ChildPermsTestHelper of VmoTestCase.Rights is
// child_rights); snake_case cases are ours.
#include <zircon/process.h>
#include <zircon/rights.h>
#include <zircon/syscalls/object.h>
#include <zrk/bad_ptr.h>
#include <zrk/startup.h>
#include <zrk/test.h>
#include <zrk/vmo_util.h>

VMO_TEST(Info) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  zx_info_vmo_t orig = vmo_info(vmo);
  zx_handle_t clone = child_of(vmo, SNAPSHOT, 0, PAGE);
  ASSERT_NE(clone, ZX_HANDLE_INVALID);
  zx_info_vmo_t after = vmo_info(vmo), child = vmo_info(clone);
  EXPECT_EQ(orig.koid, after.koid);
  EXPECT_NE(orig.koid, child.koid);
  EXPECT_EQ(child.parent_koid, orig.koid);
  EXPECT_EQ(orig.parent_koid, 0);
  EXPECT_EQ(orig.flags, ZX_INFO_VMO_TYPE_PAGED | ZX_INFO_VMO_VIA_HANDLE);
  EXPECT_EQ(after.flags, ZX_INFO_VMO_TYPE_PAGED | ZX_INFO_VMO_VIA_HANDLE);
  EXPECT_EQ(child.flags,
            ZX_INFO_VMO_TYPE_PAGED | ZX_INFO_VMO_IS_COW_CLONE | ZX_INFO_VMO_VIA_HANDLE);
  EXPECT_EQ(after.num_children, 1);
  EXPECT_EQ(child.num_children, 0);
  EXPECT_EQ(basic_info(clone).koid, child.koid);
  // AT_LEAST_ON_WRITE children are copy-on-write clones too; resizable ones say so.
  zx_handle_t alow = child_of(vmo, ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE |
                                       ZX_VMO_CHILD_RESIZABLE, 0, PAGE);
  EXPECT_EQ(vmo_info(alow).flags, ZX_INFO_VMO_TYPE_PAGED | ZX_INFO_VMO_IS_COW_CLONE |
                                      ZX_INFO_VMO_VIA_HANDLE | ZX_INFO_VMO_RESIZABLE);
  EXPECT_EQ(vmo_info(vmo).num_children, 2);
  zx_handle_t handles[] = {alow, clone, vmo};
  close_all(handles, 3);
}

VMO_TEST(Read) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(write_u32(vmo, 0, 0xdeadbeef));
  zx_handle_t clone = child_of(vmo, SNAPSHOT, 0, PAGE);
  EXPECT_U32(vmo, 0, 0xdeadbeef);
  EXPECT_U32(clone, 0, 0xdeadbeef);
  zx_handle_t handles[] = {clone, vmo};
  close_all(handles, 2);
}

static void write_one_side(bool clone_write) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(write_u32(vmo, 0, 0xdeadbeef));
  zx_handle_t clone = child_of(vmo, SNAPSHOT, 0, PAGE);
  ASSERT_OK(write_u32(clone_write ? clone : vmo, 0, 0xc0ffee));
  EXPECT_U32(vmo, 0, clone_write ? 0xdeadbeef : 0xc0ffee);
  EXPECT_U32(clone, 0, clone_write ? 0xc0ffee : 0xdeadbeef);
  zx_handle_t handles[] = {clone, vmo};
  close_all(handles, 2);
}

VMO_TEST(CloneVmoWrite) { write_one_side(true); }
VMO_TEST(ParentVmoWrite) { write_one_side(false); }

static void close_one_side(bool close_original) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(write_u32(vmo, 0, 0xdeadbeef));
  zx_handle_t clone = child_of(vmo, SNAPSHOT, 0, PAGE);
  ASSERT_OK(zx_handle_close(close_original ? vmo : clone));
  zx_handle_t left = close_original ? clone : vmo;
  EXPECT_U32(left, 0, 0xdeadbeef);
  EXPECT_COMMITTED(left, 1);
  EXPECT_OK(zx_handle_close(left));
}

VMO_TEST(CloseOriginal) { close_one_side(true); }
VMO_TEST(CloseClone) { close_one_side(false); }

VMO_TEST(snapshot_isolation_both_ways) {
  static uint8_t a[4 * ZX_PAGE_SIZE], b[4 * ZX_PAGE_SIZE];
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(4 * PAGE, 0, &vmo));
  // Pages 0 and 1 committed, 2 and 3 not.
  memset(a, 0x11, 2 * PAGE);
  ASSERT_OK(zx_vmo_write(vmo, a, 0, 2 * PAGE));
  uint64_t before = vmo_bytes();
  zx_handle_t clone = child_of(vmo, SNAPSHOT, 0, 4 * PAGE);
  ASSERT_NE(clone, ZX_HANDLE_INVALID);
  EXPECT_EQ(vmo_bytes(), before);  // a snapshot copies nothing up front
  // The parent writes a shared page and a page nobody had committed.
  memset(a, 0x22, PAGE);
  ASSERT_OK(zx_vmo_write(vmo, a, 0, PAGE));
  ASSERT_OK(zx_vmo_write(vmo, a, 2 * PAGE, PAGE));
  // The child writes the other shared page and the last uncommitted one.
  memset(a, 0x33, PAGE);
  ASSERT_OK(zx_vmo_write(clone, a, PAGE, PAGE));
  ASSERT_OK(zx_vmo_write(clone, a, 3 * PAGE, PAGE));
  ASSERT_OK(zx_vmo_read(vmo, b, 0, 4 * PAGE));
  EXPECT_TRUE(all_bytes(b, PAGE, 0x22));
  EXPECT_TRUE(all_bytes(b + PAGE, PAGE, 0x11));
  EXPECT_TRUE(all_bytes(b + 2 * PAGE, PAGE, 0x22));
  EXPECT_TRUE(all_bytes(b + 3 * PAGE, PAGE, 0));
  ASSERT_OK(zx_vmo_read(clone, b, 0, 4 * PAGE));
  EXPECT_TRUE(all_bytes(b, PAGE, 0x11));
  EXPECT_TRUE(all_bytes(b + PAGE, PAGE, 0x33));
  EXPECT_TRUE(all_bytes(b + 2 * PAGE, PAGE, 0));
  EXPECT_TRUE(all_bytes(b + 3 * PAGE, PAGE, 0x33));
  // Two forks and two fresh pages: four pages more than before the snapshot.
  EXPECT_EQ(vmo_bytes(), before + 4 * PAGE);
  zx_handle_t handles[] = {clone, vmo};
  close_all(handles, 2);
}

// AT_LEAST_ON_WRITE may let the parent's later writes show until the child writes a
// page; after that, and for the child's own writes, the two are independent.
VMO_TEST(at_least_on_write_children_own_what_they_write) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &vmo));
  ASSERT_OK(write_u32(vmo, 0, 1));
  zx_handle_t child = child_of(vmo, ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE, 0, 2 * PAGE);
  ASSERT_NE(child, ZX_HANDLE_INVALID);
  EXPECT_U32(child, 0, 1);
  ASSERT_OK(write_u32(child, 0, 2));
  EXPECT_U32(vmo, 0, 1);
  EXPECT_U32(child, 0, 2);
  ASSERT_OK(write_u32(vmo, 0, 3));
  EXPECT_U32(child, 0, 2);
  // A page the child never wrote: either value is allowed, nothing else.
  ASSERT_OK(write_u32(vmo, PAGE, 4));
  uint32_t seen = read_u32(child, PAGE);
  EXPECT_TRUE(seen == 0 || seen == 4);
  zx_handle_t handles[] = {child, vmo};
  close_all(handles, 2);
}

VMO_TEST(ObjMemAccounting) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &vmo));
  ASSERT_OK(write_u32(vmo, 0, 1));
  ASSERT_OK(write_u32(vmo, PAGE, 1));
  EXPECT_COMMITTED(vmo, 2);
  uint64_t before = vmo_bytes();
  zx_handle_t clone = child_of(vmo, SNAPSHOT, 0, 2 * PAGE);
  EXPECT_COMMITTED(vmo, 2);
  EXPECT_COMMITTED(clone, 0);
  // A parent write forks a page: the old one is the clone's alone now.
  ASSERT_OK(write_u32(vmo, 0, 2));
  EXPECT_COMMITTED(vmo, 2);
  EXPECT_COMMITTED(clone, 1);
  ASSERT_OK(write_u32(clone, PAGE, 2));
  EXPECT_COMMITTED(vmo, 2);
  EXPECT_COMMITTED(clone, 2);
  // Nothing is shared any more: further writes allocate nothing.
  ASSERT_OK(write_u32(vmo, PAGE, 2));
  ASSERT_OK(write_u32(clone, 0, 2));
  EXPECT_COMMITTED(vmo, 2);
  EXPECT_COMMITTED(clone, 2);
  EXPECT_EQ(vmo_bytes(), before + 2 * PAGE);
  zx_handle_t handles[] = {clone, vmo};
  close_all(handles, 2);
}

VMO_TEST(ZeroPageWrite) {
  zx_handle_t vmos[4] = {ZX_HANDLE_INVALID};
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmos[0]));
  vmos[1] = child_of(vmos[0], SNAPSHOT, 0, PAGE);
  vmos[2] = child_of(vmos[0], SNAPSHOT, 0, PAGE);
  vmos[3] = child_of(vmos[1], SNAPSHOT, 0, PAGE);
  uint64_t before = vmo_bytes();
  for (uint32_t i = 0; i < 4; i++) {
    ASSERT_OK(write_u32(vmos[i], 0, i + 1));
    for (uint32_t j = 0; j < 4; j++) {
      TEST_CONTEXT("after writing VMO %u: VMO %u", i, j);
      EXPECT_U32(vmos[j], 0, j <= i ? j + 1 : 0);
      EXPECT_COMMITTED(vmos[j], j <= i ? 1 : 0);
    }
    EXPECT_EQ(vmo_bytes(), before + (i + 1) * PAGE);
  }
  close_all(vmos, 4);
}

VMO_TEST(SplitPageClosure) {
  zx_handle_t vmo = tagged_vmo(1);
  zx_handle_t clone1 = child_of(vmo, SNAPSHOT, 0, PAGE);
  zx_handle_t clone2 = child_of(clone1, SNAPSHOT, 0, PAGE);
  ASSERT_OK(write_u32(clone1, 0, 3));
  ASSERT_OK(write_u32(clone2, 0, 4));
  EXPECT_COMMITTED(vmo, 1);
  EXPECT_COMMITTED(clone1, 1);
  EXPECT_COMMITTED(clone2, 1);
  uint64_t before = vmo_bytes();
  EXPECT_OK(zx_handle_close(vmo));
  EXPECT_U32(clone1, 0, 3);
  EXPECT_U32(clone2, 0, 4);
  EXPECT_COMMITTED(clone1, 1);
  EXPECT_COMMITTED(clone2, 1);
  EXPECT_EQ(vmo_bytes(), before - PAGE);
  EXPECT_OK(zx_handle_close(clone1));
  EXPECT_U32(clone2, 0, 4);
  EXPECT_COMMITTED(clone2, 1);
  EXPECT_EQ(vmo_bytes(), before - 2 * PAGE);
  EXPECT_OK(zx_handle_close(clone2));
}

VMO_TEST(Offset) {
  zx_handle_t vmo = tagged_vmo(3);
  zx_handle_t clone = child_of(vmo, SNAPSHOT, PAGE, 3 * PAGE);
  EXPECT_U32(clone, 0, 2);
  EXPECT_U32(clone, PAGE, 3);
  EXPECT_U32(clone, 2 * PAGE, 0);
  ASSERT_OK(write_u32(clone, PAGE, 4));
  EXPECT_OK(zx_handle_close(vmo));
  EXPECT_U32(clone, 0, 2);
  EXPECT_U32(clone, PAGE, 4);
  EXPECT_U32(clone, 2 * PAGE, 0);
  // The clone keeps the page it can see and the one it wrote, nothing more.
  EXPECT_COMMITTED(clone, 2);
  EXPECT_EQ(vmo_info(clone).parent_koid != 0, true);
  EXPECT_OK(zx_handle_close(clone));
}

VMO_TEST(OffsetTest2) {
  zx_handle_t vmo = tagged_vmo(4);
  zx_handle_t offset_clone = child_of(vmo, SNAPSHOT, PAGE, 3 * PAGE);
  zx_handle_t clone1 = child_of(offset_clone, SNAPSHOT, 0, 2 * PAGE);
  zx_handle_t clone2 = child_of(offset_clone, SNAPSHOT, 2 * PAGE, PAGE);
  EXPECT_U32(clone1, 0, 2);
  EXPECT_U32(clone1, PAGE, 3);
  EXPECT_U32(clone2, 0, 4);
  ASSERT_OK(write_u32(offset_clone, PAGE, 4));
  EXPECT_OK(zx_handle_close(offset_clone));
  EXPECT_U32(clone1, 0, 2);
  EXPECT_U32(clone1, PAGE, 3);
  EXPECT_U32(clone2, 0, 4);
  // How the pages are split between vmo and clone1 is implementation dependent; no VMO
  // is counted for more than it can see.
  EXPECT_LE(committed(vmo), 4 * PAGE);
  EXPECT_LE(committed(clone1), 2 * PAGE);
  EXPECT_COMMITTED(clone2, 0);
  EXPECT_OK(zx_handle_close(clone1));
  EXPECT_COMMITTED(vmo, 4);
  EXPECT_COMMITTED(clone2, 0);
  zx_handle_t handles[] = {clone2, vmo};
  close_all(handles, 2);
}

VMO_TEST(OffsetProgressiveWrite) {
  zx_handle_t vmo = tagged_vmo(2);
  zx_handle_t clone = child_of(vmo, SNAPSHOT, PAGE, 2 * PAGE);
  EXPECT_U32(clone, 0, 2);
  ASSERT_OK(write_u32(clone, 0, 3));
  EXPECT_U32(clone, 0, 3);
  EXPECT_U32(vmo, 0, 1);
  EXPECT_U32(vmo, PAGE, 2);
  zx_handle_t clone2 = child_of(clone, SNAPSHOT, PAGE, PAGE);
  // clone2 cannot see page 0 of clone: writing it again allocates nothing.
  uint64_t before = vmo_bytes();
  ASSERT_OK(write_u32(clone, 0, 4));
  EXPECT_EQ(vmo_bytes(), before);
  EXPECT_COMMITTED(vmo, 2);
  EXPECT_COMMITTED(clone, 1);
  EXPECT_COMMITTED(clone2, 0);
  EXPECT_OK(zx_handle_close(vmo));
  EXPECT_U32(clone, 0, 4);
  EXPECT_OK(zx_handle_close(clone2));
  EXPECT_U32(clone, 0, 4);
  EXPECT_COMMITTED(clone, 1);
  EXPECT_OK(zx_handle_close(clone));
}

VMO_TEST(Overflow) {
  zx_handle_t vmo = tagged_vmo(1);
  zx_handle_t clone = child_of(vmo, SNAPSHOT, 0, 2 * PAGE);
  EXPECT_U32(clone, 0, 1);
  EXPECT_U32(clone, PAGE, 0);
  ASSERT_OK(write_u32(clone, PAGE, 2));
  zx_handle_t clone2 = child_of(clone, SNAPSHOT, 0, 3 * PAGE);
  EXPECT_U32(clone2, 0, 1);
  EXPECT_U32(clone2, PAGE, 2);
  EXPECT_U32(clone2, 2 * PAGE, 0);
  ASSERT_OK(write_u32(clone2, 2 * PAGE, 3));
  EXPECT_U32(clone2, 2 * PAGE, 3);
  EXPECT_COMMITTED(vmo, 1);
  EXPECT_COMMITTED(clone, 1);
  EXPECT_COMMITTED(clone2, 1);
  ASSERT_OK(write_u32(clone2, 0, 4));
  ASSERT_OK(write_u32(clone2, PAGE, 5));
  EXPECT_U32(vmo, 0, 1);
  EXPECT_U32(clone, 0, 1);
  EXPECT_U32(clone, PAGE, 2);
  EXPECT_U32(clone2, 0, 4);
  EXPECT_U32(clone2, PAGE, 5);
  EXPECT_U32(clone2, 2 * PAGE, 3);
  // Implementation dependent, within what each can see.
  EXPECT_LE(committed(vmo), PAGE);
  EXPECT_LE(committed(clone), 2 * PAGE);
  EXPECT_LE(committed(clone2), 3 * PAGE);
  EXPECT_OK(zx_handle_close(clone));
  EXPECT_U32(vmo, 0, 1);
  EXPECT_U32(clone2, 0, 4);
  EXPECT_U32(clone2, PAGE, 5);
  EXPECT_U32(clone2, 2 * PAGE, 3);
  EXPECT_COMMITTED(vmo, 1);
  EXPECT_COMMITTED(clone2, 3);
  zx_handle_t handles[] = {clone2, vmo};
  close_all(handles, 2);
}

VMO_TEST(OutOfBounds) {
  zx_handle_t vmo = tagged_vmo(1);
  zx_handle_t clone = child_of(vmo, SNAPSHOT, 2 * PAGE, 2 * PAGE);
  EXPECT_U32(clone, 0, 0);
  EXPECT_U32(clone, PAGE, 0);
  ASSERT_OK(write_u32(clone, PAGE, 2));
  zx_handle_t clone2 = child_of(clone, SNAPSHOT, 0, 3 * PAGE);
  EXPECT_U32(clone2, 0, 0);
  EXPECT_U32(clone2, PAGE, 2);
  EXPECT_U32(clone2, 2 * PAGE, 0);
  ASSERT_OK(write_u32(clone2, 2 * PAGE, 3));
  EXPECT_U32(clone2, 2 * PAGE, 3);
  EXPECT_COMMITTED(vmo, 1);
  EXPECT_COMMITTED(clone, 1);
  EXPECT_COMMITTED(clone2, 1);
  zx_handle_t handles[] = {clone2, clone, vmo};
  close_all(handles, 3);
}

VMO_TEST(SmallClone) {
  zx_handle_t vmo = tagged_vmo(3);
  zx_handle_t clone = child_of(vmo, SNAPSHOT, PAGE, PAGE);
  EXPECT_U32(clone, 0, 2);
  // Writes to pages the clone cannot see allocate nothing.
  uint64_t before = vmo_bytes();
  ASSERT_OK(write_u32(vmo, 0, 4));
  ASSERT_OK(write_u32(vmo, 2 * PAGE, 5));
  EXPECT_EQ(vmo_bytes(), before);
  EXPECT_COMMITTED(vmo, 3);
  EXPECT_COMMITTED(clone, 0);
  EXPECT_OK(zx_handle_close(vmo));
  EXPECT_U32(clone, 0, 2);
  EXPECT_COMMITTED(clone, 1);
  EXPECT_EQ(vmo_bytes(), before - 2 * PAGE);
  EXPECT_OK(zx_handle_close(clone));
}

VMO_TEST(SmallCloneChild) {
  zx_handle_t vmo = tagged_vmo(3);
  zx_handle_t clone = child_of(vmo, SNAPSHOT, PAGE, PAGE);
  EXPECT_U32(clone, 0, 2);
  // A grandchild larger than its parent sees zeros past it, never the original's data.
  zx_handle_t clone2 = child_of(clone, SNAPSHOT, 0, 2 * PAGE);
  EXPECT_U32(clone2, 0, 2);
  EXPECT_U32(clone2, PAGE, 0);
  zx_handle_t handles[] = {clone2, clone, vmo};
  close_all(handles, 3);
}

VMO_TEST(SmallClones) {
  zx_handle_t vmo = tagged_vmo(3);
  zx_handle_t clone = child_of(vmo, SNAPSHOT, 0, 2 * PAGE);
  ASSERT_OK(write_u32(clone, PAGE, 4));
  zx_handle_t clone2 = child_of(vmo, SNAPSHOT, 0, PAGE);
  EXPECT_COMMITTED(vmo, 3);
  EXPECT_COMMITTED(clone, 1);
  EXPECT_COMMITTED(clone2, 0);
  uint64_t before = vmo_bytes();
  EXPECT_OK(zx_handle_close(vmo));
  // Page 2 nobody can see, and vmo's page 1, are freed; who is counted for page 0 is
  // implementation dependent.
  EXPECT_EQ(vmo_bytes(), before - 2 * PAGE);
  EXPECT_EQ(committed(clone) + committed(clone2), 2 * PAGE);
  EXPECT_LE(committed(clone2), PAGE);
  EXPECT_U32(clone, 0, 1);
  EXPECT_U32(clone, PAGE, 4);
  EXPECT_U32(clone2, 0, 1);
  zx_handle_t handles[] = {clone2, clone};
  close_all(handles, 2);
}

// Four disjoint one-page clones, two of them through an intermediate clone.
static void disjoint_clones(zx_handle_t* vmo, zx_handle_t* clone, zx_handle_t leaves[4]) {
  *vmo = tagged_vmo(4);
  *clone = child_of(*vmo, SNAPSHOT, PAGE, 2 * PAGE);
  leaves[0] = child_of(*vmo, SNAPSHOT, 0, PAGE);
  leaves[1] = child_of(*clone, SNAPSHOT, 0, PAGE);
  leaves[2] = child_of(*clone, SNAPSHOT, PAGE, PAGE);
  leaves[3] = child_of(*vmo, SNAPSHOT, 3 * PAGE, PAGE);
}

static void disjoint_clone_test(bool early_close) {
  zx_handle_t vmo, clone, leaves[4];
  disjoint_clones(&vmo, &clone, leaves);
  if (early_close) {
    EXPECT_OK(zx_handle_close(vmo));
    EXPECT_OK(zx_handle_close(clone));
  }
  for (uint32_t i = 0; i < 4; i++) {
    TEST_CONTEXT("leaf %u", i);
    EXPECT_U32(leaves[i], 0, i + 1);
    ASSERT_OK(write_u32(leaves[i], 0, i + 5));
  }
  if (!early_close) {
    EXPECT_OK(zx_handle_close(vmo));
    EXPECT_OK(zx_handle_close(clone));
  }
  for (uint32_t i = 0; i < 4; i++) {
    TEST_CONTEXT("leaf %u after the parents closed", i);
    EXPECT_U32(leaves[i], 0, i + 5);
    EXPECT_COMMITTED(leaves[i], 1);
  }
  close_all(leaves, 4);
}

VMO_TEST(DisjointCloneEarlyClose) { disjoint_clone_test(true); }
VMO_TEST(DisjointCloneLateClose) { disjoint_clone_test(false); }

static void disjoint_close_in_order(const uint32_t* perm) {
  zx_handle_t vmo, clone, leaves[4];
  disjoint_clones(&vmo, &clone, leaves);
  EXPECT_OK(zx_handle_close(vmo));
  EXPECT_OK(zx_handle_close(clone));
  for (uint32_t i = 0; i < 4; i++) {
    EXPECT_U32(leaves[i], 0, i + 1);
  }
  bool closed[4] = {false};
  for (uint32_t i = 0; i < 4; i++) {
    EXPECT_OK(zx_handle_close(leaves[perm[i]]));
    leaves[perm[i]] = ZX_HANDLE_INVALID;
    closed[perm[i]] = true;
    for (uint32_t j = 0; j < 4; j++) {
      if (!closed[j]) {
        TEST_CONTEXT("order %u%u%u%u, step %u, leaf %u", perm[0], perm[1], perm[2], perm[3], i,
                     j);
        EXPECT_U32(leaves[j], 0, j + 1);
        EXPECT_COMMITTED(leaves[j], 1);
      }
    }
  }
}

VMO_TEST(DisjointCloneTest2) { permutations(4, disjoint_close_in_order); }

VMO_TEST(DisjointCloneProgressive) {
  zx_handle_t vmo = tagged_vmo(6);
  zx_handle_t main_clone = child_of(vmo, SNAPSHOT, PAGE, 5 * PAGE);
  ASSERT_OK(write_u32(main_clone, 3 * PAGE, 7));
  zx_handle_t clone1 = child_of(main_clone, SNAPSHOT, PAGE, 4 * PAGE);
  zx_handle_t clone2 = child_of(main_clone, SNAPSHOT, 4 * PAGE, PAGE);
  zx_handle_t clone3 = child_of(main_clone, SNAPSHOT, 2 * PAGE, PAGE);
  zx_handle_t clone4 = child_of(main_clone, SNAPSHOT, 10 * PAGE, PAGE);
  EXPECT_U32(clone1, 2 * PAGE, 7);
  EXPECT_U32(clone2, 0, 6);
  EXPECT_U32(clone3, 0, 4);
  EXPECT_U32(clone4, 0, 0);
  zx_handle_t closing[] = {main_clone, clone1, clone3, clone4, clone2};
  close_all(closing, 5);
  zx_handle_t last = child_of(vmo, SNAPSHOT, 0, 6 * PAGE);
  for (uint32_t i = 0; i < 6; i++) {
    TEST_CONTEXT("page %u", i);
    EXPECT_U32(vmo, i * PAGE, i + 1);
    EXPECT_U32(last, i * PAGE, i + 1);
  }
  ASSERT_OK(write_u32(vmo, 4 * PAGE, 8));
  for (uint32_t i = 0; i < 6; i++) {
    TEST_CONTEXT("page %u after the write", i);
    EXPECT_U32(vmo, i * PAGE, i == 4 ? 8 : i + 1);
    EXPECT_U32(last, i * PAGE, i + 1);
  }
  zx_handle_t handles[] = {last, vmo};
  close_all(handles, 2);
}

static void resize_test(bool resize_child) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(4 * PAGE, ZX_VMO_RESIZABLE, &vmo));
  for (uint32_t i = 0; i < 4; i++) {
    ASSERT_OK(write_u32(vmo, i * PAGE, i + 1));
  }
  zx_handle_t clone = child_of(vmo, SNAPSHOT | ZX_VMO_CHILD_RESIZABLE, 0, 4 * PAGE);
  ASSERT_OK(write_u32(vmo, PAGE, 5));
  ASSERT_OK(write_u32(clone, 2 * PAGE, 5));
  EXPECT_COMMITTED(vmo, 4);
  EXPECT_COMMITTED(clone, 2);
  zx_handle_t target = resize_child ? clone : vmo;
  zx_handle_t other = resize_child ? vmo : clone;
  uint64_t before = vmo_bytes();
  ASSERT_OK(zx_vmo_set_size(target, PAGE));
  for (uint32_t i = 0; i < 4; i++) {
    TEST_CONTEXT("page %u of the VMO not resized", i);
    uint32_t written = resize_child ? 1 : 2;
    EXPECT_U32(other, i * PAGE, i == written ? 5 : i + 1);
  }
  EXPECT_U32(target, 0, 1);
  TEST_CONTEXT("%s", "");
  EXPECT_COMMITTED(vmo, resize_child ? 4 : 1);
  EXPECT_COMMITTED(clone, resize_child ? 0 : 3);
  // The shrunk side's private pages went (the clone's original page 1 and its own page
  // 2; or the parent's own page 1 and original page 2); the pages the other side sees
  // stay.
  EXPECT_EQ(vmo_bytes(), before - 2 * PAGE);
  // Growing the shrunk VMO exposes zeros, not the other side's pages.
  ASSERT_OK(zx_vmo_set_size(target, 2 * PAGE));
  EXPECT_U32(target, PAGE, 0);
  // The other side's writes need no new pages.
  uint64_t before_write = vmo_bytes();
  ASSERT_OK(write_u32(other, 3 * PAGE, 6));
  EXPECT_EQ(vmo_bytes(), before_write);
  EXPECT_COMMITTED(vmo, resize_child ? 4 : 1);
  EXPECT_COMMITTED(clone, resize_child ? 0 : 3);
  // Closing the other side frees what the shrunk side cannot see.
  EXPECT_OK(zx_handle_close(other));
  EXPECT_U32(target, 0, 1);
  EXPECT_COMMITTED(target, 1);
  EXPECT_OK(zx_handle_close(target));
}

VMO_TEST(ResizeChild) { resize_test(true); }
VMO_TEST(ResizeOriginal) { resize_test(false); }

VMO_TEST(ResizeGrow) {
  zx_handle_t vmo = tagged_vmo(2);
  zx_handle_t clone = child_of(vmo, SNAPSHOT | ZX_VMO_CHILD_RESIZABLE, 0, PAGE);
  EXPECT_U32(clone, 0, 1);
  ASSERT_OK(zx_vmo_set_size(clone, 2 * PAGE));
  EXPECT_U32(clone, PAGE, 0);
  uint64_t before = vmo_bytes();
  ASSERT_OK(write_u32(vmo, PAGE, 3));
  EXPECT_EQ(vmo_bytes(), before);
  EXPECT_U32(clone, PAGE, 0);
  EXPECT_COMMITTED(vmo, 2);
  EXPECT_COMMITTED(clone, 0);
  zx_handle_t handles[] = {clone, vmo};
  close_all(handles, 2);
}

VMO_TEST(ResizeOffsetChild) {
  zx_handle_t vmo = tagged_vmo(3);
  zx_handle_t clone = child_of(vmo, SNAPSHOT, PAGE, PAGE);
  ASSERT_OK(zx_vmo_set_size(vmo, 0));
  EXPECT_U32(clone, 0, 2);
  EXPECT_COMMITTED(vmo, 0);
  EXPECT_COMMITTED(clone, 1);
  zx_handle_t handles[] = {clone, vmo};
  close_all(handles, 2);
}

static void resize_disjoint_in_order(const uint32_t* perm) {
  zx_handle_t vmo = tagged_vmo(3);
  zx_handle_t clones[3];
  for (uint32_t i = 0; i < 3; i++) {
    clones[i] = child_of(vmo, SNAPSHOT | ZX_VMO_CHILD_RESIZABLE, i * PAGE, PAGE);
    EXPECT_U32(clones[i], 0, i + 1);
    EXPECT_COMMITTED(clones[i], 0);
  }
  TEST_CONTEXT("order %u%u%u", perm[0], perm[1], perm[2]);
  EXPECT_COMMITTED(vmo, 3);
  EXPECT_OK(zx_vmo_set_size(clones[perm[0]], 0));
  EXPECT_OK(zx_vmo_set_size(clones[perm[1]], 0));
  EXPECT_OK(zx_vmo_set_size(vmo, 0));
  EXPECT_U32(clones[perm[2]], 0, perm[2] + 1);
  EXPECT_COMMITTED(vmo, 0);
  EXPECT_COMMITTED(clones[perm[0]], 0);
  EXPECT_COMMITTED(clones[perm[1]], 0);
  EXPECT_COMMITTED(clones[perm[2]], 1);
  EXPECT_OK(zx_vmo_set_size(clones[perm[2]], 0));
  EXPECT_COMMITTED(clones[perm[2]], 0);
  close_all(clones, 3);
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(ResizeDisjointChild) { permutations(3, resize_disjoint_in_order); }

VMO_TEST(ResizeMultipleProgressive) {
  zx_handle_t vmo = tagged_vmo(3);
  zx_handle_t clone = child_of(vmo, SNAPSHOT | ZX_VMO_CHILD_RESIZABLE, 0, 2 * PAGE);
  ASSERT_OK(write_u32(vmo, 0, 4));
  ASSERT_OK(write_u32(clone, PAGE, 5));
  zx_handle_t clone2 = child_of(vmo, SNAPSHOT, 0, PAGE);
  ASSERT_OK(zx_vmo_set_size(clone, 0));
  EXPECT_U32(vmo, 0, 4);
  EXPECT_U32(vmo, PAGE, 2);
  EXPECT_U32(vmo, 2 * PAGE, 3);
  EXPECT_U32(clone2, 0, 4);
  EXPECT_COMMITTED(vmo, 3);
  EXPECT_COMMITTED(clone, 0);
  EXPECT_COMMITTED(clone2, 0);
  ASSERT_OK(zx_vmo_set_size(vmo, 0));
  EXPECT_U32(clone2, 0, 4);
  // Which clone is counted for the remaining page is implementation dependent.
  EXPECT_COMMITTED(vmo, 0);
  EXPECT_EQ(committed(clone) + committed(clone2), PAGE);
  zx_handle_t handles[] = {clone2, clone, vmo};
  close_all(handles, 3);
}

VMO_TEST(ResizeOverSiblingRange) {
  zx_handle_t vmo = tagged_vmo(4);
  zx_handle_t intermediate = child_of(vmo, SNAPSHOT, 0, 4 * PAGE);
  zx_handle_t sibling = child_of(vmo, SNAPSHOT | ZX_VMO_CHILD_RESIZABLE, 2 * PAGE, PAGE);
  ASSERT_OK(zx_vmo_set_size(vmo, PAGE));
  ASSERT_OK(zx_vmo_set_size(vmo, 4 * PAGE));
  EXPECT_U32(vmo, 0, 1);
  EXPECT_U32(vmo, PAGE, 0);
  EXPECT_U32(vmo, 2 * PAGE, 0);
  EXPECT_U32(vmo, 3 * PAGE, 0);
  EXPECT_OK(write_u32(vmo, PAGE, 2));
  EXPECT_OK(write_u32(vmo, 2 * PAGE, 3));
  EXPECT_OK(write_u32(vmo, 3 * PAGE, 4));
  // The others kept the original pages.
  EXPECT_U32(intermediate, PAGE, 2);
  EXPECT_U32(intermediate, 2 * PAGE, 3);
  EXPECT_U32(sibling, 0, 3);
  zx_handle_t handles[] = {sibling, intermediate, vmo};
  close_all(handles, 3);
}

// Fuchsia does these through mappings; vmo_write and vmo_read stand in for them here.
static void many_clone_writes(const uint32_t* perm) {
  zx_handle_t vmos[4];
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmos[0]));
  ASSERT_OK(write_u32(vmos[0], 0, 0xdeadbeef));
  vmos[1] = child_of(vmos[0], SNAPSHOT, 0, PAGE);
  vmos[2] = child_of(vmos[0], SNAPSHOT, 0, PAGE);
  vmos[3] = child_of(vmos[1], SNAPSHOT, 0, PAGE);
  bool written[4] = {false};
  for (uint32_t i = 0; i < 4; i++) {
    ASSERT_OK(write_u32(vmos[perm[i]], 0, 0xc0ffee));
    written[perm[i]] = true;
    for (uint32_t j = 0; j < 4; j++) {
      TEST_CONTEXT("order %u%u%u%u, step %u, VMO %u", perm[0], perm[1], perm[2], perm[3], i, j);
      EXPECT_U32(vmos[j], 0, written[j] ? 0xc0ffee : 0xdeadbeef);
    }
  }
  close_all(vmos, 4);
}

VMO_TEST(ManyCloneMapping) { permutations(4, many_clone_writes); }

VMO_TEST(ManyCloneOffset) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(write_u32(vmo, 0, 1));
  zx_handle_t clone1 = child_of(vmo, SNAPSHOT, 0, PAGE);
  zx_handle_t clone2 = child_of(clone1, SNAPSHOT, PAGE, PAGE);
  EXPECT_OK(write_u32(clone1, 0, 1));
  EXPECT_OK(zx_handle_close(clone1));
  EXPECT_U32(vmo, 0, 1);
  EXPECT_U32(clone2, 0, 0);
  zx_handle_t handles[] = {clone2, vmo};
  close_all(handles, 2);
}

VMO_TEST(ManyCloneMappingOffset) {
  zx_handle_t vmos[4];
  ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &vmos[0]));
  ASSERT_OK(write_u32(vmos[0], 0, 1));
  vmos[1] = child_of(vmos[0], SNAPSHOT, 0, 2 * PAGE);
  vmos[2] = child_of(vmos[0], SNAPSHOT, PAGE, PAGE);
  vmos[3] = child_of(vmos[0], SNAPSHOT, 0, 2 * PAGE);
  for (uint32_t i = 0; i < 4; i++) {
    if (i != 2) {
      EXPECT_U32(vmos[i], 0, 1);
    }
  }
  ASSERT_OK(write_u32(vmos[3], 0, 2));
  ASSERT_OK(write_u32(vmos[1], 0, 3));
  EXPECT_U32(vmos[1], 0, 3);
  EXPECT_U32(vmos[3], 0, 2);
  EXPECT_U32(vmos[0], 0, 1);
  for (uint32_t i = 0; i < 4; i++) {
    TEST_CONTEXT("VMO %u", i);
    EXPECT_COMMITTED(vmos[i], i != 2 ? 1 : 0);
  }
  close_all(vmos, 4);
}

// Six progressive clones of a six-page VMO, each writing a different page, then the
// original closed (or truncated to 0) and all but the last two closed (or truncated).
static void progressive_clones(bool close) {
  enum { N = 6 };
  uint64_t base = vmo_bytes();
  zx_handle_t vmos[N];
  vmos[0] = tagged_vmo(N);
  ASSERT_NE(vmos[0], ZX_HANDLE_INVALID);
  EXPECT_COMMITTED(vmos[0], N);
  for (uint32_t i = 1; i < N; i++) {
    vmos[i] = child_of(vmos[0], SNAPSHOT | ZX_VMO_CHILD_RESIZABLE, 0, N * PAGE);
    ASSERT_OK(write_u32(vmos[i], i * PAGE, N + 2));
  }
  // Fewer pages than six full copies (Fuchsia's kernel uses 21; 11 is the least
  // possible: the 6 originals and 5 written pages).
  uint64_t used = vmo_bytes() - base;
  EXPECT_GE(used, 11 * PAGE);
  EXPECT_LE(used, 21 * PAGE);
  for (uint32_t i = 0; i < N; i++) {
    for (uint32_t j = 0; j < N; j++) {
      TEST_CONTEXT("VMO %u page %u", i, j);
      EXPECT_U32(vmos[i], j * PAGE, (i != 0 && j == i) ? N + 2 : j + 1);
    }
  }
  TEST_CONTEXT("%s", "");
  if (close) {
    EXPECT_OK(zx_handle_close(vmos[0]));
    vmos[0] = ZX_HANDLE_INVALID;
  } else {
    EXPECT_OK(zx_vmo_set_size(vmos[0], 0));
  }
  for (uint32_t i = 1; i < N; i++) {
    for (uint32_t j = 0; j < N; j++) {
      TEST_CONTEXT("after the original went: VMO %u page %u", i, j);
      EXPECT_U32(vmos[i], j * PAGE, j == i ? N + 2 : j + 1);
    }
  }
  TEST_CONTEXT("%s", "");
  // What is counted is what is allocated.
  uint64_t counted = 0;
  for (uint32_t i = 0; i < N; i++) {
    counted += vmos[i] == ZX_HANDLE_INVALID ? 0 : committed(vmos[i]);
  }
  EXPECT_EQ(counted, vmo_bytes() - base);
  EXPECT_LE(vmo_bytes() - base, 20 * PAGE);
  for (uint32_t i = 1; i < N - 2; i++) {
    if (close) {
      EXPECT_OK(zx_handle_close(vmos[i]));
      vmos[i] = ZX_HANDLE_INVALID;
    } else {
      EXPECT_OK(zx_vmo_set_size(vmos[i], 0));
    }
  }
  for (uint32_t i = N - 2; i < N; i++) {
    for (uint32_t j = 0; j < N; j++) {
      TEST_CONTEXT("last two: VMO %u page %u", i, j);
      EXPECT_U32(vmos[i], j * PAGE, j == i ? N + 2 : j + 1);
    }
  }
  TEST_CONTEXT("%s", "");
  // The two left need exactly the 6 originals and their own 2 pages.
  EXPECT_EQ(vmo_bytes() - base, 8 * PAGE);
  close_all(vmos, N);
}

VMO_TEST(ProgressiveCloneClose) { progressive_clones(true); }
VMO_TEST(ProgressiveCloneTruncate) { progressive_clones(false); }

VMO_TEST(ParentStartLimitRegression) {
  zx_handle_t r, m, c, s, h, hc;
  ASSERT_OK(zx_vmo_create(0x3000, 0, &r));
  ASSERT_OK(zx_vmo_create_child(r, SNAPSHOT, 0x1000, 0x2000, &m));
  ASSERT_OK(zx_vmo_create_child(m, SNAPSHOT, 0, 0x1000, &c));
  ASSERT_OK(zx_vmo_create_child(r, SNAPSHOT, 0x2000, 0x1000, &s));
  EXPECT_OK(zx_handle_close(r));
  ASSERT_OK(zx_vmo_create_child(m, SNAPSHOT, 0x1000, 0x1000, &h));
  EXPECT_OK(zx_handle_close(m));
  ASSERT_OK(zx_vmo_create_child(h, SNAPSHOT, 0, 0x1000, &hc));
  EXPECT_OK(zx_handle_close(c));
  // Everything left still works.
  EXPECT_OK(write_u32(hc, 0, 1));
  EXPECT_U32(h, 0, 0);
  EXPECT_U32(s, 0, 0);
  zx_handle_t handles[] = {hc, h, s};
  close_all(handles, 3);
}

VMO_TEST(NoAccumulatedOverflow) {
  zx_handle_t vmo, child1, child2 = ZX_HANDLE_INVALID;
  ASSERT_OK(zx_vmo_create(0, 0, &vmo));
  ASSERT_OK(zx_vmo_create_child(vmo, SNAPSHOT, 0xffffffffffff8000, 0, &child1));
  EXPECT_STATUS(zx_vmo_create_child(child1, SNAPSHOT, 0x8000, 0, &child2), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(child2, ZX_HANDLE_INVALID);
  ASSERT_OK(zx_vmo_create_child(child1, SNAPSHOT | ZX_VMO_CHILD_RESIZABLE, 0x4000, 0, &child2));
  EXPECT_STATUS(zx_vmo_set_size(child2, 0x8000), ZX_ERR_INVALID_ARGS);
  EXPECT_OK(zx_vmo_set_size(child2, 0x3000));
  zx_handle_t handles[] = {child2, child1, vmo};
  close_all(handles, 3);
}

VMO_TEST(MarkerClearsSplitBits) {
  zx_handle_t vmo, child;
  ASSERT_OK(zx_vmo_create(3 * PAGE, 0, &vmo));
  uint64_t value = 42;
  EXPECT_OK(zx_vmo_write(vmo, &value, PAGE, sizeof value));
  ASSERT_OK(zx_vmo_create_child(vmo, SNAPSHOT, 0, 3 * PAGE, &child));
  EXPECT_OK(zx_vmo_write(child, &value, PAGE, sizeof value));
  EXPECT_OK(zx_vmo_op_range(child, ZX_VMO_OP_ZERO, PAGE, PAGE, NULL, 0));
  EXPECT_U32(child, PAGE, 0);
  EXPECT_OK(zx_handle_close(child));
  ASSERT_OK(zx_vmo_create_child(vmo, SNAPSHOT, 0, 3 * PAGE, &child));
  EXPECT_OK(zx_vmo_write(child, &value, PAGE, sizeof value));
  EXPECT_U32(vmo, PAGE, 42);
  zx_handle_t handles[] = {child, vmo};
  close_all(handles, 2);
}

// The sequential half of Fuchsia's DropParentCommittedBytes (the race needs threads).
VMO_TEST(DropParentCommittedBytes) {
  for (int i = 0; i < 100; i++) {
    zx_handle_t vmo = tagged_vmo(3);
    zx_handle_t child = child_of(vmo, SNAPSHOT, PAGE, 2 * PAGE);
    EXPECT_U32(child, 0, 2);
    EXPECT_U32(child, PAGE, 3);
    ASSERT_OK(write_u32(child, PAGE, 4));
    EXPECT_COMMITTED(child, 1);
    EXPECT_OK(zx_handle_close(vmo));
    EXPECT_U32(child, 0, 2);
    EXPECT_U32(child, PAGE, 4);
    EXPECT_COMMITTED(child, 2);
    EXPECT_OK(zx_handle_close(child));
  }
}

// --- Rights and errors ----------------------------------------------------------------

// VmoTestCase.Rights' ChildPermsTestHelper, over the parent rights Fuchsia tries, plus
// [V]'s VmoCloneTestCase.Rights (READ | DUPLICATE).
VMO_TEST(child_rights) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(4 * PAGE, 0, &vmo));
  zx_rights_t parents[] = {
      ZX_DEFAULT_VMO_RIGHTS,
      ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_DUPLICATE,
      ZX_RIGHT_READ | ZX_RIGHT_MAP | ZX_RIGHT_DUPLICATE,
      ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_MAP | ZX_RIGHT_DUPLICATE,
      ZX_RIGHT_READ | ZX_RIGHT_DUPLICATE,
  };
  const zx_rights_t prop = ZX_RIGHT_GET_PROPERTY | ZX_RIGHT_SET_PROPERTY;
  for (size_t i = 0; i < sizeof parents / sizeof parents[0]; i++) {
    zx_handle_t parent = dup_with(vmo, parents[i]);
    ASSERT_NE(parent, ZX_HANDLE_INVALID);
    zx_rights_t p = rights_of(parent);
    struct {
      uint32_t options;
      zx_rights_t want;
    } kinds[] = {
        {ZX_VMO_CHILD_SNAPSHOT, ((p | prop | ZX_RIGHT_WRITE) & ~ZX_RIGHT_EXECUTE)},
        {ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE,
         ((p | prop | ZX_RIGHT_WRITE) & ~ZX_RIGHT_EXECUTE)},
        {ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_NO_WRITE, (p | prop) & ~ZX_RIGHT_WRITE},
        {ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_RESIZABLE,
         ((p | prop | ZX_RIGHT_WRITE | ZX_RIGHT_RESIZE) & ~ZX_RIGHT_EXECUTE)},
        {ZX_VMO_CHILD_SLICE, p | prop},
        {ZX_VMO_CHILD_SLICE | ZX_VMO_CHILD_NO_WRITE, (p | prop) & ~ZX_RIGHT_WRITE},
    };
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
      TEST_CONTEXT("parent rights %#x, options %#x", p, kinds[k].options);
      zx_handle_t child = ZX_HANDLE_INVALID;
      EXPECT_OK(zx_vmo_create_child(parent, kinds[k].options, 0, PAGE, &child));
      EXPECT_EQ(rights_of(child), kinds[k].want);
      EXPECT_OK(zx_handle_close(child));
    }
    EXPECT_OK(zx_handle_close(parent));
  }
  // [V]'s example, spelt out.
  zx_handle_t parent = dup_with(vmo, ZX_RIGHT_READ | ZX_RIGHT_DUPLICATE);
  zx_handle_t child = child_of(parent, SNAPSHOT, 0, PAGE);
  EXPECT_EQ(rights_of(child), ZX_RIGHT_READ | ZX_RIGHT_DUPLICATE | ZX_RIGHT_WRITE |
                                  ZX_RIGHT_GET_PROPERTY | ZX_RIGHT_SET_PROPERTY);
  // A resizable parent's RESIZE is not inherited.
  zx_handle_t resizable;
  ASSERT_OK(zx_vmo_create(PAGE, ZX_VMO_RESIZABLE, &resizable));
  zx_handle_t rchild = child_of(resizable, SNAPSHOT, 0, PAGE);
  EXPECT_EQ(rights_of(rchild) & ZX_RIGHT_RESIZE, 0);
  zx_handle_t handles[] = {rchild, resizable, child, parent, vmo};
  close_all(handles, 5);
}

VMO_TEST(a_no_write_child_cannot_be_written) {
  zx_handle_t vmo = tagged_vmo(2);
  zx_handle_t child = child_of(vmo, SNAPSHOT | ZX_VMO_CHILD_NO_WRITE, 0, 2 * PAGE);
  EXPECT_U32(child, PAGE, 2);
  EXPECT_STATUS(write_u32(child, 0, 5), ZX_ERR_ACCESS_DENIED);
  // It is still a snapshot: the parent's writes do not show.
  ASSERT_OK(write_u32(vmo, PAGE, 9));
  EXPECT_U32(child, PAGE, 2);
  zx_handle_t handles[] = {child, vmo};
  close_all(handles, 2);
}

VMO_TEST(NoWriteResizable) {
  for (int resizable_parent = 0; resizable_parent < 2; resizable_parent++) {
    TEST_CONTEXT("resizable parent: %d", resizable_parent);
    zx_handle_t vmo, child = ZX_HANDLE_INVALID;
    ASSERT_OK(zx_vmo_create(PAGE, resizable_parent ? ZX_VMO_RESIZABLE : 0, &vmo));
    uint32_t kinds[] = {ZX_VMO_CHILD_SNAPSHOT, ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE,
                        ZX_VMO_CHILD_SLICE};
    for (size_t k = 0; k < 3; k++) {
      EXPECT_STATUS(zx_vmo_create_child(vmo, kinds[k] | ZX_VMO_CHILD_NO_WRITE |
                                                 ZX_VMO_CHILD_RESIZABLE,
                                        0, PAGE, &child),
                    ZX_ERR_INVALID_ARGS);
    }
    EXPECT_EQ(child, ZX_HANDLE_INVALID);
    EXPECT_OK(zx_vmo_create_child(vmo, SNAPSHOT | ZX_VMO_CHILD_NO_WRITE, 0, PAGE, &child));
    zx_handle_t handles[] = {child, vmo};
    close_all(handles, 2);
  }
}

VMO_TEST(create_child_errors_in_zircon_order) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &vmo));
  zx_handle_t out = ZX_HANDLE_INVALID;
  // NO_WRITE with RESIZABLE, before the handle is looked at.
  EXPECT_STATUS(zx_vmo_create_child(ZX_HANDLE_INVALID,
                                    SNAPSHOT | ZX_VMO_CHILD_NO_WRITE | ZX_VMO_CHILD_RESIZABLE,
                                    0, PAGE, &out),
                ZX_ERR_INVALID_ARGS);
  // The handle: BAD_HANDLE, WRONG_TYPE (before rights), then DUPLICATE and READ.
  EXPECT_STATUS(zx_vmo_create_child(ZX_HANDLE_INVALID, SNAPSHOT, 0, PAGE, &out),
                ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_vmo_create_child(stale_handle(), 0, 1, UINT64_MAX, NULL), ZX_ERR_BAD_HANDLE);
  zx_handle_t thread_none = dup_with(zx_thread_self(), ZX_RIGHT_NONE);
  EXPECT_STATUS(zx_vmo_create_child(zx_thread_self(), SNAPSHOT, 0, PAGE, &out),
                ZX_ERR_WRONG_TYPE);
  EXPECT_STATUS(zx_vmo_create_child(thread_none, 0, 1, PAGE, &out), ZX_ERR_WRONG_TYPE);
  zx_handle_t no_dup = dup_with(vmo, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_DUPLICATE);
  zx_handle_t no_read = dup_with(vmo, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_READ);
  uint32_t kinds[] = {SNAPSHOT, ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE, ZX_VMO_CHILD_SLICE};
  for (size_t k = 0; k < 3; k++) {
    TEST_CONTEXT("options %#x", kinds[k]);
    EXPECT_STATUS(zx_vmo_create_child(no_dup, kinds[k], 0, PAGE, &out), ZX_ERR_ACCESS_DENIED);
    EXPECT_STATUS(zx_vmo_create_child(no_read, kinds[k], 0, PAGE, &out), ZX_ERR_ACCESS_DENIED);
    // Rights before options, offsets and sizes.
    EXPECT_STATUS(zx_vmo_create_child(no_read, kinds[k] | (1u << 30), 1, UINT64_MAX, &out),
                  ZX_ERR_ACCESS_DENIED);
  }
  TEST_CONTEXT("options");
  // Exactly one child type; no unknown bits.
  uint32_t bad_options[] = {0,
                            ZX_VMO_CHILD_RESIZABLE,
                            ZX_VMO_CHILD_NO_WRITE,
                            SNAPSHOT | (1u << 1),
                            SNAPSHOT | (1u << 7),
                            SNAPSHOT | (1u << 31),
                            SNAPSHOT | ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE,
                            SNAPSHOT | ZX_VMO_CHILD_SLICE,
                            ZX_VMO_CHILD_SLICE | ZX_VMO_CHILD_RESIZABLE,
                            ZX_VMO_CHILD_SLICE | (1u << 1)};
  for (size_t i = 0; i < sizeof bad_options / sizeof bad_options[0]; i++) {
    TEST_CONTEXT("options %#x", bad_options[i]);
    EXPECT_STATUS(zx_vmo_create_child(vmo, bad_options[i], 0, PAGE, &out), ZX_ERR_INVALID_ARGS);
  }
  TEST_CONTEXT("offsets and sizes");
  // A snapshot's offset must be page-aligned; its size must round up.
  EXPECT_STATUS(zx_vmo_create_child(vmo, SNAPSHOT, 1, PAGE, &out), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_vmo_create_child(vmo, SNAPSHOT, PAGE / 2, PAGE, &out), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_vmo_create_child(vmo, SNAPSHOT, 0, UINT64_MAX, &out), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(zx_vmo_create_child(vmo, SNAPSHOT, 0, UINT64_MAX - PAGE + 2, &out),
                ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE, 0,
                                    0xfffffffffffe0001, &out),
                ZX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(out, ZX_HANDLE_INVALID);
  // Nothing was made by any of that.
  EXPECT_EQ(vmo_info(vmo).num_children, 0);
  zx_handle_t handles[] = {no_dup, no_read, thread_none, vmo};
  close_all(handles, 4);
}

VMO_TEST(a_discardable_parent_is_not_supported_before_the_options) {
  zx_handle_t vmo, out = ZX_HANDLE_INVALID;
  ASSERT_OK(zx_vmo_create(PAGE, ZX_VMO_DISCARDABLE, &vmo));
  EXPECT_STATUS(zx_vmo_create_child(vmo, SNAPSHOT, 0, PAGE, &out), ZX_ERR_NOT_SUPPORTED);
  EXPECT_STATUS(zx_vmo_create_child(vmo, 0, 1, PAGE, &out), ZX_ERR_NOT_SUPPORTED);
  EXPECT_STATUS(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SLICE, 1, UINT64_MAX, &out),
                ZX_ERR_NOT_SUPPORTED);
  EXPECT_EQ(out, ZX_HANDLE_INVALID);
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(hostile_out_pointers_are_invalid_args_and_leave_no_child) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(write_u32(vmo, 0, 1));
  zrk_bad_ptr_t bad[ZRK_BAD_PTR_MAX];
  size_t n = zrk_bad_ptrs(bad, sizeof(zx_handle_t));
  bad[n++] = (zrk_bad_ptr_t){"read-only", zrk_readonly_ptr()};
  for (size_t i = 0; i < n; i++) {
    TEST_CONTEXT("out = %s", bad[i].name);
    EXPECT_STATUS(zx_vmo_create_child(vmo, SNAPSHOT, 0, PAGE, bad[i].ptr), ZX_ERR_INVALID_ARGS);
    EXPECT_STATUS(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SLICE, 0, PAGE, bad[i].ptr),
                  ZX_ERR_INVALID_ARGS);
  }
  // The children made for them are gone: no child, signal set, parent writes in place.
  EXPECT_EQ(vmo_info(vmo).num_children, 0);
  zx_signals_t observed = 0;
  EXPECT_OK(zx_object_wait_one(vmo, ZX_VMO_ZERO_CHILDREN, ZX_TIME_INFINITE_PAST, &observed));
  uint64_t before = vmo_bytes();
  ASSERT_OK(write_u32(vmo, 0, 2));
  EXPECT_EQ(vmo_bytes(), before);
  EXPECT_OK(zx_handle_close(vmo));
}

// vmo_create_child.md: a child may start or extend past its parent's end; its size is
// page-rounded.
VMO_TEST(child_sizes_round_up_and_may_pass_the_parent) {
  zx_handle_t vmo = tagged_vmo(2);
  zx_handle_t child = child_of(vmo, SNAPSHOT, PAGE, 3 * PAGE + 1);
  uint64_t size = 0;
  EXPECT_OK(zx_vmo_get_size(child, &size));
  EXPECT_EQ(size, 4 * PAGE);
  EXPECT_U32(child, 0, 2);
  EXPECT_U32(child, 3 * PAGE, 0);
  zx_handle_t far = child_of(vmo, SNAPSHOT, 1ull << 40, 2 * PAGE);
  EXPECT_U32(far, PAGE, 0);
  zx_handle_t empty = child_of(vmo, SNAPSHOT, 0, 0);
  EXPECT_OK(zx_vmo_get_size(empty, &size));
  EXPECT_EQ(size, 0);
  EXPECT_STATUS(write_u32(empty, 0, 1), ZX_ERR_OUT_OF_RANGE);
  zx_handle_t handles[] = {empty, far, child, vmo};
  close_all(handles, 4);
}

// vmo_create_child.md (Notes): DECOMMIT is not supported on a non-slice child, and
// DECOMMIT is only for VMOs without non-slice children; COMMIT on a child commits pages
// with its parent's contents.
VMO_TEST(commit_and_decommit_with_copy_on_write_children) {
  zx_handle_t vmo = tagged_vmo(2);
  zx_handle_t child = child_of(vmo, SNAPSHOT, 0, 3 * PAGE);
  EXPECT_STATUS(zx_vmo_op_range(child, ZX_VMO_OP_DECOMMIT, 0, PAGE, NULL, 0),
                ZX_ERR_NOT_SUPPORTED);
  EXPECT_STATUS(zx_vmo_op_range(vmo, ZX_VMO_OP_DECOMMIT, 0, PAGE, NULL, 0),
                ZX_ERR_NOT_SUPPORTED);
  EXPECT_OK(zx_vmo_op_range(child, ZX_VMO_OP_COMMIT, 0, 3 * PAGE, NULL, 0));
  EXPECT_U32(child, 0, 1);
  EXPECT_U32(child, PAGE, 2);
  EXPECT_U32(child, 2 * PAGE, 0);
  // Still a snapshot.
  ASSERT_OK(write_u32(vmo, 0, 7));
  EXPECT_U32(child, 0, 1);
  ASSERT_OK(write_u32(child, PAGE, 8));
  EXPECT_U32(vmo, PAGE, 2);
  // With the child gone, DECOMMIT works again.
  EXPECT_OK(zx_handle_close(child));
  EXPECT_OK(zx_vmo_op_range(vmo, ZX_VMO_OP_DECOMMIT, 0, PAGE, NULL, 0));
  EXPECT_U32(vmo, 0, 0);
  EXPECT_OK(zx_handle_close(vmo));
}

// vmo_set_size.md: the bytes past the new size in its last page are zeroed; in a
// snapshot that shares the page, only the snapshot's view changes.
VMO_TEST(shrinking_into_a_shared_page_zeroes_only_the_child) {
  static uint8_t buf[2 * ZX_PAGE_SIZE];
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(4 * PAGE, 0, &vmo));
  memset(buf, 0x3c, sizeof buf);
  ASSERT_OK(zx_vmo_write(vmo, buf, 0, sizeof buf));
  zx_handle_t child = child_of(vmo, SNAPSHOT | ZX_VMO_CHILD_RESIZABLE, 0, 4 * PAGE);
  ASSERT_OK(zx_vmo_set_size(child, PAGE + 100));
  ASSERT_OK(zx_vmo_read(child, buf, 0, 2 * PAGE));
  EXPECT_TRUE(all_bytes(buf, PAGE + 100, 0x3c));
  EXPECT_TRUE(all_bytes(buf + PAGE + 100, PAGE - 100, 0));
  ASSERT_OK(zx_vmo_read(vmo, buf, 0, 2 * PAGE));
  EXPECT_TRUE(all_bytes(buf, 2 * PAGE, 0x3c));
  zx_handle_t handles[] = {child, vmo};
  close_all(handles, 2);
}

VMO_TEST(a_deep_chain_of_snapshots) {
  zx_handle_t chain[64];
  chain[0] = tagged_vmo(1);
  for (int i = 1; i < 64; i++) {
    chain[i] = child_of(chain[i - 1], SNAPSHOT, 0, PAGE);
    ASSERT_NE(chain[i], ZX_HANDLE_INVALID);
    if (i % 8 == 0) {
      ASSERT_OK(write_u32(chain[i], 0, (uint32_t)i));
    }
  }
  for (int i = 0; i < 64; i++) {
    TEST_CONTEXT("generation %d", i);
    EXPECT_U32(chain[i], 0, i < 8 ? 1 : (uint32_t)(i / 8 * 8));
  }
  // Close from the top: each later generation keeps what it saw.
  for (int i = 0; i < 64; i++) {
    EXPECT_OK(zx_handle_close(chain[i]));
    chain[i] = ZX_HANDLE_INVALID;
    if (i + 1 < 64) {
      TEST_CONTEXT("generation %d after %d closed", i + 1, i);
      EXPECT_U32(chain[i + 1], 0, i + 1 < 8 ? 1 : (uint32_t)((i + 1) / 8 * 8));
    }
  }
}

int main(void) { return run_tests(); }
