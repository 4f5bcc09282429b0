/*
 * Host tests for memsrv's frame chunks (servers/memsrv/chunks.c): chunk lookup by frame
 * number, which free frame is taken next (partial chunks before empty ones, most recently
 * freed first), when a chunk is empty, reclaiming and draining one, and a long random run
 * of carves, takes and puts (the inline fast paths and the full ones) checked against a
 * simple model after every step.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mica/errors.h>

#include "../../servers/memsrv/chunks.h"
#include "check.h"

CHECK_DEFINE_GLOBALS;

#define CHUNKS 6
#define SLOTS  (CHUNKS * CHUNK_FRAMES + 1) /* slot s holds frame s - 1; slot 0 is never used */
#define BASE   0x40000                     /* base page frame number (1 GiB) */

static struct chunk chunks[CHUNKS];
static uint32_t next[SLOTS];
static struct chunk_pool pool;

/* The slot of frame `i` of chunk `ci` in these tests. */
static uint32_t slot_of(uint32_t ci, uint32_t i)
{
	return ci * CHUNK_FRAMES + i + 1;
}

static void fresh_pool(void)
{
	CHECK_EQ(chunk_pool_init(&pool, chunks, CHUNKS, BASE, next, SLOTS), E_OK);
}

/* Starts chunk ci for frames and carves n frames from it (all live). */
static void carve(uint32_t ci, unsigned n)
{
	chunk_start(&pool, ci, 1000 + ci, CHUNK_USE_FRAMES);
	for (unsigned i = 0; i < n; i++)
		chunk_carved(&pool, ci);
}

static void test_init_refuses_bad_arguments(void)
{
	CHECK_EQ(chunk_pool_init(NULL, chunks, CHUNKS, BASE, next, SLOTS), E_INVAL);
	CHECK_EQ(chunk_pool_init(&pool, NULL, CHUNKS, BASE, next, SLOTS), E_INVAL);
	CHECK_EQ(chunk_pool_init(&pool, chunks, 0, BASE, next, SLOTS), E_INVAL);
	CHECK_EQ(chunk_pool_init(&pool, chunks, CHUNKS, BASE, NULL, SLOTS), E_INVAL);
	CHECK_EQ(chunk_pool_init(&pool, chunks, CHUNKS, BASE, next, 0), E_INVAL);
}

static void test_chunk_of_covers_the_span_only(void)
{
	fresh_pool();
	CHECK_EQ(chunk_of(&pool, BASE), 0);
	CHECK_EQ(chunk_of(&pool, BASE + CHUNK_FRAMES - 1), 0);
	CHECK_EQ(chunk_of(&pool, BASE + CHUNK_FRAMES), 1);
	CHECK_EQ(chunk_of(&pool, BASE + CHUNKS * CHUNK_FRAMES - 1), CHUNKS - 1);
	CHECK_EQ(chunk_of(&pool, BASE + CHUNKS * CHUNK_FRAMES), CHUNK_NONE);
	CHECK_EQ(chunk_of(&pool, BASE - 1), CHUNK_NONE);
	CHECK_EQ(chunk_of(&pool, 0), CHUNK_NONE);
}

static void test_nothing_to_take_from_a_fresh_pool(void)
{
	uint32_t ci;
	fresh_pool();
	CHECK_EQ(chunk_take(&pool, &ci), 0);
	CHECK_EQ(chunk_reclaim(&pool), CHUNK_NONE);
	carve(0, 3);
	CHECK_EQ(chunk_take(&pool, &ci), 0); /* carved frames are live */
	CHECK_EQ(pool.free_frames, 0);
}

static void test_last_freed_frame_comes_back_first(void)
{
	uint32_t ci;
	fresh_pool();
	carve(2, 4);
	CHECK(!chunk_put(&pool, 2, slot_of(2, 1)));
	CHECK(!chunk_put(&pool, 2, slot_of(2, 3)));
	CHECK_EQ(pool.free_frames, 2);
	CHECK_EQ(chunk_take(&pool, &ci), slot_of(2, 3));
	CHECK_EQ(ci, 2);
	CHECK_EQ(chunk_take(&pool, &ci), slot_of(2, 1));
	CHECK_EQ(chunk_take(&pool, &ci), 0);
}

