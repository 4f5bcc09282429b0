/*
 * kfuzz's fuzzer process, as the root builds, restarts and destroys it (proc.h).
 *
 * Its CSpace (enum fz_slot) holds copies of its own TCB, CNode and VSpace, the original of
 * the untyped L everything of it came from, copies of ASID control, IRQ control and kernel
 * info, and its IPC-buffer frame, top stack frame and one page table: nothing else. IRQ
 * control cannot be copied, so the root lends it (moves it there) and takes it back when
 * the life ends, from wherever in the fuzzer's CNode it is; if the fuzzer deleted it, later
 * lives go without (fr->irq_control). The
 * root keeps the originals of its TCB, CNode and VSpace (children of L) and its own fault
 * endpoint copy, so it can restart the thread whatever the fuzzer did to its own slots.
 */
#include "proc.h"

#include <mica.h>
#include <mica/objects.h>
#include <mica_invoke.h>
#include <stdio.h>

#define RW (RIGHT_READ | RIGHT_WRITE)

/* Prints what failed if err is an error; returns err. */
static int report(int err, const char *what)
{
	if (err)
		printf("kfuzz: FAIL life: %s: %s\n", what, mica_strerror(err));
	return err;
}

/* Maps `frame` at `va` in the fuzzer's VSpace (tables from `ut`, slots of the life). */
static int map_page(struct fz_root *fr, cptr_t ut, cptr_t frame, uint64_t va, unsigned rights,
		    cptr_t *l3)
{
	return fz_map_page(fr, true, ut, fr->vspace, frame, va, rights, l3);
}

/* Retypes one object of `type` from `ut` into a new life slot. */
static int make(struct fz_root *fr, cptr_t ut, unsigned type, unsigned bits, cptr_t *slot)
{
	return fz_make(fr, true, ut, type, bits, slot);
}

/* Maps copies of the root's text and rodata, and the control page. */
static int map_shared(struct fz_root *fr, cptr_t ut, cptr_t *l3)
{
	for (unsigned i = 0; i < fr->text_pages; i++) {
		cptr_t c = fz_slot(fr, true);
		int err = c ? mica_cnode_copy(SLOT_INIT_CNODE, c, SLOT_INIT_CNODE,
					      fr->text[i].frame, RIGHTS_ALL)
			    : E_RANGE;
		if (!err)
			err = map_page(fr, ut, c, fr->text[i].vaddr, fr->text[i].rights, l3);
		if (err)
			return report(err, "mapping the text");
	}
	cptr_t c = fz_slot(fr, true);
	int err =
	    c ? mica_cnode_copy(SLOT_INIT_CNODE, c, SLOT_INIT_CNODE, fr->ctl_frame, RW) : E_RANGE;
	return report(err ? err : map_page(fr, ut, c, FZ_CTRL_VA, RW, l3),
		      "mapping the control page");
}

/* Maps the IPC buffer, the stack and the helper stack: fresh frames of `ut`. */
static int map_private(struct fz_root *fr, cptr_t ut, cptr_t *top_stack, cptr_t *l3)
{
	cptr_t f;
	int err = make(fr, ut, OBJ_FRAME_4K, 0, &fr->ipc_frame);
	if (!err)
		err = map_page(fr, ut, fr->ipc_frame, FZ_IPC_VA, RW, l3);
	for (unsigned i = 0; i < FZ_STACK_PAGES && !err; i++) {
		err = make(fr, ut, OBJ_FRAME_4K, 0, &f);
		if (!err)
			err = map_page(fr, ut, f, FZ_STACK_VA + i * 4096ull, RW, l3);
		*top_stack = f;
	}
	if (!err)
		err = make(fr, ut, OBJ_FRAME_4K, 0, &f);
	if (!err)
		err = map_page(fr, ut, f, FZ_HELPER_STACK_VA, RW, l3);
	return report(err, "mapping the private pages");
}

/* Puts copies of `src` (root slot) into the fuzzer's CNode at `dest`. */
static int give(cptr_t cnode, uint64_t dest, cptr_t src)
{
	return mica_cnode_copy(cnode, dest, SLOT_INIT_CNODE, src, RIGHTS_ALL);
}

