// Argument pools: handles (live, closed, forged, of the wrong type), pointers (valid
// scratch, hostile, the run's own mappings), sizes and offsets at their edges, rights
// masks, option words, deadlines. Part of the fuzzer (userspace/fuzz/fuzz.c includes it).
//
// Every pointer comes with what the fuzzer knows of it: PV_VALID (the kernel can read
// or write all of it: scratch, the read-only page for reads, ...), PV_INVALID (it cannot:
// NULL, the kernel half, non-canonical, below the user base, past the top, the hole, the
// read-only page or the image for writes, a range running into the hole, one that wraps),
// PV_UNKNOWN (the run's mappings, which the run may have unmapped or re-protected since).
// A call that must touch an invalid pointer and says ZX_OK is a violation.
#ifndef ZRK_FUZZ_ARGS_H_
#define ZRK_FUZZ_ARGS_H_

#include "fuzz_model.h"

// --- Handles --------------------------------------------------------------------------------

typedef struct {
  zx_handle_t h;
  int slot;  // pool slot, or -1
  int live;  // 1 the process holds it, 0 it does not, -1 ZX_HANDLE_INVALID
} harg_t;

static harg_t classify_handle(zx_handle_t h) {
  int s = slot_of(h);
  return (harg_t){h, s, h == ZX_HANDLE_INVALID ? -1 : (s >= 0 || is_private(h)) ? 1 : 0};
}

// A handle argument: mostly a live handle of `kind` (mostly one with `rights`), else one
// of another kind, a closed value, a forged value or ZX_HANDLE_INVALID. A call that
// consumes its handle (`consuming`) only ever gets handles the run made. Private handles
// never appear.
static harg_t pick_handle_with(uint8_t kind, bool consuming, zx_rights_t rights) {
  uint8_t need = consuming ? S_OWNED : 0;
  uint64_t r = rnd(100);
  zx_handle_t h = ZX_HANDLE_INVALID;
  int s = -1;
  if (r < 76) {
    // Mostly one with the rights the call needs, so it gets past the rights check.
    s = rights != 0 && chance(700) ? random_slot_with(kind, need, rights) : -1;
    if (s < 0) {
      s = random_slot(kind, need);
    }
    if (s < 0) {
      s = random_slot(K_NONE, need);
    }
  } else if (r < 84) {
    s = random_slot(K_NONE, need);
  } else if (r < 91) {
    if (ndead > 0) {
      h = dead[rnd(ndead < FUZZ_DEAD ? ndead : FUZZ_DEAD)];
    }
  } else if (r < 97) {
    h = (zx_handle_t)rnd64();
    if (!chance(150)) {
      h |= 3;  // Zircon's fixed bits: a forged value that looks like a handle
    }
  }
  if (s >= 0) {
    h = slots[s].h;
  }
  if (is_private(h) || (slot_of(h) < 0 && held_by_another_thread(h))) {
    h = ZX_HANDLE_INVALID;  // (the start-up handles every thread holds stay)
  }
  s = slot_of(h);
  if (consuming && s >= 0 && !(slots[s].flags & S_OWNED)) {
    h = ZX_HANDLE_INVALID;
  }
  return classify_handle(h);
}

static harg_t pick_handle(uint8_t kind, bool consuming) {
  return pick_handle_with(kind, consuming, 0);
}

// --- Pointers -------------------------------------------------------------------------------

enum { PV_VALID, PV_INVALID, PV_UNKNOWN };

typedef struct {
  uint64_t p;
  int validity;
} ptr_t;

// Read-only bytes for the kernel to read (printable, for zx_debug_write).
static const char fuzz_text[1024] = {[0 ... 1022] = '.'};  // GNU range designator

static bool in_range(uint64_t p, uint64_t len, uintptr_t start, uintptr_t end) {
  return p >= start && p <= end && len <= end - p;
}

