// Fuchsia's handle core tests, one case each, in their suites' order:
// handle-dup/handle-dup.cc and handle-transfer/handle-transfer.cc (gnoliyil/fuchsia),
// handle-close/handle-close.cc and handle-info/handle-info.cc (vsrinivas/fuchsia; the
// newer tree dropped them). See fuchsia-core-handle.status.
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zrk/handle_util.h>
#include <zrk/test.h>
#include <zrk/thread_util.h>

static zx_handle_t new_event(void) {
  zx_handle_t event = ZX_HANDLE_INVALID;
  zx_event_create(0, &event);
  return event;
}

// --- HandleDup ------------------------------------------------------------------------

TEST(ReplaceSuccessOrigInvalid) {
  zx_handle_t orig = new_event(), replaced = ZX_HANDLE_INVALID;
  ASSERT_OK(zx_handle_replace(orig, ZX_RIGHTS_BASIC, &replaced));
  EXPECT_FALSE(is_valid(orig));
  EXPECT_TRUE(is_valid(replaced));
  zx_handle_close(replaced);
}

TEST(ReplaceFailureBothInvalid) {
  zx_handle_t orig = new_event(), failed = ZX_HANDLE_INVALID;
  EXPECT_STATUS(zx_handle_replace(orig, ZX_RIGHT_EXECUTE, &failed), ZX_ERR_INVALID_ARGS);
  // Even a failed replace consumes the original.
  EXPECT_FALSE(is_valid(orig));
  EXPECT_EQ(failed, ZX_HANDLE_INVALID);
}

// --- HandleTransferTest -----------------------------------------------------------------

TEST(OverChannelThenRead) {
  zx_handle_t a_client, a_remote, b_client, b_remote;
  ASSERT_OK(zx_channel_create(0, &a_client, &a_remote));
  ASSERT_OK(zx_channel_create(0, &b_client, &b_remote));
  static const char message[] = {0, 1, 2};
  // Message 0 into a, then a's other end through b, then message 1.
  ASSERT_OK(zx_channel_write(a_client, 0, &message[0], 1, NULL, 0));
  ASSERT_OK(zx_channel_write(b_client, 0, NULL, 0, &a_remote, 1));
  ASSERT_OK(zx_channel_write(a_client, 0, &message[1], 1, NULL, 0));
  a_remote = ZX_HANDLE_INVALID;
  uint32_t num_bytes = 0, num_handles = 0;
  ASSERT_OK(zx_channel_read(b_remote, 0, NULL, &a_remote, 0, 1, &num_bytes, &num_handles));
  ASSERT_EQ(num_handles, 1u);
  ASSERT_TRUE(is_valid(a_remote));
  ASSERT_OK(zx_channel_write(a_client, 0, &message[2], 1, NULL, 0));
  // The moved end holds all three, in order.
  for (int i = 0; i < 3; i++) {
    char byte = -1;
    ASSERT_OK(zx_channel_read(a_remote, 0, &byte, NULL, 1, 0, NULL, &num_handles));
    EXPECT_EQ(num_handles, 0u);
    EXPECT_EQ(byte, message[i]);
  }
  zx_handle_t all[] = {a_client, a_remote, b_client, b_remote};
  EXPECT_OK(zx_handle_close_many(all, 4));
}

static zx_status_t wait_status;

static void wait_for_peer_closed(uintptr_t channel, uintptr_t unused) {
  (void)unused;
  zx_signals_t signals = 0;
  __atomic_store_n(&wait_status,
                   zx_object_wait_one((zx_handle_t)channel, ZX_CHANNEL_PEER_CLOSED,
                                      ZX_TIME_INFINITE, &signals),
                   __ATOMIC_RELEASE);
  zx_thread_exit();
}

static uint32_t thread_state(zx_handle_t thread) {
  zx_info_thread_t info = {0};
  zx_object_get_info(thread, ZX_INFO_THREAD, &info, sizeof(info), NULL, NULL);
  return info.state;
}

// Polls (1 ms apart, 10 s at most) until `thread` is in `state`.
static bool wait_for_state(zx_handle_t thread, uint32_t state) {
  for (int i = 0; i < 10000; i++) {
    if (thread_state(thread) == state) return true;
    zx_nanosleep(zx_deadline_after(ZX_MSEC(1)));
  }
  return false;
}

