// Kernel memory follows demand (issue 13): a chain of 12,000 one-page snapshots, each
// the snapshot of the one before, fits on the default 512 MiB. A kernel heap of a fixed
// 1/32 of RAM stopped such a chain at 8,191 with NO_MEMORY while almost all RAM was
// free. Closing the chain gives back every byte (ZX_INFO_KMEM_STATS free_bytes, and the
// heap's own size) and every object (ZRK_INFO_KERNEL_OBJECTS).
//
// The first chain also grows this process's handle table for good (a table keeps its
// slots), so the exact comparison is made around a second, identical chain.
#include <stdlib.h>

#include <zrk/vmo_util.h>

#define CHAIN 12000

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

static zx_handle_t chain[CHAIN + 1];

// Builds the chain; returns how many snapshots were made (all of them, or where the
// first failure stopped it, reported in *status).
static size_t build_chain(zx_status_t* status) {
  *status = zx_vmo_create(PAGE, 0, &chain[0]);
  if (*status != ZX_OK) {
    return 0;
  }
  uint64_t tag = 0x5eed;
  EXPECT_OK(zx_vmo_write(chain[0], &tag, 0, sizeof tag));
  size_t made = 0;
  while (made < CHAIN) {
    *status = zx_vmo_create_child(chain[made], ZX_VMO_CHILD_SNAPSHOT, 0, PAGE, &chain[made + 1]);
    if (*status != ZX_OK) {
      break;
    }
    made++;
  }
  return made;
}

static void close_chain(size_t made) {
  for (size_t i = 0; i <= made; i++) {
    EXPECT_OK(zx_handle_close(chain[i]));
  }
}

TEST(a_chain_of_12000_snapshots_fits_and_closing_it_returns_everything) {
  struct snapshot first = snapshot();
  zx_status_t status;
  size_t made = build_chain(&status);
  printf("# first chain: %zu snapshots (%s)\n", made, zx_status_get_string(status));
  ASSERT_EQ(made, CHAIN);
  // The tip still reads the root's page, through every ancestor.
  uint64_t tag = 0;
  EXPECT_OK(zx_vmo_read(chain[CHAIN], &tag, 0, sizeof tag));
  EXPECT_EQ(tag, 0x5eed);
  close_chain(made);

  struct snapshot before = snapshot();
  printf("# after the first chain: %" PRIu64 " KiB less free (this process's handle table)\n",
         (first.kmem.free_bytes - before.kmem.free_bytes) >> 10);
  made = build_chain(&status);
  ASSERT_EQ(made, CHAIN);
  struct snapshot during = snapshot();
  printf("# with the chain: heap %" PRIu64 " KiB (%" PRIu64 " KiB before), free %" PRIu64
         " KiB less\n",
         during.kmem.total_heap_bytes >> 10, before.kmem.total_heap_bytes >> 10,
         (before.kmem.free_bytes - during.kmem.free_bytes) >> 10);
  // The heap grew out of free memory: free bytes dropped by at least the heap's growth.
  EXPECT_GT(during.kmem.total_heap_bytes, before.kmem.total_heap_bytes + CHAIN * 64);
  EXPECT_GE(before.kmem.free_bytes - during.kmem.free_bytes,
            during.kmem.total_heap_bytes - before.kmem.total_heap_bytes);
  EXPECT_EQ(during.objects.vmos, before.objects.vmos + CHAIN + 1);
  close_chain(made);

  struct snapshot after = snapshot();
  EXPECT_EQ(after.kmem.free_bytes, before.kmem.free_bytes);
  EXPECT_EQ(after.kmem.total_heap_bytes, before.kmem.total_heap_bytes);
  EXPECT_EQ(after.kmem.vmo_bytes, before.kmem.vmo_bytes);
  EXPECT_EQ(after.objects.vmos, before.objects.vmos);
  EXPECT_EQ(after.objects.handles, before.objects.handles);
  EXPECT_EQ(after.objects.vmos, first.objects.vmos);
  EXPECT_EQ(after.objects.handles, first.objects.handles);
}

int main(void) { return run_tests(); }
