/*
 * Synchronous IPC through endpoints, and one-shot replies. Notifications are in
 * notification.c, fault messages (which travel as calls through here) in fault.c.
 *
 * An endpoint holds a queue of threads that all want the same thing (all sending or all
 * receiving). A send meets a waiting receiver or queues; a receive meets a queued sender or
 * queues. A call is a send that leaves a reply capability to the caller in the receiver's
 * TCB_SLOT_CALLER and blocks the caller until that capability is used (or deleted).
 * Message words MR0..MR5 travel register to register; the rest IPC buffer to IPC buffer.
 */
#include "object/ipc.h"

#include <mica/errors.h>
#include <stddef.h>
#include <string.h>

#include "arch.h"
#include "object/cnode.h"
#include "object/cspace.h"
#include "object/fault.h"
#include "object/notification.h"
#include "object/tcb.h"
#include "object/waitq.h"
#include "sched.h"
#include "stats.h"

static struct tcb *ep_dequeue(struct endpoint *ep)
{
	struct tcb *t = ep->head;
	waitq_remove(&ep->head, &ep->tail, t);
	if (!ep->head)
		ep->state = EP_IDLE;
	return t;
}

static void ep_block(struct endpoint *ep, struct tcb *t, enum thread_state state,
		     enum endpoint_state ep_state)
{
	sched_remove(t);
	t->state = (uint8_t)state;
	t->restartable = !t->fault_pending; /* a fault message has no SVC to make again */
	t->blocked_on = ep;
	waitq_append(&ep->head, &ep->tail, t);
	ep->state = ep_state;
}

/* Sets the system-call result of `t` (its message info) to kernel error `err` (E_OK:
 * success). */
static void set_result(struct tcb *t, int err)
{
	arch_set_msginfo(&t->ctx, msginfo_error(err));
}

/* Wakes `t` from a wait with result `err`, or leaves it suspended if it was sending a fault
 * (the fault was never handled). */
static void wake_with_error(struct tcb *t, int err)
{
	if (t->fault_pending) {
		t->fault_pending = 0;
		t->state = THREAD_INACTIVE;
		return;
	}
	set_result(t, err);
	sched_make_runnable(t);
}

/*
 * Moves the capability named in snd's IPC buffer caps[0] to the receiver's receive slot
 * (a child copy), or unwraps it to its badge if it is a capability to `via` itself.
 * Anything that does not work out (no buffer, no such capability, no or occupied receive
 * slot, a capability that cannot be transferred) transfers nothing. Returns extra_caps.
 */
static unsigned transfer_cap(struct tcb *snd, struct tcb *rcv, struct endpoint *via,
			     unsigned *unwrapped)
{
	if (!tcb_ipc_buffer(snd))
		return 0;
	struct lookup_ret src = cspace_lookup_cap(snd, tcb_ipc_buffer(snd)->caps[0]);
	if (src.err)
		return 0;
	struct cap cap = src.slot->cap;
	if (via && cap.type == CAP_ENDPOINT && cap.u.endpoint.ep == via) {
		if (!tcb_ipc_buffer(rcv))
			return 0;
		tcb_ipc_buffer(rcv)->caps[0] = cap.u.endpoint.badge;
		*unwrapped = 1;
		return 1;
	}
	if (cap_derivable(&cap) != E_OK)
		return 0;
	if (!tcb_ipc_buffer(rcv) || tcb_ipc_buffer(rcv)->receive_cnode == 0)
		return 0;
	struct lookup_ret dst = cspace_lookup_index(rcv, tcb_ipc_buffer(rcv)->receive_cnode,
						    tcb_ipc_buffer(rcv)->receive_index);
	if (dst.err || !cap_is_null(&dst.slot->cap))
		return 0;
	mdb_insert(src.slot, dst.slot, cap);
	return 1;
}

/*
 * Copies the message of `snd` (label, words, at most one capability) to `rcv`. The message
 * info is read again here, at delivery, and its length clamped to MSG_MAX_LENGTH: the send
 * checked it, but a blocked sender's registers can be rewritten since (TCB_WRITE_REGISTERS),
 * and the 7-bit length field holds up to 127.
 */
