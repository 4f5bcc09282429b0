/*
 * The fastpaths: the commonest system calls done in one straight line, called straight from
 * the exception vector (vectors.S) with the caller's registers saved in its TCB.
 *
 * A client's SYS_CALL to a server already waiting on the endpoint, and the server's
 * SYS_REPLY_RECV back to a client waiting for the reply, are the two halves of every RPC.
 * When the message carries no capability (words beyond the six message registers need IPC
 * buffers at both ends), and the partner may run at once (it belongs to the same core and
 * its priority is at least that of every runnable thread queued there; a partner on another
 * core takes the general path), fastpath_call and fastpath_reply_recv look up the
 * capability, move the message registers, hand over the reply right, update both threads'
 * states, and switch directly to the partner. Neither thread touches a run queue: the
 * running thread is never in one (sched.c), the caller blocks, and the partner becomes the
 * running thread. fastpath_nbsend answers an NBSend nobody receives, fastpath_yield hands
 * the core to the next thread of the yielder's priority.
 *
 * Every check happens before the first change, including how the switch will go
 * (arch_switch_check), so nothing fails after it; if a check fails the function returns
 * NULL and the general path (syscall.c, ipc.c, sched.c) does the same work slowly, with the
 * same result. On success it returns the thread to resume, which vectors.S resumes. The
 * functions are leaves without a stack frame (the one call, arch_switch_installing, is a
 * tail call). This is the file the style guide allows to be long-winded.
 */
#include "fastpath.h"

#include <mica/errors.h>
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

/* The endpoint capability `cptr` names, if it has `right` and the thread's CSpace is a
 * single CNode that resolves all 64 bits (the usual root task and server layout); NULL
 * otherwise, for the general lookup (which finds the same slot when this one does). */
static inline __attribute__((always_inline)) struct cap *fast_endpoint(struct tcb *t, cptr_t cptr,
								       unsigned right)
{
	const struct cap *cn = &t->slots[TCB_SLOT_CSPACE].cap;
	unsigned radix = cn->u.cnode.radix, guard_bits = cn->u.cnode.guard_bits;
	if (cn->type != CAP_CNODE || radix + guard_bits != 64 || radix == 0 || guard_bits == 0 ||
	    (cptr >> radix) != cn->u.cnode.guard)
		return NULL;
	/* The low `radix` bits index the CNode: both shifts are in 1..63. */
	struct cap *cap = &cn->u.cnode.slots[(cptr << guard_bits) >> guard_bits].cap;
	if (cap->type != CAP_ENDPOINT || !(cap->rights & right))
		return NULL;
	return cap;
}

/* True if `info` is a message the fastpath carries from `from` to `to`: no capability,
 * and either registers only or words beyond them with IPC buffers at both ends. */
static inline __attribute__((always_inline)) bool fast_message(uint64_t info,
							       const struct tcb *from,
							       const struct tcb *to)
{
	/* Length and capability count are the low 9 bits: registers only and no capability
	 * is the common case, one compare. */
	if ((info & ((1u << (MSG_LENGTH_BITS + MSG_EXTRA_BITS)) - 1)) <= MSG_REGISTERS)
		return true;
	struct msginfo m = msginfo_unpack(info);
	if (m.extra_caps != 0 || m.length > MSG_MAX_LENGTH)
		return false;
	return tcb_ipc_buffer(from) && tcb_ipc_buffer(to);
}

