/*
 * IRQ control and IRQ handler capabilities.
 *
 * IRQ_CONTROL_GET creates the one handler capability for an interrupt. The handler is bound
 * to a notification; when the interrupt fires the kernel masks it and signals the
 * notification with the notification capability's badge; the driver handles the device
 * and acknowledges with IRQ_HANDLER_ACK, which unmasks it.
 */
#include "object/irq.h"

#include <mica/errors.h>
#include <mica/invocation.h>
#include <stddef.h>

#include "arch.h"
#include "object/cspace.h"
#include "object/invocation.h"
#include "object/ipc.h"
#include "object/notification.h"

#define IRQ_LINES 1020

struct irq_state {
	struct notification *ntfn;
	uint64_t badge;
	bool claimed;
	bool edge;
};

static struct irq_state irqs[IRQ_LINES];

void irq_handler_finalise(uint32_t intid)
{
	if (intid >= IRQ_LINES)
		return;
	arch_irq_disable(intid);
	arch_irq_clear_pending(intid); /* the next owner starts clean */
	irqs[intid] = (struct irq_state){ 0 };
}

void irq_forget_notification(struct notification *ntfn)
{
	for (unsigned i = 0; i < IRQ_LINES; i++) {
		if (irqs[i].ntfn == ntfn) {
			arch_irq_disable(i);
			irqs[i].ntfn = NULL;
		}
	}
}

bool irq_deliver(uint32_t intid)
{
	if (intid >= IRQ_LINES || !irqs[intid].claimed)
		return false;
	arch_irq_disable(intid);
	if (irqs[intid].ntfn)
		notification_signal(irqs[intid].ntfn, irqs[intid].badge);
	return true;
}

/* True if some IRQ handler capability claims `intid`. */
bool irq_is_claimed(uint32_t intid)
{
	return intid < IRQ_LINES && irqs[intid].claimed;
}

/* Claims `intid` and puts the one handler capability for it into `dest`. */
static void invoke_irq_control_get(struct cte *control, struct cte *dest, uint32_t intid, bool edge)
{
	struct cap cap = cap_null();
	cap.type = CAP_IRQ_HANDLER;
	cap.u.irq.intid = intid;
	irqs[intid] = (struct irq_state){ .claimed = true, .edge = edge };
	mdb_insert(control, dest, cap);
}

/* IRQ_CONTROL_GET: irq, dest_cnode, dest_index, edge. */
int decode_irq_control_invocation(struct invocation *inv)
{
	if (inv->label != IRQ_CONTROL_GET)
		return E_LABEL;
	uint64_t intid = inv_arg(inv, 0), edge = inv_arg(inv, 3);
	if (intid >= IRQ_LINES || !arch_irq_claimable((uint32_t)intid))
		return E_RANGE;
	if (edge > 1)
		return E_INVAL;
	struct lookup_ret dest = cspace_lookup_index(inv->caller, inv_arg(inv, 1), inv_arg(inv, 2));
	if (dest.err)
		return dest.err;
	if (!cap_is_null(&dest.slot->cap))
		return E_DELETE_FIRST;
	if (irqs[intid].claimed)
		return E_BUSY;
	invoke_irq_control_get(inv->slot, dest.slot, (uint32_t)intid, edge);
	return E_OK;
}

/* Binds the interrupt to the notification `n` (signalled with `badge`) and unmasks it. */
static void invoke_set_notification(uint32_t intid, struct notification *n, uint64_t badge)
{
	irqs[intid].ntfn = n;
	irqs[intid].badge = badge;
	arch_irq_enable(intid, irqs[intid].edge);
}

/* IRQ_HANDLER_SET_NOTIFICATION: a notification capability with the write right. */
static int decode_set_notification(struct invocation *inv, uint32_t intid)
{
	struct lookup_ret r = cspace_lookup_cap(inv->caller, inv_arg(inv, 0));
	if (r.err)
		return r.err;
	const struct cap *n = &r.slot->cap;
	if (n->type != CAP_NOTIFICATION)
		return E_TYPE;
	if (!(n->rights & RIGHT_WRITE))
		return E_RIGHTS;
	invoke_set_notification(intid, n->u.notification.ntfn, n->u.notification.badge);
	return E_OK;
}

/* IRQ_HANDLER_ACK: unmasks the interrupt again (E_STATE if it has no notification). */
static int decode_ack(uint32_t intid)
{
	if (!irqs[intid].ntfn)
		return E_STATE;
	arch_irq_enable(intid, irqs[intid].edge);
	return E_OK;
}

/* IRQ_HANDLER_CLEAR: masks the interrupt and unbinds its notification. */
static void invoke_clear(uint32_t intid)
{
	arch_irq_disable(intid);
	irqs[intid].ntfn = NULL;
}

int decode_irq_handler_invocation(struct invocation *inv)
{
	uint32_t intid = inv->cap.u.irq.intid;
	switch (inv->label) {
	case IRQ_HANDLER_ACK:
		return decode_ack(intid);
	case IRQ_HANDLER_SET_NOTIFICATION:
		return decode_set_notification(inv, intid);
	case IRQ_HANDLER_CLEAR:
		invoke_clear(intid); /* no argument to check */
		return E_OK;
	default:
		return E_LABEL;
	}
}
