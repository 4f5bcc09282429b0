/*
 * Frame chunks: memsrv carves the frames it hands out from 2 MiB untyped children of its RAM
 * untyped ("chunks", CHUNK_FRAMES frames each, retyped one by one at the chunk's watermark),
 * and counts per chunk how many of its frames are free. When every frame carved from a chunk
 * is free again, the chunk can be reclaimed: memsrv deletes the frame capabilities, the
 * chunk's untyped has no children left, the kernel starts it again at offset 0, and the 2 MiB
 * hold kernel objects (page tables, VSpaces, CNodes, TCBs, ...) from then on.
 *
 * This is the bookkeeping only: pure code over caller-provided storage, host-tested
 * (tests/unit/test_memsrv_chunks.c). Chunks are indexed by physical address: chunk i covers
 * page frame numbers [base_pfn + i * CHUNK_FRAMES, + CHUNK_FRAMES). Free frames are slots of
 * memsrv's CNode, chained through one word per slot.
 *
 * Lists: a chunk with free frames and live ones is "partial"; one whose carved frames are
 * all free is "empty". Frames are taken from partial chunks first (the most recently freed
 * chunk first, its most recently freed frame first), from empty chunks only when no partial
 * one has any: so live frames gather in few chunks and the others drain to empty.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define CHUNK_BITS   21
#define CHUNK_FRAMES (1u << (CHUNK_BITS - 12))
#define CHUNK_NONE   0xffffffffu

enum chunk_use {
	CHUNK_USE_NONE,    /* not carved from the RAM untyped (yet) */
	CHUNK_USE_FRAMES,  /* frames are retyped from it */
	CHUNK_USE_OBJECTS, /* reclaimed: kernel objects are retyped from it */
};

struct chunk {
	uint32_t untyped;    /* its untyped capability's slot (0: none) */
	uint32_t free_head;  /* a free frame's slot (0: none), chained through pool->next */
	uint16_t carved;     /* frames retyped from it so far */
	uint16_t free;       /* of those, how many are free */
	uint32_t prev, next; /* neighbours on its list: chunk index + 1, 0 for none */
	uint8_t use;         /* enum chunk_use */
	uint8_t list;        /* which list it is on (chunks.c) */
};

struct chunk_pool {
	struct chunk *chunks;
	uint32_t count;
	uint64_t base_pfn;
	uint32_t *next; /* per slot: the next free frame of the same chunk */
	uint32_t slots;
	uint32_t heads[3]; /* first chunk (index + 1) of each list */
	uint64_t free_frames;
};

/*
 * Makes `pool` empty over `chunks` (count entries, zeroed by this call) for frames from
 * base_pfn on, and `next` (one word per slot, for slots 0..slots-1). Returns 0 or E_INVAL.
 */
int chunk_pool_init(struct chunk_pool *pool, struct chunk *chunks, uint32_t count,
		    uint64_t base_pfn, uint32_t *next, uint32_t slots);

/* The chunk holding page frame number pfn, or CHUNK_NONE. */
uint32_t chunk_of(const struct chunk_pool *pool, uint64_t pfn);

/*
 * Marks chunk ci as carved from RAM with untyped capability `untyped`, for `use`
 * (CHUNK_USE_FRAMES: frames are carved from it next; CHUNK_USE_OBJECTS: the caller retypes
 * objects).
 */
void chunk_start(struct chunk_pool *pool, uint32_t ci, uint32_t untyped, enum chunk_use use);

/* Counts one frame newly retyped from chunk ci (live from now on). */
void chunk_carved(struct chunk_pool *pool, uint32_t ci);

/* A free frame, now live: returns its slot and sets *ci, or returns 0 if none is free. */
uint32_t chunk_take(struct chunk_pool *pool, uint32_t *ci);

/*
 * chunk_take's common case, inline for the fault path: a partial chunk at the head that
 * stays partial (it keeps a free frame). Anything else goes to chunk_take.
 */
static inline uint32_t chunk_take_fast(struct chunk_pool *pool, uint32_t *ci)
{
	uint32_t head = pool->heads[1]; /* the partial list (chunks.c) */
	if (!head || pool->chunks[head - 1].free < 2)
		return chunk_take(pool, ci);
	struct chunk *c = &pool->chunks[head - 1];
	uint32_t slot = c->free_head;
	c->free_head = pool->next[slot];
	c->free--;
	pool->free_frames--;
	*ci = head - 1;
	return slot;
}

/*
 * Returns frame `slot` of chunk ci to the pool. Returns true if every frame carved from the
 * chunk is free now. Requires slot < slots, the frame live and carved from ci.
 */
bool chunk_put(struct chunk_pool *pool, uint32_t ci, uint32_t slot);

/* chunk_put's common case, inline: into the partial chunk at the head, which stays partial. */
static inline bool chunk_put_fast(struct chunk_pool *pool, uint32_t ci, uint32_t slot)
{
	struct chunk *c = &pool->chunks[ci];
	if (pool->heads[1] != ci + 1 || c->free + 1 >= c->carved)
		return chunk_put(pool, ci, slot);
	pool->next[slot] = c->free_head;
	c->free_head = slot;
	c->free++;
	pool->free_frames++;
	return false;
}

/*
 * Picks an empty chunk and takes it off the lists: returns its index, or CHUNK_NONE. The
 * caller then deletes its frames (chunk_drain gives their slots) and retypes from it.
 */
uint32_t chunk_reclaim(struct chunk_pool *pool);

/*
 * The next free frame of reclaimed chunk ci, or 0 when none is left; after the last one the
 * chunk's use is CHUNK_USE_OBJECTS and nothing is carved from it any more.
 */
uint32_t chunk_drain(struct chunk_pool *pool, uint32_t ci);
