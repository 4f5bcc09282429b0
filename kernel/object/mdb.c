/*
 * The capability derivation tree (MDB).
 *
 * The tree is kept as one doubly linked list of slots in pre-order, each entry with its
 * depth: the descendants of an entry are exactly the entries that follow it with a greater
 * depth. A child is inserted right after its parent, one level deeper. A root (inserted
 * with no parent) is depth 0 and goes right after the list's head, `mdb_head`, a slot that
 * never holds a capability: every linked slot is reachable from it, which is what the
 * self-audit (mdb_audit.c) walks. Deleting an entry keeps its descendants, one level up,
 * under its parent; deleting a root makes its children roots in the same place.
 *
 * Copies are children of their source, so all capabilities to one object form one run of
 * adjacent entries, and "is this the last capability to the object?" is a look at the two
 * neighbours. This needs every capability to an object except the first to be derived
 * (copy, mint, transfer) from another one: two roots for one object would break it.
 *
 * Reply capabilities are one-shot and cannot be copied: they are never linked, their slot
 * has no neighbours and depth 0, and the waiting caller's reply_slot follows them.
 */
#include <mica/errors.h>
#include <stddef.h>

#include "arch.h"
#include "console.h"
#include "object/cnode.h"
#include "object/cspace.h"
#include "object/tcb.h"

/* Identity of the object: the kernel address for objects the kernel accesses through a
 * pointer (endpoint, notification, CNode, TCB), the physical address for memory objects
 * (untyped, frame, tables, ASID pool). 0 for capabilities that name no memory object: null,
 * reply, IRQ control, ASID control, and IRQ handlers (they name an interrupt line; see
 * cap_same_object). */
uint64_t cap_object_id(const struct cap *c)
{
	switch (c->type) {
	case CAP_UNTYPED:
		return c->u.untyped.paddr;
	case CAP_ENDPOINT:
		return (uintptr_t)c->u.endpoint.ep;
	case CAP_NOTIFICATION:
		return (uintptr_t)c->u.notification.ntfn;
	case CAP_CNODE:
		return (uintptr_t)c->u.cnode.slots;
	case CAP_TCB:
		return (uintptr_t)c->u.tcb.tcb;
	case CAP_FRAME:
		return c->u.frame.paddr;
	case CAP_PAGE_TABLE:
		return c->u.page_table.paddr;
	case CAP_VSPACE:
		return c->u.vspace.paddr;
	case CAP_ASID_POOL:
		return c->u.asid_pool.paddr;
	default:
		return 0;
	}
}

/* An untyped retyped into smaller untypeds has a child at its own base address: the size
 * tells them apart. Every other object type has one size per address. */
bool cap_same_object(const struct cap *a, const struct cap *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case CAP_IRQ_HANDLER:
		return a->u.irq.intid == b->u.irq.intid;
	case CAP_UNTYPED:
		return a->u.untyped.paddr == b->u.untyped.paddr &&
		       a->u.untyped.size_bits == b->u.untyped.size_bits;
	case CAP_FRAME:
	case CAP_PAGE_TABLE:
	case CAP_VSPACE:
	case CAP_ASID_POOL:
		/* Physical addresses: 0 is a real one (a device frame at the bottom of memory). */
		return cap_object_id(a) == cap_object_id(b);
	case CAP_IRQ_CONTROL:
	case CAP_ASID_CONTROL:
		return true; /* singletons without an object */
	default:
		return cap_object_id(a) != 0 && cap_object_id(a) == cap_object_id(b);
	}
}

int cap_derivable(const struct cap *c)
{
	switch (c->type) {
	case CAP_NULL:
		return E_NOCAP;
	case CAP_REPLY:
	case CAP_IRQ_CONTROL:
	case CAP_UNTYPED:
	case CAP_PAGE_TABLE:
		return E_TYPE;
	case CAP_VSPACE:
		return c->u.vspace.asid ? E_OK : E_NOASID;
	default:
		return E_OK;
	}
}

struct cte mdb_head;

void mdb_init(void)
{
	mdb_head = (struct cte){ 0 };
}

static void mdb_clear(struct cte *slot)
{
	slot->cap = cap_null();
	slot->mdb_prev = NULL;
	slot->mdb_next = NULL;
	slot->mdb_depth = 0;
}

/* A reply capability is stored unlinked, and its caller learns where it is. */
static void mdb_place_reply(struct cte *dest, struct cap cap)
{
	dest->cap = cap;
	dest->mdb_prev = NULL;
	dest->mdb_next = NULL;
	dest->mdb_depth = 0;
	cap.u.reply.caller->reply_slot = dest;
}

/* Also used for reply capabilities (parent ignored): it records dest as the caller's
 * reply_slot. A root (parent NULL) goes first in the list, at depth 0. Panics if dest is
 * occupied or parent is empty (kernel bugs). */
void mdb_insert(struct cte *parent, struct cte *dest, struct cap cap)
{
	if (!cap_is_null(&dest->cap))
		panic("mdb_insert: destination slot %p holds a capability", (void *)dest);
	if (cap.type == CAP_REPLY) {
		mdb_place_reply(dest, cap);
		return;
	}
	if (parent)
		arch_cap_derived(&cap); /* a derived frame or table capability starts unmapped */
	if (parent && (cap_is_null(&parent->cap) || parent->cap.type == CAP_REPLY))
		panic("mdb_insert: parent slot %p cannot have children", (void *)parent);
	dest->cap = cap;
	dest->mdb_depth = parent ? parent->mdb_depth + 1 : 0;
	if (!parent)
		parent = &mdb_head; /* a root: first in the list */
	dest->mdb_prev = parent;
	dest->mdb_next = parent->mdb_next;
	if (parent->mdb_next)
		parent->mdb_next->mdb_prev = dest;
	parent->mdb_next = dest;
}

/* The caller must have checked that src != dest. Panics if dest is occupied. */
void mdb_move(struct cte *src, struct cte *dest, struct cap cap)
{
	if (!cap_is_null(&dest->cap) || src == dest)
		panic("mdb_move: destination slot %p is not a free slot", (void *)dest);
	if (cap.type == CAP_REPLY) {
		mdb_clear(src);
		mdb_place_reply(dest, cap);
		return;
	}
	dest->cap = cap;
	dest->mdb_prev = src->mdb_prev;
	dest->mdb_next = src->mdb_next;
	dest->mdb_depth = src->mdb_depth;
	if (dest->mdb_prev)
		dest->mdb_prev->mdb_next = dest;
	if (dest->mdb_next)
		dest->mdb_next->mdb_prev = dest;
	mdb_clear(src);
}

bool mdb_has_children(const struct cte *slot)
{
	return slot->mdb_next && slot->mdb_next->mdb_depth > slot->mdb_depth;
}

/* An empty slot is trivially final. */
bool mdb_is_final(const struct cte *slot)
{
	const struct cte *prev = slot->mdb_prev, *next = slot->mdb_next;

	if (prev && cap_same_object(&prev->cap, &slot->cap))
		return false;
	return !(next && cap_same_object(&next->cap, &slot->cap));
}

/* Costs one step per descendant (their depth changes). */
void mdb_remove(struct cte *slot)
{
	struct cte *prev = slot->mdb_prev, *next = slot->mdb_next;

	for (struct cte *e = next; e && e->mdb_depth > slot->mdb_depth; e = e->mdb_next)
		e->mdb_depth--;
	if (prev)
		prev->mdb_next = next;
	if (next)
		next->mdb_prev = prev;
	mdb_clear(slot);
}
