/*
 * TCB objects: initialisation, destruction, message registers, and the TCB invocations.
 */
#include "object/tcb.h"

#include <mica/errors.h>
#include <mica/invocation.h>
#include <stddef.h>
#include <string.h>

#include "arch.h"
#include "object/cspace.h"
#include "object/invocation.h"
#include "object/ipc.h"
#include "object/notification.h"
#include "sched.h"
#include "smp.h"

#define IPC_BUFFER_ALIGN 1024 /* sizeof(struct ipc_buffer) rounded up to a power of two */
_Static_assert(sizeof(struct ipc_buffer) <= IPC_BUFFER_ALIGN, "IPC buffer alignment");

static uint64_t next_tcb_id = 1;

void tcb_init(struct tcb *t)
{
	t->state = THREAD_INACTIVE;
	t->id = next_tcb_id++;
	t->timeslice = TIMESLICE_TICKS; /* 1..TIMESLICE_TICKS from now on (sched_tick refills) */
}

uint64_t tcb_get_mr(const struct tcb *t, unsigned i)
{
	if (i < MSG_REGISTERS)
		return arch_get_mr(&t->ctx, i);
	if (i < MSG_MAX_LENGTH && tcb_ipc_buffer(t))
		return tcb_ipc_buffer(t)->msg[i];
	return 0;
}

void tcb_set_mr(struct tcb *t, unsigned i, uint64_t v)
{
	if (i < MSG_REGISTERS)
		arch_set_mr(&t->ctx, i, v);
	else if (i < MSG_MAX_LENGTH && tcb_ipc_buffer(t))
		tcb_ipc_buffer(t)->msg[i] = v;
}

/*
 * Stops `t`: out of every queue, its pending IPC cancelled, state inactive. A system call
 * it is blocked in ends as if it had not been made, its PC back on the SVC, so that it is
 * made again when the thread resumes: a send, a receive or a notification wait has had no
 * effect yet (a ReplyRecv waiting in its receive replied already, and a ReplyRecv without
 * a caller only receives). `restartable` says the saved PC is still the call's: the thread
 * blocked in a system call, not with a fault message, and TCB_WRITE_REGISTERS did not
 * write its PC since (then it resumes where it was pointed). A call whose message was
 * delivered ends with E_DELETED instead, as when its reply right is deleted: repeating it
 * would deliver the message twice. A thread blocked with a fault message repeats nothing:
 * it resumes where the fault left it.
 */
static void tcb_suspend(struct tcb *t)
{
	unsigned st = t->state;
	bool in_syscall = !t->fault_pending;
	ipc_cancel(t);
	if (t->restartable && in_syscall &&
	    (st == THREAD_BLOCKED_SEND || st == THREAD_BLOCKED_RECV || st == THREAD_BLOCKED_NTFN))
		arch_restart_syscall(&t->ctx);
	else if (in_syscall && st == THREAD_BLOCKED_REPLY)
		arch_set_msginfo(&t->ctx, msginfo_error(E_DELETED));
	t->restartable = 0;
	sched_remove(t);
	t->state = THREAD_INACTIVE;
}

/* Makes an inactive thread runnable (a blocked or running thread is left alone). */
static void tcb_resume(struct tcb *t)
{
	if (t->state == THREAD_INACTIVE)
		sched_make_runnable(t);
}

void tcb_finalise(struct tcb *t)
{
	smp_detach_thread(t); /* no other core runs it or holds its registers */
	tcb_suspend(t);
	if (t->bound_ntfn)
		notification_unbind(t);
	for (unsigned i = 0; i < TCB_SLOTS; i++) {
		if (!cap_is_null(&t->slots[i].cap))
			cte_delete(&t->slots[i]);
	}
	arch_forget_thread(t);
	if (current == t)
		current = NULL;
}

/* Checks a capability for a TCB slot: `want` type, with `rights`, derivable (cap_derivable).
 * cptr 0 leaves the slot empty (*out NULL). */
