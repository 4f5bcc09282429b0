/*
 * Untyped memory: UNTYPED_RETYPE of every object type, placement, running out, revoke and
 * reuse (kernel-api-untyped.md).
 */
#include "ktest.h"

/* A child untyped of 2^bits bytes from the test's untyped; *paddr gets its address. */
static cptr_t child_untyped(unsigned bits, uint64_t *paddr)
{
	cptr_t u = kt_new(OBJ_UNTYPED, bits);
	*paddr = kt_identify(u).paddr;
	return u;
}

/* Retypes one `type` object from `ut` into a fresh slot; returns the slot (0 on error). */
static cptr_t retype_one(cptr_t ut, unsigned type, unsigned size_bits)
{
	cptr_t slot = kt_slot();
	if (!CHECK_OK(mica_untyped_retype(ut, type, size_bits, SLOT_INIT_CNODE, slot, 1)))
		return 0;
	return slot;
}

/* Retypes `type` at the start of a fresh 64 KiB untyped; identify gives type and address. */
static void check_retype(unsigned type, unsigned size_bits, unsigned cap_type, unsigned rights)
{
	uint64_t base;
	cptr_t ut = child_untyped(16, &base);
	cptr_t obj = retype_one(ut, type, size_bits);
	REQUIRE(obj != 0);
	struct mica_cap_info i = kt_identify(obj);
	CHECK_EQ(i.type, cap_type);
	CHECK_EQ(i.rights, rights);
	CHECK_EQ(i.badge, 0);
	CHECK_EQ(i.paddr, base);
}

static void retype_tcb(void)
{
	check_retype(OBJ_TCB, 0, CAP_TCB, RIGHTS_ALL);
}

static void retype_endpoint(void)
{
	check_retype(OBJ_ENDPOINT, 0, CAP_ENDPOINT, RIGHTS_ALL);
}

static void retype_notification(void)
{
	check_retype(OBJ_NOTIFICATION, 0, CAP_NOTIFICATION, RIGHTS_ALL);
}

static void retype_cnode(void)
{
	check_retype(OBJ_CNODE, 4, CAP_CNODE, RIGHTS_ALL);
}

static void retype_untyped(void)
{
	check_retype(OBJ_UNTYPED, 12, CAP_UNTYPED, RIGHTS_ALL);
}

static void retype_frame(void)
{
	check_retype(OBJ_FRAME_4K, 0, CAP_FRAME, RIGHT_READ | RIGHT_WRITE | RIGHT_EXEC);
}

/* A new CNode has 2^radix empty slots: the last index works, one more is E_RANGE. */
static void retype_cnode_has_radix_slots(void)
{
	cptr_t cn = kt_new(OBJ_CNODE, 4);
	struct mica_cap_info i;
	CHECK_OK(mica_cnode_identify(cn, 15, &i));
	CHECK_EQ(i.type, CAP_NULL);
	CHECK_ERR(mica_cnode_identify(cn, 16, &i), E_RANGE);
}

/* Objects go at the watermark rounded up to their own size, one after another. */
static void retype_places_objects_aligned_at_watermark(void)
{
	uint64_t base;
	cptr_t ut = child_untyped(16, &base);
	cptr_t ep = retype_one(ut, OBJ_ENDPOINT, 0);
	cptr_t tcb = retype_one(ut, OBJ_TCB, 0);
	cptr_t n = retype_one(ut, OBJ_NOTIFICATION, 0);
	cptr_t frame = retype_one(ut, OBJ_FRAME_4K, 0);
	CHECK_EQ(kt_identify(ep).paddr, base);
	CHECK_EQ(kt_identify(tcb).paddr, base + 0x800);    /* 32 bytes used, 2 KiB aligned */
	CHECK_EQ(kt_identify(n).paddr, base + 0x1000);     /* right after the TCB */
	CHECK_EQ(kt_identify(frame).paddr, base + 0x2000); /* 4 KiB aligned */
}

