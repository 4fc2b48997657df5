// <lib/zx/...>, Fuchsia's C++ handle wrappers, on the real kernel: VMOs, VMARs, events,
// event pairs, threads, timers, handle operations, times, and zx::result. Every wrapper
// method, including those of objects the kernel does not implement yet (channels,
// ports, processes, jobs), is also instantiated in compile_every_method() below, which
// never runs: a signature that drifts from the system calls breaks this build.
#include <zrk/test.h>

#include <lib/zx/channel.h>
#include <lib/zx/clock.h>
#include <lib/zx/event.h>
#include <lib/zx/eventpair.h>
#include <lib/zx/handle.h>
#include <lib/zx/job.h>
#include <lib/zx/port.h>
#include <lib/zx/process.h>
#include <lib/zx/resource.h>
#include <lib/zx/result.h>
#include <lib/zx/suspend_token.h>
#include <lib/zx/thread.h>
#include <lib/zx/time.h>
#include <lib/zx/timer.h>
#include <lib/zx/vmar.h>
#include <lib/zx/vmo.h>
#include <zircon/syscalls/debug.h>
#include <zircon/syscalls/object.h>

#include <utility>

namespace {

constexpr uint64_t kPage = 4096;

bool handle_is_valid(zx_handle_t h) {
  return zx_object_get_info(h, ZX_INFO_HANDLE_VALID, nullptr, 0, nullptr, nullptr) == ZX_OK;
}

zx_koid_t koid_of(const zx::object_base& object) {
  zx_info_handle_basic_t info = {};
  if (object.get_info(ZX_INFO_HANDLE_BASIC, &info, sizeof info, nullptr, nullptr) != ZX_OK) {
    return 0;
  }
  return info.koid;
}

}  // namespace

TEST(vmo_create_read_write_size_child) {
  zx::vmo vmo;
  ASSERT_OK(zx::vmo::create(2 * kPage, ZX_VMO_RESIZABLE, &vmo));
  ASSERT_TRUE(vmo.is_valid());
  const char message[] = "hello from C++";
  EXPECT_OK(vmo.write(message, 100, sizeof message));
  char back[sizeof message] = {};
  EXPECT_OK(vmo.read(back, 100, sizeof back));
  EXPECT_EQ(memcmp(back, message, sizeof message), 0);

  uint64_t size = 0;
  EXPECT_OK(vmo.get_size(&size));
  EXPECT_EQ(size, 2 * kPage);
  EXPECT_OK(vmo.set_size(3 * kPage));
  EXPECT_OK(vmo.get_size(&size));
  EXPECT_EQ(size, 3 * kPage);
  uint64_t content = 0;
  EXPECT_OK(vmo.get_prop_content_size(&content));
  EXPECT_EQ(content, 3 * kPage);
  // A smaller content size zeroes the VMO beyond it (Zircon's rule): keep the message.
  EXPECT_OK(vmo.set_prop_content_size(kPage));
  EXPECT_OK(vmo.get_prop_content_size(&content));
  EXPECT_EQ(content, kPage);
  EXPECT_OK(vmo.op_range(ZX_VMO_OP_COMMIT, 0, kPage, nullptr, 0));

  zx::vmo child;
  ASSERT_OK(vmo.create_child(ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE, 0, kPage, &child));
  EXPECT_OK(child.read(back, 100, sizeof back));
  EXPECT_EQ(memcmp(back, message, sizeof message), 0);
  EXPECT_NE(koid_of(child), koid_of(vmo));
  // A failed call still leaves the out-parameter empty, never a stale handle.
  EXPECT_STATUS(vmo.create_child(ZX_VMO_CHILD_SLICE, 1, kPage, &child), ZX_ERR_INVALID_ARGS);
  EXPECT_FALSE(child.is_valid());
}

