// Threads give back everything they took: each thread's VMO (stack, descriptor, TLS),
// its sub-VMAR and guard, its kernel thread and handles. After 1000 threads created and
// joined, and after detached threads (which free their own stacks on the way out), the
// kernel's free memory (ZX_INFO_KMEM_STATS free_bytes, with the kernel heap's) and its live threads, VMOs, VMARs
// and handles (ZRK_INFO_KERNEL_OBJECTS) are back exactly where they started.
//
// A joiner reaps a thread as soon as the thread has signalled that it is off its stack,
// which can be a moment before the kernel has finished with the thread itself, so the
// comparisons wait (up to 10 s) for the counts to come back rather than read them once.
#include <pthread.h>
#include <stdbool.h>
#include <threads.h>

#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zrk/startup.h>
#include <zrk/test.h>

#define MS INT64_C(1000000)

struct snapshot {
  uint64_t free_bytes;
  zrk_info_kernel_objects_t objects;
};

static struct snapshot snapshot(void) {
  struct snapshot s = {0};
  zx_info_kmem_stats_t kmem = {0};
  zx_handle_t info = zrk_startup()->info_resource;
  zx_object_get_info(info, ZX_INFO_KMEM_STATS, &kmem, sizeof kmem, NULL, NULL);
  zx_object_get_info(info, ZRK_INFO_KERNEL_OBJECTS, &s.objects, sizeof s.objects, NULL, NULL);
  // With the kernel heap: see free_bytes() in <zrk/vmo_util.h>.
  s.free_bytes = kmem.free_bytes + kmem.total_heap_bytes;
  return s;
}

// A snapshot taken once no dead thread is left for the kernel to free: a thread that
// has just exited (its joiner already returned) is freed by its CPU's next switch, a
// moment later, and a "before" taken in that moment would count it. Waits (1 s at most)
// until the kernel's live threads are this process's running ones (the boot runs this
// program alone).
static struct snapshot settled_snapshot(void) {
  zx_time_t give_up = zx_deadline_after(1000 * MS);
  struct snapshot last = snapshot();
  int steady = 0;
  for (;;) {
    zx_nanosleep(zx_deadline_after(MS));
    struct snapshot s = snapshot();
    size_t actual = 0, running = 0;
    zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS_THREADS, NULL, 0, &actual, &running);
    // Settled: no exited thread left to free, and free memory the same for 5 ms.
    steady = (s.free_bytes == last.free_bytes) ? steady + 1 : 0;
    if ((s.objects.threads == running && steady >= 5) || zx_clock_get_monotonic() > give_up) {
      return s;
    }
    last = s;
  }
}

static bool same(const struct snapshot* a, const struct snapshot* b) {
  return a->free_bytes == b->free_bytes && a->objects.threads == b->objects.threads &&
         a->objects.vmos == b->objects.vmos && a->objects.vmars == b->objects.vmars &&
         a->objects.handles == b->objects.handles;
}

// Waits for the counts to return to `before`, then checks them one by one.
static void expect_back_to(const struct snapshot* before) {
  zx_time_t deadline = zx_deadline_after(10000 * MS);
  struct snapshot now = snapshot();
  while (!same(&now, before) && zx_clock_get_monotonic() < deadline) {
    zx_nanosleep(zx_deadline_after(MS));
    now = snapshot();
  }
  EXPECT_EQ(now.free_bytes, before->free_bytes);
  EXPECT_EQ(now.objects.threads, before->objects.threads);
  EXPECT_EQ(now.objects.vmos, before->objects.vmos);
  EXPECT_EQ(now.objects.vmars, before->objects.vmars);
  EXPECT_EQ(now.objects.handles, before->objects.handles);
}

static bool wait_for_count(int* count, int want) {
  zx_time_t deadline = zx_deadline_after(10000 * MS);
  while (__atomic_load_n(count, __ATOMIC_ACQUIRE) < want) {
    if (zx_clock_get_monotonic() > deadline) {
      return false;
    }
    zx_nanosleep(zx_deadline_after(MS));
  }
  return true;
}

// Touches 64 KiB of its stack (16 pages the kernel must commit, then free) and returns
// its argument.
static int touch_stack(void* arg) {
  volatile char buffer[64 * 1024];
  for (size_t i = 0; i < sizeof buffer; i += 4096) {
    buffer[i] = (char)i;
  }
  return (int)(intptr_t)arg + buffer[0];
}

