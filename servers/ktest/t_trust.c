/*
 * Trust: what an adversary in user space tried and the kernel must survive with nothing
 * changed or broken — invocations that destroy their own sources, capabilities that would
 * give one object two identities, registers rewritten behind a check, counters that lose
 * track of a subtree.
 */
#include <string.h>

#include "kt_as.h"
#include "ktest.h"

/*
 * A helper's CSpace R (radix 4, resolving all 64 bits) holds R[1] R itself, R[2] the
 * helper's TCB, R[3] CNode N (the only capability to N) and R[4] the root's VSpace; the
 * root keeps no capability to R. N holds N[1] the helper's TCB.
 */
#define TRUST_CNODE_RADIX 4
#define TRUST_GUARD_BITS  (64 - TRUST_CNODE_RADIX)

static volatile int self_cfg_err_delete = 1, self_cfg_err = 1;

/* Deletes R's capabilities to itself (the TCB's CSpace slot is then the last one) and
 * configures its own TCB with CSpace N and VSpace R[4]: replacing the CSpace destroys R,
 * which holds both new sources. Then suspends itself through N[1]. */
static void configure_self_helper(uint64_t arg)
{
	(void)arg;
	self_cfg_err_delete = mica_cnode_delete(1, 5);
	if (!self_cfg_err_delete)
		self_cfg_err_delete = mica_cnode_delete(1, 1);
	self_cfg_err = mica_tcb_configure(2, 0, 3, 4, 0, 0);
	mica_tcb_suspend(1);
}

/* TCB_CONFIGURE whose old CSpace is the last capability to the CNode holding the new CSpace
 * and VSpace capabilities: the sources are used before anything is deleted, the call
 * succeeds and the thread lives on in its new CSpace. */
static void configure_survives_deleting_its_sources(void)
{
	cptr_t r = kt_new(OBJ_CNODE, TRUST_CNODE_RADIX), n = kt_new(OBJ_CNODE, TRUST_CNODE_RADIX);
	cptr_t r_guarded = kt_slot(), n_guarded = kt_slot();
	REQUIRE(r && n && r_guarded && n_guarded);
	REQUIRE_OK(mica_cnode_mint(SLOT_INIT_CNODE, r_guarded, SLOT_INIT_CNODE, r, RIGHTS_ALL,
				   TRUST_GUARD_BITS));
	REQUIRE_OK(mica_cnode_mint(SLOT_INIT_CNODE, n_guarded, SLOT_INIT_CNODE, n, RIGHTS_ALL,
				   TRUST_GUARD_BITS));
	struct kt_thread t;
	struct kt_thread_opts o = { .prio = 100, .cspace = r_guarded, .self = 2 };
	self_cfg_err_delete = self_cfg_err = 1;
	REQUIRE_OK(kt_thread_new(&t, &o));
	REQUIRE_OK(mica_cnode_copy(n, 1, SLOT_INIT_CNODE, t.tcb, RIGHTS_ALL));
	REQUIRE_OK(mica_cnode_copy(r, 2, SLOT_INIT_CNODE, t.tcb, RIGHTS_ALL));
	REQUIRE_OK(mica_cnode_move(r, 3, SLOT_INIT_CNODE, n_guarded));
	REQUIRE_OK(mica_cnode_delete(SLOT_INIT_CNODE, n));
	REQUIRE_OK(mica_cnode_copy(r, 4, SLOT_INIT_CNODE, SLOT_INIT_VSPACE, RIGHTS_ALL));
	REQUIRE_OK(mica_cnode_move(r, 1, SLOT_INIT_CNODE, r_guarded));
	REQUIRE_OK(mica_cnode_move(r, 5, SLOT_INIT_CNODE, r)); /* the root's last one */
	REQUIRE_OK(kt_thread_start(&t, configure_self_helper, 0));
	kt_settle();
	CHECK_OK(self_cfg_err_delete);
	CHECK_OK(self_cfg_err);
	struct mica_tcb_regs regs;
	CHECK_OK(mica_tcb_read_registers(t.tcb, &regs)); /* alive, suspended in N[1]'s call */
}

/* CNODE_COPY and CNODE_MINT of a VSpace capability without an ASID: E_NOASID, nothing made
 * (each copy could otherwise be assigned an ASID of its own). */
