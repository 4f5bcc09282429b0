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

/* Starts a new generation: every ASID but 0 and those of the current bindings in
 * keep[0..nkeep) (NULL entries skipped) is free again; those move to the new generation. */
static void rollover(struct hwasid_allocator *a, struct hwasid_binding *const *keep, unsigned nkeep)
{
	for (size_t i = 0; i < sizeof(a->used) / sizeof(a->used[0]); i++)
		a->used[i] = 0;
	set_used(a, 0, true);
	uint64_t old = a->generation++;
	for (unsigned i = 0; i < nkeep; i++) {
		if (keep[i] && keep[i]->generation == old && keep[i]->asid) {
			set_used(a, keep[i]->asid, true);
			keep[i]->generation = a->generation;
		}
	}
	a->rollovers++;
	a->next = 1;
}

uint16_t hwasid_get(struct hwasid_allocator *a, struct hwasid_binding *b, bool *flush_all)
{
	return hwasid_get_keeping(a, b, flush_all, NULL, 0);
}

uint16_t hwasid_get_keeping(struct hwasid_allocator *a, struct hwasid_binding *b, bool *flush_all,
			    struct hwasid_binding *const *keep, unsigned nkeep)
{
	*flush_all = false;
	if (b->generation == a->generation)
		return b->asid;
	uint32_t asid = find_free(a);
	if (asid == 0) {
		rollover(a, keep, nkeep);
		*flush_all = true;
		if (b->generation == a->generation)
			return b->asid; /* it was one of the kept */
		asid = find_free(a);
		if (asid == 0)
			return 0; /* the kept ones hold every ASID */
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
