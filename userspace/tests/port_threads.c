// zx_port_wait from several threads: each packet goes to exactly one waiter (ThreadEvents
// and a many-packet run), a blocked waiter reads ZX_THREAD_STATE_BLOCKED_PORT as soon as
// it waits, and a waiter suspended in zx_port_wait shows ZX_ERR_INTERNAL_INTR_RETRY in x0
// and waits again once resumed. (A thread killed in zx_port_wait: kill_blocked_threads.c.)
#include <zircon/syscalls/debug.h>
#include <zircon/syscalls/port.h>
#include <zrk/thread_util.h>
#include <zrk/test.h>

#define STOP_KEY UINT64_MAX

static zx_handle_t port;

static uint32_t thread_state(zx_handle_t h) {
  zx_info_thread_t info;
  memset(&info, 0, sizeof info);
  zx_object_get_info(h, ZX_INFO_THREAD, &info, sizeof info, NULL, NULL);
  return info.state;
}

// Polls (5 s at most) until the thread reads `state`.
static bool reaches_state(zx_handle_t h, uint32_t state) {
  zx_time_t deadline = zx_deadline_after(ZX_SEC(5));
  while (thread_state(h) != state) {
    if (zx_clock_get_monotonic() > deadline) return false;
    zx_nanosleep(zx_deadline_after(ZX_USEC(200)));
  }
  return true;
}

static zx_status_t results[4];
static uint64_t keys[4];

// One packet, then exit (ThreadEvents's waiter with count 1).
static void take_one(uintptr_t slot, uintptr_t b) {
  (void)b;
  zx_port_packet_t p;
  results[slot] = zx_port_wait(port, ZX_TIME_INFINITE, &p);
  keys[slot] = p.key;
  zx_thread_exit();
}

// ThreadEvents: three waiters, three signal packets from one event, one each.
TEST(ThreadEvents) {
  zx_handle_t event;
  ASSERT_OK(zx_port_create(0, &port));
  ASSERT_OK(zx_event_create(0, &event));
  raw_thread_t t[3];
  for (int i = 0; i < 3; i++) {
    results[i] = ZX_ERR_INTERNAL;
    keys[i] = 0;
    ASSERT_OK(zx_object_wait_async(event, port, 500 + i, ZX_EVENT_SIGNALED, 0));
    ASSERT_OK(raw_thread_start(&t[i], take_one, i, 0));
  }
  for (int i = 0; i < 3; i++) EXPECT_TRUE(reaches_state(t[i].handle, ZX_THREAD_STATE_BLOCKED_PORT));
  EXPECT_OK(zx_object_signal(event, 0, ZX_EVENT_SIGNALED));
  uint64_t sum = 0, seen = 0;
  for (int i = 0; i < 3; i++) {
    EXPECT_OK(raw_thread_join(&t[i]));
    EXPECT_OK(results[i]);
    sum += keys[i];
    seen |= 1ull << (keys[i] - 500);
  }
  EXPECT_EQ(sum, 500 + 501 + 502);
  EXPECT_EQ(seen, 7);
  zx_handle_close(event);
  zx_handle_close(port);
}

// Many user packets, four takers: every key comes out exactly once.
enum { kPackets = 2000, kTakers = 4 };
static uint8_t taken[kPackets];
static uint32_t taken_by[kTakers];

static void take_until_stop(uintptr_t slot, uintptr_t b) {
  (void)b;
  for (;;) {
    zx_port_packet_t p;
    zx_status_t s = zx_port_wait(port, ZX_TIME_INFINITE, &p);
    if (s != ZX_OK) {
      results[slot] = s;
      break;
    }
    if (p.key == STOP_KEY) {
      results[slot] = ZX_OK;
      break;
    }
    if (p.key < kPackets) __atomic_fetch_add(&taken[p.key], 1, __ATOMIC_RELAXED);
    taken_by[slot]++;
  }
  zx_thread_exit();
}

TEST(each_packet_goes_to_exactly_one_waiter) {
  ASSERT_OK(zx_port_create(0, &port));
  memset(taken, 0, sizeof taken);
  raw_thread_t t[kTakers];
  for (int i = 0; i < kTakers; i++) {
    results[i] = ZX_ERR_INTERNAL;
    taken_by[i] = 0;
    ASSERT_OK(raw_thread_start(&t[i], take_until_stop, i, 0));
  }
  zx_port_packet_t p;
  memset(&p, 0, sizeof p);
  for (uint64_t k = 0; k < kPackets; k++) {
    p.key = k;
    // Fewer than the port's 4096 user packets, however far the takers fall behind.
    ASSERT_OK(zx_port_queue(port, &p));
    if (k % 500 == 0) zx_nanosleep(zx_deadline_after(ZX_USEC(100)));
  }
  p.key = STOP_KEY;
  for (int i = 0; i < kTakers; i++) ASSERT_OK(zx_port_queue(port, &p));
  uint32_t total = 0;
  for (int i = 0; i < kTakers; i++) {
    EXPECT_OK(raw_thread_join(&t[i]));
    EXPECT_OK(results[i]);
    total += taken_by[i];
  }
  EXPECT_EQ(total, kPackets);
  int once = 0;
  for (int k = 0; k < kPackets; k++) once += taken[k] == 1;
  EXPECT_EQ(once, kPackets);
  EXPECT_STATUS(zx_port_wait(port, ZX_TIME_INFINITE_PAST, &p), ZX_ERR_TIMED_OUT);
  zx_handle_close(port);
}

