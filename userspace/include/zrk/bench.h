//! Timing for the benchmark programs (userspace/bench/*.c, run by scripts/bench).
//!
//! A row is measured by a trial function: fn(ctx, n) does n operations and returns the
//! counter ticks (CNTVCT_EL0, through zx_ticks_get()) they took; set-up and clean-up
//! around the timed part (creating a fresh VMO, closing it) stay outside the two counter
//! reads. bench_row() runs one warm-up trial, then BENCH_TRIALS trials, and takes the
//! median; it does the same with an empty loop of the same n (or the empty function the
//! row names) and subtracts that median, so the loop's own increment, compare and branch
//! and the two counter reads are not counted. Ticks become nanoseconds through
//! zx_ticks_per_second() (CNTFRQ_EL0); under QEMU's -icount shift=0 one guest instruction
//! is one virtual nanosecond, so the figure is guest instructions per operation.
//!
//! Each row prints one line:
//!   bench,OPERATION,SIZE,INSTRUCTIONS_PER_OP      (the figure with one decimal)
//! and a program that cannot measure prints `bench-error,...` and exits with status 1.
//! Each program is built on its own, so everything here is static.
#ifndef ZRK_BENCH_H_
#define ZRK_BENCH_H_

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zircon/process.h>
#include <zircon/status.h>
#include <zircon/syscalls.h>
#include <zircon/types.h>

#define BENCH_TRIALS 7
#define BENCH_PAGE ((uint64_t)ZX_PAGE_SIZE)
#define BENCH_KIB 1024ull
#define BENCH_MIB (1024ull * 1024ull)

// Keeps the compiler from dropping or merging loop bodies.
#define BENCH_BARRIER() __asm__ volatile("" ::: "memory")

typedef uint64_t (*bench_fn)(void* ctx, uint64_t n);

static inline uint64_t bench_ticks(void) { return (uint64_t)zx_ticks_get(); }

// A failed call ends the program: scripts/bench then reports the benchmark as failed.
#define BENCH_CHECK(call)                                                              \
  do {                                                                                 \
    zx_status_t bench_status_ = (call);                                                \
    if (bench_status_ != ZX_OK) {                                                      \
      printf("bench-error,%s:%d,%s,%s\n", __FILE__, __LINE__, #call,                 \
             zx_status_get_string(bench_status_));                                     \
      exit(1);                                                                         \
    }                                                                                  \
  } while (0)

// The loop every loop-shaped row subtracts: n rounds of nothing the compiler may remove.
static inline uint64_t bench_empty_loop(void* ctx, uint64_t n) {
  (void)ctx;
  uint64_t start = bench_ticks();
  for (uint64_t i = 0; i < n; i++) {
    BENCH_BARRIER();
  }
  return bench_ticks() - start;
}

// What a row that times a single call (not a loop) subtracts: the two counter reads.
static inline uint64_t bench_no_loop(void* ctx, uint64_t n) {
  (void)ctx;
  (void)n;
  uint64_t start = bench_ticks();
  BENCH_BARRIER();
  return bench_ticks() - start;
}

static inline uint64_t bench_median(bench_fn fn, void* ctx, uint64_t n) {
  uint64_t t[BENCH_TRIALS];
  (void)fn(ctx, n);  // warm-up
  for (int i = 0; i < BENCH_TRIALS; i++) {
    t[i] = fn(ctx, n);
  }
  for (int i = 1; i < BENCH_TRIALS; i++) {  // insertion sort
    uint64_t v = t[i];
    int j = i;
    for (; j > 0 && t[j - 1] > v; j--) {
      t[j] = t[j - 1];
    }
    t[j] = v;
  }
  return t[BENCH_TRIALS / 2];
}

static inline void bench_info(void) {
  printf("bench-info,ticks_per_second,%" PRId64 "\n", zx_ticks_per_second());
}

// Measures one row and prints its line: (median of fn - median of empty) / per, in
// nanoseconds (guest instructions under -icount shift=0), rounded to a tenth. `per` is
// what the figure is "per": n for a loop of n operations, the page count for one call
// over a range. empty may be NULL for bench_empty_loop.
static inline void bench_row_per(const char* op, uint64_t size, bench_fn fn, bench_fn empty,
                          void* ctx, uint64_t n, uint64_t per) {
  uint64_t freq = (uint64_t)zx_ticks_per_second();
  uint64_t full = bench_median(fn, ctx, n);
  uint64_t base = bench_median(empty ? empty : bench_empty_loop, ctx, n);
  uint64_t ticks = full > base ? full - base : 0;
  // ticks * 1e9 / freq without overflow (ticks < 2^64 / 1e9 is not guaranteed).
  uint64_t ns = (ticks / freq) * 1000000000ull + (ticks % freq) * 1000000000ull / freq;
  uint64_t tenths = (ns * 10 + per / 2) / per;
  printf("bench,%s,%" PRIu64 ",%" PRIu64 ".%" PRIu64 "\n", op, size, tenths / 10,
         tenths % 10);
}

static inline void bench_row(const char* op, uint64_t size, bench_fn fn, void* ctx,
                             uint64_t n) {
  bench_row_per(op, size, fn, NULL, ctx, n, n);
}

// A fresh VMO of `size` bytes, mapped read-write in the root VMAR with every page
// committed and mapped (ZX_VM_MAP_RANGE) and then written, so buffers in it never fault.
static inline uint8_t* bench_buffer(uint64_t size) {
  zx_handle_t vmo;
  zx_vaddr_t addr;
  BENCH_CHECK(zx_vmo_create(size, 0, &vmo));
  BENCH_CHECK(zx_vmar_map(zx_vmar_root_self(),
                          ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_MAP_RANGE, 0, vmo, 0,
                          size, &addr));
  BENCH_CHECK(zx_handle_close(vmo));
  uint8_t* p = (uint8_t*)addr;
  for (uint64_t i = 0; i < size; i++) {
    p[i] = (uint8_t)(i * 7 + 1);
  }
  return p;
}

#endif  // ZRK_BENCH_H_
