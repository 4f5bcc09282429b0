/*
 * Host tests for memsrv's placement generator (servers/memsrv/rng.c): xorshift64* seeded
 * through splitmix64. The expected values were computed independently (Python, from the
 * published algorithms), so a change to the constants or shifts shows here.
 */
#include <stdint.h>

#include "../../servers/memsrv/rng.h"
#include "check.h"

CHECK_DEFINE_GLOBALS;

static void test_seed_1_gives_the_reference_sequence(void)
{
	struct rng r;
	rng_seed(&r, 1);
	CHECK_EQ(rng_next(&r), 0x4b46a55df3611b9bull);
	CHECK_EQ(rng_next(&r), 0xd7e1f1410e763ef4ull);
	CHECK_EQ(rng_next(&r), 0x5f14ec66975f9b06ull);
}

static void test_same_seed_same_sequence(void)
{
	struct rng a, b;
	rng_seed(&a, 0xdeadbeef);
	rng_seed(&b, 0xdeadbeef);
	for (int i = 0; i < 1000; i++)
		CHECK_EQ(rng_next(&a), rng_next(&b));
}

static void test_neighbouring_seeds_differ_at_once(void)
{
	for (uint64_t s = 0; s < 64; s++) {
		struct rng a, b;
		rng_seed(&a, s);
		rng_seed(&b, s + 1);
		CHECK(rng_next(&a) != rng_next(&b));
	}
}

static void test_seed_0_and_all_ones_work(void)
{
	struct rng r;
	rng_seed(&r, 0);
	CHECK(r.state != 0);
	CHECK(rng_next(&r) != 0);
	rng_seed(&r, ~0ull);
	CHECK(r.state != 0);
	for (int i = 0; i < 1000; i++) {
		rng_next(&r);
		CHECK(r.state != 0);
	}
}

/* Placement takes the value modulo up to 2^28 candidates: every low bit must be used. */
static void test_low_bits_are_evenly_spread(void)
{
	enum { BUCKETS = 16, DRAWS = 160000 };
	unsigned count[BUCKETS] = { 0 };
	struct rng r;
	rng_seed(&r, 42);
	for (int i = 0; i < DRAWS; i++)
		count[rng_next(&r) % BUCKETS]++;
	for (int i = 0; i < BUCKETS; i++) {
		/* 10000 expected; 5 standard deviations is about 490. */
		CHECK(count[i] > 9500 && count[i] < 10500);
	}
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "seed_1_gives_the_reference_sequence", test_seed_1_gives_the_reference_sequence },
		{ "same_seed_same_sequence", test_same_seed_same_sequence },
		{ "neighbouring_seeds_differ_at_once", test_neighbouring_seeds_differ_at_once },
		{ "seed_0_and_all_ones_work", test_seed_0_and_all_ones_work },
		{ "low_bits_are_evenly_spread", test_low_bits_are_evenly_spread },
		{ NULL, NULL },
	};
	return check_main(tests);
}
