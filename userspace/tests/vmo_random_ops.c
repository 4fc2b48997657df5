// Random sequences of VMO operations checked byte for byte against a simple model, the
// guest-side twin of the kernel's host property tests: roots (resizable or not),
// snapshots of them at random offsets and sizes (past the parent's end included),
// slices of anything not resizable (slices of slices and of snapshots included), writes
// and ZEROs at random unaligned ranges, resizes to unaligned sizes, and closes in any
// order. In the model a snapshot is an eager copy and a slice a window onto its parent's
// bytes; after every operation every open VMO is read whole and compared. Each run ends
// with everything closed and the kernel's free memory back where it started.
#include <zircon/process.h>
#include <zircon/rights.h>
#include <zircon/syscalls/object.h>
#include <zrk/startup.h>
#include <zrk/test.h>
#include <zrk/vmo_util.h>

enum {
  MAX_PAGES = 8,
  MAX_VMOS = 12,
  MAX_BACKINGS = 64,
  BACKING_BYTES = 2 * MAX_PAGES * ZX_PAGE_SIZE,  // a snapshot may reach past its parent
};

// Bytes a root or a snapshot owns; slices point into their parent's.
static uint8_t backing[MAX_BACKINGS][BACKING_BYTES];
static int backings_used;

struct vmo {
  bool live;
  zx_handle_t h;
  int backing;      // index into backing[]
  uint64_t offset;  // of this VMO's byte 0 in its backing
  uint64_t size;    // page-rounded
  bool resizable;
  bool slice;
};
static struct vmo vmos[MAX_VMOS];
static uint8_t scratch[BACKING_BYTES], got[BACKING_BYTES];

static uint64_t rng_state;
static uint64_t rnd(uint64_t n) {  // xorshift64*, uniform enough for this
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return n == 0 ? 0 : (rng_state * 2685821657736338717ull >> 11) % n;
}

static int new_backing(void) {
  if (backings_used == MAX_BACKINGS) {
    return -1;
  }
  memset(backing[backings_used], 0, BACKING_BYTES);
  return backings_used++;
}

static int free_slot(void) {
  for (int i = 0; i < MAX_VMOS; i++) {
    if (!vmos[i].live) {
      return i;
    }
  }
  return -1;
}

static int pick_live(bool (*wanted)(const struct vmo*)) {
  int candidates[MAX_VMOS], n = 0;
  for (int i = 0; i < MAX_VMOS; i++) {
    if (vmos[i].live && (wanted == NULL || wanted(&vmos[i]))) {
      candidates[n++] = i;
    }
  }
  return n == 0 ? -1 : candidates[rnd((uint64_t)n)];
}

static bool is_not_slice(const struct vmo* v) { return !v->slice; }
static bool is_fixed(const struct vmo* v) { return !v->resizable; }
static bool is_resizable(const struct vmo* v) { return v->resizable; }
static bool has_bytes(const struct vmo* v) { return v->size > 0; }

static uint8_t* model(const struct vmo* v) { return backing[v->backing] + v->offset; }

// Reads every open VMO whole and compares it with the model; false on a mismatch.
static bool check_all(int step, const char* what) {
  for (int i = 0; i < MAX_VMOS; i++) {
    if (!vmos[i].live) {
      continue;
    }
    uint64_t size = 0;
    zx_status_t s = zx_vmo_get_size(vmos[i].h, &size);
    if (s != ZX_OK || size != vmos[i].size) {
      TEST_CONTEXT("step %d (%s): VMO %d size", step, what, i);
      EXPECT_OK(s);
      EXPECT_EQ(size, vmos[i].size);
      return false;
    }
    s = zx_vmo_read(vmos[i].h, got, 0, vmos[i].size);
    if (s != ZX_OK || memcmp(got, model(&vmos[i]), vmos[i].size) != 0) {
      TEST_CONTEXT("step %d (%s): VMO %d contents", step, what, i);
      EXPECT_OK(s);
      for (uint64_t b = 0; b < vmos[i].size; b++) {
        if (got[b] != model(&vmos[i])[b]) {
          printf("# VMO %d (%s, backing %d at %#" PRIx64 "): byte %#" PRIx64
                 " is %#x, the model says %#x\n",
                 i, vmos[i].slice ? "slice" : "own pages", vmos[i].backing, vmos[i].offset, b,
                 got[b], model(&vmos[i])[b]);
          EXPECT_EQ(got[b], model(&vmos[i])[b]);
          break;
        }
      }
      return false;
    }
  }
  return true;
}

