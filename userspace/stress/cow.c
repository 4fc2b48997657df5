// Stress: copy-on-write snapshots (ZX_VMO_CHILD_SNAPSHOT) taken while other threads
// write the parent, on every CPU.
//
// The parent P has 32 pages. Four writers own 8 pages each (page p belongs to writer
// p % 4) and rewrite them whole, each time with a new generation g: every 8-byte word
// of the page becomes (g << 16) | p. Half the writers use zx_vmo_write, half store
// through their mapping of P (so a snapshot must also take write access away from
// mappings on other CPUs). Around each write a writer publishes started[p] = g before
// and completed[p] = g after. Two snapshotters read completed[] for every page, create
// a snapshot of P, then read started[]: the snapshot is an eager copy made at one
// instant, so for each page:
// - every word names page p, and its generation lies in [completed before, started
//   after] (a write that ended before the snapshot is in it; one that began after is
//   not);
// - at the instant of the copy at most one write to the page was in flight, so the page
//   holds one generation, or two consecutive ones (a write caught half done: Zircon
//   does not make a write atomic);
// - it does not change afterwards: read again after the writers have moved on (and
//   after the snapshotter wrote pages of its own snapshot), it is the same;
// - a snapshot of the snapshot equals it, and closing them in either order is fine.
// Writers read their page back after writing it: the snapshotters' writes never show
// in P. Free memory and kernel objects come back at the end (every copied page freed).
#include "stress.h"

#define PAGES 32
#define LEN (PAGES * PAGE)
#define WORDS (PAGE / 8)
#define WRITERS 4
#define SNAPSHOTTERS 2

static zx_handle_t parent;
static uint64_t* parent_map;
static uint32_t started[PAGES], completed[PAGES];

static check_t in_range = {"each snapshot page holds generations of writes around the snapshot",
                           0};
static check_t one_write = {"each snapshot page holds at most one write caught half done", 0};
static check_t stable = {"a snapshot does not change when the parent is written afterwards", 0};
static check_t chained = {"a snapshot of a snapshot equals it", 0};
static check_t parent_ok = {"the parent holds what its writer wrote (no snapshot write leaks)",
                            0};
static check_t statuses = {"create_child, read, write, map and close say ZX_OK", 0};

#define CHECK_OK(call)                                                                 \
  do {                                                                                 \
    zx_status_t st_ = (call);                                                          \
    if (st_ != ZX_OK) {                                                                \
      fail(&statuses, "%s: %s", #call, zx_status_get_string(st_));                     \
    }                                                                                  \
  } while (0)

static int writer(worker_t* me) {
  static uint64_t bufs[WRITERS][WORDS];
  uint64_t* buf = bufs[me->index];
  bool via_mapping = me->index % 2 == 1;
  uint32_t gen[PAGES] = {0};
  while (running()) {
    uint64_t p = (uint64_t)me->index + WRITERS * rng_below(&me->rng, PAGES / WRITERS);
    uint32_t g = ++gen[p];
    uint64_t word = ((uint64_t)g << 16) | p;
    __atomic_store_n(&started[p], g, __ATOMIC_RELAXED);
    full_fence();
    me->doing = via_mapping ? "writing a page through the mapping" : "zx_vmo_write of a page";
    if (via_mapping) {
      uint64_t* dst = parent_map + p * WORDS;
      for (uint64_t i = 0; i < WORDS; i++) {
        __atomic_store_n(&dst[i], word, __ATOMIC_RELAXED);
      }
    } else {
      for (uint64_t i = 0; i < WORDS; i++) {
        buf[i] = word;
      }
      CHECK_OK(zx_vmo_write(parent, buf, p * PAGE, PAGE));
    }
    full_fence();
    __atomic_store_n(&completed[p], g, __ATOMIC_RELEASE);
    me->ops++;
    if (rng_chance(&me->rng, 100)) {
      me->doing = "reading its page back";
      CHECK_OK(zx_vmo_read(parent, buf, p * PAGE, PAGE));
      for (uint64_t i = 0; i < WORDS; i++) {
        if (buf[i] != word) {
          fail(&parent_ok, "page %" PRIu64 " word %" PRIu64 " of P is %#" PRIx64 ", not %#" PRIx64,
               p, i, buf[i], word);
          break;
        }
      }
    }
  }
  return 0;
}

static uint64_t page_hash(const uint64_t* words) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (uint64_t i = 0; i < WORDS; i++) {
    h = (h ^ words[i]) * 0x100000001b3ull;
  }
  return h;
}

