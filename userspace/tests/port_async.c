// zx_object_wait_async and zx_port_cancel: level and edge triggers, timestamps, one-shot
// registrations, what `observed` holds, cancelling by key, channels' READABLE and
// PEER_CLOSED, closing the watched handle or the port in any order without leaks, every
// waitable object type, and 16385 signal packets queued at once (they live in their
// observers, not under the user-packet cap).
#include <zircon/syscalls/port.h>
#include <zrk/handle_util.h>
#include <zrk/thread_util.h>
#include <zrk/vmo_util.h>

static zx_handle_t new_port(void) {
  zx_handle_t port = ZX_HANDLE_INVALID;
  zx_port_create(0, &port);
  return port;
}

static zx_handle_t new_event(void) {
  zx_handle_t event = ZX_HANDLE_INVALID;
  zx_event_create(0, &event);
  return event;
}

// The next packet if one is queued now; type 0xff and key 0 if none.
static zx_port_packet_t poll(zx_handle_t port) {
  zx_port_packet_t p;
  memset(&p, 0, sizeof p);
  if (zx_port_wait(port, ZX_TIME_INFINITE_PAST, &p) != ZX_OK) {
    p.type = 0xff;
    p.key = 0;
  }
  return p;
}

// Leak checks: live kernel objects and the kernel heap's free bytes.
struct snapshot {
  zrk_info_kernel_objects_t objects;
  uint64_t heap_free;
};

static struct snapshot snap(void) {
  struct snapshot s;
  memset(&s, 0, sizeof s);
  zx_object_get_info(zrk_startup()->info_resource, ZRK_INFO_KERNEL_OBJECTS, &s.objects,
                     sizeof s.objects, NULL, NULL);
  s.heap_free = kmem().free_heap_bytes;
  return s;
}

static bool same(const struct snapshot* a, const struct snapshot* b) {
  return memcmp(&a->objects, &b->objects, sizeof a->objects) == 0 &&
         a->heap_free == b->heap_free;
}

// Waits (1 s at most) for the counts to come back to `before`, then checks them.
static void expect_back_to(const struct snapshot* before) {
  struct snapshot now = snap();
  zx_time_t deadline = zx_deadline_after(ZX_SEC(1));
  while (!same(&now, before) && zx_clock_get_monotonic() < deadline) {
    zx_nanosleep(zx_deadline_after(ZX_MSEC(1)));
    now = snap();
  }
  EXPECT_EQ(now.objects.ports, before->objects.ports);
  EXPECT_EQ(now.objects.events, before->objects.events);
  EXPECT_EQ(now.objects.handles, before->objects.handles);
  EXPECT_EQ(now.objects.channels, before->objects.channels);
  EXPECT_EQ(now.objects.threads, before->objects.threads);
  EXPECT_EQ(now.heap_free, before->heap_free);
}

TEST(ports_are_counted) {
  struct snapshot before = snap();
  zx_handle_t port = new_port();
  struct snapshot during = snap();
  EXPECT_EQ(during.objects.ports, before.objects.ports + 1);
  zx_handle_t dup = dup_with(port, ZX_RIGHT_SAME_RIGHTS);
  zx_handle_close(port);
  EXPECT_EQ(snap().objects.ports, before.objects.ports + 1);
  zx_handle_close(dup);
  EXPECT_EQ(snap().objects.ports, before.objects.ports);
}

// Level-triggered: a wait whose signals are up already fires at once, with all the
// object's signals (ChannelAsyncWaitOnExistingStateIsNotified, with an event pair).
TEST(level_fires_at_once_when_already_satisfied) {
  zx_handle_t port = new_port();
  zx_handle_t a, b;
  ASSERT_OK(zx_eventpair_create(0, &a, &b));
  ASSERT_OK(zx_object_signal(a, 0, ZX_USER_SIGNAL_1 | ZX_EVENTPAIR_SIGNALED));
  ASSERT_OK(zx_handle_close(b));
  ASSERT_OK(zx_object_wait_async(a, port, 65667, ZX_EVENTPAIR_PEER_CLOSED | ZX_USER_SIGNAL_1,
                                 0));
  zx_port_packet_t p = poll(port);
  EXPECT_EQ(p.key, 65667);
  EXPECT_EQ(p.type, ZX_PKT_TYPE_SIGNAL_ONE);
  EXPECT_EQ(p.status, ZX_OK);
  EXPECT_EQ(p.signal.trigger, ZX_EVENTPAIR_PEER_CLOSED | ZX_USER_SIGNAL_1);
  EXPECT_EQ(p.signal.observed,
            ZX_EVENTPAIR_PEER_CLOSED | ZX_USER_SIGNAL_1 | ZX_EVENTPAIR_SIGNALED);
  EXPECT_EQ(p.signal.count, 1);
  EXPECT_EQ(p.signal.timestamp, 0);
  // One-shot: nothing more.
  EXPECT_EQ(poll(port).type, 0xff);
  zx_handle_close(a);
  zx_handle_close(port);
}

