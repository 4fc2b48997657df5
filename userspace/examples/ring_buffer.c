// Two processes sharing memory: a producer and a consumer with a ring buffer in one VMO.
//
// Run as a program, this is the producer. It makes the VMO, starts itself a second time
// from the boot image as the consumer (zrk_launch_boot, <zrk/launch.h>), and sends it the
// VMO and one end of an event pair over a channel. Both map the VMO; the producer writes
// numbers into the ring and raises ZX_USER_SIGNAL_0 on the consumer's end of the event
// pair (zx_object_signal_peer) when there is something to read; the consumer takes them
// and raises the signal back when there is room. No futexes, no locks across processes:
// the head and tail words are each written by one side only.
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/status.h>
#include <zircon/syscalls.h>
#include <zrk/launch.h>
#include <zrk/startup.h>

#define SLOTS 64u
#define COUNT 10000u

typedef struct {
  _Atomic uint32_t head;  // written by the producer: the next slot it fills
  _Atomic uint32_t tail;  // written by the consumer: the next slot it takes
  uint64_t slots[SLOTS];
} ring_t;

static void check(zx_status_t status, const char* what) {
  if (status != ZX_OK) {
    printf("ring_buffer: %s: %s\n", what, zx_status_get_string(status));
    zx_process_exit(1);
  }
}

// Waits until the peer raises the signal, then lowers it again for next time.
static void wait_for_peer(zx_handle_t end) {
  check(zx_object_wait_one(end, ZX_USER_SIGNAL_0 | ZX_EVENTPAIR_PEER_CLOSED,
                           zx_deadline_after(ZX_SEC(10)), NULL),
        "waiting for the other side");
  check(zx_object_signal(end, ZX_USER_SIGNAL_0, 0), "clearing the signal");
}

static ring_t* map_ring(zx_handle_t vmo) {
  zx_vaddr_t addr = 0;
  check(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0,
                    sizeof(ring_t), &addr),
        "mapping the ring");
  return (ring_t*)addr;
}

static int consumer(zx_handle_t channel) {
  zx_handle_t handles[2];
  uint32_t actual_bytes = 0, actual_handles = 0;
  check(zx_object_wait_one(channel, ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, NULL), "waiting");
  check(zx_channel_read(channel, 0, NULL, handles, 0, 2, &actual_bytes, &actual_handles),
        "reading the VMO and the event pair");
  ring_t* ring = map_ring(handles[0]);
  zx_handle_t end = handles[1];
  uint64_t sum = 0;
  for (uint32_t taken = 0; taken < COUNT;) {
    uint32_t head = atomic_load_explicit(&ring->head, memory_order_acquire);
    uint32_t tail = atomic_load_explicit(&ring->tail, memory_order_relaxed);
    if (head == tail) {
      wait_for_peer(end);
      continue;
    }
    while (tail != head) {
      sum += ring->slots[tail % SLOTS];
      tail++;
      taken++;
    }
    atomic_store_explicit(&ring->tail, tail, memory_order_release);
    check(zx_object_signal_peer(end, 0, ZX_USER_SIGNAL_0), "signalling room");
  }
  // The answer goes back on the channel: the producer checks it.
  check(zx_channel_write(channel, 0, &sum, sizeof sum, NULL, 0), "answering");
  return 0;
}

static int producer(void) {
  zx_handle_t vmo, channel[2], ends[2], process;
  check(zx_vmo_create(sizeof(ring_t), 0, &vmo), "creating the ring");
  check(zx_channel_create(0, &channel[0], &channel[1]), "creating the channel");
  check(zx_eventpair_create(0, &ends[0], &ends[1]), "creating the event pair");
  ring_t* ring = map_ring(vmo);

  const char* argv[] = {"ring_buffer", "consumer"};
  check(zrk_launch_boot(zx_job_default(), "ring_buffer", 2, argv, channel[1], &process),
        "starting the consumer");
  // The VMO and the consumer's end travel with their rights and koids.
  zx_handle_t gift[] = {vmo, ends[1]};
  check(zx_channel_write(channel[0], 0, NULL, 0, gift, 2), "sending the VMO");

  uint64_t expected = 0;
  for (uint32_t made = 0; made < COUNT;) {
    uint32_t head = atomic_load_explicit(&ring->head, memory_order_relaxed);
    uint32_t tail = atomic_load_explicit(&ring->tail, memory_order_acquire);
    if (head - tail == SLOTS) {
      wait_for_peer(ends[0]);
      continue;
    }
    while (head - tail < SLOTS && made < COUNT) {
      uint64_t value = (uint64_t)made * made;
      ring->slots[head % SLOTS] = value;
      expected += value;
      head++;
      made++;
    }
    atomic_store_explicit(&ring->head, head, memory_order_release);
    check(zx_object_signal_peer(ends[0], 0, ZX_USER_SIGNAL_0), "signalling data");
  }

  uint64_t sum = 0;
  uint32_t actual_bytes = 0, actual_handles = 0;
  check(zx_object_wait_one(channel[0], ZX_CHANNEL_READABLE, zx_deadline_after(ZX_SEC(10)),
                           NULL),
        "waiting for the consumer's answer");
  check(zx_channel_read(channel[0], 0, &sum, NULL, sizeof sum, 0, &actual_bytes,
                        &actual_handles),
        "reading the answer");
  check(zx_object_wait_one(process, ZX_PROCESS_TERMINATED, zx_deadline_after(ZX_SEC(10)), NULL),
        "waiting for the consumer to end");
  zx_info_process_t info;
  check(zx_object_get_info(process, ZX_INFO_PROCESS, &info, sizeof info, NULL, NULL), "info");
  printf("producer: %u numbers through a %u-slot ring shared with another process\n", COUNT,
         SLOTS);
  printf("producer: consumer's sum %llu, expected %llu; consumer exited %lld\n",
         (unsigned long long)sum, (unsigned long long)expected, (long long)info.return_code);
  return sum == expected && info.return_code == 0 ? 0 : 1;
}

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "consumer") == 0) {
    return consumer(zrk_startup()->user0);
  }
  return producer();
}
