// Copies between kernel and user memory: the only code that touches user memory.
// The copy goes a user page at a time. For each page, `AT S1E0R`/`AT S1E0W` asks the
// MMU whether EL0 itself may read (or write) it; if so, the page is copied with plain
// LDP/STP, 64 bytes a round, with PAN lifted for that page only. If not (unmapped, not
// yet faulted in, read-only for copy-on-write, or forbidden), the page is copied with
// LDTR/STTR, which check EL0's permissions and fault exactly as the program would: the
// exception handler tries demand paging and retries, or resumes at uaccess_fault, which
// closes the window and returns the count of bytes not copied (x2, updated a page at a
// time; the slow path byte by byte). With software PAN, the user's tables are in TTBR0 only between USER_ON and
// USER_OFF. No stack is used, so one fix-up serves both routines.

.macro USER_ON
    adrp    x4, SOFTWARE_PAN
    ldrb    w4, [x4, :lo12:SOFTWARE_PAN]
    cbz     w4, 100f
    mrs     x4, tpidr_el1               // this CPU's block: its user TTBR0 comes first
    ldr     x4, [x4]
    msr     ttbr0_el1, x4
    isb
100:
.endm

// Also restores PAN, which a fault in a fast page copy may have left lifted.
.macro USER_OFF
    adrp    x4, SOFTWARE_PAN
    ldrb    w4, [x4, :lo12:SOFTWARE_PAN]
    cbz     w4, 101f
    adrp    x4, KERNEL_TTBR0
    ldr     x4, [x4, :lo12:KERNEL_TTBR0]
    msr     ttbr0_el1, x4
    isb
    b       102f
101:.inst   0xd500419f                  // msr pan, #1
102:
.endm

.macro PAN_LIFT
    cbnz    w15, 103f
    .inst   0xd500409f                  // msr pan, #0
103:
.endm

.macro PAN_SET
    cbnz    w15, 104f
    .inst   0xd500419f                  // msr pan, #1
104:
.endm

// x12 = bytes of this round: up to the end of the user page at \user, at most x2.
.macro PAGE_CHUNK user
    and     x12, \user, #4095
    mov     x13, #4096
    sub     x12, x13, x12
    cmp     x12, x2
    csel    x12, x12, x2, lo
.endm

// Copies x12 bytes from x1 to x0 with plain loads and stores.
.macro FAST_COPY
    cmp     x12, #64
    b.lo    2f
1:  ldp     x3, x5, [x1, #16]
    ldp     x6, x7, [x1, #32]
    ldp     x8, x9, [x1, #48]
    ldp     x10, x11, [x1], #64
    stp     x3, x5, [x0, #16]
    stp     x6, x7, [x0, #32]
    stp     x8, x9, [x0, #48]
    stp     x10, x11, [x0], #64
    sub     x12, x12, #64
    cmp     x12, #64
    b.hs    1b
2:  cmp     x12, #8
    b.lo    3f
    ldr     x3, [x1], #8
    str     x3, [x0], #8
    sub     x12, x12, #8
    b       2b
3:  cbz     x12, 4f
    ldrb    w3, [x1], #1
    strb    w3, [x0], #1
    sub     x12, x12, #1
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
    adrp    x15, SOFTWARE_PAN
    ldrb    w15, [x15, :lo12:SOFTWARE_PAN]
10: cbz     x2, 19f
    PAGE_CHUNK x1
    at      s1e0r, x1
    isb
    mrs     x13, par_el1
    tbnz    x13, #0, 13f
    mov     x14, x12
    PAN_LIFT
    FAST_COPY
    PAN_SET
    sub     x2, x2, x14                 // counted once the whole page round is done
    b       10b
13: cmp     x12, #8
    b.lo    14f
    ldtr    x3, [x1]
    str     x3, [x0], #8
    add     x1, x1, #8
    sub     x12, x12, #8
    sub     x2, x2, #8
    b       13b
14: cbz     x12, 10b
    ldtrb   w3, [x1]
    strb    w3, [x0], #1
    add     x1, x1, #1
    sub     x12, x12, #1
    sub     x2, x2, #1
    b       14b
19: USER_OFF
    mov     x0, #0
    mov     x1, #0
    ret

// usize uaccess_copy_to_user(usize user_dst, const u8 *src, usize len)
.global uaccess_copy_to_user
uaccess_copy_to_user:
    USER_ON
    adrp    x15, SOFTWARE_PAN
    ldrb    w15, [x15, :lo12:SOFTWARE_PAN]
    // FAST_COPY copies x1 → x0; here the user side is x0.
20: cbz     x2, 29f
    PAGE_CHUNK x0
    at      s1e0w, x0
    isb
    mrs     x13, par_el1
    tbnz    x13, #0, 23f
    mov     x14, x12
    PAN_LIFT
    FAST_COPY
    PAN_SET
    sub     x2, x2, x14
    b       20b
23: cmp     x12, #8
    b.lo    24f
    ldr     x3, [x1], #8
    sttr    x3, [x0]
    add     x0, x0, #8
    sub     x12, x12, #8
    sub     x2, x2, #8
    b       23b
24: cbz     x12, 20b
    ldrb    w3, [x1], #1
    sttrb   w3, [x0]
    add     x0, x0, #1
    sub     x12, x12, #1
    sub     x2, x2, #1
    b       24b
29: USER_OFF
    mov     x0, #0
    mov     x1, #0
    ret

.global __uaccess_end
__uaccess_end:

// Where a fault inside the routines above resumes; the fix-up left the faulting address
// in x1. Returns (bytes not copied, fault address) in x0 and x1.
.global uaccess_fault
uaccess_fault:
    USER_OFF
    mov     x0, x2
    ret
