// zx::job (Fuchsia's <lib/zx/job.h>).
#ifndef LIB_ZX_JOB_H_
#define LIB_ZX_JOB_H_

#include <lib/zx/task.h>
#include <zircon/process.h>

namespace zx {

class process;

class job final : public task<job> {
 public:
  static constexpr zx_obj_type_t TYPE = ZX_OBJ_TYPE_JOB;

  constexpr job() = default;
  explicit job(zx_handle_t value) : task(value) {}
  explicit job(handle&& h) : task(h.release()) {}
  job(job&& other) : task(other.release()) {}
  job& operator=(job&& other) {
    reset(other.release());
    return *this;
  }

  static zx_status_t create(const zx::job& parent, uint32_t options, job* result) {
    // `result` may be `parent`'s object: the new handle goes in only after the call.
    job h;
    zx_status_t status = zx_job_create(parent.get(), options, h.reset_and_get_address());
    result->reset(h.release());
    return status;
  }

  // Typed overloads beside the generic get_child(..., handle*); `result` may be this
  // object.
  using task<job>::get_child;
  zx_status_t get_child(uint64_t koid, zx_rights_t rights, job* result) const {
    job h;
    zx_status_t status = zx_object_get_child(value_, koid, rights, h.reset_and_get_address());
    result->reset(h.release());
    return status;
  }
  // This and set_critical are defined in <lib/zx/internal/tasks.h>, once zx::process is
  // complete.
  zx_status_t get_child(uint64_t koid, zx_rights_t rights, process* result) const;

  zx_status_t set_policy(uint32_t options, uint32_t topic, const void* policy,
                         uint32_t count) const {
    return zx_job_set_policy(get(), options, topic, policy, count);
  }

  zx_status_t set_critical(uint32_t options, const zx::process& process) const;

  // The process's default job (`default` is a C++ keyword). ZX_HANDLE_INVALID inside
  // while zrk has no jobs.
  static inline unowned<job> default_job() { return unowned<job>(zx_job_default()); }
};

using unowned_job = unowned<job>;

}  // namespace zx

#include <lib/zx/internal/tasks.h>

#endif  // LIB_ZX_JOB_H_
