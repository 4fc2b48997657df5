// The C++ runtime (userspace/runtime/cxx.cc, start.c, picolibc's __cxa_atexit): global
// constructors before main and in order, destructors at exit in reverse, function-local
// statics (once, also when threads race for them), every form of new and delete,
// virtual calls, and libstdc++'s header-only containers and algorithms.
//
// The exit status proves the destructors ran: the first global's destructor, the last
// to run, ends the process with 42 if the tests passed and the other destructors ran
// before it in the right order (with no destructors at all, exit(0) would be seen).
// zrk-test: expect-exit 42
#include <zrk/test.h>

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <memory>
#include <new>
#include <numeric>
#include <vector>

namespace {

// --- Globals: construction order, destruction order ------------------------------------

bool main_started = false;
int construction_log[4];
int constructed = 0;
int tests_status = -1;
int destroyed_mask = 0;  // bit N: global N's destructor ran
bool destruction_order_ok = true;
bool local_static_destroyed = false;

struct Global {
  int id;
  bool constructed_before_main;
  explicit Global(int id) : id(id), constructed_before_main(!main_started) {
    if (constructed < 4) {
      construction_log[constructed] = id;
    }
    constructed++;
  }
  ~Global() {
    // Reverse order: every global made after this one is gone already.
    for (int later = id + 1; later < 4; later++) {
      if ((destroyed_mask & (1 << later)) == 0) {
        destruction_order_ok = false;
      }
    }
    destroyed_mask |= 1 << id;
    if (id == 0) {
      // Statics created during main go before any global made before main.
      bool ok = tests_status == 0 && destruction_order_ok && local_static_destroyed &&
                destroyed_mask == 0xf;
      printf("# exit: tests %d, order %d, local static %d, mask %#x\n", tests_status,
             destruction_order_ok, local_static_destroyed, destroyed_mask);
      _exit(ok ? 42 : 1);
    }
  }
};

Global global0(0);
Global global1(1);
Global global2(2);
Global global3(3);

}  // namespace

TEST(globals_are_constructed_before_main_in_order) {
  EXPECT_EQ(constructed, 4);
  for (int i = 0; i < 4; i++) {
    TEST_CONTEXT("global %d", i);
    EXPECT_EQ(construction_log[i], i);
  }
  EXPECT_TRUE(global0.constructed_before_main);
  EXPECT_TRUE(global3.constructed_before_main);
}

// --- Function-local statics ---------------------------------------------------------------

namespace {

int local_constructions = 0;

struct Local {
  int value;
  Local() : value(0) {
    local_constructions++;
    value = 1234;
  }
  ~Local() { local_static_destroyed = true; }
};

Local& the_local() {
  static Local local;
  return local;
}

// Construction takes long enough that racing threads find it in progress and wait.
int slow_constructions = 0;
struct Slow {
  int value;
  Slow() : value(0) {
    __atomic_fetch_add(&slow_constructions, 1, __ATOMIC_RELAXED);
    zx_nanosleep(zx_deadline_after(ZX_MSEC(20)));
    value = 99;
  }
};

Slow& the_slow() {
  static Slow slow;
  return slow;
}

void* race_for_slow(void* seen) {
  *static_cast<int*>(seen) = the_slow().value;
  return nullptr;
}

}  // namespace

TEST(function_local_static_is_constructed_once) {
  EXPECT_EQ(local_constructions, 0);
  Local& first = the_local();
  Local& second = the_local();
  EXPECT_EQ(&first, &second);
  EXPECT_EQ(first.value, 1234);
  EXPECT_EQ(local_constructions, 1);
}

TEST(racing_threads_wait_for_a_local_static) {
  constexpr int kThreads = 4;
  pthread_t threads[kThreads];
  int seen[kThreads] = {};
  for (int i = 0; i < kThreads; i++) {
    ASSERT_EQ(pthread_create(&threads[i], nullptr, race_for_slow, &seen[i]), 0);
  }
  for (int i = 0; i < kThreads; i++) {
    ASSERT_EQ(pthread_join(threads[i], nullptr), 0);
    TEST_CONTEXT("thread %d", i);
    EXPECT_EQ(seen[i], 99);  // none saw it half-built
  }
  EXPECT_EQ(slow_constructions, 1);
}

// --- new and delete -------------------------------------------------------------------------

namespace {

struct alignas(256) Overaligned {
  char bytes[300];
};

struct Counted {
  static int live;
  int value;
  Counted() : value(7) { live++; }
  ~Counted() { live--; }
};
int Counted::live = 0;

int handler_calls = 0;
void out_of_memory_handler() {
  handler_calls++;
  std::set_new_handler(nullptr);  // the next failure returns nullptr / aborts
}

}  // namespace

