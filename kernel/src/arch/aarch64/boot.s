// Entry from the loader: x0 = physical address of the device tree, MMU off, at EL2 or EL1.
// Everything here runs at the load address, so it uses PC-relative addressing only.

.equ SCTLR_EL1_MMU_OFF, 0x30d00800      // RES1 bits (v8.0), little-endian, MMU and caches off
.equ HCR_EL2_RW,        (1 << 31)       // EL1 is AArch64
.equ SPSR_EL1H_MASKED,  0x3c5           // EL1h, D A I F masked

.section .text.boot, "ax"
.global _start
_start:
    // The arm64 Image header (Documentation/arch/arm64/booting.rst): loaders treat us like Linux.
    b       primary_entry
    .long   0
    .quad   0                           // text_offset
    .quad   __kernel_image_size         // image_size, bss included
    .quad   0xa                         // flags: LE, 4 KiB pages, place anywhere
    .quad   0, 0, 0
    .ascii  "ARM\x64"
    .long   0

primary_entry:
    mov     x19, x0                     // device tree
    mrs     x1, mpidr_el1
    and     x1, x1, #0xffffff
    cbnz    x1, park                    // only the boot core goes on; SMP comes later
    mrs     x20, CurrentEL
    lsr     x20, x20, #2                // entry EL, reported in the banner
    cmp     x20, #2
    b.ne    1f
    bl      el2_to_el1
1:
    ldr     x0, =SCTLR_EL1_MMU_OFF
    msr     sctlr_el1, x0
    isb

    adrp    x0, __boot_stack_top
    add     x0, x0, :lo12:__boot_stack_top
    mov     sp, x0

    adrp    x0, __bss_start
    add     x0, x0, :lo12:__bss_start
    adrp    x1, __bss_end
    add     x1, x1, :lo12:__bss_end
2:  cmp     x0, x1
    b.hs    3f
    stp     xzr, xzr, [x0], #16
    b       2b
3:
    adrp    x23, _start                 // where we were loaded
    mov     x0, x23
    mov     x1, x19
    bl      early_map                   // Rust, position-independent; returns TTBR1 in x0, TTBR0 in x1
    mov     x21, x0
    mov     x22, x1

    // The tables were written with the MMU off: drop any stale cache lines over them.
    adrp    x0, __bss_start
    add     x0, x0, :lo12:__bss_start
    adrp    x1, __kernel_end
    add     x1, x1, :lo12:__kernel_end
    mrs     x2, ctr_el0
    ubfx    x2, x2, #16, #4
    mov     x3, #4
    lsl     x3, x3, x2                  // D-cache line size
    sub     x4, x3, #1
    bic     x0, x0, x4
4:  dc      ivac, x0
    add     x0, x0, x3
    cmp     x0, x1
    b.lo    4b
    dsb     sy

    // MAIR: 0 Device-nGnRnE, 1 Normal WB RA/WA, 2 Device-nGnRE, 3 Normal non-cacheable
    ldr     x0, =0x4404ff00
    msr     mair_el1, x0
    // TCR: 48-bit VA both halves, 4 KiB granule, WB WA walks, inner shareable
    ldr     x0, =0x00000000b5103510
    mrs     x1, id_aa64mmfr0_el1
    ubfx    x2, x1, #0, #4              // PARange
    cmp     x2, #5
    mov     x3, #5
    csel    x2, x2, x3, ls              // at most 48-bit physical addresses
    bfi     x0, x2, #32, #3             // IPS
    ubfx    x2, x1, #4, #4              // ASIDBits: 2 means 16-bit ASIDs
    cmp     x2, #2
    b.ne    5f
    orr     x0, x0, #(1 << 36)          // AS
5:  msr     tcr_el1, x0
    msr     ttbr0_el1, x22
    msr     ttbr1_el1, x21
    isb
    tlbi    vmalle1
    dsb     nsh
    isb
    mrs     x0, sctlr_el1
    ldr     x1, =0x100d                 // M, C, SA, I
    orr     x0, x0, x1
    msr     sctlr_el1, x0
    isb

    // Now run from the upper half.
    ldr     x0, =upper_half
    br      x0

upper_half:
    ldr     x0, =__boot_stack_top
    mov     sp, x0
    mov     x29, xzr                    // ends the frame-pointer chain for backtraces
    mov     x30, xzr
    mov     x0, x19                     // device tree (physical)
    mov     x1, x20                     // entry EL
    mov     x2, x23                     // physical load address
    bl      kernel_main
6:  wfi
    b       6b

// CPUs the kernel does not run wait here for good, with interrupts masked: those a
// loader starts at _start, and any that reaches secondary_entry without a start-up
// record. WFI, not WFE: WFE does not sleep under QEMU, and nothing here sends events
// anyway. A masked interrupt still ends WFI; the loop goes back to sleep.
park:
    msr     daifset, #0xf
1:  wfi
    b       1b