TEST(handles_close_move_duplicate_replace_release) {
  zx_handle_t raw = ZX_HANDLE_INVALID;
  {
    zx::vmo vmo;
    ASSERT_OK(zx::vmo::create(kPage, 0, &vmo));
    raw = vmo.get();
    EXPECT_TRUE(handle_is_valid(raw));
  }
  EXPECT_FALSE(handle_is_valid(raw));  // the destructor closed it

  zx::vmo vmo;
  ASSERT_OK(zx::vmo::create(kPage, 0, &vmo));
  zx_koid_t koid = koid_of(vmo);
  EXPECT_NE(koid, 0u);

  zx::vmo moved(std::move(vmo));
  EXPECT_FALSE(vmo.is_valid());
  EXPECT_EQ(koid_of(moved), koid);

  zx::vmo dup;
  ASSERT_OK(moved.duplicate(ZX_RIGHT_SAME_RIGHTS, &dup));
  EXPECT_NE(dup.get(), moved.get());
  EXPECT_EQ(koid_of(dup), koid);

  zx_handle_t before = dup.get();
  ASSERT_OK(dup.replace(ZX_RIGHT_READ | ZX_RIGHT_GET_PROPERTY, &dup));  // into itself
  EXPECT_FALSE(handle_is_valid(before));
  char byte = 1;
  EXPECT_STATUS(dup.write(&byte, 0, 1), ZX_ERR_ACCESS_DENIED);

  zx::handle any(std::move(dup));  // any kind goes into a zx::handle
  EXPECT_EQ(koid_of(any), koid);
  zx_handle_t released = any.release();
  EXPECT_FALSE(any.is_valid());
  EXPECT_TRUE(handle_is_valid(released));
  zx::vmo back(released);
  EXPECT_TRUE(back == released);

  zx::unowned_vmo unowned(back);
  EXPECT_EQ(unowned->get(), back.get());
  {
    zx::unowned_vmo copy(unowned);
    EXPECT_EQ(koid_of(*copy), koid);
  }
  EXPECT_TRUE(handle_is_valid(back.get()));  // unowned never closes
}

TEST(vmar_map_protect_allocate_destroy) {
  zx::vmo vmo;
  ASSERT_OK(zx::vmo::create(2 * kPage, 0, &vmo));
  zx_vaddr_t addr = 0;
  ASSERT_OK(zx::vmar::root_self()->map(ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, 2 * kPage,
                                       &addr));
  volatile char* p = reinterpret_cast<volatile char*>(addr);
  p[0] = 'z';
  char c = 0;
  EXPECT_OK(vmo.read(&c, 0, 1));
  EXPECT_EQ(c, 'z');
  EXPECT_OK(zx::vmar::root_self()->protect(ZX_VM_PERM_READ, addr, kPage));
  EXPECT_OK(zx::vmar::root_self()->unmap(addr, 2 * kPage));

  zx::vmar child;
  uintptr_t child_addr = 0;
  ASSERT_OK(zx::vmar::root_self()->allocate(
      ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE, 0, 16 * kPage, &child, &child_addr));
  EXPECT_NE(child_addr, 0u);
  zx_vaddr_t inner = 0;
  ASSERT_OK(child.map(ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, kPage, &inner));
  EXPECT_GE(inner, child_addr);
  EXPECT_LT(inner, child_addr + 16 * kPage);
  EXPECT_OK(child.destroy());
  EXPECT_STATUS(child.map(ZX_VM_PERM_READ, 0, vmo, 0, kPage, &inner), ZX_ERR_BAD_STATE);
}

TEST(event_signal_and_wait) {
  zx::event event;
  ASSERT_OK(zx::event::create(0, &event));
  zx_signals_t pending = 0;
  EXPECT_STATUS(event.wait_one(ZX_EVENT_SIGNALED, zx::time(0), &pending), ZX_ERR_TIMED_OUT);
  EXPECT_OK(event.signal(0, ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_0));
  EXPECT_OK(event.wait_one(ZX_EVENT_SIGNALED, zx::time::infinite(), &pending));
  EXPECT_EQ(pending & (ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_0),
            ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_0);
  EXPECT_OK(zx::unowned_event(event)->signal(ZX_EVENT_SIGNALED, 0));
  zx_wait_item_t item = {event.get(), ZX_USER_SIGNAL_0, 0};
  EXPECT_OK(zx::event::wait_many(&item, 1, zx::deadline_after(zx::sec(1))));
  EXPECT_EQ(item.pending & ZX_EVENT_SIGNALED, 0u);
}

