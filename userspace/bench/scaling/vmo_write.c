// Scaling benchmark (scripts/bench --scaling; not part of the deterministic table): 1, 2
// and 4 threads each doing WRITES zx_vmo_write calls of 4 KiB, either each to a VMO of
// its own or all to one VMO (each thread to its own page of it), timed by the monotonic
// clock from the moment the threads are released to the moment the last one finishes.
// A control runs the same threads through a user-space loop instead (no system call,
// about as long on one thread): how far it scales is what the host gives, whatever the
// kernel does.
// QEMU runs with -smp 4 and multi-threaded TCG, without -icount, so the figures are
// wall-clock time on the host and vary from run to run: each configuration runs ROUNDS
// times and the script takes the median.
//
// Prints `scaling,MODE,THREADS,WRITES_PER_THREAD,NANOSECONDS` per run (MODE is
// `separate`, `shared` or `control`) and `scaling-info,cpus,N` first.
#include <threads.h>

#include <zrk/bench.h>

#define MAX_THREADS 4
#define WRITES 10000
#define ROUNDS 9

typedef struct {
  zx_handle_t vmo;
  uint64_t offset;
  const uint8_t* buffer;
  zx_time_t end;
} worker_t;

static zx_futex_t gate;  // 0 until the workers may start, then 1
static zx_futex_t ready;  // workers waiting at the gate

static int work(void* arg) {
  worker_t* w = arg;
  __atomic_add_fetch(&ready, 1, __ATOMIC_ACQ_REL);
  zx_futex_wake(&ready, 1);
  while (__atomic_load_n(&gate, __ATOMIC_ACQUIRE) == 0) {
    zx_futex_wait(&gate, 0, ZX_HANDLE_INVALID, ZX_TIME_INFINITE);
  }
  if (w->vmo == ZX_HANDLE_INVALID) {
    // The control: a loop QEMU runs about as long as one thread's writes take (a tight
    // loop runs far faster per instruction than kernel code does).
    for (int i = 0; i < WRITES; i++) {
      for (int k = 0; k < 12000; k++) {
        BENCH_BARRIER();
      }
    }
  }
  for (int i = 0; w->vmo != ZX_HANDLE_INVALID && i < WRITES; i++) {
    if (zx_vmo_write(w->vmo, w->buffer, w->offset, BENCH_PAGE) != ZX_OK) {
      return 1;
    }
  }
  w->end = zx_clock_get_monotonic();
  return 0;
}

// One run: `threads` workers on `vmos[i]` at `offsets[i]`; returns the nanoseconds from
// the release to the last worker's end.
static zx_time_t run(int threads, const zx_handle_t* vmos, const uint64_t* offsets,
                     uint8_t* const* buffers) {
  worker_t workers[MAX_THREADS];
  thrd_t t[MAX_THREADS];
  gate = 0;
  ready = 0;
  for (int i = 0; i < threads; i++) {
    workers[i] = (worker_t){.vmo = vmos[i], .offset = offsets[i], .buffer = buffers[i]};
    if (thrd_create(&t[i], work, &workers[i]) != thrd_success) {
      printf("bench-error,thrd_create failed\n");
      exit(1);
    }
  }
  int n;
  while ((n = __atomic_load_n(&ready, __ATOMIC_ACQUIRE)) < threads) {
    zx_futex_wait(&ready, n, ZX_HANDLE_INVALID, ZX_TIME_INFINITE);
  }
  zx_time_t start = zx_clock_get_monotonic();
  __atomic_store_n(&gate, 1, __ATOMIC_RELEASE);
  BENCH_CHECK(zx_futex_wake(&gate, UINT32_MAX));
  zx_time_t end = start;
  for (int i = 0; i < threads; i++) {
    int result;
    if (thrd_join(t[i], &result) != thrd_success || result != 0) {
      printf("bench-error,a worker failed\n");
      exit(1);
    }
    if (workers[i].end > end) end = workers[i].end;
  }
  return end - start;
}

int main(void) {
  printf("scaling-info,cpus,%u\n", zx_system_get_num_cpus());
  zx_handle_t own[MAX_THREADS], shared;
  uint8_t* buffers[MAX_THREADS];
  BENCH_CHECK(zx_vmo_create(MAX_THREADS * BENCH_PAGE, 0, &shared));
  for (int i = 0; i < MAX_THREADS; i++) {
    BENCH_CHECK(zx_vmo_create(BENCH_PAGE, 0, &own[i]));
    buffers[i] = bench_buffer(BENCH_PAGE);
    // Commit every page written, so the timed writes only copy.
    BENCH_CHECK(zx_vmo_write(own[i], buffers[i], 0, BENCH_PAGE));
    BENCH_CHECK(zx_vmo_write(shared, buffers[i], i * BENCH_PAGE, BENCH_PAGE));
  }
  zx_handle_t shared_vmos[MAX_THREADS] = {shared, shared, shared, shared};
  zx_handle_t none[MAX_THREADS] = {ZX_HANDLE_INVALID, ZX_HANDLE_INVALID, ZX_HANDLE_INVALID,
                                   ZX_HANDLE_INVALID};
  uint64_t zero[MAX_THREADS] = {0};
  uint64_t pages[MAX_THREADS] = {0, BENCH_PAGE, 2 * BENCH_PAGE, 3 * BENCH_PAGE};
  static const int counts[] = {1, 2, 4};
  for (int round = 0; round < ROUNDS; round++) {
    for (unsigned c = 0; c < sizeof counts / sizeof counts[0]; c++) {
      int threads = counts[c];
      printf("scaling,separate,%d,%d,%" PRId64 "\n", threads, WRITES,
             run(threads, own, zero, buffers));
      printf("scaling,shared,%d,%d,%" PRId64 "\n", threads, WRITES,
             run(threads, shared_vmos, pages, buffers));
      printf("scaling,control,%d,%d,%" PRId64 "\n", threads, WRITES,
             run(threads, none, zero, buffers));
    }
  }
  return 0;
}
