/*
 * Kernel entry.
 *
 * QEMU enters _start at its physical address with the MMU off, at EL2 (virtualization=on),
 * EL1, or EL3 (raspi machines), and x0 = DTB address (0 when booting an ELF: the DTB is then at the base of RAM).
 * This code:
 *   1. parks every CPU but the boot CPU;
 *   2. drops from EL2 to EL1 if needed, giving EL1 the timer and FP/SIMD;
 *   3. zeroes .bss and builds the boot translation table from the board's facts
 *      (arch/board.h): one GiB of the physical address space as Device memory (early UART,
 *      interrupt controller) and the GiB holding RAM, the image and the DTB as Normal
 *      memory in 2 MiB blocks (Device for the blocks of peripherals inside it), reachable
 *      both at its physical address (TTBR0, identity) and in the kernel half (TTBR1,
 *      KERNEL_VA_OFFSET + PA);
 *   4. turns the MMU on, jumps to the kernel-half alias and calls
 *      kernel_main(dtb_pa, entry_el).
 * kernel_main then replaces the boot table with fine-grained kernel tables (arch_mmu_init).
 * Everything before the jump is position-independent (adr/adrp only).
 *
 * The image starts with the arm64 Linux Image header, so the same file booted as a raw
 * Image (the Raspberry Pi's mica-raspi3b.img) tells the loader where it belongs: QEMU then
 * boots it with its Linux protocol (EL2, x0 = DTB, the other cores held in its spin table).
 *
 * Secondary cores enter at secondary_entry (PSCI CPU_ON: x0 = their percpu) or at
 * secondary_spin_entry (spin table: no argument; smp.c leaves the percpu in
 * spin_table_percpu) once the kernel runs (mp.c); they share the EL3 and EL2 exits and the
 * MMU switch-on (the macros below) and reuse the boot table, then continue in smp.c.
 */
#include <arch/board.h>
#include <arch/memlayout.h>
#include <arch/percpu.h>
#include <arch/pte.h>
#include <arch/sysreg.h>

#define BOOT_STACK_SIZE (16 * 1024)
#define SPSR_EL1H_MASKED 0x3c5 /* EL1h, D, A, I, F masked */
#define SPSR_EL2H_MASKED 0x3c9 /* EL2h, D, A, I, F masked */
#define CPTR_EL2_NO_TRAPS 0x33ff
#define BOOT_BLOCK_DEVICE (PTE_VALID | PTE_BLOCK | PTE_AF | PTE_ATTR(MT_DEVICE_nGnRE) | PTE_PXN | PTE_UXN)
#define BOOT_BLOCK_NORMAL (PTE_VALID | PTE_BLOCK | PTE_AF | PTE_SH_INNER | PTE_ATTR(MT_NORMAL) | PTE_UXN)
#define BOOT_L2_BLOCK 0x200000 /* a level-2 block: 2 MiB */
#define ICC_SRE_EL2 S3_4_C12_C9_5
#define ICC_SRE_SRE    BIT(0)
#define ICC_SRE_ENABLE BIT(3)
#define IMAGE_TEXT_OFFSET 0x200000 /* every board links the image 2 MiB above its RAM base */
#define IMAGE_FLAGS 0x2             /* little-endian, 4 KiB pages, 2 MiB-aligned base low in RAM */
#define IMAGE_MAGIC 0x644d5241      /* "ARM\x64" */

/* Entered at EL3 (QEMU's raspi machines start an ELF kernel there, with no firmware): make
 * everything below non-secure AArch64 and go on at EL2 at `target`, as if the loader had
 * started there. Nothing stays at EL3: SMC is undefined. */
.macro el3_to_el2 target
	ldr	x0, =(SCR_RES1 | SCR_NS | SCR_SMD | SCR_HCE | SCR_RW)
	msr	scr_el3, x0
	msr	cptr_el3, xzr			/* no FP/SIMD traps to EL3 */
	mov	x0, #SPSR_EL2H_MASKED
	msr	spsr_el3, x0
	adr	x0, \target
	msr	elr_el3, x0
	eret
