// Another process's memory: a VMO mapped in this process and in a child is one memory,
// both ways (the child reads what this process wrote and writes what this process then
// reads); zx_process_read_memory (digest part 2, 7.7) with its errors in Zircon's order;
// zx_process_write_memory is NOT_SUPPORTED without the debugging_syscalls option
// (process_write_memory.c boots with it). A dead child takes all its memory and objects
// with it.
#include <string.h>

#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zrk/child_process.h>
#include <zrk/handle_util.h>
#include <zrk/test.h>

TEST(a_shared_vmo_is_coherent_both_ways) {
  zrk_usage_t before = zrk_usage();
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(4096, 0, &vmo));
  uintptr_t mine;
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, 4096,
                        &mine));
  volatile uint32_t* words = (volatile uint32_t*)mine;
  zrk_child_t c;
  ASSERT_OK(zrk_child_create(zx_job_default(), "echo", ZRK_CHILD_ECHO,
                             ZRK_CHILD_LEN(ZRK_CHILD_ECHO), &c));
  uintptr_t theirs;
  ASSERT_OK(zrk_child_map(&c, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 4096, &theirs));
  ASSERT_OK(zrk_child_start(&c, ZX_HANDLE_INVALID, theirs));
  // The child waits for the request; it is still running.
  zx_nanosleep(zx_deadline_after(ZX_MSEC(5)));
  EXPECT_EQ(zrk_child_info(&c).flags, ZX_INFO_PROCESS_FLAG_STARTED);
  EXPECT_EQ(words[1], 0u);
  words[0] = 41;
  EXPECT_EQ(zrk_child_wait(&c), 42);
  EXPECT_EQ(words[1], 42u);
  // The child's mapping went with it; the VMO and this mapping stay.
  uint32_t back = 0;
  EXPECT_OK(zx_vmo_read(vmo, &back, 4, 4));
  EXPECT_EQ(back, 42u);
  zrk_child_close(&c);
  zx_vmar_unmap(zx_vmar_root_self(), mine, 4096);
  zx_handle_close(vmo);
  zrk_usage_t after = zrk_usage_settled(&before);
  EXPECT_EQ(after.free_bytes, before.free_bytes);
  EXPECT_EQ(after.objects.processes, before.objects.processes);
  EXPECT_EQ(after.objects.threads, before.objects.threads);
  EXPECT_EQ(after.objects.vmos, before.objects.vmos);
  EXPECT_EQ(after.objects.vmars, before.objects.vmars);
  EXPECT_EQ(after.objects.handles, before.objects.handles);
  EXPECT_EQ(after.objects.events, before.objects.events);
}

// A child's death returns every page and object it had: its handles (an event and a
// VMO passed to it), its mappings and page tables, its thread.
TEST(death_returns_everything) {
  zrk_usage_t before = zrk_usage();
  for (int round = 0; round < 20; round++) {
    zrk_child_t c;
    ASSERT_OK(zrk_child_create(zx_job_default(), "spin", ZRK_CHILD_SPIN,
                               ZRK_CHILD_LEN(ZRK_CHILD_SPIN), &c));
    zx_handle_t big;
    uintptr_t at;
    ASSERT_OK(zx_vmo_create(64 * 4096, 0, &big));
    ASSERT_OK(zx_vmo_op_range(big, ZX_VMO_OP_COMMIT, 0, 64 * 4096, NULL, 0));
    ASSERT_OK(zrk_child_map(&c, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, big, 64 * 4096, &at));
    zx_handle_t e;
    ASSERT_OK(zx_event_create(0, &e));
    ASSERT_OK(zrk_child_start(&c, big, 0));  // the VMO's only handle goes to the child
    // Touch the child's memory from here, through its address space.
    char buf[16];
    size_t actual = 0;
    EXPECT_OK(zx_process_read_memory(c.process, at + 4096, buf, sizeof buf, &actual));
    EXPECT_EQ(actual, sizeof buf);
    zx_handle_close(e);
    EXPECT_OK(zx_task_kill(c.process));
    EXPECT_EQ(zrk_child_wait(&c), ZX_TASK_RETCODE_SYSCALL_KILL);
    zrk_child_close(&c);
  }
  zrk_usage_t after = zrk_usage_settled(&before);
  EXPECT_EQ(after.free_bytes, before.free_bytes);
  EXPECT_EQ(after.objects.processes, before.objects.processes);
  EXPECT_EQ(after.objects.threads, before.objects.threads);
  EXPECT_EQ(after.objects.vmos, before.objects.vmos);
  EXPECT_EQ(after.objects.vmars, before.objects.vmars);
  EXPECT_EQ(after.objects.handles, before.objects.handles);
  EXPECT_EQ(after.objects.events, before.objects.events);
}

