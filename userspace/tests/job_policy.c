// zx_job_set_policy: its errors in Zircon's order, and the policies this kernel enforces
// (README "Jobs and processes"): a ZX_POL_NEW_* condition set to DENY makes the create
// call of a process in the job ACCESS_DENIED, KILL kills the process
// (ZX_TASK_RETCODE_POLICY_KILL), the exception actions kill it as an unhandled exception
// (no handler here; exception_job.c has one); child jobs inherit the policy; a fixed (OVERRIDE_DENY)
// entry stays fixed below. Processes in the policed jobs are tiny children that try
// zx_vmo_create and exit with its status (<zrk/child_process.h>).
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zircon/syscalls/policy.h>
#include <zrk/child_process.h>
#include <zrk/handle_util.h>
#include <zrk/test.h>

// Runs a child that tries zx_vmo_create in `job`; its return code.
static int64_t vmo_create_in(zx_handle_t job) {
  zrk_child_t c;
  if (zrk_child_create(job, "vmo", ZRK_CHILD_VMO_CREATE, ZRK_CHILD_LEN(ZRK_CHILD_VMO_CREATE),
                       &c) != ZX_OK) {
    return INT64_MIN + 1;
  }
  if (zrk_child_start(&c, ZX_HANDLE_INVALID, 0) != ZX_OK) {
    zrk_child_close(&c);
    return INT64_MIN + 2;
  }
  int64_t code = zrk_child_wait(&c);
  zrk_child_close(&c);
  return code;
}

static zx_status_t set_v2(zx_handle_t job, uint32_t mode, uint32_t condition, uint32_t action,
                          uint32_t flags) {
  zx_policy_basic_v2_t p = {condition, action, flags};
  return zx_job_set_policy(job, mode, ZX_JOB_POL_BASIC_V2, &p, 1);
}