TEST(a_thread_while_it_runs_holds_a_thread_a_vmo_and_a_vmar) {
  struct snapshot before = settled_snapshot();
  thrd_t thread;
  ASSERT_EQ(thrd_create(&thread, touch_stack, NULL), thrd_success);
  struct snapshot during = snapshot();
  // Joinable and not yet joined: whether or not it still runs, its mapping is there.
  EXPECT_EQ(during.objects.vmars, before.objects.vmars + 1);
  EXPECT_EQ(during.objects.vmos, before.objects.vmos + 1);
  EXPECT_LT(during.free_bytes, before.free_bytes);
  EXPECT_EQ(thrd_join(thread, NULL), thrd_success);
  expect_back_to(&before);
}

TEST(create_and_join_1000_threads_gives_back_every_byte) {
  struct snapshot before = settled_snapshot();
  int wrong = 0;
  for (int i = 0; i < 1000; i++) {
    thrd_t thread;
    if (thrd_create(&thread, touch_stack, (void*)(intptr_t)i) != thrd_success) {
      TEST_CONTEXT("thread %d", i);
      EXPECT_TRUE(false);
      break;
    }
    int result = -1;
    if (thrd_join(thread, &result) != thrd_success || result != i) {
      wrong++;
    }
  }
  EXPECT_EQ(wrong, 0);
  expect_back_to(&before);
}

static int finished;

static void* finish(void* arg) {
  (void)arg;
  volatile char buffer[16 * 1024];
  for (size_t i = 0; i < sizeof buffer; i += 4096) {
    buffer[i] = 1;
  }
  __atomic_fetch_add(&finished, 1, __ATOMIC_RELEASE);
  return NULL;
}

TEST(detached_threads_free_their_own_stacks) {
  struct snapshot before = settled_snapshot();
  finished = 0;
  pthread_attr_t attr;
  ASSERT_EQ(pthread_attr_init(&attr), 0);
  ASSERT_EQ(pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED), 0);
  for (int i = 0; i < 100; i++) {
    pthread_t thread;
    ASSERT_EQ(pthread_create(&thread, &attr, finish, NULL), 0);
  }
  EXPECT_TRUE(wait_for_count(&finished, 100));
  expect_back_to(&before);
}

TEST(threads_detached_while_running_free_their_own_stacks) {
  struct snapshot before = settled_snapshot();
  finished = 0;
  for (int i = 0; i < 50; i++) {
    pthread_t thread;
    ASSERT_EQ(pthread_create(&thread, NULL, finish, NULL), 0);
    EXPECT_EQ(pthread_detach(thread), 0);
  }
  EXPECT_TRUE(wait_for_count(&finished, 50));
  expect_back_to(&before);
}

TEST(threads_detached_after_they_ended_are_freed_by_the_detach) {
  struct snapshot before = settled_snapshot();
  finished = 0;
  pthread_t threads[20];
  for (int i = 0; i < 20; i++) {
    ASSERT_EQ(pthread_create(&threads[i], NULL, finish, NULL), 0);
  }
  EXPECT_TRUE(wait_for_count(&finished, 20));
  zx_nanosleep(zx_deadline_after(10 * MS));
  for (int i = 0; i < 20; i++) {
    EXPECT_EQ(pthread_detach(threads[i]), 0);
  }
  expect_back_to(&before);
}

TEST(a_guard_size_of_zero_and_a_large_guard_both_clean_up) {
  struct snapshot before = settled_snapshot();
  pthread_attr_t attr;
  ASSERT_EQ(pthread_attr_init(&attr), 0);
  size_t guard = 0;
  EXPECT_EQ(pthread_attr_getguardsize(&attr, &guard), 0);
  EXPECT_EQ(guard, 4096);
  size_t guards[] = {0, 1, 64 * 1024};
  for (size_t i = 0; i < sizeof guards / sizeof guards[0]; i++) {
    TEST_CONTEXT("guard %zu", guards[i]);
    ASSERT_EQ(pthread_attr_setguardsize(&attr, guards[i]), 0);
    pthread_t thread;
    ASSERT_EQ(pthread_create(&thread, &attr, finish, NULL), 0);
    EXPECT_EQ(pthread_join(thread, NULL), 0);
  }
  expect_back_to(&before);
}

// Whatever the first threads commit once and keep (the main thread's deeper stack
// pages, the runtime's first use of its locks) is not a leak: run a few before any
// measurement.
static void warm_up(void) {
  for (int i = 0; i < 4; i++) {
    thrd_t thread;
    if (thrd_create(&thread, touch_stack, NULL) == thrd_success) {
      thrd_join(thread, NULL);
    }
  }
}

int main(void) {
  warm_up();
  return run_tests();
}
