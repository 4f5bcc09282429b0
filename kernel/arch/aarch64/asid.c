/*
 * The software ASID table: which VSpace each ASID names (the entries live in ASID pool
 * pages), looking an ASID up, activating a VSpace (binding it to a hardware ASID of the
 * current generation through hwasid.c and doing the TLB invalidation a rollover asks
 * for), freeing an ASID, and finalising a pool. Three files share the ASID work:
 *   asid.c      this table and its lifecycle (software ASIDs: a VSpace's identity)
 *   asid_inv.c  the ASID control and ASID pool invocations that fill it
 *   hwasid.c    the hardware ASID allocator by generation (pure logic, host-tested)
 */
#include "asid.h"

#include <arch/memlayout.h>
#include <mica/errors.h>
#include <mica/invocation.h>
#include <stddef.h>
#include <string.h>

#include <config.h>

#include "arch.h"
#include "bootargs.h"
#include "console.h"
#include "context.h"
#include "cpu.h"
#include "object/cspace.h"
#include "object/invocation.h"
#include "stats.h"
#include "tlb.h"
#include "vspace.h"

struct asid_pool *asid_pools[ASID_POOL_COUNT];
struct hwasid_allocator asid_hw_alloc;
uint64_t asid_epoch = 1;

/* Changes asid_epoch, and every core's copy of it (struct arch_percpu, which the fastpath
 * reads with the other per-core fields; context_init copies it for a core coming up). */
static void asid_epoch_bump(void)
{
	asid_epoch++;
	for (unsigned c = 0; c < MAX_CPUS; c++)
		cpus[c].arch.asid_epoch = asid_epoch;
}

struct asid_entry *asid_entry_lookup(uint16_t asid)
{
	struct asid_pool *pool = asid_pools[asid / ASID_POOL_ENTRIES];
	if (!pool || asid == 0)
		return NULL;
	struct asid_entry *e = &pool->entries[asid % ASID_POOL_ENTRIES];
	return e->vspace_pa ? e : NULL;
}

/*
 * A current hardware ASID for `e` on this core. A rollover keeps the ASIDs of the address
 * spaces other cores have installed (they go on using them, and their TLB entries stay
 * right); if those hold every ASID, the other cores drop theirs first (a stall) and the
 * new generation keeps nothing. The rollover's full invalidation is broadcast, so it
 * reaches every core's TLB.
 */
static uint16_t activate_hw(struct asid_entry *e, bool *flush_all)
{
	struct hwasid_binding *keep[MAX_CPUS] = { 0 };
	unsigned self = this_cpu()->id;
	for (unsigned c = 0; c < smp_ncpus; c++) {
		const struct arch_percpu *ac = &cpus[c].arch;
		struct asid_entry *other =
		    c == self ? NULL : asid_entry_of(ac->installed_asid, ac->installed_vspace);
		keep[c] = other ? &other->hw : NULL;
	}
	uint16_t hw = hwasid_get_keeping(&asid_hw_alloc, &e->hw, flush_all, keep, smp_ncpus);
	if (hw)
		return hw;
	for (unsigned c = 0; c < smp_ncpus; c++) {
		if (keep[c])
			arch_stall_cpu(c);
	}
	bool again;
	hw = hwasid_get(&asid_hw_alloc, &e->hw, &again);
	return hw;
}

uint64_t asid_activate(uint64_t vspace_pa, uint16_t asid, bool *flush_all)
{
	struct asid_entry *e = asid_entry_of(asid, vspace_pa);
	*flush_all = false;
	if (!e)
		return 0;
	uint16_t hw = activate_hw(e, flush_all);
	if (*flush_all) {
		stats.asid_rollovers++;
		asid_epoch_bump();
	}
	return vspace_pa | ((uint64_t)hw << TLBI_ASID_SHIFT);
}

uint16_t asid_hw_current(const struct asid_entry *e)
{
	return e->hw.generation == asid_hw_alloc.generation ? e->hw.asid : 0;
}

uint64_t asid_generation(void)
{
	return asid_hw_alloc.generation;
}

void asid_entry_free(struct asid_entry *e)
{
	uint16_t hw = e->hw.asid;
	context_forget_vspace(e->vspace_pa);
	asid_epoch_bump();
	if (hwasid_release(&asid_hw_alloc, &e->hw))
		tlb_flush_asid(hw);
	memset(e, 0, sizeof(*e));
}

void asid_init(unsigned bits, struct asid_pool *boot_pool)
{
	hwasid_init(&asid_hw_alloc, bits);
	stats.hw_asid_bits = asid_hw_alloc.bits;
	asid_pools[0] = boot_pool;
}

void asid_pool_finalise(uint64_t pool_pa)
{
	for (unsigned p = 0; p < ASID_POOL_COUNT; p++) {
		if (!asid_pools[p] || virt_to_phys(asid_pools[p]) != pool_pa)
			continue;
		for (unsigned i = 0; i < ASID_POOL_ENTRIES; i++) {
			struct asid_entry *e = &asid_pools[p]->entries[i];
			if (!e->vspace_pa)
				continue;
			/* The VSpace lives on without an ASID, so its tables' and frames'
			 * capabilities can no longer find it to unlink themselves: unlink them
			 * all now (the free below flushes the TLB), as if it were deleted. */
			memset(vspace_table_kva(e->vspace_pa), 0, PAGE_SIZE);
			asid_entry_free(e);
		}
		asid_pools[p] = NULL;
	}
}

void arch_vspace_boot(uint64_t pool_pa, uint64_t vspace_pa, uint16_t asid, uint32_t table_pages,
		      uint32_t mapped_pages)
{
	struct asid_pool *pool = phys_to_virt(pool_pa);
	memset(pool, 0, sizeof(*pool));
	unsigned bits = cpu_asid_bits();
	unsigned limit = CONFIG_ASID_BITS;
	/* Debug builds: bootarg asid_bits=N narrows it further, so tests force rollovers. */
	const char *arg = CONFIG_DEBUG ? bootargs_get("asid_bits") : NULL;
	if (arg && *arg >= '1' && *arg <= '9') {
		unsigned n = 0;
		for (const char *p = arg; *p >= '0' && *p <= '9' && n <= 16; p++)
			n = n * 10 + (unsigned)(*p - '0');
		limit = n;
	}
	if (limit && limit < bits)
		bits = limit;
	asid_init(bits, pool);
	struct asid_entry *e = &pool->entries[asid];
	e->vspace_pa = vspace_pa;
	e->table_pages = table_pages;
	e->mapped_pages = mapped_pages;
	kprintf("asid: %u-bit hardware ASIDs (%u usable), root VSpace at ASID %u\n", bits,
		(1u << bits) - 1, asid);
}
