/*
 * The fastpaths: the commonest system calls done in one straight line, called straight from
 * the exception vector (vectors.S) with the caller's registers saved in its TCB.
 *
 * A client's SYS_CALL to a server already waiting on the endpoint, and the server's
 * SYS_REPLY_RECV back to a client waiting for the reply, are the two halves of every RPC.
 * When the message carries no capability (words beyond the six message registers need IPC
 * buffers at both ends), and the partner may run at once (it belongs to the same core and
 * its priority is at least that of every runnable thread queued there; a partner on another
 * core takes the general path), fastpath_call and fastpath_reply_recv look up the
 * capability, move the message registers, hand over the reply right, update both threads'
 * states, and switch directly to the partner. Neither thread touches a run queue: the
 * running thread is never in one (sched.c), the caller blocks, and the partner becomes the
 * running thread. fastpath_nbsend answers an NBSend nobody receives, fastpath_yield hands
 * the core to the next thread of the yielder's priority.
 *
 * Every check happens before the first change, the last one preparing the switch
 * (arch_switch_prepare, which may load TTBR0), so nothing fails after it; if a check fails
 * the path gives NULL and the general path (syscall.c, ipc.c, sched.c) does the same work
 * slowly, with the same result. vectors.S branches to the entry points at the end of this
 * file, which never return: each ends in a tail call, to return_to_user with the thread to
 * resume, to arch_switch_installing first when the switch needs a hardware ASID, or to the
 * general path. So the fastpaths are leaves without a stack frame, and no instruction
 * tests their result. This is the file the style guide allows to be long-winded.
 */
#include "fastpath.h"

#include <mica/errors.h>
#include <mica/fault.h>
#include <mica/objects.h>
#include <mica/syscall.h>
#include <stdbool.h>
#include <stddef.h>

#include <arch/switch.h>

#include "arch.h"
#include "object/cap.h"
#include "object/ipc.h"
#include "object/tcb.h"
#include "sched.h"
#include "stats.h"

/* The endpoint capability `cptr` names, if it has `right` and the thread's CSpace is a
 * single CNode that resolves all 64 bits (the usual root task and server layout); NULL
 * otherwise, for the general lookup (which finds the same slot when this one does).
 *
 * Such a CNode names slot cptr - guard_base when that is below one_level (object/cap.h).
 * The CSpace slot of a TCB holds a CNode capability or nothing (TCB_CONFIGURE takes only a
 * CNode, and an empty slot is all zeroes, one_level 0), so the compare is the CNode test
 * too; the kernel self-audit checks that. */
static inline __attribute__((always_inline)) struct cap *fast_endpoint(struct tcb *t, cptr_t cptr,
								       unsigned right)
{
	const struct cap *cn = &t->slots[TCB_SLOT_CSPACE].cap;
	uint64_t index = cptr - cn->u.cnode.guard_base;
	if (index >= cn->u.cnode.one_level)
		return NULL;
	struct cap *cap = &cn->u.cnode.slots[index].cap;
	__asm__("" : "+r"(cap)); /* one address for both loads, not a shifted index for each */
	if (cap->type != CAP_ENDPOINT || !(cap->rights & right))
		return NULL;
	return cap;
}

/* The low bits of a message info word: length and capability count. A value at most
 * MSG_MAX_LENGTH has no capability and a valid length (one compare for both). */
#define INFO_LOW(info) ((unsigned)(info) & ((1u << (MSG_LENGTH_BITS + MSG_EXTRA_BITS)) - 1))
_Static_assert(MSG_MAX_LENGTH < (1u << MSG_LENGTH_BITS), "INFO_LOW");

/* True if `info` is a message the fastpath carries from `from` to `to`: no capability,
 * and either registers only or words beyond them with IPC buffers at both ends. */
