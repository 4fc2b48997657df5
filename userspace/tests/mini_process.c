// libminiprocess: a second process without a loader (digest part 2, section 9). The
// child is a few hundred instructions copied into its stack VMO; these cases drive each
// of its commands and check how it ends, as Fuchsia's process, job, channel and port
// tests rely on.
#include <mini-process/mini-process.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zrk/test.h>
#include <zrk/vmo_util.h>

static zx_info_process_t process_info(zx_handle_t process) {
  zx_info_process_t info = {0};
  zx_object_get_info(process, ZX_INFO_PROCESS, &info, sizeof(info), NULL, NULL);
  return info;
}

// A child in command mode with its control channel, in a fresh job.
typedef struct {
  zx_handle_t job, process, thread, vmar, control;
} child_t;

static zx_status_t start_child(child_t* c, zx_handle_t transferred) {
  *c = (child_t){0};
  zx_status_t s = zx_job_create(zx_job_default(), 0, &c->job);
  if (s == ZX_OK) s = zx_process_create(c->job, "minipr", 6, 0, &c->process, &c->vmar);
  if (s == ZX_OK) s = zx_thread_create(c->process, "minith", 6, 0, &c->thread);
  if (s == ZX_OK)
    return start_mini_process_etc(c->process, c->thread, c->vmar, transferred, true, &c->control);
  zx_handle_close(transferred);
  return s;
}

static void end_child(child_t* c) {
  zx_task_kill(c->job);
  zx_object_wait_one(c->process, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, NULL);
  zx_handle_t all[] = {c->control, c->vmar, c->thread, c->process, c->job};
  for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) zx_handle_close(all[i]);
}

TEST(start_mini_process_gives_a_live_blocked_child) {
  zx_handle_t job, process = ZX_HANDLE_INVALID, thread = ZX_HANDLE_INVALID;
  ASSERT_EQ(zx_job_create(zx_job_default(), 0, &job), ZX_OK);
  ASSERT_EQ(start_mini_process(job, ZX_HANDLE_INVALID, &process, &thread), ZX_OK);
  char name[ZX_MAX_NAME_LEN] = {0};
  EXPECT_OK(zx_object_get_property(process, ZX_PROP_NAME, name, sizeof(name)));
  EXPECT_EQ(strcmp(name, "minipr"), 0);
  EXPECT_OK(zx_object_get_property(thread, ZX_PROP_NAME, name, sizeof(name)));
  EXPECT_EQ(strcmp(name, "minith"), 0);
  // Its control channel is gone, yet it lives on, blocked waiting for a command.
  EXPECT_STATUS(zx_object_wait_one(process, ZX_PROCESS_TERMINATED,
                                   zx_deadline_after(ZX_MSEC(20)), NULL),
                ZX_ERR_TIMED_OUT);
  EXPECT_EQ(process_info(process).flags, ZX_INFO_PROCESS_FLAG_STARTED);
  EXPECT_OK(zx_task_kill(process));
  EXPECT_OK(zx_object_wait_one(process, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, NULL));
  EXPECT_EQ(process_info(process).return_code, ZX_TASK_RETCODE_SYSCALL_KILL);
  zx_handle_close(thread);
  zx_handle_close(process);
  zx_handle_close(job);
}

TEST(echo_and_unknown_commands) {
  child_t c;
  ASSERT_EQ(start_child(&c, ZX_HANDLE_INVALID), ZX_OK);
  EXPECT_OK(mini_process_cmd(c.control, MINIP_CMD_ECHO_MSG, NULL));
  EXPECT_STATUS(mini_process_cmd(c.control, MINIP_CMD_VMO_READ, NULL), ZX_ERR_WRONG_TYPE);
  EXPECT_STATUS(mini_process_cmd(c.control, MINIP_CMD_CREATE_PROFILE, NULL),
                ZX_ERR_NOT_SUPPORTED);
  end_child(&c);
}

TEST(created_objects_come_back_through_the_channel) {
  child_t c;
  ASSERT_EQ(start_child(&c, ZX_HANDLE_INVALID), ZX_OK);
  zx_handle_t event = ZX_HANDLE_INVALID;
  EXPECT_OK(mini_process_cmd(c.control, MINIP_CMD_CREATE_EVENT, &event));
  zx_info_handle_basic_t basic = {0};
  EXPECT_OK(zx_object_get_info(event, ZX_INFO_HANDLE_BASIC, &basic, sizeof(basic), NULL, NULL));
  EXPECT_EQ(basic.type, ZX_OBJ_TYPE_EVENT);
  EXPECT_OK(zx_object_signal(event, 0, ZX_EVENT_SIGNALED));
  zx_handle_close(event);

  zx_handle_t channel = ZX_HANDLE_INVALID;
  EXPECT_OK(mini_process_cmd(c.control, MINIP_CMD_CREATE_CHANNEL, &channel));
  EXPECT_OK(zx_object_get_info(channel, ZX_INFO_HANDLE_BASIC, &basic, sizeof(basic), NULL, NULL));
  EXPECT_EQ(basic.type, ZX_OBJ_TYPE_CHANNEL);
  zx_handle_close(channel);
  end_child(&c);
}

