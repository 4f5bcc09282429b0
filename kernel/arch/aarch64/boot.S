/*
 * Kernel entry.
 *
 * QEMU enters _start at its physical address with the MMU off, at EL2 (virtualization=on)
 * or EL1, and x0 = DTB address (0 when booting an ELF: the DTB is then at the base of RAM).
 * This code:
 *   1. parks every CPU but the boot CPU;
 *   2. drops from EL2 to EL1 if needed, giving EL1 the timer and FP/SIMD;
 *   3. zeroes .bss and builds a two-entry boot translation table: the first GiB of the
 *      physical address space as Device memory (early UART, GIC) and the second GiB (RAM,
 *      holding the image and the DTB) as Normal memory, reachable both at its physical
 *      address (TTBR0, identity) and in the kernel half (TTBR1, KERNEL_VA_OFFSET + PA);
 *   4. turns the MMU on, jumps to the kernel-half alias and calls
 *      kernel_main(dtb_pa, entry_el).
 * kernel_main then replaces the boot table with fine-grained kernel tables (arch_mmu_init).
 * Everything before the jump is position-independent (adr/adrp only).
 *
 * Secondary cores enter at secondary_entry (the last block of this file), started by the
 * boot core through PSCI CPU_ON once the kernel runs; they share the EL2 exit and the
 * MMU switch-on (the macros below) and reuse the boot table, then continue in smp.c.
 */
#include <arch/memlayout.h>
#include <arch/percpu.h>
#include <arch/pte.h>
#include <arch/sysreg.h>

#define BOOT_STACK_SIZE (16 * 1024)
#define SPSR_EL1H_MASKED 0x3c5 /* EL1h, D, A, I, F masked */
#define CPTR_EL2_NO_TRAPS 0x33ff
#define BOOT_BLOCK_DEVICE (PTE_VALID | PTE_BLOCK | PTE_AF | PTE_ATTR(MT_DEVICE_nGnRE) | PTE_PXN | PTE_UXN)
#define BOOT_BLOCK_NORMAL (PTE_VALID | PTE_BLOCK | PTE_AF | PTE_SH_INNER | PTE_ATTR(MT_NORMAL) | PTE_UXN)
#define ICC_SRE_EL2 S3_4_C12_C9_5
#define ICC_SRE_SRE    BIT(0)
#define ICC_SRE_ENABLE BIT(3)

/* Leave EL2 for good: EL1 is AArch64, may use the counters and timers and FP/SIMD. Only
 * the stub of el2.S stays behind. Erets to `target` at EL1 with DAIF masked. */
.macro el2_to_el1 target
	mov	x0, #HCR_RW
	msr	hcr_el2, x0
	adrp	x0, el2_vectors
	add	x0, x0, :lo12:el2_vectors
	msr	vbar_el2, x0
	mrs	x0, cnthctl_el2
	orr	x0, x0, #(CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN)
	msr	cnthctl_el2, x0
	msr	cntvoff_el2, xzr
	mov	x0, #CPTR_EL2_NO_TRAPS
	msr	cptr_el2, x0
	msr	hstr_el2, xzr
	msr	vttbr_el2, xzr
	mrs	x0, id_aa64pfr0_el1		/* GICv3 system registers? let EL1 use them */
	ubfx	x0, x0, #24, #4
	cbz	x0, 9f
	mrs	x0, ICC_SRE_EL2
	mov	x1, #(ICC_SRE_SRE | ICC_SRE_ENABLE)	/* EL1 may use the system registers */
	orr	x0, x0, x1
	msr	ICC_SRE_EL2, x0
	isb
9:	ldr	x0, =SCTLR_RES1
	msr	sctlr_el1, x0
	mov	x0, #SPSR_EL1H_MASKED
	msr	spsr_el2, x0
	adr	x0, \target
	msr	elr_el2, x0
	eret
.endm

/* MMU and caches on with the boot table (boot_l0) in TTBR0 and TTBR1. Clobbers x0..x2. */
.macro mmu_on
	adrp	x0, boot_l0
	ldr	x1, =MAIR_VALUE
	msr	mair_el1, x1
	ldr	x1, =TCR_BOOT
	mrs	x2, id_aa64mmfr0_el1		/* IPS = the CPU's physical address range */
	ubfx	x2, x2, #0, #3
	bfi	x1, x2, #TCR_IPS_SHIFT, #3
	msr	tcr_el1, x1
	msr	ttbr0_el1, x0
	msr	ttbr1_el1, x0
	isb
	tlbi	vmalle1
	dsb	nsh
	isb
	ldr	x0, =(SCTLR_RES1 | SCTLR_M | SCTLR_C | SCTLR_I | SCTLR_SA | SCTLR_DZE | SCTLR_UCT)
	msr	sctlr_el1, x0
	isb
