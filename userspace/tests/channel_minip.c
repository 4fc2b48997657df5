// Fuchsia's ChannelTest.ChannelFullException (zircon/system/utest/core/channel/channel.cc)
// as Fuchsia runs it: a mini-process writes one-byte messages into a channel nobody reads
// (MINIP_CMD_CHANNEL_WRITE) until the kernel's per-channel limit makes the write a policy
// exception (ZX_EXCP_POLICY_CODE_CHANNEL_FULL_WRITE) with no handler, which kills it
// (ZX_TASK_RETCODE_EXCEPTION_KILL). The queued messages stay readable afterwards.
#include <mini-process/mini-process.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zrk/test.h>

TEST(ChannelFullException) {
  static const char name[] = "channel-full-exception-test";
  zx_handle_t proc, vmar, thread, local, remote, cmd;
  ASSERT_OK(zx_process_create(zx_job_default(), name, sizeof(name) - 1, 0, &proc, &vmar));
  ASSERT_OK(zx_thread_create(proc, name, sizeof(name) - 1, 0, &thread));
  ASSERT_OK(zx_channel_create(0, &local, &remote));
  ASSERT_OK(start_mini_process_etc(proc, thread, vmar, local, true, &cmd));
  uint64_t writes = 0;
  while (mini_process_cmd(cmd, MINIP_CMD_CHANNEL_WRITE, NULL) == ZX_OK) writes++;
  EXPECT_GT(writes, 1000u);
  ASSERT_OK(zx_object_wait_one(proc, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, NULL));
  zx_info_process_t info = {0};
  ASSERT_OK(zx_object_get_info(proc, ZX_INFO_PROCESS, &info, sizeof(info), NULL, NULL));
  EXPECT_EQ(info.return_code, ZX_TASK_RETCODE_EXCEPTION_KILL);
  // Every write left a message, the last one too: that write succeeded before the
  // exception killed the writer, which never replied. Its end is gone with it.
  uint64_t read = 0;
  uint8_t byte;
  uint32_t actual_bytes, actual_handles;
  while (zx_channel_read(remote, 0, &byte, NULL, 1, 0, &actual_bytes, &actual_handles) == ZX_OK) {
    read++;
  }
  EXPECT_EQ(read, writes + 1);
  zx_signals_t pending = 0;
  EXPECT_STATUS(zx_object_wait_one(remote, 0, 0, &pending), ZX_ERR_TIMED_OUT);
  EXPECT_EQ(pending, ZX_CHANNEL_PEER_CLOSED);
  zx_handle_t all[] = {cmd, remote, thread, vmar, proc};
  EXPECT_OK(zx_handle_close_many(all, 5));
}

int main(void) { return run_tests(); }
