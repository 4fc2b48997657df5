// Stress: unmap, map again, protect, destroy and allocate again, racing the kernel's
// user copies into and out of the region, on every CPU. Region U is 8 pages in a
// sub-VMAR of the root. One thread unmaps U and maps VMO A or VMO B there again
// (SPECIFIC; page p of A and B tagged with A's or B's mark and p), protects a page
// read-only and back, or destroys the whole sub-VMAR and allocates it again at the same
// place. Two workers read U with zx_vmo_write (U as the buffer) and write U's second
// halves with zx_vmo_read, whose faults the kernel resolves or turns into a status
// (a plain load or store could kill the process while U is unmapped). Checks: the
// calls return ZX_OK or what an unmapped or read-only buffer gets (NOT_FOUND,
// ACCESS_DENIED, or INVALID_ARGS while the sub-VMAR is gone); what is read is page p's
// tag of A or of B; the changes themselves say ZX_OK; no kernel panic, no hang; free
// memory and kernel objects come back at the end.
#include "stress.h"

#define PAGES 8
#define LEN (PAGES * PAGE)

static zx_handle_t vmo_a, vmo_b, vmo_src, vmo_sink;

static check_t u_status = {"calls with buffers in a changing region return documented statuses",
                           0};
static check_t u_data = {"what is read from a changing region is A's or B's tag", 0};
static check_t ctl_status = {"map, unmap, protect, destroy, allocate say ZX_OK", 0};

static uint64_t tag_a(uint64_t page) { return 0xA0A0000000000000ull | page; }
static uint64_t tag_b(uint64_t page) { return 0xB0B0000000000000ull | page; }

#define CTL(call)                                                                      \
  do {                                                                                 \
    zx_status_t st_ = (call);                                                          \
    if (st_ != ZX_OK) {                                                                \
      fail(&ctl_status, "%s: %s", #call, zx_status_get_string(st_));                   \
    }                                                                                  \
  } while (0)

// --- Region U: unmap, map again, destroy, allocate again -------------------------------

static zx_handle_t u_vmar;  // sub-VMAR of LEN * 2; U is its first LEN
static uintptr_t u_base;
static uint64_t remaps, recreates;

static int u_changer(worker_t* me) {
  zx_info_vmar_t root;
  zx_object_get_info(zx_vmar_root_self(), ZX_INFO_VMAR, &root, sizeof root, NULL, NULL);
  while (running()) {
    zx_handle_t vmo = rng_chance(&me->rng, 500) ? vmo_a : vmo_b;
    uint64_t r = rng_below(&me->rng, 100);
    zx_vaddr_t addr = 0;
    if (r < 60) {
      me->doing = "unmap and map U";
      CTL(zx_vmar_unmap(u_vmar, u_base, LEN));
      CTL(zx_vmar_map(u_vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC, 0, vmo, 0, LEN,
                      &addr));
      remaps++;
    } else if (r < 85) {
      me->doing = "protect U";
      uint64_t first = rng_below(&me->rng, PAGES);
      CTL(zx_vmar_protect(u_vmar, ZX_VM_PERM_READ, u_base + first * PAGE, PAGE));
      zx_nanosleep(0);
      CTL(zx_vmar_protect(u_vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, u_base + first * PAGE,
                          PAGE));
    } else {
      me->doing = "destroy U's sub-VMAR and allocate it again";
      CTL(zx_vmar_destroy(u_vmar));
      zx_handle_t old = u_vmar, fresh = ZX_HANDLE_INVALID;
      zx_vaddr_t at = 0;
      CTL(zx_vmar_allocate(zx_vmar_root_self(),
                           ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC |
                               ZX_VM_SPECIFIC,
                           u_base - root.base, 2 * LEN, &fresh, &at));
      CTL(zx_vmar_map(fresh, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC, 0, vmo, 0, LEN,
                      &addr));
      u_vmar = fresh;
      zx_handle_close(old);
      recreates++;
    }
    zx_nanosleep(zx_deadline_after((zx_duration_t)rng_below(&me->rng, 300) * 1000));
    me->ops++;
  }
  return 0;
}

static int u_toucher(worker_t* me) {
  uint64_t got[4];
  while (running()) {
    uint64_t p = rng_below(&me->rng, PAGES);
    uint8_t* at = (uint8_t*)u_base + p * PAGE;
    if (rng_chance(&me->rng, 500)) {
      // The kernel reads U (the buffer of a zx_vmo_write into the sink).
      me->doing = "zx_vmo_write from U";
      zx_status_t st = zx_vmo_write(vmo_sink, at, me->index * 64, 16);
      if (st == ZX_OK) {
        zx_vmo_read(vmo_sink, got, me->index * 64, 16);
        if (got[0] != tag_a(p) && got[0] != tag_b(p)) {
          fail(&u_data, "page %" PRIu64 " of U read %#" PRIx64, p, got[0]);
        }
      } else if (st != ZX_ERR_NOT_FOUND && st != ZX_ERR_INVALID_ARGS) {
        fail(&u_status, "zx_vmo_write from page %" PRIu64 " of U: %s", p,
             zx_status_get_string(st));
      }
    } else {
      // The kernel writes U's second half (the buffer of a zx_vmo_read).
      me->doing = "zx_vmo_read into U";
      zx_status_t st = zx_vmo_read(vmo_src, at + 2048 + me->index * 64, 0, 64);
      if (st != ZX_OK && st != ZX_ERR_NOT_FOUND && st != ZX_ERR_ACCESS_DENIED &&
          st != ZX_ERR_INVALID_ARGS) {
        fail(&u_status, "zx_vmo_read into page %" PRIu64 " of U: %s", p, zx_status_get_string(st));
      }
    }
    me->ops++;
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
  stress_banner("vmar_remap");
  usage_t before = usage();
  zx_handle_t root = zx_vmar_root_self();
  vmo_a = tagged(tag_a);
  vmo_b = tagged(tag_b);
  bool set_up = zx_vmo_create(PAGE, 0, &vmo_src) == ZX_OK;
  set_up &= zx_vmo_create(PAGE, 0, &vmo_sink) == ZX_OK;
  zx_vaddr_t addr = 0;
  set_up &= zx_vmar_allocate(root,
                             ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC, 0,
                             2 * LEN, &u_vmar, &u_base) == ZX_OK;
  set_up &= zx_vmar_map(u_vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC, 0, vmo_a, 0,
                        LEN, &addr) == ZX_OK;
  if (!set_up || vmo_a == ZX_HANDLE_INVALID || vmo_b == ZX_HANDLE_INVALID) {
    printf("1..0 # set-up failed\n");
    return 1;
  }
  add_worker("changer", 0, u_changer);
  add_worker("toucher", 0, u_toucher);
  add_worker("toucher", 1, u_toucher);
  add_worker("toucher", 2, u_toucher);
  if (!run_workers()) {
    return 1;
  }
  print_workers("operations");
  printf("# %" PRIu64 " remaps, %" PRIu64 " sub-VMARs made again\n", remaps, recreates);
  zx_vmar_destroy(u_vmar);
  zx_handle_close(u_vmar);
  zx_handle_t all[] = {vmo_a, vmo_b, vmo_src, vmo_sink};
  zx_handle_close_many(all, 4);

  plan(5);
  report(&u_status);
  report(&u_data);
  report(&ctl_status);
  check_no_leaks(&before);
  return done_testing();
}
