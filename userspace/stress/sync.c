/// Stress: futexes, events, event pairs and zx_object_wait_many under load, on
// every CPU, with 16 threads:
// - 4 lockers add 1 to two plain (non-atomic) counters, one under a raw futex lock
//   (<zrk/thread_util.h>: 0 free, 1 held, 2 contended), one under a C11 mtx_t, now and
//   then yielding the CPU while holding it so that others sleep in zx_futex_wait: each
//   counter ends exactly at the sum of the lockers' own counts (no increment lost, no
//   two threads inside at once);
// - event ping-pong: two threads bounce ZX_USER_SIGNAL_0 between two events (signal,
//   wait, clear), and two more between the ends of an event pair (zx_object_signal_peer):
//   every wait is woken within 10 s (no lost wakeup) and both sides count the same
//   round trips;
// - zx_object_wait_many: one thread waits on three events; three signalers each set
//   their event and sleep on a futex until the waiter has seen and cleared it: every
//   set is seen within 10 s (signaler 0 sets a fourth event when it stops, to end the
//   wait); timers are in timers.c;
// - a bounded queue under a mtx_t and two cnd_t: two producers, two consumers; every
//   item produced is consumed exactly once (counts and sums per producer), and no
//   cnd_timedwait runs into its 10 s deadline.
// Free memory and kernel objects (threads, events, handles) come back at the end.
#include <zrk/thread_util.h>

#include "stress.h"

#define LOCKERS 4
#define SIGNALERS 3
#define PRODUCERS 2
#define CONSUMERS 2
#define LOST (10000 * MS)  // a wait this long is a lost wakeup

static check_t counted = {"no increment is lost under a futex lock or a mtx_t", 0};
static check_t pingpong = {"event and event-pair ping-pong: every signal wakes its waiter", 0};
static check_t waitmany = {"zx_object_wait_many sees every signal", 0};
static check_t queue = {"a cnd_t queue hands every item over exactly once", 0};
static check_t statuses = {"event, wait and signal calls say ZX_OK", 0};