/* Fills the fuzzer's CSpace (enum fz_slot); the untyped goes last, by move. */
static int fill_cspace(struct fz_root *fr, cptr_t cnode, cptr_t ut, cptr_t stack, cptr_t l3)
{
	int err = give(cnode, FZ_SLOT_TCB, fr->tcb);
	if (!err)
		err =
		    mica_cnode_copy(cnode, FZ_SLOT_CNODE, SLOT_INIT_CNODE, fr->cspace, RIGHTS_ALL);
	if (!err)
		err = give(cnode, FZ_SLOT_VSPACE, fr->vspace);
	if (!err)
		err = give(cnode, FZ_SLOT_ASID_CTL, SLOT_ASID_CONTROL);
	if (!err && fr->irq_control) /* not copyable: lent by move, taken back at the end */
		err = mica_cnode_move(cnode, FZ_SLOT_IRQ_CTL, SLOT_INIT_CNODE, SLOT_IRQ_CONTROL);
	if (!err)
		err = give(cnode, FZ_SLOT_KINFO, SLOT_KERNEL_INFO);
	if (!err)
		err = give(cnode, FZ_SLOT_IPC, fr->ipc_frame);
	if (!err)
		err = give(cnode, FZ_SLOT_STACK, stack);
	if (!err) /* a page table has one capability: moved */
		err = mica_cnode_move(cnode, FZ_SLOT_TABLE, SLOT_INIT_CNODE, l3);
	if (!err)
		err = mica_cnode_move(cnode, FZ_SLOT_UNTYPED, SLOT_INIT_CNODE, ut);
	return report(err, "filling the CSpace");
}

/* Configures the fuzzer's thread and starts it at fz_child_main. */
static int start_thread(struct fz_root *fr)
{
	uint64_t x[8] = { FZ_CTRL_VA };
	int err = mica_tcb_configure(fr->tcb, fr->fault_copy, fr->cspace, fr->vspace, FZ_IPC_VA,
				     fr->ipc_frame);
	if (!err)
		err = mica_tcb_set_priority(fr->tcb, FZ_PRIO_CHILD, FZ_PRIO_CHILD);
	if (!err)
		err = mica_tcb_set_tls(fr->tcb, FZ_IPC_VA);
	if (!err)
		err = mica_tcb_write_registers(fr->tcb, TCB_WRITE_RESUME | TCB_WRITE_CLEAR,
					       (uint64_t)(uintptr_t)fz_child_main, FZ_STACK_TOP, x);
	return err;
}

int fz_life_start(struct fz_root *fr)
{
	cptr_t ut, cnode, stack = 0, l3 = 0;
	fr->life_next = fr->life_base;
	fr->lives++;
	int err = make(fr, fr->region, OBJ_UNTYPED, FZ_LIFE_BITS, &ut);
	if (!err)
		err = make(fr, ut, OBJ_CNODE, FZ_CNODE_BITS, &cnode);
	if (!err)
		err = make(fr, ut, OBJ_TCB, 0, &fr->tcb);
	if (!err)
		err = make(fr, ut, OBJ_VSPACE, 0, &fr->vspace);
	if (!err)
		err = mica_asid_pool_assign(SLOT_INIT_ASID_POOL, fr->vspace, NULL);
	if (err)
		return report(err, "making the objects");
	fr->cspace = fz_slot(fr, true);
	fr->fault_copy = fz_slot(fr, true);
	if ((err = mica_cnode_mint(SLOT_INIT_CNODE, fr->cspace, SLOT_INIT_CNODE, cnode, RIGHTS_ALL,
				   64 - FZ_CNODE_BITS)) ||
	    (err = mica_cnode_mint(SLOT_INIT_CNODE, fr->fault_copy, SLOT_INIT_CNODE, fr->fault_ep,
				   RIGHT_WRITE, FZ_CHILD_BADGE)))
		return report(err, "minting");
	if ((err = map_shared(fr, ut, &l3)) || (err = map_private(fr, ut, &stack, &l3)) ||
	    (err = fill_cspace(fr, cnode, ut, stack, l3)))
		return err;
	return report(start_thread(fr), "starting the thread");
}

/* Moves IRQ control back from the fuzzer's CNode into the root's slot, if it is still
 * there (in any slot); clears fr->irq_control if it is not. */
static void take_back_irq_control(struct fz_root *fr)
{
	if (!fr->irq_control)
		return;
	for (uint64_t s = 1; s < FZ_SLOTS; s++) {
		struct mica_cap_info info;
		if (mica_cnode_identify(fr->cspace, s, &info) == E_OK &&
		    info.type == CAP_IRQ_CONTROL &&
		    mica_cnode_move(SLOT_INIT_CNODE, SLOT_IRQ_CONTROL, fr->cspace, s) == E_OK)
			return;
	}
	fr->irq_control = false;
	printf("kfuzz: note the fuzzer deleted IRQ control; later lives go without\n");
}

int fz_life_end(struct fz_root *fr)
{
	take_back_irq_control(fr);
	int err = mica_cnode_revoke(SLOT_INIT_CNODE, fr->region);
	if (err)
		return report(err, "revoking the region");
	for (cptr_t s = fr->life_base; s < fr->life_next; s++) {
		err = mica_cnode_delete(SLOT_INIT_CNODE, s);
		if (err && err != E_NOCAP)
			return report(err, "emptying the life's slots");
	}
	fr->life_next = fr->life_base;
	return 0;
}

int fz_life_restart(struct fz_root *fr)
{
	int err = mica_tcb_suspend(fr->tcb);
	if (err)
		return err;
	mica_tcb_unbind_notification(fr->tcb); /* E_STATE if it was not bound: fine */
	return start_thread(fr);
}
