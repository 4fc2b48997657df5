// Exception channels and other processes: hand-assembled children (<zrk/child_process.h>)
// crash inside jobs this test makes, and the job, process and thread channels see the
// exceptions in Zircon's order. A kill ends an exception's wait, an exception nobody
// resumes kills the child (ZX_TASK_RETCODE_EXCEPTION_KILL), a job's handler can resume
// the child past the fault, policy exceptions (a job policy's ALLOW/DENY_EXCEPTION, a
// syscall that does not exist) reach the handlers too, a task's death closes its
// channels, and nothing leaks.
#include <stdint.h>
#include <string.h>

#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/debug.h>
#include <zircon/syscalls/exception.h>
#include <zircon/syscalls/object.h>
#include <zircon/syscalls/policy.h>
#include <zrk/child_process.h>
#include <zrk/handle_util.h>
#include <zrk/test.h>

// Stores x1 at address 0x10, then exits with arg2 (a handler must skip the store).
static const uint32_t STORE_THEN_EXIT[] = {
    ZRK_A64_MOVZ(0, 0x10),
    ZRK_A64_STR(1, 0),
    ZRK_A64_MOV(0, 1),
    ZRK_A64_SYSCALL(process_exit),
    ZRK_A64_BRK0,
};

// A software breakpoint.
static const uint32_t BREAKPOINT[] = {ZRK_A64_BRK0, ZRK_A64_B_SELF};

// Calls syscall number 999 (none), then exits with its status.
static const uint32_t BAD_SYSCALL[] = {
    ZRK_A64_MOVZ(16, 999),
    ZRK_A64_SVC0,
    ZRK_A64_SYSCALL(process_exit),
    ZRK_A64_BRK0,
};

// Makes an exception channel on its own process (the handle it was given, x0), and
// exits with the status, leaving the channel open.
static const uint32_t OWN_CHANNEL[] = {
    ZRK_A64_MOVZ(1, 0),
    ZRK_A64_SUB_SP(2, 16),
    ZRK_A64_SYSCALL(task_create_exception_channel),
    ZRK_A64_SYSCALL(process_exit),
    ZRK_A64_BRK0,
};

static zx_koid_t koid_of(zx_handle_t h) { return basic_info(h).koid; }

static zx_handle_t read_exception(zx_handle_t channel, zx_exception_info_t* info) {
  zx_handle_t exception = ZX_HANDLE_INVALID;
  uint32_t bytes = 0, handles = 0;
  if (zx_object_wait_one(channel, ZX_CHANNEL_READABLE, zx_deadline_after(ZX_SEC(10)), NULL) !=
      ZX_OK) {
    return ZX_HANDLE_INVALID;
  }
  if (zx_channel_read(channel, 0, info, &exception, sizeof *info, 1, &bytes, &handles) != ZX_OK ||
      bytes != sizeof *info || handles != 1) {
    return ZX_HANDLE_INVALID;
  }
  return exception;
}

static zx_status_t set_state(zx_handle_t exception, uint32_t state) {
  return zx_object_set_property(exception, ZX_PROP_EXCEPTION_STATE, &state, sizeof state);
}

static zx_exception_report_t report_of(zx_handle_t thread) {
  zx_exception_report_t r;
  memset(&r, 0, sizeof r);
  zx_object_get_info(thread, ZX_INFO_THREAD_EXCEPTION_REPORT, &r, sizeof r, NULL, NULL);
  return r;
}

