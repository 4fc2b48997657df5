//! Helpers shared by the mapping test programs (userspace/tests/vmar_*.c, map_*.c and
//! vmo_replace_as_executable.c): option shorthands, ZX_INFO_VMAR and num_mappings
//! readers, sandbox sub-VMARs, mapping helpers, probes that tell how an address is
//! mapped without touching it, and MAP_TEST, the leak-checked case for programs that
//! map. Each program is built on its own, so everything is static inline. Includes
//! <zrk/vmo_util.h> (and with it <zrk/handle_util.h> and <zrk/test.h>).
//!
//! Probes. A program that touches an address no mapping allows is killed, so the cases
//! ask the kernel instead: zx_vmo_write(probe, addr, 0, 1) reads one byte at addr the way
//! a user load would, and zx_vmo_read(probe, addr, 0, 1) writes one. Their statuses
//! (the digest's decision 2) say what a load or a store there would meet:
//!   ZX_OK                 the access works (faulting the page in if needed)
//!   ZX_ERR_NOT_FOUND      no mapping covers the address
//!   ZX_ERR_ACCESS_DENIED  a mapping covers it without the needed permission
//!   ZX_ERR_OUT_OF_RANGE   a mapping covers it, but past the end of its VMO (Fuchsia's
//!                         newest kernel; the digest's section 4)
//! probe_write() first copies the byte out and then writes the same byte back, so it
//! changes no data.
//!
//! Leak checks. MAP_TEST(name) is a TEST whose case must give back every frame it took:
//! the kernel's VMO memory (ZX_INFO_KMEM_STATS vmo_bytes) must be what it was before the
//! case, and so must free memory (free_bytes plus the kernel heap, as vmo_util.h's
//! free_bytes() counts it: page tables a mapping needed are freed when
//! unmapping leaves them empty, so mmu_overhead_bytes comes back too). Before the first
//! case it faults in every writable page of the program's image and stack, so a case's
//! first touch of its own static data or stack is never counted against it.
#ifndef ZRK_VMAR_UTIL_H_
#define ZRK_VMAR_UTIL_H_

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
#include <zrk/bad_ptr.h>
#include <zrk/handle_util.h>
#include <zrk/startup.h>
#include <zrk/test.h>
#include <zrk/vmo_util.h>

// --- Shorthands -------------------------------------------------------------------------

#define PERM_R ZX_VM_PERM_READ
#define PERM_RW (ZX_VM_PERM_READ | ZX_VM_PERM_WRITE)
#define PERM_RX (ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE)
#define PERM_RWX (ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE)
#define CAN_RW (ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE)
#define CAN_RWX (ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_EXECUTE)
#define CAN_RW_SPECIFIC (CAN_RW | ZX_VM_CAN_MAP_SPECIFIC)

#define GIB (1ull << 30)

// Bit i of a page mask stands for page i.
#define PAGES_MASK(n) ((uint64_t)((n) >= 64 ? ~0ull : ((1ull << (n)) - 1)))

// --- Readers ------------------------------------------------------------------------------

// The VMAR's ZX_INFO_VMAR record (all zeros if the call failed, reported).
static inline zx_info_vmar_t vmar_info(zx_handle_t vmar) {
  zx_info_vmar_t info;
  memset(&info, 0, sizeof info);
  zx_status_t status = zx_object_get_info(vmar, ZX_INFO_VMAR, &info, sizeof info, NULL, NULL);
  if (status != ZX_OK) {
    printf("# ZX_INFO_VMAR failed: %s\n", zx_status_get_string(status));
  }
  return info;
}
static inline zx_info_vmar_t root_info(void) { return vmar_info(zx_vmar_root_self()); }

// How many mappings the VMO has (ZX_INFO_VMO num_mappings).
static inline uint64_t num_mappings(zx_handle_t vmo) { return vmo_info(vmo).num_mappings; }

static inline volatile uint32_t* u32_at(uintptr_t addr) { return (volatile uint32_t*)addr; }
static inline volatile uint8_t* u8_at(uintptr_t addr) { return (volatile uint8_t*)addr; }

// --- Sub-VMARs and mappings -------------------------------------------------------------

// A sub-VMAR of the root VMAR, `pages` pages long, that can hold readable, writable and
// SPECIFIC mappings; its base goes to *base. ZX_HANDLE_INVALID if that failed
// (reported). A test gets exact, known addresses by working inside one.
static inline zx_handle_t sandbox_with(zx_vm_option_t options, size_t pages, zx_vaddr_t* base) {
  zx_handle_t vmar = ZX_HANDLE_INVALID;
  zx_vaddr_t addr = 0;
  zx_status_t status =
      zx_vmar_allocate(zx_vmar_root_self(), options, 0, pages * PAGE, &vmar, &addr);
  if (status != ZX_OK) {
    printf("# vmar_allocate(%#x, %zu pages) failed: %s\n", options, pages,
           zx_status_get_string(status));
    vmar = ZX_HANDLE_INVALID;
  }
  if (base != NULL) {
    *base = addr;
  }
  return vmar;
}
static inline zx_handle_t sandbox(size_t pages, zx_vaddr_t* base) {
  return sandbox_with(CAN_RW_SPECIFIC, pages, base);
}

