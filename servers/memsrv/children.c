/* Children: spawning with arguments, and waiting for a child (children.h). */
#include "children.h"

#include <mica.h>
#include <mica/errors.h>
#include <mica/memsrv.h>
#include <mica_invoke.h>
#include <string.h>

#include "alloc.h"
#include "argv.h"
#include "objects.h"
#include "process.h"

#define QUOTA_MAX (1ull << 24)

uint64_t children_state_word(const struct process *p)
{
	return p->state | (uint64_t)p->kill_stat << 8 | (uint64_t)(uint32_t)p->exit_code << 32;
}

/* Answers the saved reply right in `slot` with `word` and frees the slot. */
static void answer(cptr_t slot, uint64_t word)
{
	struct mica_msg msg = { .label = 0, .length = 1, .mr = { word } };
	mica_send(slot, &msg); /* fails harmlessly if the waiter is gone */
	mica_cnode_delete(SLOT_INIT_CNODE, slot);
	alloc_slot_free(slot);
}

void children_ended(struct aspace *as)
{
	struct aspace *parent = aspace_get(as->proc.parent);
	if (!parent || !parent->proc.present || !parent->proc.wait_reply ||
	    parent->proc.wait_for != as->id)
		return;
	answer(parent->proc.wait_reply, children_state_word(&as->proc));
	parent->proc.wait_reply = 0;
	parent->proc.wait_for = 0;
}

void children_forget(struct aspace *as)
{
	if (!as->proc.wait_reply)
		return;
	mica_cnode_delete(SLOT_INIT_CNODE, as->proc.wait_reply);
	alloc_slot_free(as->proc.wait_reply);
	as->proc.wait_reply = 0;
	as->proc.wait_for = 0;
}

int handle_spawn_argv(struct call *c)
{
	const uint64_t *w = c->rq->w;
	if (w[0] > PROCESS_MAX_PRIORITY || w[2] > QUOTA_MAX || w[3] > MEMSRV_ARGC_MAX)
		return E_RANGE;
	if (w[1] & ~(uint64_t)(MEMSRV_SPAWN_CONTROL | MEMSRV_SPAWN_HELD | MEMSRV_CORE_MASK))
		return E_INVAL;
	const char *bytes = (const char *)&w[MEMSRV_ARGV_WORD];
	size_t n = (c->rq->length - MEMSRV_ARGV_WORD) * sizeof(uint64_t);
	int used = argv_check(bytes, n, (unsigned)w[3]);
	if (used < 0 || strnlen(bytes, n) >= sizeof(((struct process *)0)->name))
		return E_INVAL;
	struct spawn_args a = {
		.name = bytes, /* argv[0] */
		.priority = w[0] ? (unsigned)w[0] : PROCESS_DEFAULT_PRIO,
		.quota = w[2] ? w[2] : handlers_default_quota(),
		.control = (w[1] & MEMSRV_SPAWN_CONTROL) != 0,
		.parent = MEMSRV_BADGE_AS(c->rq->badge),
		.argv = bytes,
		.argv_bytes = (size_t)used,
		.argc = (unsigned)w[3],
		.core_flags = w[1] & MEMSRV_CORE_MASK,
		.held = (w[1] & MEMSRV_SPAWN_HELD) != 0,
	};
	struct aspace *as;
	int err = process_spawn(&a, &as);
	if (!err)
		call_put(c, as->id);
	return err;
}

/* The ended or running child `id` of the caller: E_INVAL, E_RANGE, E_INVAL, E_RIGHTS. */
static int child_of(const struct request *rq, uint64_t id, struct aspace **out)
{
	struct aspace *as;
	int err = process_lookup(id, &as);
	if (err)
		return err;
	if (as->proc.parent != MEMSRV_BADGE_AS(rq->badge))
		return E_RIGHTS;
	*out = as;
	return E_OK;
}

int handle_wait(struct call *c)
{
	struct aspace *child, *self = objects_caller(c->rq);
	if (!self)
		return E_STATE;
	int err = child_of(c->rq, c->rq->w[0], &child);
	if (err)
		return err;
	if (child->proc.state != MEMSRV_PS_RUNNING) {
		call_put(c, children_state_word(&child->proc));
		return E_OK;
	}
	if (self->proc.wait_reply)
		return E_BUSY;
	cptr_t slot = alloc_slot();
	if (!slot)
		return E_NOMEM;
	err = mica_cnode_save_caller(SLOT_INIT_CNODE, slot);
	if (err) {
		alloc_slot_free(slot);
		return err;
	}
	self->proc.wait_reply = slot;
	self->proc.wait_for = child->id;
	c->rp->none = true; /* answered by children_ended */
	return E_OK;
}

int handle_start(struct call *c)
{
	struct aspace *child;
	int err = child_of(c->rq, c->rq->w[0], &child);
	if (err)
		return err;
	if (!child->proc.held || child->proc.state != MEMSRV_PS_RUNNING)
		return E_STATE;
	err = mica_tcb_resume(child->proc.tcb);
	if (!err)
		process_unhold(child);
	return err;
}
