/* Host tests for the boot memory map and early allocator (kernel/bootmem.c). */
#include "bootmem.h"
#include "check.h"

CHECK_DEFINE_GLOBALS;

#define MiB      (1ull << 20)
#define RAM_BASE 0x40000000ull

static struct bootmem bm;

/* Sum of reserved + free must equal the page-aligned RAM: nothing lost, nothing doubled. */
static uint64_t accounted(void)
{
	uint64_t n = bootmem_free_bytes(&bm);
	for (int i = 0; i < bm.n_reserved; i++)
		n += bm.reserved[i].size;
	return n;
}

static void fresh(uint64_t ram)
{
	bootmem_init(&bm);
	CHECK_EQ(bootmem_add_ram(&bm, RAM_BASE, ram), 0);
}

static void test_ram_becomes_free(void)
{
	fresh(512 * MiB);
	CHECK_EQ(bootmem_ram_bytes(&bm), 512 * MiB);
	CHECK_EQ(bootmem_free_bytes(&bm), 512 * MiB);
	CHECK_EQ(bm.n_free, 1);
}

static void test_unaligned_ram_keeps_only_whole_pages(void)
{
	bootmem_init(&bm);
	CHECK_EQ(bootmem_add_ram(&bm, RAM_BASE + 100, 3 * 4096), 0);
	CHECK_EQ(bm.n_free, 1);
	CHECK_EQ(bm.free[0].base, RAM_BASE + 4096);
	CHECK_EQ(bm.free[0].size, 2 * 4096);
}

static void test_bad_ram_ranges_are_refused(void)
{
	fresh(MiB);
	CHECK_EQ(bootmem_add_ram(&bm, RAM_BASE, 0), BOOTMEM_ERR_RANGE);
	CHECK_EQ(bootmem_add_ram(&bm, UINT64_MAX - 10, 100), BOOTMEM_ERR_RANGE);
	CHECK_EQ(bootmem_add_ram(&bm, RAM_BASE + 4096, MiB), BOOTMEM_ERR_RANGE); /* overlap */
	CHECK_EQ(bm.n_ram, 1);
	CHECK_EQ(bootmem_free_bytes(&bm), MiB);
}

static void test_device_windows_are_recorded_not_free(void)
{
	fresh(MiB);
	CHECK_EQ(bootmem_add_device(&bm, 0x3f000000, 16 * MiB), 0);
	CHECK_EQ(bootmem_add_device(&bm, 0x40000000, 0), BOOTMEM_ERR_RANGE);
	CHECK_EQ(bootmem_add_device(&bm, UINT64_MAX - 10, 100), BOOTMEM_ERR_RANGE);
	CHECK_EQ(bm.n_device, 1);
	CHECK_EQ(bm.device[0].base, 0x3f000000);
	CHECK_EQ(bm.device[0].size, 16 * MiB);
	CHECK_EQ(bootmem_free_bytes(&bm), MiB); /* a window is never free RAM */
	for (int i = 1; i < BOOTMEM_MAX_DEVICE; i++)
		CHECK_EQ(bootmem_add_device(&bm, 0x50000000 + (uint64_t)i * MiB, MiB), 0);
	CHECK_EQ(bootmem_add_device(&bm, 0x60000000, MiB), BOOTMEM_ERR_FULL);
}

static void test_ram_overlapping_device_windows_leaves_them_out(void)
{
	bootmem_init(&bm);
	CHECK_EQ(bootmem_add_device(&bm, 0x3f000000, 16 * MiB), 0); /* the Pi's peripherals */
	CHECK_EQ(bootmem_add_device(&bm, 0x10000000, MiB), 0);      /* a hole in the middle */
	CHECK_EQ(bootmem_add_device(&bm, 0x80000000, MiB), 0);      /* far away: no effect */
	CHECK_EQ(bootmem_add_ram_outside_devices(&bm, 0, 0x40000000), 0);
	CHECK_EQ(bm.n_ram, 2);
	CHECK_EQ(bootmem_ram_bytes(&bm), 0x40000000 - 16 * MiB - MiB);
	CHECK_EQ(bm.n_free, 2);
	CHECK_EQ(bm.free[0].base, 0);
	CHECK_EQ(bm.free[0].size, 0x10000000);
	CHECK_EQ(bm.free[1].base, 0x10000000 + MiB);
	CHECK_EQ(bm.free[1].size, 0x3f000000 - 0x10000000 - MiB);
	/* Wholly inside a window: nothing is added, and that is no error. */
	CHECK_EQ(bootmem_add_ram_outside_devices(&bm, 0x3f100000, MiB), 0);
	CHECK_EQ(bm.n_ram, 2);
	CHECK_EQ(bootmem_add_ram_outside_devices(&bm, 0x50000000, 0), BOOTMEM_ERR_RANGE);
}