TEST(level_fires_on_a_later_rise_once) {
  zx_handle_t port = new_port();
  zx_handle_t event = new_event();
  ASSERT_OK(zx_object_wait_async(event, port, 5, ZX_EVENT_SIGNALED, 0));
  zx_port_packet_t out;
  EXPECT_STATUS(zx_port_wait(port, zx_deadline_after(ZX_USEC(200)), &out), ZX_ERR_TIMED_OUT);
  // Other signals do not fire it.
  ASSERT_OK(zx_object_signal(event, 0, ZX_USER_SIGNAL_3));
  EXPECT_EQ(poll(port).type, 0xff);
  ASSERT_OK(zx_object_signal(event, 0, ZX_EVENT_SIGNALED));
  zx_port_packet_t p = poll(port);
  EXPECT_EQ(p.key, 5);
  EXPECT_EQ(p.signal.observed, ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_3);
  // Fired once: a second rise queues nothing.
  ASSERT_OK(zx_object_signal(event, ZX_EVENT_SIGNALED, 0));
  ASSERT_OK(zx_object_signal(event, 0, ZX_EVENT_SIGNALED));
  EXPECT_EQ(poll(port).type, 0xff);
  // No registration left to cancel.
  EXPECT_STATUS(zx_port_cancel(port, event, 5), ZX_ERR_NOT_FOUND);
  zx_handle_close(event);
  zx_handle_close(port);
}

TEST(AsyncWaitChannelTimedOut) {
  zx_handle_t port = new_port();
  zx_handle_t ch[2];
  ASSERT_OK(zx_channel_create(0, &ch[0], &ch[1]));
  ASSERT_OK(zx_object_wait_async(ch[1], port, 6567, ZX_CHANNEL_READABLE, 0));
  zx_port_packet_t out;
  EXPECT_STATUS(zx_port_wait(port, zx_deadline_after(ZX_USEC(200)), &out), ZX_ERR_TIMED_OUT);
  zx_handle_t all[] = {ch[0], ch[1], port};
  EXPECT_OK(zx_handle_close_many(all, 3));
}

TEST(AsyncWaitChannel) {
  zx_handle_t port = new_port();
  zx_handle_t ch[2];
  ASSERT_OK(zx_channel_create(0, &ch[0], &ch[1]));
  ASSERT_OK(zx_object_wait_async(ch[1], port, 6567, ZX_CHANNEL_READABLE, 0));
  zx_port_packet_t out;
  EXPECT_STATUS(zx_port_wait(port, zx_deadline_after(ZX_USEC(200)), &out), ZX_ERR_TIMED_OUT);
  EXPECT_OK(zx_channel_write(ch[0], 0, "here", 4, NULL, 0));
  memset(&out, 0, sizeof out);
  EXPECT_OK(zx_port_wait(port, ZX_TIME_INFINITE, &out));
  EXPECT_EQ(out.key, 6567);
  EXPECT_EQ(out.type, ZX_PKT_TYPE_SIGNAL_ONE);
  EXPECT_EQ(out.signal.observed, ZX_CHANNEL_WRITABLE | ZX_CHANNEL_READABLE);
  EXPECT_EQ(out.signal.trigger, ZX_CHANNEL_READABLE);
  EXPECT_EQ(out.signal.count, 1);
  // Discarding the message takes READABLE down; the one-shot wait queues nothing more.
  EXPECT_STATUS(zx_channel_read(ch[1], ZX_CHANNEL_READ_MAY_DISCARD, NULL, NULL, 0, 0, NULL, NULL),
                ZX_ERR_BUFFER_TOO_SMALL);
  EXPECT_STATUS(zx_port_wait(port, zx_deadline_after(ZX_USEC(200)), &out), ZX_ERR_TIMED_OUT);
  EXPECT_OK(zx_object_wait_async(ch[1], port, 6567, ZX_CHANNEL_READABLE, 0));
  zx_handle_t all[] = {ch[0], ch[1], port};
  EXPECT_OK(zx_handle_close_many(all, 3));
}