TEST(eventpair_signals_its_peer) {
  zx::eventpair left, right;
  ASSERT_OK(zx::eventpair::create(0, &left, &right));
  EXPECT_OK(left.signal_peer(0, ZX_USER_SIGNAL_0));
  zx_signals_t pending = 0;
  EXPECT_OK(right.wait_one(ZX_USER_SIGNAL_0, zx::deadline_after(zx::sec(5)), &pending));
  left.reset();
  EXPECT_OK(right.wait_one(ZX_EVENTPAIR_PEER_CLOSED, zx::deadline_after(zx::sec(5)), &pending));
  EXPECT_STATUS(right.signal_peer(0, ZX_USER_SIGNAL_0), ZX_ERR_PEER_CLOSED);
}

TEST(timer_fires_and_cancels) {
  zx::timer timer;
  ASSERT_OK(zx::timer::create(0, ZX_CLOCK_MONOTONIC, &timer));
  zx::time start = zx::clock::get_monotonic();
  EXPECT_OK(timer.set(zx::deadline_after(zx::msec(2)), zx::duration(0)));
  zx_signals_t pending = 0;
  EXPECT_OK(timer.wait_one(ZX_TIMER_SIGNALED, zx::deadline_after(zx::sec(10)), &pending));
  EXPECT_GE((zx::clock::get_monotonic() - start).to_usecs(), 2000);
  EXPECT_OK(timer.cancel());
  EXPECT_STATUS(timer.wait_one(ZX_TIMER_SIGNALED, zx::time(0), &pending), ZX_ERR_TIMED_OUT);
}

// --- A raw thread: no TLS, so it only makes system calls ------------------------------------

namespace {

volatile bool stop_spinning = false;

void spin_then_exit(uintptr_t arg1, uintptr_t arg2) {
  (void)arg2;
  zx_object_signal(static_cast<zx_handle_t>(arg1), 0, ZX_USER_SIGNAL_0);
  while (!stop_spinning) {
    zx_nanosleep(zx_deadline_after(ZX_USEC(100)));
  }
  zx_thread_exit();
}

}  // namespace

TEST(thread_create_start_suspend_read_state) {
  EXPECT_TRUE(zx::thread::self()->is_valid());
  EXPECT_TRUE(zx::process::self()->is_valid());
  EXPECT_TRUE(zx::job::default_job()->is_valid());

  zx::event started;
  ASSERT_OK(zx::event::create(0, &started));
  zx::thread thread;
  const char name[] = "cxx-raw";
  ASSERT_OK(zx::thread::create(*zx::process::self(), name, sizeof name - 1, 0, &thread));
  static char stack[16 * 1024] __attribute__((aligned(16)));
  ASSERT_OK(thread.start(spin_then_exit, stack + sizeof stack, started.get(), 0));
  zx_signals_t pending = 0;
  ASSERT_OK(started.wait_one(ZX_USER_SIGNAL_0, zx::deadline_after(zx::sec(10)), &pending));

  zx::suspend_token token;
  ASSERT_OK(thread.suspend(&token));
  ASSERT_OK(thread.wait_one(ZX_THREAD_SUSPENDED, zx::deadline_after(zx::sec(10)), &pending));
  zx_thread_state_general_regs_t regs = {};
  EXPECT_OK(thread.read_state(ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof regs));
  EXPECT_GE(regs.sp, reinterpret_cast<uintptr_t>(stack));
  EXPECT_LE(regs.sp, reinterpret_cast<uintptr_t>(stack + sizeof stack));
  EXPECT_OK(thread.write_state(ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof regs));
  token.reset();  // resumes

  stop_spinning = true;
  EXPECT_OK(thread.wait_one(ZX_THREAD_TERMINATED, zx::deadline_after(zx::sec(10)), &pending));
}

