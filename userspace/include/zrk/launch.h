// Starting programs from user space, in the spirit of Fuchsia's fdio_spawn: load a static
// AArch64 ELF executable from a VMO into a new process and start it.
//
// The new process gets what the kernel gives the first program: each PT_LOAD segment in
// a VMO of its own mapped with the segment's permissions (never writable and executable:
// W^X), a 256 KiB stack with a 64 KiB region below it that nothing can map, and a
// start-up block (zrk_startup_t) with argv in a page of its own. Its handles (the
// process itself, its root VMAR and first thread, plus those the caller passes) travel
// in one message on a bootstrap channel: _start gets the channel in x0 and the block's
// address in x1, and the C runtime writes the handles into the block's fields.
#ifndef ZRK_LAUNCH_H_
#define ZRK_LAUNCH_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zircon/types.h>
#include <zircon/zrk-startup.h>

#ifdef __cplusplus
extern "C" {
#endif

// Which start-up slot a handle fills: the byte offset of its zrk_startup_t field.
#define ZRK_LAUNCH_SLOT(field) ((uint32_t)offsetof(zrk_startup_t, field))

// A handle for the new process; it is moved (consumed on every outcome).
typedef struct zrk_launch_handle {
  uint32_t slot;  // ZRK_LAUNCH_SLOT(job), ZRK_LAUNCH_SLOT(info_resource), ...
  zx_handle_t handle;
} zrk_launch_handle_t;

// Creates a process named |name| in |job| from the ELF executable in |executable| (a VMO
// with at least ZX_RIGHT_READ; not consumed), with argv[0..argc) (argv[0] is |name| when
// argc is 0), and starts it. |handles| fill start-up slots other than process, vmar_root
// and thread, which the launcher makes itself. On success *process (if not NULL) is the
// new process. Errors: those of the syscalls it makes, ZX_ERR_NOT_SUPPORTED for an ELF
// file the loader does not take (not ET_EXEC AArch64, a W+X segment, a segment outside
// the user address space), ZX_ERR_OUT_OF_RANGE for arguments longer than a page.
zx_status_t zrk_launch(zx_handle_t job, const char* name, zx_handle_t executable, int argc,
                       const char* const* argv, const zrk_launch_handle_t* handles,
                       size_t num_handles, zx_handle_t* process);

// As zrk_launch, but the new program's first thread stays suspended until the caller
// closes *suspend_token, so the caller can finish its own work first (zrk-init closes the
// executable's VMO and registers its wait before the program runs, so a test's kernel-wide
// counts see none of it). The process dies with its job, or when killed, either way.
zx_status_t zrk_launch_suspended(zx_handle_t job, const char* name, zx_handle_t executable,
                                 int argc, const char* const* argv,
                                 const zrk_launch_handle_t* handles, size_t num_handles,
                                 zx_handle_t* process, zx_handle_t* suspend_token);

// The boot image (zrk_startup()->boot_image, a cpio archive) as a directory.
typedef struct zrk_boot_file {
  char name[100];
  uint64_t offset, size;  // of its bytes in the image
  bool regular;           // a regular file (not a directory, link, ...)
} zrk_boot_file_t;

// The entry at *at (0 for the first), advancing *at; false at the end or on a malformed
// entry.
bool zrk_boot_next(zx_handle_t image, uint64_t* at, zrk_boot_file_t* file);
// The regular file |name|; false if there is none.
bool zrk_boot_find(zx_handle_t image, const char* name, zrk_boot_file_t* file);
// A new VMO holding a copy of |file|'s bytes.
zx_status_t zrk_boot_file_vmo(zx_handle_t image, const zrk_boot_file_t* file, zx_handle_t* vmo);

// Starts the boot image's program |name| as zrk-init starts programs: in |job|, with
// duplicates of |job|, the boot image and the caller's VMEX and info resources, and
// |user0| (consumed; may be ZX_HANDLE_INVALID) for the new program's zrk_startup()->user0.
// ZX_ERR_NOT_FOUND if the image has no such file.
zx_status_t zrk_launch_boot(zx_handle_t job, const char* name, int argc, const char* const* argv,
                            zx_handle_t user0, zx_handle_t* process);
// The same, held suspended until *suspend_token is closed (see zrk_launch_suspended).
zx_status_t zrk_launch_boot_suspended(zx_handle_t job, const char* name, int argc,
                                      const char* const* argv, zx_handle_t user0,
                                      zx_handle_t* process, zx_handle_t* suspend_token);

#ifdef __cplusplus
}
#endif

#endif  // ZRK_LAUNCH_H_