// Five messages queued and the writer gone before the wait: it fires at once with both.
TEST(ChannelAsyncWaitOnExistingStateIsNotified) {
  zx_handle_t ch[2];
  ASSERT_OK(zx_channel_create(0, &ch[0], &ch[1]));
  for (int i = 0; i < 5; i++) ASSERT_OK(zx_channel_write(ch[0], 0, "123456", 6, NULL, 0));
  ASSERT_OK(zx_handle_close(ch[0]));
  zx_handle_t port = new_port();
  ASSERT_OK(zx_object_wait_async(ch[1], port, 65667, ZX_CHANNEL_READABLE | ZX_CHANNEL_PEER_CLOSED,
                                 0));
  zx_port_packet_t p;
  memset(&p, 0, sizeof p);
  EXPECT_OK(zx_port_wait(port, ZX_TIME_INFINITE_PAST, &p));
  EXPECT_EQ(p.key, 65667);
  EXPECT_EQ(p.signal.count, 1);
  EXPECT_EQ(p.signal.trigger, ZX_CHANNEL_READABLE | ZX_CHANNEL_PEER_CLOSED);
  EXPECT_EQ(p.signal.observed, ZX_CHANNEL_READABLE | ZX_CHANNEL_PEER_CLOSED);
  EXPECT_STATUS(zx_port_wait(port, ZX_TIME_INFINITE_PAST, &p), ZX_ERR_TIMED_OUT);
  zx_handle_close(ch[1]);
  zx_handle_close(port);
}

// EdgeTriggerTimeout: a signal up before the wait does not fire an edge wait.
TEST(EdgeTriggerTimeout) {
  zx_handle_t port = new_port();
  zx_handle_t event = new_event();
  ASSERT_OK(zx_object_signal(event, 0, ZX_EVENT_SIGNALED));
  ASSERT_OK(zx_object_wait_async(event, port, 1, ZX_EVENT_SIGNALED, ZX_WAIT_ASYNC_EDGE));
  zx_port_packet_t p;
  EXPECT_STATUS(zx_port_wait(port, zx_deadline_after(ZX_USEC(600)), &p), ZX_ERR_TIMED_OUT);
  // Setting what is already set is no rise either.
  ASSERT_OK(zx_object_signal(event, 0, ZX_EVENT_SIGNALED));
  EXPECT_EQ(poll(port).type, 0xff);
  // A fall, then a rise, is.
  ASSERT_OK(zx_object_signal(event, ZX_EVENT_SIGNALED, 0));
  EXPECT_EQ(poll(port).type, 0xff);
  ASSERT_OK(zx_object_signal(event, 0, ZX_EVENT_SIGNALED));
  zx_port_packet_t q = poll(port);
  EXPECT_EQ(q.key, 1);
  EXPECT_EQ(q.signal.observed, ZX_EVENT_SIGNALED);
  zx_handle_close(event);
  zx_handle_close(port);
}

static zx_handle_t main_thread;
static zx_handle_t edge_event;

static void signal_once_main_is_blocked(uintptr_t a, uintptr_t b) {
  (void)a;
  (void)b;
  zx_info_thread_t info;
  do {
    zx_nanosleep(zx_deadline_after(ZX_USEC(600)));
    info.state = 0;
    zx_object_get_info(main_thread, ZX_INFO_THREAD, &info, sizeof info, NULL, NULL);
  } while (info.state != ZX_THREAD_STATE_BLOCKED_PORT);
  zx_object_signal(edge_event, 0, ZX_EVENT_SIGNALED);
  zx_thread_exit();
}

// EdgeTriggerDetected: another thread waits until this one reads BLOCKED_PORT, then
// raises the signal.
TEST(EdgeTriggerDetected) {
  zx_handle_t port = new_port();
  edge_event = new_event();
  main_thread = zx_thread_self();
  ASSERT_OK(zx_object_wait_async(edge_event, port, 2, ZX_EVENT_SIGNALED, ZX_WAIT_ASYNC_EDGE));
  raw_thread_t t;
  ASSERT_OK(raw_thread_start(&t, signal_once_main_is_blocked, 0, 0));
  zx_port_packet_t p;
  ASSERT_OK(zx_port_wait(port, zx_deadline_after(ZX_SEC(10)), &p));
  EXPECT_OK(p.status);
  EXPECT_EQ(p.type, ZX_PKT_TYPE_SIGNAL_ONE);
  EXPECT_EQ(p.signal.observed, ZX_EVENT_SIGNALED);
  EXPECT_EQ(p.key, 2);
  EXPECT_OK(raw_thread_join(&t));
  zx_info_thread_t info;
  ASSERT_OK(zx_object_get_info(zx_thread_self(), ZX_INFO_THREAD, &info, sizeof info, NULL, NULL));
  EXPECT_EQ(info.state, ZX_THREAD_STATE_RUNNING);
  zx_handle_close(edge_event);
  zx_handle_close(port);
}

