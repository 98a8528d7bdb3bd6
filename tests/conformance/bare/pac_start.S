/*
 * Entry of the pointer-authentication probe. QEMU (virt, virtualization=on)
 * starts at EL2. The PAC instructions must see the EL1&0 regime's controls
 * (TCR_EL1.TBI/TBID/TxSZ, SCTLR_EL1.EnIA/EnIB/EnDA/EnDB, APxxKey_EL1): at
 * EL2 they would use TCR_EL2/SCTLR_EL2 instead. So this code sets up EL2
 * and drops to EL1 with ERET, and pac_probe_main() runs at EL1, where it
 * also makes its semihosting calls:
 *   HCR_EL2.RW = 1   EL1 is AArch64
 *   HCR_EL2.APK = 1  EL1 accesses to the key registers do not trap to EL2
 *   HCR_EL2.API = 1  the PAC instructions at EL1 do not trap to EL2
 *                    (AArch64.PACTrap, "HCR_EL2.API == '0'")
 *   E2H = TGE = 0, VM = 0: the EL1&0 regime, no stage 2.
 * SCTLR_EL1 starts with its RES1 bits only (MMU and caches off); the probe
 * writes it per register set. Any exception, at EL1 or EL2, is reported and
 * ends the run.
 */
    .section .text.boot, "ax"
    .global _start
_start:
    ldr     x0, =__stack_top
    sub     x1, x0, #0x8000         /* EL2 stack below the EL1 one */
    mov     sp, x1
    msr     sp_el1, x0
    adr     x0, vectors_el2
    msr     vbar_el2, x0
    adr     x0, vectors_el1
    msr     vbar_el1, x0
    ldr     x0, =((1 << 31) | (1 << 40) | (1 << 41))   /* RW, APK, API */
    msr     hcr_el2, x0
    ldr     x0, =0x30d00800         /* SCTLR_EL1 RES1 bits, M = C = I = 0 */
    msr     sctlr_el1, x0
    mov     x0, #0x3c5              /* SPSR: EL1h, D, A, I, F masked */
    msr     spsr_el2, x0
    adr     x0, el1_entry
    msr     elr_el2, x0
    isb
    eret

el1_entry:
    ldr     x0, =__bss_start
    ldr     x1, =__bss_end
1:  cmp     x0, x1
    b.hs    2f
    str     xzr, [x0], #8
    b       1b
2:  bl      pac_probe_main
    b       semihost_exit           /* exit code in w0 */

    .global semihost_exit
semihost_exit:
    /* SYS_EXIT (0x18) takes a pointer to {reason, subcode} on AArch64 */
    sub     sp, sp, #16
    ldr     x1, =0x20026            /* ADP_Stopped_ApplicationExit */
    str     x1, [sp]
    sxtw    x0, w0
    str     x0, [sp, #8]
    mov     x1, sp
    mov     x0, #0x18
    hlt     #0xf000
3:  b       3b

    .global semihost_call
semihost_call:
    /* x0 = operation, x1 = parameter block; returns x0 */
    hlt     #0xf000
    ret

    .balign 2048
vectors_el1:
    .rept 16
    .balign 128
    b       unexpected_el1
    .endr

    .balign 2048
vectors_el2:
    .rept 16
    .balign 128
    b       unexpected_el2
    .endr

unexpected_el1:
    mrs     x0, esr_el1
    mrs     x1, elr_el1
    mrs     x2, far_el1
    mov     x3, #1
    b       4f
unexpected_el2:
    mrs     x0, esr_el2
    mrs     x1, elr_el2
    mrs     x2, far_el2
    mov     x3, #2
4:  bl      pac_probe_unexpected
    mov     w0, #3
    b       semihost_exit
