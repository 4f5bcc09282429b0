/*
 * Capabilities, capability table entries (slots) and the derivation tree.
 *
 * A capability is 32 bytes: a type, rights, and a type-specific union. It lives in a slot
 * (struct cte, 64 bytes) of a CNode or of a TCB. Slots are linked into the capability
 * derivation tree (MDB): one doubly linked list in pre-order, each entry carrying its depth;
 * the descendants of a slot are exactly the entries that follow it with a greater depth.
 * Retype inserts the new objects' capabilities as children of the untyped; copy and mint
 * insert the new capability as a child of the source. All capabilities to one object are
 * therefore contiguous in the list, which makes "is this the last capability?" a look at
 * the two neighbours.
 */
#pragma once

#include <mica/objects.h>
#include <mica/syscall.h>
#include <stdbool.h>
#include <stdint.h>

struct tcb;
struct endpoint;
struct notification;
struct cte;

struct cap {
	uint8_t type;   /* enum mica_cap_type */
	uint8_t rights; /* RIGHT_* */
	uint8_t pad[6];
	union {
		struct {
			uint64_t paddr;
			uint64_t free_index; /* bytes used from the start (watermark) */
			uint8_t size_bits;
			bool device;
		} untyped;
		struct {
			struct endpoint *ep;
			uint64_t badge;
		} endpoint;
		struct {
			struct notification *ntfn;
			uint64_t badge;
		} notification;
		struct {
			struct cte *slots;
			uint64_t guard_base; /* the guard in place: guard << radix (see below) */
			uint32_t one_level;  /* 2^radix if radix + guard_bits == 64, else 0 */
			uint8_t radix;       /* 2^radix slots */
			uint8_t guard_bits;  /* radix + guard_bits bits of a cptr resolved here */
		} cnode;
		struct {
			struct tcb *tcb;
		} tcb;
		struct {
			struct tcb *caller; /* the thread waiting for this reply */
		} reply;
		struct {
			uint32_t intid;
		} irq;
		struct {
			uint64_t paddr;
			uint64_t mapped_vaddr; /* valid if mapped_asid != 0 */
			uint16_t mapped_asid;
			uint8_t size_bits;
			bool device;
		} frame;
		struct {
			uint64_t paddr;
			uint64_t mapped_vaddr;
			uint16_t mapped_asid;
			uint8_t level; /* 1..3: the level of the table itself */
		} page_table;
		struct {
			uint64_t paddr;
			uint16_t asid; /* 0: none assigned */
		} vspace;
		struct {
			uint64_t paddr;
			uint16_t asid_base;
		} asid_pool;
		uint64_t words[3];
	} u;
};

_Static_assert(sizeof(struct cap) == 32, "a capability is 32 bytes");

struct cte {
	struct cap cap;
	struct cte *mdb_prev;
	struct cte *mdb_next;
	uint32_t mdb_depth;
	/* Slot 0 of a CNode being finalised carries the deletion queue (cnode.c): */
	uint32_t fin_radix;   /* its radix */
	struct cte *fin_next; /* the next CNode waiting to be emptied */
};

_Static_assert(sizeof(struct cte) == (1u << CNODE_SLOT_BITS), "a slot is 2^CNODE_SLOT_BITS bytes");

static inline struct cap cap_null(void)
{
	struct cap c = { 0 };
	return c;
}

static inline bool cap_is_null(const struct cap *c)
{
	return c->type == CAP_NULL;
}

/*
 * A CNode capability keeps its guard in place, as the value of the cptr bits it matches
 * followed by the index bits: guard_base = guard << radix, which loses nothing (radix +
 * guard_bits <= 64). one_level is 2^radix when the CNode resolves a whole cptr by itself
 * (radix + guard_bits == 64), else 0. A cptr then names slot cptr - guard_base of a
 * one-level CNode exactly when that difference is below one_level: the fastpath's lookup,
 * a subtraction and a compare, which an empty slot (all zeroes) fails too. Only these two
 * functions set the fields; the self-audit checks them in every CNode capability.
 */
static inline void cap_cnode_set_guard(struct cap *c, unsigned guard_bits, uint64_t guard)
{
	/* radix < 32 (CNODE_MAX_RADIX, roottask.c's root CNode) */
	unsigned radix = c->u.cnode.radix;
	c->u.cnode.guard_bits = (uint8_t)guard_bits;
	c->u.cnode.guard_base = guard << radix;
	c->u.cnode.one_level = radix + guard_bits == 64 ? UINT32_C(1) << radix : 0;
}

/* A capability to the CNode of 2^radix slots at `slots`, its guard `guard_bits` wide. */
static inline struct cap cap_cnode(struct cte *slots, unsigned radix, unsigned guard_bits,
				   uint64_t guard)
{
	struct cap c = { .type = CAP_CNODE };
	c.u.cnode.slots = slots;
	c.u.cnode.radix = (uint8_t)radix;
	cap_cnode_set_guard(&c, guard_bits, guard);
	return c;
}

/* A CNode capability's guard value. */
static inline uint64_t cap_cnode_guard(const struct cap *c)
{
	return c->u.cnode.guard_base >> c->u.cnode.radix;
}

/* The kernel object a capability refers to, as an identity (kernel VA or physical address),
 * so two capabilities to the same object compare equal; 0 for objectless capabilities. */
uint64_t cap_object_id(const struct cap *c);
