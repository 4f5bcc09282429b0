/*
 * The probe: memsrv runs this program inside whatever address space a client names
 * (MEMSRV_PROBE_ATTACH), so that the client can read and write that space's memory with real
 * loads and stores. The protocol is in include/mica/memsrv.h ("The probe").
 *
 * A load or store that faults goes to memsrv, the probe's fault handler, like any thread's
 * fault. A lazy page is filled and the access completes. For a fatal fault, memsrv restarts
 * the probe at _start with MEMSRV_PROBE_START_FAULT, the pager's class and the address, and
 * the probe replies MEMSRV_PROBE_FAULTED to the client that asked: the reply right of the
 * interrupted request survives the fault, because the kernel keeps it in this thread's TCB.
 */
#include <mica.h>
#include <mica/memsrv.h>
#include <stddef.h>
#include <stdint.h>

#define WORD_ALIGN 8u

__attribute__((noreturn)) void probe_main(uint64_t mode, cptr_t ep, uint64_t fault_index,
					  uint64_t fault_addr);

/* Makes *msg an error reply with `err`. */
static void reply_error(struct mica_msg *msg, int err)
{
	msg->label = (uint64_t)(int64_t)err;
	msg->length = 0;
}

/* Carries out one request and turns *msg into its reply. */
static void serve(struct mica_msg *msg)
{
	uint64_t label = msg->label, addr = msg->mr[0];
	unsigned want = label == MEMSRV_PROBE_POKE ? 2 : 1;
	msg->extra_caps = 0;
	if (label != MEMSRV_PROBE_PEEK && label != MEMSRV_PROBE_POKE)
		return reply_error(msg, E_LABEL);
	if (msg->length != want)
		return reply_error(msg, E_MSGSIZE);
	if (addr % WORD_ALIGN)
		return reply_error(msg, E_ALIGN);
	msg->label = 0;
	msg->length = 0;
	if (label == MEMSRV_PROBE_PEEK) {
		msg->mr[0] = *(volatile uint64_t *)(uintptr_t)addr;
		msg->length = 1;
	} else {
		*(volatile uint64_t *)(uintptr_t)addr = msg->mr[1];
	}
}

/*
 * Entry from _start (start.S) with memsrv's registers: the mode, the endpoint's slot, and for
 * MEMSRV_PROBE_START_FAULT the fault's MEMSRV_STAT_FAULTS_* index and address.
 */
void probe_main(uint64_t mode, cptr_t ep, uint64_t fault_index, uint64_t fault_addr)
{
	struct mica_msg msg = { 0 };
	if (mode == MEMSRV_PROBE_START_FAULT) {
		msg.label = MEMSRV_PROBE_FAULTED;
		msg.length = 2;
		msg.mr[0] = fault_index;
		msg.mr[1] = fault_addr;
		mica_reply_recv(ep, &msg, NULL);
	} else {
		mica_recv(ep, &msg, NULL);
	}
	for (;;) {
		serve(&msg);
		mica_reply_recv(ep, &msg, NULL);
	}
}
