// Kernel thread switching. Each thread has its own kernel stack; a switch saves the
// callee-saved registers (AAPCS64: x19-x29, x30) and the user stack pointer (SP_EL0,
// which a system call that blocks has not saved in its short frame) on the old stack,
// stores the old stack pointer, and loads the new one.

.equ SWITCH_FRAME, 112

.section .text.switch, "ax"

// void zrk_context_switch(u64 *save_sp, u64 load_sp)
.global zrk_context_switch
zrk_context_switch:
    sub     sp, sp, #SWITCH_FRAME
    stp     x19, x20, [sp, #0]
    stp     x21, x22, [sp, #16]
    stp     x23, x24, [sp, #32]
    stp     x25, x26, [sp, #48]
    stp     x27, x28, [sp, #64]
    stp     x29, x30, [sp, #80]
    mrs     x9, sp_el0
    str     x9, [sp, #96]
    mov     x9, sp
    str     x9, [x0]
    mov     sp, x1
    ldr     x9, [sp, #96]
    msr     sp_el0, x9
    ldp     x19, x20, [sp, #0]
    ldp     x21, x22, [sp, #16]
    ldp     x23, x24, [sp, #32]
    ldp     x25, x26, [sp, #48]
    ldp     x27, x28, [sp, #64]
    ldp     x29, x30, [sp, #80]
    add     sp, sp, #SWITCH_FRAME
    ret

// A new thread's first switch "returns" here: x19 holds the argument its creator gave.
.global zrk_thread_trampoline
zrk_thread_trampoline:
    mov     x0, x19
    mov     x29, xzr
    mov     x30, xzr
    bl      zrk_thread_entry
1:  wfi
    b       1b
