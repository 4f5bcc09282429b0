/*
 * Fault delivery (fault.h): the fault message is built here and travels as an ordinary
 * call through ipc.c, which asks fault_deliver for the message when the receiver takes it
 * and fault_reply when the handler answers. A fault in flight is marked by the TCB's
 * fault_pending; its kind and words wait in fault_kind/fault_msg until delivery.
 */
#include "object/fault.h"

#include <mica/fault.h>
#include <mica/syscall.h>

#include "arch.h"
#include "console.h"
#include "object/cap.h"
#include "object/ipc.h"
#include "object/tcb.h"
#include "sched.h"
#include "stats.h"

_Static_assert(sizeof(((struct tcb *)0)->fault_msg) / sizeof(uint64_t) <= MSG_REGISTERS,
	       "a fault message travels in message registers");

void fault_raise(struct tcb *t, unsigned kind, const uint64_t *words, unsigned n)
{
	struct cap *ep = &t->slots[TCB_SLOT_FAULT_EP].cap;
	stats.faults_delivered++;
	if (ep->type != CAP_ENDPOINT) {
		kprintf(
		    "fault: thread %lu kind %u pc %#lx addr %#lx, no fault endpoint: suspended\n",
		    t->id, kind, arch_get_pc(&t->ctx), n ? words[0] : 0);
		sched_remove(t);
		t->state = THREAD_INACTIVE;
		return;
	}
	t->fault_pending = 1;
	t->fault_kind = kind;
	t->fault_len = (uint8_t)n;
	for (unsigned i = 0; i < n; i++)
		t->fault_msg[i] = words[i];
	ipc_send(t, ep->u.endpoint.ep, ep->u.endpoint.badge, false, true, true);
}

void fault_deliver(const struct tcb *snd, struct tcb *rcv, uint64_t badge)
{
	for (unsigned i = 0; i < snd->fault_len; i++)
		arch_set_mr(&rcv->ctx, i, snd->fault_msg[i]);
	arch_set_badge(&rcv->ctx, badge);
	arch_set_msginfo(&rcv->ctx, msginfo_pack(FAULT_LABEL(snd->fault_kind), snd->fault_len, 0));
}

void fault_reply(struct tcb *caller, uint64_t label)
{
	caller->fault_pending = 0;
	if (label == 0)
		sched_make_runnable(caller); /* resume where it faulted */
	else
		caller->state = THREAD_INACTIVE;
}
