// The audit's reproducer: zx_handle_close_many over 2^38 handle values read from a 1 TiB
// read-only mapping of an empty VMO runs far longer than the watchdog allows. The
// watchdog must kill the program (not panic the kernel), which then goes on: the harness
// sees the kill report and "all programs done".
// zrk-test: append watchdog=1
// zrk-test: expect-killed watchdog: handle_close_many
#include <zircon/process.h>
#include <zircon/syscalls.h>

int main(void) {
  zx_handle_t vmo;
  zx_vaddr_t addr;
  if (zx_vmo_create(1ull << 40, 0, &vmo) != ZX_OK) return 1;
  if (zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, vmo, 0, 1ull << 40, &addr) != ZX_OK)
    return 2;
  zx_handle_close_many((const zx_handle_t*)addr, 1ull << 38);
  return 3;
}
