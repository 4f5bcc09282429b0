/*
 * What the kernel reports about address spaces (docs/kernel-api-vspace.md): FRAME_GET_ADDRESS,
 * VSPACE_INFO's figures after known sequences, VSPACE_WALK's list of mappings, hardware ASIDs,
 * and the kernel counters of address-space switches and faults.
 */
#include "kt_as.h"
#include "ktest.h"

/* FRAME_GET_ADDRESS: the frame's address and size, and where it is mapped (0 when not). */
static void frame_get_address_reports_mapping(void)
{
	struct mica_frame_info fi;
	struct kt_test_page p;
	REQUIRE(kt_map_test_page(KT_RW, &p));
	REQUIRE_OK(mica_frame_get_address(p.frame, &fi));
	CHECK_EQ(fi.paddr, kt_identify(p.frame).paddr);
	CHECK_EQ(fi.size_bits, 12);
	CHECK_EQ(fi.mapped_vaddr, KT_TEST_VA);
	CHECK_EQ(fi.mapped_asid, 1);
	REQUIRE_OK(mica_frame_unmap(p.frame));
	REQUIRE_OK(mica_frame_get_address(p.frame, &fi));
	CHECK_EQ(fi.mapped_vaddr, 0);
	CHECK_EQ(fi.mapped_asid, 0);
}

/* VSPACE_INFO after a known sequence of maps and unmaps: tables and 4 KiB pages exactly. */
static void info_counts_tables_and_pages(void)
{
	cptr_t big = kt_big_untyped(22);
	cptr_t block = big ? kt_new_in(big, OBJ_FRAME_2M, 0) : 0;
	cptr_t vs = kt_new(OBJ_VSPACE, 0), f[3], l3b = kt_new(OBJ_PAGE_TABLE, 0);
	cptr_t l3 = 0, fb = kt_new(OBJ_FRAME_4K, 0);
	struct mica_vspace_info info;
	uint64_t asid = 0;
	REQUIRE(block && vs && l3b && fb);
	REQUIRE_OK(mica_asid_pool_assign(SLOT_INIT_ASID_POOL, vs, &asid));
	REQUIRE_OK(mica_vspace_info(vs, &info));
	CHECK_EQ(info.asid, asid);
	CHECK_INFO(vs, 0, 0);
	for (unsigned level = 1; level <= 3; level++) {
		l3 = kt_new(OBJ_PAGE_TABLE, 0);
		REQUIRE(l3);
		REQUIRE_OK(mica_page_table_map(l3, vs, KT_SPACE_VA, NULL));
		CHECK_INFO(vs, level, 0);
	}
	for (unsigned i = 0; i < 3; i++) {
		f[i] = kt_new(OBJ_FRAME_4K, 0);
		REQUIRE(f[i]);
		REQUIRE_OK(mica_frame_map(f[i], vs, KT_SPACE_VA + i * KT_PAGE, KT_RW));
	}
	CHECK_INFO(vs, 3, 3);
	REQUIRE_OK(mica_frame_map(block, vs, KT_SPACE_VA + 2 * KT_BLOCK, KT_RW));
	CHECK_INFO(vs, 3, 515);
	REQUIRE_OK(mica_page_table_map(l3b, vs, KT_SPACE_VA + KT_BLOCK, NULL));
	REQUIRE_OK(mica_frame_map(fb, vs, KT_SPACE_VA + KT_BLOCK, RIGHT_READ));
	CHECK_INFO(vs, 4, 516);
	REQUIRE_OK(mica_frame_unmap(f[0]));
	CHECK_INFO(vs, 4, 515);
	REQUIRE_OK(mica_frame_unmap(block));
	CHECK_INFO(vs, 4, 3);
	REQUIRE_OK(mica_page_table_unmap(l3)); /* takes f[1] and f[2] with it */
	CHECK_INFO(vs, 3, 1);
	REQUIRE_OK(mica_cnode_delete(SLOT_INIT_CNODE, l3b)); /* and fb */
	CHECK_INFO(vs, 2, 0);
}