// Drop from EL2 to EL1 with EL1 owning the timers, FP/SIMD, the PMU, debug and the GIC's
// system registers. As Linux's init_el2 (arch/arm64/kernel/head.S, asm/el2_setup.h), every
// EL2 register that shapes what EL1 sees is written here, not left at its reset value or
// whatever the firmware's armstub made of it: those are UNKNOWN after reset, and QEMU
// happens to reset them to harmless values that a real Pi need not.
el2_to_el1:
    ldr     x0, =HCR_EL2_RW
    msr     hcr_el2, x0
    mrs     x0, cnthctl_el2
    orr     x0, x0, #3                  // EL1PCTEN, EL1PCEN
    msr     cnthctl_el2, x0
    msr     cntvoff_el2, xzr
    msr     cnthp_ctl_el2, xzr          // EL2's own timer off: nothing left armed can fire
    mov     x0, #0x33ff                 // CPTR_EL2: no FP/SIMD trap
    msr     cptr_el2, x0
    msr     hstr_el2, xzr
    // MDCR_EL2: no debug or PMU traps to EL2, and HPMN = PMCR_EL0.N so EL1 owns every
    // event counter; HPMN stays 0 without an architected PMU (PMUVer 0 or 0xf).
    mov     x1, xzr
    mrs     x0, id_aa64dfr0_el1
    ubfx    x0, x0, #8, #4              // PMUVer
    cbz     x0, 3f
    cmp     x0, #0xf
    b.eq    3f
    mrs     x1, pmcr_el0
    ubfx    x1, x1, #11, #5             // N: event counters implemented
3:  msr     mdcr_el2, x1
    // What EL1 reads as MIDR_EL1 and MPIDR_EL1 comes from these: the real values.
    mrs     x0, midr_el1
    msr     vpidr_el2, x0
    mrs     x0, mpidr_el1
    msr     vmpidr_el2, x0
    // EL1 starts with the MMU and caches off and little-endian, whatever SCTLR_EL1 held.
    ldr     x0, =SCTLR_EL1_MMU_OFF
    msr     sctlr_el1, x0
    mrs     x0, id_aa64pfr0_el1
    ubfx    x0, x0, #24, #4             // GIC system registers implemented?
    cbz     x0, 1f
    mrs     x0, S3_4_C12_C9_5           // ICC_SRE_EL2
    orr     x0, x0, #0x1                // SRE
    orr     x0, x0, #0x8                // Enable: EL1 may use ICC_SRE_EL1
    msr     S3_4_C12_C9_5, x0
    isb
    msr     S3_4_C12_C11_0, xzr         // ICH_HCR_EL2: no virtual interrupts
1:  mov     x0, #SPSR_EL1H_MASKED
    msr     spsr_el2, x0
    adr     x0, 2f
    msr     elr_el2, x0
    eret
2:  ret

// Secondary CPUs start here, MMU off, at EL2 or EL1: from PSCI CPU_ON on `virt`, from
// the spin table on the Pi. Each finds its record in zrk_secondary_boot (by MPIDR; PSCI's
// context id in x0 is not relied on, as the spin table passes none), takes the boot
// CPU's translation set-up from it, turns the MMU on through the boot identity map, and
// jumps to the record's entry (secondary_main) in the upper half on its own stack.
.equ SECONDARY_RECORD, 80
.equ MAX_SECONDARY, 8
.global secondary_entry
secondary_entry:
    msr     daifset, #0xf
    mrs     x20, CurrentEL
    lsr     x20, x20, #2
    cmp     x20, #2
    b.ne    1f
    bl      el2_to_el1
1:  ldr     x0, =SCTLR_EL1_MMU_OFF
    msr     sctlr_el1, x0
    isb
    mrs     x1, mpidr_el1
    and     x1, x1, #0xffffff
    adrp    x19, zrk_secondary_boot
    add     x19, x19, :lo12:zrk_secondary_boot
    mov     x2, #MAX_SECONDARY
2:  ldr     x3, [x19]                   // record.mpidr (u64::MAX when unused)
    cmp     x3, x1
    b.eq    3f
    add     x19, x19, #SECONDARY_RECORD
    subs    x2, x2, #1
    b.ne    2b
    b       park                        // not ours to run
3:  ldp     x0, x1, [x19, #8]           // mair, tcr
    msr     mair_el1, x0
    msr     tcr_el1, x1
    ldp     x0, x1, [x19, #24]          // ttbr0 (identity), ttbr1
    msr     ttbr0_el1, x0
    msr     ttbr1_el1, x1
    isb
    tlbi    vmalle1
    dsb     nsh
    isb
    ldr     x0, [x19, #40]              // sctlr: MMU and caches on
    msr     sctlr_el1, x0
    isb
    ldp     x1, x2, [x19, #48]          // stack top, CPU index
    ldr     x3, [x19, #64]              // entry (upper half)
    mov     sp, x1
    mov     x0, x2
    mov     x29, xzr
    mov     x30, xzr
    br      x3
