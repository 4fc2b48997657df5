// Stress: 8 threads write one VMO with zx_vmo_write (and now and then through a mapping
// of it) while 4 threads read it back, on every CPU.
//
// Zircon promises no atomicity for a zx_vmo_write as a whole (nor for any part of it),
// so the checks ask only what it does promise: a write that has returned is there, all
// of it, for any thread on any CPU, and bytes come from writes, never from elsewhere.
//
// - Disjoint ranges: writer w owns 4 pages and keeps one record there at a time, at a
//   random offset and length (32 B to 16 KiB, unaligned, across pages): a header (magic,
//   writer, sequence number, offset, length) and bytes generated from (writer,
//   sequence). It publishes each record through a sequence lock: odd while writing, even
//   once zx_vmo_write has returned. Readers take a published record, read it (with
//   zx_vmo_read, or by copying from their own mapping of the VMO), and keep the result
//   only if the lock did not move meanwhile: then every byte must be the record's.
//   A mismatch is a completed write that another CPU does not see (or sees torn, or at
//   the wrong place).
// - Overlapping ranges: all 8 writers also write random runs of 64-byte cells of one
//   shared 8-page area, each cell's bytes generated from (writer, generation, cell), and
//   record when each write started and ended (ordered time stamps). Every 250 ms the
//   writers park and the main thread checks every byte of the area: it must come from
//   the last write of some writer to that cell, and not from one that a write starting
//   after it ended has replaced. Interleaving of concurrent writes, down to the byte, is
//   allowed; lost writes, stale bytes and bytes from nowhere are not.
// - At each pause, each writer's own area still holds its last record exactly.
// - Free memory and kernel objects come back at the end.
#include "stress.h"

#define WRITERS 8
#define READERS 4
#define AREA_PAGES 4
#define AREA (AREA_PAGES * PAGE)
#define SHARED_PAGES 8
#define SHARED_BASE (WRITERS * AREA)
#define CELL 64
#define CELLS (SHARED_PAGES * PAGE / CELL)
#define VMO_SIZE (SHARED_BASE + SHARED_PAGES * PAGE)
#define MAGIC 0x7265636fu  // "ocer"
#define ROUND_MS 250

typedef struct {
  uint32_t magic;
  uint32_t writer;
  uint64_t seq;
  uint64_t offset;  // in the writer's area
  uint64_t len;     // header included
} header_t;

// Published by writer w: where its current record is. `lock` is odd while it writes.
static struct {
  uint32_t lock;
  uint64_t seq, offset, len;
} published[WRITERS];

// Writer w's last write to each shared cell: generation (0: none) and when it ran.
static struct {
  uint32_t gen;
  uint64_t start, end;
} last_write[WRITERS][CELLS];

static zx_handle_t vmo;
static uint8_t* mapped;  // the whole VMO, read-write

static check_t torn = {"a record whose write completed reads back whole on every CPU", 0};
static check_t stale = {"each writer's area holds its last record at every pause", 0};
static check_t shared = {"every shared byte comes from a write not yet replaced", 0};
static check_t statuses = {"zx_vmo_write and zx_vmo_read say ZX_OK", 0};

// The record of writer w, sequence seq, length len (>= sizeof(header_t)), at offset.
static void make_record(uint8_t* buf, uint32_t w, uint64_t seq, uint64_t offset, uint64_t len) {
  header_t h = {MAGIC, w, seq, offset, len};
  memcpy(buf, &h, sizeof h);
  uint64_t x = mix3(w, seq, len);
  for (uint64_t i = sizeof h; i < len; i++) {
    if ((i & 7) == 0) {
      x = x * 6364136223846793005ull + 1442695040888963407ull;
    }
    buf[i] = (uint8_t)(x >> ((i & 7) * 8)) ^ (uint8_t)i;
  }
}

