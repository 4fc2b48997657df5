// For C++ only: the libstdc++ headers of Debian's aarch64-linux-gnu g++ are configured
// for glibc, and their bits/os_defines.h includes glibc's <features.h> to ask
// __GLIBC_PREREQ. picolibc has no <features.h>; this one answers as glibc 2.34 would,
// which selects what suits zrk's runtime: no weak references to pthread functions
// (libstdc++ then takes threads as always present, so shared_ptr counts and the like
// stay atomic), and pthread_self() as the native thread id.
#ifndef ZRK_CXX_FEATURES_H_
#define ZRK_CXX_FEATURES_H_

#include <sys/features.h>

#define __GLIBC_PREREQ(major, minor) ((major) < 2 || ((major) == 2 && (minor) <= 34))

#endif  // ZRK_CXX_FEATURES_H_