/* `count` objects fill consecutive slots at consecutive addresses. */
static void retype_count_fills_consecutive_slots(void)
{
	uint64_t base;
	cptr_t ut = child_untyped(12, &base);
	cptr_t first = kt_slot();
	kt_slot();
	kt_slot();
	CHECK_OK(mica_untyped_retype(ut, OBJ_ENDPOINT, 0, SLOT_INIT_CNODE, first, 3));
	for (unsigned i = 0; i < 3; i++)
		CHECK_EQ(kt_identify(first + i).paddr, base + 32 * i);
}

/* A full untyped refuses another object with E_NOMEM, and nothing is created. */
static void retype_full_untyped_is_nomem(void)
{
	uint64_t base;
	cptr_t ut = child_untyped(11, &base);
	CHECK(retype_one(ut, OBJ_TCB, 0) != 0);
	cptr_t slot = kt_slot();
	CHECK_ERR(mica_untyped_retype(ut, OBJ_ENDPOINT, 0, SLOT_INIT_CNODE, slot, 1), E_NOMEM);
	CHECK_EQ(kt_identify(slot).type, CAP_NULL);
}

/* An object bigger than the whole untyped is E_NOMEM as well. */
static void retype_object_bigger_than_untyped_is_nomem(void)
{
	uint64_t base;
	cptr_t ut = child_untyped(11, &base);
	cptr_t slot = kt_slot();
	CHECK_ERR(mica_untyped_retype(ut, OBJ_FRAME_4K, 0, SLOT_INIT_CNODE, slot, 1), E_NOMEM);
}

/* Revoking the untyped deletes every object made from it and every copy of those. */
static void revoke_untyped_destroys_objects(void)
{
	uint64_t base;
	cptr_t ut = child_untyped(16, &base);
	cptr_t ep = retype_one(ut, OBJ_ENDPOINT, 0);
	cptr_t n = retype_one(ut, OBJ_NOTIFICATION, 0);
	cptr_t tcb = retype_one(ut, OBJ_TCB, 0);
	cptr_t cn = retype_one(ut, OBJ_CNODE, 2);
	cptr_t ep_copy = kt_mint(ep, RIGHTS_ALL, 3);
	CHECK_OK(mica_cnode_revoke(SLOT_INIT_CNODE, ut));
	CHECK_EQ(kt_identify(ep).type, CAP_NULL);
	CHECK_EQ(kt_identify(n).type, CAP_NULL);
	CHECK_EQ(kt_identify(tcb).type, CAP_NULL);
	CHECK_EQ(kt_identify(cn).type, CAP_NULL);
	CHECK_EQ(kt_identify(ep_copy).type, CAP_NULL);
	CHECK_EQ(kt_identify(ut).type, CAP_UNTYPED);
}

static volatile int blocked_recv_done;

static void recv_forever(uint64_t ep)
{
	struct mica_msg m;
	mica_recv(ep, &m, NULL);
	blocked_recv_done = 1;
}

/* A thread whose TCB came from a revoked untyped is gone, even from an endpoint queue. */
static void revoke_untyped_removes_blocked_thread(void)
{
	uint64_t base;
	cptr_t ut = child_untyped(16, &base);
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0); /* from the test's untyped: survives */
	struct kt_thread t;
	struct kt_thread_opts o = { .prio = 100, .untyped = ut };
	REQUIRE_OK(kt_thread_new(&t, &o));
	blocked_recv_done = 0;
	REQUIRE_OK(kt_thread_start(&t, recv_forever, ep));
	kt_settle(); /* it now waits on ep */
	CHECK_OK(mica_cnode_revoke(SLOT_INIT_CNODE, ut));
	struct mica_msg m = kt_msg(1, 0, NULL);
	CHECK_ERR(mica_nbsend(ep, &m), E_WOULDBLOCK); /* nobody waits any more */
	kt_settle();
	CHECK_EQ(blocked_recv_done, 0);
}

#define SPIN_BOUND (1ull << 28)

static volatile uint64_t spin_count;

/* Counts for (much) longer than a time slice; the bound keeps a broken scheduler from
 * hanging the run. */
static void spin(uint64_t arg)
{
	(void)arg;
	for (uint64_t n = 0; n < SPIN_BOUND; n++)
		spin_count++;
}

static void signal_once(uint64_t ntfn)
{
	kt_signal(ntfn);
}

