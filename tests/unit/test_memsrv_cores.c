/*
 * Host tests for memsrv's placement of threads on cores (servers/memsrv/cores.c): the
 * least-loaded rule with memsrv counted on core 0, ties broken round the cores, explicit
 * cores and their range check, memsrv.core, and loads given back.
 */
#include <mica/errors.h>
#include <mica/memsrv.h>
#include <stdint.h>

#include "../../servers/memsrv/cores.h"
#include "check.h"

CHECK_DEFINE_GLOBALS;

/* Picks a default placement and counts it; returns the core. */
static unsigned place(struct cores *c)
{
	unsigned core = 99;
	CHECK_EQ(cores_pick(c, 0, &core), E_OK);
	cores_take(c, core);
	return core;
}

static void test_new_threads_go_round_the_cores_memsrv_counted_on_0(void)
{
	struct cores c;
	cores_init(&c, 4, -1);
	CHECK_EQ(place(&c), 1);
	CHECK_EQ(place(&c), 2);
	CHECK_EQ(place(&c), 3);
	CHECK_EQ(place(&c), 0); /* every core has one now */
	CHECK_EQ(place(&c), 1);
	CHECK_EQ(c.load[0], 2);
	CHECK_EQ(c.load[1], 2);
}

static void test_the_least_loaded_core_wins(void)
{
	struct cores c;
	cores_init(&c, 4, -1);
	for (unsigned i = 0; i < 7; i++)
		place(&c); /* loads 2 2 2 2 */
	cores_give(&c, 2);
	cores_give(&c, 2);
	CHECK_EQ(place(&c), 2);
	CHECK_EQ(place(&c), 2);
	CHECK_EQ(c.load[2], 2);
}

static void test_an_explicit_core_is_kept_and_checked(void)
{
	struct cores c;
	unsigned core = 99;
	cores_init(&c, 2, -1);
	CHECK_EQ(cores_pick(&c, MEMSRV_CORE(1), &core), E_OK);
	CHECK_EQ(core, 1);
	CHECK_EQ(cores_pick(&c, MEMSRV_CORE(0), &core), E_OK);
	CHECK_EQ(core, 0);
	core = 99;
	CHECK_EQ(cores_pick(&c, MEMSRV_CORE(2), &core), E_RANGE);
	CHECK_EQ(cores_pick(&c, MEMSRV_CORE(255), &core), E_RANGE);
	CHECK_EQ(core, 99);
	CHECK_EQ(c.load[0] + c.load[1], 1); /* picking counts nothing */
}

static void test_one_core_places_everything_on_0(void)
{
	struct cores c;
	cores_init(&c, 1, -1);
	for (unsigned i = 0; i < 5; i++)
		CHECK_EQ(place(&c), 0);
	unsigned core;
	CHECK_EQ(cores_pick(&c, MEMSRV_CORE(1), &core), E_RANGE);
	cores_init(&c, 0, -1); /* a kernel that said 0 is treated as one core */
	CHECK_EQ(c.online, 1);
	cores_init(&c, 100, -1);
	CHECK_EQ(c.online, CORES_MAX);
}

static void test_memsrv_core_fixes_the_default_but_not_explicit_requests(void)
{
	struct cores c;
	unsigned core;
	cores_init(&c, 4, 3);
	CHECK_EQ(place(&c), 3);
	CHECK_EQ(place(&c), 3);
	CHECK_EQ(cores_pick(&c, MEMSRV_CORE(1), &core), E_OK);
	CHECK_EQ(core, 1);
	cores_init(&c, 2, 5); /* not online: core 0 */
	CHECK_EQ(c.fixed, 0);
	CHECK_EQ(place(&c), 0);
}

static void test_give_never_goes_below_zero_or_past_the_cores(void)
{
	struct cores c;
	cores_init(&c, 2, -1);
	cores_give(&c, 1);
	CHECK_EQ(c.load[1], 0);
	cores_give(&c, 7);
	cores_take(&c, 7);
	CHECK_EQ(c.load[0], 1);
	CHECK_EQ(c.load[1], 0);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "new_threads_go_round_the_cores_memsrv_counted_on_0",
		  test_new_threads_go_round_the_cores_memsrv_counted_on_0 },
		{ "the_least_loaded_core_wins", test_the_least_loaded_core_wins },
		{ "an_explicit_core_is_kept_and_checked",
		  test_an_explicit_core_is_kept_and_checked },
		{ "one_core_places_everything_on_0", test_one_core_places_everything_on_0 },
		{ "memsrv_core_fixes_the_default_but_not_explicit_requests",
		  test_memsrv_core_fixes_the_default_but_not_explicit_requests },
		{ "give_never_goes_below_zero_or_past_the_cores",
		  test_give_never_goes_below_zero_or_past_the_cores },
		{ NULL, NULL },
	};
	return check_main(tests);
}
