/*
 * The kernel self-audit (SYS_DEBUG_AUDIT, debug builds): on rich real state (CNodes,
 * copies, untyped children, address spaces with ASIDs and mappings, threads blocked on
 * endpoints, notifications and replies) it looks at more and finds nothing wrong; on the
 * two kernel defects that can still be provoked from user space it agrees with what the
 * kernel itself reports. Every other test is followed by an audit too (ktest.c, kt_run).
 * tests/unit/test_audit.c plants every other kind of violation and checks the report.
 */
#include <stdio.h>

#include "kt_as.h"
#include "ktest.h"

static void idle_fn(uint64_t arg)
{
	(void)arg;
}

/* With threads queued at several priorities below the root's, the audit walks them (its
 * count grows) and finds nothing wrong. */
static void audit_checks_queued_threads(void)
{
	struct kt_thread t[3];
	unsigned before, after;
	CHECK_EQ(mica_debug_audit(&before), 0);
	for (unsigned i = 0; i < 3; i++) {
		struct kt_thread_opts o = { .prio = 10 + i };
		REQUIRE_OK(kt_thread_new(&t[i], &o));
		REQUIRE_OK(kt_thread_start(&t[i], idle_fn, 0));
	}
	CHECK_EQ(mica_debug_audit(&after), 0);
	CHECK(after >= before + 3);
}

/* A CNode holding copies and mints of endpoints, a child untyped with objects of every
 * kind retyped from it: every new slot is one more entry checked, none a violation. */
static void audit_checks_cnodes_copies_and_untyped_children(void)
{
	unsigned before, after;
	CHECK_EQ(mica_debug_audit(&before), 0);
	cptr_t cn = kt_new(OBJ_CNODE, 4), ep = kt_new(OBJ_ENDPOINT, 0);
	cptr_t ut = kt_new(OBJ_UNTYPED, 16);
	REQUIRE(cn && ep && ut);
	for (unsigned i = 0; i < 4; i++)
		REQUIRE_OK(mica_cnode_mint(cn, i, SLOT_INIT_CNODE, ep, RIGHTS_ALL, 100 + i));
	REQUIRE_OK(mica_cnode_copy(cn, 4, cn, 0, RIGHT_WRITE));
	REQUIRE(kt_copy(ep, RIGHT_READ));
	static const unsigned types[] = { OBJ_ENDPOINT, OBJ_NOTIFICATION, OBJ_TCB,    OBJ_CNODE,
					  OBJ_FRAME_4K, OBJ_PAGE_TABLE,   OBJ_VSPACE, OBJ_UNTYPED };
	for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		unsigned bits = types[i] == OBJ_CNODE ? 2 : types[i] == OBJ_UNTYPED ? 12 : 0;
		REQUIRE(kt_new_in(ut, types[i], bits));
	}
	CHECK_EQ(mica_debug_audit(&after), 0);
	CHECK(after >= before + 3 + 6 + 8); /* three objects, six copies, eight children */
}

/* A fresh address space with an ASID (four tables, the image, two private pages) and two
 * more tables (L2, L3) and a frame mapped into it: the audit walks its tables and finds its
 * counters, its capabilities and its entries in agreement. */
static void audit_checks_address_spaces(void)
{
	struct kt_as as;
	unsigned before, after;
	CHECK_EQ(mica_debug_audit(&before), 0);
	REQUIRE_OK(kt_as_new(&as, 0, SLOT_INIT_ASID_POOL));
	cptr_t l2 = kt_new(OBJ_PAGE_TABLE, 0), l3 = kt_new(OBJ_PAGE_TABLE, 0);
	cptr_t f = kt_new(OBJ_FRAME_4K, 0);
	REQUIRE(l2 && l3 && f);
	REQUIRE_OK(mica_page_table_map(l2, as.vspace, KT_SPACE_VA, NULL));
	REQUIRE_OK(mica_page_table_map(l3, as.vspace, KT_SPACE_VA, NULL));
	REQUIRE_OK(mica_frame_map(f, as.vspace, KT_SPACE_VA, KT_RW));
	CHECK_EQ(mica_debug_audit(&after), 0);
	/* Its entry, 6 tables and the mapped pages walked, besides its capabilities. */
	CHECK(after >= before + 1 + 6 + kt_as_mapped_pages() + 1);
}

static void recv_fn(uint64_t ep)
{
	uint64_t badge;
	struct mica_msg m;
	mica_recv(ep, &m, &badge);
}

static void send_fn(uint64_t ep)
{
	struct mica_msg m = kt_msg(1, 0, NULL);
	mica_send(ep, &m);
}

static void call_fn(uint64_t ep)
{
	struct mica_msg m = kt_msg(2, 0, NULL);
	mica_call(ep, &m);
}

/* Takes one call on the endpoint in the low half of `arg`, then waits on the notification
 * in the high half, holding the caller's reply right. */
static void serve_then_wait_fn(uint64_t arg)
{
	uint64_t badge;
	struct mica_msg m;
	int err;
	mica_recv(arg & 0xffffffff, &m, &badge);
	kt_wait(arg >> 32, &err);
}

/* Threads blocked receiving, sending (two, queued in order), calling (waiting for the
 * reply) and on a notification (holding that reply right): every queue is walked. */