/*
 * A running thread made from a revoked untyped stops. The spinner shares priority 100
 * with a signaller that wakes the root: while the spinner lives, round-robin lets it run
 * (and count) before the signaller; once it is gone, its count stays put.
 */
static void revoke_untyped_stops_running_thread(void)
{
	uint64_t base;
	cptr_t ut = child_untyped(16, &base);
	cptr_t n = kt_new(OBJ_NOTIFICATION, 0);
	struct kt_thread spinner, s1, s2;
	struct kt_thread_opts o = { .prio = 100, .untyped = ut };
	REQUIRE_OK(kt_thread_new(&spinner, &o));
	spin_count = 0;
	REQUIRE_OK(kt_thread_start(&spinner, spin, 0));
	REQUIRE_OK(kt_spawn(&s1, 100, false, signal_once, n));
	int err;
	kt_wait(n, &err);
	CHECK(spin_count > 0);          /* it did run */
	CHECK(spin_count < SPIN_BOUND); /* and was still running */
	CHECK_OK(mica_cnode_revoke(SLOT_INIT_CNODE, ut));
	uint64_t before = spin_count;
	REQUIRE_OK(kt_spawn(&s2, 100, false, signal_once, n));
	kt_wait(n, &err);
	CHECK_EQ(spin_count, before);
}

/* After a revoke the untyped is reused from its start: the same objects at the same places. */
static void revoke_then_retype_reuses_memory(void)
{
	uint64_t base;
	cptr_t ut = child_untyped(16, &base);
	const unsigned types[] = { OBJ_ENDPOINT, OBJ_TCB, OBJ_NOTIFICATION, OBJ_FRAME_4K };
	uint64_t first[4];
	for (unsigned i = 0; i < 4; i++)
		first[i] = kt_identify(retype_one(ut, types[i], 0)).paddr;
	CHECK_OK(mica_cnode_revoke(SLOT_INIT_CNODE, ut));
	for (unsigned i = 0; i < 4; i++)
		CHECK_EQ(kt_identify(retype_one(ut, types[i], 0)).paddr, first[i]);
	CHECK_EQ(first[0], base);
}

/* While any child remains the watermark only grows: deleting one object frees nothing. */
static void delete_one_object_does_not_reuse_memory(void)
{
	uint64_t base;
	cptr_t ut = child_untyped(16, &base);
	cptr_t a = retype_one(ut, OBJ_ENDPOINT, 0);
	retype_one(ut, OBJ_ENDPOINT, 0);
	CHECK_OK(mica_cnode_delete(SLOT_INIT_CNODE, a));
	CHECK_EQ(kt_identify(retype_one(ut, OBJ_ENDPOINT, 0)).paddr, base + 64);
}

static const struct ktest tests[] = {
	{ "untyped_retype_tcb", retype_tcb },
	{ "untyped_retype_endpoint", retype_endpoint },
	{ "untyped_retype_notification", retype_notification },
	{ "untyped_retype_cnode", retype_cnode },
	{ "untyped_retype_untyped", retype_untyped },
	{ "untyped_retype_frame", retype_frame },
	{ "untyped_retype_cnode_has_radix_slots", retype_cnode_has_radix_slots },
	{ "untyped_retype_places_objects_aligned_at_watermark",
	  retype_places_objects_aligned_at_watermark },
	{ "untyped_retype_count_fills_consecutive_slots", retype_count_fills_consecutive_slots },
	{ "untyped_retype_full_untyped_is_nomem", retype_full_untyped_is_nomem },
	{ "untyped_retype_object_bigger_than_untyped_is_nomem",
	  retype_object_bigger_than_untyped_is_nomem },
	{ "untyped_revoke_destroys_objects", revoke_untyped_destroys_objects },
	{ "untyped_revoke_removes_blocked_thread", revoke_untyped_removes_blocked_thread },
	{ "untyped_revoke_stops_running_thread", revoke_untyped_stops_running_thread },
	{ "untyped_revoke_then_retype_reuses_memory", revoke_then_retype_reuses_memory },
	{ "untyped_delete_one_object_does_not_reuse_memory",
	  delete_one_object_does_not_reuse_memory },
};

const struct ktest_suite kt_suite_untyped = KT_SUITE(tests);