// Could [p, p + len) touch one of the run's own mappings (or sub-VMARs)?
static bool maybe_run_memory(uint64_t p, uint64_t len) {
  uint64_t end = len > UINT64_MAX - p ? UINT64_MAX : p + len;
  if (ranges_overlap(p, end, mem.arena_base, mem.arena_base + ARENA_SIZE)) {
    return true;
  }
  for (int i = 0; i < nroot_maps; i++) {
    if (ranges_overlap(p, end, root_maps[i].start, root_maps[i].end)) {
      return true;
    }
  }
  for (int i = 0; i < nroot_vmars; i++) {
    if (ranges_overlap(p, end, root_vmars[i].range.start, root_vmars[i].range.end)) {
      return true;
    }
  }
  return false;
}

// What the kernel can do with `len` bytes at p: write them if `write`, else read them.
static int classify_ptr(uint64_t p, uint64_t len, bool write) {
  if (in_range(p, len, (uintptr_t)mem.scratch, mem.scratch_end)) {
    return PV_VALID;
  }
  if (!write && in_range(p, len, mem.lazy, mem.scratch_end)) {
    return PV_VALID;  // lazy pages (they read as zeros), the read-only page, scratch
  }
  if (!write && in_range(p, len, (uintptr_t)fuzz_text, (uintptr_t)fuzz_text + sizeof fuzz_text)) {
    return PV_VALID;
  }
  const zrk_startup_t* s = zrk_startup();
  uintptr_t block_page = (uintptr_t)s & ~(uintptr_t)(FUZZ_PAGE - 1);
  if (!write && (in_range(p, len, block_page, block_page + FUZZ_PAGE) ||
                 in_range(p, len, s->stack_base, s->stack_base + s->stack_size))) {
    return PV_VALID;  // the start-up block, the stack (committed by the loader)
  }
  if (!write && mem.thread_stack.end != 0 &&
      in_range(p, len, mem.thread_stack.start, mem.thread_stack.end)) {
    return PV_UNKNOWN;  // this thread's stack (committed at set-up) or a guard around it
  }
  if (len == 0) {
    return PV_UNKNOWN;  // nothing to touch: whatever the kernel does is right
  }
  if (in_range(p, len, mem.lazy, mem.lazy + LAZY_PAGES * FUZZ_PAGE)) {
    return PV_UNKNOWN;  // writable, unless memory runs out when the page is faulted in
  }
  if (maybe_run_memory(p, len)) {
    return PV_UNKNOWN;
  }
  if (!write && in_range(p, len, (uintptr_t)__zrk_image_start, (uintptr_t)__zrk_image_end)) {
    return PV_UNKNOWN;  // the image (readable where the loader mapped it)
  }
  return PV_INVALID;
}

// A scratch address with room for `len` bytes (as much as there is when len is large),
// sometimes unaligned, sometimes straddling a page boundary inside scratch; never in the
// tail (TAIL_BYTES: the close_many array, handle lists and arrays).
static uint64_t scratch_ptr(uint64_t len) {
  uint64_t room = SCRATCH_PAGES * FUZZ_PAGE - TAIL_BYTES;
  uint64_t need = len < room ? len : room;
  uint64_t off;
  if (chance(150)) {
    uint64_t boundary = FUZZ_PAGE * (1 + rnd(SCRATCH_PAGES - 1));
    uint64_t back = need == 0 ? 0 : rnd(need);
    off = boundary - back;
    if (off + need > room) {
      off = room - need;
    }
  } else {
    off = rnd(room - need + 1);
    if (!chance(250)) {
      off &= ~(uint64_t)7;
    }
  }
  return (uint64_t)(uintptr_t)mem.scratch + off;
}

