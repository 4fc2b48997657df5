//! VMO helpers shared by the VMO test programs (userspace/tests/vmo_*.c): the page size,
//! the kernel's memory counters (ZX_INFO_KMEM_STATS on the start-up block's info
//! resource), VMO_TEST (a TEST whose case must give back every page it took), ZX_INFO_VMO
//! and content-size readers, u32 reads and writes, page-tagged VMOs and children. Each
//! program is built on its own, so the functions are static inline. Includes
//! <zrk/handle_util.h> for dup_with(), rights_of(), stale_handle() and the like.
#ifndef ZRK_VMO_UTIL_H_
#define ZRK_VMO_UTIL_H_

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <zircon/process.h>
#include <zircon/rights.h>
#include <zircon/status.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zircon/types.h>
#include <zrk/handle_util.h>
#include <zrk/startup.h>
#include <zrk/test.h>

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
// Free memory outside the kernel heap (free_bytes plus total_heap_bytes): what leak
// checks compare. The heap takes frames as kernel objects need them and gives them back
// as they go, but it also keeps what its high-water marks need (a handle table keeps
// its slots, run queues their room for the most threads ever alive), so free_bytes
// alone moves with it. ZRK_INFO_KERNEL_OBJECTS counts the objects themselves.
static inline uint64_t free_bytes(void) {
  zx_info_kmem_stats_t stats = kmem();
  return stats.free_bytes + stats.total_heap_bytes;
}
// ZX_INFO_KMEM_STATS free_bytes itself: what a VMO can still commit.
static inline uint64_t raw_free_bytes(void) { return kmem().free_bytes; }
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

// The largest VMO size zx_vmo_create accepts.
#define VMO_MAX_SIZE 0xfffffffffffe0000ull

#define SNAPSHOT ZX_VMO_CHILD_SNAPSHOT
#define SLICE ZX_VMO_CHILD_SLICE

#define EXPECT_U32(vmo, offset, value) EXPECT_EQ(read_u32((vmo), (offset)), (value))
#define EXPECT_COMMITTED(vmo, pages) EXPECT_EQ(committed(vmo), (uint64_t)(pages) * PAGE)

// The VMO's ZX_PROP_VMO_CONTENT_SIZE, or 0x99999999 if the read failed (reported).
static inline uint64_t content_size(zx_handle_t vmo) {
  uint64_t size = 0x99999999;
  zx_status_t status = zx_object_get_property(vmo, ZX_PROP_VMO_CONTENT_SIZE, &size, sizeof size);
  if (status != ZX_OK) {
    printf("# get_property(CONTENT_SIZE) failed: %s\n", zx_status_get_string(status));
  }
  return size;
}

// Closes every valid handle of `handles` and forgets it.
static inline void close_all(zx_handle_t* handles, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (handles[i] != ZX_HANDLE_INVALID) {
      EXPECT_OK(zx_handle_close(handles[i]));
      handles[i] = ZX_HANDLE_INVALID;
    }
  }
}

// A deterministic pattern that differs from page to page and byte to byte.
static inline void fill_pattern(uint8_t* p, size_t len, uint32_t seed) {
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < len; i++) {
    x = x * 1103515245u + 12345u;
    p[i] = (uint8_t)(x >> 16);
  }
}

// Calls fn(perm) for every permutation of 0..n-1 (n <= 4), Heap's algorithm.
static inline void permutations(uint32_t n, void (*fn)(const uint32_t* perm)) {
  uint32_t perm[4];
  uint32_t c[4] = {0};
  for (uint32_t i = 0; i < n; i++) {
    perm[i] = i;
  }
  fn(perm);
  uint32_t i = 0;
  while (i < n) {
    if (c[i] < i) {
      uint32_t j = (i % 2 == 0) ? 0 : c[i];
      uint32_t t = perm[j];
      perm[j] = perm[i];
      perm[i] = t;
      fn(perm);
      c[i]++;
      i = 0;
    } else {
      c[i] = 0;
      i++;
    }
  }
}

#endif  // ZRK_VMO_UTIL_H_
