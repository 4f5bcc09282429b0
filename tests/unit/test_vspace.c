/*
 * Host tests for user translation tables (kernel/arch/aarch64/vspace.c): the descriptor
 * encoding and the walker, on tables in host memory (with HOST_TEST a "physical" address
 * is a host pointer).
 */
#include <mica/errors.h>
#include <mica/objects.h>
#include <stdlib.h>

#include "arch.h"
#include "check.h"
#include "vspace.h"

CHECK_DEFINE_GLOBALS;

#define PXN_TABLE  (UL(1) << 59) /* PXNTable in a table descriptor */
#define ATTR_MASK  (UL(7) << 2)  /* AttrIndx[2:0] */
#define SH_MASK    (UL(3) << 8)
#define FRAME_PA   UL(0x40123000)
#define USER_VA    UL(0x0000123456789000)
#define MAX_TABLES 8

static void *tables[MAX_TABLES];
static int n_tables;

/* A zeroed, page-aligned host page to use as a translation table. */
static paddr_t new_table(void)
{
	void *t = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	memset(t, 0, PAGE_SIZE);
	tables[n_tables++] = t;
	return (paddr_t)(uintptr_t)t;
}

static void free_tables(void)
{
	while (n_tables > 0)
		free(tables[--n_tables]);
}

static pte_t *entry(paddr_t table, vaddr_t va, int level)
{
	return &((pte_t *)(uintptr_t)table)[PT_INDEX(va, level)];
}

/* Builds L0..L3 for `va`; returns the L0 table and the L3 table in *l3. */
static paddr_t full_walk(vaddr_t va, paddr_t *l3)
{
	paddr_t l0 = new_table();
	for (int level = 1; level <= 3; level++) {
		paddr_t t = new_table();
		CHECK_EQ(vspace_install_table(l0, va, level, t), E_OK);
		*l3 = t;
	}
	return l0;
}

static void test_read_only_page_is_el0_ro_never_executable(void)
{
	pte_t e = vspace_user_pte(FRAME_PA, RIGHT_READ);
	CHECK_EQ(e & PTE_ADDR_MASK, FRAME_PA);
	CHECK_EQ(e & (PTE_VALID | PTE_TABLE), PTE_VALID | PTE_TABLE);
	CHECK_EQ(e & (PTE_AP_EL0 | PTE_AP_RO), PTE_AP_EL0 | PTE_AP_RO);
	CHECK_EQ(e & (PTE_UXN | PTE_PXN), PTE_UXN | PTE_PXN);
	CHECK_EQ(e & (PTE_AF | PTE_NG), PTE_AF | PTE_NG);
	CHECK_EQ(e & SH_MASK, PTE_SH_INNER);
	CHECK_EQ(e & ATTR_MASK, PTE_ATTR(MT_NORMAL));
}

static void test_read_write_page_is_el0_rw_never_executable(void)
{
	pte_t e = vspace_user_pte(FRAME_PA, RIGHT_READ | RIGHT_WRITE);
	CHECK_EQ(e & (PTE_AP_EL0 | PTE_AP_RO), PTE_AP_EL0);
	CHECK_EQ(e & (PTE_UXN | PTE_PXN), PTE_UXN | PTE_PXN);
}

static void test_read_exec_page_is_user_executable_only(void)
{
	pte_t e = vspace_user_pte(FRAME_PA, RIGHT_READ | RIGHT_EXEC);
	CHECK_EQ(e & (PTE_AP_EL0 | PTE_AP_RO), PTE_AP_EL0 | PTE_AP_RO);
	CHECK_EQ(e & (PTE_UXN | PTE_PXN), PTE_PXN);
}

static void test_write_and_exec_gives_a_non_executable_page(void)
{
	pte_t e = vspace_user_pte(FRAME_PA, RIGHT_READ | RIGHT_WRITE | RIGHT_EXEC);
	CHECK_EQ(e & (PTE_AP_EL0 | PTE_AP_RO), PTE_AP_EL0);
	CHECK_EQ(e & (PTE_UXN | PTE_PXN), PTE_UXN | PTE_PXN);
}

