// A supervisor: it starts a child process in a job of its own, watches the job's
// exception channel, and when the child crashes it reads the exception (what kind of
// fault, at which address, where in the child's code), then kills the child, as a crash
// handler would after recording a crash report.
//
// The child is a few hand-assembled instructions (<zrk/child_process.h>) that store to
// address 0x10, the classic null-pointer-plus-offset crash.
#include <inttypes.h>
#include <stdio.h>

#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/debug.h>
#include <zircon/syscalls/exception.h>
#include <zircon/syscalls/object.h>
#include <zrk/child_process.h>

// x0 = 0x10; *(uint64_t*)x0 = x1; then exit(0) if it ever got past the store.
static const uint32_t CRASHER[] = {
    ZRK_A64_MOVZ(0, 0x10),
    ZRK_A64_STR(1, 0),
    ZRK_A64_MOVZ(0, 0),
    ZRK_A64_SYSCALL(process_exit),
};

static const char* kind_name(zx_excp_type_t type) {
  switch (type) {
    case ZX_EXCP_GENERAL: return "general fault";
    case ZX_EXCP_FATAL_PAGE_FAULT: return "page fault";
    case ZX_EXCP_UNDEFINED_INSTRUCTION: return "undefined instruction";
    case ZX_EXCP_SW_BREAKPOINT: return "software breakpoint";
    case ZX_EXCP_HW_BREAKPOINT: return "hardware breakpoint";
    case ZX_EXCP_UNALIGNED_ACCESS: return "unaligned access";
    case ZX_EXCP_POLICY_ERROR: return "policy error";
    default: return "other exception";
  }
}

static int fail(const char* what, zx_status_t status) {
  printf("supervisor: %s failed: %d\n", what, status);
  return 1;
}

int main(void) {
  // A job for the child, and the job's exception channel: every thread of every process
  // in the job reports its unhandled exceptions here.
  zx_handle_t job, channel;
  zx_status_t s = zx_job_create(zx_job_default(), 0, &job);
  if (s != ZX_OK) return fail("zx_job_create", s);
  s = zx_task_create_exception_channel(job, 0, &channel);
  if (s != ZX_OK) return fail("zx_task_create_exception_channel", s);

  zrk_child_t child;
  s = zrk_child_create(job, "crasher", CRASHER, ZRK_CHILD_LEN(CRASHER), &child);
  if (s != ZX_OK) return fail("creating the child", s);
  s = zrk_child_start(&child, ZX_HANDLE_INVALID, 0);
  if (s != ZX_OK) return fail("starting the child", s);
  printf("supervisor: started a child that will crash\n");

  // Wait for an exception (or for the job's channel to close).
  zx_signals_t seen = 0;
  s = zx_object_wait_one(channel, ZX_CHANNEL_READABLE | ZX_CHANNEL_PEER_CLOSED,
                         zx_deadline_after(ZX_SEC(10)), &seen);
  if (s != ZX_OK || !(seen & ZX_CHANNEL_READABLE)) return fail("waiting for an exception", s);
  zx_exception_info_t info;
  zx_handle_t exception;
  s = zx_channel_read(channel, 0, &info, &exception, sizeof info, 1, NULL, NULL);
  if (s != ZX_OK) return fail("zx_channel_read", s);

  // The crashed thread and its process, from the exception.
  zx_handle_t thread, process;
  s = zx_exception_get_thread(exception, &thread);
  if (s != ZX_OK) return fail("zx_exception_get_thread", s);
  s = zx_exception_get_process(exception, &process);
  if (s != ZX_OK) return fail("zx_exception_get_process", s);

  // The report (kind and fault address) and the registers (where it happened).
  zx_exception_report_t report;
  s = zx_object_get_info(thread, ZX_INFO_THREAD_EXCEPTION_REPORT, &report, sizeof report, NULL,
                         NULL);
  if (s != ZX_OK) return fail("ZX_INFO_THREAD_EXCEPTION_REPORT", s);
  zx_thread_state_general_regs_t regs;
  s = zx_thread_read_state(thread, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof regs);
  if (s != ZX_OK) return fail("zx_thread_read_state", s);
  printf("supervisor: process %" PRIu64 " thread %" PRIu64 ": %s at address %#" PRIx64
         " (pc = child code + %#" PRIx64 ", esr %#" PRIx32 ", status %d)\n",
         info.pid, info.tid, kind_name(info.type), report.context.arch.u.arm_64.far,
         regs.pc - child.code, report.context.arch.u.arm_64.esr,
         (zx_status_t)report.context.synth_code);

  // A crash handler records the crash, then ends the process. (Setting
  // ZX_PROP_EXCEPTION_STATE to ZX_EXCEPTION_STATE_HANDLED and closing the exception would
  // resume the thread instead.)
  s = zx_task_kill(process);
  if (s != ZX_OK) return fail("zx_task_kill", s);
  zx_handle_close(exception);
  s = zx_object_wait_one(process, ZX_PROCESS_TERMINATED, zx_deadline_after(ZX_SEC(10)), NULL);
  if (s != ZX_OK) return fail("waiting for the child to end", s);
  zx_info_process_t pinfo;
  s = zx_object_get_info(process, ZX_INFO_PROCESS, &pinfo, sizeof pinfo, NULL, NULL);
  if (s != ZX_OK) return fail("ZX_INFO_PROCESS", s);
  printf("supervisor: killed the child; its return code is %" PRId64 " (ZX_TASK_RETCODE_SYSCALL_KILL)\n",
         pinfo.return_code);

  zx_handle_close(thread);
  zx_handle_close(process);
  zrk_child_close(&child);
  zx_handle_close(channel);
  zx_handle_close(job);
  return pinfo.return_code == ZX_TASK_RETCODE_SYSCALL_KILL && info.type == ZX_EXCP_FATAL_PAGE_FAULT
             ? 0
             : 1;
}
