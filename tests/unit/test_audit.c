/* Host tests for the kernel self-audit (kernel/object/mdb_audit.c, ipc_audit.c and
 * kernel/arch/aarch64/audit.c): each test builds a small consistent world with the real
 * derivation-tree code (mdb.c), checks that the audit finds nothing, then breaks one
 * invariant the way a kernel bug would and checks the exact violation reported. */
#include <mica/objects.h>
#include <stdarg.h>
#include <stdlib.h>

#include "arch.h"
#include "asid.h"
#include "audit.h"
#include "check.h"
#include "console.h"
#include "object/cnode.h"
#include "object/cspace.h"
#include "object/ipc.h"
#include "object/tcb.h"
#include "sched.h"
#include "vspace.h"

CHECK_DEFINE_GLOBALS;

#define MAX_MSGS 16
#define UT_BASE  UL(0x40000000) /* the test untyped: 64 KiB */
#define UT_BITS  16

/* What the audit reported. */
static char msgs[MAX_MSGS][256];
static unsigned nmsgs;

void audit_fail(struct audit *a, const char *fmt, ...)
{
	va_list ap;
	a->violations++;
	if (nmsgs == MAX_MSGS)
		return;
	va_start(ap, fmt);
	vsnprintf(msgs[nmsgs++], sizeof(msgs[0]), fmt, ap);
	va_end(ap);
}

int kprintf(const char *fmt, ...)
{
	(void)fmt;
	return 0;
}

void arch_cap_derived(struct cap *cap)
{
	(void)cap;
}

/* The ASID state asid.c would own. */
struct asid_pool *asid_pools[ASID_POOL_COUNT];
struct hwasid_allocator asid_hw_alloc;

struct asid_entry *asid_entry_lookup(uint16_t asid)
{
	struct asid_pool *pool = asid_pools[asid / ASID_POOL_ENTRIES];
	if (!pool || asid == 0)
		return NULL;
	struct asid_entry *e = &pool->entries[asid % ASID_POOL_ENTRIES];
	return e->vspace_pa ? e : NULL;
}

static struct cte slots[64];
/* Kernel objects at their real sizes, naturally aligned, as retype would place them. */
static struct endpoint eps[2] __attribute__((aligned(1u << ENDPOINT_SIZE_BITS)));
static struct notification ntfns[1] __attribute__((aligned(1u << NOTIFICATION_SIZE_BITS)));
static union tcb_mem {
	struct tcb t;
	char bytes[1u << TCB_SIZE_BITS];
} tcb_mem[3] __attribute__((aligned(1u << TCB_SIZE_BITS)));
#define tcbs(i) (tcb_mem[i].t)
static struct asid_pool pool, pool2 __attribute__((aligned(4096)));
static pte_t tables[4][PT_ENTRIES] __attribute__((aligned(4096)));

static void reset(void)
{
	memset(slots, 0, sizeof(slots));
	memset(eps, 0, sizeof(eps));
	memset(ntfns, 0, sizeof(ntfns));
	memset(tcb_mem, 0, sizeof(tcb_mem));
	memset(&pool, 0, sizeof(pool));
	memset(&pool2, 0, sizeof(pool2));
	memset(tables, 0, sizeof(tables));
	memset(asid_pools, 0, sizeof(asid_pools));
	memset(msgs, 0, sizeof(msgs));
	nmsgs = 0;
	mdb_init();
	hwasid_init(&asid_hw_alloc, 8);
	for (unsigned i = 0; i < 3; i++) {
		tcbs(i).id = i + 1;
		tcbs(i).timeslice = TIMESLICE_TICKS; /* as tcb_init leaves it */
	}
}

/* Runs the audits kernel_audit runs after the run queues; returns the violations. */
static unsigned audit(unsigned *checked)
{
	struct audit a = { 0, 0, false };
	nmsgs = 0;
	mdb_audit(&a);
	ipc_audit(&a);
	arch_audit(&a);
	if (checked)
		*checked = a.checked;
	if (getenv("AUDIT_VERBOSE")) {
		for (unsigned i = 0; i < nmsgs; i++)
			fprintf(stderr, "audit: %s\n", msgs[i]);
	}
	return a.violations;
}

