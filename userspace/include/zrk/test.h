// zrk's TAP test header: every userspace/tests/*.c (and *.cc) includes this and nothing
// else test-related. It is C11 and C++ alike.
//
// A test program is a list of cases:
//
//   #include <zrk/test.h>
//
//   TEST(close_invalid_handle_is_ok) {
//     EXPECT_OK(zx_handle_close(ZX_HANDLE_INVALID));
//   }
//
//   int main(void) { return run_tests(); }
//
// run_tests() prints the plan ("1..N"), runs the cases in source order and prints one
// TAP line per case: "ok N - name", or, for a case with a failed check,
// "not ok N - name # FILE:LINE: CHECK: detail" naming its first failure (every
// failure is also printed as a "# FILE:LINE: ..." diagnostic line as it happens). It
// returns the exit status: 0 when every case passed. The host harness
// (kernel/tests/guest.rs) turns each TAP line into one `cargo test` result.
//
// Checks: EXPECT_* record a failure and go on; ASSERT_* also return from the current
// function (use them in the case body, or in a helper that returns void).
//   EXPECT_TRUE(c)  EXPECT_FALSE(c)
//   EXPECT_EQ(a, b) EXPECT_NE(a, b)        any integer or pointer, compared as 64 bits
//   EXPECT_LT/LE/GT/GE(a, b)               signed 64-bit comparison (times, sizes)
//   EXPECT_OK(call)                        call returns ZX_OK
//   EXPECT_STATUS(call, ZX_ERR_...)        call returns that status; names both on failure
// TEST_CONTEXT("fmt", ...) labels the failures that follow in the same case (e.g. which
// hostile pointer a loop is trying); it is cleared when the case ends.
//
// Programs that want no TEST() registry can use the explicit form instead:
// plan(n); ok(cond, "name"); ...; return done_testing();   (TAP_OK in C++)
//
// print_long_line(n) prints "# long-line N: " and N bytes of "0123456789" repeated as
// one printf: the harness checks such lines arrive whole, which exercises the runtime's
// splitting of output into 256-byte zx_debug_write calls.
#ifndef ZRK_TEST_H_
#define ZRK_TEST_H_

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <zircon/status.h>
#include <zircon/syscalls.h>
#include <zircon/types.h>

#ifndef ZRK_TEST_MAX_CASES
#define ZRK_TEST_MAX_CASES 256
#endif

typedef void (*zrk_test_fn)(void);

struct zrk_test_case {
  const char* name;
  zrk_test_fn fn;
};

// The whole state lives in this one translation unit: a test program is one .c file.
static struct zrk_test_state {
  struct zrk_test_case cases[ZRK_TEST_MAX_CASES];
  int registered;       // TEST() cases
  bool overflow;        // more TEST() cases than ZRK_TEST_MAX_CASES
  bool has_plan;        // plan() ran
  int planned;
  int reported;         // TAP lines printed
  int failed_cases;
  // The running case.
  int failures;
  char first_failure[400];
  char context[96];
} zrk_test;  // all zero (static storage): no initializer, so C++ reads it the same

// Called from the constructors TEST() generates, before main, in source order.
static inline void zrk_test_register(const char* name, zrk_test_fn fn) {
  if (zrk_test.registered == ZRK_TEST_MAX_CASES) {
    zrk_test.overflow = true;
    return;
  }
  zrk_test.cases[zrk_test.registered].name = name;
  zrk_test.cases[zrk_test.registered].fn = fn;
  zrk_test.registered++;
}

#define TEST(name)                                                                  \
  static void zrk_test_case_##name(void);                                           \
  __attribute__((constructor)) static void zrk_test_register_##name(void) {        \
    zrk_test_register(#name, zrk_test_case_##name);                                 \
  }                                                                                 \
  static void zrk_test_case_##name(void)

static inline __attribute__((format(printf, 1, 2))) void TEST_CONTEXT(const char* format,
                                                                      ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(zrk_test.context, sizeof zrk_test.context, format, args);
  va_end(args);
}

