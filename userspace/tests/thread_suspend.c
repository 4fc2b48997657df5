// zx_task_suspend and the registers of a stopped thread (zx_thread_read_state and
// zx_thread_write_state): suspending a running thread, one blocked in a syscall (it
// shows x0 = ZX_ERR_INTERNAL_INTR_RETRY and retries once resumed), one not yet started,
// nested tokens, the flags register, redirecting a stopped thread, and the errors.
#include <zircon/rights.h>
#include <zircon/syscalls/debug.h>
#include <zircon/syscalls/object.h>
#include <zrk/thread_util.h>
#include <zrk/vmo_util.h>

static volatile int stop_spinning;
static volatile int redirected;

static void spin(uintptr_t a, uintptr_t b) {
  (void)a;
  (void)b;
  while (!__atomic_load_n(&stop_spinning, __ATOMIC_ACQUIRE)) {
  }
  zx_thread_exit();
}

static void landing(uintptr_t a, uintptr_t b) {
  (void)a;
  (void)b;
  __atomic_store_n(&redirected, 1, __ATOMIC_RELEASE);
  zx_thread_exit();
}

static zx_status_t wait_signal(zx_handle_t h, zx_signals_t s) {
  return zx_object_wait_one(h, s, zx_deadline_after(ZX_SEC(5)), NULL);
}

static uint32_t thread_state(zx_handle_t h) {
  zx_info_thread_t info = {0};
  zx_object_get_info(h, ZX_INFO_THREAD, &info, sizeof info, NULL, NULL);
  return info.state;
}

TEST(a_running_thread_stops_and_goes_on) {
  raw_thread_t t;
  stop_spinning = 0;
  ASSERT_OK(raw_thread_start(&t, spin, 0, 0));
  zx_handle_t token;
  ASSERT_OK(zx_task_suspend(t.handle, &token));
  ASSERT_OK(wait_signal(t.handle, ZX_THREAD_SUSPENDED));
  EXPECT_EQ(thread_state(t.handle), ZX_THREAD_STATE_SUSPENDED);
  zx_signals_t s = 0;
  zx_object_wait_one(t.handle, 0, 0, &s);
  EXPECT_FALSE(s & ZX_THREAD_RUNNING);
  zx_thread_state_general_regs_t regs;
  ASSERT_OK(zx_thread_read_state(t.handle, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof regs));
  EXPECT_GE(regs.sp, t.stack);
  EXPECT_LE(regs.sp, t.stack + RAW_THREAD_STACK);
  EXPECT_GE(regs.pc, (uintptr_t)spin);
  EXPECT_LT(regs.pc, (uintptr_t)spin + 64);
  EXPECT_EQ(regs.cpsr & ~0xf0000000ull, 0);
  EXPECT_EQ(regs.tpidr, 0);
  ASSERT_OK(zx_handle_close(token));
  ASSERT_OK(wait_signal(t.handle, ZX_THREAD_RUNNING));
  __atomic_store_n(&stop_spinning, 1, __ATOMIC_RELEASE);
  EXPECT_OK(raw_thread_join(&t));
}

static zx_handle_t event;
static volatile zx_status_t wait_status = 1;

static void wait_for_event(uintptr_t a, uintptr_t b) {
  (void)a;
  (void)b;
  wait_status = zx_object_wait_one(event, ZX_USER_SIGNAL_0, ZX_TIME_INFINITE, NULL);
  zx_thread_exit();
}

