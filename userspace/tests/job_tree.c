// Jobs (digest part 2, 7.5): zx_job_create's errors and rights, the signals of a job as
// children come and go, the height limit, killing a tree three levels deep with running
// processes at each level, ZX_INFO_JOB / JOB_CHILDREN / JOB_PROCESSES, and
// zx_object_get_child.
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zrk/child_process.h>
#include <zrk/handle_util.h>
#include <zrk/test.h>

static zx_signals_t signals_of(zx_handle_t h) {
  zx_signals_t seen = 0;
  zx_object_wait_one(h, 0xffffffffu, 0, &seen);
  return seen;
}

static zx_koid_t koid_of(zx_handle_t h) { return basic_info(h).koid; }

TEST(create_errors_and_rights) {
  zx_handle_t job;
  EXPECT_STATUS(zx_job_create(zx_job_default(), 1, &job), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_job_create(stale_handle(), 1, &job), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_job_create(stale_handle(), 0, &job), ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_job_create(zx_process_self(), 0, &job), ZX_ERR_WRONG_TYPE);
  zx_handle_t no_manage = dup_with(zx_job_default(), ZX_DEFAULT_JOB_RIGHTS & ~ZX_RIGHT_MANAGE_JOB);
  EXPECT_STATUS(zx_job_create(no_manage, 0, &job), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(no_manage);
  EXPECT_STATUS(zx_job_create(zx_job_default(), 0, (zx_handle_t*)0x1000), ZX_ERR_INVALID_ARGS);

  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  zx_info_handle_basic_t info = basic_info(job);
  EXPECT_EQ(info.type, ZX_OBJ_TYPE_JOB);
  EXPECT_EQ(info.rights, ZX_DEFAULT_JOB_RIGHTS);
  EXPECT_EQ(info.rights, 0x7DFCFu);
  EXPECT_EQ(info.related_koid, koid_of(zx_job_default()));
  EXPECT_EQ(signals_of(job), ZX_JOB_NO_JOBS | ZX_JOB_NO_PROCESSES | ZX_JOB_NO_CHILDREN);
  zx_info_job_t ji;
  ASSERT_OK(zx_object_get_info(job, ZX_INFO_JOB, &ji, sizeof ji, NULL, NULL));
  EXPECT_EQ(ji.return_code, 0);
  EXPECT_FALSE(ji.exited);
  EXPECT_FALSE(ji.kill_on_oom);
  EXPECT_FALSE(ji.debugger_attached);
  EXPECT_STATUS(zx_object_get_info(job, ZX_INFO_JOB, &ji, sizeof ji - 1, NULL, NULL),
                ZX_ERR_BUFFER_TOO_SMALL);
  // Jobs have names.
  ASSERT_OK(zx_object_set_property(job, ZX_PROP_NAME, "named", 5));
  char name[ZX_MAX_NAME_LEN] = {0};
  ASSERT_OK(zx_object_get_property(job, ZX_PROP_NAME, name, sizeof name));
  EXPECT_EQ(name[0], 'n');
  zx_handle_close(job);
}

// Signals follow the children: NO_JOBS, NO_PROCESSES, NO_CHILDREN drop while there are
// some and come back when they are gone.
TEST(signals_follow_children) {
  zx_handle_t job, child, proc, vmar;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  ASSERT_OK(zx_job_create(job, 0, &child));
  EXPECT_EQ(signals_of(job), ZX_JOB_NO_PROCESSES);
  ASSERT_OK(zx_process_create(job, "p", 1, 0, &proc, &vmar));
  EXPECT_EQ(signals_of(job), 0u);
  zx_handle_close(child);  // no handle, no children: it goes
  EXPECT_EQ(signals_of(job), ZX_JOB_NO_JOBS);
  zx_handle_close(vmar);
  zx_handle_close(proc);
  EXPECT_EQ(signals_of(job), ZX_JOB_NO_JOBS | ZX_JOB_NO_PROCESSES | ZX_JOB_NO_CHILDREN);
  // Signals a user may set are the user ones only.
  EXPECT_OK(zx_object_signal(job, 0, ZX_USER_SIGNAL_0));
  EXPECT_STATUS(zx_object_signal(job, 0, ZX_JOB_TERMINATED), ZX_ERR_INVALID_ARGS);
  zx_handle_close(job);
}

// Jobs nest 32 levels below the root; the boot gave this program a job one level down,
// so 31 more fit and the next is OUT_OF_RANGE.
TEST(height_limit_is_out_of_range) {
  zx_handle_t chain[40];
  int depth = 0;
  zx_handle_t parent = zx_job_default();
  zx_status_t s;
  while (depth < 40 && (s = zx_job_create(parent, 0, &chain[depth])) == ZX_OK) {
    parent = chain[depth++];
  }
  EXPECT_EQ(depth, 31);
  EXPECT_STATUS(s, ZX_ERR_OUT_OF_RANGE);
  // The deepest job may still hold processes.
  zx_handle_t proc, vmar;
  EXPECT_OK(zx_process_create(parent, "deep", 4, 0, &proc, &vmar));
  zx_handle_close(vmar);
  zx_handle_close(proc);
  while (depth > 0) {
    zx_handle_close(chain[--depth]);
  }
}

struct level {
  zx_handle_t job;
  zrk_child_t child[2];
};

// Killing a job kills every job and process below it with ZX_TASK_RETCODE_SYSCALL_KILL,
// then asserts TERMINATED; killed jobs take no new children.
TEST(killing_a_tree_kills_everything_in_it) {
  zrk_usage_t before = zrk_usage();
  struct level levels[3];
  zx_handle_t parent = zx_job_default();
  for (int l = 0; l < 3; l++) {
    ASSERT_OK(zx_job_create(parent, 0, &levels[l].job));
    for (int i = 0; i < 2; i++) {
      ASSERT_OK(zrk_child_create(levels[l].job, "spin", ZRK_CHILD_SPIN,
                                 ZRK_CHILD_LEN(ZRK_CHILD_SPIN), &levels[l].child[i]));
      ASSERT_OK(zrk_child_start(&levels[l].child[i], ZX_HANDLE_INVALID, 0));
    }
    parent = levels[l].job;
  }
  // The middle job is listed under the top one, with its processes.
  zx_koid_t koids[4];
  size_t actual = 0, avail = 0;
  ASSERT_OK(zx_object_get_info(levels[0].job, ZX_INFO_JOB_CHILDREN, koids, sizeof koids, &actual,
                               &avail));
  EXPECT_EQ(actual, 1u);
  EXPECT_EQ(koids[0], koid_of(levels[1].job));
  ASSERT_OK(zx_object_get_info(levels[1].job, ZX_INFO_JOB_PROCESSES, koids, sizeof koids,
                               &actual, &avail));
  EXPECT_EQ(actual, 2u);
  EXPECT_EQ(koids[0], koid_of(levels[1].child[0].process));
  EXPECT_EQ(koids[1], koid_of(levels[1].child[1].process));
  // A too-small buffer reports what is there.
  ASSERT_OK(zx_object_get_info(levels[1].job, ZX_INFO_JOB_PROCESSES, koids, 8, &actual, &avail));
  EXPECT_EQ(actual, 1u);
  EXPECT_EQ(avail, 2u);

  ASSERT_OK(zx_task_kill(levels[0].job));
  for (int l = 0; l < 3; l++) {
    TEST_CONTEXT("level %d", l);
    for (int i = 0; i < 2; i++) {
      EXPECT_EQ(zrk_child_wait(&levels[l].child[i]), ZX_TASK_RETCODE_SYSCALL_KILL);
    }
    EXPECT_OK(zx_object_wait_one(levels[l].job, ZX_JOB_TERMINATED,
                                 zx_deadline_after(ZX_SEC(10)), NULL));
    zx_info_job_t ji;
    ASSERT_OK(zx_object_get_info(levels[l].job, ZX_INFO_JOB, &ji, sizeof ji, NULL, NULL));
    EXPECT_TRUE(ji.exited);
    EXPECT_EQ(ji.return_code, ZX_TASK_RETCODE_SYSCALL_KILL);
    EXPECT_EQ(signals_of(levels[l].job), ZX_JOB_TERMINATED | ZX_JOB_NO_JOBS |
                                             ZX_JOB_NO_PROCESSES | ZX_JOB_NO_CHILDREN);
    zx_handle_t h, v;
    EXPECT_STATUS(zx_job_create(levels[l].job, 0, &h), ZX_ERR_BAD_STATE);
    EXPECT_STATUS(zx_process_create(levels[l].job, "late", 4, 0, &h, &v), ZX_ERR_BAD_STATE);
    // Killing it again is fine.
    EXPECT_OK(zx_task_kill(levels[l].job));
  }
  TEST_CONTEXT("%s", "");
  // The dead top job is no longer this job's child.
  size_t n = 1;
  ASSERT_OK(zx_object_get_info(zx_job_default(), ZX_INFO_JOB_CHILDREN, NULL, 0, NULL, &n));
  EXPECT_EQ(n, 0u);
  for (int l = 2; l >= 0; l--) {
    for (int i = 0; i < 2; i++) {
      zrk_child_close(&levels[l].child[i]);
    }
    zx_handle_close(levels[l].job);
  }
  zrk_usage_t after = zrk_usage_settled(&before);
  EXPECT_EQ(after.objects.jobs, before.objects.jobs);
  EXPECT_EQ(after.objects.processes, before.objects.processes);
  EXPECT_EQ(after.objects.threads, before.objects.threads);
  EXPECT_EQ(after.objects.vmos, before.objects.vmos);
  EXPECT_EQ(after.objects.handles, before.objects.handles);
  EXPECT_EQ(after.free_bytes, before.free_bytes);
}

// An empty job that is killed is dead at once; jobs outlive their handles while they
// have children.
TEST(empty_killed_job_and_jobs_kept_by_children) {
  zx_handle_t job, child;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  ASSERT_OK(zx_task_kill(job));
  EXPECT_OK(zx_object_wait_one(job, ZX_JOB_TERMINATED, 0, NULL));
  zx_handle_close(job);

  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  ASSERT_OK(zx_job_create(job, 0, &child));
  zx_koid_t job_koid = koid_of(job);
  zx_handle_close(job);
  // The child keeps its parent alive, still listed under this program's job.
  zx_handle_t again;
  ASSERT_OK(zx_object_get_child(zx_job_default(), job_koid, ZX_RIGHT_SAME_RIGHTS, &again));
  EXPECT_EQ(basic_info(child).related_koid, job_koid);
  zx_handle_close(again);
  zx_handle_close(child);
  EXPECT_STATUS(zx_object_get_child(zx_job_default(), job_koid, ZX_RIGHT_SAME_RIGHTS, &again),
                ZX_ERR_NOT_FOUND);
}

TEST(get_child) {
  zx_handle_t job, sub, out;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  ASSERT_OK(zx_job_create(job, 0, &sub));
  zrk_child_t c;
  ASSERT_OK(zrk_child_create(job, "spin", ZRK_CHILD_SPIN, ZRK_CHILD_LEN(ZRK_CHILD_SPIN), &c));
  // A child job, a process, by koid; same rights or fewer.
  ASSERT_OK(zx_object_get_child(job, koid_of(sub), ZX_RIGHT_SAME_RIGHTS, &out));
  EXPECT_EQ(koid_of(out), koid_of(sub));
  EXPECT_EQ(rights_of(out), ZX_DEFAULT_JOB_RIGHTS);
  zx_handle_close(out);
  ASSERT_OK(zx_object_get_child(job, koid_of(c.process), ZX_RIGHT_WAIT | ZX_RIGHT_INSPECT, &out));
  EXPECT_EQ(basic_info(out).type, ZX_OBJ_TYPE_PROCESS);
  EXPECT_EQ(rights_of(out), ZX_RIGHT_WAIT | ZX_RIGHT_INSPECT);
  zx_handle_close(out);
  // A thread of a process, once it has started.
  zx_koid_t thread_koid = koid_of(c.thread);
  EXPECT_STATUS(zx_object_get_child(c.process, thread_koid, ZX_RIGHT_SAME_RIGHTS, &out),
                ZX_ERR_NOT_FOUND);
  ASSERT_OK(zrk_child_start(&c, ZX_HANDLE_INVALID, 0));
  ASSERT_OK(zx_object_get_child(c.process, thread_koid, ZX_RIGHT_SAME_RIGHTS, &out));
  EXPECT_EQ(basic_info(out).type, ZX_OBJ_TYPE_THREAD);
  zx_handle_close(out);
  // Errors: a koid that is not a child (the job's own, a grandchild's), more rights
  // than the handle has, no ENUMERATE, a bad handle.
  EXPECT_STATUS(zx_object_get_child(job, koid_of(job), ZX_RIGHT_SAME_RIGHTS, &out),
                ZX_ERR_NOT_FOUND);
  EXPECT_STATUS(zx_object_get_child(zx_job_default(), koid_of(sub), ZX_RIGHT_SAME_RIGHTS, &out),
                ZX_ERR_NOT_FOUND);
  zx_handle_t weak = dup_with(job, ZX_RIGHT_ENUMERATE | ZX_RIGHT_WAIT);
  EXPECT_STATUS(zx_object_get_child(weak, koid_of(sub), ZX_RIGHT_INSPECT, &out),
                ZX_ERR_ACCESS_DENIED);
  ASSERT_OK(zx_object_get_child(weak, koid_of(sub), ZX_RIGHT_SAME_RIGHTS, &out));
  EXPECT_EQ(rights_of(out), ZX_RIGHT_ENUMERATE | ZX_RIGHT_WAIT);
  zx_handle_close(out);
  zx_handle_close(weak);
  zx_handle_t blind = dup_with(job, ZX_DEFAULT_JOB_RIGHTS & ~ZX_RIGHT_ENUMERATE);
  EXPECT_STATUS(zx_object_get_child(blind, koid_of(sub), ZX_RIGHT_SAME_RIGHTS, &out),
                ZX_ERR_ACCESS_DENIED);
  zx_handle_close(blind);
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(4096, 0, &vmo));
  // ENUMERATE is checked before the type, and only jobs and processes have it.
  EXPECT_STATUS(zx_object_get_child(vmo, 1, ZX_RIGHT_SAME_RIGHTS, &out), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(vmo);
  EXPECT_STATUS(zx_object_get_child(stale_handle(), 1, ZX_RIGHT_SAME_RIGHTS, &out),
                ZX_ERR_BAD_HANDLE);
  // Info topics need their rights and a job.
  size_t n;
  zx_handle_t no_inspect = dup_with(job, ZX_DEFAULT_JOB_RIGHTS & ~ZX_RIGHT_INSPECT);
  zx_info_job_t ji;
  EXPECT_STATUS(zx_object_get_info(no_inspect, ZX_INFO_JOB, &ji, sizeof ji, NULL, NULL),
                ZX_ERR_ACCESS_DENIED);
  zx_handle_close(no_inspect);
  EXPECT_STATUS(zx_object_get_info(c.process, ZX_INFO_JOB_PROCESSES, NULL, 0, NULL, &n),
                ZX_ERR_WRONG_TYPE);
  EXPECT_STATUS(zx_object_get_info(job, ZX_INFO_PROCESS, NULL, 0, NULL, &n), ZX_ERR_WRONG_TYPE);
  ASSERT_OK(zx_task_kill(job));
  EXPECT_EQ(zrk_child_wait(&c), ZX_TASK_RETCODE_SYSCALL_KILL);
  zrk_child_close(&c);
  zx_handle_close(sub);
  zx_handle_close(job);
}

TEST(InfoTaskStatsFails) {
  // Jobs have no ZX_INFO_TASK_STATS (Fuchsia's answers it for processes only).
  zx_info_task_stats_t info;
  EXPECT_NE(zx_object_get_info(zx_job_default(), ZX_INFO_TASK_STATS, &info, sizeof(info), NULL,
                               NULL),
            ZX_OK);
}

int main(void) { return run_tests(); }