/* The root's VSpace: ASID 1, the boot tables, and its image, boot-info and IPC pages. */
static void info_root_counts_boot_mappings(void)
{
	const struct bootinfo *bi = kt_bootinfo;
	struct mica_vspace_info info;
	REQUIRE_OK(mica_vspace_info(SLOT_INIT_VSPACE, &info));
	CHECK_EQ(info.asid, 1);
	CHECK(info.hw_asid != 0);
	CHECK(info.generation != 0);
	CHECK_EQ(info.table_pages, bi->page_tables.end - bi->page_tables.start);
	CHECK_EQ(info.mapped_pages, bi->image_frames.end - bi->image_frames.start + 2);
}

#define WALK_PAGES 31

/* The rights the walk test maps page i with. */
static unsigned walk_rights(unsigned i)
{
	static const unsigned rights[3] = { RIGHT_READ, KT_RW, KT_RX };
	return rights[i % 3];
}

/* Checks one reported mapping against what was mapped. */
#define CHECK_MAPPING(got, va, pa, bits, r)       \
	do {                                      \
		CHECK_EQ((got)->vaddr, (va));     \
		CHECK_EQ((got)->paddr, (pa));     \
		CHECK_EQ((got)->size_bits, bits); \
		CHECK_EQ((got)->rights, (r));     \
	} while (0)

/*
 * VSPACE_WALK lists exactly the mappings made, in address order, with physical address,
 * size and rights: 31 pages and one block take a full call of 29 and a second of 3.
 */
static void walk_lists_exactly_the_mappings(void)
{
	struct mica_mapping map[VSPACE_WALK_MAX];
	uint64_t pa[WALK_PAGES], next = 0;
	unsigned n = 0;
	cptr_t big = kt_big_untyped(22);
	cptr_t block = big ? kt_new_in(big, OBJ_FRAME_2M, 0) : 0;
	cptr_t vs = kt_space_with_tables();
	REQUIRE(block && vs);
	for (unsigned i = 0; i < WALK_PAGES; i++) {
		cptr_t f = kt_new(OBJ_FRAME_4K, 0);
		REQUIRE(f);
		pa[i] = kt_identify(f).paddr;
		REQUIRE_OK(mica_frame_map(f, vs, KT_SPACE_VA + i * KT_PAGE, walk_rights(i)));
	}
	REQUIRE_OK(mica_frame_map(block, vs, KT_SPACE_VA + 4 * KT_BLOCK, RIGHT_READ));
	REQUIRE_OK(mica_vspace_walk(vs, 0, map, VSPACE_WALK_MAX, &n, &next));
	REQUIRE(CHECK_EQ(n, VSPACE_WALK_MAX));
	CHECK_EQ(next, KT_SPACE_VA + VSPACE_WALK_MAX * KT_PAGE);
	for (unsigned i = 0; i < VSPACE_WALK_MAX; i++)
		CHECK_MAPPING(&map[i], KT_SPACE_VA + i * KT_PAGE, pa[i], 12, walk_rights(i));
	REQUIRE_OK(mica_vspace_walk(vs, next, map, VSPACE_WALK_MAX, &n, &next));
	REQUIRE(CHECK_EQ(n, 3));
	CHECK_EQ(next, 0);
	for (unsigned i = VSPACE_WALK_MAX; i < WALK_PAGES; i++)
		CHECK_MAPPING(&map[i - VSPACE_WALK_MAX], KT_SPACE_VA + i * KT_PAGE, pa[i], 12,
			      walk_rights(i));
	CHECK_MAPPING(&map[2], KT_SPACE_VA + 4 * KT_BLOCK, kt_identify(block).paddr, 21,
		      RIGHT_READ);
}

/* What a thread in a test space saw while it ran: its own VSpace, the root's, and the
 * rollovers so far. */
static struct {
	struct mica_vspace_info own, root;
	uint64_t rollovers;
} running;

static void read_info_while_running(uint64_t vspace)
{
	mica_vspace_info(vspace, &running.own);
	mica_vspace_info(SLOT_INIT_VSPACE, &running.root);
	running.rollovers = kt_kstat(KSTAT_ASID_ROLLOVERS);
}

