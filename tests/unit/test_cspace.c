/* Host tests for CSpace lookup, the derivation tree, deletion and the CNode invocations
 * (kernel/object/cspace.c, mdb.c, cnode.c). The objects' own finalisers and the message
 * registers are faked below; the fakes record their calls. */
#include <mica/errors.h>
#include <mica/invocation.h>
#include <stdarg.h>
#include <stdlib.h>

#include "arch/memlayout.h"
#include "check.h"
#include "console.h"
#include "arch.h"
#include "object/cnode.h"
#include "object/cspace.h"
#include "object/invocation.h"
#include "object/ipc.h"
#include "object/irq.h"
#include "object/tcb.h"

CHECK_DEFINE_GLOBALS;

#define ROOT_RADIX 8
#define ROOT_SLOTS (1u << ROOT_RADIX)
#define SUB_RADIX  4
#define SUB_SLOTS  (1u << SUB_RADIX)
#define NEST       16 /* small CNodes for nesting tests */

/* Slots of the root CNode in the standard world (see world_standard). */
enum {
	S_EMPTY = 0,
	S_EP = 1,        /* endpoint, unbadged, all rights */
	S_NTFN = 2,      /* notification, badge 7 */
	S_UT = 3,        /* untyped, no children */
	S_UT_PARENT = 4, /* untyped with one child... */
	S_UT_CHILD = 5,  /* ...an endpoint retyped from it */
	S_IRQCTL = 6,    /* IRQ control */
	S_SUB = 7,       /* the second-level CNode `sub` */
	S_REPLY = 8,     /* a reply capability for `client` */
	S_TCB = 9,       /* the TCB `client` */
	S_SELF = 10,     /* the root CNode itself */
};

static struct cte root[ROOT_SLOTS];
static struct cte sub[SUB_SLOTS];
static struct cte nest[NEST][2];
static struct tcb thread; /* the caller of every invocation */
static struct tcb client; /* another thread */
static struct endpoint eps[4];
static struct notification ntfns[2];
static uint64_t mrs[MSG_MAX_LENGTH];

/* What the fakes saw. */
static struct {
	int ep_cancels, ntfn_cancels, tcb_finalises, irq_finalises, reply_deletes;
	struct endpoint *ep;
	struct notification *ntfn;
	struct tcb *tcb, *reply_caller;
	uint32_t intid;
} calls;

void endpoint_cancel_all(struct endpoint *ep)
{
	calls.ep_cancels++;
	calls.ep = ep;
}

void notification_cancel_all(struct notification *ntfn)
{
	calls.ntfn_cancels++;
	calls.ntfn = ntfn;
}

/* Like the real one as far as capabilities go: deletes the TCB's own slots. */
void tcb_finalise(struct tcb *t)
{
	calls.tcb_finalises++;
	calls.tcb = t;
	for (int i = 0; i < TCB_SLOTS; i++)
		cte_delete(&t->slots[i]);
}

void irq_handler_finalise(uint32_t intid)
{
	calls.irq_finalises++;
	calls.intid = intid;
}

void ipc_reply_deleted(struct tcb *caller)
{
	calls.reply_deletes++;
	calls.reply_caller = caller;
	caller->reply_slot = NULL;
}

/* The architecture hooks: unmapping and ASIDs are tested in the QEMU suite. */
void arch_cap_deleted(const struct cap *cap)
{
	(void)cap;
}

void arch_cap_derived(struct cap *cap)
{
	if (cap->type == CAP_FRAME)
		cap->u.frame.mapped_asid = 0;
}

void arch_object_finalise(const struct cap *cap)
{
	(void)cap;
}

uint64_t tcb_get_mr(const struct tcb *t, unsigned i)
{
	(void)t;
	return i < MSG_MAX_LENGTH ? mrs[i] : 0;
}

void tcb_set_mr(struct tcb *t, unsigned i, uint64_t v)
{
	(void)t;
	if (i < MSG_MAX_LENGTH)
		mrs[i] = v;
}

static struct cap cnode_cap(struct cte *slots, unsigned radix, unsigned guard_bits, uint64_t guard)
{
	struct cap c = cap_cnode(slots, radix, guard_bits, guard);
	c.rights = RIGHTS_ALL;
	return c;
}

static struct cap ep_cap(struct endpoint *ep, uint64_t badge)
{
	struct cap c = { .type = CAP_ENDPOINT, .rights = RIGHTS_ALL };
	c.u.endpoint.ep = ep;
	c.u.endpoint.badge = badge;
	return c;
}

static struct cap ntfn_cap(struct notification *ntfn, uint64_t badge)
{
	struct cap c = { .type = CAP_NOTIFICATION, .rights = RIGHTS_ALL };
	c.u.notification.ntfn = ntfn;
	c.u.notification.badge = badge;
	return c;
}

static struct cap untyped_cap(uint64_t paddr, unsigned size_bits)
{
	struct cap c = { .type = CAP_UNTYPED, .rights = RIGHTS_ALL };
	c.u.untyped.paddr = paddr;
	c.u.untyped.size_bits = size_bits;
	return c;
}

static struct cap tcb_cap(struct tcb *t)
{
	struct cap c = { .type = CAP_TCB, .rights = RIGHTS_ALL };
	c.u.tcb.tcb = t;
	return c;
}

static struct cap reply_cap(struct tcb *caller)
{
	struct cap c = { .type = CAP_REPLY, .rights = RIGHTS_ALL };
	c.u.reply.caller = caller;
	return c;
}

static struct cap irq_cap(unsigned type, uint32_t intid)
{
	struct cap c = { .type = type, .rights = RIGHTS_ALL };
	c.u.irq.intid = intid;
	return c;
}

/* An empty world: the caller's CSpace is `root` (radix 8, 56-bit guard 0: cptr == index). */
static void world_empty(void)
{
	memset(root, 0, sizeof(root));
	memset(sub, 0, sizeof(sub));
	memset(nest, 0, sizeof(nest));
	memset(&thread, 0, sizeof(thread));
	memset(&client, 0, sizeof(client));
	memset(mrs, 0, sizeof(mrs));
	memset(&calls, 0, sizeof(calls));
	mdb_init();
	mdb_insert(NULL, &thread.slots[TCB_SLOT_CSPACE], cnode_cap(root, ROOT_RADIX, 56, 0));
}

