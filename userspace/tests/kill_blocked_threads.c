// A process whose threads are blocked forever (in zx_futex_wait, zx_object_wait_one,
// zx_object_wait_many, zx_nanosleep, zx_port_wait) still ends when main returns: the kernel interrupts
// each wait, the threads die, and the process reports its exit status.
// zrk-test: expect-exit 7
#include <zrk/thread_util.h>
#include <zrk/test.h>

static zx_futex_t never;
static zx_handle_t event;
static zx_handle_t port;

static void in_futex(uintptr_t a, uintptr_t b) {
  (void)a;
  (void)b;
  zx_futex_wait(&never, 0, ZX_HANDLE_INVALID, ZX_TIME_INFINITE);
  zx_thread_exit();
}

static void in_wait_one(uintptr_t a, uintptr_t b) {
  (void)a;
  (void)b;
  zx_object_wait_one(event, ZX_EVENT_SIGNALED, ZX_TIME_INFINITE, NULL);
  zx_thread_exit();
}

static void in_wait_many(uintptr_t a, uintptr_t b) {
  (void)a;
  (void)b;
  zx_wait_item_t item = {event, ZX_USER_SIGNAL_0, 0};
  zx_object_wait_many(&item, 1, ZX_TIME_INFINITE);
  zx_thread_exit();
}

static void in_sleep(uintptr_t a, uintptr_t b) {
  (void)a;
  (void)b;
  zx_nanosleep(ZX_TIME_INFINITE);
  zx_thread_exit();
}

static void in_port_wait(uintptr_t a, uintptr_t b) {
  (void)a;
  (void)b;
  zx_port_packet_t packet;
  zx_port_wait(port, ZX_TIME_INFINITE, &packet);
  zx_thread_exit();
}

static void spinning(uintptr_t a, uintptr_t b) {
  (void)a;
  (void)b;
  for (;;) {
  }
}

int main(void) {
  plan(3);
  ok(zx_event_create(0, &event) == ZX_OK && zx_port_create(0, &port) == ZX_OK, "event, port");
  raw_thread_t t[6];
  raw_thread_fn fns[6] = {in_futex, in_wait_one, in_wait_many, in_sleep, in_port_wait, spinning};
  bool started = true;
  for (int i = 0; i < 6; i++) started &= raw_thread_start(&t[i], fns[i], 0, 0) == ZX_OK;
  ok(started, "threads blocked in each call");
  zx_nanosleep(zx_deadline_after(ZX_MSEC(20)));
  zx_info_thread_t info = {0};
  zx_object_get_info(t[4].handle, ZX_INFO_THREAD, &info, sizeof info, NULL, NULL);
  ok(info.state == ZX_THREAD_STATE_BLOCKED_PORT, "the zx_port_wait thread reads BLOCKED_PORT");
  done_testing();
  return 7;
}
