// picolibc's heap and console from several threads at once: malloc, calloc, realloc and
// free (serialised by picolibc's libc lock, which the runtime implements) never hand two
// threads the same memory, and lines that threads print at the same time arrive whole
// (each thread has its own console line buffer).
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include <zrk/test.h>

#define THREADS 4
#define SLOTS 8
#define ROUNDS 3000

struct slot {
  unsigned char* p;
  size_t size;
  unsigned char fill;
};

static uint32_t next_random(uint32_t* state) {
  *state ^= *state << 13;
  *state ^= *state >> 17;
  *state ^= *state << 5;
  return *state;
}

static bool intact(const struct slot* s) {
  for (size_t i = 0; i < s->size; i++) {
    if (s->p[i] != s->fill) {
      return false;
    }
  }
  return true;
}

// Returns how many things went wrong: a failed allocation, or a block whose contents
// changed while this thread owned it.
static int churn(void* arg) {
  int index = (int)(intptr_t)arg;
  uint32_t state = 0x9e3779b9u * (uint32_t)(index + 1);
  struct slot slots[SLOTS] = {0};
  int errors = 0;
  for (int round = 0; round < ROUNDS; round++) {
    struct slot* s = &slots[next_random(&state) % SLOTS];
    uint32_t choice = next_random(&state);
    if (s->p != NULL && !intact(s)) {
      errors++;
    }
    size_t size = 1 + next_random(&state) % 1024;
    unsigned char fill = (unsigned char)(index * 64 + round % 64);
    if (s->p != NULL && choice % 4 == 0) {
      // Grow or shrink in place or elsewhere: the old contents must come along.
      unsigned char* p = realloc(s->p, size);
      if (p == NULL) {
        errors++;
        continue;
      }
      size_t kept = size < s->size ? size : s->size;
      for (size_t i = 0; i < kept; i++) {
        if (p[i] != s->fill) {
          errors++;
          break;
        }
      }
      s->p = p;
    } else {
      free(s->p);
      s->p = choice % 4 == 1 ? calloc(1, size) : malloc(size);
      if (s->p == NULL) {
        errors++;
        s->size = 0;
        continue;
      }
      if (choice % 4 == 1) {
        for (size_t i = 0; i < size; i++) {
          if (s->p[i] != 0) {
            errors++;
            break;
          }
        }
      }
    }
    s->size = size;
    s->fill = fill;
    memset(s->p, fill, size);
    if (round % 16 == 0) {
      thrd_yield();
    }
  }
  for (int i = 0; i < SLOTS; i++) {
    if (slots[i].p != NULL && !intact(&slots[i])) {
      errors++;
    }
    free(slots[i].p);
  }
  return errors;
}

TEST(malloc_calloc_realloc_and_free_from_four_threads) {
  thrd_t threads[THREADS];
  for (int i = 0; i < THREADS; i++) {
    ASSERT_EQ(thrd_create(&threads[i], churn, (void*)(intptr_t)i), thrd_success);
  }
  for (int i = 0; i < THREADS; i++) {
    TEST_CONTEXT("thread %d", i);
    int errors = -1;
    EXPECT_EQ(thrd_join(threads[i], &errors), thrd_success);
    EXPECT_EQ(errors, 0);
  }
  // The heap is whole afterwards: a large block still fits.
  void* big = malloc(128 * 1024);
  EXPECT_NE(big, NULL);
  free(big);
}

// Prints five "# long-line N: ..." lines (N = 100 + 20 * thread + line, all under the
// 256 bytes that leave in one zx_debug_write); the harness checks each arrives whole.
static int print_lines(void* arg) {
  int index = (int)(intptr_t)arg;
  char payload[200];
  for (int line = 0; line < 5; line++) {
    int n = 100 + 20 * index + line;
    for (int i = 0; i < n; i++) {
      payload[i] = (char)('0' + i % 10);
    }
    payload[n] = '\0';
    printf("# long-line %d: %s\n", n, payload);
    thrd_yield();
  }
  return 0;
}

TEST(lines_printed_by_several_threads_at_once_arrive_whole) {
  thrd_t threads[THREADS];
  for (int i = 0; i < THREADS; i++) {
    ASSERT_EQ(thrd_create(&threads[i], print_lines, (void*)(intptr_t)i), thrd_success);
  }
  for (int i = 0; i < THREADS; i++) {
    EXPECT_EQ(thrd_join(threads[i], NULL), thrd_success);
  }
}

int main(void) { return run_tests(); }
