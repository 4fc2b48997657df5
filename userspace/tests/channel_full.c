// More than 3500 messages queued at a channel end is a policy exception for the writer
// (ZX_EXCP_POLICY_CODE_CHANNEL_FULL_WRITE); with no exception handler bound the
// writer's process is killed with ZX_TASK_RETCODE_EXCEPTION_KILL. The write itself
// returns OK. Fuchsia's ChannelFullException does this from a mini-process.
// zrk-test: expect-killed CHANNEL_FULL_WRITE
#include <zrk/test.h>

int main(void) {
  plan(2);
  zx_handle_t a, b;
  zx_status_t s = zx_channel_create(0, &a, &b);
  ok(s == ZX_OK, "create");
  uint8_t byte = 0;
  for (int i = 0; i < 3500; i++) {
    s = zx_channel_write(a, 0, &byte, 1, NULL, 0);
    if (s != ZX_OK) break;
  }
  ok(s == ZX_OK, "3500 messages may queue");
  fflush(stdout);
  // The 3501st: the write returns OK, and the process never comes back to user mode.
  zx_channel_write(a, 0, &byte, 1, NULL, 0);
  printf("# still running after the 3501st write\n");
  return 1;
}
