// Copies between kernel and user memory. These are the only instructions that touch
// user memory: LDTR/STTR access it with EL0's permissions, so a kernel address or a
// page the user may not access faults, and the exception handler resumes at
// uaccess_fault, which returns the count of bytes not copied. Both routines keep that
// count in x2 and use no stack, so one fix-up serves both.
//
// With software PAN, user mappings are reachable only between USER_ON and USER_OFF.

.macro USER_ON
    adrp    x4, SOFTWARE_PAN
    ldrb    w4, [x4, :lo12:SOFTWARE_PAN]
    cbz     w4, 100f
    adrp    x4, USER_TTBR0
    ldr     x4, [x4, :lo12:USER_TTBR0]
    msr     ttbr0_el1, x4
    isb
100:
.endm

.macro USER_OFF
    adrp    x4, SOFTWARE_PAN
    ldrb    w4, [x4, :lo12:SOFTWARE_PAN]
    cbz     w4, 101f
    adrp    x4, KERNEL_TTBR0
    ldr     x4, [x4, :lo12:KERNEL_TTBR0]
    msr     ttbr0_el1, x4
    isb
101:
.endm

.section .text.uaccess, "ax"
.global __uaccess_start
__uaccess_start:

// usize uaccess_copy_from_user(u8 *dst, usize user_src, usize len)
.global uaccess_copy_from_user
uaccess_copy_from_user:
    USER_ON
1:  cmp     x2, #8
    b.lo    2f
    ldtr    x3, [x1]
    str     x3, [x0], #8
    add     x1, x1, #8
    sub     x2, x2, #8
    b       1b
2:  cbz     x2, 3f
    ldtrb   w3, [x1]
    strb    w3, [x0], #1
    add     x1, x1, #1
    sub     x2, x2, #1
    b       2b
3:  USER_OFF
    mov     x0, #0
    ret

// usize uaccess_copy_to_user(usize user_dst, const u8 *src, usize len)
.global uaccess_copy_to_user
uaccess_copy_to_user:
    USER_ON
1:  cmp     x2, #8
    b.lo    2f
    ldr     x3, [x1], #8
    sttr    x3, [x0]
    add     x0, x0, #8
    sub     x2, x2, #8
    b       1b
2:  cbz     x2, 3f
    ldrb    w3, [x1], #1
    sttrb   w3, [x0]
    add     x0, x0, #1
    sub     x2, x2, #1
    b       2b
3:  USER_OFF
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
