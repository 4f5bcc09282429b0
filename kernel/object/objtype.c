/*
 * What happens to an object when the last capability to it goes, by type (seL4's
 * finaliseCap in objecttype.c): queued threads are woken with E_DELETED, a TCB is stopped
 * and its slots emptied, a CNode's contents are deleted (through cnode.c's queue), an IRQ
 * line is masked, ASIDs are released. Called by the deletion code in cnode.c only.
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