// True if [p, p + len) touches the image (whose data segment is the fuzzer's state), the
// stack, or (with threads) any memory another thread set up: a pointer made up at
// random never goes to the kernel as a place to write.
static bool touches_own_state(uint64_t p, uint64_t len) {
  uint64_t end = len > UINT64_MAX - p ? UINT64_MAX : p + len;
  const zrk_startup_t* s = zrk_startup();
  // The start-up block is writable (the C runtime fills its handle fields): a kernel
  // write there would change the handles the fuzzer uses.
  uintptr_t block_page = (uintptr_t)s & ~(uintptr_t)(FUZZ_PAGE - 1);
  if (ranges_overlap(p, end, (uintptr_t)__zrk_image_start, (uintptr_t)__zrk_image_end) ||
      ranges_overlap(p, end, s->stack_base, s->stack_base + s->stack_size) ||
      ranges_overlap(p, end, block_page, block_page + FUZZ_PAGE)) {
    return true;
  }
  for (int i = 0; FUZZ_THREADS > 1 && i < nprotected; i++) {
    const range_t* r = &protected_ranges[i];
    bool mine = (r->start == mem.fixed_base || r->start == mem.arena_base);
    if (!mine && ranges_overlap(p, end, r->start, r->end)) {
      return true;
    }
  }
  return false;
}

static uint64_t hostile_ptr_any(uint64_t len, uint64_t half);

// A hostile pointer for `len` bytes: never one the kernel can fully write, and never one
// into the fuzzer's own writable memory.
static uint64_t hostile_ptr(uint64_t len, bool write) {
  uint64_t half = len / 2 > 0 ? len / 2 : 1;
  if (half > FUZZ_PAGE) {
    half = FUZZ_PAGE;
  }
  uint64_t p = hostile_ptr_any(len, half);
  if (write && p >= (uintptr_t)mem.ro && p < (uintptr_t)mem.ro + FUZZ_PAGE) {
    return p;  // the read-only page (possibly running on into scratch)
  }
  if (write && touches_own_state(p, len) && p != (uintptr_t)zrk_readonly_ptr() &&
      p != (uintptr_t)__zrk_image_start) {
    return 0;
  }
  return p;
}

static uint64_t hostile_ptr_any(uint64_t len, uint64_t half) {
  if (chance(350)) {
    // The kinds every C test tries (<zrk/bad_ptr.h>): NULL, the kernel half,
    // non-canonical, below the user base, an unmapped page, past the top of user space,
    // off the end of the image.
    zrk_bad_ptr_t bad[ZRK_BAD_PTR_MAX];
    size_t n = zrk_bad_ptrs(bad, len);
    return (uint64_t)(uintptr_t)bad[rnd(n)].ptr;
  }
  switch (rnd(12)) {
    case 0:
      return 0xfffffffffffff000ull;  // the last kernel page
    case 1:
      return 0x200000 - half;  // running up into the user base (2 MiB) from below
    case 2:
      return 0x0000ffffff000000ull;  // past Zircon's user top, below 2^48
    case 3:
      return mem.hole + rnd(HOLE_PAGES * FUZZ_PAGE);  // the hole
    case 4:
      return mem.scratch_end - half;  // from scratch into the hole
    case 5:
      return UINT64_MAX - half + 1;  // wraps around
    case 6:
      return mem.stack_guard;  // the loader's guard below the stack
    case 7:
      return mem.hole + 1 + rnd(64);  // unaligned, in the hole
    case 8:
      return (uint64_t)rnd64();  // anything at all
    case 9:
      return mem.lazy - half;  // from before the fixed VMAR into the lazy pages
    default:
      // Read-only for writes: the read-only page, rodata, code, and the read-only page
      // running on into scratch. (Not the start-up block: zrk_launch maps it writable.)
      switch (rnd(5)) {
        case 0:
          return mem.ro + rnd(FUZZ_PAGE);
        case 1:
          return (uint64_t)(uintptr_t)zrk_readonly_ptr();
        case 2:
          return (uint64_t)(uintptr_t)__zrk_image_start;
        case 3:
          return (uint64_t)(uintptr_t)fuzz_text + rnd(sizeof fuzz_text);
        default:
          return mem.ro + FUZZ_PAGE - half;
      }
  }
}

// An address inside one of the run's mappings (of vmo_obj if it has one), or 0.
static uint64_t mapping_ptr(int vmo_obj) {
  const mapping_t* m = random_mapping(vmo_obj);
  if (m == NULL) {
    return 0;
  }
  uint64_t off = m->len == 0 ? 0 : rnd(m->len);
  if (chance(500)) {
    off &= ~(FUZZ_PAGE - 1);
  }
  return m->addr + off;
}

