// The runtime's <threads.h> and <pthread.h> on a single thread, and picolibc's locks: what
// works whether or not the kernel runs threads (none of it waits on a futex). The
// multi-threaded tests are in userspace/tests/pending/ until the kernel has threads.
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/lock.h>
#include <threads.h>

#include <zircon/process.h>
#include <zircon/syscalls/object.h>
#include <zrk/startup.h>
#include <zrk/test.h>

#define MS INT64_C(1000000)

TEST(timespec_get_reads_the_monotonic_clock) {
  struct timespec ts = {0};
  zx_time_t before = zx_clock_get_monotonic();
  EXPECT_EQ(timespec_get(&ts, TIME_UTC), TIME_UTC);
  zx_time_t after = zx_clock_get_monotonic();
  zx_time_t read = (zx_time_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
  EXPECT_GE(read, before);
  EXPECT_LE(read, after);
  EXPECT_GE(ts.tv_nsec, 0);
  EXPECT_LT(ts.tv_nsec, 1000000000);
  EXPECT_EQ(timespec_get(&ts, TIME_UTC + 1), 0);
}

TEST(the_main_thread_knows_itself) {
  EXPECT_TRUE(thrd_equal(thrd_current(), thrd_current()));
  EXPECT_TRUE(pthread_equal(pthread_self(), pthread_self()));
  EXPECT_TRUE(thrd_equal(thrd_current(), pthread_self()));
  EXPECT_EQ(pthread_join(pthread_self(), NULL), EDEADLK);
  EXPECT_EQ(thrd_join(thrd_current(), NULL), thrd_error);
  EXPECT_EQ(zx_thread_self(), zrk_startup()->thread);
}

TEST(a_plain_mutex_on_one_thread) {
  mtx_t mutex;
  ASSERT_EQ(mtx_init(&mutex, mtx_plain), thrd_success);
  EXPECT_EQ(mtx_lock(&mutex), thrd_success);
  EXPECT_EQ(mtx_trylock(&mutex), thrd_busy);
  EXPECT_EQ(mtx_unlock(&mutex), thrd_success);
  EXPECT_EQ(mtx_trylock(&mutex), thrd_success);
  EXPECT_EQ(mtx_unlock(&mutex), thrd_success);
  // A free mutex is taken whatever the deadline says.
  ASSERT_EQ(mtx_init(&mutex, mtx_timed), thrd_success);
  struct timespec past = {.tv_sec = 0, .tv_nsec = 0};
  EXPECT_EQ(mtx_timedlock(&mutex, &past), thrd_success);
  EXPECT_EQ(mtx_unlock(&mutex), thrd_success);
  mtx_destroy(&mutex);
  EXPECT_EQ(mtx_init(&mutex, 0x40), thrd_error);
}

TEST(a_recursive_mutex_nests_on_one_thread) {
  mtx_t mutex;
  ASSERT_EQ(mtx_init(&mutex, mtx_timed | mtx_recursive), thrd_success);
  for (int i = 0; i < 5; i++) {
    EXPECT_EQ(mtx_lock(&mutex), thrd_success);
  }
  EXPECT_EQ(mtx_trylock(&mutex), thrd_success);
  struct timespec past = {.tv_sec = 0, .tv_nsec = 0};
  EXPECT_EQ(mtx_timedlock(&mutex, &past), thrd_success);
  for (int i = 0; i < 7; i++) {
    EXPECT_EQ(mtx_unlock(&mutex), thrd_success);
  }
  // Released for good: unlocking again is an error the recursive kind can see.
  EXPECT_EQ(mtx_unlock(&mutex), thrd_error);
}

TEST(pthread_mutex_kinds_on_one_thread) {
  pthread_mutexattr_t attr;
  ASSERT_EQ(pthread_mutexattr_init(&attr), 0);
  int type = -1;
  EXPECT_EQ(pthread_mutexattr_gettype(&attr, &type), 0);
  EXPECT_EQ(type, PTHREAD_MUTEX_DEFAULT);
  EXPECT_EQ(pthread_mutexattr_settype(&attr, 3), EINVAL);

  ASSERT_EQ(pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK), 0);
  pthread_mutex_t check;
  ASSERT_EQ(pthread_mutex_init(&check, &attr), 0);
  EXPECT_EQ(pthread_mutex_unlock(&check), EPERM);
  EXPECT_EQ(pthread_mutex_lock(&check), 0);
  EXPECT_EQ(pthread_mutex_lock(&check), EDEADLK);
  EXPECT_EQ(pthread_mutex_trylock(&check), EBUSY);
  struct timespec past = {.tv_sec = 0, .tv_nsec = 0};
  EXPECT_EQ(pthread_mutex_timedlock(&check, &past), EDEADLK);
  EXPECT_EQ(pthread_mutex_unlock(&check), 0);
  EXPECT_EQ(pthread_mutex_unlock(&check), EPERM);

  ASSERT_EQ(pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE), 0);
  pthread_mutex_t recursive;
  ASSERT_EQ(pthread_mutex_init(&recursive, &attr), 0);
  EXPECT_EQ(pthread_mutex_lock(&recursive), 0);
  EXPECT_EQ(pthread_mutex_trylock(&recursive), 0);
  EXPECT_EQ(pthread_mutex_unlock(&recursive), 0);
  EXPECT_EQ(pthread_mutex_unlock(&recursive), 0);
  EXPECT_EQ(pthread_mutex_unlock(&recursive), EPERM);

  pthread_mutex_t normal = PTHREAD_MUTEX_INITIALIZER;
  EXPECT_EQ(pthread_mutex_lock(&normal), 0);
  EXPECT_EQ(pthread_mutex_trylock(&normal), EBUSY);
  EXPECT_EQ(pthread_mutex_unlock(&normal), 0);
  struct timespec bad = {.tv_sec = 0, .tv_nsec = 1000000000};
  EXPECT_EQ(pthread_mutex_timedlock(&normal, &bad), 0);  // free: taken before the check
  EXPECT_EQ(pthread_mutex_unlock(&normal), 0);
  EXPECT_EQ(pthread_mutex_destroy(&normal), 0);
  EXPECT_EQ(pthread_mutexattr_destroy(&attr), 0);
}

