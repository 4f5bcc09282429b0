/*
 * CNode invocations, and deleting and revoking capabilities (what an object's finalisation
 * does, by type, is in objtype.c).
 *
 * A CNode invocation names a slot of the invoked CNode by its index; copy, mint, move and
 * mutate also name a source slot by a CNode capability address in the caller's CSpace and
 * an index in that CNode. Each decode_* function checks everything first and returns an
 * error with nothing changed; only then does it call the mutation, which cannot fail.
 */
#include <mica/errors.h>
#include <mica/invocation.h>
#include <stddef.h>

#include "arch.h"
#include "console.h"
#include "object/cnode.h"
#include "object/cspace.h"
#include "object/invocation.h"
#include "object/ipc.h"
#include "object/irq.h"
#include "object/tcb.h"

/*
 * Deletion never recurses through nested CNodes. When the last capability to a CNode is
 * deleted, its slots still have to be emptied, and any of them may hold the last
 * capability to another CNode, nested arbitrarily deep or in a cycle. So a dying CNode is
 * only pushed onto dying_cnodes, and the outermost cte_delete then empties the queued
 * CNodes one slot at a time until the queue is empty: stack use is constant and the work
 * is linear in the number of slots. The queue is linked through slot 0 of the dying CNode
 * itself (fin_radix: its radix; fin_next: the next dying CNode), fields no other code uses.
 *
 * The other finalisers nest at most a level or two: tcb_finalise deletes the TCB's own
 * slots, which hold CNode (queued), VSpace, frame, endpoint and reply capabilities, never
 * a TCB. FINALISE_MAX_NESTING turns a break of that rule into a panic, not a stack overflow.
 */
#define FINALISE_MAX_NESTING 4

static struct cte *dying_cnodes; /* CNodes whose last capability is gone, contents not */
static bool deletion_active;     /* a cte_delete is running: it will empty dying_cnodes */
static unsigned finalise_nesting;

static void cte_delete_one(struct cte *slot);

/* Empties every queued dying CNode, including those queued while doing so. */
static void empty_dying_cnodes(void)
{
	while (dying_cnodes) {
		struct cte *slots = dying_cnodes;
		uint64_t count = 1ull << slots[0].fin_radix;

		dying_cnodes = slots[0].fin_next;
		slots[0].fin_next = NULL;
		slots[0].fin_radix = 0;
		for (uint64_t i = 0; i < count; i++)
			cte_delete_one(&slots[i]);
	}
}

void cnode_finalise(const struct cap *cap)
{
	struct cte *slots = cap->u.cnode.slots;

	slots[0].fin_radix = cap->u.cnode.radix;
	slots[0].fin_next = dying_cnodes;
	dying_cnodes = slots;
	if (!deletion_active) {
		deletion_active = true;
		empty_dying_cnodes();
		deletion_active = false;
	}
}

/*
 * Empties `slot`, finalising the object if it held the last capability to it. The slot
 * is unlinked and emptied before the object is finalised, so a finaliser that reaches this
 * slot again (a CNode holding the last capability to itself, a TCB whose CSpace holds its
 * own last capability) finds it empty instead of finalising the object twice.
 */
static void cte_delete_one(struct cte *slot)
{
	struct cap cap = slot->cap;
	bool final;

	if (cap_is_null(&cap))
		return;
	final = mdb_is_final(slot);
	mdb_remove(slot);
	arch_cap_deleted(&cap); /* every frame/table capability undoes its own mapping */
	if (!final)
		return;
	if (++finalise_nesting > FINALISE_MAX_NESTING)
		panic("cte_delete: finalisers nested %u deep (type %u)", finalise_nesting,
		      (unsigned)cap.type);
	object_finalise(&cap);
	finalise_nesting--;
}

/* A call made while another deletion runs (from a finaliser) leaves the contents of CNodes
 * it kills to that outer call, which empties them before it returns. */
void cte_delete(struct cte *slot)
{
	bool outermost = !deletion_active;

	deletion_active = true;
	cte_delete_one(slot);
	if (outermost) {
		empty_dying_cnodes();
		deletion_active = false;
	}
}

/*
 * Deletes the subtree below `slot` leaves first, so no deletion has descendants to move up
 * (mdb_remove costs one step per descendant; deleting a chain of copies top down would be
 * quadratic). Invariant: `c` is `slot` or one of its descendants, or a slot emptied by the
 * last deletion. A deletion may finalise objects that hold further capabilities (CNode
 * contents, TCB slots) and so remove entries anywhere, `c` or `slot` included, but it
 * never adds or moves one: if `c` was emptied, the walk restarts at `slot`; if `slot` was
 * emptied, the revoke is over (what is left of its subtree now hangs under its parent).
 * Each step goes down to a first child or deletes a leaf, so the loop ends.
 */
