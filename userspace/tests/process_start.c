// zx_process_start (digest part 2, 7.2) and a second process running code: every error in
// Zircon's order, with arg1 taken from the caller on every path (a handle that was
// passed is BAD_HANDLE afterwards); the child's registers (x0 = the handle's value in
// the child, x1 = arg2); ZX_INFO_PROCESS and ZX_PROCESS_TERMINATED as it runs and ends.
// Children are tiny hand-assembled programs (<zrk/child_process.h>).
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zrk/child_process.h>
#include <zrk/handle_util.h>
#include <zrk/test.h>

static zx_handle_t new_event(void) {
  zx_handle_t e = ZX_HANDLE_INVALID;
  zx_event_create(0, &e);
  return e;
}

TEST(a_child_runs_and_exits_with_arg2) {
  zrk_child_t c;
  ASSERT_OK(zrk_child_create(zx_job_default(), "exit-arg2", ZRK_CHILD_EXIT_ARG2,
                             ZRK_CHILD_LEN(ZRK_CHILD_EXIT_ARG2), &c));
  zx_info_process_t info = zrk_child_info(&c);
  EXPECT_EQ(info.flags, 0u);
  EXPECT_EQ(info.return_code, 0);
  zx_time_t before = zx_clock_get_monotonic();
  ASSERT_OK(zrk_child_start(&c, ZX_HANDLE_INVALID, 42));
  zx_time_t after = zx_clock_get_monotonic();
  EXPECT_EQ(zrk_child_wait(&c), 42);
  info = zrk_child_info(&c);
  EXPECT_EQ(info.flags, ZX_INFO_PROCESS_FLAG_STARTED | ZX_INFO_PROCESS_FLAG_EXITED);
  EXPECT_GE(info.start_time, before);
  EXPECT_LE(info.start_time, after);
  zx_signals_t seen = 0;
  EXPECT_OK(zx_object_wait_one(c.process, ZX_PROCESS_TERMINATED, 0, &seen));
  EXPECT_EQ(seen & ZX_PROCESS_TERMINATED, ZX_PROCESS_TERMINATED);
  zrk_child_close(&c);
}

TEST(negative_return_codes_come_back_whole) {
  zrk_child_t c;
  ASSERT_OK(zrk_child_create(zx_job_default(), "neg", ZRK_CHILD_EXIT_ARG2,
                             ZRK_CHILD_LEN(ZRK_CHILD_EXIT_ARG2), &c));
  ASSERT_OK(zrk_child_start(&c, ZX_HANDLE_INVALID, (uintptr_t)INT64_C(-5000000000)));
  EXPECT_EQ(zrk_child_wait(&c), INT64_C(-5000000000));
  zrk_child_close(&c);
}

// Info while running: STARTED only, start_time within the start call.
TEST(info_reflects_process_state) {
  zrk_child_t c;
  ASSERT_OK(zrk_child_create(zx_job_default(), "spin", ZRK_CHILD_SPIN,
                             ZRK_CHILD_LEN(ZRK_CHILD_SPIN), &c));
  zx_time_t before = zx_clock_get_monotonic();
  ASSERT_OK(zrk_child_start(&c, ZX_HANDLE_INVALID, 0));
  zx_time_t after = zx_clock_get_monotonic();
  zx_info_process_t info = zrk_child_info(&c);
  EXPECT_EQ(info.flags, ZX_INFO_PROCESS_FLAG_STARTED);
  EXPECT_GE(info.start_time, before);
  EXPECT_LE(info.start_time, after);
  EXPECT_OK(zx_task_kill(c.process));
  EXPECT_EQ(zrk_child_wait(&c), ZX_TASK_RETCODE_SYSCALL_KILL);
  info = zrk_child_info(&c);
  EXPECT_EQ(info.flags, ZX_INFO_PROCESS_FLAG_STARTED | ZX_INFO_PROCESS_FLAG_EXITED);
  // Killing a dead process is fine and changes nothing.
  EXPECT_OK(zx_task_kill(c.process));
  EXPECT_EQ(zrk_child_info(&c).return_code, ZX_TASK_RETCODE_SYSCALL_KILL);
  zrk_child_close(&c);
}

// The handle passed as arg1 moves into the child: x0 is its value there (a handle value,
// low bits set), the child can close it (ZX_OK), and the caller's value is gone.
TEST(arg1_moves_into_the_child) {
  zrk_child_t c;
  ASSERT_OK(zrk_child_create(zx_job_default(), "x0", ZRK_CHILD_EXIT_X0,
                             ZRK_CHILD_LEN(ZRK_CHILD_EXIT_X0), &c));
  zx_handle_t e = new_event();
  ASSERT_OK(zrk_child_start(&c, e, 0));
  EXPECT_FALSE(is_valid(e));
  int64_t value = zrk_child_wait(&c);
  EXPECT_NE(value, 0);
  EXPECT_EQ(value & 3, 3);
  EXPECT_EQ(value >> 32, 0);
  zrk_child_close(&c);

  ASSERT_OK(zrk_child_create(zx_job_default(), "close", ZRK_CHILD_CLOSE_X0,
                             ZRK_CHILD_LEN(ZRK_CHILD_CLOSE_X0), &c));
  ASSERT_OK(zrk_child_start(&c, new_event(), 0));
  EXPECT_EQ(zrk_child_wait(&c), ZX_OK);
  zrk_child_close(&c);
}

