#include "context.h"

#include <arch/pte.h>
#include <arch/switch.h>
#include <arch/sysreg.h>

#include "asid.h"
#include "console.h"
#include "fastpath.h"
#include "cpu.h"
#include "stats.h"
#include "tlb.h"
#include "object/tcb.h"
#include "arch.h"
#include "smp.h"

#define PMCR_E           BIT(0) /* counters enabled */
#define PMCR_P           BIT(1) /* reset event counters */
#define PMUSERENR_CR     BIT(2) /* EL0 may read the cycle counter */
#define PMUSERENR_ER     BIT(3) /* EL0 may read the event counters (and select one) */
#define PMU_INST_RETIRED 0x08
#define PMCNTEN_C0       BIT(0)

/* Per core (struct arch_percpu, arch/percpu.h): the FP/SIMD owner, CPACR as written, what
 * TTBR0 holds (the VSpace and its software ASID), and vspace_dirty. Only a derivation or a
 * deletion of a VSpace capability changes a TCB's VSpace slot, and only forgetting the
 * installed VSpace (its ASID freed) invalidates TTBR0: vspace_dirty is set by exactly
 * those, so a thread that keeps the CPU is checked only after one. */
#define here_fpu_owner        (this_cpu()->arch.fpu_owner)
#define here_installed_cpacr  (this_cpu()->arch.installed_cpacr)
#define here_installed_vspace (this_cpu()->arch.installed_vspace)
#define here_installed_asid   (this_cpu()->arch.installed_asid)

/* Counts retired instructions on event counter 0 at EL0 and EL1, readable from EL0, so the
 * benchmarks can count instructions (exact under QEMU's -icount). User space may read the
 * counters but not write the PMU (PMUSERENR.EN clear): a write of PMCR_EL0, an enable, an
 * event type or a counter traps and becomes the thread's FAULT_UNDEFINED. */
static void pmu_init(void)
{
	write_sysreg(pmevtyper0_el0, PMU_INST_RETIRED);
	write_sysreg(pmcntenset_el0, PMCNTEN_C0);
	write_sysreg(pmcr_el0, read_sysreg(pmcr_el0) | PMCR_E | PMCR_P);
	write_sysreg(pmuserenr_el0, PMUSERENR_ER | PMUSERENR_CR);
	isb();
}

/* CNTKCTL_EL1: EL0 may read the virtual counter (time stamps, seeding generators). */
#define CNTKCTL_EL0VCTEN BIT(1)

/*
 * With no VSpace installed TTBR0 holds this empty table (every entry invalid, so no walk
 * through it leaves a TLB entry) with hardware ASID 0, which no VSpace gets: TTBR0 walks
 * stay on from here, so installing a VSpace is always just the TTBR0 write, and dropping
 * one stops every walk of its tables (which may be freed next) as soon as the new TTBR0
 * takes effect. mmu.c keeps TTBR0 walks off (TCR_EL1.EPD0) until context_init.
 *
 * The per-core installed_vspace then holds this table's address: kernel-image memory, never
 * a VSpace's table and never 0, so neither an empty capability (all zeroes) nor any VSpace
 * capability compares equal to it (the fastpath's installed test compares addresses only).
 */
static pte_t no_vspace_table[PAGE_SIZE / sizeof(pte_t)] __attribute__((aligned(PAGE_SIZE)));

static uint64_t no_vspace_pa(void)
{
	return virt_to_phys(no_vspace_table);
}

void context_init(void)
{
	write_sysreg(cntkctl_el1, read_sysreg(cntkctl_el1) | CNTKCTL_EL0VCTEN);
	write_sysreg(ttbr0_el1, no_vspace_pa());
	isb(); /* the empty table is in place before walks are enabled */
	here_installed_vspace = no_vspace_pa();
	here_installed_asid = 0;
	this_cpu()->arch.asid_epoch = asid_epoch;
	uint64_t tcr = read_sysreg(tcr_el1) & ~TCR_EPD0;
	if (cpu_asid_bits() == 16)
		tcr |= TCR_AS;
	write_sysreg(tcr_el1, tcr);
	write_sysreg(cpacr_el1, CPACR_FPEN_TRAP_EL0);
	here_installed_cpacr = CPACR_FPEN_TRAP_EL0;
	isb();
	pmu_init();
}

/* Installs the VSpace `vs` in TTBR0, giving it a current hardware ASID. Returns false if it
 * has no valid ASID. A new ASID generation is flushed after the new TTBR0 is in place, so no
 * walk through the old one can leave entries tagged with a reused ASID. Kept out of line so
 * the common switch (same VSpace) needs no stack frame. */
static __attribute__((noinline)) bool install_vspace(const struct cap *vs)
{
	bool flush_all;
	uint64_t ttbr0 = asid_activate(vs->u.vspace.paddr, vs->u.vspace.asid, &flush_all);
	if (!ttbr0)
		return false;
	write_sysreg(ttbr0_el1, ttbr0);
	switch_set_installed(vs, &this_cpu()->arch);
	isb();
	if (flush_all)
		tlb_flush_all();
	return true;
}

/* install_vspace for `next`'s VSpace, whose TTBR0 value it then caches. */
static bool install_thread_vspace(struct tcb *next)
{
	if (!install_vspace(tcb_vspace(next)))
		return false;
	next->ttbr0_cache = read_sysreg(ttbr0_el1);
	next->ttbr0_epoch = asid_epoch;
	return true;
}

