/*
 * The derivation-tree audit, and the table of live objects it builds (see audit.h).
 *
 * How every slot is reached: all linked slots are in one list that starts at mdb_head
 * (mdb.c), so one walk from it sees every capability in the tree, wherever its slot is
 * (a CNode, a TCB, a CNode nobody can reach any more). The alternatives were worse: the
 * boot-time roots move and die, and walking CNodes from the root CNode misses CNodes that
 * only hold capabilities to each other. Reply capabilities are the one kind never linked;
 * the IPC audit reaches them from their waiting caller.
 *
 * Why the walk terminates: every step checks the next slot's back link. A list that
 * loops back to a slot already walked would have to give that slot a second predecessor,
 * and its back link can name only one, so the first loop is reported as a bad back link
 * and the walk stops there. AUDIT_MAX_SLOTS bounds it besides.
 *
 * Objects: an entry whose list predecessor names another object starts a run of
 * capabilities to one object; a second run of the same object is a violation (mdb_is_final
 * looks only at neighbours). Untyped and IRQ control capabilities, the ones with children
 * of other objects, cannot be copied (cnode.c, check_derivable), so their runs are never
 * split either; the objectless singletons (IRQ and ASID control, kernel info) are not
 * entered at all. Each object is entered once in a fixed-size table; the memory
 * objects' ranges are then sorted and swept: ranges must nest properly (laminar), and the
 * innermost range around an object must be the untyped it derives from.
 */
#include <mica/objects.h>
#include <stddef.h>

#include "audit.h"
#include "console.h"
#include "object/cap.h"
#include "object/cnode.h"

#ifdef HOST_TEST
/* Host unit tests (tests/unit/test_audit.c): kernel objects at their host addresses. */
static uint64_t kva_to_pa(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}
#else
#include "arch.h"
static uint64_t kva_to_pa(const void *p)
{
	return virt_to_phys(p);
}
#endif

/* Release kernels have no SYS_DEBUG_AUDIT: they keep the code (sched.c's run-queue audit
 * holds audit.c in the link) but not the tables. */
#ifdef HOST_TEST
#define AUDIT_TABLES 1
#else
#include <config.h>
#define AUDIT_TABLES CONFIG_DEBUG
#endif

#define AUDIT_MAX_OBJECTS (AUDIT_TABLES ? 1u << 14 : 1u)
#define AUDIT_HASH_BITS   (AUDIT_TABLES ? 15 : 1) /* twice the objects: probes stay short */
#define AUDIT_HASH_SLOTS  (1u << AUDIT_HASH_BITS)
#define AUDIT_MAX_SLOTS   (1u << 26) /* far more slots than memory can hold */
#define AUDIT_MAX_DEPTH   256        /* deeper entries are walked, their parents not checked */
#define AUDIT_MAX_NEST    130        /* untyped nest at most 47 - 4 + 1 deep, plus 1 object */

struct hash_slot {
	uint32_t stamp; /* the audit run that filled it; any other value: empty */
	uint32_t index; /* into objects[] */
};

/* A memory object's physical range and the untyped it derives from. */
struct range {
	uint64_t base, end;
	uint32_t obj;    /* index into objects[] */
	uint32_t parent; /* index + 1 of its parent untyped in objects[], 0 for a root */
};

static struct audit_object objects[AUDIT_MAX_OBJECTS];
static unsigned nobjects;
static struct hash_slot hash[AUDIT_HASH_SLOTS];
static uint32_t stamp;
static struct range ranges[AUDIT_MAX_OBJECTS];
static unsigned nranges;
static const struct cte *ancestors[AUDIT_MAX_DEPTH]; /* the last entry seen at each depth */

static const char *const type_names[CAP_TYPE_COUNT] = {
	"null",        "untyped",     "TCB",          "endpoint",  "notification",
	"CNode",       "frame",       "page table",   "VSpace",    "reply",
	"IRQ control", "IRQ handler", "ASID control", "ASID pool", "kernel info",
};

static const char *type_name(unsigned type)
{
	return type < CAP_TYPE_COUNT ? type_names[type] : "bad type";
}