// Decision 14: an arg1 that is not a handle starts the child with x0 = 0.
TEST(an_invalid_arg1_starts_with_x0_zero) {
  zx_handle_t args[] = {ZX_HANDLE_INVALID, stale_handle()};
  for (int i = 0; i < 2; i++) {
    TEST_CONTEXT("arg1 %#x", args[i]);
    zrk_child_t c;
    ASSERT_OK(zrk_child_create(zx_job_default(), "x0", ZRK_CHILD_EXIT_X0,
                               ZRK_CHILD_LEN(ZRK_CHILD_EXIT_X0), &c));
    ASSERT_OK(zrk_child_start(&c, args[i], 0));
    EXPECT_EQ(zrk_child_wait(&c), 0);
    zrk_child_close(&c);
  }
}

// Each failure, in Zircon's order, and arg1 gone after each one.
TEST(process_start_errors_consume_arg1) {
  zrk_child_t c, other;
  ASSERT_OK(zrk_child_create(zx_job_default(), "c", ZRK_CHILD_EXIT_ARG2,
                             ZRK_CHILD_LEN(ZRK_CHILD_EXIT_ARG2), &c));
  ASSERT_OK(zrk_child_create(zx_job_default(), "other", ZRK_CHILD_EXIT_ARG2,
                             ZRK_CHILD_LEN(ZRK_CHILD_EXIT_ARG2), &other));
  zx_handle_t e;

  e = new_event();
  EXPECT_STATUS(zx_process_start(stale_handle(), c.thread, c.code, c.stack_top, e, 0),
                ZX_ERR_BAD_HANDLE);
  EXPECT_FALSE(is_valid(e));

  e = new_event();
  EXPECT_STATUS(zx_process_start(c.thread, c.thread, c.code, c.stack_top, e, 0),
                ZX_ERR_WRONG_TYPE);
  EXPECT_FALSE(is_valid(e));

  e = new_event();
  zx_handle_t no_write = dup_with(c.process, ZX_DEFAULT_PROCESS_RIGHTS & ~ZX_RIGHT_WRITE);
  EXPECT_STATUS(zx_process_start(no_write, c.thread, c.code, c.stack_top, e, 0),
                ZX_ERR_ACCESS_DENIED);
  EXPECT_FALSE(is_valid(e));
  zx_handle_close(no_write);

  e = new_event();
  EXPECT_STATUS(zx_process_start(c.process, stale_handle(), c.code, c.stack_top, e, 0),
                ZX_ERR_BAD_HANDLE);
  EXPECT_FALSE(is_valid(e));

  e = new_event();
  EXPECT_STATUS(zx_process_start(c.process, c.process, c.code, c.stack_top, e, 0),
                ZX_ERR_WRONG_TYPE);
  EXPECT_FALSE(is_valid(e));

  e = new_event();
  zx_handle_t thread_no_write = dup_with(c.thread, ZX_DEFAULT_THREAD_RIGHTS & ~ZX_RIGHT_WRITE);
  EXPECT_STATUS(zx_process_start(c.process, thread_no_write, c.code, c.stack_top, e, 0),
                ZX_ERR_ACCESS_DENIED);
  EXPECT_FALSE(is_valid(e));
  zx_handle_close(thread_no_write);

  // Another process's thread.
  e = new_event();
  EXPECT_STATUS(zx_process_start(c.process, other.thread, c.code, c.stack_top, e, 0),
                ZX_ERR_ACCESS_DENIED);
  EXPECT_FALSE(is_valid(e));

  // arg1 without TRANSFER.
  e = new_event();
  zx_handle_t no_transfer = dup_with(e, ZX_DEFAULT_EVENT_RIGHTS & ~ZX_RIGHT_TRANSFER);
  EXPECT_STATUS(zx_process_start(c.process, c.thread, c.code, c.stack_top, no_transfer, 0),
                ZX_ERR_ACCESS_DENIED);
  EXPECT_FALSE(is_valid(no_transfer));
  EXPECT_TRUE(is_valid(e));
  zx_handle_close(e);

  // Entries no user program can have (ProcessStartNonUserspaceEntry).
  uintptr_t bad_entries[] = {(uintptr_t)1 << 55, 0xffffff8000000000, 0x1000};
  for (int i = 0; i < 3; i++) {
    TEST_CONTEXT("entry %#zx", bad_entries[i]);
    e = new_event();
    EXPECT_STATUS(zx_process_start(c.process, c.thread, bad_entries[i], c.stack_top, e, 0),
                  ZX_ERR_INVALID_ARGS);
    EXPECT_FALSE(is_valid(e));
  }
  TEST_CONTEXT("%s", "");
  // Nothing was left in the child's table by the failures.
  zx_info_process_handle_stats_t stats;
  ASSERT_OK(zx_object_get_info(c.process, ZX_INFO_PROCESS_HANDLE_STATS, &stats, sizeof stats,
                               NULL, NULL));
  uint32_t total = 0;
  for (uint32_t i = 0; i < ZX_OBJ_TYPE_UPPER_BOUND; i++) {
    total += stats.handle_count[i];
  }
  EXPECT_EQ(total, 0u);

  // It still starts; a second start is BAD_STATE (ProcessStartFail), arg1 closed.
  ASSERT_OK(zrk_child_start(&c, ZX_HANDLE_INVALID, 7));
  e = new_event();
  EXPECT_STATUS(zx_process_start(c.process, c.thread, c.code, c.stack_top, e, 0),
                ZX_ERR_BAD_STATE);
  EXPECT_FALSE(is_valid(e));
  EXPECT_EQ(zrk_child_wait(&c), 7);
  // A dead process starts nothing either.
  zx_handle_t t2;
  ASSERT_OK(zx_thread_create(c.process, "late", 4, 0, &t2));
  e = new_event();
  EXPECT_STATUS(zx_process_start(c.process, t2, c.code, c.stack_top, e, 0), ZX_ERR_BAD_STATE);
  EXPECT_FALSE(is_valid(e));
  EXPECT_STATUS(zx_thread_start(t2, c.code, c.stack_top, 0, 0), ZX_ERR_BAD_STATE);
  zx_handle_close(t2);
  zrk_child_close(&c);
  zrk_child_close(&other);
}

