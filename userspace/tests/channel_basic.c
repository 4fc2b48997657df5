// Channels without handles in the messages: zx_channel_create, write, read with every
// documented error in the digest's order (part 2, sections 6.1, 6.2, 6.4, 6.7), message
// sizes and limits, iovec writes, MAY_DISCARD, the READABLE / WRITABLE / PEER_CLOSED
// signals, zx_object_signal_peer, and wait_many over channels.
#include <stdlib.h>
#include <zircon/rights.h>
#include <zrk/channel_util.h>
#include <zrk/handle_util.h>
#include <zrk/test.h>
#include <zrk/thread_util.h>

TEST(CreateIsOkAndEndpointsAreRelated) {
  zx_handle_t a, b;
  EXPECT_STATUS(zx_channel_create(1, &a, &b), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_channel_create(0, &a, &b));
  zx_info_handle_basic_t ia = basic_info(a), ib = basic_info(b);
  EXPECT_EQ(ia.type, ZX_OBJ_TYPE_CHANNEL);
  EXPECT_EQ(ia.rights, ZX_DEFAULT_CHANNEL_RIGHTS);
  EXPECT_EQ(ib.rights, ZX_DEFAULT_CHANNEL_RIGHTS);
  EXPECT_EQ(ia.rights & ZX_RIGHT_DUPLICATE, 0);
  EXPECT_NE(ia.koid, ib.koid);
  EXPECT_EQ(ia.related_koid, ib.koid);
  EXPECT_EQ(ib.related_koid, ia.koid);
  EXPECT_EQ(handle_count(a), 1);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(create_with_bad_out_pointers_leaves_nothing) {
  zrk_info_kernel_objects_t before = kernel_objects();
  zx_handle_t a;
  EXPECT_STATUS(zx_channel_create(0, &a, (zx_handle_t*)0x1000), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_channel_create(0, (zx_handle_t*)0x1000, &a), ZX_ERR_INVALID_ARGS);
  zrk_info_kernel_objects_t after = kernel_objects();
  EXPECT_EQ(after.channels, before.channels);
  EXPECT_EQ(after.handles, before.handles);
}

TEST(IsWriteableByDefault) {
  zx_handle_t a, b;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  EXPECT_EQ(now_signals(a), ZX_CHANNEL_WRITABLE);
  EXPECT_EQ(now_signals(b), ZX_CHANNEL_WRITABLE);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(ReadWhenEmptyReturnsShouldWait) {
  zx_handle_t a, b;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  EXPECT_STATUS(zx_channel_read(a, 0, NULL, NULL, 0, 0, NULL, NULL), ZX_ERR_SHOULD_WAIT);
  EXPECT_STATUS(zx_channel_read_etc(a, 0, NULL, NULL, 0, 0, NULL, NULL), ZX_ERR_SHOULD_WAIT);
  zx_handle_close(b);
  EXPECT_STATUS(zx_channel_read(a, 0, NULL, NULL, 0, 0, NULL, NULL), ZX_ERR_PEER_CLOSED);
  zx_handle_close(a);
}

TEST(read_errors_in_order) {
  zx_handle_t a, b, ev;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  ASSERT_OK(zx_event_create(0, &ev));
  EXPECT_STATUS(zx_channel_read(ZX_HANDLE_INVALID, 0, NULL, NULL, 0, 0, NULL, NULL),
                ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_channel_read(ev, 0, NULL, NULL, 0, 0, NULL, NULL), ZX_ERR_WRONG_TYPE);
  zx_handle_t no_read;
  ASSERT_OK(zx_handle_replace(b, ZX_RIGHT_WRITE | ZX_RIGHT_TRANSFER, &no_read));
  EXPECT_STATUS(zx_channel_read(no_read, 0, NULL, NULL, 0, 0, NULL, NULL), ZX_ERR_ACCESS_DENIED);
  // The rights check comes before the options check.
  EXPECT_STATUS(zx_channel_read(no_read, 2, NULL, NULL, 0, 0, NULL, NULL), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_channel_read(a, 2, NULL, NULL, 0, 0, NULL, NULL), ZX_ERR_NOT_SUPPORTED);
  EXPECT_STATUS(zx_channel_read(a, ~1u, NULL, NULL, 0, 0, NULL, NULL), ZX_ERR_NOT_SUPPORTED);
  zx_handle_close(ev);
  zx_handle_close(a);
  zx_handle_close(no_read);
}

TEST(write_errors_in_order) {
  zx_handle_t a, b, ev;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  ASSERT_OK(zx_event_create(0, &ev));
  uint32_t v = 7;
  EXPECT_STATUS(zx_channel_write(a, 1, &v, 4, NULL, 0), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_channel_write(ZX_HANDLE_INVALID, 0, &v, 4, NULL, 0), ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_channel_write(ev, 0, &v, 4, NULL, 0), ZX_ERR_WRONG_TYPE);
  zx_handle_t no_write;
  ASSERT_OK(zx_handle_replace(b, ZX_RIGHT_READ | ZX_RIGHT_TRANSFER, &no_write));
  EXPECT_STATUS(zx_channel_write(no_write, 0, &v, 4, NULL, 0), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_channel_write(a, 0, NULL, ZX_CHANNEL_MAX_MSG_BYTES + 1, NULL, 0),
                ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(zx_channel_write(a, 0, &v, 4, NULL, ZX_CHANNEL_MAX_MSG_HANDLES + 1),
                ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(zx_channel_write(a, 0, (void*)0x1000, 4, NULL, 0), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_channel_write(a, 0, NULL, 4, NULL, 0), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_channel_write(a, 0, &v, 4, (zx_handle_t*)0x1000, 1), ZX_ERR_INVALID_ARGS);
  // None of those was written.
  EXPECT_STATUS(zx_channel_read(no_write, 0, NULL, NULL, 0, 0, NULL, NULL), ZX_ERR_SHOULD_WAIT);
  zx_handle_close(no_write);
  EXPECT_STATUS(zx_channel_write(a, 0, &v, 4, NULL, 0), ZX_ERR_PEER_CLOSED);
  zx_handle_close(ev);
  zx_handle_close(a);
}

TEST(ReadAndWriteWithMultipleSizes) {
  zx_handle_t a, b;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  static uint8_t out[ZX_CHANNEL_MAX_MSG_BYTES], in[ZX_CHANNEL_MAX_MSG_BYTES];
  for (size_t i = 0; i < sizeof out; i++) out[i] = (uint8_t)(i * 7 + 3);
  const uint32_t sizes[] = {0, 1, 4, 7, 100, 4095, 4096, 4097, 30000, ZX_CHANNEL_MAX_MSG_BYTES};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    TEST_CONTEXT("size %u", sizes[i]);
    ASSERT_OK(zx_channel_write(a, 0, out, sizes[i], NULL, 0));
  }
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    TEST_CONTEXT("size %u", sizes[i]);
    uint32_t actual_bytes = 99, actual_handles = 99;
    memset(in, 0, sizeof in);
    ASSERT_OK(zx_channel_read(b, 0, in, NULL, sizeof in, 0, &actual_bytes, &actual_handles));
    EXPECT_EQ(actual_bytes, sizes[i]);
    EXPECT_EQ(actual_handles, 0);
    EXPECT_EQ(memcmp(in, out, sizes[i]), 0);
  }
  EXPECT_EQ(now_signals(b), ZX_CHANNEL_WRITABLE);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(messages_arrive_whole_and_in_order_both_ways) {
  zx_handle_t a, b;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  for (uint32_t i = 0; i < 100; i++) {
    ASSERT_OK(write_u32(a, i));
    ASSERT_OK(write_u32(b, 1000 + i));
  }
  for (uint32_t i = 0; i < 100; i++) {
    uint32_t v;
    ASSERT_OK(read_u32(b, &v));
    EXPECT_EQ(v, i);
    ASSERT_OK(read_u32(a, &v));
    EXPECT_EQ(v, 1000 + i);
  }
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(buffer_too_small_keeps_the_message) {
  zx_handle_t a, b;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  uint8_t msg[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, in[10];
  ASSERT_OK(zx_channel_write(a, 0, msg, sizeof msg, NULL, 0));
  uint32_t actual_bytes = 0, actual_handles = 99;
  EXPECT_STATUS(zx_channel_read(b, 0, in, NULL, 9, 0, &actual_bytes, &actual_handles),
                ZX_ERR_BUFFER_TOO_SMALL);
  EXPECT_EQ(actual_bytes, 10);
  EXPECT_EQ(actual_handles, 0);
  // NULL actual pointers are allowed.
  EXPECT_STATUS(zx_channel_read(b, 0, NULL, NULL, 0, 0, NULL, NULL), ZX_ERR_BUFFER_TOO_SMALL);
  EXPECT_EQ(now_signals(b) & ZX_CHANNEL_READABLE, ZX_CHANNEL_READABLE);
  ASSERT_OK(zx_channel_read(b, 0, in, NULL, sizeof in, 0, &actual_bytes, NULL));
  EXPECT_EQ(memcmp(in, msg, sizeof msg), 0);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(ReadMayDiscardDropsTheMessage) {
  zx_handle_t a, b;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  uint8_t msg[10] = {0}, in[10];
  ASSERT_OK(zx_channel_write(a, 0, msg, sizeof msg, NULL, 0));
  ASSERT_OK(write_u32(a, 42));
  uint32_t actual_bytes = 0, actual_handles = 99;
  // NULL buffers with size 0: too small; the message goes.
  EXPECT_STATUS(zx_channel_read(b, ZX_CHANNEL_READ_MAY_DISCARD, NULL, NULL, 0, 0, &actual_bytes,
                                &actual_handles),
                ZX_ERR_BUFFER_TOO_SMALL);
  EXPECT_EQ(actual_bytes, 10);
  EXPECT_EQ(actual_handles, 0);
  uint32_t v;
  ASSERT_OK(read_u32(b, &v));
  EXPECT_EQ(v, 42);
  // A message that fits is read normally with MAY_DISCARD.
  ASSERT_OK(zx_channel_write(a, 0, msg, sizeof msg, NULL, 0));
  EXPECT_OK(zx_channel_read(b, ZX_CHANNEL_READ_MAY_DISCARD, in, NULL, sizeof in, 0, NULL, NULL));
  EXPECT_STATUS(zx_channel_read(b, 0, NULL, NULL, 0, 0, NULL, NULL), ZX_ERR_SHOULD_WAIT);
  EXPECT_EQ(now_signals(b) & ZX_CHANNEL_READABLE, 0);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(read_fault_on_actual_loses_the_message) {
  zx_handle_t a, b;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  ASSERT_OK(write_u32(a, 1));
  uint32_t v;
  EXPECT_STATUS(zx_channel_read(b, 0, &v, NULL, 4, 0, (uint32_t*)0x1000, NULL),
                ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_channel_read(b, 0, &v, NULL, 4, 0, NULL, NULL), ZX_ERR_SHOULD_WAIT);
  ASSERT_OK(write_u32(a, 2));
  EXPECT_STATUS(zx_channel_read(b, 0, (void*)0x1000, NULL, 4, 0, NULL, NULL), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_channel_read(b, 0, &v, NULL, 4, 0, NULL, NULL), ZX_ERR_SHOULD_WAIT);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(iovec_writes_gather) {
  zx_handle_t a, b;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  char p1[] = "hello, ", p2[] = "channel", in[32];
  zx_channel_iovec_t iov[3] = {
      {.buffer = p1, .capacity = 7, .reserved = 0},
      {.buffer = NULL, .capacity = 0, .reserved = 0},
      {.buffer = p2, .capacity = 7, .reserved = 0},
  };
  ASSERT_OK(zx_channel_write(a, ZX_CHANNEL_WRITE_USE_IOVEC, iov, 3, NULL, 0));
  uint32_t actual = 0;
  ASSERT_OK(zx_channel_read(b, 0, in, NULL, sizeof in, 0, &actual, NULL));
  EXPECT_EQ(actual, 14);
  EXPECT_EQ(memcmp(in, "hello, channel", 14), 0);
  iov[1].reserved = 1;
  EXPECT_STATUS(zx_channel_write(a, ZX_CHANNEL_WRITE_USE_IOVEC, iov, 3, NULL, 0),
                ZX_ERR_INVALID_ARGS);
  iov[1].reserved = 0;
  EXPECT_STATUS(zx_channel_write(a, ZX_CHANNEL_WRITE_USE_IOVEC, iov, ZX_CHANNEL_MAX_MSG_IOVECS + 1,
                                 NULL, 0),
                ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(zx_channel_write(a, ZX_CHANNEL_WRITE_USE_IOVEC, (void*)0x1000, 3, NULL, 0),
                ZX_ERR_INVALID_ARGS);
  static uint8_t big[ZX_CHANNEL_MAX_MSG_BYTES];
  zx_channel_iovec_t too_much[2] = {
      {.buffer = big, .capacity = ZX_CHANNEL_MAX_MSG_BYTES, .reserved = 0},
      {.buffer = big, .capacity = 1, .reserved = 0},
  };
  EXPECT_STATUS(zx_channel_write(a, ZX_CHANNEL_WRITE_USE_IOVEC, too_much, 2, NULL, 0),
                ZX_ERR_OUT_OF_RANGE);
  EXPECT_OK(zx_channel_write(a, ZX_CHANNEL_WRITE_USE_IOVEC, too_much, 1, NULL, 0));
  iov[0].buffer = (void*)0x1000;
  EXPECT_STATUS(zx_channel_write(a, ZX_CHANNEL_WRITE_USE_IOVEC, iov, 3, NULL, 0),
                ZX_ERR_INVALID_ARGS);
  uint32_t n = 0;
  EXPECT_STATUS(zx_channel_read(b, ZX_CHANNEL_READ_MAY_DISCARD, NULL, NULL, 0, 0, &n, NULL),
                ZX_ERR_BUFFER_TOO_SMALL);
  EXPECT_EQ(n, ZX_CHANNEL_MAX_MSG_BYTES);
  EXPECT_STATUS(zx_channel_read(b, 0, NULL, NULL, 0, 0, NULL, NULL), ZX_ERR_SHOULD_WAIT);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(ReadableSignalFollowsTheQueue) {
  zx_handle_t a, b;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  ASSERT_OK(write_u32(a, 1));
  ASSERT_OK(write_u32(a, 2));
  EXPECT_EQ(now_signals(b), ZX_CHANNEL_WRITABLE | ZX_CHANNEL_READABLE);
  EXPECT_EQ(now_signals(a), ZX_CHANNEL_WRITABLE);
  uint32_t v;
  ASSERT_OK(read_u32(b, &v));
  EXPECT_EQ(now_signals(b), ZX_CHANNEL_WRITABLE | ZX_CHANNEL_READABLE);
  ASSERT_OK(read_u32(b, &v));
  EXPECT_EQ(now_signals(b), ZX_CHANNEL_WRITABLE);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(CloseClearsSignalsWriteableAndSetsPeerClosed) {
  zx_handle_t a, b;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  ASSERT_OK(write_u32(a, 5));
  zx_handle_t dup;
  // Channels have no DUPLICATE right: the last handle is the only one.
  EXPECT_STATUS(zx_handle_duplicate(a, ZX_RIGHT_SAME_RIGHTS, &dup), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(a);
  EXPECT_EQ(now_signals(b), ZX_CHANNEL_READABLE | ZX_CHANNEL_PEER_CLOSED);
  // ReadRemainingMessagesWhenPeerIsClosed: queued messages are still there.
  uint32_t v = 0;
  EXPECT_OK(read_u32(b, &v));
  EXPECT_EQ(v, 5);
  EXPECT_EQ(now_signals(b), ZX_CHANNEL_PEER_CLOSED);
  EXPECT_STATUS(zx_channel_read(b, 0, NULL, NULL, 0, 0, NULL, NULL), ZX_ERR_PEER_CLOSED);
  zx_handle_close(b);
}

TEST(CloseSignalsPeerReturnsPeerClosed) {
  zx_handle_t a, b;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  EXPECT_OK(zx_object_signal_peer(a, 0, ZX_USER_SIGNAL_0));
  EXPECT_EQ(now_signals(b), ZX_CHANNEL_WRITABLE | ZX_USER_SIGNAL_0);
  EXPECT_EQ(now_signals(a), ZX_CHANNEL_WRITABLE);
  EXPECT_OK(zx_object_signal_peer(a, ZX_USER_SIGNAL_0, ZX_USER_SIGNAL_7));
  EXPECT_EQ(now_signals(b), ZX_CHANNEL_WRITABLE | ZX_USER_SIGNAL_7);
  // Only user signals may be set on a channel's peer, or on the channel itself.
  EXPECT_STATUS(zx_object_signal_peer(a, 0, ZX_CHANNEL_READABLE), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_object_signal(a, 0, ZX_CHANNEL_PEER_CLOSED), ZX_ERR_INVALID_ARGS);
  EXPECT_OK(zx_object_signal(a, 0, ZX_USER_SIGNAL_1));
  EXPECT_EQ(now_signals(a), ZX_CHANNEL_WRITABLE | ZX_USER_SIGNAL_1);
  zx_handle_t no_peer;
  ASSERT_OK(zx_handle_replace(a, ZX_RIGHT_SIGNAL | ZX_RIGHT_TRANSFER | ZX_RIGHT_WAIT, &no_peer));
  EXPECT_STATUS(zx_object_signal_peer(no_peer, 0, ZX_USER_SIGNAL_0), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(b);
  EXPECT_EQ(now_signals(no_peer), ZX_CHANNEL_PEER_CLOSED | ZX_USER_SIGNAL_1);
  zx_handle_t c, d;
  ASSERT_OK(zx_channel_create(0, &c, &d));
  zx_handle_close(d);
  EXPECT_STATUS(zx_object_signal_peer(c, 0, ZX_USER_SIGNAL_0), ZX_ERR_PEER_CLOSED);
  // The mask check comes before the peer check.
  EXPECT_STATUS(zx_object_signal_peer(c, 0, ZX_CHANNEL_READABLE), ZX_ERR_INVALID_ARGS);
  zx_handle_close(c);
  zx_handle_close(no_peer);
}

TEST(WaitManyIsSignaledOnAnyElementWrite) {
  zx_handle_t a[3], b[3];
  for (int i = 0; i < 3; i++) ASSERT_OK(zx_channel_create(0, &a[i], &b[i]));
  ASSERT_OK(write_u32(a[1], 9));
  zx_wait_item_t items[3];
  for (int i = 0; i < 3; i++) {
    items[i] = (zx_wait_item_t){.handle = b[i], .waitfor = ZX_CHANNEL_READABLE, .pending = 0};
  }
  EXPECT_OK(zx_object_wait_many(items, 3, ZX_TIME_INFINITE));
  EXPECT_EQ(items[0].pending, ZX_CHANNEL_WRITABLE);
  EXPECT_EQ(items[1].pending, ZX_CHANNEL_WRITABLE | ZX_CHANNEL_READABLE);
  ASSERT_OK(write_u32(a[2], 9));
  EXPECT_OK(zx_object_wait_many(items, 3, ZX_TIME_INFINITE));
  EXPECT_EQ(items[2].pending, ZX_CHANNEL_WRITABLE | ZX_CHANNEL_READABLE);
  for (int i = 0; i < 3; i++) {
    zx_handle_close(a[i]);
    zx_handle_close(b[i]);
  }
}

TEST(WaitManyIsSignaledForBothWrites) {
  zx_handle_t a[2], b[2];
  for (int i = 0; i < 2; i++) ASSERT_OK(zx_channel_create(0, &a[i], &b[i]));
  ASSERT_OK(write_u32(a[1], 1));
  ASSERT_OK(write_u32(a[0], 2));
  zx_wait_item_t items[2];
  for (int i = 0; i < 2; i++) {
    items[i] = (zx_wait_item_t){.handle = b[i], .waitfor = ZX_CHANNEL_READABLE, .pending = 0};
  }
  EXPECT_OK(zx_object_wait_many(items, 2, ZX_TIME_INFINITE));
  EXPECT_EQ(items[0].pending, ZX_CHANNEL_WRITABLE | ZX_CHANNEL_READABLE);
  EXPECT_EQ(items[1].pending, ZX_CHANNEL_WRITABLE | ZX_CHANNEL_READABLE);
  // Both peers gone: PEER_CLOSED wakes the same wait, messages still readable.
  zx_handle_close(a[0]);
  zx_handle_close(a[1]);
  for (int i = 0; i < 2; i++) items[i].waitfor = ZX_CHANNEL_PEER_CLOSED;
  EXPECT_OK(zx_object_wait_many(items, 2, ZX_TIME_INFINITE));
  EXPECT_EQ(items[0].pending, ZX_CHANNEL_READABLE | ZX_CHANNEL_PEER_CLOSED);
  uint32_t v;
  EXPECT_OK(read_u32(b[0], &v));
  EXPECT_EQ(v, 2);
  EXPECT_EQ(now_signals(b[0]), ZX_CHANNEL_PEER_CLOSED);
  zx_handle_close(b[0]);
  zx_handle_close(b[1]);
}

// --- Two threads on one channel ------------------------------------------------------

enum { CONCURRENT_MESSAGES = 2000 };

typedef struct {
  zx_handle_t channel;
  zx_handle_t go;
  uint64_t got[CONCURRENT_MESSAGES / 2];
  int failures;
} reader_t;

static void read_half(uintptr_t arg, uintptr_t unused) {
  (void)unused;
  reader_t* r = (reader_t*)arg;
  if (zx_object_wait_one(r->go, ZX_USER_SIGNAL_0, ZX_TIME_INFINITE, NULL) != ZX_OK) r->failures++;
  for (int i = 0; i < CONCURRENT_MESSAGES / 2; i++) {
    uint32_t nb = 0;
    if (zx_channel_read(r->channel, 0, &r->got[i], NULL, 8, 0, &nb, NULL) != ZX_OK || nb != 8) {
      r->failures++;
    }
  }
  zx_thread_exit();
}

TEST(ConcurrentReadsConsumeUniqueElements) {
  zx_handle_t a, b, go;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  ASSERT_OK(zx_event_create(0, &go));
  for (uint64_t i = 1; i <= CONCURRENT_MESSAGES; i++) {
    ASSERT_OK(zx_channel_write(a, 0, &i, sizeof i, NULL, 0));
  }
  static reader_t readers[2];
  raw_thread_t threads[2];
  for (int i = 0; i < 2; i++) {
    readers[i] = (reader_t){.channel = b, .go = go, .failures = 0};
    ASSERT_OK(raw_thread_start(&threads[i], read_half, (uintptr_t)&readers[i], 0));
  }
  ASSERT_OK(zx_object_signal(go, 0, ZX_USER_SIGNAL_0));
  static uint8_t seen[CONCURRENT_MESSAGES + 1];
  memset(seen, 0, sizeof seen);
  for (int t = 0; t < 2; t++) {
    EXPECT_OK(raw_thread_join(&threads[t]));
    EXPECT_EQ(readers[t].failures, 0);
    uint64_t prev = 0;
    for (int i = 0; i < CONCURRENT_MESSAGES / 2; i++) {
      uint64_t v = readers[t].got[i];
      // Each reader sees increasing values; together, each value once.
      EXPECT_GT(v, prev);
      EXPECT_LE(v, CONCURRENT_MESSAGES);
      if (v > prev && v <= CONCURRENT_MESSAGES) seen[v]++;
      prev = v;
    }
  }
  for (int v = 1; v <= CONCURRENT_MESSAGES; v++) {
    if (seen[v] != 1) {
      TEST_CONTEXT("value %d", v);
      EXPECT_EQ(seen[v], 1);
      break;
    }
  }
  zx_handle_close(a);
  zx_handle_close(b);
  zx_handle_close(go);
}

enum { RACE_ATTEMPTS = 10000 };
static zx_futex_t race_attempt;

// Writes one message per attempt; between attempts it sleeps on the attempt number (a
// spin, as in Fuchsia's test, costs a whole time slice per attempt on one CPU).
static void race_writer(uintptr_t channel, uintptr_t unused) {
  (void)unused;
  int curr;
  while ((curr = __atomic_load_n(&race_attempt, __ATOMIC_ACQUIRE)) < RACE_ATTEMPTS) {
    char msg = 0;
    zx_channel_write((zx_handle_t)channel, 0, &msg, 1, NULL, 0);
    while (__atomic_load_n(&race_attempt, __ATOMIC_ACQUIRE) == curr) {
      zx_futex_wait(&race_attempt, curr, ZX_HANDLE_INVALID, ZX_TIME_INFINITE);
    }
  }
  zx_thread_exit();
}

static void next_attempt(int x) {
  __atomic_store_n(&race_attempt, x, __ATOMIC_RELEASE);
  zx_futex_wake(&race_attempt, 1);
}

TEST(NoSpuriousReadableSignalWhenRacing) {
  zx_handle_t a, b;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  race_attempt = 0;
  raw_thread_t t;
  ASSERT_OK(raw_thread_start(&t, race_writer, b, 0));
  int failures = 0;
  for (int x = 0; x < RACE_ATTEMPTS && failures == 0; x++) {
    next_attempt(x);
    char msg;
    zx_status_t s = zx_channel_read(a, 0, &msg, NULL, 1, 0, NULL, NULL);
    if (s == ZX_ERR_SHOULD_WAIT) {
      if (zx_object_wait_one(a, ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, NULL) != ZX_OK) failures++;
      // READABLE must mean a message is there.
      if (zx_channel_read(a, 0, &msg, NULL, 1, 0, NULL, NULL) != ZX_OK) failures++;
    } else if (s != ZX_OK) {
      failures++;
    }
  }
  next_attempt(RACE_ATTEMPTS);
  EXPECT_OK(raw_thread_join(&t));
  EXPECT_EQ(failures, 0);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(objects_come_back) {
  zrk_info_kernel_objects_t before = kernel_objects();
  for (int i = 0; i < 50; i++) {
    zx_handle_t a, b;
    ASSERT_OK(zx_channel_create(0, &a, &b));
    ASSERT_OK(write_u32(a, (uint32_t)i));
    ASSERT_OK(write_u32(b, (uint32_t)i));
    zx_handle_close(a);
    zx_handle_close(b);
  }
  zrk_info_kernel_objects_t after = kernel_objects();
  EXPECT_EQ(after.channels, before.channels);
  EXPECT_EQ(after.handles, before.handles);
}

int main(void) { return run_tests(); }
