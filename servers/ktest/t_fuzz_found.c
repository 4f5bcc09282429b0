/*
 * Kernel defects the kernel fuzzer (servers/kfuzz, docs/fuzzing.md) found, each as the
 * shortest sequence of calls that showed it.
 */
#include "kt_as.h"
#include "ktest.h"

/* Fills a frame of the root's (unmapped) with ~0 words through a mapping at KT_TEST_VA:
 * to a table walk every word looks like a valid table descriptor. */
static bool fill_with_ones(cptr_t frame)
{
	if (!CHECK_OK(mica_frame_map(frame, SLOT_INIT_VSPACE, KT_TEST_VA, KT_RW)))
		return false;
	volatile uint64_t *w = (volatile uint64_t *)KT_TEST_VA;
	for (unsigned i = 0; i < KT_PAGE / 8; i++)
		w[i] = ~0ull;
	return CHECK_OK(mica_frame_unmap(frame));
}

/*
 * A VSpace whose ASID pool is deleted lives on without an ASID; its tables must not stay
 * linked in it, for their capabilities can no longer find it: deleting them would free
 * memory the VSpace still points to. Found as a kernel data abort in VSPACE_WALK (seed
 * 1000, call 1236963) after the freed tables' memory was reused.
 */
static void asid_pool_deleted_vspace_links_no_freed_table(void)
{
	uint64_t base, asid;
	struct mica_mapping m;
	unsigned n = ~0u;
	uint64_t next = 1;
	cptr_t ut4k = kt_new(OBJ_UNTYPED, ASID_POOL_BITS), pool = kt_slot();
	cptr_t tables = kt_big_untyped(16), vs = kt_new(OBJ_VSPACE, 0);
	REQUIRE(ut4k && pool && tables && vs && kt_map_test_table());
	REQUIRE_OK(
	    mica_asid_control_make_pool(SLOT_ASID_CONTROL, ut4k, SLOT_INIT_CNODE, pool, &base));
	REQUIRE_OK(mica_asid_pool_assign(pool, vs, &asid));
	for (unsigned level = 1; level <= 3; level++)
		REQUIRE_OK(mica_page_table_map(kt_new_in(tables, OBJ_PAGE_TABLE, 0), vs,
					       KT_SPACE_VA, NULL));
	REQUIRE_OK(mica_frame_map(kt_new_in(tables, OBJ_FRAME_4K, 0), vs, KT_SPACE_VA, KT_RW));
	REQUIRE_OK(mica_cnode_delete(SLOT_INIT_CNODE, pool));
	REQUIRE_OK(mica_cnode_revoke(SLOT_INIT_CNODE, tables)); /* tables and frame freed */
	for (unsigned i = 0; i < 4; i++) /* their memory reused, as frames full of ~0 */
		REQUIRE(fill_with_ones(kt_new_in(tables, OBJ_FRAME_4K, 0)));
	CHECK_INFO(vs, 0, 0);
	CHECK_OK(mica_vspace_walk(vs, 0, &m, 1, &n, &next));
	CHECK_EQ(n, 0);
	CHECK_EQ(next, 0);
}

static const struct ktest tests[] = {
	{ "asid_pool_deleted_vspace_links_no_freed_table",
	  asid_pool_deleted_vspace_links_no_freed_table },
};

const struct ktest_suite kt_suite_fuzz_found = KT_SUITE(tests);