static inline __attribute__((always_inline)) bool fast_message(uint64_t info,
							       const struct tcb *from,
							       const struct tcb *to)
{
	if (INFO_LOW(info) <= MSG_REGISTERS) /* the common case */
		return true;
	if (INFO_LOW(info) > MSG_MAX_LENGTH)
		return false;
	return tcb_ipc_buffer(from) && tcb_ipc_buffer(to);
}

/* Copies MR(first)..MR(first+n-1), n a constant: loaded before they are stored, so the
 * compiler pairs neighbouring words (it cannot tell that the two contexts never overlap). */
#define COPY_MRS(from, to, first, n)                                      \
	do {                                                              \
		uint64_t w_[n];                                           \
		for (unsigned i_ = 0; i_ < (n); i_++)                     \
			w_[i_] = arch_get_mr(&(from)->ctx, (first) + i_); \
		for (unsigned i_ = 0; i_ < (n); i_++)                     \
			arch_set_mr(&(to)->ctx, (first) + i_, w_[i_]);    \
	} while (0)

/* Copies the words of a message beyond the registers, MR6..MR(len-1), two at a time.
 * fast_message found that both threads have an IPC buffer (tcb_ipc_buffer), and nothing
 * the fastpath changes since touches their IPC buffer slots. */
static inline __attribute__((always_inline)) void fast_copy_buffer(const struct tcb *from,
								   struct tcb *to, unsigned len)
{
	const uint64_t *s = &from->ipc_buffer_kva->msg[MSG_REGISTERS];
	const uint64_t *end = &from->ipc_buffer_kva->msg[len];
	uint64_t *d = &to->ipc_buffer_kva->msg[MSG_REGISTERS];
#pragma clang loop unroll(disable)
	for (; end - s >= 2; s += 2, d += 2) {
		uint64_t a = s[0], b = s[1];
		d[0] = a;
		d[1] = b;
	}
	if (s != end)
		*d = *s;
}

/* Copies MR0..MR(len-1) of the message `info` and sets the receiver's badge and message
 * info. */
static inline __attribute__((always_inline)) void fast_transfer(struct tcb *from, struct tcb *to,
								uint64_t info, uint64_t badge)
{
	unsigned len = info & ((1u << MSG_LENGTH_BITS) - 1);
	/* Exactly `len` words: the sender's other registers are none of the receiver's
	 * business. An empty message (the commonest) skips the copy at once; up to five
	 * registers take two tests. */
	if (len == 0) {
		/* nothing to copy */
	} else if (len >= MSG_REGISTERS) {
		COPY_MRS(from, to, 0, MSG_REGISTERS);
		fast_copy_buffer(from, to, len);
	} else if (len >= 4) {
		COPY_MRS(from, to, 0, 4);
		if (len == 5)
			COPY_MRS(from, to, 4, 1);
	} else {
		if (len >= 2)
			COPY_MRS(from, to, 1, 1);
		if (len == 3)
			COPY_MRS(from, to, 2, 1);
		COPY_MRS(from, to, 0, 1);
	}
	arch_set_badge(&to->ctx, badge);
	arch_set_msginfo(&to->ctx, info & ~(uint64_t)(0x1f << 7)); /* no caps, none unwrapped */
	stat_hot(stats.ipc_messages);
}

/* Whether `next`, woken by the running thread `t`, may run at once in its place, and how
 * the core switches to it: next belongs to this core, no queued thread outranks it, and
 * it can run (arch_switch_prepare, which may already load its VSpace: the fastpaths call
 * this last). ARCH_SWITCH_NO if not. */
static inline __attribute__((always_inline)) enum arch_switch fast_may_run(const struct tcb *t,
									   struct tcb *next,
									   struct percpu *cpu)
{
	if (next->priority < sched_highest_queued_on(cpu) || next->cpu != t->cpu)
		return ARCH_SWITCH_NO;
	return arch_switch_prepare(next, cpu);
}

/* Makes `next` (already marked runnable; fast_may_run said `how`) the running thread and
 * switches the core to it with register writes, or, when it needs a hardware ASID, leaves
 * that to arch_switch_installing (*install, which the caller tail-calls: so the fastpaths
 * need no stack frame). Returns next. */
