// zx::event: an object with user signals only (Fuchsia's <lib/zx/event.h>).
#ifndef LIB_ZX_EVENT_H_
#define LIB_ZX_EVENT_H_

#include <lib/zx/handle.h>
#include <lib/zx/object.h>

namespace zx {

class event final : public object<event> {
 public:
  static constexpr zx_obj_type_t TYPE = ZX_OBJ_TYPE_EVENT;

  constexpr event() = default;
  explicit event(zx_handle_t value) : object(value) {}
  explicit event(handle&& h) : object(h.release()) {}
  event(event&& other) : object(other.release()) {}
  event& operator=(event&& other) {
    reset(other.release());
    return *this;
  }

  static zx_status_t create(uint32_t options, event* result) {
    // `result` keeps its old handle until the call has produced a new one.
    event h;
    zx_status_t status = zx_event_create(options, h.reset_and_get_address());
    result->reset(h.release());
    return status;
  }
};

using unowned_event = unowned<event>;

}  // namespace zx

#endif  // LIB_ZX_EVENT_H_
