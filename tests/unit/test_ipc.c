/*
 * Host tests for endpoints, replies, notifications and fault delivery (kernel/object/ipc.c,
 * notification.c, fault.c, with the real cspace.c and mdb.c), compiled against a stub
 * architecture (tests/unit/stub_arch) whose saved registers are laid out unlike AArch64's:
 * these files build and behave without any Arm header, which is the architecture split
 * holding. The scheduler, deletion of a reply capability and the IRQ table are faked below;
 * the fakes record their calls. Register contents are read from the stub's fields directly,
 * so a generic file that wrote the wrong register would fail here.
 */
#include <mica/errors.h>
#include <mica/fault.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "console.h"
#include "object/cnode.h"
#include "object/cspace.h"
#include "object/fault.h"
#include "object/ipc.h"
#include "object/notification.h"
#include "object/tcb.h"
#include "sched.h"
#include "stats.h"

CHECK_DEFINE_GLOBALS;

struct kernel_stats stats;
static struct percpu cpu0;

static struct {
	int runnable, removed, cte_deletes, irq_forgets, printed;
	struct notification *forgot;
} calls;

struct percpu *stub_this_cpu(void)
{
	return &cpu0;
}

void sched_make_runnable(struct tcb *t)
{
	calls.runnable++;
	t->state = THREAD_RUNNABLE;
}

void sched_remove(struct tcb *t)
{
	(void)t;
	calls.removed++;
}

/* Deletion (cnode.c) as far as IPC reaches it: the reply capability of an unanswered call,
 * whose finalisation (objtype.c) is ipc_reply_deleted. */
void cte_delete(struct cte *slot)
{
	calls.cte_deletes++;
	struct cap c = slot->cap;
	slot->cap = cap_null();
	if (c.type == CAP_REPLY)
		ipc_reply_deleted(c.u.reply.caller);
}

/* CNode indexing (cnode.c) is reached only by a capability transfer, which the QEMU suite
 * tests; here it finds no slot, so no transfer happens. */
struct cte *cnode_slot_at(const struct cap *cnode, uint64_t index)
{
	(void)cnode;
	(void)index;
	return NULL;
}

void irq_forget_notification(struct notification *ntfn)
{
	calls.irq_forgets++;
	calls.forgot = ntfn;
}

void arch_cap_derived(struct cap *cap)
{
	(void)cap;
}

int kprintf(const char *fmt, ...)
{
	(void)fmt;
	return ++calls.printed;
}

static struct tcb client, server, other;
static struct endpoint ep;
static struct notification ntfn;

static void reset(void)
{
	memset(&calls, 0, sizeof(calls));
	memset(&stats, 0, sizeof(stats));
	struct tcb *all[] = { &client, &server, &other };
	for (unsigned i = 0; i < 3; i++) {
		memset(all[i], 0, sizeof(*all[i]));
		all[i]->state = THREAD_RUNNABLE;
		all[i]->id = i + 1;
	}
	memset(&ep, 0, sizeof(ep));
	memset(&ntfn, 0, sizeof(ntfn));
}

/* Loads `t`'s registers with a message: label, `n` words 100, 101, ... */
static void load_message(struct tcb *t, uint64_t label, unsigned n)
{
	t->ctx.info = msginfo_pack(label, n, 0);
	for (unsigned i = 0; i < n && i < MSG_REGISTERS; i++)
		t->ctx.mr[i] = 100 + i;
}

static struct msginfo info_of(const struct tcb *t)
{
	return msginfo_unpack(t->ctx.info);
}

static int error_of(const struct tcb *t)
{
	return (int)((int64_t)(info_of(t).label << 12) >> 12); /* 52-bit two's complement */
}

static void test_send_meets_waiting_receiver(void)
{
	reset();
	ipc_recv(&server, &ep, true);
	CHECK_EQ(server.state, THREAD_BLOCKED_RECV);
	CHECK_EQ(ep.state, EP_RECEIVING);
	load_message(&client, 42, 3);
	ipc_send(&client, &ep, 0xbad9e, false, false, true);
	CHECK_EQ(ep.state, EP_IDLE);
	CHECK_EQ(server.state, THREAD_RUNNABLE);
	CHECK_EQ(server.ctx.badge, 0xbad9e);
	CHECK_EQ(info_of(&server).label, 42);
	CHECK_EQ(info_of(&server).length, 3);
	CHECK_EQ(server.ctx.mr[0], 100);
	CHECK_EQ(server.ctx.mr[2], 102);
	CHECK_EQ(server.ctx.mr[3], 0); /* only the message's words */
	CHECK_EQ(error_of(&client), E_OK);
	CHECK_EQ(stats.ipc_messages, 1);
}