TEST(JobReceive_and_kill_while_in_the_exception) {
  zrk_usage_t before = zrk_usage();
  zx_handle_t job, ch;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  ASSERT_OK(zx_task_create_exception_channel(job, 0, &ch));
  zrk_child_t c;
  ASSERT_OK(zrk_child_create(job, "brk", BREAKPOINT, ZRK_CHILD_LEN(BREAKPOINT), &c));
  ASSERT_OK(zrk_child_start(&c, ZX_HANDLE_INVALID, 0));

  zx_exception_info_t info;
  zx_handle_t exc = read_exception(ch, &info);
  ASSERT_NE(exc, ZX_HANDLE_INVALID);
  EXPECT_EQ(info.type, ZX_EXCP_SW_BREAKPOINT);
  EXPECT_EQ(info.pid, koid_of(c.process));
  EXPECT_EQ(info.tid, koid_of(c.thread));
  zx_info_thread_t ti;
  ASSERT_OK(zx_object_get_info(c.thread, ZX_INFO_THREAD, &ti, sizeof ti, NULL, NULL));
  EXPECT_EQ(ti.state, ZX_THREAD_STATE_BLOCKED_EXCEPTION);
  EXPECT_EQ(ti.wait_exception_channel_type, ZX_EXCEPTION_CHANNEL_TYPE_JOB);
  zx_exception_report_t r = report_of(c.thread);
  EXPECT_EQ(r.header.type, ZX_EXCP_SW_BREAKPOINT);
  EXPECT_EQ(r.context.arch.u.arm_64.esr >> 26, 0x3cu);  // BRK
  EXPECT_EQ(r.context.arch.u.arm_64.far, 0u);
  zx_handle_t process, thread;
  ASSERT_OK(zx_exception_get_process(exc, &process));
  EXPECT_EQ(koid_of(process), koid_of(c.process));
  // The rights of the job handle the channel was made from.
  EXPECT_EQ(rights_of(process), rights_of(job));
  ASSERT_OK(zx_exception_get_thread(exc, &thread));
  EXPECT_EQ(koid_of(thread), koid_of(c.thread));

  // A kill ends the wait; the exception handle stays usable, to no effect.
  ASSERT_OK(zx_task_kill(c.process));
  EXPECT_EQ(zrk_child_wait(&c), ZX_TASK_RETCODE_SYSCALL_KILL);
  EXPECT_OK(set_state(exc, ZX_EXCEPTION_STATE_HANDLED));
  zx_handle_t again;
  EXPECT_OK(zx_exception_get_thread(exc, &again));
  zx_handle_close(again);
  zx_handle_close(exc);
  zx_handle_close(thread);
  zx_handle_close(process);
  zrk_child_close(&c);
  // The job lives on, so does its channel.
  EXPECT_STATUS(zx_object_wait_one(ch, ZX_CHANNEL_PEER_CLOSED, zx_deadline_after(ZX_MSEC(20)),
                                   NULL),
                ZX_ERR_TIMED_OUT);
  zx_handle_close(ch);
  zx_handle_close(job);
  zrk_usage_t after = zrk_usage_settled(&before);
  EXPECT_EQ(after.free_bytes, before.free_bytes);
  EXPECT_EQ(memcmp(&after.objects, &before.objects, sizeof after.objects), 0);
}

TEST(unhandled_exception_kills_with_EXCEPTION_KILL) {
  zrk_usage_t before = zrk_usage();
  zx_handle_t job, ch;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  ASSERT_OK(zx_task_create_exception_channel(job, 0, &ch));
  zrk_child_t c;
  ASSERT_OK(zrk_child_create(job, "store", STORE_THEN_EXIT, ZRK_CHILD_LEN(STORE_THEN_EXIT), &c));
  ASSERT_OK(zrk_child_start(&c, ZX_HANDLE_INVALID, 42));
  zx_exception_info_t info;
  zx_handle_t exc = read_exception(ch, &info);
  ASSERT_NE(exc, ZX_HANDLE_INVALID);
  EXPECT_EQ(info.type, ZX_EXCP_FATAL_PAGE_FAULT);
  EXPECT_EQ(report_of(c.thread).context.arch.u.arm_64.far, 0x10u);
  zx_handle_close(exc);  // TRY_NEXT: no handler above this job
  EXPECT_EQ(zrk_child_wait(&c), ZX_TASK_RETCODE_EXCEPTION_KILL);
  zrk_child_close(&c);
  zx_handle_close(ch);
  zx_handle_close(job);
  zrk_usage_t after = zrk_usage_settled(&before);
  EXPECT_EQ(after.free_bytes, before.free_bytes);
  EXPECT_EQ(memcmp(&after.objects, &before.objects, sizeof after.objects), 0);
}