/* Copies MR0..MR(len-1) and sets the receiver's badge and message info. */
static inline __attribute__((always_inline)) void fast_transfer(struct tcb *from, struct tcb *to,
								uint64_t badge)
{
	uint64_t info = arch_get_msginfo(&from->ctx);
	unsigned len = info & ((1u << MSG_LENGTH_BITS) - 1);
	/* Exactly `len` registers: the sender's other registers are none of the receiver's
	 * business. An empty message (the commonest) skips the copy at once; otherwise the
	 * switch falls through from the highest. */
	if (len == 0) {
		/* nothing to copy */
	} else if (len >= MSG_REGISTERS) {
		for (unsigned i = 0; i < MSG_REGISTERS; i++)
			arch_set_mr(&to->ctx, i, arch_get_mr(&from->ctx, i));
		for (unsigned i = MSG_REGISTERS; i < len; i++)
			tcb_ipc_buffer(to)->msg[i] = tcb_ipc_buffer(from)->msg[i];
	} else {
		switch (len) {
		case 5:
			arch_set_mr(&to->ctx, 4, arch_get_mr(&from->ctx, 4));
			/* fall through */
		case 4:
			arch_set_mr(&to->ctx, 3, arch_get_mr(&from->ctx, 3));
			/* fall through */
		case 3:
			arch_set_mr(&to->ctx, 2, arch_get_mr(&from->ctx, 2));
			/* fall through */
		case 2:
			arch_set_mr(&to->ctx, 1, arch_get_mr(&from->ctx, 1));
			/* fall through */
		default:
			arch_set_mr(&to->ctx, 0, arch_get_mr(&from->ctx, 0));
			break;
		}
	}
	arch_set_badge(&to->ctx, badge);
	arch_set_msginfo(&to->ctx, info & ~(uint64_t)(0x1f << 7)); /* no caps, none unwrapped */
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
	if (how != ARCH_SWITCH_SAME_VSPACE && how == ARCH_SWITCH_NEW_ASID)
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
	struct cap *cap = fast_endpoint(t, arch_get_cptr(&t->ctx), RIGHT_WRITE);
	if (!cap)
		return NULL;
	struct endpoint *ep = cap->u.endpoint.ep;
	if (ep->state != EP_RECEIVING)
		return NULL;
	struct tcb *server = ep->head;
	struct cte *reply_slot = &server->slots[TCB_SLOT_CALLER];
	if (!fast_message(arch_get_msginfo(&t->ctx), t, server) || !cap_is_null(&reply_slot->cap))
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
		arch_set_mr(&handler->ctx, i, words[i]);
	arch_set_badge(&handler->ctx, cap->u.endpoint.badge);
	arch_set_msginfo(&handler->ctx, msginfo_pack(FAULT_LABEL(kind), n, 0));
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
	if (fault_resume ? msginfo_unpack(arch_get_msginfo(&t->ctx)).label != 0
			 : !fast_message(arch_get_msginfo(&t->ctx), t, client))
		return NULL;
	if (t->bound_ntfn && t->bound_ntfn->active)
		return NULL;
	struct cap *cap = fast_endpoint(t, arch_get_cptr(&t->ctx), RIGHT_READ);
	if (!cap)
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

struct tcb *fastpath_nbsend(struct tcb *t)
{
	struct msginfo m = msginfo_unpack(arch_get_msginfo(&t->ctx));
	if (m.extra_caps != 0 || m.length > MSG_MAX_LENGTH)
		return NULL;
	struct cap *cap = fast_endpoint(t, arch_get_cptr(&t->ctx), RIGHT_WRITE);
	if (!cap || cap->u.endpoint.ep->state == EP_RECEIVING)
		return NULL;
	/* schedule_and_return would keep t: on its core, not outranked, VSpace unchanged. */
	if (t->cpu != this_cpu()->id || t->priority < sched_highest_queued() ||
	    arch_vspace_changed())
		return NULL;

	stat_hot(stats.syscalls);
	arch_set_msginfo(&t->ctx, msginfo_error(E_WOULDBLOCK));
	return t;
}

struct tcb *fastpath_yield(struct tcb *t)
{
	struct tcb *next = sched_yield_target(t);
	if (!next)
		return NULL;
	enum arch_switch how = arch_switch_check(next);
	if (how == ARCH_SWITCH_NO)
		return NULL;

	stat_hot(stats.syscalls);
	sched_yield_rotate(t, next);
	return fast_switch(next, how);
}
