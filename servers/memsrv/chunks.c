/*
 * Frame chunks (chunks.h). Two doubly linked lists of chunks; every operation is O(1).
 * Invariants: a FRAMES chunk is on LIST_PARTIAL iff 0 < free < carved, on LIST_EMPTY iff
 * 0 < free == carved, else on no list; free_frames is the sum of `free` over all chunks.
 */
#include "chunks.h"

#include <mica/errors.h>
#include <stddef.h>
#include <string.h>

enum { LIST_NONE, LIST_PARTIAL, LIST_EMPTY }; /* chunk_take_fast knows LIST_PARTIAL is 1 */

int chunk_pool_init(struct chunk_pool *pool, struct chunk *chunks, uint32_t count,
		    uint64_t base_pfn, uint32_t *next, uint32_t slots)
{
	if (!pool || !chunks || !next || count == 0 || count == CHUNK_NONE || slots == 0)
		return E_INVAL;
	memset(chunks, 0, sizeof(*chunks) * count);
	memset(pool, 0, sizeof(*pool));
	pool->chunks = chunks;
	pool->count = count;
	pool->base_pfn = base_pfn;
	pool->next = next;
	pool->slots = slots;
	return E_OK;
}

uint32_t chunk_of(const struct chunk_pool *pool, uint64_t pfn)
{
	if (pfn < pool->base_pfn)
		return CHUNK_NONE;
	uint64_t ci = (pfn - pool->base_pfn) / CHUNK_FRAMES;
	return ci < pool->count ? (uint32_t)ci : CHUNK_NONE;
}

static void unlink(struct chunk_pool *pool, uint32_t ci)
{
	struct chunk *c = &pool->chunks[ci];
	if (c->list == LIST_NONE)
		return;
	if (c->prev)
		pool->chunks[c->prev - 1].next = c->next;
	else
		pool->heads[c->list] = c->next;
	if (c->next)
		pool->chunks[c->next - 1].prev = c->prev;
	c->prev = c->next = 0;
	c->list = LIST_NONE;
}

static void push(struct chunk_pool *pool, uint32_t ci, uint8_t list)
{
	struct chunk *c = &pool->chunks[ci];
	c->list = list;
	c->prev = 0;
	c->next = pool->heads[list];
	if (c->next)
		pool->chunks[c->next - 1].prev = ci + 1;
	pool->heads[list] = ci + 1;
}

/* Puts chunk ci on the list its counts call for (moving it to the head if it changes). */
static void place(struct chunk_pool *pool, uint32_t ci)
{
	const struct chunk *c = &pool->chunks[ci];
	uint8_t want = c->free == 0 ? LIST_NONE : c->free == c->carved ? LIST_EMPTY : LIST_PARTIAL;
	if (c->use != CHUNK_USE_FRAMES)
		want = LIST_NONE;
	if (c->list == want)
		return;
	unlink(pool, ci);
	if (want != LIST_NONE)
		push(pool, ci, want);
}

void chunk_start(struct chunk_pool *pool, uint32_t ci, uint32_t untyped, enum chunk_use use)
{
	struct chunk *c = &pool->chunks[ci];
	unlink(pool, ci);
	c->untyped = untyped;
	c->use = (uint8_t)use;
	c->carved = 0;
	c->free = 0;
	c->free_head = 0;
}

void chunk_carved(struct chunk_pool *pool, uint32_t ci)
{
	pool->chunks[ci].carved++;
	place(pool, ci); /* an empty chunk becomes partial */
}

uint32_t chunk_take(struct chunk_pool *pool, uint32_t *ci)
{
	uint32_t head =
	    pool->heads[LIST_PARTIAL] ? pool->heads[LIST_PARTIAL] : pool->heads[LIST_EMPTY];
	if (!head)
		return 0;
	struct chunk *c = &pool->chunks[head - 1];
	uint32_t slot = c->free_head;
	c->free_head = pool->next[slot];
	c->free--;
	pool->free_frames--;
	if (c->free == 0 || c->list == LIST_EMPTY) /* else it stays partial */
		place(pool, head - 1);
	*ci = head - 1;
	return slot;
}

bool chunk_put(struct chunk_pool *pool, uint32_t ci, uint32_t slot)
{
	struct chunk *c = &pool->chunks[ci];
	pool->next[slot] = c->free_head;
	c->free_head = slot;
	c->free++;
	pool->free_frames++;
	if (c->list != LIST_PARTIAL || c->free == c->carved)
		place(pool, ci);
	else if (pool->heads[LIST_PARTIAL] != ci + 1) { /* most recently freed chunk first */
		unlink(pool, ci);
		push(pool, ci, LIST_PARTIAL);
	}
	return c->free == c->carved;
}

uint32_t chunk_reclaim(struct chunk_pool *pool)
{
	uint32_t head = pool->heads[LIST_EMPTY];
	if (!head)
		return CHUNK_NONE;
	unlink(pool, head - 1);
	pool->chunks[head - 1].use = CHUNK_USE_OBJECTS;
	return head - 1;
}

uint32_t chunk_drain(struct chunk_pool *pool, uint32_t ci)
{
	struct chunk *c = &pool->chunks[ci];
	uint32_t slot = c->free_head;
	if (!slot)
		return 0;
	c->free_head = pool->next[slot];
	c->free--;
	c->carved--;
	pool->free_frames--;
	return slot;
}