static inline __attribute__((always_inline)) struct tcb *fast_switch(struct tcb *next,
								     enum arch_switch how,
								     bool *install,
								     struct percpu *cpu)
{
	cpu->cur = next; /* current */
	if (__builtin_expect(how == ARCH_SWITCH_NEW_ASID, 0))
		*install = true;
	else
		arch_fast_switch(next, cpu);
	return next;
}

/* The changes a fastpath makes once every check passed, `commit(..., how)` (how as
 * fast_may_run said, not ARCH_SWITCH_NO), compiled twice: for the common switch that
 * arch_switch_prepare made ready, which so carries no flag to test after the changes, and
 * for one that needs a hardware ASID. */
#define COMMIT(how, commit, ...)                            \
	(__builtin_expect((how) == ARCH_SWITCH_NEW_ASID, 0) \
	     ? commit(__VA_ARGS__, ARCH_SWITCH_NEW_ASID)    \
	     : commit(__VA_ARGS__, ARCH_SWITCH_READY))

/* Takes the first receiver off `ep` (which is EP_RECEIVING). */
static inline struct tcb *fast_dequeue(struct endpoint *ep)
{
	struct tcb *r = ep->head;
	ep->head = r->wait_next;
	if (ep->head) {
		ep->head->wait_prev = NULL;
		r->wait_next = NULL; /* else it is NULL already */
	} else {
		ep->tail = NULL;
		ep->state = EP_IDLE;
	}
	r->blocked_on = NULL;
	return r;
}

_Static_assert(offsetof(struct cap, type) == 0 && offsetof(struct cap, rights) == 1 &&
		   offsetof(struct cap, u) == 8 && offsetof(struct cap, u.reply.caller) == 8 &&
		   sizeof(struct cap) == 32,
	       "fast_hand_over writes a reply capability as words (little-endian)");

/* Gives `receiver` the one-shot reply right to `caller` (in its empty caller slot), blocks
 * the caller on it and makes the receiver the thread to run. */
static inline __attribute__((always_inline)) void fast_hand_over(struct tcb *caller,
								 struct tcb *receiver)
{
	struct cte *reply_slot = &receiver->slots[TCB_SLOT_CALLER];
	/* The reply capability, all four words (cap_null's zeroes included) as four word stores,
	 * not the byte stores of a struct copy: the first word is the type, the rights and
	 * zero padding. */
	const uint64_t head = CAP_REPLY | (uint64_t)RIGHT_GRANT << 8;
	__builtin_memcpy(&reply_slot->cap, &head, sizeof head);
	reply_slot->cap.u.words[0] = (uintptr_t)caller; /* u.reply.caller */
	reply_slot->cap.u.words[1] = 0;
	reply_slot->cap.u.words[2] = 0;
	caller->reply_slot = reply_slot;
	caller->state = THREAD_BLOCKED_REPLY; /* the running thread is in no run queue */
	receiver->state = THREAD_RUNNABLE;    /* its time slice is never 0 (tcb_init, sched.c) */
}

static inline __attribute__((always_inline)) struct tcb *fast_call_commit(
    struct tcb *t, struct tcb *server, const struct cap *cap, uint64_t info, bool *install,
    struct percpu *cpu, enum arch_switch how)
{
	stat_hot(stats.syscalls);
	fast_dequeue(cap->u.endpoint.ep);
	fast_transfer(t, server, info, cap->u.endpoint.badge);
	fast_hand_over(t, server);
	return fast_switch(server, how, install, cpu);
}

