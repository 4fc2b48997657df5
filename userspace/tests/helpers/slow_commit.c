// For the watchdog's boot test (kernel/tests/boot.rs): one syscall that runs for many
// timer ticks, committing 256 MiB page by page.
#include <stdio.h>
#include <zircon/syscalls.h>

int main(void) {
  zx_handle_t vmo;
  zx_status_t status = zx_vmo_create(256ull << 20, 0, &vmo);
  printf("# create: %d\n", status);
  status = zx_vmo_op_range(vmo, ZX_VMO_OP_COMMIT, 0, 256ull << 20, NULL, 0);
  printf("# commit: %d\n", status);
  return status;
}
