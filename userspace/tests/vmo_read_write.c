// zx_vmo_read and zx_vmo_write, as their pages document them and in the order Zircon
// checks (the digest's sections 3.2 and 4, and our decision 2): the handle
// (BAD_HANDLE, then WRONG_TYPE before ACCESS_DENIED), offset + length overflow
// (OUT_OF_RANGE), the cache policy (vmo_cache.c), the range against the page-rounded
// size (OUT_OF_RANGE), then a zero length succeeds without looking at the buffer.
// Only then the buffer: NULL or a range not entirely inside the user address space
// (kernel half, non-canonical, below the 2 MiB base, wrapping) is INVALID_ARGS, a user
// address no mapping covers is NOT_FOUND, and a mapping without the needed permission
// (reading into the program's .rodata or .text) is ACCESS_DENIED. Pages copied before
// the one that faulted stay copied. Reads and writes that straddle pages round-trip
// byte for byte.
//
// CamelCase cases are Fuchsia's cases of the same name (VmoTestCase in
// zircon/system/utest/core/vmo/vmo.cc); snake_case cases are ours.
#include <zircon/process.h>
#include <zircon/rights.h>
#include <zircon/syscalls/object.h>
#include <zrk/bad_ptr.h>
#include <zrk/startup.h>
#include <zrk/test.h>
#include <zrk/vmo_util.h>

int main(void);

static uint8_t big_a[1 << 20], big_b[1 << 20];

