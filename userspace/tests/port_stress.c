// Races on ports, after Fuchsia's ports.cc: cancelling while an observer fires
// (WaitSignalCancel), objects signalled and closed while drainers wait
// (SignalCloseWait), a port closed under threads registering on it (CloseWaitRace) or
// queueing to it (CloseQueueRace). Each must end with the statuses Zircon gives, and
// leave no port behind.
#include <zircon/syscalls/port.h>
#include <zircon/zrk-startup.h>
#include <zrk/startup.h>
#include <zrk/thread_util.h>
#include <zrk/test.h>

static zx_handle_t port;
static zx_handle_t event;
static volatile int keep_running;
static zx_status_t status_of[8];

static uint32_t next_random(uint32_t* state) {
  *state = *state * 1664525u + 1013904223u;
  return *state >> 16;
}

static uint64_t ports_alive(void) {
  zrk_info_kernel_objects_t c;
  memset(&c, 0, sizeof c);
  zx_object_get_info(zrk_startup()->info_resource, ZRK_INFO_KERNEL_OBJECTS, &c, sizeof c, NULL,
                     NULL);
  return c.ports;
}

// WaitSignalCancel: an observer fires while its owner cancels it; the cancel finds it
// either armed or queued, never neither.
static void cancel_stress_waiter(uintptr_t slot, uintptr_t rounds) {
  zx_status_t s = ZX_OK;
  for (uintptr_t i = 0; i < rounds && s == ZX_OK; i++) {
    s = zx_object_wait_async(event, port, 919, ZX_EVENT_SIGNALED, 0);
    if (s == ZX_OK) s = zx_object_wait_one(event, ZX_EVENT_SIGNALED, ZX_TIME_INFINITE, NULL);
    if (s == ZX_OK) s = zx_port_cancel(port, event, 919);
  }
  status_of[slot] = s;
  zx_thread_exit();
}

static void cancel_stress_signaler(uintptr_t slot, uintptr_t b) {
  (void)b;
  static const uint32_t sleeps[] = {0, 10, 2, 0, 15, 0};
  uint32_t n = 0;
  zx_status_t s = ZX_OK;
  while (__atomic_load_n(&keep_running, __ATOMIC_ACQUIRE) && s == ZX_OK) {
    s = zx_object_signal(event, 0, ZX_EVENT_SIGNALED);
    uint32_t d = sleeps[n++ % 6];
    if (d > 0) zx_nanosleep(zx_deadline_after(ZX_NSEC(d)));
    if (s == ZX_OK) s = zx_object_signal(event, ZX_EVENT_SIGNALED, 0);
  }
  status_of[slot] = s;
  zx_thread_exit();
}

TEST(WaitSignalCancel) {
  uint64_t ports_before = ports_alive();
  ASSERT_OK(zx_port_create(0, &port));
  ASSERT_OK(zx_event_create(0, &event));
  keep_running = 1;
  status_of[0] = status_of[1] = ZX_ERR_INTERNAL;
  raw_thread_t waiter, signaler;
  ASSERT_OK(raw_thread_start(&waiter, cancel_stress_waiter, 0, 3000));
  ASSERT_OK(raw_thread_start(&signaler, cancel_stress_signaler, 1, 0));
  EXPECT_OK(raw_thread_join(&waiter));
  __atomic_store_n(&keep_running, 0, __ATOMIC_RELEASE);
  EXPECT_OK(raw_thread_join(&signaler));
  EXPECT_OK(status_of[0]);
  EXPECT_OK(status_of[1]);
  zx_port_packet_t p;
  EXPECT_STATUS(zx_port_wait(port, ZX_TIME_INFINITE_PAST, &p), ZX_ERR_TIMED_OUT);
  zx_handle_close(event);
  zx_handle_close(port);
  EXPECT_EQ(ports_alive(), ports_before);
}

