/*
 * ASIDs (docs/kernel-api-vspace.md, "ASIDs"): pools and their errors, what losing an ASID
 * does to a VSpace's threads, and (an opt-in suite: boot with `ktest=rollover asid_bits=4`,
 * tests/qemu/test_vspace_rollover.py) hardware ASID rollover under a hundred address spaces.
 */
#include <stdio.h>

#include "kt_as.h"
#include "ktest.h"

/* A new ASID pool from a fresh 4 KiB untyped; its slot (0 on failure) and first ASID. */
static cptr_t new_pool(uint64_t *base)
{
	cptr_t ut = kt_new(OBJ_UNTYPED, ASID_POOL_BITS), pool = kt_slot();
	if (!ut || !pool ||
	    !CHECK_OK(
		mica_asid_control_make_pool(SLOT_ASID_CONTROL, ut, SLOT_INIT_CNODE, pool, base)))
		return 0;
	return pool;
}

/*
 * A pool hands out exactly its 128 ASIDs, all distinct and in its range, then E_NOMEM;
 * ASID_CONTROL_MAKE_POOL makes a new pool, which goes on.
 */
static void pool_full_is_nomem_new_pool_continues(void)
{
	static uint8_t used[ASID_COUNT / 8];
	uint64_t base = 0, base2 = 0, asid = 0;
	cptr_t pool = new_pool(&base);
	REQUIRE(pool);
	CHECK_EQ(kt_identify(pool).type, CAP_ASID_POOL);
	CHECK_EQ(base % ASID_POOL_ENTRIES, 0);
	CHECK(base != 0);
	for (unsigned i = 0; i < sizeof(used); i++)
		used[i] = 0;
	for (unsigned i = 0; i < ASID_POOL_ENTRIES; i++) {
		cptr_t vs = kt_new(OBJ_VSPACE, 0);
		REQUIRE(vs);
		REQUIRE_OK(mica_asid_pool_assign(pool, vs, &asid));
		REQUIRE(CHECK(asid >= base && asid < base + ASID_POOL_ENTRIES));
		CHECK(!(used[asid / 8] & (1u << (asid % 8))));
		used[asid / 8] |= (uint8_t)(1u << (asid % 8));
	}
	cptr_t extra = kt_new(OBJ_VSPACE, 0);
	REQUIRE(extra);
	CHECK_ERR(mica_asid_pool_assign(pool, extra, &asid), E_NOMEM);
	cptr_t pool2 = new_pool(&base2);
	REQUIRE(pool2);
	CHECK(base2 != base);
	CHECK_OK(mica_asid_pool_assign(pool2, extra, &asid));
	CHECK(asid >= base2 && asid < base2 + ASID_POOL_ENTRIES);
}

/* Deleting a VSpace gives its ASID back: a full pool takes a new VSpace again. */
static void deleted_vspace_returns_asid_to_pool(void)
{
	uint64_t base = 0, asid = 0, last = 0;
	cptr_t pool = new_pool(&base), vs = 0;
	REQUIRE(pool);
	for (unsigned i = 0; i < ASID_POOL_ENTRIES; i++) {
		vs = kt_new(OBJ_VSPACE, 0);
		REQUIRE(vs);
		REQUIRE_OK(mica_asid_pool_assign(pool, vs, &last));
	}
	cptr_t extra = kt_new(OBJ_VSPACE, 0);
	REQUIRE(extra);
	CHECK_ERR(mica_asid_pool_assign(pool, extra, &asid), E_NOMEM);
	REQUIRE_OK(mica_cnode_delete(SLOT_INIT_CNODE, vs));
	CHECK_OK(mica_asid_pool_assign(pool, extra, &asid));
	CHECK_EQ(asid, last);
}

/* E_NOMEM: ASID_CONTROL_MAKE_POOL when all 512 pools exist (the boot pool and 511 more). */
static void make_pool_when_all_exist_is_nomem(void)
{
	const unsigned pools = ASID_COUNT / ASID_POOL_ENTRIES - 1;
	cptr_t big = kt_big_untyped(21); /* 512 pages: 511 pools and one more */
	REQUIRE(big);
	for (unsigned i = 0; i < pools; i++) {
		cptr_t ut = kt_new_in(big, OBJ_UNTYPED, ASID_POOL_BITS), dest = kt_slot();
		REQUIRE(ut && dest);
		REQUIRE_OK(mica_asid_control_make_pool(SLOT_ASID_CONTROL, ut, SLOT_INIT_CNODE, dest,
						       NULL));
	}
	cptr_t ut = kt_new_in(big, OBJ_UNTYPED, ASID_POOL_BITS), dest = kt_slot();
	REQUIRE(ut && dest);
	CHECK_ERR(mica_asid_control_make_pool(SLOT_ASID_CONTROL, ut, SLOT_INIT_CNODE, dest, NULL),
		  E_NOMEM);
	CHECK_EQ(kt_identify(dest).type, CAP_NULL);
}