static bool key_equal(const struct audit_object *o, unsigned type, uint64_t id, unsigned bits)
{
	return o->type == type && o->id == id && (type != CAP_UNTYPED || o->size_bits == bits);
}

/* The hash slot holding the object, or the empty slot where it would go. */
static struct hash_slot *hash_probe(unsigned type, uint64_t id, unsigned bits)
{
	uint64_t key =
	    id ^ ((uint64_t)type << 56) ^ ((uint64_t)(type == CAP_UNTYPED ? bits : 0) << 48);
	uint64_t h = (key * 0x9e3779b97f4a7c15ull) >> (64 - AUDIT_HASH_BITS);
	/* At most AUDIT_MAX_OBJECTS of the slots are full, so an empty one is found. */
	for (;;) {
		struct hash_slot *s = &hash[h];
		if (s->stamp != stamp || key_equal(&objects[s->index], type, id, bits))
			return s;
		h = (h + 1) % AUDIT_HASH_SLOTS;
	}
}

struct audit_object *audit_object_find(unsigned type, uint64_t id, unsigned size_bits)
{
	struct hash_slot *s = hash_probe(type, id, size_bits);
	return s->stamp == stamp ? &objects[s->index] : NULL;
}

unsigned audit_object_count(void)
{
	return nobjects;
}

struct audit_object *audit_object_at(unsigned i)
{
	return i < nobjects ? &objects[i] : NULL;
}

/* Starts a new table (a new stamp makes every hash slot empty). */
static void table_reset(void)
{
	if (++stamp == 0) {
		for (unsigned i = 0; i < AUDIT_HASH_SLOTS; i++)
			hash[i].stamp = 0;
		stamp = 1;
	}
	nobjects = 0;
	nranges = 0;
}

/* The physical range a memory object's capability names: true and *pa, *bits, or false
 * for capabilities that name no memory (IRQ control and handlers, ASID control, ...). */
static bool cap_memory(const struct cap *c, uint64_t *pa, unsigned *bits)
{
	switch (c->type) {
	case CAP_UNTYPED:
		*pa = c->u.untyped.paddr, *bits = c->u.untyped.size_bits;
		return true;
	case CAP_TCB:
		*pa = kva_to_pa(c->u.tcb.tcb), *bits = TCB_SIZE_BITS;
		return true;
	case CAP_ENDPOINT:
		*pa = kva_to_pa(c->u.endpoint.ep), *bits = ENDPOINT_SIZE_BITS;
		return true;
	case CAP_NOTIFICATION:
		*pa = kva_to_pa(c->u.notification.ntfn), *bits = NOTIFICATION_SIZE_BITS;
		return true;
	case CAP_CNODE:
		*pa = kva_to_pa(c->u.cnode.slots), *bits = c->u.cnode.radix + CNODE_SLOT_BITS;
		return true;
	case CAP_FRAME:
		*pa = c->u.frame.paddr, *bits = c->u.frame.size_bits;
		return true;
	case CAP_PAGE_TABLE:
		*pa = c->u.page_table.paddr, *bits = PAGE_TABLE_BITS;
		return true;
	case CAP_VSPACE:
		*pa = c->u.vspace.paddr, *bits = PAGE_TABLE_BITS;
		return true;
	case CAP_ASID_POOL:
		*pa = c->u.asid_pool.paddr, *bits = ASID_POOL_BITS;
		return true;
	default:
		return false;
	}
}

/* The identity the object table keys on: cap_object_id, the INTID for IRQ handlers. */
static uint64_t cap_key(const struct cap *c)
{
	return c->type == CAP_IRQ_HANDLER ? c->u.irq.intid : cap_object_id(c);
}

