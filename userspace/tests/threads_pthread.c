// POSIX <pthread.h> on zrk: create/join/exit values, self and equal, attributes (stack
// size honoured, detached state), detach before and after the thread ends, the three
// mutex kinds, condition variables, once, and keys with their destructors.
//
// The checks run on the main thread (<zrk/test.h> is not thread-safe): worker threads
// record what they saw, and the main thread checks it after joining them.
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <threads.h>  // timespec_get, for deadlines

#include <zrk/test.h>

#define MS INT64_C(1000000)

static struct timespec in_ms(int64_t ms) {
  struct timespec ts;
  timespec_get(&ts, TIME_UTC);
  ts.tv_nsec += (long)(ms % 1000 * MS);
  ts.tv_sec += (time_t)(ms / 1000 + ts.tv_nsec / 1000000000);
  ts.tv_nsec %= 1000000000;
  return ts;
}

static void sleep_ms(int64_t ms) { zx_nanosleep(zx_deadline_after(ms * MS)); }

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

static void* echo(void* arg) { return arg; }

TEST(pthread_join_returns_the_start_routines_value) {
  static int cookie;
  pthread_t thread;
  ASSERT_EQ(pthread_create(&thread, NULL, echo, &cookie), 0);
  void* value = NULL;
  EXPECT_EQ(pthread_join(thread, &value), 0);
  EXPECT_EQ(value, &cookie);
}

static void* exit_early(void* arg) {
  pthread_exit(arg);
  return NULL;  // not reached
}

TEST(pthread_exit_hands_its_value_to_join) {
  pthread_t thread;
  ASSERT_EQ(pthread_create(&thread, NULL, exit_early, (void*)(uintptr_t)0xfeed), 0);
  void* value = NULL;
  EXPECT_EQ(pthread_join(thread, &value), 0);
  EXPECT_EQ(value, (void*)(uintptr_t)0xfeed);
}

static void* self(void* arg) {
  (void)arg;
  return pthread_self();
}

TEST(pthread_self_is_what_create_returned) {
  pthread_t thread;
  ASSERT_EQ(pthread_create(&thread, NULL, self, NULL), 0);
  void* seen = NULL;
  EXPECT_EQ(pthread_join(thread, &seen), 0);
  EXPECT_TRUE(pthread_equal((pthread_t)seen, thread));
  EXPECT_FALSE(pthread_equal(pthread_self(), thread));
  EXPECT_TRUE(pthread_equal(pthread_self(), pthread_self()));
}

TEST(joining_oneself_is_edeadlk) { EXPECT_EQ(pthread_join(pthread_self(), NULL), EDEADLK); }

// Uses `arg` bytes of stack, a page at a time from the top down.
static void* use_stack(void* arg) {
  size_t bytes = (size_t)(uintptr_t)arg;
  volatile char* buffer = __builtin_alloca(bytes);
  for (size_t i = bytes; i >= 4096; i -= 4096) {
    buffer[i - 1] = (char)i;
  }
  buffer[0] = 1;
  return (void*)(uintptr_t)buffer[0];
}

TEST(the_stack_size_attribute_is_honoured) {
  pthread_attr_t attr;
  ASSERT_EQ(pthread_attr_init(&attr), 0);
  size_t size = 0;
  EXPECT_EQ(pthread_attr_getstacksize(&attr, &size), 0);
  EXPECT_EQ(size, 256 * 1024);
  EXPECT_EQ(pthread_attr_setstacksize(&attr, PTHREAD_STACK_MIN - 1), EINVAL);
  EXPECT_EQ(pthread_attr_setstacksize(&attr, 2 * 1024 * 1024), 0);
  EXPECT_EQ(pthread_attr_getstacksize(&attr, &size), 0);
  EXPECT_EQ(size, 2 * 1024 * 1024);
  // 1.75 MiB of locals: far past the default 256 KiB, within the 2 MiB asked for.
  pthread_t thread;
  ASSERT_EQ(pthread_create(&thread, &attr, use_stack, (void*)(uintptr_t)(1792 * 1024)), 0);
  void* value = NULL;
  EXPECT_EQ(pthread_join(thread, &value), 0);
  EXPECT_EQ(value, (void*)1);
  // The default stack takes 200 KiB.
  ASSERT_EQ(pthread_create(&thread, NULL, use_stack, (void*)(uintptr_t)(200 * 1024)), 0);
  EXPECT_EQ(pthread_join(thread, &value), 0);
  EXPECT_EQ(value, (void*)1);
  EXPECT_EQ(pthread_attr_destroy(&attr), 0);
}

static void* raise_flag(void* arg) {
  __atomic_store_n((int*)arg, 1, __ATOMIC_RELEASE);
  return NULL;
}

