// The exception vector table: sixteen entries, each saving a TrapFrame and calling Rust.
//
// Entries taken on the kernel's own stack (current EL, SP_ELx) first check for a stack
// overflow: kernel stacks are 2^STACK_SHIFT bytes, aligned to twice that, so bit
// STACK_SHIFT of the new stack pointer is set only when the frame would land below the
// stack. The check needs no scratch register (as Linux does it): it temporarily adds x0
// into sp. On overflow we switch to a dedicated stack and report.

.equ FRAME_SIZE, 288
.equ STACK_SHIFT, 16

.macro VECTOR kind, check_stack
.balign 0x80
    sub     sp, sp, #FRAME_SIZE
.if \check_stack
    add     sp, sp, x0
    sub     x0, sp, x0
    tbnz    x0, #STACK_SHIFT, stack_overflow
    sub     x0, sp, x0
    sub     sp, sp, x0
.endif
    stp     x0, x1, [sp]
    mov     x0, #\kind
    b       exception_common
.endm

// From EL0: system calls take a shorter path (svc_entry); everything else the full one.
.macro VECTOR_EL0_SYNC
.balign 0x80
    sub     sp, sp, #FRAME_SIZE
    stp     x0, x1, [sp]
    mrs     x0, esr_el1
    lsr     x0, x0, #26
    cmp     x0, #0x15                   // EC: SVC from AArch64
    b.eq    svc_entry
    mov     x0, #8
    b       exception_common
.endm

.macro SAVE_X2_TO_X30
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x19, [sp, #144]
    stp     x20, x21, [sp, #160]
    stp     x22, x23, [sp, #176]
    stp     x24, x25, [sp, #192]
    stp     x26, x27, [sp, #208]
    stp     x28, x29, [sp, #224]
    str     x30, [sp, #240]
.endm

.macro SAVE_SYSREGS
    mrs     x1, elr_el1
    mrs     x2, spsr_el1
    stp     x1, x2, [sp, #256]
    mrs     x1, esr_el1
    mrs     x2, far_el1
    stp     x1, x2, [sp, #272]
.endm

.section .text.vectors, "ax"
.balign 0x800
.global exception_vectors
exception_vectors:
    VECTOR 0, 0     // current EL, SP_EL0: sync
    VECTOR 1, 0     //                     IRQ
    VECTOR 2, 0     //                     FIQ
    VECTOR 3, 0     //                     SError
    VECTOR 4, 1     // current EL, SP_ELx: sync
    VECTOR 5, 1     //                     IRQ
    VECTOR 6, 1     //                     FIQ
    VECTOR 7, 1     //                     SError
    VECTOR_EL0_SYNC // lower EL, AArch64:  sync
    VECTOR 9, 0     //                     IRQ
    VECTOR 10, 0    //                     FIQ
    VECTOR 11, 0    //                     SError
    VECTOR 12, 0    // lower EL, AArch32:  sync
    VECTOR 13, 0    //                     IRQ
    VECTOR 14, 0    //                     FIQ
    VECTOR 15, 0    //                     SError

exception_common:
    SAVE_X2_TO_X30
    mov     x19, x0                     // kind; x19 is callee-saved and already in the frame
    add     x1, sp, #FRAME_SIZE         // the interrupted stack pointer, if from EL1
    cmp     x19, #8
    b.lo    1f
    mrs     x1, sp_el0                  // from EL0: the user stack pointer
    // Software PAN: while in the kernel, TTBR0 holds an empty table with the reserved
    // ASID, so no user mapping (nor a stale TLB entry for one) is reachable.
    adrp    x2, SOFTWARE_PAN
    ldrb    w2, [x2, :lo12:SOFTWARE_PAN]
    cbz     w2, 1f
    adrp    x2, KERNEL_TTBR0
    ldr     x2, [x2, :lo12:KERNEL_TTBR0]
    msr     ttbr0_el1, x2
    isb
1:  str     x1, [sp, #248]
    SAVE_SYSREGS
    // A frame record linking the handler's backtrace to the interrupted code.
    ldr     x29, [sp, #232]
    ldr     x30, [sp, #256]
    stp     x29, x30, [sp, #-16]!
    mov     x29, sp
    mov     x0, x19
    add     x1, sp, #16
    bl      handle_exception            // returns only to resume the interrupted code
    add     sp, sp, #16

    cmp     x19, #8
    b.lo    restore_frame
return_to_user:
    ldr     x1, [sp, #248]
    msr     sp_el0, x1
    adrp    x2, SOFTWARE_PAN
    ldrb    w2, [x2, :lo12:SOFTWARE_PAN]
    cbz     w2, restore_frame
    mrs     x2, tpidr_el1               // this CPU's block: its user TTBR0 comes first
    ldr     x2, [x2]
    msr     ttbr0_el1, x2
    isb
restore_frame:
    ldp     x1, x2, [sp, #256]
    msr     elr_el1, x1
    msr     spsr_el1, x2
    ldp     x0, x1, [sp]
    ldp     x2, x3, [sp, #16]
    ldp     x4, x5, [sp, #32]
    ldp     x6, x7, [sp, #48]
    ldp     x8, x9, [sp, #64]
    ldp     x10, x11, [sp, #80]
    ldp     x12, x13, [sp, #96]
    ldp     x14, x15, [sp, #112]
    ldp     x16, x17, [sp, #128]
    ldp     x18, x19, [sp, #144]
    ldp     x20, x21, [sp, #160]
    ldp     x22, x23, [sp, #176]
    ldp     x24, x25, [sp, #192]
    ldp     x26, x27, [sp, #208]
    ldp     x28, x29, [sp, #224]
    ldr     x30, [sp, #240]
    add     sp, sp, #FRAME_SIZE
    eret

// A system call. The syscall ABI is a function call's (AAPCS64: x0-x17 need not
// survive; x18, x19-x29, sp and x30 must), so only the arguments, x18, x30, the user
// stack pointer's owner state and the return state are saved, and the scratch
// registers the kernel used are cleared on the way out so nothing of the kernel's
// leaks. x0-x7 and x16 (the number) sit in the TrapFrame where handle_svc reads them.
svc_entry:
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    str     x16, [sp, #128]
    str     x18, [sp, #144]
    str     x30, [sp, #240]
    mrs     x1, elr_el1
    mrs     x2, spsr_el1
    stp     x1, x2, [sp, #256]
    adrp    x2, SOFTWARE_PAN
    ldrb    w2, [x2, :lo12:SOFTWARE_PAN]
    cbz     w2, 1f
    adrp    x2, KERNEL_TTBR0
    ldr     x2, [x2, :lo12:KERNEL_TTBR0]
    msr     ttbr0_el1, x2
    isb
1:  mov     x0, sp
    bl      handle_svc                  // 0: resume the thread; else it must stop here
    cbnz    x0, svc_stop
    ldp     x1, x2, [sp, #256]
    msr     elr_el1, x1
    msr     spsr_el1, x2
    adrp    x2, SOFTWARE_PAN
    ldrb    w2, [x2, :lo12:SOFTWARE_PAN]
    cbz     w2, 2f
    mrs     x2, tpidr_el1               // this CPU's block: its user TTBR0 comes first
    ldr     x2, [x2]
    msr     ttbr0_el1, x2
    isb
2:  ldp     x0, x1, [sp]
    ldp     x2, x3, [sp, #16]
    ldp     x4, x5, [sp, #32]
    ldp     x6, x7, [sp, #48]
    ldr     x16, [sp, #128]
    ldr     x18, [sp, #144]
    ldr     x30, [sp, #240]
    mov     x8, xzr
    mov     x9, xzr
    mov     x10, xzr
    mov     x11, xzr
    mov     x12, xzr
    mov     x13, xzr
    mov     x14, xzr
    mov     x15, xzr
    mov     x17, xzr
    add     sp, sp, #FRAME_SIZE
    eret

// A system call whose thread must stop before it returns (it is being suspended): the
// frame is completed (the callee-saved registers still hold the caller's values, and
// SP_EL0 its stack; the scratch registers are cleared) so the thread's registers can be
// read and written while it is stopped, and the thread leaves through the full path.
svc_stop:
    stp     xzr, xzr, [sp, #64]         // x8-x15, x17: not saved by svc_entry, and the
    stp     xzr, xzr, [sp, #80]         // syscall ABI does not keep them
    stp     xzr, xzr, [sp, #96]
    stp     xzr, xzr, [sp, #112]
    str     xzr, [sp, #136]
    stp     x19, x20, [sp, #152]
    stp     x21, x22, [sp, #168]
    stp     x23, x24, [sp, #184]
    stp     x25, x26, [sp, #200]
    stp     x27, x28, [sp, #216]
    str     x29, [sp, #232]
    mrs     x1, sp_el0
    str     x1, [sp, #248]
    mov     x0, sp
    bl      handle_svc_stop
    b       return_to_user

// void zrk_enter_user(const TrapFrame *frame, u64 stack_top): a new thread's first
// return to EL0. The frame is copied to the top of the thread's kernel stack, where every
// later exception from EL0 will build its own, and whatever the caller kept on the stack
// is abandoned.
.global zrk_enter_user
zrk_enter_user:
    sub     sp, x1, #FRAME_SIZE
    mov     x9, #0
2:  ldr     x10, [x0, x9]
    str     x10, [sp, x9]
    add     x9, x9, #8
    cmp     x9, #FRAME_SIZE
    b.lo    2b
    b       return_to_user

// Here sp = (new sp) + x0 and x0 = new sp. Stash both, move to the overflow stack, report.
stack_overflow:
    msr     sp_el0, x0                  // free in the kernel: EL0's value is saved on entry
    sub     x0, sp, x0                  // the interrupted x0
    msr     tpidrro_el0, x0             // scratch; rewritten on every return to EL0
    ldr     x0, =__overflow_stack_top
    mov     sp, x0
    sub     sp, sp, #FRAME_SIZE
    mrs     x0, tpidrro_el0
    stp     x0, x1, [sp]
    SAVE_X2_TO_X30
    mrs     x1, sp_el0
    add     x1, x1, #FRAME_SIZE
    str     x1, [sp, #248]
    SAVE_SYSREGS
    mov     x29, xzr
    mov     x0, sp
    bl      handle_stack_overflow
3:  wfi
    b       3b

.section .bss.overflow_stack, "aw", %nobits
.balign 16
.global __overflow_stack_bottom
__overflow_stack_bottom:
    .space 16384
.global __overflow_stack_top
__overflow_stack_top:
