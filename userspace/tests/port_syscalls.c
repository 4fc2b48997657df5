// Ports, one syscall at a time: zx_port_create, zx_port_queue, zx_port_wait,
// zx_port_cancel and zx_object_wait_async, each documented error in the order Zircon
// checks them (digest part 2, section 5), user packets, deadlines, and hostile pointers.
#include <zircon/syscalls/port.h>
#include <zrk/bad_ptr.h>
#include <zrk/handle_util.h>
#include <zrk/test.h>

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

static zx_port_packet_t user_packet(uint64_t key) {
  zx_port_packet_t p;
  memset(&p, 0, sizeof p);
  p.key = key;
  p.type = ZX_PKT_TYPE_USER;
  return p;
}

TEST(create_gives_a_port_handle_without_wait) {
  zx_handle_t port;
  ASSERT_OK(zx_port_create(0, &port));
  zx_info_handle_basic_t info = basic_info(port);
  EXPECT_EQ(info.type, ZX_OBJ_TYPE_PORT);
  EXPECT_EQ(info.rights, ZX_DEFAULT_PORT_RIGHTS);
  EXPECT_EQ(info.rights, 0x800F);
  EXPECT_FALSE(info.rights & ZX_RIGHT_WAIT);
  EXPECT_NE(info.koid, 0);
  EXPECT_OK(zx_handle_close(port));
  ASSERT_OK(zx_port_create(ZX_PORT_BIND_TO_INTERRUPT, &port));
  EXPECT_OK(zx_handle_close(port));
}

TEST(create_rejects_other_options_and_bad_out_pointers) {
  zx_handle_t port;
  EXPECT_STATUS(zx_port_create(2, &port), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_port_create(ZX_PORT_BIND_TO_INTERRUPT | 2, &port), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_port_create(0xffffffff, &port), ZX_ERR_INVALID_ARGS);
  zrk_bad_ptr_t bad[ZRK_BAD_PTR_MAX];
  size_t n = zrk_bad_ptrs(bad, sizeof(zx_handle_t));
  for (size_t i = 0; i < n; i++) {
    TEST_CONTEXT("out = %s", bad[i].name);
    EXPECT_STATUS(zx_port_create(0, bad[i].ptr), ZX_ERR_INVALID_ARGS);
  }
  TEST_CONTEXT("read-only out");
  EXPECT_STATUS(zx_port_create(0, zrk_readonly_ptr()), ZX_ERR_INVALID_ARGS);
}

// Fuchsia's QueueWaitVerifyUserPacket: key, status and payload come back; the type is
// forced to ZX_PKT_TYPE_USER.
TEST(QueueWaitVerifyUserPacket) {
  zx_handle_t port = new_port();
  zx_port_packet_t in;
  memset(&in, 0, sizeof in);
  in.key = 12;
  in.type = ZX_PKT_TYPE_USER + 5;
  in.status = -3;
  for (int i = 0; i < 32; i++) in.user.c8[i] = (uint8_t)(0xa0 + i);
  ASSERT_OK(zx_port_queue(port, &in));
  zx_port_packet_t out;
  memset(&out, 0x55, sizeof out);
  ASSERT_OK(zx_port_wait(port, ZX_TIME_INFINITE, &out));
  EXPECT_EQ(out.key, 12);
  EXPECT_EQ(out.type, ZX_PKT_TYPE_USER);
  EXPECT_EQ(out.status, -3);
  EXPECT_EQ(memcmp(&in.user, &out.user, sizeof in.user), 0);
  EXPECT_STATUS(zx_port_wait(port, ZX_TIME_INFINITE_PAST, &out), ZX_ERR_TIMED_OUT);
  zx_handle_close(port);
}

TEST(packets_come_out_in_the_order_they_went_in) {
  zx_handle_t port = new_port();
  for (uint64_t k = 0; k < 100; k++) {
    zx_port_packet_t p = user_packet(k);
    p.user.u64[3] = k * 7;
    ASSERT_OK(zx_port_queue(port, &p));
  }
  for (uint64_t k = 0; k < 100; k++) {
    zx_port_packet_t out;
    ASSERT_OK(zx_port_wait(port, ZX_TIME_INFINITE_PAST, &out));
    EXPECT_EQ(out.key, k);
    EXPECT_EQ(out.user.u64[3], k * 7);
  }
  zx_port_packet_t out;
  EXPECT_STATUS(zx_port_wait(port, 0, &out), ZX_ERR_TIMED_OUT);
  zx_handle_close(port);
}

