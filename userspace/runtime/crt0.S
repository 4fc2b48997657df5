// _start: the first user instruction of every zrk program.
//
// The kernel enters here at EL0 with x0 = the start-up block's address, sp = the top
// of the stack (16-byte aligned), every other register 0 and TPIDR_EL0 = 0. This stub
// only makes the stack frame chain end cleanly and hands over to C (__zrk_start in
// start.c), which sets up .bss and TLS before any other C code runs. It stays in
// assembly so no compiler-generated prologue touches memory before that.
// (picolibc's own crt0 is not used: it programs EL1 registers.)

    .section .text.zrk.start, "ax", %progbits
    .global _start
    .type _start, %function
_start:
    // A zero frame pointer and link register end backtraces here.
    mov     x29, #0
    mov     x30, #0
    // x0 (the start-up block) is __zrk_start's first argument as it stands.
    bl      __zrk_start
    // __zrk_start never returns; if it ever did, trap rather than run off the end.
    udf     #0
    .size _start, . - _start

    // No executable stack: tell the linker this object needs none.
    .section .note.GNU-stack, "", %progbits
