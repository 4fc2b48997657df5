// Handles in channel messages (digest part 2, sections 6.2-6.4 and 6.6): who owns every
// handle after every outcome of write, write_etc, read and read_etc, checked by using or
// closing the handles afterwards; objects keep their koid and rights in flight; counts
// include handles in flight; closing an end destroys what is queued at it, nested
// channels included (200 deep), and a read that faults closes what it took.
#include <zircon/rights.h>
#include <zrk/channel_util.h>
#include <zrk/handle_util.h>
#include <zrk/test.h>

static zx_handle_t new_event(void) {
  zx_handle_t e = ZX_HANDLE_INVALID;
  zx_event_create(0, &e);
  return e;
}

TEST(a_vmo_keeps_its_koid_and_rights_through_a_channel) {
  zx_handle_t a, b, vmo, reduced;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  ASSERT_OK(zx_vmo_create(4096, 0, &vmo));
  ASSERT_OK(zx_vmo_write(vmo, "abc", 0, 3));
  zx_info_handle_basic_t before = basic_info(vmo);
  ASSERT_OK(zx_handle_replace(vmo, ZX_RIGHT_READ | ZX_RIGHT_TRANSFER | ZX_RIGHT_INSPECT, &reduced));
  ASSERT_OK(zx_channel_write(a, 0, "m", 1, &reduced, 1));
  // Moved: the sender's handle is gone, the object lives on in the message.
  EXPECT_FALSE(is_valid(reduced));
  zx_handle_t got = ZX_HANDLE_INVALID;
  uint32_t nb = 0, nh = 0;
  char byte;
  ASSERT_OK(zx_channel_read(b, 0, &byte, &got, 1, 1, &nb, &nh));
  EXPECT_EQ(nh, 1);
  zx_info_handle_basic_t after = basic_info(got);
  EXPECT_EQ(after.koid, before.koid);
  EXPECT_EQ(after.type, ZX_OBJ_TYPE_VMO);
  EXPECT_EQ(after.rights, ZX_RIGHT_READ | ZX_RIGHT_TRANSFER | ZX_RIGHT_INSPECT);
  char data[3];
  EXPECT_OK(zx_vmo_read(got, data, 0, 3));
  EXPECT_EQ(memcmp(data, "abc", 3), 0);
  EXPECT_STATUS(zx_vmo_write(got, "x", 0, 1), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(got);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(handles_in_flight_are_counted) {
  zx_handle_t a, b, e = new_event(), dup;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  ASSERT_OK(zx_handle_duplicate(e, ZX_RIGHT_SAME_RIGHTS, &dup));
  zrk_info_kernel_objects_t before = kernel_objects();
  ASSERT_OK(zx_channel_write(a, 0, NULL, 0, &dup, 1));
  EXPECT_EQ(handle_count(e), 2);
  EXPECT_EQ(kernel_objects().handles, before.handles);
  // A channel end in flight counts too.
  zx_handle_t c, d;
  ASSERT_OK(zx_channel_create(0, &c, &d));
  zrk_info_kernel_objects_t with_c = kernel_objects();
  ASSERT_OK(zx_channel_write(a, 0, NULL, 0, &d, 1));
  EXPECT_EQ(kernel_objects().handles, with_c.handles);
  EXPECT_EQ(now_signals(c), ZX_CHANNEL_WRITABLE);
  // Closing `b` destroys its queue: the event's duplicate and `d` close with it.
  zx_handle_close(b);
  EXPECT_EQ(handle_count(e), 1);
  EXPECT_EQ(now_signals(c), ZX_CHANNEL_PEER_CLOSED);
  EXPECT_EQ(kernel_objects().handles, with_c.handles - 3);
  zx_handle_close(a);
  zx_handle_close(c);
  zx_handle_close(e);
}

TEST(WriteConsumesAllHandles) {
  zx_handle_t a, b;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  zx_handle_t events[ZX_CHANNEL_MAX_MSG_HANDLES + 1];
  for (size_t i = 0; i < ZX_CHANNEL_MAX_MSG_HANDLES + 1; i++) events[i] = new_event();
  EXPECT_STATUS(zx_channel_write(a, 0, NULL, 0, events, ZX_CHANNEL_MAX_MSG_HANDLES + 1),
                ZX_ERR_OUT_OF_RANGE);
  for (size_t i = 0; i < ZX_CHANNEL_MAX_MSG_HANDLES + 1; i++) {
    TEST_CONTEXT("handle %zu", i);
    EXPECT_STATUS(zx_handle_close(events[i]), ZX_ERR_BAD_HANDLE);
  }
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(errors_before_the_handles_consume_them) {
  zx_handle_t a, b, ro, ev = new_event();
  ASSERT_OK(zx_channel_create(0, &a, &b));
  ASSERT_OK(zx_handle_replace(b, ZX_RIGHT_READ | ZX_RIGHT_TRANSFER, &ro));
  struct {
    const char* name;
    zx_handle_t channel;
    uint32_t options;
    const void* bytes;
    uint32_t num_bytes;
    zx_status_t want;
  } cases[] = {
      {"bad options", a, 4, NULL, 0, ZX_ERR_INVALID_ARGS},
      {"bad channel handle", ZX_HANDLE_INVALID, 0, NULL, 0, ZX_ERR_BAD_HANDLE},
      {"not a channel", ev, 0, NULL, 0, ZX_ERR_WRONG_TYPE},
      {"no WRITE right", ro, 0, NULL, 0, ZX_ERR_ACCESS_DENIED},
      {"too many bytes", a, 0, NULL, ZX_CHANNEL_MAX_MSG_BYTES + 1, ZX_ERR_OUT_OF_RANGE},
      {"bad bytes pointer", a, 0, (void*)0x1000, 4, ZX_ERR_INVALID_ARGS},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    TEST_CONTEXT("%s", cases[i].name);
    zx_handle_t h = new_event();
    EXPECT_STATUS(zx_channel_write(cases[i].channel, cases[i].options, cases[i].bytes,
                                   cases[i].num_bytes, &h, 1),
                  cases[i].want);
    EXPECT_FALSE(is_valid(h));
    zx_handle_disposition_t d = {.operation = ZX_HANDLE_OP_MOVE,
                                 .handle = new_event(),
                                 .type = ZX_OBJ_TYPE_NONE,
                                 .rights = ZX_RIGHT_SAME_RIGHTS,
                                 .result = ZX_OK};
    EXPECT_STATUS(zx_channel_write_etc(cases[i].channel, cases[i].options, cases[i].bytes,
                                       cases[i].num_bytes, &d, 1),
                  cases[i].want);
    EXPECT_FALSE(is_valid(d.handle));
    // A DUPLICATE disposition leaves its source, whatever happens.
    zx_handle_t kept = new_event();
    d = (zx_handle_disposition_t){.operation = ZX_HANDLE_OP_DUPLICATE,
                                  .handle = kept,
                                  .type = ZX_OBJ_TYPE_NONE,
                                  .rights = ZX_RIGHT_SAME_RIGHTS,
                                  .result = ZX_OK};
    EXPECT_STATUS(zx_channel_write_etc(cases[i].channel, cases[i].options, cases[i].bytes,
                                       cases[i].num_bytes, &d, 1),
                  cases[i].want);
    EXPECT_TRUE(is_valid(kept));
    EXPECT_EQ(handle_count(kept), 1);
    zx_handle_close(kept);
  }
  // An unreadable handle array: nothing can be consumed.
  zx_handle_t h = new_event();
  EXPECT_STATUS(zx_channel_write(a, 0, NULL, 0, (zx_handle_t*)0x1000, 1), ZX_ERR_INVALID_ARGS);
  EXPECT_TRUE(is_valid(h));
  zx_handle_close(h);
  // The peer closed: PEER_CLOSED, and the handles went with the message.
  h = new_event();
  zx_handle_close(ro);
  EXPECT_STATUS(zx_channel_write(a, 0, NULL, 0, &h, 1), ZX_ERR_PEER_CLOSED);
  EXPECT_FALSE(is_valid(h));
  zx_handle_close(a);
  zx_handle_close(ev);
}

TEST(WriteNonTransferableHandleReturnsAccessDeniedAndClosesHandle) {
  zx_handle_t a, b, e = new_event(), no_transfer;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  ASSERT_OK(zx_handle_replace(e, ZX_RIGHT_WAIT | ZX_RIGHT_SIGNAL, &no_transfer));
  zx_handle_t ok_one = new_event();
  zx_handle_t list[2] = {ok_one, no_transfer};
  EXPECT_STATUS(zx_channel_write(a, 0, NULL, 0, list, 2), ZX_ERR_ACCESS_DENIED);
  EXPECT_FALSE(is_valid(ok_one));
  EXPECT_FALSE(is_valid(no_transfer));
  EXPECT_STATUS(zx_channel_read(b, 0, NULL, NULL, 0, 0, NULL, NULL), ZX_ERR_SHOULD_WAIT);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(WriteRepeatedHandlesReturnsBadHandlesAndClosesHandle) {
  zx_handle_t a, b, e = new_event();
  ASSERT_OK(zx_channel_create(0, &a, &b));
  zx_handle_t list[2] = {e, e};
  EXPECT_STATUS(zx_channel_write(a, 0, NULL, 0, list, 2), ZX_ERR_BAD_HANDLE);
  EXPECT_FALSE(is_valid(e));
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(WriteSelfHandleReturnsNotSupported) {
  zx_handle_t a, b;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  EXPECT_STATUS(zx_channel_write(a, 0, NULL, 0, &a, 1), ZX_ERR_NOT_SUPPORTED);
  // Still consumed: the end closed, its peer sees it.
  EXPECT_FALSE(is_valid(a));
  EXPECT_EQ(now_signals(b), ZX_CHANNEL_PEER_CLOSED);
  zx_handle_close(b);
}

TEST(write_etc_dispositions) {
  zx_handle_t a, b, e = new_event(), vmo;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  ASSERT_OK(zx_vmo_create(4096, 0, &vmo));
  zx_koid_t e_koid = basic_info(e).koid;
  zx_handle_disposition_t d[2] = {
      {.operation = ZX_HANDLE_OP_DUPLICATE,
       .handle = e,
       .type = ZX_OBJ_TYPE_EVENT,
       .rights = ZX_RIGHT_WAIT | ZX_RIGHT_TRANSFER,
       .result = ZX_OK},
      {.operation = ZX_HANDLE_OP_MOVE,
       .handle = vmo,
       .type = ZX_OBJ_TYPE_NONE,
       .rights = ZX_RIGHT_SAME_RIGHTS,
       .result = ZX_OK},
  };
  ASSERT_OK(zx_channel_write_etc(a, 0, "xy", 2, d, 2));
  EXPECT_TRUE(is_valid(e));
  EXPECT_FALSE(is_valid(vmo));
  zx_handle_info_t infos[2];
  uint32_t nb = 0, nh = 0;
  char bytes[2];
  ASSERT_OK(zx_channel_read_etc(b, 0, bytes, infos, 2, 2, &nb, &nh));
  EXPECT_EQ(nh, 2);
  EXPECT_EQ(infos[0].type, ZX_OBJ_TYPE_EVENT);
  EXPECT_EQ(infos[0].rights, ZX_RIGHT_WAIT | ZX_RIGHT_TRANSFER);
  EXPECT_EQ(infos[0].unused, 0);
  EXPECT_EQ(basic_info(infos[0].handle).koid, e_koid);
  EXPECT_EQ(infos[1].type, ZX_OBJ_TYPE_VMO);
  EXPECT_EQ(infos[1].rights, ZX_DEFAULT_VMO_RIGHTS);
  EXPECT_EQ(rights_of(infos[1].handle), ZX_DEFAULT_VMO_RIGHTS);
  zx_handle_close(infos[0].handle);
  zx_handle_close(infos[1].handle);
  zx_handle_close(e);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(write_etc_reports_each_disposition) {
  zx_handle_t a, b;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  zx_handle_t no_dup, e = new_event();
  ASSERT_OK(zx_handle_duplicate(e, ZX_RIGHT_WAIT | ZX_RIGHT_TRANSFER, &no_dup));
  zx_handle_t good = new_event(), wrong_type = new_event(), too_many_rights = new_event(),
              bad_op = new_event();
  zx_handle_disposition_t d[7] = {
      {ZX_HANDLE_OP_MOVE, good, ZX_OBJ_TYPE_EVENT, ZX_RIGHT_SAME_RIGHTS, 12345},
      {ZX_HANDLE_OP_MOVE, wrong_type, ZX_OBJ_TYPE_VMO, ZX_RIGHT_SAME_RIGHTS, ZX_OK},
      {ZX_HANDLE_OP_MOVE, too_many_rights, ZX_OBJ_TYPE_NONE, ZX_RIGHT_WRITE, ZX_OK},
      {7, bad_op, ZX_OBJ_TYPE_NONE, ZX_RIGHT_SAME_RIGHTS, ZX_OK},
      {ZX_HANDLE_OP_DUPLICATE, no_dup, ZX_OBJ_TYPE_NONE, ZX_RIGHT_SAME_RIGHTS, ZX_OK},
      {ZX_HANDLE_OP_MOVE, ZX_HANDLE_INVALID, ZX_OBJ_TYPE_NONE, ZX_RIGHT_SAME_RIGHTS, ZX_OK},
      {ZX_HANDLE_OP_MOVE, a, ZX_OBJ_TYPE_NONE, ZX_RIGHT_SAME_RIGHTS, ZX_OK},
  };
  // The first error is returned (WRONG_TYPE); every disposition says its own.
  EXPECT_STATUS(zx_channel_write_etc(b, 0, NULL, 0, d, 7), ZX_ERR_WRONG_TYPE);
  EXPECT_EQ(d[0].result, 12345);  // untouched: it went fine
  EXPECT_EQ(d[1].result, ZX_ERR_WRONG_TYPE);
  EXPECT_EQ(d[2].result, ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(d[3].result, ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(d[4].result, ZX_ERR_ACCESS_DENIED);
  EXPECT_EQ(d[5].result, ZX_ERR_BAD_HANDLE);
  EXPECT_EQ(d[6].result, ZX_OK);  // the peer end is not the end written to
  // MOVE and bad operations consume; the failed DUPLICATE leaves its source.
  EXPECT_FALSE(is_valid(good));
  EXPECT_FALSE(is_valid(wrong_type));
  EXPECT_FALSE(is_valid(too_many_rights));
  EXPECT_FALSE(is_valid(bad_op));
  EXPECT_FALSE(is_valid(a));
  EXPECT_TRUE(is_valid(no_dup));
  EXPECT_EQ(handle_count(e), 2);
  // Writing the channel's own end is NOT_SUPPORTED, reported in place.
  zx_handle_t c, c2;
  ASSERT_OK(zx_channel_create(0, &c, &c2));
  zx_handle_disposition_t self = {ZX_HANDLE_OP_MOVE, c, 0, ZX_RIGHT_SAME_RIGHTS, ZX_OK};
  EXPECT_STATUS(zx_channel_write_etc(c, 0, NULL, 0, &self, 1), ZX_ERR_NOT_SUPPORTED);
  EXPECT_EQ(self.result, ZX_ERR_NOT_SUPPORTED);
  EXPECT_FALSE(is_valid(c));
  // The results cannot be written back: INVALID_ARGS.
  zx_handle_close(no_dup);
  zx_handle_close(e);
  zx_handle_close(b);
  zx_handle_close(c2);
}

TEST(OnFlightHandlesSignalledWhenPeerIsClosed) {
  zx_handle_t a, b, inner_a, inner_b;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  ASSERT_OK(zx_channel_create(0, &inner_a, &inner_b));
  ASSERT_OK(zx_channel_write(a, 0, NULL, 0, &inner_b, 1));
  EXPECT_EQ(now_signals(inner_a), ZX_CHANNEL_WRITABLE);
  // Closing `b` destroys the message queued at it, and with it inner_b.
  zx_handle_close(b);
  EXPECT_EQ(now_signals(inner_a), ZX_CHANNEL_PEER_CLOSED);
  zx_handle_close(a);
  zx_handle_close(inner_a);
}

// Each channel's end travels inside the next channel: closing the outermost end destroys
// `depth` levels; the kernel must not recurse on its stack.
static void nest(int depth) {
  const int DEPTH = depth;
  zrk_info_kernel_objects_t before = kernel_objects();
  zx_handle_t first_a, prev_b;
  ASSERT_OK(zx_channel_create(0, &first_a, &prev_b));
  for (int i = 0; i < DEPTH; i++) {
    zx_handle_t a, b;
    ASSERT_OK(zx_channel_create(0, &a, &b));
    // Send the previous pair's b end (carrying all earlier levels) into this channel.
    ASSERT_OK(zx_channel_write(a, 0, &i, sizeof i, &prev_b, 1));
    zx_handle_close(a);  // b's queue keeps the message; b still has its handle
    prev_b = b;
  }
  EXPECT_EQ(kernel_objects().channels, before.channels + 2 * (DEPTH + 1) - DEPTH);
  zx_handle_close(prev_b);
  EXPECT_EQ(now_signals(first_a), ZX_CHANNEL_PEER_CLOSED);
  zx_handle_close(first_a);
  zrk_info_kernel_objects_t after = kernel_objects();
  EXPECT_EQ(after.channels, before.channels);
  EXPECT_EQ(after.handles, before.handles);
}

TEST(NestingIsOk) { nest(200); }

// Deep enough that one kernel stack frame per level would overflow the kernel stack.
TEST(deep_nesting_is_ok) { nest(2000); }

TEST(ReadFaultDoesNotLeakHandles) {
  zx_handle_t a, b;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  zrk_info_kernel_objects_t before = kernel_objects();
  // More rounds than one process may hold handles (16384): a leak would show, and end
  // in NO_RESOURCES.
  for (int i = 0; i < 20000; i++) {
    zx_handle_t e[2] = {new_event(), new_event()};
    if (zx_channel_write(a, 0, NULL, 0, e, 2) != ZX_OK) {
      EXPECT_TRUE(false);
      break;
    }
    uint32_t nh = 0;
    zx_status_t s = zx_channel_read(b, 0, NULL, (zx_handle_t*)0xfffffffffffffff0ull, 0, 2, NULL,
                                    &nh);
    if (s != ZX_ERR_INVALID_ARGS || nh != 2) {
      EXPECT_STATUS(s, ZX_ERR_INVALID_ARGS);
      EXPECT_EQ(nh, 2);
      break;
    }
  }
  zrk_info_kernel_objects_t after = kernel_objects();
  EXPECT_EQ(after.handles, before.handles);
  EXPECT_EQ(after.events, before.events);
  // read_etc too.
  zx_handle_t e = new_event();
  ASSERT_OK(zx_channel_write(a, 0, NULL, 0, &e, 1));
  EXPECT_STATUS(zx_channel_read_etc(b, 0, NULL, (zx_handle_info_t*)0x1000, 0, 1, NULL, NULL),
                ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(kernel_objects().events, before.events);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(read_buffer_too_small_for_handles) {
  zx_handle_t a, b, e = new_event();
  ASSERT_OK(zx_channel_create(0, &a, &b));
  ASSERT_OK(zx_channel_write(a, 0, NULL, 0, &e, 1));
  uint32_t nb = 9, nh = 0;
  EXPECT_STATUS(zx_channel_read(b, 0, NULL, NULL, 0, 0, &nb, &nh), ZX_ERR_BUFFER_TOO_SMALL);
  EXPECT_EQ(nb, 0);
  EXPECT_EQ(nh, 1);
  // Still queued, handle and all; with MAY_DISCARD the handle is closed with it.
  zrk_info_kernel_objects_t before = kernel_objects();
  EXPECT_STATUS(zx_channel_read(b, ZX_CHANNEL_READ_MAY_DISCARD, NULL, NULL, 0, 0, NULL, NULL),
                ZX_ERR_BUFFER_TOO_SMALL);
  zrk_info_kernel_objects_t after = kernel_objects();
  EXPECT_EQ(after.events, before.events - 1);
  EXPECT_EQ(after.handles, before.handles - 1);
  zx_handle_close(a);
  zx_handle_close(b);
}

// Fuchsia's five ReadMayDiscard cases: a message of `bytes` bytes and `handles` event
// duplicates, read into buffers of `buf_bytes` and `buf_handles` (NULL when `null`):
// BUFFER_TOO_SMALL with the sizes, the message gone, its handles closed.
static void may_discard(uint32_t bytes, uint32_t handles, uint32_t buf_bytes,
                        uint32_t buf_handles, bool null) {
  zx_handle_t a, b, e = new_event();
  ASSERT_OK(zx_channel_create(0, &a, &b));
  zx_handle_t dups[4];
  for (uint32_t i = 0; i < handles; i++) dups[i] = dup_with(e, ZX_RIGHT_SAME_RIGHTS);
  static const uint8_t zeros[64];
  ASSERT_OK(zx_channel_write(a, 0, zeros, bytes, dups, handles));
  uint8_t buf[64];
  zx_handle_t hbuf[4];
  uint32_t nb = 99, nh = 99;
  EXPECT_STATUS(zx_channel_read(b, ZX_CHANNEL_READ_MAY_DISCARD, null ? NULL : buf,
                                null ? NULL : hbuf, buf_bytes, buf_handles, &nb, &nh),
                ZX_ERR_BUFFER_TOO_SMALL);
  EXPECT_EQ(nb, bytes);
  EXPECT_EQ(nh, handles);
  EXPECT_EQ(now_signals(b) & ZX_CHANNEL_READABLE, 0);
  EXPECT_EQ(handle_count(e), 1);
  zx_handle_close(e);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(ReadMayDiscardWithNullBuffersReturnsBufferTooSmall) { may_discard(1, 1, 0, 0, true); }
TEST(ReadMayDiscardWithNullBufferDiscardsDataReturnsBufferTooSmall) {
  may_discard(2, 0, 1, 0, true);
}
TEST(ReadMayDiscardWithNullBufferDiscardHandlesReturnsBufferTooSmall) {
  may_discard(0, 2, 0, 1, true);
}
TEST(ReadMayDiscardWithZeroSizeBuffersDiscardHandlesAndDataReturnsBufferTooSmall) {
  may_discard(1, 1, 0, 0, false);
}
TEST(ReadMayDiscardWithSmallerBufferDiscardHandlesAndDataReturnsBufferTooSmall) {
  may_discard(11, 2, 10, 1, false);
}

TEST(ReadEtcHandleInfoValidation) {
  zx_handle_t a, b, e = new_event(), vmo;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  ASSERT_OK(zx_vmo_create(4096, 0, &vmo));
  zx_handle_t less = dup_with(e, ZX_RIGHTS_BASIC & ~ZX_RIGHT_WAIT);
  zx_handle_t list[3] = {vmo, e, less};
  ASSERT_OK(zx_channel_write(a, 0, NULL, 0, list, 3));
  zx_handle_info_t infos[3];
  memset(infos, 0xff, sizeof infos);
  uint32_t nb = 9, nh = 0;
  ASSERT_OK(zx_channel_read_etc(b, 0, NULL, infos, 0, 3, &nb, &nh));
  EXPECT_EQ(nb, 0);
  EXPECT_EQ(nh, 3);
  EXPECT_EQ(infos[0].type, ZX_OBJ_TYPE_VMO);
  EXPECT_EQ(infos[0].rights, ZX_DEFAULT_VMO_RIGHTS);
  EXPECT_EQ(infos[1].type, ZX_OBJ_TYPE_EVENT);
  EXPECT_EQ(infos[1].rights, ZX_DEFAULT_EVENT_RIGHTS);
  EXPECT_EQ(infos[2].type, ZX_OBJ_TYPE_EVENT);
  EXPECT_EQ(infos[2].rights, ZX_RIGHTS_BASIC & ~ZX_RIGHT_WAIT);
  for (int i = 0; i < 3; i++) {
    EXPECT_EQ(infos[i].unused, 0);
    EXPECT_EQ(rights_of(infos[i].handle), infos[i].rights);
    zx_handle_close(infos[i].handle);
  }
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(read_and_write_with_multiple_sizes_and_handles) {
  zx_handle_t a, b;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  static uint8_t data[ZX_CHANNEL_MAX_MSG_BYTES], in[ZX_CHANNEL_MAX_MSG_BYTES];
  uint32_t seed = 12345;
  zrk_info_kernel_objects_t before = kernel_objects();
  for (int i = 0; i < 300; i++) {
    seed = seed * 1103515245u + 12345u;
    uint32_t num_bytes = (seed >> 8) % ZX_CHANNEL_MAX_MSG_BYTES;
    seed = seed * 1103515245u + 12345u;
    uint32_t num_handles = (seed >> 8) % ZX_CHANNEL_MAX_MSG_HANDLES;
    zx_handle_t handles[ZX_CHANNEL_MAX_MSG_HANDLES], got[ZX_CHANNEL_MAX_MSG_HANDLES];
    for (uint32_t j = 0; j < num_handles; j++) handles[j] = new_event();
    if (num_bytes > 0) data[0] = (uint8_t)i;
    ASSERT_OK(zx_channel_write(a, 0, data, num_bytes, handles, num_handles));
    uint32_t nb = 0, nh = 0;
    ASSERT_OK(zx_channel_read(b, 0, in, got, num_bytes, num_handles, &nb, &nh));
    ASSERT_EQ(nb, num_bytes);
    ASSERT_EQ(nh, num_handles);
    if (num_bytes > 0) ASSERT_EQ(in[0], (uint8_t)i);
    for (uint32_t j = 0; j < num_handles; j++) EXPECT_OK(zx_handle_close(got[j]));
  }
  zrk_info_kernel_objects_t after = kernel_objects();
  EXPECT_EQ(after.events, before.events);
  EXPECT_EQ(after.handles, before.handles);
  zx_handle_close(a);
  zx_handle_close(b);
}

int main(void) { return run_tests(); }
