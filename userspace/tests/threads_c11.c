// C11 <threads.h> on zrk: threads and their results, per-thread errno, thread_local and
// zx_thread_self(), thread-specific storage and its destructors, call_once, mutexes
// (plain, timed, recursive) and condition variables, including time-outs.
//
// The checks run on the main thread (<zrk/test.h> is not thread-safe): worker threads
// record what they saw, and the main thread checks it after joining them.
#include <errno.h>
#include <stdbool.h>
#include <threads.h>

#include <zircon/process.h>
#include <zircon/syscalls/object.h>
#include <zrk/test.h>

#define MS INT64_C(1000000)

// An absolute TIME_UTC time `ms` milliseconds from now.
static struct timespec in_ms(int64_t ms) {
  struct timespec ts;
  timespec_get(&ts, TIME_UTC);
  ts.tv_nsec += (long)(ms % 1000 * MS);
  ts.tv_sec += (time_t)(ms / 1000 + ts.tv_nsec / 1000000000);
  ts.tv_nsec %= 1000000000;
  return ts;
}

static void sleep_ms(int64_t ms) { zx_nanosleep(zx_deadline_after(ms * MS)); }

// Waits (up to 10 s) until *flag is non-zero; returns whether it became so.
static bool wait_for_flag(int* flag) {
  zx_time_t deadline = zx_deadline_after(10000 * MS);
  while (__atomic_load_n(flag, __ATOMIC_ACQUIRE) == 0) {
    if (zx_clock_get_monotonic() > deadline) {
      return false;
    }
    sleep_ms(1);
  }
  return true;
}

// --- Threads ------------------------------------------------------------------------------

static int doubler(void* arg) { return 2 * (int)(intptr_t)arg; }

TEST(thrd_join_returns_the_result) {
  thrd_t threads[4];
  for (int i = 0; i < 4; i++) {
    ASSERT_EQ(thrd_create(&threads[i], doubler, (void*)(intptr_t)(i + 10)), thrd_success);
  }
  for (int i = 0; i < 4; i++) {
    int result = -1;
    EXPECT_EQ(thrd_join(threads[i], &result), thrd_success);
    EXPECT_EQ(result, 2 * (i + 10));
  }
}

static __attribute__((noinline)) void exit_from_inside(volatile int* depth) {
  if (*depth > 0) {
    thrd_exit(-77);
  }
}

static int exits_from_deep_inside(void* arg) {
  (void)arg;
  volatile int depth = 1;
  exit_from_inside(&depth);
  return 1;  // not reached
}

TEST(thrd_exit_hands_its_value_to_join) {
  thrd_t thread;
  ASSERT_EQ(thrd_create(&thread, exits_from_deep_inside, NULL), thrd_success);
  int result = 0;
  EXPECT_EQ(thrd_join(thread, &result), thrd_success);
  EXPECT_EQ(result, -77);
}

struct identity {
  thrd_t current;
  zx_handle_t handle;
  zx_koid_t koid;
  zx_obj_type_t type;
};

static int report_identity(void* arg) {
  struct identity* id = arg;
  id->current = thrd_current();
  id->handle = zx_thread_self();
  zx_info_handle_basic_t info = {0};
  if (zx_object_get_info(id->handle, ZX_INFO_HANDLE_BASIC, &info, sizeof info, NULL, NULL) ==
      ZX_OK) {
    id->koid = info.koid;
    id->type = info.type;
  }
  return 0;
}

