/*
 * kfuzz's root side (proc.h): the root's objects, the canary process and the fuzzer's
 * lives.
 */
#include "proc.h"

#include <mica.h>
#include <mica/objects.h>
#include <mica_invoke.h>
#include <stdio.h>
#include <string.h>

#define RW (RIGHT_READ | RIGHT_WRITE)

/* The linker script's bounds of the program image (servers/user.ld). */
extern const char __user_start[], _end[];

/* Prints what failed if err is an error; returns err. */
static int report(int err, const char *what)
{
	if (err)
		printf("kfuzz: FAIL setup: %s: %s\n", what, mica_strerror(err));
	return err;
}

cptr_t fz_slot(struct fz_root *fr, bool life)
{
	if (life)
		return fr->life_next < fr->life_base + FZ_LIFE_SLOTS ? fr->life_next++ : 0;
	return fr->next_slot < fr->bi->empty.end ? fr->next_slot++ : 0;
}

int fz_make(struct fz_root *fr, bool life, cptr_t ut, unsigned type, unsigned bits, cptr_t *slot)
{
	*slot = fz_slot(fr, life);
	if (!*slot)
		return E_RANGE;
	return mica_untyped_retype(ut, type, bits, SLOT_INIT_CNODE, *slot, 1);
}

/* A copy of root slot `src` in a new slot (*slot), with `rights`. */
static int copy(struct fz_root *fr, bool life, cptr_t src, unsigned rights, cptr_t *slot)
{
	*slot = fz_slot(fr, life);
	if (!*slot)
		return E_RANGE;
	return mica_cnode_copy(SLOT_INIT_CNODE, *slot, SLOT_INIT_CNODE, src, rights);
}

int fz_map_page(struct fz_root *fr, bool life, cptr_t ut, cptr_t vs, cptr_t frame, uint64_t va,
		unsigned rights, cptr_t *l3)
{
	for (int level = 0; level < 4; level++) {
		int err = mica_frame_map(frame, vs, va, rights);
		if (err != E_NOTABLE)
			return err;
		cptr_t pt;
		if ((err = fz_make(fr, life, ut, OBJ_PAGE_TABLE, 0, &pt)) ||
		    (err = mica_page_table_map(pt, vs, va, NULL)))
			return err;
		if (l3)
			*l3 = pt;
	}
	return E_NOTABLE;
}

/* Finds the root's image pages that are not writable (text, rodata): the other processes
 * map copies of them. */
static int scan_text(struct fz_root *fr)
{
	const struct bootinfo *bi = fr->bi;
	for (cptr_t s = bi->image_frames.start; s < bi->image_frames.end; s++) {
		struct mica_frame_info f;
		struct mica_mapping m;
		unsigned n;
		uint64_t next;
		int err = mica_frame_get_address(s, &f);
		if (err)
			return report(err, "reading an image frame");
		if (f.mapped_vaddr < (uint64_t)__user_start || f.mapped_vaddr >= (uint64_t)_end)
			continue;
		err = mica_vspace_walk(SLOT_INIT_VSPACE, f.mapped_vaddr, &m, 1, &n, &next);
		if (err || n != 1)
			return report(err ? err : E_NOTMAPPED, "walking the root's image");
		if (m.rights & RIGHT_WRITE)
			continue;
		if (fr->text_pages == FZ_TEXT_MAX)
			return report(E_RANGE, "too many text pages");
		fr->text[fr->text_pages++] = (struct fz_text_page){ s, m.vaddr, m.rights };
	}
	return 0;
}

/* Maps copies of the root's text and rodata into `vs` (tables from `ut`). */
static int map_text(struct fz_root *fr, bool life, cptr_t ut, cptr_t vs)
{
	for (unsigned i = 0; i < fr->text_pages; i++) {
		cptr_t c;
		int err = copy(fr, life, fr->text[i].frame, RIGHTS_ALL, &c);
		if (!err)
			err = fz_map_page(fr, life, ut, vs, c, fr->text[i].vaddr,
					  fr->text[i].rights, NULL);
		if (err)
			return report(err, "mapping the text");
	}
	return 0;
}

/* The largest RAM untyped of the boot-info page (slot), or 0. */
static cptr_t largest_untyped(const struct bootinfo *bi)
{
	cptr_t best = 0;
	unsigned bits = 0;
	for (cptr_t s = bi->untyped.start; s < bi->untyped.end; s++) {
		const struct untyped_desc *d = &bi->untyped_list[s - bi->untyped.start];
		if (!d->is_device && d->size_bits > bits) {
			best = s;
			bits = d->size_bits;
		}
	}
	return bits >= FZ_LIFE_BITS + 1 ? best : 0;
}

