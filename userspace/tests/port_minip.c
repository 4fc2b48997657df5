// Fuchsia's PortTest.TooManyObservers (zircon/system/utest/core/port/ports.cc) as Fuchsia
// runs it: a mini-process registers waits on a channel end with its own port until the
// kernel refuses one, at the default limit of 50,000 armed observers per port
// (`max_port_observers`). Going past the limit is a policy exception
// (ZX_EXCP_POLICY_CODE_PORT_TOO_MANY_OBSERVERS) with no handler: the child is killed
// (ZX_TASK_RETCODE_EXCEPTION_KILL) and its observers all go with it.
#include <mini-process/mini-process.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zrk/test.h>
#include <zrk/vmo_util.h>

TEST(TooManyObservers) {
  static const char name[] = "too-many-observers-test";
  zx_handle_t proc, vmar, thread, local, remote, cmd;
  ASSERT_OK(zx_process_create(zx_job_default(), name, sizeof(name) - 1, 0, &proc, &vmar));
  ASSERT_OK(zx_thread_create(proc, name, sizeof(name) - 1, 0, &thread));
  ASSERT_OK(zx_channel_create(0, &local, &remote));
  ASSERT_OK(start_mini_process_etc(proc, thread, vmar, local, true, &cmd));
  // Killed as expected: the command channel's peer closes.
  EXPECT_STATUS(mini_process_cmd(cmd, MINIP_CMD_WAIT_ASYNC, NULL), ZX_ERR_PEER_CLOSED);
  ASSERT_OK(zx_object_wait_one(proc, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, NULL));
  zx_info_process_t info = {0};
  ASSERT_OK(zx_object_get_info(proc, ZX_INFO_PROCESS, &info, sizeof(info), NULL, NULL));
  EXPECT_EQ(info.return_code, ZX_TASK_RETCODE_EXCEPTION_KILL);
  zx_handle_t all[] = {cmd, remote, thread, vmar, proc};
  EXPECT_OK(zx_handle_close_many(all, 5));
}

TEST(the_observers_of_a_killed_child_all_go) {
  // Twice more: the kernel heap comes back to where it was after the first run, so the
  // 50,000 observers (and the child's port) were freed with the child.
  uint64_t before = 0;
  for (int round = 0; round < 3; round++) {
    zx_handle_t proc, vmar, thread, local, remote, cmd;
    ASSERT_OK(zx_process_create(zx_job_default(), "tmo", 3, 0, &proc, &vmar));
    ASSERT_OK(zx_thread_create(proc, "tmo", 3, 0, &thread));
    ASSERT_OK(zx_channel_create(0, &local, &remote));
    ASSERT_OK(start_mini_process_etc(proc, thread, vmar, local, true, &cmd));
    EXPECT_STATUS(mini_process_cmd(cmd, MINIP_CMD_WAIT_ASYNC, NULL), ZX_ERR_PEER_CLOSED);
    ASSERT_OK(zx_object_wait_one(proc, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, NULL));
    zx_handle_t all[] = {cmd, remote, thread, vmar, proc};
    EXPECT_OK(zx_handle_close_many(all, 5));
    if (round == 0) {
      zx_nanosleep(zx_deadline_after(ZX_MSEC(10)));
      before = free_bytes();
    }
  }
  for (int i = 0; i < 100 && free_bytes() != before; i++) {
    zx_nanosleep(zx_deadline_after(ZX_MSEC(10)));
  }
  EXPECT_EQ(free_bytes(), before);
}

int main(void) { return run_tests(); }