/* True if a reported violation contains `text`. */
static bool reported(const char *text)
{
	for (unsigned i = 0; i < nmsgs; i++) {
		if (strstr(msgs[i], text))
			return true;
	}
	fprintf(stderr, "not reported: \"%s\"; reported:\n", text);
	for (unsigned i = 0; i < nmsgs; i++)
		fprintf(stderr, "  %s\n", msgs[i]);
	return false;
}

static struct cap ep_cap(struct endpoint *ep)
{
	struct cap c = { .type = CAP_ENDPOINT, .rights = RIGHTS_ALL };
	c.u.endpoint.ep = ep;
	return c;
}

static struct cap untyped_cap(uint64_t pa, unsigned bits, uint64_t free_index)
{
	struct cap c = { .type = CAP_UNTYPED, .rights = RIGHTS_ALL };
	c.u.untyped.paddr = pa;
	c.u.untyped.size_bits = (uint8_t)bits;
	c.u.untyped.free_index = free_index;
	return c;
}

static struct cap frame_cap(uint64_t pa, unsigned bits)
{
	struct cap c = { .type = CAP_FRAME, .rights = RIGHT_READ | RIGHT_WRITE | RIGHT_EXEC };
	c.u.frame.paddr = pa;
	c.u.frame.size_bits = (uint8_t)bits;
	return c;
}

static struct cap table_cap(const void *table)
{
	struct cap c = { .type = CAP_PAGE_TABLE, .rights = RIGHTS_ALL };
	c.u.page_table.paddr = (uint64_t)(uintptr_t)table;
	return c;
}

static struct cap tcb_cap(struct tcb *t)
{
	struct cap c = { .type = CAP_TCB, .rights = RIGHTS_ALL };
	c.u.tcb.tcb = t;
	return c;
}

static struct cap ntfn_cap(struct notification *n)
{
	struct cap c = { .type = CAP_NOTIFICATION, .rights = RIGHTS_ALL };
	c.u.notification.ntfn = n;
	return c;
}

static struct cte *root(unsigned i, struct cap c)
{
	mdb_insert(NULL, &slots[i], c);
	return &slots[i];
}

static struct cte *child(struct cte *parent, unsigned i, struct cap c)
{
	mdb_insert(parent, &slots[i], c);
	return &slots[i];
}

/*
 * Slots 0..7: an endpoint with a copy (0, 1), a 64 KiB untyped with a watermark of 12 KiB
 * (2) and three retyped 4 KiB frames below it (3..5), one with a copy (6); three threads
 * (10..12).
 */
static void world(void)
{
	reset();
	struct cte *e = root(0, ep_cap(&eps[0]));
	child(e, 1, e->cap);
	struct cte *u = root(2, untyped_cap(UT_BASE, UT_BITS, 0x3000));
	for (unsigned i = 0; i < 3; i++)
		child(u, 3 + i, frame_cap(UT_BASE + i * PAGE_SIZE, FRAME_4K_BITS));
	child(&slots[3], 6, slots[3].cap);
	for (unsigned i = 0; i < 3; i++)
		root(10 + i, tcb_cap(&tcbs(i)));
}

static void test_consistent_world_has_no_violations(void)
{
	unsigned checked;
	world();
	CHECK_EQ(audit(&checked), 0);
	CHECK_EQ(checked, 10); /* every linked slot */
}

static void test_broken_back_link_is_reported_and_ends_the_walk(void)
{
	world();
	slots[3].mdb_prev = &slots[5]; /* its predecessor is slot 4 */
	CHECK_EQ(audit(NULL), 1);
	CHECK(reported("but links back to"));
}

static void test_cycle_is_reported_not_followed(void)
{
	world();
	struct cte *last = &mdb_head;
	while (last->mdb_next)
		last = last->mdb_next;
	last->mdb_next = mdb_head.mdb_next; /* back to the first slot */
	CHECK_EQ(audit(NULL), 1);
	CHECK(reported("(broken link or cycle)"));
}

static void test_child_two_levels_deeper_is_reported(void)
{
	world();
	slots[6].mdb_depth = 3; /* the frame copy: its predecessor is at depth 1 */
	CHECK_EQ(audit(NULL), 1);
	CHECK(reported("is at depth 3 right after depth 1"));
}

static void test_linked_reply_capability_is_reported(void)
{
	world();
	slots[1].cap.type = CAP_REPLY;
	slots[1].cap.u.reply.caller = &tcbs(0);
	CHECK_EQ(audit(NULL), 1);
	CHECK(reported("a reply capability is linked"));
}

