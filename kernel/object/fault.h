/*
 * Fault delivery: a thread's fault becomes a call to its fault endpoint. The fault message
 * (include/mica/fault.h) has label FAULT_LABEL(kind) and the kind's words in MR0..; the
 * handler's reply with label 0 resumes the thread where it faulted, any other label leaves
 * it suspended. Without a fault endpoint the thread is suspended at once.
 */
#pragma once

#include <stdint.h>

struct tcb;

/* `t` faulted: sends the fault message (kind, n words) to its fault endpoint as a call, or
 * suspends it if it has none. Requires: n <= 4 (the words of the largest fault message). */
void fault_raise(struct tcb *t, unsigned kind, const uint64_t *words, unsigned n);

/* Writes the fault message `snd` is delivering (snd->fault_pending) into `rcv`'s
 * registers, with `badge`: what a receive on the fault endpoint returns. */
void fault_deliver(const struct tcb *snd, struct tcb *rcv, uint64_t badge);

/* The fault handler replied to `caller` (snd of an earlier fault_deliver) with label
 * `label`: 0 makes it runnable again, anything else leaves it suspended. */
void fault_reply(struct tcb *caller, uint64_t label);
