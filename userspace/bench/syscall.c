// Benchmark: the null syscall, zx_handle_close(ZX_HANDLE_INVALID): the whole way into
// the kernel and back (the stub's call and svc, entry, dispatch, exit) with no work.
// See <zrk/bench.h> for how rows are timed; scripts/bench runs this.
#include <zrk/bench.h>

static uint64_t null_syscall(void* ctx, uint64_t n) {
  (void)ctx;
  uint64_t start = bench_ticks();
  for (uint64_t i = 0; i < n; i++) {
    zx_handle_close(ZX_HANDLE_INVALID);
  }
  return bench_ticks() - start;
}

int main(void) {
  bench_info();
  BENCH_CHECK(zx_handle_close(ZX_HANDLE_INVALID));
  bench_row("null_syscall", 0, null_syscall, NULL, 10000);
  return 0;
}