TEST(every_form_of_new_and_delete) {
  int* one = new int(5);
  EXPECT_EQ(*one, 5);
  delete one;

  int* many = new int[100]();
  EXPECT_EQ(many[99], 0);
  delete[] many;

  Counted* c = new Counted;
  EXPECT_EQ(Counted::live, 1);
  delete c;  // sized delete
  Counted* cs = new Counted[3];
  EXPECT_EQ(Counted::live, 3);
  delete[] cs;
  EXPECT_EQ(Counted::live, 0);

  int* nothrow_one = new (std::nothrow) int(6);
  ASSERT_NE(nothrow_one, nullptr);
  delete nothrow_one;
  char* nothrow_many = new (std::nothrow) char[64];
  ASSERT_NE(nothrow_many, nullptr);
  delete[] nothrow_many;

  Overaligned* a = new Overaligned;
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a) % 256, 0);
  a->bytes[299] = 1;
  delete a;
  Overaligned* as = new Overaligned[3];
  EXPECT_EQ(reinterpret_cast<uintptr_t>(as) % 256, 0);
  delete[] as;
  Overaligned* an = new (std::nothrow) Overaligned;
  ASSERT_NE(an, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(an) % 256, 0);
  delete an;

  // The operator functions themselves, as a container or allocator calls them.
  void* p = operator new(32, std::align_val_t(4096));
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 4096, 0);
  operator delete(p, 32, std::align_val_t(4096));
  p = operator new[](48, std::align_val_t(64), std::nothrow);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 64, 0);
  operator delete[](p, std::align_val_t(64), std::nothrow);
  p = operator new(0);  // a distinct, non-null pointer
  void* q = operator new(0);
  EXPECT_NE(p, nullptr);
  EXPECT_NE(p, q);
  operator delete(p, size_t{0});
  operator delete(q);
}

TEST(nothrow_new_returns_null_after_the_new_handler) {
  EXPECT_EQ(std::get_new_handler(), nullptr);
  std::set_new_handler(out_of_memory_handler);
  EXPECT_EQ(std::get_new_handler(), out_of_memory_handler);
  void* huge = operator new(size_t{1} << 40, std::nothrow);
  EXPECT_EQ(huge, nullptr);
  EXPECT_EQ(handler_calls, 1);
  EXPECT_EQ(std::get_new_handler(), nullptr);
}

// --- Virtual functions ------------------------------------------------------------------------

namespace {

int shapes_destroyed = 0;

struct Shape {
  virtual ~Shape() { shapes_destroyed++; }
  virtual int area() const = 0;
  virtual const char* name() const { return "shape"; }
};

struct Square : Shape {
  int side;
  explicit Square(int side) : side(side) {}
  int area() const override { return side * side; }
  const char* name() const override { return "square"; }
};

struct Rectangle : Shape {
  int w, h;
  Rectangle(int w, int h) : w(w), h(h) {}
  int area() const override { return w * h; }
};

}  // namespace

TEST(virtual_calls_and_destructors) {
  std::unique_ptr<Shape> shapes[] = {std::make_unique<Square>(3),
                                     std::make_unique<Rectangle>(2, 5)};
  EXPECT_EQ(shapes[0]->area(), 9);
  EXPECT_EQ(shapes[1]->area(), 10);
  EXPECT_EQ(strcmp(shapes[0]->name(), "square"), 0);
  EXPECT_EQ(strcmp(shapes[1]->name(), "shape"), 0);
  shapes[0].reset();
  shapes[1].reset();
  EXPECT_EQ(shapes_destroyed, 2);
}

// --- libstdc++'s headers ----------------------------------------------------------------------

TEST(std_array_vector_and_algorithms) {
  std::array<int, 8> numbers = {5, 3, 8, 1, 9, 2, 7, 4};
  std::sort(numbers.begin(), numbers.end());
  EXPECT_TRUE(std::is_sorted(numbers.begin(), numbers.end()));
  EXPECT_EQ(numbers.front(), 1);
  EXPECT_EQ(numbers.back(), 9);
  EXPECT_EQ(std::accumulate(numbers.begin(), numbers.end(), 0), 39);
  EXPECT_TRUE(std::binary_search(numbers.begin(), numbers.end(), 7));
  EXPECT_EQ(*std::max_element(numbers.begin(), numbers.end()), 9);

  std::vector<int> squares;
  for (int n : numbers) {
    squares.push_back(n * n);
  }
  EXPECT_EQ(squares.size(), 8u);
  EXPECT_EQ(squares[7], 81);
  squares.erase(std::remove_if(squares.begin(), squares.end(), [](int s) { return s % 2 == 0; }),
                squares.end());
  EXPECT_EQ(squares.size(), 5u);  // 1, 9, 25, 49, 81
  EXPECT_EQ(std::count(squares.begin(), squares.end(), 49), 1);
}

int main() {
  main_started = true;
  tests_status = run_tests();
  return tests_status;
}