static struct cte *put(unsigned index, struct cap c)
{
	mdb_insert(NULL, &root[index], c);
	return &root[index];
}

static struct cte *derive(struct cte *parent, struct cte *dest)
{
	mdb_insert(parent, dest, parent->cap);
	return dest;
}

static void world_standard(void)
{
	world_empty();
	put(S_EP, ep_cap(&eps[0], 0));
	put(S_NTFN, ntfn_cap(&ntfns[0], 7));
	put(S_UT, untyped_cap(0x80000000, 20));
	put(S_UT_PARENT, untyped_cap(0x90000000, 16));
	mdb_insert(&root[S_UT_PARENT], &root[S_UT_CHILD], ep_cap(&eps[1], 0));
	put(S_IRQCTL, irq_cap(CAP_IRQ_CONTROL, 0));
	put(S_SUB, cnode_cap(sub, SUB_RADIX, 0, 0));
	put(S_REPLY, reply_cap(&client));
	put(S_TCB, tcb_cap(&client));
	derive(&thread.slots[TCB_SLOT_CSPACE], &root[S_SELF]);
}

static struct invocation last_inv;

/* Invokes the CNode capability in `cnode` with `label` and `n` arguments. */
static int invoke_on(struct cte *cnode, uint64_t label, const uint64_t *args, unsigned n)
{
	struct invocation inv = { .caller = &thread, .slot = cnode, .label = label, .nargs = n };

	inv.cap = cnode->cap;
	for (unsigned i = 0; i < n; i++)
		mrs[i] = args[i];
	int err = decode_cnode_invocation(&inv);
	last_inv = inv;
	return err;
}

#define ARGS(...)         (const uint64_t[]){ __VA_ARGS__ }, sizeof((uint64_t[]){ __VA_ARGS__ }) / 8
#define CNODE(label, ...) invoke_on(&thread.slots[TCB_SLOT_CSPACE], label, ARGS(__VA_ARGS__))

/* A copy of everything an invocation could change, to prove a failure changed nothing. */
static struct {
	struct cte root[ROOT_SLOTS], sub[SUB_SLOTS];
	struct tcb thread, client;
	int fake_calls;
} snap;

static int fake_calls(void)
{
	return calls.ep_cancels + calls.ntfn_cancels + calls.tcb_finalises + calls.irq_finalises +
	       calls.reply_deletes;
}

static void snapshot(void)
{
	memcpy(snap.root, root, sizeof(root));
	memcpy(snap.sub, sub, sizeof(sub));
	memcpy(&snap.thread, &thread, sizeof(thread));
	memcpy(&snap.client, &client, sizeof(client));
	snap.fake_calls = fake_calls();
}

static int unchanged(void)
{
	return !memcmp(snap.root, root, sizeof(root)) && !memcmp(snap.sub, sub, sizeof(sub)) &&
	       !memcmp(&snap.thread, &thread, sizeof(thread)) &&
	       !memcmp(&snap.client, &client, sizeof(client)) && snap.fake_calls == fake_calls();
}

static int slot_empty(const struct cte *s)
{
	return s->cap.type == CAP_NULL && !s->mdb_prev && !s->mdb_next && s->mdb_depth == 0;
}

/* Lookup */

static void test_lookup_single_level_cptr_is_the_index(void)
{
	world_standard();
	struct lookup_ret r = cspace_lookup_slot(&thread, S_EP);
	CHECK_EQ(r.err, E_OK);
	CHECK(r.slot == &root[S_EP]);
	r = cspace_lookup_slot(&thread, ROOT_SLOTS - 1);
	CHECK_EQ(r.err, E_OK);
	CHECK(r.slot == &root[ROOT_SLOTS - 1]);
}

/* Root: 8-bit guard 0xab, radix 8; slot 3: 12-bit guard 0x123, radix 4, 32-bit guard 0. */
static void world_two_levels(void)
{
	world_empty();
	thread.slots[TCB_SLOT_CSPACE].cap = cnode_cap(root, ROOT_RADIX, 8, 0xab);
	put(3, cnode_cap(sub, SUB_RADIX, 44, 0x123ull << 32));
	sub[5].cap = ep_cap(&eps[0], 0);
}

static void test_lookup_two_levels_with_guards(void)
{
	world_two_levels();
	cptr_t cptr = 0xabull << 56 | 3ull << 48 | 0x123ull << 36 | 5;
	struct lookup_ret r = cspace_lookup_cap(&thread, cptr);
	CHECK_EQ(r.err, E_OK);
	CHECK(r.slot == &sub[5]);
}

static void test_lookup_guard_mismatch_fails(void)
{
	world_two_levels();
	CHECK_EQ(cspace_lookup_slot(&thread, 0xacull << 56 | 3ull << 48 | 0x123ull << 36).err,
		 E_LOOKUP);
	CHECK_EQ(cspace_lookup_slot(&thread, 0xabull << 56 | 3ull << 48 | 0x124ull << 36).err,
		 E_LOOKUP);
}

static void test_lookup_bits_left_at_a_non_cnode_fails(void)
{
	world_two_levels();
	put(4, ep_cap(&eps[1], 0));
	CHECK_EQ(cspace_lookup_slot(&thread, 0xabull << 56 | 4ull << 48).err, E_LOOKUP);
	CHECK_EQ(cspace_lookup_slot(&thread, 0xabull << 56 | 9ull << 48).err, E_LOOKUP); /* empty */
}

static void test_lookup_level_wider_than_bits_left_fails(void)
{
	world_empty();
	thread.slots[TCB_SLOT_CSPACE].cap = cnode_cap(root, ROOT_RADIX, 48, 0); /* 8 bits left */
	put(1, cnode_cap(sub, SUB_RADIX, 8, 0));                                /* wants 12 */
	CHECK_EQ(cspace_lookup_slot(&thread, 1ull << 8).err, E_LOOKUP);
}

