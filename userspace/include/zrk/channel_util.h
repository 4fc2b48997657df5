// Helpers shared by the channel tests (userspace/tests/channel_*.c): an object's signals
// now, its handle count, the kernel-wide object counts and free heap bytes (for leak
// checks), and a one-call write/read of a small message.
#ifndef ZRK_CHANNEL_UTIL_H_
#define ZRK_CHANNEL_UTIL_H_

#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zircon/zrk-startup.h>
#include <zrk/startup.h>

// The object's signals now (a wait that never matches, with a deadline already past).
static inline zx_signals_t now_signals(zx_handle_t h) {
  zx_signals_t s = 0;
  zx_object_wait_one(h, 0, ZX_TIME_INFINITE_PAST, &s);
  return s;
}

// ZX_INFO_HANDLE_COUNT (0 if the call fails).
static inline uint32_t handle_count(zx_handle_t h) {
  zx_info_handle_count_t info = {0};
  zx_object_get_info(h, ZX_INFO_HANDLE_COUNT, &info, sizeof info, NULL, NULL);
  return info.handle_count;
}

// ZRK_INFO_KERNEL_OBJECTS (all zeros if the call fails).
static inline zrk_info_kernel_objects_t kernel_objects(void) {
  zrk_info_kernel_objects_t c = {0};
  zx_object_get_info(zrk_startup()->info_resource, ZRK_INFO_KERNEL_OBJECTS, &c, sizeof c, NULL,
                     NULL);
  return c;
}

// ZX_INFO_KMEM_STATS (all zeros if the call fails).
static inline zx_info_kmem_stats_t kmem_stats(void) {
  zx_info_kmem_stats_t s = {0};
  zx_object_get_info(zrk_startup()->info_resource, ZX_INFO_KMEM_STATS, &s, sizeof s, NULL, NULL);
  return s;
}

// Writes `value` as a 4-byte message.
static inline zx_status_t write_u32(zx_handle_t ch, uint32_t value) {
  return zx_channel_write(ch, 0, &value, sizeof value, NULL, 0);
}

// Reads a 4-byte message into *value.
static inline zx_status_t read_u32(zx_handle_t ch, uint32_t* value) {
  uint32_t actual = 0;
  zx_status_t s = zx_channel_read(ch, 0, value, NULL, sizeof *value, 0, &actual, NULL);
  if (s == ZX_OK && actual != sizeof *value) return ZX_ERR_INTERNAL;
  return s;
}

#endif  // ZRK_CHANNEL_UTIL_H_
