// After zx_vmar_unmap, a store to where the mapping was kills the program: the page
// table entry (and any TLB entry) went with the mapping.
// zrk-test: expect-killed translation fault, write
#include <zrk/vmar_util.h>

int main(void) {
  plan(3);
  zx_handle_t vmo = new_vmo(2, 0);
  uintptr_t addr = map_root(PERM_RW, vmo, 0, 2 * PAGE);
  ok(addr != 0, "mapping");
  *u32_at(addr + PAGE) = 7;  // in the page tables and the TLB now
  ok(read_u32(vmo, PAGE) == 7, "the store reached the VMO");
  ok(zx_vmar_unmap(zx_vmar_root_self(), addr, 2 * PAGE) == ZX_OK, "unmap");
  printf("# storing to %#zx after the unmap\n", addr + PAGE);
  *u32_at(addr + PAGE) = 8;
  printf("# the store did not fault\n");
  return 1;
}
