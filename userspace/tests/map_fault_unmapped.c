// A load from an address no mapping covers (a hole in a VMAR) kills the program with a
// translation-fault report; the kernel goes on to the next program.
// zrk-test: expect-killed translation fault, read
#include <zrk/vmar_util.h>

int main(void) {
  plan(2);
  zx_vaddr_t base;
  zx_handle_t vmar = sandbox(4, &base);
  ok(vmar != ZX_HANDLE_INVALID, "an empty sub-VMAR");
  ok(probe_read(base + PAGE) == ZX_ERR_NOT_FOUND, "nothing is mapped in it");
  printf("# loading from %#zx\n", base + PAGE);
  uint32_t value = *u32_at(base + PAGE);
  printf("# the load did not fault (read %u)\n", value);
  return 1;
}
