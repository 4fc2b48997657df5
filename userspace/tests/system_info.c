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

#define MIB ((uint64_t)1 << 20)

// The machines the guest tests boot (kernel/tests/guest.rs), told apart by their RAM:
// QEMU virt with 256 MiB and no -smp (scripts/run's default is 512 MiB, also one CPU),
// and QEMU raspi4b, whose device tree gives the kernel 960 MiB and lists four
// Cortex-A72s. Returns 0 for any other shape (e.g. scripts/run --smp N --mem SIZE).
static uint32_t cpus_qemu_was_given(uint64_t physmem) {
  if (physmem == 256 * MIB || physmem == 512 * MIB) {
    return 1;
  }
  if (physmem == 960 * MIB) {
    return 4;
  }
  return 0;
}

TEST(num_cpus_is_the_cpu_count_qemu_was_given) {
  uint32_t cpus = zx_system_get_num_cpus();
  EXPECT_GE(cpus, 1);
  EXPECT_LE(cpus, ZX_CPU_SET_MAX_CPUS);
  uint32_t want = cpus_qemu_was_given(zx_system_get_physmem());
  if (want == 0) {
    printf("# unknown machine shape (%u CPUs, %llu MiB): only the bounds checked\n", cpus,
           (unsigned long long)(zx_system_get_physmem() / MIB));
  } else {
    EXPECT_EQ(cpus, want);
  }
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
