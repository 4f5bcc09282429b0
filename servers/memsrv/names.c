/* The name service (names.h). */
#include "names.h"

#include <mica/errors.h>
#include <mica/memsrv.h>
#include <mica/objects.h>
#include <mica_invoke.h>
#include <string.h>

#include "alloc.h"
#include "nametab.h"
#include "objects.h"

#define LOOKUP_RIGHTS (RIGHT_WRITE | RIGHT_GRANT)

static struct nametab table;

void names_init(void)
{
	nametab_init(&table);
}

/* The name in w[first .. first + MEMSRV_NAME_WORDS) into name[]; E_INVAL if not valid. */
static int take_name(const struct request *rq, unsigned first, char name[MEMSRV_NAME_BYTES])
{
	memcpy(name, &rq->w[first], MEMSRV_NAME_BYTES);
	return nametab_check(name, MEMSRV_NAME_BYTES) < 0 ? E_INVAL : E_OK;
}

/* Deletes memsrv's copy (clients' copies stay) and removes the entry. */
static void drop(struct name_entry *e)
{
	mica_cnode_delete(SLOT_INIT_CNODE, e->cap);
	alloc_slot_free(e->cap);
	nametab_remove(e);
}

void names_forget(struct aspace *as)
{
	for (struct name_entry *e; (e = nametab_any(&table, as->id)) != NULL;)
		drop(e);
}

void names_forget_slot(struct aspace *as, unsigned slot)
{
	for (unsigned i = 0; i < NAMETAB_MAX; i++) {
		struct name_entry *e = &table.e[i];
		if (e->used && e->owner == as->id && e->slot == slot)
			drop(e);
	}
}

unsigned names_count(const struct aspace *as)
{
	return nametab_count(&table, as->id);
}

unsigned names_total(void)
{
	return nametab_total(&table);
}

/* Copies the endpoint in the publisher's `slot` into a new slot of memsrv's and adds it. */
static int publish(struct aspace *as, unsigned slot, const char *name)
{
	cptr_t copy = alloc_slot();
	if (!copy)
		return E_NOMEM;
	int err = mica_cnode_copy(SLOT_INIT_CNODE, copy, as->proc.cnode, slot, LOOKUP_RIGHTS);
	if (!err)
		err = nametab_add(&table, name, as->id, slot, copy, MEMSRV_NAMES_PER_AS);
	if (err) {
		mica_cnode_delete(SLOT_INIT_CNODE, copy);
		alloc_slot_free(copy);
	}
	return err;
}

int handle_name_publish(struct call *c)
{
	uint64_t slot = c->rq->w[0];
	char name[MEMSRV_NAME_BYTES];
	struct aspace *as = objects_caller(c->rq);
	if (!as)
		return E_STATE;
	if (slot < MEMSRV_SLOT_USER || slot >= MEMSRV_CNODE_SLOTS)
		return E_RANGE;
	if (objects_type(as, (unsigned)slot) != MEMSRV_OBJ_ENDPOINT)
		return E_INVAL;
	int err = take_name(c->rq, 1, name);
	if (err)
		return err;
	if (nametab_find(&table, name))
		return E_BUSY;
	return publish(as, (unsigned)slot, name);
}

int handle_name_lookup(struct call *c)
{
	char name[MEMSRV_NAME_BYTES];
	struct aspace *as = objects_caller(c->rq);
	if (!as)
		return E_STATE;
	int err = take_name(c->rq, 1, name);
	if (err)
		return err;
	struct name_entry *e = nametab_find(&table, name);
	if (!e)
		return E_NOTMAPPED;
	unsigned slot;
	err = objects_pick_slot(as->proc.cnode, c->rq->w[0], &slot);
	if (!err)
		err = mica_cnode_mint(as->proc.cnode, slot, SLOT_INIT_CNODE, e->cap, LOOKUP_RIGHTS,
				      MEMSRV_NAME_BADGE(as->id));
	if (err)
		return err;
	as->proc.cspace_used = true;
	call_put(c, slot);
	call_put(c, e->owner);
	return E_OK;
}

int handle_name_withdraw(struct call *c)
{
	char name[MEMSRV_NAME_BYTES];
	struct aspace *as = objects_caller(c->rq);
	if (!as)
		return E_STATE;
	int err = take_name(c->rq, 0, name);
	if (err)
		return err;
	struct name_entry *e = nametab_find(&table, name);
	if (!e)
		return E_NOTMAPPED;
	if (e->owner != as->id)
		return E_RIGHTS;
	drop(e);
	return E_OK;
}