static void audit_checks_blocked_threads(void)
{
	struct kt_thread t[5];
	unsigned before, after;
	cptr_t rx = kt_new(OBJ_ENDPOINT, 0), tx = kt_new(OBJ_ENDPOINT, 0);
	cptr_t srv = kt_new(OBJ_ENDPOINT, 0), ntfn = kt_new(OBJ_NOTIFICATION, 0);
	REQUIRE(rx && tx && srv && ntfn);
	CHECK_EQ(mica_debug_audit(&before), 0);
	REQUIRE_OK(kt_spawn(&t[0], 100, false, recv_fn, rx));
	REQUIRE_OK(kt_spawn(&t[1], 100, false, send_fn, tx));
	REQUIRE_OK(kt_spawn(&t[2], 100, false, send_fn, tx));
	REQUIRE_OK(kt_spawn(&t[3], 100, true, serve_then_wait_fn, srv | (uint64_t)ntfn << 32));
	REQUIRE_OK(kt_spawn(&t[4], 100, false, call_fn, srv));
	kt_settle();
	CHECK_EQ(mica_debug_audit(&after), 0);
	/* Five more TCBs and their slots, and the four queued threads walked again. */
	CHECK(after >= before + 5 + 4);
}

/*
 * A known defect: a copy of an unassigned VSpace capability can be given an ASID of its
 * own, so one VSpace gets two. Either the kernel refuses the second ASID, or the audit
 * reports exactly that violation. Deleting the pool frees both entries again.
 */
static void audit_catches_a_vspace_with_two_asids(void)
{
	uint64_t base, a1 = 0, a2 = 0;
	cptr_t ut = kt_new(OBJ_UNTYPED, ASID_POOL_BITS), pool = kt_slot();
	cptr_t vs = kt_new(OBJ_VSPACE, 0);
	REQUIRE(ut && pool && vs);
	REQUIRE_OK(
	    mica_asid_control_make_pool(SLOT_ASID_CONTROL, ut, SLOT_INIT_CNODE, pool, &base));
	cptr_t copy = kt_slot();
	REQUIRE(copy);
	int copied = mica_cnode_copy(SLOT_INIT_CNODE, copy, SLOT_INIT_CNODE, vs, RIGHTS_ALL);
	REQUIRE_OK(mica_asid_pool_assign(pool, vs, &a1));
	bool two = copied == E_OK && mica_asid_pool_assign(pool, copy, &a2) == E_OK;
	printf("ktest: audit: second ASID for one VSpace %s\n", two ? "given" : "refused");
	CHECK_EQ(mica_debug_audit(NULL), two ? 1 : 0);
	REQUIRE_OK(mica_cnode_delete(SLOT_INIT_CNODE, pool));
	CHECK_EQ(mica_debug_audit(NULL), 0);
}

/*
 * A known defect: unmapping a non-leaf page table (an L2 with an L3 and a page below it)
 * leaves its subtree in the VSpace's counters. The audit walks the tables: it reports one
 * violation exactly when VSPACE_INFO disagrees with the one L1 table really left.
 */
static void audit_catches_counters_of_an_unmapped_subtree(void)
{
	struct mica_vspace_info info;
	cptr_t vs = kt_new(OBJ_VSPACE, 0), f = kt_new(OBJ_FRAME_4K, 0);
	cptr_t pt[3] = { kt_new(OBJ_PAGE_TABLE, 0), kt_new(OBJ_PAGE_TABLE, 0),
			 kt_new(OBJ_PAGE_TABLE, 0) };
	REQUIRE(vs && f && pt[0] && pt[1] && pt[2]);
	REQUIRE_OK(mica_asid_pool_assign(SLOT_INIT_ASID_POOL, vs, NULL));
	for (unsigned i = 0; i < 3; i++)
		REQUIRE_OK(mica_page_table_map(pt[i], vs, KT_SPACE_VA, NULL));
	REQUIRE_OK(mica_frame_map(f, vs, KT_SPACE_VA, KT_RW));
	CHECK_EQ(mica_debug_audit(NULL), 0);
	REQUIRE_OK(mica_page_table_unmap(pt[1]));
	REQUIRE_OK(mica_vspace_info(vs, &info));
	bool wrong = info.table_pages != 1 || info.mapped_pages != 0;
	printf("ktest: audit: after the unmap VSPACE_INFO says %lu tables, %lu pages\n",
	       (unsigned long)info.table_pages, (unsigned long)info.mapped_pages);
	CHECK_EQ(mica_debug_audit(NULL), wrong ? 1 : 0);
	REQUIRE_OK(mica_cnode_delete(SLOT_INIT_CNODE, vs)); /* its ASID entry goes */
	CHECK_EQ(mica_debug_audit(NULL), 0);
}

/* The PMU's instruction counter (INST_RETIRED, EL0 and EL1; exact under -icount). */
static uint64_t icount(void)
{
	uint64_t v;
	__asm__ volatile("isb\n\tmrs %0, pmevcntr0_el0" : "=r"(v)::"memory");
	return v;
}

/* Prints what one audit of the booted ktest system costs (meaningful with -icount). */
static void audit_cost_on_the_booted_system(void)
{
	unsigned checked;
	uint64_t t0 = icount();
	CHECK_EQ(mica_debug_audit(&checked), 0);
	uint64_t t1 = icount();
	printf("ktest: audit: %u entries checked in %lu instructions\n", checked,
	       (unsigned long)(t1 - t0));
	CHECK(checked > 0);
}

static const struct ktest tests[] = {
	{ "audit_checks_queued_threads", audit_checks_queued_threads },
	{ "audit_checks_cnodes_copies_and_untyped_children",
	  audit_checks_cnodes_copies_and_untyped_children },
	{ "audit_checks_address_spaces", audit_checks_address_spaces },
	{ "audit_checks_blocked_threads", audit_checks_blocked_threads },
	{ "audit_catches_a_vspace_with_two_asids", audit_catches_a_vspace_with_two_asids },
	{ "audit_catches_counters_of_an_unmapped_subtree",
	  audit_catches_counters_of_an_unmapped_subtree },
	{ "audit_cost_on_the_booted_system", audit_cost_on_the_booted_system },
};

const struct ktest_suite kt_suite_audit = KT_SUITE(tests);
