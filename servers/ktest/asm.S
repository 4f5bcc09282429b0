/*
 * ktest's assembly helpers: instructions that fault at known addresses (the fault tests
 * compare the kernel's fault messages with these labels), and FP/SIMD register exercises
 * whose registers no compiler-generated code can disturb.
 */
	.arch_extension fp
	.arch_extension simd
	.section .text, "ax"

/* void kt_fault_udf(void): an undefined instruction at kt_fault_udf_insn. */
	.global kt_fault_udf
	.global kt_fault_udf_insn
	.type kt_fault_udf, %function
kt_fault_udf:
kt_fault_udf_insn:
	.inst	0x00000000		/* udf #0 */
	ret
	.size kt_fault_udf, . - kt_fault_udf

/* void kt_fault_svc999(void): system call 999, which does not exist. The fault message's
 * pc is kt_fault_svc999_next, the instruction after the svc. */
	.global kt_fault_svc999
	.global kt_fault_svc999_next
	.type kt_fault_svc999, %function
kt_fault_svc999:
	mov	x8, #999
	svc	#0
kt_fault_svc999_next:
	ret
	.size kt_fault_svc999, . - kt_fault_svc999

/* uint64_t kt_fault_load(uint64_t addr): loads from addr at kt_fault_load_insn. A handler
 * that moves the pc past the load and sets x0 decides what it returns. */
	.global kt_fault_load
	.global kt_fault_load_insn
	.type kt_fault_load, %function
kt_fault_load:
kt_fault_load_insn:
	ldr	x0, [x0]
	ret
	.size kt_fault_load, . - kt_fault_load

/* void kt_fault_store(uint64_t addr, uint64_t value): stores at kt_fault_store_insn. */
	.global kt_fault_store
	.global kt_fault_store_insn
	.type kt_fault_store, %function
kt_fault_store:
kt_fault_store_insn:
	str	x1, [x0]
	ret
	.size kt_fault_store, . - kt_fault_store

/* void kt_fault_jump(uint64_t addr): branches to addr (an instruction fetch from there). */
	.global kt_fault_jump
	.type kt_fault_jump, %function
kt_fault_jump:
	br	x0
	.size kt_fault_jump, . - kt_fault_jump

/* void kt_fault_brk(void): a breakpoint instruction at kt_fault_brk_insn. */
	.global kt_fault_brk
	.global kt_fault_brk_insn
	.type kt_fault_brk, %function
kt_fault_brk:
kt_fault_brk_insn:
	brk	#0
	ret
	.size kt_fault_brk, . - kt_fault_brk

/* void kt_fpu_load(uint64_t base): d<i> = base + i for i = 0..31 (upper halves 0). */
	.global kt_fpu_load
	.type kt_fpu_load, %function
kt_fpu_load:
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	add	x9, x0, #\i
	fmov	d\i, x9
	.endr
	ret
	.size kt_fpu_load, . - kt_fpu_load

/* uint64_t kt_fpu_or_all(void): the OR of all 128 bits of v0..v31, folded to 64. */
	.global kt_fpu_or_all
	.type kt_fpu_or_all, %function
kt_fpu_or_all:
	mov	x0, #0
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	mov	x9, v\i\().d[0]
	orr	x0, x0, x9
	mov	x9, v\i\().d[1]
	orr	x0, x0, x9
	.endr
	ret
	.size kt_fpu_or_all, . - kt_fpu_or_all

/*
 * uint64_t kt_fpu_yield_check(uint64_t base, uint64_t rounds): loads d<i> = base + i, then
 * `rounds` times yields (SYS_YIELD) and compares every d<i> with base + i. Returns the
 * number of registers found changed, summed over all rounds: 0 when the kernel keeps them.
 * Everything happens here, so no compiled code touches the FP/SIMD registers in between.
 */
	.global kt_fpu_yield_check
	.type kt_fpu_yield_check, %function