static const char* op_create(void) {
  int slot = free_slot(), b = new_backing();
  if (slot < 0 || b < 0) {
    return NULL;
  }
  uint64_t pages = rnd(MAX_PAGES + 1);
  bool resizable = rnd(2);
  zx_handle_t h;
  if (zx_vmo_create(pages * PAGE - (pages ? rnd(PAGE) : 0), resizable ? ZX_VMO_RESIZABLE : 0,
                    &h) != ZX_OK) {
    return "create failed";
  }
  vmos[slot] = (struct vmo){true, h, b, 0, pages * PAGE, resizable, false};
  return "create";
}

static const char* op_snapshot(void) {
  int slot = free_slot(), from = pick_live(is_not_slice);
  if (slot < 0 || from < 0) {
    return NULL;
  }
  int b = new_backing();
  if (b < 0) {
    return NULL;
  }
  struct vmo* p = &vmos[from];
  uint64_t offset = rnd(p->size / PAGE + 2) * PAGE;
  uint64_t pages = rnd(MAX_PAGES + 1);
  bool resizable = rnd(2);
  zx_handle_t h;
  zx_status_t s = zx_vmo_create_child(
      p->h, ZX_VMO_CHILD_SNAPSHOT | (resizable ? ZX_VMO_CHILD_RESIZABLE : 0), offset,
      pages * PAGE - (pages ? rnd(PAGE) : 0), &h);
  if (s != ZX_OK) {
    printf("# snapshot of VMO %d at %#" PRIx64 ": %s\n", from, offset, zx_status_get_string(s));
    return "snapshot failed";
  }
  // An eager copy of what the parent shows there; zeros past its end.
  for (uint64_t i = 0; i < pages * PAGE; i++) {
    backing[b][i] = offset + i < p->size ? model(p)[offset + i] : 0;
  }
  vmos[slot] = (struct vmo){true, h, b, 0, pages * PAGE, resizable, false};
  return "snapshot";
}

static const char* op_slice(void) {
  int slot = free_slot(), from = pick_live(is_fixed);
  if (slot < 0 || from < 0) {
    return NULL;
  }
  struct vmo* p = &vmos[from];
  uint64_t first = rnd(p->size / PAGE + 1);
  uint64_t pages = rnd(p->size / PAGE - first + 1);
  zx_handle_t h;
  zx_status_t s = zx_vmo_create_child(p->h, ZX_VMO_CHILD_SLICE, first * PAGE,
                                      pages * PAGE - (pages ? rnd(PAGE) : 0), &h);
  if (s != ZX_OK) {
    printf("# slice of VMO %d: %s\n", from, zx_status_get_string(s));
    return "slice failed";
  }
  vmos[slot] = (struct vmo){true, h, p->backing, p->offset + first * PAGE, pages * PAGE, false,
                            true};
  return "slice";
}

static void random_range(const struct vmo* v, uint64_t* off, uint64_t* len) {
  *off = rnd(v->size);
  *len = 1 + rnd(v->size - *off);
  if (rnd(4) == 0 && *len > 64) {
    *len = 1 + rnd(64);  // small ones too
  }
}

static const char* op_write(void) {
  int i = pick_live(has_bytes);
  if (i < 0) {
    return NULL;
  }
  uint64_t off, len;
  random_range(&vmos[i], &off, &len);
  uint8_t seed = (uint8_t)rnd(256);
  for (uint64_t k = 0; k < len; k++) {
    scratch[k] = (uint8_t)(seed + k * 13);
  }
  if (zx_vmo_write(vmos[i].h, scratch, off, len) != ZX_OK) {
    return "write failed";
  }
  memcpy(model(&vmos[i]) + off, scratch, len);
  return "write";
}

