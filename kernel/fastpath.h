/* The IPC fastpath: short calls and replies that skip the general system-call path. */
#pragma once

#include <stdint.h>

struct tcb;

/*
 * SYS_CALL / SYS_REPLY_RECV from `t` when the common case holds (see fastpath.c). If it
 * handled the call it has switched the core to the partner and returns the partner, for
 * vectors.S to return to; otherwise it returns NULL, having changed nothing, and the
 * general path handles the call.
 */
struct tcb *fastpath_call(struct tcb *t);
struct tcb *fastpath_reply_recv(struct tcb *t);

/* SYS_NBSEND from `t` of a message without capabilities to an endpoint no receiver waits
 * on, when t keeps the core afterwards: sets E_WOULDBLOCK, as the general path would, and
 * returns t, which vectors.S resumes without reloading its PC, PSTATE, SP or TPIDR_EL0
 * (return_to_same_user). Otherwise NULL, having changed nothing. */
struct tcb *fastpath_nbsend(struct tcb *t);

/* SYS_YIELD from `t` when another thread of its priority is next in line (and none of a
 * higher one): rotates the queue as the general path would, switches to that thread and
 * returns it, for vectors.S to resume. Otherwise NULL, having changed nothing. */
struct tcb *fastpath_yield(struct tcb *t);

/* A fault of `t` (kind and message words as for fault_raise), when its fault handler is
 * already waiting: delivered and switched to directly. Returns if it cannot. */
void fastpath_fault(struct tcb *t, unsigned kind, const uint64_t *words, unsigned n);
