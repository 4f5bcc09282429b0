/*
 * Every error of FRAME_MAP, FRAME_REMAP, PAGE_TABLE_MAP and VSPACE_WALK
 * (docs/kernel-api-vspace.md): each provoked on its own, with the exact code, and nothing
 * changed afterwards.
 */
#include "kt_as.h"
#include "ktest.h"

#define KERNEL_VA   0xffff000040000000ull /* in the kernel half */
#define USER_VA_END (1ull << 48)

/* E_RANGE: a frame at a kernel-half address, or at 2^48 and above. */
static void err_range_frame_map_outside_user_half(void)
{
	cptr_t f = kt_new(OBJ_FRAME_4K, 0);
	REQUIRE(f);
	CHECK_ERR(mica_frame_map(f, SLOT_INIT_VSPACE, KERNEL_VA, KT_RW), E_RANGE);
	CHECK_ERR(mica_frame_map(f, SLOT_INIT_VSPACE, USER_VA_END, KT_RW), E_RANGE);
	CHECK_EQ(kt_identify(f).type, CAP_FRAME);
}

/* E_RANGE: a 2 MiB frame that would run past the end of the user half. */
static void err_range_frame_map_2m_past_user_end(void)
{
	cptr_t big = kt_big_untyped(22);
	cptr_t f = big ? kt_new_in(big, OBJ_FRAME_2M, 0) : 0;
	REQUIRE(f);
	CHECK_ERR(mica_frame_map(f, SLOT_INIT_VSPACE, USER_VA_END - KT_PAGE, KT_RW), E_RANGE);
}

/* E_ALIGN: a 4 KiB frame at an address that is not page aligned. */
static void err_align_frame_map_4k_misaligned(void)
{
	cptr_t f = kt_new(OBJ_FRAME_4K, 0);
	REQUIRE(kt_map_test_table() && f);
	CHECK_ERR(mica_frame_map(f, SLOT_INIT_VSPACE, KT_TEST_VA + 8, KT_RW), E_ALIGN);
	CHECK(!kt_root_maps(KT_TEST_VA));
}

/* E_ALIGN: a 2 MiB frame at an address that is page but not 2 MiB aligned. */
static void err_align_frame_map_2m_misaligned(void)
{
	cptr_t big = kt_big_untyped(22);
	cptr_t f = big ? kt_new_in(big, OBJ_FRAME_2M, 0) : 0;
	REQUIRE(f);
	CHECK_ERR(mica_frame_map(f, SLOT_INIT_VSPACE, KT_BLOCK_VA + KT_PAGE, KT_RW), E_ALIGN);
}

/* E_NOTABLE: no L3 table on the walk to the address. */
static void err_notable_frame_map_without_l3_table(void)
{
	cptr_t f = kt_new(OBJ_FRAME_4K, 0);
	REQUIRE(f);
	CHECK_ERR(mica_frame_map(f, SLOT_INIT_VSPACE, KT_TEST_VA, KT_RW), E_NOTABLE);
	CHECK_EQ(kt_identify(f).type, CAP_FRAME);
}

/* E_DELETE_FIRST: the page is mapped already (by another frame). */
static void err_delete_first_frame_map_occupied(void)
{
	struct kt_test_page p;
	cptr_t f = kt_new(OBJ_FRAME_4K, 0);
	REQUIRE(kt_map_test_page(KT_RW, &p) && f);
	CHECK_ERR(mica_frame_map(f, SLOT_INIT_VSPACE, KT_TEST_VA, KT_RW), E_DELETE_FIRST);
	struct mica_frame_info fi;
	REQUIRE_OK(mica_frame_get_address(f, &fi));
	CHECK_EQ(fi.mapped_asid, 0);
}

