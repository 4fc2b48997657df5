// Exception channels within one process (Fuchsia's exceptions.md): a second thread of
// this process faults while the main thread holds its thread's or this process's
// exception channel. zx_task_create_exception_channel's errors and rights, the message
// and report of a page fault, the thread's state while a handler has it, its registers
// read and rewritten (HANDLED resumes it past the faulting instruction), TRY_NEXT
// passing it on, THREAD_EXIT, a channel closed with the exception still queued, the
// exception properties and the second-chance order. Every exception here ends HANDLED
// or THREAD_EXIT: an unhandled one would kill this process (see exception_job.c).
#include <stdint.h>
#include <string.h>

#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/debug.h>
#include <zircon/syscalls/exception.h>
#include <zircon/syscalls/object.h>
#include <zrk/handle_util.h>
#include <zrk/test.h>

#define STACK_SIZE (64 * 1024)
#define BAD_ADDRESS 0x10u

// A raw thread (no TLS, no libc): created first, so a channel can be bound before it
// runs, then started.
typedef struct {
  zx_handle_t handle;
  zx_vaddr_t stack;
} crasher_t;

// Stores to `address` (one instruction: a handler that skips it lets the thread exit).
static void store_then_exit(uintptr_t address, uintptr_t unused) {
  (void)unused;
  *(volatile uint32_t*)address = 42;
  zx_thread_exit();
}

static zx_status_t crasher_create(crasher_t* c) {
  zx_handle_t vmo;
  zx_status_t s = zx_vmo_create(STACK_SIZE, 0, &vmo);
  if (s != ZX_OK) return s;
  s = zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, STACK_SIZE,
                  &c->stack);
  zx_handle_close(vmo);
  if (s != ZX_OK) return s;
  return zx_thread_create(zx_process_self(), "crasher", 7, 0, &c->handle);
}

static zx_status_t crasher_start(crasher_t* c, uintptr_t address) {
  return zx_thread_start(c->handle, (zx_vaddr_t)store_then_exit, c->stack + STACK_SIZE, address, 0);
}

// Waits for the thread to end, then frees it.
static zx_status_t crasher_join(crasher_t* c) {
  zx_status_t s = zx_object_wait_one(c->handle, ZX_THREAD_TERMINATED,
                                     zx_deadline_after(ZX_SEC(10)), NULL);
  zx_handle_close(c->handle);
  zx_vmar_unmap(zx_vmar_root_self(), c->stack, STACK_SIZE);
  return s;
}

// Reads one exception message: its info and the exception handle (invalid on failure).
static zx_handle_t read_exception(zx_handle_t channel, zx_exception_info_t* info) {
  zx_handle_t exception = ZX_HANDLE_INVALID;
  uint32_t bytes = 0, handles = 0;
  if (zx_object_wait_one(channel, ZX_CHANNEL_READABLE, zx_deadline_after(ZX_SEC(10)), NULL) !=
      ZX_OK) {
    return ZX_HANDLE_INVALID;
  }
  if (zx_channel_read(channel, 0, info, &exception, sizeof *info, 1, &bytes, &handles) != ZX_OK ||
      bytes != sizeof *info || handles != 1) {
    return ZX_HANDLE_INVALID;
  }
  return exception;
}

static zx_status_t set_state(zx_handle_t exception, uint32_t state) {
  return zx_object_set_property(exception, ZX_PROP_EXCEPTION_STATE, &state, sizeof state);
}

// Moves the thread past the faulting instruction and resumes it.
static void skip_and_resume(zx_handle_t thread, zx_handle_t exception) {
  zx_thread_state_general_regs_t regs;
  EXPECT_OK(zx_thread_read_state(thread, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof regs));
  regs.pc += 4;
  EXPECT_OK(zx_thread_write_state(thread, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof regs));
  EXPECT_OK(set_state(exception, ZX_EXCEPTION_STATE_HANDLED));
  EXPECT_OK(zx_handle_close(exception));
}

static zx_koid_t koid_of(zx_handle_t h) { return basic_info(h).koid; }

