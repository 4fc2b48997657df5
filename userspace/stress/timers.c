// Stress: timers set, re-set and canceled close to their deadlines, on every CPU.
// - 4 threads each own a timer and loop: zx_timer_set a deadline 0-300 us ahead
//   (sometimes re-set it at once, sometimes cancel it and set it again), then wait for
//   ZX_TIMER_SIGNALED with zx_object_wait_one or zx_object_wait_many (with an event
//   nobody signals). The wait must end within 10 s (a timer that never fires, or a wait
//   that misses it, is a lost wakeup), never before the deadline, and the timer must be
//   signaled when it ends;
// - 2 threads share one timer: one re-sets and cancels it a few microseconds ahead,
//   again and again, racing its expiry on other CPUs; the other waits on it with short
//   deadlines. Only statuses are checked there: set, cancel and wait say ZX_OK or
//   ZX_ERR_TIMED_OUT, and nothing hangs.
// Deadlines a few microseconds ahead often pass while zx_timer_set is still running,
// so the timer interrupt races the syscall that armed it.
// Free memory and kernel objects (threads, timers, events, handles) come back at the end.
#include "stress.h"

#define OWNERS 4
#define LOST (10000 * MS)

static check_t fired = {"a timer fires, not before its deadline, and wakes its waiter", 0};
static check_t statuses = {"timer set, cancel and wait calls say ZX_OK or TIMED_OUT", 0};

#define CHECK_OK(call)                                                                 \
  do {                                                                                 \
    zx_status_t st_ = (call);                                                          \
    if (st_ != ZX_OK) {                                                                \
      fail(&statuses, "%s: %s", #call, zx_status_get_string(st_));                     \
    }                                                                                  \
  } while (0)

static zx_handle_t timers[OWNERS], quiet_event, shared_timer;
static uint64_t fires;

static int owner(worker_t* me) {
  zx_handle_t timer = timers[me->index];
  while (running()) {
    zx_time_t deadline = zx_deadline_after((zx_duration_t)rng_below(&me->rng, 300) * 1000);
    me->doing = "zx_timer_set";
    CHECK_OK(zx_timer_set(timer, deadline, 0));
    uint64_t r = rng_below(&me->rng, 10);
    if (r == 0) {
      deadline = zx_deadline_after((zx_duration_t)rng_below(&me->rng, 300) * 1000);
      CHECK_OK(zx_timer_set(timer, deadline, 0));
    } else if (r == 1) {
      me->doing = "zx_timer_cancel";
      CHECK_OK(zx_timer_cancel(timer));
      if (zx_object_wait_one(timer, ZX_TIMER_SIGNALED, 0, NULL) != ZX_ERR_TIMED_OUT) {
        fail(&fired, "owner %d: a canceled timer is signaled", me->index);
      }
      deadline = zx_deadline_after((zx_duration_t)rng_below(&me->rng, 300) * 1000);
      CHECK_OK(zx_timer_set(timer, deadline, 0));
    }
    zx_status_t st;
    zx_signals_t seen = 0;
    if (rng_chance(&me->rng, 500)) {
      me->doing = "zx_object_wait_one on its timer";
      st = zx_object_wait_one(timer, ZX_TIMER_SIGNALED, zx_deadline_after(LOST), &seen);
    } else {
      me->doing = "zx_object_wait_many on its timer and an event";
      zx_wait_item_t items[2] = {{quiet_event, ZX_USER_SIGNAL_0, 0},
                                 {timer, ZX_TIMER_SIGNALED, 0}};
      st = zx_object_wait_many(items, 2, zx_deadline_after(LOST));
      seen = items[1].pending;
    }
    zx_time_t now = zx_clock_get_monotonic();
    if (st == ZX_ERR_TIMED_OUT) {
      fail(&fired, "owner %d: its timer (deadline %lld ns before the wait ended) did not fire "
                   "within 10 s",
           me->index, (long long)(now - deadline));
      __atomic_store_n(&stress_stop, 1, __ATOMIC_RELEASE);
      break;
    }
    CHECK_OK(st);
    if (!(seen & ZX_TIMER_SIGNALED)) {
      fail(&fired, "owner %d: the wait ended without ZX_TIMER_SIGNALED (%#x)", me->index, seen);
    }
    if (now < deadline) {
      fail(&fired, "owner %d: its timer fired %lld ns before its deadline", me->index,
           (long long)(deadline - now));
    }
    __atomic_fetch_add(&fires, 1, __ATOMIC_RELAXED);
    me->ops++;
  }
  CHECK_OK(zx_timer_cancel(timer));
  return 0;
}

static int resetter(worker_t* me) {
  while (running()) {
    me->doing = "re-setting the shared timer";
    if (rng_chance(&me->rng, 300)) {
      CHECK_OK(zx_timer_cancel(shared_timer));
    } else {
      CHECK_OK(zx_timer_set(shared_timer,
                            zx_deadline_after((zx_duration_t)rng_below(&me->rng, 50) * 1000), 0));
    }
    me->ops++;
  }
  CHECK_OK(zx_timer_cancel(shared_timer));
  return 0;
}

static int shared_waiter(worker_t* me) {
  while (running()) {
    me->doing = "waiting on the shared timer";
    zx_status_t st = zx_object_wait_one(shared_timer, ZX_TIMER_SIGNALED,
                                        zx_deadline_after((zx_duration_t)rng_below(&me->rng, 200) *
                                                          1000),
                                        NULL);
    if (st != ZX_OK && st != ZX_ERR_TIMED_OUT) {
      fail(&statuses, "waiting on the shared timer: %s", zx_status_get_string(st));
    }
    me->ops++;
  }
  return 0;
}

int main(void) {
  stress_banner("timers");
  usage_t before = usage();
  bool set_up = zx_event_create(0, &quiet_event) == ZX_OK &&
                zx_timer_create(0, ZX_CLOCK_MONOTONIC, &shared_timer) == ZX_OK;
  for (int i = 0; i < OWNERS; i++) {
    set_up &= zx_timer_create(0, ZX_CLOCK_MONOTONIC, &timers[i]) == ZX_OK;
  }
  if (!set_up) {
    printf("1..0 # set-up failed\n");
    return 1;
  }
  for (int i = 0; i < OWNERS; i++) {
    add_worker("owner", i, owner);
  }
  add_worker("resetter", 0, resetter);
  add_worker("shared waiter", 0, shared_waiter);
  if (!run_workers()) {
    return 1;
  }
  print_workers("operations");
  printf("# %" PRIu64 " timers fired and were seen\n", fires);
  zx_handle_close(quiet_event);
  zx_handle_close(shared_timer);
  zx_handle_close_many(timers, OWNERS);

  plan(4);
  report(&fired);
  report(&statuses);
  check_no_leaks(&before);
  return done_testing();
}
