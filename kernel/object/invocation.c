/* Invocation dispatch: the capability type selects the object's decode function. */
#include "object/invocation.h"

#include <mica/errors.h>
#include <mica/invocation.h>

#include "arch.h"
#include "object/tcb.h"
#include "stats.h"

/* KERNEL_INFO_STATS: the kernel counters, in enum kernel_stat order. */
static int decode_kernel_info_invocation(struct invocation *inv)
{
	if (inv->label != KERNEL_INFO_STATS)
		return E_LABEL;
	if (!tcb_ipc_buffer(inv->caller))
		return E_MSGSIZE;
	const uint64_t *counters = (const uint64_t *)&stats;
	for (unsigned i = 0; i < KSTAT_COUNT; i++)
		inv_set_result(inv, i, counters[i]);
	return E_OK;
}

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
	case CAP_FRAME:
	case CAP_PAGE_TABLE:
	case CAP_VSPACE:
	case CAP_ASID_CONTROL:
	case CAP_ASID_POOL:
		return arch_decode_invocation(inv);
	case CAP_KERNEL_INFO:
		return decode_kernel_info_invocation(inv);
	default:
		return E_TYPE; /* reply capabilities are used with SYS_SEND, not invoked */
	}
}
