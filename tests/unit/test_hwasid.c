/* Host tests for the hardware ASID allocator (kernel/arch/aarch64/hwasid.c). */
#include "check.h"
#include "hwasid.h"

CHECK_DEFINE_GLOBALS;

static struct hwasid_allocator a;

static void test_first_allocation_skips_asid_0(void)
{
	struct hwasid_binding b = { 0 };
	bool flush;
	hwasid_init(&a, 4);
	CHECK_EQ(hwasid_get(&a, &b, &flush), 1);
	CHECK(!flush);
	CHECK_EQ(b.generation, 1);
}

static void test_current_binding_is_reused_without_allocation(void)
{
	struct hwasid_binding b = { 0 }, c = { 0 };
	bool flush;
	hwasid_init(&a, 4);
	uint16_t first = hwasid_get(&a, &b, &flush);
	CHECK_EQ(hwasid_get(&a, &b, &flush), first);
	CHECK_EQ(hwasid_get(&a, &c, &flush), first + 1);
}

static void test_exhaustion_rolls_over_with_one_flush(void)
{
	struct hwasid_binding b[16] = { { 0 } };
	bool flush;
	hwasid_init(&a, 4); /* ASIDs 1..15 */
	for (int i = 0; i < 15; i++) {
		CHECK_EQ(hwasid_get(&a, &b[i], &flush), i + 1);
		CHECK(!flush);
	}
	CHECK_EQ(hwasid_get(&a, &b[15], &flush), 1);
	CHECK(flush);
	CHECK_EQ(a.rollovers, 1);
	CHECK_EQ(a.generation, 2);
	/* Everyone else is stale now and gets a fresh ASID lazily, without another flush. */
	CHECK_EQ(hwasid_get(&a, &b[0], &flush), 2);
	CHECK(!flush);
	CHECK_EQ(b[0].generation, 2);
}

static void test_rollover_keeps_the_asids_other_cores_run(void)
{
	struct hwasid_binding b[16] = { { 0 } };
	bool flush;
	hwasid_init(&a, 2); /* ASIDs 1..3 */
	for (int i = 0; i < 3; i++)
		hwasid_get(&a, &b[i], &flush);
	/* b[1] and b[2] run on other cores; b[3] needs an ASID: a rollover. */
	struct hwasid_binding *keep[3] = { &b[1], NULL, &b[2] };
	CHECK_EQ(hwasid_get_keeping(&a, &b[3], &flush, keep, 3), 1);
	CHECK(flush);
	CHECK_EQ(b[1].generation, a.generation);
	CHECK_EQ(b[1].asid, 2);
	CHECK_EQ(b[2].generation, a.generation);
	CHECK_EQ(b[2].asid, 3);
	CHECK(b[0].generation != a.generation);
	/* The next one finds nothing free: the kept ones are used in the new generation. */
	CHECK_EQ(hwasid_get_keeping(&a, &b[0], &flush, keep, 3), 1);
	CHECK(flush);
	CHECK_EQ(b[1].asid, 2);
	CHECK_EQ(b[2].asid, 3);
}

static void test_rollover_for_a_kept_binding_keeps_its_asid(void)
{
	struct hwasid_binding b[3] = { { 0 } };
	bool flush;
	hwasid_init(&a, 1); /* ASID 1 only */
	hwasid_get(&a, &b[0], &flush);
	hwasid_get(&a, &b[1], &flush); /* rollover: b[0] stale, b[1] has 1 */
	struct hwasid_binding *keep[1] = { &b[1] };
	CHECK_EQ(hwasid_get_keeping(&a, &b[1], &flush, keep, 1), 1);
	CHECK(!flush);
	CHECK_EQ(hwasid_get_keeping(&a, &b[0], &flush, keep, 1), 0);
	CHECK(flush);
	CHECK(b[0].generation != a.generation);
	/* The caller stopped the other core: a generation without anything kept. */
	CHECK_EQ(hwasid_get(&a, &b[0], &flush), 1);
	CHECK(flush);
	CHECK(b[1].generation != a.generation);
}

