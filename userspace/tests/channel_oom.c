// Channels against memory exhaustion: messages of 64 KiB live in kernel heap memory,
// which takes frames as it needs them; writing them until memory runs out gets
// ZX_ERR_NO_MEMORY (never a kernel panic), and draining or closing the channels gives
// every byte and object back (ZX_INFO_KMEM_STATS: free memory outside the heap plus the
// heap, and the heap's bytes in use; object counts from ZRK_INFO_KERNEL_OBJECTS).
#include <stdlib.h>
#include <zrk/channel_util.h>
#include <zrk/test.h>

// Messages per channel: well below the 3500 that would kill the writer.
#define PER_CHANNEL 100
#define MAX_CHANNELS 2000

static uint8_t message[ZX_CHANNEL_MAX_MSG_BYTES];
static zx_handle_t ends[MAX_CHANNELS][2];

// Fills channels with 64 KiB messages until a write or a create fails; returns that
// status and the number of messages and channels made.
static zx_status_t fill(int* messages, int* channels) {
  *messages = 0;
  *channels = 0;
  for (int c = 0; c < MAX_CHANNELS; c++) {
    zx_status_t s = zx_channel_create(0, &ends[c][0], &ends[c][1]);
    if (s != ZX_OK) return s;
    *channels = c + 1;
    for (int m = 0; m < PER_CHANNEL; m++) {
      message[0] = (uint8_t)m;
      message[1] = (uint8_t)c;
      s = zx_channel_write(ends[c][0], 0, message, sizeof message, NULL, 0);
      if (s != ZX_OK) return s;
      (*messages)++;
    }
  }
  return ZX_ERR_INTERNAL;  // never ran out
}

// Free memory outside the heap plus the heap's own size: constant unless frames leak.
static uint64_t free_memory(zx_info_kmem_stats_t s) { return s.free_bytes + s.total_heap_bytes; }
// The heap's bytes in use.
static uint64_t heap_used(zx_info_kmem_stats_t s) { return s.total_heap_bytes - s.free_heap_bytes; }

static void close_all(int channels) {
  for (int c = 0; c < channels; c++) {
    zx_handle_close(ends[c][0]);
    zx_handle_close(ends[c][1]);
  }
}

TEST(filling_the_heap_is_no_memory_and_draining_gives_it_back) {
  for (size_t i = 0; i < sizeof message; i++) message[i] = (uint8_t)(i * 31);
  // A first round, so that what grows once and stays (this process's handle table)
  // has grown before the counts are taken.
  int first, first_channels;
  EXPECT_STATUS(fill(&first, &first_channels), ZX_ERR_NO_MEMORY);
  close_all(first_channels);
  zx_info_kmem_stats_t before = kmem_stats();
  zrk_info_kernel_objects_t objects = kernel_objects();
  int messages, channels;
  EXPECT_STATUS(fill(&messages, &channels), ZX_ERR_NO_MEMORY);
  printf("# %d messages of 64 KiB in %d channels; %" PRIu64 " bytes free outside the heap\n",
         messages, channels, kmem_stats().free_bytes);
  EXPECT_GT(messages, 0);
  EXPECT_GE(messages, first - 16);
  EXPECT_EQ(kernel_objects().channels, objects.channels + 2 * (uint64_t)channels);
  // Read every message back, whole and in order, from half the channels.
  static uint8_t in[ZX_CHANNEL_MAX_MSG_BYTES];
  int read = 0;
  for (int c = 0; c < channels; c += 2) {
    for (int m = 0; m < PER_CHANNEL; m++) {
      uint32_t nb = 0;
      zx_status_t s = zx_channel_read(ends[c][1], 0, in, NULL, sizeof in, 0, &nb, NULL);
      if (s == ZX_ERR_SHOULD_WAIT) break;
      ASSERT_OK(s);
      ASSERT_EQ(nb, sizeof in);
      ASSERT_EQ(in[0], (uint8_t)m);
      ASSERT_EQ(in[1], (uint8_t)c);
      ASSERT_EQ(memcmp(in + 2, message + 2, sizeof in - 2), 0);
      read++;
    }
  }
  EXPECT_GT(read, 0);
  // Close the rest with their messages still queued.
  close_all(channels);
  zx_info_kmem_stats_t after = kmem_stats();
  zrk_info_kernel_objects_t objects_after = kernel_objects();
  EXPECT_EQ(heap_used(after), heap_used(before));
  EXPECT_EQ(free_memory(after), free_memory(before));
  EXPECT_EQ(objects_after.channels, objects.channels);
  EXPECT_EQ(objects_after.handles, objects.handles);
}

TEST(a_create_past_the_heap_is_no_memory) {
  zx_info_kmem_stats_t before = kmem_stats();
  int messages, channels;
  EXPECT_STATUS(fill(&messages, &channels), ZX_ERR_NO_MEMORY);
  // With the heap full of messages, small writes and creates fail too, cleanly.
  zx_handle_t a, b;
  zx_status_t s = zx_channel_create(0, &a, &b);
  if (s == ZX_OK) {
    // Room for a pair was left; a big message still does not fit.
    EXPECT_STATUS(zx_channel_write(a, 0, message, sizeof message, NULL, 0), ZX_ERR_NO_MEMORY);
    zx_handle_close(a);
    zx_handle_close(b);
  } else {
    EXPECT_STATUS(s, ZX_ERR_NO_MEMORY);
  }
  close_all(channels);
  EXPECT_EQ(heap_used(kmem_stats()), heap_used(before));
  EXPECT_EQ(free_memory(kmem_stats()), free_memory(before));
}

int main(void) { return run_tests(); }