TEST(bad_handle_commands_report_bad_handle) {
  child_t c;
  ASSERT_EQ(start_child(&c, ZX_HANDLE_INVALID), ZX_OK);
  EXPECT_STATUS(mini_process_cmd(c.control, MINIP_CMD_USE_BAD_HANDLE_CLOSED, NULL),
                ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(mini_process_cmd(c.control, MINIP_CMD_USE_BAD_HANDLE_TRANSFERRED, NULL),
                ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(mini_process_cmd(c.control, MINIP_CMD_VALIDATE_CLOSED_HANDLE, NULL),
                ZX_ERR_BAD_HANDLE);
  end_child(&c);
}

TEST(several_bits_run_in_order_with_a_reply_each) {
  child_t c;
  ASSERT_EQ(start_child(&c, ZX_HANDLE_INVALID), ZX_OK);
  EXPECT_OK(mini_process_cmd_send(c.control, MINIP_CMD_ECHO_MSG | MINIP_CMD_CREATE_EVENT));
  EXPECT_OK(mini_process_cmd_read_reply(c.control, NULL));
  zx_handle_t event = ZX_HANDLE_INVALID;
  EXPECT_OK(mini_process_cmd_read_reply(c.control, &event));
  EXPECT_NE(event, ZX_HANDLE_INVALID);
  zx_handle_close(event);
  end_child(&c);
}

TEST(channel_write_uses_the_transferred_handle) {
  zx_handle_t mine, theirs;
  ASSERT_EQ(zx_channel_create(0, &mine, &theirs), ZX_OK);
  child_t c;
  ASSERT_EQ(start_child(&c, theirs), ZX_OK);
  EXPECT_OK(mini_process_cmd(c.control, MINIP_CMD_CHANNEL_WRITE, NULL));
  uint8_t byte = 0xff;
  uint32_t actual = 0, handles = 0;
  EXPECT_OK(zx_channel_read(mine, 0, &byte, NULL, 1, 0, &actual, &handles));
  EXPECT_EQ(actual, 1u);
  EXPECT_EQ(byte, 0);
  end_child(&c);
  zx_handle_close(mine);
}

TEST(exit_normal_closes_the_channel_with_return_code_zero) {
  child_t c;
  ASSERT_EQ(start_child(&c, ZX_HANDLE_INVALID), ZX_OK);
  EXPECT_STATUS(mini_process_cmd(c.control, MINIP_CMD_EXIT_NORMAL, NULL), ZX_ERR_PEER_CLOSED);
  EXPECT_OK(zx_object_wait_one(c.process, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, NULL));
  zx_info_process_t info = process_info(c.process);
  EXPECT_EQ(info.return_code, 0);
  EXPECT_EQ(info.flags, ZX_INFO_PROCESS_FLAG_STARTED | ZX_INFO_PROCESS_FLAG_EXITED);
  end_child(&c);
}

TEST(builtin_trap_kills_the_child_with_exception_kill) {
  child_t c;
  ASSERT_EQ(start_child(&c, ZX_HANDLE_INVALID), ZX_OK);
  EXPECT_STATUS(mini_process_cmd(c.control, MINIP_CMD_BUILTIN_TRAP, NULL), ZX_ERR_PEER_CLOSED);
  EXPECT_OK(zx_object_wait_one(c.process, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, NULL));
  EXPECT_EQ(process_info(c.process).return_code, ZX_TASK_RETCODE_EXCEPTION_KILL);
  end_child(&c);
}

TEST(thread_exit_of_the_only_thread_ends_the_process) {
  child_t c;
  ASSERT_EQ(start_child(&c, ZX_HANDLE_INVALID), ZX_OK);
  EXPECT_STATUS(mini_process_cmd(c.control, MINIP_CMD_THREAD_EXIT, NULL), ZX_ERR_PEER_CLOSED);
  EXPECT_OK(zx_object_wait_one(c.thread, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, NULL));
  EXPECT_OK(zx_object_wait_one(c.process, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, NULL));
  EXPECT_EQ(process_info(c.process).return_code, 0);
  end_child(&c);
}

TEST(thread_pointer_check_without_a_thread_pointer_is_bad_state) {
  // The child starts with TPIDR_EL0 = 0 (Fuchsia's would fault reading through it;
  // ours answers BAD_STATE). ProcessStartWriteThreadState sets it first.
  child_t c;
  ASSERT_EQ(start_child(&c, ZX_HANDLE_INVALID), ZX_OK);
  EXPECT_STATUS(mini_process_cmd(c.control, MINIP_CMD_CHECK_THREAD_POINTER, NULL),
                ZX_ERR_BAD_STATE);
  end_child(&c);
}

TEST(simple_mode_spins_until_killed) {
  zx_handle_t job, process, vmar, thread;
  ASSERT_EQ(zx_job_create(zx_job_default(), 0, &job), ZX_OK);
  ASSERT_EQ(zx_process_create(job, "spin", 4, 0, &process, &vmar), ZX_OK);
  ASSERT_EQ(zx_thread_create(process, "spin", 4, 0, &thread), ZX_OK);
  zx_handle_t event;
  ASSERT_EQ(zx_event_create(0, &event), ZX_OK);
  EXPECT_OK(start_mini_process_etc(process, thread, vmar, event, true, NULL));
  zx_info_thread_t info = {0};
  EXPECT_OK(zx_object_get_info(thread, ZX_INFO_THREAD, &info, sizeof(info), NULL, NULL));
  EXPECT_EQ(info.state, ZX_THREAD_STATE_RUNNING);
  EXPECT_OK(zx_task_kill(job));
  EXPECT_OK(zx_object_wait_one(process, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, NULL));
  zx_handle_close(thread);
  zx_handle_close(vmar);
  zx_handle_close(process);
  zx_handle_close(job);
}

TEST(a_process_started_at_the_exit_stub_exits_with_arg1) {
  zx_handle_t job, process, vmar, thread;
  ASSERT_EQ(zx_job_create(zx_job_default(), 0, &job), ZX_OK);
  ASSERT_EQ(zx_process_create(job, "exit", 4, 0, &process, &vmar), ZX_OK);
  ASSERT_EQ(zx_thread_create(process, "exit", 4, 0, &thread), ZX_OK);
  uintptr_t base = 0, entry = 0;
  ASSERT_EQ(mini_process_load_vdso(process, vmar, &base, &entry), ZX_OK);
  EXPECT_EQ(base, entry);
  zx_vaddr_t stack_base, sp;
  ASSERT_EQ(mini_process_load_stack(vmar, false, &stack_base, &sp), ZX_OK);
  EXPECT_EQ(sp % 16, 0u);
  EXPECT_OK(zx_process_start(process, thread, entry, sp, ZX_HANDLE_INVALID, 0));
  EXPECT_OK(zx_object_wait_one(process, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, NULL));
  EXPECT_EQ(process_info(process).return_code, 0);
  zx_handle_close(thread);
  zx_handle_close(vmar);
  zx_handle_close(process);
  zx_handle_close(job);
}

TEST(a_dead_child_before_the_ack_is_unavailable) {
  // A child whose first thread is killed before it can answer: the parent learns it
  // from PEER_CLOSED on the control channel.
  zx_handle_t job, process, vmar, thread, control = ZX_HANDLE_INVALID;
  ASSERT_EQ(zx_job_create(zx_job_default(), 0, &job), ZX_OK);
  ASSERT_EQ(zx_process_create(job, "early", 5, 0, &process, &vmar), ZX_OK);
  ASSERT_EQ(zx_thread_create(process, "early", 5, 0, &thread), ZX_OK);
  ASSERT_EQ(start_mini_process_etc(process, thread, vmar, ZX_HANDLE_INVALID, false, &control),
            ZX_OK);
  EXPECT_OK(zx_task_kill(process));
  EXPECT_OK(zx_object_wait_one(process, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, NULL));
  // Either the ack was written before the kill (then it reads) or the child died first.
  zx_status_t s = mini_process_wait_for_ack(control);
  EXPECT_TRUE(s == ZX_OK || s == ZX_ERR_UNAVAILABLE);
  EXPECT_STATUS(mini_process_cmd(control, MINIP_CMD_ECHO_MSG, NULL), ZX_ERR_PEER_CLOSED);
  zx_handle_close(control);
  zx_handle_close(thread);
  zx_handle_close(vmar);
  zx_handle_close(process);
  zx_handle_close(job);
}

TEST(children_leave_nothing_behind) {
  // One child first: what persists after the first (e.g. the heap's growth) is not a leak.
  child_t c;
  ASSERT_EQ(start_child(&c, ZX_HANDLE_INVALID), ZX_OK);
  end_child(&c);
  zx_nanosleep(zx_deadline_after(ZX_MSEC(10)));
  uint64_t before = free_bytes();
  for (int i = 0; i < 20; i++) {
    ASSERT_EQ(start_child(&c, ZX_HANDLE_INVALID), ZX_OK);
    EXPECT_OK(mini_process_cmd(c.control, MINIP_CMD_ECHO_MSG, NULL));
    end_child(&c);
  }
  // A dead thread's kernel stack goes at its CPU's next switch: give that a moment.
  for (int i = 0; i < 100 && free_bytes() != before; i++) {
    zx_nanosleep(zx_deadline_after(ZX_MSEC(10)));
  }
  EXPECT_EQ(free_bytes(), before);
}

int main(void) { return run_tests(); }
