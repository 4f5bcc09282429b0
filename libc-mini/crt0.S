/*
 * User-program entry. The kernel (root task) or the spawner starts a thread here with its
 * stack pointer set and one argument in x0: the boot-info page for the root task, the
 * spawner's argument otherwise (x3: MICA_START_* flags from a spawner that sets them,
 * include-user/stdio.h). _start calls `int main(void *arg)` (x1.. pass through), or, with
 * MICA_START_ARGV, `int main(int argc, char **argv)` from x4 and x5, and passes its result
 * to mica_exit. The loader has already zeroed .bss (the part of a segment past its file size).
 */
	.section .text.start, "ax"
	.global _start
	.type _start, %function
_start:
	tbz	x3, #1, 2f		/* MICA_START_FLAGS_VALID: started by memsrv, which */
	and	x9, x3, #1		/* says whether the kernel's debug console exists */
	adrp	x10, mica_debug_console
	str	w9, [x10, :lo12:mica_debug_console]
	mov	w9, #1
	adrp	x10, mica_started_by_memsrv
	str	w9, [x10, :lo12:mica_started_by_memsrv]
	tbz	x3, #2, 2f		/* MICA_START_ARGV: main(argc, argv) */
	mov	x0, x4
	mov	x1, x5
2:	mov	x29, #0			/* end of the frame-pointer chain */
	mov	x30, #0			/* and of the return-address chain */
	mov	x9, sp
	and	x9, x9, #~15		/* the AAPCS64 wants a 16-byte aligned stack */
	mov	sp, x9
	bl	main			/* x0 still holds the argument */
	bl	mica_exit		/* x0 = main's result; does not return */
1:	b	1b
	.size _start, . - _start