static void test_device_page_is_device_memory_never_executable(void)
{
	pte_t e = vspace_user_device_pte(FRAME_PA, RIGHT_READ | RIGHT_WRITE | RIGHT_EXEC);
	CHECK_EQ(e & PTE_ADDR_MASK, FRAME_PA);
	CHECK_EQ(e & ATTR_MASK, PTE_ATTR(MT_DEVICE_nGnRE));
	CHECK_EQ(e & (PTE_AP_EL0 | PTE_AP_RO), PTE_AP_EL0);
	CHECK_EQ(e & (PTE_UXN | PTE_PXN), PTE_UXN | PTE_PXN);
	CHECK_EQ(e & (PTE_AF | PTE_NG), PTE_AF | PTE_NG);
}

static void test_address_bits_outside_the_frame_number_are_dropped(void)
{
	pte_t e = vspace_user_pte(FRAME_PA | UL(0xfff) | (UL(1) << 60), RIGHT_READ);
	CHECK_EQ(e, vspace_user_pte(FRAME_PA, RIGHT_READ));
}

static void test_lookup_on_empty_vspace_finds_only_the_l0_entry(void)
{
	paddr_t l0 = new_table();
	CHECK(vspace_lookup(l0, USER_VA, 0) == entry(l0, USER_VA, 0));
	CHECK(vspace_lookup(l0, USER_VA, 1) == NULL);
	CHECK(vspace_lookup(l0, USER_VA, 3) == NULL);
	free_tables();
}

static void test_lookup_refuses_kernel_addresses_and_bad_levels(void)
{
	paddr_t l0 = new_table();
	CHECK(vspace_lookup(l0, USER_VA_END, 0) == NULL);
	CHECK(vspace_lookup(l0, UL(0xffff000000000000), 0) == NULL);
	CHECK(vspace_lookup(l0, USER_VA, -1) == NULL);
	CHECK(vspace_lookup(l0, USER_VA, 4) == NULL);
	free_tables();
}

static void test_installed_tables_chain_to_the_l3_entry(void)
{
	paddr_t l3;
	paddr_t l0 = full_walk(USER_VA, &l3);
	CHECK(vspace_lookup(l0, USER_VA, 3) == entry(l3, USER_VA, 3));
	CHECK(vspace_lookup(l0, USER_VA + PAGE_SIZE, 3) == entry(l3, USER_VA, 3) + 1);
	CHECK(vspace_lookup(l0, USER_VA + LEVEL_SIZE(2), 3) == NULL);
	free_tables();
}

static void test_table_descriptor_points_to_the_table_and_is_pxn(void)
{
	paddr_t l0 = new_table(), l1 = new_table();
	CHECK_EQ(vspace_install_table(l0, USER_VA, 1, l1), E_OK);
	CHECK_EQ(*entry(l0, USER_VA, 0), l1 | PTE_VALID | PTE_TABLE | PXN_TABLE);
	free_tables();
}

static void test_table_install_ignores_offset_within_its_range(void)
{
	paddr_t l0 = new_table(), l1 = new_table();
	vaddr_t base = USER_VA & ~(LEVEL_SIZE(0) - 1); /* the 512 GiB the L1 table covers */
	CHECK_EQ(vspace_install_table(l0, USER_VA | UL(0x1234), 1, l1), E_OK);
	CHECK(vspace_lookup(l0, base, 1) == entry(l1, base, 1));
	free_tables();
}

static void test_table_install_errors(void)
{
	paddr_t l0 = new_table(), t = new_table();
	CHECK_EQ(vspace_install_table(l0, USER_VA, 0, t), E_RANGE);
	CHECK_EQ(vspace_install_table(l0, USER_VA, 4, t), E_RANGE);
	CHECK_EQ(vspace_install_table(l0, USER_VA_END, 1, t), E_RANGE);
	CHECK_EQ(vspace_install_table(l0, USER_VA, 1, t + 8), E_ALIGN);
	CHECK_EQ(vspace_install_table(l0, USER_VA, 1, t | (UL(1) << 48)), E_RANGE);
	CHECK_EQ(vspace_install_table(l0, USER_VA, 2, t), E_NOTABLE);
	CHECK_EQ(vspace_install_table(l0, USER_VA, 3, t), E_NOTABLE);
	CHECK_EQ(vspace_install_table(l0, USER_VA, 1, t), E_OK);
	CHECK_EQ(vspace_install_table(l0, USER_VA, 1, new_table()), E_MAPPED);
	CHECK_EQ(*entry(l0, USER_VA, 0) & PTE_ADDR_MASK, t);
	free_tables();
}