static void test_lookup_cnode_resolving_no_bits_fails(void)
{
	world_empty();
	thread.slots[TCB_SLOT_CSPACE].cap = cnode_cap(root, ROOT_RADIX, 48, 0);
	put(1, cnode_cap(sub, 0, 0, 0));
	CHECK_EQ(cspace_lookup_slot(&thread, 1ull << 8).err, E_LOOKUP);
}

static void test_lookup_without_cnode_root_fails(void)
{
	world_empty();
	thread.slots[TCB_SLOT_CSPACE].cap = ep_cap(&eps[0], 0);
	CHECK_EQ(cspace_lookup_slot(&thread, 0).err, E_LOOKUP);
	thread.slots[TCB_SLOT_CSPACE].cap = cap_null();
	CHECK_EQ(cspace_lookup_slot(&thread, 0).err, E_LOOKUP);
}

static void test_lookup_cap_of_empty_slot_is_nocap(void)
{
	world_standard();
	CHECK_EQ(cspace_lookup_slot(&thread, S_EMPTY).err, E_OK);
	CHECK_EQ(cspace_lookup_cap(&thread, S_EMPTY).err, E_NOCAP);
	CHECK_EQ(cspace_lookup_cap(&thread, S_EP).err, E_OK);
}

static void test_lookup_index_checks_type_and_range(void)
{
	world_standard();
	struct lookup_ret r = cspace_lookup_index(&thread, S_SUB, SUB_SLOTS - 1);
	CHECK_EQ(r.err, E_OK);
	CHECK(r.slot == &sub[SUB_SLOTS - 1]);
	CHECK_EQ(cspace_lookup_index(&thread, S_SUB, SUB_SLOTS).err, E_RANGE);
	CHECK_EQ(cspace_lookup_index(&thread, S_SUB, ~0ull).err, E_RANGE);
	CHECK_EQ(cspace_lookup_index(&thread, S_EP, 0).err, E_TYPE);
	CHECK_EQ(cspace_lookup_index(&thread, S_EMPTY, 0).err, E_NOCAP);
	CHECK_EQ(cspace_lookup_index(&thread, 1ull << 63, 0).err, E_LOOKUP);
}

/* Derivation tree */

static void test_insert_puts_child_after_parent_one_deeper(void)
{
	world_standard();
	struct cte *p = &root[S_EP], *a = derive(p, &root[20]), *b = derive(p, &root[21]);
	CHECK(p->mdb_next == b && b->mdb_next == a && a->mdb_prev == b && b->mdb_prev == p);
	CHECK_EQ(a->mdb_depth, 1);
	CHECK_EQ(b->mdb_depth, 1);
	CHECK_EQ(derive(a, &root[22])->mdb_depth, 2);
	CHECK(mdb_has_children(p));
	CHECK(mdb_has_children(a));
	CHECK(!mdb_has_children(b)); /* a follows b at the same depth: a sibling */
}

static void test_root_insert_is_depth_zero_and_first_in_the_list(void)
{
	world_empty();
	struct cte *cspace = &thread.slots[TCB_SLOT_CSPACE];
	struct cte *r = put(5, ep_cap(&eps[0], 0));
	CHECK(mdb_head.mdb_next == r && r->mdb_prev == &mdb_head);
	CHECK(r->mdb_next == cspace && cspace->mdb_prev == r);
	CHECK_EQ(r->mdb_depth, 0);
	CHECK(!mdb_has_children(r));
	CHECK(mdb_is_final(r));
}

static void test_move_keeps_place_and_depth(void)
{
	world_standard();
	struct cte *p = &root[S_EP], *a = derive(p, &root[20]), *a1 = derive(a, &root[21]);
	struct cap c = a->cap;
	c.u.endpoint.badge = 9;
	mdb_move(a, &root[30], c);
	CHECK(slot_empty(a));
	CHECK(p->mdb_next == &root[30] && root[30].mdb_prev == p);
	CHECK(root[30].mdb_next == a1 && a1->mdb_prev == &root[30]);
	CHECK_EQ(root[30].mdb_depth, 1);
	CHECK_EQ(root[30].cap.u.endpoint.badge, 9);
}

static void test_move_of_reply_cap_follows_the_caller(void)
{
	world_standard();
	CHECK(client.reply_slot == &root[S_REPLY]);
	mdb_move(&root[S_REPLY], &root[30], root[S_REPLY].cap);
	CHECK(client.reply_slot == &root[30]);
	CHECK(slot_empty(&root[S_REPLY]));
	CHECK(!root[30].mdb_prev && !root[30].mdb_next);
}

static void test_final_only_without_copies_next_to_it(void)
{
	world_standard();
	struct cte *e = &root[S_EP];
	CHECK(mdb_is_final(e));
	struct cte *copy = derive(e, &root[20]);
	CHECK(!mdb_is_final(e));
	CHECK(!mdb_is_final(copy));
	CHECK(mdb_is_final(&root[S_UT_PARENT])); /* its child is another object */
	CHECK(mdb_is_final(&root[S_UT_CHILD]));
	CHECK(mdb_is_final(&root[S_IRQCTL])); /* objectless */
}

static void test_untyped_split_at_same_address_is_another_object(void)
{
	world_standard();
	struct cte *u = &root[S_UT];
	mdb_insert(u, &root[20], untyped_cap(0x80000000, 16));
	CHECK(mdb_is_final(u));
	CHECK(mdb_is_final(&root[20]));
	derive(u, &root[21]);
	CHECK(!mdb_is_final(u));
}

static void test_delete_moves_children_up_to_the_parent(void)
{
	world_standard();
	struct cte *p = &root[S_EP], *x = derive(p, &root[20]), *x1 = derive(x, &root[21]);
	struct cte *s = derive(p, &root[22]); /* p, s, x, x1 */
	cte_delete(x);
	CHECK(slot_empty(x));
	CHECK_EQ(x1->mdb_depth, 1);
	CHECK(!mdb_has_children(s));
	cte_revoke(s);
	CHECK_EQ(x1->cap.type, CAP_ENDPOINT);
	cte_revoke(p);
	CHECK(slot_empty(x1));
	CHECK(slot_empty(s));
	CHECK_EQ(calls.ep_cancels, 0);
}

