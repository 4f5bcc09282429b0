/*
 * Every error code of include/mica/errors.h that the capability kernel can return, each from a
 * representative bad argument. A failed call changes nothing, so each test also checks
 * that the state it would have changed is as before where that is observable.
 */
#include "ktest.h"

/* E_INVAL: CNODE_COPY with a rights bit outside RIGHTS_ALL. */
static void inval_copy_rights_outside_all(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	cptr_t dest = kt_slot();
	CHECK_ERR(mica_cnode_copy(SLOT_INIT_CNODE, dest, SLOT_INIT_CNODE, ep, RIGHTS_ALL << 1),
		  E_INVAL);
	CHECK_EQ(kt_identify(dest).type, CAP_NULL);
}

/* E_INVAL: UNTYPED_RETYPE of an object type that does not exist. */
static void inval_retype_unknown_type(void)
{
	cptr_t dest = kt_slot();
	CHECK_ERR(
	    mica_untyped_retype(kt_test_untyped(), OBJ_TYPE_COUNT, 0, SLOT_INIT_CNODE, dest, 1),
	    E_INVAL);
}

/* E_RANGE: a CNode of radix 17 (above CNODE_MAX_RADIX). */
static void range_cnode_radix_too_big(void)
{
	cptr_t dest = kt_slot();
	CHECK_ERR(mica_untyped_retype(kt_test_untyped(), OBJ_CNODE, CNODE_MAX_RADIX + 1,
				      SLOT_INIT_CNODE, dest, 1),
		  E_RANGE);
	CHECK_EQ(kt_identify(dest).type, CAP_NULL);
}

/* E_RANGE: a slot index past the end of the CNode. */
static void range_index_past_cnode(void)
{
	struct mica_cap_info i;
	CHECK_ERR(mica_cnode_identify(SLOT_INIT_CNODE, 1ull << kt_bootinfo->root_cnode_bits, &i),
		  E_RANGE);
}

/* E_ALIGN: an IPC buffer address that is not 1 KiB aligned. */
static void align_ipc_buffer_not_1k_aligned(void)
{
	cptr_t tcb = kt_new(OBJ_TCB, 0);
	CHECK_ERR(mica_tcb_configure(tcb, 0, SLOT_INIT_CNODE, SLOT_INIT_VSPACE,
				     kt_bootinfo->ipc_buffer + 0x200, SLOT_IPC_BUFFER),
		  E_ALIGN);
	CHECK_ERR(mica_tcb_resume(tcb), E_STATE); /* nothing configured: still no VSpace */
}

/* E_LOOKUP: a cptr with bits in the root CNode's 52-bit guard. */
static void lookup_guard_mismatch(void)
{
	struct mica_msg m = kt_msg(1, 0, NULL);
	CHECK_ERR(mica_nbsend(1ull << kt_bootinfo->root_cnode_bits, &m), E_LOOKUP);
}

/* E_NOCAP: a system call on an empty slot. */
static void nocap_empty_slot(void)
{
	struct mica_msg m = kt_msg(1, 0, NULL);
	CHECK_ERR(mica_nbsend(kt_slot(), &m), E_NOCAP);
}

/* E_TYPE: SYS_CALL on a notification. */
static void type_call_on_notification(void)
{
	cptr_t n = kt_new(OBJ_NOTIFICATION, 0);
	struct mica_msg m = kt_msg(1, 0, NULL);
	CHECK_ERR(mica_msg_error(mica_call(n, &m)), E_TYPE);
}

/* E_TYPE: a TCB_CONFIGURE CSpace root that is not a CNode. */
static void type_configure_cspace_not_cnode(void)
{
	cptr_t tcb = kt_new(OBJ_TCB, 0);
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	CHECK_ERR(mica_tcb_configure(tcb, 0, ep, SLOT_INIT_VSPACE, 0, 0), E_TYPE);
}

/* E_RIGHTS: receiving through an endpoint capability without READ. */
static void rights_recv_without_read(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	cptr_t wo = kt_copy(ep, RIGHT_WRITE);
	struct mica_msg m;
	CHECK_ERR(mica_msg_error(mica_nbrecv(wo, &m, NULL)), E_RIGHTS);
}