// The byte at `i` of a cell written by (w, gen).
static inline uint8_t cell_byte(uint32_t w, uint32_t gen, uint64_t cell, uint64_t i) {
  return (uint8_t)(mix3(w + 1, gen, cell) >> ((i & 7) * 8)) ^ (uint8_t)(i * 37);
}

static int stop_writers;  // set by the main thread after its last check

static int writer(worker_t* me) {
  static uint8_t bufs[WRITERS][AREA];
  uint8_t* buf = bufs[me->index];
  uint32_t w = (uint32_t)me->index;
  uint64_t area = w * AREA;
  uint64_t seq = 0;
  uint32_t gen = 0;
  while (!__atomic_load_n(&stop_writers, __ATOMIC_ACQUIRE)) {
    pause_point(me);
    bool via_mapping = rng_chance(&me->rng, 150);
    // A new record in the writer's own area.
    seq++;
    uint64_t len = sizeof(header_t) + (rng_chance(&me->rng, 300)
                                           ? rng_below(&me->rng, 64)
                                           : rng_below(&me->rng, AREA - sizeof(header_t) + 1));
    uint64_t offset = rng_below(&me->rng, AREA - len + 1);
    make_record(buf, w, seq, offset, len);
    __atomic_store_n(&published[w].lock, __atomic_load_n(&published[w].lock, __ATOMIC_RELAXED) + 1,
                     __ATOMIC_RELAXED);
    full_fence();
    me->doing = "writing its record";
    if (via_mapping) {
      memcpy(mapped + area + offset, buf, len);
    } else {
      zx_status_t st = zx_vmo_write(vmo, buf, area + offset, len);
      if (st != ZX_OK) {
        fail(&statuses, "writer %u: zx_vmo_write of %" PRIu64 " bytes: %s", w, len,
             zx_status_get_string(st));
      }
    }
    full_fence();
    __atomic_store_n(&published[w].seq, seq, __ATOMIC_RELAXED);
    __atomic_store_n(&published[w].offset, offset, __ATOMIC_RELAXED);
    __atomic_store_n(&published[w].len, len, __ATOMIC_RELAXED);
    __atomic_store_n(&published[w].lock, __atomic_load_n(&published[w].lock, __ATOMIC_RELAXED) + 1,
                     __ATOMIC_RELEASE);
    me->ops++;

    // A run of shared cells.
    gen++;
    uint64_t n = 1 + rng_below(&me->rng, rng_chance(&me->rng, 200) ? 128 : 24);
    uint64_t first = rng_below(&me->rng, CELLS - n + 1);
    for (uint64_t c = 0; c < n; c++) {
      for (uint64_t i = 0; i < CELL; i++) {
        buf[c * CELL + i] = cell_byte(w, gen, first + c, i);
      }
    }
    me->doing = "writing shared cells";
    uint64_t start = stamp();
    if (via_mapping) {
      memcpy(mapped + SHARED_BASE + first * CELL, buf, n * CELL);
    } else {
      zx_status_t st = zx_vmo_write(vmo, buf, SHARED_BASE + first * CELL, n * CELL);
      if (st != ZX_OK) {
        fail(&statuses, "writer %u: zx_vmo_write of %" PRIu64 " cells: %s", w, n,
             zx_status_get_string(st));
      }
    }
    uint64_t end = stamp();
    for (uint64_t c = first; c < first + n; c++) {
      last_write[w][c].gen = gen;
      last_write[w][c].start = start;
      last_write[w][c].end = end;
    }
    me->ops++;
  }
  return 0;
}

static uint64_t validated, raced;

