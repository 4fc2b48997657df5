// Threads fault pages of a mapping in for writing while the main thread takes write
// permission away (zx_vmar_protect to READ): once protect returns, no page of the range
// may be writable, whichever way the race went. The workers write through the kernel's
// user copy (zx_vmo_read into the mapping), which faults pages in exactly as a store does
// but answers ZX_ERR_ACCESS_DENIED instead of killing the program; the main thread then
// probes every page the same way and must be denied everywhere. Run on -smp 4 (the test
// matrix) for the threads to truly race; each round decommits the pages first so every
// write faults again.
#include <zircon/syscalls.h>
#include <zrk/thread_util.h>
#include <zrk/vmo_util.h>

#define PAGES 16
#define ROUNDS 300
#define WORKERS 3

static zx_vaddr_t base;
static zx_handle_t source;
static volatile int stop;
static volatile uint64_t writes_done;

static void writer(uintptr_t first, uintptr_t b) {
  (void)b;
  uint64_t n = 0;
  while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
    for (size_t p = first; p < PAGES; p += WORKERS) {
      if (zx_vmo_read(source, (void*)(base + p * 4096 + 8 * (n % 512)), 0, 8) == ZX_OK) n++;
    }
    // On one CPU the main thread only gets its turn back this way.
    zx_nanosleep(0);
  }
  __atomic_fetch_add(&writes_done, n, __ATOMIC_RELAXED);
  zx_thread_exit();
}

TEST(no_writable_page_survives_protect_to_read) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGES * 4096, 0, &vmo));
  ASSERT_OK(zx_vmo_create(4096, 0, &source));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0,
                        PAGES * 4096, &base));
  raw_thread_t t[WORKERS];
  stop = 0;
  for (int i = 0; i < WORKERS; i++) ASSERT_OK(raw_thread_start(&t[i], writer, i, 0));
  int leaks = 0;
  for (int round = 0; round < ROUNDS; round++) {
    ASSERT_OK(zx_vmar_protect(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, base,
                              PAGES * 4096));
    ASSERT_OK(zx_vmo_op_range(vmo, ZX_VMO_OP_DECOMMIT, 0, PAGES * 4096, NULL, 0));
    // Let the workers race into the faults (on one CPU: run them), then take write away.
    if (round % 2) zx_nanosleep(0);
    // Now and then a longer window, so the workers' writes surely get through some
    // rounds (the count below shows the race was run, not skipped).
    if (round % 10 == 0) zx_nanosleep(zx_deadline_after(ZX_MSEC(1)));
    for (volatile int spin = 0; spin < (round % 7) * 50; spin++) {
    }
    ASSERT_OK(zx_vmar_protect(zx_vmar_root_self(), ZX_VM_PERM_READ, base, PAGES * 4096));
    for (int p = 0; p < PAGES; p++) {
      zx_status_t s = zx_vmo_read(source, (void*)(base + p * 4096), 0, 1);
      if (s != ZX_ERR_ACCESS_DENIED) {
        TEST_CONTEXT("round %d page %d", round, p);
        EXPECT_STATUS(s, ZX_ERR_ACCESS_DENIED);
        leaks++;
      }
    }
    if (leaks) break;
  }
  __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
  for (int i = 0; i < WORKERS; i++) EXPECT_OK(raw_thread_join(&t[i]));
  printf("# %llu worker writes went through\n", (unsigned long long)writes_done);
  EXPECT_GT(writes_done, 0);
  EXPECT_OK(zx_vmar_unmap(zx_vmar_root_self(), base, PAGES * 4096));
  zx_handle_close(vmo);
  zx_handle_close(source);
}

int main(void) { return run_tests(); }
