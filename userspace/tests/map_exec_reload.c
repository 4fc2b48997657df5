// Code loaded, unloaded and loaded again into pages that are likely reused: each round
// writes small functions (`mov w0, #N; ret`) with a new N into a VMO, makes it
// executable, runs them and checks they return this round's N, then lets the pages go.
// On a CPU whose instruction cache is not coherent with its data cache (the Raspberry
// Pi 4's Cortex-A72: CTR_EL0 IDC = DIC = 0) a kernel that skipped the cache maintenance
// before a page first becomes executable would run an earlier round's instructions,
// and the function would return the old N.
//
// QEMU has no caches to get wrong, so here these cases show that every path that makes
// a page executable (a new mapping faulting in, zx_vmar_protect adding EXECUTE,
// ZX_VMO_OP_CACHE_SYNC under a live mapping) works and frees what it took; the host test
// in kernel/src/arch/aarch64/cache_plan.rs pins the instruction sequence itself.
#include <zrk/vmar_util.h>

#define ROUNDS 64
#define PAGES 4

static zx_handle_t vmex(void) { return zrk_startup()->vmex_resource; }

// Where the functions go in each page: its first line, a line in the middle, and the
// page's last eight bytes.
static const uint32_t slots[] = {0, 0x7c0, PAGE - 8};
#define SLOTS (sizeof slots / sizeof slots[0])

// The value a function returns: different for every round, page and slot.
static uint32_t value(int round, int page, int slot) {
  return (uint32_t)(round * 97 + page * 11 + slot * 3 + 1) & 0xffff;
}

// AArch64 `movz w0, #imm16; ret`.
static void encode(uint32_t out[2], uint32_t imm16) {
  out[0] = 0x52800000u | (imm16 & 0xffff) << 5;
  out[1] = 0xd65f03c0u;
}

// Writes this round's functions into `vmo` with zx_vmo_write.
static zx_status_t write_code(zx_handle_t vmo, int round) {
  for (int page = 0; page < PAGES; page++) {
    for (size_t slot = 0; slot < SLOTS; slot++) {
      uint32_t insns[2];
      encode(insns, value(round, page, (int)slot));
      zx_status_t status = zx_vmo_write(vmo, insns, (uint64_t)page * PAGE + slots[slot], 8);
      if (status != ZX_OK) {
        return status;
      }
    }
  }
  return ZX_OK;
}

// Stores this round's functions through a writable mapping at `base`.
static void store_code(uintptr_t base, int round) {
  for (int page = 0; page < PAGES; page++) {
    for (size_t slot = 0; slot < SLOTS; slot++) {
      uint32_t insns[2];
      encode(insns, value(round, page, (int)slot));
      volatile uint32_t* at = u32_at(base + (uintptr_t)page * PAGE + slots[slot]);
      at[0] = insns[0];
      at[1] = insns[1];
    }
  }
}

// Calls every function at `base` and counts those that return this round's value.
static int run_code(uintptr_t base, int round) {
  int right = 0;
  for (int page = 0; page < PAGES; page++) {
    for (size_t slot = 0; slot < SLOTS; slot++) {
      uint32_t (*fn)(void) = (uint32_t (*)(void))(base + (uintptr_t)page * PAGE + slots[slot]);
      uint32_t got = fn();
      if (got == value(round, page, (int)slot)) {
        right++;
      } else {
        printf("# round %d, page %d, offset %#x: returned %u, want %u\n", round, page,
               slots[slot], got, value(round, page, (int)slot));
      }
    }
  }
  return right;
}

// A new VMO of PAGES pages with EXECUTE (ZX_HANDLE_INVALID if that failed, reported).
static zx_handle_t exec_vmo(void) {
  zx_handle_t vmo = new_vmo(PAGES, 0);
  zx_handle_t exec = ZX_HANDLE_INVALID;
  if (vmo != ZX_HANDLE_INVALID) {
    zx_status_t status = zx_vmo_replace_as_executable(vmo, vmex(), &exec);
    if (status != ZX_OK) {
      printf("# replace_as_executable failed: %s\n", zx_status_get_string(status));
    }
  }
  return exec;
}

