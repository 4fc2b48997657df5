// Fuchsia's job core tests that need a second process (zircon/system/utest/core/job/jobs.cc),
// driven through mini-process (<mini-process/mini-process.h>) as Fuchsia's are: killing a
// job with a live child, a chain of killed jobs, the job's signals as its process dies,
// and processes critical to a job (zx_job_set_critical).
#include <mini-process/mini-process.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zrk/test.h>

#define ALL_JOB_SIGNALS (ZX_JOB_NO_PROCESSES | ZX_JOB_NO_JOBS | ZX_JOB_NO_CHILDREN)

static zx_info_job_t job_info(zx_handle_t job) {
  zx_info_job_t info = {0};
  zx_object_get_info(job, ZX_INFO_JOB, &info, sizeof(info), NULL, NULL);
  return info;
}

static zx_info_process_t process_info(zx_handle_t process) {
  zx_info_process_t info = {0};
  zx_object_get_info(process, ZX_INFO_PROCESS, &info, sizeof(info), NULL, NULL);
  return info;
}

TEST(KillTest) {
  zx_handle_t child, grandchild, event, process, thread;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &child));
  ASSERT_OK(zx_job_create(child, 0, &grandchild));
  ASSERT_OK(zx_event_create(0, &event));
  ASSERT_OK(start_mini_process(child, event, &process, &thread));

  ASSERT_OK(zx_task_kill(child));
  zx_signals_t signals = 0;
  ASSERT_OK(zx_object_wait_one(process, ZX_TASK_TERMINATED, ZX_TIME_INFINITE, &signals));
  EXPECT_EQ(signals, ZX_TASK_TERMINATED);
  ASSERT_OK(zx_object_wait_one(child, ZX_TASK_TERMINATED, ZX_TIME_INFINITE, &signals));
  EXPECT_EQ(signals, ZX_TASK_TERMINATED | ALL_JOB_SIGNALS);

  zx_info_job_t info = job_info(child);
  EXPECT_TRUE(info.exited);
  EXPECT_EQ(info.return_code, ZX_TASK_RETCODE_SYSCALL_KILL);
  info = job_info(grandchild);
  EXPECT_TRUE(info.exited);
  EXPECT_EQ(info.return_code, ZX_TASK_RETCODE_SYSCALL_KILL);
  zx_info_process_t pinfo = process_info(process);
  EXPECT_TRUE(pinfo.flags & ZX_INFO_PROCESS_FLAG_EXITED);
  EXPECT_EQ(pinfo.return_code, ZX_TASK_RETCODE_SYSCALL_KILL);

  // A killed job takes no new children, jobs or processes.
  zx_handle_t another;
  EXPECT_STATUS(zx_job_create(child, 0, &another), ZX_ERR_BAD_STATE);
  EXPECT_OK(zx_handle_close(thread));
  EXPECT_OK(zx_handle_close(process));
  ASSERT_OK(zx_event_create(0, &event));
  EXPECT_STATUS(start_mini_process(child, event, &process, &thread), ZX_ERR_BAD_STATE);

  EXPECT_OK(zx_handle_close(child));
  EXPECT_OK(zx_handle_close(grandchild));
}

TEST(KillJobNoChildTest) {
  zx_handle_t child, grandchild, event, process, thread;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &child));
  ASSERT_OK(zx_task_kill(child));
  EXPECT_STATUS(zx_job_create(child, 0, &grandchild), ZX_ERR_BAD_STATE);
  ASSERT_OK(zx_event_create(0, &event));
  EXPECT_STATUS(start_mini_process(child, event, &process, &thread), ZX_ERR_BAD_STATE);
  EXPECT_OK(zx_handle_close(child));
}

