#include "hwasid.h"

#include <stddef.h>

static bool is_used(const struct hwasid_allocator *a, uint32_t asid)
{
	return a->used[asid / 64] & (1ull << (asid % 64));
}

static void set_used(struct hwasid_allocator *a, uint32_t asid, bool used)
{
	if (used)
		a->used[asid / 64] |= 1ull << (asid % 64);
	else
		a->used[asid / 64] &= ~(1ull << (asid % 64));
}

void hwasid_init(struct hwasid_allocator *a, unsigned bits)
{
	a->bits = bits < 1 ? 1 : bits > HWASID_MAX_BITS ? HWASID_MAX_BITS : bits;
	a->generation = 1;
	a->rollovers = 0;
	a->next = 1;
	for (size_t i = 0; i < sizeof(a->used) / sizeof(a->used[0]); i++)
		a->used[i] = 0;
	set_used(a, 0, true);
}

/* Finds a free ASID from a->next on, wrapping once; returns 0 if all are used. */
static uint32_t find_free(struct hwasid_allocator *a)
{
	uint32_t limit = 1u << a->bits;
	for (uint32_t n = 0; n < limit; n++) {
		uint32_t asid = (a->next + n) % limit;
		if (!is_used(a, asid))
			return asid;
	}
	return 0;
}

/* Starts a new generation: every ASID but 0 is free again. */
static void rollover(struct hwasid_allocator *a)
{
	for (size_t i = 0; i < sizeof(a->used) / sizeof(a->used[0]); i++)
		a->used[i] = 0;
	set_used(a, 0, true);
	a->generation++;
	a->rollovers++;
	a->next = 1;
}

uint16_t hwasid_get(struct hwasid_allocator *a, struct hwasid_binding *b, bool *flush_all)
{
	*flush_all = false;
	if (b->generation == a->generation)
		return b->asid;
	uint32_t asid = find_free(a);
	if (asid == 0) {
		rollover(a);
		*flush_all = true;
		asid = find_free(a);
	}
	set_used(a, asid, true);
	a->next = asid + 1;
	b->generation = a->generation;
	b->asid = (uint16_t)asid;
	return b->asid;
}

bool hwasid_release(struct hwasid_allocator *a, struct hwasid_binding *b)
{
	if (b->generation != a->generation)
		return false;
	set_used(a, b->asid, false);
	b->generation = 0;
	b->asid = 0;
	return true;
}