// Every round a fresh VMO: written, made executable, mapped R-X, run, unmapped and
// closed, so its frames go back to the kernel for the next round to pick up again.
MAP_TEST(fresh_vmo_each_round_runs_that_rounds_code) {
  for (int round = 0; round < ROUNDS; round++) {
    TEST_CONTEXT("round %d", round);
    zx_handle_t vmo = new_vmo(PAGES, 0);
    ASSERT_NE(vmo, ZX_HANDLE_INVALID);
    EXPECT_OK(write_code(vmo, round));
    zx_handle_t exec = ZX_HANDLE_INVALID;
    ASSERT_OK(zx_vmo_replace_as_executable(vmo, vmex(), &exec));
    uintptr_t base = map_root(PERM_RX, exec, 0, PAGES * PAGE);
    ASSERT_NE(base, 0);
    EXPECT_EQ(run_code(base, round), PAGES * SLOTS);
    unmap_root(base, PAGES * PAGE);
    EXPECT_OK(zx_handle_close(exec));
  }
}

// One VMO kept across rounds (the same frames for certain), rewritten with zx_vmo_write
// while unmapped, then mapped executable again.
MAP_TEST(same_pages_rewritten_while_unmapped_run_the_new_code) {
  zx_handle_t vmo = exec_vmo();
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  for (int round = 0; round < ROUNDS; round++) {
    TEST_CONTEXT("round %d", round);
    EXPECT_OK(write_code(vmo, round));
    uintptr_t base = map_root(PERM_RX, vmo, 0, PAGES * PAGE);
    ASSERT_NE(base, 0);
    EXPECT_EQ(run_code(base, round), PAGES * SLOTS);
    unmap_root(base, PAGES * PAGE);
  }
  EXPECT_OK(zx_handle_close(vmo));
}

// Code stored through the mapping itself while it is read-write, then made executable
// with zx_vmar_protect, and back to read-write for the next round's code.
MAP_TEST(code_stored_then_protected_to_execute_runs_the_new_code) {
  zx_handle_t vmo = exec_vmo();
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  uintptr_t base = map_root(PERM_RW, vmo, 0, PAGES * PAGE);
  ASSERT_NE(base, 0);
  for (int round = 0; round < ROUNDS; round++) {
    TEST_CONTEXT("round %d", round);
    store_code(base, round);
    ASSERT_OK(zx_vmar_protect(zx_vmar_root_self(), PERM_RX, base, PAGES * PAGE));
    EXPECT_EQ(run_code(base, round), PAGES * SLOTS);
    ASSERT_OK(zx_vmar_protect(zx_vmar_root_self(), PERM_RW, base, PAGES * PAGE));
  }
  unmap_root(base, PAGES * PAGE);
  EXPECT_OK(zx_handle_close(vmo));
}

// With an R-X mapping left in place, new code written through a second, writable
// mapping of the same VMO runs after ZX_VMO_OP_CACHE_SYNC (what Fuchsia asks of a
// program that rewrites live code).
MAP_TEST(cache_sync_makes_code_rewritten_under_a_live_mapping_run) {
  zx_handle_t vmo = exec_vmo();
  ASSERT_NE(vmo, ZX_HANDLE_INVALID);
  uintptr_t rw = map_root(PERM_RW, vmo, 0, PAGES * PAGE);
  uintptr_t rx = map_root(PERM_RX, vmo, 0, PAGES * PAGE);
  ASSERT_NE(rw, 0);
  ASSERT_NE(rx, 0);
  for (int round = 0; round < ROUNDS; round++) {
    TEST_CONTEXT("round %d", round);
    store_code(rw, round);
    EXPECT_OK(zx_vmo_op_range(vmo, ZX_VMO_OP_CACHE_SYNC, 0, PAGES * PAGE, NULL, 0));
    EXPECT_EQ(run_code(rx, round), PAGES * SLOTS);
  }
  unmap_root(rw, PAGES * PAGE);
  unmap_root(rx, PAGES * PAGE);
  EXPECT_OK(zx_handle_close(vmo));
}

int main(void) { return run_tests(); }