static void test_page_install_writes_the_exact_entry(void)
{
	paddr_t l3;
	paddr_t l0 = full_walk(USER_VA, &l3);
	pte_t pte = vspace_user_pte(FRAME_PA, RIGHT_READ | RIGHT_EXEC);
	CHECK_EQ(vspace_install_page(l0, USER_VA, pte), E_OK);
	CHECK_EQ(*entry(l3, USER_VA, 3), pte);
	CHECK_EQ(*entry(l3, USER_VA + PAGE_SIZE, 3), 0);
	free_tables();
}

static void test_page_install_errors(void)
{
	paddr_t l3;
	paddr_t l0 = full_walk(USER_VA, &l3);
	pte_t pte = vspace_user_pte(FRAME_PA, RIGHT_READ);
	CHECK_EQ(vspace_install_page(l0, USER_VA + 8, pte), E_ALIGN);
	CHECK_EQ(vspace_install_page(l0, USER_VA_END, pte), E_RANGE);
	CHECK_EQ(vspace_install_page(l0, UL(0xffff000040000000), pte), E_RANGE);
	CHECK_EQ(vspace_install_page(l0, USER_VA + LEVEL_SIZE(2), pte), E_NOTABLE);
	CHECK_EQ(vspace_install_page(l0, USER_VA + LEVEL_SIZE(0), pte), E_NOTABLE);
	CHECK_EQ(vspace_install_page(l0, USER_VA, pte), E_OK);
	CHECK_EQ(
	    vspace_install_page(l0, USER_VA, vspace_user_pte(FRAME_PA + PAGE_SIZE, RIGHT_READ)),
	    E_MAPPED);
	CHECK_EQ(*entry(l3, USER_VA, 3), pte);
	free_tables();
}

static void test_block_in_the_way_reports_mapped(void)
{
	paddr_t l0 = new_table(), l1 = new_table();
	CHECK_EQ(vspace_install_table(l0, USER_VA, 1, l1), E_OK);
	*entry(l1, USER_VA, 1) = UL(0x40000000) | PTE_VALID | PTE_BLOCK; /* a 1 GiB block */
	CHECK(vspace_lookup(l0, USER_VA, 1) == entry(l1, USER_VA, 1));
	CHECK(vspace_lookup(l0, USER_VA, 2) == NULL);
	CHECK_EQ(vspace_install_table(l0, USER_VA, 2, new_table()), E_MAPPED);
	CHECK_EQ(vspace_install_page(l0, USER_VA, vspace_user_pte(FRAME_PA, RIGHT_READ)), E_MAPPED);
	free_tables();
}

/* arch_boot_map_frame's table source for the tests: records what it was asked for. */
struct table_requests {
	unsigned n, level[4];
	vaddr_t base[4];
	bool refuse;
};

static paddr_t boot_table(void *ctx, unsigned level, vaddr_t base)
{
	struct table_requests *r = ctx;
	if (r->refuse)
		return 0;
	if (r->n < 4) {
		r->level[r->n] = level;
		r->base[r->n] = base;
	}
	r->n++;
	return new_table();
}

