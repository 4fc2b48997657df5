// zx_process_create (digest part 2, 7.1): errors in Zircon's order, the name rules, the
// rights of the two handles, the new process's state, and its death when its last
// handle goes before it ever ran (nothing of it is left: objects and memory).
#include <string.h>

#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zrk/child_process.h>
#include <zrk/handle_util.h>
#include <zrk/test.h>

static zx_handle_t proc, vmar;

static char name_of(zx_handle_t h, char out[ZX_MAX_NAME_LEN]) {
  memset(out, 0, ZX_MAX_NAME_LEN);
  zx_object_get_property(h, ZX_PROP_NAME, out, ZX_MAX_NAME_LEN);
  return out[0];
}

TEST(create_gives_a_process_and_its_root_vmar) {
  ASSERT_OK(zx_process_create(zx_job_default(), "child", 5, 0, &proc, &vmar));
  zx_info_handle_basic_t p = basic_info(proc), v = basic_info(vmar);
  EXPECT_EQ(p.type, ZX_OBJ_TYPE_PROCESS);
  EXPECT_EQ(p.rights, ZX_DEFAULT_PROCESS_RIGHTS);
  EXPECT_EQ(p.rights, 0x6D3CFu);
  EXPECT_EQ(p.related_koid, basic_info(zx_job_default()).koid);
  EXPECT_EQ(v.type, ZX_OBJ_TYPE_VMAR);
  EXPECT_EQ(v.rights, 0x20801Fu);
  EXPECT_EQ(v.related_koid, p.koid);
  zx_info_vmar_t root;
  ASSERT_OK(zx_object_get_info(vmar, ZX_INFO_VMAR, &root, sizeof root, NULL, NULL));
  EXPECT_EQ(root.base, 0x200000u);
  EXPECT_EQ(root.base + root.len, 0xffffff000000u);
  zx_info_process_t info;
  ASSERT_OK(zx_object_get_info(proc, ZX_INFO_PROCESS, &info, sizeof info, NULL, NULL));
  EXPECT_EQ(info.flags, 0u);
  EXPECT_EQ(info.return_code, 0);
  EXPECT_EQ(info.start_time, 0);
  char name[ZX_MAX_NAME_LEN];
  name_of(proc, name);
  EXPECT_EQ(strcmp(name, "child"), 0);
  // No threads, no handles, no signals yet.
  size_t actual = 1, avail = 1;
  ASSERT_OK(zx_object_get_info(proc, ZX_INFO_PROCESS_THREADS, NULL, 0, &actual, &avail));
  EXPECT_EQ(avail, 0u);
  zx_signals_t seen = 0;
  EXPECT_STATUS(zx_object_wait_one(proc, ZX_PROCESS_TERMINATED, 0, &seen), ZX_ERR_TIMED_OUT);
  EXPECT_EQ(seen, 0u);
  zx_info_process_handle_stats_t stats;
  ASSERT_OK(zx_object_get_info(proc, ZX_INFO_PROCESS_HANDLE_STATS, &stats, sizeof stats, NULL,
                               NULL));
  for (uint32_t i = 0; i < ZX_OBJ_TYPE_UPPER_BOUND; i++) {
    EXPECT_EQ(stats.handle_count[i], 0u);
  }
  zx_handle_close(vmar);
  zx_handle_close(proc);
}

// Handle stats count this process's own handles by type.
TEST(handle_stats_count_by_type) {
  zx_info_process_handle_stats_t stats;
  ASSERT_OK(zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS_HANDLE_STATS, &stats,
                               sizeof stats, NULL, NULL));
  EXPECT_GE(stats.handle_count[ZX_OBJ_TYPE_PROCESS], 1u);
  EXPECT_GE(stats.handle_count[ZX_OBJ_TYPE_THREAD], 1u);
  EXPECT_EQ(stats.handle_count[ZX_OBJ_TYPE_JOB], 1u);
  uint32_t events = stats.handle_count[ZX_OBJ_TYPE_EVENT];
  zx_handle_t e;
  ASSERT_OK(zx_event_create(0, &e));
  ASSERT_OK(zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS_HANDLE_STATS, &stats,
                               sizeof stats, NULL, NULL));
  EXPECT_EQ(stats.handle_count[ZX_OBJ_TYPE_EVENT], events + 1);
  zx_handle_close(e);
  EXPECT_STATUS(zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS_HANDLE_STATS, &stats,
                                   sizeof stats - 1, NULL, NULL),
                ZX_ERR_BUFFER_TOO_SMALL);
}

TEST(name_rules) {
  char name[ZX_MAX_NAME_LEN];
  // Empty (EmptyNameSucceeds).
  ASSERT_OK(zx_process_create(zx_job_default(), "", 0, 0, &proc, &vmar));
  EXPECT_EQ(name_of(proc, name), 0);
  zx_handle_close(vmar);
  zx_handle_close(proc);
  // Longer than 31 bytes: truncated (LongNameSucceeds).
  const char* long_name = "a-process-name-longer-than-thirty-one-bytes";
  ASSERT_OK(zx_process_create(zx_job_default(), long_name, strlen(long_name), 0, &proc, &vmar));
  name_of(proc, name);
  EXPECT_EQ(strlen(name), ZX_MAX_NAME_LEN - 1);
  EXPECT_EQ(strncmp(name, long_name, ZX_MAX_NAME_LEN - 1), 0);
  zx_handle_close(vmar);
  zx_handle_close(proc);
  // Stops at a NUL.
  ASSERT_OK(zx_process_create(zx_job_default(), "ab\0cd", 5, 0, &proc, &vmar));
  name_of(proc, name);
  EXPECT_EQ(strcmp(name, "ab"), 0);
  zx_handle_close(vmar);
  zx_handle_close(proc);
  // NULL, even with size 0; a bad pointer.
  EXPECT_STATUS(zx_process_create(zx_job_default(), NULL, 0, 0, &proc, &vmar),
                ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_process_create(zx_job_default(), (const char*)0x1000, 4, 0, &proc, &vmar),
                ZX_ERR_INVALID_ARGS);
}

