/*
 * The EL2 stub: what stays at EL2 when QEMU enters the kernel there (boot.S sets VBAR_EL2
 * to el2_vectors before it drops to EL1 for good).
 *
 * It serves one call, `hvc #0` from EL1 with x0 = HCR_EL2 bits to set and x1 = bits to
 * clear, both limited to HCR_INJECT_MASK (virtual FIQ and SError injection); it clobbers
 * x9 and x10. Debug builds use it to make user threads take asynchronous exceptions that nothing
 * else in QEMU raises (el2.c). Every other exception at EL2 is a bug: the CPU parks.
 * EL2's MMU stays off, so this runs at physical addresses and touches no memory.
 */
#include <arch/sysreg.h>

#define ESR_EC_SHIFT 26

/* A vector slot that parks the CPU. */
.macro park_slot
	.balign 0x80
1:	wfe
	b	1b
.endm

	.section .text, "ax"
	.balign 0x800
	.global el2_vectors
el2_vectors:
	.rept 8				/* current EL (SP_EL0 and SP_EL2): never used */
	park_slot
	.endr
	.balign 0x80			/* lower EL, AArch64, synchronous: the hvc */
	mrs	x9, esr_el2
	lsr	x9, x9, #ESR_EC_SHIFT
	cmp	x9, #EC_HVC64
	b.ne	2f
	mov	x10, #HCR_INJECT_MASK
	and	x0, x0, x10
	and	x1, x1, x10
	mrs	x9, hcr_el2
	orr	x9, x9, x0
	bic	x9, x9, x1
	msr	hcr_el2, x9
	isb
	eret
2:	wfe
	b	2b
	.rept 7				/* lower EL IRQ, FIQ, SError; AArch32: never routed here */
	park_slot
	.endr
