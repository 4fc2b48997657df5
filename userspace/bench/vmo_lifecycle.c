// Benchmark: what VMO pages and objects cost to come and go. The first write to each
// page of a fresh VMO (allocate, zero, copy 4 KiB), zx_vmo_create + zx_handle_close, a
// SNAPSHOT child of a committed 1 MiB VMO + close, and zx_vmo_op_range COMMIT and
// DECOMMIT of a 1 MiB range, per page. See <zrk/bench.h>.
#include <zrk/bench.h>

#define RANGE BENCH_MIB
#define RANGE_PAGES (RANGE / BENCH_PAGE)

typedef struct {
  zx_handle_t vmo;  // a committed RANGE-byte VMO (the snapshot's parent)
  uint8_t* src;     // one resident page
} life_ctx;

// n pages of a VMO created (untimed) for the trial, each written whole once.
static uint64_t first_touch_write(void* arg, uint64_t n) {
  life_ctx* c = arg;
  zx_handle_t vmo;
  BENCH_CHECK(zx_vmo_create(n * BENCH_PAGE, 0, &vmo));
  uint64_t start = bench_ticks();
  for (uint64_t i = 0; i < n; i++) {
    zx_vmo_write(vmo, c->src, i * BENCH_PAGE, BENCH_PAGE);
  }
  uint64_t ticks = bench_ticks() - start;
  BENCH_CHECK(zx_handle_close(vmo));
  return ticks;
}

static uint64_t create_close(void* arg, uint64_t n) {
  (void)arg;
  zx_handle_t vmo;
  uint64_t start = bench_ticks();
  for (uint64_t i = 0; i < n; i++) {
    zx_vmo_create(BENCH_PAGE, 0, &vmo);
    zx_handle_close(vmo);
  }
  return bench_ticks() - start;
}

static uint64_t snapshot_close(void* arg, uint64_t n) {
  life_ctx* c = arg;
  zx_handle_t child;
  uint64_t start = bench_ticks();
  for (uint64_t i = 0; i < n; i++) {
    zx_vmo_create_child(c->vmo, ZX_VMO_CHILD_SNAPSHOT, 0, RANGE, &child);
    zx_handle_close(child);
  }
  return bench_ticks() - start;
}

// One COMMIT of n pages of a fresh VMO (made and closed untimed).
static uint64_t commit_range(void* arg, uint64_t n) {
  (void)arg;
  zx_handle_t vmo;
  BENCH_CHECK(zx_vmo_create(n * BENCH_PAGE, 0, &vmo));
  uint64_t start = bench_ticks();
  zx_vmo_op_range(vmo, ZX_VMO_OP_COMMIT, 0, n * BENCH_PAGE, NULL, 0);
  uint64_t ticks = bench_ticks() - start;
  BENCH_CHECK(zx_handle_close(vmo));
  return ticks;
}

// One DECOMMIT of n committed pages (committed untimed).
static uint64_t decommit_range(void* arg, uint64_t n) {
  (void)arg;
  zx_handle_t vmo;
  BENCH_CHECK(zx_vmo_create(n * BENCH_PAGE, 0, &vmo));
  BENCH_CHECK(zx_vmo_op_range(vmo, ZX_VMO_OP_COMMIT, 0, n * BENCH_PAGE, NULL, 0));
  uint64_t start = bench_ticks();
  zx_vmo_op_range(vmo, ZX_VMO_OP_DECOMMIT, 0, n * BENCH_PAGE, NULL, 0);
  uint64_t ticks = bench_ticks() - start;
  BENCH_CHECK(zx_handle_close(vmo));
  return ticks;
}

int main(void) {
  life_ctx c = {.src = bench_buffer(BENCH_PAGE)};
  bench_info();
  BENCH_CHECK(zx_vmo_create(RANGE, 0, &c.vmo));
  BENCH_CHECK(zx_vmo_op_range(c.vmo, ZX_VMO_OP_COMMIT, 0, RANGE, NULL, 0));
  // One checked call of each timed syscall first, so a failure is reported, not timed.
  {
    zx_handle_t h;
    BENCH_CHECK(zx_vmo_create(2 * BENCH_PAGE, 0, &h));
    BENCH_CHECK(zx_vmo_write(h, c.src, BENCH_PAGE, BENCH_PAGE));
    BENCH_CHECK(zx_vmo_op_range(h, ZX_VMO_OP_COMMIT, 0, 2 * BENCH_PAGE, NULL, 0));
    BENCH_CHECK(zx_vmo_op_range(h, ZX_VMO_OP_DECOMMIT, 0, 2 * BENCH_PAGE, NULL, 0));
    BENCH_CHECK(zx_handle_close(h));
    BENCH_CHECK(zx_vmo_create_child(c.vmo, ZX_VMO_CHILD_SNAPSHOT, 0, RANGE, &h));
    BENCH_CHECK(zx_handle_close(h));
  }

  bench_row("vmo_write_first_touch", BENCH_PAGE, first_touch_write, &c, RANGE_PAGES);
  bench_row("vmo_create_close", BENCH_PAGE, create_close, &c, 1000);
  bench_row("vmo_snapshot_close", RANGE, snapshot_close, &c, 32);
  bench_row_per("vmo_commit", BENCH_PAGE, commit_range, bench_no_loop, &c, RANGE_PAGES,
                RANGE_PAGES);
  bench_row_per("vmo_decommit", BENCH_PAGE, decommit_range, bench_no_loop, &c, RANGE_PAGES,
                RANGE_PAGES);
  return 0;
}
