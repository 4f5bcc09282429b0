/*
 * Internals of the CSpace code (cspace.c, mdb.c, cnode.c, objtype.c) that the rest of the kernel
 * does not need, and the one IPC hook deletion calls. The public API is object/cspace.h.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "object/cap.h"

struct tcb;

/* Slot `index` of the CNode that `cnode` (a CNode capability) refers to, or NULL if
 * index >= 2^radix. */
struct cte *cnode_slot_at(const struct cap *cnode, uint64_t index);

/* True if `a` and `b` are capabilities to the same object: same type and same object
 * (same INTID for IRQ handlers, same base and size for untyped). False for objectless
 * capabilities (null, reply, IRQ control, ASID control). Defined in mdb.c. */
bool cap_same_object(const struct cap *a, const struct cap *b);

/* The head of the derivation tree's list (mdb.c): never holds a capability; its mdb_next
 * is the first root. Every linked slot follows it. */
extern struct cte mdb_head;

/* Empties the derivation tree's list (host tests start each world with it; at boot the
 * zeroed head already is an empty list). The slots once linked are not touched. */
void mdb_init(void);

/* Unlinks `slot` from the derivation tree and empties it. Its descendants stay in place
 * and move up one level, becoming descendants of its parent. Finalises nothing.
 * Defined in mdb.c. */
void mdb_remove(struct cte *slot);

/* Queues the CNode of `cap` (its last capability is gone) for emptying; empties it now
 * unless a deletion is running (cnode.c). Called by object_finalise (objtype.c). */
void cnode_finalise(const struct cap *cap);

/* Implemented by the IPC code (ipc.c): the reply capability naming `caller` was deleted
 * unused, so `caller` (blocked waiting for that reply) is woken with E_DELETED and its
 * reply_slot cleared. */
void ipc_reply_deleted(struct tcb *caller);