TEST(signalling_a_condition_nobody_waits_on) {
  cnd_t cond;
  ASSERT_EQ(cnd_init(&cond), thrd_success);
  EXPECT_EQ(cnd_signal(&cond), thrd_success);
  EXPECT_EQ(cnd_broadcast(&cond), thrd_success);
  cnd_destroy(&cond);
  pthread_cond_t pcond = PTHREAD_COND_INITIALIZER;
  EXPECT_EQ(pthread_cond_signal(&pcond), 0);
  EXPECT_EQ(pthread_cond_broadcast(&pcond), 0);
  // An invalid deadline is refused before anything waits.
  pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
  ASSERT_EQ(pthread_mutex_lock(&mutex), 0);
  struct timespec bad = {.tv_sec = 1, .tv_nsec = -1};
  EXPECT_EQ(pthread_cond_timedwait(&pcond, &mutex, &bad), EINVAL);
  EXPECT_EQ(pthread_mutex_unlock(&mutex), 0);
  EXPECT_EQ(pthread_cond_destroy(&pcond), 0);
}

static int once_runs;
static void count_run(void) { once_runs++; }

TEST(once_runs_once) {
  static once_flag flag = ONCE_FLAG_INIT;
  static pthread_once_t control = PTHREAD_ONCE_INIT;
  once_runs = 0;
  for (int i = 0; i < 3; i++) {
    call_once(&flag, count_run);
  }
  EXPECT_EQ(once_runs, 1);
  for (int i = 0; i < 3; i++) {
    EXPECT_EQ(pthread_once(&control, count_run), 0);
  }
  EXPECT_EQ(once_runs, 2);
}

static int destructor_calls;
static void destructor(void* value) {
  (void)value;
  destructor_calls++;
}

TEST(keys_on_one_thread) {
  tss_t key;
  ASSERT_EQ(tss_create(&key, destructor), thrd_success);
  EXPECT_EQ(tss_get(key), NULL);
  EXPECT_EQ(tss_set(key, &key), thrd_success);
  EXPECT_EQ(tss_get(key), &key);
  tss_delete(key);
  // The slot's next key reads NULL, though this thread set the old one.
  pthread_key_t next;
  ASSERT_EQ(pthread_key_create(&next, NULL), 0);
  EXPECT_EQ(pthread_getspecific(next), NULL);
  EXPECT_EQ(pthread_setspecific(next, "x"), 0);
  EXPECT_EQ(pthread_key_delete(next), 0);
  EXPECT_EQ(pthread_key_delete(next), EINVAL);
  // Returning from main runs no destructors, and deleting a key runs none either.
  EXPECT_EQ(destructor_calls, 0);
}

TEST(keys_run_out_at_pthread_keys_max) {
  static pthread_key_t keys[PTHREAD_KEYS_MAX + 1];
  int created = 0;
  while (created <= PTHREAD_KEYS_MAX && pthread_key_create(&keys[created], NULL) == 0) {
    created++;
  }
  EXPECT_EQ(created, PTHREAD_KEYS_MAX);
  tss_t one_more;
  EXPECT_EQ(tss_create(&one_more, NULL), thrd_error);
  for (int i = 0; i < created; i++) {
    EXPECT_EQ(pthread_key_delete(keys[i]), 0);
  }
  EXPECT_EQ(tss_create(&one_more, NULL), thrd_success);
  tss_delete(one_more);
}