static void test_no_two_live_bindings_share_an_asid(void)
{
	struct hwasid_binding b[100] = { { 0 } };
	bool flush;
	hwasid_init(&a, 4);
	uint64_t flushes = 0;
	/* Round robin over 100 address spaces, as the rollover test in QEMU does. */
	for (int round = 0; round < 20; round++) {
		for (int i = 0; i < 100; i++) {
			hwasid_get(&a, &b[i], &flush);
			flushes += flush;
			for (int j = 0; j < 100; j++) {
				if (j != i && b[j].generation == a.generation)
					CHECK(b[j].asid != b[i].asid);
			}
		}
	}
	CHECK_EQ(flushes, a.rollovers);
	/* 2000 allocations, 15 per generation: the first generation starts without a flush. */
	CHECK_EQ(a.rollovers, (20 * 100 - 1) / 15);
}

static void test_release_frees_only_a_current_binding(void)
{
	struct hwasid_binding b = { 0 }, c = { 0 };
	bool flush;
	hwasid_init(&a, 2); /* ASIDs 1..3 */
	hwasid_get(&a, &b, &flush);
	CHECK(hwasid_release(&a, &b));
	CHECK_EQ(b.generation, 0);
	CHECK(!hwasid_release(&a, &b));
	CHECK_EQ(hwasid_get(&a, &c, &flush), 2); /* the search moves on... */
	struct hwasid_binding d = { 0 }, e = { 0 };
	CHECK_EQ(hwasid_get(&a, &d, &flush), 3);
	CHECK_EQ(hwasid_get(&a, &e, &flush), 1); /* ...and finds the released one */
	CHECK(!flush);
}

static void test_width_is_clamped(void)
{
	hwasid_init(&a, 0);
	CHECK_EQ(a.bits, 1);
	hwasid_init(&a, 40);
	CHECK_EQ(a.bits, 16);
}

/* A reference model: the plain next-fit search, bit by bit (what the allocator must equal). */
struct model {
	unsigned bits;
	uint32_t next;
	uint64_t generation;
	unsigned char used[1u << HWASID_MAX_BITS];
};

static uint32_t model_get(struct model *m, bool *flush)
{
	uint32_t limit = 1u << m->bits;
	*flush = false;
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t n = 0; n < limit; n++) {
			uint32_t asid = (m->next + n) % limit;
			if (asid && !m->used[asid]) {
				m->used[asid] = 1;
				m->next = asid + 1;
				return asid;
			}
		}
		memset(m->used, 0, sizeof(m->used)); /* rollover */
		m->next = 1;
		m->generation++;
		*flush = true;
	}
	return 0;
}

/* A small xorshift generator, so the random walk is the same on every run. */
static uint32_t rand_next(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return (uint32_t)(*state >> 11);
}

static struct model model;
static struct hwasid_binding many[1u << HWASID_MAX_BITS];

/* Random gets and releases over 300 bindings at every width agree with the model. */
static void test_matches_bit_by_bit_model_at_every_width(void)
{
	uint64_t rng = 0x9e3779b97f4a7c15ull;
	for (unsigned bits = 1; bits <= HWASID_MAX_BITS; bits++) {
		hwasid_init(&a, bits);
		memset(&model, 0, sizeof(model));
		model.bits = bits;
		model.next = 1;
		model.generation = 1;
		memset(many, 0, 300 * sizeof(many[0]));
		for (int step = 0; step < 4000; step++) {
			struct hwasid_binding *b = &many[rand_next(&rng) % 300];
			bool flush, mflush;
			if (rand_next(&rng) % 4 == 0) {
				bool current = b->generation == a.generation;
				if (current)
					model.used[b->asid] = 0;
				CHECK_EQ(hwasid_release(&a, b), current);
				continue;
			}
			if (b->generation == a.generation)
				continue; /* a current binding allocates nothing */
			uint32_t want = model_get(&model, &mflush);
			CHECK_EQ(hwasid_get(&a, b, &flush), want);
			CHECK_EQ(flush, mflush);
			CHECK_EQ(a.generation, model.generation);
		}
	}
}