TEST(each_thread_has_its_own_identity_and_thread_handle) {
  struct identity ids[3] = {0};
  thrd_t threads[3];
  for (int i = 0; i < 3; i++) {
    ASSERT_EQ(thrd_create(&threads[i], report_identity, &ids[i]), thrd_success);
  }
  for (int i = 0; i < 3; i++) {
    ASSERT_EQ(thrd_join(threads[i], NULL), thrd_success);
  }
  struct identity main_id = {0};
  report_identity(&main_id);
  EXPECT_TRUE(thrd_equal(thrd_current(), thrd_current()));
  EXPECT_TRUE(thrd_equal(main_id.current, thrd_current()));
  EXPECT_EQ(main_id.type, ZX_OBJ_TYPE_THREAD);
  for (int i = 0; i < 3; i++) {
    TEST_CONTEXT("thread %d", i);
    EXPECT_TRUE(thrd_equal(ids[i].current, threads[i]));
    EXPECT_FALSE(thrd_equal(ids[i].current, thrd_current()));
    EXPECT_EQ(ids[i].type, ZX_OBJ_TYPE_THREAD);
    EXPECT_NE(ids[i].koid, main_id.koid);
    EXPECT_NE(ids[i].handle, main_id.handle);
    for (int j = 0; j < i; j++) {
      EXPECT_NE(ids[i].koid, ids[j].koid);
    }
  }
}

// --- Thread-local storage -------------------------------------------------------------------

static thread_local int tls_counter = 7;
static thread_local int tls_zeroed;

struct tls_report {
  int errno_seen;
  int counter_at_start;
  int zeroed_at_start;
  int counter_at_end;
};

static int use_errno_and_tls(void* arg) {
  struct tls_report* report = arg;
  report->counter_at_start = tls_counter;
  report->zeroed_at_start = tls_zeroed;
  errno = report->errno_seen;  // the value to keep, stored by main before the start
  for (int i = 0; i < 20; i++) {
    tls_counter++;
    thrd_yield();
  }
  sleep_ms(5);
  report->errno_seen = errno;
  report->counter_at_end = tls_counter;
  return 0;
}

TEST(errno_and_thread_locals_are_per_thread) {
  errno = 1234;
  tls_counter = 100;
  tls_zeroed = 5;
  struct tls_report reports[4];
  thrd_t threads[4];
  for (int i = 0; i < 4; i++) {
    reports[i] = (struct tls_report){.errno_seen = 1 + i};
    ASSERT_EQ(thrd_create(&threads[i], use_errno_and_tls, &reports[i]), thrd_success);
  }
  for (int i = 0; i < 4; i++) {
    ASSERT_EQ(thrd_join(threads[i], NULL), thrd_success);
  }
  for (int i = 0; i < 4; i++) {
    TEST_CONTEXT("thread %d", i);
    EXPECT_EQ(reports[i].errno_seen, 1 + i);
    EXPECT_EQ(reports[i].counter_at_start, 7);  // the template's value, not main's
    EXPECT_EQ(reports[i].zeroed_at_start, 0);
    EXPECT_EQ(reports[i].counter_at_end, 27);
  }
  EXPECT_EQ(errno, 1234);
  EXPECT_EQ(tls_counter, 100);
  EXPECT_EQ(tls_zeroed, 5);
}

// --- tss ------------------------------------------------------------------------------------

static tss_t key;
static mtx_t dtor_lock;
static int dtor_calls;
static int dtor_sum;

static void sum_destructor(void* value) {
  mtx_lock(&dtor_lock);
  dtor_calls++;
  dtor_sum += (int)(intptr_t)value;
  mtx_unlock(&dtor_lock);
}

static int set_key(void* arg) {
  void* before = tss_get(key);
  if (tss_set(key, arg) != thrd_success || tss_get(key) != arg) {
    return -1;
  }
  return before == NULL ? 0 : -2;
}

TEST(tss_destructors_run_at_thread_exit_with_each_threads_value) {
  ASSERT_EQ(mtx_init(&dtor_lock, mtx_plain), thrd_success);
  ASSERT_EQ(tss_create(&key, sum_destructor), thrd_success);
  dtor_calls = 0;
  dtor_sum = 0;
  EXPECT_EQ(tss_set(key, (void*)(intptr_t)1000), thrd_success);
  thrd_t threads[4];
  for (int i = 0; i < 4; i++) {
    ASSERT_EQ(thrd_create(&threads[i], set_key, (void*)(intptr_t)(i + 1)), thrd_success);
  }
  for (int i = 0; i < 4; i++) {
    int result = 99;
    EXPECT_EQ(thrd_join(threads[i], &result), thrd_success);
    EXPECT_EQ(result, 0);
  }
  EXPECT_EQ(dtor_calls, 4);
  EXPECT_EQ(dtor_sum, 1 + 2 + 3 + 4);
  // The main thread's value is its own, and no destructor touched it.
  EXPECT_EQ(tss_get(key), (void*)(intptr_t)1000);
  tss_delete(key);
  mtx_destroy(&dtor_lock);
}