TEST(set_policy_errors_in_zircon_order) {
  zx_handle_t job;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  zx_policy_basic_v2_t p = {ZX_POL_NEW_VMO, ZX_POL_ACTION_DENY, ZX_POL_OVERRIDE_ALLOW};
  zx_policy_basic_v2_t many[33];
  for (int i = 0; i < 33; i++) {
    many[i] = p;
  }
  // The topic, the mode, the array, then the handle.
  EXPECT_STATUS(zx_job_set_policy(stale_handle(), ZX_JOB_POL_RELATIVE, 7, &p, 1),
                ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_job_set_policy(stale_handle(), 2, ZX_JOB_POL_BASIC_V2, &p, 1),
                ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_job_set_policy(stale_handle(), ZX_JOB_POL_RELATIVE, ZX_JOB_POL_BASIC_V2, NULL,
                                  1),
                ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_job_set_policy(stale_handle(), ZX_JOB_POL_RELATIVE, ZX_JOB_POL_BASIC_V2, &p, 0),
                ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_job_set_policy(stale_handle(), ZX_JOB_POL_RELATIVE, ZX_JOB_POL_BASIC_V2, many,
                                  33),
                ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_job_set_policy(stale_handle(), ZX_JOB_POL_RELATIVE, ZX_JOB_POL_BASIC_V2,
                                  (void*)0x1000, 1),
                ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_job_set_policy(stale_handle(), ZX_JOB_POL_RELATIVE, ZX_JOB_POL_BASIC_V2, &p, 1),
                ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_job_set_policy(zx_process_self(), ZX_JOB_POL_RELATIVE, ZX_JOB_POL_BASIC_V2, &p,
                                  1),
                ZX_ERR_WRONG_TYPE);
  zx_handle_t no_set = dup_with(job, ZX_DEFAULT_JOB_RIGHTS & ~ZX_RIGHT_SET_POLICY);
  EXPECT_STATUS(zx_job_set_policy(no_set, ZX_JOB_POL_RELATIVE, ZX_JOB_POL_BASIC_V2, &p, 1),
                ZX_ERR_ACCESS_DENIED);
  zx_handle_close(no_set);
  // Then the job's own checks: more entries than conditions, a condition or flag that
  // does not exist, an action that does not exist.
  EXPECT_STATUS(zx_job_set_policy(job, ZX_JOB_POL_RELATIVE, ZX_JOB_POL_BASIC_V2, many, 17),
                ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(set_v2(job, ZX_JOB_POL_RELATIVE, 16, ZX_POL_ACTION_DENY, 0), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(set_v2(job, ZX_JOB_POL_RELATIVE, ZX_POL_NEW_VMO, ZX_POL_ACTION_DENY, 2),
                ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(set_v2(job, ZX_JOB_POL_RELATIVE, ZX_POL_NEW_VMO, 5, 0), ZX_ERR_NOT_SUPPORTED);
  // Timer slack: RELATIVE and one entry only; a sane value is accepted.
  zx_policy_timer_slack_t slack = {ZX_USEC(10), ZX_TIMER_SLACK_CENTER, {0}};
  EXPECT_STATUS(zx_job_set_policy(job, ZX_JOB_POL_ABSOLUTE, ZX_JOB_POL_TIMER_SLACK, &slack, 1),
                ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_job_set_policy(job, ZX_JOB_POL_RELATIVE, ZX_JOB_POL_TIMER_SLACK, &slack, 2),
                ZX_ERR_INVALID_ARGS);
  EXPECT_OK(zx_job_set_policy(job, ZX_JOB_POL_RELATIVE, ZX_JOB_POL_TIMER_SLACK, &slack, 1));
  // A job with children cannot change its policy.
  zx_handle_t child;
  ASSERT_OK(zx_job_create(job, 0, &child));
  EXPECT_STATUS(set_v2(job, ZX_JOB_POL_RELATIVE, ZX_POL_NEW_VMO, ZX_POL_ACTION_DENY, 0),
                ZX_ERR_BAD_STATE);
  zx_handle_close(child);
  EXPECT_OK(set_v2(job, ZX_JOB_POL_RELATIVE, ZX_POL_NEW_VMO, ZX_POL_ACTION_DENY, 0));
  // This program's own job holds this program: BAD_STATE.
  EXPECT_STATUS(set_v2(zx_job_default(), ZX_JOB_POL_RELATIVE, ZX_POL_NEW_VMO, ZX_POL_ACTION_DENY,
                       0),
                ZX_ERR_BAD_STATE);
  zx_handle_close(job);
}

TEST(allowed_by_default) {
  zx_handle_t job;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  EXPECT_EQ(vmo_create_in(job), ZX_OK);
  zx_handle_close(job);
}

TEST(deny_makes_creation_access_denied_in_the_job_and_below) {
  zx_handle_t job, child;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  ASSERT_OK(set_v2(job, ZX_JOB_POL_ABSOLUTE, ZX_POL_NEW_VMO, ZX_POL_ACTION_DENY,
                   ZX_POL_OVERRIDE_ALLOW));
  EXPECT_EQ(vmo_create_in(job), ZX_ERR_ACCESS_DENIED);
  // Inherited by a child job, which may allow it again (OVERRIDE_ALLOW).
  ASSERT_OK(zx_job_create(job, 0, &child));
  EXPECT_EQ(vmo_create_in(child), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(child);
  ASSERT_OK(zx_job_create(job, 0, &child));
  ASSERT_OK(set_v2(child, ZX_JOB_POL_ABSOLUTE, ZX_POL_NEW_VMO, ZX_POL_ACTION_ALLOW,
                   ZX_POL_OVERRIDE_ALLOW));
  EXPECT_EQ(vmo_create_in(child), ZX_OK);
  zx_handle_close(child);
  zx_handle_close(job);
}

TEST(a_fixed_entry_stays_fixed_below) {
  zx_handle_t job, child;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  // V1 entries are fixed (OVERRIDE_DENY), as Zircon converts them.
  zx_policy_basic_v1_t v1 = {ZX_POL_NEW_VMO, ZX_POL_ACTION_DENY};
  ASSERT_OK(zx_job_set_policy(job, ZX_JOB_POL_RELATIVE, ZX_JOB_POL_BASIC_V1, &v1, 1));
  ASSERT_OK(zx_job_create(job, 0, &child));
  EXPECT_STATUS(set_v2(child, ZX_JOB_POL_ABSOLUTE, ZX_POL_NEW_VMO, ZX_POL_ACTION_ALLOW, 0),
                ZX_ERR_ALREADY_EXISTS);
  // Relative mode skips it quietly; restating it is fine.
  EXPECT_OK(set_v2(child, ZX_JOB_POL_RELATIVE, ZX_POL_NEW_VMO, ZX_POL_ACTION_ALLOW, 0));
  EXPECT_OK(set_v2(child, ZX_JOB_POL_ABSOLUTE, ZX_POL_NEW_VMO, ZX_POL_ACTION_DENY,
                   ZX_POL_OVERRIDE_DENY));
  EXPECT_EQ(vmo_create_in(child), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(child);
  zx_handle_close(job);
}

TEST(new_any_covers_new_vmo) {
  zx_handle_t job;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  ASSERT_OK(set_v2(job, ZX_JOB_POL_RELATIVE, ZX_POL_NEW_ANY, ZX_POL_ACTION_DENY, 0));
  EXPECT_EQ(vmo_create_in(job), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(job);
}

TEST(kill_and_exception_actions_kill_the_process) {
  const struct {
    uint32_t action;
    int64_t code;
  } cases[] = {
      {ZX_POL_ACTION_KILL, ZX_TASK_RETCODE_POLICY_KILL},
      {ZX_POL_ACTION_ALLOW_EXCEPTION, ZX_TASK_RETCODE_EXCEPTION_KILL},
      {ZX_POL_ACTION_DENY_EXCEPTION, ZX_TASK_RETCODE_EXCEPTION_KILL},
  };
  for (int i = 0; i < 3; i++) {
    TEST_CONTEXT("action %u", cases[i].action);
    zx_handle_t job;
    ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
    ASSERT_OK(set_v2(job, ZX_JOB_POL_RELATIVE, ZX_POL_NEW_VMO, cases[i].action, 0));
    EXPECT_EQ(vmo_create_in(job), cases[i].code);
    zx_handle_close(job);
  }
}

// The policy that matters is the caller's job's, not the target job's: this program
// (allowed) may create processes in a job that denies NEW_PROCESS.
TEST(the_callers_job_decides) {
  zx_handle_t job, proc, vmar;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  ASSERT_OK(set_v2(job, ZX_JOB_POL_RELATIVE, ZX_POL_NEW_PROCESS, ZX_POL_ACTION_DENY, 0));
  EXPECT_OK(zx_process_create(job, "p", 1, 0, &proc, &vmar));
  zx_handle_close(vmar);
  zx_handle_close(proc);
  zx_handle_close(job);
}

TEST(PolicyTimerSlackInvalidPolicyTest) {
  zx_handle_t job;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  EXPECT_STATUS(zx_job_set_policy(job, ZX_JOB_POL_RELATIVE, ZX_JOB_POL_TIMER_SLACK, NULL, 1),
                ZX_ERR_INVALID_ARGS);
  zx_policy_timer_slack_t slack = {-ZX_MSEC(10), ZX_TIMER_SLACK_LATE, {0}};
  EXPECT_STATUS(zx_job_set_policy(job, ZX_JOB_POL_RELATIVE, ZX_JOB_POL_TIMER_SLACK, &slack, 1),
                ZX_ERR_INVALID_ARGS);
  slack = (zx_policy_timer_slack_t){ZX_MSEC(10), 3, {0}};
  EXPECT_STATUS(zx_job_set_policy(job, ZX_JOB_POL_RELATIVE, ZX_JOB_POL_TIMER_SLACK, &slack, 1),
                ZX_ERR_INVALID_ARGS);
  slack = (zx_policy_timer_slack_t){ZX_MSEC(10), ZX_TIMER_SLACK_LATE, {0}};
  EXPECT_OK(zx_job_set_policy(job, ZX_JOB_POL_RELATIVE, ZX_JOB_POL_TIMER_SLACK, &slack, 1));
  zx_handle_close(job);
}

TEST(PolicyTimerSlackNonEmptyTest) {
  zx_handle_t job, grandchild;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  ASSERT_OK(zx_job_create(job, 0, &grandchild));
  zx_policy_timer_slack_t slack = {ZX_MSEC(10), ZX_TIMER_SLACK_LATE, {0}};
  EXPECT_STATUS(zx_job_set_policy(job, ZX_JOB_POL_RELATIVE, ZX_JOB_POL_TIMER_SLACK, &slack, 1),
                ZX_ERR_BAD_STATE);
  zx_handle_close(grandchild);
  EXPECT_OK(zx_job_set_policy(job, ZX_JOB_POL_RELATIVE, ZX_JOB_POL_TIMER_SLACK, &slack, 1));
  zx_handle_close(job);
}

int main(void) { return run_tests(); }