// A sandbox of `size` bytes (a power of two) whose base is a multiple of its size, for
// the alignment options: the first free such slot of the root VMAR, placed with
// ZX_VM_SPECIFIC.
static inline zx_handle_t aligned_sandbox(uint64_t size, zx_vaddr_t* base) {
  zx_info_vmar_t root = root_info();
  uint64_t end = root.base + root.len;
  for (uint64_t start = (root.base + size - 1) & ~(size - 1);
       start >= root.base && start < end && end - start >= size; start += size) {
    zx_handle_t vmar = ZX_HANDLE_INVALID;
    zx_vaddr_t addr = 0;
    if (zx_vmar_allocate(zx_vmar_root_self(), CAN_RW_SPECIFIC | ZX_VM_SPECIFIC,
                         start - root.base, size, &vmar, &addr) == ZX_OK) {
      *base = addr;
      return vmar;
    }
  }
  printf("# no %#" PRIx64 "-aligned slot of that size in the root VMAR\n", size);
  *base = 0;
  return ZX_HANDLE_INVALID;
}

// Destroys the VMAR (unmapping all in it) and closes the handle.
static inline void drop_vmar(zx_handle_t vmar) {
  if (vmar == ZX_HANDLE_INVALID) {
    return;
  }
  EXPECT_OK(zx_vmar_destroy(vmar));
  EXPECT_OK(zx_handle_close(vmar));
}

// zx_vmar_map, returning the address, or 0 if it failed (reported).
static inline uintptr_t map_vmo(zx_handle_t vmar, zx_vm_option_t options, size_t vmar_offset,
                                zx_handle_t vmo, uint64_t vmo_offset, size_t len) {
  zx_vaddr_t addr = 0;
  zx_status_t status = zx_vmar_map(vmar, options, vmar_offset, vmo, vmo_offset, len, &addr);
  if (status != ZX_OK) {
    printf("# vmar_map(options %#x, vmar offset %#zx, vmo offset %#" PRIx64
           ", len %#zx) failed: %s\n",
           options, vmar_offset, vmo_offset, len, zx_status_get_string(status));
    return 0;
  }
  return addr;
}
// A non-SPECIFIC mapping in the root VMAR.
static inline uintptr_t map_root(zx_vm_option_t options, zx_handle_t vmo, uint64_t vmo_offset,
                                 size_t len) {
  return map_vmo(zx_vmar_root_self(), options, 0, vmo, vmo_offset, len);
}
static inline void unmap_root(uintptr_t addr, size_t len) {
  if (addr != 0) {
    EXPECT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, len));
  }
}

// A new VMO of `pages` pages (options as zx_vmo_create's), ZX_HANDLE_INVALID on failure.
static inline zx_handle_t new_vmo(uint64_t pages, uint32_t options) {
  zx_handle_t vmo = ZX_HANDLE_INVALID;
  zx_status_t status = zx_vmo_create(pages * PAGE, options, &vmo);
  if (status != ZX_OK) {
    printf("# vmo_create(%" PRIu64 " pages) failed: %s\n", pages, zx_status_get_string(status));
    return ZX_HANDLE_INVALID;
  }
  return vmo;
}

// --- Probes -------------------------------------------------------------------------------

// One committed page the probes copy through; made by map_test_setup() (or on first use).
static inline zx_handle_t probe_vmo(void) {
  static zx_handle_t vmo = ZX_HANDLE_INVALID;
  if (vmo == ZX_HANDLE_INVALID) {
    if (zx_vmo_create(PAGE, 0, &vmo) != ZX_OK) {
      printf("# cannot create the probe VMO\n");
      return ZX_HANDLE_INVALID;
    }
    uint8_t byte = 0;
    zx_vmo_write(vmo, &byte, 0, 1);  // commit its page now, not during a case
  }
  return vmo;
}

// What a one-byte load at addr meets (see the top of this file).
static inline zx_status_t probe_read(uintptr_t addr) {
  return zx_vmo_write(probe_vmo(), (const void*)addr, 0, 1);
}

// What a one-byte store at addr meets; the byte there is left as it was.
static inline zx_status_t probe_write(uintptr_t addr) {
  zx_status_t status = zx_vmo_write(probe_vmo(), (const void*)addr, 0, 1);
  if (status != ZX_OK) {
    return status;
  }
  return zx_vmo_read(probe_vmo(), (void*)addr, 0, 1);
}

// Bit i set if a mapping covers page i from base (the probe did not say NOT_FOUND).
static inline uint64_t mapped_pages(uintptr_t base, size_t pages) {
  uint64_t mask = 0;
  for (size_t i = 0; i < pages && i < 64; i++) {
    if (probe_read(base + i * PAGE) != ZX_ERR_NOT_FOUND) {
      mask |= 1ull << i;
    }
  }
  return mask;
}
// Bit i set if page i from base can be read.
static inline uint64_t readable_pages(uintptr_t base, size_t pages) {
  uint64_t mask = 0;
  for (size_t i = 0; i < pages && i < 64; i++) {
    if (probe_read(base + i * PAGE) == ZX_OK) {
      mask |= 1ull << i;
    }
  }
  return mask;
}
// Bit i set if page i from base can be written.
static inline uint64_t writable_pages(uintptr_t base, size_t pages) {
  uint64_t mask = 0;
  for (size_t i = 0; i < pages && i < 64; i++) {
    if (probe_write(base + i * PAGE) == ZX_OK) {
      mask |= 1ull << i;
    }
  }
  return mask;
}

// --- Hostile out-pointers ------------------------------------------------------------------

// Out-pointers a syscall must not write through, each ZX_ERR_INVALID_ARGS (digest
// decision 7): those of <zrk/bad_ptr.h> that stay unmapped whatever the kernel maps
// (NULL, kernel half, non-canonical, below the user base, across the top of user
// space), `hole` (an address in a VMAR hole: the caller keeps it unmapped), the
// program's read-only data, and, if non-zero, `readonly_mapping` (a read-only mapping).
// `out` needs ZRK_BAD_PTR_MAX entries; returns how many it wrote.
static inline size_t bad_out_ptrs(zrk_bad_ptr_t* out, uintptr_t hole, uintptr_t readonly_mapping) {
  size_t n = 0;
  out[n++] = (zrk_bad_ptr_t){"null", NULL};
  out[n++] = (zrk_bad_ptr_t){"kernel", (void*)(uintptr_t)0xffff000000000000};
  out[n++] = (zrk_bad_ptr_t){"non-canonical", (void*)(uintptr_t)0x0001000000000000};
  out[n++] = (zrk_bad_ptr_t){"below-base", (void*)(uintptr_t)0x1000};
  out[n++] = (zrk_bad_ptr_t){"straddles-top", (void*)(ZRK_USER_TOP - 4)};
  out[n++] = (zrk_bad_ptr_t){"rodata", zrk_readonly_ptr()};
  if (hole != 0) {
    out[n++] = (zrk_bad_ptr_t){"vmar-hole", (void*)hole};
  }
  if (readonly_mapping != 0) {
    out[n++] = (zrk_bad_ptr_t){"read-only-mapping", (void*)readonly_mapping};
  }
  return n;
}

// --- Leak-checked cases -------------------------------------------------------------------

// Faults in every page of the image and the stack that can be written (probe_write
// leaves the bytes as they were), and makes the probe VMO. Runs once.
static inline void map_test_setup(void) {
  static bool done = false;
  if (done) {
    return;
  }
  done = true;
  probe_vmo();
  for (uintptr_t p = (uintptr_t)__zrk_image_start; p < (uintptr_t)__zrk_image_end; p += PAGE) {
    (void)probe_write(p);
  }
  const zrk_startup_t* s = zrk_startup();
  uintptr_t here = (uintptr_t)__builtin_frame_address(0) & ~(uintptr_t)(PAGE - 1);
  for (uintptr_t p = (uintptr_t)s->stack_base; p < here; p += PAGE) {
    (void)probe_write(p);
  }
}

#define MAP_TEST(name)                                                                     \
  static void name##_body(void);                                                           \
  TEST(name) {                                                                             \
    map_test_setup();                                                                      \
    zx_info_kmem_stats_t before_ = kmem();                                                 \
    name##_body();                                                                         \
    zx_info_kmem_stats_t after_ = kmem();                                                  \
    TEST_CONTEXT("leak check: the kernel's VMO bytes after the case, and before");         \
    EXPECT_EQ(after_.vmo_bytes, before_.vmo_bytes);                                        \
    TEST_CONTEXT("leak check: free bytes after the case, and before");                     \
    EXPECT_EQ(after_.free_bytes + after_.total_heap_bytes,                                 \
              before_.free_bytes + before_.total_heap_bytes);                              \
    TEST_CONTEXT("leak check: page-table bytes after the case, and before");               \
    EXPECT_EQ(after_.mmu_overhead_bytes, before_.mmu_overhead_bytes);                      \
  }                                                                                        \
  static void name##_body(void)

#endif  // ZRK_VMAR_UTIL_H_
