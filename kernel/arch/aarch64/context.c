#include "context.h"

#include <arch/pte.h>
#include <arch/sysreg.h>

#include "cpu.h"
#include "object/tcb.h"

#define CPACR_FPEN_SHIFT    20
#define CPACR_FPEN_TRAP_EL0 (UL(1) << CPACR_FPEN_SHIFT) /* EL1 may, EL0 traps */
#define CPACR_FPEN_NONE     (UL(3) << CPACR_FPEN_SHIFT) /* nobody traps */
#define TTBR_ASID_SHIFT     48

#define PMCR_E              BIT(0) /* counters enabled */
#define PMCR_P              BIT(1) /* reset event counters */
#define PMUSERENR_EN        BIT(0) /* EL0 may access the PMU */
#define PMUSERENR_ER        BIT(3) /* EL0 may read event counters */
#define PMU_INST_RETIRED    0x08
#define PMCNTEN_C0          BIT(0)

static struct tcb *fpu_owner;
static uint64_t installed_ttbr0;
static uint64_t installed_cpacr;

/* Counts retired instructions on event counter 0 at EL0 and EL1, readable from EL0, so the
 * benchmarks can count instructions (exact under QEMU's -icount). */
static void pmu_init(void)
{
	write_sysreg(pmevtyper0_el0, PMU_INST_RETIRED);
	write_sysreg(pmcntenset_el0, PMCNTEN_C0);
	write_sysreg(pmcr_el0, read_sysreg(pmcr_el0) | PMCR_E | PMCR_P);
	write_sysreg(pmuserenr_el0, PMUSERENR_EN | PMUSERENR_ER);
	isb();
}

void context_init(void)
{
	uint64_t tcr = read_sysreg(tcr_el1) & ~TCR_EPD0;
	if (cpu_asid_bits() == 16)
		tcr |= TCR_AS;
	write_sysreg(tcr_el1, tcr);
	write_sysreg(cpacr_el1, CPACR_FPEN_TRAP_EL0);
	installed_cpacr = CPACR_FPEN_TRAP_EL0;
	isb();
	pmu_init();
}

void context_switch(struct tcb *prev, struct tcb *next)
{
	if (prev)
		prev->ctx.tpidr = read_sysreg(tpidr_el0);
	write_sysreg(tpidr_el0, next->ctx.tpidr);
	uint64_t ttbr0 = next->vspace_root | ((uint64_t)next->asid << TTBR_ASID_SHIFT);
	if (ttbr0 != installed_ttbr0) {
		write_sysreg(ttbr0_el1, ttbr0);
		installed_ttbr0 = ttbr0;
	}
	uint64_t cpacr = next == fpu_owner ? CPACR_FPEN_NONE : CPACR_FPEN_TRAP_EL0;
	if (cpacr != installed_cpacr) {
		write_sysreg(cpacr_el1, cpacr);
		installed_cpacr = cpacr;
	}
	/* ERET is context-synchronising: the new TTBR0 and CPACR apply from the first user
	 * instruction without an ISB here. */
}

void context_fpu_trap(struct tcb *t)
{
	write_sysreg(cpacr_el1, CPACR_FPEN_NONE);
	installed_cpacr = CPACR_FPEN_NONE;
	isb(); /* the kernel itself touches the FP registers below */
	if (fpu_owner)
		fpu_save(&fpu_owner->fpu);
	/* A thread that never used FP/SIMD starts from zeroed registers (TCBs are zeroed). */
	fpu_restore(&t->fpu);
	t->fpu_live = 1;
	fpu_owner = t;
}

void context_fpu_forget(struct tcb *t)
{
	if (fpu_owner == t)
		fpu_owner = 0;
}