// SignalCloseWait: signallers register events on the port, then signal, sleep, or
// signal and close them at random; drainers take packets until a user packet comes.
static void drain_until_user(uintptr_t slot, uintptr_t b) {
  (void)b;
  for (;;) {
    zx_port_packet_t p;
    zx_status_t s = zx_port_wait(port, ZX_TIME_INFINITE, &p);
    if (s != ZX_OK || p.type == ZX_PKT_TYPE_USER) {
      status_of[slot] = s;
      break;
    }
  }
  zx_thread_exit();
}

static void signal_and_close(uintptr_t slot, uintptr_t seed) {
  uint32_t state = (uint32_t)seed;
  zx_handle_t e = ZX_HANDLE_INVALID;
  zx_status_t s = ZX_OK;
  while (__atomic_load_n(&keep_running, __ATOMIC_ACQUIRE) && s == ZX_OK) {
    if (e == ZX_HANDLE_INVALID) {
      s = zx_event_create(0, &e);
      if (s == ZX_OK) s = zx_object_wait_async(e, port, 0, ZX_EVENT_SIGNALED, 0);
      if (s != ZX_OK) break;
    }
    switch (next_random(&state) % 3) {
      case 0:
        zx_nanosleep(zx_deadline_after(ZX_MSEC(1)));
        break;
      case 1:
        s = zx_object_signal(e, 0, ZX_EVENT_SIGNALED);
        break;
      default:
        s = zx_object_signal(e, 0, ZX_EVENT_SIGNALED);
        zx_handle_close(e);
        e = ZX_HANDLE_INVALID;
    }
  }
  zx_handle_close(e);
  status_of[slot] = s;
  zx_thread_exit();
}

TEST(SignalCloseWait) {
  uint64_t ports_before = ports_alive();
  ASSERT_OK(zx_port_create(0, &port));
  keep_running = 1;
  raw_thread_t t[8];
  for (int i = 0; i < 8; i++) status_of[i] = ZX_ERR_INTERNAL;
  for (int i = 0; i < 4; i++) ASSERT_OK(raw_thread_start(&t[i], signal_and_close, i, 4 + i));
  for (int i = 4; i < 8; i++) ASSERT_OK(raw_thread_start(&t[i], drain_until_user, i, 0));
  zx_nanosleep(zx_deadline_after(ZX_MSEC(100)));
  __atomic_store_n(&keep_running, 0, __ATOMIC_RELEASE);
  for (int i = 0; i < 4; i++) EXPECT_OK(raw_thread_join(&t[i]));
  zx_port_packet_t p;
  memset(&p, 0, sizeof p);
  p.type = ZX_PKT_TYPE_USER;
  for (int i = 0; i < 4; i++) EXPECT_OK(zx_port_queue(port, &p));
  for (int i = 4; i < 8; i++) EXPECT_OK(raw_thread_join(&t[i]));
  for (int i = 0; i < 8; i++) {
    TEST_CONTEXT("thread %d", i);
    EXPECT_OK(status_of[i]);
  }
  zx_handle_close(port);
  EXPECT_EQ(ports_alive(), ports_before);
}

// CloseWaitRace: threads register on whatever port handle is current while another
// thread creates and closes ports: OK or BAD_HANDLE, nothing else, and no port left.
static volatile zx_handle_t current_port;
static volatile int ready;

static void wait_async_loop(uintptr_t slot, uintptr_t b) {
  (void)b;
  zx_handle_t e;
  zx_status_t s = zx_event_create(0, &e);
  int waits = 0;
  __atomic_fetch_add(&ready, 1, __ATOMIC_ACQ_REL);
  while (s == ZX_OK && __atomic_load_n(&keep_running, __ATOMIC_ACQUIRE)) {
    zx_handle_t p = __atomic_load_n(&current_port, __ATOMIC_ACQUIRE);
    zx_status_t r = zx_object_wait_async(e, p, 0, ZX_EVENT_SIGNALED, 0);
    if (r != ZX_OK && r != ZX_ERR_BAD_HANDLE) s = r;
    if (++waits >= 100) {
      zx_handle_close(e);
      s = zx_event_create(0, &e);
      waits = 0;
    }
  }
  zx_handle_close(e);
  status_of[slot] = s;
  zx_thread_exit();
}