// A waiter whose deadline passes leaves without a packet; one queued later waits.
static void wait_briefly(uintptr_t slot, uintptr_t b) {
  (void)b;
  zx_port_packet_t p;
  results[slot] = zx_port_wait(port, zx_deadline_after(ZX_MSEC(30)), &p);
  zx_thread_exit();
}

TEST(waiters_time_out_on_their_own_deadlines) {
  ASSERT_OK(zx_port_create(0, &port));
  raw_thread_t t[2];
  results[0] = results[1] = ZX_ERR_INTERNAL;
  ASSERT_OK(raw_thread_start(&t[0], wait_briefly, 0, 0));
  ASSERT_OK(raw_thread_start(&t[1], take_one, 1, 0));
  EXPECT_TRUE(reaches_state(t[0].handle, ZX_THREAD_STATE_BLOCKED_PORT));
  EXPECT_TRUE(reaches_state(t[1].handle, ZX_THREAD_STATE_BLOCKED_PORT));
  EXPECT_OK(raw_thread_join(&t[0]));
  EXPECT_STATUS(results[0], ZX_ERR_TIMED_OUT);
  EXPECT_EQ(thread_state(t[1].handle), ZX_THREAD_STATE_BLOCKED_PORT);
  zx_port_packet_t p;
  memset(&p, 0, sizeof p);
  p.key = 77;
  ASSERT_OK(zx_port_queue(port, &p));
  EXPECT_OK(raw_thread_join(&t[1]));
  EXPECT_OK(results[1]);
  EXPECT_EQ(keys[1], 77);
  zx_handle_close(port);
}

// Suspended in zx_port_wait: x0 reads ZX_ERR_INTERNAL_INTR_RETRY and x1..x2 the call's
// other arguments; resumed, the thread waits again and takes the next packet.
TEST(a_waiter_suspended_in_port_wait_retries_it) {
  ASSERT_OK(zx_port_create(0, &port));
  raw_thread_t t;
  results[0] = 1;
  ASSERT_OK(raw_thread_start(&t, take_one, 0, 0));
  ASSERT_TRUE(reaches_state(t.handle, ZX_THREAD_STATE_BLOCKED_PORT));
  zx_handle_t token;
  ASSERT_OK(zx_task_suspend(t.handle, &token));
  ASSERT_OK(zx_object_wait_one(t.handle, ZX_THREAD_SUSPENDED, zx_deadline_after(ZX_SEC(5)), NULL));
  EXPECT_EQ(thread_state(t.handle), ZX_THREAD_STATE_SUSPENDED);
  zx_thread_state_general_regs_t regs;
  ASSERT_OK(zx_thread_read_state(t.handle, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof regs));
  EXPECT_EQ((int64_t)regs.r[0], ZX_ERR_INTERNAL_INTR_RETRY);
  EXPECT_EQ(regs.r[1], (uint64_t)ZX_TIME_INFINITE);
  EXPECT_EQ(results[0], 1);
  // A packet queued while it is stopped waits for it.
  zx_port_packet_t p;
  memset(&p, 0, sizeof p);
  p.key = 31;
  ASSERT_OK(zx_port_queue(port, &p));
  zx_nanosleep(zx_deadline_after(ZX_MSEC(5)));
  EXPECT_EQ(results[0], 1);
  ASSERT_OK(zx_handle_close(token));
  EXPECT_OK(raw_thread_join(&t));
  EXPECT_OK(results[0]);
  EXPECT_EQ(keys[0], 31);
  zx_handle_close(port);
}

// Suspended again after resuming: still no packet lost or taken twice.
TEST(a_resumed_waiter_blocks_again) {
  ASSERT_OK(zx_port_create(0, &port));
  raw_thread_t t;
  results[0] = 1;
  ASSERT_OK(raw_thread_start(&t, take_one, 0, 0));
  for (int i = 0; i < 3; i++) {
    ASSERT_TRUE(reaches_state(t.handle, ZX_THREAD_STATE_BLOCKED_PORT));
    zx_handle_t token;
    ASSERT_OK(zx_task_suspend(t.handle, &token));
    ASSERT_OK(
        zx_object_wait_one(t.handle, ZX_THREAD_SUSPENDED, zx_deadline_after(ZX_SEC(5)), NULL));
    ASSERT_OK(zx_handle_close(token));
  }
  ASSERT_TRUE(reaches_state(t.handle, ZX_THREAD_STATE_BLOCKED_PORT));
  EXPECT_EQ(results[0], 1);
  zx_port_packet_t p;
  memset(&p, 0, sizeof p);
  p.key = 32;
  ASSERT_OK(zx_port_queue(port, &p));
  EXPECT_OK(raw_thread_join(&t));
  EXPECT_EQ(keys[0], 32);
  EXPECT_STATUS(zx_port_wait(port, ZX_TIME_INFINITE_PAST, &p), ZX_ERR_TIMED_OUT);
  zx_handle_close(port);
}

int main(void) { return run_tests(); }
