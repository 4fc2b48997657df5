// For C++ only: libstdc++'s glibc locale glue names glibc's `__locale_t`, a pointer to a
// locale. picolibc's `__locale_t` is the struct that its `locale_t` points to, so the
// glue sees `locale_t` under that name while it is read. <clocale> comes first so that
// picolibc's own declarations are in place (and guarded) before the rename.
#include <clocale>

#define __locale_t locale_t
#include_next <bits/c++locale.h>
#undef __locale_t