/* E_BUSY: ASID_POOL_ASSIGN of a VSpace that has an ASID. */
static void pool_assign_twice_is_busy(void)
{
	cptr_t vs = kt_new(OBJ_VSPACE, 0);
	REQUIRE(vs);
	REQUIRE_OK(mica_asid_pool_assign(SLOT_INIT_ASID_POOL, vs, NULL));
	CHECK_ERR(mica_asid_pool_assign(SLOT_INIT_ASID_POOL, vs, NULL), E_BUSY);
}

/* E_TYPE: ASID_POOL_ASSIGN of something that is not a VSpace. */
static void pool_assign_non_vspace_is_type(void)
{
	cptr_t pt = kt_new(OBJ_PAGE_TABLE, 0);
	REQUIRE(pt);
	CHECK_ERR(mica_asid_pool_assign(SLOT_INIT_ASID_POOL, pt, NULL), E_TYPE);
}

/* A copy made after the ASID was assigned carries it: VSPACE_INFO and mapping work on it. */
static void vspace_copy_carries_asid(void)
{
	struct mica_vspace_info info;
	uint64_t asid = 0;
	cptr_t vs = kt_new(OBJ_VSPACE, 0), pt = kt_new(OBJ_PAGE_TABLE, 0);
	REQUIRE(vs && pt);
	REQUIRE_OK(mica_asid_pool_assign(SLOT_INIT_ASID_POOL, vs, &asid));
	cptr_t copy = kt_copy(vs, RIGHTS_ALL);
	REQUIRE(copy);
	REQUIRE_OK(mica_vspace_info(copy, &info));
	CHECK_EQ(info.asid, asid);
	CHECK_OK(mica_page_table_map(pt, copy, KT_SPACE_VA, NULL));
	CHECK_INFO(vs, 1, 0);
}

/* E_TYPE: a pool from a device untyped, or from something that is not an untyped. */
static void make_pool_from_non_ram_is_type(void)
{
	const struct bootinfo *bi = kt_bootinfo;
	cptr_t dev = 0, ep = kt_new(OBJ_ENDPOINT, 0), dest = kt_slot();
	for (uint64_t i = 0; i < bi->untyped.end - bi->untyped.start && !dev; i++) {
		if (bi->untyped_list[i].is_device)
			dev = bi->untyped.start + i;
	}
	REQUIRE(dev && ep && dest);
	cptr_t dev4k = kt_new_in(dev, OBJ_UNTYPED, ASID_POOL_BITS);
	REQUIRE(dev4k);
	CHECK_ERR(
	    mica_asid_control_make_pool(SLOT_ASID_CONTROL, dev4k, SLOT_INIT_CNODE, dest, NULL),
	    E_TYPE);
	CHECK_ERR(mica_asid_control_make_pool(SLOT_ASID_CONTROL, ep, SLOT_INIT_CNODE, dest, NULL),
		  E_TYPE);
	CHECK_EQ(kt_identify(dest).type, CAP_NULL);
}

/* E_INVAL: a pool from an untyped that is not exactly 4 KiB. */
static void make_pool_not_4k_is_inval(void)
{
	cptr_t ut = kt_new(OBJ_UNTYPED, ASID_POOL_BITS + 1), dest = kt_slot();
	REQUIRE(ut && dest);
	CHECK_ERR(mica_asid_control_make_pool(SLOT_ASID_CONTROL, ut, SLOT_INIT_CNODE, dest, NULL),
		  E_INVAL);
}

/* E_REVOKE_FIRST: a pool from an untyped that has children. */
static void make_pool_from_parent_untyped_is_revoke_first(void)
{
	cptr_t ut = kt_new(OBJ_UNTYPED, ASID_POOL_BITS), dest = kt_slot();
	REQUIRE(ut && dest && kt_new_in(ut, OBJ_ENDPOINT, 0));
	CHECK_ERR(mica_asid_control_make_pool(SLOT_ASID_CONTROL, ut, SLOT_INIT_CNODE, dest, NULL),
		  E_REVOKE_FIRST);
}