TEST(queue_errors_in_order) {
  zx_handle_t port = new_port();
  zx_handle_t event = new_event();
  zx_port_packet_t p = user_packet(1);
  EXPECT_STATUS(zx_port_queue(ZX_HANDLE_INVALID, &p), ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_port_queue(stale_handle(), &p), ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_port_queue(event, &p), ZX_ERR_WRONG_TYPE);
  zx_handle_t read_only = dup_with(port, ZX_RIGHT_READ | ZX_RIGHT_TRANSFER);
  EXPECT_STATUS(zx_port_queue(read_only, &p), ZX_ERR_ACCESS_DENIED);
  // The handle is checked before the packet.
  EXPECT_STATUS(zx_port_queue(read_only, NULL), ZX_ERR_ACCESS_DENIED);
  // QueueNullPtrReturnsInvalidArgs, and other hostile pointers.
  EXPECT_STATUS(zx_port_queue(port, NULL), ZX_ERR_INVALID_ARGS);
  zrk_bad_ptr_t bad[ZRK_BAD_PTR_MAX];
  size_t n = zrk_bad_ptrs(bad, sizeof(zx_port_packet_t));
  for (size_t i = 0; i < n; i++) {
    TEST_CONTEXT("packet = %s", bad[i].name);
    EXPECT_STATUS(zx_port_queue(port, bad[i].ptr), ZX_ERR_INVALID_ARGS);
  }
  TEST_CONTEXT("nothing was queued");
  zx_port_packet_t out;
  EXPECT_STATUS(zx_port_wait(port, ZX_TIME_INFINITE_PAST, &out), ZX_ERR_TIMED_OUT);
  // A write-only duplicate queues.
  zx_handle_t write_only = dup_with(port, ZX_RIGHT_WRITE);
  EXPECT_OK(zx_port_queue(write_only, &p));
  zx_handle_t h[] = {port, event, read_only, write_only};
  zx_handle_close_many(h, 4);
}

TEST(wait_errors_in_order) {
  zx_handle_t port = new_port();
  zx_handle_t event = new_event();
  zx_port_packet_t out;
  EXPECT_STATUS(zx_port_wait(ZX_HANDLE_INVALID, 0, &out), ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_port_wait(stale_handle(), 0, &out), ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_port_wait(event, 0, &out), ZX_ERR_WRONG_TYPE);
  zx_handle_t write_only = dup_with(port, ZX_RIGHT_WRITE);
  EXPECT_STATUS(zx_port_wait(write_only, 0, &out), ZX_ERR_ACCESS_DENIED);
  // With nothing queued the out-pointer is never touched: the wait times out first.
  EXPECT_STATUS(zx_port_wait(port, ZX_TIME_INFINITE_PAST, NULL), ZX_ERR_TIMED_OUT);
  // A packet that cannot be copied out is lost (as in Zircon).
  zx_port_packet_t p = user_packet(9);
  ASSERT_OK(zx_port_queue(port, &p));
  EXPECT_STATUS(zx_port_wait(port, ZX_TIME_INFINITE_PAST, NULL), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_port_wait(port, ZX_TIME_INFINITE_PAST, &out), ZX_ERR_TIMED_OUT);
  zrk_bad_ptr_t bad[ZRK_BAD_PTR_MAX];
  size_t n = zrk_bad_ptrs(bad, sizeof(zx_port_packet_t));
  for (size_t i = 0; i < n; i++) {
    TEST_CONTEXT("packet = %s", bad[i].name);
    ASSERT_OK(zx_port_queue(port, &p));
    EXPECT_STATUS(zx_port_wait(port, ZX_TIME_INFINITE_PAST, bad[i].ptr), ZX_ERR_INVALID_ARGS);
  }
  TEST_CONTEXT("read-only packet");
  ASSERT_OK(zx_port_queue(port, &p));
  EXPECT_STATUS(zx_port_wait(port, 0, zrk_readonly_ptr()), ZX_ERR_INVALID_ARGS);
  zx_handle_t h[] = {port, event, write_only};
  zx_handle_close_many(h, 3);
}

// PortTimeout, and deadlines in the past.
TEST(PortTimeout) {
  zx_handle_t port = new_port();
  zx_port_packet_t out;
  zx_time_t before = zx_clock_get_monotonic();
  EXPECT_STATUS(zx_port_wait(port, zx_deadline_after(ZX_NSEC(1)), &out), ZX_ERR_TIMED_OUT);
  EXPECT_STATUS(zx_port_wait(port, zx_deadline_after(ZX_MSEC(20)), &out), ZX_ERR_TIMED_OUT);
  EXPECT_GE(zx_clock_get_monotonic() - before, ZX_MSEC(20));
  EXPECT_STATUS(zx_port_wait(port, ZX_TIME_INFINITE_PAST, &out), ZX_ERR_TIMED_OUT);
  EXPECT_STATUS(zx_port_wait(port, 0, &out), ZX_ERR_TIMED_OUT);
  // A deadline in the past still takes a packet that is there.
  zx_port_packet_t p = user_packet(3);
  ASSERT_OK(zx_port_queue(port, &p));
  EXPECT_OK(zx_port_wait(port, ZX_TIME_INFINITE_PAST, &out));
  EXPECT_EQ(out.key, 3);
  zx_handle_close(port);
}

// QueueAndClose: packets still queued go with the port.
TEST(QueueAndClose) {
  zx_handle_t port = new_port();
  zx_port_packet_t p = user_packet(1);
  EXPECT_OK(zx_port_queue(port, &p));
  EXPECT_OK(zx_handle_close(port));
  EXPECT_STATUS(zx_port_queue(port, &p), ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_port_wait(port, 0, &p), ZX_ERR_BAD_HANDLE);
}

