// Jumping into a readable, writable but not executable mapping is an instruction abort:
// the program is killed, the kernel goes on.
// zrk-test: expect-killed instruction abort
#include <zrk/vmar_util.h>

int main(void) {
  plan(2);
  static const uint32_t ret[] = {0xd65f03c0};  // RET
  zx_handle_t vmo = new_vmo(1, 0);
  ok(zx_vmo_write(vmo, ret, 0, sizeof ret) == ZX_OK, "code in the VMO");
  uintptr_t addr = map_root(PERM_RW, vmo, 0, PAGE);
  ok(addr != 0 && *u32_at(addr) == ret[0], "RW mapping shows it");
  void (*jump)(void) = (void (*)(void))addr;
  printf("# calling %#zx\n", addr);
  jump();
  printf("# the call did not fault\n");
  return 1;
}
