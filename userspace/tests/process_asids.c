// More live address spaces than ASIDs: with `max_asids=4` the kernel gives four address
// spaces an ASID of their own and lets the rest share one (flushed from a CPU's TLB
// whenever it switches to one of them). Process creation never fails for want of an
// ASID, and every process keeps its own memory: 16 children, all running at once, each
// store a value of its own at the same address (their stacks are mapped at the same
// place) and keep checking it; a child that ever reads another's value exits with 99.
// zx_process_read_memory reads each one's own value back.
// zrk-test: append max_asids=4
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zrk/child_process.h>
#include <zrk/test.h>

#define CHILDREN 16
// The same stack address in every child.
#define STACK_OFFSET 0x10000000

static uint64_t value_of(int i) { return UINT64_C(0x5eed000000000000) | (uint64_t)(i + 1); }

TEST(more_address_spaces_than_asids_stay_apart) {
  zrk_usage_t before = zrk_usage();
  zrk_child_t c[CHILDREN];
  for (int round = 0; round < 3; round++) {
    TEST_CONTEXT("round %d", round);
    for (int i = 0; i < CHILDREN; i++) {
      ASSERT_OK(zrk_child_create_at(zx_job_default(), "keep", ZRK_CHILD_KEEP_ARG2,
                                    ZRK_CHILD_LEN(ZRK_CHILD_KEEP_ARG2), STACK_OFFSET, &c[i]));
      ASSERT_OK(zrk_child_start(&c[i], ZX_HANDLE_INVALID, value_of(i)));
    }
    EXPECT_EQ(c[0].stack_top, c[CHILDREN - 1].stack_top);
    // Let them all run and switch among each other for a while.
    zx_nanosleep(zx_deadline_after(ZX_MSEC(200)));
    for (int i = 0; i < CHILDREN; i++) {
      TEST_CONTEXT("round %d, child %d", round, i);
      uint64_t seen = 0;
      size_t actual = 0;
      zx_time_t give_up = zx_deadline_after(ZX_SEC(5));
      // Wait until the child has run at least once. A child that saw another's value
      // has exited (99) and has no memory left to read.
      zx_status_t s;
      do {
        s = zx_process_read_memory(c[i].process, c[i].stack_top - 16, &seen, sizeof seen,
                                   &actual);
      } while (s == ZX_OK && seen == 0 && zx_clock_get_monotonic() < give_up);
      EXPECT_OK(s);
      EXPECT_EQ(seen, value_of(i));
      zx_info_process_t info = zrk_child_info(&c[i]);
      EXPECT_EQ(info.flags, ZX_INFO_PROCESS_FLAG_STARTED);
      EXPECT_EQ(info.return_code, 0);
    }
    for (int i = 0; i < CHILDREN; i++) {
      EXPECT_OK(zx_task_kill(c[i].process));
      EXPECT_EQ(zrk_child_wait(&c[i]), ZX_TASK_RETCODE_SYSCALL_KILL);
      zrk_child_close(&c[i]);
    }
  }
  TEST_CONTEXT("%s", "");
  zrk_usage_t after = zrk_usage_settled(&before);
  EXPECT_EQ(after.free_bytes, before.free_bytes);
  EXPECT_EQ(after.objects.processes, before.objects.processes);
  EXPECT_EQ(after.objects.threads, before.objects.threads);
}

int main(void) { return run_tests(); }