TEST(create_errors_in_zircon_order) {
  zx_handle_t ch;
  crasher_t c;
  ASSERT_OK(crasher_create(&c));
  EXPECT_STATUS(zx_task_create_exception_channel(c.handle, 2, &ch), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_task_create_exception_channel(stale_handle(), 0, &ch), ZX_ERR_BAD_HANDLE);
  zx_handle_t event;
  ASSERT_OK(zx_event_create(0, &event));
  // An event lacks MANAGE_THREAD: the rights are checked before the type, as in Zircon.
  EXPECT_STATUS(zx_task_create_exception_channel(event, 0, &ch), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(event);
  EXPECT_STATUS(zx_task_create_exception_channel(c.handle, ZX_EXCEPTION_CHANNEL_DEBUGGER, &ch),
                ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_task_create_exception_channel(c.handle, 0, (zx_handle_t*)0x1000),
                ZX_ERR_INVALID_ARGS);
  // The channel made for a bad out-pointer was closed again: binding works.
  ASSERT_OK(zx_task_create_exception_channel(c.handle, 0, &ch));
  zx_handle_close(ch);
  zx_handle_close(c.handle);
  zx_vmar_unmap(zx_vmar_root_self(), c.stack, STACK_SIZE);
}

// Each right the docs list is needed: without it, ACCESS_DENIED.
static void requires_rights(zx_handle_t task, zx_rights_t needed) {
  zx_rights_t all = rights_of(task);
  for (int bit = 0; bit < 32; bit++) {
    zx_rights_t right = 1u << bit;
    if (!(needed & right)) continue;
    zx_handle_t reduced = dup_with(task, all & ~right);
    zx_handle_t ch = ZX_HANDLE_INVALID;
    TEST_CONTEXT("right %#x", right);
    EXPECT_STATUS(zx_task_create_exception_channel(reduced, 0, &ch), ZX_ERR_ACCESS_DENIED);
    zx_handle_close(reduced);
  }
}

TEST(ThreadRequiresRights) {
  crasher_t c;
  ASSERT_OK(crasher_create(&c));
  requires_rights(c.handle, ZX_RIGHT_INSPECT | ZX_RIGHT_DUPLICATE | ZX_RIGHT_TRANSFER |
                                ZX_RIGHT_MANAGE_THREAD);
  zx_handle_close(c.handle);
  zx_vmar_unmap(zx_vmar_root_self(), c.stack, STACK_SIZE);
}

TEST(ProcessRequiresRights) {
  requires_rights(zx_process_self(), ZX_RIGHT_INSPECT | ZX_RIGHT_DUPLICATE | ZX_RIGHT_TRANSFER |
                                         ZX_RIGHT_MANAGE_THREAD | ZX_RIGHT_ENUMERATE);
}

TEST(JobRequiresRights) {
  zx_handle_t job;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  requires_rights(job, ZX_RIGHT_INSPECT | ZX_RIGHT_DUPLICATE | ZX_RIGHT_TRANSFER |
                           ZX_RIGHT_MANAGE_THREAD | ZX_RIGHT_ENUMERATE);
  zx_handle_close(job);
}

TEST(CreateExceptionChannelRights) {
  crasher_t c;
  ASSERT_OK(crasher_create(&c));
  zx_handle_t ch;
  ASSERT_OK(zx_task_create_exception_channel(c.handle, 0, &ch));
  zx_info_handle_basic_t info = basic_info(ch);
  EXPECT_EQ(info.type, ZX_OBJ_TYPE_CHANNEL);
  EXPECT_EQ(info.rights, ZX_RIGHT_TRANSFER | ZX_RIGHT_WAIT | ZX_RIGHT_READ);
  // Read-only: the handler cannot write into it.
  EXPECT_STATUS(zx_channel_write(ch, 0, "x", 1, NULL, 0), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(ch);
  zx_handle_close(c.handle);
  zx_vmar_unmap(zx_vmar_root_self(), c.stack, STACK_SIZE);
}

TEST(CreateSecondExceptionChannel_and_OverwriteClosed) {
  crasher_t c;
  ASSERT_OK(crasher_create(&c));
  zx_handle_t ch, ch2 = ZX_HANDLE_INVALID;
  ASSERT_OK(zx_task_create_exception_channel(c.handle, 0, &ch));
  EXPECT_STATUS(zx_task_create_exception_channel(c.handle, 0, &ch2), ZX_ERR_ALREADY_BOUND);
  EXPECT_EQ(ch2, ZX_HANDLE_INVALID);
  // Closing it unbinds it.
  zx_handle_close(ch);
  ASSERT_OK(zx_task_create_exception_channel(c.handle, 0, &ch2));
  zx_handle_close(ch2);
  // A process has an ordinary and a debugger channel, one of each.
  ASSERT_OK(zx_task_create_exception_channel(zx_process_self(), 0, &ch));
  ASSERT_OK(zx_task_create_exception_channel(zx_process_self(), ZX_EXCEPTION_CHANNEL_DEBUGGER,
                                             &ch2));
  zx_handle_t third;
  EXPECT_STATUS(zx_task_create_exception_channel(zx_process_self(), 0, &third),
                ZX_ERR_ALREADY_BOUND);
  EXPECT_STATUS(
      zx_task_create_exception_channel(zx_process_self(), ZX_EXCEPTION_CHANNEL_DEBUGGER, &third),
      ZX_ERR_ALREADY_BOUND);
  zx_handle_close(ch);
  zx_handle_close(ch2);
  zx_handle_close(c.handle);
  zx_vmar_unmap(zx_vmar_root_self(), c.stack, STACK_SIZE);
}

TEST(ProcessDebuggerAttached) {
  zx_info_process_t info;
  ASSERT_OK(zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS, &info, sizeof info, NULL,
                               NULL));
  EXPECT_FALSE(info.flags & ZX_INFO_PROCESS_FLAG_DEBUGGER_ATTACHED);
  zx_handle_t ch;
  ASSERT_OK(
      zx_task_create_exception_channel(zx_process_self(), ZX_EXCEPTION_CHANNEL_DEBUGGER, &ch));
  ASSERT_OK(zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS, &info, sizeof info, NULL,
                               NULL));
  EXPECT_TRUE(info.flags & ZX_INFO_PROCESS_FLAG_DEBUGGER_ATTACHED);
  zx_handle_close(ch);
  ASSERT_OK(zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS, &info, sizeof info, NULL,
                               NULL));
  EXPECT_FALSE(info.flags & ZX_INFO_PROCESS_FLAG_DEBUGGER_ATTACHED);
}

