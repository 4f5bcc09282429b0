/*
 * CNode invocations, the derivation tree and capability addressing (kernel-api-cnode.md).
 */
#include "ktest.h"

/* A copy without WRITE has the masked rights, and sending through it fails. */
static void copy_without_write_cannot_send(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	cptr_t ro = kt_copy(ep, RIGHT_READ | RIGHT_GRANT);
	CHECK_EQ(kt_identify(ro).rights, RIGHT_READ | RIGHT_GRANT);
	struct mica_msg m = kt_msg(1, 0, NULL);
	CHECK_ERR(mica_nbsend(ro, &m), E_RIGHTS);
}

/* Rights never grow: copying a read-only copy with all rights stays read-only. */
static void copy_cannot_add_rights(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	cptr_t ro = kt_copy(ep, RIGHT_READ);
	cptr_t again = kt_copy(ro, RIGHTS_ALL);
	CHECK_EQ(kt_identify(again).rights, RIGHT_READ);
}

/* Mint badges the copy; identify shows type, all rights, the badge and the same object. */
static void mint_sets_badge(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	cptr_t b = kt_mint(ep, RIGHTS_ALL, 0x1234);
	struct mica_cap_info i = kt_identify(b);
	CHECK_EQ(i.type, CAP_ENDPOINT);
	CHECK_EQ(i.rights, RIGHTS_ALL);
	CHECK_EQ(i.badge, 0x1234);
	CHECK_EQ(i.paddr, kt_identify(ep).paddr);
	CHECK_EQ(kt_identify(ep).badge, 0);
}

/* A badge is set once: minting a badged capability with another badge is E_INVAL. */
static void mint_of_badged_cap_with_new_badge_is_inval(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	cptr_t b = kt_mint(ep, RIGHTS_ALL, 0x10);
	cptr_t dest = kt_slot();
	CHECK_ERR(mica_cnode_mint(SLOT_INIT_CNODE, dest, SLOT_INIT_CNODE, b, RIGHTS_ALL, 0x20),
		  E_INVAL);
	CHECK_EQ(kt_identify(dest).type, CAP_NULL);
}

static volatile int badge_send_err = 1;

static void send_once(uint64_t ep)
{
	struct mica_msg m = kt_msg(0x5, 1, (const uint64_t[]){ 0xabc });
	badge_send_err = mica_send(ep, &m);
}

/* A message sent through a minted capability arrives with its badge in x0. */
static void badge_arrives_at_receiver(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	cptr_t b = kt_mint(ep, RIGHT_WRITE, 0xb0b);
	struct kt_thread t;
	REQUIRE_OK(kt_spawn(&t, 100, false, send_once, b));
	kt_settle();
	struct mica_msg m;
	uint64_t badge = 0;
	uint64_t info = mica_nbrecv(ep, &m, &badge);
	CHECK_OK(mica_msg_error(info));
	CHECK_EQ(badge, 0xb0b);
	CHECK_EQ(m.label, 0x5);
	CHECK_EQ(m.mr[0], 0xabc);
	kt_settle();
	CHECK_OK(badge_send_err);
}

/* Move empties the source; the capability keeps its object and badge and still works. */
static void move_empties_source(void)
{
	cptr_t n = kt_new(OBJ_NOTIFICATION, 0);
	cptr_t b = kt_mint(n, RIGHTS_ALL, 0x8);
	cptr_t dest = kt_slot();
	CHECK_OK(mica_cnode_move(SLOT_INIT_CNODE, dest, SLOT_INIT_CNODE, b));
	CHECK_EQ(kt_identify(b).type, CAP_NULL);
	struct mica_cap_info i = kt_identify(dest);
	CHECK_EQ(i.type, CAP_NOTIFICATION);
	CHECK_EQ(i.badge, 0x8);
	CHECK_EQ(i.paddr, kt_identify(n).paddr);
	CHECK_OK(kt_signal(dest));
	int err;
	CHECK_EQ(kt_poll(n, &err), 0x8);
	CHECK_OK(err);
}