static void test_put_says_when_a_chunk_is_all_free(void)
{
	fresh_pool();
	carve(1, 3);
	CHECK(!chunk_put(&pool, 1, slot_of(1, 0)));
	CHECK(!chunk_put(&pool, 1, slot_of(1, 2)));
	CHECK(chunk_put(&pool, 1, slot_of(1, 1)));
	CHECK_EQ(chunks[1].free, 3);
	CHECK_EQ(chunks[1].carved, 3);
}

static void test_partial_chunks_are_taken_before_empty_ones(void)
{
	uint32_t ci;
	fresh_pool();
	carve(0, 2);
	carve(1, 2);
	chunk_put(&pool, 0, slot_of(0, 0));
	chunk_put(&pool, 0, slot_of(0, 1)); /* chunk 0 empty */
	chunk_put(&pool, 1, slot_of(1, 0)); /* chunk 1 partial, freed last */
	CHECK_EQ(chunk_take(&pool, &ci), slot_of(1, 0));
	CHECK_EQ(ci, 1);
	CHECK_EQ(chunk_take(&pool, &ci), slot_of(0, 1)); /* only then the empty chunk */
	CHECK_EQ(ci, 0);
	/* Chunk 0 is partial now and goes first again. */
	chunk_put(&pool, 1, slot_of(1, 0));
	chunk_put(&pool, 1, slot_of(1, 1)); /* chunk 1 empty */
	CHECK_EQ(chunk_take(&pool, &ci), slot_of(0, 0));
	CHECK_EQ(ci, 0);
}

static void test_the_most_recently_freed_partial_chunk_goes_first(void)
{
	uint32_t ci;
	fresh_pool();
	carve(0, 3);
	carve(4, 3);
	chunk_put(&pool, 0, slot_of(0, 0));
	chunk_put(&pool, 4, slot_of(4, 0));
	chunk_put(&pool, 0, slot_of(0, 1)); /* chunk 0 again: to the head */
	CHECK_EQ(chunk_take(&pool, &ci), slot_of(0, 1));
	CHECK_EQ(chunk_take(&pool, &ci), slot_of(0, 0));
	CHECK_EQ(chunk_take(&pool, &ci), slot_of(4, 0));
	CHECK_EQ(ci, 4);
}

static void test_reclaim_takes_an_empty_chunk_and_drains_it(void)
{
	uint32_t ci, got[3] = { 0 };
	fresh_pool();
	carve(3, 3);
	carve(5, 2);
	chunk_put(&pool, 5, slot_of(5, 0)); /* partial: not reclaimable */
	CHECK_EQ(chunk_reclaim(&pool), CHUNK_NONE);
	for (unsigned i = 0; i < 3; i++)
		chunk_put(&pool, 3, slot_of(3, i));
	CHECK_EQ(pool.free_frames, 4);
	CHECK_EQ(chunk_reclaim(&pool), 3);
	CHECK_EQ(chunks[3].use, CHUNK_USE_OBJECTS);
	for (unsigned i = 0; i < 3; i++)
		got[i] = chunk_drain(&pool, 3);
	CHECK_EQ(chunk_drain(&pool, 3), 0);
	CHECK_EQ(got[0] + got[1] + got[2], slot_of(3, 0) + slot_of(3, 1) + slot_of(3, 2));
	CHECK_EQ(chunks[3].carved, 0);
	CHECK_EQ(pool.free_frames, 1);
	/* The reclaimed chunk gives no frames; the partial one still does. */
	CHECK_EQ(chunk_take(&pool, &ci), slot_of(5, 0));
	CHECK_EQ(chunk_take(&pool, &ci), 0);
	CHECK_EQ(chunk_reclaim(&pool), CHUNK_NONE);
}

static void test_an_objects_chunk_is_on_no_list(void)
{
	uint32_t ci;
	fresh_pool();
	chunk_start(&pool, 2, 77, CHUNK_USE_OBJECTS);
	CHECK_EQ(chunks[2].untyped, 77);
	CHECK_EQ(chunk_reclaim(&pool), CHUNK_NONE);
	CHECK_EQ(chunk_take(&pool, &ci), 0);
}

/* The model: per slot whether the frame is free, live, or not carved (0). */
enum { NOT_CARVED, LIVE, FREE };
static uint8_t state[SLOTS];

