/*
 * Notifications: asynchronous signal bits. A signal ORs bits into the word and wakes one
 * waiter (or the bound thread); a wait takes the word (blocking until something was
 * signalled), a poll takes it without blocking. A thread may be bound to one notification:
 * then a receive on an endpoint also returns when the notification is signalled. IRQs are
 * delivered through notifications (irq.c).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct tcb;

struct notification {
	struct tcb *head, *tail; /* waiting threads */
	uint64_t word;           /* pending signal bits */
	struct tcb *bound;       /* the thread bound to it, or NULL */
	uint64_t active;         /* signalled since the last wait (even with no bits) */
	uint64_t pad[3];
};
_Static_assert(sizeof(struct notification) <= (1u << 6), "fits NOTIFICATION_SIZE_BITS");

/* ORs `bits` into the notification, waking a waiter (or the bound thread, if it waits on an
 * endpoint) if there is one: it receives the word with label MSG_LABEL_NOTIFY. */
void notification_signal(struct notification *ntfn, uint64_t bits);

/* SYS_RECV (blocking: wait) or SYS_NBRECV (poll) on a notification: `t` receives the word
 * and the notification is cleared, unless `blocking` and nothing was signalled: then t
 * blocks until a signal. */
void notification_wait(struct tcb *t, struct notification *ntfn, bool blocking);

/* Binds `t` to `ntfn`. Requires: neither is bound (decode checks). */
void notification_bind(struct notification *ntfn, struct tcb *t);

/* Unbinds `t` from its bound notification. Requires: t is bound. */
void notification_unbind(struct tcb *t);

/* Delivers the pending signal of `t`'s bound notification to t (a receive on an endpoint
 * returns it first). Returns true if there was one, false (changing nothing) if not. */
bool notification_take_bound(struct tcb *t);

/* Wakes every waiter with E_DELETED, unbinds the bound thread and the IRQ handlers that
 * signal it: the notification is being destroyed. */
void notification_cancel_all(struct notification *ntfn);