TEST(a_thread_created_detached_runs_to_its_end) {
  static int flag;
  pthread_attr_t attr;
  ASSERT_EQ(pthread_attr_init(&attr), 0);
  int state = -1;
  EXPECT_EQ(pthread_attr_getdetachstate(&attr, &state), 0);
  EXPECT_EQ(state, PTHREAD_CREATE_JOINABLE);
  EXPECT_EQ(pthread_attr_setdetachstate(&attr, 7), EINVAL);
  ASSERT_EQ(pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED), 0);
  pthread_t thread;
  ASSERT_EQ(pthread_create(&thread, &attr, raise_flag, &flag), 0);
  EXPECT_TRUE(wait_for_flag(&flag));
}

TEST(detaching_a_thread_that_already_ended_reaps_it) {
  static int flag;
  pthread_t thread;
  ASSERT_EQ(pthread_create(&thread, NULL, raise_flag, &flag), 0);
  EXPECT_TRUE(wait_for_flag(&flag));
  sleep_ms(10);  // well past its exit
  EXPECT_EQ(pthread_detach(thread), 0);
}

static void* wait_then_flag(void* arg) {
  sleep_ms(20);
  __atomic_store_n((int*)arg, 1, __ATOMIC_RELEASE);
  return NULL;
}

TEST(detaching_a_running_thread_lets_it_finish) {
  static int flag;
  pthread_t thread;
  ASSERT_EQ(pthread_create(&thread, NULL, wait_then_flag, &flag), 0);
  EXPECT_EQ(pthread_detach(thread), 0);
  EXPECT_TRUE(wait_for_flag(&flag));
}

// --- Mutexes --------------------------------------------------------------------------------

static void* unlock_from_elsewhere(void* arg) {
  return (void*)(intptr_t)pthread_mutex_unlock(arg);
}

static void* trylock_from_elsewhere(void* arg) {
  return (void*)(intptr_t)pthread_mutex_trylock(arg);
}

static int on_another_thread(void* (*fn)(void*), pthread_mutex_t* mutex) {
  pthread_t thread;
  if (pthread_create(&thread, NULL, fn, mutex) != 0) {
    return -1000;
  }
  void* value = NULL;
  pthread_join(thread, &value);
  return (int)(intptr_t)value;
}

TEST(an_error_checking_mutex_reports_misuse) {
  pthread_mutexattr_t attr;
  ASSERT_EQ(pthread_mutexattr_init(&attr), 0);
  EXPECT_EQ(pthread_mutexattr_settype(&attr, 99), EINVAL);
  ASSERT_EQ(pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK), 0);
  int type = -1;
  EXPECT_EQ(pthread_mutexattr_gettype(&attr, &type), 0);
  EXPECT_EQ(type, PTHREAD_MUTEX_ERRORCHECK);
  pthread_mutex_t mutex;
  ASSERT_EQ(pthread_mutex_init(&mutex, &attr), 0);
  EXPECT_EQ(pthread_mutex_unlock(&mutex), EPERM);
  EXPECT_EQ(pthread_mutex_lock(&mutex), 0);
  EXPECT_EQ(pthread_mutex_lock(&mutex), EDEADLK);
  EXPECT_EQ(pthread_mutex_trylock(&mutex), EBUSY);
  EXPECT_EQ(on_another_thread(unlock_from_elsewhere, &mutex), EPERM);
  EXPECT_EQ(on_another_thread(trylock_from_elsewhere, &mutex), EBUSY);
  EXPECT_EQ(pthread_mutex_unlock(&mutex), 0);
  EXPECT_EQ(pthread_mutex_unlock(&mutex), EPERM);
  EXPECT_EQ(pthread_mutex_destroy(&mutex), 0);
  EXPECT_EQ(pthread_mutexattr_destroy(&attr), 0);
}

TEST(a_recursive_mutex_nests) {
  pthread_mutexattr_t attr;
  ASSERT_EQ(pthread_mutexattr_init(&attr), 0);
  ASSERT_EQ(pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE), 0);
  pthread_mutex_t mutex;
  ASSERT_EQ(pthread_mutex_init(&mutex, &attr), 0);
  EXPECT_EQ(pthread_mutex_lock(&mutex), 0);
  EXPECT_EQ(pthread_mutex_lock(&mutex), 0);
  EXPECT_EQ(pthread_mutex_trylock(&mutex), 0);
  EXPECT_EQ(on_another_thread(trylock_from_elsewhere, &mutex), EBUSY);
  EXPECT_EQ(pthread_mutex_unlock(&mutex), 0);
  EXPECT_EQ(pthread_mutex_unlock(&mutex), 0);
  EXPECT_EQ(on_another_thread(trylock_from_elsewhere, &mutex), EBUSY);
  EXPECT_EQ(pthread_mutex_unlock(&mutex), 0);
  EXPECT_EQ(on_another_thread(unlock_from_elsewhere, &mutex), EPERM);
  EXPECT_EQ(on_another_thread(trylock_from_elsewhere, &mutex), 0);
}