static void create_port_loop(uintptr_t slot, uintptr_t b) {
  (void)b;
  zx_status_t s = ZX_OK;
  __atomic_fetch_add(&ready, 1, __ATOMIC_ACQ_REL);
  while (s == ZX_OK && __atomic_load_n(&keep_running, __ATOMIC_ACQUIRE)) {
    zx_handle_t p;
    s = zx_port_create(0, &p);
    if (s != ZX_OK) break;
    __atomic_store_n(&current_port, p, __ATOMIC_RELEASE);
    zx_nanosleep(zx_deadline_after(ZX_MSEC(1)));
    s = zx_handle_close(p);
    __atomic_store_n(&current_port, ZX_HANDLE_INVALID, __ATOMIC_RELEASE);
  }
  status_of[slot] = s;
  zx_thread_exit();
}

TEST(CloseWaitRace) {
  uint64_t ports_before = ports_alive();
  keep_running = 1;
  ready = 0;
  current_port = ZX_HANDLE_INVALID;
  raw_thread_t t[5];
  for (int i = 0; i < 5; i++) status_of[i] = ZX_ERR_INTERNAL;
  for (int i = 0; i < 4; i++) ASSERT_OK(raw_thread_start(&t[i], wait_async_loop, i, 0));
  ASSERT_OK(raw_thread_start(&t[4], create_port_loop, 4, 0));
  zx_nanosleep(zx_deadline_after(ZX_MSEC(100)));
  __atomic_store_n(&keep_running, 0, __ATOMIC_RELEASE);
  for (int i = 0; i < 5; i++) {
    TEST_CONTEXT("thread %d", i);
    EXPECT_OK(raw_thread_join(&t[i]));
    EXPECT_OK(status_of[i]);
  }
  EXPECT_EQ(ports_alive(), ports_before);
}

// CloseQueueRace: a thread queues (and reads back, to stay under the limit) until the
// port's handle is closed under it: BAD_HANDLE, nothing else.
static volatile uint64_t loops;

static void queue_loop(uintptr_t slot, uintptr_t b) {
  (void)b;
  zx_port_packet_t packet;
  memset(&packet, 0, sizeof packet);
  packet.key = 1;
  uint64_t queued = 0;
  zx_status_t result = ZX_ERR_INTERNAL;
  for (;;) {
    zx_status_t s = zx_port_queue(port, &packet);
    if (s != ZX_OK) {
      result = s;
      break;
    }
    queued++;
    bool closed = false;
    while (queued >= 1024) {
      zx_port_packet_t read;
      s = zx_port_wait(port, ZX_TIME_INFINITE_PAST, &read);
      if (s == ZX_ERR_TIMED_OUT) continue;
      if (s == ZX_ERR_BAD_HANDLE) {
        closed = true;
        result = s;
        break;
      }
      if (s != ZX_OK) {
        result = s;
        closed = true;
        break;
      }
      queued--;
    }
    if (closed) break;
    __atomic_fetch_add(&loops, 1, __ATOMIC_RELEASE);
  }
  status_of[slot] = result;
  zx_thread_exit();
}

TEST(CloseQueueRace) {
  uint64_t ports_before = ports_alive();
  ASSERT_OK(zx_port_create(0, &port));
  loops = 0;
  status_of[0] = ZX_ERR_INTERNAL;
  raw_thread_t t;
  ASSERT_OK(raw_thread_start(&t, queue_loop, 0, 0));
  while (__atomic_load_n(&loops, __ATOMIC_ACQUIRE) == 0) {
  }
  ASSERT_OK(zx_handle_close(port));
  EXPECT_OK(raw_thread_join(&t));
  EXPECT_STATUS(status_of[0], ZX_ERR_BAD_HANDLE);
  EXPECT_EQ(ports_alive(), ports_before);
}

int main(void) { return run_tests(); }
