// Mutual exclusion under contention: 4 threads each add 1 to a shared counter 10,000
// times under a lock, and not one increment may be lost (exactly 40,000), for each kind
// of mutex: C11 plain, timed (through mtx_timedlock) and recursive, and POSIX normal.
// The counter is a plain `long` read and written non-atomically, so a lock that let two
// threads in at once would lose updates.
#include <pthread.h>
#include <threads.h>

#include <zrk/test.h>

#define THREADS 4
#define ROUNDS 10000

static long counter;

static mtx_t plain;
static int add_under_mtx(void* arg) {
  mtx_t* mutex = arg;
  for (int i = 0; i < ROUNDS; i++) {
    if (mtx_lock(mutex) != thrd_success) {
      return -1;
    }
    counter++;
    if (mtx_unlock(mutex) != thrd_success) {
      return -2;
    }
  }
  return 0;
}

static int add_under_timedlock(void* arg) {
  mtx_t* mutex = arg;
  for (int i = 0; i < ROUNDS; i++) {
    struct timespec deadline;
    timespec_get(&deadline, TIME_UTC);
    deadline.tv_sec += 60;
    if (mtx_timedlock(mutex, &deadline) != thrd_success) {
      return -1;
    }
    counter++;
    mtx_unlock(mutex);
  }
  return 0;
}

// Takes the recursive mutex twice each round.
static int add_under_recursive(void* arg) {
  mtx_t* mutex = arg;
  for (int i = 0; i < ROUNDS; i++) {
    mtx_lock(mutex);
    mtx_lock(mutex);
    counter++;
    mtx_unlock(mutex);
    mtx_unlock(mutex);
  }
  return 0;
}

static void run(thrd_start_t body, mtx_t* mutex) {
  counter = 0;
  thrd_t threads[THREADS];
  for (int i = 0; i < THREADS; i++) {
    ASSERT_EQ(thrd_create(&threads[i], body, mutex), thrd_success);
  }
  for (int i = 0; i < THREADS; i++) {
    int result = -99;
    EXPECT_EQ(thrd_join(threads[i], &result), thrd_success);
    EXPECT_EQ(result, 0);
  }
  EXPECT_EQ(counter, THREADS * ROUNDS);
}

TEST(four_threads_times_ten_thousand_under_mtx_plain) {
  ASSERT_EQ(mtx_init(&plain, mtx_plain), thrd_success);
  run(add_under_mtx, &plain);
  mtx_destroy(&plain);
}

TEST(four_threads_times_ten_thousand_under_mtx_timedlock) {
  mtx_t mutex;
  ASSERT_EQ(mtx_init(&mutex, mtx_timed), thrd_success);
  run(add_under_timedlock, &mutex);
  mtx_destroy(&mutex);
}

TEST(four_threads_times_ten_thousand_under_a_recursive_mtx) {
  mtx_t mutex;
  ASSERT_EQ(mtx_init(&mutex, mtx_plain | mtx_recursive), thrd_success);
  run(add_under_recursive, &mutex);
  mtx_destroy(&mutex);
}

static pthread_mutex_t posix_mutex = PTHREAD_MUTEX_INITIALIZER;

static void* add_under_pthread_mutex(void* arg) {
  (void)arg;
  for (int i = 0; i < ROUNDS; i++) {
    pthread_mutex_lock(&posix_mutex);
    counter++;
    pthread_mutex_unlock(&posix_mutex);
  }
  return NULL;
}

TEST(four_threads_times_ten_thousand_under_a_pthread_mutex) {
  counter = 0;
  pthread_t threads[THREADS];
  for (int i = 0; i < THREADS; i++) {
    ASSERT_EQ(pthread_create(&threads[i], NULL, add_under_pthread_mutex, NULL), 0);
  }
  for (int i = 0; i < THREADS; i++) {
    EXPECT_EQ(pthread_join(threads[i], NULL), 0);
  }
  EXPECT_EQ(counter, THREADS * ROUNDS);
}

int main(void) { return run_tests(); }