static void test_reserve_splits_a_range(void)
{
	fresh(512 * MiB);
	CHECK_EQ(bootmem_reserve(&bm, RAM_BASE + 2 * MiB, 0x11000, "kernel image"), 0);
	CHECK_EQ(bm.n_free, 2);
	CHECK_EQ(bm.free[0].base, RAM_BASE);
	CHECK_EQ(bm.free[0].size, 2 * MiB);
	CHECK_EQ(bm.free[1].base, RAM_BASE + 2 * MiB + 0x11000);
	CHECK_EQ(accounted(), 512 * MiB);
}

static void test_reserve_widens_to_pages(void)
{
	fresh(MiB);
	CHECK_EQ(bootmem_reserve(&bm, RAM_BASE + 4095, 2, "x"), 0);
	CHECK_EQ(bm.reserved[0].base, RAM_BASE);
	CHECK_EQ(bm.reserved[0].size, 2 * 4096);
	CHECK(!bootmem_is_free(&bm, RAM_BASE + 4096, 4096));
	CHECK(bootmem_is_free(&bm, RAM_BASE + 2 * 4096, 4096));
}

static void test_reserve_outside_ram_and_overlapping_is_harmless(void)
{
	fresh(MiB);
	CHECK_EQ(bootmem_reserve(&bm, 0x1000, 0x1000, "below"), 0);
	CHECK_EQ(bootmem_reserve(&bm, RAM_BASE, 8192, "a"), 0);
	CHECK_EQ(bootmem_reserve(&bm, RAM_BASE + 4096, 8192, "b"), 0);
	CHECK_EQ(bootmem_free_bytes(&bm), MiB - 3 * 4096);
	CHECK_EQ(bootmem_reserve(&bm, RAM_BASE, 0, "empty"), BOOTMEM_ERR_RANGE);
}

static void test_alloc_is_lowest_first_aligned_and_accounted(void)
{
	fresh(8 * MiB);
	CHECK_EQ(bootmem_reserve(&bm, RAM_BASE, 0x3000, "dtb"), 0);
	uint64_t a = bootmem_alloc(&bm, 4096, 4096, "tables");
	uint64_t b = bootmem_alloc(&bm, 4096, 4096, "tables");
	CHECK_EQ(a, RAM_BASE + 0x3000);
	CHECK_EQ(b, RAM_BASE + 0x4000);
	uint64_t big = bootmem_alloc(&bm, 2 * MiB, 2 * MiB, "block");
	CHECK_EQ(big, RAM_BASE + 2 * MiB);
	CHECK(!bootmem_is_free(&bm, big, 2 * MiB));
	CHECK(bootmem_is_free(&bm, RAM_BASE + 0x5000, 4096)); /* the hole below the block */
	CHECK_EQ(accounted(), 8 * MiB);
}

static void test_consecutive_allocations_share_one_entry(void)
{
	fresh(8 * MiB);
	static const char tables[] = "kernel page tables";
	for (int i = 0; i < 100; i++)
		CHECK(bootmem_alloc(&bm, 4096, 4096, tables) != 0);
	CHECK_EQ(bm.n_reserved, 1);
	CHECK_EQ(bm.reserved[0].size, 100 * 4096);
}