/* E_DELETE_FIRST: a 4 KiB frame where a 2 MiB block maps the range. */
static void err_delete_first_frame_map_inside_block(void)
{
	cptr_t big = kt_big_untyped(22);
	cptr_t block = big ? kt_new_in(big, OBJ_FRAME_2M, 0) : 0;
	cptr_t f = kt_new(OBJ_FRAME_4K, 0);
	REQUIRE(block && f);
	REQUIRE_OK(mica_frame_map(block, SLOT_INIT_VSPACE, KT_BLOCK_VA, KT_RW));
	CHECK_ERR(mica_frame_map(f, SLOT_INIT_VSPACE, KT_BLOCK_VA + KT_PAGE, KT_RW),
		  E_DELETE_FIRST);
}

/* E_DELETE_FIRST: a 2 MiB frame where an L3 table is installed. */
static void err_delete_first_frame_map_2m_over_table(void)
{
	cptr_t big = kt_big_untyped(22);
	cptr_t block = big ? kt_new_in(big, OBJ_FRAME_2M, 0) : 0;
	REQUIRE(kt_map_test_table() && block);
	CHECK_ERR(mica_frame_map(block, SLOT_INIT_VSPACE, KT_TEST_VA, KT_RW), E_DELETE_FIRST);
}

/* E_MAPPED: a frame capability already mapped, at another address or in another space. */
static void err_mapped_frame_map_mapped_cap(void)
{
	struct kt_test_page p;
	cptr_t vs = kt_space_with_tables();
	REQUIRE(kt_map_test_page(KT_RW, &p) && vs);
	CHECK_ERR(mica_frame_map(p.frame, SLOT_INIT_VSPACE, KT_TEST_VA + KT_PAGE, KT_RW), E_MAPPED);
	CHECK_ERR(mica_frame_map(p.frame, vs, KT_SPACE_VA, KT_RW), E_MAPPED);
	CHECK(!kt_root_maps(KT_TEST_VA + KT_PAGE));
}

/* E_TYPE: the VSpace argument names an endpoint. */
static void err_type_frame_map_into_endpoint(void)
{
	cptr_t f = kt_new(OBJ_FRAME_4K, 0), ep = kt_new(OBJ_ENDPOINT, 0);
	REQUIRE(kt_map_test_table() && f && ep);
	CHECK_ERR(mica_frame_map(f, ep, KT_TEST_VA, KT_RW), E_TYPE);
}

/* E_NOASID: a VSpace that has no ASID yet. */
static void err_noasid_frame_map_into_space_without_asid(void)
{
	cptr_t f = kt_new(OBJ_FRAME_4K, 0), vs = kt_new(OBJ_VSPACE, 0);
	REQUIRE(f && vs);
	CHECK_ERR(mica_frame_map(f, vs, KT_SPACE_VA, KT_RW), E_NOASID);
}

/* E_RIGHTS: asking for write (or execute) through a capability that lacks it. */
static void err_rights_frame_map_beyond_cap(void)
{
	cptr_t f = kt_new(OBJ_FRAME_4K, 0);
	REQUIRE(kt_map_test_table() && f);
	cptr_t ro = kt_copy(f, RIGHT_READ);
	REQUIRE(ro);
	CHECK_ERR(mica_frame_map(ro, SLOT_INIT_VSPACE, KT_TEST_VA, KT_RW), E_RIGHTS);
	CHECK_ERR(mica_frame_map(ro, SLOT_INIT_VSPACE, KT_TEST_VA, KT_RX), E_RIGHTS);
	CHECK_OK(mica_frame_map(ro, SLOT_INIT_VSPACE, KT_TEST_VA, RIGHT_READ));
}

/* E_WX: writable and executable together. */
static void err_wx_frame_map_write_exec(void)
{
	cptr_t f = kt_new(OBJ_FRAME_4K, 0);
	REQUIRE(kt_map_test_table() && f);
	CHECK_ERR(mica_frame_map(f, SLOT_INIT_VSPACE, KT_TEST_VA, KT_RW | RIGHT_EXEC), E_WX);
	CHECK(!kt_root_maps(KT_TEST_VA));
}