/* Untyped: size within limits, base aligned, watermark within the size and aligned. */
static void audit_untyped_cap(struct audit *a, const struct cte *e)
{
	const struct cap *u = &e->cap;
	unsigned bits = u->u.untyped.size_bits;
	if (bits < UNTYPED_MIN_BITS || bits > UNTYPED_MAX_BITS) {
		audit_fail(a, "untyped %#lx in slot %p: size_bits %u out of range",
			   u->u.untyped.paddr, (const void *)e, bits);
		return;
	}
	uint64_t size = (uint64_t)1 << bits;
	if (u->u.untyped.paddr & (size - 1))
		audit_fail(a, "untyped %#lx in slot %p: not aligned to its size 2^%u",
			   u->u.untyped.paddr, (const void *)e, bits);
	if (u->u.untyped.free_index > size)
		audit_fail(a, "untyped %#lx in slot %p: watermark %#lx beyond its size %#lx",
			   u->u.untyped.paddr, (const void *)e, u->u.untyped.free_index, size);
	else if (u->u.untyped.free_index & ((1u << UNTYPED_MIN_BITS) - 1))
		audit_fail(a, "untyped %#lx in slot %p: watermark %#lx not aligned",
			   u->u.untyped.paddr, (const void *)e, u->u.untyped.free_index);
}

/* A retyped memory object: its parent is an untyped, and the object lies in the part of
 * it below the watermark, naturally aligned. Returns the parent's table index + 1, or 0. */
static uint32_t audit_retyped(struct audit *a, const struct cte *e, const struct cte *parent,
			      uint64_t pa, unsigned bits)
{
	const struct cap *p = &parent->cap;
	if (p->type != CAP_UNTYPED) {
		audit_fail(a,
			   "%s %#lx in slot %p derives from the %s in slot %p, not from an untyped",
			   type_name(e->cap.type), pa, (const void *)e, type_name(p->type),
			   (const void *)parent);
		return 0;
	}
	uint64_t size = (uint64_t)1 << bits, base = p->u.untyped.paddr;
	if (pa < base || pa - base > p->u.untyped.free_index ||
	    p->u.untyped.free_index - (pa - base) < size)
		audit_fail(a,
			   "%s [%#lx, %#lx) in slot %p is not below the watermark of untyped "
			   "[%#lx, +%#lx) in slot %p",
			   type_name(e->cap.type), pa, pa + size, (const void *)e, base,
			   p->u.untyped.free_index, (const void *)parent);
	if (pa & (size - 1))
		audit_fail(a, "%s %#lx in slot %p is not aligned to its size 2^%u",
			   type_name(e->cap.type), pa, (const void *)e, bits);
	struct audit_object *o = audit_object_find(CAP_UNTYPED, base, p->u.untyped.size_bits);
	return o ? (uint32_t)(o - objects) + 1 : 0;
}

/* Enters the memory object `o` (capability in `e`) in the range list. */
static void add_range(struct audit *a, const struct cte *e, const struct cte *parent,
		      struct audit_object *o, unsigned bits)
{
	if (bits >= 64) {
		audit_fail(a, "%s in slot %p: size 2^%u", type_name(e->cap.type), (const void *)e,
			   bits);
		return;
	}
	struct range *r = &ranges[nranges++];
	r->base = o->paddr;
	r->end = o->paddr + ((uint64_t)1 << bits);
	r->obj = (uint32_t)(o - objects);
	r->parent = parent ? audit_retyped(a, e, parent, o->paddr, bits) : 0;
	if (r->end < r->base)
		audit_fail(a, "%s %#lx in slot %p wraps around the address space",
			   type_name(e->cap.type), o->paddr, (const void *)e);
}

/* `e` starts a run of capabilities to one object: enter the object in the table, once. */
static void audit_object_start(struct audit *a, const struct cte *e, const struct cte *parent)
{
	const struct cap *c = &e->cap;
	uint64_t pa = 0;
	unsigned bits = 0;
	bool memory = cap_memory(c, &pa, &bits);
	if (!memory && c->type != CAP_IRQ_HANDLER)
		return; /* objectless: IRQ control, ASID control, kernel info */
	uint64_t id = cap_key(c);
	struct hash_slot *s = hash_probe(c->type, id, bits);
	if (s->stamp == stamp) {
		audit_fail(
		    a, "capabilities to %s %#lx are not contiguous: slot %p starts a second run",
		    type_name(c->type), id, (const void *)e);
		return;
	}
	if (nobjects == AUDIT_MAX_OBJECTS) {
		a->tree_ok = false; /* reported once, by mdb_audit */
		return;
	}
	struct audit_object *o = &objects[nobjects];
	*o = (struct audit_object){
		.id = id, .paddr = pa, .type = c->type, .size_bits = (uint8_t)bits
	};
	s->stamp = stamp;
	s->index = nobjects++;
	if (memory)
		add_range(a, e, parent, o, bits);
}

