/*
 * TCB objects: initialisation, destruction, message registers, and the TCB invocations.
 */
#include "object/tcb.h"

#include <arch/memlayout.h>
#include <mica/errors.h>
#include <mica/invocation.h>
#include <stddef.h>
#include <string.h>

#include "arch.h"
#include "object/cspace.h"
#include "object/invocation.h"
#include "object/ipc.h"
#include "sched.h"

#define IPC_BUFFER_ALIGN 1024 /* sizeof(struct ipc_buffer) rounded up to a power of two */
_Static_assert(sizeof(struct ipc_buffer) <= IPC_BUFFER_ALIGN, "IPC buffer alignment");

static uint64_t next_tcb_id = 1;

void tcb_init(struct tcb *t)
{
	t->state = THREAD_INACTIVE;
	t->id = next_tcb_id++;
}

uint64_t tcb_get_mr(const struct tcb *t, unsigned i)
{
	if (i < MSG_REGISTERS)
		return t->ctx.x[2 + i];
	if (i < MSG_MAX_LENGTH && tcb_ipc_buffer(t))
		return tcb_ipc_buffer(t)->msg[i];
	return 0;
}

void tcb_set_mr(struct tcb *t, unsigned i, uint64_t v)
{
	if (i < MSG_REGISTERS)
		t->ctx.x[2 + i] = v;
	else if (i < MSG_MAX_LENGTH && tcb_ipc_buffer(t))
		tcb_ipc_buffer(t)->msg[i] = v;
}

/* Stops `t`: out of every queue, its pending IPC cancelled, state inactive. */
static void tcb_suspend(struct tcb *t)
{
	ipc_cancel(t);
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
	tcb_suspend(t);
	if (t->bound_ntfn) {
		t->bound_ntfn->bound = NULL;
		t->bound_ntfn = NULL;
	}
	for (unsigned i = 0; i < TCB_SLOTS; i++) {
		if (!cap_is_null(&t->slots[i].cap))
			cte_delete(&t->slots[i]);
	}
	arch_forget_thread(t);
	if (current == t)
		current = NULL;
}

/* Checks a capability for a TCB slot: `want` type (CAP_NULL: any), with `rights`. */
static int check_slot_cap(struct invocation *inv, cptr_t cptr, unsigned want, unsigned rights,
			  struct cte **out)
{
	*out = NULL;
	if (cptr == 0)
		return E_OK; /* 0: leave the slot empty */
	struct lookup_ret r = cspace_lookup_cap(inv->caller, cptr);
	if (r.err)
		return r.err;
	if (r.slot->cap.type != want)
		return E_TYPE;
	if ((r.slot->cap.rights & rights) != rights)
		return E_RIGHTS;
	*out = r.slot;
	return E_OK;
}

/* Replaces TCB slot `i` with a child copy of `src` (or empties it if src is NULL). */
static void set_slot(struct tcb *t, unsigned i, struct cte *src)
{
	if (!cap_is_null(&t->slots[i].cap))
		cte_delete(&t->slots[i]);
	if (src)
		mdb_insert(src, &t->slots[i], src->cap);
}

struct configure_args {
	struct cte *fault_ep, *cspace, *vspace, *ipc_frame;
	uint64_t ipc_vaddr;
};

static void invoke_configure(struct tcb *t, const struct configure_args *a)
{
	set_slot(t, TCB_SLOT_FAULT_EP, a->fault_ep);
	set_slot(t, TCB_SLOT_CSPACE, a->cspace);
	set_slot(t, TCB_SLOT_VSPACE, a->vspace);
	set_slot(t, TCB_SLOT_IPC_BUFFER, a->ipc_frame);
	t->ipc_buffer_vaddr = a->ipc_frame ? a->ipc_vaddr : 0;
	t->ipc_buffer_kva = NULL;
	if (a->ipc_frame) {
		const struct cap *f = &a->ipc_frame->cap;
		uint64_t offset = a->ipc_vaddr & ((1ull << f->u.frame.size_bits) - 1);
		t->ipc_buffer_kva = phys_to_virt(f->u.frame.paddr + offset);
	}
	/* A thread that lost its address space cannot keep running. */
	if (!a->vspace && t->state != THREAD_INACTIVE)
		tcb_suspend(t);
}

/* TCB_CONFIGURE: fault_ep, cspace_root, vspace_root, ipc_buffer_vaddr, ipc_buffer_frame. */
static int decode_configure(struct invocation *inv, struct tcb *t)
{
	struct configure_args a = { .ipc_vaddr = inv_arg(inv, 3) };
	int err;
	if ((err = check_slot_cap(inv, inv_arg(inv, 0), CAP_ENDPOINT, RIGHT_WRITE, &a.fault_ep)) ||
	    (err = check_slot_cap(inv, inv_arg(inv, 1), CAP_CNODE, 0, &a.cspace)) ||
	    (err = check_slot_cap(inv, inv_arg(inv, 2), CAP_VSPACE, 0, &a.vspace)) ||
	    (err = check_slot_cap(inv, inv_arg(inv, 4), CAP_FRAME, RIGHT_READ | RIGHT_WRITE,
				  &a.ipc_frame)))
		return err;
	if (a.vspace && a.vspace->cap.u.vspace.asid == 0)
		return E_NOASID;
	if (a.ipc_frame && a.ipc_frame->cap.u.frame.device)
		return E_TYPE;
	if (a.ipc_frame && a.ipc_vaddr % IPC_BUFFER_ALIGN)
		return E_ALIGN;
	invoke_configure(t, &a);
	return E_OK;
}

static int decode_read_registers(struct invocation *inv, struct tcb *t)
{
	if (t == inv->caller)
		return E_INVAL; /* its registers are being used for this very call */
	inv_set_result(inv, 0, t->ctx.pc);
	inv_set_result(inv, 1, t->ctx.sp);
	inv_set_result(inv, 2, t->ctx.spsr);
	unsigned n = tcb_ipc_buffer(inv->caller) ? TCB_REGISTER_WORDS : MSG_REGISTERS;
	for (unsigned i = 3; i < n; i++)
		inv_set_result(inv, i, t->ctx.x[i - 3]);
	return E_OK;
}

/* Zeroes the registers TCB_WRITE_REGISTERS does not set (TPIDR_EL0 has TCB_SET_TLS): a reused
 * TCB starts clean. */
static void clear_registers(struct tcb *t)
{
	for (unsigned i = 8; i < 31; i++)
		t->ctx.x[i] = 0;
	arch_forget_thread(t); /* its FP/SIMD registers now come from the zeroed TCB copy */
	memset(&t->fpu, 0, sizeof(t->fpu));
	t->fpu_live = 0;
}

/* TCB_WRITE_REGISTERS: flags (TCB_WRITE_*), pc, sp, x0..x7. SPSR stays EL0t with
 * interrupts on. */
static int decode_write_registers(struct invocation *inv, struct tcb *t)
{
	uint64_t flags = inv_arg(inv, 0);
	bool resume = flags & TCB_WRITE_RESUME;
	if (flags & ~(uint64_t)(TCB_WRITE_RESUME | TCB_WRITE_CLEAR))
		return E_INVAL;
	if (t == inv->caller)
		return E_INVAL;
	if (resume && !tcb_vspace(t))
		return E_STATE;
	if (flags & TCB_WRITE_CLEAR)
		clear_registers(t);
	t->ctx.pc = inv_arg(inv, 1);
	t->ctx.sp = inv_arg(inv, 2);
	for (unsigned i = 0; i < 8 && 3 + i < inv->nargs; i++)
		t->ctx.x[i] = inv_arg(inv, 3 + i);
	if (resume)
		tcb_resume(t);
	return E_OK;
}

static int decode_set_priority(struct invocation *inv, struct tcb *t)
{
	uint64_t prio = inv_arg(inv, 0), mcp = inv_arg(inv, 1);
	if (prio > inv->caller->max_priority || mcp > inv->caller->max_priority)
		return E_RANGE;
	t->max_priority = (uint8_t)mcp;
	sched_set_priority(t, (unsigned)prio);
	return E_OK;
}

static int decode_bind_notification(struct invocation *inv, struct tcb *t)
{
	struct cte *slot;
	int err = check_slot_cap(inv, inv_arg(inv, 0), CAP_NOTIFICATION, RIGHT_READ, &slot);
	if (err)
		return err;
	if (!slot)
		return E_NOCAP;
	struct notification *n = slot->cap.u.notification.ntfn;
	if (t->bound_ntfn || n->bound)
		return E_BUSY;
	t->bound_ntfn = n;
	n->bound = t;
	return E_OK;
}

static int decode_unbind_notification(struct tcb *t)
{
	if (!t->bound_ntfn)
		return E_STATE;
	t->bound_ntfn->bound = NULL;
	t->bound_ntfn = NULL;
	return E_OK;
}

int decode_tcb_invocation(struct invocation *inv)
{
	struct tcb *t = inv->cap.u.tcb.tcb;
	switch (inv->label) {
	case TCB_CONFIGURE:
		return decode_configure(inv, t);
	case TCB_READ_REGISTERS:
		return decode_read_registers(inv, t);
	case TCB_WRITE_REGISTERS:
		return decode_write_registers(inv, t);
	case TCB_RESUME:
		if (!tcb_vspace(t))
			return E_STATE;
		tcb_resume(t);
		return E_OK;
	case TCB_SUSPEND:
		tcb_suspend(t);
		return E_OK;
	case TCB_SET_PRIORITY:
		return decode_set_priority(inv, t);
	case TCB_BIND_NOTIFICATION:
		return decode_bind_notification(inv, t);
	case TCB_UNBIND_NOTIFICATION:
		return decode_unbind_notification(t);
	case TCB_SET_TLS:
		if (t == inv->caller)
			return E_INVAL; /* a thread sets its own TPIDR_EL0 directly */
		t->ctx.tpidr = inv_arg(inv, 0);
		return E_OK;
	default:
		return E_LABEL;
	}
}