/*
 * A fresh VSpace has no hardware ASID; while a thread runs in it, it has one of the current
 * generation (the root's, unless switching in began a new one), other than the root's.
 */
static void hw_asid_given_when_space_runs(void)
{
	struct mica_vspace_info root, before;
	struct kt_thread t;
	struct kt_as as;
	REQUIRE_OK(kt_as_new(&as, 0, SLOT_INIT_ASID_POOL));
	REQUIRE_OK(mica_vspace_info(as.vspace, &before));
	CHECK_EQ(before.asid, as.asid);
	CHECK_EQ(before.hw_asid, 0);
	CHECK_EQ(before.generation, 0);
	struct kt_thread_opts o = { .prio = 100, .as = &as, .ipc = true };
	REQUIRE_OK(kt_thread_new(&t, &o));
	REQUIRE_OK(mica_vspace_info(SLOT_INIT_VSPACE, &root));
	uint64_t rollovers = kt_kstat(KSTAT_ASID_ROLLOVERS);
	running.own.hw_asid = running.root.hw_asid = 0;
	REQUIRE_OK(kt_thread_start(&t, read_info_while_running, as.vspace));
	kt_settle();
	CHECK_EQ(running.own.asid, as.asid);
	CHECK(running.own.hw_asid != 0);
	CHECK(running.own.hw_asid != running.root.hw_asid);
	CHECK_EQ(running.own.generation, root.generation + running.rollovers - rollovers);
}

/* A thread of another space running in between: TTBR0 written twice (there and back). */
static void switch_to_other_space_writes_ttbr0_twice(void)
{
	struct mica_msg m;
	struct kt_as as;
	REQUIRE_OK(kt_as_new(&as, 0, SLOT_INIT_ASID_POOL));
	uint64_t before = kt_kstat(KSTAT_AS_SWITCHES);
	CHECK_EQ(kt_probe(kt_do_nothing, 0, &as, &m), 0);
	CHECK_EQ(kt_kstat(KSTAT_AS_SWITCHES) - before, 2);
}

/* Threads of one space switching (root, helper, settle waker, root): no TTBR0 write. */
static void switch_within_space_writes_no_ttbr0(void)
{
	struct kt_thread t;
	REQUIRE_OK(kt_spawn(&t, 100, false, kt_do_nothing, 0));
	uint64_t as_before = kt_kstat(KSTAT_AS_SWITCHES);
	uint64_t cs_before = kt_kstat(KSTAT_CONTEXT_SWITCHES);
	kt_settle();
	CHECK_EQ(kt_kstat(KSTAT_CONTEXT_SWITCHES) - cs_before, 3);
	CHECK_EQ(kt_kstat(KSTAT_AS_SWITCHES) - as_before, 0);
}

/* Each fault delivered counts once in KSTAT_FAULTS. */
static void fault_counter_counts_each_fault(void)
{
	struct mica_msg m;
	uint64_t before = kt_kstat(KSTAT_FAULTS);
	CHECK_EQ(kt_probe(kt_probe_load, KT_UNMAPPED_ADDR, NULL, &m), FAULT_LABEL(FAULT_VM));
	CHECK_EQ(kt_kstat(KSTAT_FAULTS) - before, 1);
}

static const struct ktest tests[] = {
	{ "vspace_frame_get_address_reports_mapping", frame_get_address_reports_mapping },
	{ "vspace_info_counts_tables_and_pages", info_counts_tables_and_pages },
	{ "vspace_info_root_counts_boot_mappings", info_root_counts_boot_mappings },
	{ "vspace_walk_lists_exactly_the_mappings", walk_lists_exactly_the_mappings },
	{ "vspace_hw_asid_given_when_space_runs", hw_asid_given_when_space_runs },
	{ "vspace_switch_to_other_space_writes_ttbr0_twice",
	  switch_to_other_space_writes_ttbr0_twice },
	{ "vspace_switch_within_space_writes_no_ttbr0", switch_within_space_writes_no_ttbr0 },
	{ "vspace_fault_counter_counts_each_fault", fault_counter_counts_each_fault },
};

const struct ktest_suite kt_suite_vspace_info = KT_SUITE(tests);