static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void* count_up(void* arg) {
  long n = (long)(intptr_t)arg;
  for (long i = 0; i < n; i++) {
    pthread_mutex_lock(&counter_lock);
    counter++;
    pthread_mutex_unlock(&counter_lock);
  }
  return NULL;
}

TEST(a_statically_initialised_mutex_excludes) {
  counter = 0;
  pthread_t threads[3];
  for (int i = 0; i < 3; i++) {
    ASSERT_EQ(pthread_create(&threads[i], NULL, count_up, (void*)(intptr_t)5000), 0);
  }
  for (int i = 0; i < 3; i++) {
    EXPECT_EQ(pthread_join(threads[i], NULL), 0);
  }
  EXPECT_EQ(counter, 15000);
}

struct holder {
  pthread_mutex_t mutex;
  int locked;
};

static void* hold_for_a_while(void* arg) {
  struct holder* h = arg;
  pthread_mutex_lock(&h->mutex);
  __atomic_store_n(&h->locked, 1, __ATOMIC_RELEASE);
  sleep_ms(200);
  pthread_mutex_unlock(&h->mutex);
  return NULL;
}

TEST(pthread_mutex_timedlock_times_out) {
  static struct holder h = {.mutex = PTHREAD_MUTEX_INITIALIZER};
  pthread_mutex_t* mutex = &h.mutex;
  struct timespec bad = {.tv_sec = 0, .tv_nsec = -1};
  // A free mutex is taken whatever the deadline says.
  EXPECT_EQ(pthread_mutex_timedlock(mutex, &bad), 0);
  EXPECT_EQ(pthread_mutex_unlock(mutex), 0);
  pthread_t thread;
  ASSERT_EQ(pthread_create(&thread, NULL, hold_for_a_while, &h), 0);
  ASSERT_TRUE(wait_for_flag(&h.locked));
  EXPECT_EQ(pthread_mutex_timedlock(mutex, &bad), EINVAL);
  struct timespec deadline = in_ms(20);
  EXPECT_EQ(pthread_mutex_timedlock(mutex, &deadline), ETIMEDOUT);
  deadline = in_ms(10000);
  EXPECT_EQ(pthread_mutex_timedlock(mutex, &deadline), 0);
  EXPECT_EQ(pthread_mutex_unlock(mutex), 0);
  EXPECT_EQ(pthread_join(thread, NULL), 0);
}

// --- Condition variables ----------------------------------------------------------------------

static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queue_cond = PTHREAD_COND_INITIALIZER;
static int queue[64];
static int queue_len;
static bool queue_closed;

static void* consume(void* arg) {
  long sum = 0;
  (void)arg;
  pthread_mutex_lock(&queue_lock);
  for (;;) {
    while (queue_len == 0 && !queue_closed) {
      pthread_cond_wait(&queue_cond, &queue_lock);
    }
    if (queue_len == 0) {
      break;
    }
    sum += queue[--queue_len];
  }
  pthread_mutex_unlock(&queue_lock);
  return (void*)(intptr_t)sum;
}

TEST(condition_variables_hand_work_to_consumers) {
  pthread_t consumers[3];
  for (int i = 0; i < 3; i++) {
    ASSERT_EQ(pthread_create(&consumers[i], NULL, consume, NULL), 0);
  }
  long expected = 0;
  for (int item = 1; item <= 300; item++) {
    pthread_mutex_lock(&queue_lock);
    while (queue_len == 64) {
      pthread_mutex_unlock(&queue_lock);
      sleep_ms(1);
      pthread_mutex_lock(&queue_lock);
    }
    queue[queue_len++] = item;
    expected += item;
    pthread_cond_signal(&queue_cond);
    pthread_mutex_unlock(&queue_lock);
  }
  pthread_mutex_lock(&queue_lock);
  queue_closed = true;
  pthread_cond_broadcast(&queue_cond);
  pthread_mutex_unlock(&queue_lock);
  long total = 0;
  for (int i = 0; i < 3; i++) {
    void* sum = NULL;
    EXPECT_EQ(pthread_join(consumers[i], &sum), 0);
    total += (long)(intptr_t)sum;
  }
  EXPECT_EQ(total, expected);
}

TEST(pthread_cond_timedwait_times_out) {
  pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
  pthread_cond_t cond;
  pthread_condattr_t attr;
  ASSERT_EQ(pthread_condattr_init(&attr), 0);
  ASSERT_EQ(pthread_cond_init(&cond, &attr), 0);
  ASSERT_EQ(pthread_mutex_lock(&mutex), 0);
  zx_time_t start = zx_clock_get_monotonic();
  struct timespec deadline = in_ms(40);
  EXPECT_EQ(pthread_cond_timedwait(&cond, &mutex, &deadline), ETIMEDOUT);
  EXPECT_GE(zx_clock_get_monotonic() - start, 39 * MS);
  EXPECT_EQ(pthread_mutex_trylock(&mutex), EBUSY);  // held again
  EXPECT_EQ(pthread_mutex_unlock(&mutex), 0);
  EXPECT_EQ(pthread_cond_destroy(&cond), 0);
  EXPECT_EQ(pthread_condattr_destroy(&attr), 0);
}