// Fuchsia's ReadWrite without its mapping half (that needs VMARs): a new VMO reads all
// zeros; what is written reads back.
VMO_TEST(ReadWrite) {
  const size_t len = 4 * PAGE;
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(len, 0, &vmo));
  memset(big_a, 0x5a, len);
  EXPECT_OK(zx_vmo_read(vmo, big_a, 0, len));
  EXPECT_TRUE(all_bytes(big_a, len, 0));
  memset(big_a, 0x99, len);
  EXPECT_OK(zx_vmo_write(vmo, big_a, 0, len));
  memset(big_b, 0, len);
  EXPECT_OK(zx_vmo_read(vmo, big_b, 0, len));
  EXPECT_TRUE(all_bytes(big_b, len, 0x99));
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(ReadWriteBadLen) {
  const size_t len = 4 * PAGE;
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(len, 0, &vmo));
  for (size_t i = 1; i <= 2; i++) {
    TEST_CONTEXT("length SIZE_MAX - page/%zu", i);
    EXPECT_STATUS(zx_vmo_read(vmo, big_a, 0, SIZE_MAX - PAGE / i), ZX_ERR_OUT_OF_RANGE);
    EXPECT_STATUS(zx_vmo_write(vmo, big_a, 0, SIZE_MAX - PAGE / i), ZX_ERR_OUT_OF_RANGE);
  }
  TEST_CONTEXT("whole VMO");
  EXPECT_OK(zx_vmo_read(vmo, big_a, 0, len));
  EXPECT_OK(zx_vmo_write(vmo, big_a, 0, len));
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(ReadWriteRange) {
  const size_t len = 4 * PAGE;
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(len, 0, &vmo));
  // Past the end: no short transfer.
  EXPECT_STATUS(zx_vmo_read(vmo, big_a, 0, len * 2), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(zx_vmo_write(vmo, big_a, 0, len * 2), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(zx_vmo_read(vmo, big_a, 1, len), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(zx_vmo_write(vmo, big_a, len - 1, 2), ZX_ERR_OUT_OF_RANGE);
  // Zero bytes at the end are fine; zero bytes past it are not.
  EXPECT_OK(zx_vmo_read(vmo, big_a, len, 0));
  EXPECT_OK(zx_vmo_write(vmo, big_a, len, 0));
  EXPECT_STATUS(zx_vmo_read(vmo, big_a, len + 1, 0), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(zx_vmo_write(vmo, big_a, len + 1, 0), ZX_ERR_OUT_OF_RANGE);
  // offset + length wrapping around.
  EXPECT_STATUS(zx_vmo_read(vmo, big_a, UINT64_MAX - len / 2, len), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(zx_vmo_write(vmo, big_a, UINT64_MAX - len / 2, len), ZX_ERR_OUT_OF_RANGE);
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(offsets_near_uint64_max) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &vmo));
  uint8_t b[8] = {0};
  struct {
    uint64_t offset;
    size_t len;
  } cases[] = {
      {UINT64_MAX, 1},      {UINT64_MAX, 0},         {UINT64_MAX - 1, 2},
      {UINT64_MAX - 3, 8},  {UINT64_MAX - PAGE, 1},  {UINT64_MAX - 2 * PAGE + 1, 2 * PAGE},
      {1ull << 63, 1},      {2 * PAGE - 1, SIZE_MAX}, {2 * PAGE, SIZE_MAX},
      {1, SIZE_MAX},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    TEST_CONTEXT("offset %#" PRIx64 ", length %#zx", cases[i].offset, cases[i].len);
    EXPECT_STATUS(zx_vmo_read(vmo, b, cases[i].offset, cases[i].len), ZX_ERR_OUT_OF_RANGE);
    EXPECT_STATUS(zx_vmo_write(vmo, b, cases[i].offset, cases[i].len), ZX_ERR_OUT_OF_RANGE);
  }
  EXPECT_EQ(committed(vmo), 0);
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(round_trips_straddling_page_boundaries) {
  const size_t size = 6 * PAGE;
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(size, 0, &vmo));
  // What the VMO should hold, kept alongside.
  static uint8_t shadow[6 * ZX_PAGE_SIZE];
  memset(shadow, 0, sizeof shadow);
  struct {
    uint64_t offset;
    size_t len;
  } cases[] = {
      {0, 1},                    {PAGE - 1, 2},          {PAGE - 7, 14},
      {2 * PAGE - 1, PAGE + 2},  {PAGE + 1, 3 * PAGE},   {3 * PAGE - 4096 / 3, 4096},
      {0, size},                 {size - 1, 1},          {PAGE / 2, 4 * PAGE + 17},
      {5 * PAGE - 1, PAGE + 1},  {3 * PAGE, PAGE},       {123, 2 * PAGE - 246},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    TEST_CONTEXT("write %zu bytes at %#" PRIx64, cases[i].len, cases[i].offset);
    fill_pattern(big_a, cases[i].len, (uint32_t)i + 1);
    ASSERT_OK(zx_vmo_write(vmo, big_a, cases[i].offset, cases[i].len));
    memcpy(shadow + cases[i].offset, big_a, cases[i].len);
    // The same range reads back...
    memset(big_b, 0xee, cases[i].len);
    ASSERT_OK(zx_vmo_read(vmo, big_b, cases[i].offset, cases[i].len));
    EXPECT_EQ(memcmp(big_b, big_a, cases[i].len), 0);
    // ...and so does the whole VMO, neighbours untouched.
    ASSERT_OK(zx_vmo_read(vmo, big_b, 0, size));
    EXPECT_EQ(memcmp(big_b, shadow, size), 0);
  }
  // Reads at odd offsets and lengths of what is there.
  for (uint64_t off = 0; off < size; off += 1001) {
    size_t len = (size_t)((size - off) < 5000 ? (size - off) : 5000);
    TEST_CONTEXT("read %zu bytes at %#" PRIx64, len, off);
    ASSERT_OK(zx_vmo_read(vmo, big_b, off, len));
    EXPECT_EQ(memcmp(big_b, shadow + off, len), 0);
  }
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(a_megabyte_round_trips) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(sizeof big_a + PAGE, 0, &vmo));
  fill_pattern(big_a, sizeof big_a, 77);
  ASSERT_OK(zx_vmo_write(vmo, big_a, 100, sizeof big_a));
  memset(big_b, 0, sizeof big_b);
  ASSERT_OK(zx_vmo_read(vmo, big_b, 100, sizeof big_b));
  EXPECT_EQ(memcmp(big_a, big_b, sizeof big_a), 0);
  // 100 bytes of head and the tail stayed zero.
  uint8_t edge[100];
  ASSERT_OK(zx_vmo_read(vmo, edge, 0, sizeof edge));
  EXPECT_TRUE(all_bytes(edge, sizeof edge, 0));
  ASSERT_OK(zx_vmo_read(vmo, edge, sizeof big_a + 100, sizeof edge));
  EXPECT_TRUE(all_bytes(edge, sizeof edge, 0));
  EXPECT_EQ(committed(vmo), sizeof big_a + PAGE);
  EXPECT_OK(zx_handle_close(vmo));
}

// The range is checked against the page-rounded size, not the content size: the bytes
// after the content size in the last page can be read and written.
VMO_TEST(the_whole_last_page_is_in_range) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(100, 0, &vmo));
  EXPECT_OK(write_u32(vmo, PAGE - 4, 0x12345678));
  EXPECT_EQ(read_u32(vmo, PAGE - 4), 0x12345678);
  EXPECT_STATUS(write_u32(vmo, PAGE - 3, 1), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(zx_vmo_read(vmo, big_a, PAGE, 1), ZX_ERR_OUT_OF_RANGE);
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(zero_length_io_never_touches_the_buffer) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &vmo));
  void* buffers[] = {NULL,
                     (void*)(uintptr_t)0xffff000000000000,
                     (void*)(uintptr_t)0x0001000000000000,
                     (void*)(uintptr_t)0x1000,
                     (void*)zrk_unmapped_user_addr(),
                     zrk_readonly_ptr(),
                     (void*)(uintptr_t)UINTPTR_MAX};
  uint64_t offsets[] = {0, 1, PAGE, 2 * PAGE};
  for (size_t i = 0; i < sizeof buffers / sizeof buffers[0]; i++) {
    for (size_t j = 0; j < sizeof offsets / sizeof offsets[0]; j++) {
      TEST_CONTEXT("buffer %p, offset %#" PRIx64, buffers[i], offsets[j]);
      EXPECT_OK(zx_vmo_read(vmo, buffers[i], offsets[j], 0));
      EXPECT_OK(zx_vmo_write(vmo, buffers[i], offsets[j], 0));
    }
    // Zero bytes past the end are still out of range, buffer or not.
    TEST_CONTEXT("buffer %p, offset past the end", buffers[i]);
    EXPECT_STATUS(zx_vmo_read(vmo, buffers[i], 2 * PAGE + 1, 0), ZX_ERR_OUT_OF_RANGE);
    EXPECT_STATUS(zx_vmo_write(vmo, buffers[i], 2 * PAGE + 1, 0), ZX_ERR_OUT_OF_RANGE);
  }
  EXPECT_EQ(committed(vmo), 0);
  EXPECT_EQ(*(const char*)zrk_readonly_ptr(), 1);
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(bad_handles_are_bad_handle) {
  uint8_t b[4];
  zx_handle_t bad[] = {ZX_HANDLE_INVALID, stale_handle(), zx_thread_self() ^ 0x100u,
                       0xfffffffbu};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    TEST_CONTEXT("handle %#x", bad[i]);
    EXPECT_STATUS(zx_vmo_read(bad[i], b, 0, sizeof b), ZX_ERR_BAD_HANDLE);
    EXPECT_STATUS(zx_vmo_write(bad[i], b, 0, sizeof b), ZX_ERR_BAD_HANDLE);
    // Before anything else: the buffer, the range, the length.
    EXPECT_STATUS(zx_vmo_read(bad[i], NULL, UINT64_MAX, 1), ZX_ERR_BAD_HANDLE);
    EXPECT_STATUS(zx_vmo_write(bad[i], NULL, 0, 0), ZX_ERR_BAD_HANDLE);
  }
}