TEST(KillJobChain) {
  // Five jobs, each the child of the one before, each with a live process.
  zx_handle_t jobs[5];
  zx_handle_t parent = zx_job_default();
  for (int i = 0; i < 5; i++) {
    ASSERT_OK(zx_job_create(parent, 0, &jobs[i]));
    parent = jobs[i];
    zx_handle_t event, process, thread;
    ASSERT_OK(zx_event_create(0, &event));
    ASSERT_OK(start_mini_process(jobs[i], event, &process, &thread));
    EXPECT_OK(zx_handle_close(process));
    EXPECT_OK(zx_handle_close(thread));
  }
  ASSERT_OK(zx_task_kill(jobs[0]));
  // Jobs die bottom-up: when the top one is terminated, all the others already are.
  zx_wait_item_t items[5] = {{jobs[0], ZX_TASK_TERMINATED, 0}};
  for (int i = 1; i < 5; i++) items[i] = (zx_wait_item_t){jobs[i], 0, 0};
  ASSERT_OK(zx_object_wait_many(items, 5, ZX_TIME_INFINITE));
  for (int i = 0; i < 5; i++) {
    TEST_CONTEXT("job %d", i);
    EXPECT_EQ(items[i].pending, ZX_TASK_TERMINATED | ALL_JOB_SIGNALS);
  }
  EXPECT_OK(zx_handle_close_many(jobs, 5));
}

TEST(WaitTest) {
  zx_handle_t child, event, process, thread;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &child));
  ASSERT_OK(zx_event_create(0, &event));
  ASSERT_OK(start_mini_process(child, event, &process, &thread));
  zx_signals_t signals = 0;
  ASSERT_OK(zx_object_wait_one(child, ZX_JOB_NO_JOBS, ZX_TIME_INFINITE, &signals));
  EXPECT_EQ(signals, ZX_JOB_NO_JOBS);
  zx_nanosleep(zx_deadline_after(ZX_MSEC(5)));
  ASSERT_OK(zx_task_kill(process));
  ASSERT_OK(zx_object_wait_one(child, ZX_JOB_NO_PROCESSES, ZX_TIME_INFINITE, &signals));
  EXPECT_EQ(signals, ALL_JOB_SIGNALS);
  EXPECT_OK(zx_handle_close(thread));
  EXPECT_OK(zx_handle_close(process));
  EXPECT_OK(zx_handle_close(child));
}

TEST(OneCriticalProcessKillsOneJob) {
  zx_handle_t job, process, thread;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  ASSERT_OK(start_mini_process(job, ZX_HANDLE_INVALID, &process, &thread));
  ASSERT_OK(zx_job_set_critical(job, 0, process));
  ASSERT_OK(zx_task_kill(process));
  zx_signals_t observed = 0;
  ASSERT_OK(zx_object_wait_one(job, ZX_JOB_TERMINATED, ZX_TIME_INFINITE, &observed));
  EXPECT_EQ(observed, ZX_JOB_TERMINATED | ALL_JOB_SIGNALS);
  EXPECT_EQ(job_info(job).return_code, ZX_TASK_RETCODE_CRITICAL_PROCESS_KILL);
  zx_handle_t all[] = {thread, process, job};
  EXPECT_OK(zx_handle_close_many(all, 3));
}

TEST(ManyCriticalProcessesKillOneJob) {
  zx_handle_t job, process1, process2, thread1, thread2;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  ASSERT_OK(start_mini_process(job, ZX_HANDLE_INVALID, &process1, &thread1));
  ASSERT_OK(start_mini_process(job, ZX_HANDLE_INVALID, &process2, &thread2));
  ASSERT_OK(zx_job_set_critical(job, 0, process1));
  ASSERT_OK(zx_job_set_critical(job, 0, process2));
  ASSERT_OK(zx_task_kill(process1));
  zx_signals_t observed = 0;
  ASSERT_OK(zx_object_wait_one(job, ZX_JOB_TERMINATED, ZX_TIME_INFINITE, &observed));
  EXPECT_EQ(observed, ZX_JOB_TERMINATED | ALL_JOB_SIGNALS);
  EXPECT_EQ(job_info(job).return_code, ZX_TASK_RETCODE_CRITICAL_PROCESS_KILL);
  // The other critical process died by the job's kill, not by its own.
  EXPECT_EQ(process_info(process2).return_code, ZX_TASK_RETCODE_CRITICAL_PROCESS_KILL);
  zx_handle_t all[] = {thread1, thread2, process1, process2, job};
  EXPECT_OK(zx_handle_close_many(all, 5));
}