/* Mutate moves an unbadged endpoint capability and sets its badge. */
static void mutate_moves_and_sets_badge(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	cptr_t c = kt_copy(ep, RIGHTS_ALL);
	cptr_t dest = kt_slot();
	CHECK_OK(mica_cnode_mutate(SLOT_INIT_CNODE, dest, SLOT_INIT_CNODE, c, 0x77));
	CHECK_EQ(kt_identify(c).type, CAP_NULL);
	struct mica_cap_info i = kt_identify(dest);
	CHECK_EQ(i.type, CAP_ENDPOINT);
	CHECK_EQ(i.badge, 0x77);
	CHECK_EQ(i.paddr, kt_identify(ep).paddr);
}

/* Delete empties the slot; the object lives on through its other capability. */
static void delete_empties_slot(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	cptr_t c = kt_copy(ep, RIGHTS_ALL);
	CHECK_OK(mica_cnode_delete(SLOT_INIT_CNODE, c));
	CHECK_EQ(kt_identify(c).type, CAP_NULL);
	CHECK_EQ(kt_identify(ep).type, CAP_ENDPOINT);
	struct mica_msg m = kt_msg(1, 0, NULL);
	CHECK_ERR(mica_nbsend(ep, &m), E_WOULDBLOCK); /* still an endpoint, nobody waits */
}

/*
 * The tree used by the two revoke tests: P (an endpoint), C = mint of P (badge 5),
 * G = copy of C (grandchild), S = mint of P (badge 6, C's sibling).
 */
struct family {
	cptr_t p, c, g, s;
};

static struct family make_family(void)
{
	struct family f;
	f.p = kt_new(OBJ_ENDPOINT, 0);
	f.c = kt_mint(f.p, RIGHTS_ALL, 5);
	f.g = kt_copy(f.c, RIGHTS_ALL);
	f.s = kt_mint(f.p, RIGHTS_ALL, 6);
	return f;
}

/* Revoking C deletes its child G; C itself, its sibling S and its parent P stay. */
static void revoke_removes_descendants_not_siblings(void)
{
	struct family f = make_family();
	CHECK_EQ(kt_identify(f.g).badge, 5);
	CHECK_OK(mica_cnode_revoke(SLOT_INIT_CNODE, f.c));
	CHECK_EQ(kt_identify(f.g).type, CAP_NULL);
	CHECK_EQ(kt_identify(f.c).type, CAP_ENDPOINT);
	CHECK_EQ(kt_identify(f.c).badge, 5);
	CHECK_EQ(kt_identify(f.s).type, CAP_ENDPOINT);
	CHECK_EQ(kt_identify(f.s).badge, 6);
	CHECK_EQ(kt_identify(f.p).type, CAP_ENDPOINT);
}

/* Revoking P deletes its minted children and grandchild; P stays. */
static void revoke_removes_children_and_grandchildren(void)
{
	struct family f = make_family();
	CHECK_OK(mica_cnode_revoke(SLOT_INIT_CNODE, f.p));
	CHECK_EQ(kt_identify(f.c).type, CAP_NULL);
	CHECK_EQ(kt_identify(f.g).type, CAP_NULL);
	CHECK_EQ(kt_identify(f.s).type, CAP_NULL);
	CHECK_EQ(kt_identify(f.p).type, CAP_ENDPOINT);
}

/* Deleting a middle capability keeps its children, now under its parent: revoke P gets G. */
static void delete_keeps_children_under_parent(void)
{
	struct family f = make_family();
	CHECK_OK(mica_cnode_delete(SLOT_INIT_CNODE, f.c));
	CHECK_EQ(kt_identify(f.g).type, CAP_ENDPOINT);
	CHECK_OK(mica_cnode_revoke(SLOT_INIT_CNODE, f.p));
	CHECK_EQ(kt_identify(f.g).type, CAP_NULL);
}