static inline __attribute__((always_inline)) struct tcb *fast_call_path(struct tcb *t,
									bool *install,
									struct percpu *cpu)
{
	struct cap *cap = fast_endpoint(t, arch_get_cptr(&t->ctx), RIGHT_WRITE);
	if (!cap)
		return NULL;
	struct endpoint *ep = cap->u.endpoint.ep;
	if (ep->state != EP_RECEIVING)
		return NULL;
	struct tcb *server = ep->head;
	struct cte *reply_slot = &server->slots[TCB_SLOT_CALLER];
	uint64_t info = arch_get_msginfo(&t->ctx);
	if (!fast_message(info, t, server) || !cap_is_null(&reply_slot->cap))
		return NULL;
	enum arch_switch how = fast_may_run(t, server, cpu);
	if (how == ARCH_SWITCH_NO)
		return NULL;
	return COMMIT(how, fast_call_commit, t, server, cap, info, install, cpu);
}

void fastpath_fault(struct tcb *t, unsigned kind, const uint64_t *words, unsigned n)
{
	const struct cap *cap = &t->slots[TCB_SLOT_FAULT_EP].cap;
	if (cap->type != CAP_ENDPOINT || n > MSG_REGISTERS)
		return;
	struct endpoint *ep = cap->u.endpoint.ep;
	if (ep->state != EP_RECEIVING)
		return;
	struct tcb *handler = ep->head;
	struct cte *reply_slot = &handler->slots[TCB_SLOT_CALLER];
	if (!cap_is_null(&reply_slot->cap))
		return;
	struct percpu *cpu = this_cpu();
	enum arch_switch how = fast_may_run(t, handler, cpu);
	if (how == ARCH_SWITCH_NO)
		return;

	fast_dequeue(ep);

	/* The fault message (include/mica/fault.h), as ipc.c's transfer_fault writes it. */
	for (unsigned i = 0; i < n; i++)
		arch_set_mr(&handler->ctx, i, words[i]);
	arch_set_badge(&handler->ctx, cap->u.endpoint.badge);
	arch_set_msginfo(&handler->ctx, msginfo_pack(FAULT_LABEL(kind), n, 0));
	stats.faults_delivered++;
	stat_hot(stats.ipc_messages);

	t->fault_pending = 1;
	t->fault_kind = kind;
	t->fault_len = (uint8_t)n;
	for (unsigned i = 0; i < n; i++)
		t->fault_msg[i] = words[i];
	fast_hand_over(t, handler);
	bool install = false;
	fast_switch(handler, how, &install, cpu);
	if (install)
		arch_switch_installing(handler, cpu); /* does not return */
	arch_return_to_user(handler);
}

static inline __attribute__((always_inline)) struct tcb *fast_reply_recv_commit(
    struct tcb *t, struct tcb *client, struct endpoint *ep, bool fault_resume, uint64_t info,
    bool *install, struct percpu *cpu, enum arch_switch how)
{
	struct cte *reply_slot = &t->slots[TCB_SLOT_CALLER];
	stat_hot(stats.syscalls);
	if (fault_resume)
		client->fault_pending = 0;
	else
		fast_transfer(t, client, info, 0);
	reply_slot->cap = cap_null();
	client->reply_slot = NULL;

	/* The server waits on the endpoint (at the tail: other receivers came first). */
	t->state = THREAD_BLOCKED_RECV;
	t->restartable = 1;
	t->blocked_on = ep;
	t->wait_next = NULL;
	t->wait_prev = ep->tail;
	if (ep->tail)
		ep->tail->wait_next = t;
	else
		ep->head = t;
	ep->tail = t;
	ep->state = EP_RECEIVING;

	client->state = THREAD_RUNNABLE; /* its time slice is never 0 */
	return fast_switch(client, how, install, cpu);
}