// A buffer the kernel writes `len` bytes to. `vmo_obj` (or -1) steers toward a mapping
// of the VMO the call works on; `allow_mapping` false keeps to scratch and hostile
// pointers (for outputs the fuzzer must read back).
static ptr_t out_ptr(uint64_t len, int vmo_obj, bool allow_mapping) {
  uint64_t r = rnd(100);
  uint64_t p;
  if (r < (allow_mapping ? 76u : 86u)) {
    p = scratch_ptr(len);
  } else if (r < 82 && allow_mapping && (p = mapping_ptr(vmo_obj)) != 0) {
    // p set
  } else if (r < 88 && allow_mapping) {
    uint64_t room = LAZY_PAGES * FUZZ_PAGE;
    p = mem.lazy + rnd(room - (len < room ? len : room) + 1);
  } else {
    p = hostile_ptr(len, true);
  }
  int v = classify_ptr(p, len, true);
  if (!allow_mapping && v == PV_UNKNOWN) {
    // The fuzzer reads these back (handle values, sizes): never a place it cannot read
    // (a handle the kernel wrote where the fuzzer cannot see it would be lost in its
    // table until the run ends, and the leak checks would count it).
    p = mem.hole + rnd(HOLE_PAGES * FUZZ_PAGE - len % (HOLE_PAGES * FUZZ_PAGE));
    v = PV_INVALID;
  }
  return (ptr_t){p, v};
}

// A buffer the kernel reads `len` bytes from: scratch, the read-only page, the image,
// the fuzzer's own stack (`local`, `local_len`), a mapping, or a hostile pointer.
static ptr_t in_ptr(uint64_t len, int vmo_obj, const void* local, size_t local_len) {
  uint64_t r = rnd(100);
  uint64_t p;
  if (r < 45) {
    p = scratch_ptr(len);
  } else if (r < 52) {
    p = mem.ro + rnd(FUZZ_PAGE);  // read-only, maybe running on into scratch
  } else if (r < 58) {
    p = (uint64_t)(uintptr_t)fuzz_text + rnd(sizeof fuzz_text);
  } else if (r < 62) {
    p = (uint64_t)(uintptr_t)local + (local_len ? rnd(local_len) : 0);
  } else if (r < 65) {
    p = (uint64_t)(uintptr_t)__zrk_image_start + rnd(FUZZ_PAGE * 4);
  } else if (r < 79 && (p = mapping_ptr(vmo_obj)) != 0) {
    // p set
  } else {
    p = hostile_ptr(len, false);
  }
  int v = classify_ptr(p, len, false);
  if (v == PV_INVALID && (uintptr_t)local <= p && p - (uintptr_t)local < local_len) {
    v = PV_UNKNOWN;  // the fuzzer's stack, past the local buffer: readable, unknown how far
  }
  return (ptr_t){p, v};
}

// --- Numbers --------------------------------------------------------------------------------

#define VMO_MAX_SIZE_ZX 0xfffffffffffe0000ull

// A size or offset at an edge: 0, 1, around pages, around `ref` (the size the call is
// about), around UINT64_MAX, INT64_MAX and the VMO size limit, powers of two.
static uint64_t pick_size(uint64_t ref) {
  switch (rnd(26)) {
    case 0:
      return 0;
    case 1:
      return 1;
    case 2:
      return rnd(64);
    case 3:
      return rnd(2 * FUZZ_PAGE);
    case 4:
      return FUZZ_PAGE - 1 + rnd(3);
    case 5:
    case 6:
      return FUZZ_PAGE * (1 + rnd(16));
    case 7:
      return FUZZ_PAGE * (1 + rnd(16)) + rnd(3) - 1;
    case 8:
    case 9:
      return ref;
    case 10:
      return ref + 1;
    case 11:
      return ref - (ref != 0);
    case 12:
      return ref + FUZZ_PAGE;
    case 13:
      return ref >= FUZZ_PAGE ? ref - FUZZ_PAGE : 0;
    case 14:
      return rnd(ref + 1);
    case 15:
      return UINT64_MAX;
    case 16:
      return UINT64_MAX - FUZZ_PAGE + 1;
    case 17:
      return UINT64_MAX - rnd(FUZZ_PAGE);
    case 18:
      return (uint64_t)INT64_MAX + rnd(2);
    case 19:
      return VMO_MAX_SIZE_ZX + rnd(3) - 1;
    case 20:
      return VMO_MAX_SIZE_ZX - FUZZ_PAGE + rnd(2);
    case 21:
      return (uint64_t)1 << rnd(64);
    case 22:
      return ((uint64_t)1 << rnd(64)) - 1;
    case 23:
      return rnd64();
    case 24:
      return UINT64_MAX - ref + rnd(2);
    default:
      return FUZZ_PAGE * rnd(64);
  }
}

