// A port holding more than 4096 user packets is a policy exception
// (ZX_EXCP_POLICY_CODE_PORT_TOO_MANY_PACKETS): with no exception channel the process is
// killed (ZX_TASK_RETCODE_EXCEPTION_KILL). Zircon checks `count > 4096` before queueing,
// so packets 1..4097 are queued and the 4098th zx_port_queue kills.
// zrk-test: expect-killed PORT_TOO_MANY_PACKETS
#include <zircon/syscalls/port.h>
#include <zrk/test.h>

int main(void) {
  plan(3);
  zx_handle_t port;
  ok(zx_port_create(0, &port) == ZX_OK, "port");
  zx_port_packet_t p;
  memset(&p, 0, sizeof p);
  bool all = true;
  for (uint64_t k = 1; k <= 4097; k++) {
    p.key = k;
    all &= zx_port_queue(port, &p) == ZX_OK;
  }
  ok(all, "4097 user packets queued");
  // Signal packets do not count: one more through an observer still fits.
  zx_handle_t event;
  zx_event_create(0, &event);
  zx_object_signal(event, 0, ZX_EVENT_SIGNALED);
  ok(zx_object_wait_async(event, port, 0, ZX_EVENT_SIGNALED, 0) == ZX_OK,
     "a signal packet on top");
  printf("# queueing packet 4098\n");
  zx_status_t status = zx_port_queue(port, &p);
  printf("# zx_port_queue returned %d and the process lives on\n", status);
  return 1;
}