// --- once -----------------------------------------------------------------------------------

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_runs;

static void init_once(void) {
  sleep_ms(20);
  __atomic_fetch_add(&once_runs, 1, __ATOMIC_RELAXED);
}

static void* run_init_once(void* arg) {
  (void)arg;
  pthread_once(&once, init_once);
  return (void*)(intptr_t)__atomic_load_n(&once_runs, __ATOMIC_RELAXED);
}

TEST(pthread_once_runs_once) {
  pthread_t threads[4];
  for (int i = 0; i < 4; i++) {
    ASSERT_EQ(pthread_create(&threads[i], NULL, run_init_once, NULL), 0);
  }
  for (int i = 0; i < 4; i++) {
    void* seen = NULL;
    EXPECT_EQ(pthread_join(threads[i], &seen), 0);
    EXPECT_EQ(seen, (void*)1);
  }
  EXPECT_EQ(pthread_once(&once, init_once), 0);
  EXPECT_EQ(once_runs, 1);
}

// --- Keys -----------------------------------------------------------------------------------

static pthread_key_t key;
static int destructor_calls;
static uintptr_t destructor_values;

static void record(void* value) {
  __atomic_fetch_add(&destructor_calls, 1, __ATOMIC_RELAXED);
  __atomic_fetch_or(&destructor_values, (uintptr_t)value, __ATOMIC_RELAXED);
}

static void* set_specific(void* arg) {
  if (pthread_getspecific(key) != NULL) {
    return (void*)1;
  }
  if (pthread_setspecific(key, arg) != 0 || pthread_getspecific(key) != arg) {
    return (void*)2;
  }
  return NULL;
}

TEST(key_destructors_run_with_each_threads_value) {
  ASSERT_EQ(pthread_key_create(&key, record), 0);
  destructor_calls = 0;
  destructor_values = 0;
  pthread_t threads[4];
  for (int i = 0; i < 4; i++) {
    ASSERT_EQ(pthread_create(&threads[i], NULL, set_specific, (void*)(uintptr_t)(1 << i)), 0);
  }
  for (int i = 0; i < 4; i++) {
    void* result = (void*)9;
    EXPECT_EQ(pthread_join(threads[i], &result), 0);
    EXPECT_EQ(result, NULL);
  }
  EXPECT_EQ(destructor_calls, 4);
  EXPECT_EQ(destructor_values, 0xf);
  // A NULL value is not passed to the destructor.
  ASSERT_EQ(pthread_create(&threads[0], NULL, set_specific, NULL), 0);
  EXPECT_EQ(pthread_join(threads[0], NULL), 0);
  EXPECT_EQ(destructor_calls, 4);
  EXPECT_EQ(pthread_key_delete(key), 0);
  EXPECT_EQ(pthread_key_delete(key), EINVAL);
}

static pthread_key_t sticky;
static int sticky_calls;

static void set_again(void* value) {
  __atomic_fetch_add(&sticky_calls, 1, __ATOMIC_RELAXED);
  pthread_setspecific(sticky, value);
}

static void* set_sticky(void* arg) {
  pthread_setspecific(sticky, arg);
  return NULL;
}

TEST(key_destructors_stop_after_pthread_destructor_iterations) {
  ASSERT_EQ(pthread_key_create(&sticky, set_again), 0);
  pthread_t thread;
  ASSERT_EQ(pthread_create(&thread, NULL, set_sticky, &sticky), 0);
  EXPECT_EQ(pthread_join(thread, NULL), 0);
  EXPECT_EQ(sticky_calls, PTHREAD_DESTRUCTOR_ITERATIONS);
  EXPECT_EQ(pthread_key_delete(sticky), 0);
}

TEST(keys_run_out_at_pthread_keys_max) {
  static pthread_key_t keys[PTHREAD_KEYS_MAX + 1];
  int created = 0;
  while (created <= PTHREAD_KEYS_MAX && pthread_key_create(&keys[created], NULL) == 0) {
    created++;
  }
  // The earlier cases delete their keys (unless they failed half-way).
  EXPECT_LE(created, PTHREAD_KEYS_MAX);
  EXPECT_GE(created, PTHREAD_KEYS_MAX - 2);
  for (int i = 0; i < created; i++) {
    EXPECT_EQ(pthread_key_delete(keys[i]), 0);
  }
}

int main(void) { return run_tests(); }