// Fuchsia's Rights ends with a port handle with no rights: vmo_read says WRONG_TYPE, not
// ACCESS_DENIED. We have no ports yet; the other objects a process holds do as well.
VMO_TEST(wrong_type_beats_missing_rights) {
  uint8_t b[4];
  zx_handle_t others[] = {zx_thread_self(), zx_process_self(), zx_vmar_root_self(),
                          zrk_startup()->info_resource};
  for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
    TEST_CONTEXT("object %zu", i);
    zx_handle_t none = dup_with(others[i], ZX_RIGHT_NONE);
    ASSERT_NE(none, ZX_HANDLE_INVALID);
    EXPECT_STATUS(zx_vmo_read(others[i], b, 0, sizeof b), ZX_ERR_WRONG_TYPE);
    EXPECT_STATUS(zx_vmo_write(others[i], b, 0, sizeof b), ZX_ERR_WRONG_TYPE);
    EXPECT_STATUS(zx_vmo_read(none, b, 0, 0), ZX_ERR_WRONG_TYPE);
    EXPECT_STATUS(zx_vmo_write(none, NULL, UINT64_MAX, 1), ZX_ERR_WRONG_TYPE);
    EXPECT_OK(zx_handle_close(none));
  }
}

// From Fuchsia's Rights: zero-length reads and writes through READ-only, WRITE-only and
// no-rights duplicates: the missing right is ACCESS_DENIED even for zero bytes.
VMO_TEST(rights_of_duplicates) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(4 * PAGE, 0, &vmo));
  uint8_t b[4] = {1, 2, 3, 4};
  EXPECT_OK(zx_vmo_read(vmo, b, 0, 0));
  EXPECT_OK(zx_vmo_write(vmo, b, 0, 0));

  zx_handle_t ro = dup_with(vmo, ZX_RIGHT_READ);
  EXPECT_OK(zx_vmo_read(ro, b, 0, 0));
  EXPECT_STATUS(zx_vmo_write(ro, b, 0, 0), ZX_ERR_ACCESS_DENIED);
  EXPECT_OK(zx_vmo_read(ro, b, 0, sizeof b));
  EXPECT_STATUS(zx_vmo_write(ro, b, 0, sizeof b), ZX_ERR_ACCESS_DENIED);

  zx_handle_t wo = dup_with(vmo, ZX_RIGHT_WRITE);
  EXPECT_STATUS(zx_vmo_read(wo, b, 0, 0), ZX_ERR_ACCESS_DENIED);
  EXPECT_OK(zx_vmo_write(wo, b, 0, 0));
  EXPECT_STATUS(zx_vmo_read(wo, b, 0, sizeof b), ZX_ERR_ACCESS_DENIED);
  uint8_t w[4] = {1, 2, 3, 4};
  EXPECT_OK(zx_vmo_write(wo, w, 0, sizeof w));

  zx_handle_t none = dup_with(vmo, ZX_RIGHT_NONE);
  EXPECT_STATUS(zx_vmo_read(none, b, 0, 0), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_vmo_write(none, b, 0, 0), ZX_ERR_ACCESS_DENIED);

  // What the WRITE-only handle wrote, the others see.
  EXPECT_EQ(read_u32(vmo, 0), 0x04030201);
  EXPECT_EQ(read_u32(ro, 0), 0x04030201);
  zx_handle_t handles[] = {ro, wo, none, vmo};
  EXPECT_OK(zx_handle_close_many(handles, 4));
}