TEST(CancelsWait) {
  // A thread waits through a[0]; a[0] is sent through channel b. Zircon ends the wait
  // (ZX_ERR_CANCELED) when a[0] is read out of b; this kernel ends it at the write,
  // when a[0] leaves the sender's table (fuchsia-core-handle.status says so).
  zx_handle_t a[2], b[2];
  ASSERT_OK(zx_channel_create(0, &a[0], &a[1]));
  ASSERT_OK(zx_channel_create(0, &b[0], &b[1]));
  wait_status = ZX_ERR_INTERNAL;
  raw_thread_t waiter;
  ASSERT_OK(raw_thread_start(&waiter, wait_for_peer_closed, a[0], 0));
  ASSERT_TRUE(wait_for_state(waiter.handle, ZX_THREAD_STATE_BLOCKED_WAIT_ONE));
  ASSERT_OK(zx_channel_write(b[0], 0, NULL, 0, &a[0], 1));
  EXPECT_OK(raw_thread_join(&waiter));
  EXPECT_EQ(__atomic_load_n(&wait_status, __ATOMIC_ACQUIRE), ZX_ERR_CANCELED);
  uint32_t num_handles = 0;
  a[0] = ZX_HANDLE_INVALID;
  ASSERT_OK(zx_channel_read(b[1], 0, NULL, &a[0], 0, 1, NULL, &num_handles));
  ASSERT_EQ(num_handles, 1u);
  // The end read out is the same channel, and waits through its new value work.
  EXPECT_OK(zx_channel_write(a[1], 0, "x", 1, NULL, 0));
  EXPECT_OK(zx_object_wait_one(a[0], ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, NULL));
  zx_handle_t all[] = {a[0], a[1], b[0], b[1]};
  EXPECT_OK(zx_handle_close_many(all, 4));
}

// The other ways a write takes a handle: refused (closed), or an error before the
// handles are taken (all consumed). Either way a wait through it ends.
TEST(a_write_that_consumes_a_handle_cancels_its_waits) {
  for (int round = 0; round < 2; round++) {
    TEST_CONTEXT("round %d", round);
    zx_handle_t a[2], b[2];
    ASSERT_OK(zx_channel_create(0, &a[0], &a[1]));
    ASSERT_OK(zx_channel_create(0, &b[0], &b[1]));
    wait_status = ZX_ERR_INTERNAL;
    raw_thread_t waiter;
    ASSERT_OK(raw_thread_start(&waiter, wait_for_peer_closed, a[0], 0));
    ASSERT_TRUE(wait_for_state(waiter.handle, ZX_THREAD_STATE_BLOCKED_WAIT_ONE));
    if (round == 0) {
      // Listed twice: the repeat is refused, and both are consumed.
      zx_handle_t twice[2] = {a[0], a[0]};
      EXPECT_STATUS(zx_channel_write(b[0], 0, NULL, 0, twice, 2), ZX_ERR_BAD_HANDLE);
    } else {
      // Too many bytes: the handles are consumed before any is taken.
      static const char byte = 0;
      EXPECT_STATUS(zx_channel_write(b[0], 0, &byte, ZX_CHANNEL_MAX_MSG_BYTES + 1, &a[0], 1),
                    ZX_ERR_OUT_OF_RANGE);
    }
    EXPECT_OK(raw_thread_join(&waiter));
    EXPECT_EQ(__atomic_load_n(&wait_status, __ATOMIC_ACQUIRE), ZX_ERR_CANCELED);
    EXPECT_FALSE(is_valid(a[0]));
    zx_handle_t all[] = {a[1], b[0], b[1]};
    EXPECT_OK(zx_handle_close_many(all, 3));
  }
}

// --- HandleCloseTest --------------------------------------------------------------------

static bool peer_was_closed(zx_handle_t eventpair) {
  zx_signals_t signals = 0;
  zx_status_t s = zx_object_wait_one(eventpair, ZX_EVENTPAIR_PEER_CLOSED, 0, &signals);
  return s == ZX_OK && (signals & ZX_EVENTPAIR_PEER_CLOSED);
}

TEST(Many) {
  zx_handle_t e0[4], e1[4];
  for (int i = 0; i < 4; i++) ASSERT_OK(zx_eventpair_create(0, &e0[i], &e1[i]));
  ASSERT_OK(zx_handle_close_many(e0, 4));
  for (int i = 0; i < 4; i++) {
    EXPECT_TRUE(peer_was_closed(e1[i]));
    zx_handle_close(e1[i]);
  }
}

TEST(ManyInvalidHandlesShouldNotFail) {
  // 0 1 2 3, then two ZX_HANDLE_INVALIDs.
  zx_handle_t e0[4], e1[4], handles[6] = {0};
  for (int i = 0; i < 4; i++) {
    ASSERT_OK(zx_eventpair_create(0, &e0[i], &e1[i]));
    handles[i] = e0[i];
  }
  ASSERT_OK(zx_handle_close_many(handles, 6));
  for (int i = 0; i < 4; i++) {
    EXPECT_TRUE(peer_was_closed(e1[i]));
    zx_handle_close(e1[i]);
  }
}

TEST(ManyDuplicateTest) {
  // 0 1 0 1 2 3: the repeats fail the call, yet every handle is closed.
  zx_handle_t e0[4], e1[4], handles[6];
  for (int i = 0; i < 4; i++) {
    ASSERT_OK(zx_eventpair_create(0, &e0[i], &e1[i]));
    handles[i + 2] = e0[i];
  }
  handles[0] = handles[2];
  handles[1] = handles[3];
  EXPECT_STATUS(zx_handle_close_many(handles, 6), ZX_ERR_BAD_HANDLE);
  for (int i = 0; i < 4; i++) {
    EXPECT_TRUE(peer_was_closed(e1[i]));
    zx_handle_close(e1[i]);
  }
}

