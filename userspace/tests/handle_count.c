// ZX_INFO_HANDLE_COUNT (topic 19, INSPECT): how many handles name an object, and the
// last handle's close acting at once (an event pair's peer sees PEER_CLOSED even while a
// thread still waits on the closed end through another handle's reference).
#include <zircon/rights.h>
#include <zircon/syscalls/object.h>
#include <zrk/handle_util.h>
#include <zrk/test.h>
#include <zrk/thread_util.h>

static uint32_t handle_count(zx_handle_t h) {
  zx_info_handle_count_t info = {0};
  EXPECT_OK(zx_object_get_info(h, ZX_INFO_HANDLE_COUNT, &info, sizeof info, NULL, NULL));
  return info.handle_count;
}

TEST(count_follows_duplicate_replace_and_close) {
  zx_handle_t vmo, dup, replaced;
  ASSERT_OK(zx_vmo_create(4096, 0, &vmo));
  EXPECT_EQ(handle_count(vmo), 1);
  ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_SAME_RIGHTS, &dup));
  EXPECT_EQ(handle_count(vmo), 2);
  EXPECT_EQ(handle_count(dup), 2);
  // Replace keeps the count: one handle goes, one comes.
  ASSERT_OK(zx_handle_replace(dup, ZX_RIGHT_SAME_RIGHTS, &replaced));
  EXPECT_EQ(handle_count(vmo), 2);
  EXPECT_OK(zx_handle_close(replaced));
  EXPECT_EQ(handle_count(vmo), 1);
  EXPECT_OK(zx_handle_close(vmo));
}

TEST(count_of_the_process_itself) {
  // Our start-up handle, and the one zrk-init, which started us, keeps to wait for us.
  EXPECT_EQ(handle_count(zx_process_self()), 2);
  zx_handle_t dup = dup_with(zx_process_self(), ZX_RIGHT_SAME_RIGHTS);
  EXPECT_EQ(handle_count(zx_process_self()), 3);
  zx_handle_close(dup);
  EXPECT_EQ(handle_count(zx_process_self()), 2);
}

TEST(errors) {
  zx_handle_t event;
  ASSERT_OK(zx_event_create(0, &event));
  zx_info_handle_count_t info;
  size_t actual = 9, avail = 9;
  EXPECT_STATUS(zx_object_get_info(ZX_HANDLE_INVALID, ZX_INFO_HANDLE_COUNT, &info, sizeof info,
                                   NULL, NULL),
                ZX_ERR_BAD_HANDLE);
  zx_handle_t no_inspect = dup_with(event, ZX_RIGHT_WAIT | ZX_RIGHT_DUPLICATE);
  EXPECT_STATUS(
      zx_object_get_info(no_inspect, ZX_INFO_HANDLE_COUNT, &info, sizeof info, NULL, NULL),
      ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_object_get_info(event, ZX_INFO_HANDLE_COUNT, &info, sizeof info - 1, &actual,
                                   &avail),
                ZX_ERR_BUFFER_TOO_SMALL);
  EXPECT_EQ(actual, 0);
  EXPECT_EQ(avail, 1);
  EXPECT_OK(
      zx_object_get_info(event, ZX_INFO_HANDLE_COUNT, &info, sizeof info, &actual, &avail));
  EXPECT_EQ(actual, 1);
  EXPECT_EQ(avail, 1);
  EXPECT_EQ(info.handle_count, 2);
  zx_handle_close(no_inspect);
  zx_handle_close(event);
}

static volatile int waiter_done;

static void wait_on_end(uintptr_t end, uintptr_t unused) {
  (void)unused;
  zx_object_wait_one((zx_handle_t)end, ZX_USER_SIGNAL_0, ZX_TIME_INFINITE, NULL);
  waiter_done = 1;
  zx_thread_exit();
}

static uint32_t thread_state(zx_handle_t thread) {
  zx_info_thread_t info = {0};
  zx_object_get_info(thread, ZX_INFO_THREAD, &info, sizeof info, NULL, NULL);
  return info.state;
}

TEST(peer_closed_at_last_handle_even_while_a_waiter_holds_the_end) {
  zx_handle_t a, b, waited;
  ASSERT_OK(zx_eventpair_create(0, &a, &b));
  // The waiter waits through a duplicate; closing `a` leaves that handle, so nothing
  // changes; closing the duplicate (the last handle) cancels the wait, and the peer must
  // see PEER_CLOSED before close returns, whatever the waiter is doing.
  ASSERT_OK(zx_handle_duplicate(a, ZX_RIGHT_SAME_RIGHTS, &waited));
  raw_thread_t t;
  waiter_done = 0;
  ASSERT_OK(raw_thread_start(&t, wait_on_end, waited, 0));
  while (thread_state(t.handle) != ZX_THREAD_STATE_BLOCKED_WAIT_ONE) {
    zx_nanosleep(zx_deadline_after(ZX_USEC(100)));
  }
  EXPECT_OK(zx_handle_close(a));
  zx_signals_t s = 0;
  EXPECT_STATUS(zx_object_wait_one(b, ZX_EVENTPAIR_PEER_CLOSED, ZX_TIME_INFINITE_PAST, &s),
                ZX_ERR_TIMED_OUT);
  EXPECT_EQ(handle_count(b), 1);
  EXPECT_OK(zx_handle_close(waited));
  EXPECT_OK(zx_object_wait_one(b, ZX_EVENTPAIR_PEER_CLOSED, ZX_TIME_INFINITE_PAST, &s));
  EXPECT_STATUS(zx_object_signal_peer(b, 0, ZX_USER_SIGNAL_0), ZX_ERR_PEER_CLOSED);
  EXPECT_OK(raw_thread_join(&t));
  EXPECT_EQ(waiter_done, 1);
  zx_handle_close(b);
}

int main(void) { return run_tests(); }