TEST(job_handler_resumes_the_child_past_the_fault) {
  zx_handle_t job, ch;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  ASSERT_OK(zx_task_create_exception_channel(job, 0, &ch));
  zrk_child_t c;
  ASSERT_OK(zrk_child_create(job, "store", STORE_THEN_EXIT, ZRK_CHILD_LEN(STORE_THEN_EXIT), &c));
  ASSERT_OK(zrk_child_start(&c, ZX_HANDLE_INVALID, 42));
  zx_exception_info_t info;
  zx_handle_t exc = read_exception(ch, &info);
  ASSERT_NE(exc, ZX_HANDLE_INVALID);
  zx_thread_state_general_regs_t regs;
  ASSERT_OK(zx_thread_read_state(c.thread, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof regs));
  EXPECT_EQ(regs.pc, c.code + 4);
  EXPECT_EQ(regs.r[0], 0x10u);
  EXPECT_EQ(regs.r[1], 42u);
  regs.pc += 4;
  ASSERT_OK(zx_thread_write_state(c.thread, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof regs));
  ASSERT_OK(set_state(exc, ZX_EXCEPTION_STATE_HANDLED));
  zx_handle_close(exc);
  EXPECT_EQ(zrk_child_wait(&c), 42);
  zrk_child_close(&c);
  zx_handle_close(ch);
  zx_handle_close(job);
}

TEST(ExceptionChannelOrder_and_SkipClosedExceptionChannel) {
  zx_handle_t parent, job;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &parent));
  ASSERT_OK(zx_job_create(parent, 0, &job));
  zrk_child_t c;
  ASSERT_OK(zrk_child_create(job, "store", STORE_THEN_EXIT, ZRK_CHILD_LEN(STORE_THEN_EXIT), &c));
  zx_handle_t ch[5];
  ASSERT_OK(zx_task_create_exception_channel(c.process, ZX_EXCEPTION_CHANNEL_DEBUGGER, &ch[0]));
  ASSERT_OK(zx_task_create_exception_channel(c.thread, 0, &ch[1]));
  ASSERT_OK(zx_task_create_exception_channel(c.process, 0, &ch[2]));
  ASSERT_OK(zx_task_create_exception_channel(job, 0, &ch[3]));
  ASSERT_OK(zx_task_create_exception_channel(parent, 0, &ch[4]));
  // A closed channel is skipped: the thread's, made twice, closed the second time.
  zx_handle_close(ch[1]);
  ASSERT_OK(zx_task_create_exception_channel(c.thread, 0, &ch[1]));
  zx_handle_t skipped;
  ASSERT_OK(zx_task_create_exception_channel(zx_job_default(), 0, &skipped));
  zx_handle_close(skipped);
  ASSERT_OK(zrk_child_start(&c, ZX_HANDLE_INVALID, 42));

  const uint32_t kinds[5] = {ZX_EXCEPTION_CHANNEL_TYPE_DEBUGGER, ZX_EXCEPTION_CHANNEL_TYPE_THREAD,
                             ZX_EXCEPTION_CHANNEL_TYPE_PROCESS, ZX_EXCEPTION_CHANNEL_TYPE_JOB,
                             ZX_EXCEPTION_CHANNEL_TYPE_JOB};
  for (int i = 0; i < 5; i++) {
    TEST_CONTEXT("handler %d", i);
    zx_exception_info_t info;
    zx_handle_t exc = read_exception(ch[i], &info);
    ASSERT_NE(exc, ZX_HANDLE_INVALID);
    EXPECT_EQ(info.type, ZX_EXCP_FATAL_PAGE_FAULT);
    zx_info_thread_t ti;
    ASSERT_OK(zx_object_get_info(c.thread, ZX_INFO_THREAD, &ti, sizeof ti, NULL, NULL));
    EXPECT_EQ(ti.wait_exception_channel_type, kinds[i]);
    // Every kind of handler may read and write the registers.
    zx_thread_state_general_regs_t regs;
    EXPECT_OK(zx_thread_read_state(c.thread, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof regs));
    EXPECT_OK(zx_thread_write_state(c.thread, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof regs));
    // Only the next handler in line has it.
    if (i + 1 < 5) {
      EXPECT_STATUS(zx_object_wait_one(ch[i + 1], ZX_CHANNEL_READABLE,
                                       zx_deadline_after(ZX_MSEC(10)), NULL),
                    ZX_ERR_TIMED_OUT);
    }
    zx_handle_close(exc);
  }
  // Past the last handler: killed; the process's channels close with it, the jobs' stay.
  EXPECT_EQ(zrk_child_wait(&c), ZX_TASK_RETCODE_EXCEPTION_KILL);
  EXPECT_OK(zx_object_wait_one(ch[0], ZX_CHANNEL_PEER_CLOSED, 0, NULL));
  EXPECT_OK(zx_object_wait_one(ch[2], ZX_CHANNEL_PEER_CLOSED, 0, NULL));
  EXPECT_OK(zx_object_wait_one(ch[1], ZX_CHANNEL_PEER_CLOSED, zx_deadline_after(ZX_SEC(5)), NULL));
  EXPECT_STATUS(zx_object_wait_one(ch[3], ZX_CHANNEL_PEER_CLOSED, 0, NULL), ZX_ERR_TIMED_OUT);
  for (int i = 0; i < 5; i++) zx_handle_close(ch[i]);
  zrk_child_close(&c);
  zx_handle_close(job);
  zx_handle_close(parent);
}