TEST(ThreadReceive_report_state_and_handled_resume) {
  crasher_t c;
  ASSERT_OK(crasher_create(&c));
  zx_handle_t ch;
  ASSERT_OK(zx_task_create_exception_channel(c.handle, 0, &ch));
  zx_exception_report_t report;
  // Not in an exception yet.
  EXPECT_STATUS(zx_object_get_info(c.handle, ZX_INFO_THREAD_EXCEPTION_REPORT, &report,
                                   sizeof report, NULL, NULL),
                ZX_ERR_BAD_STATE);
  ASSERT_OK(crasher_start(&c, BAD_ADDRESS));

  zx_exception_info_t info;
  zx_handle_t exc = read_exception(ch, &info);
  ASSERT_NE(exc, ZX_HANDLE_INVALID);
  EXPECT_EQ(info.type, ZX_EXCP_FATAL_PAGE_FAULT);
  EXPECT_EQ(info.tid, koid_of(c.handle));
  EXPECT_EQ(info.pid, koid_of(zx_process_self()));
  zx_info_handle_basic_t basic = basic_info(exc);
  EXPECT_EQ(basic.type, ZX_OBJ_TYPE_EXCEPTION);
  EXPECT_EQ(basic.rights, ZX_DEFAULT_EXCEPTION_RIGHTS);

  // The thread waits in the exception, for this kind of handler.
  zx_info_thread_t ti;
  ASSERT_OK(zx_object_get_info(c.handle, ZX_INFO_THREAD, &ti, sizeof ti, NULL, NULL));
  EXPECT_EQ(ti.state, ZX_THREAD_STATE_BLOCKED_EXCEPTION);
  EXPECT_EQ(ti.wait_exception_channel_type, ZX_EXCEPTION_CHANNEL_TYPE_THREAD);

  // The report: the kind, the address, a data abort's syndrome, and the page fault's
  // status.
  size_t actual = 0, avail = 0;
  ASSERT_OK(zx_object_get_info(c.handle, ZX_INFO_THREAD_EXCEPTION_REPORT, &report, sizeof report,
                               &actual, &avail));
  EXPECT_EQ(actual, 1u);
  EXPECT_EQ(report.header.size, sizeof report);
  EXPECT_EQ(report.header.type, ZX_EXCP_FATAL_PAGE_FAULT);
  EXPECT_EQ(report.context.arch.u.arm_64.far, BAD_ADDRESS);
  EXPECT_EQ(report.context.arch.u.arm_64.esr >> 26, 0x24u);  // data abort from EL0
  EXPECT_EQ((zx_status_t)report.context.synth_code, ZX_ERR_NOT_FOUND);

  // The thread's handle from the exception: same thread, the rights of the handle the
  // channel was made from; no process from a thread's channel.
  zx_handle_t thread;
  ASSERT_OK(zx_exception_get_thread(exc, &thread));
  EXPECT_EQ(koid_of(thread), koid_of(c.handle));
  EXPECT_EQ(rights_of(thread), rights_of(c.handle));
  zx_handle_t process;
  EXPECT_STATUS(zx_exception_get_process(exc, &process), ZX_ERR_ACCESS_DENIED);

  // Registers can be read and written while it is in the exception.
  zx_thread_state_general_regs_t regs;
  ASSERT_OK(zx_thread_read_state(thread, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof regs));
  EXPECT_EQ(regs.r[0], BAD_ADDRESS);
  EXPECT_GE(regs.pc, (uintptr_t)store_then_exit);
  EXPECT_LT(regs.pc, (uintptr_t)store_then_exit + 64);
  skip_and_resume(thread, exc);
  EXPECT_OK(crasher_join(&c));
  // Out of the exception: nothing to report, nothing to read.
  EXPECT_STATUS(zx_object_get_info(thread, ZX_INFO_THREAD_EXCEPTION_REPORT, &report,
                                   sizeof report, NULL, NULL),
                ZX_ERR_BAD_STATE);
  EXPECT_STATUS(zx_thread_read_state(thread, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof regs),
                ZX_ERR_BAD_STATE);
  // The thread's death closed its channel.
  EXPECT_OK(zx_object_wait_one(ch, ZX_CHANNEL_PEER_CLOSED, zx_deadline_after(ZX_SEC(5)), NULL));
  zx_handle_close(thread);
  zx_handle_close(ch);
}