/* The ticker: a thread of the root's space at the lowest priority that signals the root. */
static int start_ticker(struct fz_root *fr)
{
	cptr_t tcb;
	uint64_t x[8] = { fr->tick_ntfn };
	int err = fz_make(fr, false, fr->misc, OBJ_TCB, 0, &tcb);
	if (!err)
		err = mica_tcb_configure(tcb, 0, SLOT_INIT_CNODE, SLOT_INIT_VSPACE, 0, 0);
	if (!err)
		err = mica_tcb_set_priority(tcb, FZ_PRIO_TICKER, FZ_PRIO_TICKER);
	if (!err)
		err = mica_tcb_write_registers(tcb, TCB_WRITE_RESUME,
					       (uint64_t)(uintptr_t)fz_ticker, 0, x);
	return report(err, "starting the ticker");
}

int fz_root_init(struct fz_root *fr, const struct bootinfo *bi)
{
	int err;
	fr->bi = bi;
	fr->irq_control = true;
	fr->next_slot = bi->empty.start;
	cptr_t big = largest_untyped(bi);
	if (!big)
		return report(E_NOMEM, "no RAM untyped of 16 MiB");
	if ((err = fz_make(fr, false, big, OBJ_UNTYPED, FZ_LIFE_BITS, &fr->region)) ||
	    (err = fz_make(fr, false, big, OBJ_UNTYPED, FZ_MISC_BITS, &fr->misc)))
		return report(err, "carving the untypeds");
	if ((err = fz_make(fr, false, fr->misc, OBJ_ENDPOINT, 0, &fr->fault_ep)) ||
	    (err = fz_make(fr, false, fr->misc, OBJ_NOTIFICATION, 0, &fr->tick_ntfn)) ||
	    (err = fz_make(fr, false, fr->misc, OBJ_FRAME_4K, 0, &fr->ctl_frame)))
		return report(err, "making the root's objects");
	if ((err = fz_map_page(fr, false, fr->misc, SLOT_INIT_VSPACE, fr->ctl_frame, FZ_CTRL_VA, RW,
			       NULL)))
		return report(err, "mapping the control page");
	fr->ctl = (struct fz_ctl *)FZ_CTRL_VA;
	if ((err = mica_tcb_bind_notification(SLOT_INIT_TCB, fr->tick_ntfn)))
		return report(err, "binding the tick notification");
	if ((err = scan_text(fr)) || (err = start_ticker(fr)))
		return err;
	fr->life_base = fr->life_next = fr->next_slot;
	fr->next_slot += FZ_LIFE_SLOTS;
	return fr->next_slot <= bi->empty.end ? 0 : report(E_RANGE, "root slots");
}

/* A CNode capability with the guard that makes a cptr its slot index, in a new slot. */
static int mint_guarded(struct fz_root *fr, bool life, cptr_t cnode, unsigned radix, cptr_t *slot)
{
	*slot = fz_slot(fr, life);
	if (!*slot)
		return E_RANGE;
	return mica_cnode_mint(SLOT_INIT_CNODE, *slot, SLOT_INIT_CNODE, cnode, RIGHTS_ALL,
			       64 - radix);
}

/* A fresh RW frame of `ut` mapped at `va` in `vs`; its slot in *frame. */
static int map_new(struct fz_root *fr, bool life, cptr_t ut, cptr_t vs, uint64_t va, cptr_t *frame,
		   cptr_t *l3)
{
	int err = fz_make(fr, life, ut, OBJ_FRAME_4K, 0, frame);
	return err ? err : fz_map_page(fr, life, ut, vs, *frame, va, RW, l3);
}

/* Fills the canary's pages with the pattern through a writable mapping in the root's
 * space, then makes that mapping read-only: the root compares through it later. */
static int canary_fill(struct fz_root *fr, cptr_t vs, cptr_t frame, unsigned page)
{
	cptr_t mine;
	uint64_t va = FZ_ROOT_CANARY_VA + page * 4096ull;
	int err = copy(fr, false, frame, RIGHTS_ALL, &mine);
	if (!err)
		err = fz_map_page(fr, false, fr->misc, SLOT_INIT_VSPACE, mine, va, RW, NULL);
	if (err)
		return err;
	volatile uint64_t *w = (volatile uint64_t *)va;
	for (unsigned i = 0; i < 512; i++)
		w[i] = fz_canary_word(page * 512ull + i);
	if ((err = mica_frame_remap(mine, RIGHT_READ)))
		return err;
	if (page == 0)
		fr->canary_mine = mine;
	return fz_map_page(fr, false, fr->misc, vs, frame, FZ_CANARY_VA + page * 4096ull,
			   RIGHT_READ, NULL);
}

