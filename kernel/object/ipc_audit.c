/*
 * The IPC audit (see audit.h): endpoint and notification wait queues, bound notifications
 * and reply capabilities, checked from the live objects the derivation-tree audit found.
 *
 * A queue is walked from its head; each step checks the back link, so a loop is reported
 * as a bad link (as in mdb_audit.c) and the walk stops; AUDIT_MAX_QUEUE bounds it besides.
 * That every blocked thread is queued where it says follows from counting: each queued
 * thread is checked to be blocked on the object that queues it, a thread has one set of
 * queue links, so if the queues hold as many threads as there are blocked threads, every
 * blocked thread is in its queue.
 */
#include <mica/objects.h>
#include <stddef.h>

#include "audit.h"
#include "object/cap.h"
#include "object/ipc.h"
#include "object/notification.h"
#include "object/tcb.h"
#include "sched.h"

#define AUDIT_MAX_QUEUE (1u << 20)

/* Threads found queued and found blocked, on endpoints and on notifications. */
struct ipc_counts {
	unsigned ep_queued, ep_blocked, ntfn_queued, ntfn_blocked;
};

static bool live(unsigned type, const void *obj)
{
	return audit_object_find(type, (uint64_t)(uintptr_t)obj, 0) != NULL;
}

/* Walks one wait queue of `what` `obj`: every thread live, linked both ways, in `state`
 * and blocked on `obj`; the tail is the last. Returns how many threads it holds. */
static unsigned audit_wait_queue(struct audit *a, const char *what, const void *obj,
				 const struct tcb *head, const struct tcb *tail, unsigned state)
{
	const struct tcb *prev = NULL;
	unsigned n = 0;
	for (const struct tcb *t = head; t; prev = t, t = t->wait_next) {
		a->checked++;
		if (!live(CAP_TCB, t)) {
			audit_fail(a, "%s %p: queued thread %p is not a live TCB", what, obj,
				   (const void *)t);
			return n;
		}
		if (++n > AUDIT_MAX_QUEUE || t->wait_prev != prev) {
			audit_fail(a,
				   "%s %p: thread %lu links back to %p, not %p (broken link or "
				   "cycle)",
				   what, obj, t->id, (const void *)t->wait_prev,
				   (const void *)prev);
			return n;
		}
		if (t->blocked_on != obj)
			audit_fail(a, "%s %p: queued thread %lu is blocked on %p", what, obj, t->id,
				   t->blocked_on);
		if (t->state != state)
			audit_fail(a, "%s %p: queued thread %lu is in state %u, not %u", what, obj,
				   t->id, (unsigned)t->state, state);
	}
	if (tail != prev)
		audit_fail(a, "%s %p: the tail %p is not the last thread %p", what, obj,
			   (const void *)tail, (const void *)prev);
	return n;
}

static void audit_endpoint(struct audit *a, const struct endpoint *ep, struct ipc_counts *c)
{
	if (ep->state > EP_RECEIVING) {
		audit_fail(a, "endpoint %p: state %lu", (const void *)ep, ep->state);
		return;
	}
	if ((ep->state == EP_IDLE) != (ep->head == NULL))
		audit_fail(a, "endpoint %p: state %lu but its queue is %s", (const void *)ep,
			   ep->state, ep->head ? "not empty" : "empty");
	unsigned want = ep->state == EP_RECEIVING ? THREAD_BLOCKED_RECV : THREAD_BLOCKED_SEND;
	c->ep_queued += audit_wait_queue(a, "endpoint", ep, ep->head, ep->tail, want);
}

static void audit_notification(struct audit *a, const struct notification *n, struct ipc_counts *c)
{
	c->ntfn_queued +=
	    audit_wait_queue(a, "notification", n, n->head, n->tail, THREAD_BLOCKED_NTFN);
	if (n->bound && (!live(CAP_TCB, n->bound) || n->bound->bound_ntfn != n))
		audit_fail(a, "notification %p: bound to thread %p, which is not bound to it",
			   (const void *)n, (const void *)n->bound);
}

/* A thread waiting for a reply: its reply_slot holds the unlinked reply capability that
 * names it. */