static tss_t again_key;
static int again_calls;

// Sets the value again each time: destructors run TSS_DTOR_ITERATIONS rounds, no more.
static void set_again(void* value) {
  __atomic_fetch_add(&again_calls, 1, __ATOMIC_RELAXED);
  tss_set(again_key, value);
}

static int set_again_key(void* arg) {
  tss_set(again_key, arg);
  return 0;
}

TEST(tss_destructors_stop_after_tss_dtor_iterations_rounds) {
  ASSERT_EQ(tss_create(&again_key, set_again), thrd_success);
  again_calls = 0;
  thrd_t thread;
  ASSERT_EQ(thrd_create(&thread, set_again_key, &again_calls), thrd_success);
  EXPECT_EQ(thrd_join(thread, NULL), thrd_success);
  EXPECT_EQ(again_calls, TSS_DTOR_ITERATIONS);
  tss_delete(again_key);
}

TEST(a_new_key_reads_null_even_where_a_deleted_one_was_set) {
  tss_t first;
  ASSERT_EQ(tss_create(&first, NULL), thrd_success);
  EXPECT_EQ(tss_set(first, &first), thrd_success);
  tss_delete(first);
  tss_t second;
  ASSERT_EQ(tss_create(&second, NULL), thrd_success);
  EXPECT_EQ(tss_get(second), NULL);
  tss_delete(second);
}

// --- call_once ------------------------------------------------------------------------------

static once_flag once = ONCE_FLAG_INIT;
static int once_runs;

static void run_once(void) {
  sleep_ms(20);  // long enough for the others to arrive and wait
  __atomic_fetch_add(&once_runs, 1, __ATOMIC_RELAXED);
}

static int call_it_once(void* arg) {
  (void)arg;
  call_once(&once, run_once);
  // Everyone returns only after the one call finished.
  return __atomic_load_n(&once_runs, __ATOMIC_RELAXED);
}

TEST(call_once_runs_the_function_once_and_everyone_waits_for_it) {
  thrd_t threads[4];
  for (int i = 0; i < 4; i++) {
    ASSERT_EQ(thrd_create(&threads[i], call_it_once, NULL), thrd_success);
  }
  for (int i = 0; i < 4; i++) {
    int seen = 0;
    EXPECT_EQ(thrd_join(threads[i], &seen), thrd_success);
    EXPECT_EQ(seen, 1);
  }
  call_once(&once, run_once);
  EXPECT_EQ(once_runs, 1);
}

// --- Mutexes --------------------------------------------------------------------------------

struct holder {
  mtx_t* mutex;
  int locked;   // set once the holder has the mutex
  int release;  // set by main to let it go
};

static int hold_until_told(void* arg) {
  struct holder* h = arg;
  if (mtx_lock(h->mutex) != thrd_success) {
    return -1;
  }
  __atomic_store_n(&h->locked, 1, __ATOMIC_RELEASE);
  wait_for_flag(&h->release);
  return mtx_unlock(h->mutex) == thrd_success ? 0 : -2;
}