// EdgeTriggerCancel: cancelled edge waits queue nothing, before or after the rise.
TEST(EdgeTriggerCancel) {
  zx_handle_t port = new_port();
  zx_handle_t event = new_event();
  ASSERT_OK(zx_object_wait_async(event, port, 42, ZX_EVENT_SIGNALED, ZX_WAIT_ASYNC_EDGE));
  ASSERT_OK(zx_object_wait_async(event, port, 999, ZX_EVENT_SIGNALED, ZX_WAIT_ASYNC_EDGE));
  ASSERT_OK(zx_object_wait_async(event, port, 2020, ZX_EVENT_SIGNALED, ZX_WAIT_ASYNC_EDGE));
  EXPECT_OK(zx_port_cancel(port, event, 999));
  ASSERT_OK(zx_object_signal(event, 0, ZX_EVENT_SIGNALED));
  EXPECT_OK(zx_port_cancel(port, event, 2020));
  zx_port_packet_t p;
  ASSERT_OK(zx_port_wait(port, ZX_TIME_INFINITE, &p));
  EXPECT_EQ(p.key, 42);
  EXPECT_EQ(p.signal.observed, ZX_EVENT_SIGNALED);
  EXPECT_STATUS(zx_port_wait(port, zx_deadline_after(ZX_USEC(600)), &p), ZX_ERR_TIMED_OUT);
  zx_handle_close(event);
  zx_handle_close(port);
}

// Timestamp: the fire time with ZX_WAIT_ASYNC_TIMESTAMP, 0 without.
TEST(Timestamp) {
  zx_handle_t port = new_port();
  zx_handle_t e[2] = {new_event(), new_event()};
  for (int round = 0; round < 2; round++) {
    int stamped = round;  // which event's wait asks for a timestamp
    ASSERT_OK(zx_object_wait_async(e[stamped], port, 1, ZX_EVENT_SIGNALED,
                                   ZX_WAIT_ASYNC_TIMESTAMP));
    ASSERT_OK(zx_object_wait_async(e[1 - stamped], port, 2, ZX_EVENT_SIGNALED, 0));
    ASSERT_OK(zx_object_signal(e[1 - stamped], 0, ZX_EVENT_SIGNALED));
    zx_time_t before = zx_clock_get_monotonic();
    ASSERT_OK(zx_object_signal(e[stamped], 0, ZX_EVENT_SIGNALED));
    zx_time_t after = zx_clock_get_monotonic();
    zx_port_packet_t p[2];
    ASSERT_OK(zx_port_wait(port, ZX_TIME_INFINITE, &p[0]));
    ASSERT_OK(zx_port_wait(port, ZX_TIME_INFINITE, &p[1]));
    // The unstamped one fired first.
    EXPECT_EQ(p[0].key, 2);
    EXPECT_EQ(p[0].signal.timestamp, 0);
    EXPECT_EQ(p[1].key, 1);
    EXPECT_EQ(p[1].signal.trigger, ZX_EVENT_SIGNALED);
    EXPECT_LE(before, p[1].signal.timestamp);
    EXPECT_GE(after, p[1].signal.timestamp);
    ASSERT_OK(zx_object_signal(e[0], ZX_EVENT_SIGNALED, 0));
    ASSERT_OK(zx_object_signal(e[1], ZX_EVENT_SIGNALED, 0));
  }
  zx_handle_close(e[0]);
  zx_handle_close(e[1]);
  zx_handle_close(port);
}

// AsyncWaitEventRepeat: `observed` is what was up when the wait fired, even though the
// signals are cleared again before zx_port_wait reads the packet.
TEST(AsyncWaitEventRepeat) {
  zx_handle_t port = new_port();
  zx_handle_t event = new_event();
  uint64_t count[3] = {0, 0, 0};
  for (int i = 0; i < 24; i++) {
    ASSERT_OK(zx_object_wait_async(event, port, 1122, ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_2, 0));
    uint32_t ub = (i % 2) ? 0u : ZX_USER_SIGNAL_2;
    EXPECT_OK(zx_object_signal(event, 0, ZX_EVENT_SIGNALED | ub));
    EXPECT_OK(zx_object_signal(event, ZX_EVENT_SIGNALED | ub, 0));
    zx_port_packet_t p;
    ASSERT_OK(zx_port_wait(port, ZX_TIME_INFINITE_PAST, &p));
    ASSERT_EQ(p.type, ZX_PKT_TYPE_SIGNAL_ONE);
    ASSERT_EQ(p.signal.count, 1);
    count[0] += (p.signal.observed & ZX_EVENT_SIGNALED) ? 1 : 0;
    count[1] += (p.signal.observed & ZX_USER_SIGNAL_2) ? 1 : 0;
    count[2] += (p.signal.observed & ~(ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_2)) ? 1 : 0;
  }
  EXPECT_EQ(count[0], 24);
  EXPECT_EQ(count[1], 12);
  EXPECT_EQ(count[2], 0);
  zx_handle_close(event);
  zx_handle_close(port);
}

