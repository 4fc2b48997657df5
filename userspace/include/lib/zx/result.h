// zx::result<T> and zx::result<>: a value or a zx_status_t error, with the interface of
// Fuchsia's <lib/zx/result.h> (there built on fit::result; here standing alone):
//
//   zx::result<zx::vmo> make_vmo(uint64_t size) {
//     zx::vmo vmo;
//     if (zx_status_t status = zx::vmo::create(size, 0, &vmo); status != ZX_OK) {
//       return zx::error(status);
//     }
//     return zx::ok(std::move(vmo));
//   }
//
// Always: is_ok(), is_error(), status_value() (ZX_OK on success), status_string(),
// value_or(default). Only when is_ok(): value(), *, ->, take_value(). Only when
// is_error(): error_value(), take_error(). Using the wrong half aborts, as it does
// without exceptions in Fuchsia; so does an error made from ZX_OK.
#ifndef LIB_ZX_RESULT_H_
#define LIB_ZX_RESULT_H_

#include <zircon/errors.h>
#include <zircon/status.h>
#include <zircon/types.h>

#include <optional>
#include <type_traits>
#include <utility>

namespace zx {

// What zx::error(status) makes: converts to any zx::result.
template <typename E>
class error {
 public:
  constexpr explicit error(const E& value) : value_(value) {}
  constexpr const E& value() const { return value_; }

 private:
  E value_;
};
template <typename E>
error(E) -> error<E>;

// What zx::ok(...) makes: converts to a zx::result of the same value type.
template <typename... Ts>
class success;

template <typename T>
class success<T> {
 public:
  constexpr explicit success(T value) : value_(std::move(value)) {}
  constexpr T& value() & { return value_; }
  constexpr T&& value() && { return std::move(value_); }

 private:
  T value_;
};

template <>
class success<> {
 public:
  constexpr success() = default;
};

template <typename T>
constexpr success<std::decay_t<T>> ok(T&& value) {
  return success<std::decay_t<T>>(std::forward<T>(value));
}
constexpr success<> ok() { return success<>(); }

using error_result = error<zx_status_t>;

template <typename... Ts>
class result;

template <typename T>
class [[nodiscard]] result<T> {
 public:
  constexpr result(error<zx_status_t> e) : status_(e.value()) {
    if (status_ == ZX_OK) {
      __builtin_abort();  // an error must be one: zx::ok() is success
    }
  }
  constexpr result(success<T>&& s) : value_(std::move(s).value()) {}
  template <typename U, typename = std::enable_if_t<std::is_constructible_v<T, U&&>>>
  constexpr result(success<U>&& s) : value_(T(std::move(s).value())) {}

  constexpr bool is_ok() const { return status_ == ZX_OK; }
  constexpr bool is_error() const { return status_ != ZX_OK; }
  constexpr zx_status_t status_value() const { return status_; }
  const char* status_string() const { return zx_status_get_string(status_); }

  constexpr zx_status_t error_value() const {
    if (is_ok()) {
      __builtin_abort();
    }
    return status_;
  }
  constexpr error<zx_status_t> take_error() const { return error<zx_status_t>(error_value()); }

  constexpr T& value() & { return checked(); }
  constexpr const T& value() const& { return checked(); }
  constexpr T&& value() && { return std::move(checked()); }
  constexpr T& operator*() & { return checked(); }
  constexpr const T& operator*() const& { return checked(); }
  constexpr T&& operator*() && { return std::move(checked()); }
  constexpr T* operator->() { return &checked(); }
  constexpr const T* operator->() const { return &checked(); }
  constexpr success<T> take_value() { return success<T>(std::move(checked())); }

  template <typename U>
  constexpr T value_or(U&& default_value) const& {
    return is_ok() ? *value_ : static_cast<T>(std::forward<U>(default_value));
  }
  template <typename U>
  constexpr T value_or(U&& default_value) && {
    return is_ok() ? std::move(*value_) : static_cast<T>(std::forward<U>(default_value));
  }

 private:
  constexpr T& checked() {
    if (!is_ok()) {
      __builtin_abort();
    }
    return *value_;
  }
  constexpr const T& checked() const {
    if (!is_ok()) {
      __builtin_abort();
    }
    return *value_;
  }

  zx_status_t status_ = ZX_OK;
  std::optional<T> value_;
};

template <>
class [[nodiscard]] result<> {
 public:
  constexpr result(error<zx_status_t> e) : status_(e.value()) {
    if (status_ == ZX_OK) {
      __builtin_abort();
    }
  }
  constexpr result(success<>) {}

  constexpr bool is_ok() const { return status_ == ZX_OK; }
  constexpr bool is_error() const { return status_ != ZX_OK; }
  constexpr zx_status_t status_value() const { return status_; }
  const char* status_string() const { return zx_status_get_string(status_); }

  constexpr zx_status_t error_value() const {
    if (is_ok()) {
      __builtin_abort();
    }
    return status_;
  }
  constexpr error<zx_status_t> take_error() const { return error<zx_status_t>(error_value()); }
  constexpr success<> take_value() const {
    if (!is_ok()) {
      __builtin_abort();
    }
    return success<>();
  }

 private:
  zx_status_t status_ = ZX_OK;
};

// A zx::result<> from a status: success for ZX_OK, else that error.
constexpr result<> make_result(zx_status_t status) {
  if (status == ZX_OK) {
    return ok();
  }
  return error_result(status);
}

// A zx::result<T> from a status and the value a call filled in. `value` is taken by
// reference so that it is read after `status` was computed.
template <typename T>
constexpr result<std::remove_reference_t<T>> make_result(zx_status_t status, T&& value) {
  if (status == ZX_OK) {
    return ok(std::forward<T>(value));
  }
  return error_result(status);
}

}  // namespace zx

#endif  // LIB_ZX_RESULT_H_