TEST(mtx_timedlock_times_out_while_another_thread_holds_it) {
  mtx_t mutex;
  ASSERT_EQ(mtx_init(&mutex, mtx_timed), thrd_success);
  struct holder h = {.mutex = &mutex};
  thrd_t thread;
  ASSERT_EQ(thrd_create(&thread, hold_until_told, &h), thrd_success);
  ASSERT_TRUE(wait_for_flag(&h.locked));
  EXPECT_EQ(mtx_trylock(&mutex), thrd_busy);
  zx_time_t start = zx_clock_get_monotonic();
  struct timespec deadline = in_ms(50);
  EXPECT_EQ(mtx_timedlock(&mutex, &deadline), thrd_timedout);
  EXPECT_GE(zx_clock_get_monotonic() - start, 49 * MS);
  __atomic_store_n(&h.release, 1, __ATOMIC_RELEASE);
  // Now it comes free within the (generous) deadline.
  deadline = in_ms(10000);
  EXPECT_EQ(mtx_timedlock(&mutex, &deadline), thrd_success);
  EXPECT_EQ(mtx_unlock(&mutex), thrd_success);
  int result = -9;
  EXPECT_EQ(thrd_join(thread, &result), thrd_success);
  EXPECT_EQ(result, 0);
  mtx_destroy(&mutex);
}

static int try_from_elsewhere(void* arg) { return mtx_trylock(arg); }

TEST(a_recursive_mutex_nests_and_stays_held_until_the_last_unlock) {
  mtx_t mutex;
  ASSERT_EQ(mtx_init(&mutex, mtx_plain | mtx_recursive), thrd_success);
  EXPECT_EQ(mtx_lock(&mutex), thrd_success);
  EXPECT_EQ(mtx_lock(&mutex), thrd_success);
  EXPECT_EQ(mtx_trylock(&mutex), thrd_success);
  for (int unlocks = 0; unlocks < 3; unlocks++) {
    TEST_CONTEXT("after %d unlocks", unlocks);
    thrd_t thread;
    ASSERT_EQ(thrd_create(&thread, try_from_elsewhere, &mutex), thrd_success);
    int result = -1;
    EXPECT_EQ(thrd_join(thread, &result), thrd_success);
    EXPECT_EQ(result, thrd_busy);
    EXPECT_EQ(mtx_unlock(&mutex), thrd_success);
  }
  // Free now: another thread takes it (and leaves with it held; nobody uses it again).
  thrd_t thread;
  ASSERT_EQ(thrd_create(&thread, try_from_elsewhere, &mutex), thrd_success);
  int result = -1;
  EXPECT_EQ(thrd_join(thread, &result), thrd_success);
  EXPECT_EQ(result, thrd_success);
}

TEST(mtx_init_rejects_unknown_types) {
  mtx_t mutex;
  EXPECT_EQ(mtx_init(&mutex, mtx_plain), thrd_success);
  EXPECT_EQ(mtx_init(&mutex, mtx_timed | mtx_recursive), thrd_success);
  EXPECT_EQ(mtx_init(&mutex, 0x40), thrd_error);
}

// --- Condition variables ----------------------------------------------------------------------

TEST(cnd_timedwait_times_out_and_returns_with_the_mutex_held) {
  mtx_t mutex;
  cnd_t cond;
  ASSERT_EQ(mtx_init(&mutex, mtx_timed), thrd_success);
  ASSERT_EQ(cnd_init(&cond), thrd_success);
  ASSERT_EQ(mtx_lock(&mutex), thrd_success);
  zx_time_t start = zx_clock_get_monotonic();
  struct timespec deadline = in_ms(50);
  EXPECT_EQ(cnd_timedwait(&cond, &mutex, &deadline), thrd_timedout);
  zx_time_t waited = zx_clock_get_monotonic() - start;
  EXPECT_GE(waited, 49 * MS);
  EXPECT_LT(waited, 5000 * MS);
  // Held again: another thread cannot take it.
  thrd_t thread;
  ASSERT_EQ(thrd_create(&thread, try_from_elsewhere, &mutex), thrd_success);
  int result = -1;
  EXPECT_EQ(thrd_join(thread, &result), thrd_success);
  EXPECT_EQ(result, thrd_busy);
  EXPECT_EQ(mtx_unlock(&mutex), thrd_success);
  // A deadline already past times out at once.
  ASSERT_EQ(mtx_lock(&mutex), thrd_success);
  deadline = in_ms(-1000);
  EXPECT_EQ(cnd_timedwait(&cond, &mutex, &deadline), thrd_timedout);
  EXPECT_EQ(mtx_unlock(&mutex), thrd_success);
  cnd_destroy(&cond);
  mtx_destroy(&mutex);
}