static int reader(worker_t* me) {
  static uint8_t bufs[READERS][2][AREA];
  uint8_t* got = bufs[me->index][0];
  uint8_t* want = bufs[me->index][1];
  bool via_mapping = me->index % 2 == 1;
  uint64_t mine_validated = 0, mine_raced = 0;
  while (running()) {
    uint32_t w = (uint32_t)rng_below(&me->rng, WRITERS);
    uint32_t lock = __atomic_load_n(&published[w].lock, __ATOMIC_ACQUIRE);
    uint64_t seq = __atomic_load_n(&published[w].seq, __ATOMIC_RELAXED);
    uint64_t offset = __atomic_load_n(&published[w].offset, __ATOMIC_RELAXED);
    uint64_t len = __atomic_load_n(&published[w].len, __ATOMIC_RELAXED);
    if (lock % 2 == 1 || len == 0 || offset + len > AREA) {
      continue;  // being written (the fields may be half-updated), or none yet
    }
    uint64_t at = w * AREA + offset;
    me->doing = "reading a record";
    if (via_mapping) {
      memcpy(got, mapped + at, len);
    } else {
      zx_status_t st = zx_vmo_read(vmo, got, at, len);
      if (st != ZX_OK) {
        fail(&statuses, "reader %d: zx_vmo_read: %s", me->index, zx_status_get_string(st));
      }
    }
    full_fence();
    if (__atomic_load_n(&published[w].lock, __ATOMIC_RELAXED) != lock) {
      mine_raced++;  // rewritten meanwhile: it may be torn, and that is allowed
      continue;
    }
    make_record(want, w, seq, offset, len);
    if (memcmp(got, want, len) != 0) {
      uint64_t i = 0;
      while (got[i] == want[i]) {
        i++;
      }
      fail(&torn,
           "reader %d (%s): writer %u's record %" PRIu64 " (%" PRIu64 " bytes at %#" PRIx64
           ") differs at byte %" PRIu64 " (page offset %#" PRIx64 "): %#x, not %#x",
           me->index, via_mapping ? "mapping" : "zx_vmo_read", w, seq, len, at, i,
           (at + i) % PAGE, got[i], want[i]);
    }
    mine_validated++;
    me->ops++;
  }
  __atomic_fetch_add(&validated, mine_validated, __ATOMIC_RELAXED);
  __atomic_fetch_add(&raced, mine_raced, __ATOMIC_RELAXED);
  return 0;
}

static uint64_t checks, candidates_seen[WRITERS + 2];

// With the writers parked: each area holds its record, each shared byte a live write's.
static void check_quiescent(void) {
  static uint8_t got[AREA], want[AREA];
  for (uint32_t w = 0; w < WRITERS; w++) {
    uint64_t len = published[w].len;
    if (len == 0) {
      continue;
    }
    uint64_t at = w * AREA + published[w].offset;
    zx_vmo_read(vmo, got, at, len);
    make_record(want, w, published[w].seq, published[w].offset, len);
    if (memcmp(got, want, len) != 0) {
      fail(&stale, "writer %u's record %" PRIu64 " (%" PRIu64 " bytes at %#" PRIx64
                   ") is not in its area",
           w, published[w].seq, len, at);
    }
  }
  static uint8_t area[SHARED_PAGES * PAGE];
  zx_vmo_read(vmo, area, SHARED_BASE, sizeof area);
  for (uint64_t c = 0; c < CELLS; c++) {
    // The candidates: each writer's last write to the cell, unless a write that started
    // after it ended (by another writer) covers the cell too.
    int cand[WRITERS];
    int ncand = 0;
    for (uint32_t w = 0; w < WRITERS; w++) {
      if (last_write[w][c].gen == 0) {
        continue;
      }
      bool replaced = false;
      for (uint32_t v = 0; v < WRITERS; v++) {
        replaced |= v != w && last_write[v][c].gen != 0 &&
                    last_write[v][c].start > last_write[w][c].end;
      }
      if (!replaced) {
        cand[ncand++] = (int)w;
      }
    }
    candidates_seen[ncand]++;
    for (uint64_t i = 0; i < CELL; i++) {
      uint8_t b = area[c * CELL + i];
      bool fine = false;
      if (ncand == 0) {
        fine = b == 0;
        for (uint32_t w = 0; w < WRITERS; w++) {
          fine &= last_write[w][c].gen == 0;  // (no candidate only when never written)
        }
      }
      for (int k = 0; k < ncand && !fine; k++) {
        fine = b == cell_byte((uint32_t)cand[k], last_write[cand[k]][c].gen, c, i);
      }
      if (!fine) {
        char who[120];
        int len = 0;
        for (int k = 0; k < ncand; k++) {
          len += snprintf(who + len, sizeof who - (size_t)len, " w%d/g%u", cand[k],
                          last_write[cand[k]][c].gen);
        }
        fail(&shared,
             "shared byte %#" PRIx64 " (cell %" PRIu64 ", byte %" PRIu64
             ") is %#x, from none of the live writes:%s",
             SHARED_BASE + c * CELL + i, c, i, b, ncand ? who : " (none: must be 0)");
        break;
      }
    }
  }
  checks++;
}

