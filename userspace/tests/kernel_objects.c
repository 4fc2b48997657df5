// This kernel's own ZRK_INFO_KERNEL_OBJECTS topic (not Fuchsia's): live kernel objects
// by type, on the info resource, for leak checks.
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zircon/zrk-startup.h>
#include <zrk/startup.h>
#include <zrk/test.h>

static zrk_info_kernel_objects_t counts(void) {
  zrk_info_kernel_objects_t c = {0};
  zx_status_t status = zx_object_get_info(zrk_startup()->info_resource, ZRK_INFO_KERNEL_OBJECTS,
                                          &c, sizeof c, NULL, NULL);
  EXPECT_OK(status);
  return c;
}

TEST(counts_follow_objects_and_handles) {
  zrk_info_kernel_objects_t before = counts();
  EXPECT_GE(before.processes, 1);
  EXPECT_GE(before.threads, 1);
  EXPECT_GE(before.vmars, 1);
  EXPECT_GE(before.handles, 5);
  zx_handle_t vmo, dup, child;
  ASSERT_OK(zx_vmo_create(4096, 0, &vmo));
  ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_SAME_RIGHTS, &dup));
  ASSERT_OK(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SNAPSHOT, 0, 4096, &child));
  zrk_info_kernel_objects_t during = counts();
  EXPECT_EQ(during.vmos, before.vmos + 2);
  EXPECT_EQ(during.handles, before.handles + 3);
  zx_handle_t handles[] = {vmo, dup, child};
  EXPECT_OK(zx_handle_close_many(handles, 3));
  zrk_info_kernel_objects_t after = counts();
  EXPECT_EQ(after.vmos, before.vmos);
  EXPECT_EQ(after.handles, before.handles);
  EXPECT_EQ(after.processes, before.processes);
}

TEST(needs_the_info_resource) {
  zrk_info_kernel_objects_t c;
  EXPECT_STATUS(zx_object_get_info(zx_process_self(), ZRK_INFO_KERNEL_OBJECTS, &c, sizeof c, NULL,
                                   NULL),
                ZX_ERR_WRONG_TYPE);
  EXPECT_STATUS(zx_object_get_info(zrk_startup()->vmex_resource, ZRK_INFO_KERNEL_OBJECTS, &c,
                                   sizeof c, NULL, NULL),
                ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_object_get_info(zrk_startup()->info_resource, ZRK_INFO_KERNEL_OBJECTS, &c,
                                   sizeof c - 1, NULL, NULL),
                ZX_ERR_BUFFER_TOO_SMALL);
}

int main(void) { return run_tests(); }
