// zx_channel_call and zx_channel_call_etc (digest part 2, section 6.5): the errors in
// order, handle ownership on every outcome, txids unique among 20 concurrent callers
// answered out of order, the deadline, the peer closing, the caller's end closing
// (CANCELED), the BLOCKED_CHANNEL thread state, and a suspension in the middle of a call
// (the call's second half, call_finish, gets the reply).
//
// Servers and callers run on raw threads (zrk/thread_util.h): only syscalls and plain
// memory there; the checks run on the main thread.
#include <zircon/rights.h>
#include <zircon/syscalls/debug.h>
#include <zrk/channel_util.h>
#include <zrk/handle_util.h>
#include <zrk/test.h>
#include <zrk/thread_util.h>

static zx_handle_t new_event(void) {
  zx_handle_t e = ZX_HANDLE_INVALID;
  zx_event_create(0, &e);
  return e;
}

static uint32_t thread_state(zx_handle_t thread) {
  zx_info_thread_t info = {0};
  zx_object_get_info(thread, ZX_INFO_THREAD, &info, sizeof info, NULL, NULL);
  return info.state;
}

static bool wait_for_state(zx_handle_t thread, uint32_t state) {
  for (int i = 0; i < 10000; i++) {
    if (thread_state(thread) == state) return true;
    zx_nanosleep(zx_deadline_after(ZX_USEC(200)));
  }
  return false;
}

// --- A server: answers `count` requests, echoing each with its txid and a tag ---------

typedef struct {
  zx_handle_t channel;
  int count;
  bool reverse;  // gather all requests first, answer the last first
  uint32_t txids[32];
  zx_status_t status;
} server_t;

static void serve(uintptr_t arg, uintptr_t unused) {
  (void)unused;
  server_t* s = (server_t*)arg;
  uint32_t msgs[32][2];
  for (int i = 0; i < s->count; i++) {
    zx_status_t st =
        zx_object_wait_one(s->channel, ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, NULL);
    uint32_t nb = 0;
    if (st == ZX_OK) st = zx_channel_read(s->channel, 0, msgs[i], NULL, 8, 0, &nb, NULL);
    if (st != ZX_OK) {
      s->status = st;
      zx_thread_exit();
    }
    s->txids[i] = msgs[i][0];
    if (!s->reverse) {
      uint32_t reply[2] = {msgs[i][0], msgs[i][1] + 1000};
      s->status = zx_channel_write(s->channel, 0, reply, sizeof reply, NULL, 0);
    }
  }
  if (s->reverse) {
    for (int i = s->count - 1; i >= 0; i--) {
      uint32_t reply[2] = {msgs[i][0], msgs[i][1] + 1000};
      s->status = zx_channel_write(s->channel, 0, reply, sizeof reply, NULL, 0);
    }
  }
  zx_thread_exit();
}

static zx_status_t call_u32(zx_handle_t ch, uint32_t tag, zx_time_t deadline, uint32_t* reply) {
  uint32_t request[2] = {0, tag}, answer[2] = {0, 0};
  zx_channel_call_args_t args = {.wr_bytes = request,
                                 .wr_handles = NULL,
                                 .rd_bytes = answer,
                                 .rd_handles = NULL,
                                 .wr_num_bytes = sizeof request,
                                 .wr_num_handles = 0,
                                 .rd_num_bytes = sizeof answer,
                                 .rd_num_handles = 0};
  uint32_t nb = 0, nh = 0;
  zx_status_t s = zx_channel_call(ch, 0, deadline, &args, &nb, &nh);
  if (s == ZX_OK) *reply = answer[1];
  return s;
}

TEST(CallIsOk) {
  zx_handle_t a, b;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  server_t server = {.channel = b, .count = 1};
  raw_thread_t t;
  ASSERT_OK(raw_thread_start(&t, serve, (uintptr_t)&server, 0));
  uint32_t reply = 0;
  EXPECT_OK(call_u32(a, 7, ZX_TIME_INFINITE, &reply));
  EXPECT_EQ(reply, 1007);
  EXPECT_OK(raw_thread_join(&t));
  EXPECT_OK(server.status);
  EXPECT_NE(server.txids[0] & 0x80000000u, 0);
  zx_handle_close(a);
  zx_handle_close(b);
}