// A length for work that commits or maps page by page: pick_size, but large lengths
// (over `cap`) are cut down, except rarely, so a run spends its time on many calls
// rather than on filling memory. Values within 2^24 of UINT64_MAX (the overflow edges)
// stay as they are.
static uint64_t pick_work_size(uint64_t ref, uint64_t cap, unsigned big_per_mille) {
  uint64_t n = pick_size(ref);
  if (n > cap && n < UINT64_MAX - ((uint64_t)1 << 24) && !chance(big_per_mille)) {
    n %= cap + 1;
  }
  return n;
}

// A rights mask for duplicate/replace: SAME_RIGHTS, the handle's rights, a subset, none,
// one right too many, or anything.
static zx_rights_t pick_rights(zx_rights_t have) {
  switch (rnd(10)) {
    case 0:
    case 1:
    case 2:
      return ZX_RIGHT_SAME_RIGHTS;
    case 3:
      return have;
    case 4:
    case 5:
    case 6:
      return have & (zx_rights_t)rnd64();
    case 7:
      return 0;
    case 8:
      return have | ((zx_rights_t)1 << rnd(32));
    default:
      return (zx_rights_t)rnd64();
  }
}

// A deadline: the past, now, or a few microseconds ahead (the kernel sleeps in 10 ms
// ticks, so a deadline further ahead costs real time and is rare).
static zx_time_t pick_deadline(void) {
  zx_time_t now = zx_clock_get_monotonic();
  switch (rnd(10)) {
    case 0:
      return 0;
    case 1:
      return -1;
    case 2:
      return INT64_MIN;
    case 3:
      return now - (zx_time_t)rnd(1000000);
    case 4:
      return now;
    case 5:
      return chance(100) ? now + 20000 + (zx_time_t)rnd(200000) : now;
    default:
      return now + (zx_time_t)rnd(2000);
  }
}

// Mostly bit 31 down to 0 one at a time, sometimes anything.
static uint32_t random_bit_or_word(void) {
  return chance(700) ? (uint32_t)1 << rnd(32) : (uint32_t)rnd64();
}

static uint32_t pick_vmo_create_options(void) {
  switch (rnd(12)) {
    case 0:
    case 1:
    case 2:
    case 3:
    case 4:
      return 0;
    case 5:
    case 6:
    case 7:
      return ZX_VMO_RESIZABLE;
    case 8:
      return ZX_VMO_DISCARDABLE;
    case 9:
      return ZX_VMO_RESIZABLE | ZX_VMO_DISCARDABLE;
    default:
      return random_bit_or_word();
  }
}

static uint32_t pick_child_options(void) {
  static const uint32_t valid[] = {
      ZX_VMO_CHILD_SNAPSHOT,
      ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_RESIZABLE,
      ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE,
      ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE | ZX_VMO_CHILD_RESIZABLE,
      ZX_VMO_CHILD_SLICE,
      ZX_VMO_CHILD_SLICE | ZX_VMO_CHILD_NO_WRITE,
      ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_NO_WRITE,
      ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE | ZX_VMO_CHILD_NO_WRITE,
      ZX_VMO_CHILD_SLICE | ZX_VMO_CHILD_RESIZABLE,
      ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_NO_WRITE | ZX_VMO_CHILD_RESIZABLE,
      ZX_VMO_CHILD_REFERENCE,
      ZX_VMO_CHILD_REFERENCE | ZX_VMO_CHILD_RESIZABLE,
      ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_SLICE,
      0,
  };
  uint32_t options = valid[rnd(sizeof valid / sizeof valid[0])];
  if (chance(120)) {
    options |= random_bit_or_word();
  }
  return options;
}