/* E_DELETE_FIRST: a pool into an occupied slot. */
static void make_pool_into_occupied_slot_is_delete_first(void)
{
	cptr_t ut = kt_new(OBJ_UNTYPED, ASID_POOL_BITS), dest = kt_new(OBJ_ENDPOINT, 0);
	REQUIRE(ut && dest);
	CHECK_ERR(mica_asid_control_make_pool(SLOT_ASID_CONTROL, ut, SLOT_INIT_CNODE, dest, NULL),
		  E_DELETE_FIRST);
}

static volatile uint64_t spins;

static void spin_yield(uint64_t arg)
{
	(void)arg;
	for (;;) {
		spins++;
		mica_yield();
	}
}

/*
 * Deleting an ASID pool takes the ASIDs of its VSpaces: a thread in one stops for good
 * (even when resumed), and its VSpace reports no ASID and takes no mapping (E_NOASID).
 */
static void deleted_pool_stops_threads_of_its_spaces(void)
{
	struct mica_vspace_info info;
	struct kt_thread t;
	struct kt_as as;
	uint64_t base;
	cptr_t pool = new_pool(&base), f = kt_new(OBJ_FRAME_4K, 0);
	REQUIRE(pool && f);
	REQUIRE_OK(kt_as_new(&as, 0, pool));
	struct kt_thread_opts o = { .prio = 100, .as = &as };
	spins = 0;
	REQUIRE_OK(kt_thread_new(&t, &o));
	REQUIRE_OK(kt_thread_start(&t, spin_yield, 0));
	REQUIRE_OK(mica_tcb_set_priority(SLOT_INIT_TCB, 100, PRIO_MAX));
	mica_yield();
	REQUIRE(CHECK_EQ(spins, 1));
	REQUIRE_OK(mica_cnode_delete(SLOT_INIT_CNODE, pool));
	mica_yield();
	CHECK_EQ(spins, 1);
	CHECK_OK(mica_tcb_resume(t.tcb));
	mica_yield();
	CHECK_EQ(spins, 1);
	REQUIRE_OK(mica_vspace_info(as.vspace, &info));
	CHECK_EQ(info.asid, 0);
	CHECK_ERR(mica_frame_map(f, as.vspace, KT_AS_PAGE + KT_PAGE, KT_RW), E_NOASID);
}

static const struct ktest tests[] = {
	{ "asid_pool_full_is_nomem_new_pool_continues", pool_full_is_nomem_new_pool_continues },
	{ "asid_deleted_vspace_returns_asid_to_pool", deleted_vspace_returns_asid_to_pool },
	{ "asid_make_pool_when_all_exist_is_nomem", make_pool_when_all_exist_is_nomem },
	{ "asid_pool_assign_twice_is_busy", pool_assign_twice_is_busy },
	{ "asid_pool_assign_non_vspace_is_type", pool_assign_non_vspace_is_type },
	{ "asid_vspace_copy_carries_asid", vspace_copy_carries_asid },
	{ "asid_make_pool_from_non_ram_is_type", make_pool_from_non_ram_is_type },
	{ "asid_make_pool_not_4k_is_inval", make_pool_not_4k_is_inval },
	{ "asid_make_pool_from_parent_untyped_is_revoke_first",
	  make_pool_from_parent_untyped_is_revoke_first },
	{ "asid_make_pool_into_occupied_slot_is_delete_first",
	  make_pool_into_occupied_slot_is_delete_first },
	{ "asid_deleted_pool_stops_threads_of_its_spaces",
	  deleted_pool_stops_threads_of_its_spaces },
};

const struct ktest_suite kt_suite_asid = KT_SUITE(tests);

#define ROLL_SPACES              100
#define ROLL_ROUNDS              50
#define ROLL_POOLS               2
#define ROLL_VALUE(space, round) (((uint64_t)(space) << 32) | 0xa5000000u | (round))

static volatile struct {
	uint64_t wrong[ROLL_SPACES]; /* reads that did not return the space's own value */
	uint64_t done[ROLL_SPACES];  /* rounds completed */
} roll;

/*
 * One space's thread: ROLL_ROUNDS times writes a value of its own at KT_AS_PAGE, yields
 * (every other space runs and writes the same address in its own space), and reads it back.
 */
static void roll_write_yield_read(uint64_t space)
{
	volatile uint64_t *word = (volatile uint64_t *)KT_AS_PAGE;
	for (uint64_t r = 0; r < ROLL_ROUNDS; r++) {
		*word = ROLL_VALUE(space, r);
		mica_yield();
		if (*word != ROLL_VALUE(space, r))
			roll.wrong[space]++;
		roll.done[space]++;
	}
}