VMO_TEST(checks_come_in_zircon_order) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &vmo));
  zx_handle_t no_read = dup_with(vmo, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_READ);
  zx_handle_t no_write = dup_with(vmo, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_WRITE);
  void* kernel = (void*)(uintptr_t)0xffff000000000000;
  // Rights before overflow, range and buffer.
  EXPECT_STATUS(zx_vmo_read(no_read, kernel, UINT64_MAX, 2), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_vmo_write(no_write, kernel, UINT64_MAX, 2), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_vmo_read(no_read, NULL, 4 * PAGE, 1), ZX_ERR_ACCESS_DENIED);
  // Overflow and range before the buffer.
  EXPECT_STATUS(zx_vmo_read(vmo, NULL, UINT64_MAX, 2), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(zx_vmo_write(vmo, kernel, UINT64_MAX, 2), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(zx_vmo_read(vmo, NULL, 2 * PAGE, 1), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(zx_vmo_write(vmo, (void*)zrk_unmapped_user_addr(), PAGE, PAGE + 1),
                ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(zx_vmo_read(vmo, zrk_readonly_ptr(), PAGE + 1, PAGE), ZX_ERR_OUT_OF_RANGE);
  // The zero-length exit before the buffer.
  EXPECT_OK(zx_vmo_read(vmo, kernel, PAGE, 0));
  // Then the buffer.
  EXPECT_STATUS(zx_vmo_read(vmo, NULL, 0, 1), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_vmo_write(vmo, NULL, 0, 1), ZX_ERR_INVALID_ARGS);
  zx_handle_t handles[] = {no_read, no_write, vmo};
  EXPECT_OK(zx_handle_close_many(handles, 3));
}

// Digest decision 2: NULL, or a range not entirely inside the user address space.
VMO_TEST(null_and_non_user_buffers_are_invalid_args) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &vmo));
  ASSERT_OK(write_u32(vmo, 0, 0x11223344));
  struct {
    const char* name;
    uintptr_t addr;
    size_t len;
  } bad[] = {
      {"null", 0, 16},
      {"null, a page", 0, PAGE},
      {"kernel half", 0xffff000000000000, 16},
      {"kernel half, top", UINTPTR_MAX - 15, 16},
      {"non-canonical", 0x0001000000000000, 16},
      {"below the 2 MiB base", 0x1000, 16},
      {"just below the base", 0x200000 - 8, 8},
      {"straddles the top of user space", ((uintptr_t)1 << 48) - 8, 16},
      {"wraps around", UINTPTR_MAX - 7, 16},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    TEST_CONTEXT("buffer %s (%#zx, %zu bytes)", bad[i].name, bad[i].addr, bad[i].len);
    EXPECT_STATUS(zx_vmo_read(vmo, (void*)bad[i].addr, 0, bad[i].len), ZX_ERR_INVALID_ARGS);
    EXPECT_STATUS(zx_vmo_write(vmo, (const void*)bad[i].addr, 0, bad[i].len),
                  ZX_ERR_INVALID_ARGS);
  }
  // Nothing was written.
  EXPECT_EQ(read_u32(vmo, 0), 0x11223344);
  EXPECT_OK(zx_handle_close(vmo));
}