/* Identify: type, rights, badge 0 and the physical address of the first object (the test
 * untyped's base); an empty slot is CAP_NULL with every result 0. */
static void identify_reports_type_rights_badge_paddr(void)
{
	cptr_t n = kt_new(OBJ_NOTIFICATION, 0);
	struct mica_cap_info i = kt_identify(n);
	CHECK_EQ(i.type, CAP_NOTIFICATION);
	CHECK_EQ(i.rights, RIGHTS_ALL);
	CHECK_EQ(i.badge, 0);
	CHECK_EQ(i.paddr, kt_test_untyped_paddr());
	struct mica_cap_info e = kt_identify(kt_slot());
	CHECK_EQ(e.type, CAP_NULL);
	CHECK_EQ(e.rights, 0);
	CHECK_EQ(e.badge, 0);
	CHECK_EQ(e.paddr, 0);
}

/* Identify of the root task's fixed capabilities. */
static void identify_root_capabilities(void)
{
	CHECK_EQ(kt_identify(SLOT_INIT_TCB).type, CAP_TCB);
	CHECK_EQ(kt_identify(SLOT_INIT_CNODE).type, CAP_CNODE);
	CHECK_EQ(kt_identify(SLOT_INIT_VSPACE).type, CAP_VSPACE);
	CHECK_EQ(kt_identify(SLOT_IRQ_CONTROL).type, CAP_IRQ_CONTROL);
	CHECK_EQ(kt_identify(SLOT_IRQ_CONTROL).paddr, 0);
	CHECK_EQ(kt_identify(SLOT_IPC_BUFFER).type, CAP_FRAME);
	CHECK_EQ(kt_identify(SLOT_BOOTINFO).type, CAP_FRAME);
	CHECK_EQ(kt_identify(SLOT_BOOTINFO).rights, RIGHT_READ);
	const struct untyped_desc *u = &kt_bootinfo->untyped_list[0];
	struct mica_cap_info ut = kt_identify(kt_bootinfo->untyped.start);
	CHECK_EQ(ut.type, CAP_UNTYPED);
	CHECK_EQ(ut.paddr, u->paddr);
}

/*
 * Two-level CSpace for a helper thread. Its root is CNode A (radix 8) minted with a 44-bit
 * guard of 0; A[5] holds CNode B (radix 4) minted with the 8-bit guard 0xa5. A cptr is
 *     63..20 guard of A (0) | 19..12 index in A | 11..4 guard of B | 3..0 index in B
 * B[1] holds the helper's TCB, B[2] a capability to B itself, B[3] a notification
 * badged 0x40.
 */
#define L2_A_GUARD_BITS       44
#define L2_B_GUARD            0xa5u
#define L2_CPTR(guard, index) (((uint64_t)5 << 12) | ((uint64_t)(guard) << 4) | (index))

static volatile int l2_err_ok = 1, l2_err_bad_guard = 1, l2_err_empty = 1, l2_err_no_cnode = 1;
static volatile int l2_err_identify = 1;
static volatile struct mica_cap_info l2_identified;

static void l2_helper(uint64_t arg)
{
	(void)arg;
	struct mica_msg m = kt_msg(0, 0, NULL);
	l2_err_bad_guard = mica_send(L2_CPTR(0x5a, 3), &m);
	l2_err_empty = mica_send(L2_CPTR(L2_B_GUARD, 7), &m);
	l2_err_no_cnode = mica_send(((uint64_t)6 << 12) | (L2_B_GUARD << 4) | 3, &m);
	struct mica_cap_info i = { 0 };
	l2_err_identify = mica_cnode_identify(L2_CPTR(L2_B_GUARD, 2), 3, &i);
	l2_identified = i;
	l2_err_ok = mica_send(L2_CPTR(L2_B_GUARD, 3), &m);
}

