// zx_process_write_memory with the debugging syscalls enabled (the kernel option
// `debugging_syscalls`; off by default, see process_memory.c): it writes the VMO under
// the mapping, whatever the mapping's permissions, as a debugger setting a breakpoint
// does; errors in Zircon's order.
// zrk-test: append debugging_syscalls
#include <string.h>

#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zrk/child_process.h>
#include <zrk/handle_util.h>
#include <zrk/test.h>

TEST(write_memory_writes_the_mapped_vmo) {
  zrk_child_t c;
  ASSERT_OK(zrk_child_create(zx_job_default(), "target", ZRK_CHILD_EXIT_ARG2,
                             ZRK_CHILD_LEN(ZRK_CHILD_EXIT_ARG2), &c));
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(2 * 4096, 0, &vmo));
  uintptr_t at;
  ASSERT_OK(zrk_child_map(&c, ZX_VM_PERM_READ, 0, vmo, 2 * 4096, &at));
  const char text[] = "written by the parent";
  size_t actual = 0;
  ASSERT_OK(zx_process_write_memory(c.process, at + 4096 - 3, text, sizeof text, &actual));
  EXPECT_EQ(actual, sizeof text);
  char back[sizeof text] = {0};
  ASSERT_OK(zx_vmo_read(vmo, back, 4096 - 3, sizeof text));
  EXPECT_EQ(strcmp(back, text), 0);
  // Clipped at the mapping's end.
  ASSERT_OK(zx_process_write_memory(c.process, at + 2 * 4096 - 4, text, sizeof text, &actual));
  EXPECT_EQ(actual, 4u);
  // Errors: buffer and size, then the handle (WRITE is enough), then the address.
  EXPECT_STATUS(zx_process_write_memory(stale_handle(), at, NULL, 8, &actual),
                ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_process_write_memory(stale_handle(), at, text, 0, &actual),
                ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_process_write_memory(stale_handle(), at, text, 8, &actual),
                ZX_ERR_BAD_HANDLE);
  zx_handle_t write_only = dup_with(c.process, ZX_RIGHT_WRITE);
  EXPECT_OK(zx_process_write_memory(write_only, at, text, 8, &actual));
  zx_handle_close(write_only);
  zx_handle_t read_only = dup_with(c.process, ZX_RIGHT_READ);
  EXPECT_STATUS(zx_process_write_memory(read_only, at, text, 8, &actual), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(read_only);
  EXPECT_STATUS(zx_process_write_memory(c.process, 0x1000, text, 8, &actual), ZX_ERR_NOT_FOUND);
  EXPECT_STATUS(zx_process_write_memory(c.process, at, (const void*)0x1000, 8, &actual),
                ZX_ERR_INVALID_ARGS);

  // Patch the child's code before it runs: "exit with arg2" becomes "exit with 77".
  const uint32_t patch[] = {ZRK_A64_MOVZ(0, 77)};
  ASSERT_OK(zx_process_write_memory(c.process, c.code, patch, sizeof patch, &actual));
  ASSERT_OK(zrk_child_start(&c, ZX_HANDLE_INVALID, 5));
  EXPECT_EQ(zrk_child_wait(&c), 77);
  EXPECT_STATUS(zx_process_write_memory(c.process, at, text, 8, &actual), ZX_ERR_BAD_STATE);
  zx_handle_close(vmo);
  zrk_child_close(&c);
}

int main(void) { return run_tests(); }
