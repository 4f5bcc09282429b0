/*
 * Endpoints (synchronous IPC) and notifications (asynchronous bits).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct cte;

struct tcb;

enum endpoint_state { EP_IDLE = 0, EP_SENDING, EP_RECEIVING };

struct endpoint {
	struct tcb *head, *tail; /* queued threads, all sending or all receiving */
	uint64_t state;          /* enum endpoint_state */
	uint64_t pad;
};
_Static_assert(sizeof(struct endpoint) <= (1u << 5), "endpoint fits ENDPOINT_SIZE_BITS");

struct notification {
	struct tcb *head, *tail; /* waiting threads */
	uint64_t word;           /* pending signal bits */
	struct tcb *bound;       /* the thread bound to it, or NULL */
	uint64_t active;         /* signalled since the last wait (even with no bits) */
	uint64_t pad[3];
};
_Static_assert(sizeof(struct notification) <= (1u << 6), "fits NOTIFICATION_SIZE_BITS");

/* Wakes every thread queued on `ep` with E_DELETED; the endpoint is being destroyed. */
void endpoint_cancel_all(struct endpoint *ep);

/* Wakes every waiter with E_DELETED and unbinds the bound thread. */
void notification_cancel_all(struct notification *ntfn);

/* Removes `t` from whatever endpoint/notification queue it waits in (suspend, delete). */
void ipc_cancel(struct tcb *t);

/* The send side of SYS_SEND/SYS_NBSEND/SYS_CALL on an endpoint: delivers to a waiting
 * receiver, or queues `snd` (blocking), or fails with E_WOULDBLOCK in snd's x1. */
void ipc_send(struct tcb *snd, struct endpoint *ep, uint64_t badge, bool can_grant, bool is_call,
	      bool blocking);

/* The receive side of SYS_RECV/SYS_NBRECV/SYS_REPLY_RECV on an endpoint. */
void ipc_recv(struct tcb *rcv, struct endpoint *ep, bool blocking);

/* Replies through the reply capability in `slot` (the caller's TCB_SLOT_CALLER or a saved
 * one) with `replier`'s message; empties the slot. */
void ipc_reply(struct tcb *replier, struct cte *slot);

/* SYS_RECV (blocking) or SYS_NBRECV (poll) on a notification. */
void notification_wait(struct tcb *t, struct notification *ntfn, bool blocking);

/* The reply capability for `caller` was deleted: wake it with E_DELETED (or leave it
 * suspended if it was waiting for a fault reply). */
void ipc_reply_deleted(struct tcb *caller);

/* `t` faulted: sends the fault message (kind, words) to its fault endpoint as a call, or
 * suspends it if it has none. */
void fault_raise(struct tcb *t, unsigned kind, const uint64_t *words, unsigned n);

/* ORs `bits` into the notification, waking a waiter (or the bound thread) if there is one. */
void notification_signal(struct notification *ntfn, uint64_t bits);

/* Unbinds every IRQ handler that signals `ntfn` (it is being destroyed). */
void irq_forget_notification(struct notification *ntfn);