static int check_slot_cap(struct invocation *inv, cptr_t cptr, unsigned want, unsigned rights,
			  struct cte **out)
{
	*out = NULL;
	if (cptr == 0)
		return E_OK;
	struct lookup_ret r = cspace_lookup_cap(inv->caller, cptr);
	if (r.err)
		return r.err;
	if (r.slot->cap.type != want)
		return E_TYPE;
	if ((r.slot->cap.rights & rights) != rights)
		return E_RIGHTS;
	int err = cap_derivable(&r.slot->cap);
	if (err)
		return err;
	*out = r.slot;
	return E_OK;
}

/* The TCB slots TCB_CONFIGURE sets, as indices of configure_args.src and config_slot. */
enum { CFG_FAULT_EP, CFG_CSPACE, CFG_VSPACE, CFG_IPC_BUFFER, TCB_CONFIG_SLOTS };

struct configure_args {
	struct cte *src[TCB_CONFIG_SLOTS]; /* per configured slot: the source, or NULL */
	uint64_t ipc_vaddr;
};

static const unsigned config_slot[TCB_CONFIG_SLOTS] = {
	[CFG_FAULT_EP] = TCB_SLOT_FAULT_EP,
	[CFG_CSPACE] = TCB_SLOT_CSPACE,
	[CFG_VSPACE] = TCB_SLOT_VSPACE,
	[CFG_IPC_BUFFER] = TCB_SLOT_IPC_BUFFER,
};

/*
 * Where TCB_CONFIGURE parks the capabilities it replaces. Deleting one of them may finalise
 * an object (the last capability to a CNode), and that may empty slots anywhere: the CNode
 * holding a new capability's source, or the TCB's own capability, destroying the TCB. So
 * the old capabilities are moved out first (a move finalises nothing), the new ones are
 * inserted while every checked source still holds what decode checked, and only then are
 * the old ones deleted, after the last use of the TCB. The kernel is not preemptible and
 * no finaliser configures a TCB, so one set of parking slots is enough.
 */
static struct cte configure_parked[TCB_CONFIG_SLOTS];

static void invoke_configure(struct tcb *t, const struct configure_args *a)
{
	for (unsigned i = 0; i < TCB_CONFIG_SLOTS; i++) {
		struct cte *slot = &t->slots[config_slot[i]];
		if (!cap_is_null(&slot->cap))
			mdb_move(slot, &configure_parked[i], slot->cap);
		if (a->src[i])
			mdb_insert(a->src[i], slot, a->src[i]->cap);
	}
	const struct cte *frame = a->src[CFG_IPC_BUFFER];
	t->ipc_buffer_vaddr = frame ? a->ipc_vaddr : 0;
	t->ipc_buffer_kva = NULL;
	if (frame) {
		const struct cap *f = &frame->cap;
		uint64_t offset = a->ipc_vaddr & ((1ull << f->u.frame.size_bits) - 1);
		t->ipc_buffer_kva = phys_to_virt(f->u.frame.paddr + offset);
	}
	/* A thread that lost its address space cannot keep running. */
	if (!a->src[CFG_VSPACE] && t->state != THREAD_INACTIVE)
		tcb_suspend(t);
	/* `t` may be destroyed from here on. */
	for (unsigned i = 0; i < TCB_CONFIG_SLOTS; i++)
		cte_delete(&configure_parked[i]);
}

