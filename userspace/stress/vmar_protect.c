// Stress: protect and decommit racing page faults, on every CPU. Region P is 8 pages of
// VMO V mapped read-write. Four workers store to their own word of each page and read
// it back with zx_vmo_read (which reads the VMO, not through the worker's TLB); one
// thread flips P between read-write and read-only with zx_vmar_protect; another
// decommits pages of V now and then. Checks:
// - once zx_vmar_protect(READ) has returned, a write into P from any thread fails: each
//   worker probes with zx_vmo_read into P (the kernel's user copy, which obeys the page
//   tables and this CPU's TLB as a store would, but fails with ZX_ERR_ACCESS_DENIED
//   instead of killing the process) and must get ACCESS_DENIED. While the protect runs,
//   the workers race it with such writes into pages just decommitted (write faults),
//   so a fault that installs a writable entry after the protect changed the mapping
//   shows up as a probe that succeeds (and so does a TLB entry another CPU kept);
// - once zx_vmar_protect(READ | WRITE) has returned, the same probe succeeds;
// - a store through P is in V (zx_vmo_read sees it) unless a decommit ran meanwhile (a
//   sequence lock around each decommit says): a store that went to a page V no longer
//   has (a stale TLB entry after the decommit) reads back as zero;
// - a load of a worker's own word reads its last store, or zero after a decommit.
// Stores happen only while P is read-write: a worker acknowledges each "going
// read-only" before the protect thread calls zx_vmar_protect(READ), and stores again
// only once it has seen protect(READ | WRITE) return.
// No kernel panic, no hang, and free memory and kernel objects come back at the end.
#include "stress.h"

#define PAGES 8
#define LEN (PAGES * PAGE)
#define STORERS 4

static zx_handle_t vmo_v, vmo_src;

static check_t ro_probe = {"after protect(READ) returns, a write into the region fails", 0};
static check_t rw_probe = {"after protect(READ|WRITE) returns, a write into the region works", 0};
static check_t store_lost = {"a store through the mapping is in the VMO (no decommit between)", 0};
static check_t load_value = {"a load of a worker's word reads its last store or zero", 0};
static check_t ctl_status = {"protect and decommit say ZX_OK", 0};

