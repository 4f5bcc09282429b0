/*
 * The IPC fastpath.
 *
 * A client's SYS_CALL to a server already waiting on the endpoint, and the server's
 * SYS_REPLY_RECV back to a client waiting for the reply, are the two halves of every RPC.
 * When the message carries no capability (words beyond the six message registers need IPC
 * buffers at both ends), and the partner may run at
 * once (it belongs to the same core and its priority is at least that of every runnable
 * thread queued there; a partner on another core takes the general path), these functions do
 * the whole operation in one straight line: look up the capability, move the message
 * registers, hand over the reply right, update both threads' states, and switch directly to
 * the partner. Neither thread touches a run queue: the running thread is never in one
 * (sched.c), the caller blocks, and the partner becomes the running thread. Every check happens
 * before the first change; if one fails the function returns and the general path (syscall.c,
 * ipc.c) does the same work slowly, with the same result. This is the file the style guide allows
 * to be long-winded.
 */
#include "fastpath.h"

#include <mica/fault.h>
#include <mica/objects.h>
#include <mica/syscall.h>
#include <stdbool.h>
#include <stddef.h>

#include <arch/switch.h>

#include "arch.h"
#include "object/cap.h"
#include "object/ipc.h"
#include "object/tcb.h"
#include "sched.h"
#include "stats.h"

/* The capability `cptr` names when the thread's CSpace is a single CNode that resolves
 * all 64 bits (the usual root task and server layout), or NULL for the general lookup. */
static inline struct cap *fast_lookup(struct tcb *t, cptr_t cptr)
{
	const struct cap *cn = &t->slots[TCB_SLOT_CSPACE].cap;
	unsigned radix = cn->u.cnode.radix;
	if (cn->type != CAP_CNODE || radix + cn->u.cnode.guard_bits != 64 || radix == 0 ||
	    radix >= 64 || (cptr >> radix) != cn->u.cnode.guard)
		return NULL;
	return &cn->u.cnode.slots[cptr & ((1ull << radix) - 1)].cap;
}

/* True if `info` is a message the fastpath carries from `from` to `to`: no capability,
 * and either registers only or words beyond them with IPC buffers at both ends. */
static inline bool fast_message(uint64_t info, const struct tcb *from, const struct tcb *to)
{
	struct msginfo m = msginfo_unpack(info);
	if (m.extra_caps != 0 || m.length > MSG_MAX_LENGTH)
		return false;
	return m.length <= MSG_REGISTERS || (tcb_ipc_buffer(from) && tcb_ipc_buffer(to));
}

/* Copies MR0..MR(len-1) and sets the receiver's badge and message info. */
static inline __attribute__((always_inline)) void fast_transfer(struct tcb *from, struct tcb *to,
								uint64_t badge)
{
	uint64_t info = from->ctx.x[1];
	unsigned len = info & ((1u << MSG_LENGTH_BITS) - 1);
	/* Exactly `len` registers: the sender's other registers are none of the receiver's
	 * business. Falls through from the highest. */
	switch (len < MSG_REGISTERS ? len : MSG_REGISTERS) {
	case 6:
		to->ctx.x[7] = from->ctx.x[7];
		/* fall through */
	case 5:
		to->ctx.x[6] = from->ctx.x[6];
		/* fall through */
	case 4:
		to->ctx.x[5] = from->ctx.x[5];
		/* fall through */
	case 3:
		to->ctx.x[4] = from->ctx.x[4];
		/* fall through */
	case 2:
		to->ctx.x[3] = from->ctx.x[3];
		/* fall through */
	case 1:
		to->ctx.x[2] = from->ctx.x[2];
		/* fall through */
	default:
		break;
	}
	for (unsigned i = MSG_REGISTERS; i < len; i++)
		tcb_ipc_buffer(to)->msg[i] = tcb_ipc_buffer(from)->msg[i];
	to->ctx.x[0] = badge;
	to->ctx.x[1] = info & ~(uint64_t)(0x1f << 7); /* no caps, none unwrapped */
	stat_hot(stats.ipc_messages);
}

/* Whether `next`, woken by the running thread `t`, may run at once in its place, and how
 * the core switches to it: next belongs to this core, no queued thread outranks it, and
 * it can run (arch_switch_check). ARCH_SWITCH_NO if not. */
static inline __attribute__((always_inline)) enum arch_switch fast_may_run(const struct tcb *t,
									   const struct tcb *next)
{
	if (next->priority < sched_highest_queued() || next->cpu != t->cpu)
		return ARCH_SWITCH_NO;
	return arch_switch_check(next);
}

/* Makes `next` (already marked runnable; fast_may_run said `how`) the running thread and
 * switches the core to it; returns it for vectors.S to return to. A switch that needs a
 * hardware ASID is a tail call, so the fastpaths need no stack frame. */
static inline __attribute__((always_inline)) struct tcb *fast_switch(struct tcb *next,
								     enum arch_switch how)
{
	current = next;
	if (how == ARCH_SWITCH_NEW_ASID)
		return arch_switch_installing(next);
	arch_fast_switch(next, how);
	return next;
}

/* Takes the first receiver off `ep` (which is EP_RECEIVING). */
static inline struct tcb *fast_dequeue(struct endpoint *ep)
{
	struct tcb *r = ep->head;
	ep->head = r->wait_next;
	if (ep->head) {
		ep->head->wait_prev = NULL;
	} else {
		ep->tail = NULL;
		ep->state = EP_IDLE;
	}
	r->wait_next = NULL;
	r->blocked_on = NULL;
	return r;
}

