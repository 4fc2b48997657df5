//! Handle helpers shared by the test programs (userspace/tests/*.c): whether a handle is
//! live, its ZX_INFO_HANDLE_BASIC record and rights, duplicates with given rights, and a
//! stale handle value. Each program is built on its own, so everything here is a static
//! inline function.
#ifndef ZRK_HANDLE_UTIL_H_
#define ZRK_HANDLE_UTIL_H_

#include <stdbool.h>
#include <string.h>

#include <zircon/process.h>
#include <zircon/rights.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zircon/types.h>

// True if `handle` is a live handle of this process (ZX_INFO_HANDLE_VALID).
static inline bool is_valid(zx_handle_t handle) {
  return zx_object_get_info(handle, ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL) == ZX_OK;
}

// The handle's ZX_INFO_HANDLE_BASIC record (all zeros if the call fails).
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

// A thread handle with exactly `rights`, made by duplicating the start-up one.
static inline zx_handle_t thread_with(zx_rights_t rights) {
  return dup_with(zx_thread_self(), rights);
}

// A handle value that was valid once and is closed now.
static inline zx_handle_t stale_handle(void) {
  zx_handle_t h = thread_with(ZX_RIGHT_SAME_RIGHTS);
  zx_handle_close(h);
  return h;
}

#endif  // ZRK_HANDLE_UTIL_H_
