// Kernel memory follows demand (issue 13), under pressure: kernel objects (events, VMOs,
// unstarted threads) are made until the kernel answers ZX_ERR_NO_MEMORY (never a panic),
// once with all of RAM to take from and once with nearly all of it already committed to
// a VMO, so that the kernel heap itself is what runs dry. Closing everything brings the
// kernel's free memory (ZX_INFO_KMEM_STATS free_bytes), its heap and its object counts
// (ZRK_INFO_KERNEL_OBJECTS) back exactly.
//
// zrk-test: append mem=64M
#include <stdbool.h>
#include <stdlib.h>

#include <zrk/vmo_util.h>

// Enough for what 64 MiB holds; the handle table stops a process at 16 Ki handles.
#define MAX_OBJECTS 16384
#define GIB (1ull << 30)

struct snapshot {
  zx_info_kmem_stats_t kmem;
  zrk_info_kernel_objects_t objects;
};

static struct snapshot snapshot(void) {
  struct snapshot s;
  memset(&s, 0, sizeof s);
  s.kmem = kmem();
  EXPECT_OK(zx_object_get_info(zrk_startup()->info_resource, ZRK_INFO_KERNEL_OBJECTS, &s.objects,
                               sizeof s.objects, NULL, NULL));
  return s;
}

static void expect_same(const struct snapshot* now, const struct snapshot* before) {
  EXPECT_EQ(now->kmem.free_bytes, before->kmem.free_bytes);
  EXPECT_EQ(now->kmem.total_heap_bytes, before->kmem.total_heap_bytes);
  EXPECT_EQ(now->kmem.vmo_bytes, before->kmem.vmo_bytes);
  EXPECT_EQ(now->objects.events, before->objects.events);
  EXPECT_EQ(now->objects.vmos, before->objects.vmos);
  EXPECT_EQ(now->objects.threads, before->objects.threads);
  EXPECT_EQ(now->objects.handles, before->objects.handles);
}

static zx_handle_t handles[MAX_OBJECTS];

// Makes events, VMOs and (with `threads`) threads in turn until one fails; returns how
// many handles it made and the failure in *status.
static size_t make_until_failure(bool threads, zx_status_t* status, size_t counts[3]) {
  size_t n = 0;
  *status = ZX_OK;
  counts[0] = counts[1] = counts[2] = 0;
  while (n < MAX_OBJECTS) {
    int kind = (int)(n % (threads ? 3 : 2));
    switch (kind) {
      case 0:
        *status = zx_event_create(0, &handles[n]);
        break;
      case 1:
        *status = zx_vmo_create(PAGE, 0, &handles[n]);
        break;
      default:
        *status = zx_thread_create(zx_process_self(), "pressure", 8, 0, &handles[n]);
        break;
    }
    if (*status != ZX_OK) {
      break;
    }
    counts[kind]++;
    n++;
  }
  return n;
}

static void close_handles(size_t n) {
  for (size_t i = 0; i < n; i++) {
    EXPECT_OK(zx_handle_close(handles[i]));
  }
}

// Grows this process's handle table to its limit once, so that tables kept by the
// process do not count against the cases below.
static void grow_handle_table(void) {
  size_t n = 0;
  while (n < MAX_OBJECTS && zx_event_create(0, &handles[n]) == ZX_OK) {
    n++;
  }
  close_handles(n);
}

TEST(objects_until_no_memory_then_all_back) {
  grow_handle_table();
  // A first round reaches the high-water marks the kernel keeps (run queues keep room
  // for as many threads as ever lived at once); the second is compared exactly.
  zx_status_t status;
  size_t counts[3];
  close_handles(make_until_failure(true, &status, counts));
  EXPECT_STATUS(status, ZX_ERR_NO_MEMORY);
  struct snapshot before = snapshot();
  size_t n = make_until_failure(true, &status, counts);
  struct snapshot during = snapshot();
  printf("# %zu events, %zu VMOs, %zu threads, then %s; heap %" PRIu64 " KiB, %" PRIu64
         " KiB free\n",
         counts[0], counts[1], counts[2], zx_status_get_string(status),
         during.kmem.total_heap_bytes >> 10, during.kmem.free_bytes >> 10);
  EXPECT_STATUS(status, ZX_ERR_NO_MEMORY);
  EXPECT_GT(counts[2], 100);
  close_handles(n);
  struct snapshot after = snapshot();
  expect_same(&after, &before);
}

TEST(with_ram_taken_the_heap_runs_dry_and_comes_back) {
  grow_handle_table();
  struct snapshot before = snapshot();
  // Commit all but 512 KiB of free memory to one VMO: the heap can only grow into that,
  // and its reserve, before events and VMOs get NO_MEMORY.
  zx_handle_t hog;
  ASSERT_OK(zx_vmo_create(GIB, 0, &hog));
  uint64_t take = before.kmem.free_bytes - 512 * 1024;
  ASSERT_OK(zx_vmo_op_range(hog, ZX_VMO_OP_COMMIT, 0, take, NULL, 0));
  zx_status_t status;
  size_t counts[3];
  size_t n = make_until_failure(false, &status, counts);
  struct snapshot during = snapshot();
  printf("# %zu events, %zu VMOs, then %s; heap %" PRIu64 " KiB, %" PRIu64 " KiB free\n",
         counts[0], counts[1], zx_status_get_string(status), during.kmem.total_heap_bytes >> 10,
         during.kmem.free_bytes >> 10);
  EXPECT_STATUS(status, ZX_ERR_NO_MEMORY);
  EXPECT_GT(counts[0], 100);
  EXPECT_LT(during.kmem.free_bytes, 64 * 1024);
  // A VMO may have been what failed (its node table is whole pages, which only free
  // memory gives); events alone, small objects, go on into the heap's reserve until
  // the kernel refuses them too, well before the handle table is full.
  size_t events = 0;
  while (n < MAX_OBJECTS && (status = zx_event_create(0, &handles[n])) == ZX_OK) {
    n++;
    events++;
  }
  printf("# then %zu more events, then %s\n", events, zx_status_get_string(status));
  EXPECT_STATUS(status, ZX_ERR_NO_MEMORY);
  close_handles(n);
  zx_handle_t h;
  // With the objects gone the heap has room again.
  EXPECT_OK(zx_event_create(0, &h));
  EXPECT_OK(zx_handle_close(h));
  EXPECT_OK(zx_handle_close(hog));
  struct snapshot after = snapshot();
  expect_same(&after, &before);
}

int main(void) { return run_tests(); }
