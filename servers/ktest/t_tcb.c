/*
 * TCB invocations: registers, TLS, suspend and resume, and what a thread's configuration
 * holds on to (kernel-api.md, "TCB").
 */
#include "ktest.h"

/* Writing a suspended thread's registers (no resume) is what reading them returns. */
static void write_registers_then_read_back(void)
{
	cptr_t tcb = kt_new(OBJ_TCB, 0);
	REQUIRE_OK(mica_tcb_configure(tcb, 0, SLOT_INIT_CNODE, SLOT_INIT_VSPACE, 0, 0));
	const uint64_t x[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	CHECK_OK(mica_tcb_write_registers(tcb, 0, 0x400123, 0x7fff1230, x));
	struct mica_tcb_regs r;
	REQUIRE_OK(mica_tcb_read_registers(tcb, &r));
	CHECK_EQ(r.pc, 0x400123);
	CHECK_EQ(r.sp, 0x7fff1230);
	for (int i = 0; i < 8; i++)
		CHECK_EQ(r.x[i], (uint64_t)i + 1);
}

static volatile uint64_t seen_tpidr;

static void read_tpidr(uint64_t arg)
{
	(void)arg;
	seen_tpidr = (uint64_t)mica_ipc_buffer();
}

/* TCB_SET_TLS sets the thread's TPIDR_EL0; the caller's own stays as it was. */
static void set_tls_sets_thread_tpidr(void)
{
	struct kt_thread t;
	struct kt_thread_opts o = { .prio = 100 };
	seen_tpidr = 0;
	REQUIRE_OK(kt_thread_new(&t, &o));
	REQUIRE_OK(mica_tcb_set_tls(t.tcb, 0x12345000));
	REQUIRE_OK(kt_thread_start(&t, read_tpidr, 0));
	kt_settle();
	CHECK_EQ(seen_tpidr, 0x12345000);
	CHECK_EQ((uint64_t)mica_ipc_buffer(), kt_bootinfo->ipc_buffer);
}

/* TCB_SET_TLS on the calling thread is E_INVAL (it writes TPIDR_EL0 itself). */
static void set_tls_on_self_is_inval(void)
{
	CHECK_ERR(mica_tcb_set_tls(SLOT_INIT_TCB, 0x1000), E_INVAL);
}

static void log_h(uint64_t arg)
{
	(void)arg;
	kt_log('H');
}

/* A suspended thread does not run; resumed, it does. */
static void suspend_stops_resume_continues(void)
{
	struct kt_thread t;
	REQUIRE_OK(kt_spawn(&t, 100, false, log_h, 0));
	CHECK_OK(mica_tcb_suspend(t.tcb));
	kt_settle();
	CHECK_STR(kt_log_text(), "");
	CHECK_OK(mica_tcb_resume(t.tcb));
	kt_settle();
	CHECK_STR(kt_log_text(), "H");
}

static volatile int call_err;

static void call_once(uint64_t ep)
{
	struct mica_msg m = kt_msg(1, 0, NULL);
	call_err = mica_msg_error(mica_call(ep, &m));
}

/* Suspending a thread waiting for its reply kills the reply right (CAP_NULL in the slot);
 * resumed, the call ends with E_DELETED, as when the reply right is deleted (it is not made
 * again: its message was delivered). */
static void suspend_of_caller_kills_reply_right(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	struct kt_thread t;
	call_err = 1;
	REQUIRE_OK(kt_spawn(&t, 100, false, call_once, ep));
	kt_settle();
	struct mica_msg m;
	REQUIRE_OK(mica_msg_error(mica_nbrecv(ep, &m, NULL)));
	cptr_t reply = kt_slot();
	REQUIRE_OK(mica_cnode_save_caller(SLOT_INIT_CNODE, reply));
	CHECK_OK(mica_tcb_suspend(t.tcb));
	CHECK_EQ(kt_identify(reply).type, CAP_NULL);
	CHECK_EQ(call_err, 1); /* not woken */
	CHECK_OK(mica_tcb_resume(t.tcb));
	kt_settle();
	CHECK_ERR(call_err, E_DELETED);
	CHECK_ERR(mica_msg_error(mica_nbrecv(ep, &m, NULL)), E_WOULDBLOCK); /* sent once */
}

static volatile int64_t received_label;

static void receive_once(uint64_t ep)
{
	struct mica_msg m;
	uint64_t info = mica_recv(ep, &m, NULL);
	received_label = (int64_t)msginfo_unpack(info).label;
}

/* Starts a thread that waits in a receive on `ep` (receive_once) and lets it block. */
static int start_receiver(struct kt_thread *t, cptr_t ep)
{
	received_label = -1;
	int err = kt_spawn(t, 100, false, receive_once, ep);
	kt_settle();
	return err;
}

/* A thread suspended while it waits in a receive waits again when resumed, and receives
 * the next message (not a reply made of its own registers). */
static void suspended_receiver_receives_after_resume(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	struct kt_thread t;
	REQUIRE_OK(start_receiver(&t, ep));
	CHECK_OK(mica_tcb_suspend(t.tcb));
	CHECK_OK(mica_tcb_resume(t.tcb));
	kt_settle();
	CHECK_EQ(received_label, -1); /* waiting again */
	struct mica_msg m = kt_msg(9, 0, NULL);
	CHECK_OK(mica_nbsend(ep, &m));
	kt_settle();
	CHECK_EQ(received_label, 9);
}

/* A suspended receiver's saved PC is its SVC (the receive is made again on resume), but a
 * PC written into a blocked thread is where it resumes: a suspend does not move it. */
static void suspend_rewinds_the_call_but_not_a_written_pc(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	struct kt_thread t;
	REQUIRE_OK(start_receiver(&t, ep));
	struct mica_tcb_regs blocked, r;
	CHECK_OK(mica_tcb_read_registers(t.tcb, &blocked)); /* PC just past the SVC */
	CHECK_OK(mica_tcb_suspend(t.tcb));
	CHECK_OK(mica_tcb_read_registers(t.tcb, &r));
	CHECK_EQ(r.pc, blocked.pc - 4);
	CHECK_OK(mica_tcb_resume(t.tcb));
	kt_settle();
	CHECK_EQ(received_label, -1); /* waiting again, PC past the SVC again */
	CHECK_OK(mica_tcb_read_registers(t.tcb, &r));
	CHECK_EQ(r.pc, blocked.pc);
	/* The same PC written while it waits (it stays blocked): a suspend leaves it there. */
	CHECK_OK(mica_tcb_write_registers(t.tcb, 0, blocked.pc, blocked.sp, blocked.x));
	CHECK_OK(mica_tcb_suspend(t.tcb));
	CHECK_OK(mica_tcb_read_registers(t.tcb, &r));
	CHECK_EQ(r.pc, blocked.pc);
}

static void send_once(uint64_t ep)
{
	struct mica_msg m = kt_msg(5, 0, NULL);
	if (mica_send(ep, &m) == 0)
		kt_log('S');
}

/* A thread suspended while its send waits for a receiver sends it when resumed, once. */
static void suspended_sender_sends_once_after_resume(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	struct kt_thread t;
	REQUIRE_OK(kt_spawn(&t, 100, false, send_once, ep));
	kt_settle();
	CHECK_OK(mica_tcb_suspend(t.tcb));
	struct mica_msg m;
	CHECK_ERR(mica_msg_error(mica_nbrecv(ep, &m, NULL)), E_WOULDBLOCK); /* out of the queue */
	CHECK_OK(mica_tcb_resume(t.tcb));
	kt_settle();
	CHECK_STR(kt_log_text(), ""); /* sending again, not done */
	uint64_t info = mica_nbrecv(ep, &m, NULL);
	CHECK_OK(mica_msg_error(info));
	CHECK_EQ(msginfo_unpack(info).label, 5);
	kt_settle();
	CHECK_STR(kt_log_text(), "S");
	CHECK_ERR(mica_msg_error(mica_nbrecv(ep, &m, NULL)), E_WOULDBLOCK);
}

/*
 * Configuring a thread with the root's own (mapped) IPC-buffer frame capability and then
 * deleting the thread leaves the root's IPC buffer mapped: the TCB holds a copy of the
 * capability, and a copy starts unmapped. Should the mapping be gone, it is put back
 * before anything touches the buffer, so the remaining tests still run.
 */
static void delete_keeps_configured_ipc_frame_mapped(void)
{
	uint64_t ipc = kt_bootinfo->ipc_buffer;
	cptr_t tcb = kt_new(OBJ_TCB, 0);
	REQUIRE_OK(mica_tcb_configure(tcb, 0, SLOT_INIT_CNODE, SLOT_INIT_VSPACE,
				      ipc + KT_IPC_STRIDE, SLOT_IPC_BUFFER));
	CHECK_OK(mica_cnode_delete(SLOT_INIT_CNODE, tcb));
	bool mapped = kt_root_maps(ipc);
	if (!mapped) {
		mica_frame_unmap(SLOT_IPC_BUFFER);
		mica_frame_map(SLOT_IPC_BUFFER, SLOT_INIT_VSPACE, ipc, RIGHT_READ | RIGHT_WRITE);
	}
	CHECK(mapped);
	CHECK(kt_root_maps(ipc));
}

static const struct ktest tests[] = {
	{ "tcb_write_registers_then_read_back", write_registers_then_read_back },
	{ "tcb_set_tls_sets_thread_tpidr", set_tls_sets_thread_tpidr },
	{ "tcb_set_tls_on_self_is_inval", set_tls_on_self_is_inval },
	{ "tcb_suspend_stops_resume_continues", suspend_stops_resume_continues },
	{ "tcb_suspend_of_caller_kills_reply_right", suspend_of_caller_kills_reply_right },
	{ "tcb_suspended_receiver_receives_after_resume",
	  suspended_receiver_receives_after_resume },
	{ "tcb_suspended_sender_sends_once_after_resume",
	  suspended_sender_sends_once_after_resume },
	{ "tcb_suspend_rewinds_the_call_but_not_a_written_pc",
	  suspend_rewinds_the_call_but_not_a_written_pc },
	{ "tcb_delete_keeps_configured_ipc_frame_mapped",
	  delete_keeps_configured_ipc_frame_mapped },
};

const struct ktest_suite kt_suite_tcb = KT_SUITE(tests);
