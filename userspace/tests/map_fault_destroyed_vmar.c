// zx_vmar_destroy unmaps everything in the region: a load from a mapping in it, read
// before, kills the program.
// zrk-test: expect-killed translation fault, read
#include <zrk/vmar_util.h>

int main(void) {
  plan(3);
  zx_handle_t vmo = new_vmo(1, 0);
  ok(write_u32(vmo, 0, 9) == ZX_OK, "vmo_write");
  zx_vaddr_t base;
  zx_handle_t vmar = sandbox(4, &base);
  uintptr_t addr = map_vmo(vmar, PERM_R | ZX_VM_SPECIFIC, 2 * PAGE, vmo, 0, PAGE);
  ok(addr != 0 && *u32_at(addr) == 9, "mapping in a sub-VMAR, read");
  ok(zx_vmar_destroy(vmar) == ZX_OK, "destroy the sub-VMAR");
  printf("# loading from %#zx after the destroy\n", addr);
  uint32_t value = *u32_at(addr);
  printf("# the load did not fault (read %u)\n", value);
  return 1;
}