/* A CNode capability's guard fields as cap_cnode_set_guard sets them (object/cap.h): the
 * fastpath's lookup trusts one_level and guard_base. */
static void audit_cnode_cap(struct audit *a, const struct cte *e)
{
	const struct cap *c = &e->cap;
	unsigned radix = c->u.cnode.radix, bits = radix + c->u.cnode.guard_bits;
	struct cap expect = *c;
	if (radix < CNODE_MIN_RADIX || radix >= 32 || bits > 64) { /* so guard_bits < 64 */
		audit_fail(a, "CNode in slot %p: radix %u, guard_bits %u", (const void *)e, radix,
			   c->u.cnode.guard_bits);
		return;
	}
	cap_cnode_set_guard(&expect, c->u.cnode.guard_bits, cap_cnode_guard(c));
	if (expect.u.cnode.guard_base != c->u.cnode.guard_base ||
	    expect.u.cnode.one_level != c->u.cnode.one_level ||
	    (cap_cnode_guard(c) >> c->u.cnode.guard_bits) != 0)
		audit_fail(a,
			   "CNode in slot %p: guard_base %#lx, one_level %u for radix %u, "
			   "guard_bits %u",
			   (const void *)e, c->u.cnode.guard_base, c->u.cnode.one_level, radix,
			   c->u.cnode.guard_bits);
}

/* Checks one linked slot `e`, which follows `prev` (mdb_head for the first). */
static void audit_entry(struct audit *a, const struct cte *prev, const struct cte *e)
{
	a->checked++;
	if (cap_is_null(&e->cap)) {
		audit_fail(a, "slot %p is linked into the derivation tree but empty",
			   (const void *)e);
		return;
	}
	if (e->cap.type == CAP_REPLY || e->cap.type >= CAP_TYPE_COUNT) {
		audit_fail(a, "slot %p: a %s capability is linked into the derivation tree",
			   (const void *)e, type_name(e->cap.type));
		return;
	}
	uint32_t depth = e->mdb_depth;
	uint32_t limit = prev == &mdb_head ? 0 : prev->mdb_depth + 1;
	const struct cte *parent = NULL;
	if (depth > limit) {
		audit_fail(a, "slot %p (%s) is at depth %u right after depth %d", (const void *)e,
			   type_name(e->cap.type), depth,
			   prev == &mdb_head ? -1 : (int)prev->mdb_depth);
		a->tree_ok = false; /* its parent is unknown */
	} else if (depth > 0 && depth <= AUDIT_MAX_DEPTH) {
		parent = ancestors[depth - 1];
	}
	if (depth < AUDIT_MAX_DEPTH)
		ancestors[depth] = e;
	if (e->cap.type == CAP_UNTYPED)
		audit_untyped_cap(a, e);
	if (e->cap.type == CAP_CNODE)
		audit_cnode_cap(a, e);
	bool same = cap_same_object(&prev->cap, &e->cap);
	/* The fastpath tells an installed VSpace by its table alone (arch/switch.h). */
	if (same && e->cap.type == CAP_VSPACE && e->cap.u.vspace.asid != prev->cap.u.vspace.asid)
		audit_fail(a, "VSpace %#lx in slot %p has ASID %u, another capability to it %u",
			   e->cap.u.vspace.paddr, (const void *)e, e->cap.u.vspace.asid,
			   prev->cap.u.vspace.asid);
	if (depth > 0 && !parent)
		return; /* too deep (or broken) to check its derivation */
	if (!same)
		audit_object_start(a, e, parent);
}

