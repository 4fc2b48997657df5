// zx_status_get_string(): status names for messages and test failures.
//
// The names come from <zircon/errors.h> itself (stringised macro names), so this table
// cannot drift from the values. TODO(lead): move into libzircon, generated from the
// same table as errors.h, as Fuchsia's vDSO provides it; see <zrk/status.h>.
#include <zircon/errors.h>
#include <zrk/status.h>

#define NAME(status) \
  case status:       \
    return #status;

const char* zx_status_get_string(zx_status_t status) {
  switch (status) {
    NAME(ZX_OK)
    NAME(ZX_ERR_INTERNAL)
    NAME(ZX_ERR_NOT_SUPPORTED)
    NAME(ZX_ERR_NO_RESOURCES)
    NAME(ZX_ERR_NO_MEMORY)
    NAME(ZX_ERR_INTERNAL_INTR_RETRY)
    NAME(ZX_ERR_INVALID_ARGS)
    NAME(ZX_ERR_BAD_HANDLE)
    NAME(ZX_ERR_WRONG_TYPE)
    NAME(ZX_ERR_BAD_SYSCALL)
    NAME(ZX_ERR_OUT_OF_RANGE)
    NAME(ZX_ERR_BUFFER_TOO_SMALL)
    NAME(ZX_ERR_BAD_STATE)
    NAME(ZX_ERR_TIMED_OUT)
    NAME(ZX_ERR_SHOULD_WAIT)
    NAME(ZX_ERR_CANCELED)
    NAME(ZX_ERR_PEER_CLOSED)
    NAME(ZX_ERR_NOT_FOUND)
    NAME(ZX_ERR_ALREADY_EXISTS)
    NAME(ZX_ERR_ALREADY_BOUND)
    NAME(ZX_ERR_UNAVAILABLE)
    NAME(ZX_ERR_ACCESS_DENIED)
    NAME(ZX_ERR_IO)
    NAME(ZX_ERR_IO_REFUSED)
    NAME(ZX_ERR_IO_DATA_INTEGRITY)
    NAME(ZX_ERR_IO_DATA_LOSS)
    NAME(ZX_ERR_IO_NOT_PRESENT)
    NAME(ZX_ERR_IO_OVERRUN)
    NAME(ZX_ERR_IO_MISSED_DEADLINE)
    NAME(ZX_ERR_IO_INVALID)
    NAME(ZX_ERR_BAD_PATH)
    NAME(ZX_ERR_NOT_DIR)
    NAME(ZX_ERR_NOT_FILE)
    NAME(ZX_ERR_FILE_BIG)
    NAME(ZX_ERR_NO_SPACE)
    NAME(ZX_ERR_NOT_EMPTY)
    NAME(ZX_ERR_STOP)
    NAME(ZX_ERR_NEXT)
    NAME(ZX_ERR_ASYNC)
    NAME(ZX_ERR_PROTOCOL_NOT_SUPPORTED)
    NAME(ZX_ERR_ADDRESS_UNREACHABLE)
    NAME(ZX_ERR_ADDRESS_IN_USE)
    NAME(ZX_ERR_NOT_CONNECTED)
    NAME(ZX_ERR_CONNECTION_REFUSED)
    NAME(ZX_ERR_CONNECTION_RESET)
    NAME(ZX_ERR_CONNECTION_ABORTED)
    NAME(ZX_ERR_INTERNAL_INTR_KILLED)
    default:
      return "(UNKNOWN)";
  }
}

const char* _zx_status_get_string(zx_status_t status)
    __attribute__((alias("zx_status_get_string")));
