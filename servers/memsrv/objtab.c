/* The object table (objtab.h). */
#include "objtab.h"

#include <mica/errors.h>
#include <stddef.h>

void objtab_init(struct objtab *t)
{
	t->used = 0;
	for (unsigned i = 0; i < OBJTAB_OWNERS; i++)
		t->count[i] = 0;
}

struct obj_entry *objtab_find(struct objtab *t, unsigned owner, unsigned slot)
{
	for (unsigned i = 0; i < t->used; i++)
		if (t->e[i].owner == owner && t->e[i].slot == slot)
			return &t->e[i];
	return NULL;
}

int objtab_add(struct objtab *t, unsigned owner, unsigned slot, unsigned type, uint64_t cell,
	       unsigned quota)
{
	if (owner >= OBJTAB_OWNERS || slot > UINT8_MAX)
		return E_RANGE;
	if (objtab_find(t, owner, slot))
		return E_BUSY;
	if (t->count[owner] >= quota || t->used >= OBJTAB_MAX)
		return E_NOMEM;
	t->e[t->used++] = (struct obj_entry){ (uint16_t)owner, (uint8_t)slot, (uint8_t)type, cell };
	t->count[owner]++;
	return E_OK;
}

struct obj_entry *objtab_any(struct objtab *t, unsigned owner)
{
	for (unsigned i = 0; i < t->used; i++)
		if (t->e[i].owner == owner)
			return &t->e[i];
	return NULL;
}

void objtab_remove(struct objtab *t, struct obj_entry *e)
{
	t->count[e->owner]--;
	*e = t->e[--t->used];
}

unsigned objtab_count(const struct objtab *t, unsigned owner)
{
	return owner < OBJTAB_OWNERS ? t->count[owner] : 0;
}