/* Copy, mint, move, mutate */

static void test_copy_masks_rights_and_derives_a_child(void)
{
	world_standard();
	CHECK_EQ(CNODE(CNODE_COPY, 20, S_SELF, S_EP, RIGHT_READ | RIGHT_GRANT), E_OK);
	CHECK_EQ(root[20].cap.type, CAP_ENDPOINT);
	CHECK(root[20].cap.u.endpoint.ep == &eps[0]);
	CHECK_EQ(root[20].cap.rights, RIGHT_READ | RIGHT_GRANT);
	CHECK(root[S_EP].mdb_next == &root[20]);
	CHECK_EQ(root[20].mdb_depth, 1);
	CHECK_EQ(CNODE(CNODE_COPY, 21, S_SELF, 20, RIGHTS_ALL), E_OK); /* rights never grow */
	CHECK_EQ(root[21].cap.rights, RIGHT_READ | RIGHT_GRANT);
	CHECK_EQ(root[21].mdb_depth, 2);
}

static void test_copy_into_and_from_another_cnode(void)
{
	world_standard();
	CHECK_EQ(invoke_on(&root[S_SUB], CNODE_COPY, ARGS(2, S_SELF, S_NTFN, RIGHTS_ALL)), E_OK);
	CHECK_EQ(sub[2].cap.type, CAP_NOTIFICATION);
	CHECK_EQ(sub[2].cap.u.notification.badge, 7);
	CHECK_EQ(CNODE(CNODE_COPY, 20, S_SUB, 2, RIGHT_WRITE), E_OK);
	CHECK_EQ(root[20].cap.rights, RIGHT_WRITE);
}

static void test_copy_refuses_reply_irq_control_and_untyped(void)
{
	world_standard();
	snapshot();
	CHECK_EQ(CNODE(CNODE_COPY, 20, S_SELF, S_REPLY, RIGHTS_ALL), E_TYPE);
	CHECK_EQ(CNODE(CNODE_COPY, 20, S_SELF, S_IRQCTL, RIGHTS_ALL), E_TYPE);
	/* Untyped copies would let two retypes place objects on the same memory. */
	CHECK_EQ(CNODE(CNODE_COPY, 20, S_SELF, S_UT_PARENT, RIGHTS_ALL), E_TYPE);
	CHECK_EQ(CNODE(CNODE_COPY, 20, S_SELF, S_UT, RIGHTS_ALL), E_TYPE);
	CHECK_EQ(CNODE(CNODE_MINT, 20, S_SELF, S_UT, RIGHTS_ALL, 0), E_TYPE);
	CHECK(unchanged());
}

static void test_mint_badges_an_endpoint(void)
{
	world_standard();
	CHECK_EQ(CNODE(CNODE_MINT, 20, S_SELF, S_EP, RIGHT_WRITE, 42), E_OK);
	CHECK_EQ(root[20].cap.u.endpoint.badge, 42);
	CHECK_EQ(root[20].cap.rights, RIGHT_WRITE);
	CHECK_EQ(root[S_EP].cap.u.endpoint.badge, 0);
	CHECK(root[S_EP].mdb_next == &root[20]);
}

static void test_mint_refuses_to_rebadge(void)
{
	world_standard();
	CHECK_EQ(CNODE(CNODE_MINT, 20, S_SELF, S_EP, RIGHTS_ALL, 42), E_OK);
	snapshot();
	CHECK_EQ(CNODE(CNODE_MINT, 21, S_SELF, 20, RIGHTS_ALL, 43), E_INVAL);
	CHECK_EQ(CNODE(CNODE_MINT, 21, S_SELF, S_NTFN, RIGHTS_ALL, 1), E_INVAL);
	CHECK(unchanged());
	CHECK_EQ(CNODE(CNODE_MINT, 21, S_SELF, 20, RIGHTS_ALL, 0), E_OK); /* badge kept */
	CHECK_EQ(root[21].cap.u.endpoint.badge, 42);
}

static void test_mint_badge_is_ignored_for_other_types(void)
{
	world_standard();
	CHECK_EQ(CNODE(CNODE_MINT, 20, S_SELF, S_TCB, RIGHTS_ALL, 42), E_OK);
	struct cap want = root[S_TCB].cap;
	CHECK(!memcmp(&root[20].cap, &want, sizeof(want)));
}

static void test_mint_of_a_cnode_sets_its_guard(void)
{
	world_standard();
	unsigned radix = root[S_SUB].cap.u.cnode.radix;
	/* guard_bits in bits 0..5, the guard above them */
	CHECK_EQ(CNODE(CNODE_MINT, 20, S_SELF, S_SUB, RIGHTS_ALL, (5ull << 6) | 3), E_OK);
	CHECK_EQ(root[20].cap.u.cnode.guard_bits, 3);
	CHECK_EQ(cap_cnode_guard(&root[20].cap), 5);
	CHECK_EQ(root[20].cap.u.cnode.radix, radix);
	snapshot();
	CHECK_EQ(CNODE(CNODE_MINT, 21, S_SELF, S_SUB, RIGHTS_ALL, (8ull << 6) | 3), E_INVAL);
	CHECK_EQ(CNODE(CNODE_MINT, 21, S_SELF, S_SUB, RIGHTS_ALL, 63), E_INVAL);
	CHECK(unchanged());
}

static void test_move_empties_the_source(void)
{
	world_standard();
	struct cte *child = derive(&root[S_EP], &root[21]);
	CHECK_EQ(CNODE(CNODE_MOVE, 20, S_SELF, S_EP), E_OK);
	CHECK(slot_empty(&root[S_EP]));
	CHECK(root[20].cap.u.endpoint.ep == &eps[0]);
	CHECK(root[20].mdb_next == child && child->mdb_prev == &root[20]);
	CHECK_EQ(CNODE(CNODE_MOVE, 22, S_SELF, S_REPLY), E_OK); /* reply caps move */
	CHECK(client.reply_slot == &root[22]);
}