static inline __attribute__((always_inline)) struct tcb *fast_reply_recv_path(struct tcb *t,
									      bool *install,
									      struct percpu *cpu)
{
	struct cte *reply_slot = &t->slots[TCB_SLOT_CALLER];
	if (reply_slot->cap.type != CAP_REPLY)
		return NULL;
	struct tcb *client = reply_slot->cap.u.reply.caller;
	/* A fault reply carries no message: label 0 resumes the faulter where it faulted. */
	bool fault_resume = client->fault_pending;
	uint64_t info = arch_get_msginfo(&t->ctx);
	if (fault_resume ? msginfo_unpack(info).label != 0 : !fast_message(info, t, client))
		return NULL;
	if (t->bound_ntfn && t->bound_ntfn->active)
		return NULL;
	struct cap *cap = fast_endpoint(t, arch_get_cptr(&t->ctx), RIGHT_READ);
	if (!cap)
		return NULL;
	struct endpoint *ep = cap->u.endpoint.ep;
	if (ep->state == EP_SENDING)
		return NULL;
	enum arch_switch how = fast_may_run(t, client, cpu);
	if (how == ARCH_SWITCH_NO)
		return NULL;
	return COMMIT(how, fast_reply_recv_commit, t, client, ep, fault_resume, info, install, cpu);
}

static inline __attribute__((always_inline)) struct tcb *fast_nbsend_path(struct tcb *t,
									  struct percpu *cpu)
{
	if (INFO_LOW(arch_get_msginfo(&t->ctx)) > MSG_MAX_LENGTH)
		return NULL;
	struct cap *cap = fast_endpoint(t, arch_get_cptr(&t->ctx), RIGHT_WRITE);
	if (!cap || cap->u.endpoint.ep->state == EP_RECEIVING)
		return NULL;
	/* schedule_and_return would keep t: not outranked, VSpace unchanged. It is on its own
	 * core: a thread entering the kernel always is (one moved by another core is stopped
	 * there first, and one that moved itself left at the end of that invocation), which
	 * the self-audit checks of every core's running thread. */
	if (t->priority < sched_highest_queued_on(cpu) || arch_vspace_changed_on(cpu))
		return NULL;

	stat_hot(stats.syscalls);
	arch_set_msginfo(&t->ctx, msginfo_error(E_WOULDBLOCK));
	return t;
}

static inline __attribute__((always_inline)) struct tcb *fast_yield_commit(
    struct tcb *t, struct tcb *next, bool *install, struct percpu *cpu, enum arch_switch how)
{
	stat_hot(stats.syscalls);
	sched_yield_rotate(t, next);
	return fast_switch(next, how, install, cpu);
}

static inline __attribute__((always_inline)) struct tcb *fast_yield_path(struct tcb *t,
									 bool *install,
									 struct percpu *cpu)
{
	struct tcb *next = sched_yield_target(t);
	if (!next)
		return NULL;
	enum arch_switch how = arch_switch_prepare(next, cpu);
	if (how == ARCH_SWITCH_NO)
		return NULL;
	return COMMIT(how, fast_yield_commit, t, next, install, cpu);
}

/* The entry points vectors.S branches to: each ends in a tail call, to return_to_user or
 * return_to_same_user with the thread to resume (arch_switch_installing first, when the
 * switch needs a hardware ASID), or to the general path. */
#define MUSTTAIL __attribute__((musttail))

/* An entry point for a fastpath that switches threads: `path(t, &install, cpu)` gives
 * the thread to switch to, or NULL for the general path. */
#define SWITCHING_FASTPATH(name, path)                               \
	struct tcb *name(struct tcb *t, struct percpu *cpu)          \
	{                                                            \
		bool install = false;                                \
		struct tcb *next = path(t, &install, cpu);           \
		if (!next)                                           \
			MUSTTAIL return fastpath_decline(t, cpu);    \
		if (install)                                         \
			MUSTTAIL return fastpath_install(next, cpu); \
		MUSTTAIL return fastpath_resume(next, cpu);          \
	}

SWITCHING_FASTPATH(fastpath_call, fast_call_path)
SWITCHING_FASTPATH(fastpath_reply_recv, fast_reply_recv_path)
SWITCHING_FASTPATH(fastpath_yield, fast_yield_path)

struct tcb *fastpath_nbsend(struct tcb *t, struct percpu *cpu)
{
	if (!fast_nbsend_path(t, cpu))
		MUSTTAIL return fastpath_nbsend_decline(t, cpu);
	MUSTTAIL return fastpath_resume_same(t, cpu);
}
