/* Invocation dispatch: the capability type selects the object's decode function. */
#include "object/invocation.h"

#include <mica/errors.h>

#include "object/tcb.h"

int decode_invocation(struct invocation *inv)
{
	switch (inv->cap.type) {
	case CAP_UNTYPED:
		return decode_untyped_invocation(inv);
	case CAP_CNODE:
		return decode_cnode_invocation(inv);
	case CAP_TCB:
		return decode_tcb_invocation(inv);
	case CAP_IRQ_CONTROL:
		return decode_irq_control_invocation(inv);
	case CAP_IRQ_HANDLER:
		return decode_irq_handler_invocation(inv);
	default:
		/* Frames, tables, VSpaces and ASIDs get their invocations with issue 4. */
		return E_TYPE;
	}
}
