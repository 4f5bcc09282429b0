/*
 * CSpace addressing, the derivation tree, and deletion.
 *
 * A capability address (cptr) is resolved from a thread's CSpace root CNode: each CNode
 * consumes guard_bits bits that must equal its guard, then radix bits that index a slot;
 * if 64 bits are not yet consumed and the slot holds a CNode capability, resolution
 * continues there. All 64 bits must be consumed (seL4's guarded page table scheme).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "object/cap.h"

struct tcb;

struct lookup_ret {
	int err; /* E_OK, E_LOOKUP, E_NOCAP, E_TYPE, E_RANGE */
	struct cte *slot;
};

/* Resolves `cptr` in `t`'s CSpace to a slot, which may be empty. */
struct lookup_ret cspace_lookup_slot(struct tcb *t, cptr_t cptr);

/* Resolves `cptr` to a slot holding a capability (E_NOCAP if it is empty). */
struct lookup_ret cspace_lookup_cap(struct tcb *t, cptr_t cptr);

/* Resolves slot `index` of the CNode capability at `cnode` (E_TYPE if not a CNode,
 * E_RANGE if index >= 2^radix). */
struct lookup_ret cspace_lookup_index(struct tcb *t, cptr_t cnode, uint64_t index);

/*
 * Whether a capability may get a derived copy (CNODE_COPY, CNODE_MINT, a capability
 * transfer in IPC, a TCB's configured slots): E_OK, or why not.
 *   E_TYPE: reply capabilities are one-shot; IRQ control is unique (one handler capability
 *     per line comes from it, and it may not be multiplied); a copy
 *     of an untyped would let retype through the copy and through the original place objects
 *     on the same memory (hand out untyped memory by moving it or retyping a smaller untyped);
 *     a page table is linked into at most one place, which one capability per table ensures.
 *   E_NOASID: a VSpace capability without an ASID: every copy carries the ASID of its source,
 *     so copies made before assignment could each be assigned one, and one VSpace would have
 *     two ASIDs (an unmap would flush only one of them). Assign first, then copy.
 *   E_NOCAP: the slot is empty.
 * The one rule every derivation checks.
 */
int cap_derivable(const struct cap *c);

/* Puts `cap` in the empty slot `dest` as a child of `parent` (NULL: a root of the tree).
 * A child is a derived capability: a frame or page table in it starts unmapped (one
 * capability, one mapping), whoever derives it (copy, mint, transfer, TCB slots). */
void mdb_insert(struct cte *parent, struct cte *dest, struct cap cap);

/* Moves the capability in `src` to the empty slot `dest`, keeping its place in the tree,
 * storing `cap` (the same capability, possibly with a new badge). */
void mdb_move(struct cte *src, struct cte *dest, struct cap cap);

/* True if other slots derive from `slot`. */
bool mdb_has_children(const struct cte *slot);

/* True if no other slot holds a capability to the same object. */
bool mdb_is_final(const struct cte *slot);

/* Empties `slot`; if it held the last capability to an object, the object is finalised
 * (queued threads woken with E_DELETED, CNode contents deleted, ...). Cannot fail: CNodes
 * whose last capability goes are emptied through a queue, so no nesting is too deep and
 * cycles are no problem (cnode.c). */
void cte_delete(struct cte *slot);

/* Deletes every capability derived from `slot` (the slot itself stays). For an untyped
 * capability this destroys every object retyped from it and makes the memory reusable. */
void cte_revoke(struct cte *slot);

/* Finalises the object of `cap`, whose last capability is being deleted (object-specific:
 * endpoint_cancel_all, tcb_finalise, CNode contents, IRQ handler, ...). */
void object_finalise(struct cap *cap);
