/*
 * Switching a core to a user thread, in inline pieces the IPC fastpath and context.c's
 * context_switch share (arch.h: arch_switch_prepare, arch_fast_switch).
 *
 * The thread's VSpace goes into TTBR0 unless TTBR0 holds it already (the VSpace and its
 * software ASID are recorded per core). Each thread caches the TTBR0 value it last ran with
 * (table and hardware ASID), valid while no ASID changed hands (asid_epoch) and while it
 * still names the thread's VSpace. TPIDR_EL0 is the thread's own (saved at every kernel
 * entry); CPACR_EL1 traps FP/SIMD unless the thread owns the FP registers of this core, and
 * is written only when that changes. ERET synchronises all three.
 */
#pragma once

#include <arch/bits.h>
#include <arch/pte.h>
#include <arch/sysreg.h>
#include <stdbool.h>
#include <stdint.h>

#include "arch.h"
#include "asid.h"
#include "context.h"
#include "object/tcb.h"
#include "smp.h"
#include "stats.h"

#define CPACR_FPEN_SHIFT    20
#define CPACR_FPEN_TRAP_EL0 (UL(1) << CPACR_FPEN_SHIFT) /* EL1 may, EL0 traps */
#define CPACR_FPEN_NONE     (UL(3) << CPACR_FPEN_SHIFT) /* nobody traps */
#define CPACR_FPEN_EL0_BIT  (UL(2) << CPACR_FPEN_SHIFT) /* set in NONE, clear in TRAP_EL0 */

/* True if TTBR0 holds the VSpace `vs` (a VSpace capability) with its current ASID. What is
 * installed stays valid: only install_vspace starts an ASID generation, and freeing a
 * VSpace's ASID uninstalls it (context_forget_vspace). The table's address alone tells:
 * every capability to a VSpace carries the ASID assigned to it (only a capability with an
 * ASID may be copied, cap_derivable; the self-audit checks it), and a VSpace is deleted,
 * its ASID with it, before its page can hold another one. With none installed the core
 * records the empty table's address (context.c), which no capability names. */
static inline __attribute__((always_inline)) bool switch_vspace_installed(
    const struct cap *vs, const struct arch_percpu *a)
{
	return vs->u.vspace.paddr == a->installed_vspace;
}

/* True if `t`'s cached TTBR0 value is still right for its VSpace `vs` (`a`: this core's,
 * with its copy of asid_epoch): the two words are loaded as a pair and tested with one
 * branch (the empty asm keeps the compiler from splitting it). */
static inline __attribute__((always_inline)) bool switch_ttbr0_cached(const struct tcb *t,
								      const struct cap *vs,
								      const struct arch_percpu *a)
{
	uint64_t stale = (t->ttbr0_epoch ^ a->asid_epoch) |
			 ((t->ttbr0_cache & PTE_ADDR_MASK) ^ vs->u.vspace.paddr);
	__asm__("" : "+r"(stale));
	return stale == 0;
}

/* Records `vs` as what TTBR0 holds (written, or about to be). */
static inline __attribute__((always_inline)) void switch_set_installed(const struct cap *vs,
								       struct arch_percpu *a)
{
	a->installed_vspace = vs->u.vspace.paddr;
	a->installed_asid = vs->u.vspace.asid;
	stat_hot(stats.as_switches);
}

/* Loads `next`'s TPIDR_EL0 and its FP/SIMD trap setting. The common case, a thread that
 * does not own this core's FP registers while they trap already, is two tests: CPACR holds
 * CPACR_FPEN_TRAP_EL0 or CPACR_FPEN_NONE (context.c), which differ in the bit tested. */
static inline __attribute__((always_inline)) void switch_thread_registers(struct tcb *next,
									  struct arch_percpu *a)
{
	write_sysreg(tpidr_el0, next->ctx.tpidr);
	uint64_t cpacr;
	if (__builtin_expect(next != a->fpu_owner, 1)) {
		if (!(a->installed_cpacr & CPACR_FPEN_EL0_BIT))
			return;
		cpacr = CPACR_FPEN_TRAP_EL0;
	} else {
		if (a->installed_cpacr & CPACR_FPEN_EL0_BIT)
			return;
		cpacr = CPACR_FPEN_NONE;
	}
	write_sysreg(cpacr_el1, cpacr);
	a->installed_cpacr = cpacr;
}

/* See arch.h. */
static inline __attribute__((always_inline)) enum arch_switch arch_switch_prepare(
    struct tcb *next, struct percpu *cpu)
{
	struct arch_percpu *a = &cpu->arch;
	const struct cap *vs = &next->slots[TCB_SLOT_VSPACE].cap; /* tcb_vspace, if a VSpace */
	/* The common case in one branch: an empty asm keeps the compiler from splitting it. */
	uint64_t miss = (vs->type ^ CAP_VSPACE) | (vs->u.vspace.paddr ^ a->installed_vspace);
	__asm__("" : "+r"(miss));
	if (__builtin_expect(miss == 0, 1)) /* switch_vspace_installed */
		return ARCH_SWITCH_READY;
	if (vs->type != CAP_VSPACE)
		return ARCH_SWITCH_NO;
	if (switch_ttbr0_cached(next, vs, a)) { /* a TTBR0 write: walks are always on (context.c) */
		switch_set_installed(vs, a);
		write_sysreg(ttbr0_el1, next->ttbr0_cache);
		return ARCH_SWITCH_READY;
	}
	if (asid_entry_of(vs->u.vspace.asid, vs->u.vspace.paddr))
		return ARCH_SWITCH_NEW_ASID;
	return ARCH_SWITCH_NO;
}

/* See arch.h. */
static inline __attribute__((always_inline)) void arch_fast_switch(struct tcb *next,
								   struct percpu *cpu)
{
	switch_thread_registers(next, &cpu->arch);
	stat_hot(cpu->switches);
}
