// mini-process: a second process without a loader, with Fuchsia's API (digest part 2,
// section 9). The child runs a small position-independent program copied into a VMO
// that is both its code and its stack; in command mode it serves MINIP_CMD_* requests
// sent over a control channel, replying to each with {what, status} and at most one
// handle. Fuchsia's own process, job, channel and port tests use it to get a second
// process; the names, bits and handshake are Fuchsia's (bits as its newest header).

#ifndef MINI_PROCESS_MINI_PROCESS_H_
#define MINI_PROCESS_MINI_PROCESS_H_

#include <stdbool.h>
#include <stdint.h>
#include <zircon/compiler.h>
#include <zircon/types.h>

__BEGIN_CDECLS

// Reply ZX_OK.
#define MINIP_CMD_ECHO_MSG (1 << 0)
// Create an event and send it back.
#define MINIP_CMD_CREATE_EVENT (1 << 1)
// Create a profile (the child has no root job: this always fails).
#define MINIP_CMD_CREATE_PROFILE (1 << 2)
// Create a channel and send one end back.
#define MINIP_CMD_CREATE_CHANNEL (1 << 3)
// Use a handle that was closed / moved into a channel; reply the syscall's status.
#define MINIP_CMD_USE_BAD_HANDLE_CLOSED (1 << 4)
#define MINIP_CMD_USE_BAD_HANDLE_TRANSFERRED (1 << 5)
// Trap (a fatal exception); no reply, so the caller sees ZX_ERR_PEER_CLOSED.
#define MINIP_CMD_BUILTIN_TRAP (1 << 6)
// zx_process_exit(0); no reply.
#define MINIP_CMD_EXIT_NORMAL (1 << 7)
// ZX_INFO_HANDLE_VALID on a closed handle; reply its status.
#define MINIP_CMD_VALIDATE_CLOSED_HANDLE (1 << 8)
// Pager, contiguous and physical VMOs, pagers: reply the error creating one gives.
#define MINIP_CMD_CREATE_PAGER_VMO (1 << 9)
#define MINIP_CMD_CREATE_VMO_CONTIGUOUS (1 << 10)
#define MINIP_CMD_CREATE_VMO_PHYSICAL (1 << 11)
#define MINIP_CMD_CREATE_PAGER (1 << 12)
// Write one zero byte to the transferred handle (a channel).
#define MINIP_CMD_CHANNEL_WRITE (1 << 13)
// Ask for a backtrace (nothing to dump here); reply ZX_OK.
#define MINIP_CMD_BACKTRACE_REQUEST (1 << 14)
// zx_vmo_replace_as_executable without a VMEX resource; reply its status.
#define MINIP_CMD_ATTEMPT_AMBIENT_EXECUTABLE (1 << 15)
// Check that the word the thread pointer points to is MINIP_THREAD_POINTER_CHECK_VALUE.
#define MINIP_CMD_CHECK_THREAD_POINTER (1 << 16)
// Register async waits on the transferred handle until that fails, then trap.
#define MINIP_CMD_WAIT_ASYNC (1 << 17)
// Register and cancel async waits on the transferred handle, forever.
#define MINIP_CMD_WAIT_ASYNC_CANCEL (1 << 18)
// zx_thread_exit(); no reply.
#define MINIP_CMD_THREAD_EXIT (1 << 19)
// Newer Fuchsia commands this child does not serve: it replies ZX_ERR_WRONG_TYPE.
#define MINIP_CMD_READ_FROM_USER_ADDR (1 << 20)
#define MINIP_CMD_VMO_READ (1 << 21)
#define MINIP_CMD_VMO_WRITE (1 << 22)
#define MINIP_CMD_VMO_GET_INFO (1 << 23)
#define MINIP_THREAD_POINTER_CHECK_VALUE (0xdeadbeeffeedfaceUL)

// Creates process "minipr" with thread "minith" in |job| and starts it in command mode,
// having waited for its acknowledgement; the child then blocks on a control channel
// nobody holds, so it lives until killed. |transferred_handle| is consumed.
zx_status_t start_mini_process(zx_handle_t job, zx_handle_t transferred_handle,
                               zx_handle_t* process, zx_handle_t* thread);

// Starts |thread| of |process| (whose root VMAR is |vmar|) as a mini-process. With
// |cntrl_channel| NULL the child spins forever and gets |transferred_handle| as arg1;
// otherwise it serves commands on the returned channel, and |transferred_handle|
// travels in the context message (MINIP_CMD_CHANNEL_WRITE and the WAIT_ASYNC commands
// use it). With |wait_for_ack| false, call mini_process_wait_for_ack() before the first
// command. |transferred_handle| is consumed on every path.
zx_status_t start_mini_process_etc(zx_handle_t process, zx_handle_t thread, zx_handle_t vmar,
                                   zx_handle_t transferred_handle, bool wait_for_ack,
                                   zx_handle_t* cntrl_channel);

// Maps an executable "exit" stub into |vmar|: a process started at |entry| exits with
// its arg1 as return code (Fuchsia maps its vDSO here; its entry is zx_process_exit).
// |base| and |entry| may be NULL.
zx_status_t mini_process_load_vdso(zx_handle_t process, zx_handle_t vmar, uintptr_t* base,
                                   uintptr_t* entry);

// Maps a 16 KiB stack (with the child program at its bottom if |with_code|, then
// R|W|X) into |vmar|; |sp| is its 16-byte-aligned top.
zx_status_t mini_process_load_stack(zx_handle_t vmar, bool with_code, zx_vaddr_t* stack_base,
                                    zx_vaddr_t* sp);

// Starts |thread| (in a process whose root VMAR is |vmar|) spinning forever.
zx_status_t start_mini_process_thread(zx_handle_t thread, zx_handle_t vmar);

// Reads the child's acknowledgement; ZX_ERR_UNAVAILABLE if the child died first.
zx_status_t mini_process_wait_for_ack(zx_handle_t cntrl_channel);

// Runs the commands in |what| (in the child's fixed order) and returns the last reply's
// status, or the channel's error (ZX_ERR_PEER_CLOSED after the child exited); |handle|
// (may be NULL) receives the reply's handle.
zx_status_t mini_process_cmd(zx_handle_t cntrl_channel, uint32_t what, zx_handle_t* handle);

// mini_process_cmd in two halves, for commands that block or suspend the child.
zx_status_t mini_process_cmd_send(zx_handle_t cntrl_channel, uint32_t what);
zx_status_t mini_process_cmd_read_reply(zx_handle_t cntrl_channel, zx_handle_t* handle);

__END_CDECLS

#endif  // MINI_PROCESS_MINI_PROCESS_H_
