/* The IPC fastpath: short calls and replies that skip the general system-call path. */
#pragma once

struct tcb;

/*
 * SYS_CALL / SYS_REPLY_RECV from `t` when the common case holds (see fastpath.c). Does not
 * return if it handled the call (it switches straight to the partner); returns to let the
 * general path handle anything else, having changed nothing.
 */
void fastpath_call(struct tcb *t);
void fastpath_reply_recv(struct tcb *t);