/* E_LABEL: an invocation label a TCB does not have. */
static void label_unknown_tcb_label(void)
{
	cptr_t tcb = kt_new(OBJ_TCB, 0);
	struct mica_msg m = kt_msg(CNODE_COPY, 0, NULL);
	CHECK_ERR(mica_msg_error(mica_call(tcb, &m)), E_LABEL);
}

/* E_DELETE_FIRST: copying into an occupied slot. */
static void delete_first_occupied_destination(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	cptr_t n = kt_new(OBJ_NOTIFICATION, 0);
	CHECK_ERR(mica_cnode_copy(SLOT_INIT_CNODE, n, SLOT_INIT_CNODE, ep, RIGHTS_ALL),
		  E_DELETE_FIRST);
	CHECK_EQ(kt_identify(n).type, CAP_NOTIFICATION);
}

/* E_NOMEM: a second 4 KiB frame from a 4 KiB untyped. */
static void nomem_untyped_full(void)
{
	cptr_t ut = kt_new(OBJ_UNTYPED, 12);
	cptr_t f1 = kt_slot(), f2 = kt_slot();
	CHECK_OK(mica_untyped_retype(ut, OBJ_FRAME_4K, 0, SLOT_INIT_CNODE, f1, 1));
	CHECK_ERR(mica_untyped_retype(ut, OBJ_FRAME_4K, 0, SLOT_INIT_CNODE, f2, 1), E_NOMEM);
}

/* E_MSGSIZE: a message of 121 words. */
static void msgsize_length_121(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	struct mica_msg m = kt_msg(1, 0, NULL);
	m.length = MSG_MAX_LENGTH + 1;
	CHECK_ERR(mica_nbsend(ep, &m), E_MSGSIZE);
}

/* E_MSGSIZE: an invocation missing arguments (CNODE_COPY with 3 of its 4 words). */
static void msgsize_short_invocation(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	cptr_t dest = kt_slot();
	struct mica_msg m = kt_msg(CNODE_COPY, 3, (const uint64_t[]){ dest, SLOT_INIT_CNODE, ep });
	CHECK_ERR(mica_msg_error(mica_call(SLOT_INIT_CNODE, &m)), E_MSGSIZE);
	CHECK_EQ(kt_identify(dest).type, CAP_NULL);
}

/* E_WOULDBLOCK: nbrecv on an endpoint nobody sends to. */
static void wouldblock_nbrecv(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	struct mica_msg m;
	CHECK_ERR(mica_msg_error(mica_nbrecv(ep, &m, NULL)), E_WOULDBLOCK);
}

static volatile int wait_err;

static void wait_and_record(uint64_t ntfn)
{
	kt_wait(ntfn, (int *)&wait_err);
}

/* E_DELETED: a thread waiting on a notification that is deleted. */
static void deleted_notification_waiter(void)
{
	cptr_t n = kt_new(OBJ_NOTIFICATION, 0);
	struct kt_thread t;
	wait_err = 1;
	REQUIRE_OK(kt_spawn(&t, 100, false, wait_and_record, n));
	kt_settle();
	CHECK_EQ(wait_err, 1);
	CHECK_OK(mica_cnode_delete(SLOT_INIT_CNODE, n));
	kt_settle();
	CHECK_ERR(wait_err, E_DELETED);
}

/* E_BUSY: binding a second notification to a thread that has one. */
static void busy_bind_second_notification(void)
{
	cptr_t tcb = kt_new(OBJ_TCB, 0);
	cptr_t n1 = kt_new(OBJ_NOTIFICATION, 0), n2 = kt_new(OBJ_NOTIFICATION, 0);
	CHECK_OK(mica_tcb_bind_notification(tcb, n1));
	CHECK_ERR(mica_tcb_bind_notification(tcb, n2), E_BUSY);
}

/* E_BUSY: binding a notification that is bound to another thread. */
static void busy_bind_notification_bound_elsewhere(void)
{
	cptr_t t1 = kt_new(OBJ_TCB, 0), t2 = kt_new(OBJ_TCB, 0);
	cptr_t n = kt_new(OBJ_NOTIFICATION, 0);
	CHECK_OK(mica_tcb_bind_notification(t1, n));
	CHECK_ERR(mica_tcb_bind_notification(t2, n), E_BUSY);
}

/* E_STATE: TCB_UNBIND_NOTIFICATION on a thread with no bound notification. */
static void state_unbind_unbound(void)
{
	cptr_t tcb = kt_new(OBJ_TCB, 0);
	CHECK_ERR(mica_tcb_unbind_notification(tcb), E_STATE);
}