static void test_linked_empty_slot_is_reported(void)
{
	world();
	slots[1].cap = cap_null();
	CHECK_EQ(audit(NULL), 1);
	CHECK(reported("is linked into the derivation tree but empty"));
}

static void test_split_copies_of_one_object_are_reported(void)
{
	world();
	/* A second endpoint capability to eps[0] after the untyped's subtree. */
	child(&slots[5], 20, ep_cap(&eps[0]));
	audit(NULL);
	CHECK(reported("capabilities to endpoint"));
	CHECK(reported("are not contiguous"));
}

static void test_object_above_the_watermark_is_reported(void)
{
	world();
	slots[2].cap.u.untyped.free_index = 0x2000; /* the third frame is above it */
	CHECK_EQ(audit(NULL), 1);
	CHECK(reported("frame [0x40002000, 0x40003000)"));
	CHECK(reported("is not below the watermark of untyped [0x40000000, +0x2000)"));
}

static void test_bad_watermarks_are_reported(void)
{
	world();
	root(20, untyped_cap(0x50000000, 12, 0x2000));
	root(21, untyped_cap(0x60000000, 12, 0x18));
	root(22, untyped_cap(0x70000800, 12, 0));
	CHECK_EQ(audit(NULL), 3);
	CHECK(reported("untyped 0x50000000 in slot"));
	CHECK(reported("watermark 0x2000 beyond its size 0x1000"));
	CHECK(reported("watermark 0x18 not aligned"));
	CHECK(reported("untyped 0x70000800 in slot"));
}

static void test_overlapping_siblings_are_reported(void)
{
	world();
	/* An 8 KiB untyped over the first two frames, as if the watermark had been reset. */
	child(&slots[2], 20, untyped_cap(UT_BASE, 13, 0));
	CHECK_EQ(audit(NULL), 2);
	CHECK(reported("frame [0x40000000, 0x40001000) overlaps untyped [0x40000000, 0x40002000)"));
	CHECK(reported("frame [0x40001000, 0x40002000) overlaps untyped [0x40000000, 0x40002000)"));
}

static void test_objects_made_through_an_untyped_copy_overlapping_are_reported(void)
{
	world();
	/* A second capability to the untyped with a watermark of its own (a kernel bug: copies
	 * of untyped are refused) retypes a page table over the first frame. */
	struct cte *copy = child(&slots[2], 20, untyped_cap(UT_BASE, UT_BITS, PAGE_SIZE));
	struct cap pt = table_cap((void *)UT_BASE);
	child(copy, 21, pt);
	CHECK_EQ(audit(NULL), 1);
	/* The two have the same range: either may be named first. */
	CHECK(reported("[0x40000000, 0x40001000) overlaps"));
	CHECK(reported("[0x40000000, 0x40001000), which it does not derive from"));
}

static void test_overlapping_roots_are_reported(void)
{
	world();
	root(20, frame_cap(0x80000000, FRAME_2M_BITS));
	root(21, frame_cap(0x80100000, FRAME_4K_BITS));
	CHECK_EQ(audit(NULL), 1);
	CHECK(reported("frame [0x80100000, 0x80101000) overlaps frame [0x80000000, 0x80200000)"));
}

static void test_object_derived_from_a_non_untyped_is_reported(void)
{
	world();
	child(&slots[1], 20, frame_cap(0x90000000, FRAME_4K_BITS)); /* after the endpoint run */
	CHECK_EQ(audit(NULL), 1);
	CHECK(reported("frame 0x90000000 in slot"));
	CHECK(reported("derives from the endpoint in slot"));
}

/* Endpoint and notification queues */

/* Threads 1 and 2 queued sending on eps[0]. */
static void queue_two_senders(void)
{
	world();
	eps[0].state = EP_SENDING;
	eps[0].head = &tcbs(0);
	eps[0].tail = &tcbs(1);
	tcbs(0).wait_next = &tcbs(1);
	tcbs(1).wait_prev = &tcbs(0);
	for (unsigned i = 0; i < 2; i++) {
		tcbs(i).state = THREAD_BLOCKED_SEND;
		tcbs(i).blocked_on = &eps[0];
	}
}

static void test_consistent_endpoint_queue_has_no_violations(void)
{
	unsigned before, after;
	world();
	audit(&before);
	queue_two_senders();
	CHECK_EQ(audit(&after), 0);
	CHECK_EQ(after, before + 2);
}

