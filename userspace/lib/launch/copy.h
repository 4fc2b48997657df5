// Shared by the launch library's files (not a public header).
#ifndef ZRK_LIB_LAUNCH_COPY_H_
#define ZRK_LIB_LAUNCH_COPY_H_

#include <zircon/types.h>

// Copies |len| bytes of VMO |src| at |src_offset| into VMO |dst| at |dst_offset|.
zx_status_t zrk_launch_copy_vmo(zx_handle_t dst, uint64_t dst_offset, zx_handle_t src,
                                uint64_t src_offset, uint64_t len);

#endif  // ZRK_LIB_LAUNCH_COPY_H_
