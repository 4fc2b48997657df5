// What the concurrency stress programs (userspace/stress/*.c) share: their parameters,
// a PRNG per thread, failure counters any thread may bump, worker threads with a
// watchdog for hangs, pauses for quiescent checks, ordered time stamps, and the leak
// check (free memory and kernel objects back where they started).
//
// scripts/stress builds each program with its parameters: it writes a one-file program
// that defines STRESS_SEED and STRESS_MS (how long the program runs) and includes the
// program's source, since the kernel passes a program no arguments but its name. Built
// as they are (scripts/run --smp 4 userspace/stress/vmo_write.c), they run the defaults.
//
// Output: "# " lines (the parameters, what each thread did, every failure with what it
// saw, the first few of each kind) and TAP lines, one per invariant, from the main
// thread once the workers are done. A worker that does not finish in time is reported
// as a hang (which thread, doing what) and the program exits 1, which kills the rest.
#ifndef ZRK_STRESS_H_
#define ZRK_STRESS_H_

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <threads.h>

#include <zircon/process.h>
#include <zircon/status.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zircon/types.h>
#include <zrk/startup.h>
#include <zrk/test.h>

#ifndef STRESS_SEED
#define STRESS_SEED 1
#endif
#ifndef STRESS_MS  // how long the program's workers run
#define STRESS_MS 3000
#endif

#define PAGE ((uint64_t)ZX_PAGE_SIZE)
#define MS ((zx_duration_t)1000000)

// --- PRNG: splitmix64, one stream per thread -------------------------------------------

typedef struct {
  uint64_t x;
} rng_t;

