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

/* A fault of `t` (kind and message words as for fault_raise), when its fault handler is
 * already waiting: delivered and switched to directly. Returns if it cannot. */
void fastpath_fault(struct tcb *t, unsigned kind, const uint64_t *words, unsigned n);