// EventAsyncSignalWaitSingle: several registrations of the same object on the same
// port each fire, the same key twice included.
TEST(EventAsyncSignalWaitSingle) {
  zx_handle_t port = new_port();
  zx_handle_t event = new_event();
  for (uint32_t i = 0; i < 7; i++) {
    ASSERT_OK(zx_object_wait_async(event, port, i, ZX_EVENT_SIGNALED, 0));
  }
  ASSERT_OK(zx_object_wait_async(event, port, 3, ZX_EVENT_SIGNALED, 0));
  EXPECT_OK(zx_object_signal(event, 0, ZX_EVENT_SIGNALED));
  uint64_t key_sum = 0;
  int threes = 0;
  for (int i = 0; i < 8; i++) {
    zx_port_packet_t p;
    ASSERT_OK(zx_port_wait(port, ZX_TIME_INFINITE, &p));
    EXPECT_EQ(p.type, ZX_PKT_TYPE_SIGNAL_ONE);
    EXPECT_EQ(p.signal.count, 1);
    key_sum += p.key;
    threes += p.key == 3;
  }
  EXPECT_EQ(key_sum, 21 + 3);
  EXPECT_EQ(threes, 2);
  EXPECT_EQ(poll(port).type, 0xff);
  zx_handle_close(event);
  zx_handle_close(port);
}

// CancelEventKey: both registrations with the repeated key go; a delivered key cannot be
// cancelled.
TEST(CancelEventKey) {
  zx_handle_t port = new_port();
  zx_handle_t event = new_event();
  const uint64_t keys[] = {128, 13, 7, 13};
  for (int i = 0; i < 4; i++) {
    ASSERT_OK(zx_object_wait_async(event, port, keys[i], ZX_EVENT_SIGNALED, 0));
  }
  EXPECT_OK(zx_port_cancel(port, event, 13));
  EXPECT_STATUS(zx_port_cancel(port, event, 13), ZX_ERR_NOT_FOUND);
  for (int i = 0; i < 2; i++) {
    EXPECT_OK(zx_object_signal(event, 0, ZX_EVENT_SIGNALED));
    EXPECT_OK(zx_object_signal(event, ZX_EVENT_SIGNALED, 0));
  }
  int count = 0;
  uint64_t key_sum = 0;
  zx_port_packet_t p;
  while (zx_port_wait(port, ZX_TIME_INFINITE_PAST, &p) == ZX_OK) {
    count++;
    key_sum += p.key;
    EXPECT_EQ(p.signal.trigger, ZX_EVENT_SIGNALED);
    EXPECT_EQ(p.signal.observed, ZX_EVENT_SIGNALED);
  }
  EXPECT_STATUS(zx_port_cancel(port, event, 128), ZX_ERR_NOT_FOUND);
  EXPECT_EQ(count, 2);
  EXPECT_EQ(key_sum, 128 + 7);
  zx_handle_close(event);
  zx_handle_close(port);
}

// CancelEventKeyAfter: cancel removes queued packets as well as armed waits.
TEST(CancelEventKeyAfter) {
  zx_handle_t port = new_port();
  const uint64_t keys[] = {128, 3, 3};
  zx_handle_t ev[3];
  for (int i = 0; i < 3; i++) {
    ev[i] = new_event();
    ASSERT_OK(zx_object_wait_async(ev[i], port, keys[i], ZX_EVENT_SIGNALED, 0));
  }
  EXPECT_OK(zx_object_signal(ev[0], 0, ZX_EVENT_SIGNALED));
  EXPECT_OK(zx_object_signal(ev[1], 0, ZX_EVENT_SIGNALED));
  EXPECT_OK(zx_port_cancel(port, ev[1], 3));  // queued already
  EXPECT_OK(zx_port_cancel(port, ev[2], 3));  // still armed
  EXPECT_OK(zx_object_signal(ev[2], 0, ZX_EVENT_SIGNALED));
  zx_port_packet_t p;
  int count = 0;
  while (zx_port_wait(port, ZX_TIME_INFINITE_PAST, &p) == ZX_OK) {
    count++;
    EXPECT_EQ(p.key, 128);
  }
  EXPECT_EQ(count, 1);
  for (int i = 0; i < 3; i++) zx_handle_close(ev[i]);
  zx_handle_close(port);
}

