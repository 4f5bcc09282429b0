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

struct asid_pool *asid_pools[ASID_POOL_COUNT];
struct hwasid_allocator asid_hw_alloc;
uint64_t asid_epoch = 1;

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
		asid_epoch++;
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
	asid_epoch++;
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

/* Turns the 4 KiB untyped in `ut` into ASID pool `index`, its capability into `dest`. */
static void invoke_make_pool(struct cte *ut, struct cte *dest, unsigned index)
{
	struct cap *u = &ut->cap;
	struct asid_pool *pool = phys_to_virt(u->u.untyped.paddr);
	memset(pool, 0, sizeof(*pool));
	asid_pools[index] = pool;
	u->u.untyped.free_index = 1u << ASID_POOL_BITS;
	struct cap cap = cap_null();
	cap.type = CAP_ASID_POOL;
	cap.u.asid_pool.paddr = u->u.untyped.paddr;
	cap.u.asid_pool.asid_base = (uint16_t)(index * ASID_POOL_ENTRIES);
	mdb_insert(ut, dest, cap);
}

/* ASID_CONTROL_MAKE_POOL: untyped (exactly 4 KiB, no children), dest_cnode, dest_index. */
int decode_asid_control_invocation(struct invocation *inv)
{
	if (inv->label != ASID_CONTROL_MAKE_POOL)
		return E_LABEL;
	struct lookup_ret ut = cspace_lookup_cap(inv->caller, inv_arg(inv, 0));
	if (ut.err)
		return ut.err;
	const struct cap *u = &ut.slot->cap;
	if (u->type != CAP_UNTYPED || u->u.untyped.device)
		return E_TYPE;
	if (u->u.untyped.size_bits != ASID_POOL_BITS)
		return E_INVAL;
	if (mdb_has_children(ut.slot))
		return E_REVOKE_FIRST;
	struct lookup_ret dest = cspace_lookup_index(inv->caller, inv_arg(inv, 1), inv_arg(inv, 2));
	if (dest.err)
		return dest.err;
	if (!cap_is_null(&dest.slot->cap))
		return E_DELETE_FIRST;
	unsigned index = 1;
	while (index < ASID_POOL_COUNT && asid_pools[index])
		index++;
	if (index == ASID_POOL_COUNT)
		return E_NOMEM;
	invoke_make_pool(ut.slot, dest.slot, index);
	inv_set_result(inv, 0, index * ASID_POOL_ENTRIES);
	return E_OK;
}

/* Binds software ASID `asid` (free entry `e` of its pool) to the VSpace capability `v`. */
static void invoke_assign(struct cap *v, struct asid_entry *e, uint16_t asid)
{
	e->vspace_pa = v->u.vspace.paddr;
	v->u.vspace.asid = asid;
}

/* ASID_POOL_ASSIGN: vspace cptr -> ASID. */
int decode_asid_pool_invocation(struct invocation *inv)
{
	if (inv->label != ASID_POOL_ASSIGN)
		return E_LABEL;
	struct lookup_ret vs = cspace_lookup_cap(inv->caller, inv_arg(inv, 0));
	if (vs.err)
		return vs.err;
	struct cap *v = &vs.slot->cap;
	if (v->type != CAP_VSPACE)
		return E_TYPE;
	if (v->u.vspace.asid != 0)
		return E_BUSY;
	uint16_t base = inv->cap.u.asid_pool.asid_base;
	struct asid_pool *pool = asid_pools[base / ASID_POOL_ENTRIES];
	unsigned i = base == 0 ? 1 : 0; /* ASID 0 is never assigned */
	while (i < ASID_POOL_ENTRIES && pool->entries[i].vspace_pa)
		i++;
	if (i == ASID_POOL_ENTRIES)
		return E_NOMEM;
	invoke_assign(v, &pool->entries[i], (uint16_t)(base + i));
	inv_set_result(inv, 0, base + i);
	return E_OK;
}

void asid_pool_finalise(uint64_t pool_pa)
{
	for (unsigned p = 0; p < ASID_POOL_COUNT; p++) {
		if (!asid_pools[p] || virt_to_phys(asid_pools[p]) != pool_pa)
			continue;
		for (unsigned i = 0; i < ASID_POOL_ENTRIES; i++) {
			if (asid_pools[p]->entries[i].vspace_pa)
				asid_entry_free(&asid_pools[p]->entries[i]);
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