TEST(OneCriticalProcessKillsJobTree) {
  zx_handle_t job1, job2, process1, process2, thread1, thread2;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job1));
  ASSERT_OK(zx_job_create(job1, 0, &job2));
  ASSERT_OK(start_mini_process(job1, ZX_HANDLE_INVALID, &process1, &thread1));
  ASSERT_OK(start_mini_process(job2, ZX_HANDLE_INVALID, &process2, &thread2));
  // Critical to an ancestor: yes; to a job below its own: no.
  ASSERT_OK(zx_job_set_critical(job1, 0, process2));
  EXPECT_STATUS(zx_job_set_critical(job2, 0, process1), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_task_kill(process2));
  zx_signals_t observed1 = 0, observed2 = 0;
  ASSERT_OK(zx_object_wait_one(job1, ZX_JOB_TERMINATED, ZX_TIME_INFINITE, &observed1));
  ASSERT_OK(zx_object_wait_one(job2, ZX_JOB_TERMINATED, ZX_TIME_INFINITE, &observed2));
  EXPECT_EQ(observed1, ZX_JOB_TERMINATED | ALL_JOB_SIGNALS);
  EXPECT_EQ(observed2, ZX_JOB_TERMINATED | ALL_JOB_SIGNALS);
  EXPECT_EQ(job_info(job1).return_code, ZX_TASK_RETCODE_CRITICAL_PROCESS_KILL);
  EXPECT_EQ(job_info(job2).return_code, ZX_TASK_RETCODE_CRITICAL_PROCESS_KILL);
  zx_handle_t all[] = {thread1, thread2, process1, process2, job2, job1};
  EXPECT_OK(zx_handle_close_many(all, 6));
}

TEST(OneCriticalProcessKillsOneJobIfRetcodeNonzero) {
  zx_handle_t job, process, vmar, thread, channel;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  ASSERT_OK(zx_process_create(job, "", 0, 0, &process, &vmar));
  ASSERT_OK(zx_thread_create(process, "", 0, 0, &thread));
  ASSERT_OK(start_mini_process_etc(process, thread, vmar, ZX_HANDLE_INVALID, true, &channel));
  ASSERT_OK(zx_job_set_critical(job, ZX_JOB_CRITICAL_PROCESS_RETCODE_NONZERO, process));
  // Exiting with 0 leaves the job alive and empty.
  ASSERT_OK(mini_process_cmd_send(channel, MINIP_CMD_EXIT_NORMAL));
  zx_signals_t observed = 0;
  ASSERT_OK(zx_object_wait_one(job, ZX_JOB_NO_PROCESSES, ZX_TIME_INFINITE, &observed));
  EXPECT_EQ(observed, ALL_JOB_SIGNALS);
  EXPECT_FALSE(job_info(job).exited);
  zx_handle_t all[] = {channel, thread, vmar, process, job};
  EXPECT_OK(zx_handle_close_many(all, 5));
}

TEST(critical_with_retcode_nonzero_kills_on_a_kill) {
  // The other half of the option: a non-zero return code (here a kill's) does kill the job.
  zx_handle_t job, process, thread;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  ASSERT_OK(start_mini_process(job, ZX_HANDLE_INVALID, &process, &thread));
  ASSERT_OK(zx_job_set_critical(job, ZX_JOB_CRITICAL_PROCESS_RETCODE_NONZERO, process));
  ASSERT_OK(zx_task_kill(process));
  ASSERT_OK(zx_object_wait_one(job, ZX_JOB_TERMINATED, ZX_TIME_INFINITE, NULL));
  EXPECT_EQ(job_info(job).return_code, ZX_TASK_RETCODE_CRITICAL_PROCESS_KILL);
  zx_handle_t all[] = {thread, process, job};
  EXPECT_OK(zx_handle_close_many(all, 3));
}