// Cancel names the handle the wait came through, and the key: a duplicate handle or
// another key finds nothing; user packets with the key are not signal packets.
TEST(cancel_matches_the_handle_and_the_key) {
  zx_handle_t port = new_port();
  zx_handle_t event = new_event();
  zx_handle_t dup = dup_with(event, ZX_RIGHT_SAME_RIGHTS);
  ASSERT_OK(zx_object_wait_async(event, port, 7, ZX_EVENT_SIGNALED, 0));
  zx_port_packet_t user;
  memset(&user, 0, sizeof user);
  user.key = 7;
  ASSERT_OK(zx_port_queue(port, &user));
  EXPECT_STATUS(zx_port_cancel(port, dup, 7), ZX_ERR_NOT_FOUND);
  EXPECT_STATUS(zx_port_cancel(port, event, 8), ZX_ERR_NOT_FOUND);
  // Another port's registration with the same handle and key is not this port's.
  zx_handle_t other = new_port();
  EXPECT_STATUS(zx_port_cancel(other, event, 7), ZX_ERR_NOT_FOUND);
  EXPECT_OK(zx_port_cancel(port, event, 7));
  ASSERT_OK(zx_object_signal(event, 0, ZX_EVENT_SIGNALED));
  zx_port_packet_t p = poll(port);
  EXPECT_EQ(p.type, ZX_PKT_TYPE_USER);
  EXPECT_EQ(poll(port).type, 0xff);
  zx_handle_t h[] = {port, event, dup, other};
  zx_handle_close_many(h, 4);
}

// Closing the handle a wait was made through removes the registration; packets it
// queued already stay. Other handles to the object keep theirs.
TEST(closing_the_watched_handle_drops_registrations_not_packets) {
  zx_handle_t port = new_port();
  zx_handle_t event = new_event();
  zx_handle_t armed = dup_with(event, ZX_RIGHT_SAME_RIGHTS);
  zx_handle_t fired = dup_with(event, ZX_RIGHT_SAME_RIGHTS);
  ASSERT_OK(zx_object_wait_async(armed, port, 1, ZX_USER_SIGNAL_0, 0));
  ASSERT_OK(zx_object_wait_async(event, port, 2, ZX_USER_SIGNAL_0, 0));
  ASSERT_OK(zx_object_wait_async(fired, port, 3, ZX_USER_SIGNAL_1, 0));
  ASSERT_OK(zx_object_signal(event, 0, ZX_USER_SIGNAL_1));
  ASSERT_OK(zx_handle_close(armed));
  ASSERT_OK(zx_handle_close(fired));
  ASSERT_OK(zx_object_signal(event, 0, ZX_USER_SIGNAL_0));
  zx_port_packet_t p = poll(port);
  EXPECT_EQ(p.key, 3);
  EXPECT_EQ(p.signal.observed, ZX_USER_SIGNAL_1);
  p = poll(port);
  EXPECT_EQ(p.key, 2);
  EXPECT_EQ(poll(port).type, 0xff);
  // The last handle to the object going keeps its packet too.
  zx_handle_t e2 = new_event();
  ASSERT_OK(zx_object_signal(e2, 0, ZX_EVENT_SIGNALED));
  ASSERT_OK(zx_object_wait_async(e2, port, 4, ZX_EVENT_SIGNALED, 0));
  ASSERT_OK(zx_handle_close(e2));
  EXPECT_EQ(poll(port).key, 4);
  zx_handle_close(event);
  zx_handle_close(port);
}

// zx_handle_replace ends the old handle's registrations, as a close would.
TEST(replacing_the_watched_handle_drops_registrations) {
  zx_handle_t port = new_port();
  zx_handle_t event = new_event();
  ASSERT_OK(zx_object_wait_async(event, port, 1, ZX_EVENT_SIGNALED, 0));
  zx_handle_t replaced;
  ASSERT_OK(zx_handle_replace(event, ZX_RIGHT_SAME_RIGHTS, &replaced));
  ASSERT_OK(zx_object_signal(replaced, 0, ZX_EVENT_SIGNALED));
  EXPECT_EQ(poll(port).type, 0xff);
  EXPECT_STATUS(zx_port_cancel(port, replaced, 1), ZX_ERR_NOT_FOUND);
  zx_handle_close(replaced);
  zx_handle_close(port);
}