static void copy_of_unassigned_vspace_is_noasid(void)
{
	cptr_t vs = kt_new(OBJ_VSPACE, 0), dest = kt_slot();
	REQUIRE(vs && dest);
	CHECK_ERR(mica_cnode_copy(SLOT_INIT_CNODE, dest, SLOT_INIT_CNODE, vs, RIGHTS_ALL),
		  E_NOASID);
	CHECK_ERR(mica_cnode_mint(SLOT_INIT_CNODE, dest, SLOT_INIT_CNODE, vs, RIGHTS_ALL, 0),
		  E_NOASID);
	CHECK_EQ(kt_identify(dest).type, CAP_NULL);
	uint64_t asid;
	REQUIRE_OK(mica_asid_pool_assign(SLOT_INIT_ASID_POOL, vs, &asid));
	CHECK_OK(mica_cnode_copy(SLOT_INIT_CNODE, dest, SLOT_INIT_CNODE, vs, RIGHTS_ALL));
	struct mica_vspace_info info;
	REQUIRE_OK(mica_vspace_info(dest, &info));
	CHECK_EQ(info.asid, asid);
}

static volatile int sent_err = 1;

/* Sends `arg`'s capability (low 32 bits) through the endpoint in the high 32 bits. */
static void send_cap(uint64_t arg)
{
	struct mica_msg m = kt_msg(0x7, 0, NULL);
	m.extra_caps = 1;
	mica_ipc_buffer()->caps[0] = arg & 0xffffffff;
	sent_err = mica_send(arg >> 32, &m);
}

/* The same rule holds for a transfer in IPC: the message arrives, the capability does not. */
static void transfer_of_unassigned_vspace_drops_cap(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0), vs = kt_new(OBJ_VSPACE, 0), slot = kt_slot();
	REQUIRE(ep && vs && slot);
	struct ipc_buffer *mine = mica_ipc_buffer();
	mine->receive_cnode = SLOT_INIT_CNODE;
	mine->receive_index = slot;
	struct kt_thread t;
	sent_err = 1;
	REQUIRE_OK(kt_spawn(&t, 100, true, send_cap, (uint64_t)ep << 32 | vs));
	kt_settle();
	struct mica_msg m;
	CHECK_OK(mica_msg_error(mica_nbrecv(ep, &m, NULL)));
	mine->receive_cnode = 0;
	kt_settle(); /* the sender returns from its send */
	CHECK_OK(sent_err);
	CHECK_EQ(m.label, 0x7);
	CHECK_EQ(m.extra_caps, 0);
	CHECK_EQ(kt_identify(slot).type, CAP_NULL);
}

static void send_two_words(uint64_t ep)
{
	uint64_t mr[2] = { 0x11, 0x22 };
	struct mica_msg m = kt_msg(0x5, 2, mr);
	sent_err = mica_send(ep, &m);
}

#define RECEIVER_CANARY 0x5ca1ab1e0ddba11ull

/* A sender blocked on an endpoint whose message info is rewritten to length 127 with
 * TCB_WRITE_REGISTERS: delivery clamps it to MSG_MAX_LENGTH, and the receiver's IPC buffer
 * beyond msg[] (user_data, caps, receive slot) is untouched. */
static void rewritten_length_is_clamped_at_delivery(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	struct kt_thread t;
	REQUIRE(ep);
	sent_err = 1;
	REQUIRE_OK(kt_spawn(&t, 100, true, send_two_words, ep));
	kt_settle(); /* blocked in send: nobody receives */
	struct mica_tcb_regs r;
	REQUIRE_OK(mica_tcb_read_registers(t.tcb, &r));
	r.x[1] = msginfo_pack(0x5, 127, 0);
	REQUIRE_OK(mica_tcb_write_registers(t.tcb, 0, r.pc, r.sp, r.x));
	struct ipc_buffer *mine = mica_ipc_buffer();
	mine->user_data = RECEIVER_CANARY;
	mine->caps[0] = RECEIVER_CANARY;
	mine->receive_cnode = 0;
	mine->receive_index = RECEIVER_CANARY;
	struct mica_msg m;
	CHECK_OK(mica_msg_error(mica_nbrecv(ep, &m, NULL)));
	CHECK_EQ(m.label, 0x5);
	CHECK_EQ(m.length, MSG_MAX_LENGTH);
	CHECK_EQ(m.mr[0], 0x11);
	CHECK_EQ(mine->user_data, RECEIVER_CANARY);
	CHECK_EQ(mine->caps[0], RECEIVER_CANARY);
	CHECK_EQ(mine->receive_cnode, 0);
	CHECK_EQ(mine->receive_index, RECEIVER_CANARY);
	mine->receive_index = 0;
	kt_settle();
	CHECK_OK(sent_err);
}