#define CHECK_OK(call)                                                                 \
  do {                                                                                 \
    zx_status_t st_ = (call);                                                          \
    if (st_ != ZX_OK) {                                                                \
      fail(&statuses, "%s: %s", #call, zx_status_get_string(st_));                     \
    }                                                                                  \
  } while (0)

// --- Locks --------------------------------------------------------------------------

static zx_futex_t raw_word;
static mtx_t mutex;
static volatile uint64_t raw_counter, mtx_counter;
static uint64_t raw_added, mtx_added;

static int locker(worker_t* me) {
  uint64_t raw = 0, mtx = 0;
  while (running()) {
    bool yield = rng_chance(&me->rng, 20);
    if (rng_chance(&me->rng, 500)) {
      me->doing = "raw futex lock";
      raw_lock(&raw_word);
      uint64_t v = raw_counter;
      if (yield) {
        zx_nanosleep(0);
      }
      raw_counter = v + 1;
      raw_unlock(&raw_word);
      raw++;
    } else {
      me->doing = "mtx_lock";
      if (mtx_lock(&mutex) != thrd_success) {
        fail(&counted, "locker %d: mtx_lock failed", me->index);
        continue;
      }
      uint64_t v = mtx_counter;
      if (yield) {
        zx_nanosleep(0);
      }
      mtx_counter = v + 1;
      mtx_unlock(&mutex);
      mtx++;
    }
    me->ops++;
  }
  __atomic_fetch_add(&raw_added, raw, __ATOMIC_RELAXED);
  __atomic_fetch_add(&mtx_added, mtx, __ATOMIC_RELAXED);
  return 0;
}

// --- Ping-pong ----------------------------------------------------------------------

#define STOP ZX_USER_SIGNAL_1
static zx_handle_t ev_ping, ev_pong;  // events
static zx_handle_t ep[2];             // an event pair
static uint64_t rounds[4];

// Waits for USER_0 (or STOP) on `wait_on`; false when STOP came. A wait that times out
// is a lost wakeup.
static bool await(worker_t* me, zx_handle_t wait_on, const char* what) {
  zx_signals_t seen = 0;
  me->doing = what;
  zx_status_t st =
      zx_object_wait_one(wait_on, ZX_USER_SIGNAL_0 | STOP, zx_deadline_after(LOST), &seen);
  if (st == ZX_ERR_TIMED_OUT) {
    fail(&pingpong, "%s %d: no signal within 10 s (%s)", me->role, me->index, what);
    __atomic_store_n(&stress_stop, 1, __ATOMIC_RELEASE);
    return false;
  }
  CHECK_OK(st);
  return !(seen & STOP) || (seen & ZX_USER_SIGNAL_0);
}

// Event ping-pong: index 0 serves, 1 returns.
static int event_player(worker_t* me) {
  zx_handle_t mine = me->index == 0 ? ev_pong : ev_ping;
  zx_handle_t theirs = me->index == 0 ? ev_ping : ev_pong;
  if (me->index == 0) {
    CHECK_OK(zx_object_signal(theirs, 0, ZX_USER_SIGNAL_0));
  }
  for (;;) {
    if (!await(me, mine, "zx_object_wait_one on an event")) {
      break;
    }
    CHECK_OK(zx_object_signal(mine, ZX_USER_SIGNAL_0, 0));
    rounds[me->index]++;
    me->ops++;
    if (me->index == 0 && !running()) {
      CHECK_OK(zx_object_signal(theirs, 0, STOP));
      break;
    }
    CHECK_OK(zx_object_signal(theirs, 0, ZX_USER_SIGNAL_0));
  }
  return 0;
}

// Event-pair ping-pong: the same through the peer.
static int pair_player(worker_t* me) {
  zx_handle_t mine = ep[me->index];
  if (me->index == 0) {
    CHECK_OK(zx_object_signal_peer(mine, 0, ZX_USER_SIGNAL_0));
  }
  for (;;) {
    if (!await(me, mine, "zx_object_wait_one on an event pair")) {
      break;
    }
    CHECK_OK(zx_object_signal(mine, ZX_USER_SIGNAL_0, 0));
    rounds[2 + me->index]++;
    me->ops++;
    if (me->index == 0 && !running()) {
      CHECK_OK(zx_object_signal_peer(mine, 0, STOP));
      break;
    }
    CHECK_OK(zx_object_signal_peer(mine, 0, ZX_USER_SIGNAL_0));
  }
  return 0;
}

// --- wait_many --------------------------------------------------------------------

static zx_handle_t events[SIGNALERS + 1];  // the last one: stop
static zx_futex_t seen_count[SIGNALERS];  // the waiter's acknowledgements, per event
static int waiter_done;

static int waiter(worker_t* me) {
  zx_wait_item_t items[SIGNALERS + 1];
  for (;;) {
    for (int i = 0; i <= SIGNALERS; i++) {
      items[i] = (zx_wait_item_t){events[i], ZX_USER_SIGNAL_0, 0};
    }
    me->doing = "zx_object_wait_many";
    zx_status_t st = zx_object_wait_many(items, SIGNALERS + 1, zx_deadline_after(LOST));
    if (st == ZX_ERR_TIMED_OUT) {
      fail(&waitmany, "zx_object_wait_many: no signal within 10 s");
      break;
    }
    if (items[SIGNALERS].pending & ZX_USER_SIGNAL_0) {
      break;
    }
    CHECK_OK(st);
    for (int i = 0; i < SIGNALERS; i++) {
      if (items[i].pending & ZX_USER_SIGNAL_0) {
        CHECK_OK(zx_object_signal(events[i], ZX_USER_SIGNAL_0, 0));
        __atomic_fetch_add(&seen_count[i], 1, __ATOMIC_RELEASE);
        zx_futex_wake(&seen_count[i], 1);
      }
    }
    me->ops++;
  }
  __atomic_store_n(&waiter_done, 1, __ATOMIC_RELEASE);
  for (int i = 0; i < SIGNALERS; i++) {
    __atomic_fetch_add(&seen_count[i], 1, __ATOMIC_RELEASE);
    zx_futex_wake(&seen_count[i], 1);
  }
  return 0;
}

static int signaler(worker_t* me) {
  int i = me->index;
  while (running() && !__atomic_load_n(&waiter_done, __ATOMIC_ACQUIRE)) {
    int before = __atomic_load_n(&seen_count[i], __ATOMIC_ACQUIRE);
    me->doing = "zx_object_signal";
    CHECK_OK(zx_object_signal(events[i], 0, ZX_USER_SIGNAL_0));
    me->doing = "waiting for the waiter to see the signal";
    zx_time_t give_up = zx_deadline_after(LOST);
    while (__atomic_load_n(&seen_count[i], __ATOMIC_ACQUIRE) == before &&
           !__atomic_load_n(&waiter_done, __ATOMIC_ACQUIRE)) {
      if (zx_clock_get_monotonic() > give_up) {
        fail(&waitmany, "signaler %d: event %d's signal not seen within 10 s", i, i);
        __atomic_store_n(&stress_stop, 1, __ATOMIC_RELEASE);
        break;
      }
      zx_futex_wait(&seen_count[i], before, ZX_HANDLE_INVALID, zx_deadline_after(100 * MS));
    }
    me->ops++;
  }
  if (i == 0) {
    CHECK_OK(zx_object_signal(events[SIGNALERS], 0, ZX_USER_SIGNAL_0));
  }
  return 0;
}

// --- A queue under a mutex and condition variables ---------------------------------

#define QUEUE 8
static mtx_t q_lock;
static cnd_t q_not_empty, q_not_full;
static uint64_t q_items[QUEUE];
static int q_head, q_count, producers_left = PRODUCERS;
static uint64_t produced[PRODUCERS], produced_sum[PRODUCERS];
static uint64_t consumed[PRODUCERS], consumed_sum[PRODUCERS];

static bool timed_wait(worker_t* me, cnd_t* cv) {
  struct timespec t;
  timespec_get(&t, TIME_UTC);
  t.tv_sec += 10;
  if (cnd_timedwait(cv, &q_lock, &t) == thrd_timedout) {
    fail(&queue, "%s %d: cnd_timedwait ran into its 10 s deadline (%d queued)", me->role, me->index,
         q_count);
    return false;
  }
  return true;
}

static int producer(worker_t* me) {
  uint64_t seq = 0;
  while (running()) {
    me->doing = "producing";
    mtx_lock(&q_lock);
    while (q_count == QUEUE) {
      if (!timed_wait(me, &q_not_full)) {
        break;
      }
    }
    if (q_count < QUEUE) {
      seq++;
      q_items[(q_head + q_count) % QUEUE] = ((uint64_t)me->index << 48) | seq;
      q_count++;
      produced[me->index]++;
      produced_sum[me->index] += seq;
      cnd_signal(&q_not_empty);
    }
    mtx_unlock(&q_lock);
    me->ops++;
  }
  mtx_lock(&q_lock);
  producers_left--;
  cnd_broadcast(&q_not_empty);
  mtx_unlock(&q_lock);
  return 0;
}

static int consumer(worker_t* me) {
  for (;;) {
    me->doing = "consuming";
    mtx_lock(&q_lock);
    while (q_count == 0 && producers_left > 0) {
      if (!timed_wait(me, &q_not_empty)) {
        break;
      }
    }
    if (q_count == 0) {
      bool over = producers_left == 0;
      mtx_unlock(&q_lock);
      if (over) {
        break;
      }
      continue;
    }
    uint64_t item = q_items[q_head];
    q_head = (q_head + 1) % QUEUE;
    q_count--;
    uint64_t p = item >> 48;
    if (p < PRODUCERS) {
      consumed[p]++;
      consumed_sum[p] += item & 0xffffffffffffull;
    } else {
      fail(&queue, "consumer %d took %#" PRIx64 ", which no producer made", me->index, item);
    }
    cnd_signal(&q_not_full);
    mtx_unlock(&q_lock);
    me->ops++;
  }
  return 0;
}

int main(void) {
  stress_banner("sync");
  usage_t before = usage();
  bool set_up = mtx_init(&mutex, mtx_plain) == thrd_success &&
                mtx_init(&q_lock, mtx_plain) == thrd_success &&
                cnd_init(&q_not_empty) == thrd_success && cnd_init(&q_not_full) == thrd_success;
  set_up &= zx_event_create(0, &ev_ping) == ZX_OK && zx_event_create(0, &ev_pong) == ZX_OK;
  set_up &= zx_eventpair_create(0, &ep[0], &ep[1]) == ZX_OK;
  for (int i = 0; i <= SIGNALERS; i++) {
    set_up &= zx_event_create(0, &events[i]) == ZX_OK;
  }
  if (!set_up) {
    printf("1..0 # set-up failed\n");
    return 1;
  }
  for (int i = 0; i < LOCKERS; i++) {
    add_worker("locker", i, locker);
  }
  add_worker("event player", 0, event_player);
  add_worker("event player", 1, event_player);
  add_worker("pair player", 0, pair_player);
  add_worker("pair player", 1, pair_player);
  add_worker("waiter", 0, waiter);
  for (int i = 0; i < SIGNALERS; i++) {
    add_worker("signaler", i, signaler);
  }
  for (int i = 0; i < PRODUCERS; i++) {
    add_worker("producer", i, producer);
  }
  for (int i = 0; i < CONSUMERS; i++) {
    add_worker("consumer", i, consumer);
  }
  if (!run_workers()) {
    return 1;
  }
  print_workers("operations");

  if (raw_counter != raw_added || mtx_counter != mtx_added) {
    fail(&counted,
         "the futex-locked counter is %" PRIu64 " after %" PRIu64 " increments, the mtx_t one %" PRIu64
         " after %" PRIu64,
         raw_counter, raw_added, mtx_counter, mtx_added);
  }
  printf("# locks: %" PRIu64 " increments under the futex lock, %" PRIu64 " under mtx_t\n",
         raw_added, mtx_added);
  if (rounds[0] != rounds[1] || rounds[2] != rounds[3]) {
    fail(&pingpong, "round trips differ between sides: events %" PRIu64 "/%" PRIu64
                    ", event pair %" PRIu64 "/%" PRIu64,
         rounds[0], rounds[1], rounds[2], rounds[3]);
  }
  printf("# ping-pong: %" PRIu64 " round trips through events, %" PRIu64
         " through an event pair; wait_many: %" PRIu64 " wake-ups\n",
         rounds[0], rounds[2], workers[LOCKERS + 4].ops);
  for (int p = 0; p < PRODUCERS; p++) {
    if (produced[p] != consumed[p] || produced_sum[p] != consumed_sum[p]) {
      fail(&queue,
           "producer %d made %" PRIu64 " items (sum %" PRIu64 "), consumers took %" PRIu64
           " (sum %" PRIu64 ")",
           p, produced[p], produced_sum[p], consumed[p], consumed_sum[p]);
    }
  }
  printf("# queue: %" PRIu64 " items handed over\n", consumed[0] + consumed[1]);
  if (q_count != 0) {
    fail(&queue, "%d items left in the queue", q_count);
  }

  zx_handle_t all[] = {ev_ping, ev_pong, ep[0], ep[1], events[0], events[1], events[2], events[3]};
  zx_handle_close_many(all, sizeof all / sizeof all[0]);
  mtx_destroy(&mutex);
  mtx_destroy(&q_lock);
  cnd_destroy(&q_not_empty);
  cnd_destroy(&q_not_full);

  plan(7);
  report(&counted);
  report(&pingpong);
  report(&waitmany);
  report(&queue);
  report(&statuses);
  check_no_leaks(&before);
  return done_testing();
}