TEST(DebugChannelClosedBeforeSecondChance) {
  zx_handle_t job;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  zrk_child_t c;
  ASSERT_OK(zrk_child_create(job, "store", STORE_THEN_EXIT, ZRK_CHILD_LEN(STORE_THEN_EXIT), &c));
  zx_handle_t ch[4];
  ASSERT_OK(zx_task_create_exception_channel(c.process, ZX_EXCEPTION_CHANNEL_DEBUGGER, &ch[0]));
  ASSERT_OK(zx_task_create_exception_channel(c.thread, 0, &ch[1]));
  ASSERT_OK(zx_task_create_exception_channel(c.process, 0, &ch[2]));
  ASSERT_OK(zx_task_create_exception_channel(job, 0, &ch[3]));
  ASSERT_OK(zrk_child_start(&c, ZX_HANDLE_INVALID, 42));
  zx_exception_info_t info;
  zx_handle_t exc = read_exception(ch[0], &info);
  ASSERT_NE(exc, ZX_HANDLE_INVALID);
  uint32_t strategy = ZX_EXCEPTION_STRATEGY_SECOND_CHANCE;
  ASSERT_OK(zx_object_set_property(exc, ZX_PROP_EXCEPTION_STRATEGY, &strategy, sizeof strategy));
  zx_handle_close(exc);
  // The debugger goes away before its second chance: thread, process, then the job.
  zx_handle_close(ch[0]);
  for (int i = 1; i < 4; i++) {
    TEST_CONTEXT("handler %d", i);
    exc = read_exception(ch[i], &info);
    ASSERT_NE(exc, ZX_HANDLE_INVALID);
    zx_handle_close(exc);
  }
  EXPECT_EQ(zrk_child_wait(&c), ZX_TASK_RETCODE_EXCEPTION_KILL);
  for (int i = 1; i < 4; i++) zx_handle_close(ch[i]);
  zrk_child_close(&c);
  zx_handle_close(job);
}