TEST(CriticalProcessNotInAncestor) {
  zx_handle_t job, process, thread;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  ASSERT_OK(start_mini_process(zx_job_default(), ZX_HANDLE_INVALID, &process, &thread));
  EXPECT_STATUS(zx_job_set_critical(job, 0, process), ZX_ERR_INVALID_ARGS);
  EXPECT_OK(zx_task_kill(process));
  EXPECT_OK(zx_object_wait_one(process, ZX_TASK_TERMINATED, ZX_TIME_INFINITE, NULL));
  // The job was never bound: it lives on.
  EXPECT_FALSE(job_info(job).exited);
  zx_handle_t all[] = {thread, process, job};
  EXPECT_OK(zx_handle_close_many(all, 3));
}

TEST(CriticalProcessAlreadySet) {
  zx_handle_t job, process, thread;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  ASSERT_OK(start_mini_process(job, ZX_HANDLE_INVALID, &process, &thread));
  ASSERT_OK(zx_job_set_critical(job, 0, process));
  EXPECT_STATUS(zx_job_set_critical(job, 0, process), ZX_ERR_ALREADY_BOUND);
  ASSERT_OK(zx_task_kill(process));
  zx_signals_t observed = 0;
  ASSERT_OK(zx_object_wait_one(job, ZX_JOB_TERMINATED, ZX_TIME_INFINITE, &observed));
  EXPECT_EQ(observed, ZX_JOB_TERMINATED | ALL_JOB_SIGNALS);
  EXPECT_EQ(job_info(job).return_code, ZX_TASK_RETCODE_CRITICAL_PROCESS_KILL);
  zx_handle_t all[] = {thread, process, job};
  EXPECT_OK(zx_handle_close_many(all, 3));
}

TEST(set_critical_errors_in_zircon_order) {
  zx_handle_t job, process, thread;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  ASSERT_OK(start_mini_process(job, ZX_HANDLE_INVALID, &process, &thread));
  // Options, then the job (DESTROY), then the process (WAIT).
  EXPECT_STATUS(zx_job_set_critical(ZX_HANDLE_INVALID, 2, process), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_job_set_critical(ZX_HANDLE_INVALID, 0, process), ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_job_set_critical(process, 0, process), ZX_ERR_WRONG_TYPE);
  zx_handle_t no_destroy;
  ASSERT_OK(zx_handle_duplicate(job, ZX_DEFAULT_JOB_RIGHTS & ~ZX_RIGHT_DESTROY, &no_destroy));
  EXPECT_STATUS(zx_job_set_critical(no_destroy, 0, ZX_HANDLE_INVALID), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_job_set_critical(job, 0, ZX_HANDLE_INVALID), ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_job_set_critical(job, 0, job), ZX_ERR_WRONG_TYPE);
  zx_handle_t no_wait;
  ASSERT_OK(zx_handle_duplicate(process, ZX_DEFAULT_PROCESS_RIGHTS & ~ZX_RIGHT_WAIT, &no_wait));
  EXPECT_STATUS(zx_job_set_critical(job, 0, no_wait), ZX_ERR_ACCESS_DENIED);
  // None of those bound it: killing the process leaves the job alive.
  EXPECT_OK(zx_task_kill(process));
  EXPECT_OK(zx_object_wait_one(process, ZX_TASK_TERMINATED, ZX_TIME_INFINITE, NULL));
  EXPECT_FALSE(job_info(job).exited);
  zx_handle_t all[] = {no_wait, no_destroy, thread, process, job};
  EXPECT_OK(zx_handle_close_many(all, 5));
}

int main(void) { return run_tests(); }
