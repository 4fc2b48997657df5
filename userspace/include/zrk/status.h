// zx_status_get_string(): the name of a status code, as Fuchsia's <zircon/status.h>
// declares it.
//
// TODO(lead): Fuchsia answers this in the vDSO; when libzircon generates
// <zircon/status.h> and its stubs define the function, this header only includes
// that one and userspace/runtime/status.c goes away.
#ifndef ZRK_STATUS_H_
#define ZRK_STATUS_H_

#if __has_include(<zircon/status.h>)
#include <zircon/status.h>
#else
#include <zircon/types.h>

#ifdef __cplusplus
extern "C" {
#endif

// "ZX_OK", "ZX_ERR_BAD_HANDLE", ...; "(UNKNOWN)" for a value with no name.
const char* zx_status_get_string(zx_status_t status);
const char* _zx_status_get_string(zx_status_t status);

#ifdef __cplusplus
}
#endif
#endif

#endif  // ZRK_STATUS_H_