// A user address no mapping covers is NOT_FOUND (0x10000000: nothing maps it).
VMO_TEST(unmapped_buffers_are_not_found) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &vmo));
  ASSERT_OK(write_u32(vmo, 0, 0x11223344));
  uintptr_t unmapped[] = {0x10000000, zrk_unmapped_user_addr(), 0x7f0000000000,
                          0x10000000 + PAGE - 2};
  for (size_t i = 0; i < sizeof unmapped / sizeof unmapped[0]; i++) {
    if (zrk_range_is_known_mapped(unmapped[i], 2 * PAGE)) {
      continue;
    }
    TEST_CONTEXT("buffer %#zx", unmapped[i]);
    EXPECT_STATUS(zx_vmo_read(vmo, (void*)unmapped[i], 0, 16), ZX_ERR_NOT_FOUND);
    EXPECT_STATUS(zx_vmo_write(vmo, (const void*)unmapped[i], 0, 16), ZX_ERR_NOT_FOUND);
    EXPECT_STATUS(zx_vmo_read(vmo, (void*)unmapped[i], 1, PAGE), ZX_ERR_NOT_FOUND);
  }
  EXPECT_EQ(read_u32(vmo, 0), 0x11223344);
  EXPECT_OK(zx_handle_close(vmo));
}

// A mapping without the needed permission is ACCESS_DENIED: vmo_read needs to write the
// buffer, and the program's .rodata and .text are mapped without write.
VMO_TEST(reading_into_read_only_memory_is_access_denied) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &vmo));
  ASSERT_OK(write_u32(vmo, 0, 0x11223344));
  EXPECT_STATUS(zx_vmo_read(vmo, zrk_readonly_ptr(), 0, 16), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_vmo_read(vmo, zrk_readonly_ptr(), 0, PAGE), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_vmo_read(vmo, (void*)(uintptr_t)&main, 0, 16), ZX_ERR_ACCESS_DENIED);
  // Neither was written.
  EXPECT_EQ(*(const char*)zrk_readonly_ptr(), 1);
  EXPECT_TRUE(all_bytes((const char*)zrk_readonly_ptr() + 1, PAGE - 1, 0));
  EXPECT_OK(zx_handle_close(vmo));
}