static uint64_t snapshots, half_done_pages;

// Checks one page of a fresh snapshot against the window [lo, hi].
static void check_page(worker_t* me, const uint64_t* words, uint64_t p, uint32_t lo, uint32_t hi) {
  uint32_t g1 = UINT32_MAX, g2 = UINT32_MAX;
  for (uint64_t i = 0; i < WORDS; i++) {
    uint64_t w = words[i];
    uint32_t g = (uint32_t)(w >> 16);
    bool empty = w == 0 && lo == 0;  // never written before the snapshot
    if (!empty && ((w & 0xffff) != p || g < lo || g > hi)) {
      fail(&in_range,
           "snapshotter %d: page %" PRIu64 " word %" PRIu64 " is %#" PRIx64
           " (generation %u), outside [%u, %u]",
           me->index, p, i, w, g, lo, hi);
      return;
    }
    if (g == g1 || g == g2) {
      continue;
    }
    if (g1 == UINT32_MAX) {
      g1 = g;
    } else if (g2 == UINT32_MAX) {
      g2 = g;
    } else {
      fail(&one_write,
           "snapshotter %d: page %" PRIu64 " holds generations %u, %u and %u (window [%u, %u])",
           me->index, p, g1, g2, g, lo, hi);
      return;
    }
  }
  if (g2 != UINT32_MAX) {
    __atomic_fetch_add(&half_done_pages, 1, __ATOMIC_RELAXED);
    uint32_t a = g1 < g2 ? g1 : g2, b = g1 < g2 ? g2 : g1;
    if (b != a + 1) {
      fail(&one_write,
           "snapshotter %d: page %" PRIu64 " mixes generations %u and %u (window [%u, %u])",
           me->index, p, a, b, lo, hi);
    }
  }
}

