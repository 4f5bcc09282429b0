/*
 * The console grant. One console at a time: the device frame and the notification are made
 * once and kept; the IRQ handler is claimed for each grant and moved into the process's CNode,
 * so deleting it there (when the process ends) masks the interrupt and frees it again.
 */
#include "console.h"

#include <mica.h>
#include <mica/errors.h>
#include <mica/memsrv.h>
#include <mica/objects.h>
#include <mica_invoke.h>

#include "alloc.h"
#include "device.h"

#define PAGE_MASK (~(PAGE_SIZE - 1))
#define IRQ_LEVEL 0 /* the PL011's interrupt is level-sensitive */

static struct {
	uint64_t paddr;
	uint32_t irq;
	unsigned owner;  /* address space id of the process that has it, 0: none */
	uint64_t va;     /* where its device page is mapped */
	bool mapped;     /* the device frame is mapped at va */
	cptr_t frame;    /* the UART's device frame */
	cptr_t ntfn;     /* the notification (unbadged original) */
	cptr_t ntfn_out; /* memsrv's copy badged MEMSRV_NTFN_PROCESS */
} con;

void console_init(uint64_t uart_paddr, uint32_t uart_irq)
{
	con.paddr = uart_paddr;
	con.irq = uart_irq;
}

/* The notification and memsrv's badged copy of it, made on first use. */
static int make_notification(void)
{
	int err = E_OK;
	if (!con.ntfn)
		err = alloc_retype(OBJ_NOTIFICATION, 0, &con.ntfn);
	if (err || con.ntfn_out)
		return err;
	cptr_t slot = alloc_slot();
	if (!slot)
		return E_NOMEM;
	err = mica_cnode_mint(SLOT_INIT_CNODE, slot, SLOT_INIT_CNODE, con.ntfn, RIGHT_WRITE,
			      MEMSRV_NTFN_PROCESS);
	if (err)
		alloc_slot_free(slot);
	else
		con.ntfn_out = slot;
	return err;
}

/* Claims the UART's interrupt and moves the handler into the process's CNode. */
static int give_irq(struct aspace *as)
{
	cptr_t slot = alloc_slot();
	if (!slot)
		return E_NOMEM;
	int err = mica_irq_control_get(SLOT_IRQ_CONTROL, con.irq, SLOT_INIT_CNODE, slot, IRQ_LEVEL);
	if (!err) {
		err = mica_cnode_move(as->proc.cnode, MEMSRV_SLOT_UART_IRQ, SLOT_INIT_CNODE, slot);
		if (err)
			mica_cnode_delete(SLOT_INIT_CNODE, slot);
	}
	alloc_slot_free(slot);
	return err;
}

/* Maps the device page as a VMA_DEVICE VMA at con.va. */
static int map_device_page(struct aspace *as)
{
	int err = vma_map(&as->vmas, con.va, PAGE_SIZE, VMA_R | VMA_W, VMA_DEVICE, VMA_EAGER, 0,
			  con.paddr & PAGE_MASK);
	if (err)
		return err;
	err = mica_frame_map(con.frame, as->vspace, con.va, RIGHT_READ | RIGHT_WRITE);
	con.mapped = err == E_OK;
	return err;
}

int console_grant(struct aspace *as, uint64_t va, uint64_t *regs)
{
	if (con.owner)
		return E_BUSY;
	if (!con.paddr)
		return E_INVAL;
	int err = device_frame(con.paddr & PAGE_MASK, &con.frame);
	if (!err)
		err = make_notification();
	if (err)
		return err;
	con.owner = as->id;
	con.va = va;
	err = map_device_page(as);
	if (!err)
		err = give_irq(as);
	if (!err)
		err = mica_cnode_mint(as->proc.cnode, MEMSRV_SLOT_UART_NTFN, SLOT_INIT_CNODE,
				      con.ntfn, RIGHT_READ | RIGHT_WRITE, MEMSRV_NTFN_UART);
	if (err) {
		console_release(as);
		return err;
	}
	*regs = va + (con.paddr & ~PAGE_MASK);
	return E_OK;
}

void console_release(struct aspace *as)
{
	if (!con.owner || con.owner != as->id)
		return;
	if (con.mapped)
		mica_frame_unmap(con.frame);
	con.mapped = false;
	con.owner = 0;
}

bool console_page(const struct aspace *as, uint64_t va)
{
	return con.owner == as->id && con.mapped && va == con.va;
}

unsigned console_device_pages(const struct aspace *as)
{
	return con.owner == as->id && con.mapped ? 1 : 0;
}

uint64_t console_page_paddr(void)
{
	return con.paddr & PAGE_MASK;
}

void console_process_ended(const struct aspace *as)
{
	if (!con.owner || con.owner == as->id || !con.ntfn_out)
		return;
	struct mica_msg msg = { .label = 0 };
	mica_send(con.ntfn_out, &msg); /* a notification: never blocks */
}
