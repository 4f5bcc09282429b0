/*
 * Notifications: signal, wait, poll, binding to a thread, and destruction.
 *
 * A notification holds a word of pending bits and a queue of waiting threads. With no
 * waiter a signal is remembered (the bits ORed in, `active` set even for no bits) until the
 * next wait or poll takes it; with waiters the first one gets the word at once. A bound
 * thread is not queued here: it waits on an endpoint, and a signal pulls it out of that
 * wait (ipc_cancel) to deliver.
 */
#include "object/notification.h"

#include <mica/errors.h>
#include <mica/syscall.h>
#include <stddef.h>

#include "arch.h"
#include "object/ipc.h"
#include "object/irq.h"
#include "object/tcb.h"
#include "object/waitq.h"
#include "sched.h"

/* Gives `t` the word `word` as a notification message and clears the notification. */
static void deliver(struct tcb *t, struct notification *ntfn, uint64_t word)
{
	arch_set_badge(&t->ctx, word);
	arch_set_msginfo(&t->ctx, msginfo_pack(MSG_LABEL_NOTIFY, 0, 0));
	ntfn->word = 0;
	ntfn->active = 0;
}

void notification_signal(struct notification *ntfn, uint64_t bits)
{
	struct tcb *t = ntfn->head;
	if (t) {
		waitq_remove(&ntfn->head, &ntfn->tail, t);
	} else if (ntfn->bound && ntfn->bound->state == THREAD_BLOCKED_RECV) {
		t = ntfn->bound;
		ipc_cancel(t);
	} else {
		ntfn->word |= bits;
		ntfn->active = 1;
		return;
	}
	deliver(t, ntfn, ntfn->word | bits);
	sched_make_runnable(t);
}

void notification_wait(struct tcb *t, struct notification *ntfn, bool blocking)
{
	if (ntfn->active || !blocking) {
		deliver(t, ntfn, ntfn->word);
		return;
	}
	sched_remove(t);
	t->state = THREAD_BLOCKED_NTFN;
	t->restartable = 1;
	t->blocked_on = ntfn;
	waitq_append(&ntfn->head, &ntfn->tail, t);
}

void notification_bind(struct notification *ntfn, struct tcb *t)
{
	t->bound_ntfn = ntfn;
	ntfn->bound = t;
}

void notification_unbind(struct tcb *t)
{
	t->bound_ntfn->bound = NULL;
	t->bound_ntfn = NULL;
}

bool notification_take_bound(struct tcb *t)
{
	struct notification *n = t->bound_ntfn;
	if (!n || !n->active)
		return false;
	deliver(t, n, n->word);
	return true;
}

void notification_cancel_all(struct notification *ntfn)
{
	while (ntfn->head) {
		struct tcb *t = ntfn->head;
		waitq_remove(&ntfn->head, &ntfn->tail, t);
		/* A thread waiting here is never delivering a fault (that waits on an endpoint). */
		arch_set_msginfo(&t->ctx, msginfo_error(E_DELETED));
		sched_make_runnable(t);
	}
	if (ntfn->bound)
		notification_unbind(ntfn->bound);
	irq_forget_notification(ntfn);
}