static void test_nonblocking_send_without_receiver_fails(void)
{
	reset();
	load_message(&client, 1, 1);
	ipc_send(&client, &ep, 0, false, false, false);
	CHECK_EQ(error_of(&client), E_WOULDBLOCK);
	CHECK_EQ(ep.state, EP_IDLE);
	CHECK(ep.head == NULL);
	CHECK_EQ(client.state, THREAD_RUNNABLE);
}

static void test_queued_sender_is_received(void)
{
	reset();
	load_message(&client, 7, 2);
	ipc_send(&client, &ep, 5, false, false, true);
	CHECK_EQ(client.state, THREAD_BLOCKED_SEND);
	CHECK(ep.head == &client && ep.tail == &client);
	ipc_recv(&server, &ep, true);
	CHECK_EQ(server.ctx.badge, 5);
	CHECK_EQ(info_of(&server).label, 7);
	CHECK_EQ(server.ctx.mr[1], 101);
	CHECK_EQ(client.state, THREAD_RUNNABLE);
	CHECK_EQ(error_of(&client), E_OK);
	CHECK(ep.head == NULL);
}

static void test_long_message_without_buffers_is_cut_to_registers(void)
{
	reset();
	ipc_recv(&server, &ep, true);
	load_message(&client, 3, 20);
	ipc_send(&client, &ep, 0, false, false, true);
	CHECK_EQ(info_of(&server).length, MSG_REGISTERS);
	CHECK_EQ(server.ctx.mr[MSG_REGISTERS - 1], 100 + MSG_REGISTERS - 1);
}

static void test_call_and_reply(void)
{
	reset();
	ipc_recv(&server, &ep, true);
	load_message(&client, 9, 1);
	ipc_send(&client, &ep, 0, false, true, true);
	CHECK_EQ(client.state, THREAD_BLOCKED_REPLY);
	struct cte *slot = &server.slots[TCB_SLOT_CALLER];
	CHECK_EQ(slot->cap.type, CAP_REPLY);
	CHECK(slot->cap.u.reply.caller == &client);
	load_message(&server, 0, 2);
	server.ctx.mr[1] = 77;
	ipc_reply(&server, slot);
	CHECK(cap_is_null(&slot->cap));
	CHECK_EQ(client.state, THREAD_RUNNABLE);
	CHECK_EQ(info_of(&client).length, 2);
	CHECK_EQ(client.ctx.mr[1], 77);
	CHECK_EQ(client.ctx.badge, 0); /* replies carry no badge */
	CHECK(client.reply_slot == NULL);
}

static void test_unanswered_call_fails_with_deleted_on_next_receive(void)
{
	reset();
	ipc_recv(&server, &ep, true);
	ipc_send(&client, &ep, 0, false, true, true);
	ipc_recv(&server, &ep, false); /* the server receives again without replying */
	CHECK_EQ(calls.cte_deletes, 1);
	CHECK_EQ(client.state, THREAD_RUNNABLE);
	CHECK_EQ(error_of(&client), E_DELETED);
	CHECK_EQ(error_of(&server), E_WOULDBLOCK);
}

static void test_endpoint_destroyed_wakes_queued_with_deleted(void)
{
	reset();
	ipc_send(&client, &ep, 0, false, false, true);
	ipc_send(&other, &ep, 0, false, false, true);
	endpoint_cancel_all(&ep);
	CHECK_EQ(client.state, THREAD_RUNNABLE);
	CHECK_EQ(other.state, THREAD_RUNNABLE);
	CHECK_EQ(error_of(&client), E_DELETED);
	CHECK_EQ(error_of(&other), E_DELETED);
	CHECK_EQ(ep.state, EP_IDLE);
	CHECK(ep.head == NULL && ep.tail == NULL);
}

static void test_signal_without_waiter_is_kept_until_wait(void)
{
	reset();
	notification_signal(&ntfn, 0x4);
	notification_signal(&ntfn, 0x10);
	CHECK_EQ(ntfn.word, 0x14);
	CHECK_EQ(ntfn.active, 1);
	notification_wait(&server, &ntfn, true);
	CHECK_EQ(server.state, THREAD_RUNNABLE); /* did not block */
	CHECK_EQ(server.ctx.badge, 0x14);
	CHECK_EQ(info_of(&server).label, MSG_LABEL_NOTIFY);
	CHECK_EQ(ntfn.word, 0);
	CHECK_EQ(ntfn.active, 0);
}