static void test_mutate_badges_while_moving(void)
{
	world_standard();
	CHECK_EQ(CNODE(CNODE_MUTATE, 20, S_SELF, S_EP, 5), E_OK);
	CHECK(slot_empty(&root[S_EP]));
	CHECK_EQ(root[20].cap.u.endpoint.badge, 5);
	snapshot();
	CHECK_EQ(CNODE(CNODE_MUTATE, 21, S_SELF, 20, 6), E_INVAL);
	CHECK_EQ(CNODE(CNODE_MUTATE, 21, S_SELF, S_SUB, 6), E_TYPE);
	CHECK_EQ(CNODE(CNODE_MUTATE, 21, S_SELF, S_SUB, 0), E_TYPE);
	CHECK(unchanged());
}

/* Delete, revoke, finalisation */

static void test_revoke_removes_children_and_grandchildren_not_siblings(void)
{
	world_standard();
	CHECK_EQ(CNODE(CNODE_MINT, 20, S_SELF, S_EP, RIGHTS_ALL, 1), E_OK);
	CHECK_EQ(CNODE(CNODE_COPY, 21, S_SELF, 20, RIGHTS_ALL), E_OK);
	CHECK_EQ(invoke_on(&root[S_SUB], CNODE_COPY, ARGS(0, S_SELF, 21, RIGHT_READ)), E_OK);
	CHECK_EQ(CNODE(CNODE_MINT, 22, S_SELF, S_EP, RIGHTS_ALL, 2), E_OK);
	CHECK_EQ(CNODE(CNODE_REVOKE, 20), E_OK);
	CHECK_EQ(root[20].cap.u.endpoint.badge, 1);
	CHECK(slot_empty(&root[21]));
	CHECK(slot_empty(&sub[0]));
	CHECK_EQ(root[22].cap.u.endpoint.badge, 2);
	CHECK(!mdb_has_children(&root[20]));
	CHECK_EQ(CNODE(CNODE_REVOKE, S_EP), E_OK);
	CHECK(slot_empty(&root[20]));
	CHECK(slot_empty(&root[22]));
	CHECK_EQ(root[S_EP].cap.type, CAP_ENDPOINT);
	CHECK_EQ(calls.ep_cancels, 0);
}

static void test_revoke_of_long_copy_chain(void)
{
	world_standard();
	struct cte *prev = &root[S_EP];
	for (unsigned i = 20; i < ROOT_SLOTS; i++)
		prev = derive(prev, &root[i]);
	CHECK_EQ(CNODE(CNODE_REVOKE, S_EP), E_OK);
	for (unsigned i = 20; i < ROOT_SLOTS; i++)
		CHECK(slot_empty(&root[i]));
	CHECK(!mdb_has_children(&root[S_EP]));
	CHECK_EQ(calls.ep_cancels, 0);
}

static void test_delete_final_endpoint_cancels_once(void)
{
	world_standard();
	derive(&root[S_EP], &root[20]);
	CHECK_EQ(CNODE(CNODE_DELETE, 20), E_OK);
	CHECK_EQ(calls.ep_cancels, 0);
	CHECK_EQ(CNODE(CNODE_DELETE, S_EP), E_OK);
	CHECK_EQ(calls.ep_cancels, 1);
	CHECK(calls.ep == &eps[0]);
	CHECK(slot_empty(&root[S_EP]));
	CHECK_EQ(CNODE(CNODE_DELETE, S_EP), E_OK); /* empty: nothing to do */
	CHECK_EQ(calls.ep_cancels, 1);
}

static void test_delete_final_caps_of_each_type_finalises(void)
{
	world_standard();
	put(20, irq_cap(CAP_IRQ_HANDLER, 40));
	derive(&root[20], &root[21]);
	cte_delete(&root[S_NTFN]);
	CHECK_EQ(calls.ntfn_cancels, 1);
	CHECK(calls.ntfn == &ntfns[0]);
	cte_delete(&root[S_TCB]);
	CHECK_EQ(calls.tcb_finalises, 1);
	CHECK(calls.tcb == &client);
	cte_delete(&root[20]);
	CHECK_EQ(calls.irq_finalises, 0);
	cte_delete(&root[21]);
	CHECK_EQ(calls.irq_finalises, 1);
	CHECK_EQ(calls.intid, 40);
	cte_delete(&root[S_REPLY]);
	CHECK_EQ(calls.reply_deletes, 1);
	CHECK(calls.reply_caller == &client);
	CHECK(!client.reply_slot);
	cte_delete(&root[S_UT]);
	cte_delete(&root[S_IRQCTL]);
	CHECK_EQ(fake_calls(), 4);
}

static void test_delete_last_cnode_cap_deletes_its_contents(void)
{
	world_standard();
	mdb_insert(NULL, &sub[0], ep_cap(&eps[2], 0));
	derive(&root[S_EP], &sub[1]); /* a copy: not final, so no cancel for eps[0] */
	mdb_insert(NULL, &sub[SUB_SLOTS - 1], ntfn_cap(&ntfns[1], 0));
	CHECK_EQ(CNODE(CNODE_DELETE, S_SUB), E_OK);
	for (unsigned i = 0; i < SUB_SLOTS; i++)
		CHECK(slot_empty(&sub[i]));
	CHECK_EQ(calls.ep_cancels, 1);
	CHECK(calls.ep == &eps[2]);
	CHECK_EQ(calls.ntfn_cancels, 1);
	CHECK(!mdb_has_children(&root[S_EP]));
}

static void test_delete_of_non_final_cnode_cap_keeps_contents(void)
{
	world_standard();
	mdb_insert(NULL, &sub[0], ep_cap(&eps[2], 0));
	derive(&root[S_SUB], &root[20]);
	CHECK_EQ(CNODE(CNODE_DELETE, S_SUB), E_OK);
	CHECK_EQ(sub[0].cap.type, CAP_ENDPOINT);
	CHECK_EQ(calls.ep_cancels, 0);
}

