// Events, event pairs, zx_object_signal/_signal_peer, zx_object_wait_many and timers,
// with the errors the digest lists for each (part 2, sections 4 and 8), and signals that
// wake a waiter in another thread.
#include <zircon/rights.h>
#include <zircon/syscalls/object.h>
#include <zrk/thread_util.h>
#include <zrk/vmo_util.h>

static zx_signals_t now_signals(zx_handle_t h) {
  zx_signals_t s = 0;
  zx_object_wait_one(h, 0, ZX_TIME_INFINITE_PAST, &s);
  return s;
}

TEST(event_create_and_signal) {
  zx_handle_t e;
  EXPECT_STATUS(zx_event_create(1, &e), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_event_create(0, &e));
  zx_info_handle_basic_t info;
  ASSERT_OK(zx_object_get_info(e, ZX_INFO_HANDLE_BASIC, &info, sizeof info, NULL, NULL));
  EXPECT_EQ(info.type, ZX_OBJ_TYPE_EVENT);
  EXPECT_EQ(info.rights, ZX_DEFAULT_EVENT_RIGHTS);
  EXPECT_EQ(now_signals(e), 0);
  EXPECT_OK(zx_object_signal(e, 0, ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_3));
  EXPECT_EQ(now_signals(e), ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_3);
  // Clear, then set: a bit in both ends up set.
  EXPECT_OK(zx_object_signal(e, ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_0, ZX_USER_SIGNAL_0));
  EXPECT_EQ(now_signals(e), ZX_USER_SIGNAL_0 | ZX_USER_SIGNAL_3);
  EXPECT_STATUS(zx_object_signal(e, 0, ZX_EVENTPAIR_PEER_CLOSED), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_object_signal(ZX_HANDLE_INVALID, 0, 0), ZX_ERR_BAD_HANDLE);
  // Events have no SIGNAL_PEER right: the rights check comes first.
  EXPECT_STATUS(zx_object_signal_peer(e, 0, ZX_USER_SIGNAL_0), ZX_ERR_ACCESS_DENIED);
  zx_handle_t no_signal;
  ASSERT_OK(zx_handle_duplicate(e, ZX_RIGHT_WAIT, &no_signal));
  EXPECT_STATUS(zx_object_signal(no_signal, 0, ZX_USER_SIGNAL_0), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(no_signal);
  // A VMAR has no signals.
  EXPECT_STATUS(zx_object_signal(zx_vmar_root_self(), 0, ZX_USER_SIGNAL_0), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(e);
}

TEST(eventpair_peers) {
  zx_handle_t a, b;
  EXPECT_STATUS(zx_eventpair_create(1, &a, &b), ZX_ERR_NOT_SUPPORTED);
  ASSERT_OK(zx_eventpair_create(0, &a, &b));
  zx_info_handle_basic_t ia, ib;
  ASSERT_OK(zx_object_get_info(a, ZX_INFO_HANDLE_BASIC, &ia, sizeof ia, NULL, NULL));
  ASSERT_OK(zx_object_get_info(b, ZX_INFO_HANDLE_BASIC, &ib, sizeof ib, NULL, NULL));
  EXPECT_EQ(ia.related_koid, ib.koid);
  EXPECT_EQ(ib.related_koid, ia.koid);
  EXPECT_EQ(ia.rights, ZX_DEFAULT_EVENTPAIR_RIGHTS);
  EXPECT_OK(zx_object_signal_peer(a, 0, ZX_EVENTPAIR_SIGNALED | ZX_USER_SIGNAL_1));
  EXPECT_EQ(now_signals(b), ZX_EVENTPAIR_SIGNALED | ZX_USER_SIGNAL_1);
  EXPECT_EQ(now_signals(a), 0);
  EXPECT_STATUS(zx_object_signal_peer(a, 0, ZX_EVENTPAIR_PEER_CLOSED), ZX_ERR_INVALID_ARGS);
  EXPECT_OK(zx_handle_close(a));
  EXPECT_EQ(now_signals(b), ZX_EVENTPAIR_SIGNALED | ZX_USER_SIGNAL_1 | ZX_EVENTPAIR_PEER_CLOSED);
  EXPECT_STATUS(zx_object_signal_peer(b, 0, ZX_USER_SIGNAL_0), ZX_ERR_PEER_CLOSED);
  zx_handle_close(b);
}

static zx_handle_t shared_event;
static volatile zx_status_t worker_status;

static void signal_after_a_while(uintptr_t a, uintptr_t b) {
  (void)a;
  (void)b;
  zx_nanosleep(zx_deadline_after(ZX_MSEC(10)));
  worker_status = zx_object_signal(shared_event, 0, ZX_USER_SIGNAL_5);
  zx_thread_exit();
}

TEST(a_signal_from_another_thread_wakes_a_waiter) {
  ASSERT_OK(zx_event_create(0, &shared_event));
  raw_thread_t t;
  ASSERT_OK(raw_thread_start(&t, signal_after_a_while, 0, 0));
  zx_signals_t observed = 0;
  EXPECT_OK(zx_object_wait_one(shared_event, ZX_USER_SIGNAL_5, ZX_TIME_INFINITE, &observed));
  EXPECT_EQ(observed, ZX_USER_SIGNAL_5);
  EXPECT_OK(raw_thread_join(&t));
  EXPECT_OK(worker_status);
  zx_handle_close(shared_event);
}

TEST(wait_many_reports_every_item) {
  zx_handle_t e1, e2;
  ASSERT_OK(zx_event_create(0, &e1));
  ASSERT_OK(zx_event_create(0, &e2));
  zx_wait_item_t items[2] = {{e1, ZX_EVENT_SIGNALED, 0}, {e2, ZX_EVENT_SIGNALED, 0}};
  EXPECT_STATUS(zx_object_wait_many(items, 2, 0), ZX_ERR_TIMED_OUT);
  ASSERT_OK(zx_object_signal(e2, 0, ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_2));
  EXPECT_OK(zx_object_wait_many(items, 2, ZX_TIME_INFINITE));
  EXPECT_EQ(items[0].pending, 0);
  EXPECT_EQ(items[1].pending, ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_2);
  // Errors: too many, bad pointer, bad handle in order, no WAIT right, no signals.
  EXPECT_STATUS(zx_object_wait_many(items, ZX_WAIT_MANY_MAX_ITEMS + 1, 0), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(zx_object_wait_many((zx_wait_item_t*)8, 1, 0), ZX_ERR_INVALID_ARGS);
  zx_wait_item_t bad[2] = {{e1, 1, 0}, {ZX_HANDLE_INVALID, 1, 0}};
  EXPECT_STATUS(zx_object_wait_many(bad, 2, 0), ZX_ERR_BAD_HANDLE);
  zx_wait_item_t vmar[1] = {{zx_vmar_root_self(), 1, 0}};
  EXPECT_STATUS(zx_object_wait_many(vmar, 1, 0), ZX_ERR_ACCESS_DENIED);
  // No items: a sleep to the deadline.
  zx_time_t deadline = zx_deadline_after(ZX_MSEC(5));
  EXPECT_STATUS(zx_object_wait_many(NULL, 0, deadline), ZX_ERR_TIMED_OUT);
  EXPECT_GE(zx_clock_get_monotonic(), deadline);
  zx_handle_close(e1);
  zx_handle_close(e2);
}

TEST(timers_fire_and_cancel) {
  zx_handle_t t;
  EXPECT_STATUS(zx_timer_create(0, 1, &t), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_timer_create(3, ZX_CLOCK_MONOTONIC, &t), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_timer_create(ZX_TIMER_SLACK_LATE, ZX_CLOCK_MONOTONIC, &t));
  EXPECT_EQ(now_signals(t), 0);
  EXPECT_STATUS(zx_timer_set(t, 0, -1), ZX_ERR_OUT_OF_RANGE);
  zx_time_t deadline = zx_deadline_after(ZX_MSEC(15));
  ASSERT_OK(zx_timer_set(t, deadline, 0));
  zx_info_timer_t info;
  ASSERT_OK(zx_object_get_info(t, ZX_INFO_TIMER, &info, sizeof info, NULL, NULL));
  EXPECT_EQ(info.options, ZX_TIMER_SLACK_LATE);
  EXPECT_EQ(info.deadline, deadline);
  zx_signals_t observed = 0;
  EXPECT_OK(zx_object_wait_one(t, ZX_TIMER_SIGNALED, ZX_TIME_INFINITE, &observed));
  EXPECT_GE(zx_clock_get_monotonic(), deadline);
  ASSERT_OK(zx_object_get_info(t, ZX_INFO_TIMER, &info, sizeof info, NULL, NULL));
  EXPECT_EQ(info.deadline, 0);
  // Cancel clears SIGNALED even after it fired; a past deadline signals at once.
  EXPECT_OK(zx_timer_cancel(t));
  EXPECT_EQ(now_signals(t), 0);
  EXPECT_OK(zx_timer_set(t, -5, 0));
  EXPECT_EQ(now_signals(t), ZX_TIMER_SIGNALED);
  // A cancelled timer never fires.
  EXPECT_OK(zx_timer_set(t, zx_deadline_after(ZX_MSEC(5)), 0));
  EXPECT_OK(zx_timer_cancel(t));
  EXPECT_STATUS(zx_object_wait_one(t, ZX_TIMER_SIGNALED, zx_deadline_after(ZX_MSEC(20)), NULL),
                ZX_ERR_TIMED_OUT);
  zx_handle_t ro;
  ASSERT_OK(zx_handle_duplicate(t, ZX_RIGHT_WAIT, &ro));
  EXPECT_STATUS(zx_timer_set(ro, 0, 0), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_timer_cancel(zx_process_self()), ZX_ERR_WRONG_TYPE);
  zx_handle_close(ro);
  // Closing an armed timer disarms it.
  EXPECT_OK(zx_timer_set(t, zx_deadline_after(ZX_SEC(1000)), 0));
  zx_handle_close(t);
}

TEST(vmo_zero_children_wakes_a_waiter) {
  zx_handle_t vmo, child;
  ASSERT_OK(zx_vmo_create(4096, 0, &vmo));
  ASSERT_OK(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SNAPSHOT, 0, 4096, &child));
  EXPECT_EQ(now_signals(vmo) & ZX_VMO_ZERO_CHILDREN, 0);
  shared_event = child;
  EXPECT_STATUS(zx_object_wait_one(vmo, ZX_VMO_ZERO_CHILDREN, zx_deadline_after(ZX_MSEC(5)), NULL),
                ZX_ERR_TIMED_OUT);
  zx_handle_close(child);
  EXPECT_OK(zx_object_wait_one(vmo, ZX_VMO_ZERO_CHILDREN, 0, NULL));
  zx_handle_close(vmo);
}

TEST(task_kill_refuses_threads_and_needs_destroy) {
  EXPECT_STATUS(zx_task_kill(zx_thread_self()), ZX_ERR_WRONG_TYPE);
  EXPECT_STATUS(zx_task_kill(ZX_HANDLE_INVALID), ZX_ERR_BAD_HANDLE);
  zx_handle_t weak;
  ASSERT_OK(zx_handle_duplicate(zx_process_self(), ZX_RIGHT_WAIT, &weak));
  EXPECT_STATUS(zx_task_kill(weak), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(weak);
}

TEST(objects_come_back) {
  uint64_t before = free_bytes();
  for (int i = 0; i < 50; i++) {
    zx_handle_t e, a, b, t;
    ASSERT_OK(zx_event_create(0, &e));
    ASSERT_OK(zx_eventpair_create(0, &a, &b));
    ASSERT_OK(zx_timer_create(0, ZX_CLOCK_MONOTONIC, &t));
    ASSERT_OK(zx_timer_set(t, zx_deadline_after(ZX_SEC(100)), 0));
    zx_handle_t all[] = {e, a, b, t};
    ASSERT_OK(zx_handle_close_many(all, 4));
  }
  EXPECT_EQ(free_bytes(), before);
}

int main(void) { return run_tests(); }
