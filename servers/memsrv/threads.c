/* Threads in a process's own address space (threads.h). */
#include "threads.h"

#include <mica/errors.h>
#include <mica/memsrv.h>
#include <mica/objects.h>
#include <mica_invoke.h>

#include "alloc.h"
#include "cells.h"
#include "cores.h"
#include "layout.h"
#include "objects.h"
#include "process.h"

#define THREADS_POOL   256 /* thread records of every process together */
#define THREAD_VMA_IPC 2   /* vma.user of a thread's IPC buffer (kind VMA_SHARED) */

struct thread {
	bool used; /* a record: running, or ended and kept for MEMSRV_THREAD_INFO */
	bool live; /* running */
	uint16_t owner;
	uint8_t tid;  /* 1..MEMSRV_THREADS_MAX */
	uint8_t core; /* where it runs (cores.h) */
	int32_t code;
	cptr_t tcb, cell;
	cptr_t cap;     /* memsrv's copy of its badged capability */
	unsigned slot;  /* where the process has it */
	uint64_t stack; /* the stack VMA, guard page first */
	uint64_t ipc;
};

static struct thread pool[THREADS_POOL];

static struct thread *find(unsigned owner, unsigned tid)
{
	for (unsigned i = 0; i < THREADS_POOL; i++)
		if (pool[i].used && pool[i].owner == owner && pool[i].tid == tid)
			return &pool[i];
	return NULL;
}

static unsigned live_count(unsigned owner)
{
	unsigned n = 0;
	for (unsigned i = 0; i < THREADS_POOL; i++)
		n += pool[i].live && pool[i].owner == owner;
	return n;
}

/* A record for a new thread of `owner`: its ended record with a free tid, or a free one. */
static struct thread *new_record(unsigned owner)
{
	for (unsigned tid = 1; tid <= MEMSRV_THREADS_MAX; tid++) {
		struct thread *t = find(owner, tid);
		if (t && t->live)
			continue;
		for (unsigned i = 0; !t && i < THREADS_POOL; i++)
			if (!pool[i].used)
				t = &pool[i];
		if (!t)
			return NULL;
		*t = (struct thread){ .used = true, .owner = (uint16_t)owner, .tid = (uint8_t)tid };
		return t;
	}
	return NULL;
}

/* Gives back whatever of the thread exists; the record stays (not live). */
static void thread_destroy(struct aspace *as, struct thread *t)
{
	if (t->tcb)
		cell_tcb_put(t->tcb, t->cell); /* stops it; an unanswered caller gets E_DELETED */
	t->tcb = 0;
	if (t->cap) {
		mica_cnode_revoke(SLOT_INIT_CNODE, t->cap); /* the process's copy goes too */
		mica_cnode_delete(SLOT_INIT_CNODE, t->cap);
		alloc_slot_free(t->cap);
		t->cap = 0;
	}
	if (t->ipc)
		aspace_unmap(as, t->ipc, PAGE_SIZE);
	if (t->stack)
		aspace_unmap(as, t->stack, (LAYOUT_STACK_PAGES + 1) * PAGE_SIZE);
	t->ipc = t->stack = 0;
	if (t->live) {
		as->threads_live--;
		cores_give(&cores, t->core);
	}
	t->live = false;
}

/* The stack and IPC buffer, placed at random. */
static int map_areas(struct aspace *as, struct thread *t)
{
	uint64_t length = (LAYOUT_STACK_PAGES + 1) * PAGE_SIZE, at = 0;
	int err = layout_place(&as->vmas, length, LAYOUT_STACK, &at);
	if (!err)
		err = aspace_map(as, at, length, VMA_R | VMA_W, VMA_STACK, VMA_LAZY, 1, 0, NULL,
				 NULL);
	if (err)
		return err;
	t->stack = at;
	err = layout_place(&as->vmas, PAGE_SIZE, LAYOUT_MMAP, &at);
	if (!err)
		err = aspace_map(as, at, PAGE_SIZE, VMA_R | VMA_W, VMA_SHARED, VMA_EAGER, 0,
				 THREAD_VMA_IPC, NULL, NULL);
	if (!err)
		t->ipc = at;
	return err;
}

/* Its memsrv capability: the process's rights, its thread id in the badge. */
static int give_cap(struct aspace *as, struct thread *t)
{
	uint64_t rights = MEMSRV_R_MAP | MEMSRV_R_READ | (as->proc.control ? MEMSRV_R_CONTROL : 0);
	uint64_t badge = MEMSRV_BADGE(as->id, rights) | MEMSRV_BADGE_THREAD(t->tid);
	int err = objects_pick_slot(as->proc.cnode, 0, &t->slot);
	if (!err)
		err = process_mint_endpoint(badge, &t->cap);
	if (!err)
		err =
		    mica_cnode_copy(as->proc.cnode, t->slot, SLOT_INIT_CNODE, t->cap, RIGHT_WRITE);
	if (!err)
		as->proc.cspace_used = true;
	return err;
}