TEST(times_durations_and_ticks) {
  static_assert(zx::sec(2) == zx::msec(2000));
  static_assert((zx::usec(3) + zx::nsec(5)).get() == 3005);
  static_assert(zx::min(1).to_secs() == 60 && zx::hour(1).to_mins() == 60);
  static_assert(zx::time::infinite() + zx::sec(1) == zx::time::infinite());  // saturates
  static_assert(zx::time(10) - zx::time(4) == zx::nsec(6));
  static_assert(zx::duration::infinite() * 2 == zx::duration::infinite());
  static_assert(zx::ticks::infinite() + zx::ticks(1) == zx::ticks::infinite());
  constexpr std::timespec ts = zx::msec(1500).to_timespec();
  static_assert(ts.tv_sec == 1 && ts.tv_nsec == 500000000);
  static_assert(zx::duration(ts) == zx::msec(1500));

  zx::time a = zx::clock::get_monotonic();
  EXPECT_OK(zx::nanosleep(zx::deadline_after(zx::usec(200))));
  zx::time b = zx::clock::get_monotonic();
  EXPECT_GE((b - a).to_nsecs(), 200000);
  EXPECT_GT(zx::clock::get_boot().get(), 0);
  EXPECT_GT(zx::ticks::per_second().get(), 0);
  zx::ticks t0 = zx::ticks::now();
  EXPECT_GE((zx::ticks::now() - t0).get(), 0);
}

namespace {

zx::result<zx::vmo> make_vmo(uint64_t size) {
  zx::vmo vmo;
  if (zx_status_t status = zx::vmo::create(size, 0, &vmo); status != ZX_OK) {
    return zx::error(status);
  }
  return zx::ok(std::move(vmo));
}

zx::result<> check(bool good) {
  return good ? zx::make_result(ZX_OK) : zx::make_result(ZX_ERR_BAD_STATE);
}

}  // namespace