// Records a failed check: prints a diagnostic now, keeps the first for the TAP line.
static inline __attribute__((format(printf, 4, 5))) void zrk_test_fail(const char* file, int line,
                                                                      const char* check,
                                                                      const char* format, ...) {
  char detail[160];
  va_list args;
  va_start(args, format);
  vsnprintf(detail, sizeof detail, format, args);
  va_end(args);

  // A message cut short is still a useful message; using snprintf's result says so to
  // the compiler's truncation warning.
  char message[sizeof zrk_test.first_failure];
  int length;
  if (zrk_test.context[0] != '\0') {
    length = snprintf(message, sizeof message, "%s:%d: %s: %s [%s]", file, line, check, detail,
                      zrk_test.context);
  } else {
    length = snprintf(message, sizeof message, "%s:%d: %s: %s", file, line, check, detail);
  }
  (void)length;
  printf("# %s\n", message);
  if (zrk_test.failures++ == 0) {
    memcpy(zrk_test.first_failure, message, sizeof message);
  }
}

// --- The explicit TAP form ------------------------------------------------------------

static inline void plan(int n) {
  zrk_test.has_plan = true;
  zrk_test.planned = n;
  printf("1..%d\n", n);
}

// Prints the TAP line for one case; `failure` (or NULL) says where it failed.
static inline void zrk_test_report(bool passed, const char* name, const char* failure) {
  zrk_test.reported++;
  if (passed) {
    printf("ok %d - %s\n", zrk_test.reported, name);
  } else {
    zrk_test.failed_cases++;
    printf("not ok %d - %s # %s\n", zrk_test.reported, name, failure);
  }
}

static inline void zrk_test_ok(bool passed, const char* name, const char* file, int line,
                               const char* expression) {
  char where[sizeof zrk_test.first_failure];
  snprintf(where, sizeof where, "%s:%d: %s", file, line, expression);
  zrk_test_report(passed, name, where);
}
#define TAP_OK(cond, name) zrk_test_ok((cond), (name), __FILE__, __LINE__, #cond)
// In C++ a macro named `ok` would take over zx::ok() (<lib/zx/result.h>): C++ tests
// write TAP_OK.
#ifndef __cplusplus
#define ok(cond, name) TAP_OK(cond, name)
#endif

// The exit status: 0 if a plan was printed, exactly that many cases ran, and all passed.
static inline int done_testing(void) {
  if (!zrk_test.has_plan) {
    printf("# no plan was printed\n");
    return 1;
  }
  if (zrk_test.reported != zrk_test.planned) {
    printf("# planned %d cases, ran %d\n", zrk_test.planned, zrk_test.reported);
    return 1;
  }
  if (zrk_test.failed_cases != 0) {
    printf("# %d of %d cases failed\n", zrk_test.failed_cases, zrk_test.reported);
    return 1;
  }
  return 0;
}

// --- The TEST() form --------------------------------------------------------------------

static inline int run_tests(void) {
  if (zrk_test.overflow) {
    printf("# more than %d TEST cases: raise ZRK_TEST_MAX_CASES\n", ZRK_TEST_MAX_CASES);
    printf("1..0\n");
    return 1;
  }
  plan(zrk_test.registered);
  for (int i = 0; i < zrk_test.registered; i++) {
    zrk_test.failures = 0;
    zrk_test.first_failure[0] = '\0';
    zrk_test.context[0] = '\0';
    zrk_test.cases[i].fn();
    zrk_test.context[0] = '\0';
    zrk_test_report(zrk_test.failures == 0, zrk_test.cases[i].name, zrk_test.first_failure);
  }
  return done_testing();
}

// Returns what printf returned (the line's length when all went well).
static inline int print_long_line(int n) {
  static char payload[4096];
  if (n < 0 || n >= (int)sizeof payload) {
    return -1;
  }
  for (int i = 0; i < n; i++) {
    payload[i] = (char)('0' + i % 10);
  }
  payload[n] = '\0';
  return printf("# long-line %d: %s\n", n, payload);
}

// --- Checks -------------------------------------------------------------------------------

#define ZRK_CHECK_TRUE(cond, on_fail)                                                 \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      zrk_test_fail(__FILE__, __LINE__, #cond, "is false");                          \
      on_fail;                                                                        \
    }                                                                                 \
  } while (0)

