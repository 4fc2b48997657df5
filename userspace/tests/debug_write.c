// zx_debug_write: writes at most 256 bytes a call to the kernel console; a buffer the
// kernel cannot read is ZX_ERR_INVALID_ARGS (decision 7 of the ABI digest), and the
// kernel carries on. Per Fuchsia's debug.cc the length is clamped to 256 before the
// copy, so bytes past the first 256 are never read.
#include <stdint.h>
#include <string.h>

#include <zrk/bad_ptr.h>
#include <zrk/test.h>

TEST(writes_a_line) {
  static const char line[] = "# zx_debug_write: a line written directly\n";
  EXPECT_OK(zx_debug_write(line, sizeof line - 1));
}

TEST(zero_bytes_from_a_valid_buffer_is_ok) {
  static const char nothing[1] = {0};
  EXPECT_OK(zx_debug_write(nothing, 0));
}

TEST(exactly_256_bytes_is_ok) {
  char buffer[256];
  memset(buffer, '=', sizeof buffer);
  buffer[0] = '#';
  buffer[1] = ' ';
  buffer[255] = '\n';
  EXPECT_OK(zx_debug_write(buffer, sizeof buffer));
}

// A longer buffer is accepted and cut at 256 bytes; the newline after the cut keeps
// the console tidy.
TEST(longer_than_256_bytes_is_clamped_not_refused) {
  char buffer[1000];
  memset(buffer, '-', sizeof buffer);
  buffer[0] = '#';
  buffer[1] = ' ';
  EXPECT_OK(zx_debug_write(buffer, sizeof buffer));
  EXPECT_OK(zx_debug_write("\n", 1));
}

TEST(a_huge_size_is_clamped_too) {
  // Only the first 256 bytes are read.
  static const char note[] = "# a size of SIZE_MAX writes 256 bytes";
  char padded[512];
  memset(padded, ' ', sizeof padded);
  memcpy(padded, note, sizeof note - 1);
  EXPECT_OK(zx_debug_write(padded, SIZE_MAX));
  EXPECT_OK(zx_debug_write("\n", 1));
}

TEST(only_the_first_256_bytes_are_read) {
  uintptr_t end = zrk_image_end_if_unmapped_after();
  if (end == 0) {
    printf("# skipped: the page after the image is mapped\n");
    return;
  }
  // 256 readable bytes (zero-filled heap at the image's end), then unmapped memory.
  char* last = (char*)(end - 256);
  memset(last, ' ', 256);
  last[0] = '#';
  last[255] = '\n';
  EXPECT_OK(zx_debug_write(last, 4096));
}

TEST(hostile_buffers_are_invalid_args) {
  static const size_t sizes[] = {1, 16, 256, 1000};
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
    zrk_bad_ptr_t bad[ZRK_BAD_PTR_MAX];
    // The kernel reads min(size, 256) bytes: that is the range to make hostile.
    size_t read = sizes[s] < 256 ? sizes[s] : 256;
    size_t n = zrk_bad_ptrs(bad, read);
    for (size_t i = 0; i < n; i++) {
      TEST_CONTEXT("buffer = %s, size %zu", bad[i].name, sizes[s]);
      EXPECT_STATUS(zx_debug_write(bad[i].ptr, sizes[s]), ZX_ERR_INVALID_ARGS);
    }
  }
}

TEST(the_kernel_carries_on_after_bad_buffers) {
  static const char line[] = "# still writing after hostile buffers\n";
  EXPECT_OK(zx_debug_write(line, sizeof line - 1));
}

int main(void) { return run_tests(); }