TEST(TaskDeathClosesJobExceptionChannels) {
  zx_handle_t job, ch, dch;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  ASSERT_OK(zx_task_create_exception_channel(job, 0, &ch));
  ASSERT_OK(zx_task_create_exception_channel(job, ZX_EXCEPTION_CHANNEL_DEBUGGER, &dch));
  ASSERT_OK(zx_task_kill(job));
  EXPECT_OK(zx_object_wait_one(ch, ZX_CHANNEL_PEER_CLOSED, zx_deadline_after(ZX_SEC(5)), NULL));
  EXPECT_OK(zx_object_wait_one(dch, ZX_CHANNEL_PEER_CLOSED, zx_deadline_after(ZX_SEC(5)), NULL));
  // A dead task binds nothing.
  zx_handle_t again;
  EXPECT_STATUS(zx_task_create_exception_channel(job, 0, &again), ZX_ERR_BAD_STATE);
  zx_handle_close(ch);
  zx_handle_close(dch);
  zx_handle_close(job);
}

TEST(TaskDeathClosesProcessExceptionChannels) {
  zx_handle_t job;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  zrk_child_t c;
  ASSERT_OK(zrk_child_create(job, "spin", ZRK_CHILD_SPIN, ZRK_CHILD_LEN(ZRK_CHILD_SPIN), &c));
  zx_handle_t ch, dch;
  ASSERT_OK(zx_task_create_exception_channel(c.process, 0, &ch));
  ASSERT_OK(zx_task_create_exception_channel(c.process, ZX_EXCEPTION_CHANNEL_DEBUGGER, &dch));
  ASSERT_OK(zrk_child_start(&c, ZX_HANDLE_INVALID, 0));
  ASSERT_OK(zx_task_kill(c.process));
  EXPECT_EQ(zrk_child_wait(&c), ZX_TASK_RETCODE_SYSCALL_KILL);
  EXPECT_OK(zx_object_wait_one(ch, ZX_CHANNEL_PEER_CLOSED, 0, NULL));
  EXPECT_OK(zx_object_wait_one(dch, ZX_CHANNEL_PEER_CLOSED, 0, NULL));
  zx_handle_close(ch);
  zx_handle_close(dch);
  zrk_child_close(&c);
  zx_handle_close(job);
}

TEST(MaximumNumberOfJobDebugChannels) {
  zx_handle_t job;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  zx_handle_t ch[ZX_EXCEPTION_CHANNEL_JOB_DEBUGGER_MAX_COUNT];
  // Closed ones do not count.
  for (uint32_t i = 0; i < 2 * ZX_EXCEPTION_CHANNEL_JOB_DEBUGGER_MAX_COUNT; i++) {
    zx_handle_t h;
    ASSERT_OK(zx_task_create_exception_channel(job, ZX_EXCEPTION_CHANNEL_DEBUGGER, &h));
    zx_handle_close(h);
  }
  for (uint32_t i = 0; i < ZX_EXCEPTION_CHANNEL_JOB_DEBUGGER_MAX_COUNT; i++) {
    ASSERT_OK(zx_task_create_exception_channel(job, ZX_EXCEPTION_CHANNEL_DEBUGGER, &ch[i]));
  }
  zx_handle_t more;
  EXPECT_STATUS(zx_task_create_exception_channel(job, ZX_EXCEPTION_CHANNEL_DEBUGGER, &more),
                ZX_ERR_ALREADY_BOUND);
  // The ordinary channel is separate.
  ASSERT_OK(zx_task_create_exception_channel(job, 0, &more));
  zx_handle_close(more);
  for (uint32_t i = 0; i < ZX_EXCEPTION_CHANNEL_JOB_DEBUGGER_MAX_COUNT; i++) {
    zx_handle_close(ch[i]);
  }
  zx_handle_close(job);
}

static zx_status_t set_policy(zx_handle_t job, uint32_t condition, uint32_t action) {
  zx_policy_basic_v2_t p = {condition, action, ZX_POL_OVERRIDE_DENY};
  return zx_job_set_policy(job, ZX_JOB_POL_RELATIVE, ZX_JOB_POL_BASIC_V2, &p, 1);
}

