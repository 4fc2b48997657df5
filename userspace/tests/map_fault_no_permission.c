// A mapping read (so in the page tables), then protected to no access at all: the next
// load kills the program.
// zrk-test: expect-killed fault, read
#include <zrk/vmar_util.h>

int main(void) {
  plan(2);
  zx_handle_t vmo = new_vmo(1, 0);
  uintptr_t addr = map_root(PERM_R, vmo, 0, PAGE);
  ok(addr != 0 && *u32_at(addr) == 0, "mapping, read");
  ok(zx_vmar_protect(zx_vmar_root_self(), 0, addr, PAGE) == ZX_OK, "protect to nothing");
  printf("# loading from %#zx after the protect\n", addr);
  uint32_t value = *u32_at(addr);
  printf("# the load did not fault (read %u)\n", value);
  return 1;
}
