// A resizable VMO shrunk under its mapping: the page past the new end, read through the
// mapping before, now kills the program when loaded from (issue 5, "Coherence":
// shrinking takes the pages out of every mapping).
// zrk-test: expect-killed fault, read
#include <zrk/vmar_util.h>

int main(void) {
  plan(3);
  zx_handle_t vmo = new_vmo(2, ZX_VMO_RESIZABLE);
  uintptr_t addr = map_root(PERM_RW, vmo, 0, 2 * PAGE);
  ok(addr != 0, "mapping");
  *u32_at(addr + PAGE) = 5;
  ok(*u32_at(addr + PAGE) == 5, "the second page works");
  ok(zx_vmo_set_size(vmo, PAGE) == ZX_OK, "shrink to one page");
  printf("# loading from %#zx, past the VMO's new end\n", addr + PAGE);
  uint32_t value = *u32_at(addr + PAGE);
  printf("# the load did not fault (read %u)\n", value);
  return 1;
}