static void transfer_message(struct tcb *snd, struct tcb *rcv, uint64_t badge, bool can_grant,
			     struct endpoint *via)
{
	if (snd->fault_pending) {
		fault_deliver(snd, rcv, badge);
		return;
	}
	struct msginfo info = msginfo_unpack(arch_get_msginfo(&snd->ctx));
	unsigned len = info.length < MSG_MAX_LENGTH ? info.length : MSG_MAX_LENGTH;
	unsigned nregs = len < MSG_REGISTERS ? len : MSG_REGISTERS;
	for (unsigned i = 0; i < nregs; i++)
		arch_set_mr(&rcv->ctx, i, arch_get_mr(&snd->ctx, i));
	if (len > MSG_REGISTERS) {
		if (tcb_ipc_buffer(snd) && tcb_ipc_buffer(rcv))
			memmove(&tcb_ipc_buffer(rcv)->msg[MSG_REGISTERS],
				&tcb_ipc_buffer(snd)->msg[MSG_REGISTERS],
				(len - MSG_REGISTERS) * sizeof(uint64_t));
		else
			len = MSG_REGISTERS;
	}
	unsigned extra = 0, unwrapped = 0;
	if (info.extra_caps && can_grant)
		extra = transfer_cap(snd, rcv, via, &unwrapped);
	arch_set_badge(&rcv->ctx, badge);
	arch_set_msginfo(&rcv->ctx,
			 msginfo_pack(info.label, len, extra) | ((uint64_t)unwrapped << 9));
	stats.ipc_messages++;
}

/* Gives `callee` a one-shot reply right to `caller` and blocks the caller on it. */
static void setup_reply(struct tcb *caller, struct tcb *callee)
{
	struct cte *slot = &callee->slots[TCB_SLOT_CALLER];
	if (!cap_is_null(&slot->cap))
		cte_delete(slot); /* an unanswered earlier call: that caller gets E_DELETED */
	struct cap reply = cap_null();
	reply.type = CAP_REPLY;
	reply.rights = RIGHT_GRANT;
	reply.u.reply.caller = caller;
	slot->cap = reply;
	sched_remove(caller);
	caller->state = THREAD_BLOCKED_REPLY;
	caller->reply_slot = slot;
}

void ipc_send(struct tcb *snd, struct endpoint *ep, uint64_t badge, bool can_grant, bool is_call,
	      bool blocking)
{
	if (ep->state == EP_RECEIVING) {
		struct tcb *rcv = ep_dequeue(ep);
		transfer_message(snd, rcv, badge, can_grant, ep);
		sched_make_runnable(rcv);
		if (is_call)
			setup_reply(snd, rcv);
		else
			set_result(snd, E_OK);
		return;
	}
	if (!blocking) {
		set_result(snd, E_WOULDBLOCK);
		return;
	}
	snd->send_badge = badge;
	snd->send_can_grant = can_grant;
	snd->send_is_call = is_call;
	ep_block(ep, snd, THREAD_BLOCKED_SEND, EP_SENDING);
}

void ipc_recv(struct tcb *rcv, struct endpoint *ep, bool blocking)
{
	if (notification_take_bound(rcv))
		return;
	struct cte *caller_slot = &rcv->slots[TCB_SLOT_CALLER];
	if (!cap_is_null(&caller_slot->cap))
		cte_delete(caller_slot);
	if (ep->state == EP_SENDING) {
		struct tcb *snd = ep_dequeue(ep);
		transfer_message(snd, rcv, snd->send_badge, snd->send_can_grant, ep);
		if (snd->send_is_call || snd->fault_pending) {
			setup_reply(snd, rcv);
		} else {
			set_result(snd, E_OK);
			sched_make_runnable(snd);
		}
		return;
	}
	if (!blocking) {
		set_result(rcv, E_WOULDBLOCK);
		return;
	}
	ep_block(ep, rcv, THREAD_BLOCKED_RECV, EP_RECEIVING);
}

void ipc_reply(struct tcb *replier, struct cte *slot)
{
	struct tcb *caller = slot->cap.u.reply.caller;
	slot->cap = cap_null();
	caller->reply_slot = NULL;
	if (caller->fault_pending) {
		fault_reply(caller, msginfo_unpack(arch_get_msginfo(&replier->ctx)).label);
		return;
	}
	transfer_message(replier, caller, 0, true, NULL);
	sched_make_runnable(caller);
}

void ipc_reply_deleted(struct tcb *caller)
{
	caller->reply_slot = NULL;
	wake_with_error(caller, E_DELETED);
}

void ipc_cancel(struct tcb *t)
{
	switch (t->state) {
	case THREAD_BLOCKED_SEND:
	case THREAD_BLOCKED_RECV: {
		struct endpoint *ep = t->blocked_on;
		waitq_remove(&ep->head, &ep->tail, t);
		if (!ep->head)
			ep->state = EP_IDLE;
		break;
	}
	case THREAD_BLOCKED_NTFN: {
		struct notification *n = t->blocked_on;
		waitq_remove(&n->head, &n->tail, t);
		break;
	}
	case THREAD_BLOCKED_REPLY:
		/* Our reply right dies with the wait; whoever holds it can no longer reply. */
		if (t->reply_slot)
			t->reply_slot->cap = cap_null();
		t->reply_slot = NULL;
		break;
	default:
		break;
	}
	t->fault_pending = 0;
}

void endpoint_cancel_all(struct endpoint *ep)
{
	while (ep->head) {
		struct tcb *t = ep_dequeue(ep);
		wake_with_error(t, E_DELETED);
	}
	ep->state = EP_IDLE;
}
