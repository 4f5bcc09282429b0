/*
 * The probe's life: made on the first attach (endpoint, CNode, TCB and fault capability, kept
 * for good), moved by stopping it, unmapping its window from the old space and loading it into
 * the new one. Its fatal faults do not kill anything: the probe is restarted at its entry with
 * MEMSRV_PROBE_START_FAULT (TCB_WRITE_REGISTERS while it waits for the fault reply, then the
 * reply resumes it there), so it answers the client's request with MEMSRV_PROBE_FAULTED.
 */
#include "probe.h"

#include <mica/errors.h>
#include <mica/fault.h>
#include <mica/memsrv.h>
#include <mica/objects.h>
#include <mica_invoke.h>

#include "alloc.h"
#include "pager.h"
#include "process.h"

#define PROBE_STACK_PAGES 2
#define PROBE_STACK_VA    (MEMSRV_PROBE_BASE + 0x1f0000ull) /* guard page, then the stack */
#define PROBE_STACK_TOP   (PROBE_STACK_VA + (PROBE_STACK_PAGES + 1) * PAGE_SIZE)
#define PROBE_IPC_VA      (MEMSRV_PROBE_BASE + 0x1f8000ull)
#define PROBE_PRIORITY    PROCESS_DEFAULT_PRIO

static struct {
	struct aspace *as; /* where it runs, NULL: stopped */
	unsigned owner;    /* the process whose CNode holds its endpoint */
	uint64_t entry;
	cptr_t tcb, cnode, ep, fault_cap;
} probe;

/* The probe's kernel objects, made once. */
static int make_objects(void)
{
	int err = E_OK;
	if (!probe.ep)
		err = alloc_retype(OBJ_ENDPOINT, 0, &probe.ep);
	if (!err && !probe.cnode)
		err = alloc_cnode(&probe.cnode);
	if (!err && !probe.tcb)
		err = alloc_tcb(&probe.tcb);
	if (!err && !probe.fault_cap)
		err = process_mint_endpoint(MEMSRV_BADGE_FAULT | MEMSRV_BADGE_PROBE,
					    &probe.fault_cap);
	return err;
}

void probe_detach(void)
{
	if (!probe.as)
		return;
	mica_tcb_configure(probe.tcb, 0, 0, 0, 0, 0); /* suspends it */
	mica_cnode_revoke(SLOT_INIT_CNODE, probe.ep); /* the owner's and the probe's copies */
	aspace_unmap(probe.as, MEMSRV_PROBE_BASE, MEMSRV_PROBE_SIZE);
	probe.as = NULL;
	probe.owner = 0;
}

/* Loads the probe's code, stack and IPC buffer into `as`. */
static int map_window(struct aspace *as)
{
	int err = process_load(as, "probe", true, &probe.entry);
	if (!err)
		err = aspace_map(as, PROBE_STACK_VA, PROBE_STACK_TOP - PROBE_STACK_VA,
				 VMA_R | VMA_W, VMA_STACK, VMA_EAGER, 1, 0, NULL, NULL);
	if (!err)
		err = aspace_map(as, PROBE_IPC_VA, PAGE_SIZE, VMA_R | VMA_W, VMA_SHARED, VMA_EAGER,
				 0, 0, NULL, NULL);
	return err;
}

/* Gives the owner and the probe their copies of the endpoint. */
static int hand_out(const struct aspace *owner)
{
	int err = mica_cnode_copy(probe.cnode, MEMSRV_PROBE_SLOT_EP, SLOT_INIT_CNODE, probe.ep,
				  RIGHT_READ | RIGHT_WRITE);
	if (!err)
		err = mica_cnode_copy(owner->proc.cnode, MEMSRV_SLOT_PROBE, SLOT_INIT_CNODE,
				      probe.ep, RIGHT_WRITE);
	return err;
}

/* Configures the thread for `as` and starts it at its entry. */
static int start(struct aspace *as)
{
	uint64_t regs[2] = { MEMSRV_PROBE_START, MEMSRV_PROBE_SLOT_EP };
	int err = mica_tcb_configure(probe.tcb, probe.fault_cap, probe.cnode, as->vspace,
				     PROBE_IPC_VA, aspace_page(as, PROBE_IPC_VA));
	if (!err)
		err = mica_tcb_set_priority(probe.tcb, PROBE_PRIORITY, PROBE_PRIORITY);
	if (!err)
		err = mica_tcb_set_tls(probe.tcb, PROBE_IPC_VA);
	if (!err)
		err = mica_tcb_write_registers(probe.tcb, TCB_WRITE_RESUME | TCB_WRITE_CLEAR,
					       probe.entry, PROBE_STACK_TOP, regs);
	return err;
}

int probe_attach(struct aspace *target, struct aspace *owner)
{
	if (!owner || !owner->proc.present || owner->proc.state != MEMSRV_PS_RUNNING)
		return E_STATE;
	probe_detach();
	int err = make_objects();
	if (err)
		return err;
	probe.as = target;
	probe.owner = owner->id;
	err = map_window(target);
	if (!err)
		err = hand_out(owner);
	if (!err)
		err = start(target);
	if (err)
		probe_detach();
	return err;
}

void probe_forget(const struct aspace *as)
{
	if (probe.as && (probe.as == as || probe.owner == as->id))
		probe_detach();
}

unsigned probe_location(void)
{
	return probe.as ? probe.as->id : 0;
}

bool probe_pinned(const struct aspace *as, uint64_t start, uint64_t length)
{
	uint64_t lo = MEMSRV_PROBE_BASE, hi = MEMSRV_PROBE_BASE + MEMSRV_PROBE_SIZE;
	return probe.as == as && length && start < hi && start + length > lo;
}

/* Restarts the probe to report fault class fc at addr to its client. */
static bool report(struct aspace *as, enum fault_class fc, uint64_t addr)
{
	uint64_t regs[4] = { MEMSRV_PROBE_START_FAULT, MEMSRV_PROBE_SLOT_EP, pager_stat_index(fc),
			     addr };
	as->faults[fc]++;
	return mica_tcb_write_registers(probe.tcb, 0, probe.entry, PROBE_STACK_TOP, regs) == E_OK;
}

bool probe_fault(uint64_t label, const uint64_t *mr, unsigned length)
{
	struct aspace *as = probe.as;
	if (!as)
		return false;
	if (label != FAULT_LABEL(FAULT_VM) || length < 3)
		return report(as, FC_OTHER, mr[0]);
	enum fault_class fc = pager_resolve(as, mr[0], mr[2]); /* the pager's own classes */
	if (fc == FC_LAZY || fc == FC_COUNT)
		return true;
	return report(as, fc, mr[0]);
}
