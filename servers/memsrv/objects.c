/* Endpoints and notifications in a process's own CSpace (objects.h). */
#include "objects.h"

#include <mica/errors.h>
#include <mica/memsrv.h>
#include <mica/objects.h>
#include <mica_invoke.h>

#include "alloc.h"
#include "cells.h"
#include "names.h"
#include "objtab.h"
#include "shm.h"

static struct objtab table;

void objects_init(void)
{
	objtab_init(&table);
}

struct aspace *objects_caller(const struct request *rq)
{
	struct aspace *as = aspace_get(MEMSRV_BADGE_AS(rq->badge));
	return as && as->proc.present && as->proc.cnode ? as : NULL;
}

/* Whether slot `index` of `cnode` is empty. */
static bool slot_empty(cptr_t cnode, unsigned index)
{
	struct mica_cap_info info;
	int err = mica_cnode_identify(cnode, index, &info);
	return err == E_NOCAP || (err == E_OK && info.type == CAP_NULL);
}

int objects_pick_slot(cptr_t cnode, uint64_t want, unsigned *out)
{
	if (want) {
		if (want < MEMSRV_SLOT_USER || want >= MEMSRV_CNODE_SLOTS)
			return E_RANGE;
		if (!slot_empty(cnode, (unsigned)want))
			return E_DELETE_FIRST;
		*out = (unsigned)want;
		return E_OK;
	}
	for (unsigned s = MEMSRV_SLOT_USER; s < MEMSRV_CNODE_SLOTS; s++) {
		if (slot_empty(cnode, s)) {
			*out = s;
			return E_OK;
		}
	}
	return E_NOMEM;
}

unsigned objects_type(const struct aspace *as, unsigned slot)
{
	struct obj_entry *e = objtab_find(&table, as->id, slot);
	return e ? e->type : 0;
}

/*
 * Retypes a notification from `cell` into `slot` of `cnode` with `badge`: through a slot of
 * memsrv's, since only a move (CNODE_MUTATE) can badge the object's first capability.
 */
static int make_notification(cptr_t cell, cptr_t cnode, unsigned slot, uint64_t badge)
{
	cptr_t tmp = alloc_slot();
	if (!tmp)
		return E_NOMEM;
	int err = mica_untyped_retype(cell, OBJ_NOTIFICATION, 0, SLOT_INIT_CNODE, tmp, 1);
	if (!err)
		err = mica_cnode_mutate(cnode, slot, SLOT_INIT_CNODE, tmp, badge);
	mica_cnode_delete(SLOT_INIT_CNODE, tmp); /* empty unless the mutate failed */
	alloc_slot_free(tmp);
	return err;
}

/* Retypes an object of `type` from a cell into `slot` of the process and records it. */
static int create_in(struct aspace *as, unsigned type, unsigned slot, uint64_t badge)
{
	if (objtab_count(&table, as->id) >= MEMSRV_OBJ_QUOTA || table.used >= OBJTAB_MAX)
		return E_NOMEM;
	cptr_t cell;
	int err = cell_object_get(&cell);
	if (err)
		return err;
	if (type == MEMSRV_OBJ_ENDPOINT)
		err = mica_untyped_retype(cell, OBJ_ENDPOINT, 0, as->proc.cnode, slot, 1);
	else
		err = make_notification(cell, as->proc.cnode, slot, badge);
	if (!err)
		err = objtab_add(&table, as->id, slot, type, cell, MEMSRV_OBJ_QUOTA);
	if (!err)
		as->proc.cspace_used = true;
	if (err)
		cell_object_put(cell); /* also deletes the object if the retype succeeded */
	return err;
}

/* Whether `badge` suits `type`: none for an endpoint, some bits for a notification. */
static bool badge_ok(uint64_t type, uint64_t badge)
{
	if (type == MEMSRV_OBJ_ENDPOINT)
		return badge == 0;
	return type == MEMSRV_OBJ_NOTIFICATION && badge != 0;
}

int handle_obj_create(struct call *c)
{
	uint64_t type = c->rq->w[0], badge = c->rq->w[2];
	struct aspace *as = objects_caller(c->rq);
	if (!as)
		return E_STATE;
	if (!badge_ok(type, badge))
		return E_INVAL;
	unsigned slot;
	int err = objects_pick_slot(as->proc.cnode, c->rq->w[1], &slot);
	if (!err)
		err = create_in(as, (unsigned)type, slot, badge);
	if (!err)
		call_put(c, slot);
	return err;
}

int handle_obj_delete(struct call *c)
{
	uint64_t slot = c->rq->w[0];
	struct aspace *as = objects_caller(c->rq);
	if (!as)
		return E_STATE;
	if (slot < MEMSRV_SLOT_USER || slot >= MEMSRV_CNODE_SLOTS)
		return E_RANGE;
	struct obj_entry *e = objtab_find(&table, as->id, (unsigned)slot);
	if (!e)
		return E_INVAL;
	names_forget_slot(as, (unsigned)slot);
	cell_object_put(e->cell);
	objtab_remove(&table, e);
	return E_OK;
}

int handle_obj_info(struct call *c)
{
	struct aspace *as = objects_caller(c->rq);
	if (!as)
		return E_STATE;
	call_put(c, objtab_count(&table, as->id));
	call_put(c, MEMSRV_OBJ_QUOTA);
	call_put(c, names_count(as));
	call_put(c, cell_objects_in_use());
	call_put(c, names_total());
	uint64_t regions, frames;
	shm_totals(&regions, &frames);
	call_put(c, regions);
	call_put(c, frames);
	return E_OK;
}

void objects_release(struct aspace *as)
{
	for (struct obj_entry *e; (e = objtab_any(&table, as->id)) != NULL;) {
		cell_object_put(e->cell);
		objtab_remove(&table, e);
	}
}
