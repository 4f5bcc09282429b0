/*
 * The probe's entry. memsrv sets sp (16-byte aligned, the top of the probe's stack) and
 * x0..x3 (probe_main's arguments) every time it starts or restarts the probe.
 */
	.section .text.start, "ax"
	.global _start
	.type _start, %function
_start:
	mov	x29, #0			/* end of the frame-pointer chain */
	mov	x30, #0			/* and of the return-address chain */
	b	probe_main		/* does not return */
	.size _start, . - _start
