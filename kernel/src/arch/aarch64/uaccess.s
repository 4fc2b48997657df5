// Copies between kernel and user memory: the only code that touches user memory.
// The caller (user.rs) has checked that the user range lies inside the user address
// space, so plain loads and stores, 64 bytes a round, only ever reach user pages here.
// User memory is reachable only between USER_ON and USER_OFF: PAN is lifted (ARMv8.1+),
// or, with software PAN, the user's tables are put in TTBR0. A fault inside resumes at
// uaccess_fault, which closes the window again and returns the count of bytes not
// copied. Both routines keep that count in x2 (updated a round at a time) and use no
// stack, so one fix-up serves both.

.macro USER_ON
    adrp    x4, SOFTWARE_PAN
    ldrb    w4, [x4, :lo12:SOFTWARE_PAN]
    cbz     w4, 100f
    adrp    x4, USER_TTBR0
    ldr     x4, [x4, :lo12:USER_TTBR0]
    msr     ttbr0_el1, x4
    isb
    b       101f
100:.inst   0xd500409f                  // msr pan, #0
101:
.endm

.macro USER_OFF
    adrp    x4, SOFTWARE_PAN
    ldrb    w4, [x4, :lo12:SOFTWARE_PAN]
    cbz     w4, 102f
    adrp    x4, KERNEL_TTBR0
    ldr     x4, [x4, :lo12:KERNEL_TTBR0]
    msr     ttbr0_el1, x4
    isb
    b       103f
102:.inst   0xd500419f                  // msr pan, #1
103:
.endm

// Copies x2 bytes from x1 to x0, 64 bytes a round, then 8, then 1.
.macro COPY
    cmp     x2, #64
    b.lo    2f
1:  ldp     x3, x4, [x1]
    ldp     x5, x6, [x1, #16]
    ldp     x7, x8, [x1, #32]
    ldp     x9, x10, [x1, #48]
    stp     x3, x4, [x0]
    stp     x5, x6, [x0, #16]
    stp     x7, x8, [x0, #32]
    stp     x9, x10, [x0, #48]
    add     x1, x1, #64
    add     x0, x0, #64
    sub     x2, x2, #64
    cmp     x2, #64
    b.hs    1b
2:  cmp     x2, #8
    b.lo    3f
    ldr     x3, [x1], #8
    str     x3, [x0], #8
    sub     x2, x2, #8
    b       2b
3:  cbz     x2, 4f
    ldrb    w3, [x1], #1
    strb    w3, [x0], #1
    sub     x2, x2, #1
    b       3b
4:
.endm

.section .text.uaccess, "ax"
.global __uaccess_start
__uaccess_start:

// usize uaccess_copy_from_user(u8 *dst, usize user_src, usize len)
.global uaccess_copy_from_user
uaccess_copy_from_user:
    USER_ON
    COPY
    USER_OFF
    mov     x0, #0
    ret

// usize uaccess_copy_to_user(usize user_dst, const u8 *src, usize len)
.global uaccess_copy_to_user
uaccess_copy_to_user:
    USER_ON
    COPY
    USER_OFF
    mov     x0, #0
    ret

.global __uaccess_end
__uaccess_end:

// Where a fault inside the routines above resumes.
.global uaccess_fault
uaccess_fault:
    USER_OFF
    mov     x0, x2
    ret