/* Unmapping the L1 table of an L1-L2-L3 chain with pages takes the whole subtree out of
 * VSPACE_INFO's counters: tables and pages back to zero. */
static void unmap_of_non_leaf_table_updates_counters(void)
{
	cptr_t vs = kt_new(OBJ_VSPACE, 0), table[3], frame[2];
	uint64_t asid;
	REQUIRE(vs);
	REQUIRE_OK(mica_asid_pool_assign(SLOT_INIT_ASID_POOL, vs, &asid));
	for (unsigned i = 0; i < 3; i++) {
		table[i] = kt_new(OBJ_PAGE_TABLE, 0);
		REQUIRE(table[i]);
		REQUIRE_OK(mica_page_table_map(table[i], vs, KT_SPACE_VA, NULL));
	}
	for (unsigned i = 0; i < 2; i++) {
		frame[i] = kt_new(OBJ_FRAME_4K, 0);
		REQUIRE(frame[i]);
		REQUIRE_OK(mica_frame_map(frame[i], vs, KT_SPACE_VA + i * KT_PAGE, KT_RW));
	}
	CHECK_INFO(vs, 3, 2);
	REQUIRE_OK(mica_page_table_unmap(table[0]));
	CHECK_INFO(vs, 0, 0);
	/* The orphaned L2 table can be mapped again, empty: nothing of the old subtree comes
	 * with it. */
	unsigned level = 0;
	REQUIRE_OK(mica_page_table_map(table[0], vs, KT_SPACE_VA, NULL));
	CHECK_OK(mica_page_table_map(table[1], vs, KT_SPACE_VA, &level));
	CHECK_EQ(level, 2);
	CHECK_INFO(vs, 2, 0);
}

/* What the failed invocations below could have changed: the VSpace's figures, the frame's
 * mapping, the thread's registers, the capabilities in the slots involved. */
struct trust_snapshot {
	struct mica_vspace_info info;
	struct mica_frame_info frame;
	struct mica_tcb_regs regs;
	struct mica_cap_info caps[4];
};

static void snapshot(struct trust_snapshot *s, cptr_t vs, cptr_t frame, cptr_t tcb,
		     const cptr_t slots[4])
{
	memset(s, 0, sizeof(*s));
	CHECK_OK(mica_vspace_info(vs, &s->info));
	CHECK_OK(mica_frame_get_address(frame, &s->frame));
	CHECK_OK(mica_tcb_read_registers(tcb, &s->regs));
	for (unsigned i = 0; i < 4; i++)
		s->caps[i] = kt_identify(slots[i]);
}

/* Calls `cap` with `label` and up to six words: the error it returns. */
static int call_label(cptr_t cap, uint64_t label, unsigned n, const uint64_t *mr)
{
	struct mica_msg m = kt_msg(label, n, mr);
	return mica_msg_error(mica_call(cap, &m));
}

/* Invocations of every kind that fail a check (bad label, bad rights, W^X, occupied
 * entries, a VSpace without an ASID, a misaligned IPC buffer, an underivable source)
 * return their error and leave every figure, mapping, register and slot as it was. */
