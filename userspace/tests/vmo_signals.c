// ZX_VMO_ZERO_CHILDREN through zx_object_wait_one (vmo_create.md, vmo_create_child.md,
// object_wait_one.md; the digest's section 3.6 "side effects"): a new VMO asserts it;
// creating a child of any kind clears it at once; it comes back when the last direct or
// indirect child is gone. With one thread a wait either finds the signal already set
// (ZX_OK, at once) or ends at its deadline (ZX_ERR_TIMED_OUT), so the "comes back" checks
// wait with a deadline a second away and pass only if the signal is set by the time the
// close returns or soon after. num_children in ZX_INFO_VMO counts direct children.
//
// CamelCase cases are Fuchsia's cases of the same name: Children, ManyChildren and
// ManyChildrenRevClose of VmoClone2TestCase (vmo-clone2.cc), ZeroChildren and
// ZeroChildrenGrandchildClosedLast of VmoSliceTestCase (vmo-slice.cc); snake_case cases
// are ours.
#include <zircon/process.h>
#include <zircon/rights.h>
#include <zircon/syscalls/object.h>
#include <zrk/bad_ptr.h>
#include <zrk/startup.h>
#include <zrk/test.h>
#include <zrk/vmo_util.h>

// ZX_OK if ZERO_CHILDREN is set now; ZX_ERR_TIMED_OUT if not.
static zx_status_t zero_children_now(zx_handle_t vmo, zx_signals_t* observed) {
  return zx_object_wait_one(vmo, ZX_VMO_ZERO_CHILDREN, ZX_TIME_INFINITE_PAST, observed);
}

// ZX_OK once ZERO_CHILDREN is set, waiting up to a second for it.
static zx_status_t zero_children_soon(zx_handle_t vmo, zx_signals_t* observed) {
  return zx_object_wait_one(vmo, ZX_VMO_ZERO_CHILDREN, zx_deadline_after(ZX_SEC(1)), observed);
}

static size_t num_children(zx_handle_t vmo) { return vmo_info(vmo).num_children; }

VMO_TEST(a_new_vmo_has_no_children) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  zx_signals_t observed = 0;
  EXPECT_OK(zero_children_now(vmo, &observed));
  EXPECT_EQ(observed & ZX_VMO_ZERO_CHILDREN, ZX_VMO_ZERO_CHILDREN);
  // Deadline 0 is in the past too; observed is optional.
  EXPECT_OK(zx_object_wait_one(vmo, ZX_VMO_ZERO_CHILDREN, 0, NULL));
  EXPECT_OK(zx_object_wait_one(vmo, ZX_VMO_ZERO_CHILDREN, ZX_TIME_INFINITE, &observed));
  EXPECT_EQ(num_children(vmo), 0);
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(Children) {
  zx_handle_t vmo, clone;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  zx_signals_t o;
  EXPECT_OK(zero_children_now(vmo, &o));
  ASSERT_OK(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SNAPSHOT, 0, PAGE, &clone));
  o = 0xffffffff;
  EXPECT_STATUS(zero_children_now(vmo, &o), ZX_ERR_TIMED_OUT);
  EXPECT_EQ(o & ZX_VMO_ZERO_CHILDREN, 0);
  EXPECT_OK(zero_children_now(clone, &o));
  EXPECT_OK(zx_handle_close(clone));
  EXPECT_OK(zero_children_soon(vmo, &o));
  EXPECT_EQ(o & ZX_VMO_ZERO_CHILDREN, ZX_VMO_ZERO_CHILDREN);
  EXPECT_OK(zx_handle_close(vmo));
}

static void many_children(bool reverse_close) {
  enum { N = 5 };
  zx_handle_t vmo, clones[N];
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  for (size_t i = 0; i < N; i++) {
    ASSERT_OK(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SNAPSHOT, 0, PAGE, &clones[i]));
    TEST_CONTEXT("after creating %zu", i + 1);
    EXPECT_EQ(num_children(vmo), i + 1);
  }
  for (size_t k = 0; k < N; k++) {
    size_t i = reverse_close ? N - 1 - k : k;
    EXPECT_OK(zx_handle_close(clones[i]));
    TEST_CONTEXT("after closing %zu", k + 1);
    EXPECT_EQ(num_children(vmo), N - (k + 1));
    if (k + 1 < N) {
      EXPECT_STATUS(zero_children_now(vmo, NULL), ZX_ERR_TIMED_OUT);
    }
  }
  TEST_CONTEXT("all closed");
  zx_signals_t o;
  EXPECT_OK(zero_children_soon(vmo, &o));
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(ManyChildren) { many_children(false); }
VMO_TEST(ManyChildrenRevClose) { many_children(true); }