static void test_alloc_refuses_bad_requests_and_exhaustion(void)
{
	fresh(MiB);
	CHECK_EQ(bootmem_alloc(&bm, 0, 4096, "x"), 0);
	CHECK_EQ(bootmem_alloc(&bm, 4096, 3000, "x"), 0);
	CHECK_EQ(bootmem_alloc(&bm, 4096, 3 * 4096, "x"), 0);
	CHECK_EQ(bootmem_alloc(&bm, 2 * MiB, 4096, "x"), 0);
	CHECK_EQ(bootmem_alloc(&bm, UINT64_MAX, 4096, "x"), 0);
	CHECK_EQ(bootmem_free_bytes(&bm), MiB);
	CHECK(bootmem_alloc(&bm, MiB, 4096, "all") != 0);
	CHECK_EQ(bootmem_free_bytes(&bm), 0);
	CHECK_EQ(bootmem_alloc(&bm, 4096, 4096, "more"), 0);
}

static void test_full_tables_fail_without_changes(void)
{
	fresh(64 * MiB);
	char names[BOOTMEM_MAX_RESERVED][8] = { { 0 } };
	int i;
	/* Every other page, distinct owners: each reservation splits a range and needs an entry. */
	for (i = 0; i < BOOTMEM_MAX_RESERVED; i++) {
		names[i][0] = (char)('a' + i % 26);
		int err =
		    bootmem_reserve(&bm, RAM_BASE + (uint64_t)(2 * i + 1) * 4096, 4096, names[i]);
		if (err) {
			CHECK_EQ(err, BOOTMEM_ERR_FULL);
			break;
		}
	}
	uint64_t before = bootmem_free_bytes(&bm);
	int nfree = bm.n_free, nres = bm.n_reserved;
	CHECK_EQ(bootmem_reserve(&bm, RAM_BASE + 60 * MiB, 4096, "late"), BOOTMEM_ERR_FULL);
	CHECK_EQ(bootmem_free_bytes(&bm), before);
	CHECK_EQ(bm.n_free, nfree);
	CHECK_EQ(bm.n_reserved, nres);
	CHECK_EQ(accounted(), 64 * MiB);
}

static void test_two_ram_banks(void)
{
	bootmem_init(&bm);
	CHECK_EQ(bootmem_add_ram(&bm, 0x80000000ull, 16 * MiB), 0);
	CHECK_EQ(bootmem_add_ram(&bm, RAM_BASE, 16 * MiB), 0);
	CHECK_EQ(bm.free[0].base, RAM_BASE); /* kept sorted */
	CHECK_EQ(bootmem_reserve(&bm, RAM_BASE, 16 * MiB, "all of bank 0"), 0);
	CHECK_EQ(bootmem_alloc(&bm, 4096, 4096, "x"), 0x80000000ull);
	CHECK_EQ(bootmem_ram_bytes(&bm), 32 * MiB);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "ram_becomes_free", test_ram_becomes_free },
		{ "unaligned_ram_keeps_only_whole_pages",
		  test_unaligned_ram_keeps_only_whole_pages },
		{ "bad_ram_ranges_are_refused", test_bad_ram_ranges_are_refused },
		{ "device_windows_are_recorded_not_free",
		  test_device_windows_are_recorded_not_free },
		{ "ram_overlapping_device_windows_leaves_them_out",
		  test_ram_overlapping_device_windows_leaves_them_out },
		{ "reserve_splits_a_range", test_reserve_splits_a_range },
		{ "reserve_widens_to_pages", test_reserve_widens_to_pages },
		{ "reserve_outside_ram_and_overlapping_is_harmless",
		  test_reserve_outside_ram_and_overlapping_is_harmless },
		{ "alloc_is_lowest_first_aligned_and_accounted",
		  test_alloc_is_lowest_first_aligned_and_accounted },
		{ "consecutive_allocations_share_one_entry",
		  test_consecutive_allocations_share_one_entry },
		{ "alloc_refuses_bad_requests_and_exhaustion",
		  test_alloc_refuses_bad_requests_and_exhaustion },
		{ "full_tables_fail_without_changes", test_full_tables_fail_without_changes },
		{ "two_ram_banks", test_two_ram_banks },
		{ NULL, NULL },
	};
	return check_main(tests);
}