/* Gives `receiver` the one-shot reply right to `caller` (in its empty caller slot), blocks
 * the caller on it and makes the receiver the thread to run. */
static inline __attribute__((always_inline)) void fast_hand_over(struct tcb *caller,
								 struct tcb *receiver)
{
	struct cte *reply_slot = &receiver->slots[TCB_SLOT_CALLER];
	reply_slot->cap = cap_null();
	reply_slot->cap.type = CAP_REPLY;
	reply_slot->cap.rights = RIGHT_GRANT;
	reply_slot->cap.u.reply.caller = caller;
	caller->reply_slot = reply_slot;
	caller->state = THREAD_BLOCKED_REPLY; /* the running thread is in no run queue */
	receiver->state = THREAD_RUNNABLE;
	if (receiver->timeslice == 0)
		receiver->timeslice = TIMESLICE_TICKS;
}

struct tcb *fastpath_call(struct tcb *t)
{
	struct cap *cap = fast_lookup(t, t->ctx.x[0]);
	if (!cap || cap->type != CAP_ENDPOINT || !(cap->rights & RIGHT_WRITE))
		return NULL;
	struct endpoint *ep = cap->u.endpoint.ep;
	if (ep->state != EP_RECEIVING)
		return NULL;
	struct tcb *server = ep->head;
	struct cte *reply_slot = &server->slots[TCB_SLOT_CALLER];
	if (!fast_message(t->ctx.x[1], t, server) || !cap_is_null(&reply_slot->cap))
		return NULL;
	enum arch_switch how = fast_may_run(t, server);
	if (how == ARCH_SWITCH_NO)
		return NULL;

	stat_hot(stats.syscalls);
	fast_dequeue(ep);
	fast_transfer(t, server, cap->u.endpoint.badge);
	fast_hand_over(t, server);
	return fast_switch(server, how);
}

void fastpath_fault(struct tcb *t, unsigned kind, const uint64_t *words, unsigned n)
{
	const struct cap *cap = &t->slots[TCB_SLOT_FAULT_EP].cap;
	if (cap->type != CAP_ENDPOINT || n > MSG_REGISTERS)
		return;
	struct endpoint *ep = cap->u.endpoint.ep;
	if (ep->state != EP_RECEIVING)
		return;
	struct tcb *handler = ep->head;
	struct cte *reply_slot = &handler->slots[TCB_SLOT_CALLER];
	if (!cap_is_null(&reply_slot->cap))
		return;
	enum arch_switch how = fast_may_run(t, handler);
	if (how == ARCH_SWITCH_NO)
		return;

	fast_dequeue(ep);

	/* The fault message (include/mica/fault.h), as ipc.c's transfer_fault writes it. */
	for (unsigned i = 0; i < n; i++)
		handler->ctx.x[2 + i] = words[i];
	handler->ctx.x[0] = cap->u.endpoint.badge;
	handler->ctx.x[1] = msginfo_pack(FAULT_LABEL(kind), n, 0);
	stats.faults_delivered++;
	stat_hot(stats.ipc_messages);

	t->fault_pending = 1;
	t->fault_kind = kind;
	t->fault_len = (uint8_t)n;
	for (unsigned i = 0; i < n; i++)
		t->fault_msg[i] = words[i];
	fast_hand_over(t, handler);
	arch_return_to_user(fast_switch(handler, how));
}

struct tcb *fastpath_reply_recv(struct tcb *t)
{
	struct cte *reply_slot = &t->slots[TCB_SLOT_CALLER];
	if (reply_slot->cap.type != CAP_REPLY)
		return NULL;
	struct tcb *client = reply_slot->cap.u.reply.caller;
	/* A fault reply carries no message: label 0 resumes the faulter where it faulted. */
	bool fault_resume = client->fault_pending;
	if (fault_resume ? msginfo_unpack(t->ctx.x[1]).label != 0
			 : !fast_message(t->ctx.x[1], t, client))
		return NULL;
	if (t->bound_ntfn && t->bound_ntfn->active)
		return NULL;
	struct cap *cap = fast_lookup(t, t->ctx.x[0]);
	if (!cap || cap->type != CAP_ENDPOINT || !(cap->rights & RIGHT_READ))
		return NULL;
	struct endpoint *ep = cap->u.endpoint.ep;
	if (ep->state == EP_SENDING)
		return NULL;
	enum arch_switch how = fast_may_run(t, client);
	if (how == ARCH_SWITCH_NO)
		return NULL;

	stat_hot(stats.syscalls);
	if (fault_resume)
		client->fault_pending = 0;
	else
		fast_transfer(t, client, 0);
	reply_slot->cap = cap_null();
	client->reply_slot = NULL;

	/* The server waits on the endpoint (at the tail: other receivers came first). */
	t->state = THREAD_BLOCKED_RECV;
	t->blocked_on = ep;
	t->wait_next = NULL;
	t->wait_prev = ep->tail;
	if (ep->tail)
		ep->tail->wait_next = t;
	else
		ep->head = t;
	ep->tail = t;
	ep->state = EP_RECEIVING;

	client->state = THREAD_RUNNABLE;
	if (client->timeslice == 0)
		client->timeslice = TIMESLICE_TICKS;
	return fast_switch(client, how);
}