// Every waitable object type works with wait_async.
static void event_pair_timer_vmo_process(void) {
  zx_handle_t port = new_port();
  // Event pair: the peer's close.
  zx_handle_t a, b;
  ASSERT_OK(zx_eventpair_create(0, &a, &b));
  ASSERT_OK(zx_object_wait_async(a, port, 1, ZX_EVENTPAIR_PEER_CLOSED, 0));
  EXPECT_EQ(poll(port).type, 0xff);
  ASSERT_OK(zx_handle_close(b));
  zx_port_packet_t p = poll(port);
  EXPECT_EQ(p.key, 1);
  EXPECT_EQ(p.signal.observed, ZX_EVENTPAIR_PEER_CLOSED);
  zx_handle_close(a);
  // Timer.
  zx_handle_t timer;
  ASSERT_OK(zx_timer_create(0, ZX_CLOCK_MONOTONIC, &timer));
  ASSERT_OK(zx_object_wait_async(timer, port, 2, ZX_TIMER_SIGNALED, ZX_WAIT_ASYNC_TIMESTAMP));
  zx_time_t deadline = zx_deadline_after(ZX_MSEC(2));
  ASSERT_OK(zx_timer_set(timer, deadline, 0));
  ASSERT_OK(zx_port_wait(port, zx_deadline_after(ZX_SEC(5)), &p));
  EXPECT_EQ(p.key, 2);
  EXPECT_EQ(p.signal.observed, ZX_TIMER_SIGNALED);
  EXPECT_GE(p.signal.timestamp, deadline);
  zx_handle_close(timer);
  // VMO: ZERO_CHILDREN is up without children (level fires at once), and rises again
  // when the last child goes (edge).
  zx_handle_t vmo, child;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(zx_object_wait_async(vmo, port, 3, ZX_VMO_ZERO_CHILDREN, 0));
  EXPECT_EQ(poll(port).key, 3);
  ASSERT_OK(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SNAPSHOT, 0, PAGE, &child));
  ASSERT_OK(zx_object_wait_async(vmo, port, 4, ZX_VMO_ZERO_CHILDREN, ZX_WAIT_ASYNC_EDGE));
  EXPECT_EQ(poll(port).type, 0xff);
  ASSERT_OK(zx_handle_close(child));
  p = poll(port);
  EXPECT_EQ(p.key, 4);
  EXPECT_TRUE(p.signal.observed & ZX_VMO_ZERO_CHILDREN);
  zx_handle_close(vmo);
  // This process: a user signal.
  ASSERT_OK(zx_object_wait_async(zx_process_self(), port, 5, ZX_USER_SIGNAL_5, 0));
  ASSERT_OK(zx_object_signal(zx_process_self(), 0, ZX_USER_SIGNAL_5));
  ASSERT_OK(zx_object_signal(zx_process_self(), ZX_USER_SIGNAL_5, 0));
  p = poll(port);
  EXPECT_EQ(p.key, 5);
  EXPECT_EQ(p.signal.observed, ZX_USER_SIGNAL_5);
  zx_handle_close(port);
}

static void just_exit(uintptr_t a, uintptr_t b) {
  (void)a;
  (void)b;
  zx_nanosleep(zx_deadline_after(ZX_MSEC(5)));
  zx_thread_exit();
}

static void thread_terminated(void) {
  zx_handle_t port = new_port();
  raw_thread_t t;
  ASSERT_OK(raw_thread_start(&t, just_exit, 0, 0));
  ASSERT_OK(zx_object_wait_async(t.handle, port, 6, ZX_THREAD_TERMINATED, 0));
  zx_port_packet_t p;
  ASSERT_OK(zx_port_wait(port, zx_deadline_after(ZX_SEC(5)), &p));
  EXPECT_EQ(p.key, 6);
  EXPECT_TRUE(p.signal.observed & ZX_THREAD_TERMINATED);
  EXPECT_OK(raw_thread_join(&t));
  zx_handle_close(port);
}

TEST(every_waitable_object_type) {
  event_pair_timer_vmo_process();
  thread_terminated();
}

// AsyncWaitCloseOrder (with events: the port, an object with an armed wait and one whose
// wait has fired, closed in all six orders), with no leak of objects or heap.
static void close_in_order(const int order[3]) {
  zx_handle_t h[3];
  h[0] = new_port();
  h[1] = new_event();
  h[2] = new_event();
  ASSERT_OK(zx_object_wait_async(h[1], h[0], 1, ZX_EVENT_SIGNALED, 0));
  ASSERT_OK(zx_object_wait_async(h[1], h[0], 2, ZX_USER_SIGNAL_0, ZX_WAIT_ASYNC_EDGE));
  ASSERT_OK(zx_object_signal(h[2], 0, ZX_EVENT_SIGNALED));
  ASSERT_OK(zx_object_wait_async(h[2], h[0], 3, ZX_EVENT_SIGNALED, 0));
  ASSERT_OK(zx_object_wait_async(h[2], h[0], 4, ZX_USER_SIGNAL_0, 0));
  zx_port_packet_t user;
  memset(&user, 0, sizeof user);
  ASSERT_OK(zx_port_queue(h[0], &user));
  for (int i = 0; i < 3; i++) {
    EXPECT_OK(zx_handle_close(h[order[i]]));
    // What is still open goes on working.
    for (int j = i + 1; j < 3; j++) {
      if (order[j] != 0) EXPECT_OK(zx_object_signal(h[order[j]], 0, ZX_USER_SIGNAL_0));
    }
  }
}