/*
 * ASID rollover: ROLL_SPACES address spaces, one thread each, all at one priority, yield
 * round robin; each writes and re-reads a value of its own at the same virtual address
 * ROLL_ROUNDS times. No read may see another space's value, and the kernel must count
 * exactly the rollovers its allocator implies (kernel/arch/aarch64/hwasid.c):
 *
 * With U = 2^bits - 1 usable hardware ASIDs (1..U; 0 is never handed out), and only the
 * root's space run so far (ASID 1 of generation 1, checked below), the allocator's next
 * free ASID is 2. Every switch into a space whose ASID is of an older generation allocates
 * one; with 100 spaces in rotation and U < 99 (checked: the test needs a narrowed width),
 * every switch does (between two runs of a space, 99 allocations start at least one new
 * generation). Allocation k (k = 1, 2, ...)
 * takes ASID (k mod U) + 1 and starts a new generation exactly when k is a multiple of U:
 * allocations 1..U-1 take 2..U, allocation U finds none free, rolls over (one full TLB
 * invalidation) and takes 1; then 2..U again, and so on.
 *
 * The switches: each thread runs ROLL_ROUNDS + 1 times (up to its first yield, once per
 * later round, and once more to its end), always in the order the threads were started (a
 * timer preemption puts the preempted thread back first in line). After the last one the
 * settle waker runs in the root's space: one more allocation. So
 *   K = ROLL_SPACES * (ROLL_ROUNDS + 1) + 1 = 5101 switches and allocations,
 *   floor(K / U) rollovers: 340 for asid_bits=4 (U = 15), 5101 for asid_bits=1 (U = 1),
 * and the root ends with ASID (K mod U) + 1 in generation 1 + floor(K / U).
 *
 * QEMU drops its whole TLB whenever TTBR0's ASID changes, so only asid_bits=1 (every space
 * gets ASID 1: TTBR0 changes its table but not its ASID) makes the values depend on the
 * kernel's rollover invalidation; with wider ASIDs the counters show that it is issued.
 */
static void rollover_hundred_spaces_keep_their_values(void)
{
	static struct kt_as spaces[ROLL_SPACES];
	struct mica_vspace_info root;
	uint64_t base;
	cptr_t pools[ROLL_POOLS], big = kt_big_untyped(22);
	REQUIRE(big && kt_map_test_table());
	REQUIRE_OK(mica_vspace_info(SLOT_INIT_VSPACE, &root));
	REQUIRE(CHECK_EQ(root.hw_asid, 1) && CHECK_EQ(root.generation, 1) &&
		CHECK_EQ(kt_kstat(KSTAT_ASID_ROLLOVERS), 0));
	uint64_t usable = (1ull << kt_kstat(KSTAT_HW_ASID_BITS)) - 1;
	REQUIRE(CHECK(usable < ROLL_SPACES - 1) /* boot with asid_bits=N, 2^N - 1 < 99 */);
	uint64_t switches = ROLL_SPACES * (ROLL_ROUNDS + 1) + 1, rollovers = switches / usable;
	for (unsigned p = 0; p < ROLL_POOLS; p++)
		REQUIRE(pools[p] = new_pool(&base));
	for (unsigned i = 0; i < ROLL_SPACES; i++) {
		struct kt_thread t;
		struct kt_thread_opts o = { .prio = 100, .as = &spaces[i], .untyped = big };
		roll.wrong[i] = roll.done[i] = 0;
		REQUIRE_OK(kt_as_new(&spaces[i], big, pools[i % ROLL_POOLS]));
		REQUIRE_OK(kt_thread_new(&t, &o));
		REQUIRE_OK(kt_thread_start(&t, roll_write_yield_read, i));
	}
	uint64_t as_before = kt_kstat(KSTAT_AS_SWITCHES), all_before = kt_kstat(KSTAT_TLBI_ALL);
	kt_settle();
	uint64_t wrong = 0, done = 0;
	for (unsigned i = 0; i < ROLL_SPACES; i++) {
		wrong += roll.wrong[i];
		done += roll.done[i];
	}
	CHECK_EQ(done, ROLL_SPACES * ROLL_ROUNDS);
	CHECK_EQ(wrong, 0);
	CHECK_EQ(kt_kstat(KSTAT_AS_SWITCHES) - as_before, switches);
	CHECK_EQ(kt_kstat(KSTAT_ASID_ROLLOVERS), rollovers);
	CHECK_EQ(kt_kstat(KSTAT_TLBI_ALL) - all_before, rollovers);
	REQUIRE_OK(mica_vspace_info(SLOT_INIT_VSPACE, &root));
	CHECK_EQ(root.hw_asid, switches % usable + 1);
	CHECK_EQ(root.generation, 1 + rollovers);
	uint64_t pages_wrong = 0; /* each space's page, read through a mapping of the root's */
	for (unsigned i = 0; i < ROLL_SPACES; i++) {
		uint64_t va = KT_TEST_VA + i * KT_PAGE;
		REQUIRE_OK(mica_frame_map(kt_copy(spaces[i].page, RIGHTS_ALL), SLOT_INIT_VSPACE, va,
					  RIGHT_READ));
		pages_wrong += *(volatile uint64_t *)va != ROLL_VALUE(i, ROLL_ROUNDS - 1);
	}
	CHECK_EQ(pages_wrong, 0);
	printf("ktest: note rollover hw_asid_bits %lu switches %lu rollovers %lu\n",
	       (unsigned long)kt_kstat(KSTAT_HW_ASID_BITS), (unsigned long)switches,
	       (unsigned long)kt_kstat(KSTAT_ASID_ROLLOVERS));
}

