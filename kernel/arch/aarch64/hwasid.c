/*
 * The hardware ASID allocator: the numbers TTBR0 carries, by generation (the software ASIDs
 * that name VSpaces are asid.c's, their invocations asid_inv.c's). A bitmap of the ASIDs
 * used in the current generation, of which only the first hwasid_words() words are ever
 * touched. The search for a free ASID goes a word at a time and a rollover clears only
 * those words, so both cost in proportion to the configured width (at most 1,024 words for
 * 16 bits), never to the array's size.
 */
#include "hwasid.h"

#include <stddef.h>

#define WORD_BITS 64u

/* The number of bitmap words that hold ASIDs 0 .. 2^bits - 1. */
static uint32_t hwasid_words(const struct hwasid_allocator *a)
{
	return ((1u << a->bits) + WORD_BITS - 1) / WORD_BITS;
}

/* The bits of word w that name ASIDs beyond the width (only the last word of a width under
 * 6 bits has any): they count as used, so the search never returns them. */
static uint64_t beyond_width(const struct hwasid_allocator *a, uint32_t w)
{
	uint32_t limit = 1u << a->bits;
	if ((w + 1) * WORD_BITS <= limit)
		return 0;
	return ~0ull << (limit - w * WORD_BITS);
}

static void set_used(struct hwasid_allocator *a, uint32_t asid, bool used)
{
	if (used)
		a->used[asid / WORD_BITS] |= 1ull << (asid % WORD_BITS);
	else
		a->used[asid / WORD_BITS] &= ~(1ull << (asid % WORD_BITS));
}

/* Clears the used bits of the width and marks ASID 0 (never handed out) used. */
static void clear_used(struct hwasid_allocator *a)
{
	for (uint32_t w = 0; w < hwasid_words(a); w++)
		a->used[w] = 0;
	set_used(a, 0, true);
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

/* The lowest free ASID in word w whose bit is not in `taken`, or 0 if there is none. */
static uint32_t free_in_word(const struct hwasid_allocator *a, uint32_t w, uint64_t taken)
{
	uint64_t busy = a->used[w] | taken | beyond_width(a, w);
	if (busy == ~0ull)
		return 0;
	return w * WORD_BITS + (uint32_t)__builtin_ctzll(~busy);
}

/*
 * Finds a free ASID from a->next on, wrapping once; returns 0 if all are used. Visits each
 * word of the width at most once, plus the start word's low part at the end.
 */
static uint32_t hwasid_find_free(const struct hwasid_allocator *a)
{
	uint32_t words = hwasid_words(a);
	uint32_t start = a->next < (1u << a->bits) ? a->next : 0;
	uint32_t w0 = start / WORD_BITS;
	uint64_t below = (1ull << (start % WORD_BITS)) - 1; /* bits of w0 before start */
	uint32_t asid = free_in_word(a, w0, below);
	/* Invariant: no ASID from start up to the end of word w is free. */
	for (uint32_t n = 1; !asid && n < words; n++)
		asid = free_in_word(a, (w0 + n) % words, 0);
	if (!asid && below)
		asid = free_in_word(a, w0, ~below);
	return asid;
}

/* Starts a new generation: every ASID but 0 and those of the current bindings in
 * keep[0..nkeep) (NULL entries skipped) is free again; those move to the new generation. */
static void rollover(struct hwasid_allocator *a, struct hwasid_binding *const *keep, unsigned nkeep)
{
	clear_used(a);
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
	uint32_t asid = hwasid_find_free(a);
	if (asid == 0) {
		rollover(a, keep, nkeep);
		*flush_all = true;
		if (b->generation == a->generation)
			return b->asid; /* it was one of the kept */
		asid = hwasid_find_free(a);
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