TEST(result_carries_a_value_or_a_status) {
  zx::result<zx::vmo> made = make_vmo(kPage);
  ASSERT_TRUE(made.is_ok());
  EXPECT_OK(made.status_value());
  EXPECT_TRUE(made->is_valid());
  zx::vmo taken = std::move(made.value());
  EXPECT_TRUE(taken.is_valid());

  zx::result<zx::vmo> failed = make_vmo(UINT64_MAX);
  ASSERT_TRUE(failed.is_error());
  EXPECT_STATUS(failed.error_value(), ZX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(strcmp(failed.status_string(), "ZX_ERR_OUT_OF_RANGE"), 0);

  EXPECT_TRUE(check(true).is_ok());
  EXPECT_STATUS(check(false).status_value(), ZX_ERR_BAD_STATE);
  zx::result<int> number = zx::ok(7);
  EXPECT_EQ(number.value_or(0), 7);
  zx::result<int> none = zx::error(ZX_ERR_NOT_FOUND);
  EXPECT_EQ(none.value_or(3), 3);
  zx_status_t s = ZX_OK;
  int out = 5;
  EXPECT_EQ(zx::make_result(s, out).value(), 5);
}

// --- Every method, compiled but never run -------------------------------------------------------

[[maybe_unused]] static void compile_every_method() {
  zx::time deadline = zx::time::infinite();
  zx_signals_t pending;
  size_t actual, avail;
  uint64_t u64;
  uint32_t u32, u32b;
  char buffer[16];
  zx_handle_t raw_handles[1];
  zx_handle_info_t handle_infos[1];
  zx_handle_disposition_t dispositions[1];
  zx_port_packet_t packet;
  zx_channel_call_args_t call_args = {};
  zx_channel_call_etc_args_t call_etc_args = {};
  zx_wait_item_t item;

  zx::handle handle;
  zx::handle other_handle;
  (void)handle.reset_and_get_address();
  (void)handle.get_info(ZX_INFO_HANDLE_BASIC, buffer, sizeof buffer, &actual, &avail);
  (void)handle.get_property(ZX_PROP_NAME, buffer, sizeof buffer);
  (void)handle.set_property(ZX_PROP_NAME, buffer, sizeof buffer);
  (void)handle.duplicate(ZX_RIGHT_SAME_RIGHTS, &other_handle);
  (void)handle.replace(ZX_RIGHT_SAME_RIGHTS, &other_handle);
  (void)handle.wait_one(0, deadline, &pending);
  (void)handle.signal(0, 0);
  (void)zx::handle::wait_many(&item, 1, deadline);
  handle.swap(other_handle);
  (void)(handle == other_handle || handle != other_handle || handle < other_handle ||
         handle > other_handle || handle <= other_handle || handle >= other_handle);

  zx::port port;
  (void)zx::port::create(0, &port);
  (void)port.queue(&packet);
  (void)port.wait(deadline, &packet);
  (void)port.cancel(handle, 0);
  (void)port.duplicate(ZX_RIGHT_SAME_RIGHTS, &port);

  zx::event event;
  (void)zx::event::create(0, &event);
  (void)event.wait_async(port, 1, ZX_EVENT_SIGNALED, 0);

  zx::eventpair ep0, ep1;
  (void)zx::eventpair::create(0, &ep0, &ep1);
  (void)ep0.signal_peer(0, ZX_USER_SIGNAL_0);

  zx::timer timer;
  (void)zx::timer::create(0, ZX_CLOCK_MONOTONIC, &timer);
  (void)timer.set(deadline, zx::duration(0));
  (void)timer.cancel();

  zx::resource vmex;
  zx::vmo vmo;
  (void)zx::vmo::create(kPage, 0, &vmo);
  (void)vmo.read(buffer, 0, 1);
  (void)vmo.write(buffer, 0, 1);
  (void)vmo.get_size(&u64);
  (void)vmo.set_size(u64);
  (void)vmo.get_prop_content_size(&u64);
  (void)vmo.set_prop_content_size(u64);
  (void)vmo.create_child(0, 0, kPage, &vmo);
  (void)vmo.op_range(ZX_VMO_OP_COMMIT, 0, kPage, nullptr, 0);
  (void)vmo.set_cache_policy(0);
  (void)vmo.replace_as_executable(vmex, &vmo);

  zx::vmar vmar;
  zx_vaddr_t addr;
  (void)zx::vmar::root_self()->allocate(0, 0, kPage, &vmar, &addr);
  (void)vmar.map(0, 0, vmo, 0, kPage, &addr);
  (void)vmar.unmap(addr, kPage);
  (void)vmar.protect(0, addr, kPage);
  (void)vmar.destroy();

  zx::channel ch0, ch1;
  (void)zx::channel::create(0, &ch0, &ch1);
  (void)ch0.read(0, buffer, raw_handles, sizeof buffer, 1, &u32, &u32b);
  (void)ch0.read_etc(0, buffer, handle_infos, sizeof buffer, 1, &u32, &u32b);
  (void)ch0.write(0, buffer, sizeof buffer, raw_handles, 1);
  (void)ch0.write_etc(0, buffer, sizeof buffer, dispositions, 1);
  (void)ch0.call(0, deadline, &call_args, &u32, &u32b);
  (void)ch0.call_etc(0, deadline, &call_etc_args, &u32, &u32b);
  (void)ch0.signal_peer(0, ZX_USER_SIGNAL_0);
  zx::channel exceptions;

  zx::job job;
  zx::job child_job;
  (void)zx::job::create(*zx::job::default_job(), 0, &child_job);
  (void)job.get_child(1, ZX_RIGHT_SAME_RIGHTS, &child_job);
  (void)job.get_child(1, ZX_RIGHT_SAME_RIGHTS, &handle);
  (void)job.set_policy(0, 0, nullptr, 0);
  (void)job.kill();
  (void)job.create_exception_channel(0, &exceptions);

  zx::process process;
  zx::vmar root;
  (void)zx::process::create(job, "p", 1, 0, &process, &root);
  (void)job.get_child(1, ZX_RIGHT_SAME_RIGHTS, &process);
  (void)job.set_critical(0, process);
  (void)process.read_memory(0, buffer, 1, &actual);
  (void)process.write_memory(0, buffer, 1, &actual);
  (void)process.kill();
  (void)process.suspend(nullptr);

  zx::thread thread;
  (void)zx::thread::create(process, "t", 1, 0, &thread);
  (void)process.get_child(1, ZX_RIGHT_SAME_RIGHTS, &thread);
  (void)process.get_child(1, ZX_RIGHT_SAME_RIGHTS, &handle);
  (void)process.start(thread, 0, 0, std::move(handle), 0);
  (void)thread.start(uintptr_t{0}, uintptr_t{0}, 0, 0);
  (void)thread.read_state(0, buffer, sizeof buffer);
  (void)thread.write_state(0, buffer, sizeof buffer);
  (void)thread.create_exception_channel(0, &exceptions);

  zx::suspend_token token;
  (void)thread.suspend(&token);
  zx::unowned_thread self = zx::thread::self();
  zx::unowned_thread same = zx::thread::self();
  same = self;
  (void)(self == same || self != same || self == ZX_HANDLE_INVALID);
}

int main() { return run_tests(); }