VMO_TEST(ZeroChildren) {
  zx_handle_t vmo, child;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  zx_signals_t pending = 0;
  ASSERT_OK(zero_children_soon(vmo, &pending));
  EXPECT_EQ(pending & ZX_VMO_ZERO_CHILDREN, ZX_VMO_ZERO_CHILDREN);
  ASSERT_OK(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SLICE, 0, PAGE, &child));
  // Child creation is synchronous: the signal is clear already.
  EXPECT_STATUS(zero_children_now(vmo, &pending), ZX_ERR_TIMED_OUT);
  EXPECT_EQ(pending & ZX_VMO_ZERO_CHILDREN, 0);
  EXPECT_OK(zx_handle_close(child));
  EXPECT_OK(zero_children_soon(vmo, &pending));
  EXPECT_EQ(pending & ZX_VMO_ZERO_CHILDREN, ZX_VMO_ZERO_CHILDREN);
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(ZeroChildrenGrandchildClosedLast) {
  zx_handle_t vmo, child, grandchild;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  zx_signals_t pending = 0;
  ASSERT_OK(zero_children_soon(vmo, &pending));
  ASSERT_OK(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SLICE, 0, PAGE, &child));
  EXPECT_STATUS(zero_children_now(vmo, &pending), ZX_ERR_TIMED_OUT);
  EXPECT_EQ(pending & ZX_VMO_ZERO_CHILDREN, 0);
  ASSERT_OK(zx_vmo_create_child(child, ZX_VMO_CHILD_SLICE, 0, PAGE, &grandchild));
  EXPECT_STATUS(zero_children_now(vmo, &pending), ZX_ERR_TIMED_OUT);
  EXPECT_STATUS(zero_children_now(child, &pending), ZX_ERR_TIMED_OUT);
  EXPECT_OK(zx_handle_close(child));
  // The grandchild still counts.
  EXPECT_STATUS(zero_children_now(vmo, &pending), ZX_ERR_TIMED_OUT);
  EXPECT_EQ(pending & ZX_VMO_ZERO_CHILDREN, 0);
  EXPECT_OK(zx_handle_close(grandchild));
  EXPECT_OK(zero_children_soon(vmo, &pending));
  EXPECT_EQ(pending & ZX_VMO_ZERO_CHILDREN, ZX_VMO_ZERO_CHILDREN);
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(snapshot_grandchildren_count_too) {
  zx_handle_t vmo, child, grandchild;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SNAPSHOT, 0, PAGE, &child));
  ASSERT_OK(zx_vmo_create_child(child, ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE, 0, PAGE,
                                &grandchild));
  EXPECT_OK(zx_handle_close(child));
  EXPECT_STATUS(zero_children_now(vmo, NULL), ZX_ERR_TIMED_OUT);
  EXPECT_OK(zero_children_now(grandchild, NULL));
  EXPECT_OK(zx_handle_close(grandchild));
  EXPECT_OK(zero_children_soon(vmo, NULL));
  EXPECT_OK(zx_handle_close(vmo));
}

// A child outliving its parent is a VMO like any other.
VMO_TEST(closing_the_parent_first) {
  zx_handle_t vmo, child, grandchild;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SNAPSHOT, 0, PAGE, &child));
  EXPECT_OK(zx_handle_close(vmo));
  EXPECT_OK(zero_children_now(child, NULL));
  ASSERT_OK(zx_vmo_create_child(child, ZX_VMO_CHILD_SLICE, 0, PAGE, &grandchild));
  EXPECT_STATUS(zero_children_now(child, NULL), ZX_ERR_TIMED_OUT);
  EXPECT_OK(zx_handle_close(grandchild));
  EXPECT_OK(zero_children_soon(child, NULL));
  EXPECT_OK(zx_handle_close(child));
}

VMO_TEST(a_wait_ends_at_its_deadline) {
  zx_handle_t vmo, child;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SLICE, 0, PAGE, &child));
  zx_time_t start = zx_clock_get_monotonic();
  zx_time_t deadline = start + ZX_MSEC(30);
  zx_signals_t observed = 0xffffffff;
  EXPECT_STATUS(zx_object_wait_one(vmo, ZX_VMO_ZERO_CHILDREN, deadline, &observed),
                ZX_ERR_TIMED_OUT);
  zx_time_t end = zx_clock_get_monotonic();
  EXPECT_GE(end, deadline);
  EXPECT_LT(end - start, ZX_SEC(5));
  EXPECT_EQ(observed & ZX_VMO_ZERO_CHILDREN, 0);
  // A signal a VMO never asserts: the wait times out and reports what is asserted.
  EXPECT_OK(zx_handle_close(child));
  EXPECT_OK(zero_children_soon(vmo, NULL));
  observed = 0;
  EXPECT_STATUS(zx_object_wait_one(vmo, ZX_USER_SIGNAL_0, zx_deadline_after(ZX_MSEC(5)),
                                   &observed),
                ZX_ERR_TIMED_OUT);
  EXPECT_EQ(observed & ZX_VMO_ZERO_CHILDREN, ZX_VMO_ZERO_CHILDREN);
  // Any of several signals is enough.
  EXPECT_OK(zx_object_wait_one(vmo, ZX_USER_SIGNAL_0 | ZX_VMO_ZERO_CHILDREN, 0, &observed));
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(wait_one_errors) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  zx_signals_t o;
  EXPECT_STATUS(zx_object_wait_one(ZX_HANDLE_INVALID, ZX_VMO_ZERO_CHILDREN, 0, &o),
                ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_object_wait_one(stale_handle(), ZX_VMO_ZERO_CHILDREN, 0, &o),
                ZX_ERR_BAD_HANDLE);
  zx_handle_t no_wait = dup_with(vmo, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_WAIT);
  EXPECT_STATUS(zx_object_wait_one(no_wait, ZX_VMO_ZERO_CHILDREN, 0, &o), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_object_wait_one(no_wait, ZX_VMO_ZERO_CHILDREN, ZX_TIME_INFINITE, &o),
                ZX_ERR_ACCESS_DENIED);
  zrk_bad_ptr_t bad[ZRK_BAD_PTR_MAX];
  size_t n = zrk_bad_ptrs(bad, sizeof(zx_signals_t));
  bad[n++] = (zrk_bad_ptr_t){"read-only", zrk_readonly_ptr()};
  for (size_t i = 1; i < n; i++) {  // NULL (entry 0) is allowed
    TEST_CONTEXT("observed = %s", bad[i].name);
    EXPECT_STATUS(zx_object_wait_one(vmo, ZX_VMO_ZERO_CHILDREN, 0, bad[i].ptr),
                  ZX_ERR_INVALID_ARGS);
  }
  EXPECT_OK(zx_handle_close(no_wait));
  EXPECT_OK(zx_handle_close(vmo));
}

int main(void) { return run_tests(); }