static const char* op_zero(void) {
  int i = pick_live(has_bytes);
  if (i < 0) {
    return NULL;
  }
  uint64_t off, len;
  random_range(&vmos[i], &off, &len);
  if (rnd(2)) {  // whole pages as well as unaligned ranges
    off &= ~(PAGE - 1);
    len = ((len + PAGE - 1) & ~(PAGE - 1));
    if (off + len > vmos[i].size) {
      len = vmos[i].size - off;
    }
  }
  if (zx_vmo_op_range(vmos[i].h, ZX_VMO_OP_ZERO, off, len, NULL, 0) != ZX_OK) {
    return "zero failed";
  }
  memset(model(&vmos[i]) + off, 0, len);
  return "zero";
}

static const char* op_resize(void) {
  int i = pick_live(is_resizable);
  if (i < 0) {
    return NULL;
  }
  struct vmo* v = &vmos[i];
  uint64_t bytes = rnd(MAX_PAGES * PAGE + 1);
  uint64_t rounded = (bytes + PAGE - 1) & ~(PAGE - 1);
  if (zx_vmo_set_size(v->h, bytes) != ZX_OK) {
    return "resize failed";
  }
  // Bytes past the new size are zero, now and if it grows again.
  memset(model(v) + bytes, 0, BACKING_BYTES - v->offset - bytes);
  v->size = rounded;
  return "resize";
}

static const char* op_close(void) {
  int i = pick_live(NULL);
  if (i < 0) {
    return NULL;
  }
  if (zx_handle_close(vmos[i].h) != ZX_OK) {
    return "close failed";
  }
  vmos[i].live = false;
  return "close";
}

static int total_steps, counts[8];

static void run(uint64_t seed, int steps) {
  rng_state = seed;
  backings_used = 0;
  memset(vmos, 0, sizeof vmos);
  uint64_t free_before = free_bytes();
  for (int step = 0; step < steps; step++) {
    const char* what = NULL;
    while (what == NULL) {
      switch (rnd(10)) {
        case 0: what = op_create(); break;
        case 1: case 2: what = op_snapshot(); break;
        case 3: what = op_slice(); break;
        case 4: case 5: what = op_write(); break;
        case 6: what = op_zero(); break;
        case 7: what = op_resize(); break;
        default: what = op_close(); break;
      }
      if (backings_used == MAX_BACKINGS && free_slot() < 0) {
        break;
      }
    }
    if (what != NULL && strstr(what, "failed") != NULL) {
      TEST_CONTEXT("seed %" PRIu64 ", step %d", seed, step);
      EXPECT_TRUE(!"operation failed");
      printf("# %s\n", what);
      break;
    }
    total_steps++;
    static const char* names[] = {"create", "snapshot", "slice", "write",
                                  "zero",   "resize",   "close"};
    for (int k = 0; what != NULL && k < 7; k++) {
      counts[k] += strcmp(what, names[k]) == 0;
    }
    if (!check_all(step, what == NULL ? "none" : what)) {
      printf("# seed %" PRIu64 " failed at step %d\n", seed, step);
      break;
    }
    if (backings_used == MAX_BACKINGS) {
      break;  // out of model space: this run is done
    }
  }
  for (int i = 0; i < MAX_VMOS; i++) {
    if (vmos[i].live) {
      EXPECT_OK(zx_handle_close(vmos[i].h));
      vmos[i].live = false;
    }
  }
  TEST_CONTEXT("seed %" PRIu64 ": free memory after closing everything", seed);
  EXPECT_EQ(free_bytes(), free_before);
}

TEST(random_families_match_the_model) {
  for (uint64_t seed = 1; seed <= 40; seed++) {
    run(seed * 0x9e3779b97f4a7c15ull, 400);
  }
  printf("# %d steps: %d creates, %d snapshots, %d slices, %d writes, %d zeros, %d resizes, "
         "%d closes\n",
         total_steps, counts[0], counts[1], counts[2], counts[3], counts[4], counts[5],
         counts[6]);
  EXPECT_GT(counts[1], 100);
  EXPECT_GT(counts[2], 50);
}

int main(void) { return run_tests(); }