/* Every count and list in the pool agrees with the model. */
static void check_against_model(void)
{
	uint64_t free_total = 0;
	for (uint32_t ci = 0; ci < CHUNKS; ci++) {
		unsigned carved = 0, free = 0;
		for (uint32_t i = 0; i < CHUNK_FRAMES; i++) {
			carved += state[slot_of(ci, i)] != NOT_CARVED;
			free += state[slot_of(ci, i)] == FREE;
		}
		CHECK_EQ(chunks[ci].carved, carved);
		CHECK_EQ(chunks[ci].free, free);
		unsigned walked = 0;
		for (uint32_t s = chunks[ci].free_head; s && walked <= free; s = next[s]) {
			CHECK_EQ(state[s], FREE);
			CHECK_EQ((s - 1) / CHUNK_FRAMES, ci);
			walked++;
		}
		CHECK_EQ(walked, free);
		free_total += free;
	}
	CHECK_EQ(pool.free_frames, free_total);
	/* The lists hold exactly the partial and empty chunks, linked both ways. */
	for (unsigned list = 1; list <= 2; list++) {
		uint32_t prev = 0, n = 0;
		for (uint32_t c = pool.heads[list]; c && n <= CHUNKS; c = chunks[c - 1].next, n++) {
			const struct chunk *k = &chunks[c - 1];
			CHECK_EQ(k->prev, prev);
			CHECK(k->free > 0);
			CHECK(list == 2 ? k->free == k->carved : k->free < k->carved);
			prev = c;
		}
		CHECK(n <= CHUNKS);
	}
	for (uint32_t ci = 0; ci < CHUNKS; ci++) {
		const struct chunk *k = &chunks[ci];
		if (k->free && k->use == CHUNK_USE_FRAMES)
			CHECK(k->list != 0);
	}
}

static void test_random_run_matches_the_model(void)
{
	fresh_pool();
	memset(state, 0, sizeof(state));
	for (uint32_t ci = 0; ci < CHUNKS; ci++)
		chunk_start(&pool, ci, 1000 + ci, CHUNK_USE_FRAMES);
	srand(7);
	for (unsigned step = 0; step < 20000; step++) {
		unsigned op = (unsigned)rand() % 3;
		uint32_t ci = (uint32_t)rand() % CHUNKS, ci2;
		if (op == 0 && chunks[ci].carved < 40) { /* carve the next frame of ci */
			state[slot_of(ci, chunks[ci].carved)] = LIVE;
			chunk_carved(&pool, ci);
		} else if (op == 1) { /* take */
			bool any = pool.free_frames != 0;
			uint32_t s =
			    step & 1 ? chunk_take_fast(&pool, &ci2) : chunk_take(&pool, &ci2);
			CHECK_EQ(s != 0, any);
			if (s) {
				CHECK_EQ(state[s], FREE);
				CHECK_EQ((s - 1) / CHUNK_FRAMES, ci2);
				state[s] = LIVE;
			}
		} else { /* put a random live frame of ci */
			uint32_t i = (uint32_t)rand() % CHUNK_FRAMES, s = slot_of(ci, i);
			if (state[s] == LIVE) {
				state[s] = FREE;
				bool all = step & 2 ? chunk_put_fast(&pool, ci, s)
						    : chunk_put(&pool, ci, s);
				CHECK_EQ(all, chunks[ci].free == chunks[ci].carved);
			}
		}
		check_against_model();
	}
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "init_refuses_bad_arguments", test_init_refuses_bad_arguments },
		{ "chunk_of_covers_the_span_only", test_chunk_of_covers_the_span_only },
		{ "nothing_to_take_from_a_fresh_pool", test_nothing_to_take_from_a_fresh_pool },
		{ "last_freed_frame_comes_back_first", test_last_freed_frame_comes_back_first },
		{ "put_says_when_a_chunk_is_all_free", test_put_says_when_a_chunk_is_all_free },
		{ "partial_chunks_are_taken_before_empty_ones",
		  test_partial_chunks_are_taken_before_empty_ones },
		{ "the_most_recently_freed_partial_chunk_goes_first",
		  test_the_most_recently_freed_partial_chunk_goes_first },
		{ "reclaim_takes_an_empty_chunk_and_drains_it",
		  test_reclaim_takes_an_empty_chunk_and_drains_it },
		{ "an_objects_chunk_is_on_no_list", test_an_objects_chunk_is_on_no_list },
		{ "random_run_matches_the_model", test_random_run_matches_the_model },
		{ NULL, NULL },
	};
	return check_main(tests);
}