// --- HandleInfoTest ---------------------------------------------------------------------

TEST(DupAndInfoRights) {
  zx_handle_t orig = new_event(), duped;
  ASSERT_OK(zx_handle_duplicate(orig, ZX_RIGHT_SAME_RIGHTS, &duped));
  ASSERT_OK(zx_object_get_info(orig, ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL));
  ASSERT_OK(zx_handle_close(orig));
  EXPECT_STATUS(zx_object_get_info(orig, ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL),
                ZX_ERR_BAD_HANDLE);
  zx_info_handle_basic_t info = {0};
  EXPECT_STATUS(zx_object_get_info(duped, ZX_INFO_HANDLE_BASIC, &info, 4, NULL, NULL),
                ZX_ERR_BUFFER_TOO_SMALL);
  ASSERT_OK(zx_object_get_info(duped, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL));
  EXPECT_GT(info.koid, 0u);
  EXPECT_EQ(info.type, ZX_OBJ_TYPE_EVENT);
  EXPECT_EQ(info.rights, ZX_RIGHTS_BASIC | ZX_RIGHT_SIGNAL);
  EXPECT_EQ(info.related_koid, 0u);
  zx_handle_close(duped);
}

TEST(RelatedKoid) {
  zx_info_handle_basic_t job = basic_info(zx_job_default());
  zx_info_handle_basic_t process = basic_info(zx_process_self());
  EXPECT_EQ(job.type, ZX_OBJ_TYPE_JOB);
  EXPECT_EQ(process.type, ZX_OBJ_TYPE_PROCESS);
  zx_handle_t thread;
  ASSERT_OK(zx_thread_create(zx_process_self(), "hitr", 4, 0, &thread));
  zx_info_handle_basic_t t = basic_info(thread);
  EXPECT_EQ(t.type, ZX_OBJ_TYPE_THREAD);
  // A process's related koid is its job's (this program's default job is its job), a
  // thread's its process's.
  EXPECT_EQ(process.related_koid, job.koid);
  EXPECT_EQ(t.related_koid, process.koid);
  zx_handle_close(thread);
  // Fuchsia checks a socket pair here (there are no sockets yet): the ends of a channel
  // and of an event pair name each other the same way.
  zx_handle_t a, b;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  EXPECT_EQ(basic_info(a).related_koid, basic_info(b).koid);
  EXPECT_EQ(basic_info(b).related_koid, basic_info(a).koid);
  zx_handle_close(a);
  zx_handle_close(b);
  ASSERT_OK(zx_eventpair_create(0, &a, &b));
  EXPECT_EQ(basic_info(a).related_koid, basic_info(b).koid);
  EXPECT_EQ(basic_info(b).related_koid, basic_info(a).koid);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(DuplicateRights) {
  zx_handle_t orig = new_event(), ro1, ro2, ro3 = ZX_HANDLE_INVALID;
  ASSERT_OK(zx_handle_duplicate(orig, ZX_RIGHT_WAIT, &ro1));
  ASSERT_OK(zx_handle_duplicate(orig, ZX_RIGHT_WAIT, &ro2));
  EXPECT_EQ(rights_of(ro1), ZX_RIGHT_WAIT);
  // Without DUPLICATE no copy; a right the original lacks is INVALID_ARGS.
  EXPECT_STATUS(zx_handle_duplicate(ro1, ZX_RIGHT_SAME_RIGHTS, &ro3), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_handle_duplicate(orig, ZX_RIGHT_EXECUTE | ZX_RIGHT_WAIT, &ro3),
                ZX_ERR_INVALID_ARGS);
  EXPECT_TRUE(is_valid(orig));
  EXPECT_TRUE(is_valid(ro1));
  EXPECT_TRUE(is_valid(ro2));
  EXPECT_EQ(ro3, ZX_HANDLE_INVALID);
  zx_handle_t all[] = {orig, ro1, ro2};
  EXPECT_OK(zx_handle_close_many(all, 3));
}

TEST(ReplaceRights) {
  zx_handle_t event1 = new_event(), event2, event3 = ZX_HANDLE_INVALID;
  ASSERT_OK(zx_handle_replace(event1, ZX_RIGHT_WAIT, &event2));
  EXPECT_EQ(rights_of(event2), ZX_RIGHT_WAIT);
  EXPECT_FALSE(is_valid(event1));
  // No upgrade; and the failed replace still consumes the handle.
  EXPECT_STATUS(zx_handle_replace(event2, ZX_RIGHT_SIGNAL | ZX_RIGHT_WAIT, &event3),
                ZX_ERR_INVALID_ARGS);
  EXPECT_FALSE(is_valid(event2));
  EXPECT_EQ(event3, ZX_HANDLE_INVALID);
}

int main(void) { return run_tests(); }