.endm

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
	b	primary_entry			/* the arm64 Image header (Linux booting.rst) */
	.word	0
	.quad	IMAGE_TEXT_OFFSET		/* load offset from a 2 MiB-aligned RAM base */
	.quad	__image_size			/* bytes the image occupies, .bss included */
	.quad	IMAGE_FLAGS
	.quad	0, 0, 0
	.word	IMAGE_MAGIC
	.word	0
primary_entry:
	mov	x19, x0				/* DTB pointer or 0 */
	mrs	x1, mpidr_el1
	and	x1, x1, #0xffffff		/* Aff2.Aff1.Aff0 */
	cbnz	x1, park

	mrs	x20, CurrentEL
	lsr	x20, x20, #2			/* entry exception level */
	cmp	x20, #3
	b.eq	from_el3
	cmp	x20, #2
	b.eq	from_el2
	b	at_el1

from_el3:
	el3_to_el2 from_el2

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
	ldr	x2, =((BOOT_DEVICE_GIB << 30) | BOOT_BLOCK_DEVICE) /* the device GiB: one block */
	str	x2, [x1, #(BOOT_DEVICE_GIB * 8)]
	adrp	x3, boot_l2			/* the RAM GiB -> boot_l2 */
	orr	x2, x3, #(PTE_VALID | PTE_TABLE)
	str	x2, [x1, #(BOOT_RAM_GIB * 8)]
	ldr	x2, =((BOOT_RAM_GIB << 30) | BOOT_BLOCK_NORMAL)
	ldr	x4, =((BOOT_RAM_GIB << 30) | BOOT_BLOCK_DEVICE)
	mov	x5, #0
	/* boot_l2[i] = 2 MiB block i of the RAM GiB: Normal below BOOT_RAM_DEVICE_FROM, else
	 * Device (the board's peripherals inside that GiB). Invariant: x2/x4 map block x5. */
3:	cmp	x5, #BOOT_RAM_DEVICE_FROM
	csel	x6, x2, x4, lo
	str	x6, [x3, x5, lsl #3]
	add	x2, x2, #BOOT_L2_BLOCK
	add	x4, x4, #BOOT_L2_BLOCK
	add	x5, x5, #1
	cmp	x5, #512
	b.lo	3b
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
 * Secondary-core entry: physical address, MMU off, at EL3, EL2 or EL1. At secondary_entry
 * (PSCI CPU_ON) x0 = the kernel-half address of the core's struct percpu (the context ID
 * mp.c passed); at secondary_spin_entry (released from a spin table, registers undefined)
 * there is none and the core reads spin_table_percpu once its MMU is on (normal cacheable
 * memory: coherent with the boot core's write, no cache maintenance needed). Leaves EL3 and
 * EL2 as the boot core did, switches the MMU on with the boot table, moves to the kernel
 * half, takes its stack from the percpu and calls smp_secondary_start(percpu), which
 * installs the final tables.
 */
	.global secondary_spin_entry
secondary_spin_entry:
	mov	x0, xzr
	.global secondary_entry
secondary_entry:
	mov	x19, x0
	mrs	x20, CurrentEL
	lsr	x20, x20, #2
	cmp	x20, #3
	b.eq	secondary_from_el3
	cmp	x20, #2
	b.eq	secondary_from_el2
	cmp	x20, #1
	b.ne	park
	b	secondary_at_el1
secondary_from_el3:
	el3_to_el2 secondary_from_el2
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
	cbnz	x19, 1f
	ldr	x19, =spin_table_percpu
	ldr	x19, [x19]
1:	msr	tpidr_el1, x19
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
boot_l2:	.space 4096
	.balign 16
	.global boot_stack_bottom
boot_stack_bottom:
	.space BOOT_STACK_SIZE
	.global boot_stack_top
boot_stack_top:
