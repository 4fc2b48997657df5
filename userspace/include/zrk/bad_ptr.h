// Hostile user pointers for tests: every pointer argument of every syscall is tried
// with each of these, and each must get its documented error (for the calls of issue
// 3, ZX_ERR_INVALID_ARGS: digest decision 7) while the kernel carries on.
//
//   zrk_bad_ptr_t bad[ZRK_BAD_PTR_MAX];
//   size_t n = zrk_bad_ptrs(bad, sizeof(zx_handle_t));
//   for (size_t i = 0; i < n; i++) {
//     TEST_CONTEXT("out = %s", bad[i].name);
//     EXPECT_STATUS(zx_handle_duplicate(h, ZX_RIGHT_SAME_RIGHTS, bad[i].ptr), ...);
//   }
//
// The kinds, for a buffer of `len` bytes:
//   null            NULL
//   kernel          0xffff000000000000, the first kernel-half address
//   non-canonical   0x0001000000000000, between the halves
//   below-base      0x1000, under the 2 MiB user base (never mapped)
//   unmapped        a page-aligned user address no mapping covers
//   straddles-top   len/2 bytes below 2^48: runs past the end of the user address space
//   runs-off-image  the last len/2 bytes of the image's last page, whose next page is
//                   unmapped (only when the kernel put nothing right after the image)
// A read-only but mapped page (for out-pointers) is zrk_readonly_ptr().
#ifndef ZRK_BAD_PTR_H_
#define ZRK_BAD_PTR_H_

#include <stddef.h>
#include <stdint.h>

#include <zrk/startup.h>

#define ZRK_BAD_PTR_MAX 10  // room for the kinds below plus a caller's own
#define ZRK_PAGE_SIZE ((uintptr_t)4096)
#define ZRK_USER_TOP ((uintptr_t)1 << 48)

typedef struct zrk_bad_ptr {
  const char* name;
  void* ptr;
} zrk_bad_ptr_t;

// linker/user.ld: first and one-past-last byte of the loaded image (page-aligned end).
extern char __zrk_image_start[], __zrk_image_end[];

// True if [addr, addr + len) touches the image, the stack or the start-up page.
static inline int zrk_range_is_known_mapped(uintptr_t addr, size_t len) {
  const zrk_startup_t* s = zrk_startup();
  uintptr_t end = addr + len;
  uintptr_t block_page = (uintptr_t)s & ~(ZRK_PAGE_SIZE - 1);
  struct {
    uintptr_t start, end;
  } known[] = {
      {(uintptr_t)__zrk_image_start, (uintptr_t)__zrk_image_end},
      {(uintptr_t)s->stack_base, (uintptr_t)(s->stack_base + s->stack_size)},
      {block_page, block_page + ZRK_PAGE_SIZE},
  };
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
    if (addr < known[i].end && known[i].start < end) {
      return 1;
    }
  }
  return 0;
}

// A page-aligned user address (above the 2 MiB base) with nothing mapped there.
static inline uintptr_t zrk_unmapped_user_addr(void) {
  static const uintptr_t candidates[] = {0x10000000, 0x40000000, 0x1000000000, 0x7f0000000000};
  for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
    if (!zrk_range_is_known_mapped(candidates[i], ZRK_PAGE_SIZE)) {
      return candidates[i];
    }
  }
  return 0x20000000000;  // not reached: the program cannot cover all of those
}

// The address just past the image if the page there is unmapped, else 0.
static inline uintptr_t zrk_image_end_if_unmapped_after(void) {
  uintptr_t end = (uintptr_t)__zrk_image_end;
  if ((end & (ZRK_PAGE_SIZE - 1)) != 0 || zrk_range_is_known_mapped(end, ZRK_PAGE_SIZE)) {
    return 0;
  }
  return end;
}

// Fills `out` (ZRK_BAD_PTR_MAX entries) with hostile pointers for a `len`-byte buffer
// and returns how many it wrote.
static inline size_t zrk_bad_ptrs(zrk_bad_ptr_t* out, size_t len) {
  size_t n = 0;
  out[n++] = (zrk_bad_ptr_t){"null", NULL};
  out[n++] = (zrk_bad_ptr_t){"kernel", (void*)(uintptr_t)0xffff000000000000};
  out[n++] = (zrk_bad_ptr_t){"non-canonical", (void*)(uintptr_t)0x0001000000000000};
  out[n++] = (zrk_bad_ptr_t){"below-base", (void*)(uintptr_t)0x1000};
  out[n++] = (zrk_bad_ptr_t){"unmapped", (void*)zrk_unmapped_user_addr()};
  if (len >= 2) {
    out[n++] = (zrk_bad_ptr_t){"straddles-top", (void*)(ZRK_USER_TOP - len / 2)};
    uintptr_t end = zrk_image_end_if_unmapped_after();
    if (end != 0) {
      out[n++] = (zrk_bad_ptr_t){"runs-off-image", (void*)(end - len / 2)};
    }
  }
  return n;
}

// A mapped, read-only address with room for `len` <= 4096 bytes (the program's
// rodata), for out-pointers: the kernel must not write through it.
static inline void* zrk_readonly_ptr(void) {
  static const char readonly_page[4096] __attribute__((aligned(4096))) = {1};
  return (void*)(uintptr_t)readonly_page;
}

#endif  // ZRK_BAD_PTR_H_