/* Walks the list from mdb_head. Stops at the first bad back link (see the top). */
static void audit_list(struct audit *a)
{
	const struct cte *prev = &mdb_head;
	unsigned n = 0;
	if (mdb_head.mdb_prev || !cap_is_null(&mdb_head.cap) || mdb_head.mdb_depth)
		audit_fail(a, "the derivation list's head %p has a back link, depth or capability",
			   (const void *)&mdb_head);
	for (const struct cte *e = mdb_head.mdb_next; e; prev = e, e = e->mdb_next) {
		if (++n > AUDIT_MAX_SLOTS) {
			audit_fail(a, "derivation list longer than %u slots", AUDIT_MAX_SLOTS);
			a->tree_ok = false;
			return;
		}
		if (e->mdb_prev != prev) {
			audit_fail(a,
				   "derivation list: slot %p follows slot %p but links back to %p "
				   "(broken link or cycle)",
				   (const void *)e, (const void *)prev, (const void *)e->mdb_prev);
			a->tree_ok = false;
			return;
		}
		audit_entry(a, prev, e);
	}
}

/* Sort order of ranges: by base, the larger first at the same base, untyped first at the
 * same range (an ASID pool or frame filling its whole untyped lies inside it). */
static bool range_before(const struct range *x, const struct range *y)
{
	if (x->base != y->base)
		return x->base < y->base;
	if (x->end != y->end)
		return x->end > y->end;
	return objects[x->obj].type == CAP_UNTYPED && objects[y->obj].type != CAP_UNTYPED;
}

static void range_swap(unsigned i, unsigned j)
{
	struct range t = ranges[i];
	ranges[i] = ranges[j];
	ranges[j] = t;
}

/* Restores the heap property below `i` in ranges[0..n) (largest at the root). */
static void sift_down(unsigned i, unsigned n)
{
	for (;;) {
		unsigned big = i, l = 2 * i + 1, r = l + 1;
		if (l < n && range_before(&ranges[big], &ranges[l]))
			big = l;
		if (r < n && range_before(&ranges[big], &ranges[r]))
			big = r;
		if (big == i)
			return;
		range_swap(i, big);
		i = big;
	}
}

/* Heapsort: no recursion, no memory, O(n log n). */
static void sort_ranges(void)
{
	for (unsigned i = nranges / 2; i-- > 0;)
		sift_down(i, nranges);
	for (unsigned n = nranges; n-- > 1;) {
		range_swap(0, n);
		sift_down(0, n);
	}
}

static void report_overlap(struct audit *a, const struct range *r, const struct range *by)
{
	const struct audit_object *o = &objects[r->obj], *b = &objects[by->obj];
	audit_fail(a, "%s [%#lx, %#lx) overlaps %s [%#lx, %#lx), which it does not derive from",
		   type_name(o->type), r->base, r->end, type_name(b->type), by->base, by->end);
}

/*
 * Sweeps the sorted ranges with a stack of the ranges around the current base. Invariant:
 * stack[0..sp) are nested, each inside the one below. Every range must fit inside the
 * innermost one around it, and that one must be its parent untyped (none for a root).
 */
static void audit_overlaps(struct audit *a)
{
	uint32_t stack[AUDIT_MAX_NEST];
	unsigned sp = 0;
	sort_ranges();
	for (unsigned i = 0; i < nranges; i++) {
		const struct range *r = &ranges[i];
		while (sp && ranges[stack[sp - 1]].end <= r->base)
			sp--;
		const struct range *in = sp ? &ranges[stack[sp - 1]] : NULL;
		if (in && (r->end > in->end || in->obj + 1 != r->parent))
			report_overlap(a, r, in);
		if (sp == AUDIT_MAX_NEST) {
			audit_fail(a, "objects nest more than %u deep at %#lx", AUDIT_MAX_NEST,
				   r->base);
			return;
		}
		stack[sp++] = i;
	}
}

void mdb_audit(struct audit *a)
{
	a->tree_ok = true;
	table_reset();
	audit_list(a);
	if (nobjects == AUDIT_MAX_OBJECTS)
		kprintf("audit: note: more than %u objects; the checks that need all of them are "
			"skipped\n",
			AUDIT_MAX_OBJECTS);
	if (a->tree_ok)
		audit_overlaps(a);
}

void audit_for_each_slot(struct audit *a, void (*fn)(struct audit *a, const struct cte *slot))
{
	if (!a->tree_ok)
		return;
	for (const struct cte *e = mdb_head.mdb_next; e; e = e->mdb_next)
		fn(a, e);
}
