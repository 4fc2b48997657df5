// The start-up contract between the kernel and crt0: the block in x0 (magic, version,
// argc/argv, handles, stack bounds), and what crt0 does with it before main (.bss
// zeroed, .data loaded, constructors run, <zircon/process.h> answering from the block).
#include <stdint.h>
#include <string.h>

#include <zircon/process.h>
#include <zircon/syscalls/object.h>
#include <zrk/startup.h>
#include <zrk/test.h>

static int saved_argc;
static char** saved_argv;

static int constructor_ran;
__attribute__((constructor)) static void note_constructor(void) { constructor_ran = 1; }

static char zero_filled[20000];
static int initialised = 0x5eed;

TEST(the_block_has_magic_and_version) {
  const zrk_startup_t* block = zrk_startup();
  ASSERT_NE(block, NULL);
  EXPECT_EQ(block->magic, ZRK_STARTUP_MAGIC);
  EXPECT_EQ(block->version, ZRK_STARTUP_VERSION);
  EXPECT_EQ(block->version, 3u);
}

TEST(every_program_gets_the_boot_image_read_only) {
  // zrk-init starts the programs from it, and passes it on (Fuchsia's /boot).
  zx_handle_t image = zrk_startup()->boot_image;
  zx_info_handle_basic_t basic = {0};
  ASSERT_OK(zx_object_get_info(image, ZX_INFO_HANDLE_BASIC, &basic, sizeof basic, NULL, NULL));
  EXPECT_EQ(basic.type, ZX_OBJ_TYPE_VMO);
  EXPECT_EQ(basic.rights & ZX_RIGHT_WRITE, 0u);
  EXPECT_NE(basic.rights & ZX_RIGHT_READ, 0u);
  char magic[6] = {0};
  EXPECT_OK(zx_vmo_read(image, magic, 0, sizeof magic));
  EXPECT_EQ(memcmp(magic, "070701", 6), 0);  // a newc cpio archive
  EXPECT_STATUS(zx_vmo_write(image, magic, 0, 1), ZX_ERR_ACCESS_DENIED);
  EXPECT_EQ(zrk_startup()->user0, ZX_HANDLE_INVALID);
}

TEST(main_gets_argc_and_argv_from_the_block) {
  const zrk_startup_t* block = zrk_startup();
  EXPECT_GE(saved_argc, 1);
  EXPECT_EQ(saved_argc, block->argc);
  EXPECT_EQ(saved_argv, block->argv);
  ASSERT_NE(saved_argv[0], NULL);
  EXPECT_EQ(strcmp(saved_argv[0], "startup"), 0);
  EXPECT_EQ(saved_argv[saved_argc], NULL);
}

TEST(argv_lives_in_the_blocks_page) {
  uintptr_t page = (uintptr_t)zrk_startup() & ~(uintptr_t)4095;
  EXPECT_EQ((uintptr_t)saved_argv & ~(uintptr_t)4095, page);
  EXPECT_EQ((uintptr_t)saved_argv[0] & ~(uintptr_t)4095, page);
}

TEST(process_h_answers_from_the_block) {
  const zrk_startup_t* block = zrk_startup();
  EXPECT_EQ(zx_process_self(), block->process);
  EXPECT_EQ(zx_vmar_root_self(), block->vmar_root);
  EXPECT_EQ(zx_thread_self(), block->thread);
  EXPECT_EQ(zx_job_default(), block->job);
  EXPECT_EQ(_zx_job_default(), block->job);
  EXPECT_EQ(_zx_process_self(), block->process);
  EXPECT_EQ(_zx_thread_self(), block->thread);
}

TEST(startup_handles_have_their_types) {
  const zrk_startup_t* block = zrk_startup();
  const struct {
    zx_handle_t handle;
    zx_obj_type_t type;
  } expected[] = {
      {block->process, ZX_OBJ_TYPE_PROCESS},
      {block->vmar_root, ZX_OBJ_TYPE_VMAR},
      {block->thread, ZX_OBJ_TYPE_THREAD},
      {block->job, ZX_OBJ_TYPE_JOB},
  };
  for (size_t i = 0; i < 4; i++) {
    TEST_CONTEXT("handle %zu", i);
    zx_info_handle_basic_t info;
    ASSERT_OK(zx_object_get_info(expected[i].handle, ZX_INFO_HANDLE_BASIC, &info, sizeof info,
                                 NULL, NULL));
    EXPECT_EQ(info.type, expected[i].type);
  }
}

// The resources later issues hand out: either not handed out (ZX_HANDLE_INVALID) or a
// live resource handle.
TEST(resources_are_absent_or_resource_handles) {
  const zx_handle_t resources[] = {zrk_startup()->vmex_resource, zrk_startup()->info_resource};
  for (size_t i = 0; i < 2; i++) {
    if (resources[i] == ZX_HANDLE_INVALID) {
      continue;
    }
    TEST_CONTEXT("%s resource", i == 0 ? "vmex" : "info");
    zx_info_handle_basic_t info;
    ASSERT_OK(zx_object_get_info(resources[i], ZX_INFO_HANDLE_BASIC, &info, sizeof info, NULL,
                                 NULL));
    EXPECT_EQ(info.type, ZX_OBJ_TYPE_RESOURCE);
  }
}

// The job: the program's own, with the default job rights, a child of the root job; the
// process is in it.
TEST(the_job_is_the_processs_own_with_default_rights) {
  zx_info_handle_basic_t job, process;
  ASSERT_OK(zx_object_get_info(zx_job_default(), ZX_INFO_HANDLE_BASIC, &job, sizeof job, NULL,
                               NULL));
  EXPECT_EQ(job.rights, ZX_DEFAULT_JOB_RIGHTS);
  EXPECT_NE(job.related_koid, ZX_KOID_INVALID);  // the root job
  ASSERT_OK(zx_object_get_info(zx_process_self(), ZX_INFO_HANDLE_BASIC, &process,
                               sizeof process, NULL, NULL));
  EXPECT_EQ(process.related_koid, job.koid);
}

TEST(the_stack_is_where_the_block_says) {
  const zrk_startup_t* block = zrk_startup();
  uintptr_t here = (uintptr_t)__builtin_frame_address(0);
  EXPECT_GE(here, block->stack_base);
  EXPECT_LT(here, block->stack_base + block->stack_size);
  EXPECT_GE(block->stack_size, 64 * 1024);
  EXPECT_EQ(block->stack_base % 4096, 0);
  EXPECT_EQ(block->stack_size % 4096, 0);
  // A deep-ish frame works: 32 KiB of stack, touched.
  volatile char big[32768];
  big[0] = 1;
  big[sizeof big - 1] = 2;
  EXPECT_EQ(big[0] + big[sizeof big - 1], 3);
}

TEST(bss_is_zero_and_data_is_loaded) {
  int nonzero = 0;
  for (size_t i = 0; i < sizeof zero_filled; i++) {
    nonzero |= zero_filled[i];
  }
  EXPECT_EQ(nonzero, 0);
  EXPECT_EQ(initialised, 0x5eed);
}

TEST(constructors_ran_before_main) { EXPECT_EQ(constructor_ran, 1); }

TEST(thread_pointer_is_set) { EXPECT_NE((uintptr_t)__builtin_thread_pointer(), 0); }

int main(int argc, char** argv) {
  saved_argc = argc;
  saved_argv = argv;
  return run_tests();
}