/* Makes the TCB and starts it at pc with x0, x1, x2 = its memsrv slot, x3 = its id. */
static int start(struct aspace *as, struct thread *t, const uint64_t *w, unsigned prio)
{
	struct process *p = &as->proc;
	uint64_t regs[8] = { w[1], w[2], t->slot, t->tid };
	uint64_t sp = t->stack + (LAYOUT_STACK_PAGES + 1) * PAGE_SIZE;
	int err = cell_tcb_get(&t->tcb, &t->cell);
	if (err) {
		t->tcb = 0;
		return err;
	}
	err = mica_tcb_configure(t->tcb, p->cap_fault, p->cnode, as->vspace, t->ipc,
				 aspace_page(as, t->ipc));
	if (!err)
		err = mica_tcb_set_priority(t->tcb, prio, prio);
	if (!err)
		err = mica_tcb_set_affinity(t->tcb, t->core);
	if (!err)
		err = mica_tcb_set_tls(t->tcb, t->ipc);
	if (!err)
		err = mica_tcb_write_registers(t->tcb, TCB_WRITE_RESUME | TCB_WRITE_CLEAR, w[0], sp,
					       regs);
	return err;
}

int handle_thread_create(struct call *c)
{
	const uint64_t *w = c->rq->w;
	struct aspace *as = objects_caller(c->rq);
	if (!as)
		return E_STATE;
	if (w[3] > as->proc.priority)
		return E_RANGE;
	const struct vma *v = vma_find(&as->vmas, w[0]);
	if (!v || !(v->rights & VMA_X))
		return E_INVAL; /* the entry is not code */
	if (w[0] & 3)
		return E_ALIGN;
	if (w[4] & ~(uint64_t)MEMSRV_CORE_MASK)
		return E_INVAL;
	unsigned core;
	int err = cores_pick(&cores, w[4], &core);
	if (err)
		return err;
	if (live_count(as->id) >= MEMSRV_THREADS_MAX)
		return E_NOMEM;
	struct thread *t = new_record(as->id);
	if (!t)
		return E_NOMEM;
	t->core = (uint8_t)core;
	err = map_areas(as, t);
	if (!err)
		err = give_cap(as, t);
	if (!err)
		err = start(as, t, w, w[3] ? (unsigned)w[3] : as->proc.priority);
	if (err) {
		thread_destroy(as, t);
		t->used = false;
		return err;
	}
	t->live = true;
	as->threads_live++;
	cores_take(&cores, core);
	call_put(c, t->tid);
	return E_OK;
}

int handle_thread_exit(struct call *c)
{
	struct aspace *as = objects_caller(c->rq);
	if (!as)
		return E_STATE;
	struct thread *t = find(as->id, MEMSRV_BADGE_TID(c->rq->badge));
	if (!t || !t->live)
		return E_INVAL; /* the first thread ends with MEMSRV_EXIT */
	thread_destroy(as, t);
	t->code = (int32_t)c->rq->w[0];
	c->rp->none = true; /* the caller is gone */
	return E_OK;
}

int handle_thread_info(struct call *c)
{
	uint64_t tid = c->rq->w[0];
	struct aspace *as = objects_caller(c->rq);
	if (!as)
		return E_STATE;
	if (tid == 0 || tid > MEMSRV_THREADS_MAX)
		return E_RANGE;
	struct thread *t = find(as->id, (unsigned)tid);
	if (!t)
		return E_INVAL;
	call_put(c, t->live ? MEMSRV_THREAD_RUNNING : MEMSRV_THREAD_EXITED);
	call_put(c, (uint64_t)(int64_t)t->code);
	return E_OK;
}

void threads_release(struct aspace *as)
{
	for (unsigned i = 0; i < THREADS_POOL; i++) {
		struct thread *t = &pool[i];
		if (!t->used || t->owner != as->id)
			continue;
		if (t->live)
			thread_destroy(as, t);
		t->used = false;
	}
}

bool threads_pinned(const struct aspace *as, uint64_t start, uint64_t length)
{
	for (unsigned i = 0; as->threads_live && i < THREADS_POOL && length; i++) {
		const struct thread *t = &pool[i];
		if (t->live && t->owner == as->id && t->ipc - start < length)
			return true;
	}
	return false;
}

uint64_t threads_cores(const struct aspace *as)
{
	uint64_t word = ~0ull; /* MEMSRV_CORE_NONE in every byte */
	for (unsigned i = 0; as->threads_live && i < THREADS_POOL; i++) {
		const struct thread *t = &pool[i];
		if (t->live && t->owner == as->id) {
			unsigned shift = 8 * (t->tid - 1u);
			word = (word & ~(0xffull << shift)) | (uint64_t)t->core << shift;
		}
	}
	return word;
}