struct mailbox {
  mtx_t mutex;
  cnd_t cond;
  int ready;    // how many waiters have arrived
  int go;       // set by main
  int woken;    // waiters that saw `go`
};

static int wait_for_go(void* arg) {
  struct mailbox* box = arg;
  mtx_lock(&box->mutex);
  box->ready++;
  while (!box->go) {
    if (cnd_wait(&box->cond, &box->mutex) != thrd_success) {
      mtx_unlock(&box->mutex);
      return -1;
    }
  }
  box->woken++;
  mtx_unlock(&box->mutex);
  return 0;
}

static void wait_until_ready(struct mailbox* box, int n) {
  zx_time_t deadline = zx_deadline_after(10000 * MS);
  for (;;) {
    mtx_lock(&box->mutex);
    int ready = box->ready;
    mtx_unlock(&box->mutex);
    if (ready >= n || zx_clock_get_monotonic() > deadline) {
      return;
    }
    sleep_ms(1);
  }
}

TEST(cnd_signal_wakes_a_waiter) {
  struct mailbox box = {0};
  ASSERT_EQ(mtx_init(&box.mutex, mtx_plain), thrd_success);
  ASSERT_EQ(cnd_init(&box.cond), thrd_success);
  thrd_t thread;
  ASSERT_EQ(thrd_create(&thread, wait_for_go, &box), thrd_success);
  wait_until_ready(&box, 1);
  sleep_ms(10);  // let it get into cnd_wait
  mtx_lock(&box.mutex);
  box.go = 1;
  EXPECT_EQ(cnd_signal(&box.cond), thrd_success);
  mtx_unlock(&box.mutex);
  int result = -1;
  EXPECT_EQ(thrd_join(thread, &result), thrd_success);
  EXPECT_EQ(result, 0);
  EXPECT_EQ(box.woken, 1);
}

TEST(cnd_broadcast_wakes_every_waiter) {
  struct mailbox box = {0};
  ASSERT_EQ(mtx_init(&box.mutex, mtx_plain), thrd_success);
  ASSERT_EQ(cnd_init(&box.cond), thrd_success);
  thrd_t threads[5];
  for (int i = 0; i < 5; i++) {
    ASSERT_EQ(thrd_create(&threads[i], wait_for_go, &box), thrd_success);
  }
  wait_until_ready(&box, 5);
  sleep_ms(10);
  mtx_lock(&box.mutex);
  box.go = 1;
  EXPECT_EQ(cnd_broadcast(&box.cond), thrd_success);
  mtx_unlock(&box.mutex);
  for (int i = 0; i < 5; i++) {
    int result = -1;
    EXPECT_EQ(thrd_join(threads[i], &result), thrd_success);
    EXPECT_EQ(result, 0);
  }
  EXPECT_EQ(box.woken, 5);
}

// --- Detach and sleep -------------------------------------------------------------------------

static int set_flag(void* arg) {
  __atomic_store_n((int*)arg, 1, __ATOMIC_RELEASE);
  return 0;
}

TEST(a_detached_thread_runs_to_its_end) {
  static int flag;
  thrd_t thread;
  ASSERT_EQ(thrd_create(&thread, set_flag, &flag), thrd_success);
  EXPECT_EQ(thrd_detach(thread), thrd_success);
  EXPECT_TRUE(wait_for_flag(&flag));
}

TEST(thrd_sleep_sleeps_at_least_the_duration) {
  zx_time_t start = zx_clock_get_monotonic();
  struct timespec duration = {.tv_sec = 0, .tv_nsec = 30 * MS};
  EXPECT_EQ(thrd_sleep(&duration, NULL), 0);
  EXPECT_GE(zx_clock_get_monotonic() - start, 30 * MS);
  struct timespec bad = {.tv_sec = 0, .tv_nsec = 1000000000};
  EXPECT_EQ(thrd_sleep(&bad, NULL), -2);
}

int main(void) { return run_tests(); }