/* Builds the CSpace above, runs the helper in it and returns the root's notification. */
static cptr_t run_two_level_helper(void)
{
	cptr_t a = kt_new(OBJ_CNODE, 8), b = kt_new(OBJ_CNODE, 4);
	cptr_t n = kt_new(OBJ_NOTIFICATION, 0);
	struct kt_thread t;
	struct kt_thread_opts o = { .prio = 100, .self = L2_CPTR(L2_B_GUARD, 1) };
	cptr_t a_root = kt_slot();
	if (!CHECK_OK(mica_cnode_mint(SLOT_INIT_CNODE, a_root, SLOT_INIT_CNODE, a, RIGHTS_ALL,
				      L2_A_GUARD_BITS)))
		return 0;
	o.cspace = a_root;
	if (!CHECK_OK(
		mica_cnode_mint(a, 5, SLOT_INIT_CNODE, b, RIGHTS_ALL, 8 | (L2_B_GUARD << 6))) ||
	    !CHECK_OK(mica_cnode_mint(b, 3, SLOT_INIT_CNODE, n, RIGHTS_ALL, 0x40)) ||
	    !CHECK_OK(mica_cnode_copy(b, 2, SLOT_INIT_CNODE, b, RIGHTS_ALL)) ||
	    kt_thread_new(&t, &o) ||
	    !CHECK_OK(mica_cnode_copy(b, 1, SLOT_INIT_CNODE, t.tcb, RIGHTS_ALL)) ||
	    kt_thread_start(&t, l2_helper, 0))
		return 0;
	kt_settle();
	return n;
}

/* A two-level cptr whose guards and indices match names the capability in the second CNode. */
static void two_level_cptr_reaches_second_cnode(void)
{
	l2_err_ok = l2_err_empty = 1;
	cptr_t n = run_two_level_helper();
	REQUIRE(n != 0);
	CHECK_OK(l2_err_ok);
	int err;
	CHECK_EQ(kt_poll(n, &err), 0x40);
	CHECK_ERR(l2_err_empty, E_NOCAP);
}

/* An invocation through a two-level cptr: CNODE_IDENTIFY on B, named as B[2]. */
static void two_level_cptr_invokes_cnode(void)
{
	l2_err_identify = 1;
	REQUIRE(run_two_level_helper() != 0);
	CHECK_OK(l2_err_identify);
	CHECK_EQ(l2_identified.type, CAP_NOTIFICATION);
	CHECK_EQ(l2_identified.badge, 0x40);
}

/* A wrong guard in the second level fails the lookup. */
static void two_level_wrong_guard_is_lookup_error(void)
{
	l2_err_bad_guard = 1;
	REQUIRE(run_two_level_helper() != 0);
	CHECK_ERR(l2_err_bad_guard, E_LOOKUP);
}

/* Bits left over at an empty first-level slot (no CNode to go on in) fail the lookup. */
static void two_level_missing_cnode_is_lookup_error(void)
{
	l2_err_no_cnode = 1;
	REQUIRE(run_two_level_helper() != 0);
	CHECK_ERR(l2_err_no_cnode, E_LOOKUP);
}

static volatile int waiter_err;

static void recv_record_err(uint64_t ep)
{
	struct mica_msg m;
	waiter_err = mica_msg_error(mica_recv(ep, &m, NULL));
}

/* Deleting the last capability to a CNode deletes what it holds: here the last capability
 * to an endpoint, whose waiter wakes with E_DELETED. */
static void delete_last_cnode_cap_deletes_contents(void)
{
	cptr_t cn = kt_new(OBJ_CNODE, 2);
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	struct kt_thread t;
	waiter_err = 1;
	REQUIRE_OK(kt_spawn(&t, 100, false, recv_record_err, ep));
	kt_settle();
	REQUIRE_OK(mica_cnode_move(cn, 1, SLOT_INIT_CNODE, ep));
	kt_settle();
	CHECK_EQ(waiter_err, 1); /* moving is not deleting */
	CHECK_OK(mica_cnode_delete(SLOT_INIT_CNODE, cn));
	kt_settle();
	CHECK_ERR(waiter_err, E_DELETED);
}

#define CHAIN_LENGTH 64