TEST(read_memory) {
  zrk_child_t c;
  ASSERT_OK(zrk_child_create(zx_job_default(), "target", ZRK_CHILD_SPIN,
                             ZRK_CHILD_LEN(ZRK_CHILD_SPIN), &c));
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(2 * 4096, ZX_VMO_RESIZABLE, &vmo));
  const char text[] = "in the child's memory";
  ASSERT_OK(zx_vmo_write(vmo, text, 4096 - 4, sizeof text));
  uintptr_t at;
  ASSERT_OK(zrk_child_map(&c, ZX_VM_PERM_READ, 0, vmo, 2 * 4096, &at));
  char buf[64];
  size_t actual = 0;
  // Across a page boundary, before the child ever ran.
  memset(buf, 0, sizeof buf);
  ASSERT_OK(zx_process_read_memory(c.process, at + 4096 - 4, buf, sizeof text, &actual));
  EXPECT_EQ(actual, sizeof text);
  EXPECT_EQ(strcmp(buf, text), 0);
  // Its code, too.
  uint32_t insn = 0;
  ASSERT_OK(zx_process_read_memory(c.process, c.code, &insn, 4, &actual));
  EXPECT_EQ(insn, ZRK_CHILD_SPIN[0]);
  // Clipped at the end of the mapping.
  ASSERT_OK(zx_process_read_memory(c.process, at + 2 * 4096 - 8, buf, sizeof buf, &actual));
  EXPECT_EQ(actual, 8u);
  // Errors: the buffer and size first, then the handle, then the address.
  EXPECT_STATUS(zx_process_read_memory(stale_handle(), at, NULL, 8, &actual),
                ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_process_read_memory(stale_handle(), at, buf, 0, &actual), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_process_read_memory(stale_handle(), at, buf, ((size_t)64 << 20) + 1, &actual),
                ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_process_read_memory(stale_handle(), at, buf, 8, &actual), ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_process_read_memory(vmo, at, buf, 8, &actual), ZX_ERR_WRONG_TYPE);
  zx_handle_t read_only = dup_with(c.process, ZX_RIGHT_READ);
  EXPECT_STATUS(zx_process_read_memory(read_only, at, buf, 8, &actual), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(read_only);
  // Nothing mapped there (decision 15: NOT_FOUND).
  EXPECT_STATUS(zx_process_read_memory(c.process, 0x1000, buf, 8, &actual), ZX_ERR_NOT_FOUND);
  EXPECT_STATUS(zx_process_read_memory(c.process, at + 2 * 4096, buf, 8, &actual),
                ZX_ERR_NOT_FOUND);
  // A bad buffer here.
  EXPECT_STATUS(zx_process_read_memory(c.process, at, (void*)0x1000, 8, &actual),
                ZX_ERR_INVALID_ARGS);
  // Mapped past the VMO's end: nothing readable.
  ASSERT_OK(zx_vmo_set_size(vmo, 4096));
  EXPECT_STATUS(zx_process_read_memory(c.process, at + 4096, buf, 8, &actual),
                ZX_ERR_OUT_OF_RANGE);
  // Its own memory, through its own handle.
  ASSERT_OK(zx_process_read_memory(zx_process_self(), (uintptr_t)text, buf, sizeof text,
                                   &actual));
  EXPECT_EQ(strcmp(buf, text), 0);
  // A dead process has no address space: BAD_STATE.
  ASSERT_OK(zx_task_kill(c.process));
  EXPECT_STATUS(zx_process_read_memory(c.process, at, buf, 8, &actual), ZX_ERR_BAD_STATE);
  zx_handle_close(vmo);
  zrk_child_close(&c);
}

TEST(write_memory_is_off_by_default) {
  char buf[8] = {0};
  size_t actual;
  // Before anything else, even a bad handle.
  EXPECT_STATUS(zx_process_write_memory(stale_handle(), 0, buf, 8, &actual),
                ZX_ERR_NOT_SUPPORTED);
  EXPECT_STATUS(zx_process_write_memory(zx_process_self(), (uintptr_t)buf, buf, 8, &actual),
                ZX_ERR_NOT_SUPPORTED);
}

int main(void) { return run_tests(); }
