/*
 * The audit catches planted disagreements (MEMSRV_DEBUG_PLANT, debug builds): a page's
 * rights raised behind memsrv's back, a page unmapped behind it, and another frame (a wrong
 * physical address) mapped in a page's place. Each is found as exactly one violation (memsrv
 * prints the report, tests/qemu/test_memtrust.py checks its words), the address space is
 * frozen while the plant is active, and undoing it (or destroying the space) restores a clean
 * audit and every frame.
 */
#include <stddef.h>

#include "memtest.h"

#define PLANT_VA 0x30000000ull
#define RW       (MEMSRV_PROT_R | MEMSRV_PROT_W)

static int plant(unsigned as, uint64_t va, uint64_t what)
{
	const uint64_t args[3] = { as, va, what };
	return mem_request(ms, MEMSRV_DEBUG_PLANT, args, 3, NULL, 0, NULL);
}

/* The audit of `as` gives `checked` mappings and `violations`. */
static int audit_is(unsigned as, uint64_t checked, uint64_t violations)
{
	uint64_t c, v;
	CHECK_OK(mem_audit(ms, as, &c, &v));
	CHECK_EQ(c, checked);
	CHECK_EQ(v, violations);
	return 0;
}

/* A space with one eager read-only page at PLANT_VA (and one more RW page after it). */
static int plant_space(unsigned *as)
{
	CHECK_OK(mem_as_create(ms, 0, as));
	CHECK_OK(mem_map(ms, *as, PLANT_VA, PAGE, MEMSRV_PROT_R, MEMSRV_KIND_ANON, MEMSRV_MAP_EAGER,
			 NULL));
	CHECK_OK(
	    mem_map(ms, *as, PLANT_VA + PAGE, PAGE, RW, MEMSRV_KIND_ANON, MEMSRV_MAP_EAGER, NULL));
	return audit_is(*as, 2, 0);
}

/* Plants `what`, expects the audit to give `checked` and one violation, then undoes it. */
static int caught(uint64_t what, uint64_t checked)
{
	struct mem_global_stats g0, g1;
	unsigned as;
	if (plant_space(&as))
		return -1;
	CHECK_OK(mem_global_stats(ms, &g0));
	CHECK_OK(plant(as, PLANT_VA, what));
	if (audit_is(as, checked, 1))
		return -1;
	/* Frozen while planted: nothing may build on the disagreement. */
	CHECK_ERR(mem_map(ms, as, 0, PAGE, RW, MEMSRV_KIND_ANON, 0, NULL), E_BUSY);
	CHECK_ERR(mem_unmap(ms, as, PLANT_VA, PAGE), E_BUSY);
	CHECK_ERR(mem_protect(ms, as, PLANT_VA, PAGE, MEMSRV_PROT_R), E_BUSY);
	CHECK_OK(plant(as, 0, MEMSRV_PLANT_UNDO));
	if (audit_is(as, 2, 0))
		return -1;
	CHECK_OK(mem_global_stats(ms, &g1));
	CHECK_EQ(g1.memsrv[MEMSRV_GSTAT_FREE_FRAMES], g0.memsrv[MEMSRV_GSTAT_FREE_FRAMES]);
	CHECK_OK(mem_as_destroy(ms, as));
	return 0;
}

int test_audit_catches_raised_rights(void)
{
	return caught(MEMSRV_PLANT_RIGHTS, 2);
}

int test_audit_catches_page_unmapped_behind_memsrv(void)
{
	return caught(MEMSRV_PLANT_UNMAP, 1);
}

int test_audit_catches_wrong_physical_address(void)
{
	return caught(MEMSRV_PLANT_SWAP, 2);
}

int test_destroy_undoes_a_plant(void)
{
	struct mem_global_stats g0, g1;
	unsigned as;
	CHECK_OK(mem_global_stats(ms, &g0));
	if (plant_space(&as))
		return -1;
	CHECK_OK(plant(as, PLANT_VA, MEMSRV_PLANT_SWAP));
	CHECK_OK(mem_as_destroy(ms, as));
	CHECK_OK(mem_global_stats(ms, &g1));
	CHECK_EQ(g1.memsrv[MEMSRV_GSTAT_FREE_FRAMES], g0.memsrv[MEMSRV_GSTAT_FREE_FRAMES]);
	CHECK_EQ(g1.memsrv[MEMSRV_GSTAT_TABLE_PAGES], g0.memsrv[MEMSRV_GSTAT_TABLE_PAGES]);
	/* The swapped-in frame went back to the pool: a new space can have it. */
	if (plant_space(&as))
		return -1;
	CHECK_OK(mem_as_destroy(ms, as));
	return 0;
}

int test_plant_refuses_bad_requests(void)
{
	unsigned as, other;
	if (plant_space(&as))
		return -1;
	CHECK_OK(mem_as_create(ms, 0, &other));
	CHECK_ERR(plant(as, PLANT_VA, 4), E_INVAL);
	CHECK_ERR(plant(as, PLANT_VA, ~0ull), E_INVAL);
	CHECK_ERR(plant(as, PLANT_VA + PAGE, MEMSRV_PLANT_RIGHTS), E_INVAL); /* writable VMA */
	CHECK_ERR(plant(as, PLANT_VA + 8, MEMSRV_PLANT_UNMAP), E_ALIGN);
	CHECK_ERR(plant(as, PLANT_VA + 2 * PAGE, MEMSRV_PLANT_UNMAP), E_NOTMAPPED);
	CHECK_ERR(plant(as, 0, MEMSRV_PLANT_UNDO), E_STATE);
	CHECK_ERR(plant(0, 0x400000, MEMSRV_PLANT_UNMAP), E_BUSY); /* memtest has a process */
	CHECK_OK(mem_probe_attach(ms, as));
	CHECK_ERR(plant(as, PLANT_VA, MEMSRV_PLANT_UNMAP), E_BUSY); /* the probe runs there */
	CHECK_OK(mem_probe_detach(ms));
	CHECK_ERR(plant(70000, PLANT_VA, MEMSRV_PLANT_UNMAP), E_RANGE);
	CHECK_OK(plant(as, PLANT_VA, MEMSRV_PLANT_UNMAP));
	CHECK_ERR(plant(as, PLANT_VA + PAGE, MEMSRV_PLANT_UNMAP), E_BUSY); /* one at a time */
	CHECK_ERR(plant(other, 0, MEMSRV_PLANT_UNDO), E_STATE);            /* not planted there */
	CHECK_OK(plant(as, 0, MEMSRV_PLANT_UNDO));
	if (audit_is(as, 2, 0))
		return -1;
	CHECK_OK(mem_as_destroy(ms, other));
	CHECK_OK(mem_as_destroy(ms, as));
	return 0;
}