TEST(a_port_cannot_be_signaled_or_waited_on) {
  zx_handle_t port = new_port();
  zx_signals_t observed;
  EXPECT_STATUS(zx_object_signal(port, 0, ZX_USER_SIGNAL_0), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_object_wait_one(port, ZX_USER_SIGNAL_0, 0, &observed), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(port);
}

TEST(wait_async_errors_in_order) {
  zx_handle_t port = new_port();
  zx_handle_t event = new_event();
  // AsyncWaitInvalidOption: options are checked before any handle.
  EXPECT_STATUS(zx_object_wait_async(event, port, 0, ZX_EVENT_SIGNALED, 20), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_object_wait_async(ZX_HANDLE_INVALID, ZX_HANDLE_INVALID, 0, 0, 4),
                ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_object_wait_async(event, port, 0, ZX_EVENT_SIGNALED, 0x80000000),
                ZX_ERR_INVALID_ARGS);
  // Then the port: BAD_HANDLE, WRONG_TYPE, ACCESS_DENIED (WRITE), even with a bad object.
  EXPECT_STATUS(zx_object_wait_async(ZX_HANDLE_INVALID, ZX_HANDLE_INVALID, 0, 1, 0),
                ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_object_wait_async(event, stale_handle(), 0, 1, 0), ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_object_wait_async(ZX_HANDLE_INVALID, event, 0, 1, 0), ZX_ERR_WRONG_TYPE);
  zx_handle_t read_only = dup_with(port, ZX_RIGHT_READ);
  EXPECT_STATUS(zx_object_wait_async(ZX_HANDLE_INVALID, read_only, 0, 1, 0),
                ZX_ERR_ACCESS_DENIED);
  // Then the object: BAD_HANDLE, ACCESS_DENIED (WAIT).
  EXPECT_STATUS(zx_object_wait_async(ZX_HANDLE_INVALID, port, 0, 1, 0), ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_object_wait_async(stale_handle(), port, 0, 1, 0), ZX_ERR_BAD_HANDLE);
  zx_handle_t no_wait = dup_with(event, ZX_RIGHT_SIGNAL);
  EXPECT_STATUS(zx_object_wait_async(no_wait, port, 0, 1, 0), ZX_ERR_ACCESS_DENIED);
  // Objects that are not waitable have no WAIT right to begin with, so their handles
  // stop at ACCESS_DENIED before NOT_SUPPORTED: ports, VMARs, resources, tokens.
  EXPECT_STATUS(zx_object_wait_async(port, port, 0, 1, 0), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_object_wait_async(zx_vmar_root_self(), port, 0, 1, 0), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_object_wait_async(zrk_startup()->info_resource, port, 0, 1, 0),
                ZX_ERR_ACCESS_DENIED);
  // A write-only port handle and a wait-only object handle are enough.
  zx_handle_t write_only = dup_with(port, ZX_RIGHT_WRITE);
  zx_handle_t wait_only = dup_with(event, ZX_RIGHT_WAIT);
  EXPECT_OK(zx_object_wait_async(wait_only, write_only, 1, ZX_EVENT_SIGNALED,
                                 ZX_WAIT_ASYNC_TIMESTAMP | ZX_WAIT_ASYNC_EDGE));
  EXPECT_OK(zx_object_wait_async(event, port, 2, 0, ZX_WAIT_ASYNC_ONCE));
  zx_handle_t h[] = {port, event, read_only, no_wait, write_only, wait_only};
  zx_handle_close_many(h, 6);
}

TEST(cancel_errors_in_order) {
  zx_handle_t port = new_port();
  zx_handle_t event = new_event();
  EXPECT_STATUS(zx_port_cancel(ZX_HANDLE_INVALID, event, 0), ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_port_cancel(event, event, 0), ZX_ERR_WRONG_TYPE);
  zx_handle_t read_only = dup_with(port, ZX_RIGHT_READ);
  EXPECT_STATUS(zx_port_cancel(read_only, ZX_HANDLE_INVALID, 0), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_port_cancel(port, ZX_HANDLE_INVALID, 0), ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_port_cancel(port, stale_handle(), 0), ZX_ERR_BAD_HANDLE);
  // The source needs WAIT (Zircon's code; the page says WRITE).
  zx_handle_t no_wait = dup_with(event, ZX_RIGHT_SIGNAL | ZX_RIGHT_DUPLICATE);
  EXPECT_NE(no_wait, ZX_HANDLE_INVALID);
  EXPECT_STATUS(zx_port_cancel(port, no_wait, 0), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_port_cancel(port, port, 0), ZX_ERR_ACCESS_DENIED);
  // Nothing registered: NOT_FOUND.
  EXPECT_STATUS(zx_port_cancel(port, event, 0), ZX_ERR_NOT_FOUND);
  zx_handle_t wait_only = dup_with(event, ZX_RIGHT_WAIT);
  EXPECT_STATUS(zx_port_cancel(port, wait_only, 0), ZX_ERR_NOT_FOUND);
  zx_handle_t h[] = {port, event, read_only, no_wait, wait_only};
  zx_handle_close_many(h, 5);
}

int main(void) { return run_tests(); }
