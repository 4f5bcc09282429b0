/*
 * Endpoints (synchronous IPC: send, receive, call) and one-shot replies. Notifications are
 * in notification.h, fault delivery in fault.h; this header includes notification.h since
 * a receive on an endpoint also delivers a bound notification's signal.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "object/notification.h"

struct cte;

struct tcb;

enum endpoint_state { EP_IDLE = 0, EP_SENDING, EP_RECEIVING };

struct endpoint {
	struct tcb *head, *tail; /* queued threads, all sending or all receiving */
	uint64_t state;          /* enum endpoint_state */
	uint64_t pad;
};
_Static_assert(sizeof(struct endpoint) <= (1u << 5), "endpoint fits ENDPOINT_SIZE_BITS");

/* Wakes every thread queued on `ep` with E_DELETED; the endpoint is being destroyed. */
void endpoint_cancel_all(struct endpoint *ep);

/* Removes `t` from whatever endpoint/notification queue it waits in (suspend, delete). */
void ipc_cancel(struct tcb *t);

/* The send side of SYS_SEND/SYS_NBSEND/SYS_CALL on an endpoint: delivers to a waiting
 * receiver, or queues `snd` (blocking), or fails with E_WOULDBLOCK in snd's result. */
void ipc_send(struct tcb *snd, struct endpoint *ep, uint64_t badge, bool can_grant, bool is_call,
	      bool blocking);

/* The receive side of SYS_RECV/SYS_NBRECV/SYS_REPLY_RECV on an endpoint: a pending signal
 * of `rcv`'s bound notification first, else a queued sender's message, else `rcv` queues
 * (blocking) or fails with E_WOULDBLOCK. */
void ipc_recv(struct tcb *rcv, struct endpoint *ep, bool blocking);

/* Replies through the reply capability in `slot` (the caller's TCB_SLOT_CALLER or a saved
 * one) with `replier`'s message; empties the slot. */
void ipc_reply(struct tcb *replier, struct cte *slot);

/* The reply capability for `caller` was deleted: wake it with E_DELETED (or leave it
 * suspended if it was waiting for a fault reply). */
void ipc_reply_deleted(struct tcb *caller);