TEST(ExceptionResume_without_a_fix_faults_again) {
  crasher_t c;
  ASSERT_OK(crasher_create(&c));
  zx_handle_t ch;
  ASSERT_OK(zx_task_create_exception_channel(c.handle, 0, &ch));
  ASSERT_OK(crasher_start(&c, BAD_ADDRESS));
  zx_exception_info_t info;
  zx_handle_t exc = read_exception(ch, &info);
  ASSERT_NE(exc, ZX_HANDLE_INVALID);
  // Resumed as it is, it runs the same store again: a second exception.
  EXPECT_OK(set_state(exc, ZX_EXCEPTION_STATE_HANDLED));
  zx_handle_close(exc);
  exc = read_exception(ch, &info);
  ASSERT_NE(exc, ZX_HANDLE_INVALID);
  EXPECT_EQ(info.type, ZX_EXCP_FATAL_PAGE_FAULT);
  zx_handle_t thread;
  ASSERT_OK(zx_exception_get_thread(exc, &thread));
  skip_and_resume(thread, exc);
  zx_handle_close(thread);
  EXPECT_OK(crasher_join(&c));
  zx_handle_close(ch);
}

TEST(try_next_goes_to_the_process_channel) {
  zx_handle_t pch;
  ASSERT_OK(zx_task_create_exception_channel(zx_process_self(), 0, &pch));
  crasher_t c;
  ASSERT_OK(crasher_create(&c));
  zx_handle_t tch;
  ASSERT_OK(zx_task_create_exception_channel(c.handle, 0, &tch));
  ASSERT_OK(crasher_start(&c, BAD_ADDRESS));
  zx_exception_info_t info;
  zx_handle_t exc = read_exception(tch, &info);
  ASSERT_NE(exc, ZX_HANDLE_INVALID);
  // Nothing at the process channel while the thread's handler has it.
  EXPECT_STATUS(zx_object_wait_one(pch, ZX_CHANNEL_READABLE, zx_deadline_after(ZX_MSEC(50)), NULL),
                ZX_ERR_TIMED_OUT);
  zx_koid_t first = koid_of(exc);
  EXPECT_EQ(zx_handle_close(exc), ZX_OK);  // TRY_NEXT by default

  exc = read_exception(pch, &info);
  ASSERT_NE(exc, ZX_HANDLE_INVALID);
  EXPECT_EQ(info.type, ZX_EXCP_FATAL_PAGE_FAULT);
  // The same exception, now with the process channel's rights.
  EXPECT_EQ(koid_of(exc), first);
  zx_info_thread_t ti;
  ASSERT_OK(zx_object_get_info(c.handle, ZX_INFO_THREAD, &ti, sizeof ti, NULL, NULL));
  EXPECT_EQ(ti.wait_exception_channel_type, ZX_EXCEPTION_CHANNEL_TYPE_PROCESS);
  zx_handle_t process, thread;
  ASSERT_OK(zx_exception_get_process(exc, &process));
  EXPECT_EQ(koid_of(process), koid_of(zx_process_self()));
  EXPECT_EQ(rights_of(process), rights_of(zx_process_self()));
  zx_handle_close(process);
  ASSERT_OK(zx_exception_get_thread(exc, &thread));
  skip_and_resume(thread, exc);
  zx_handle_close(thread);
  EXPECT_OK(crasher_join(&c));
  zx_handle_close(tch);
  zx_handle_close(pch);
}

