/* Invocation dispatch: the capability type selects the object's decode function. */
#include "object/invocation.h"

#include <mica/errors.h>
#include <mica/invocation.h>

#include "arch.h"
#include "object/tcb.h"
#include "sched.h"
#include "smp.h"
#include "stats.h"

/* KERNEL_INFO_STATS: the kernel counters, in enum kernel_stat order. Context switches are
 * counted per core and summed here; the number of cores online is read here too. Release
 * kernels do not keep four of them (stats.h). */
static int decode_kernel_stats(struct invocation *inv)
{
	if (!tcb_ipc_buffer(inv->caller))
		return E_MSGSIZE;
	const uint64_t *counters = (const uint64_t *)&stats;
	for (unsigned i = 0; i < KSTAT_COUNT; i++)
		inv_set_result(inv, i, counters[i]);
	uint64_t switches = 0;
	for (unsigned c = 0; c < smp_ncpus; c++)
		switches += cpus[c].switches;
	inv_set_result(inv, KSTAT_CONTEXT_SWITCHES, switches);
	if (!STATS_HOT) {
		/* Not kept (stats.h); the general path's counts alone would mislead. */
		inv_set_result(inv, KSTAT_SYSCALLS, KSTAT_NOT_COUNTED);
		inv_set_result(inv, KSTAT_IPC_MESSAGES, KSTAT_NOT_COUNTED);
		inv_set_result(inv, KSTAT_CONTEXT_SWITCHES, KSTAT_NOT_COUNTED);
		inv_set_result(inv, KSTAT_AS_SWITCHES, KSTAT_NOT_COUNTED);
	}
	inv_set_result(inv, KSTAT_CPUS_ONLINE, smp_ncpus);
	return E_OK;
}

/* KERNEL_INFO_CPU_STATS: one core's counters, in enum kernel_cpu_stat order. */
static int decode_kernel_cpu_stats(struct invocation *inv)
{
	uint64_t core = inv_arg(inv, 0);
	if (inv->nargs < 1)
		return E_INVAL;
	if (core >= smp_ncpus)
		return E_RANGE;
	const struct percpu *c = &cpus[core];
	inv_set_result(inv, KCPU_TICKS, c->ticks);
	inv_set_result(inv, KCPU_SWITCHES, STATS_HOT ? c->switches : KSTAT_NOT_COUNTED);
	inv_set_result(inv, KCPU_RESCHEDULE_SGIS, c->ipis);
	inv_set_result(inv, KCPU_STALLS, c->stalls);
	inv_set_result(inv, KCPU_RUNNING, c->cur ? c->cur->id : 0);
	inv_set_result(inv, KCPU_THREADS_QUEUED, sched_queued_on((unsigned)core));
	inv_set_result(inv, KCPU_TLBI, c->tlbi);
	inv_set_result(inv, KCPU_LOCK_WAITS, c->lock_waits);
	inv_set_result(inv, KCPU_CALLS_RESTARTED, c->calls_restarted);
	return E_OK;
}

static int decode_kernel_info_invocation(struct invocation *inv)
{
	switch (inv->label) {
	case KERNEL_INFO_STATS:
		return decode_kernel_stats(inv);
	case KERNEL_INFO_CPU_STATS:
		return decode_kernel_cpu_stats(inv);
	default:
		return E_LABEL;
	}
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
