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
