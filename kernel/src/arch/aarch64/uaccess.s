// Copies between kernel and user memory: the only code that touches user memory.
// User memory is reached only with LDTR/STTR, which check EL0's permissions, so a page
// the program may not read (or write) faults here exactly as it would for the program,
// and PAN never needs lifting. With software PAN, the user's tables are in TTBR0 only
// between USER_ON and USER_OFF. A fault inside resumes at uaccess_fault (after the
// exception handler tried demand paging), which closes the window again and returns
// the count of bytes not copied. Both routines keep that count in x2 (updated a round
// at a time) and use no stack, so one fix-up serves both. Rounds move 64 bytes.

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
    cmp     x2, #64
    b.lo    2f
1:  ldtr    x3, [x1]
    ldtr    x5, [x1, #8]
    ldtr    x6, [x1, #16]
    ldtr    x7, [x1, #24]
    ldtr    x8, [x1, #32]
    ldtr    x9, [x1, #40]
    ldtr    x10, [x1, #48]
    ldtr    x11, [x1, #56]
    stp     x3, x5, [x0]
    stp     x6, x7, [x0, #16]
    stp     x8, x9, [x0, #32]
    stp     x10, x11, [x0, #48]
    add     x1, x1, #64
    add     x0, x0, #64
    sub     x2, x2, #64
    cmp     x2, #64
    b.hs    1b
2:  cmp     x2, #8
    b.lo    3f
    ldtr    x3, [x1]
    str     x3, [x0], #8
    add     x1, x1, #8
    sub     x2, x2, #8
    b       2b
3:  cbz     x2, 4f
    ldtrb   w3, [x1]
    strb    w3, [x0], #1
    add     x1, x1, #1
    sub     x2, x2, #1
    b       3b
4:  USER_OFF
    mov     x0, #0
    ret

// usize uaccess_copy_to_user(usize user_dst, const u8 *src, usize len)
.global uaccess_copy_to_user
uaccess_copy_to_user:
    USER_ON
    cmp     x2, #64
    b.lo    2f
1:  ldp     x3, x5, [x1]
    ldp     x6, x7, [x1, #16]
    ldp     x8, x9, [x1, #32]
    ldp     x10, x11, [x1, #48]
    sttr    x3, [x0]
    sttr    x5, [x0, #8]
    sttr    x6, [x0, #16]
    sttr    x7, [x0, #24]
    sttr    x8, [x0, #32]
    sttr    x9, [x0, #40]
    sttr    x10, [x0, #48]
    sttr    x11, [x0, #56]
    add     x1, x1, #64
    add     x0, x0, #64
    sub     x2, x2, #64
    cmp     x2, #64
    b.hs    1b
2:  cmp     x2, #8
    b.lo    3f
    ldr     x3, [x1], #8
    sttr    x3, [x0]
    add     x0, x0, #8
    sub     x2, x2, #8
    b       2b
3:  cbz     x2, 4f
    ldrb    w3, [x1], #1
    sttrb   w3, [x0]
    add     x0, x0, #1
    sub     x2, x2, #1
    b       3b
4:  USER_OFF
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
