// A mapping longer than its VMO: the page past the VMO's end kills the program when
// touched (Fuchsia's MappedVmoSmallerThanMapping, the fault itself).
// zrk-test: expect-killed fault, write
#include <zrk/vmar_util.h>

int main(void) {
  plan(2);
  zx_handle_t vmo = new_vmo(1, 0);
  uintptr_t addr = map_root(PERM_RW, vmo, 0, 2 * PAGE);
  ok(addr != 0, "a two-page mapping of a one-page VMO");
  *u32_at(addr + PAGE - 4) = 3;
  ok(read_u32(vmo, PAGE - 4) == 3, "the first page works");
  printf("# storing to %#zx, past the VMO's end\n", addr + PAGE);
  *u32_at(addr + PAGE) = 4;
  printf("# the store did not fault\n");
  return 1;
}