// A thread already started by zx_thread_start makes zx_process_start BAD_STATE (the
// process already has its initial thread).
TEST(process_start_after_thread_start_is_bad_state) {
  zrk_child_t c;
  ASSERT_OK(zrk_child_create(zx_job_default(), "spin", ZRK_CHILD_SPIN,
                             ZRK_CHILD_LEN(ZRK_CHILD_SPIN), &c));
  ASSERT_OK(zx_thread_start(c.thread, c.code, c.stack_top, 0, 0));
  EXPECT_EQ(zrk_child_info(&c).flags, ZX_INFO_PROCESS_FLAG_STARTED);
  zx_handle_t t2;
  ASSERT_OK(zx_thread_create(c.process, "second", 6, 0, &t2));
  zx_handle_t e = new_event();
  EXPECT_STATUS(zx_process_start(c.process, t2, c.code, c.stack_top, e, 0), ZX_ERR_BAD_STATE);
  EXPECT_FALSE(is_valid(e));
  EXPECT_OK(zx_task_kill(c.process));
  EXPECT_EQ(zrk_child_wait(&c), ZX_TASK_RETCODE_SYSCALL_KILL);
  zx_handle_close(t2);
  zrk_child_close(&c);
}

// A child whose code faults dies with ZX_TASK_RETCODE_EXCEPTION_KILL (no exception
// handler is bound); the parent goes on.
TEST(a_faulting_child_dies_alone) {
  static const uint32_t program[] = {ZRK_A64_BRK0};
  zrk_child_t c;
  ASSERT_OK(zrk_child_create(zx_job_default(), "brk", program, 1, &c));
  ASSERT_OK(zrk_child_start(&c, ZX_HANDLE_INVALID, 0));
  EXPECT_EQ(zrk_child_wait(&c), ZX_TASK_RETCODE_EXCEPTION_KILL);
  zrk_child_close(&c);
}

// A running process outlives every handle to it (ProcessNotKilledViaProcessClose /
// ViaThreadClose): it stays listed in its job and can be fetched and killed there.
TEST(a_running_process_outlives_its_handles) {
  zrk_child_t c;
  ASSERT_OK(zrk_child_create(zx_job_default(), "orphan", ZRK_CHILD_SPIN,
                             ZRK_CHILD_LEN(ZRK_CHILD_SPIN), &c));
  zx_koid_t koid = basic_info(c.process).koid;
  ASSERT_OK(zrk_child_start(&c, ZX_HANDLE_INVALID, 0));
  zrk_child_close(&c);
  zx_koid_t koids[8];
  size_t actual = 0, avail = 0;
  ASSERT_OK(zx_object_get_info(zx_job_default(), ZX_INFO_JOB_PROCESSES, koids, sizeof koids,
                               &actual, &avail));
  int found = 0;
  for (size_t i = 0; i < actual; i++) {
    found |= koids[i] == koid;
  }
  EXPECT_TRUE(found);
  zx_handle_t p;
  ASSERT_OK(zx_object_get_child(zx_job_default(), koid, ZX_RIGHT_SAME_RIGHTS, &p));
  zx_info_process_t info;
  ASSERT_OK(zx_object_get_info(p, ZX_INFO_PROCESS, &info, sizeof info, NULL, NULL));
  EXPECT_EQ(info.flags, ZX_INFO_PROCESS_FLAG_STARTED);
  EXPECT_OK(zx_task_kill(p));
  EXPECT_OK(zx_object_wait_one(p, ZX_PROCESS_TERMINATED, zx_deadline_after(ZX_SEC(10)), NULL));
  zx_handle_close(p);
}

int main(void) { return run_tests(); }