TEST(a_thread_blocked_in_a_syscall_stops_and_retries_it) {
  ASSERT_OK(zx_event_create(0, &event));
  raw_thread_t t;
  wait_status = 1;
  ASSERT_OK(raw_thread_start(&t, wait_for_event, 0, 0));
  // Until it is blocked in the wait.
  for (int i = 0; i < 1000 && thread_state(t.handle) != ZX_THREAD_STATE_BLOCKED_WAIT_ONE; i++) {
    zx_nanosleep(zx_deadline_after(ZX_MSEC(1)));
  }
  EXPECT_EQ(thread_state(t.handle), ZX_THREAD_STATE_BLOCKED_WAIT_ONE);
  zx_handle_t token;
  ASSERT_OK(zx_task_suspend(t.handle, &token));
  ASSERT_OK(wait_signal(t.handle, ZX_THREAD_SUSPENDED));
  zx_thread_state_general_regs_t regs;
  ASSERT_OK(zx_thread_read_state(t.handle, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof regs));
  EXPECT_EQ((int64_t)regs.r[0], ZX_ERR_INTERNAL_INTR_RETRY);
  EXPECT_EQ(regs.r[1], ZX_USER_SIGNAL_0);
  EXPECT_EQ(regs.r[2], (uint64_t)ZX_TIME_INFINITE);
  EXPECT_EQ(wait_status, 1);
  ASSERT_OK(zx_handle_close(token));
  // Resumed, it waits again; the signal ends that wait.
  zx_nanosleep(zx_deadline_after(ZX_MSEC(10)));
  EXPECT_EQ(wait_status, 1);
  ASSERT_OK(zx_object_signal(event, 0, ZX_USER_SIGNAL_0));
  EXPECT_OK(raw_thread_join(&t));
  EXPECT_OK(wait_status);
  zx_handle_close(event);
}

TEST(tokens_nest_and_a_stopped_thread_can_be_redirected) {
  raw_thread_t t;
  stop_spinning = 0;
  redirected = 0;
  ASSERT_OK(raw_thread_start(&t, spin, 0, 0));
  zx_handle_t first, second;
  ASSERT_OK(zx_task_suspend(t.handle, &first));
  ASSERT_OK(zx_task_suspend_token(t.handle, &second));
  ASSERT_OK(wait_signal(t.handle, ZX_THREAD_SUSPENDED));
  zx_info_handle_basic_t info;
  ASSERT_OK(zx_object_get_info(first, ZX_INFO_HANDLE_BASIC, &info, sizeof info, NULL, NULL));
  EXPECT_EQ(info.type, ZX_OBJ_TYPE_SUSPEND_TOKEN);
  EXPECT_EQ(info.rights, ZX_DEFAULT_SUSPEND_TOKEN_RIGHTS);
  ASSERT_OK(zx_handle_close(first));
  zx_nanosleep(zx_deadline_after(ZX_MSEC(10)));
  EXPECT_EQ(thread_state(t.handle), ZX_THREAD_STATE_SUSPENDED);
  // Only the condition flags of cpsr are written; pc goes where we say.
  zx_thread_state_general_regs_t regs;
  ASSERT_OK(zx_thread_read_state(t.handle, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof regs));
  regs.cpsr = 0xffffffff;
  regs.pc = (uintptr_t)landing;
  regs.tpidr = 0x1234;
  ASSERT_OK(zx_thread_write_state(t.handle, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof regs));
  zx_thread_state_general_regs_t again;
  ASSERT_OK(zx_thread_read_state(t.handle, ZX_THREAD_STATE_GENERAL_REGS, &again, sizeof again));
  EXPECT_EQ(again.cpsr, 0xf0000000);
  EXPECT_EQ(again.pc, (uintptr_t)landing);
  EXPECT_EQ(again.tpidr, 0x1234);
  zx_thread_state_vector_regs_t v;
  ASSERT_OK(zx_thread_read_state(t.handle, ZX_THREAD_STATE_VECTOR_REGS, &v, sizeof v));
  v.v[3].low = 0x1111;
  v.v[3].high = 0x2222;
  ASSERT_OK(zx_thread_write_state(t.handle, ZX_THREAD_STATE_VECTOR_REGS, &v, sizeof v));
  zx_thread_state_vector_regs_t v2;
  ASSERT_OK(zx_thread_read_state(t.handle, ZX_THREAD_STATE_VECTOR_REGS, &v2, sizeof v2));
  EXPECT_EQ(v2.v[3].low, 0x1111);
  EXPECT_EQ(v2.v[3].high, 0x2222);
  ASSERT_OK(zx_handle_close(second));
  EXPECT_OK(raw_thread_join(&t));
  EXPECT_EQ(redirected, 1);
}

