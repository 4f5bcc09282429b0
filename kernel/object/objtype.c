/*
 * What happens to an object when the last capability to it goes, by type (seL4's
 * finaliseCap in objecttype.c). Each finaliser lives with its object:
 *
 *   endpoint       endpoint_cancel_all (ipc.c): queued threads woken with E_DELETED
 *   notification   notification_cancel_all (notification.c): waiters woken with E_DELETED,
 *                  the bound thread and IRQ handlers unbound
 *   TCB            tcb_finalise (tcb.c): stopped, its slots emptied
 *   CNode          cnode_finalise (cnode.c): its contents deleted through cnode.c's queue
 *   IRQ handler    irq_handler_finalise (irq.c): the line masked, its notification forgotten
 *   reply          ipc_reply_deleted (ipc.c): the caller woken with E_DELETED
 *   VSpace, ASID pool   arch_object_finalise (arch/aarch64/vspace_inv.c): ASIDs released
 *
 * Frames and page tables unmap when any capability to them goes (arch_cap_deleted); untyped,
 * IRQ control, ASID control and kernel info have nothing to undo. Called by the deletion
 * code in cnode.c only.
 */
#include "object/cnode.h"
#include "object/cspace.h"
#include "object/ipc.h"
#include "object/notification.h"
#include "object/irq.h"
#include "object/tcb.h"

#include "arch.h"

/* Requires: no capability to the object is left in any slot (the last one was removed). */
void object_finalise(struct cap *cap)
{
	switch (cap->type) {
	case CAP_ENDPOINT:
		endpoint_cancel_all(cap->u.endpoint.ep);
		break;
	case CAP_NOTIFICATION:
		notification_cancel_all(cap->u.notification.ntfn);
		break;
	case CAP_TCB:
		tcb_finalise(cap->u.tcb.tcb);
		break;
	case CAP_CNODE:
		cnode_finalise(cap);
		break;
	case CAP_IRQ_HANDLER:
		irq_handler_finalise(cap->u.irq.intid);
		break;
	case CAP_REPLY:
		ipc_reply_deleted(cap->u.reply.caller);
		break;
	case CAP_VSPACE:
	case CAP_ASID_POOL:
		arch_object_finalise(cap); /* release ASIDs, drop TLB entries */
		break;
	default:
		/* Untyped, IRQ control, ASID control, kernel info: nothing to undo. Frames and
		 * page tables were unmapped when their capability went (arch_cap_deleted). */
		break;
	}
}