// Mostly what works (read, read-write), sometimes execute, none, or what never does
// (write or execute without read).
static const uint32_t perm_sets[] = {
    ZX_VM_PERM_READ,
    ZX_VM_PERM_READ,
    ZX_VM_PERM_READ,
    ZX_VM_PERM_READ | ZX_VM_PERM_WRITE,
    ZX_VM_PERM_READ | ZX_VM_PERM_WRITE,
    ZX_VM_PERM_READ | ZX_VM_PERM_WRITE,
    ZX_VM_PERM_READ | ZX_VM_PERM_WRITE,
    0,
    ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE,
    ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE,
    ZX_VM_PERM_WRITE,
    ZX_VM_PERM_EXECUTE,
    ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE,
};

static uint32_t pick_perms(void) { return perm_sets[rnd(sizeof perm_sets / sizeof perm_sets[0])]; }

// An alignment request: none mostly, else an exponent, valid (10..32) or not.
static uint32_t pick_align(void) {
  if (!chance(150)) {
    return 0;
  }
  uint32_t exponent = chance(800) ? 10 + (uint32_t)rnd(23) : (uint32_t)rnd(64);
  return exponent << ZX_VM_ALIGN_BASE;
}

// Options for zx_vmar_map: permissions, placement (SPECIFIC, SPECIFIC_OVERWRITE,
// OFFSET_IS_UPPER_LIMIT), MAP_RANGE, ALLOW_FAULTS, REQUIRE_NON_RESIZABLE, an alignment,
// and now and then a bit that does not belong (CAN_MAP_*, unknown).
static uint32_t pick_map_options(void) {
  uint32_t options = pick_perms();
  uint64_t placement = rnd(10);
  if (placement < 3) {
    options |= ZX_VM_SPECIFIC;
  } else if (placement == 3) {
    options |= ZX_VM_SPECIFIC_OVERWRITE;
  } else if (placement == 4) {
    options |= ZX_VM_OFFSET_IS_UPPER_LIMIT;
  }
  if (chance(100)) {
    options |= ZX_VM_MAP_RANGE;
  }
  if (chance(200)) {
    options |= ZX_VM_ALLOW_FAULTS;
  }
  if (chance(80)) {
    options |= ZX_VM_REQUIRE_NON_RESIZABLE;
  }
  options |= pick_align();
  if (chance(60)) {
    options |= random_bit_or_word();
  }
  return options;
}

static uint32_t pick_allocate_options(void) {
  uint32_t options = 0;
  if (!chance(100)) {
    options |= ZX_VM_CAN_MAP_READ;
  }
  if (!chance(200)) {
    options |= ZX_VM_CAN_MAP_WRITE;
  }
  if (chance(200)) {
    options |= ZX_VM_CAN_MAP_EXECUTE;
  }
  if (!chance(150)) {
    options |= ZX_VM_CAN_MAP_SPECIFIC;
  }
  uint64_t placement = rnd(10);
  if (placement < 3) {
    options |= ZX_VM_SPECIFIC;
  } else if (placement == 3) {
    options |= ZX_VM_OFFSET_IS_UPPER_LIMIT;
  }
  if (chance(100)) {
    options |= ZX_VM_COMPACT;
  }
  options |= pick_align();
  if (chance(60)) {
    options |= chance(500) ? pick_perms() : random_bit_or_word();
  }
  return options;
}

static uint32_t pick_protect_options(void) {
  uint32_t options = pick_perms();
  if (chance(60)) {
    options |= random_bit_or_word();
  }
  return options;
}

#endif  // ZRK_FUZZ_ARGS_H_