static void audit_reply_wait(struct audit *a, const struct tcb *t)
{
	const struct cte *s = t->reply_slot;
	if (!s) {
		audit_fail(a, "thread %lu waits for a reply but has no reply slot", t->id);
		return;
	}
	if (s->cap.type != CAP_REPLY || s->cap.u.reply.caller != t)
		audit_fail(a,
			   "thread %lu waits for a reply, but its reply slot %p holds a %u "
			   "capability for %p",
			   t->id, (const void *)s, (unsigned)s->cap.type,
			   (const void *)s->cap.u.reply.caller);
	else if (s->mdb_prev || s->mdb_next || s->mdb_depth)
		audit_fail(a, "thread %lu: its reply capability in slot %p is linked", t->id,
			   (const void *)s);
}

/* The reply capability in the thread's caller slot names a live caller waiting for it. */
static void audit_caller_slot(struct audit *a, const struct tcb *t)
{
	const struct cte *s = &t->slots[TCB_SLOT_CALLER];
	if (s->cap.type != CAP_REPLY)
		return;
	const struct tcb *caller = s->cap.u.reply.caller;
	if (!live(CAP_TCB, caller) || caller->state != THREAD_BLOCKED_REPLY ||
	    caller->reply_slot != s)
		audit_fail(a,
			   "thread %lu: the reply capability in its caller slot names %p, "
			   "which does not wait for it",
			   t->id, (const void *)caller);
}

/* One thread's IPC state against the objects it names. */
static void audit_thread(struct audit *a, const struct tcb *t, struct ipc_counts *c)
{
	unsigned st = t->state;
	if (st == THREAD_BLOCKED_SEND || st == THREAD_BLOCKED_RECV) {
		c->ep_blocked++;
		if (!live(CAP_ENDPOINT, t->blocked_on))
			audit_fail(a, "thread %lu (state %u) is blocked on %p, not a live endpoint",
				   t->id, st, t->blocked_on);
	} else if (st == THREAD_BLOCKED_NTFN) {
		c->ntfn_blocked++;
		if (!live(CAP_NOTIFICATION, t->blocked_on))
			audit_fail(a, "thread %lu is blocked on %p, not a live notification", t->id,
				   t->blocked_on);
	} else if (st > THREAD_BLOCKED_NTFN) {
		audit_fail(a, "thread %lu: state %u", t->id, st);
	} else if (t->blocked_on || t->wait_next || t->wait_prev) {
		audit_fail(a, "thread %lu (state %u) still has wait-queue links", t->id, st);
	}
	if (st == THREAD_BLOCKED_REPLY)
		audit_reply_wait(a, t);
	/* What the fastpaths rely on: a slice is never 0, and the CSpace slot holds a CNode
	 * or is empty (then all zeroes: one_level 0). */
	const struct cap *cs = &t->slots[TCB_SLOT_CSPACE].cap;
	if (cs->type != CAP_CNODE && (cs->type != CAP_NULL || cs->u.cnode.one_level != 0))
		audit_fail(a, "thread %lu: its CSpace slot holds a capability of type %u", t->id,
			   cs->type);
	if (t->timeslice == 0 || t->timeslice > TIMESLICE_TICKS)
		audit_fail(a, "thread %lu: time slice %u outside 1..%u", t->id, t->timeslice,
			   TIMESLICE_TICKS);
	audit_caller_slot(a, t);
	if (t->bound_ntfn && (!live(CAP_NOTIFICATION, t->bound_ntfn) || t->bound_ntfn->bound != t))
		audit_fail(a, "thread %lu is bound to notification %p, which is not bound to it",
			   t->id, (const void *)t->bound_ntfn);
}

void ipc_audit(struct audit *a)
{
	struct ipc_counts c = { 0, 0, 0, 0 };
	if (!a->tree_ok)
		return; /* liveness cannot be told without the whole object table */
	for (unsigned i = 0; i < audit_object_count(); i++) {
		const struct audit_object *o = audit_object_at(i);
		const void *obj = (const void *)(uintptr_t)o->id;
		if (o->type == CAP_ENDPOINT)
			audit_endpoint(a, obj, &c);
		else if (o->type == CAP_NOTIFICATION)
			audit_notification(a, obj, &c);
		else if (o->type == CAP_TCB)
			audit_thread(a, obj, &c);
	}
	if (c.ep_queued != c.ep_blocked)
		audit_fail(a, "%u threads are blocked on endpoints, %u are queued on them",
			   c.ep_blocked, c.ep_queued);
	if (c.ntfn_queued != c.ntfn_blocked)
		audit_fail(a, "%u threads are blocked on notifications, %u are queued on them",
			   c.ntfn_blocked, c.ntfn_queued);
}