typedef struct {
  zx_handle_t channel;
  uint32_t tag;
  uint32_t reply;
  zx_status_t status;
} caller_t;

static void call_once(uintptr_t arg, uintptr_t unused) {
  (void)unused;
  caller_t* c = (caller_t*)arg;
  // A deadline, so that a reply lost to another caller fails the case, not the run.
  c->status = call_u32(c->channel, c->tag, zx_deadline_after(ZX_SEC(10)), &c->reply);
  zx_thread_exit();
}

TEST(CallPendingTransactionsUseDifferentIds) {
  enum { CALLERS = 20 };
  zx_handle_t a, b;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  server_t server = {.channel = b, .count = CALLERS, .reverse = true};
  raw_thread_t st;
  ASSERT_OK(raw_thread_start(&st, serve, (uintptr_t)&server, 0));
  caller_t callers[CALLERS];
  raw_thread_t threads[CALLERS];
  for (int i = 0; i < CALLERS; i++) {
    callers[i] = (caller_t){.channel = a, .tag = (uint32_t)i, .reply = 0, .status = 1};
    ASSERT_OK(raw_thread_start(&threads[i], call_once, (uintptr_t)&callers[i], 0));
  }
  for (int i = 0; i < CALLERS; i++) {
    EXPECT_OK(raw_thread_join(&threads[i]));
    TEST_CONTEXT("caller %d", i);
    EXPECT_OK(callers[i].status);
    EXPECT_EQ(callers[i].reply, 1000u + (uint32_t)i);
  }
  TEST_CONTEXT("server");
  EXPECT_OK(raw_thread_join(&st));
  EXPECT_OK(server.status);
  for (int i = 0; i < CALLERS; i++) {
    EXPECT_NE(server.txids[i] & 0x80000000u, 0);
    for (int j = 0; j < i; j++) EXPECT_NE(server.txids[i], server.txids[j]);
  }
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(call_errors_in_order) {
  zx_handle_t a, b, ev = new_event();
  ASSERT_OK(zx_channel_create(0, &a, &b));
  uint32_t request[2] = {0, 0}, answer[2];
  uint32_t nb, nh;
  zx_handle_t h = new_event();
  zx_channel_call_args_t args = {.wr_bytes = request,
                                 .wr_handles = &h,
                                 .rd_bytes = answer,
                                 .rd_handles = NULL,
                                 .wr_num_bytes = sizeof request,
                                 .wr_num_handles = 1,
                                 .rd_num_bytes = sizeof answer,
                                 .rd_num_handles = 0};
  // Unreadable args: nothing consumed.
  EXPECT_STATUS(zx_channel_call(a, 0, ZX_TIME_INFINITE, (zx_channel_call_args_t*)0x1000, &nb, &nh),
                ZX_ERR_INVALID_ARGS);
  EXPECT_TRUE(is_valid(h));
  // From here on every error consumes the handles.
  EXPECT_STATUS(zx_channel_call(a, 1, ZX_TIME_INFINITE, &args, &nb, &nh), ZX_ERR_INVALID_ARGS);
  EXPECT_FALSE(is_valid(h));
  h = new_event();
  EXPECT_STATUS(zx_channel_call(ZX_HANDLE_INVALID, 0, ZX_TIME_INFINITE, &args, &nb, &nh),
                ZX_ERR_BAD_HANDLE);
  EXPECT_FALSE(is_valid(h));
  h = new_event();
  EXPECT_STATUS(zx_channel_call(ev, 0, ZX_TIME_INFINITE, &args, &nb, &nh), ZX_ERR_WRONG_TYPE);
  EXPECT_FALSE(is_valid(h));
  zx_handle_t write_only;
  ASSERT_OK(zx_handle_replace(b, ZX_RIGHT_WRITE | ZX_RIGHT_TRANSFER, &write_only));
  h = new_event();
  EXPECT_STATUS(zx_channel_call(write_only, 0, ZX_TIME_INFINITE, &args, &nb, &nh),
                ZX_ERR_ACCESS_DENIED);
  EXPECT_FALSE(is_valid(h));
  // CallWrittenBytesSmallerThanZxTxIdReturnsInvalidArgs
  h = new_event();
  args.wr_num_bytes = 3;
  EXPECT_STATUS(zx_channel_call(a, 0, ZX_TIME_INFINITE, &args, &nb, &nh), ZX_ERR_INVALID_ARGS);
  EXPECT_FALSE(is_valid(h));
  // ...WithBadPointerReturnsInvalidArgs
  h = new_event();
  args.wr_num_bytes = 8;
  args.wr_bytes = (void*)0x1000;
  EXPECT_STATUS(zx_channel_call(a, 0, ZX_TIME_INFINITE, &args, &nb, &nh), ZX_ERR_INVALID_ARGS);
  EXPECT_FALSE(is_valid(h));
  args.wr_bytes = request;
  // Too many bytes or handles.
  h = new_event();
  args.wr_num_bytes = ZX_CHANNEL_MAX_MSG_BYTES + 1;
  EXPECT_STATUS(zx_channel_call(a, 0, ZX_TIME_INFINITE, &args, &nb, &nh), ZX_ERR_OUT_OF_RANGE);
  EXPECT_FALSE(is_valid(h));
  args.wr_num_bytes = 8;
  // A handle that cannot go: consumed, the call not made.
  zx_handle_t no_transfer = dup_with(ev, ZX_RIGHT_WAIT);
  args.wr_handles = &no_transfer;
  EXPECT_STATUS(zx_channel_call(a, 0, ZX_TIME_INFINITE, &args, &nb, &nh), ZX_ERR_ACCESS_DENIED);
  EXPECT_FALSE(is_valid(no_transfer));
  EXPECT_STATUS(zx_channel_read(write_only, 0, NULL, NULL, 0, 0, NULL, NULL),
                ZX_ERR_ACCESS_DENIED);
  // CallConsumesHandlesOnError: the peer is gone.
  zx_handle_close(write_only);
  h = new_event();
  args.wr_handles = &h;
  EXPECT_STATUS(zx_channel_call(a, 0, ZX_TIME_INFINITE, &args, &nb, &nh), ZX_ERR_PEER_CLOSED);
  EXPECT_FALSE(is_valid(h));
  zx_handle_close(a);
  zx_handle_close(ev);
}

TEST(CallDeadlineExceededReturnsTimedOut) {
  zx_handle_t a, b;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  uint32_t reply;
  EXPECT_STATUS(call_u32(a, 3, ZX_TIME_INFINITE_PAST, &reply), ZX_ERR_TIMED_OUT);
  EXPECT_STATUS(call_u32(a, 4, zx_deadline_after(ZX_MSEC(5)), &reply), ZX_ERR_TIMED_OUT);
  // The requests stay queued; a late reply is an ordinary message.
  uint32_t request[2];
  uint32_t nb = 0;
  ASSERT_OK(zx_channel_read(b, 0, request, NULL, sizeof request, 0, &nb, NULL));
  EXPECT_EQ(request[1], 3);
  EXPECT_NE(request[0] & 0x80000000u, 0);
  ASSERT_OK(zx_channel_write(b, 0, request, sizeof request, NULL, 0));
  uint32_t late[2];
  ASSERT_OK(zx_channel_read(a, 0, late, NULL, sizeof late, 0, &nb, NULL));
  EXPECT_EQ(late[0], request[0]);
  ASSERT_OK(zx_channel_read(b, 0, request, NULL, sizeof request, 0, &nb, NULL));
  EXPECT_EQ(request[1], 4);
  zx_handle_close(a);
  zx_handle_close(b);
}

// Answers one request with a reply of `bytes` bytes and `handles` events.
typedef struct {
  zx_handle_t channel;
  uint32_t bytes;
  uint32_t handles;
  zx_status_t status;
} replier_t;

static void reply_sized(uintptr_t arg, uintptr_t unused) {
  (void)unused;
  replier_t* r = (replier_t*)arg;
  uint32_t msg[16] = {0};
  uint32_t nb = 0;
  r->status = zx_object_wait_one(r->channel, ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, NULL);
  if (r->status == ZX_OK) r->status = zx_channel_read(r->channel, 0, msg, NULL, 64, 0, &nb, NULL);
  zx_handle_t hs[4];
  for (uint32_t i = 0; i < r->handles; i++) zx_event_create(0, &hs[i]);
  if (r->status == ZX_OK)
    r->status = zx_channel_write(r->channel, 0, msg, r->bytes, hs, r->handles);
  zx_thread_exit();
}

static zx_status_t call_with_reply(zx_handle_t a, zx_handle_t b, uint32_t bytes, uint32_t handles,
                                   uint32_t rd_bytes, uint32_t rd_handles, uint32_t* nb,
                                   uint32_t* nh, zx_handle_t* got) {
  replier_t r = {.channel = b, .bytes = bytes, .handles = handles, .status = 1};
  raw_thread_t t;
  if (raw_thread_start(&t, reply_sized, (uintptr_t)&r, 0) != ZX_OK) return ZX_ERR_INTERNAL;
  uint32_t request[2] = {0, 0}, answer[16];
  zx_channel_call_args_t args = {.wr_bytes = request,
                                 .wr_handles = NULL,
                                 .rd_bytes = answer,
                                 .rd_handles = got,
                                 .wr_num_bytes = sizeof request,
                                 .wr_num_handles = 0,
                                 .rd_num_bytes = rd_bytes,
                                 .rd_num_handles = rd_handles};
  zx_status_t s = zx_channel_call(a, 0, ZX_TIME_INFINITE, &args, nb, nh);
  raw_thread_join(&t);
  return s;
}

TEST(CallResponseBiggerThanRdNumBytesOrHandlesIsDestroyed) {
  zx_handle_t a, b;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  zrk_info_kernel_objects_t before = kernel_objects();
  uint32_t nb = 77, nh = 77;
  zx_handle_t got[4];
  EXPECT_STATUS(call_with_reply(a, b, 16, 0, 8, 0, &nb, &nh, got), ZX_ERR_BUFFER_TOO_SMALL);
  EXPECT_EQ(nb, 77);  // not written
  EXPECT_STATUS(call_with_reply(a, b, 8, 2, 8, 1, &nb, &nh, got), ZX_ERR_BUFFER_TOO_SMALL);
  EXPECT_EQ(nh, 77);
  // The replies are gone, handles and all.
  EXPECT_STATUS(zx_channel_read(a, 0, NULL, NULL, 0, 0, NULL, NULL), ZX_ERR_SHOULD_WAIT);
  zrk_info_kernel_objects_t after = kernel_objects();
  EXPECT_EQ(after.events, before.events);
  EXPECT_EQ(after.handles, before.handles);
  // A reply that fits, with its handles.
  EXPECT_OK(call_with_reply(a, b, 8, 2, 64, 4, &nb, &nh, got));
  EXPECT_EQ(nb, 8);
  EXPECT_EQ(nh, 2);
  EXPECT_EQ(basic_info(got[0]).type, ZX_OBJ_TYPE_EVENT);
  zx_handle_close(got[0]);
  zx_handle_close(got[1]);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(CallNullptrNumBytesOrHandlesIsInvalidArgs) {
  zx_handle_t a, b;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  uint32_t n = 0;
  zx_handle_t got[4];
  EXPECT_STATUS(call_with_reply(a, b, 8, 0, 64, 0, NULL, &n, got), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(call_with_reply(a, b, 8, 0, 64, 0, &n, NULL, got), ZX_ERR_INVALID_ARGS);
  // A reply whose handles cannot be written out: closed.
  zrk_info_kernel_objects_t before = kernel_objects();
  uint32_t nb, nh;
  EXPECT_STATUS(call_with_reply(a, b, 8, 2, 64, 4, &nb, &nh, (zx_handle_t*)0x1000),
                ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(kernel_objects().events, before.events);
  zx_handle_close(a);
  zx_handle_close(b);
}

static void call_and_record(uintptr_t arg, uintptr_t unused) {
  (void)unused;
  caller_t* c = (caller_t*)arg;
  c->status = call_u32(c->channel, c->tag, ZX_TIME_INFINITE, &c->reply);
  zx_thread_exit();
}

TEST(CallNotifiedOnPeerClosed) {
  zx_handle_t a, b;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  caller_t c = {.channel = a, .tag = 1, .status = 1};
  raw_thread_t t;
  ASSERT_OK(raw_thread_start(&t, call_and_record, (uintptr_t)&c, 0));
  EXPECT_TRUE(wait_for_state(t.handle, ZX_THREAD_STATE_BLOCKED_CHANNEL));
  zx_handle_close(b);
  EXPECT_OK(raw_thread_join(&t));
  EXPECT_STATUS(c.status, ZX_ERR_PEER_CLOSED);
  zx_handle_close(a);
}

TEST(call_canceled_when_the_callers_end_closes) {
  zx_handle_t a, b;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  caller_t c = {.channel = a, .tag = 1, .status = 1};
  raw_thread_t t;
  ASSERT_OK(raw_thread_start(&t, call_and_record, (uintptr_t)&c, 0));
  EXPECT_TRUE(wait_for_state(t.handle, ZX_THREAD_STATE_BLOCKED_CHANNEL));
  zx_handle_close(a);
  EXPECT_OK(raw_thread_join(&t));
  EXPECT_STATUS(c.status, ZX_ERR_CANCELED);
  // The end closed at once, though the caller still held it: the peer saw it.
  EXPECT_EQ(now_signals(b) & ZX_CHANNEL_PEER_CLOSED, ZX_CHANNEL_PEER_CLOSED);
  zx_handle_close(b);
}

static void serve_etc(uintptr_t arg, uintptr_t unused) {
  (void)unused;
  server_t* s = (server_t*)arg;
  uint32_t msg[2];
  zx_handle_t h;
  uint32_t nb = 0, nh = 0;
  s->status = zx_object_wait_one(s->channel, ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, NULL);
  if (s->status == ZX_OK) s->status = zx_channel_read(s->channel, 0, msg, &h, 8, 1, &nb, &nh);
  // Send the received handle back.
  if (s->status == ZX_OK) s->status = zx_channel_write(s->channel, 0, msg, 8, &h, nh);
  zx_thread_exit();
}

TEST(CallConsumesHandlesOnSuccess) {
  zx_handle_t a, b;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  server_t server = {.channel = b, .count = 1};
  raw_thread_t t;
  ASSERT_OK(raw_thread_start(&t, serve_etc, (uintptr_t)&server, 0));
  zx_handle_t h = new_event(), back = ZX_HANDLE_INVALID;
  zx_koid_t koid = basic_info(h).koid;
  uint32_t request[2] = {0, 5}, answer[2];
  zx_channel_call_args_t args = {.wr_bytes = request,
                                 .wr_handles = &h,
                                 .rd_bytes = answer,
                                 .rd_handles = &back,
                                 .wr_num_bytes = sizeof request,
                                 .wr_num_handles = 1,
                                 .rd_num_bytes = sizeof answer,
                                 .rd_num_handles = 1};
  uint32_t nb = 0, nh = 0;
  EXPECT_OK(zx_channel_call(a, 0, ZX_TIME_INFINITE, &args, &nb, &nh));
  EXPECT_FALSE(is_valid(h));
  EXPECT_EQ(nh, 1);
  EXPECT_EQ(basic_info(back).koid, koid);
  EXPECT_OK(raw_thread_join(&t));
  EXPECT_OK(server.status);
  zx_handle_close(back);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(call_etc_with_dispositions_and_handle_infos) {
  zx_handle_t a, b, vmo;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  ASSERT_OK(zx_vmo_create(4096, 0, &vmo));
  server_t server = {.channel = b, .count = 1};
  raw_thread_t t;
  ASSERT_OK(raw_thread_start(&t, serve_etc, (uintptr_t)&server, 0));
  zx_handle_disposition_t d = {.operation = ZX_HANDLE_OP_DUPLICATE,
                               .handle = vmo,
                               .type = ZX_OBJ_TYPE_VMO,
                               .rights = ZX_RIGHT_READ | ZX_RIGHT_TRANSFER,
                               .result = ZX_OK};
  zx_handle_info_t info;
  uint32_t request[2] = {0, 0}, answer[2];
  zx_channel_call_etc_args_t args = {.wr_bytes = request,
                                     .wr_handles = &d,
                                     .rd_bytes = answer,
                                     .rd_handles = &info,
                                     .wr_num_bytes = sizeof request,
                                     .wr_num_handles = 1,
                                     .rd_num_bytes = sizeof answer,
                                     .rd_num_handles = 1};
  uint32_t nb = 0, nh = 0;
  EXPECT_OK(zx_channel_call_etc(a, 0, ZX_TIME_INFINITE, &args, &nb, &nh));
  EXPECT_OK(raw_thread_join(&t));
  EXPECT_OK(server.status);
  EXPECT_EQ(nh, 1);
  EXPECT_EQ(info.type, ZX_OBJ_TYPE_VMO);
  EXPECT_EQ(info.rights, ZX_RIGHT_READ | ZX_RIGHT_TRANSFER);
  EXPECT_EQ(basic_info(info.handle).koid, basic_info(vmo).koid);
  EXPECT_TRUE(is_valid(vmo));
  zx_handle_close(info.handle);
  // A bad disposition: its result is written back, the call not made.
  d.type = ZX_OBJ_TYPE_EVENT;
  EXPECT_STATUS(zx_channel_call_etc(a, 0, ZX_TIME_INFINITE, &args, &nb, &nh), ZX_ERR_WRONG_TYPE);
  EXPECT_EQ(d.result, ZX_ERR_WRONG_TYPE);
  EXPECT_TRUE(is_valid(vmo));
  zx_handle_close(vmo);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(call_finish_without_an_interrupted_call_is_bad_state) {
  uint32_t answer[2], nb, nh;
  zx_channel_call_args_t args = {.rd_bytes = answer, .rd_num_bytes = sizeof answer};
  EXPECT_STATUS(zx_channel_call_finish(ZX_TIME_INFINITE, &args, &nb, &nh), ZX_ERR_BAD_STATE);
  EXPECT_STATUS(zx_channel_call_finish(ZX_TIME_INFINITE, (zx_channel_call_args_t*)0x1000, &nb,
                                       &nh),
                ZX_ERR_INVALID_ARGS);
}

TEST(a_suspended_call_finishes_with_its_reply) {
  zx_handle_t a, b;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  caller_t c = {.channel = a, .tag = 9, .status = 1};
  raw_thread_t t;
  ASSERT_OK(raw_thread_start(&t, call_and_record, (uintptr_t)&c, 0));
  ASSERT_TRUE(wait_for_state(t.handle, ZX_THREAD_STATE_BLOCKED_CHANNEL));
  zx_handle_t token;
  ASSERT_OK(zx_task_suspend(t.handle, &token));
  ASSERT_OK(zx_object_wait_one(t.handle, ZX_THREAD_SUSPENDED, ZX_TIME_INFINITE, NULL));
  zx_thread_state_general_regs_t regs;
  ASSERT_OK(zx_thread_read_state(t.handle, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof regs));
  EXPECT_EQ((int64_t)regs.r[0], ZX_ERR_INTERNAL_INTR_RETRY);
  // Answer while it is stopped: the reply waits for call_finish, not in the queue.
  uint32_t request[2], nb = 0;
  ASSERT_OK(zx_channel_read(b, 0, request, NULL, sizeof request, 0, &nb, NULL));
  request[1] += 1000;
  ASSERT_OK(zx_channel_write(b, 0, request, sizeof request, NULL, 0));
  EXPECT_EQ(now_signals(a) & ZX_CHANNEL_READABLE, 0);
  EXPECT_EQ(c.status, 1);
  ASSERT_OK(zx_handle_close(token));
  EXPECT_OK(raw_thread_join(&t));
  EXPECT_OK(c.status);
  EXPECT_EQ(c.reply, 1009);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(objects_come_back) {
  zrk_info_kernel_objects_t now = kernel_objects();
  // Everything above closed what it made: only this program's own handles remain.
  zx_handle_t a, b;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  EXPECT_EQ(kernel_objects().channels, now.channels + 2);
  zx_handle_close(a);
  zx_handle_close(b);
  EXPECT_EQ(kernel_objects().channels, now.channels);
  EXPECT_EQ(kernel_objects().handles, now.handles);
}

int main(void) { return run_tests(); }
