// A store to a read-only mapping kills the program with a permission-fault report; the
// kernel goes on to the next program (issue 5, "Demand paging"). The page is read first,
// so it is in the page tables and the store meets its read-only entry.
// zrk-test: expect-killed permission fault, write
#include <zrk/vmar_util.h>

int main(void) {
  plan(3);
  zx_handle_t vmo = new_vmo(1, 0);
  ok(write_u32(vmo, 0, 0x600d) == ZX_OK, "vmo_write");
  uintptr_t addr = map_root(PERM_R, vmo, 0, PAGE);
  ok(addr != 0, "read-only mapping");
  ok(*u32_at(addr) == 0x600d, "loads work");
  printf("# storing to the read-only mapping at %#zx\n", addr);
  *u32_at(addr) = 1;
  printf("# the store did not fault\n");
  return 1;
}