/* root[20] -> nest[0] -> nest[1] -> ... -> nest[NEST-1], which holds an endpoint. */
static void test_deeply_nested_cnodes_are_deleted_completely(void)
{
	world_standard();
	put(20, cnode_cap(nest[0], 1, 0, 0));
	for (int i = 0; i + 1 < NEST; i++)
		mdb_insert(NULL, &nest[i][0], cnode_cap(nest[i + 1], 1, 0, 0));
	mdb_insert(NULL, &nest[NEST - 1][1], ep_cap(&eps[2], 0));
	CHECK_EQ(CNODE(CNODE_DELETE, 20), E_OK);
	for (int i = 0; i < NEST; i++)
		CHECK(slot_empty(&nest[i][0]) && slot_empty(&nest[i][1]));
	CHECK_EQ(calls.ep_cancels, 1);
	CHECK(calls.ep == &eps[2]);
	CHECK_EQ(nest[0][0].fin_next, 0); /* the deletion queue leaves no trace */
	CHECK_EQ(nest[0][0].fin_radix, 0);
}

/* A CNode holding its own only capability (retyped from an untyped) goes with a revoke. */
static void test_cnode_holding_its_own_last_cap_is_deleted_by_revoke(void)
{
	world_standard();
	mdb_insert(&root[S_UT], &nest[0][1], ep_cap(&eps[2], 0));
	mdb_insert(&root[S_UT], &nest[0][0], cnode_cap(nest[0], 1, 0, 0)); /* deleted first */
	CHECK_EQ(CNODE(CNODE_REVOKE, S_UT), E_OK);
	CHECK(slot_empty(&nest[0][0]) && slot_empty(&nest[0][1]));
	CHECK_EQ(calls.ep_cancels, 1);
	CHECK(!mdb_has_children(&root[S_UT]));
}

/* A TCB whose CSpace holds the only capability to the TCB: finalised once, all emptied. */
static void test_tcb_and_its_cspace_holding_each_other_are_deleted_once(void)
{
	world_standard();
	struct tcb *t = &client;
	cte_delete(&root[S_TCB]);
	cte_delete(&root[S_REPLY]);
	memset(&calls, 0, sizeof(calls));
	/* Inserted in reverse: the revoke deletes the TCB capability first. */
	mdb_insert(&root[S_UT], &t->slots[TCB_SLOT_CSPACE], cnode_cap(nest[0], 1, 0, 0));
	mdb_insert(&root[S_UT], &t->slots[TCB_SLOT_FAULT_EP], ep_cap(&eps[3], 0));
	mdb_insert(&root[S_UT], &nest[0][0], tcb_cap(t));
	CHECK_EQ(CNODE(CNODE_REVOKE, S_UT), E_OK);
	CHECK_EQ(calls.tcb_finalises, 1);
	CHECK_EQ(calls.ep_cancels, 1);
	CHECK(slot_empty(&nest[0][0]));
	for (int i = 0; i < TCB_SLOTS; i++)
		CHECK(slot_empty(&t->slots[i]));
	CHECK(!mdb_has_children(&root[S_UT]));
}

/* Revoking an untyped whose own slot is in a CNode retyped from it: the revoke ends when
 * that slot is emptied, and what was not reached stays, now with no parent. */
static void test_revoke_ends_when_its_own_slot_is_deleted(void)
{
	world_standard();
	struct cte *u = &nest[0][1];
	mdb_insert(NULL, u, untyped_cap(0xa0000000, 12));
	mdb_insert(u, &root[21], ep_cap(&eps[2], 0));
	mdb_insert(u, &root[20], cnode_cap(nest[0], 1, 0, 0)); /* u, root[20], root[21] */
	cte_revoke(u);
	CHECK(slot_empty(u));
	CHECK(slot_empty(&root[20]));
	CHECK_EQ(root[21].cap.type, CAP_ENDPOINT);
	CHECK_EQ(root[21].mdb_depth, 0);
	CHECK_EQ(calls.ep_cancels, 0);
}

/* The slot is emptied before the object is finalised: a finaliser that comes back to it
 * (here a TCB holding its own last capability) finds nothing to finalise again. */
static void test_finaliser_reaching_the_deleted_slot_finds_it_empty(void)
{
	world_standard();
	cte_delete(&root[S_TCB]);
	memset(&calls, 0, sizeof(calls));
	mdb_insert(NULL, &client.slots[TCB_SLOT_FAULT_EP], tcb_cap(&client));
	cte_delete(&client.slots[TCB_SLOT_FAULT_EP]);
	CHECK_EQ(calls.tcb_finalises, 1);
	CHECK(slot_empty(&client.slots[TCB_SLOT_FAULT_EP]));
}

static void test_object_finalise_of_cnode_empties_it(void)
{
	world_standard();
	mdb_insert(NULL, &sub[3], ep_cap(&eps[2], 0));
	struct cap c = cnode_cap(sub, SUB_RADIX, 0, 0);
	object_finalise(&c);
	CHECK(slot_empty(&sub[3]));
	CHECK_EQ(calls.ep_cancels, 1);
}

/* Save caller and identify */

static void test_save_caller_moves_the_reply_cap(void)
{
	world_standard();
	cte_delete(&root[S_REPLY]);
	memset(&calls, 0, sizeof(calls));
	mdb_insert(NULL, &thread.slots[TCB_SLOT_CALLER], reply_cap(&client));
	CHECK(client.reply_slot == &thread.slots[TCB_SLOT_CALLER]);
	CHECK_EQ(CNODE(CNODE_SAVE_CALLER, 20), E_OK);
	CHECK(slot_empty(&thread.slots[TCB_SLOT_CALLER]));
	CHECK_EQ(root[20].cap.type, CAP_REPLY);
	CHECK(client.reply_slot == &root[20]);
	CHECK_EQ(CNODE(CNODE_SAVE_CALLER, 21), E_STATE);
	CHECK_EQ(CNODE(CNODE_DELETE, 20), E_OK);
	CHECK_EQ(calls.reply_deletes, 1);
	CHECK(calls.reply_caller == &client);
}