#define CTL(call)                                                                      \
  do {                                                                                 \
    zx_status_t st_ = (call);                                                          \
    if (st_ != ZX_OK) {                                                                \
      fail(&ctl_status, "%s: %s", #call, zx_status_get_string(st_));                   \
    }                                                                                  \
  } while (0)

// --- Region P: protect and decommit ------------------------------------------------------

static uint8_t* region_p;
enum { P_RW, P_GOING_RO, P_RO, P_GOING_RW };
static zx_futex_t p_phase;
static zx_futex_t p_phase_gen;  // one more each time the phase goes to P_GOING_RO
static zx_futex_t p_acks;       // storers that stopped storing for this P_GOING_RO
static zx_futex_t decommit_seq; // odd while a decommit runs
static uint64_t protects, decommits;

static int storer(worker_t* me) {
  uint64_t w = (uint64_t)me->index;
  uint64_t last[PAGES] = {0};
  int acked_gen = -1;
  uint64_t value = w << 56;
  while (running()) {
    int phase = __atomic_load_n(&p_phase, __ATOMIC_ACQUIRE);
    uint64_t p = rng_below(&me->rng, PAGES);
    uint64_t* word = (uint64_t*)(region_p + p * PAGE + w * 8);
    uint8_t* probe = region_p + p * PAGE + 2048 + w * 64;
    if (phase == P_RW) {
      // Store, then read the VMO itself.
      me->doing = "store and read back";
      uint32_t s0 = __atomic_load_n(&decommit_seq, __ATOMIC_ACQUIRE);
      value++;
      __atomic_store_n(word, value, __ATOMIC_RELAXED);
      last[p] = value;
      full_fence();
      uint64_t got = 0;
      zx_status_t st = zx_vmo_read(vmo_v, &got, p * PAGE + w * 8, 8);
      full_fence();
      uint32_t s1 = __atomic_load_n(&decommit_seq, __ATOMIC_ACQUIRE);
      if (st != ZX_OK) {
        fail(&store_lost, "storer %" PRIu64 ": zx_vmo_read of V: %s", w, zx_status_get_string(st));
      } else if (s0 % 2 == 0 && s0 == s1 && got != value) {
        fail(&store_lost,
             "storer %" PRIu64 " stored %#" PRIx64 " at page %" PRIu64
             " and no decommit ran, but V holds %#" PRIx64,
             w, value, p, got);
      }
      if (s0 != s1 || s0 % 2 == 1) {
        last[p] = UINT64_MAX;  // unknown: the store may or may not have survived
      }
      // A write by the kernel into the region must work while it is read-write (the
      // protect thread waits for our ack before it takes write away).
      if (__atomic_load_n(&p_phase, __ATOMIC_ACQUIRE) == P_RW) {
        me->doing = "probe (read-write)";
        st = zx_vmo_read(vmo_src, probe, 0, 8);
        if (st != ZX_OK && __atomic_load_n(&p_phase, __ATOMIC_ACQUIRE) == P_RW) {
          fail(&rw_probe, "storer %" PRIu64 ": a write into page %" PRIu64 " of P said %s", w, p,
               zx_status_get_string(st));
        }
      }
    } else {
      int gen = __atomic_load_n(&p_phase_gen, __ATOMIC_ACQUIRE);
      if (acked_gen != gen) {
        acked_gen = gen;
        __atomic_fetch_add(&p_acks, 1, __ATOMIC_ACQ_REL);
        zx_futex_wake(&p_acks, 1);
      }
      // Writes by the kernel racing the protect (ACCESS_DENIED once it has run), and a
      // check once it has returned.
      me->doing = "probe (going read-only or read-only)";
      zx_status_t st = zx_vmo_read(vmo_src, probe, 0, 8);
      phase = __atomic_load_n(&p_phase, __ATOMIC_ACQUIRE);
      if (phase == P_RO && st != ZX_ERR_ACCESS_DENIED) {
        // The probe may have begun before the protect returned: probe again, now that
        // it has, and see that write did not come back meanwhile (the protect thread
        // leaves P_RO before it starts giving write back).
        st = zx_vmo_read(vmo_src, probe, 0, 8);
        full_fence();
        if (st != ZX_ERR_ACCESS_DENIED && __atomic_load_n(&p_phase, __ATOMIC_ACQUIRE) == P_RO) {
          // Still writable a moment later, from this CPU? (A page-table entry left
          // writable stays so; a stale TLB entry may go.)
          zx_nanosleep(zx_deadline_after(MS));
          zx_status_t again = zx_vmo_read(vmo_src, probe, 0, 8);
          full_fence();
          bool still_ro = __atomic_load_n(&p_phase, __ATOMIC_ACQUIRE) == P_RO;
          fail(&ro_probe,
               "storer %" PRIu64 ": a write into read-only page %" PRIu64
               " of P (protect cycle %d) said %s; 1 ms later %s%s",
               w, p, __atomic_load_n(&p_phase_gen, __ATOMIC_RELAXED), zx_status_get_string(st),
               zx_status_get_string(again), still_ro ? "" : " (P no longer read-only)");
        }
      } else if (st != ZX_OK && st != ZX_ERR_ACCESS_DENIED) {
        fail(&ro_probe, "storer %" PRIu64 ": a write into page %" PRIu64 " of P said %s", w, p,
             zx_status_get_string(st));
      }
      // Loads work in every phase: the last store or, after a decommit, zero.
      uint64_t got = __atomic_load_n(word, __ATOMIC_RELAXED);
      if (last[p] != UINT64_MAX && got != last[p] && got != 0) {
        fail(&load_value,
             "storer %" PRIu64 " loaded %#" PRIx64 " from page %" PRIu64
             ", having stored %#" PRIx64,
             w, got, p, last[p]);
      }
      if (got == 0) {
        last[p] = 0;
      }
    }
    me->ops++;
  }
  // Let the protect thread go on (it may wait for an ack).
  __atomic_fetch_add(&p_acks, 100, __ATOMIC_ACQ_REL);
  zx_futex_wake(&p_acks, UINT32_MAX);
  return 0;
}

static int protector(worker_t* me) {
  while (running()) {
    zx_nanosleep(zx_deadline_after((zx_duration_t)rng_below(&me->rng, 2000) * 1000));
    // Take write away: once every storer has stopped storing.
    __atomic_store_n(&p_acks, 0, __ATOMIC_RELEASE);
    __atomic_fetch_add(&p_phase_gen, 1, __ATOMIC_ACQ_REL);
    __atomic_store_n(&p_phase, P_GOING_RO, __ATOMIC_RELEASE);
    me->doing = "waiting for the storers' acks";
    zx_time_t give_up = zx_deadline_after(10000 * MS);
    int acks;
    while ((acks = __atomic_load_n(&p_acks, __ATOMIC_ACQUIRE)) < STORERS) {
      if (zx_clock_get_monotonic() > give_up) {
        fail(&ctl_status, "the storers did not stop storing within 10 s (%d acks)", acks);
        __atomic_store_n(&stress_stop, 1, __ATOMIC_RELEASE);
        return 0;
      }
      zx_futex_wait(&p_acks, acks, ZX_HANDLE_INVALID, zx_deadline_after(10 * MS));
    }
    me->doing = "protect(READ)";
    CTL(zx_vmar_protect(zx_vmar_root_self(), ZX_VM_PERM_READ, (zx_vaddr_t)region_p, LEN));
    __atomic_store_n(&p_phase, P_RO, __ATOMIC_RELEASE);
    // Its own check, right away.
    for (uint64_t p = 0; p < PAGES; p++) {
      zx_status_t st = zx_vmo_read(vmo_src, region_p + p * PAGE + 4000, 0, 8);
      if (st != ZX_ERR_ACCESS_DENIED) {
        fail(&ro_probe, "protector: a write into read-only page %" PRIu64 " of P said %s", p,
             zx_status_get_string(st));
      }
    }
    zx_nanosleep(zx_deadline_after((zx_duration_t)rng_below(&me->rng, 3000) * 1000));
    me->doing = "protect(READ|WRITE)";
    __atomic_store_n(&p_phase, P_GOING_RW, __ATOMIC_RELEASE);
    full_fence();
    CTL(zx_vmar_protect(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE,
                        (zx_vaddr_t)region_p, LEN));
    __atomic_store_n(&p_phase, P_RW, __ATOMIC_RELEASE);
    protects++;
    me->ops++;
  }
  __atomic_store_n(&p_phase, P_RW, __ATOMIC_RELEASE);
  return 0;
}

static int decommitter(worker_t* me) {
  while (running()) {
    zx_nanosleep(zx_deadline_after((zx_duration_t)rng_below(&me->rng, 3000) * 1000));
    me->doing = "decommit";
    __atomic_fetch_add(&decommit_seq, 1, __ATOMIC_ACQ_REL);
    full_fence();
    uint64_t first = rng_below(&me->rng, PAGES);
    uint64_t n = rng_chance(&me->rng, 500) ? PAGES - first : 1;
    CTL(zx_vmo_op_range(vmo_v, ZX_VMO_OP_DECOMMIT, first * PAGE, n * PAGE, NULL, 0));
    full_fence();
    __atomic_fetch_add(&decommit_seq, 1, __ATOMIC_ACQ_REL);
    decommits++;
    me->ops++;
  }
  return 0;
}

int main(void) {
  stress_banner("vmar_protect");
  usage_t before = usage();
  zx_handle_t root = zx_vmar_root_self();
  bool set_up = zx_vmo_create(LEN, 0, &vmo_v) == ZX_OK;
  set_up &= zx_vmo_create(PAGE, 0, &vmo_src) == ZX_OK;
  zx_vaddr_t addr = 0;
  set_up &= zx_vmar_map(root, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo_v, 0, LEN, &addr) == ZX_OK;
  region_p = (uint8_t*)addr;
  if (!set_up) {
    printf("1..0 # set-up failed\n");
    return 1;
  }
  for (int i = 0; i < STORERS; i++) {
    add_worker("storer", i, storer);
  }
  add_worker("protector", 0, protector);
  add_worker("decommitter", 0, decommitter);
  if (!run_workers()) {
    return 1;
  }
  print_workers("operations");
  printf("# %" PRIu64 " protect cycles, %" PRIu64 " decommits\n", protects, decommits);
  zx_vmar_unmap(root, (zx_vaddr_t)region_p, LEN);
  zx_handle_close(vmo_v);
  zx_handle_close(vmo_src);

  plan(7);
  report(&ro_probe);
  report(&rw_probe);
  report(&store_lost);
  report(&load_value);
  report(&ctl_status);
  check_no_leaks(&before);
  return done_testing();
}