void cte_revoke(struct cte *slot)
{
	struct cte *c = slot;

	while (!cap_is_null(&slot->cap)) {
		if (cap_is_null(&c->cap)) {
			c = slot;
		} else if (mdb_has_children(c)) {
			c = c->mdb_next;
		} else if (c == slot) {
			break;
		} else {
			struct cte *prev = c->mdb_prev;
			cte_delete(c);
			c = prev;
		}
	}
}

/* A radix of 64 or more (no CNode has one) would take any index. */
struct cte *cnode_slot_at(const struct cap *cnode, uint64_t index)
{
	unsigned radix = cnode->u.cnode.radix;

	if (radix < 64 && (index >> radix) != 0)
		return NULL;
	return &cnode->u.cnode.slots[index];
}

static bool cap_badgeable(const struct cap *c)
{
	return c->type == CAP_ENDPOINT || c->type == CAP_NOTIFICATION;
}

static uint64_t cap_badge(const struct cap *c)
{
	if (c->type == CAP_ENDPOINT)
		return c->u.endpoint.badge;
	if (c->type == CAP_NOTIFICATION)
		return c->u.notification.badge;
	return 0;
}

static void cap_set_badge(struct cap *c, uint64_t badge)
{
	if (c->type == CAP_ENDPOINT)
		c->u.endpoint.badge = badge;
	else if (c->type == CAP_NOTIFICATION)
		c->u.notification.badge = badge;
}

/* What CNODE_IDENTIFY reports as the object: its physical address, the INTID of an IRQ
 * handler, 0 for objectless capabilities. Never a kernel virtual address. */
static uint64_t cap_identify_object(const struct cap *c)
{
	switch (c->type) {
	case CAP_ENDPOINT:
	case CAP_NOTIFICATION:
	case CAP_CNODE:
	case CAP_TCB:
		return virt_to_phys((const void *)(uintptr_t)cap_object_id(c));
	case CAP_IRQ_HANDLER:
		return c->u.irq.intid;
	default:
		return cap_object_id(c);
	}
}

/* The two slots of copy, mint, move and mutate. */
struct slot_pair {
	struct cte *dest;
	struct cte *src;
};

/* Decodes MR0 dest_index (in the invoked CNode), MR1 src_cnode and MR2 src_index (in the
 * caller's CSpace): the source must hold a capability, the destination be another, empty,
 * slot. */
static int decode_slot_pair(struct invocation *inv, struct slot_pair *p)
{
	struct lookup_ret src;

	p->dest = cnode_slot_at(&inv->cap, inv_arg(inv, 0));
	if (!p->dest)
		return E_RANGE;
	src = cspace_lookup_index(inv->caller, inv_arg(inv, 1), inv_arg(inv, 2));
	if (src.err != E_OK)
		return src.err;
	p->src = src.slot;
	if (cap_is_null(&p->src->cap))
		return E_NOCAP;
	if (p->src == p->dest)
		return E_INVAL;
	if (!cap_is_null(&p->dest->cap))
		return E_DELETE_FIRST;
	return E_OK;
}

/* CNODE_MINT of a CNode capability: the badge word is guard data, guard_bits in bits 0..5
 * and the guard value above them. Returns E_INVAL if the guard does not fit. */
static int check_guard(const struct cap *c, uint64_t data)
{
	uint64_t bits = data & 0x3f, guard = data >> 6;
	if (bits + c->u.cnode.radix > 64 || (bits < 58 && (guard >> bits) != 0))
		return E_INVAL;
	return E_OK;
}

/* Copies the source into the destination as its child, rights masked, badge set if
 * nonzero. A derived frame or page table starts unmapped (mdb_insert): one capability,
 * one mapping. */
static void invoke_derive(struct slot_pair p, uint64_t rights, uint64_t badge)
{
	struct cap c = p.src->cap;

	c.rights &= rights;
	if (badge)
		cap_set_badge(&c, badge);
	mdb_insert(p.src, p.dest, c);
}

/* Mints a CNode capability with new guard data (see check_guard). */
static void invoke_mint_guard(struct slot_pair p, uint64_t rights, uint64_t data)
{
	struct cap c = p.src->cap;

	c.rights &= rights;
	cap_cnode_set_guard(&c, data & 0x3f, data >> 6);
	mdb_insert(p.src, p.dest, c);
}

/* CNODE_COPY (mint false) and CNODE_MINT: MR3 rights, MR4 badge (mint). A badge is only
 * applied to endpoints and notifications; one that already has a badge keeps it and may
 * only be minted with badge 0. Minting a CNode capability sets its guard instead. */