static inline uint64_t rng_next(rng_t* r) {
  uint64_t z = (r->x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
// Stream `n` of the run's seed.
static inline rng_t rng_stream(uint64_t n) {
  rng_t r = {(uint64_t)STRESS_SEED ^ (n * 0xd1342543de82ef95ull)};
  rng_next(&r);
  return r;
}
// Uniform in [0, n); n > 0.
static inline uint64_t rng_below(rng_t* r, uint64_t n) { return rng_next(r) % n; }
static inline bool rng_chance(rng_t* r, unsigned per_mille) { return rng_below(r, 1000) < per_mille; }

// A 64-bit mix of a few numbers, for patterns a reader can regenerate.
static inline uint64_t mix3(uint64_t a, uint64_t b, uint64_t c) {
  rng_t r = {a * 0x9e3779b97f4a7c15ull ^ b * 0xc2b2ae3d27d4eb4full ^ c * 0x165667b19e3779f9ull};
  return rng_next(&r);
}

// --- Barriers and time stamps ----------------------------------------------------------

// A full barrier: every access before it (the kernel's, made on this CPU during a
// syscall that returned, included) is complete before any after it.
static inline void full_fence(void) { __asm__ volatile("dsb ish" ::: "memory"); }

// The virtual counter, read in order: everything before has completed (dsb), and
// nothing after starts before the read (isb). Comparable across CPUs (one system
// counter), so "b started after a ended" is "stamp_b_start > stamp_a_end".
static inline uint64_t stamp(void) {
  uint64_t ticks;
  __asm__ volatile("dsb ish\n isb\n mrs %0, cntvct_el0\n isb" : "=r"(ticks)::"memory");
  return ticks;
}

// --- Failures --------------------------------------------------------------------------

// A failure counter, and printing the first few of each kind (from any thread: the
// runtime's console buffer is per thread, so lines come out whole).
#define STRESS_PRINTED 6
typedef struct {
  const char* name;
  uint64_t count;
} check_t;

static inline __attribute__((format(printf, 2, 3))) void fail(check_t* check, const char* format,
                                                              ...) {
  uint64_t n = __atomic_fetch_add(&check->count, 1, __ATOMIC_RELAXED);
  if (n >= STRESS_PRINTED) {
    return;
  }
  char text[300];
  va_list args;
  va_start(args, format);
  vsnprintf(text, sizeof text, format, args);
  va_end(args);
  printf("# FAIL (%s): %s\n", check->name, text);
  if (n + 1 == STRESS_PRINTED) {
    printf("# (further failures of '%s' are counted, not printed)\n", check->name);
  }
}

// One TAP line for a check: ok when it never failed.
static inline void report(check_t* check) {
  char line[200];
  uint64_t n = __atomic_load_n(&check->count, __ATOMIC_RELAXED);
  snprintf(line, sizeof line, "%s (%" PRIu64 " failures)", check->name, n);
  ok(n == 0, line);
}

// --- Workers ---------------------------------------------------------------------------

#define STRESS_MAX_WORKERS 24

typedef struct worker {
  int (*fn)(struct worker*);
  int index;   // among workers of the same role
  const char* role;
  rng_t rng;
  thrd_t thread;
  volatile const char* doing;  // what it is doing now, for hang reports
  uint64_t ops;                // operations done, for the summary
  int done;                    // set (release) when fn returned
  int result;
} worker_t;

static worker_t workers[STRESS_MAX_WORKERS];
static int nworkers;
static zx_time_t stress_end;  // when workers should stop
static int stress_stop;       // set to stop early (a hang elsewhere)

static inline bool running(void) {
  return !__atomic_load_n(&stress_stop, __ATOMIC_ACQUIRE) && zx_clock_get_monotonic() < stress_end;
}

static int worker_entry(void* arg) {
  worker_t* w = arg;
  int result = w->fn(w);
  w->doing = "finished";
  __atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
  return result;
}

// Adds a worker (not started).
static inline worker_t* add_worker(const char* role, int index, int (*fn)(worker_t*)) {
  if (nworkers == STRESS_MAX_WORKERS) {
    printf("# too many workers\n");
    return NULL;
  }
  worker_t* w = &workers[nworkers];
  w->fn = fn;
  w->index = index;
  w->role = role;
  w->rng = rng_stream((uint64_t)nworkers + 1);
  w->doing = "starting";
  nworkers++;
  return w;
}

static check_t hang_check = {"every worker finishes within 20 s of the end", 0};

// Starts every worker, lets them run STRESS_MS, and waits for them (20 s at most past the
// end). Returns false, having reported each one still running and what it was doing,
// when one hangs: the caller should then exit at once (exiting kills the others).
static inline bool run_workers(void) {
  stress_end = zx_deadline_after(STRESS_MS * MS);
  for (int i = 0; i < nworkers; i++) {
    if (thrd_create(&workers[i].thread, worker_entry, &workers[i]) != thrd_success) {
      printf("# thrd_create failed for %s %d\n", workers[i].role, workers[i].index);
      __atomic_store_n(&stress_stop, 1, __ATOMIC_RELEASE);
      nworkers = i;
      break;
    }
  }
  zx_time_t give_up = stress_end + 20000 * MS;
  for (;;) {
    int left = 0;
    for (int i = 0; i < nworkers; i++) {
      left += !__atomic_load_n(&workers[i].done, __ATOMIC_ACQUIRE);
    }
    if (left == 0) {
      break;
    }
    if (zx_clock_get_monotonic() > give_up) {
      for (int i = 0; i < nworkers; i++) {
        if (!__atomic_load_n(&workers[i].done, __ATOMIC_ACQUIRE)) {
          fail(&hang_check, "%s %d still running 20 s after the end, in: %s", workers[i].role,
               workers[i].index, (const char*)workers[i].doing);
        }
      }
      report(&hang_check);
      return false;
    }
    zx_nanosleep(zx_deadline_after(10 * MS));
  }
  for (int i = 0; i < nworkers; i++) {
    int result = -1;
    if (thrd_join(workers[i].thread, &result) != thrd_success || result != 0) {
      printf("# %s %d: thrd_join failed or returned %d\n", workers[i].role, workers[i].index,
             result);
    }
  }
  return true;
}

// "# role index: N ops" for each worker.
static inline void print_workers(const char* unit) {
  for (int i = 0; i < nworkers; i++) {
    printf("# %s %d: %" PRIu64 " %s\n", workers[i].role, workers[i].index, workers[i].ops, unit);
  }
}

// --- Pauses: quiescent checks between rounds ------------------------------------------

// Workers that take part call pause_point() at the top of their loop; the main thread
// calls pause_all(n) to wait (up to 20 s) until n of them are parked, checks, then
// resume_all().
static zx_futex_t pause_requested;
static zx_futex_t paused_count;
static zx_futex_t resume_gen;

static inline void pause_point(worker_t* w) {
  if (!__atomic_load_n(&pause_requested, __ATOMIC_ACQUIRE)) {
    return;
  }
  const char* was = (const char*)w->doing;
  w->doing = "parked for a check";
  int gen = __atomic_load_n(&resume_gen, __ATOMIC_ACQUIRE);
  __atomic_fetch_add(&paused_count, 1, __ATOMIC_ACQ_REL);
  zx_futex_wake(&paused_count, 1);
  while (__atomic_load_n(&resume_gen, __ATOMIC_ACQUIRE) == gen) {
    zx_futex_wait(&resume_gen, gen, ZX_HANDLE_INVALID, zx_deadline_after(100 * MS));
  }
  w->doing = was;
}

static check_t pause_check = {"workers park for each quiescent check within 20 s", 0};

static inline bool pause_all(int n) {
  __atomic_store_n(&pause_requested, 1, __ATOMIC_RELEASE);
  zx_time_t give_up = zx_deadline_after(20000 * MS);
  for (;;) {
    int now = __atomic_load_n(&paused_count, __ATOMIC_ACQUIRE);
    if (now == n) {
      return true;
    }
    if (zx_clock_get_monotonic() > give_up) {
      fail(&pause_check, "only %d of %d workers parked", now, n);
      for (int i = 0; i < nworkers; i++) {
        printf("# %s %d: %s\n", workers[i].role, workers[i].index, (const char*)workers[i].doing);
      }
      return false;
    }
    zx_futex_wait(&paused_count, now, ZX_HANDLE_INVALID, zx_deadline_after(10 * MS));
  }
}

static inline void resume_all(void) {
  __atomic_store_n(&paused_count, 0, __ATOMIC_RELEASE);
  __atomic_store_n(&pause_requested, 0, __ATOMIC_RELEASE);
  __atomic_fetch_add(&resume_gen, 1, __ATOMIC_ACQ_REL);
  zx_futex_wake(&resume_gen, UINT32_MAX);
}

// --- The leak check --------------------------------------------------------------------

typedef struct {
  uint64_t free_bytes;
  zrk_info_kernel_objects_t objects;
} usage_t;

static inline usage_t usage(void) {
  usage_t u;
  memset(&u, 0, sizeof u);
  zx_info_kmem_stats_t kmem;
  memset(&kmem, 0, sizeof kmem);
  zx_handle_t info = zrk_startup()->info_resource;
  zx_object_get_info(info, ZX_INFO_KMEM_STATS, &kmem, sizeof kmem, NULL, NULL);
  zx_object_get_info(info, ZRK_INFO_KERNEL_OBJECTS, &u.objects, sizeof u.objects, NULL, NULL);
  // Free memory outside the heap plus the heap: the heap keeps its high-water marks
  // (handle-table slots, run-queue room), which is no leak (as <zrk/vmo_util.h>).
  u.free_bytes = kmem.free_bytes + kmem.total_heap_bytes;
  return u;
}

static inline bool same_usage(const usage_t* a, const usage_t* b) {
  return a->free_bytes == b->free_bytes && memcmp(&a->objects, &b->objects, sizeof a->objects) == 0;
}

// Dead threads are reaped a moment after they signal their end (by their CPU's next
// switch): waits up to 2 s for free memory and kernel objects to come back to `before`,
// then prints two TAP lines.
static inline void check_no_leaks(const usage_t* before) {
  zx_time_t give_up = zx_deadline_after(2000 * MS);
  usage_t now = usage();
  while (!same_usage(&now, before) && zx_clock_get_monotonic() < give_up) {
    zx_nanosleep(zx_deadline_after(MS));
    now = usage();
  }
  const zrk_info_kernel_objects_t* b = &before->objects;
  const zrk_info_kernel_objects_t* n = &now.objects;
  printf("# free bytes before %" PRIu64 ", after %" PRIu64 " (%+" PRId64 ")\n", before->free_bytes,
         now.free_bytes, (int64_t)(now.free_bytes - before->free_bytes));
  ok(now.free_bytes == before->free_bytes,
     "free memory comes back (ZX_INFO_KMEM_STATS free_bytes + total_heap_bytes)");
  if (memcmp(n, b, sizeof *n) != 0) {
    printf("# kernel objects after - before: processes %+" PRId64 ", threads %+" PRId64
           ", VMOs %+" PRId64 ", VMARs %+" PRId64 ", resources %+" PRId64 ", handles %+" PRId64
           ", events %+" PRId64 ", timers %+" PRId64 "\n",
           (int64_t)(n->processes - b->processes), (int64_t)(n->threads - b->threads),
           (int64_t)(n->vmos - b->vmos), (int64_t)(n->vmars - b->vmars),
           (int64_t)(n->resources - b->resources), (int64_t)(n->handles - b->handles),
           (int64_t)(n->events - b->events), (int64_t)(n->timers - b->timers));
  }
  ok(memcmp(n, b, sizeof *n) == 0, "kernel objects by type come back (ZRK_INFO_KERNEL_OBJECTS)");
}

// Prints the program's parameters.
static inline void stress_banner(const char* name) {
  printf("# stress %s: seed %#" PRIx64 ", %d ms, %u CPUs\n", name, (uint64_t)STRESS_SEED,
         (int)STRESS_MS, zx_system_get_num_cpus());
}

#endif  // ZRK_STRESS_H_