static void test_boot_map_asks_for_each_missing_table_once(void)
{
	paddr_t l0 = new_table();
	struct table_requests r = { 0 };
	CHECK_EQ(
	    arch_boot_map_frame(l0, USER_VA, FRAME_PA, RIGHT_READ | RIGHT_EXEC, boot_table, &r),
	    E_OK);
	CHECK_EQ(r.n, 3);
	CHECK_EQ(r.level[0], 1);
	CHECK_EQ(r.base[0], USER_VA & ~(LEVEL_SIZE(0) - 1));
	CHECK_EQ(r.level[1], 2);
	CHECK_EQ(r.base[1], USER_VA & ~(LEVEL_SIZE(1) - 1));
	CHECK_EQ(r.level[2], 3);
	CHECK_EQ(r.base[2], USER_VA & ~(LEVEL_SIZE(2) - 1));
	pte_t *e = vspace_lookup(l0, USER_VA, 3);
	CHECK(e != NULL);
	if (e)
		CHECK_EQ(*e, vspace_user_pte(FRAME_PA, RIGHT_READ | RIGHT_EXEC));
	/* The next page shares every table. */
	CHECK_EQ(arch_boot_map_frame(l0, USER_VA + PAGE_SIZE, FRAME_PA + PAGE_SIZE, RIGHT_READ,
				     boot_table, &r),
		 E_OK);
	CHECK_EQ(r.n, 3);
	free_tables();
}

static void test_boot_map_errors(void)
{
	paddr_t l0 = new_table();
	struct table_requests r = { 0 };
	CHECK_EQ(arch_boot_map_frame(l0, USER_VA, FRAME_PA, RIGHT_READ, boot_table, &r), E_OK);
	CHECK_EQ(arch_boot_map_frame(l0, USER_VA, FRAME_PA, RIGHT_READ, boot_table, &r), E_MAPPED);
	CHECK_EQ(arch_boot_map_frame(l0, USER_VA + 1, FRAME_PA, RIGHT_READ, boot_table, &r),
		 E_ALIGN);
	CHECK_EQ(arch_boot_map_frame(l0, USER_VA, FRAME_PA + 8, RIGHT_READ, boot_table, &r),
		 E_ALIGN);
	CHECK_EQ(arch_boot_map_frame(l0, USER_VA_END, FRAME_PA, RIGHT_READ, boot_table, &r),
		 E_RANGE);
	r.refuse = true;
	CHECK_EQ(arch_boot_map_frame(l0, UL(0x1000), FRAME_PA, RIGHT_READ, boot_table, &r),
		 E_NOMEM);
	CHECK(vspace_lookup(l0, UL(0x1000), 1) == NULL); /* nothing was installed */
	free_tables();
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "read_only_page_is_el0_ro_never_executable",
		  test_read_only_page_is_el0_ro_never_executable },
		{ "read_write_page_is_el0_rw_never_executable",
		  test_read_write_page_is_el0_rw_never_executable },
		{ "read_exec_page_is_user_executable_only",
		  test_read_exec_page_is_user_executable_only },
		{ "write_and_exec_gives_a_non_executable_page",
		  test_write_and_exec_gives_a_non_executable_page },
		{ "device_page_is_device_memory_never_executable",
		  test_device_page_is_device_memory_never_executable },
		{ "address_bits_outside_the_frame_number_are_dropped",
		  test_address_bits_outside_the_frame_number_are_dropped },
		{ "lookup_on_empty_vspace_finds_only_the_l0_entry",
		  test_lookup_on_empty_vspace_finds_only_the_l0_entry },
		{ "lookup_refuses_kernel_addresses_and_bad_levels",
		  test_lookup_refuses_kernel_addresses_and_bad_levels },
		{ "installed_tables_chain_to_the_l3_entry",
		  test_installed_tables_chain_to_the_l3_entry },
		{ "table_descriptor_points_to_the_table_and_is_pxn",
		  test_table_descriptor_points_to_the_table_and_is_pxn },
		{ "table_install_ignores_offset_within_its_range",
		  test_table_install_ignores_offset_within_its_range },
		{ "table_install_errors", test_table_install_errors },
		{ "page_install_writes_the_exact_entry", test_page_install_writes_the_exact_entry },
		{ "page_install_errors", test_page_install_errors },
		{ "block_in_the_way_reports_mapped", test_block_in_the_way_reports_mapped },
		{ "boot_map_asks_for_each_missing_table_once",
		  test_boot_map_asks_for_each_missing_table_once },
		{ "boot_map_errors", test_boot_map_errors },
		{ NULL, NULL },
	};
	return check_main(tests);
}