int main(void) {
  stress_banner("vmo_write");
  usage_t before = usage();
  if (zx_vmo_create(VMO_SIZE, 0, &vmo) != ZX_OK) {
    printf("1..0 # zx_vmo_create failed\n");
    return 1;
  }
  zx_vaddr_t addr = 0;
  if (zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, VMO_SIZE,
                  &addr) != ZX_OK) {
    printf("1..0 # zx_vmar_map failed\n");
    return 1;
  }
  mapped = (uint8_t*)addr;
  for (int i = 0; i < WRITERS; i++) {
    add_worker("writer", i, writer);
  }
  for (int i = 0; i < READERS; i++) {
    add_worker("reader", i, reader);
  }
  stress_end = zx_deadline_after(STRESS_MS * MS);
  // The main thread checks between rounds while the workers run.
  bool started = true;
  for (int i = 0; i < nworkers; i++) {
    started &= thrd_create(&workers[i].thread, worker_entry, &workers[i]) == thrd_success;
  }
  if (!started) {
    printf("# thrd_create failed\n");
    return 1;
  }
  do {
    zx_nanosleep(zx_deadline_after(ROUND_MS * MS));
    if (!pause_all(WRITERS)) {
      report(&pause_check);
      return 1;
    }
    check_quiescent();
    if (zx_clock_get_monotonic() + ROUND_MS * MS >= stress_end) {
      __atomic_store_n(&stop_writers, 1, __ATOMIC_RELEASE);
    }
    resume_all();
  } while (!stop_writers);
  // Every worker ends on its own at stress_end; wait for the rest as run_workers does.
  zx_time_t give_up = stress_end + 20000 * MS;
  for (int i = 0; i < nworkers; i++) {
    while (!__atomic_load_n(&workers[i].done, __ATOMIC_ACQUIRE)) {
      if (zx_clock_get_monotonic() > give_up) {
        fail(&hang_check, "%s %d still running 20 s after the end, in: %s", workers[i].role,
             workers[i].index, (const char*)workers[i].doing);
        report(&hang_check);
        return 1;
      }
      zx_nanosleep(zx_deadline_after(10 * MS));
    }
    thrd_join(workers[i].thread, NULL);
  }
  check_quiescent();
  print_workers("writes/reads");
  printf("# %" PRIu64 " records validated, %" PRIu64 " reads raced a rewrite (skipped), %" PRIu64
         " quiescent checks\n",
         validated, raced, checks);
  printf("# shared cells by live candidates at the checks: 0: %" PRIu64 ", 1: %" PRIu64
         ", 2: %" PRIu64 ", 3+: %" PRIu64 "\n",
         candidates_seen[0], candidates_seen[1], candidates_seen[2],
         checks * CELLS - candidates_seen[0] - candidates_seen[1] - candidates_seen[2]);
  zx_vmar_unmap(zx_vmar_root_self(), addr, VMO_SIZE);
  zx_handle_close(vmo);

  plan(6);
  report(&torn);
  report(&stale);
  report(&shared);
  report(&statuses);
  check_no_leaks(&before);
  return done_testing();
}
