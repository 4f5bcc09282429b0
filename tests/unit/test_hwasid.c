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
		{ NULL, NULL },
	};
	return check_main(tests);
}