kt_fpu_yield_check:
	stp	x19, x20, [sp, #-32]!
	stp	x21, x30, [sp, #16]	/* x30: the bl below */
	mov	x19, x0			/* base */
	mov	x20, x1			/* rounds left */
	mov	x21, #0			/* mismatches */
	bl	kt_fpu_load
1:	cbz	x20, 2f
	mov	x8, #7			/* SYS_YIELD */
	svc	#0
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fmov	x9, d\i
	add	x10, x19, #\i
	cmp	x9, x10
	cinc	x21, x21, ne
	.endr
	sub	x20, x20, #1
	b	1b
2:	mov	x0, x21
	ldp	x21, x30, [sp, #16]
	ldp	x19, x20, [sp], #32
	ret
	.size kt_fpu_yield_check, . - kt_fpu_yield_check

/* void kt_pmu_write_pmcr(uint64_t value): writes PMCR_EL0 at kt_pmu_write_pmcr_insn. */
	.global kt_pmu_write_pmcr
	.global kt_pmu_write_pmcr_insn
	.type kt_pmu_write_pmcr, %function
kt_pmu_write_pmcr:
kt_pmu_write_pmcr_insn:
	msr	pmcr_el0, x0
	ret
	.size kt_pmu_write_pmcr, . - kt_pmu_write_pmcr

/* void kt_pmu_write_cntenset(uint64_t value): writes PMCNTENSET_EL0 at
 * kt_pmu_write_cntenset_insn. */
	.global kt_pmu_write_cntenset
	.global kt_pmu_write_cntenset_insn
	.type kt_pmu_write_cntenset, %function
kt_pmu_write_cntenset:
kt_pmu_write_cntenset_insn:
	msr	pmcntenset_el0, x0
	ret
	.size kt_pmu_write_cntenset, . - kt_pmu_write_cntenset

/* void kt_pmu_write_evtyper0(uint64_t value): writes PMEVTYPER0_EL0 at
 * kt_pmu_write_evtyper0_insn. */
	.global kt_pmu_write_evtyper0
	.global kt_pmu_write_evtyper0_insn
	.type kt_pmu_write_evtyper0, %function
kt_pmu_write_evtyper0:
kt_pmu_write_evtyper0_insn:
	msr	pmevtyper0_el0, x0
	ret
	.size kt_pmu_write_evtyper0, . - kt_pmu_write_evtyper0

/* uint64_t kt_debug_async(uint64_t source): SYS_DEBUG_ASYNC (69); returns the reply's
 * message info. An injected SError or FIQ is taken at kt_debug_async_next, the first user
 * instruction after the svc. */
	.global kt_debug_async
	.global kt_debug_async_next
	.type kt_debug_async, %function
kt_debug_async:
	mov	x1, xzr
	mov	x8, #69
	svc	#0
kt_debug_async_next:
	mov	x0, x1
	ret
	.size kt_debug_async, . - kt_debug_async

/*
 * void kt_syscall_registers(uint64_t nr, uint64_t x0, uint64_t x1, uint64_t out[35]):
 * system call `nr` with x0 and x1 as given and every other register set to a known value:
 * xn = KT_REG_PATTERN + n (x2..x7, x9..x30), TPIDR_EL0 = KT_REG_PATTERN + 32. Afterwards
 * out[0..30] get x0..x30 as the call left them, out[31] SP, out[32] TPIDR_EL0 and out[33]
 * SP before the call. TPIDR_EL0 and the callee-saved registers are restored.
 */
	.global kt_syscall_registers
	.type kt_syscall_registers, %function
kt_syscall_registers:
	stp	x29, x30, [sp, #-112]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	mrs	x9, tpidr_el0
	stp	x9, x3, [sp, #96]		/* the caller's TPIDR_EL0, out */
	mov	x9, sp
	str	x9, [x3, #33 * 8]
	mov	x9, #(0x5a00 + 32)
	msr	tpidr_el0, x9
	mov	x8, x0
	mov	x0, x1
	mov	x1, x2
	mov	x2, #(0x5a00 + 2)
	mov	x3, #(0x5a00 + 3)
	mov	x4, #(0x5a00 + 4)
	mov	x5, #(0x5a00 + 5)
	mov	x6, #(0x5a00 + 6)
	mov	x7, #(0x5a00 + 7)
	mov	x9, #(0x5a00 + 9)
	mov	x10, #(0x5a00 + 10)
	mov	x11, #(0x5a00 + 11)
	mov	x12, #(0x5a00 + 12)
	mov	x13, #(0x5a00 + 13)
	mov	x14, #(0x5a00 + 14)
	mov	x15, #(0x5a00 + 15)
	mov	x16, #(0x5a00 + 16)
	mov	x17, #(0x5a00 + 17)
	mov	x18, #(0x5a00 + 18)
	mov	x19, #(0x5a00 + 19)
	mov	x20, #(0x5a00 + 20)
	mov	x21, #(0x5a00 + 21)
	mov	x22, #(0x5a00 + 22)
	mov	x23, #(0x5a00 + 23)
	mov	x24, #(0x5a00 + 24)
	mov	x25, #(0x5a00 + 25)
	mov	x26, #(0x5a00 + 26)
	mov	x27, #(0x5a00 + 27)
	mov	x28, #(0x5a00 + 28)
	mov	x29, #(0x5a00 + 29)
	mov	x30, #(0x5a00 + 30)
	svc	#0
	stp	x0, x1, [sp, #-16]!
	add	x0, sp, #16			/* SP as the call left it */
	ldr	x1, [sp, #16 + 104]		/* out */
	str	x0, [x1, #31 * 8]
	mrs	x0, tpidr_el0
	str	x0, [x1, #32 * 8]
	ldp	x0, x1, [sp], #16
	str	x0, [sp, #-16]!			/* x0 again, to free it for out */
	ldr	x0, [sp, #16 + 104]
	str	x1, [x0, #1 * 8]
	str	x2, [x0, #2 * 8]
	str	x3, [x0, #3 * 8]
	str	x4, [x0, #4 * 8]
	str	x5, [x0, #5 * 8]
	str	x6, [x0, #6 * 8]
	str	x7, [x0, #7 * 8]
	str	x8, [x0, #8 * 8]
	str	x9, [x0, #9 * 8]
	str	x10, [x0, #10 * 8]
	str	x11, [x0, #11 * 8]
	str	x12, [x0, #12 * 8]
	str	x13, [x0, #13 * 8]
	str	x14, [x0, #14 * 8]
	str	x15, [x0, #15 * 8]
	str	x16, [x0, #16 * 8]
	str	x17, [x0, #17 * 8]
	str	x18, [x0, #18 * 8]
	str	x19, [x0, #19 * 8]
	str	x20, [x0, #20 * 8]
	str	x21, [x0, #21 * 8]
	str	x22, [x0, #22 * 8]
	str	x23, [x0, #23 * 8]
	str	x24, [x0, #24 * 8]
	str	x25, [x0, #25 * 8]
	str	x26, [x0, #26 * 8]
	str	x27, [x0, #27 * 8]
	str	x28, [x0, #28 * 8]
	str	x29, [x0, #29 * 8]
	str	x30, [x0, #30 * 8]
	ldr	x1, [sp], #16
	str	x1, [x0]
	ldr	x9, [sp, #96]
	msr	tpidr_el0, x9
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #112
	ret
	.size kt_syscall_registers, . - kt_syscall_registers