// Integers and pointers compared as 64-bit patterns: equality is exact for every type
// up to 64 bits (a negative int is not equal to a large unsigned value).
#define ZRK_CHECK_EQ(check, a, b, want_equal, on_fail)                                 \
  do {                                                                                \
    uint64_t zrk_a_ = (uint64_t)(a);                                                  \
    uint64_t zrk_b_ = (uint64_t)(b);                                                  \
    if ((zrk_a_ == zrk_b_) != (want_equal)) {                                         \
      zrk_test_fail(__FILE__, __LINE__, check "(" #a ", " #b ")",                     \
                    "%" PRId64 " (0x%" PRIx64 ") vs %" PRId64 " (0x%" PRIx64 ")",     \
                    (int64_t)zrk_a_, zrk_a_, (int64_t)zrk_b_, zrk_b_);                \
      on_fail;                                                                        \
    }                                                                                 \
  } while (0)

#define ZRK_CHECK_CMP(check, a, op, b, on_fail)                                        \
  do {                                                                                \
    int64_t zrk_a_ = (int64_t)(a);                                                    \
    int64_t zrk_b_ = (int64_t)(b);                                                    \
    if (!(zrk_a_ op zrk_b_)) {                                                        \
      zrk_test_fail(__FILE__, __LINE__, check "(" #a ", " #b ")",                     \
                    "%" PRId64 " " #op " %" PRId64 " is false", zrk_a_, zrk_b_);      \
      on_fail;                                                                        \
    }                                                                                 \
  } while (0)

#define ZRK_CHECK_STATUS(check, call, want, on_fail)                                   \
  do {                                                                                \
    zx_status_t zrk_got_ = (call);                                                    \
    zx_status_t zrk_want_ = (want);                                                   \
    if (zrk_got_ != zrk_want_) {                                                      \
      zrk_test_fail(__FILE__, __LINE__, check "(" #call ")", "got %s (%d), want %s (%d)", \
                    zx_status_get_string(zrk_got_), (int)zrk_got_,                    \
                    zx_status_get_string(zrk_want_), (int)zrk_want_);                 \
      on_fail;                                                                        \
    }                                                                                 \
  } while (0)

#define EXPECT_TRUE(cond) ZRK_CHECK_TRUE(cond, (void)0)
#define EXPECT_FALSE(cond) ZRK_CHECK_TRUE(!(cond), (void)0)
#define EXPECT_EQ(a, b) ZRK_CHECK_EQ("EXPECT_EQ", a, b, true, (void)0)
#define EXPECT_NE(a, b) ZRK_CHECK_EQ("EXPECT_NE", a, b, false, (void)0)
#define EXPECT_LT(a, b) ZRK_CHECK_CMP("EXPECT_LT", a, <, b, (void)0)
#define EXPECT_LE(a, b) ZRK_CHECK_CMP("EXPECT_LE", a, <=, b, (void)0)
#define EXPECT_GT(a, b) ZRK_CHECK_CMP("EXPECT_GT", a, >, b, (void)0)
#define EXPECT_GE(a, b) ZRK_CHECK_CMP("EXPECT_GE", a, >=, b, (void)0)
#define EXPECT_OK(call) ZRK_CHECK_STATUS("EXPECT_OK", call, ZX_OK, (void)0)
#define EXPECT_STATUS(call, want) ZRK_CHECK_STATUS("EXPECT_STATUS", call, want, (void)0)

#define ASSERT_TRUE(cond) ZRK_CHECK_TRUE(cond, return)
#define ASSERT_FALSE(cond) ZRK_CHECK_TRUE(!(cond), return)
#define ASSERT_EQ(a, b) ZRK_CHECK_EQ("ASSERT_EQ", a, b, true, return)
#define ASSERT_NE(a, b) ZRK_CHECK_EQ("ASSERT_NE", a, b, false, return)
#define ASSERT_LT(a, b) ZRK_CHECK_CMP("ASSERT_LT", a, <, b, return)
#define ASSERT_LE(a, b) ZRK_CHECK_CMP("ASSERT_LE", a, <=, b, return)
#define ASSERT_GT(a, b) ZRK_CHECK_CMP("ASSERT_GT", a, >, b, return)
#define ASSERT_GE(a, b) ZRK_CHECK_CMP("ASSERT_GE", a, >=, b, return)
#define ASSERT_OK(call) ZRK_CHECK_STATUS("ASSERT_OK", call, ZX_OK, return)
#define ASSERT_STATUS(call, want) ZRK_CHECK_STATUS("ASSERT_STATUS", call, want, return)

#endif  // ZRK_TEST_H_