/* With 16 bits nearly full, a released ASID is found again (the word scan wraps to it). */
static void test_sixteen_bits_full_finds_the_one_released(void)
{
	bool flush;
	hwasid_init(&a, 16);
	memset(many, 0, sizeof(many));
	for (uint32_t i = 1; i < (1u << 16); i++)
		CHECK_EQ(hwasid_get(&a, &many[i], &flush), i);
	CHECK(hwasid_release(&a, &many[40000]));
	struct hwasid_binding b = { 0 };
	CHECK_EQ(hwasid_get(&a, &b, &flush), 40000);
	CHECK(!flush);
	struct hwasid_binding c = { 0 };
	CHECK_EQ(hwasid_get(&a, &c, &flush), 1); /* all used: a new generation */
	CHECK(flush);
	CHECK_EQ(a.rollovers, 1);
}

/* Widths of exactly one word (6 bits) and of one word and a bit (7 bits). */
static void test_word_boundary_widths(void)
{
	bool flush;
	for (unsigned bits = 6; bits <= 7; bits++) {
		uint32_t limit = 1u << bits;
		hwasid_init(&a, bits);
		memset(many, 0, sizeof(many));
		for (uint32_t i = 1; i < limit; i++) {
			CHECK_EQ(hwasid_get(&a, &many[i], &flush), i);
			CHECK(!flush);
		}
		CHECK_EQ(hwasid_get(&a, &many[0], &flush), 1);
		CHECK(flush);
	}
}

/* A rollover clears only the words of the configured width, and frees all of them. */
static void test_rollover_clears_only_the_width(void)
{
	struct hwasid_binding b[16] = { { 0 } };
	bool flush;
	hwasid_init(&a, 4);
	a.used[1] = a.used[1023] = 0x5a; /* beyond the width: a rollover must not touch them */
	for (int i = 0; i < 16; i++)
		hwasid_get(&a, &b[i], &flush);
	CHECK_EQ(a.rollovers, 1);
	CHECK_EQ(a.used[1], 0x5a);
	CHECK_EQ(a.used[1023], 0x5a);
	for (int i = 1; i < 15; i++) { /* b[15] holds ASID 1 of the new generation */
		CHECK_EQ(hwasid_get(&a, &b[i], &flush), i + 1);
		CHECK(!flush);
	}
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "first_allocation_skips_asid_0", test_first_allocation_skips_asid_0 },
		{ "rollover_keeps_the_asids_other_cores_run",
		  test_rollover_keeps_the_asids_other_cores_run },
		{ "rollover_for_a_kept_binding_keeps_its_asid",
		  test_rollover_for_a_kept_binding_keeps_its_asid },
		{ "current_binding_is_reused_without_allocation",
		  test_current_binding_is_reused_without_allocation },
		{ "exhaustion_rolls_over_with_one_flush",
		  test_exhaustion_rolls_over_with_one_flush },
		{ "no_two_live_bindings_share_an_asid", test_no_two_live_bindings_share_an_asid },
		{ "release_frees_only_a_current_binding",
		  test_release_frees_only_a_current_binding },
		{ "width_is_clamped", test_width_is_clamped },
		{ "matches_bit_by_bit_model_at_every_width",
		  test_matches_bit_by_bit_model_at_every_width },
		{ "sixteen_bits_full_finds_the_one_released",
		  test_sixteen_bits_full_finds_the_one_released },
		{ "word_boundary_widths", test_word_boundary_widths },
		{ "rollover_clears_only_the_width", test_rollover_clears_only_the_width },
		{ NULL, NULL },
	};
	return check_main(tests);
}
