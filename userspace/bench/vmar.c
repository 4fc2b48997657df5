// Benchmark: mappings. The first store to each page of a fresh mapping of a fresh VMO
// (the page fault: allocate, zero, map), and a zx_vmar_map + zx_vmar_unmap pair of one
// page. See <zrk/bench.h>.
#include <zrk/bench.h>

#define RANGE BENCH_MIB
#define RANGE_PAGES (RANGE / BENCH_PAGE)
#define PERM_RW (ZX_VM_PERM_READ | ZX_VM_PERM_WRITE)

typedef struct {
  zx_handle_t page_vmo;  // one committed page
} vmar_ctx;

// n pages of a fresh VMO, mapped (untimed) without committing, each stored to once.
static uint64_t map_first_touch(void* arg, uint64_t n) {
  (void)arg;
  zx_handle_t vmo;
  zx_vaddr_t addr;
  BENCH_CHECK(zx_vmo_create(n * BENCH_PAGE, 0, &vmo));
  BENCH_CHECK(zx_vmar_map(zx_vmar_root_self(), PERM_RW, 0, vmo, 0, n * BENCH_PAGE, &addr));
  volatile uint8_t* p = (volatile uint8_t*)addr;
  uint64_t start = bench_ticks();
  for (uint64_t i = 0; i < n; i++) {
    p[i * BENCH_PAGE] = 1;
  }
  uint64_t ticks = bench_ticks() - start;
  BENCH_CHECK(zx_vmar_unmap(zx_vmar_root_self(), addr, n * BENCH_PAGE));
  BENCH_CHECK(zx_handle_close(vmo));
  return ticks;
}

static uint64_t map_unmap(void* arg, uint64_t n) {
  vmar_ctx* c = arg;
  zx_handle_t root = zx_vmar_root_self();
  zx_vaddr_t addr;
  uint64_t start = bench_ticks();
  for (uint64_t i = 0; i < n; i++) {
    zx_vmar_map(root, PERM_RW, 0, c->page_vmo, 0, BENCH_PAGE, &addr);
    zx_vmar_unmap(root, addr, BENCH_PAGE);
  }
  return bench_ticks() - start;
}

int main(void) {
  vmar_ctx c;
  zx_vaddr_t addr;
  bench_info();
  BENCH_CHECK(zx_vmo_create(BENCH_PAGE, 0, &c.page_vmo));
  BENCH_CHECK(zx_vmo_op_range(c.page_vmo, ZX_VMO_OP_COMMIT, 0, BENCH_PAGE, NULL, 0));
  BENCH_CHECK(zx_vmar_map(zx_vmar_root_self(), PERM_RW, 0, c.page_vmo, 0, BENCH_PAGE, &addr));
  BENCH_CHECK(zx_vmar_unmap(zx_vmar_root_self(), addr, BENCH_PAGE));

  bench_row("map_first_touch", BENCH_PAGE, map_first_touch, &c, RANGE_PAGES);
  bench_row("vmar_map_unmap", BENCH_PAGE, map_unmap, &c, 1000);
  return 0;
}
