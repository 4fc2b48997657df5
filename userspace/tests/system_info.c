// What a program can learn about the system: zx_system_get_num_cpus and
// zx_system_get_physmem (kernel calls here, vDSO constants in Zircon),
// zx_system_get_dcache_line_size and zx_system_get_version_string (answered at user
// level), and zx_clock_get_boot, which reads the monotonic clock (the machine never
// suspends: digest decision 13).
#include <stdint.h>
#include <string.h>

#include <zircon/syscalls/object.h>
#include <zircon/time.h>
#include <zrk/startup.h>
#include <zrk/test.h>
#include <zrk/thread_util.h>

#define MIB ((uint64_t)1 << 20)

// Threads that spin for a while, each noting the CPUs it finds itself on
// (ZX_INFO_THREAD_STATS.last_scheduled_cpu of its own handle, which is the CPU it runs
// on while it asks).
#define SPINNERS 8
static zx_handle_t spinner_handle[SPINNERS];
static volatile uint64_t seen_cpus;

static void spin_and_look(uintptr_t index, uintptr_t b) {
  (void)b;
  zx_time_t end = zx_deadline_after(ZX_MSEC(150));
  while (zx_clock_get_monotonic() < end) {
    zx_info_thread_stats_t stats;
    if (zx_object_get_info(spinner_handle[index], ZX_INFO_THREAD_STATS, &stats, sizeof stats,
                           NULL, NULL) == ZX_OK &&
        stats.last_scheduled_cpu < 64) {
      __atomic_fetch_or(&seen_cpus, (uint64_t)1 << stats.last_scheduled_cpu, __ATOMIC_RELAXED);
    }
  }
  zx_thread_exit();
}

// The count is the CPUs the kernel runs threads on: busy threads end up on every one of
// them (idle CPUs take work from busy ones) and on no other.
TEST(num_cpus_is_the_cpus_threads_run_on) {
  uint32_t cpus = zx_system_get_num_cpus();
  EXPECT_GE(cpus, 1);
  EXPECT_LE(cpus, ZX_CPU_SET_MAX_CPUS);
  raw_thread_t t[SPINNERS];
  seen_cpus = 0;
  for (uintptr_t i = 0; i < SPINNERS; i++) {
    ASSERT_OK(zx_thread_create(zx_process_self(), "spin", 4, 0, &spinner_handle[i]));
  }
  for (uintptr_t i = 0; i < SPINNERS; i++) {
    zx_handle_t vmo;
    ASSERT_OK(zx_vmo_create(RAW_THREAD_STACK, 0, &vmo));
    ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0,
                          RAW_THREAD_STACK, &t[i].stack));
    zx_handle_close(vmo);
    t[i].handle = spinner_handle[i];
    ASSERT_OK(zx_thread_start(t[i].handle, (zx_vaddr_t)spin_and_look, t[i].stack + RAW_THREAD_STACK,
                              i, 0));
  }
  for (int i = 0; i < SPINNERS; i++) EXPECT_OK(raw_thread_join(&t[i]));
  uint64_t all = cpus >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << cpus) - 1;
  printf("# %u CPUs; threads ran on CPUs %#llx\n", cpus, (unsigned long long)seen_cpus);
  EXPECT_EQ(seen_cpus, all);
}

TEST(num_cpus_never_changes) {
  uint32_t first = zx_system_get_num_cpus();
  for (int i = 0; i < 100; i++) {
    EXPECT_EQ(zx_system_get_num_cpus(), first);
  }
}

// The RAM the kernel manages: whole pages (in fact whole 2 MiB blocks), at least the
// 64 MiB this kernel needs, at most the 4 GiB QEMU virt may be given, and what
// ZX_INFO_KMEM_STATS calls total_bytes.
TEST(physmem_is_the_ram_the_kernel_manages) {
  uint64_t physmem = zx_system_get_physmem();
  EXPECT_EQ(physmem % zx_system_get_page_size(), 0);
  EXPECT_EQ(physmem % (2 * MIB), 0);
  EXPECT_GE(physmem, 64 * MIB);
  EXPECT_LE(physmem, 4096 * MIB);
  zx_info_kmem_stats_t stats;
  ASSERT_OK(zx_object_get_info(zrk_startup()->info_resource, ZX_INFO_KMEM_STATS, &stats,
                               sizeof stats, NULL, NULL));
  EXPECT_EQ(physmem, stats.total_bytes);
  EXPECT_LT(stats.free_bytes, physmem);
  EXPECT_EQ(zx_system_get_physmem(), physmem);
}

// Cortex-A72 (QEMU's default here and the Pi 4) and QEMU's "max" CPU have 64-byte lines.
TEST(dcache_line_size_is_64_on_these_cpus) {
  uint32_t line = zx_system_get_dcache_line_size();
  EXPECT_EQ(line, 64);
  uint64_t ctr;
  __asm__ volatile("mrs %0, ctr_el0" : "=r"(ctr));
  EXPECT_EQ(line, 4u << ((ctr >> 16) & 0xf));
}

TEST(version_string_names_zrk) {
  zx_string_view_t version = zx_system_get_version_string();
  ASSERT_NE(version.c_str, NULL);
  EXPECT_GT(version.length, 0);
  EXPECT_EQ(strlen(version.c_str), version.length);
  EXPECT_TRUE(strstr(version.c_str, "zrk") != NULL);
  // The first four characters name the version scheme, as in Fuchsia ("git-...").
  EXPECT_EQ(strncmp(version.c_str, "zrk-", 4), 0);
  printf("# version: %s\n", version.c_str);
}

TEST(version_string_is_one_constant) {
  zx_string_view_t a = zx_system_get_version_string();
  zx_string_view_t b = zx_system_get_version_string();
  EXPECT_EQ(a.c_str, b.c_str);
  EXPECT_EQ(a.length, b.length);
}

TEST(boot_clock_reads_the_monotonic_clock) {
  for (int i = 0; i < 1000; i++) {
    zx_time_t before = zx_clock_get_monotonic();
    zx_instant_boot_t boot = zx_clock_get_boot();
    zx_time_t after = zx_clock_get_monotonic();
    if (boot < before || boot > after) {
      EXPECT_GE(boot, before);
      EXPECT_LE(boot, after);
      break;
    }
  }
}

TEST(boot_clock_advances_with_the_monotonic_clock) {
  zx_instant_boot_t boot0 = zx_clock_get_boot();
  zx_time_t mono0 = zx_clock_get_monotonic();
  ASSERT_OK(zx_nanosleep(zx_deadline_after(ZX_MSEC(20))));
  zx_instant_boot_t boot1 = zx_clock_get_boot();
  zx_time_t mono1 = zx_clock_get_monotonic();
  EXPECT_GE(boot1 - boot0, ZX_MSEC(20));
  int64_t drift = (boot1 - boot0) - (mono1 - mono0);
  EXPECT_LT(drift < 0 ? -drift : drift, ZX_MSEC(1));
}

int main(void) { return run_tests(); }