TEST(thread_exit_state_ends_the_thread_only) {
  crasher_t c;
  ASSERT_OK(crasher_create(&c));
  zx_handle_t ch;
  ASSERT_OK(zx_task_create_exception_channel(c.handle, 0, &ch));
  ASSERT_OK(crasher_start(&c, BAD_ADDRESS));
  zx_exception_info_t info;
  zx_handle_t exc = read_exception(ch, &info);
  ASSERT_NE(exc, ZX_HANDLE_INVALID);
  EXPECT_OK(set_state(exc, ZX_EXCEPTION_STATE_THREAD_EXIT));
  zx_handle_close(exc);
  EXPECT_OK(crasher_join(&c));
  zx_handle_close(ch);
  // This process goes on.
  zx_info_process_t pi;
  ASSERT_OK(zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS, &pi, sizeof pi, NULL, NULL));
  EXPECT_EQ(pi.flags & ZX_INFO_PROCESS_FLAG_EXITED, 0u);
}

TEST(CloseChannelWithException_passes_it_on) {
  zx_handle_t pch;
  ASSERT_OK(zx_task_create_exception_channel(zx_process_self(), 0, &pch));
  crasher_t c;
  ASSERT_OK(crasher_create(&c));
  zx_handle_t tch;
  ASSERT_OK(zx_task_create_exception_channel(c.handle, 0, &tch));
  ASSERT_OK(crasher_start(&c, BAD_ADDRESS));
  ASSERT_OK(zx_object_wait_one(tch, ZX_CHANNEL_READABLE, zx_deadline_after(ZX_SEC(10)), NULL));
  // Closing the channel with the exception unread: the next handler gets it.
  zx_handle_close(tch);
  zx_exception_info_t info;
  zx_handle_t exc = read_exception(pch, &info);
  ASSERT_NE(exc, ZX_HANDLE_INVALID);
  zx_handle_t thread;
  ASSERT_OK(zx_exception_get_thread(exc, &thread));
  skip_and_resume(thread, exc);
  zx_handle_close(thread);
  EXPECT_OK(crasher_join(&c));
  zx_handle_close(pch);
}

TEST(CloseChannelWithoutException_keeps_the_thread_waiting) {
  crasher_t c;
  ASSERT_OK(crasher_create(&c));
  zx_handle_t ch;
  ASSERT_OK(zx_task_create_exception_channel(c.handle, 0, &ch));
  ASSERT_OK(crasher_start(&c, BAD_ADDRESS));
  zx_exception_info_t info;
  zx_handle_t exc = read_exception(ch, &info);
  ASSERT_NE(exc, ZX_HANDLE_INVALID);
  // The exception object, not the channel, holds the thread now.
  zx_handle_close(ch);
  zx_nanosleep(zx_deadline_after(ZX_MSEC(50)));
  zx_info_thread_t ti;
  ASSERT_OK(zx_object_get_info(c.handle, ZX_INFO_THREAD, &ti, sizeof ti, NULL, NULL));
  EXPECT_EQ(ti.state, ZX_THREAD_STATE_BLOCKED_EXCEPTION);
  zx_handle_t thread;
  ASSERT_OK(zx_exception_get_thread(exc, &thread));
  skip_and_resume(thread, exc);
  zx_handle_close(thread);
  EXPECT_OK(crasher_join(&c));
}