// A job policy's exception actions: the handler sees ZX_EXCP_POLICY_ERROR with the
// condition as its code, and resuming the child lets the call's result stand.
static void policy_case(uint32_t action, zx_status_t want) {
  zx_handle_t job, ch;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  ASSERT_OK(set_policy(job, ZX_POL_NEW_VMO, action));
  ASSERT_OK(zx_task_create_exception_channel(job, 0, &ch));
  zrk_child_t c;
  ASSERT_OK(zrk_child_create(job, "vmo", ZRK_CHILD_VMO_CREATE, ZRK_CHILD_LEN(ZRK_CHILD_VMO_CREATE),
                             &c));
  ASSERT_OK(zrk_child_start(&c, ZX_HANDLE_INVALID, 0));
  zx_exception_info_t info;
  zx_handle_t exc = read_exception(ch, &info);
  ASSERT_NE(exc, ZX_HANDLE_INVALID);
  EXPECT_EQ(info.type, ZX_EXCP_POLICY_ERROR);
  zx_exception_report_t r = report_of(c.thread);
  EXPECT_EQ(r.header.type, ZX_EXCP_POLICY_ERROR);
  EXPECT_EQ(r.context.synth_code, ZX_EXCP_POLICY_CODE_NEW_VMO);
  EXPECT_EQ(r.context.synth_data, 0u);
  ASSERT_OK(set_state(exc, ZX_EXCEPTION_STATE_HANDLED));
  zx_handle_close(exc);
  EXPECT_EQ(zrk_child_wait(&c), want);
  zrk_child_close(&c);
  zx_handle_close(ch);
  zx_handle_close(job);
}

TEST(policy_allow_exception_reaches_the_job_handler) {
  policy_case(ZX_POL_ACTION_ALLOW_EXCEPTION, ZX_OK);
}

TEST(policy_deny_exception_reaches_the_job_handler) {
  policy_case(ZX_POL_ACTION_DENY_EXCEPTION, ZX_ERR_ACCESS_DENIED);
}

TEST(bad_syscall_is_a_policy_exception) {
  zx_handle_t job, ch;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  ASSERT_OK(zx_task_create_exception_channel(job, 0, &ch));
  zrk_child_t c;
  ASSERT_OK(zrk_child_create(job, "bad", BAD_SYSCALL, ZRK_CHILD_LEN(BAD_SYSCALL), &c));
  ASSERT_OK(zrk_child_start(&c, ZX_HANDLE_INVALID, 0));
  zx_exception_info_t info;
  zx_handle_t exc = read_exception(ch, &info);
  ASSERT_NE(exc, ZX_HANDLE_INVALID);
  EXPECT_EQ(info.type, ZX_EXCP_POLICY_ERROR);
  zx_exception_report_t r = report_of(c.thread);
  EXPECT_EQ(r.context.synth_code, ZX_EXCP_POLICY_CODE_BAD_SYSCALL);
  EXPECT_EQ(r.context.synth_data, 999u);
  // The registers are those after the call: x0 holds its status.
  zx_thread_state_general_regs_t regs;
  ASSERT_OK(zx_thread_read_state(c.thread, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof regs));
  EXPECT_EQ((zx_status_t)regs.r[0], ZX_ERR_BAD_SYSCALL);
  EXPECT_EQ(regs.pc, c.code + 8);
  ASSERT_OK(set_state(exc, ZX_EXCEPTION_STATE_HANDLED));
  zx_handle_close(exc);
  EXPECT_EQ(zrk_child_wait(&c), ZX_ERR_BAD_SYSCALL);
  zrk_child_close(&c);
  zx_handle_close(ch);
  zx_handle_close(job);
}

TEST(ExitClosingExcpHandle) {
  zx_handle_t job;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  zrk_child_t c;
  ASSERT_OK(zrk_child_create(job, "own", OWN_CHANNEL, ZRK_CHILD_LEN(OWN_CHANNEL), &c));
  zx_handle_t self = dup_with(c.process, ZX_RIGHT_SAME_RIGHTS);
  ASSERT_OK(zrk_child_start(&c, self, 0));
  // It made a channel on itself and exited; its death closed everything.
  EXPECT_EQ(zrk_child_wait(&c), ZX_OK);
  zrk_child_close(&c);
  zx_handle_close(job);
}

int main(void) { return run_tests(); }