/* E_INVAL: no rights, write or execute without read, or a bit that is not R, W or X. */
static void err_inval_frame_map_bad_rights(void)
{
	cptr_t f = kt_new(OBJ_FRAME_4K, 0);
	REQUIRE(kt_map_test_table() && f);
	CHECK_ERR(mica_frame_map(f, SLOT_INIT_VSPACE, KT_TEST_VA, 0), E_INVAL);
	CHECK_ERR(mica_frame_map(f, SLOT_INIT_VSPACE, KT_TEST_VA, RIGHT_WRITE), E_INVAL);
	CHECK_ERR(mica_frame_map(f, SLOT_INIT_VSPACE, KT_TEST_VA, RIGHT_EXEC), E_INVAL);
	CHECK_ERR(mica_frame_map(f, SLOT_INIT_VSPACE, KT_TEST_VA, RIGHT_READ | RIGHT_GRANT),
		  E_INVAL);
}

/* E_NOTMAPPED: FRAME_REMAP of a frame that is not mapped. */
static void err_notmapped_frame_remap_unmapped(void)
{
	cptr_t f = kt_new(OBJ_FRAME_4K, 0);
	REQUIRE(f);
	CHECK_ERR(mica_frame_remap(f, RIGHT_READ), E_NOTMAPPED);
}

/* FRAME_REMAP checks rights as FRAME_MAP does: E_INVAL, E_RIGHTS, E_WX; the mapping stays. */
static void err_frame_remap_checks_rights(void)
{
	struct kt_test_page p;
	struct mica_mapping map;
	unsigned n = 0;
	uint64_t next;
	REQUIRE(kt_map_test_page(RIGHT_READ, &p));
	cptr_t ro = kt_copy(p.frame, RIGHT_READ);
	REQUIRE(ro);
	CHECK_ERR(mica_frame_remap(p.frame, RIGHT_WRITE), E_INVAL);
	CHECK_ERR(mica_frame_remap(p.frame, KT_RW | RIGHT_EXEC), E_WX);
	REQUIRE_OK(mica_frame_unmap(p.frame));
	REQUIRE_OK(mica_frame_map(ro, SLOT_INIT_VSPACE, KT_TEST_VA, RIGHT_READ));
	CHECK_ERR(mica_frame_remap(ro, KT_RW), E_RIGHTS);
	REQUIRE_OK(mica_vspace_walk(SLOT_INIT_VSPACE, KT_TEST_VA, &map, 1, &n, &next));
	CHECK_EQ(n, 1);
	CHECK_EQ(map.vaddr, KT_TEST_VA);
	CHECK_EQ(map.rights, RIGHT_READ);
}

/* FRAME_UNMAP of a frame that is not mapped does nothing and succeeds. */
static void frame_unmap_unmapped_does_nothing(void)
{
	cptr_t f = kt_new(OBJ_FRAME_4K, 0);
	REQUIRE(f);
	CHECK_OK(mica_frame_unmap(f));
	CHECK_OK(mica_frame_unmap(f));
}

/* E_RANGE: a page table for a kernel-half address. */
static void err_range_page_table_map_kernel_half(void)
{
	cptr_t pt = kt_new(OBJ_PAGE_TABLE, 0);
	REQUIRE(pt);
	CHECK_ERR(mica_page_table_map(pt, SLOT_INIT_VSPACE, KERNEL_VA, NULL), E_RANGE);
}

/* E_MAPPED: a page-table capability that is mapped already. */
static void err_mapped_page_table_map_mapped_table(void)
{
	cptr_t pt = kt_map_test_table();
	REQUIRE(pt);
	CHECK_ERR(mica_page_table_map(pt, SLOT_INIT_VSPACE, KT_TEST_VA + 2 * KT_BLOCK, NULL),
		  E_MAPPED);
}

/*
 * E_TYPE: a page-table capability cannot be copied or minted. A table has one place in one
 * VSpace: linked twice, unmapping it through one capability would zero it under the other
 * link and invalidate only one ASID's TLB entries. One capability per table rules that out
 * (and IPC does not transfer table capabilities either).
 */
