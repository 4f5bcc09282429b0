/*
 * Scale: address spaces far beyond the old fixed table of 1,024, up to the live limit memsrv
 * reports (MEMSRV_GSTAT_AS_MAX), and frames that processes freed made into kernel objects once
 * fresh memory is gone (memsrv's 2 MiB frame chunks, docs/memsrv.md "Memory").
 */
#include <string.h>

#include "memtest.h"

#define SCALE_SPACES     2000
#define DEFAULT_AS_MAX   8192 /* memsrv's default memsrv.as_max */
#define OBJ_SPACES       1500 /* each with a page mapped: 3 tables (and a VSpace) each */
#define KEPT_FOR_OBJECTS 1024 /* fresh pages memsrv keeps for objects, at most */
#define FILL_BASE        0x4000000000ull
#define OBJ_VA           0x10000000ull
#define RW               (MEMSRV_PROT_R | MEMSRV_PROT_W)

static unsigned ids[SCALE_SPACES]; /* SCALE_SPACES >= OBJ_SPACES */

int test_thousands_of_live_address_spaces(void)
{
	struct mem_global_stats g0, g1;
	CHECK_OK(mem_global_stats(ms, &g0));
	CHECK_EQ(g0.memsrv[MEMSRV_GSTAT_AS_MAX], DEFAULT_AS_MAX);
	for (unsigned i = 0; i < SCALE_SPACES; i++)
		CHECK_OK(mem_as_create(ms, 0, &ids[i]));
	CHECK_OK(mem_global_stats(ms, &g1));
	CHECK_EQ(g1.memsrv[MEMSRV_GSTAT_AS_LIVE], g0.memsrv[MEMSRV_GSTAT_AS_LIVE] + SCALE_SPACES);
	CHECK(ids[SCALE_SPACES - 1] >= 1024); /* beyond the old table of ids 1..1023 */
	uint64_t s[MEMSRV_STAT_COUNT];
	CHECK_OK(mem_stats(ms, ids[SCALE_SPACES - 1], s));
	CHECK_EQ(s[MEMSRV_STAT_AS_ID], ids[SCALE_SPACES - 1]);
	for (unsigned i = 0; i < SCALE_SPACES; i++)
		CHECK_OK(mem_as_destroy(ms, ids[i]));
	CHECK_OK(mem_global_stats(ms, &g1));
	CHECK_EQ(g1.memsrv[MEMSRV_GSTAT_FREE_FRAMES], g0.memsrv[MEMSRV_GSTAT_FREE_FRAMES]);
	CHECK_EQ(g1.memsrv[MEMSRV_GSTAT_USED_FRAMES], g0.memsrv[MEMSRV_GSTAT_USED_FRAMES]);
	CHECK_EQ(g1.memsrv[MEMSRV_GSTAT_AS_LIVE], g0.memsrv[MEMSRV_GSTAT_AS_LIVE]);
	return 0;
}

int test_live_address_spaces_stop_at_the_limit(void)
{
	static unsigned made_ids[DEFAULT_AS_MAX];
	struct mem_global_stats g0, g1;
	CHECK_OK(mem_global_stats(ms, &g0));
	uint64_t room = g0.memsrv[MEMSRV_GSTAT_AS_MAX] - g0.memsrv[MEMSRV_GSTAT_AS_LIVE];
	CHECK(room <= DEFAULT_AS_MAX);
	unsigned made = 0, id;
	int err;
	while (made < DEFAULT_AS_MAX && (err = mem_as_create(ms, 0, &id)) == E_OK)
		made_ids[made++] = id;
	CHECK_EQ(made, room);
	CHECK_ERR(mem_as_create(ms, 0, &id), E_NOMEM); /* the limit, not memory or ids */
	CHECK_OK(mem_global_stats(ms, &g1));
	CHECK_EQ(g1.memsrv[MEMSRV_GSTAT_AS_LIVE], g0.memsrv[MEMSRV_GSTAT_AS_MAX]);
	CHECK(g1.memsrv[MEMSRV_GSTAT_FREE_FRAMES] > 1000); /* memory was not what ran out */
	for (unsigned i = 0; i < made; i++)
		CHECK_OK(mem_as_destroy(ms, made_ids[i]));
	CHECK_OK(mem_as_create(ms, 0, &id)); /* room again */
	CHECK_OK(mem_as_destroy(ms, id));
	CHECK_OK(mem_global_stats(ms, &g1));
	CHECK_EQ(g1.memsrv[MEMSRV_GSTAT_AS_LIVE], g0.memsrv[MEMSRV_GSTAT_AS_LIVE]);
	CHECK_EQ(g1.memsrv[MEMSRV_GSTAT_FREE_FRAMES], g0.memsrv[MEMSRV_GSTAT_FREE_FRAMES]);
	return 0;
}