TEST(thread_attributes) {
  pthread_attr_t attr;
  ASSERT_EQ(pthread_attr_init(&attr), 0);
  size_t size = 0;
  int state = -1;
  EXPECT_EQ(pthread_attr_getstacksize(&attr, &size), 0);
  EXPECT_EQ(size, 256 * 1024);
  EXPECT_EQ(pthread_attr_getguardsize(&attr, &size), 0);
  EXPECT_EQ(size, 4096);
  EXPECT_EQ(pthread_attr_getdetachstate(&attr, &state), 0);
  EXPECT_EQ(state, PTHREAD_CREATE_JOINABLE);
  EXPECT_EQ(pthread_attr_setstacksize(&attr, PTHREAD_STACK_MIN - 1), EINVAL);
  EXPECT_EQ(pthread_attr_setstacksize(&attr, PTHREAD_STACK_MIN), 0);
  EXPECT_EQ(pthread_attr_getstacksize(&attr, &size), 0);
  EXPECT_EQ(size, PTHREAD_STACK_MIN);
  EXPECT_EQ(pthread_attr_setguardsize(&attr, 0), 0);
  EXPECT_EQ(pthread_attr_getguardsize(&attr, &size), 0);
  EXPECT_EQ(size, 0);
  EXPECT_EQ(pthread_attr_setdetachstate(&attr, 2), EINVAL);
  EXPECT_EQ(pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED), 0);
  EXPECT_EQ(pthread_attr_getdetachstate(&attr, &state), 0);
  EXPECT_EQ(state, PTHREAD_CREATE_DETACHED);
  EXPECT_EQ(pthread_attr_destroy(&attr), 0);
}

struct snapshot {
  uint64_t free_bytes;
  zrk_info_kernel_objects_t objects;
};

static struct snapshot snapshot(void) {
  struct snapshot s = {0};
  zx_info_kmem_stats_t kmem = {0};
  zx_handle_t info = zrk_startup()->info_resource;
  EXPECT_OK(zx_object_get_info(info, ZX_INFO_KMEM_STATS, &kmem, sizeof kmem, NULL, NULL));
  EXPECT_OK(zx_object_get_info(info, ZRK_INFO_KERNEL_OBJECTS, &s.objects, sizeof s.objects,
                               NULL, NULL));
  // With the kernel heap: see free_bytes() in <zrk/vmo_util.h>.
  s.free_bytes = kmem.free_bytes + kmem.total_heap_bytes;
  return s;
}

static void* nothing(void* arg) { return arg; }

// Whether the kernel runs the thread (then it is joined) or refuses it (then the
// runtime must undo its VMO and sub-VMAR), nothing stays behind.
TEST(creating_a_thread_leaves_nothing_behind_either_way) {
  struct snapshot before = snapshot();
  pthread_t thread;
  int result = pthread_create(&thread, NULL, nothing, NULL);
  if (result == 0) {
    EXPECT_EQ(pthread_join(thread, NULL), 0);
  } else {
    EXPECT_EQ(result, EAGAIN);
  }
  // Thread teardown may finish a moment after the join: wait for the counts.
  zx_time_t deadline = zx_deadline_after(5000 * MS);
  struct snapshot after = snapshot();
  while ((after.free_bytes != before.free_bytes ||
          after.objects.threads != before.objects.threads) &&
         zx_clock_get_monotonic() < deadline) {
    zx_nanosleep(zx_deadline_after(MS));
    after = snapshot();
  }
  EXPECT_EQ(after.free_bytes, before.free_bytes);
  EXPECT_EQ(after.objects.threads, before.objects.threads);
  EXPECT_EQ(after.objects.vmos, before.objects.vmos);
  EXPECT_EQ(after.objects.vmars, before.objects.vmars);
  EXPECT_EQ(after.objects.handles, before.objects.handles);
}

// picolibc's malloc takes its libc lock (the runtime's __retarget_lock_* functions),
// which is recursive: malloc while the lock is held by the same thread must not deadlock.
TEST(picolibcs_libc_lock_is_recursive) {
  __retarget_lock_acquire_recursive(&__lock___libc_recursive_mutex);
  __retarget_lock_acquire_recursive(&__lock___libc_recursive_mutex);
  EXPECT_EQ(__retarget_lock_try_acquire_recursive(&__lock___libc_recursive_mutex), 0);
  void* p = malloc(100);
  EXPECT_NE(p, NULL);
  free(p);
  __retarget_lock_release_recursive(&__lock___libc_recursive_mutex);
  __retarget_lock_release_recursive(&__lock___libc_recursive_mutex);
  __retarget_lock_release_recursive(&__lock___libc_recursive_mutex);
  p = malloc(100);
  EXPECT_NE(p, NULL);
  free(p);
}

TEST(picolibcs_dynamic_locks) {
  _LOCK_T lock = NULL;
  __retarget_lock_init(&lock);
  ASSERT_NE(lock, NULL);
  __retarget_lock_acquire(lock);
  EXPECT_EQ(__retarget_lock_try_acquire(lock), -1);
  __retarget_lock_release(lock);
  EXPECT_EQ(__retarget_lock_try_acquire(lock), 0);
  __retarget_lock_release(lock);
  __retarget_lock_close(lock);

  __retarget_lock_init_recursive(&lock);
  ASSERT_NE(lock, NULL);
  __retarget_lock_acquire_recursive(lock);
  EXPECT_EQ(__retarget_lock_try_acquire_recursive(lock), 0);
  __retarget_lock_release_recursive(lock);
  __retarget_lock_release_recursive(lock);
  __retarget_lock_close_recursive(lock);
}

int main(void) { return run_tests(); }