TEST(ExceptionStateProperty_and_bad_args) {
  crasher_t c;
  ASSERT_OK(crasher_create(&c));
  zx_handle_t ch;
  ASSERT_OK(zx_task_create_exception_channel(c.handle, 0, &ch));
  ASSERT_OK(crasher_start(&c, BAD_ADDRESS));
  zx_exception_info_t info;
  zx_handle_t exc = read_exception(ch, &info);
  ASSERT_NE(exc, ZX_HANDLE_INVALID);

  uint32_t state = ~0u;
  ASSERT_OK(zx_object_get_property(exc, ZX_PROP_EXCEPTION_STATE, &state, sizeof state));
  EXPECT_EQ(state, ZX_EXCEPTION_STATE_TRY_NEXT);
  EXPECT_OK(set_state(exc, ZX_EXCEPTION_STATE_HANDLED));
  ASSERT_OK(zx_object_get_property(exc, ZX_PROP_EXCEPTION_STATE, &state, sizeof state));
  EXPECT_EQ(state, ZX_EXCEPTION_STATE_HANDLED);
  EXPECT_OK(set_state(exc, ZX_EXCEPTION_STATE_TRY_NEXT));
  ASSERT_OK(zx_object_get_property(exc, ZX_PROP_EXCEPTION_STATE, &state, sizeof state));
  EXPECT_EQ(state, ZX_EXCEPTION_STATE_TRY_NEXT);

  // Wrong object, value not a state, buffer too small.
  state = ZX_EXCEPTION_STATE_HANDLED;
  EXPECT_STATUS(zx_object_set_property(c.handle, ZX_PROP_EXCEPTION_STATE, &state, sizeof state),
                ZX_ERR_WRONG_TYPE);
  EXPECT_STATUS(zx_object_get_property(c.handle, ZX_PROP_EXCEPTION_STATE, &state, sizeof state),
                ZX_ERR_WRONG_TYPE);
  state = ~0u;
  EXPECT_STATUS(set_state(exc, state), ZX_ERR_INVALID_ARGS);
  state = ZX_EXCEPTION_STATE_HANDLED;
  EXPECT_STATUS(zx_object_set_property(exc, ZX_PROP_EXCEPTION_STATE, &state, sizeof state - 1),
                ZX_ERR_BUFFER_TOO_SMALL);
  EXPECT_STATUS(zx_object_get_property(exc, ZX_PROP_EXCEPTION_STATE, &state, sizeof state - 1),
                ZX_ERR_BUFFER_TOO_SMALL);
  EXPECT_STATUS(zx_object_set_property(exc, ZX_PROP_EXCEPTION_STATE, (void*)0x1000, sizeof state),
                ZX_ERR_INVALID_ARGS);
  // The strategy is the process debugger's to change (ExceptionStrategyBadArgs).
  uint32_t strategy = ~0u;
  ASSERT_OK(zx_object_get_property(exc, ZX_PROP_EXCEPTION_STRATEGY, &strategy, sizeof strategy));
  EXPECT_EQ(strategy, ZX_EXCEPTION_STRATEGY_FIRST_CHANCE);
  strategy = ZX_EXCEPTION_STRATEGY_SECOND_CHANCE;
  EXPECT_STATUS(
      zx_object_set_property(exc, ZX_PROP_EXCEPTION_STRATEGY, &strategy, sizeof strategy),
      ZX_ERR_BAD_STATE);

  // get_thread / get_process: the handle must be an exception.
  zx_handle_t out;
  EXPECT_STATUS(zx_exception_get_thread(stale_handle(), &out), ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_exception_get_thread(c.handle, &out), ZX_ERR_WRONG_TYPE);
  EXPECT_STATUS(zx_exception_get_process(stale_handle(), &out), ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_exception_get_process(ch, &out), ZX_ERR_WRONG_TYPE);
  EXPECT_STATUS(zx_exception_get_thread(exc, (zx_handle_t*)0x1000), ZX_ERR_INVALID_ARGS);
  // The exception handle cannot be duplicated.
  EXPECT_STATUS(zx_handle_duplicate(exc, ZX_RIGHT_SAME_RIGHTS, &out), ZX_ERR_ACCESS_DENIED);

  zx_handle_t thread;
  ASSERT_OK(zx_exception_get_thread(exc, &thread));
  skip_and_resume(thread, exc);
  zx_handle_close(thread);
  EXPECT_OK(crasher_join(&c));
  zx_handle_close(ch);
}