static void test_wrong_queue_back_link_is_reported(void)
{
	queue_two_senders();
	tcbs(1).wait_prev = &tcbs(2);
	audit(NULL);
	CHECK(reported("thread 2 links back to"));
	CHECK(reported("(broken link or cycle)"));
}

static void test_queued_thread_in_the_wrong_state_is_reported(void)
{
	queue_two_senders();
	tcbs(1).state = THREAD_BLOCKED_RECV;
	CHECK_EQ(audit(NULL), 1);
	CHECK(reported("queued thread 2 is in state 3, not 2"));
}

static void test_queued_thread_blocked_elsewhere_is_reported(void)
{
	queue_two_senders();
	tcbs(0).blocked_on = &eps[1];
	audit(NULL);
	CHECK(reported("queued thread 1 is blocked on"));
}

static void test_blocked_thread_missing_from_its_queue_is_reported(void)
{
	queue_two_senders();
	tcbs(2).state = THREAD_BLOCKED_SEND;
	tcbs(2).blocked_on = &eps[0];
	CHECK_EQ(audit(NULL), 1);
	CHECK(reported("3 threads are blocked on endpoints, 2 are queued on them"));
}

static void test_idle_endpoint_with_waiters_is_reported(void)
{
	queue_two_senders();
	eps[0].state = EP_IDLE;
	audit(NULL);
	CHECK(reported("state 0 but its queue is not empty"));
}

static void test_queued_dead_thread_is_reported(void)
{
	queue_two_senders();
	static struct tcb ghost;
	tcbs(1).wait_next = &ghost;
	audit(NULL);
	CHECK(reported("is not a live TCB"));
}

static void test_notification_waiter_and_binding_are_checked(void)
{
	world();
	root(20, ntfn_cap(&ntfns[0]));
	ntfns[0].head = ntfns[0].tail = &tcbs(2);
	tcbs(2).state = THREAD_BLOCKED_NTFN;
	tcbs(2).blocked_on = &ntfns[0];
	ntfns[0].bound = &tcbs(0);
	tcbs(0).bound_ntfn = &ntfns[0];
	CHECK_EQ(audit(NULL), 0);
	tcbs(0).bound_ntfn = NULL;
	CHECK_EQ(audit(NULL), 1);
	CHECK(reported("bound to thread"));
}

/* What the fastpaths take for granted: a time slice is never 0, and a CSpace slot holds a
 * CNode or is all zeroes. */
static void test_fastpath_assumptions_are_checked(void)
{
	world();
	tcbs(1).timeslice = 0;
	CHECK_EQ(audit(NULL), 1);
	CHECK(reported("thread 2: time slice 0 outside 1.."));
	tcbs(1).timeslice = TIMESLICE_TICKS + 1;
	CHECK_EQ(audit(NULL), 1);
	tcbs(1).timeslice = 1;
	CHECK_EQ(audit(NULL), 0);
	/* An empty slot whose CNode fields are not zero would pass for a CNode there. */
	tcbs(2).slots[TCB_SLOT_CSPACE].cap.u.cnode.one_level = 16;
	CHECK_EQ(audit(NULL), 1);
	CHECK(reported("thread 3: its CSpace slot holds a capability of type 0"));
}

/* The fastpath's lookup trusts a CNode capability's guard_base and one_level. */
static void test_cnode_guard_fields_out_of_step_are_reported(void)
{
	static struct cte cn[16];
	world();
	struct cte *e = root(13, cap_cnode(cn, 4, 60, 0x5));
	CHECK_EQ(e->cap.u.cnode.guard_base, 0x50);
	CHECK_EQ(e->cap.u.cnode.one_level, 16);
	CHECK_EQ(audit(NULL), 0);
	e->cap.u.cnode.one_level = 32; /* would let the fastpath index past the CNode */
	CHECK_EQ(audit(NULL), 1);
	CHECK(reported("one_level 32 for radix 4"));
	e->cap = cap_cnode(cn, 4, 59, 0x5);
	CHECK_EQ(e->cap.u.cnode.one_level, 0); /* 63 bits: not one level */
	CHECK_EQ(audit(NULL), 0);
	e->cap.u.cnode.guard_base |= 1; /* bits below the guard */
	CHECK_EQ(audit(NULL), 1);
	CHECK(reported("guard_base 0x51"));
	e->cap = cap_cnode(cn, 4, 2, 0x5); /* a guard wider than its guard_bits */
	CHECK_EQ(audit(NULL), 1);
	CHECK(reported("guard_bits 2"));
}