static void failed_invocations_change_nothing(void)
{
	cptr_t vs = kt_new(OBJ_VSPACE, 0), bare = kt_new(OBJ_VSPACE, 0);
	cptr_t pt = kt_new(OBJ_PAGE_TABLE, 0), pt2 = kt_new(OBJ_PAGE_TABLE, 0);
	cptr_t frame = kt_new(OBJ_FRAME_4K, 0), tcb = kt_new(OBJ_TCB, 0), dest = kt_slot();
	uint64_t asid;
	REQUIRE(vs && bare && pt && pt2 && frame && tcb && dest);
	REQUIRE_OK(mica_asid_pool_assign(SLOT_INIT_ASID_POOL, vs, &asid));
	for (unsigned i = 0; i < 3; i++) {
		cptr_t t = kt_new(OBJ_PAGE_TABLE, 0);
		REQUIRE(t);
		REQUIRE_OK(mica_page_table_map(t, vs, KT_SPACE_VA, NULL));
	}
	REQUIRE_OK(mica_frame_map(frame, vs, KT_SPACE_VA, KT_RW));
	REQUIRE_OK(mica_tcb_configure(tcb, 0, SLOT_INIT_CNODE, vs, 0, 0));
	const cptr_t slots[4] = { pt, pt2, dest, bare };
	struct trust_snapshot before, after;
	snapshot(&before, vs, frame, tcb, slots);

	const uint64_t wx[3] = { vs, KT_SPACE_VA + KT_PAGE, RIGHT_READ | RIGHT_WRITE | RIGHT_EXEC };
	const uint64_t kernel[3] = { vs, 0xffff000000000000ull, RIGHT_READ };
	const uint64_t wrap[3] = { vs, ~0ull & ~(KT_PAGE - 1), RIGHT_READ };
	const uint64_t bad_rights[1] = { 0x10 | RIGHT_READ };
	const uint64_t again[3] = { vs, KT_SPACE_VA + KT_PAGE, RIGHT_READ };
	CHECK_ERR(call_label(frame, FRAME_MAP, 3, wx), E_WX);
	CHECK_ERR(call_label(frame, FRAME_MAP, 3, again), E_MAPPED);
	CHECK_ERR(call_label(frame, FRAME_MAP, 3, kernel), E_RANGE);
	CHECK_ERR(call_label(frame, FRAME_MAP, 3, wrap), E_RANGE);
	CHECK_ERR(call_label(frame, FRAME_REMAP, 1, bad_rights), E_INVAL);
	CHECK_ERR(call_label(frame, 0x7777, 0, NULL), E_LABEL);
	const uint64_t occupied[2] = { vs, KT_SPACE_VA };
	CHECK_ERR(call_label(pt, PAGE_TABLE_MAP, 2, occupied), E_DELETE_FIRST);
	CHECK_ERR(call_label(pt2, 0x7777, 0, NULL), E_LABEL);
	const uint64_t no_asid[2] = { bare, KT_SPACE_VA };
	CHECK_ERR(call_label(pt, PAGE_TABLE_MAP, 2, no_asid), E_NOASID);
	const uint64_t not_vspace[1] = { frame };
	CHECK_ERR(call_label(SLOT_INIT_ASID_POOL, ASID_POOL_ASSIGN, 1, not_vspace), E_TYPE);
	const uint64_t assigned[1] = { vs };
	CHECK_ERR(call_label(SLOT_INIT_ASID_POOL, ASID_POOL_ASSIGN, 1, assigned), E_BUSY);
	CHECK_ERR(mica_tcb_configure(tcb, 0, SLOT_INIT_CNODE, bare, 0, 0), E_NOASID);
	CHECK_ERR(mica_tcb_configure(tcb, 0, SLOT_INIT_CNODE, vs, 0x1010, frame), E_ALIGN);
	CHECK_ERR(mica_tcb_configure(tcb, 0, frame, vs, 0, 0), E_TYPE);
	const uint64_t bad_flags[3] = { 0x80, 0x1234, 0x5678 };
	CHECK_ERR(call_label(tcb, TCB_WRITE_REGISTERS, 3, bad_flags), E_INVAL);
	CHECK_ERR(mica_cnode_copy(SLOT_INIT_CNODE, dest, SLOT_INIT_CNODE, pt, RIGHTS_ALL), E_TYPE);
	CHECK_ERR(mica_cnode_copy(SLOT_INIT_CNODE, dest, SLOT_INIT_CNODE, bare, RIGHTS_ALL),
		  E_NOASID);

	snapshot(&after, vs, frame, tcb, slots);
	CHECK(memcmp(&before, &after, sizeof(before)) == 0);
}

static const struct ktest tests[] = {
	{ "trust_configure_survives_deleting_its_sources",
	  configure_survives_deleting_its_sources },
	{ "trust_copy_of_unassigned_vspace_is_noasid", copy_of_unassigned_vspace_is_noasid },
	{ "trust_transfer_of_unassigned_vspace_drops_cap",
	  transfer_of_unassigned_vspace_drops_cap },
	{ "trust_rewritten_length_is_clamped_at_delivery",
	  rewritten_length_is_clamped_at_delivery },
	{ "trust_unmap_of_non_leaf_table_updates_counters",
	  unmap_of_non_leaf_table_updates_counters },
	{ "trust_failed_invocations_change_nothing", failed_invocations_change_nothing },
};

const struct ktest_suite kt_suite_trust = KT_SUITE(tests);
