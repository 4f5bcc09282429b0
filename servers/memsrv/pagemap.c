/*
 * The page and table hash. Linear probing keeps probes in one cache line or two; deletion
 * shifts later members of the cluster back instead of leaving tombstones, so lookups never
 * slow down with churn. The load factor stays at most 1/2.
 */
#include "pagemap.h"

#include <mica/errors.h>
#include <stddef.h>
#include <string.h>

#define KEY_PRESENT   (1ull << 63)
#define KEY_AS_SHIFT  40
#define KEY_LVL_SHIFT 36
#define HASH_MULT     0x9e3779b97f4a7c15ull

unsigned pm_level_shift(unsigned level)
{
	static const unsigned shifts[4] = { 12, 39, 30, 21 };
	return shifts[level & 3];
}

uint64_t pm_key(unsigned as_id, unsigned level, uint64_t va)
{
	return KEY_PRESENT | (uint64_t)as_id << KEY_AS_SHIFT | (uint64_t)level << KEY_LVL_SHIFT |
	       (va >> pm_level_shift(level));
}

static uint32_t home(const struct pagemap *pm, uint64_t key)
{
	return (uint32_t)((key * HASH_MULT) >> 32) & (pm->capacity - 1);
}

int pm_init(struct pagemap *pm, struct pm_entry *storage, uint32_t capacity)
{
	if (!pm || !storage || capacity < 2 || (capacity & (capacity - 1)))
		return E_INVAL;
	memset(storage, 0, sizeof(*storage) * capacity);
	pm->entries = storage;
	pm->capacity = capacity;
	pm->used = 0;
	pm->limit = capacity / 2;
	return E_OK;
}

struct pm_entry *pm_find(const struct pagemap *pm, uint64_t key)
{
	uint32_t mask = pm->capacity - 1;
	/* Invariant: every slot from home(key) to i holds another key (clusters have no holes). */
	for (uint32_t i = home(pm, key);; i = (i + 1) & mask) {
		struct pm_entry *e = &pm->entries[i];
		if (e->key == key)
			return e;
		if (e->key == 0)
			return NULL;
	}
}

int pm_insert(struct pagemap *pm, uint64_t key, uint32_t slot)
{
	if (pm_find(pm, key))
		return E_MAPPED;
	if (pm->used >= pm->limit)
		return E_NOMEM;
	uint32_t mask = pm->capacity - 1, i = home(pm, key);
	while (pm->entries[i].key)
		i = (i + 1) & mask;
	pm->entries[i].key = key;
	pm->entries[i].slot = slot;
	pm->entries[i].count = 0;
	pm->used++;
	return E_OK;
}

/* Whether home position h lies cyclically in (hole, i]: then the entry at i must stay put. */
static bool stays(uint32_t hole, uint32_t i, uint32_t h)
{
	return hole <= i ? (hole < h && h <= i) : (hole < h || h <= i);
}

int pm_remove(struct pagemap *pm, uint64_t key)
{
	struct pm_entry *e = pm_find(pm, key);
	if (!e)
		return E_NOTMAPPED;
	uint32_t mask = pm->capacity - 1, hole = (uint32_t)(e - pm->entries);
	/* Invariant: `hole` is empty and every key is reachable from its home without crossing it.
	 */
	for (uint32_t i = (hole + 1) & mask; pm->entries[i].key; i = (i + 1) & mask) {
		if (stays(hole, i, home(pm, pm->entries[i].key)))
			continue;
		pm->entries[hole] = pm->entries[i];
		hole = i;
	}
	memset(&pm->entries[hole], 0, sizeof(pm->entries[hole]));
	pm->used--;
	return E_OK;
}

bool pm_room(const struct pagemap *pm, uint32_t count)
{
	return pm->used + count <= pm->limit;
}