TEST(errors_in_zircon_order) {
  zx_handle_t job = zx_job_default();
  // Options first: before the name and the handle.
  EXPECT_STATUS(zx_process_create(stale_handle(), NULL, 0, 2, &proc, &vmar),
                ZX_ERR_INVALID_ARGS);
  // The name before the handle.
  EXPECT_STATUS(zx_process_create(stale_handle(), NULL, 0, 0, &proc, &vmar),
                ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_process_create(stale_handle(), "x", 1, 0, &proc, &vmar), ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_process_create(zx_process_self(), "x", 1, 0, &proc, &vmar),
                ZX_ERR_WRONG_TYPE);
  zx_handle_t no_manage = dup_with(job, ZX_DEFAULT_JOB_RIGHTS & ~ZX_RIGHT_MANAGE_PROCESS);
  EXPECT_STATUS(zx_process_create(no_manage, "x", 1, 0, &proc, &vmar), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(no_manage);
  // WRITE alone is not enough (newest Zircon).
  zx_handle_t write_only = dup_with(job, ZX_RIGHT_WRITE);
  EXPECT_STATUS(zx_process_create(write_only, "x", 1, 0, &proc, &vmar), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(write_only);
  // ZX_PROCESS_SHARED passes the option check; shared address spaces do not exist yet.
  EXPECT_STATUS(zx_process_create(job, "x", 1, ZX_PROCESS_SHARED, &proc, &vmar),
                ZX_ERR_NOT_SUPPORTED);
  EXPECT_STATUS(zx_process_create(stale_handle(), "x", 1, ZX_PROCESS_SHARED, &proc, &vmar),
                ZX_ERR_BAD_HANDLE);
  // Bad out pointers leave no handle and no process behind.
  zrk_usage_t before = zrk_usage();
  EXPECT_STATUS(zx_process_create(job, "x", 1, 0, (zx_handle_t*)0x1000, &vmar),
                ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_process_create(job, "x", 1, 0, &proc, (zx_handle_t*)0x1000),
                ZX_ERR_INVALID_ARGS);
  zrk_usage_t after = zrk_usage_settled(&before);
  EXPECT_EQ(after.objects.processes, before.objects.processes);
  EXPECT_EQ(after.objects.handles, before.objects.handles);
  EXPECT_EQ(after.free_bytes, before.free_bytes);
}

// In a killed job: BAD_STATE.
TEST(a_killed_job_takes_no_process) {
  zx_handle_t job;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  ASSERT_OK(zx_task_kill(job));
  EXPECT_STATUS(zx_process_create(job, "x", 1, 0, &proc, &vmar), ZX_ERR_BAD_STATE);
  zx_handle_close(job);
}

// A process that never ran dies with its last handle: nothing of it is left, and its
// job says so.
TEST(an_unstarted_process_dies_with_its_last_handle) {
  zx_handle_t job;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  zrk_usage_t before = zrk_usage();
  for (int i = 0; i < 50; i++) {
    ASSERT_OK(zx_process_create(job, "brief", 5, 0, &proc, &vmar));
    zx_handle_t scratch;
    uintptr_t addr;
    ASSERT_OK(zx_vmo_create(3 * 4096, 0, &scratch));
    ASSERT_OK(zx_vmar_map(vmar, ZX_VM_PERM_READ, 0, scratch, 0, 3 * 4096, &addr));
    zx_handle_close(scratch);
    if (i == 0) {
      size_t n = 0;
      ASSERT_OK(zx_object_get_info(job, ZX_INFO_JOB_PROCESSES, NULL, 0, NULL, &n));
      EXPECT_EQ(n, 1u);
      zx_signals_t seen = 0;
      zx_object_wait_one(job, ZX_JOB_NO_PROCESSES, 0, &seen);
      EXPECT_EQ(seen & ZX_JOB_NO_PROCESSES, 0u);
    }
    zx_handle_close(vmar);
    zx_handle_close(proc);
  }
  zrk_usage_t after = zrk_usage_settled(&before);
  EXPECT_EQ(after.objects.processes, before.objects.processes);
  EXPECT_EQ(after.objects.vmos, before.objects.vmos);
  EXPECT_EQ(after.objects.vmars, before.objects.vmars);
  EXPECT_EQ(after.objects.handles, before.objects.handles);
  EXPECT_EQ(after.free_bytes, before.free_bytes);
  size_t n = 1;
  ASSERT_OK(zx_object_get_info(job, ZX_INFO_JOB_PROCESSES, NULL, 0, NULL, &n));
  EXPECT_EQ(n, 0u);
  EXPECT_OK(zx_object_wait_one(job, ZX_JOB_NO_PROCESSES | ZX_JOB_NO_CHILDREN, 0, NULL));
  zx_handle_close(job);
}

// Killing a process that never ran ends it at once.
TEST(killing_an_unstarted_process) {
  ASSERT_OK(zx_process_create(zx_job_default(), "k", 1, 0, &proc, &vmar));
  EXPECT_OK(zx_task_kill(proc));
  EXPECT_OK(zx_object_wait_one(proc, ZX_PROCESS_TERMINATED, 0, NULL));
  zx_info_process_t info;
  ASSERT_OK(zx_object_get_info(proc, ZX_INFO_PROCESS, &info, sizeof info, NULL, NULL));
  EXPECT_EQ(info.flags, ZX_INFO_PROCESS_FLAG_STARTED | ZX_INFO_PROCESS_FLAG_EXITED);
  EXPECT_EQ(info.return_code, ZX_TASK_RETCODE_SYSCALL_KILL);
  // Its root VMAR is gone with its address space.
  zx_handle_t vmo;
  uintptr_t addr;
  ASSERT_OK(zx_vmo_create(4096, 0, &vmo));
  EXPECT_STATUS(zx_vmar_map(vmar, ZX_VM_PERM_READ, 0, vmo, 0, 4096, &addr), ZX_ERR_BAD_STATE);
  zx_handle_close(vmo);
  zx_handle_close(vmar);
  zx_handle_close(proc);
}

int main(void) { return run_tests(); }
