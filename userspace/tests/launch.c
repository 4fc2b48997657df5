// zrk_launch (<zrk/launch.h>): a static ELF from a VMO into a new process. Every test
// program is itself started by zrk-init through it, so its success path runs all the
// time; these cases pin what it checks and that it leaves nothing behind, with a tiny
// ELF built here (one R|X segment whose code exits with 42).
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zrk/child_process.h>
#include <zrk/launch.h>
#include <zrk/test.h>

#define BASE 0x400000u

typedef struct {
  uint8_t ident[16];
  uint16_t type, machine;
  uint32_t version;
  uint64_t entry, phoff, shoff;
  uint32_t flags;
  uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
  // One program header.
  uint32_t p_type, p_flags;
  uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
  uint32_t code[4];
} tiny_elf_t;

static tiny_elf_t tiny_elf(void) {
  tiny_elf_t e;
  memset(&e, 0, sizeof e);
  memcpy(e.ident, "\177ELF\2\1\1", 7);
  e.type = 2;  // ET_EXEC
  e.machine = 183;  // EM_AARCH64
  e.version = 1;
  e.entry = BASE + offsetof(tiny_elf_t, code);
  e.phoff = offsetof(tiny_elf_t, p_type);
  e.ehsize = 64;
  e.phentsize = 56;
  e.phnum = 1;
  e.p_type = 1;  // PT_LOAD
  e.p_flags = 5;  // R|X
  e.p_vaddr = e.p_paddr = BASE;
  e.p_filesz = e.p_memsz = sizeof e;
  e.p_align = 4096;
  e.code[0] = 0xd2800540u;  // mov x0, #42
  e.code[1] = 0xd2800010u | (ZRK_SYS_process_exit << 5);  // mov x16, #process_exit
  e.code[2] = 0xd4000001u;  // svc #0
  e.code[3] = 0xd4207d00u;  // brk #0x3e8
  return e;
}

static zx_handle_t elf_vmo(const tiny_elf_t* e) {
  zx_handle_t vmo = ZX_HANDLE_INVALID;
  zx_vmo_create(sizeof *e, 0, &vmo);
  zx_vmo_write(vmo, e, 0, sizeof *e);
  return vmo;
}

static zx_handle_t new_job(void) {
  zx_handle_t job = ZX_HANDLE_INVALID;
  zx_job_create(zx_job_default(), 0, &job);
  return job;
}

TEST(a_launched_program_runs_and_exits_with_its_code) {
  tiny_elf_t e = tiny_elf();
  zx_handle_t vmo = elf_vmo(&e), job = new_job(), process = ZX_HANDLE_INVALID;
  const char* argv[] = {"tiny", "an argument"};
  ASSERT_EQ(zrk_launch(job, "tiny", vmo, 2, argv, NULL, 0, &process), ZX_OK);
  EXPECT_OK(zx_object_wait_one(process, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, NULL));
  zx_info_process_t info = {0};
  EXPECT_OK(zx_object_get_info(process, ZX_INFO_PROCESS, &info, sizeof info, NULL, NULL));
  EXPECT_EQ(info.return_code, 42);
  char name[ZX_MAX_NAME_LEN] = {0};
  EXPECT_OK(zx_object_get_property(process, ZX_PROP_NAME, name, sizeof name));
  EXPECT_EQ(strcmp(name, "tiny"), 0);
  zx_handle_close(process);
  zx_handle_close(job);
  zx_handle_close(vmo);
}

// Launches |e| with an event to pass on; returns the status and whether the event
// handle was consumed.
static zx_status_t launch_with_event(const tiny_elf_t* e, uint32_t slot, bool* consumed) {
  zx_handle_t vmo = elf_vmo(e), job = new_job(), event = ZX_HANDLE_INVALID;
  zx_event_create(0, &event);
  zrk_launch_handle_t handles[] = {{slot, event}};
  zx_handle_t process = ZX_HANDLE_INVALID;
  zx_status_t status = zrk_launch(job, "bad", vmo, 0, NULL, handles, 1, &process);
  *consumed = zx_handle_close(event) == ZX_ERR_BAD_HANDLE;
  if (status == ZX_OK) {
    zx_object_wait_one(process, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, NULL);
    zx_handle_close(process);
  }
  zx_task_kill(job);
  zx_handle_close(job);
  zx_handle_close(vmo);
  return status;
}

