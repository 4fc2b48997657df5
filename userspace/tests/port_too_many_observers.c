// A port with as many armed observers as the kernel allows (`max_port_observers`,
// lowered here from Fuchsia's 50000 to keep the test quick) takes one more
// zx_object_wait_async as a policy exception (ZX_EXCP_POLICY_CODE_PORT_TOO_MANY_OBSERVERS):
// the process is killed (ZX_TASK_RETCODE_EXCEPTION_KILL), as Fuchsia's TooManyObservers
// expects of its mini-process. Fired observers no longer count.
// zrk-test: append max_port_observers=100
// zrk-test: expect-killed PORT_TOO_MANY_OBSERVERS
#include <zircon/syscalls/port.h>
#include <zrk/test.h>

int main(void) {
  plan(3);
  zx_handle_t port, event;
  ok(zx_port_create(0, &port) == ZX_OK && zx_event_create(0, &event) == ZX_OK,
     "port and event");
  // Observers that fire at once leave the count: many more than 100 of those are fine.
  zx_object_signal(event, 0, ZX_USER_SIGNAL_1);
  bool all = true;
  for (int i = 0; i < 300; i++) {
    all &= zx_object_wait_async(event, port, 1, ZX_USER_SIGNAL_1, 0) == ZX_OK;
  }
  ok(all, "300 observers that fired at once");
  all = true;
  for (int i = 0; i < 100; i++) {
    all &= zx_object_wait_async(event, port, 2, ZX_EVENT_SIGNALED, ZX_WAIT_ASYNC_EDGE) == ZX_OK;
  }
  ok(all, "100 armed observers");
  printf("# registering observer 101\n");
  zx_status_t status = zx_object_wait_async(event, port, 3, ZX_EVENT_SIGNALED, 0);
  printf("# zx_object_wait_async returned %d and the process lives on\n", status);
  return 1;
}