/* Makes TTBR0 hold `next`'s VSpace, deciding as the fastpaths do (arch_switch_prepare: the
 * VSpace installed already, or next's cached TTBR0 value written) but installing at once
 * when it needs a hardware ASID. Returns false if next has no VSpace with a valid ASID. */
static inline __attribute__((always_inline)) bool switch_vspace(struct tcb *next)
{
	switch (arch_switch_prepare(next, this_cpu())) {
	case ARCH_SWITCH_READY:
		return true;
	case ARCH_SWITCH_NEW_ASID:
		return install_thread_vspace(next);
	default:
		return false;
	}
}

/* See arch_switch_to_user. Inlined into it and into arch_keep_running. */
static inline __attribute__((always_inline)) bool context_switch(struct tcb *prev, struct tcb *next)
{
	if (!switch_vspace(next))
		return false;
	/* prev's TPIDR_EL0 was saved when it entered the kernel (vectors.S), so nothing is
	 * lost when it blocked into idle and prev is NULL. */
	(void)prev;
	switch_thread_registers(next, &this_cpu()->arch);
	/* ERET is context-synchronising: CPACR applies from the first user instruction. */
	return true;
}

void arch_switch_to_user(struct tcb *prev, struct tcb *next)
{
	if (!context_switch(prev, next))
		return;
	stat_hot(this_cpu()->switches);
	return_to_user(&next->ctx);
}

struct tcb *arch_switch_installing(struct tcb *next, struct percpu *cpu)
{
	/* The fastpath found (arch_switch_prepare, before it changed anything) that neither
	 * TTBR0 nor next's cached value holds its VSpace, which has a valid ASID. */
	if (!install_thread_vspace(next))
		panic("arch_switch_installing: thread %lu has no VSpace with an ASID", next->id);
	switch_thread_registers(next, &cpu->arch);
	stat_hot(cpu->switches);
	__attribute__((musttail)) return fastpath_resume(next, cpu);
}

void arch_return_to_user(struct tcb *t)
{
	return_to_user(&t->ctx);
}

void context_vspace_cap_changed(void)
{
	for (unsigned c = 0; c < smp_ncpus; c++)
		cpus[c].arch.vspace_dirty = true;
}

bool arch_keep_running(struct tcb *t)
{
	this_cpu()->arch.vspace_dirty = false;
	const struct cap *vs = tcb_vspace(t);
	if (vs && switch_vspace_installed(vs, &this_cpu()->arch))
		return true;
	/* Replaced (TCB_CONFIGURE on itself) or gone (deleted, its ASID freed). */
	return context_switch(t, t);
}

bool context_can_run(const struct tcb *t)
{
	const struct cap *vs = tcb_vspace(t);
	return vs && asid_entry_of(vs->u.vspace.asid, vs->u.vspace.paddr);
}

/* Installs no VSpace on this core: TTBR0 the empty table (see context_init). */
static void drop_ttbr0(void)
{
	write_sysreg(ttbr0_el1, no_vspace_pa());
	isb();
	here_installed_vspace = no_vspace_pa();
	here_installed_asid = 0;
	this_cpu()->arch.vspace_dirty = true;
}

void context_forget_vspace(uint64_t vspace_pa)
{
	/* Another core with it installed drops it before this returns (answering the stall,
	 * context_answer_stall); a thread of it running there re-enters the kernel first. */
	for (unsigned c = 0; c < smp_ncpus; c++) {
		if (c != this_cpu()->id && cpus[c].arch.installed_vspace == vspace_pa)
			arch_stall_cpu(c);
	}
	if (here_installed_vspace == vspace_pa)
		drop_ttbr0();
}

void context_answer_stall(void)
{
	struct arch_percpu *a = &this_cpu()->arch;
	uint32_t req = __atomic_load_n(&a->stall_req, __ATOMIC_ACQUIRE);
	if (req == a->stall_ack)
		return;
	if (here_installed_vspace != no_vspace_pa())
		drop_ttbr0();
	if (here_fpu_owner)
		context_release_thread(here_fpu_owner);
	__atomic_store_n(&a->stall_ack, req, __ATOMIC_RELEASE);
}

void context_release_thread(struct tcb *t)
{
	if (here_fpu_owner != t)
		return;
	write_sysreg(cpacr_el1, CPACR_FPEN_NONE);
	isb();
	fpu_save(&t->fpu);
	here_fpu_owner = 0;
	write_sysreg(cpacr_el1, CPACR_FPEN_TRAP_EL0);
	here_installed_cpacr = CPACR_FPEN_TRAP_EL0;
	isb();
}

void context_fpu_trap(struct tcb *t)
{
	write_sysreg(cpacr_el1, CPACR_FPEN_NONE);
	here_installed_cpacr = CPACR_FPEN_NONE;
	isb(); /* the kernel itself touches the FP registers below */
	if (here_fpu_owner)
		fpu_save(&here_fpu_owner->fpu);
	/* A thread that never used FP/SIMD starts from zeroed registers (TCBs are zeroed). */
	fpu_restore(&t->fpu);
	t->fpu_live = 1;
	here_fpu_owner = t;
}

void context_fpu_forget(struct tcb *t)
{
	for (unsigned c = 0; c < smp_ncpus; c++) {
		if (cpus[c].arch.fpu_owner == t)
			cpus[c].arch.fpu_owner = 0; /* its registers there are never saved now */
	}
}