TEST(what_the_loader_refuses_and_handles_are_consumed_anyway) {
  bool consumed = false;
  tiny_elf_t e = tiny_elf();
  EXPECT_OK(launch_with_event(&e, ZRK_LAUNCH_SLOT(job), &consumed));
  EXPECT_TRUE(consumed);

  e = tiny_elf();
  e.ident[1] = 'X';
  EXPECT_STATUS(launch_with_event(&e, ZRK_LAUNCH_SLOT(job), &consumed), ZX_ERR_NOT_SUPPORTED);
  EXPECT_TRUE(consumed);

  e = tiny_elf();
  e.type = 3;  // ET_DYN
  EXPECT_STATUS(launch_with_event(&e, ZRK_LAUNCH_SLOT(job), &consumed), ZX_ERR_NOT_SUPPORTED);

  e = tiny_elf();
  e.machine = 62;  // x86-64
  EXPECT_STATUS(launch_with_event(&e, ZRK_LAUNCH_SLOT(job), &consumed), ZX_ERR_NOT_SUPPORTED);

  e = tiny_elf();
  e.p_flags = 7;  // R|W|X: W^X
  EXPECT_STATUS(launch_with_event(&e, ZRK_LAUNCH_SLOT(job), &consumed), ZX_ERR_NOT_SUPPORTED);

  e = tiny_elf();
  e.p_flags = 6;  // R|W: the entry point is not executable
  EXPECT_STATUS(launch_with_event(&e, ZRK_LAUNCH_SLOT(job), &consumed), ZX_ERR_NOT_SUPPORTED);

  e = tiny_elf();
  e.p_vaddr = 0x1000;  // below the user address space
  EXPECT_STATUS(launch_with_event(&e, ZRK_LAUNCH_SLOT(job), &consumed), ZX_ERR_NOT_SUPPORTED);

  // The launcher's own slots, and fields that are not handles, are refused.
  e = tiny_elf();
  EXPECT_STATUS(launch_with_event(&e, ZRK_LAUNCH_SLOT(process), &consumed),
                ZX_ERR_INVALID_ARGS);
  EXPECT_TRUE(consumed);
  EXPECT_STATUS(launch_with_event(&e, ZRK_LAUNCH_SLOT(stack_size), &consumed),
                ZX_ERR_INVALID_ARGS);
  EXPECT_TRUE(consumed);
}

TEST(long_arguments_are_out_of_range) {
  static char big[5000];
  memset(big, 'a', sizeof big - 1);
  const char* argv[] = {"tiny", big};
  tiny_elf_t e = tiny_elf();
  zx_handle_t vmo = elf_vmo(&e), job = new_job(), process = ZX_HANDLE_INVALID;
  EXPECT_STATUS(zrk_launch(job, "tiny", vmo, 2, argv, NULL, 0, &process), ZX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(process, ZX_HANDLE_INVALID);
  zx_handle_close(job);
  zx_handle_close(vmo);
}

TEST(launching_leaves_nothing_behind) {
  tiny_elf_t e = tiny_elf();
  zx_handle_t vmo = elf_vmo(&e), job = new_job(), process;
  // A first round reaches the heap's high-water marks.
  ASSERT_EQ(zrk_launch(job, "tiny", vmo, 0, NULL, NULL, 0, &process), ZX_OK);
  zx_object_wait_one(process, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, NULL);
  zx_handle_close(process);
  zx_nanosleep(zx_deadline_after(ZX_MSEC(20)));  // its thread is freed by a later switch
  zrk_usage_t before = zrk_usage();
  for (int i = 0; i < 10; i++) {
    ASSERT_EQ(zrk_launch(job, "tiny", vmo, 0, NULL, NULL, 0, &process), ZX_OK);
    zx_object_wait_one(process, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, NULL);
    zx_handle_close(process);
  }
  zrk_usage_t after = zrk_usage_settled(&before);
  EXPECT_EQ(after.free_bytes, before.free_bytes);
  EXPECT_EQ(after.objects.processes, before.objects.processes);
  EXPECT_EQ(after.objects.handles, before.objects.handles);
  zx_handle_close(job);
  zx_handle_close(vmo);
}

int main(void) { return run_tests(); }
