/*
 * The ASID invocations: ASID_CONTROL_MAKE_POOL turns a 4 KiB untyped into a pool of
 * software ASIDs, ASID_POOL_ASSIGN binds a VSpace to a free one. The table they fill and
 * its lifecycle (lookup, activation, freeing) are in asid.c; hardware ASIDs in hwasid.c.
 */
#include <arch/memlayout.h>
#include <mica/errors.h>
#include <mica/invocation.h>
#include <string.h>

#include "asid.h"
#include "object/cspace.h"
#include "object/invocation.h"

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
