// The members of zx::thread, zx::process and zx::job that need one another complete
// (Fuchsia defines them in libzx's .cc files; here the library is headers only).
// thread.h, process.h and job.h each include this at their end, so including any one of
// them brings all three and these definitions, whatever the order.
#ifndef LIB_ZX_INTERNAL_TASKS_H_
#define LIB_ZX_INTERNAL_TASKS_H_

#include <lib/zx/job.h>
#include <lib/zx/process.h>
#include <lib/zx/thread.h>

namespace zx {

inline zx_status_t thread::create(const process& process, const char* name, uint32_t name_len,
                                  uint32_t flags, thread* result) {
  // `result` keeps its old handle until the call has produced a new one.
  thread h;
  zx_status_t status =
      zx_thread_create(process.get(), name, name_len, flags, h.reset_and_get_address());
  result->reset(h.release());
  return status;
}

inline zx_status_t process::create(const job& job, const char* name, uint32_t name_len,
                                   uint32_t flags, process* proc, vmar* root_vmar) {
  zx_handle_t proc_h = ZX_HANDLE_INVALID;
  zx_handle_t vmar_h = ZX_HANDLE_INVALID;
  zx_status_t status = zx_process_create(job.get(), name, name_len, flags, &proc_h, &vmar_h);
  proc->reset(proc_h);
  root_vmar->reset(vmar_h);
  return status;
}

inline zx_status_t process::start(const thread& thread_handle, uintptr_t entry, uintptr_t stack,
                                  handle arg_handle, uintptr_t arg2) const {
  return zx_process_start(get(), thread_handle.get(), entry, stack, arg_handle.release(), arg2);
}

inline zx_status_t process::get_child(uint64_t koid, zx_rights_t rights, thread* result) const {
  thread h;
  zx_status_t status = zx_object_get_child(value_, koid, rights, h.reset_and_get_address());
  result->reset(h.release());
  return status;
}

inline zx_status_t job::get_child(uint64_t koid, zx_rights_t rights, process* result) const {
  process h;
  zx_status_t status = zx_object_get_child(value_, koid, rights, h.reset_and_get_address());
  result->reset(h.release());
  return status;
}

inline zx_status_t job::set_critical(uint32_t options, const zx::process& process) const {
  return zx_job_set_critical(get(), options, process.get());
}

}  // namespace zx

#endif  // LIB_ZX_INTERNAL_TASKS_H_
