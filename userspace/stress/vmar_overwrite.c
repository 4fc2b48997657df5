// Stress: a mapping replaced in place under plain loads, on every CPU. One thread maps
// VMO A or VMO B (8 pages each, page p tagged with A's or B's mark and p) over the same
// 8 pages, O, again and again with ZX_VM_SPECIFIC_OVERWRITE, which replaces what is
// there "atomically (with respect to all other map/unmap/protect operations)" (Fuchsia's
// zx_vmar_map page): at no moment is O unmapped. Two threads load from O with ordinary
// loads, so every replacement races their page faults. Checks: no load faults (a fault
// the kernel does not resolve kills the process, which scripts/stress reports), every
// load reads page p's tag of A or of B, and free memory and kernel objects come back.
//
// As Zircon does it, a page fault looks the mapping up under the address-space lock
// that the replacement holds throughout, so a fault during a replacement resolves
// against the new mapping.
#include "stress.h"

#define PAGES 8
#define LEN (PAGES * PAGE)

static zx_handle_t vmo_a, vmo_b;
static zx_handle_t o_vmar;
static uintptr_t o_base;
static uint64_t overwrites;

static check_t o_data = {"loads from a region replaced in place see A's or B's tag", 0};
static check_t ctl_status = {"zx_vmar_map with SPECIFIC_OVERWRITE says ZX_OK", 0};

static uint64_t tag_a(uint64_t page) { return 0xA0A0000000000000ull | page; }
static uint64_t tag_b(uint64_t page) { return 0xB0B0000000000000ull | page; }

static int o_changer(worker_t* me) {
  while (running()) {
    me->doing = "map over O (SPECIFIC_OVERWRITE)";
    zx_vaddr_t addr;
    zx_handle_t vmo = rng_chance(&me->rng, 500) ? vmo_a : vmo_b;
    zx_status_t st =
        zx_vmar_map(o_vmar, ZX_VM_PERM_READ | ZX_VM_SPECIFIC_OVERWRITE, 0, vmo, 0, LEN, &addr);
    if (st != ZX_OK) {
      fail(&ctl_status, "zx_vmar_map(SPECIFIC_OVERWRITE): %s", zx_status_get_string(st));
    }
    overwrites++;
    me->ops++;
    if (rng_chance(&me->rng, 200)) {
      zx_nanosleep(zx_deadline_after((zx_duration_t)rng_below(&me->rng, 200) * 1000));
    }
  }
  return 0;
}

static int o_loader(worker_t* me) {
  while (running()) {
    me->doing = "loading from O";
    for (int k = 0; k < 64; k++) {
      uint64_t p = rng_below(&me->rng, PAGES);
      uint64_t v = __atomic_load_n((const uint64_t*)(o_base + p * PAGE), __ATOMIC_RELAXED);
      if (v != tag_a(p) && v != tag_b(p)) {
        fail(&o_data, "page %" PRIu64 " of O read %#" PRIx64, p, v);
      }
    }
    me->ops += 64;
  }
  return 0;
}

static zx_handle_t tagged(uint64_t (*tag)(uint64_t)) {
  zx_handle_t vmo = ZX_HANDLE_INVALID;
  zx_vmo_create(LEN, 0, &vmo);
  for (uint64_t p = 0; p < PAGES; p++) {
    uint64_t t = tag(p);
    zx_vmo_write(vmo, &t, p * PAGE, 8);
  }
  return vmo;
}

int main(void) {
  stress_banner("vmar_overwrite");
  usage_t before = usage();
  vmo_a = tagged(tag_a);
  vmo_b = tagged(tag_b);
  zx_vaddr_t addr = 0;
  bool set_up = zx_vmar_allocate(zx_vmar_root_self(), ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_SPECIFIC,
                                 0, LEN, &o_vmar, &o_base) == ZX_OK;
  set_up &= zx_vmar_map(o_vmar, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, 0, vmo_a, 0, LEN, &addr) == ZX_OK;
  if (!set_up || vmo_a == ZX_HANDLE_INVALID || vmo_b == ZX_HANDLE_INVALID) {
    printf("1..0 # set-up failed\n");
    return 1;
  }
  add_worker("O changer", 0, o_changer);
  add_worker("O loader", 0, o_loader);
  add_worker("O loader", 1, o_loader);
  if (!run_workers()) {
    return 1;
  }
  print_workers("operations");
  printf("# %" PRIu64 " replacements\n", overwrites);
  zx_vmar_destroy(o_vmar);
  zx_handle_close(o_vmar);
  zx_handle_close(vmo_a);
  zx_handle_close(vmo_b);

  plan(4);
  report(&o_data);
  report(&ctl_status);
  check_no_leaks(&before);
  return done_testing();
}
