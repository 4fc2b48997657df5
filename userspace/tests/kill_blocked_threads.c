// A process whose threads are blocked forever (in zx_futex_wait, zx_object_wait_one,
// zx_object_wait_many, zx_nanosleep) still ends when main returns: the kernel interrupts
// each wait, the threads die, and the process reports its exit status.
// zrk-test: expect-exit 7
#include <zrk/thread_util.h>
#include <zrk/test.h>

static zx_futex_t never;
static zx_handle_t event;

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

static void spinning(uintptr_t a, uintptr_t b) {
  (void)a;
  (void)b;
  for (;;) {
  }
}

int main(void) {
  plan(2);
  ok(zx_event_create(0, &event) == ZX_OK, "event");
  raw_thread_t t[5];
  raw_thread_fn fns[5] = {in_futex, in_wait_one, in_wait_many, in_sleep, spinning};
  bool started = true;
  for (int i = 0; i < 5; i++) started &= raw_thread_start(&t[i], fns[i], 0, 0) == ZX_OK;
  ok(started, "threads blocked in each call");
  zx_nanosleep(zx_deadline_after(ZX_MSEC(20)));
  done_testing();
  return 7;
}
