// The whole program of a mini-process child (Fuchsia's minipr_thread_loop, digest
// part 2, section 9): copied byte for byte into the child's code-and-stack VMO, so
// it is position-independent (PC-relative branches, immediates built in registers,
// no data) and enters the kernel itself with `svc #0`, since the child has no
// libzircon. Entered with x0 = the control channel (arg1 of zx_process_start) and
// x1 = the mode (arg2): 0 spins forever, 1 serves commands.
//
// Registers kept across syscalls (the kernel preserves all but x0):
//   x19 the control channel, x20 the handle of the context message (the parent's
//   transferred handle, or ZX_HANDLE_INVALID), x21 the command bits still to run.
// Stack frame (128 bytes):
//   [0,16)  context message   [16] its handle   [24] actual bytes  [28] actual handles
//   [32] observed signals     [40] command {what, status}
//   [48] reply handles[2]     [56..72) scratch handles   [72] a zero byte

#include <zircon/errors.h>
#include <zircon/zrk-syscall-numbers.h>

#define CONTEXT_MAGIC_LO 0x4d4b525a  // "ZRKM"
#define CONTEXT_MAGIC_HI 0x50494e49  // "INIP"
#define CONTEXT_VERSION  1

// A syscall: number into x16, svc.
#define SYS(name) mov x16, #ZRK_SYS_##name; svc #0

    .section .text.minipr_child, "ax", %progbits
    .balign 4
    .global minipr_child_start
    .global minipr_child_end
    .type minipr_child_start, %function
minipr_child_start:
    cbnz x1, .Lcommand_mode
.Lspin:
    // No control channel: run until killed (what Fuchsia's simple mode does).
    b .Lspin

.Lcommand_mode:
    mov x19, x0
    sub sp, sp, #128
    str wzr, [sp, #16]
    strb wzr, [sp, #72]
    // The context message: 16 bytes and at most one handle.
    mov x0, x19
    mov x1, #0
    add x2, sp, #0
    add x3, sp, #16
    mov x4, #16
    mov x5, #1
    add x6, sp, #24
    add x7, sp, #28
    SYS(channel_read)
    cbnz w0, .Ltrap
    ldr w9, [sp, #24]
    cmp w9, #16
    b.ne .Ltrap
    ldr w9, [sp, #0]
    movz w10, #(CONTEXT_MAGIC_LO & 0xffff)
    movk w10, #(CONTEXT_MAGIC_LO >> 16), lsl #16
    cmp w9, w10
    b.ne .Ltrap
    ldr w9, [sp, #4]
    movz w10, #(CONTEXT_MAGIC_HI & 0xffff)
    movk w10, #(CONTEXT_MAGIC_HI >> 16), lsl #16
    cmp w9, w10
    b.ne .Ltrap
    ldr w9, [sp, #8]
    cmp w9, #CONTEXT_VERSION
    b.ne .Ltrap
    ldr w20, [sp, #16]
    // The acknowledgement: {actual bytes, actual handles}.
    mov x0, x19
    mov x1, #0
    add x2, sp, #24
    mov x3, #8
    mov x4, #0
    mov x5, #0
    SYS(channel_write)
    cbnz w0, .Ltrap

.Lnext_message:
    // Wait for READABLE only: a closed peer alone never wakes the child, which then
    // lives on, blocked, as Fuchsia's does.
    mov x0, x19
    mov w1, #1                      // ZX_CHANNEL_READABLE
    mov x2, #0x7fffffffffffffff     // ZX_TIME_INFINITE
    add x3, sp, #32
    SYS(object_wait_one)
    cmn w0, #6                      // ZX_ERR_INTERNAL_INTR_RETRY: suspended; wait again
    b.eq .Lnext_message
    cbnz w0, .Ltrap
    mov x0, x19
    mov x1, #0
    add x2, sp, #40
    mov x3, #0
    mov x4, #8
    mov x5, #0
    add x6, sp, #24
    add x7, sp, #28
    SYS(channel_read)
    cbnz w0, .Ltrap
    ldr w21, [sp, #40]

.Lnext_command:
    str wzr, [sp, #48]
    str wzr, [sp, #52]

    tbz w21, #0, 1f                 // MINIP_CMD_ECHO_MSG
    bic w21, w21, #(1 << 0)
    mov w0, #0
    b .Lreply
1:  tbz w21, #1, 1f                 // MINIP_CMD_CREATE_EVENT
    bic w21, w21, #(1 << 1)
    mov x0, #0
    add x1, sp, #48
    SYS(event_create)
    b .Lreply
1:  tbz w21, #2, 1f                 // MINIP_CMD_CREATE_PROFILE: no profiles here
    bic w21, w21, #(1 << 2)
    mov w0, #ZX_ERR_NOT_SUPPORTED
    b .Lreply
1:  tbz w21, #3, 1f                 // MINIP_CMD_CREATE_CHANNEL
    bic w21, w21, #(1 << 3)
    mov x0, #0
    add x1, sp, #48
    add x2, sp, #52
    SYS(channel_create)
    b .Lreply
1:  tbz w21, #4, 1f                 // MINIP_CMD_USE_BAD_HANDLE_CLOSED: close twice
    bic w21, w21, #(1 << 4)
    mov x0, #0
    add x1, sp, #56
    SYS(event_create)
    cbnz w0, .Ltrap
    ldr w0, [sp, #56]
    SYS(handle_close)
    cbnz w0, .Ltrap
    ldr w0, [sp, #56]
    SYS(handle_close)
    b .Lreply
1:  tbz w21, #5, 1f                 // MINIP_CMD_USE_BAD_HANDLE_TRANSFERRED
    bic w21, w21, #(1 << 5)
    mov x0, #0
    add x1, sp, #56
    SYS(event_create)
    cbnz w0, .Ltrap
    mov x0, #0
    add x1, sp, #60
    add x2, sp, #64
    SYS(channel_create)
    cbnz w0, .Ltrap
    ldr w0, [sp, #60]
    mov x1, #0
    mov x2, #0
    mov x3, #0
    add x4, sp, #56
    mov x5, #1
    SYS(channel_write)
    cbnz w0, .Ltrap
    ldr w0, [sp, #56]               // gone with the message
    SYS(handle_close)
    mov w22, w0
    ldr w0, [sp, #60]
    SYS(handle_close)
    cbnz w0, .Ltrap
    ldr w0, [sp, #64]
    SYS(handle_close)
    cbnz w0, .Ltrap
    mov w0, w22
    b .Lreply
1:  tbz w21, #8, 1f                 // MINIP_CMD_VALIDATE_CLOSED_HANDLE
    bic w21, w21, #(1 << 8)
    mov x0, #0
    add x1, sp, #56
    SYS(event_create)
    cbnz w0, .Ltrap
    ldr w0, [sp, #56]
    SYS(handle_close)
    ldr w0, [sp, #56]
    mov w1, #1                      // ZX_INFO_HANDLE_VALID
    mov x2, #0
    mov x3, #0
    mov x4, #0
    mov x5, #0
    SYS(object_get_info)
    b .Lreply
1:  // MINIP_CMD_CREATE_PAGER_VMO, _VMO_CONTIGUOUS, _VMO_PHYSICAL, _PAGER: objects this
    // kernel does not have yet.
    mov w9, #((1 << 9) | (1 << 10) | (1 << 11) | (1 << 12))
    tst w21, w9
    b.eq 1f
    and w9, w21, w9
    neg w10, w9
    and w9, w9, w10                 // the lowest of those bits
    bic w21, w21, w9
    mov w0, #ZX_ERR_NOT_SUPPORTED
    b .Lreply
1:  tbz w21, #13, 1f                // MINIP_CMD_CHANNEL_WRITE: one zero byte
    bic w21, w21, #(1 << 13)
    mov w0, w20
    mov x1, #0
    add x2, sp, #72
    mov x3, #1
    mov x4, #0
    mov x5, #0
    SYS(channel_write)
    b .Lreply
1:  tbz w21, #14, 1f                // MINIP_CMD_BACKTRACE_REQUEST: nothing to dump
    bic w21, w21, #(1 << 14)
    mov w0, #0
    b .Lreply
1:  tbz w21, #15, 1f                // MINIP_CMD_ATTEMPT_AMBIENT_EXECUTABLE
    bic w21, w21, #(1 << 15)
    mov x0, #4096
    mov x1, #0
    add x2, sp, #56
    SYS(vmo_create)
    cbnz w0, .Ltrap
    ldr w0, [sp, #56]
    mov x1, #0                      // no VMEX resource
    add x2, sp, #56
    SYS(vmo_replace_as_executable)
    b .Lreply
1:  tbz w21, #16, 1f                // MINIP_CMD_CHECK_THREAD_POINTER
    bic w21, w21, #(1 << 16)
    mrs x9, tpidr_el0
    mov w0, #ZX_ERR_BAD_STATE
    cbz x9, .Lreply                 // no thread pointer set: nothing to read
    ldr x9, [x9]
    movz x10, #0xface
    movk x10, #0xfeed, lsl #16
    movk x10, #0xbeef, lsl #32
    movk x10, #0xdead, lsl #48
    cmp x9, x10
    mov w0, #0
    mov w11, #ZX_ERR_BAD_STATE
    csel w0, w0, w11, eq
    b .Lreply
1:  tbz w21, #17, 1f                // MINIP_CMD_WAIT_ASYNC: register until refused
    mov x0, #0
    add x1, sp, #56
    SYS(port_create)
    cbnz w0, .Ltrap
2:  mov w0, w20
    ldr w1, [sp, #56]
    mov x2, #42
    mov w3, #(1 << 24)              // ZX_USER_SIGNAL_0
    mov x4, #0
    SYS(object_wait_async)
    cbnz w0, .Ltrap
    b 2b
1:  tbz w21, #18, 1f                // MINIP_CMD_WAIT_ASYNC_CANCEL: forever
    mov x0, #0
    add x1, sp, #56
    SYS(port_create)
    cbnz w0, .Ltrap
2:  mov w0, w20
    ldr w1, [sp, #56]
    mov x2, #42
    mov w3, #(1 << 24)
    mov x4, #0
    SYS(object_wait_async)
    cbnz w0, .Ltrap
    ldr w0, [sp, #56]
    mov w1, w20
    mov x2, #42
    SYS(port_cancel)
    cbnz w0, .Ltrap
    b 2b
1:  // The commands that send no reply (the parent then sees PEER_CLOSED).
    tbnz w21, #6, .Ltrap            // MINIP_CMD_BUILTIN_TRAP
    tbz w21, #7, 1f                 // MINIP_CMD_EXIT_NORMAL
    mov x0, #0
    SYS(process_exit)
1:  tbz w21, #19, 1f                // MINIP_CMD_THREAD_EXIT
    SYS(thread_exit)
1:  // Nothing this child knows.
    mov w21, #0
    mov w0, #ZX_ERR_WRONG_TYPE

.Lreply:
    str w0, [sp, #44]
    ldr w9, [sp, #48]
    cmp w9, #0
    cset x5, ne                     // one handle if one was made
    mov x0, x19
    mov x1, #0
    add x2, sp, #40
    mov x3, #8
    add x4, sp, #48
    SYS(channel_write)
    cbnz w0, .Ltrap
    cbnz w21, .Lnext_command
    b .Lnext_message

.Ltrap:
    brk #0x3e8                      // __builtin_trap()'s instruction
    b .Ltrap
minipr_child_end:
    .size minipr_child_start, . - minipr_child_start