/* E_STATE: SYS_REPLY with no caller to reply to. */
static void state_reply_without_caller(void)
{
	struct mica_msg m = kt_msg(0, 0, NULL);
	CHECK_ERR(mica_reply(&m), E_STATE);
}

/* E_STATE: CNODE_SAVE_CALLER when there is no caller to save. */
static void state_save_caller_without_caller(void)
{
	cptr_t slot = kt_slot();
	CHECK_ERR(mica_cnode_save_caller(SLOT_INIT_CNODE, slot), E_STATE);
	CHECK_EQ(kt_identify(slot).type, CAP_NULL);
}

/* E_STATE: resuming a thread that has no VSpace. */
static void state_resume_without_vspace(void)
{
	cptr_t tcb = kt_new(OBJ_TCB, 0);
	CHECK_ERR(mica_tcb_resume(tcb), E_STATE);
}

/* E_NOASID: TCB_CONFIGURE with a new VSpace, which has no ASID yet. */
static void noasid_vspace_without_asid(void)
{
	cptr_t tcb = kt_new(OBJ_TCB, 0);
	cptr_t vs = kt_new(OBJ_VSPACE, 0);
	CHECK_EQ(kt_identify(vs).type, CAP_VSPACE);
	CHECK_ERR(mica_tcb_configure(tcb, 0, SLOT_INIT_CNODE, vs, 0, 0), E_NOASID);
}

/* E_INVAL: TCB_READ_REGISTERS on the calling thread itself. */
static void inval_read_own_registers(void)
{
	struct mica_tcb_regs regs;
	CHECK_ERR(mica_tcb_read_registers(SLOT_INIT_TCB, &regs), E_INVAL);
}

/* E_TYPE: an untyped capability cannot be copied (two retypes would overlap). */
static void type_copy_untyped(void)
{
	cptr_t ut = kt_new(OBJ_UNTYPED, 12);
	cptr_t dest = kt_slot();
	CHECK_ERR(mica_cnode_copy(SLOT_INIT_CNODE, dest, SLOT_INIT_CNODE, ut, RIGHTS_ALL), E_TYPE);
}

static const struct ktest tests[] = {
	{ "err_inval_copy_rights_outside_all", inval_copy_rights_outside_all },
	{ "err_inval_retype_unknown_type", inval_retype_unknown_type },
	{ "err_inval_read_own_registers", inval_read_own_registers },
	{ "err_range_cnode_radix_too_big", range_cnode_radix_too_big },
	{ "err_range_index_past_cnode", range_index_past_cnode },
	{ "err_align_ipc_buffer_not_1k_aligned", align_ipc_buffer_not_1k_aligned },
	{ "err_lookup_guard_mismatch", lookup_guard_mismatch },
	{ "err_nocap_empty_slot", nocap_empty_slot },
	{ "err_type_call_on_notification", type_call_on_notification },
	{ "err_type_configure_cspace_not_cnode", type_configure_cspace_not_cnode },
	{ "err_type_copy_untyped", type_copy_untyped },
	{ "err_rights_recv_without_read", rights_recv_without_read },
	{ "err_label_unknown_tcb_label", label_unknown_tcb_label },
	{ "err_delete_first_occupied_destination", delete_first_occupied_destination },
	{ "err_nomem_untyped_full", nomem_untyped_full },
	{ "err_msgsize_length_121", msgsize_length_121 },
	{ "err_msgsize_short_invocation", msgsize_short_invocation },
	{ "err_wouldblock_nbrecv", wouldblock_nbrecv },
	{ "err_deleted_notification_waiter", deleted_notification_waiter },
	{ "err_busy_bind_second_notification", busy_bind_second_notification },
	{ "err_busy_bind_notification_bound_elsewhere", busy_bind_notification_bound_elsewhere },
	{ "err_state_unbind_unbound", state_unbind_unbound },
	{ "err_state_reply_without_caller", state_reply_without_caller },
	{ "err_state_save_caller_without_caller", state_save_caller_without_caller },
	{ "err_state_resume_without_vspace", state_resume_without_vspace },
	{ "err_noasid_vspace_without_asid", noasid_vspace_without_asid },
};

const struct ktest_suite kt_suite_errors = KT_SUITE(tests);