static void test_wait_blocks_until_signal(void)
{
	reset();
	ntfn.word = 0;
	notification_wait(&server, &ntfn, true);
	CHECK_EQ(server.state, THREAD_BLOCKED_NTFN);
	CHECK(ntfn.head == &server);
	notification_signal(&ntfn, 0x3);
	CHECK_EQ(server.state, THREAD_RUNNABLE);
	CHECK_EQ(server.ctx.badge, 0x3);
	CHECK_EQ(info_of(&server).label, MSG_LABEL_NOTIFY);
	CHECK(ntfn.head == NULL);
	CHECK_EQ(ntfn.active, 0);
}

static void test_poll_with_nothing_signalled_returns_zero(void)
{
	reset();
	server.ctx.badge = 0xdead;
	notification_wait(&server, &ntfn, false);
	CHECK_EQ(server.state, THREAD_RUNNABLE);
	CHECK_EQ(server.ctx.badge, 0);
	CHECK_EQ(info_of(&server).label, MSG_LABEL_NOTIFY);
	CHECK(ntfn.head == NULL);
}

static void test_signal_pulls_bound_thread_out_of_endpoint_receive(void)
{
	reset();
	notification_bind(&ntfn, &server);
	CHECK(server.bound_ntfn == &ntfn && ntfn.bound == &server);
	ipc_recv(&server, &ep, true);
	CHECK_EQ(server.state, THREAD_BLOCKED_RECV);
	notification_signal(&ntfn, 0x80);
	CHECK_EQ(server.state, THREAD_RUNNABLE);
	CHECK_EQ(server.ctx.badge, 0x80);
	CHECK_EQ(info_of(&server).label, MSG_LABEL_NOTIFY);
	CHECK_EQ(ep.state, EP_IDLE); /* out of the endpoint's queue */
	CHECK(ep.head == NULL);
}

static void test_receive_takes_pending_bound_signal_first(void)
{
	reset();
	notification_bind(&ntfn, &server);
	notification_signal(&ntfn, 0x2);
	load_message(&client, 5, 1);
	ipc_send(&client, &ep, 0, false, false, true); /* a sender waits too */
	ipc_recv(&server, &ep, true);
	CHECK_EQ(info_of(&server).label, MSG_LABEL_NOTIFY);
	CHECK_EQ(server.ctx.badge, 0x2);
	CHECK_EQ(client.state, THREAD_BLOCKED_SEND); /* still queued */
	CHECK_EQ(ntfn.active, 0);
	CHECK(!notification_take_bound(&server)); /* nothing pending any more */
	notification_unbind(&server);
	CHECK(server.bound_ntfn == NULL && ntfn.bound == NULL);
}

static void test_notification_destroyed_wakes_waiters_and_unbinds(void)
{
	reset();
	notification_wait(&client, &ntfn, true);
	notification_wait(&other, &ntfn, true);
	notification_bind(&ntfn, &server);
	notification_cancel_all(&ntfn);
	CHECK_EQ(client.state, THREAD_RUNNABLE);
	CHECK_EQ(other.state, THREAD_RUNNABLE);
	CHECK_EQ(error_of(&client), E_DELETED);
	CHECK_EQ(error_of(&other), E_DELETED);
	CHECK(server.bound_ntfn == NULL && ntfn.bound == NULL);
	CHECK_EQ(calls.irq_forgets, 1);
	CHECK(calls.forgot == &ntfn);
	CHECK(ntfn.head == NULL);
}

/* Gives `t` a fault endpoint capability to `ep` with `badge`. */
static void give_fault_endpoint(struct tcb *t, uint64_t badge)
{
	struct cap c = cap_null();
	c.type = CAP_ENDPOINT;
	c.rights = RIGHTS_ALL;
	c.u.endpoint.ep = &ep;
	c.u.endpoint.badge = badge;
	t->slots[TCB_SLOT_FAULT_EP].cap = c;
}

static void test_fault_reaches_handler_as_message(void)
{
	reset();
	give_fault_endpoint(&client, 0xfa);
	ipc_recv(&server, &ep, true);
	uint64_t words[4] = { 0x1000, 0x400123, 1, 0x92000046 };
	fault_raise(&client, FAULT_VM, words, 4);
	CHECK_EQ(stats.faults_delivered, 1);
	CHECK_EQ(server.state, THREAD_RUNNABLE);
	CHECK_EQ(server.ctx.badge, 0xfa);
	CHECK_EQ(info_of(&server).label, FAULT_LABEL(FAULT_VM));
	CHECK_EQ(info_of(&server).length, 4);
	CHECK_EQ(server.ctx.mr[0], 0x1000);
	CHECK_EQ(server.ctx.mr[1], 0x400123);
	CHECK_EQ(server.ctx.mr[3], 0x92000046);
	CHECK_EQ(client.state, THREAD_BLOCKED_REPLY);
	CHECK_EQ(server.slots[TCB_SLOT_CALLER].cap.type, CAP_REPLY);
}