static void test_identify_reports_type_rights_badge_object(void)
{
	world_standard();
	CHECK_EQ(CNODE(CNODE_MINT, 20, S_SELF, S_EP, RIGHT_WRITE, 77), E_OK);
	CHECK_EQ(CNODE(CNODE_IDENTIFY, 20), E_OK);
	CHECK_EQ(last_inv.nresults, 4);
	CHECK_EQ(mrs[0], CAP_ENDPOINT);
	CHECK_EQ(mrs[1], RIGHT_WRITE);
	CHECK_EQ(mrs[2], 77);
	CHECK_EQ(mrs[3], virt_to_phys(&eps[0]));
	CHECK_EQ(CNODE(CNODE_IDENTIFY, S_UT), E_OK);
	CHECK_EQ(mrs[0], CAP_UNTYPED);
	CHECK_EQ(mrs[2], 0);
	CHECK_EQ(mrs[3], 0x80000000);
	put(21, irq_cap(CAP_IRQ_HANDLER, 33));
	CHECK_EQ(CNODE(CNODE_IDENTIFY, 21), E_OK);
	CHECK_EQ(mrs[3], 33);
	CHECK_EQ(CNODE(CNODE_IDENTIFY, S_EMPTY), E_OK);
	CHECK_EQ(mrs[0], CAP_NULL);
	CHECK_EQ(mrs[1] | mrs[2] | mrs[3], 0);
}

/* Every error of every label, each leaving the world as it was. */
struct error_case {
	const char *what;
	uint64_t label;
	unsigned nargs;
	uint64_t args[5];
	int err;
};

static const struct error_case error_cases[] = {
	{ "copy: short message", CNODE_COPY, 3, { 20, S_SELF, S_EP }, E_MSGSIZE },
	{ "copy: unknown rights bit", CNODE_COPY, 4, { 20, S_SELF, S_EP, 0x10 }, E_INVAL },
	{ "copy: dest index out of range",
	  CNODE_COPY,
	  4,
	  { ROOT_SLOTS, S_SELF, S_EP, 1 },
	  E_RANGE },
	{ "copy: src cnode does not resolve", CNODE_COPY, 4, { 20, 1ull << 60, 0, 1 }, E_LOOKUP },
	{ "copy: src cnode slot empty", CNODE_COPY, 4, { 20, S_EMPTY, 0, 1 }, E_NOCAP },
	{ "copy: src cnode not a cnode", CNODE_COPY, 4, { 20, S_EP, 0, 1 }, E_TYPE },
	{ "copy: src index out of range", CNODE_COPY, 4, { 20, S_SUB, SUB_SLOTS, 1 }, E_RANGE },
	{ "copy: src empty", CNODE_COPY, 4, { 20, S_SELF, S_EMPTY, 1 }, E_NOCAP },
	{ "copy: src is dest", CNODE_COPY, 4, { S_EP, S_SELF, S_EP, 1 }, E_INVAL },
	{ "copy: dest occupied", CNODE_COPY, 4, { S_NTFN, S_SELF, S_EP, 1 }, E_DELETE_FIRST },
	{ "copy: reply cap", CNODE_COPY, 4, { 20, S_SELF, S_REPLY, 1 }, E_TYPE },
	{ "copy: irq control", CNODE_COPY, 4, { 20, S_SELF, S_IRQCTL, 1 }, E_TYPE },
	{ "copy: untyped with children", CNODE_COPY, 4, { 20, S_SELF, S_UT_PARENT, 1 }, E_TYPE },
	{ "mint: short message", CNODE_MINT, 4, { 20, S_SELF, S_EP, 1 }, E_MSGSIZE },
	{ "mint: unknown rights bit", CNODE_MINT, 5, { 20, S_SELF, S_EP, 0x100, 1 }, E_INVAL },
	{ "mint: dest index out of range", CNODE_MINT, 5, { 999, S_SELF, S_EP, 1, 1 }, E_RANGE },
	{ "mint: src cnode does not resolve", CNODE_MINT, 5, { 20, ~0ull, 0, 1, 1 }, E_LOOKUP },
	{ "mint: src empty", CNODE_MINT, 5, { 20, S_SELF, S_EMPTY, 1, 1 }, E_NOCAP },
	{ "mint: src cnode not a cnode", CNODE_MINT, 5, { 20, S_UT, 0, 1, 1 }, E_TYPE },
	{ "mint: src is dest", CNODE_MINT, 5, { S_EP, S_SELF, S_EP, 1, 1 }, E_INVAL },
	{ "mint: dest occupied", CNODE_MINT, 5, { S_UT, S_SELF, S_EP, 1, 1 }, E_DELETE_FIRST },
	{ "mint: rebadge", CNODE_MINT, 5, { 20, S_SELF, S_NTFN, 1, 9 }, E_INVAL },
	{ "mint: reply cap", CNODE_MINT, 5, { 20, S_SELF, S_REPLY, 1, 9 }, E_TYPE },
	{ "mint: untyped with children", CNODE_MINT, 5, { 20, S_SELF, S_UT_PARENT, 1, 0 }, E_TYPE },
	{ "move: short message", CNODE_MOVE, 2, { 20, S_SELF }, E_MSGSIZE },
	{ "move: dest index out of range", CNODE_MOVE, 3, { 1ull << 40, S_SELF, S_EP }, E_RANGE },
	{ "move: src cnode does not resolve", CNODE_MOVE, 3, { 20, 1ull << 8, S_EP }, E_LOOKUP },
	{ "move: src cnode not a cnode", CNODE_MOVE, 3, { 20, S_TCB, 0 }, E_TYPE },
	{ "move: src index out of range", CNODE_MOVE, 3, { 20, S_SUB, 16 }, E_RANGE },
	{ "move: src empty", CNODE_MOVE, 3, { 20, S_SUB, 0 }, E_NOCAP },
	{ "move: src is dest", CNODE_MOVE, 3, { S_TCB, S_SELF, S_TCB }, E_INVAL },
	{ "move: dest occupied", CNODE_MOVE, 3, { S_TCB, S_SELF, S_EP }, E_DELETE_FIRST },
	{ "mutate: short message", CNODE_MUTATE, 3, { 20, S_SELF, S_EP }, E_MSGSIZE },
	{ "mutate: dest index out of range", CNODE_MUTATE, 4, { 256, S_SELF, S_EP, 1 }, E_RANGE },
	{ "mutate: src cnode does not resolve",
	  CNODE_MUTATE,
	  4,
	  { 20, 3ull << 56, 0, 1 },
	  E_LOOKUP },
	{ "mutate: src cnode not a cnode", CNODE_MUTATE, 4, { 20, S_NTFN, 0, 1 }, E_TYPE },
	{ "mutate: src empty", CNODE_MUTATE, 4, { 20, S_SELF, 200, 1 }, E_NOCAP },
	{ "mutate: src is dest", CNODE_MUTATE, 4, { S_EP, S_SELF, S_EP, 1 }, E_INVAL },
	{ "mutate: dest occupied", CNODE_MUTATE, 4, { S_UT, S_SELF, S_EP, 1 }, E_DELETE_FIRST },
	{ "mutate: not an endpoint", CNODE_MUTATE, 4, { 20, S_SELF, S_TCB, 1 }, E_TYPE },
	{ "mutate: rebadge", CNODE_MUTATE, 4, { 20, S_SELF, S_NTFN, 3 }, E_INVAL },
	{ "delete: short message", CNODE_DELETE, 0, { 0 }, E_MSGSIZE },
	{ "delete: index out of range", CNODE_DELETE, 1, { ROOT_SLOTS }, E_RANGE },
	{ "revoke: short message", CNODE_REVOKE, 0, { 0 }, E_MSGSIZE },
	{ "revoke: index out of range", CNODE_REVOKE, 1, { ~0ull }, E_RANGE },
	{ "save caller: short message", CNODE_SAVE_CALLER, 0, { 0 }, E_MSGSIZE },
	{ "save caller: index out of range", CNODE_SAVE_CALLER, 1, { ROOT_SLOTS }, E_RANGE },
	{ "save caller: slot occupied", CNODE_SAVE_CALLER, 1, { S_EP }, E_DELETE_FIRST },
	{ "save caller: no caller", CNODE_SAVE_CALLER, 1, { 20 }, E_STATE },
	{ "identify: short message", CNODE_IDENTIFY, 0, { 0 }, E_MSGSIZE },
	{ "identify: index out of range", CNODE_IDENTIFY, 1, { ROOT_SLOTS }, E_RANGE },
	{ "unknown label", 99, 1, { 0 }, E_LABEL },
	{ "untyped label on a cnode", UNTYPED_RETYPE, 5, { 0 }, E_LABEL },
};

