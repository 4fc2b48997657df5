// Threads, futexes and blocking waits: zx_thread_create/start/exit with their errors,
// thread signals, zx_object_wait_one that blocks (and is canceled by closing its handle),
// zx_futex_wait/wake with their errors, and a futex lock under contention.
#include <zircon/rights.h>
#include <zrk/vmo_util.h>
#include <zrk/thread_util.h>

static volatile uintptr_t seen_arg1, seen_arg2;
static volatile int ran;

static void record_args(uintptr_t a, uintptr_t b) {
  seen_arg1 = a;
  seen_arg2 = b;
  __atomic_store_n(&ran, 1, __ATOMIC_RELEASE);
  zx_thread_exit();
}

TEST(a_thread_runs_with_its_arguments_and_terminates) {
  raw_thread_t t;
  ran = 0;
  ASSERT_OK(raw_thread_start(&t, record_args, 0x1234, 0xfeedface));
  zx_signals_t observed = 0;
  EXPECT_OK(zx_object_wait_one(t.handle, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, &observed));
  EXPECT_TRUE(observed & ZX_THREAD_TERMINATED);
  EXPECT_FALSE(observed & ZX_THREAD_RUNNING);
  EXPECT_EQ(ran, 1);
  EXPECT_EQ(seen_arg1, 0x1234);
  EXPECT_EQ(seen_arg2, 0xfeedface);
  EXPECT_OK(raw_thread_join(&t));
}

static zx_futex_t gate;

static void wait_for_gate(uintptr_t a, uintptr_t b) {
  (void)a;
  (void)b;
  while (__atomic_load_n(&gate, __ATOMIC_ACQUIRE) == 0) {
    zx_futex_wait(&gate, 0, ZX_HANDLE_INVALID, ZX_TIME_INFINITE);
  }
  zx_thread_exit();
}

TEST(a_blocked_thread_is_running_until_woken) {
  raw_thread_t t;
  gate = 0;
  ASSERT_OK(raw_thread_start(&t, wait_for_gate, 0, 0));
  zx_signals_t observed = 0;
  EXPECT_STATUS(zx_object_wait_one(t.handle, ZX_THREAD_TERMINATED, zx_deadline_after(ZX_MSEC(30)),
                                   &observed),
                ZX_ERR_TIMED_OUT);
  EXPECT_TRUE(observed & ZX_THREAD_RUNNING);
  __atomic_store_n(&gate, 1, __ATOMIC_RELEASE);
  EXPECT_OK(zx_futex_wake(&gate, UINT32_MAX));
  EXPECT_OK(raw_thread_join(&t));
}