static void test_reply_wait_without_reply_capability_is_reported(void)
{
	world();
	tcbs(0).state = THREAD_BLOCKED_REPLY;
	tcbs(0).reply_slot = &tcbs(1).slots[TCB_SLOT_CALLER];
	struct cap r = { .type = CAP_REPLY };
	r.u.reply.caller = &tcbs(0);
	mdb_insert(NULL, tcbs(0).reply_slot, r);
	CHECK_EQ(audit(NULL), 0);
	tcbs(0).reply_slot->cap = cap_null();
	CHECK_EQ(audit(NULL), 1);
	CHECK(reported("thread 1 waits for a reply, but its reply slot"));
}

/* ASIDs and mappings */

#define ASID 1

static uint64_t pa_of(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static pte_t table_pte(const void *t)
{
	return pa_of(t) | PTE_VALID | PTE_TABLE;
}

/*
 * World plus a VSpace (tables[0]) at ASID 1 in pool 0 with an L1, L2 and L3 table (their
 * capabilities in slots 31..33) and the first frame (slot 3) mapped read-write at 0.
 */
static void vspace_world(void)
{
	world();
	struct cap c = { .type = CAP_ASID_POOL, .rights = RIGHTS_ALL };
	c.u.asid_pool.paddr = pa_of(&pool);
	root(29, c);
	asid_pools[0] = &pool;
	struct cap v = { .type = CAP_VSPACE, .rights = RIGHTS_ALL };
	v.u.vspace.paddr = pa_of(tables[0]);
	v.u.vspace.asid = ASID;
	root(30, v);
	for (int l = 1; l <= 3; l++) {
		tables[l - 1][0] = table_pte(tables[l]);
		struct cap t = table_cap(tables[l]);
		t.u.page_table.level = (uint8_t)l;
		t.u.page_table.mapped_asid = ASID;
		root(30 + l, t);
	}
	tables[3][0] = vspace_user_pte(UT_BASE, RIGHT_READ | RIGHT_WRITE);
	slots[3].cap.u.frame.mapped_asid = ASID;
	struct asid_entry *e = &pool.entries[ASID];
	e->vspace_pa = pa_of(tables[0]);
	e->table_pages = 3;
	e->mapped_pages = 1;
}

static void test_consistent_vspace_has_no_violations(void)
{
	vspace_world();
	CHECK_EQ(audit(NULL), 0);
}

static void test_vspace_with_two_asids_is_reported(void)
{
	vspace_world();
	pool.entries[2].vspace_pa = pa_of(tables[0]); /* a copy of its capability assigned */
	audit(NULL);
	CHECK(reported("has two ASIDs: 1 and 2"));
}

/* The fastpath tells an installed VSpace by its table alone: every capability to a VSpace
 * carries the same ASID. */
static void test_vspace_copies_with_different_asids_are_reported(void)
{
	vspace_world();
	struct cte *copy = child(&slots[30], 34, slots[30].cap);
	CHECK_EQ(audit(NULL), 0);
	copy->cap.u.vspace.asid = 0; /* a copy made before the ASID was assigned */
	CHECK_EQ(audit(NULL), 1);
	CHECK(reported("has ASID 0, another capability to it 1"));
}

static void test_asid_naming_a_dead_vspace_is_reported(void)
{
	vspace_world();
	pool.entries[5].vspace_pa = 0x12345000;
	CHECK_EQ(audit(NULL), 1);
	CHECK(reported("ASID 5 names 0x12345000, which is not a live VSpace"));
}

static void test_counters_keeping_an_unmapped_subtree_are_reported(void)
{
	vspace_world();
	/* Unmapping the L2 table counted only itself and its own entries out. */
	tables[1][0] = 0;
	slots[32].cap.u.page_table.mapped_asid = 0;
	pool.entries[ASID].table_pages = 2;
	CHECK_EQ(audit(NULL), 1);
	CHECK(reported("counters say 2 table pages and 1 mapped pages, its tables hold 1 and 0"));
}

static void test_mapping_of_a_dead_frame_is_reported(void)
{
	vspace_world();
	tables[3][1] = vspace_user_pte(0x7000000, RIGHT_READ);
	pool.entries[ASID].mapped_pages = 2;
	CHECK_EQ(audit(NULL), 2);
	CHECK(reported("0x1000 maps 0x7000000, which is not a live 4 KiB frame"));
	CHECK(reported("capabilities claim 3 and 1"));
}

static void test_mapping_beyond_the_capability_rights_is_reported(void)
{
	vspace_world();
	slots[3].cap.rights = RIGHT_READ;
	CHECK_EQ(audit(NULL), 1);
	CHECK(reported("with rights 0x3, its capability has 0x1"));
}

static void test_hardware_asid_bookkeeping_is_checked(void)
{
	vspace_world();
	bool flush;
	hwasid_get(&asid_hw_alloc, &pool.entries[ASID].hw, &flush);
	CHECK_EQ(audit(NULL), 0);
	asid_hw_alloc.used[0] &= ~(1ull << pool.entries[ASID].hw.asid);
	audit(NULL);
	CHECK(reported("is bound but free in the allocator"));
	asid_hw_alloc.used[0] |= 1ull << pool.entries[ASID].hw.asid | 1ull << 7;
	CHECK_EQ(audit(NULL), 1);
	CHECK(reported("hardware ASIDs: 2 marked used besides 0, 1 bound"));
}

static void test_dead_pool_and_insane_mapping_records_are_reported(void)
{
	vspace_world();
	asid_pools[1] = &pool2; /* no capability names it */
	slots[4].cap.u.frame.mapped_asid = ASID;
	slots[4].cap.u.frame.mapped_vaddr = 0x1001;
	slots[31].cap.u.page_table.level = 0;
	CHECK_EQ(audit(NULL), 4); /* and the L1 table's mapping is claimed by none */
	CHECK(reported("ASID pool 1 (ASIDs 128..) at"));
	CHECK(reported("is not a live ASID pool"));
	CHECK(reported("frame 0x40001000 in slot"));
	CHECK(reported(": recorded mapping at 0x1001"));
	CHECK(reported(": recorded as L0 at 0"));
	CHECK(reported("capabilities claim 2 and 1"));
}

#define TEST(name)                 \
	{                          \
#name, test_##name \
	}

int main(void)
{
	static const struct check_test tests[] = {
		TEST(consistent_world_has_no_violations),
		TEST(broken_back_link_is_reported_and_ends_the_walk),
		TEST(cycle_is_reported_not_followed),
		TEST(child_two_levels_deeper_is_reported),
		TEST(linked_reply_capability_is_reported),
		TEST(linked_empty_slot_is_reported),
		TEST(split_copies_of_one_object_are_reported),
		TEST(object_above_the_watermark_is_reported),
		TEST(bad_watermarks_are_reported),
		TEST(overlapping_siblings_are_reported),
		TEST(objects_made_through_an_untyped_copy_overlapping_are_reported),
		TEST(overlapping_roots_are_reported),
		TEST(object_derived_from_a_non_untyped_is_reported),
		TEST(consistent_endpoint_queue_has_no_violations),
		TEST(wrong_queue_back_link_is_reported),
		TEST(queued_thread_in_the_wrong_state_is_reported),
		TEST(queued_thread_blocked_elsewhere_is_reported),
		TEST(blocked_thread_missing_from_its_queue_is_reported),
		TEST(idle_endpoint_with_waiters_is_reported),
		TEST(queued_dead_thread_is_reported),
		TEST(notification_waiter_and_binding_are_checked),
		TEST(fastpath_assumptions_are_checked),
		TEST(cnode_guard_fields_out_of_step_are_reported),
		TEST(reply_wait_without_reply_capability_is_reported),
		TEST(consistent_vspace_has_no_violations),
		TEST(vspace_with_two_asids_is_reported),
		TEST(vspace_copies_with_different_asids_are_reported),
		TEST(asid_naming_a_dead_vspace_is_reported),
		TEST(counters_keeping_an_unmapped_subtree_are_reported),
		TEST(mapping_of_a_dead_frame_is_reported),
		TEST(mapping_beyond_the_capability_rights_is_reported),
		TEST(hardware_asid_bookkeeping_is_checked),
		TEST(dead_pool_and_insane_mapping_records_are_reported),
		{ NULL, NULL },
	};
	return check_main(tests);
}
