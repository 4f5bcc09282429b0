/*
 * System-call dispatch: decodes the registers of the calling thread and hands over to IPC,
 * notifications, invocations or the scheduler. Every result goes back in the caller's
 * registers (the message info word, whose label is the error code for kernel errors),
 * through the register accessors of arch.h.
 */
#include "syscall.h"

#include <config.h>
#include <mica/errors.h>
#include <mica/fault.h>
#include <mica/syscall.h>

#include "arch.h"
#include "audit.h"
#include "console.h"
#include "object/cspace.h"
#include "object/invocation.h"
#include "object/irq.h"
#include "object/fault.h"
#include "object/ipc.h"
#include "object/notification.h"
#include "object/tcb.h"
#include "sched.h"
#include "smp.h"
#include "stats.h"

static void fail(struct tcb *t, int err)
{
	arch_set_msginfo(&t->ctx, msginfo_error(err));
}

/* Performs an invocation (SYS_CALL on a kernel-object capability) and writes the reply. */
static void do_invocation(struct tcb *t, struct cte *slot, struct msginfo info)
{
	struct invocation inv = {
		.caller = t,
		.slot = slot,
		.cap = slot->cap,
		.label = info.label,
		.nargs = info.length,
	};
	int err = decode_invocation(&inv);
	/* The reply goes to the caller, unless the invocation destroyed or stopped it. */
	arch_set_msginfo(&t->ctx, msginfo_pack((uint64_t)(int64_t)err, err ? 0 : inv.nresults, 0));
}

/* Checks a capability transfer at send time so a bad one fails the send with an error. */
static int check_transfer(struct tcb *t, const struct cap *ep, struct msginfo info)
{
	if (!info.extra_caps)
		return E_OK;
	if (!(ep->rights & RIGHT_GRANT))
		return E_RIGHTS;
	if (!tcb_ipc_buffer(t))
		return E_MSGSIZE;
	return cspace_lookup_cap(t, tcb_ipc_buffer(t)->caps[0]).err;
}

static void handle_send(struct tcb *t, uint64_t nr)
{
	struct msginfo info = msginfo_unpack(arch_get_msginfo(&t->ctx));
	if (info.length > MSG_MAX_LENGTH || info.extra_caps > MSG_MAX_EXTRA_CAPS)
		return fail(t, E_MSGSIZE);
	struct lookup_ret r = cspace_lookup_cap(t, arch_get_cptr(&t->ctx));
	if (r.err)
		return fail(t, r.err);
	struct cap *cap = &r.slot->cap;
	int err;
	switch (cap->type) {
	case CAP_ENDPOINT:
		if (!(cap->rights & RIGHT_WRITE))
			return fail(t, E_RIGHTS);
		if ((err = check_transfer(t, cap, info)))
			return fail(t, err);
		ipc_send(t, cap->u.endpoint.ep, cap->u.endpoint.badge, cap->rights & RIGHT_GRANT,
			 nr == SYS_CALL, nr != SYS_NBSEND);
		return;
	case CAP_NOTIFICATION:
		if (nr == SYS_CALL)
			return fail(t, E_TYPE);
		if (!(cap->rights & RIGHT_WRITE))
			return fail(t, E_RIGHTS);
		notification_signal(cap->u.notification.ntfn, cap->u.notification.badge);
		return fail(t, E_OK);
	case CAP_REPLY:
		if (nr == SYS_CALL)
			return fail(t, E_TYPE);
		ipc_reply(t, r.slot);
		return fail(t, E_OK);
	default:
		if (nr != SYS_CALL)
			return fail(t, E_TYPE);
		do_invocation(t, r.slot, info);
		return;
	}
}

static void handle_recv(struct tcb *t, bool blocking)
{
	struct lookup_ret r = cspace_lookup_cap(t, arch_get_cptr(&t->ctx));
	if (r.err)
		return fail(t, r.err);
	struct cap *cap = &r.slot->cap;
	if (cap->type != CAP_ENDPOINT && cap->type != CAP_NOTIFICATION)
		return fail(t, E_TYPE);
	if (!(cap->rights & RIGHT_READ))
		return fail(t, E_RIGHTS);
	if (cap->type == CAP_ENDPOINT)
		ipc_recv(t, cap->u.endpoint.ep, blocking);
	else
		notification_wait(t, cap->u.notification.ntfn, blocking);
}

/* Replies with the caller's one-shot reply right. Returns false if there was none. */
static bool handle_reply(struct tcb *t)
{
	struct cte *slot = &t->slots[TCB_SLOT_CALLER];
	if (cap_is_null(&slot->cap))
		return false;
	struct msginfo info = msginfo_unpack(arch_get_msginfo(&t->ctx));
	if (info.length > MSG_MAX_LENGTH || info.extra_caps > MSG_MAX_EXTRA_CAPS)
		return false;
	ipc_reply(t, slot);
	return true;
}

/* Whether SYS_DEBUG_PUTS writes byte c: printable ASCII, tab, newline, carriage return, ESC. */
static bool debug_puts_byte(char c)
{
	return (c >= 0x20 && c < 0x7f) || c == '\t' || c == '\n' || c == '\r' || c == 0x1b;
}

/*
 * SYS_DEBUG_PUTS: the x7 bytes packed in x0..x6 to the kernel console, all under the lock
 * this entry holds, so no other core's output lands inside them. Returns E_OK, E_RANGE (more
 * than DEBUG_PUTS_MAX) or E_INVAL (a byte debug_puts_byte refuses; nothing is written).
 */
static int debug_puts(const struct tcb *t)
{
	uint64_t n = arch_get_arg(&t->ctx, 7);
	if (n > DEBUG_PUTS_MAX)
		return E_RANGE;
	for (uint64_t i = 0; i < n; i++)
		if (!debug_puts_byte((char)(arch_get_arg(&t->ctx, i / 8) >> (8 * (i % 8)))))
			return E_INVAL;
	for (uint64_t i = 0; i < n; i++) {
		char c = (char)(arch_get_arg(&t->ctx, i / 8) >> (8 * (i % 8)));
		if (c == '\n')
			arch_console_putc('\r');
		arch_console_putc(c);
	}
	return E_OK;
}

/* Debug builds: the debug system calls. Returns false if `nr` is not one. */
static bool handle_debug(struct tcb *t, uint64_t nr)
{
	if (!CONFIG_DEBUG)
		return false;
	switch (nr) {
	case SYS_DEBUG_PUTC: {
		char c = (char)arch_get_arg(&t->ctx, 0);
		if (c == '\n')
			arch_console_putc('\r');
		arch_console_putc(c);
		return true;
	}
	case SYS_DEBUG_PUTS:
		fail(t, debug_puts(t));
		return true;
	case SYS_DEBUG_POWEROFF:
		kprintf("mica: power off (requested by thread %lu)\n", t->id);
		arch_poweroff();
	case SYS_DEBUG_NULL:
		return true;
	case SYS_DEBUG_IRQ_RAISE: {
		uint64_t arg = arch_get_arg(&t->ctx, 0);
		uint64_t intid = arg & ~DEBUG_IRQ_RAISE_AT_IDLE;
		if (intid >= 1020 || !irq_is_claimed((uint32_t)intid))
			fail(t, E_RANGE);
		else if (arg & DEBUG_IRQ_RAISE_AT_IDLE)
			arch_irq_raise_at_idle((uint32_t)intid);
		else
			arch_irq_raise((uint32_t)intid);
		return true;
	}
	case SYS_DEBUG_ASYNC:
		fail(t, arch_debug_async(arch_get_arg(&t->ctx, 0)));
		return true;
	case SYS_DEBUG_CPU:
		arch_set_arg(&t->ctx, 0, this_cpu()->id);
		arch_set_arg(&t->ctx, 1, smp_ncpus);
		arch_set_arg(&t->ctx, 2, this_cpu()->ipis);
		arch_set_arg(&t->ctx, 3, this_cpu()->ticks);
		return true;
	case SYS_DEBUG_AUDIT: {
		unsigned checked;
		arch_set_arg(&t->ctx, 0, kernel_audit(&checked));
		arch_set_arg(&t->ctx, 1, checked);
		return true;
	}
	default:
		return false;
	}
}

void syscall_handle(struct tcb *t)
{
	uint64_t nr = arch_get_syscall(&t->ctx);
	stats.syscalls++;
	switch (nr) {
	case SYS_CALL:
	case SYS_SEND:
	case SYS_NBSEND:
		handle_send(t, nr);
		return;
	case SYS_RECV:
	case SYS_NBRECV:
		handle_recv(t, nr == SYS_RECV);
		return;
	case SYS_REPLY:
		if (!handle_reply(t))
			fail(t, E_STATE);
		else
			fail(t, E_OK);
		return;
	case SYS_REPLY_RECV:
		handle_reply(t);
		handle_recv(t, true);
		return;
	case SYS_YIELD:
		sched_yield();
		return;
	default:
		if (handle_debug(t, nr))
			return;
		uint64_t words[2] = { nr, arch_get_pc(&t->ctx) };
		fault_raise(t, FAULT_UNKNOWN_SYSCALL, words, 2);
		return;
	}
}