/*
 * Gives every frame memsrv can hand out to one address space and takes them back, unless an
 * earlier test left fresh memory used up already (out_of_memory_is_an_error does the same).
 */
static int use_up_fresh_memory(void)
{
	struct mem_global_stats g;
	uint64_t va;
	unsigned as;
	CHECK_OK(mem_global_stats(ms, &g));
	if (g.memsrv[MEMSRV_GSTAT_FRESH_FRAMES] <= KEPT_FOR_OBJECTS)
		return 0;
	CHECK_OK(mem_as_create(ms, 1ull << 24, &as));
	uint64_t all = g.memsrv[MEMSRV_GSTAT_TOTAL_FRAMES] * PAGE;
	CHECK_ERR(mem_map(ms, as, FILL_BASE, all, RW, MEMSRV_KIND_ANON, MEMSRV_MAP_EAGER, &va),
		  E_NOMEM);
	CHECK_OK(mem_as_destroy(ms, as));
	CHECK_OK(mem_global_stats(ms, &g));
	CHECK(g.memsrv[MEMSRV_GSTAT_FRESH_FRAMES] <= KEPT_FOR_OBJECTS);
	return 0;
}

int test_freed_frames_become_kernel_objects(void)
{
	struct mem_global_stats g1, g2;
	uint64_t va;
	unsigned as;
	CHECK_OK(use_up_fresh_memory());
	CHECK_OK(mem_global_stats(ms, &g1));
	/*
	 * Fresh memory is gone but for what is kept for objects (2 MiB and the odd untyped under
	 * 2 MiB). OBJ_SPACES address spaces with a page each need 3 new tables each (L1, L2, L3):
	 * 4,500, several times that, and more than the filling map left pooled (about 250).
	 */
	CHECK(g1.memsrv[MEMSRV_GSTAT_FRESH_FRAMES] <= KEPT_FOR_OBJECTS);
	unsigned made = 0;
	int err = E_OK;
	for (; made < OBJ_SPACES; made++) {
		err = mem_as_create(ms, 0, &ids[made]);
		if (err)
			break;
		err = mem_map(ms, ids[made], OBJ_VA, PAGE, RW, MEMSRV_KIND_ANON, MEMSRV_MAP_EAGER,
			      &va);
		if (err) {
			mem_as_destroy(ms, ids[made]);
			break;
		}
	}
	CHECK_OK(mem_global_stats(ms, &g2));
	for (unsigned i = 0; i < made; i++)
		CHECK_OK(mem_as_destroy(ms, ids[i]));
	CHECK_OK(err);
	CHECK_EQ(made, OBJ_SPACES);
	CHECK_EQ(g2.memsrv[MEMSRV_GSTAT_TABLE_PAGES],
		 g1.memsrv[MEMSRV_GSTAT_TABLE_PAGES] + 3 * OBJ_SPACES);
	CHECK(g2.memsrv[MEMSRV_GSTAT_CHUNKS_RECYCLED] > g1.memsrv[MEMSRV_GSTAT_CHUNKS_RECYCLED]);
	CHECK_OK(mem_global_stats(ms, &g2));
	CHECK_EQ(g2.memsrv[MEMSRV_GSTAT_FREE_FRAMES], g1.memsrv[MEMSRV_GSTAT_FREE_FRAMES]);
	CHECK_EQ(g2.memsrv[MEMSRV_GSTAT_AS_LIVE], g1.memsrv[MEMSRV_GSTAT_AS_LIVE]);
	/* And the frames that are left still serve a large map. */
	CHECK_OK(mem_as_create(ms, 1ull << 24, &as));
	CHECK_OK(
	    mem_map(ms, as, FILL_BASE, 64ull << 20, RW, MEMSRV_KIND_ANON, MEMSRV_MAP_EAGER, &va));
	CHECK_OK(mem_as_destroy(ms, as));
	return 0;
}