static void test_fault_reply_label_zero_resumes(void)
{
	reset();
	give_fault_endpoint(&client, 0);
	uint64_t words[2] = { 99, 0x400000 };
	fault_raise(&client, FAULT_UNKNOWN_SYSCALL, words, 2); /* queued: no handler waits */
	CHECK_EQ(client.state, THREAD_BLOCKED_SEND);
	ipc_recv(&server, &ep, true);
	CHECK_EQ(info_of(&server).label, FAULT_LABEL(FAULT_UNKNOWN_SYSCALL));
	CHECK_EQ(server.ctx.mr[0], 99);
	client.ctx.info = 0x5555; /* the faulting thread's registers are left alone */
	load_message(&server, 0, 0);
	ipc_reply(&server, &server.slots[TCB_SLOT_CALLER]);
	CHECK_EQ(client.state, THREAD_RUNNABLE);
	CHECK_EQ(client.fault_pending, 0);
	CHECK_EQ(client.ctx.info, 0x5555);
}

static void test_fault_reply_other_label_leaves_thread_suspended(void)
{
	reset();
	give_fault_endpoint(&client, 0);
	ipc_recv(&server, &ep, true);
	uint64_t words[2] = { 0x400000, 0 };
	fault_raise(&client, FAULT_UNDEFINED, words, 2);
	load_message(&server, 1, 0);
	ipc_reply(&server, &server.slots[TCB_SLOT_CALLER]);
	CHECK_EQ(client.state, THREAD_INACTIVE);
	CHECK_EQ(client.fault_pending, 0);
}

static void test_fault_without_endpoint_suspends(void)
{
	reset();
	uint64_t words[2] = { 0x400000, 0 };
	fault_raise(&client, FAULT_UNDEFINED, words, 2);
	CHECK_EQ(client.state, THREAD_INACTIVE);
	CHECK_EQ(client.fault_pending, 0);
	CHECK_EQ(stats.faults_delivered, 1);
	CHECK_EQ(calls.printed, 1); /* the kernel log says so */
}

static void test_fault_in_flight_when_endpoint_dies_stays_suspended(void)
{
	reset();
	give_fault_endpoint(&client, 0);
	uint64_t words[2] = { 0x400000, 0 };
	fault_raise(&client, FAULT_UNDEFINED, words, 2);
	endpoint_cancel_all(&ep);
	CHECK_EQ(client.state, THREAD_INACTIVE);
	CHECK_EQ(client.fault_pending, 0);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "send_meets_waiting_receiver", test_send_meets_waiting_receiver },
		{ "nonblocking_send_without_receiver_fails",
		  test_nonblocking_send_without_receiver_fails },
		{ "queued_sender_is_received", test_queued_sender_is_received },
		{ "long_message_without_buffers_is_cut_to_registers",
		  test_long_message_without_buffers_is_cut_to_registers },
		{ "call_and_reply", test_call_and_reply },
		{ "unanswered_call_fails_with_deleted_on_next_receive",
		  test_unanswered_call_fails_with_deleted_on_next_receive },
		{ "endpoint_destroyed_wakes_queued_with_deleted",
		  test_endpoint_destroyed_wakes_queued_with_deleted },
		{ "signal_without_waiter_is_kept_until_wait",
		  test_signal_without_waiter_is_kept_until_wait },
		{ "wait_blocks_until_signal", test_wait_blocks_until_signal },
		{ "poll_with_nothing_signalled_returns_zero",
		  test_poll_with_nothing_signalled_returns_zero },
		{ "signal_pulls_bound_thread_out_of_endpoint_receive",
		  test_signal_pulls_bound_thread_out_of_endpoint_receive },
		{ "receive_takes_pending_bound_signal_first",
		  test_receive_takes_pending_bound_signal_first },
		{ "notification_destroyed_wakes_waiters_and_unbinds",
		  test_notification_destroyed_wakes_waiters_and_unbinds },
		{ "fault_reaches_handler_as_message", test_fault_reaches_handler_as_message },
		{ "fault_reply_label_zero_resumes", test_fault_reply_label_zero_resumes },
		{ "fault_reply_other_label_leaves_thread_suspended",
		  test_fault_reply_other_label_leaves_thread_suspended },
		{ "fault_without_endpoint_suspends", test_fault_without_endpoint_suspends },
		{ "fault_in_flight_when_endpoint_dies_stays_suspended",
		  test_fault_in_flight_when_endpoint_dies_stays_suspended },
		{ NULL, NULL },
	};
	return check_main(tests);
}
