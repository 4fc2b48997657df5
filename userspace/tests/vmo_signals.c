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

// --- Helpers (each vmo_*.c carries its own copy: one program per file) ----------------

#define PAGE ((uint64_t)ZX_PAGE_SIZE)

// Memory the kernel reports through ZX_INFO_KMEM_STATS on the info resource the
// start-up block hands every boot program.
static inline zx_info_kmem_stats_t kmem(void) {
  zx_info_kmem_stats_t stats;
  memset(&stats, 0, sizeof stats);
  zx_status_t status = zx_object_get_info(zrk_startup()->info_resource, ZX_INFO_KMEM_STATS,
                                          &stats, sizeof stats, NULL, NULL);
  if (status != ZX_OK) {
    printf("# ZX_INFO_KMEM_STATS failed: %s\n", zx_status_get_string(status));
  }
  return stats;
}
static inline uint64_t free_bytes(void) { return kmem().free_bytes; }
static inline uint64_t vmo_bytes(void) { return kmem().vmo_bytes; }

// A case whose every page and VMO must be gone when it ends: the kernel's free memory
// after the case equals what it was before (nothing else in this process allocates
// frames: the image, stack and heap are mapped up front).
#define VMO_TEST(name)                                                               \
  static void name##_body(void);                                                     \
  TEST(name) {                                                                       \
    uint64_t free_before_ = free_bytes();                                            \
    name##_body();                                                                   \
    TEST_CONTEXT("leak check: the kernel's free bytes after the case, and before"); \
    EXPECT_EQ(free_bytes(), free_before_);                                           \
  }                                                                                  \
  static void name##_body(void)

static inline zx_info_vmo_t vmo_info(zx_handle_t vmo) {
  zx_info_vmo_t info;
  memset(&info, 0, sizeof info);
  zx_status_t status = zx_object_get_info(vmo, ZX_INFO_VMO, &info, sizeof info, NULL, NULL);
  if (status != ZX_OK) {
    printf("# ZX_INFO_VMO failed: %s\n", zx_status_get_string(status));
    info.committed_bytes = UINT64_MAX;
  }
  return info;
}
static inline uint64_t committed(zx_handle_t vmo) { return vmo_info(vmo).committed_bytes; }

static inline zx_info_handle_basic_t basic_info(zx_handle_t handle) {
  zx_info_handle_basic_t info;
  memset(&info, 0, sizeof info);
  zx_object_get_info(handle, ZX_INFO_HANDLE_BASIC, &info, sizeof info, NULL, NULL);
  return info;
}
static inline zx_rights_t rights_of(zx_handle_t handle) { return basic_info(handle).rights; }

// A handle to the same object with exactly `rights` (ZX_HANDLE_INVALID on failure).
static inline zx_handle_t dup_with(zx_handle_t handle, zx_rights_t rights) {
  zx_handle_t out = ZX_HANDLE_INVALID;
  if (zx_handle_duplicate(handle, rights, &out) != ZX_OK) {
    return ZX_HANDLE_INVALID;
  }
  return out;
}

// A handle value that was valid once and is closed now.
static inline zx_handle_t stale_handle(void) {
  zx_handle_t h = dup_with(zx_thread_self(), ZX_RIGHT_SAME_RIGHTS);
  zx_handle_close(h);
  return h;
}

static inline zx_status_t write_u32(zx_handle_t vmo, uint64_t offset, uint32_t value) {
  return zx_vmo_write(vmo, &value, offset, sizeof value);
}

// The u32 at `offset`, or 0xdeadd00d if the read failed (reported).
static inline uint32_t read_u32(zx_handle_t vmo, uint64_t offset) {
  uint32_t value = 0;
  zx_status_t status = zx_vmo_read(vmo, &value, offset, sizeof value);
  if (status != ZX_OK) {
    printf("# read of 4 bytes at %#" PRIx64 " failed: %s\n", offset,
           zx_status_get_string(status));
    return 0xdeadd00d;
  }
  return value;
}

// A resizable VMO of `pages` pages holding i + 1 at the start of page i (as Fuchsia's
// InitPageTaggedVmo makes them).
static inline zx_handle_t tagged_vmo(uint32_t pages) {
  zx_handle_t vmo = ZX_HANDLE_INVALID;
  if (zx_vmo_create(pages * PAGE, ZX_VMO_RESIZABLE, &vmo) != ZX_OK) {
    return ZX_HANDLE_INVALID;
  }
  for (uint32_t i = 0; i < pages; i++) {
    write_u32(vmo, i * PAGE, i + 1);
  }
  return vmo;
}

static inline zx_handle_t child_of(zx_handle_t parent, uint32_t options, uint64_t offset,
                                   uint64_t size) {
  zx_handle_t child = ZX_HANDLE_INVALID;
  zx_status_t status = zx_vmo_create_child(parent, options, offset, size, &child);
  if (status != ZX_OK) {
    printf("# create_child(%#x, %#" PRIx64 ", %#" PRIx64 ") failed: %s\n", options, offset,
           size, zx_status_get_string(status));
    return ZX_HANDLE_INVALID;
  }
  return child;
}

// True if all `len` bytes at `p` equal `value`.
static inline bool all_bytes(const void* p, size_t len, uint8_t value) {
  const uint8_t* bytes = p;
  for (size_t i = 0; i < len; i++) {
    if (bytes[i] != value) {
      return false;
    }
  }
  return true;
}

// --- End of helpers -------------------------------------------------------------------

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