/* TCB_CONFIGURE: fault_ep, cspace_root, vspace_root, ipc_buffer_vaddr, ipc_buffer_frame. */
static int decode_configure(struct invocation *inv, struct tcb *t)
{
	struct configure_args a = { .ipc_vaddr = inv_arg(inv, 3) };
	struct cte **frame = &a.src[CFG_IPC_BUFFER];
	int err;
	if ((err = check_slot_cap(inv, inv_arg(inv, 0), CAP_ENDPOINT, RIGHT_WRITE,
				  &a.src[CFG_FAULT_EP])) ||
	    (err = check_slot_cap(inv, inv_arg(inv, 1), CAP_CNODE, 0, &a.src[CFG_CSPACE])) ||
	    (err = check_slot_cap(inv, inv_arg(inv, 2), CAP_VSPACE, 0, &a.src[CFG_VSPACE])) ||
	    (err =
		 check_slot_cap(inv, inv_arg(inv, 4), CAP_FRAME, RIGHT_READ | RIGHT_WRITE, frame)))
		return err;
	if (*frame && (*frame)->cap.u.frame.device)
		return E_TYPE;
	if (*frame && a.ipc_vaddr % IPC_BUFFER_ALIGN)
		return E_ALIGN;
	invoke_configure(t, &a);
	return E_OK;
}

static void invoke_read_registers(struct invocation *inv, const struct tcb *t)
{
	unsigned n = tcb_ipc_buffer(inv->caller) ? TCB_REGISTER_WORDS : MSG_REGISTERS;
	for (unsigned i = 0; i < n; i++)
		inv_set_result(inv, i, arch_get_register_word(&t->ctx, i));
}

static int decode_read_registers(struct invocation *inv, struct tcb *t)
{
	if (t == inv->caller)
		return E_INVAL; /* its registers are being used for this very call */
	invoke_read_registers(inv, t);
	return E_OK;
}

/* Zeroes the registers TCB_WRITE_REGISTERS does not set (the TLS register has TCB_SET_TLS):
 * a reused TCB starts clean. */
static void clear_registers(struct tcb *t)
{
	arch_clear_scratch_registers(&t->ctx);
	arch_forget_thread(t); /* its FP/SIMD registers now come from the zeroed TCB copy */
	memset(&t->fpu, 0, sizeof(t->fpu));
	t->fpu_live = 0;
}

#define WRITE_REGISTERS_ARGS 8 /* the argument registers TCB_WRITE_REGISTERS sets */
_Static_assert(WRITE_REGISTERS_ARGS <= ARCH_ARG_REGS, "arch_set_arg reaches them all");

struct write_registers_args {
	uint64_t flags, pc, sp;
	uint64_t arg[WRITE_REGISTERS_ARGS];
	unsigned nargs; /* how many argument registers the message carries */
};

static void invoke_write_registers(struct tcb *t, const struct write_registers_args *a)
{
	if (a->flags & TCB_WRITE_CLEAR)
		clear_registers(t);
	arch_set_pc(&t->ctx, a->pc);
	t->restartable = 0; /* its PC is the one written, not the system call's */
	arch_set_sp(&t->ctx, a->sp);
	for (unsigned i = 0; i < a->nargs; i++)
		arch_set_arg(&t->ctx, i, a->arg[i]);
	if (a->flags & TCB_WRITE_RESUME)
		tcb_resume(t);
}

/* TCB_WRITE_REGISTERS: flags (TCB_WRITE_*), pc, sp, then the argument registers (x0..x7 on
 * AArch64). The processor state stays user mode with interrupts on. */
static int decode_write_registers(struct invocation *inv, struct tcb *t)
{
	struct write_registers_args a = { .flags = inv_arg(inv, 0),
					  .pc = inv_arg(inv, 1),
					  .sp = inv_arg(inv, 2) };
	if (a.flags & ~(uint64_t)(TCB_WRITE_RESUME | TCB_WRITE_CLEAR))
		return E_INVAL;
	if (t == inv->caller)
		return E_INVAL;
	if ((a.flags & TCB_WRITE_RESUME) && !tcb_vspace(t))
		return E_STATE;
	for (; a.nargs < WRITE_REGISTERS_ARGS && 3 + a.nargs < inv->nargs; a.nargs++)
		a.arg[a.nargs] = inv_arg(inv, 3 + a.nargs);
	invoke_write_registers(t, &a);
	return E_OK;
}

static void invoke_set_priority(struct tcb *t, unsigned prio, unsigned mcp)
{
	t->max_priority = (uint8_t)mcp;
	sched_set_priority(t, prio);
}