/* The canary's CSpace: slot 1 its request endpoint (receive), slot 2 where it answers. */
static int canary_cspace(struct fz_root *fr, cptr_t *guarded)
{
	cptr_t cn;
	int err = fz_make(fr, false, fr->misc, OBJ_CNODE, 2, &cn);
	if (!err)
		err = fz_make(fr, false, fr->misc, OBJ_ENDPOINT, 0, &fr->canary_ep);
	if (!err)
		err = fz_make(fr, false, fr->misc, OBJ_ENDPOINT, 0, &fr->canary_reply_ep);
	if (!err)
		err = mica_cnode_copy(cn, 1, SLOT_INIT_CNODE, fr->canary_ep, RIGHT_READ);
	if (!err)
		err = mica_cnode_copy(cn, 2, SLOT_INIT_CNODE, fr->canary_reply_ep, RIGHT_WRITE);
	return err ? err : mint_guarded(fr, false, cn, 2, guarded);
}

int fz_canary_init(struct fz_root *fr)
{
	cptr_t vs, cspace, tcb, stack, fault;
	int err = fz_make(fr, false, fr->misc, OBJ_VSPACE, 0, &vs);
	if (!err)
		err = mica_asid_pool_assign(SLOT_INIT_ASID_POOL, vs, NULL);
	if (err || (err = map_text(fr, false, fr->misc, vs)))
		return report(err, "the canary's space");
	for (unsigned p = 0; p < FZ_CANARY_PAGES && !err; p++) {
		cptr_t f;
		err = fz_make(fr, false, fr->misc, OBJ_FRAME_4K, 0, &f);
		if (!err)
			err = canary_fill(fr, vs, f, p);
	}
	if (!err)
		err = map_new(fr, false, fr->misc, vs, FZ_CANARY_STACK_VA, &stack, NULL);
	if (!err)
		err = canary_cspace(fr, &cspace);
	if (err)
		return report(err, "the canary's memory");
	uint64_t x[8] = { 0 };
	err = fz_make(fr, false, fr->misc, OBJ_TCB, 0, &tcb);
	if (!err)
		err = mica_cnode_mint(SLOT_INIT_CNODE, fault = fz_slot(fr, false), SLOT_INIT_CNODE,
				      fr->fault_ep, RIGHT_WRITE, FZ_CANARY_BADGE);
	if (!err)
		err = mica_tcb_configure(tcb, fault, cspace, vs, 0, 0);
	if (!err)
		err = mica_tcb_set_priority(tcb, FZ_PRIO_CANARY, FZ_PRIO_CANARY);
	if (!err)
		err = mica_tcb_write_registers(tcb, TCB_WRITE_RESUME,
					       (uint64_t)(uintptr_t)fz_canary_main,
					       FZ_CANARY_STACK_VA + 4096, x);
	return report(err, "starting the canary");
}

/* One request to the canary and its answer: the number of wrong words it counted, or -1
 * if it did not answer. The root runs below the canary meanwhile, so the canary (once
 * runnable) gets to its receive before the request and answers before the root goes on. */
static long canary_ask(struct fz_root *fr)
{
	struct mica_msg m = { .label = 1, .length = 1, .mr = { ++fr->canary_seq } };
	if (mica_nbsend(fr->canary_ep, &m))
		return -1; /* it is not waiting for a request */
	/* The root's bound tick notification may end the receive instead (a tick that came
	 * while the root was busy): then receive once more. */
	for (int tries = 0; tries < 2; tries++) {
		uint64_t info = mica_recv(fr->canary_reply_ep, &m, NULL);
		if (mica_msg_error(info) || m.label == MSG_LABEL_NOTIFY)
			continue;
		if (m.label != 1 || m.mr[1] != fr->canary_seq)
			return -1;
		return (long)m.mr[0];
	}
	return -1;
}

int fz_canary_damage(struct fz_root *fr)
{
	int err = mica_frame_remap(fr->canary_mine, RW);
	if (err)
		return err;
	*(volatile uint64_t *)(FZ_ROOT_CANARY_VA + 8 * 100) ^= 1;
	return mica_frame_remap(fr->canary_mine, RIGHT_READ);
}

long fz_canary_check(struct fz_root *fr)
{
	long bad = 0;
	const volatile uint64_t *w = (const volatile uint64_t *)FZ_ROOT_CANARY_VA;
	for (unsigned i = 0; i < FZ_CANARY_PAGES * 512; i++)
		bad += w[i] != fz_canary_word(i);
	if (mica_tcb_set_priority(SLOT_INIT_TCB, FZ_PRIO_CANARY - 1, FZ_PRIO_ROOT))
		return -1;
	long answer = canary_ask(fr);
	if (mica_tcb_set_priority(SLOT_INIT_TCB, FZ_PRIO_ROOT, FZ_PRIO_ROOT))
		return -1;
	return answer < 0 ? -1 : bad + answer;
}