/*
 * The same hundred spaces spread over every core (space i on core i mod cores), with the
 * width narrowed (boot with `ktest=smp_hundred asid_bits=N`): the cores switch and roll
 * over concurrently, each rollover keeping the ASIDs the other cores run (or, when those
 * are all there are, stopping them first). No read may see another space's value. The
 * rollover count depends on how the cores interleave, so only its lower bound is checked:
 * every switch allocates, and U allocations need at least one rollover.
 */
static void smp_spaces_on_all_cores_through_generations(void)
{
	static struct kt_as spaces[ROLL_SPACES];
	uint64_t base;
	struct mica_cpu_info ci = { 0 };
	mica_debug_cpu(&ci);
	unsigned cores = ci.ncpus;
	cptr_t pools[ROLL_POOLS], big = kt_big_untyped(22);
	REQUIRE(big && cores > 1);
	uint64_t usable = (1ull << kt_kstat(KSTAT_HW_ASID_BITS)) - 1;
	REQUIRE(CHECK(usable < ROLL_SPACES - 1) /* boot with asid_bits=N, 2^N - 1 < 99 */);
	uint64_t before = kt_kstat(KSTAT_ASID_ROLLOVERS);
	for (unsigned p = 0; p < ROLL_POOLS; p++)
		REQUIRE(pools[p] = new_pool(&base));
	for (unsigned i = 0; i < ROLL_SPACES; i++) {
		struct kt_thread t;
		struct kt_thread_opts o = { .prio = 100, .as = &spaces[i], .untyped = big };
		roll.wrong[i] = roll.done[i] = 0;
		REQUIRE_OK(kt_as_new(&spaces[i], big, pools[i % ROLL_POOLS]));
		REQUIRE_OK(kt_thread_new(&t, &o));
		REQUIRE_OK(mica_tcb_set_affinity(t.tcb, i % cores));
		REQUIRE_OK(kt_thread_start(&t, roll_write_yield_read, i));
	}
	kt_settle(); /* core 0's threads */
	uint64_t done = 0, wrong = 0;
	for (unsigned spin = 0; spin < 1000000000u; spin++) {
		done = wrong = 0;
		for (unsigned i = 0; i < ROLL_SPACES; i++) {
			done += roll.done[i];
			wrong += roll.wrong[i];
		}
		if (done == ROLL_SPACES * ROLL_ROUNDS)
			break;
	}
	CHECK_EQ(done, ROLL_SPACES * ROLL_ROUNDS);
	CHECK_EQ(wrong, 0);
	uint64_t rollovers = kt_kstat(KSTAT_ASID_ROLLOVERS) - before;
	CHECK(rollovers >= ROLL_SPACES * ROLL_ROUNDS / usable / cores);
	printf("ktest: note smp_generations cores %u hw_asid_bits %lu rollovers %lu wrong %lu\n",
	       cores, (unsigned long)kt_kstat(KSTAT_HW_ASID_BITS), (unsigned long)rollovers,
	       (unsigned long)wrong);
}

static const struct ktest smp_rollover_tests[] = {
	{ "smp_hundred_spaces_on_all_cores_through_asid_generations",
	  smp_spaces_on_all_cores_through_generations },
};

const struct ktest_suite kt_suite_smp_rollover = { smp_rollover_tests, 1, true, 2 };

static const struct ktest rollover_tests[] = {
	{ "rollover_hundred_address_spaces_keep_their_values",
	  rollover_hundred_spaces_keep_their_values },
};

const struct ktest_suite kt_suite_asid_rollover = KT_SUITE_OPT_IN(rollover_tests);
