/* The IPC fastpath: short calls and replies that skip the general system-call path. */
#pragma once

#include <stdint.h>

struct tcb;
struct percpu;

/*
 * The fastpaths, branched to from vectors.S with the caller's registers saved and `cpu`,
 * the core's struct percpu, never return: each ends in a tail call to one of the
 * continuations below, which take the same two arguments.
 *
 * SYS_CALL / SYS_REPLY_RECV from `t` when the common case holds (see fastpath.c). If it
 * handles the call it switches the core to the partner and goes on to return_to_user with
 * it; otherwise, having changed nothing, to the general path.
 */
struct tcb *fastpath_call(struct tcb *t, struct percpu *cpu);
struct tcb *fastpath_reply_recv(struct tcb *t, struct percpu *cpu);

/* SYS_NBSEND from `t` of a message without capabilities to an endpoint no receiver waits
 * on, when t keeps the core afterwards: sets E_WOULDBLOCK, as the general path would, and
 * goes on to return_to_same_user, which does not reload t's PC, PSTATE, SP, TPIDR_EL0 or
 * x20..x29. Otherwise, having changed nothing, to the general path. */
struct tcb *fastpath_nbsend(struct tcb *t, struct percpu *cpu);

/* SYS_YIELD from `t` when another thread of its priority is next in line (and none of a
 * higher one): rotates the queue as the general path would, switches to that thread and
 * goes on to return_to_user with it. Otherwise, having changed nothing, to the general
 * path. */
struct tcb *fastpath_yield(struct tcb *t, struct percpu *cpu);

/* Where the fastpaths go on, by a tail call (vectors.S): return_to_user with the thread to
 * resume, return_to_same_user with the NBSend sender, arch_switch_installing (on the kernel
 * stack) with the thread to switch to when its VSpace needs a hardware ASID, the general
 * path with the thread whose call a fastpath left (for NBSend, after saving the rest of its
 * registers). None returns.
 *
 * The fastpaths run with SP just past the entering thread's context, not on a stack: they
 * must not use one (no spills, no calls), which test_fastpath_needs_no_stack checks in the
 * kernel image. Each continuation moves to the kernel stack if it needs one. */
struct tcb *fastpath_resume(struct tcb *next, struct percpu *cpu);
struct tcb *fastpath_resume_same(struct tcb *t, struct percpu *cpu);
struct tcb *fastpath_install(struct tcb *next, struct percpu *cpu);
struct tcb *fastpath_decline(struct tcb *t, struct percpu *cpu);
struct tcb *fastpath_nbsend_decline(struct tcb *t, struct percpu *cpu);

/* A fault of `t` (kind and message words as for fault_raise), when its fault handler is
 * already waiting: delivered and switched to directly. Returns if it cannot. */
void fastpath_fault(struct tcb *t, unsigned kind, const uint64_t *words, unsigned n);