TEST(ExceptionChannelOrderWithSecondChanceDebugging) {
  zx_handle_t dch, pch;
  ASSERT_OK(
      zx_task_create_exception_channel(zx_process_self(), ZX_EXCEPTION_CHANNEL_DEBUGGER, &dch));
  ASSERT_OK(zx_task_create_exception_channel(zx_process_self(), 0, &pch));
  crasher_t c;
  ASSERT_OK(crasher_create(&c));
  zx_handle_t tch;
  ASSERT_OK(zx_task_create_exception_channel(c.handle, 0, &tch));
  ASSERT_OK(crasher_start(&c, BAD_ADDRESS));

  // The process debugger first; it makes the exception second-chance.
  zx_exception_info_t info;
  zx_handle_t exc = read_exception(dch, &info);
  ASSERT_NE(exc, ZX_HANDLE_INVALID);
  zx_info_thread_t ti;
  ASSERT_OK(zx_object_get_info(c.handle, ZX_INFO_THREAD, &ti, sizeof ti, NULL, NULL));
  EXPECT_EQ(ti.wait_exception_channel_type, ZX_EXCEPTION_CHANNEL_TYPE_DEBUGGER);
  uint32_t strategy = ZX_EXCEPTION_STRATEGY_SECOND_CHANCE;
  ASSERT_OK(zx_object_set_property(exc, ZX_PROP_EXCEPTION_STRATEGY, &strategy, sizeof strategy));
  strategy = 7;
  EXPECT_STATUS(
      zx_object_set_property(exc, ZX_PROP_EXCEPTION_STRATEGY, &strategy, sizeof strategy),
      ZX_ERR_INVALID_ARGS);
  // Independent of the state.
  EXPECT_OK(set_state(exc, ZX_EXCEPTION_STATE_HANDLED));
  EXPECT_OK(set_state(exc, ZX_EXCEPTION_STATE_TRY_NEXT));
  ASSERT_OK(zx_object_get_property(exc, ZX_PROP_EXCEPTION_STRATEGY, &strategy, sizeof strategy));
  EXPECT_EQ(strategy, ZX_EXCEPTION_STRATEGY_SECOND_CHANCE);
  zx_handle_close(exc);

  // Then the thread, the process, and the debugger again.
  exc = read_exception(tch, &info);
  ASSERT_NE(exc, ZX_HANDLE_INVALID);
  zx_handle_close(exc);
  exc = read_exception(pch, &info);
  ASSERT_NE(exc, ZX_HANDLE_INVALID);
  zx_handle_close(exc);
  exc = read_exception(dch, &info);
  ASSERT_NE(exc, ZX_HANDLE_INVALID);
  zx_handle_t thread;
  ASSERT_OK(zx_exception_get_thread(exc, &thread));
  skip_and_resume(thread, exc);
  zx_handle_close(thread);
  EXPECT_OK(crasher_join(&c));
  zx_handle_close(tch);
  zx_handle_close(pch);
  zx_handle_close(dch);
}

TEST(ReadWriteThreadState_vector_registers_too) {
  crasher_t c;
  ASSERT_OK(crasher_create(&c));
  zx_handle_t ch;
  ASSERT_OK(zx_task_create_exception_channel(c.handle, 0, &ch));
  ASSERT_OK(crasher_start(&c, BAD_ADDRESS));
  zx_exception_info_t info;
  zx_handle_t exc = read_exception(ch, &info);
  ASSERT_NE(exc, ZX_HANDLE_INVALID);
  zx_thread_state_vector_regs_t v;
  EXPECT_OK(zx_thread_read_state(c.handle, ZX_THREAD_STATE_VECTOR_REGS, &v, sizeof v));
  EXPECT_OK(zx_thread_write_state(c.handle, ZX_THREAD_STATE_VECTOR_REGS, &v, sizeof v));
  skip_and_resume(c.handle, exc);
  EXPECT_OK(crasher_join(&c));
  zx_handle_close(ch);
}

int main(void) { return run_tests(); }
