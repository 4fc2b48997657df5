// For C++ only: libstdc++'s configuration (Debian's aarch64-linux-gnu g++, built for
// glibc), less what picolibc and zrk's runtime do not have. scripts/build-user puts this
// directory before libstdc++'s own, so <bits/c++config.h> finds this file first.
#include_next <bits/c++config.h>

#ifndef ZRK_CXX_CONFIG_H_
#define ZRK_CXX_CONFIG_H_

// std::atomic<T>::wait would call Linux's futex through syscall(); without this,
// libstdc++ waits on a mutex and condition variable (the runtime's pthreads) instead.
#undef _GLIBCXX_HAVE_LINUX_FUTEX
// picolibc 1.8's <time.h> declares no timespec_get; the runtime has one (clock.c, and
// <threads.h> declares it). <ctime> names it, and gives std::timespec only alongside it.
struct timespec;
extern "C" int timespec_get(struct timespec* ts, int base);
// glibc extensions the runtime's <pthread.h> lacks: timed waits on a chosen clock, and
// reader-writer locks.
#undef _GLIBCXX_USE_PTHREAD_COND_CLOCKWAIT
#undef _GLIBCXX_USE_PTHREAD_MUTEX_CLOCKLOCK
#undef _GLIBCXX_USE_PTHREAD_RWLOCK_CLOCKLOCK
#undef _GLIBCXX_USE_PTHREAD_RWLOCK_T
// picolibc declares no nanosleep: std::this_thread::sleep_for is then a library
// function, which is not linked (see userspace/README.md, C++).
#undef _GLIBCXX_USE_NANOSLEEP
// No <semaphore.h>: std::counting_semaphore uses its atomic implementation.
#undef _GLIBCXX_HAVE_POSIX_SEMAPHORE

#endif  // ZRK_CXX_CONFIG_H_