/*
 * A chain of CNodes, each holding the last capability to the next, the last one holding
 * the last capability to an endpoint: deleting the first finalises them all, however deep
 * (the endpoint's waiter wakes with E_DELETED).
 */
static void delete_deep_cnode_chain_finalises_all(void)
{
	cptr_t cn[CHAIN_LENGTH];
	for (unsigned i = 0; i < CHAIN_LENGTH; i++)
		cn[i] = kt_new(OBJ_CNODE, 1);
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	struct kt_thread t;
	waiter_err = 1;
	REQUIRE_OK(kt_spawn(&t, 100, false, recv_record_err, ep));
	kt_settle();
	REQUIRE_OK(mica_cnode_move(cn[CHAIN_LENGTH - 1], 1, SLOT_INIT_CNODE, ep));
	for (unsigned i = CHAIN_LENGTH - 1; i > 0; i--)
		REQUIRE_OK(mica_cnode_move(cn[i - 1], 0, SLOT_INIT_CNODE, cn[i]));
	kt_settle();
	CHECK_EQ(waiter_err, 1);
	CHECK_OK(mica_cnode_delete(SLOT_INIT_CNODE, cn[0]));
	kt_settle();
	CHECK_ERR(waiter_err, E_DELETED);
}

/* Minting a CNode capability whose guard and radix would take more than 64 bits: E_INVAL. */
static void mint_cnode_guard_too_wide_is_inval(void)
{
	cptr_t a = kt_new(OBJ_CNODE, 8);
	cptr_t dest = kt_slot();
	CHECK_ERR(mica_cnode_mint(SLOT_INIT_CNODE, dest, SLOT_INIT_CNODE, a, RIGHTS_ALL, 57),
		  E_INVAL);
	CHECK_EQ(kt_identify(dest).type, CAP_NULL);
}

static const struct ktest tests[] = {
	{ "cnode_copy_without_write_cannot_send", copy_without_write_cannot_send },
	{ "cnode_copy_cannot_add_rights", copy_cannot_add_rights },
	{ "cnode_mint_sets_badge", mint_sets_badge },
	{ "cnode_mint_of_badged_cap_with_new_badge_is_inval",
	  mint_of_badged_cap_with_new_badge_is_inval },
	{ "cnode_badge_arrives_at_receiver", badge_arrives_at_receiver },
	{ "cnode_move_empties_source", move_empties_source },
	{ "cnode_mutate_moves_and_sets_badge", mutate_moves_and_sets_badge },
	{ "cnode_delete_empties_slot", delete_empties_slot },
	{ "cnode_revoke_removes_descendants_not_siblings",
	  revoke_removes_descendants_not_siblings },
	{ "cnode_revoke_removes_children_and_grandchildren",
	  revoke_removes_children_and_grandchildren },
	{ "cnode_delete_keeps_children_under_parent", delete_keeps_children_under_parent },
	{ "cnode_identify_reports_type_rights_badge_paddr",
	  identify_reports_type_rights_badge_paddr },
	{ "cnode_identify_root_capabilities", identify_root_capabilities },
	{ "cspace_two_level_cptr_reaches_second_cnode", two_level_cptr_reaches_second_cnode },
	{ "cspace_two_level_cptr_invokes_cnode", two_level_cptr_invokes_cnode },
	{ "cspace_two_level_wrong_guard_is_lookup_error", two_level_wrong_guard_is_lookup_error },
	{ "cspace_two_level_missing_cnode_is_lookup_error",
	  two_level_missing_cnode_is_lookup_error },
	{ "cnode_delete_last_cnode_cap_deletes_contents", delete_last_cnode_cap_deletes_contents },
	{ "cnode_delete_deep_cnode_chain_finalises_all", delete_deep_cnode_chain_finalises_all },
	{ "cnode_mint_cnode_guard_too_wide_is_inval", mint_cnode_guard_too_wide_is_inval },
};

const struct ktest_suite kt_suite_cspace = KT_SUITE(tests);
