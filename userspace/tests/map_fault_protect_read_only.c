// A mapping written (so writable in the page tables and the TLB), then made read-only by
// zx_vmar_protect: the next store kills the program with a permission fault.
// zrk-test: expect-killed permission fault, write
#include <zrk/vmar_util.h>

int main(void) {
  plan(3);
  zx_handle_t vmo = new_vmo(1, 0);
  uintptr_t addr = map_root(PERM_RW, vmo, 0, PAGE);
  ok(addr != 0, "mapping");
  *u32_at(addr) = 1;
  ok(zx_vmar_protect(zx_vmar_root_self(), PERM_R, addr, PAGE) == ZX_OK, "protect to R");
  ok(*u32_at(addr) == 1, "loads still work");
  printf("# storing to %#zx after the protect\n", addr);
  *u32_at(addr) = 2;
  printf("# the store did not fault\n");
  return 1;
}
