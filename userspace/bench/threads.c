// Benchmark: threads, futexes, events and the scheduler, on one CPU (scripts/bench boots
// with -smp 1). See <zrk/bench.h> for how rows are timed; scripts/bench runs this.
//
//   thread_raw        zx_thread_create + zx_thread_start + zx_object_wait_one(TERMINATED)
//                     + zx_handle_close, the thread calling zx_thread_exit at once; its
//                     stack is mapped once, outside the timed part (glibc's pthread_create
//                     reuses cached stacks likewise)
//   thrd_create_join  C11 thrd_create + thrd_join of a thread that returns at once: the
//                     runtime maps a fresh stack, descriptor and TLS block and destroys
//                     them in the join
//   futex_handoff     one thread wakes another blocked in zx_futex_wait and blocks in
//                     turn, so the other runs: per one-way handoff (a ping-pong round
//                     counts two)
//   futex_wake_none   zx_futex_wake(1) with nobody waiting
//   futex_wait_stale  zx_futex_wait with a value the futex no longer has (BAD_STATE)
//   event_handoff     as futex_handoff, through one event's two user signals:
//                     zx_object_signal clears the sender's signal and raises the
//                     receiver's, whose zx_object_wait_one returns in the other thread
//   nanosleep_zero    zx_nanosleep(0) with no other thread ready
#include <threads.h>

#include <zrk/bench.h>
#include <zrk/thread_util.h>

// --- Thread create, start and join -----------------------------------------------------

static void exit_at_once(uintptr_t a, uintptr_t b) {
  (void)a;
  (void)b;
  zx_thread_exit();
}

typedef struct {
  zx_vaddr_t stack_top;
} raw_ctx;

static uint64_t thread_raw(void* arg, uint64_t n) {
  raw_ctx* c = arg;
  static const char name[] = "bench";
  uint64_t start = bench_ticks();
  for (uint64_t i = 0; i < n; i++) {
    zx_handle_t h;
    zx_signals_t observed;
    zx_thread_create(zx_process_self(), name, sizeof name - 1, 0, &h);
    zx_thread_start(h, (zx_vaddr_t)exit_at_once, c->stack_top, 0, 0);
    zx_object_wait_one(h, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, &observed);
    zx_handle_close(h);
  }
  return bench_ticks() - start;
}

static int return_at_once(void* arg) {
  (void)arg;
  return 0;
}

static uint64_t thrd_create_join(void* arg, uint64_t n) {
  (void)arg;
  uint64_t start = bench_ticks();
  for (uint64_t i = 0; i < n; i++) {
    thrd_t t;
    int result;
    thrd_create(&t, return_at_once, NULL);
    thrd_join(t, &result);
  }
  return bench_ticks() - start;
}

// --- Handoffs between two threads -------------------------------------------------------

// The futex word: whose turn it is, or the partner's signal to leave.
enum { MAIN_TURN = 0, PARTNER_TURN = 1, PARTNER_STOP = 2 };

static zx_futex_t turn;

static void futex_partner(uintptr_t a, uintptr_t b) {
  (void)a;
  (void)b;
  for (;;) {
    int v;
    while ((v = __atomic_load_n(&turn, __ATOMIC_ACQUIRE)) == MAIN_TURN) {
      zx_futex_wait(&turn, MAIN_TURN, ZX_HANDLE_INVALID, ZX_TIME_INFINITE);
    }
    if (v == PARTNER_STOP) break;
    __atomic_store_n(&turn, MAIN_TURN, __ATOMIC_RELEASE);
    zx_futex_wake(&turn, 1);
  }
  zx_thread_exit();
}

// One round: hand the turn to the partner and sleep until it hands it back.
static inline void futex_round(void) {
  __atomic_store_n(&turn, PARTNER_TURN, __ATOMIC_RELEASE);
  zx_futex_wake(&turn, 1);
  while (__atomic_load_n(&turn, __ATOMIC_ACQUIRE) == PARTNER_TURN) {
    zx_futex_wait(&turn, PARTNER_TURN, ZX_HANDLE_INVALID, ZX_TIME_INFINITE);
  }
}

// n rounds, 2n one-way handoffs. The partner starts, and runs one untimed round (its
// first run), before the counter is read; it is told to leave after the second read.
static uint64_t futex_handoff(void* arg, uint64_t n) {
  (void)arg;
  raw_thread_t partner;
  turn = MAIN_TURN;
  BENCH_CHECK(raw_thread_start(&partner, futex_partner, 0, 0));
  futex_round();
  uint64_t start = bench_ticks();
  for (uint64_t i = 0; i < n; i++) {
    futex_round();
  }
  uint64_t ticks = bench_ticks() - start;
  __atomic_store_n(&turn, PARTNER_STOP, __ATOMIC_RELEASE);
  zx_futex_wake(&turn, 1);
  BENCH_CHECK(raw_thread_join(&partner));
  return ticks;
}