TEST(AsyncWaitCloseOrder) {
  static const int orders[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
                                   {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
  // Once first: the handle table and other kernel vectors reach their size.
  close_in_order(orders[0]);
  for (int i = 0; i < 6; i++) {
    TEST_CONTEXT("order %d %d %d (0 is the port)", orders[i][0], orders[i][1], orders[i][2]);
    struct snapshot before = snap();
    close_in_order(orders[i]);
    expect_back_to(&before);
  }
}

// AsyncWaitCloseOrder as Fuchsia has it: a channel pair, one end watched for READABLE
// or PEER_CLOSED, closed with the port in all six orders, with no leak.
static void close_channel_pair_in_order(const int order[3]) {
  zx_handle_t h[3];  // the port, channel end A, channel end B (the watched one)
  h[0] = new_port();
  ASSERT_OK(zx_channel_create(0, &h[1], &h[2]));
  ASSERT_OK(zx_object_wait_async(h[2], h[0], 1122, ZX_CHANNEL_READABLE | ZX_CHANNEL_PEER_CLOSED,
                                 0));
  for (int i = 0; i < 3; i++) EXPECT_OK(zx_handle_close(h[order[i]]));
}

TEST(AsyncWaitCloseOrderWithChannels) {
  static const int orders[6][3] = {{2, 1, 0}, {2, 0, 1}, {1, 0, 2},
                                   {1, 2, 0}, {0, 1, 2}, {0, 2, 1}};
  close_channel_pair_in_order(orders[0]);
  for (int i = 0; i < 6; i++) {
    TEST_CONTEXT("order %d %d %d (0 is the port, 2 the watched end)", orders[i][0], orders[i][1],
                 orders[i][2]);
    struct snapshot before = snap();
    close_channel_pair_in_order(orders[i]);
    expect_back_to(&before);
  }
}

// A port closed with many armed observers on an object that lives on, and many queued
// packets: all of it is freed, and the object's later signals go nowhere.
TEST(closing_the_port_frees_its_observers_on_live_objects) {
  zx_handle_t event = new_event();
  for (int round = 0; round < 2; round++) {
    struct snapshot before = snap();
    zx_handle_t port = new_port();
    for (uint64_t k = 0; k < 500; k++) {
      ASSERT_OK(zx_object_wait_async(event, port, k, ZX_USER_SIGNAL_0, 0));
      ASSERT_OK(zx_object_wait_async(event, port, k, ZX_EVENT_SIGNALED, ZX_WAIT_ASYNC_EDGE));
    }
    ASSERT_OK(zx_object_signal(event, 0, ZX_USER_SIGNAL_0));
    ASSERT_OK(zx_handle_close(port));
    // The 500 edge observers are still armed on the event: the port's close took them.
    if (round == 1) {
      TEST_CONTEXT("round %d", round);
      expect_back_to(&before);
    }
    ASSERT_OK(zx_object_signal(event, ZX_USER_SIGNAL_0, ZX_EVENT_SIGNALED));
    ASSERT_OK(zx_object_signal(event, ZX_EVENT_SIGNALED, 0));
  }
  zx_handle_close(event);
}

// AsyncWaitEventManyAllProcessed: 16385 signal packets queued at once (more than the
// 4096 user packets a port may hold, and more handles than a process may hold at once:
// each event is closed once its packet is queued, which keeps the packet).
TEST(AsyncWaitEventManyAllProcessed) {
  enum { kCount = 16 * 1024 + 1 };
  struct snapshot before = snap();
  zx_handle_t port = new_port();
  for (int i = 0; i < kCount; i++) {
    zx_handle_t event = new_event();
    EXPECT_OK(zx_object_wait_async(event, port, 6567, ZX_EVENT_SIGNALED, 0));
    EXPECT_OK(zx_object_signal(event, 0, ZX_EVENT_SIGNALED));
    EXPECT_OK(zx_handle_close(event));
    if (zrk_test.failures) break;
  }
  size_t count = 0;
  zx_port_packet_t p;
  zx_status_t status;
  while ((status = zx_port_wait(port, ZX_TIME_INFINITE_PAST, &p)) == ZX_OK) {
    if (p.key != 6567 || p.type != ZX_PKT_TYPE_SIGNAL_ONE || p.signal.observed != ZX_EVENT_SIGNALED ||
        p.signal.trigger != ZX_EVENT_SIGNALED || p.signal.count != 1) {
      EXPECT_EQ(p.key, 6567);
      EXPECT_EQ(p.signal.observed, ZX_EVENT_SIGNALED);
      break;
    }
    count++;
  }
  EXPECT_EQ(status, ZX_ERR_TIMED_OUT);
  EXPECT_EQ(count, kCount);
  zx_handle_close(port);
  EXPECT_EQ(snap().objects.ports, before.objects.ports);
  EXPECT_EQ(snap().objects.events, before.objects.events);
}

int main(void) { return run_tests(); }