TEST(a_thread_suspended_before_it_starts_starts_stopped) {
  zx_handle_t h, token;
  ASSERT_OK(zx_thread_create(zx_process_self(), "late", 4, 0, &h));
  ASSERT_OK(zx_task_suspend(h, &token));
  raw_thread_t t = {h, 0};
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(RAW_THREAD_STACK, 0, &vmo));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0,
                        RAW_THREAD_STACK, &t.stack));
  zx_handle_close(vmo);
  redirected = 0;
  ASSERT_OK(zx_thread_start(h, (zx_vaddr_t)landing, t.stack + RAW_THREAD_STACK, 0, 0));
  ASSERT_OK(wait_signal(h, ZX_THREAD_SUSPENDED));
  zx_thread_state_general_regs_t regs;
  ASSERT_OK(zx_thread_read_state(h, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof regs));
  EXPECT_EQ(regs.pc, (uintptr_t)landing);
  EXPECT_EQ(redirected, 0);
  ASSERT_OK(zx_handle_close(token));
  EXPECT_OK(raw_thread_join(&t));
  EXPECT_EQ(redirected, 1);
}

TEST(the_errors) {
  zx_handle_t token;
  EXPECT_STATUS(zx_task_suspend(ZX_HANDLE_INVALID, &token), ZX_ERR_BAD_HANDLE);
  EXPECT_STATUS(zx_task_suspend(zx_thread_self(), &token), ZX_ERR_NOT_SUPPORTED);
  EXPECT_STATUS(zx_task_suspend(zx_process_self(), &token), ZX_ERR_NOT_SUPPORTED);
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(4096, 0, &vmo));
  EXPECT_STATUS(zx_task_suspend(vmo, &token), ZX_ERR_WRONG_TYPE);
  zx_handle_close(vmo);
  raw_thread_t t;
  stop_spinning = 0;
  ASSERT_OK(raw_thread_start(&t, spin, 0, 0));
  zx_handle_t weak;
  ASSERT_OK(zx_handle_duplicate(t.handle, ZX_RIGHTS_BASIC, &weak));
  EXPECT_STATUS(zx_task_suspend(weak, &token), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(weak);
  zx_thread_state_general_regs_t regs;
  // Not stopped: running.
  EXPECT_STATUS(zx_thread_read_state(t.handle, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof regs),
                ZX_ERR_BAD_STATE);
  EXPECT_STATUS(zx_thread_read_state(t.handle, 99, &regs, sizeof regs), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(zx_thread_read_state(t.handle, ZX_THREAD_STATE_GENERAL_REGS, &regs, 8),
                ZX_ERR_BUFFER_TOO_SMALL);
  EXPECT_STATUS(zx_thread_write_state(t.handle, ZX_THREAD_STATE_DEBUG_REGS, &regs, sizeof regs),
                ZX_ERR_NOT_SUPPORTED);
  ASSERT_OK(zx_task_suspend(t.handle, &token));
  ASSERT_OK(wait_signal(t.handle, ZX_THREAD_SUSPENDED));
  zx_thread_state_fp_regs_t fp;
  EXPECT_STATUS(zx_thread_read_state(t.handle, ZX_THREAD_STATE_FP_REGS, &fp, sizeof fp),
                ZX_ERR_NOT_SUPPORTED);
  EXPECT_STATUS(zx_thread_read_state(t.handle, ZX_THREAD_STATE_GENERAL_REGS, (void*)8, sizeof regs),
                ZX_ERR_INVALID_ARGS);
  zx_handle_close(token);
  __atomic_store_n(&stop_spinning, 1, __ATOMIC_RELEASE);
  EXPECT_OK(raw_thread_join(&t));
  // Dead.
  EXPECT_STATUS(zx_task_suspend(t.handle, &token), ZX_ERR_BAD_HANDLE);
}

int main(void) { return run_tests(); }
