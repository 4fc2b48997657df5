//! The parts of the headers that are C code rather than ABI values: compiler
//! portability macros, time arithmetic, and a few function-like macros. Written here,
//! once, and printed into the headers verbatim.

/// The body of `<zircon/compiler.h>`.
pub const COMPILER: &str = r#"// Portability macros for GCC and Clang, used by the other zircon headers and by code
// written against Fuchsia's. Also safe to include from assembly.

#if !defined(__GNUC__) && !defined(__clang__)
#error "the zircon headers need GCC or Clang"
#endif

#ifndef __has_feature
#define __has_feature(x) 0
#endif

#ifndef __has_cpp_attribute
#define __has_cpp_attribute(x) 0
#endif

#if !defined(__ASSEMBLER__)

// Declarations between these have C linkage when compiled as C++.
#ifdef __cplusplus
#define __BEGIN_CDECLS extern "C" {
#define __END_CDECLS }
#else
#define __BEGIN_CDECLS
#define __END_CDECLS
#endif

// Function attributes.
#define __NO_INLINE __attribute__((__noinline__))
#define __ALWAYS_INLINE __attribute__((__always_inline__))
#define __NO_RETURN __attribute__((__noreturn__))
#define __WARN_UNUSED_RESULT __attribute__((__warn_unused_result__))
// The result depends only on the arguments and memory, which it does not change.
#define __PURE __attribute__((__pure__))
// The result depends only on the arguments.
#define __CONST __attribute__((__const__))
#define __MALLOC __attribute__((__malloc__))
// Never calls back into the caller's translation unit.
#define __LEAF_FN __attribute__((__leaf__))
// Argument numbers, from 1, that must not be null: __NONNULL((1, 2)).
#define __NONNULL(n) __attribute__((__nonnull__ n))
#define __PRINTFLIKE(fmt, args) __attribute__((__format__(__printf__, fmt, args)))
#define __SCANFLIKE(fmt, args) __attribute__((__format__(__scanf__, fmt, args)))
#ifndef __DEPRECATE
#define __DEPRECATE __attribute__((__deprecated__))
#endif

// Data and symbol attributes.
#ifndef __cplusplus
#define __UNUSED __attribute__((__unused__))
#endif
#define __PACKED __attribute__((__packed__))
#define __ALIGNED(x) __attribute__((__aligned__(x)))
#define __THREAD __thread
#define __SECTION(x) __attribute__((__section__(x)))
#define __ALWAYS_EMIT __attribute__((__used__))
#define __WEAK __attribute__((__weak__))
#define __ALIAS(x) __attribute__((__alias__(x)))
#define __WEAK_ALIAS(x) __attribute__((__weak__, __alias__(x)))
// picolibc defines __EXPORT (empty) too; keep whichever came first.
#ifndef __EXPORT
#define __EXPORT __attribute__((__visibility__("default")))
#endif
#define __LOCAL __attribute__((__visibility__("hidden")))

// `constexpr` in C++, nothing in C.
#ifdef __cplusplus
#define __CONSTEXPR constexpr
#else
#define __CONSTEXPR
#endif

#if defined(__cplusplus) && __cplusplus >= 201703L
#define __FALLTHROUGH [[fallthrough]]
#else
#define __FALLTHROUGH __attribute__((__fallthrough__))
#endif

// Builtins.
#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#endif
#ifndef unlikely
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif
#define __ISCONSTANT(x) __builtin_constant_p(x)
#define __UNREACHABLE __builtin_unreachable()
// picolibc's <sys/cdefs.h> defines this one too.
#ifndef __offsetof
#define __offsetof(type, field) __builtin_offsetof(type, field)
#endif
#define __GET_CALLER(x) __builtin_return_address(0)
#define __GET_FRAME(x) __builtin_frame_address(0)
#if !defined(countof) && !defined(__cplusplus)
#define countof(a) (sizeof(a) / sizeof((a)[0]))
#endif

// Checked arithmetic: store a op b in *result and yield true if it overflowed.
#define add_overflow(a, b, result) __builtin_add_overflow(a, b, result)
#define sub_overflow(a, b, result) __builtin_sub_overflow(a, b, result)
#define mul_overflow(a, b, result) __builtin_mul_overflow(a, b, result)

#endif  // !defined(__ASSEMBLER__)"#;

/// `<zircon/time.h>` brings in the C library's `struct timespec` when there is one.
pub const TIME_LIBC: &str = r#"#if __has_include(<time.h>)
#include <time.h>
#endif"#;

/// Saturating time arithmetic of `<zircon/time.h>`.
pub const TIME_FUNCTIONS: &str = r#"// Arithmetic on times, durations and ticks that saturates instead of wrapping: a result
// too large becomes ZX_TIME_INFINITE, one too small ZX_TIME_INFINITE_PAST. Named
// zx_<operand>_<operation>_<operand>; conversions are zx_duration_from_<unit>.

__CONSTEXPR static inline zx_time_t zx_time_add_duration(zx_time_t time, zx_duration_t duration) {
  zx_time_t sum = 0;
  if (unlikely(add_overflow(time, duration, &sum))) {
    return duration > 0 ? ZX_TIME_INFINITE : ZX_TIME_INFINITE_PAST;
  }
  return sum;
}

__CONSTEXPR static inline zx_time_t zx_time_sub_duration(zx_time_t time, zx_duration_t duration) {
  zx_time_t difference = 0;
  if (unlikely(sub_overflow(time, duration, &difference))) {
    return duration < 0 ? ZX_TIME_INFINITE : ZX_TIME_INFINITE_PAST;
  }
  return difference;
}

__CONSTEXPR static inline zx_duration_t zx_time_sub_time(zx_time_t time1, zx_time_t time2) {
  zx_duration_t difference = 0;
  if (unlikely(sub_overflow(time1, time2, &difference))) {
    return time2 < 0 ? ZX_TIME_INFINITE : ZX_TIME_INFINITE_PAST;
  }
  return difference;
}

__CONSTEXPR static inline zx_duration_t zx_duration_add_duration(zx_duration_t dur1,
                                                                 zx_duration_t dur2) {
  zx_duration_t sum = 0;
  if (unlikely(add_overflow(dur1, dur2, &sum))) {
    return dur2 > 0 ? ZX_TIME_INFINITE : ZX_TIME_INFINITE_PAST;
  }
  return sum;
}

__CONSTEXPR static inline zx_duration_t zx_duration_sub_duration(zx_duration_t dur1,
                                                                 zx_duration_t dur2) {
  zx_duration_t difference = 0;
  if (unlikely(sub_overflow(dur1, dur2, &difference))) {
    return dur2 < 0 ? ZX_TIME_INFINITE : ZX_TIME_INFINITE_PAST;
  }
  return difference;
}

__CONSTEXPR static inline zx_duration_t zx_duration_mul_int64(zx_duration_t duration,
                                                              int64_t multiplier) {
  zx_duration_t product = 0;
  if (unlikely(mul_overflow(duration, multiplier, &product))) {
    // The true product is positive exactly when the signs agree.
    return (duration < 0) == (multiplier < 0) ? ZX_TIME_INFINITE : ZX_TIME_INFINITE_PAST;
  }
  return product;
}

__CONSTEXPR static inline int64_t zx_nsec_from_duration(zx_duration_t n) { return n; }

__CONSTEXPR static inline zx_duration_t zx_duration_from_nsec(int64_t n) {
  return zx_duration_mul_int64(1, n);
}

__CONSTEXPR static inline zx_duration_t zx_duration_from_usec(int64_t n) {
  return zx_duration_mul_int64(1000, n);
}

__CONSTEXPR static inline zx_duration_t zx_duration_from_msec(int64_t n) {
  return zx_duration_mul_int64(1000000, n);
}

__CONSTEXPR static inline zx_duration_t zx_duration_from_sec(int64_t n) {
  return zx_duration_mul_int64(1000000000, n);
}

__CONSTEXPR static inline zx_duration_t zx_duration_from_min(int64_t n) {
  return zx_duration_mul_int64(60LL * 1000000000, n);
}

__CONSTEXPR static inline zx_duration_t zx_duration_from_hour(int64_t n) {
  return zx_duration_mul_int64(3600LL * 1000000000, n);
}

__CONSTEXPR static inline zx_ticks_t zx_ticks_add_ticks(zx_ticks_t ticks1, zx_ticks_t ticks2) {
  zx_ticks_t sum = 0;
  if (unlikely(add_overflow(ticks1, ticks2, &sum))) {
    return ticks2 > 0 ? ZX_TIME_INFINITE : ZX_TIME_INFINITE_PAST;
  }
  return sum;
}

__CONSTEXPR static inline zx_ticks_t zx_ticks_sub_ticks(zx_ticks_t ticks1, zx_ticks_t ticks2) {
  zx_ticks_t difference = 0;
  if (unlikely(sub_overflow(ticks1, ticks2, &difference))) {
    return ticks2 < 0 ? ZX_TIME_INFINITE : ZX_TIME_INFINITE_PAST;
  }
  return difference;
}

__CONSTEXPR static inline zx_ticks_t zx_ticks_mul_int64(zx_ticks_t ticks, int64_t multiplier) {
  zx_ticks_t product = 0;
  if (unlikely(mul_overflow(ticks, multiplier, &product))) {
    return (ticks < 0) == (multiplier < 0) ? ZX_TIME_INFINITE : ZX_TIME_INFINITE_PAST;
  }
  return product;
}

#if __has_include(<time.h>)

__CONSTEXPR static inline zx_duration_t zx_duration_from_timespec(struct timespec ts) {
  return zx_duration_add_duration(zx_duration_from_sec(ts.tv_sec),
                                  zx_duration_from_nsec(ts.tv_nsec));
}

__CONSTEXPR static inline struct timespec zx_timespec_from_duration(zx_duration_t duration) {
  const struct timespec ts = {(time_t)(duration / 1000000000), (long)(duration % 1000000000)};
  return ts;
}

// A time is a duration since the clock's origin.
__CONSTEXPR static inline zx_time_t zx_time_from_timespec(struct timespec ts) {
  return zx_duration_from_timespec(ts);
}

__CONSTEXPR static inline struct timespec zx_timespec_from_time(zx_time_t time) {
  return zx_timespec_from_duration(time);
}

#endif  // __has_include(<time.h>)

// Durations in a unit. A constant argument folds to a constant (usable in static
// initializers); any other goes through the saturating functions above.
#define ZX_NSEC(n) (__ISCONSTANT(n) ? ((zx_duration_t)(1LL * (n))) : zx_duration_from_nsec(n))
#define ZX_USEC(n) (__ISCONSTANT(n) ? ((zx_duration_t)(1000LL * (n))) : zx_duration_from_usec(n))
#define ZX_MSEC(n) \
  (__ISCONSTANT(n) ? ((zx_duration_t)(1000000LL * (n))) : zx_duration_from_msec(n))
#define ZX_SEC(n) \
  (__ISCONSTANT(n) ? ((zx_duration_t)(1000000000LL * (n))) : zx_duration_from_sec(n))
#define ZX_MIN(n) \
  (__ISCONSTANT(n) ? ((zx_duration_t)(60LL * 1000000000LL * (n))) : zx_duration_from_min(n))
#define ZX_HOUR(n) \
  (__ISCONSTANT(n) ? ((zx_duration_t)(3600LL * 1000000000LL * (n))) : zx_duration_from_hour(n))"#;

/// `<zircon/types.h>` types the futex word atomic in C, where `<stdatomic.h>` exists.
pub const TYPES_STDATOMIC: &str = r#"// C code waits on an atomic_int; C++ and kernel code (whose atomics differ) see a
// plain int of the same size.
#if !defined(__cplusplus) && !defined(_KERNEL)
#include <stdatomic.h>
#endif"#;

/// The futex typedef of `<zircon/types.h>`: its C type depends on the language.
pub const FUTEX_TYPEDEF: &str = r#"// The word zx_futex_wait and zx_futex_wake operate on.
#if defined(__cplusplus) || defined(_KERNEL)
typedef int zx_futex_t;
#else
typedef atomic_int zx_futex_t;
#endif
typedef int zx_futex_storage_t;"#;

/// `<zircon/string_view.h>`: written by hand for its C++ conversion. The layout is
/// `types::zx_string_view_t`'s, which the check file pins.
pub const STRING_VIEW: &str = r#"// A UTF-8 string constant handed out by value: c_str is NUL-terminated and stays valid,
// unchanged, for the life of the process; length does not count the NUL. It comes back
// in two registers, so a C caller pays nothing over a plain const char*.
typedef struct zx_string_view {
  const char* c_str;
  size_t length;
#ifdef __cplusplus
  // Converts to std::string_view, std::u8string_view, or any type that is built from
  // a pointer and a length and names its const_pointer type, without this header
  // depending on the C++ library.
  template <typename StringView, typename Pointer = typename StringView::const_pointer>
  operator StringView() const {
    return StringView(reinterpret_cast<Pointer>(c_str), length);
  }
#endif
} zx_string_view_t;"#;

/// `ZX_THREAD_STATE_BASIC` of `<zircon/syscalls/object.h>`.
pub const THREAD_STATE_BASIC_MACRO: &str = r#"// The basic state (the low byte) of a possibly more precise thread state: e.g. every
// ZX_THREAD_STATE_BLOCKED_* value reduces to ZX_THREAD_STATE_BLOCKED.
#define ZX_THREAD_STATE_BASIC(n) ((n) & 0xff)"#;

/// The topic-versioning macro of `<zircon/syscalls/object.h>`.
pub const INFO_TOPIC_MACRO: &str = r#"// A topic number with a layout version in its top four bits.
#define __ZX_INFO_TOPIC(t, v) ((zx_object_info_topic_t)((t) | ((v) << 28)))"#;

/// The VMO type test of `<zircon/syscalls/object.h>`.
pub const VMO_TYPE_MACRO: &str = r#"// ZX_INFO_VMO_TYPE_PAGED or ZX_INFO_VMO_TYPE_PHYSICAL, from zx_info_vmo_t.flags.
#define ZX_INFO_VMO_TYPE(flags) ((flags) & (1u << 0))"#;

/// `<zircon/syscalls/types.h>`: forward declarations for prototypes.
pub const SYSCALL_FORWARD_DECLARATIONS: &str = r#"// Forward declarations of the structs that syscall prototypes point to, for syscalls
// whose structs live in headers of their own. None of this kernel's syscalls needs one yet."#;

/// `<zircon/process.h>`: the C runtime's accessors for the start-up handles.
pub const PROCESS_ACCESSORS: &str = r#"// The handles a process starts with, kept by the C runtime (which defines these
// functions; libzircon's stubs do not). Both spellings name the same function.

// The calling thread.
zx_handle_t zx_thread_self(void);
zx_handle_t _zx_thread_self(void);

// The calling process.
zx_handle_t zx_process_self(void);
zx_handle_t _zx_process_self(void);

// The root VMAR of the calling process's address space.
zx_handle_t zx_vmar_root_self(void);
zx_handle_t _zx_vmar_root_self(void);

// The job new processes go into (ZX_HANDLE_INVALID if the process was given none).
zx_handle_t zx_job_default(void);
zx_handle_t _zx_job_default(void);"#;

/// `<zircon/status.h>`: status names, answered by libzircon's stubs library.
pub const STATUS_STRING: &str = r#"// The name of a status code ("ZX_ERR_BAD_HANDLE"), or "(UNKNOWN)" for a value
// <zircon/errors.h> does not define. Answered in the calling process.
extern __LEAF_FN const char* zx_status_get_string(zx_status_t status);
extern __LEAF_FN const char* _zx_status_get_string(zx_status_t status);"#;

/// `zx_channel_call_args_t`, `zx_channel_call_etc_args_t` and `zx_channel_iovec_t` of
/// `<zircon/types.h>`: pointers, which the Rust view keeps as addresses.
pub const CHANNEL_POINTER_STRUCTS: &str = r#"// zx_channel_call's buffers: the request to write, and room for the reply.
typedef struct zx_channel_call_args {
  const void* wr_bytes;
  const zx_handle_t* wr_handles;
  void* rd_bytes;
  zx_handle_t* rd_handles;
  uint32_t wr_num_bytes;
  uint32_t wr_num_handles;
  uint32_t rd_num_bytes;
  uint32_t rd_num_handles;
} zx_channel_call_args_t;

// zx_channel_call_etc's buffers: handle dispositions out, handle infos in.
typedef struct zx_channel_call_etc_args {
  const void* wr_bytes;
  zx_handle_disposition_t* wr_handles;
  void* rd_bytes;
  zx_handle_info_t* rd_handles;
  uint32_t wr_num_bytes;
  uint32_t wr_num_handles;
  uint32_t rd_num_bytes;
  uint32_t rd_num_handles;
} zx_channel_call_etc_args_t;

// One piece of a ZX_CHANNEL_WRITE_USE_IOVEC message.
typedef struct zx_channel_iovec {
  const void* buffer;
  uint32_t capacity;
  uint32_t reserved;
} zx_channel_iovec_t;"#;

/// The payload union and the packet of `<zircon/syscalls/port.h>`.
pub const PORT_PACKET: &str = r#"// A user packet's payload: 32 bytes, seen as any width.
typedef union zx_packet_user {
  uint64_t u64[4];
  uint32_t u32[8];
  uint16_t u16[16];
  uint8_t c8[32];
} zx_packet_user_t;

// A port packet: its key, kind (ZX_PKT_TYPE_*), status, and a payload of that kind.
typedef struct zx_port_packet {
  uint64_t key;
  zx_packet_type_t type;
  zx_status_t status;
  union {
    zx_packet_user_t user;
    zx_packet_signal_t signal;
    zx_packet_interrupt_t interrupt;
    zx_packet_page_request_t page_request;
  };
} zx_port_packet_t;"#;

pub const EXCEPTION_CONTEXT: &str = r#"// What an exception carries besides registers: the architecture's part (arm64: the
// syndrome and fault address), and for synthetic exceptions a code and datum.
typedef struct zx_exception_context {
  struct {
    union {
      zx_x86_64_exc_data_t x86_64;
      zx_arm64_exc_data_t arm_64;
    } u;
  } arch;
  uint32_t synth_code;
  uint32_t synth_data;
} zx_exception_context_t;"#;
