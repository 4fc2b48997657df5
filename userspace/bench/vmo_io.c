// Benchmark: copies. picolibc's memcpy (the release build's, the limit a copy in the
// kernel can approach) and zx_vmo_write / zx_vmo_read of 8 B to 1 MiB at offset 0 of a
// VMO whose pages are all committed, between page-aligned user buffers that are
// committed and mapped; and writes that straddle two pages. See <zrk/bench.h>.
#include <zrk/bench.h>

#define MAX_SIZE BENCH_MIB

typedef struct {
  zx_handle_t vmo;     // MAX_SIZE + one page, committed
  uint8_t* src;        // MAX_SIZE, resident
  uint8_t* dst;        // MAX_SIZE, resident
  uint64_t size;
  uint64_t offset;     // into the VMO
} io_ctx;

// Through a volatile pointer, so the compiler neither inlines a copy of known size
// nor drops one whose result is unused: every round is a call of picolibc's memcpy.
static void* (*volatile memcpy_fn)(void*, const void*, size_t) = memcpy;

static uint64_t copy_memcpy(void* arg, uint64_t n) {
  io_ctx* c = arg;
  uint64_t start = bench_ticks();
  for (uint64_t i = 0; i < n; i++) {
    memcpy_fn(c->dst, c->src, c->size);
  }
  return bench_ticks() - start;
}

static uint64_t copy_vmo_write(void* arg, uint64_t n) {
  io_ctx* c = arg;
  uint64_t start = bench_ticks();
  for (uint64_t i = 0; i < n; i++) {
    zx_vmo_write(c->vmo, c->src, c->offset, c->size);
  }
  return bench_ticks() - start;
}

static uint64_t copy_vmo_read(void* arg, uint64_t n) {
  io_ctx* c = arg;
  uint64_t start = bench_ticks();
  for (uint64_t i = 0; i < n; i++) {
    zx_vmo_read(c->vmo, c->dst, c->offset, c->size);
  }
  return bench_ticks() - start;
}

// Rounds per trial: a trial of roughly two million instructions or more.
static uint64_t rounds_for(uint64_t size) {
  if (size <= 512) return 4000;
  if (size <= 4 * BENCH_KIB) return 1000;
  if (size <= 64 * BENCH_KIB) return 100;
  return 10;
}

int main(void) {
  static const uint64_t sizes[] = {8, 64, 512, 4 * BENCH_KIB, 64 * BENCH_KIB, BENCH_MIB};
  io_ctx c = {.src = bench_buffer(MAX_SIZE), .dst = bench_buffer(MAX_SIZE)};
  bench_info();
  BENCH_CHECK(zx_vmo_create(MAX_SIZE + BENCH_PAGE, 0, &c.vmo));
  BENCH_CHECK(zx_vmo_op_range(c.vmo, ZX_VMO_OP_COMMIT, 0, MAX_SIZE + BENCH_PAGE, NULL, 0));
  BENCH_CHECK(zx_vmo_write(c.vmo, c.src, 0, MAX_SIZE));
  // One checked call of each, so a failing syscall is reported rather than timed.
  BENCH_CHECK(zx_vmo_write(c.vmo, c.src, 0, MAX_SIZE));
  BENCH_CHECK(zx_vmo_read(c.vmo, c.dst, 0, MAX_SIZE));
  BENCH_CHECK(zx_vmo_write(c.vmo, c.src, BENCH_PAGE - 4, 8));
  BENCH_CHECK(zx_vmo_write(c.vmo, c.src, BENCH_PAGE / 2, BENCH_PAGE));
  if (memcmp(c.src, c.dst, MAX_SIZE) != 0) {
    printf("bench-error,vmo_io,zx_vmo_read returned other bytes than zx_vmo_write wrote\n");
    return 1;
  }

  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    c.size = sizes[i];
    c.offset = 0;
    bench_row("memcpy", c.size, copy_memcpy, &c, rounds_for(c.size));
  }
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    c.size = sizes[i];
    c.offset = 0;
    bench_row("vmo_write", c.size, copy_vmo_write, &c, rounds_for(c.size));
  }
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    c.size = sizes[i];
    c.offset = 0;
    bench_row("vmo_read", c.size, copy_vmo_read, &c, rounds_for(c.size));
  }
  // Straddling the boundary between pages 0 and 1: 8 B at 4092, 4 KiB at 2048.
  c.size = 8;
  c.offset = BENCH_PAGE - 4;
  bench_row("vmo_write_straddle", c.size, copy_vmo_write, &c, rounds_for(c.size));
  c.size = BENCH_PAGE;
  c.offset = BENCH_PAGE / 2;
  bench_row("vmo_write_straddle", c.size, copy_vmo_write, &c, rounds_for(c.size));
  return 0;
}
