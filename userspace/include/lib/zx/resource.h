// zx::resource: a handle to a resource (Fuchsia's <lib/zx/resource.h>), such as the
// VMEX resource zx::vmo::replace_as_executable takes. zrk has no zx_resource_create,
// so there are no resource methods: only the wrapper.
#ifndef LIB_ZX_RESOURCE_H_
#define LIB_ZX_RESOURCE_H_

#include <lib/zx/handle.h>
#include <lib/zx/object.h>

namespace zx {

class resource final : public object<resource> {
 public:
  static constexpr zx_obj_type_t TYPE = ZX_OBJ_TYPE_RESOURCE;

  constexpr resource() = default;
  explicit resource(zx_handle_t value) : object(value) {}
  explicit resource(handle&& h) : object(h.release()) {}
  resource(resource&& other) : object(other.release()) {}
  resource& operator=(resource&& other) {
    reset(other.release());
    return *this;
  }
};

using unowned_resource = unowned<resource>;

}  // namespace zx

#endif  // LIB_ZX_RESOURCE_H_