static void err_type_page_table_copy_is_refused(void)
{
	cptr_t pt = kt_map_test_table();
	REQUIRE(pt);
	cptr_t slot = kt_slot();
	CHECK_ERR(mica_cnode_copy(SLOT_INIT_CNODE, slot, SLOT_INIT_CNODE, pt, RIGHTS_ALL), E_TYPE);
	CHECK_ERR(mica_cnode_mint(SLOT_INIT_CNODE, slot, SLOT_INIT_CNODE, pt, RIGHTS_ALL, 0),
		  E_TYPE);
	struct mica_cap_info info;
	REQUIRE_OK(mica_cnode_identify(SLOT_INIT_CNODE, slot, &info));
	CHECK_EQ(info.type, CAP_NULL);
}

/* E_DELETE_FIRST: the walk to the address is complete down to an L3 table. */
static void err_delete_first_page_table_map_complete_walk(void)
{
	cptr_t pt = kt_new(OBJ_PAGE_TABLE, 0);
	REQUIRE(kt_map_test_table() && pt);
	CHECK_ERR(mica_page_table_map(pt, SLOT_INIT_VSPACE, KT_TEST_VA, NULL), E_DELETE_FIRST);
}

/* E_DELETE_FIRST: a 2 MiB block where the table would go. */
static void err_delete_first_page_table_map_over_block(void)
{
	cptr_t big = kt_big_untyped(22);
	cptr_t block = big ? kt_new_in(big, OBJ_FRAME_2M, 0) : 0;
	cptr_t pt = kt_new(OBJ_PAGE_TABLE, 0);
	REQUIRE(block && pt);
	REQUIRE_OK(mica_frame_map(block, SLOT_INIT_VSPACE, KT_BLOCK_VA, KT_RW));
	CHECK_ERR(mica_page_table_map(pt, SLOT_INIT_VSPACE, KT_BLOCK_VA, NULL), E_DELETE_FIRST);
}

/* E_NOASID: a page table for a VSpace that has no ASID yet. */
static void err_noasid_page_table_map_into_space_without_asid(void)
{
	cptr_t pt = kt_new(OBJ_PAGE_TABLE, 0), vs = kt_new(OBJ_VSPACE, 0);
	REQUIRE(pt && vs);
	CHECK_ERR(mica_page_table_map(pt, vs, KT_SPACE_VA, NULL), E_NOASID);
}

/* E_TYPE: the VSpace argument of PAGE_TABLE_MAP names a page table. */
static void err_type_page_table_map_into_page_table(void)
{
	cptr_t pt = kt_new(OBJ_PAGE_TABLE, 0), other = kt_map_test_table();
	REQUIRE(pt && other);
	CHECK_ERR(mica_page_table_map(pt, other, KT_SPACE_VA, NULL), E_TYPE);
}

/* VSPACE_WALK with its arguments as given (mica_vspace_walk checks `max` itself). */
static int raw_walk(cptr_t vs, uint64_t start, uint64_t max)
{
	const uint64_t mr[2] = { start, max };
	struct mica_msg m = kt_msg(VSPACE_WALK, 2, mr);
	return mica_msg_error(mica_call(vs, &m));
}

/* E_RANGE: a walk from a kernel-half address, or for 0 or more than VSPACE_WALK_MAX. */
static void err_range_walk_arguments(void)
{
	CHECK_ERR(raw_walk(SLOT_INIT_VSPACE, KERNEL_VA, 1), E_RANGE);
	CHECK_ERR(raw_walk(SLOT_INIT_VSPACE, 0, 0), E_RANGE);
	CHECK_ERR(raw_walk(SLOT_INIT_VSPACE, 0, VSPACE_WALK_MAX + 1), E_RANGE);
	CHECK_OK(raw_walk(SLOT_INIT_VSPACE, 0, VSPACE_WALK_MAX));
}

static volatile int raw_err[2];

