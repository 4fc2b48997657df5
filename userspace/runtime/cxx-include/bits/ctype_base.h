// For C++ only: libstdc++'s glibc ctype glue builds std::ctype_base's masks from glibc's
// classification bits (_ISupper, ...), which picolibc's <ctype.h> does not have. The
// values are glibc's; only std::ctype's tables, which live in libstdc++'s library (not
// linked on zrk), ever read them, but headers such as <memory> need them to compile.
#ifndef ZRK_CXX_CTYPE_BASE_H_
#define ZRK_CXX_CTYPE_BASE_H_

#define ZRK_ISBIT(bit) ((bit) < 8 ? ((1 << (bit)) << 8) : ((1 << (bit)) >> 8))
enum {
  _ISupper = ZRK_ISBIT(0),
  _ISlower = ZRK_ISBIT(1),
  _ISalpha = ZRK_ISBIT(2),
  _ISdigit = ZRK_ISBIT(3),
  _ISxdigit = ZRK_ISBIT(4),
  _ISspace = ZRK_ISBIT(5),
  _ISprint = ZRK_ISBIT(6),
  _ISgraph = ZRK_ISBIT(7),
  _ISblank = ZRK_ISBIT(8),
  _IScntrl = ZRK_ISBIT(9),
  _ISpunct = ZRK_ISBIT(10),
  _ISalnum = ZRK_ISBIT(11),
};
#undef ZRK_ISBIT

#endif  // ZRK_CXX_CTYPE_BASE_H_

#include_next <bits/ctype_base.h>