static int snapshotter(worker_t* me) {
  static uint64_t pages[SNAPSHOTTERS][PAGES][WORDS];
  static uint64_t hashes[SNAPSHOTTERS][PAGES];
  uint64_t(*words)[WORDS] = pages[me->index];
  uint64_t* hash = hashes[me->index];
  uint32_t lo[PAGES], hi[PAGES];
  while (running()) {
    for (uint64_t p = 0; p < PAGES; p++) {
      lo[p] = __atomic_load_n(&completed[p], __ATOMIC_ACQUIRE);
    }
    full_fence();
    me->doing = "zx_vmo_create_child(SNAPSHOT)";
    zx_handle_t snap = ZX_HANDLE_INVALID;
    zx_status_t st = zx_vmo_create_child(parent, ZX_VMO_CHILD_SNAPSHOT, 0, LEN, &snap);
    full_fence();
    for (uint64_t p = 0; p < PAGES; p++) {
      hi[p] = __atomic_load_n(&started[p], __ATOMIC_RELAXED);
    }
    if (st != ZX_OK) {
      fail(&statuses, "zx_vmo_create_child(SNAPSHOT): %s", zx_status_get_string(st));
      continue;
    }
    __atomic_fetch_add(&snapshots, 1, __ATOMIC_RELAXED);
    // Read it, through a mapping or with zx_vmo_read.
    bool via_mapping = rng_chance(&me->rng, 500);
    zx_vaddr_t addr = 0;
    if (via_mapping) {
      me->doing = "reading the snapshot through a mapping";
      CHECK_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, snap, 0, LEN,
                           &addr));
      if (addr != 0) {
        memcpy(words, (const void*)addr, LEN);
      }
    } else {
      me->doing = "reading the snapshot with zx_vmo_read";
      CHECK_OK(zx_vmo_read(snap, words, 0, LEN));
    }
    for (uint64_t p = 0; p < PAGES; p++) {
      check_page(me, words[p], p, lo[p], hi[p]);
      hash[p] = page_hash(words[p]);
    }
    // Write some pages of the snapshot (they become its own), take a snapshot of it,
    // let the writers move on, and read both again.
    uint64_t mine = rng_below(&me->rng, PAGES);
    uint64_t marker[4] = {0x5eed5eed5eed5eedull, mine, (uint64_t)me->index, snapshots};
    me->doing = "writing the snapshot";
    if (via_mapping && addr != 0) {
      memcpy((void*)(addr + mine * PAGE), marker, sizeof marker);
    } else {
      CHECK_OK(zx_vmo_write(snap, marker, mine * PAGE, sizeof marker));
    }
    memcpy(words[mine], marker, sizeof marker);
    hash[mine] = page_hash(words[mine]);
    zx_handle_t grandchild = ZX_HANDLE_INVALID;
    bool chain = rng_chance(&me->rng, 500);
    if (chain) {
      me->doing = "snapshot of the snapshot";
      CHECK_OK(zx_vmo_create_child(snap, ZX_VMO_CHILD_SNAPSHOT, 0, LEN, &grandchild));
    }
    zx_nanosleep(zx_deadline_after((zx_duration_t)rng_below(&me->rng, 2000) * 1000));
    static uint64_t again[SNAPSHOTTERS][WORDS];
    me->doing = "reading the snapshot again";
    for (uint64_t p = 0; p < PAGES; p++) {
      CHECK_OK(zx_vmo_read(snap, again[me->index], p * PAGE, PAGE));
      if (page_hash(again[me->index]) != hash[p]) {
        fail(&stable, "snapshotter %d: page %" PRIu64 " of snapshot %" PRIu64
                      " changed after it was read (word 0 was %#" PRIx64 ", is %#" PRIx64 ")",
             me->index, p, snapshots, words[p][0], again[me->index][0]);
      }
      if (grandchild != ZX_HANDLE_INVALID) {
        CHECK_OK(zx_vmo_read(grandchild, again[me->index], p * PAGE, PAGE));
        if (page_hash(again[me->index]) != hash[p]) {
          fail(&chained, "snapshotter %d: page %" PRIu64 " of a snapshot's snapshot differs",
               me->index, p);
        }
      }
    }
    me->doing = "closing";
    if (addr != 0) {
      CHECK_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, LEN));
    }
    if (grandchild != ZX_HANDLE_INVALID && rng_chance(&me->rng, 500)) {
      CHECK_OK(zx_handle_close(snap));
      CHECK_OK(zx_handle_close(grandchild));
    } else {
      CHECK_OK(zx_handle_close(grandchild));
      CHECK_OK(zx_handle_close(snap));
    }
    me->ops++;
  }
  return 0;
}

int main(void) {
  stress_banner("cow");
  usage_t before = usage();
  zx_vaddr_t addr = 0;
  if (zx_vmo_create(LEN, 0, &parent) != ZX_OK ||
      zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, parent, 0, LEN,
                  &addr) != ZX_OK) {
    printf("1..0 # set-up failed\n");
    return 1;
  }
  parent_map = (uint64_t*)addr;
  for (int i = 0; i < WRITERS; i++) {
    add_worker("writer", i, writer);
  }
  for (int i = 0; i < SNAPSHOTTERS; i++) {
    add_worker("snapshotter", i, snapshotter);
  }
  if (!run_workers()) {
    return 1;
  }
  print_workers("pages written / snapshots checked");
  printf("# %" PRIu64 " snapshots, %" PRIu64 " pages caught with a write half done\n", snapshots,
         half_done_pages);
  zx_vmar_unmap(zx_vmar_root_self(), addr, LEN);
  zx_handle_close(parent);

  plan(8);
  report(&in_range);
  report(&one_write);
  report(&stable);
  report(&chained);
  report(&parent_ok);
  report(&statuses);
  check_no_leaks(&before);
  return done_testing();
}