/* TCB_SET_PRIORITY: priority, maximum controlled priority; neither above the caller's. */
static int decode_set_priority(struct invocation *inv, struct tcb *t)
{
	uint64_t prio = inv_arg(inv, 0), mcp = inv_arg(inv, 1);
	if (prio > inv->caller->max_priority || mcp > inv->caller->max_priority)
		return E_RANGE;
	invoke_set_priority(t, (unsigned)prio, (unsigned)mcp);
	return E_OK;
}

/* TCB_BIND_NOTIFICATION: a notification capability with read right. */
static int decode_bind_notification(struct invocation *inv, struct tcb *t)
{
	if (inv_arg(inv, 0) == 0)
		return E_NOCAP;
	struct lookup_ret r = cspace_lookup_cap(inv->caller, inv_arg(inv, 0));
	if (r.err)
		return r.err;
	if (r.slot->cap.type != CAP_NOTIFICATION)
		return E_TYPE;
	if (!(r.slot->cap.rights & RIGHT_READ))
		return E_RIGHTS;
	struct notification *n = r.slot->cap.u.notification.ntfn;
	if (t->bound_ntfn || n->bound)
		return E_BUSY;
	notification_bind(n, t);
	return E_OK;
}

static int decode_unbind_notification(struct tcb *t)
{
	if (!t->bound_ntfn)
		return E_STATE;
	notification_unbind(t);
	return E_OK;
}

static int decode_resume(struct tcb *t)
{
	if (!tcb_vspace(t))
		return E_STATE;
	tcb_resume(t);
	return E_OK;
}

static int decode_set_tls(struct invocation *inv, struct tcb *t)
{
	if (t == inv->caller)
		return E_INVAL; /* a thread sets its own TLS register directly */
	arch_set_tls(&t->ctx, inv_arg(inv, 0));
	return E_OK;
}

/* Moves `t` to core `core` (checked): written back from wherever it runs, then queued
 * there if runnable. A thread moving itself keeps running until it leaves the kernel;
 * schedule_and_return then hands it over. */
static void invoke_set_affinity(struct tcb *t, unsigned core)
{
	if (t->cpu == core)
		return;
	arch_release_thread(t); /* its FP/SIMD registers, if they are this core's */
	sched_remove(t);
	t->cpu = core;
	if (t->state == THREAD_RUNNABLE && t != current)
		sched_make_runnable(t);
}

static int decode_set_affinity(struct invocation *inv, struct tcb *t)
{
	uint64_t core = inv_arg(inv, 0);
	if (inv->nargs < 1)
		return E_INVAL;
	if (core >= smp_ncpus)
		return E_RANGE;
	invoke_set_affinity(t, (unsigned)core);
	return E_OK;
}

int decode_tcb_invocation(struct invocation *inv)
{
	struct tcb *t = inv->cap.u.tcb.tcb;
	/* Every TCB invocation reads or changes the thread's saved state: if another core runs
	 * it, that core leaves it first (the thread is queued there again, nothing is lost). */
	smp_detach_thread(t);
	switch (inv->label) {
	case TCB_CONFIGURE:
		return decode_configure(inv, t);
	case TCB_READ_REGISTERS:
		return decode_read_registers(inv, t);
	case TCB_WRITE_REGISTERS:
		return decode_write_registers(inv, t);
	case TCB_RESUME:
		return decode_resume(t);
	case TCB_SUSPEND:
		tcb_suspend(t); /* no argument to check */
		return E_OK;
	case TCB_SET_PRIORITY:
		return decode_set_priority(inv, t);
	case TCB_BIND_NOTIFICATION:
		return decode_bind_notification(inv, t);
	case TCB_UNBIND_NOTIFICATION:
		return decode_unbind_notification(t);
	case TCB_SET_TLS:
		return decode_set_tls(inv, t);
	case TCB_SET_AFFINITY:
		return decode_set_affinity(inv, t);
	default:
		return E_LABEL;
	}
}