/* Without an IPC buffer: a walk for two mappings, and the kernel counters. */
static void calls_without_ipc_buffer(uint64_t arg)
{
	(void)arg;
	struct mica_msg m = kt_msg(KERNEL_INFO_STATS, 0, NULL);
	raw_err[0] = raw_walk(SLOT_INIT_VSPACE, 0, 2);
	raw_err[1] = mica_msg_error(mica_call(SLOT_KERNEL_INFO, &m));
}

/* E_MSGSIZE: results beyond the registers need an IPC buffer (VSPACE_WALK for more than
 * one mapping, KERNEL_INFO_STATS). */
static void err_msgsize_long_results_without_ipc_buffer(void)
{
	struct kt_thread t;
	raw_err[0] = raw_err[1] = 1;
	REQUIRE_OK(kt_spawn(&t, 100, false, calls_without_ipc_buffer, 0));
	kt_settle();
	CHECK_ERR(raw_err[0], E_MSGSIZE);
	CHECK_ERR(raw_err[1], E_MSGSIZE);
}

static const struct ktest tests[] = {
	{ "vspace_err_range_frame_map_outside_user_half", err_range_frame_map_outside_user_half },
	{ "vspace_err_range_frame_map_2m_past_user_end", err_range_frame_map_2m_past_user_end },
	{ "vspace_err_align_frame_map_4k_misaligned", err_align_frame_map_4k_misaligned },
	{ "vspace_err_align_frame_map_2m_misaligned", err_align_frame_map_2m_misaligned },
	{ "vspace_err_notable_frame_map_without_l3_table", err_notable_frame_map_without_l3_table },
	{ "vspace_err_delete_first_frame_map_occupied", err_delete_first_frame_map_occupied },
	{ "vspace_err_delete_first_frame_map_inside_block",
	  err_delete_first_frame_map_inside_block },
	{ "vspace_err_delete_first_frame_map_2m_over_table",
	  err_delete_first_frame_map_2m_over_table },
	{ "vspace_err_mapped_frame_map_mapped_cap", err_mapped_frame_map_mapped_cap },
	{ "vspace_err_type_frame_map_into_endpoint", err_type_frame_map_into_endpoint },
	{ "vspace_err_noasid_frame_map_into_space_without_asid",
	  err_noasid_frame_map_into_space_without_asid },
	{ "vspace_err_rights_frame_map_beyond_cap", err_rights_frame_map_beyond_cap },
	{ "vspace_err_wx_frame_map_write_exec", err_wx_frame_map_write_exec },
	{ "vspace_err_inval_frame_map_bad_rights", err_inval_frame_map_bad_rights },
	{ "vspace_err_notmapped_frame_remap_unmapped", err_notmapped_frame_remap_unmapped },
	{ "vspace_err_frame_remap_checks_rights", err_frame_remap_checks_rights },
	{ "vspace_frame_unmap_unmapped_does_nothing", frame_unmap_unmapped_does_nothing },
	{ "vspace_err_range_page_table_map_kernel_half", err_range_page_table_map_kernel_half },
	{ "vspace_err_mapped_page_table_map_mapped_table", err_mapped_page_table_map_mapped_table },
	{ "vspace_err_type_page_table_copy_is_refused", err_type_page_table_copy_is_refused },
	{ "vspace_err_delete_first_page_table_map_complete_walk",
	  err_delete_first_page_table_map_complete_walk },
	{ "vspace_err_delete_first_page_table_map_over_block",
	  err_delete_first_page_table_map_over_block },
	{ "vspace_err_noasid_page_table_map_into_space_without_asid",
	  err_noasid_page_table_map_into_space_without_asid },
	{ "vspace_err_type_page_table_map_into_page_table",
	  err_type_page_table_map_into_page_table },
	{ "vspace_err_range_walk_arguments", err_range_walk_arguments },
	{ "vspace_err_msgsize_long_results_without_ipc_buffer",
	  err_msgsize_long_results_without_ipc_buffer },
};

const struct ktest_suite kt_suite_vspace_errors = KT_SUITE(tests);