#define MAIN_SIGNAL ZX_USER_SIGNAL_0
#define PARTNER_SIGNAL ZX_USER_SIGNAL_1
#define STOP_SIGNAL ZX_USER_SIGNAL_2

static void event_partner(uintptr_t event, uintptr_t b) {
  (void)b;
  for (;;) {
    zx_signals_t observed = 0;
    zx_object_wait_one((zx_handle_t)event, PARTNER_SIGNAL | STOP_SIGNAL, ZX_TIME_INFINITE,
                       &observed);
    if (observed & STOP_SIGNAL) break;
    zx_object_signal((zx_handle_t)event, PARTNER_SIGNAL, MAIN_SIGNAL);
  }
  zx_thread_exit();
}

static inline void event_round(zx_handle_t event) {
  zx_signals_t observed;
  zx_object_signal(event, MAIN_SIGNAL, PARTNER_SIGNAL);
  zx_object_wait_one(event, MAIN_SIGNAL, ZX_TIME_INFINITE, &observed);
}

static uint64_t event_handoff(void* arg, uint64_t n) {
  (void)arg;
  zx_handle_t event;
  raw_thread_t partner;
  BENCH_CHECK(zx_event_create(0, &event));
  BENCH_CHECK(raw_thread_start(&partner, event_partner, event, 0));
  event_round(event);
  uint64_t start = bench_ticks();
  for (uint64_t i = 0; i < n; i++) {
    event_round(event);
  }
  uint64_t ticks = bench_ticks() - start;
  BENCH_CHECK(zx_object_signal(event, 0, STOP_SIGNAL));
  BENCH_CHECK(raw_thread_join(&partner));
  BENCH_CHECK(zx_handle_close(event));
  return ticks;
}

// --- Single calls ----------------------------------------------------------------------------

static zx_futex_t idle_futex;

static uint64_t futex_wake_none(void* arg, uint64_t n) {
  (void)arg;
  uint64_t start = bench_ticks();
  for (uint64_t i = 0; i < n; i++) {
    zx_futex_wake(&idle_futex, 1);
  }
  return bench_ticks() - start;
}

static uint64_t futex_wait_stale(void* arg, uint64_t n) {
  (void)arg;
  uint64_t start = bench_ticks();
  for (uint64_t i = 0; i < n; i++) {
    zx_futex_wait(&idle_futex, 1, ZX_HANDLE_INVALID, ZX_TIME_INFINITE);
  }
  return bench_ticks() - start;
}

static uint64_t nanosleep_zero(void* arg, uint64_t n) {
  (void)arg;
  uint64_t start = bench_ticks();
  for (uint64_t i = 0; i < n; i++) {
    zx_nanosleep(0);
  }
  return bench_ticks() - start;
}

// Each round trip must end as the rows assume: check once, untimed.
static void check_calls(void) {
  zx_status_t s = zx_futex_wait(&idle_futex, 1, ZX_HANDLE_INVALID, ZX_TIME_INFINITE);
  if (s != ZX_ERR_BAD_STATE) {
    printf("bench-error,futex_wait on a stale value returned %s\n", zx_status_get_string(s));
    exit(1);
  }
  BENCH_CHECK(zx_futex_wake(&idle_futex, 1));
  BENCH_CHECK(zx_nanosleep(0));
  thrd_t t;
  int result = -1;
  if (thrd_create(&t, return_at_once, NULL) != thrd_success ||
      thrd_join(t, &result) != thrd_success || result != 0) {
    printf("bench-error,thrd_create/thrd_join failed\n");
    exit(1);
  }
}

int main(void) {
  bench_info();
  check_calls();

  zx_handle_t vmo;
  zx_vaddr_t stack;
  BENCH_CHECK(zx_vmo_create(RAW_THREAD_STACK, 0, &vmo));
  BENCH_CHECK(zx_vmar_map(zx_vmar_root_self(),
                          ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_MAP_RANGE, 0, vmo, 0,
                          RAW_THREAD_STACK, &stack));
  BENCH_CHECK(zx_handle_close(vmo));
  raw_ctx raw = {.stack_top = stack + RAW_THREAD_STACK};

  bench_row("thread_raw", 0, thread_raw, &raw, 20);
  bench_row("thrd_create_join", 0, thrd_create_join, NULL, 20);
  bench_row_per("futex_handoff", 0, futex_handoff, NULL, NULL, 1000, 2000);
  bench_row("futex_wake_none", 0, futex_wake_none, NULL, 10000);
  bench_row("futex_wait_stale", 0, futex_wait_stale, NULL, 10000);
  bench_row_per("event_handoff", 0, event_handoff, NULL, NULL, 1000, 2000);
  bench_row("nanosleep_zero", 0, nanosleep_zero, NULL, 10000);
  return 0;
}