.endm

	.section .text.boot, "ax"
	.global _start
_start:
	mov	x19, x0				/* DTB pointer or 0 */
	mrs	x1, mpidr_el1
	and	x1, x1, #0xffffff		/* Aff2.Aff1.Aff0 */
	cbnz	x1, park

	mrs	x20, CurrentEL
	lsr	x20, x20, #2			/* entry exception level */
	cmp	x20, #2
	b.eq	from_el2
	cmp	x20, #1
	b.ne	park				/* EL3 entry is not supported */
	b	at_el1

from_el2:
	el2_to_el1 at_el1

at_el1:
	msr	daifset, #0xf
	ldr	x0, =SCTLR_RES1			/* MMU and caches off, known state */
	msr	sctlr_el1, x0
	isb

	adrp	x0, __bss_start			/* physical addresses: MMU is off */
	add	x0, x0, :lo12:__bss_start
	adrp	x1, __bss_end
	add	x1, x1, :lo12:__bss_end
1:	cmp	x0, x1
	b.hs	2f
	stp	xzr, xzr, [x0], #16
	b	1b

2:	adrp	x0, boot_l0			/* boot_l0[0] -> boot_l1 */
	adrp	x1, boot_l1
	orr	x2, x1, #(PTE_VALID | PTE_TABLE)
	str	x2, [x0]
	ldr	x2, =BOOT_BLOCK_DEVICE		/* boot_l1[0]: PA 0 .. 1 GiB, devices */
	str	x2, [x1]
	ldr	x2, =(0x40000000 | BOOT_BLOCK_NORMAL) /* boot_l1[1]: PA 1 .. 2 GiB, RAM */
	str	x2, [x1, #8]
	dsb	ishst

	mmu_on
	ldr	x0, =high			/* continue at the kernel-half alias */
	br	x0
high:
	ldr	x0, =boot_stack_top
	mov	sp, x0
	ldr	x0, =boot_entry_el
	str	w20, [x0]
	ldr	x0, =cpus			/* TPIDR_EL1: the boot core's struct percpu */
	msr	tpidr_el1, x0
	adr	x0, exception_vectors
	msr	vbar_el1, x0
	isb
	mov	x29, xzr			/* end of the frame chain for debuggers */
	mov	x0, x19
	mov	x1, x20
	bl	kernel_main
park:
	wfe
	b	park

/*
 * Secondary-core entry (PSCI CPU_ON): physical address, MMU off, at EL2 or EL1, x0 = the
 * kernel-half address of the core's struct percpu (the context ID smp.c passed). Leaves
 * EL2 as the boot core did, switches the MMU on with the boot table, moves to the kernel
 * half, takes its stack from the percpu and calls smp_secondary_start(percpu), which
 * installs the final tables.
 */
	.global secondary_entry
secondary_entry:
	mov	x19, x0
	mrs	x20, CurrentEL
	lsr	x20, x20, #2
	cmp	x20, #2
	b.eq	secondary_from_el2
	cmp	x20, #1
	b.ne	park
	b	secondary_at_el1
secondary_from_el2:
	el2_to_el1 secondary_at_el1
secondary_at_el1:
	msr	daifset, #0xf
	ldr	x0, =SCTLR_RES1
	msr	sctlr_el1, x0
	isb
	mmu_on
	ldr	x0, =secondary_high
	br	x0
secondary_high:
	msr	tpidr_el1, x19
	ldr	x0, [x19, #PERCPU_STACK_TOP]
	mov	sp, x0
	adr	x0, exception_vectors
	msr	vbar_el1, x0
	isb
	mov	x29, xzr
	mov	x0, x19
	bl	smp_secondary_start
	b	park

	.section .bss.boot, "aw", %nobits
	.balign 4
	.global boot_entry_el
boot_entry_el:	.space 4		/* the exception level QEMU entered the kernel at */
	.balign 4096
boot_l0:	.space 4096
boot_l1:	.space 4096
	.balign 16
	.global boot_stack_bottom
boot_stack_bottom:
	.space BOOT_STACK_SIZE
	.global boot_stack_top
boot_stack_top:
