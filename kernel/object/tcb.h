/*
 * Thread control blocks: a user thread's registers, scheduling state, IPC state and the
 * capabilities that define its environment (CSpace root, VSpace root, IPC buffer frame,
 * fault endpoint), held in slots inside the TCB so the derivation tree tracks them.
 */
#pragma once

#include <mica/syscall.h>
#include <stdbool.h>
#include <stdint.h>

#include "arch.h"
#include "object/cap.h"

struct invocation;
struct notification;

enum thread_state {
	THREAD_INACTIVE = 0,  /* never resumed, or suspended */
	THREAD_RUNNABLE,      /* in the run queue or running */
	THREAD_BLOCKED_SEND,  /* queued on an endpoint to send (or call) */
	THREAD_BLOCKED_RECV,  /* queued on an endpoint to receive */
	THREAD_BLOCKED_REPLY, /* called, waiting for the reply */
	THREAD_BLOCKED_NTFN,  /* waiting on a notification */
};

/* Slots inside every TCB. The caller slot comes first: the fastpaths write its four words
 * with two store pairs, which reach only 504 bytes past the TCB's start. */
enum tcb_slot {
	TCB_SLOT_CALLER, /* the one-shot reply right of the call being served */
	TCB_SLOT_CSPACE,
	TCB_SLOT_VSPACE,
	TCB_SLOT_IPC_BUFFER,
	TCB_SLOT_FAULT_EP,
	TCB_SLOTS,
};

struct tcb {
	struct user_context ctx; /* first (arch: the EL0 entry saves into it); opaque here */

	/* The fields the fastpaths use follow, near enough to the start for load and store
	 * pairs (their offsets reach 504): the FP/SIMD registers come last. */
	uint8_t state;       /* enum thread_state */
	uint8_t restartable; /* blocked in a system call its saved PC is just past (tcb_suspend) */
	uint8_t priority;
	uint8_t max_priority; /* highest priority this thread may give any thread */
	uint8_t fpu_live;     /* 1 if fpu holds state the thread has used */
	uint32_t timeslice;   /* ticks left */

	struct tcb *sched_next, *sched_prev; /* run queue */
	struct tcb *wait_next, *wait_prev;   /* endpoint or notification queue */
	void *blocked_on;                    /* that endpoint or notification */

	struct cte *reply_slot;          /* while BLOCKED_REPLY: the slot holding our reply cap */
	struct notification *bound_ntfn; /* bound notification, or NULL */
	/* The TTBR0 value of its VSpace, valid while ttbr0_epoch equals the architecture's
	 * ASID epoch and the address matches its VSpace (context.c): saves the ASID lookup on
	 * switches between address spaces. */
	uint64_t ttbr0_cache;
	uint64_t ttbr0_epoch;
	/* The core the thread runs on (its affinity): it waits in that core's run queues and
	 * runs nowhere else. 0 (the boot core) for a new thread. */
	uint32_t cpu;
	/* Kernel alias of the IPC buffer; valid only while TCB_SLOT_IPC_BUFFER holds the frame
	 * (use tcb_ipc_buffer). The VSpace is the capability in TCB_SLOT_VSPACE (tcb_vspace). */
	struct ipc_buffer *ipc_buffer_kva;
	uint64_t ipc_buffer_vaddr;

	struct cte slots[TCB_SLOTS];

	/* IPC in flight while blocked sending: the badge and rights of the capability used. */
	uint64_t send_badge;
	uint8_t send_can_grant;
	uint8_t send_is_call;
	uint8_t fault_pending; /* the message to send is the fault message below */
	uint8_t fault_len;     /* words in fault_msg */
	uint32_t fault_kind;   /* enum fault_kind (mica/fault.h) */
	uint64_t fault_msg[4];

	uint64_t id;          /* for debugging: a small serial number */
	struct fpu_state fpu; /* arch: the FP/SIMD registers, switched lazily */
};

_Static_assert(sizeof(struct tcb) <= (1u << TCB_SIZE_BITS), "TCB fits its object size");

/* The thread's IPC buffer, or NULL if it has none (or its frame was deleted). */
static inline struct ipc_buffer *tcb_ipc_buffer(const struct tcb *t)
{
	return t->slots[TCB_SLOT_IPC_BUFFER].cap.type == CAP_FRAME ? t->ipc_buffer_kva : 0;
}

/* The thread's VSpace capability, or NULL if it has none (or it was deleted). */
static inline const struct cap *tcb_vspace(const struct tcb *t)
{
	const struct cap *c = &t->slots[TCB_SLOT_VSPACE].cap;
	return c->type == CAP_VSPACE ? c : 0;
}

/* Initialises a freshly retyped (zeroed) TCB: inactive, priority 0. */
void tcb_init(struct tcb *t);

/* Prepares a TCB for destruction: suspends it, unbinds its notification, cancels its IPC,
 * deletes the capabilities in its slots. Called when its last capability is deleted. */
void tcb_finalise(struct tcb *t);

/* Decodes and performs a TCB invocation. */
int decode_tcb_invocation(struct invocation *inv);

/* Message registers of `t`: MR0..MR5 in registers, the rest in its IPC buffer (0 without one). */
uint64_t tcb_get_mr(const struct tcb *t, unsigned i);
void tcb_set_mr(struct tcb *t, unsigned i, uint64_t v);
