/*
 * The architecture's part of the per-CPU data (kernel/smp.h) and how a core finds its own:
 * TPIDR_EL1 holds the address of its struct percpu (TPIDR_EL0 belongs to user threads).
 */
#pragma once

/* Offsets in struct percpu (kernel/smp.h) that the assembly uses; smp.c asserts them. */
#define PERCPU_CURRENT   0
#define PERCPU_STACK_TOP 8

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>

struct tcb;
struct percpu;

struct arch_percpu {
	struct tcb *fpu_owner;     /* whose FP/SIMD state the registers hold */
	uint64_t installed_cpacr;  /* CPACR_EL1 as last written */
	uint64_t installed_vspace; /* what TTBR0 holds: the VSpace's table (context.c) ... */
	uint16_t installed_asid;   /* ... and its software ASID */
	uint64_t asid_epoch;       /* asid_epoch (asid.c) as of its last change, for the fastpath */
	bool vspace_dirty;         /* see arch_vspace_changed */
	uint64_t mpidr;            /* MPIDR_EL1 affinity */
	uint64_t next_deadline;    /* the tick's next compare value */
	uintptr_t gicr;            /* GICv3: this core's redistributor (RD_base) */
	uint32_t gic_cpu_mask;     /* GICv2: this core's CPU interface bit */
	uint32_t stall_ack;        /* last smp_stall request this core has answered */
	uint32_t stall_req;        /* smp_stall requests made of this core */
};

/* The calling core's struct percpu. */
static inline struct percpu *arch_this_cpu(void)
{
	struct percpu *p;
	__asm__("mrs %0, tpidr_el1" : "=r"(p));
	return p;
}
#endif