static int decode_derive(struct invocation *inv, bool mint)
{
	uint64_t rights = inv_arg(inv, 3), badge = mint ? inv_arg(inv, 4) : 0;
	struct slot_pair p;
	int err;

	if (inv->nargs < (mint ? 5u : 4u))
		return E_MSGSIZE;
	if (rights & ~(uint64_t)RIGHTS_ALL)
		return E_INVAL;
	err = decode_slot_pair(inv, &p);
	if (err == E_OK)
		err = cap_derivable(&p.src->cap);
	if (err != E_OK)
		return err;
	if (mint && p.src->cap.type == CAP_CNODE) {
		if ((err = check_guard(&p.src->cap, badge)))
			return err;
		invoke_mint_guard(p, rights, badge);
		return E_OK;
	}
	if (!cap_badgeable(&p.src->cap))
		badge = 0;
	if (badge && cap_badge(&p.src->cap))
		return E_INVAL;
	invoke_derive(p, rights, badge);
	return E_OK;
}

/* Moves the source to the destination, setting the badge if nonzero. */
static void invoke_move(struct slot_pair p, uint64_t badge)
{
	struct cap c = p.src->cap;

	if (badge)
		cap_set_badge(&c, badge);
	mdb_move(p.src, p.dest, c);
}

/* CNODE_MOVE (mutate false): any capability, reply capabilities included. CNODE_MUTATE:
 * MR3 badge; endpoints and notifications only, and only an unbadged one gets a badge. */
static int decode_move(struct invocation *inv, bool mutate)
{
	uint64_t badge = mutate ? inv_arg(inv, 3) : 0;
	struct slot_pair p;
	int err;

	if (inv->nargs < (mutate ? 4u : 3u))
		return E_MSGSIZE;
	err = decode_slot_pair(inv, &p);
	if (err != E_OK)
		return err;
	if (mutate && !cap_badgeable(&p.src->cap))
		return E_TYPE;
	if (badge && cap_badge(&p.src->cap))
		return E_INVAL;
	invoke_move(p, badge);
	return E_OK;
}

/* Decodes MR0 as a slot index in the invoked CNode. */
static int decode_index(struct invocation *inv, struct cte **slot)
{
	if (inv->nargs < 1)
		return E_MSGSIZE;
	*slot = cnode_slot_at(&inv->cap, inv_arg(inv, 0));
	return *slot ? E_OK : E_RANGE;
}

/* CNODE_DELETE and CNODE_REVOKE (MR0 index); an empty slot is not an error. */
static int decode_delete(struct invocation *inv, bool revoke)
{
	struct cte *slot;
	int err = decode_index(inv, &slot);

	if (err != E_OK)
		return err;
	if (revoke)
		cte_revoke(slot);
	else
		cte_delete(slot);
	return E_OK;
}

/* CNODE_SAVE_CALLER (MR0 index): moves the caller's reply capability into the slot. */
static int decode_save_caller(struct invocation *inv)
{
	struct cte *slot, *reply = &inv->caller->slots[TCB_SLOT_CALLER];
	int err = decode_index(inv, &slot);

	if (err != E_OK)
		return err;
	if (!cap_is_null(&slot->cap))
		return E_DELETE_FIRST;
	if (reply->cap.type != CAP_REPLY)
		return E_STATE;
	mdb_move(reply, slot, reply->cap);
	return E_OK;
}

static void invoke_identify(struct invocation *inv, const struct cap *c)
{
	inv_set_result(inv, 0, c->type);
	inv_set_result(inv, 1, c->rights);
	inv_set_result(inv, 2, cap_badge(c));
	inv_set_result(inv, 3, cap_identify_object(c));
}

/* CNODE_IDENTIFY (MR0 index): an empty slot identifies as CAP_NULL with all zeros. */
static int decode_identify(struct invocation *inv)
{
	struct cte *slot;
	int err = decode_index(inv, &slot);

	if (err != E_OK)
		return err;
	invoke_identify(inv, &slot->cap);
	return E_OK;
}

/* Returns E_OK or the error of the first check that failed, having changed nothing. */
int decode_cnode_invocation(struct invocation *inv)
{
	if (inv->cap.type != CAP_CNODE)
		return E_TYPE;
	switch (inv->label) {
	case CNODE_COPY:
		return decode_derive(inv, false);
	case CNODE_MINT:
		return decode_derive(inv, true);
	case CNODE_MOVE:
		return decode_move(inv, false);
	case CNODE_MUTATE:
		return decode_move(inv, true);
	case CNODE_DELETE:
		return decode_delete(inv, false);
	case CNODE_REVOKE:
		return decode_delete(inv, true);
	case CNODE_SAVE_CALLER:
		return decode_save_caller(inv);
	case CNODE_IDENTIFY:
		return decode_identify(inv);
	default:
		return E_LABEL;
	}
}