static void test_every_error_changes_nothing(void)
{
	for (size_t i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++) {
		const struct error_case *c = &error_cases[i];
		world_standard();
		snapshot();
		int err = invoke_on(&thread.slots[TCB_SLOT_CSPACE], c->label, c->args, c->nargs);
		if (err != c->err || !unchanged())
			fprintf(stderr, "error case \"%s\": got %s, want %s%s\n", c->what,
				mica_strerror(err), mica_strerror(c->err),
				unchanged() ? "" : ", state changed");
		CHECK_EQ(err, c->err);
		CHECK(unchanged());
	}
}

static void test_invocation_on_a_non_cnode_is_refused(void)
{
	world_standard();
	snapshot();
	CHECK_EQ(invoke_on(&root[S_EP], CNODE_DELETE, ARGS(S_EP)), E_TYPE);
	CHECK(unchanged());
}

/* clang-format off */
#define TEST(name) { #name, test_##name }
/* clang-format on */

int main(void)
{
	static const struct check_test tests[] = {
		TEST(lookup_single_level_cptr_is_the_index),
		TEST(lookup_two_levels_with_guards),
		TEST(lookup_guard_mismatch_fails),
		TEST(lookup_bits_left_at_a_non_cnode_fails),
		TEST(lookup_level_wider_than_bits_left_fails),
		TEST(lookup_cnode_resolving_no_bits_fails),
		TEST(lookup_without_cnode_root_fails),
		TEST(lookup_cap_of_empty_slot_is_nocap),
		TEST(lookup_index_checks_type_and_range),
		TEST(insert_puts_child_after_parent_one_deeper),
		TEST(root_insert_is_depth_zero_and_first_in_the_list),
		TEST(move_keeps_place_and_depth),
		TEST(move_of_reply_cap_follows_the_caller),
		TEST(final_only_without_copies_next_to_it),
		TEST(untyped_split_at_same_address_is_another_object),
		TEST(delete_moves_children_up_to_the_parent),
		TEST(copy_masks_rights_and_derives_a_child),
		TEST(copy_into_and_from_another_cnode),
		TEST(copy_refuses_reply_irq_control_and_untyped),
		TEST(mint_badges_an_endpoint),
		TEST(mint_refuses_to_rebadge),
		TEST(mint_badge_is_ignored_for_other_types),
		TEST(mint_of_a_cnode_sets_its_guard),
		TEST(move_empties_the_source),
		TEST(mutate_badges_while_moving),
		TEST(revoke_removes_children_and_grandchildren_not_siblings),
		TEST(revoke_of_long_copy_chain),
		TEST(delete_final_endpoint_cancels_once),
		TEST(delete_final_caps_of_each_type_finalises),
		TEST(delete_last_cnode_cap_deletes_its_contents),
		TEST(delete_of_non_final_cnode_cap_keeps_contents),
		TEST(deeply_nested_cnodes_are_deleted_completely),
		TEST(cnode_holding_its_own_last_cap_is_deleted_by_revoke),
		TEST(tcb_and_its_cspace_holding_each_other_are_deleted_once),
		TEST(revoke_ends_when_its_own_slot_is_deleted),
		TEST(finaliser_reaching_the_deleted_slot_finds_it_empty),
		TEST(object_finalise_of_cnode_empties_it),
		TEST(save_caller_moves_the_reply_cap),
		TEST(identify_reports_type_rights_badge_object),
		TEST(every_error_changes_nothing),
		TEST(invocation_on_a_non_cnode_is_refused),
		{ NULL, NULL },
	};
	return check_main(tests);
}