// vmo_write only reads the buffer: read-only and executable memory are fine sources.
VMO_TEST(writing_from_read_only_memory_works) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &vmo));
  EXPECT_OK(zx_vmo_write(vmo, zrk_readonly_ptr(), 0, PAGE));
  EXPECT_EQ(read_u32(vmo, 0), 1);
  EXPECT_OK(zx_vmo_write(vmo, (const void*)(uintptr_t)&main, PAGE, 16));
  uint8_t code[16];
  EXPECT_OK(zx_vmo_read(vmo, code, PAGE, sizeof code));
  EXPECT_EQ(memcmp(code, (const void*)(uintptr_t)&main, sizeof code), 0);
  EXPECT_OK(zx_handle_close(vmo));
}

// A buffer that runs from the image's last page into the unmapped page after it: the
// VMO page copied before the fault stays copied, then NOT_FOUND.
VMO_TEST(pages_copied_before_a_fault_stay_copied) {
  uintptr_t end = zrk_image_end_if_unmapped_after();
  if (end == 0) {
    printf("# the page after the image is mapped; nothing to run off into\n");
    return;
  }
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &vmo));
  uint8_t* tail = (uint8_t*)(end - 100);  // the last 100 bytes of the image (heap)
  // vmo_write: the VMO's [PAGE - 100, PAGE) comes from the image's last 100 bytes, then
  // the next VMO page's source is unmapped.
  memset(tail, 0x3c, 100);
  EXPECT_STATUS(zx_vmo_write(vmo, tail, PAGE - 100, 200), ZX_ERR_NOT_FOUND);
  uint8_t got[100];
  EXPECT_OK(zx_vmo_read(vmo, got, PAGE - 100, 100));
  EXPECT_TRUE(all_bytes(got, 100, 0x3c));
  // vmo_read: the image's last 100 bytes get the VMO's [PAGE - 100, PAGE), then the
  // destination runs out.
  uint8_t pattern[100];
  memset(pattern, 0xc3, sizeof pattern);
  EXPECT_OK(zx_vmo_write(vmo, pattern, PAGE - 100, 100));
  memset(tail, 0, 100);
  EXPECT_STATUS(zx_vmo_read(vmo, tail, PAGE - 100, 200), ZX_ERR_NOT_FOUND);
  EXPECT_TRUE(all_bytes(tail, 100, 0xc3));
  memset(tail, 0, 100);
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(a_failed_write_changes_nothing) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &vmo));
  ASSERT_OK(write_u32(vmo, 2 * PAGE - 4, 0xabcdef01));
  memset(big_a, 0x77, 2 * PAGE);
  EXPECT_STATUS(zx_vmo_write(vmo, big_a, PAGE, PAGE + 1), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(zx_vmo_write(vmo, big_a, 0, 2 * PAGE + 1), ZX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(read_u32(vmo, 2 * PAGE - 4), 0xabcdef01);
  EXPECT_EQ(read_u32(vmo, PAGE), 0);
  EXPECT_EQ(committed(vmo), PAGE);
  EXPECT_OK(zx_handle_close(vmo));
}

VMO_TEST(writes_show_through_every_handle) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  zx_handle_t dup = dup_with(vmo, ZX_RIGHT_READ | ZX_RIGHT_WRITE);
  EXPECT_OK(write_u32(dup, 8, 5));
  EXPECT_EQ(read_u32(vmo, 8), 5);
  EXPECT_OK(write_u32(vmo, 8, 6));
  EXPECT_EQ(read_u32(dup, 8), 6);
  EXPECT_OK(zx_handle_close(dup));
  EXPECT_OK(zx_handle_close(vmo));
}

int main(void) { return run_tests(); }