TEST(thread_create_checks_its_arguments) {
  zx_handle_t h = ZX_HANDLE_INVALID;
  EXPECT_STATUS(zx_thread_create(zx_process_self(), "x", 1, 1, &h), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_thread_create(zx_process_self(), NULL, 0, 0, &h), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_thread_create(zx_process_self(), (const char*)8, 4, 0, &h),
                ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_thread_create(ZX_HANDLE_INVALID, "x", 1, 0, &h), ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_thread_create(zx_vmar_root_self(), "x", 1, 0, &h), ZX_ERR_WRONG_TYPE);
  zx_handle_t weak;
  ASSERT_OK(zx_handle_duplicate(zx_process_self(), ZX_RIGHTS_BASIC, &weak));
  EXPECT_STATUS(zx_thread_create(weak, "x", 1, 0, &h), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(weak);
  // A name longer than ZX_MAX_NAME_LEN is cut, not refused.
  EXPECT_OK(zx_thread_create(zx_process_self(), "a-name-much-longer-than-thirty-two-bytes", 40,
                             0, &h));
  char name[ZX_MAX_NAME_LEN];
  EXPECT_OK(zx_object_get_property(h, ZX_PROP_NAME, name, sizeof name));
  EXPECT_EQ(strlen(name), ZX_MAX_NAME_LEN - 1);
  // A thread never started has no signals, and closing its handle destroys it.
  zx_signals_t observed = 1;
  EXPECT_STATUS(zx_object_wait_one(h, ZX_THREAD_RUNNING, 0, &observed), ZX_ERR_TIMED_OUT);
  EXPECT_EQ(observed, 0);
  EXPECT_OK(zx_handle_close(h));
}

TEST(thread_start_checks_its_arguments) {
  zx_handle_t h;
  ASSERT_OK(zx_thread_create(zx_process_self(), "s", 1, 0, &h));
  EXPECT_STATUS(zx_thread_start(ZX_HANDLE_INVALID, 0, 0, 0, 0), ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_thread_start(zx_process_self(), 0, 0, 0, 0), ZX_ERR_WRONG_TYPE);
  zx_handle_t weak;
  ASSERT_OK(zx_handle_duplicate(h, ZX_RIGHTS_BASIC, &weak));
  EXPECT_STATUS(zx_thread_start(weak, (zx_vaddr_t)record_args, 0, 0, 0), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(weak);
  EXPECT_STATUS(zx_thread_start(h, (zx_vaddr_t)1 << 55, 0, 0, 0), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_thread_start(h, 0xffffff8000000000ull, 0, 0, 0), ZX_ERR_INVALID_ARGS);
  zx_handle_close(h);

  raw_thread_t t;
  ASSERT_OK(raw_thread_start(&t, record_args, 0, 0));
  EXPECT_STATUS(zx_thread_start(t.handle, (zx_vaddr_t)record_args, t.stack + 4096, 0, 0),
                ZX_ERR_BAD_STATE);
  EXPECT_OK(raw_thread_join(&t));
  // A dead thread cannot start again either.
}

static zx_handle_t waited_handle;
static volatile zx_status_t wait_status;
static volatile zx_signals_t wait_observed;

static void wait_forever_on(uintptr_t a, uintptr_t b) {
  (void)a;
  (void)b;
  zx_signals_t observed = 0;
  wait_status = zx_object_wait_one(waited_handle, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, &observed);
  wait_observed = observed;
  zx_thread_exit();
}

TEST(closing_the_handle_cancels_a_wait) {
  raw_thread_t sleeper, waiter;
  gate = 0;
  ASSERT_OK(raw_thread_start(&sleeper, wait_for_gate, 0, 0));
  ASSERT_OK(zx_handle_duplicate(sleeper.handle, ZX_RIGHT_SAME_RIGHTS, &waited_handle));
  wait_status = 1;
  ASSERT_OK(raw_thread_start(&waiter, wait_forever_on, 0, 0));
  // Give the waiter time to block, then pull its handle away.
  zx_nanosleep(zx_deadline_after(ZX_MSEC(20)));
  EXPECT_EQ(wait_status, 1);
  EXPECT_OK(zx_handle_close(waited_handle));
  EXPECT_OK(raw_thread_join(&waiter));
  EXPECT_STATUS(wait_status, ZX_ERR_CANCELED);
  EXPECT_TRUE(wait_observed & ZX_SIGNAL_HANDLE_CLOSED);
  __atomic_store_n(&gate, 1, __ATOMIC_RELEASE);
  EXPECT_OK(zx_futex_wake(&gate, UINT32_MAX));
  EXPECT_OK(raw_thread_join(&sleeper));
}

TEST(futex_wait_checks_value_address_and_deadline) {
  zx_futex_t f = 5;
  EXPECT_STATUS(zx_futex_wait(&f, 4, ZX_HANDLE_INVALID, ZX_TIME_INFINITE), ZX_ERR_BAD_STATE);
  EXPECT_STATUS(zx_futex_wait(NULL, 0, ZX_HANDLE_INVALID, ZX_TIME_INFINITE), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_futex_wait((zx_futex_t*)((uintptr_t)&f + 1), 5, ZX_HANDLE_INVALID, 0),
                ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_futex_wait(&f, 5, ZX_HANDLE_INVALID, 0), ZX_ERR_TIMED_OUT);
  zx_time_t before = zx_clock_get_monotonic();
  zx_time_t deadline = zx_deadline_after(ZX_MSEC(20));
  EXPECT_STATUS(zx_futex_wait(&f, 5, ZX_HANDLE_INVALID, deadline), ZX_ERR_TIMED_OUT);
  EXPECT_GE(zx_clock_get_monotonic(), deadline);
  EXPECT_LT(zx_clock_get_monotonic() - before, ZX_SEC(2));
  // An owner that is not a thread handle: the value check comes first.
  EXPECT_STATUS(zx_futex_wait(&f, 4, zx_vmar_root_self(), 0), ZX_ERR_BAD_STATE);
  EXPECT_STATUS(zx_futex_wait(&f, 5, zx_vmar_root_self(), 0), ZX_ERR_WRONG_TYPE);
  EXPECT_STATUS(zx_futex_wait(&f, 5, 0x7ffffff3, 0), ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_futex_wait(&f, 5, zx_thread_self(), 0), ZX_ERR_INVALID_ARGS);
}

TEST(futex_wake_never_reads_the_futex) {
  EXPECT_OK(zx_futex_wake((zx_futex_t*)0x10000000, 1));
  EXPECT_STATUS(zx_futex_wake(NULL, 1), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_futex_wake((zx_futex_t*)0x10000002, 1), ZX_ERR_INVALID_ARGS);
}

#define WORKERS 4
#define ROUNDS 10000
static zx_futex_t lock_word;
static volatile uint64_t counter;

static void add_many(uintptr_t a, uintptr_t b) {
  (void)a;
  (void)b;
  for (int i = 0; i < ROUNDS; i++) {
    raw_lock(&lock_word);
    uint64_t v = counter;
    // Widen the window in which a broken lock would lose an increment.
    __asm__ volatile("" ::: "memory");
    counter = v + 1;
    raw_unlock(&lock_word);
    if (i % 1000 == 0) zx_nanosleep(0);
  }
  zx_thread_exit();
}

TEST(a_futex_lock_keeps_four_threads_from_losing_increments) {
  raw_thread_t t[WORKERS];
  counter = 0;
  lock_word = 0;
  for (int i = 0; i < WORKERS; i++) ASSERT_OK(raw_thread_start(&t[i], add_many, 0, 0));
  for (int i = 0; i < WORKERS; i++) EXPECT_OK(raw_thread_join(&t[i]));
  EXPECT_EQ(counter, WORKERS * ROUNDS);
}

static void spin_briefly(uintptr_t a, uintptr_t b) {
  (void)a;
  (void)b;
  zx_time_t end = zx_deadline_after(ZX_MSEC(50));
  while (zx_clock_get_monotonic() < end) {
  }
  __atomic_fetch_add(&ran, 1, __ATOMIC_RELAXED);
  zx_thread_exit();
}

TEST(spinning_threads_are_preempted_and_all_finish) {
  raw_thread_t t[3];
  ran = 0;
  for (int i = 0; i < 3; i++) ASSERT_OK(raw_thread_start(&t[i], spin_briefly, 0, 0));
  for (int i = 0; i < 3; i++) EXPECT_OK(raw_thread_join(&t[i]));
  EXPECT_EQ(ran, 3);
}

// A dead thread's kernel stack is freed by its CPU's next switch, which may come a
// moment after ZX_THREAD_TERMINATED woke the joiner on another CPU: wait (1 s at most)
// for free memory to settle at `want`.
static uint64_t free_bytes_settled(uint64_t want) {
  zx_time_t give_up = zx_deadline_after(ZX_SEC(1));
  uint64_t now = free_bytes();
  while (now != want && zx_clock_get_monotonic() < give_up) {
    zx_nanosleep(zx_deadline_after(ZX_MSEC(1)));
    now = free_bytes();
  }
  return now;
}

TEST(many_threads_come_and_go_without_leaking) {
  raw_thread_t first;
  ASSERT_OK(raw_thread_start(&first, record_args, 0, 0));
  ASSERT_OK(raw_thread_join(&first));
  zx_nanosleep(zx_deadline_after(ZX_MSEC(10)));
  uint64_t before = free_bytes();
  for (int i = 0; i < 100; i++) {
    raw_thread_t t;
    ASSERT_OK(raw_thread_start(&t, record_args, i, 0));
    ASSERT_OK(raw_thread_join(&t));
  }
  EXPECT_EQ(free_bytes_settled(before), before);
}

int main(void) { return run_tests(); }
