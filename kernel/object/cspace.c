/*
 * CSpace addressing: resolving a 64-bit capability address (cptr) to a slot.
 *
 * Resolution starts at the thread's CSpace root CNode with all 64 bits unresolved. At each
 * CNode, the next guard_bits bits (from the top of the bits left) must equal its guard,
 * and the radix bits after them index a slot:
 *
 *     63                                                       0
 *     | guard (g1) | index (r1) | guard (g2) | index (r2) | ... |
 *
 * When no bits are left the slot is the answer, whatever it holds; with bits left it must
 * hold a CNode capability, where resolution goes on. A root CNode with radix 12 and a
 * 52-bit guard of 0 makes a cptr simply the slot index.
 */
#include <mica/errors.h>
#include <stddef.h>

#include "object/cnode.h"
#include "object/cspace.h"
#include "object/tcb.h"

/* The low `n` bits of `v` (n may be 64). */
static uint64_t low_bits(uint64_t v, unsigned n)
{
	return n >= 64 ? v : v & ((1ull << n) - 1);
}

static struct lookup_ret lookup_result(int err, struct cte *slot)
{
	struct lookup_ret r = { err, slot };
	return r;
}

/*
 * Each level consumes radix + guard_bits >= 1 bits, so the loop runs at most 64 times.
 * Invariant: `cn` is a CNode capability and the low `left` bits of cptr are unresolved.
 */
struct lookup_ret cspace_lookup_slot(struct tcb *t, cptr_t cptr)
{
	const struct cap *cn = &t->slots[TCB_SLOT_CSPACE].cap;
	unsigned left = 64;

	if (cn->type != CAP_CNODE)
		return lookup_result(E_LOOKUP, NULL);
	for (;;) {
		unsigned radix = cn->u.cnode.radix;
		unsigned bits = radix + cn->u.cnode.guard_bits;
		if (bits == 0 || bits > left)
			return lookup_result(E_LOOKUP, NULL);
		uint64_t level = low_bits(cptr >> (left - bits), bits);
		uint64_t guard = radix < 64 ? level >> radix : 0;
		if (guard != cap_cnode_guard(cn))
			return lookup_result(E_LOOKUP, NULL);
		struct cte *slot = &cn->u.cnode.slots[low_bits(level, radix)];
		left -= bits;
		if (left == 0)
			return lookup_result(E_OK, slot);
		if (slot->cap.type != CAP_CNODE)
			return lookup_result(E_LOOKUP, NULL);
		cn = &slot->cap;
	}
}

/* As cspace_lookup_slot, and E_NOCAP if the slot is empty. */
struct lookup_ret cspace_lookup_cap(struct tcb *t, cptr_t cptr)
{
	struct lookup_ret r = cspace_lookup_slot(t, cptr);

	if (r.err == E_OK && cap_is_null(&r.slot->cap))
		return lookup_result(E_NOCAP, NULL);
	return r;
}

/* Also E_LOOKUP or E_NOCAP for the CNode capability itself. */
struct lookup_ret cspace_lookup_index(struct tcb *t, cptr_t cnode, uint64_t index)
{
	struct lookup_ret r = cspace_lookup_cap(t, cnode);
	struct cte *slot;

	if (r.err != E_OK)
		return r;
	if (r.slot->cap.type != CAP_CNODE)
		return lookup_result(E_TYPE, NULL);
	slot = cnode_slot_at(&r.slot->cap, index);
	if (!slot)
		return lookup_result(E_RANGE, NULL);
	return lookup_result(E_OK, slot);
}
