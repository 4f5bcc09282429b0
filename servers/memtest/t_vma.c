/*
 * Tests of VMAs in memtest's own address space: lazy and eager maps, argument errors, W^X,
 * splits by unmap and protect, and the statistics that count them.
 */
#include <string.h>

#include "memtest.h"

#define RW       (MEMSRV_PROT_R | MEMSRV_PROT_W)
#define FIXED_VA 0x50000000ull /* clear of memtest's image and of the ASLR windows */

static int stats(uint64_t s[MEMSRV_STAT_COUNT])
{
	return mem_stats(ms, 0, s);
}

int test_lazy_allocation(void)
{
	uint64_t s0[MEMSRV_STAT_COUNT], s1[MEMSRV_STAT_COUNT], s2[MEMSRV_STAT_COUNT], va;
	struct mem_vma v;
	CHECK_OK(stats(s0));
	CHECK_OK(mem_map(ms, 0, 0, 16 * PAGE, RW, MEMSRV_KIND_ANON, 0, &va));
	CHECK_OK(stats(s1));
	CHECK_EQ(s1[MEMSRV_STAT_RESIDENT_PAGES], s0[MEMSRV_STAT_RESIDENT_PAGES]);
	CHECK_EQ(s1[MEMSRV_STAT_VMAS], s0[MEMSRV_STAT_VMAS] + 1);
	CHECK_EQ(s1[MEMSRV_STAT_VIRTUAL_BYTES], s0[MEMSRV_STAT_VIRTUAL_BYTES] + 16 * PAGE);
	volatile uint64_t *p = (volatile uint64_t *)va;
	p[0] = 1;
	p[5 * PAGE / 8] = 2;
	CHECK_EQ(p[15 * PAGE / 8], 0); /* a read fills a page too, with zeros */
	CHECK_EQ(p[5 * PAGE / 8], 2);  /* resident now: no further fault */
	CHECK_OK(stats(s2));
	CHECK_EQ(s2[MEMSRV_STAT_RESIDENT_PAGES], s0[MEMSRV_STAT_RESIDENT_PAGES] + 3);
	CHECK_EQ(s2[MEMSRV_STAT_FAULTS_LAZY], s0[MEMSRV_STAT_FAULTS_LAZY] + 3);
	CHECK_EQ(s2[MEMSRV_STAT_MAPPED_PAGES], s2[MEMSRV_STAT_RESIDENT_PAGES]);
	CHECK_OK(mem_query(ms, 0, va + 7 * PAGE, &v));
	CHECK_EQ(v.start, va);
	CHECK_EQ(v.length, 16 * PAGE);
	CHECK_EQ(v.resident, 3);
	CHECK_EQ(v.flags, 0);
	CHECK_OK(mem_unmap(ms, 0, va, 16 * PAGE));
	CHECK_OK(stats(s2));
	CHECK_EQ(s2[MEMSRV_STAT_RESIDENT_PAGES], s0[MEMSRV_STAT_RESIDENT_PAGES]);
	CHECK_EQ(s2[MEMSRV_STAT_VMAS], s0[MEMSRV_STAT_VMAS]);
	CHECK_EQ(s2[MEMSRV_STAT_TABLE_PAGES], s0[MEMSRV_STAT_TABLE_PAGES]);
	return 0;
}

int test_eager_map_is_resident(void)
{
	uint64_t s0[MEMSRV_STAT_COUNT], s1[MEMSRV_STAT_COUNT], va;
	CHECK_OK(stats(s0));
	CHECK_OK(mem_map(ms, 0, 0, 4 * PAGE, RW, MEMSRV_KIND_ANON, MEMSRV_MAP_EAGER, &va));
	CHECK_OK(stats(s1));
	CHECK_EQ(s1[MEMSRV_STAT_RESIDENT_PAGES], s0[MEMSRV_STAT_RESIDENT_PAGES] + 4);
	const volatile uint64_t *p = (const volatile uint64_t *)va;
	for (unsigned i = 0; i < 4 * PAGE / 8; i++)
		CHECK_EQ(p[i], 0);
	CHECK_OK(stats(s1));
	CHECK_EQ(s1[MEMSRV_STAT_FAULTS_LAZY], s0[MEMSRV_STAT_FAULTS_LAZY]);
	CHECK_OK(mem_unmap(ms, 0, va, 4 * PAGE));
	CHECK_OK(stats(s1));
	CHECK_EQ(s1[MEMSRV_STAT_RESIDENT_PAGES], s0[MEMSRV_STAT_RESIDENT_PAGES]);
	return 0;
}

int test_map_errors_have_distinct_codes(void)
{
	uint64_t s0[MEMSRV_STAT_COUNT], s1[MEMSRV_STAT_COUNT], va;
	CHECK_OK(stats(s0));
	CHECK_ERR(mem_map(ms, 0, FIXED_VA, 0, RW, MEMSRV_KIND_ANON, 0, &va), E_INVAL);
	CHECK_ERR(mem_map(ms, 0, FIXED_VA + 8, PAGE, RW, MEMSRV_KIND_ANON, 0, &va), E_ALIGN);
	CHECK_ERR(mem_map(ms, 0, FIXED_VA, 100, RW, MEMSRV_KIND_ANON, 0, &va), E_ALIGN);
	CHECK_ERR(mem_map(ms, 0, 0xfffffffffffff000ull, 2 * PAGE, RW, MEMSRV_KIND_ANON, 0, &va),
		  E_RANGE);
	CHECK_ERR(mem_map(ms, 0, 0xffff000000000000ull, PAGE, RW, MEMSRV_KIND_ANON, 0, &va),
		  E_RANGE);
	CHECK_ERR(mem_map(ms, 0, (1ull << 48) - PAGE, 2 * PAGE, RW, MEMSRV_KIND_ANON, 0, &va),
		  E_RANGE);
	CHECK_ERR(
	    mem_map(ms, 0, FIXED_VA, PAGE, MEMSRV_PROT_W | MEMSRV_PROT_X, MEMSRV_KIND_ANON, 0, &va),
	    E_WX);
	CHECK_ERR(mem_map(ms, 0, FIXED_VA, PAGE, MEMSRV_PROT_W, MEMSRV_KIND_ANON, 0, &va), E_INVAL);
	CHECK_ERR(mem_map(ms, 0, FIXED_VA, PAGE, 8, MEMSRV_KIND_ANON, 0, &va), E_INVAL);
	CHECK_ERR(mem_map(ms, 0, FIXED_VA, PAGE, RW, MEMSRV_KIND_ELF, 0, &va), E_INVAL);
	CHECK_ERR(mem_map(ms, 0, FIXED_VA, PAGE, RW, MEMSRV_KIND_ANON, 0x80, &va), E_INVAL);
	CHECK_ERR(mem_map(ms, 0, FIXED_VA, PAGE, RW, MEMSRV_KIND_STACK, 0, &va), E_INVAL);
	CHECK_ERR(mem_map(ms, 0, 0, 1ull << 41, RW, MEMSRV_KIND_ANON, 0, &va), E_NOMEM);
	CHECK_OK(mem_map(ms, 0, FIXED_VA, 2 * PAGE, RW, MEMSRV_KIND_ANON, 0, &va));
	CHECK_ERR(mem_map(ms, 0, FIXED_VA + PAGE, 2 * PAGE, RW, MEMSRV_KIND_ANON, 0, &va),
		  E_MAPPED);
	CHECK_ERR(mem_map(ms, 0, 0x400000, PAGE, RW, MEMSRV_KIND_ANON, 0, &va), E_MAPPED);
	CHECK_ERR(mem_protect(ms, 0, FIXED_VA, 3 * PAGE, MEMSRV_PROT_R), E_NOTMAPPED);
	CHECK_ERR(mem_unmap(ms, 0, FIXED_VA + 1, PAGE), E_ALIGN);
	CHECK_OK(mem_unmap(ms, 0, FIXED_VA, 2 * PAGE));
	CHECK_OK(stats(s1));
	CHECK_EQ(s1[MEMSRV_STAT_VMAS], s0[MEMSRV_STAT_VMAS]);
	CHECK_EQ(s1[MEMSRV_STAT_RESIDENT_PAGES], s0[MEMSRV_STAT_RESIDENT_PAGES]);
	return 0;
}

int test_wx_refused(void)
{
	uint64_t s0[MEMSRV_STAT_COUNT], s1[MEMSRV_STAT_COUNT], va, rx;
	const unsigned rwx = MEMSRV_PROT_R | MEMSRV_PROT_W | MEMSRV_PROT_X;
	CHECK_OK(stats(s0));
	CHECK_ERR(mem_map(ms, 0, 0, PAGE, rwx, MEMSRV_KIND_ANON, 0, &va), E_WX);
	CHECK_ERR(mem_map(ms, 0, 0, PAGE, rwx, MEMSRV_KIND_ANON, MEMSRV_MAP_EAGER, &va), E_WX);
	CHECK_OK(stats(s1));
	CHECK_EQ(s1[MEMSRV_STAT_VMAS], s0[MEMSRV_STAT_VMAS]);
	CHECK_OK(mem_map(ms, 0, 0, 2 * PAGE, RW, MEMSRV_KIND_ANON, MEMSRV_MAP_EAGER, &va));
	CHECK_ERR(mem_protect(ms, 0, va, 2 * PAGE, rwx), E_WX);
	CHECK_ERR(mem_protect(ms, 0, va, PAGE, MEMSRV_PROT_W | MEMSRV_PROT_X), E_WX);
	CHECK_OK(mem_map(ms, 0, 0, PAGE, MEMSRV_PROT_R | MEMSRV_PROT_X, MEMSRV_KIND_ANON, 0, &rx));
	CHECK_ERR(mem_protect(ms, 0, rx, PAGE, rwx), E_WX);
	/* The code segment of memtest itself cannot be made writable and stay executable. */
	CHECK_ERR(mem_protect(ms, 0, 0x400000, PAGE, rwx), E_WX);
	CHECK_OK(mem_unmap(ms, 0, va, 2 * PAGE));
	CHECK_OK(mem_unmap(ms, 0, rx, PAGE));
	CHECK_OK(stats(s1));
	CHECK_EQ(s1[MEMSRV_STAT_VMAS], s0[MEMSRV_STAT_VMAS]);
	return 0;
}

int test_unmap_and_protect_split_vmas(void)
{
	uint64_t s0[MEMSRV_STAT_COUNT], s1[MEMSRV_STAT_COUNT], va, checked, bad;
	struct mem_vma v;
	CHECK_OK(stats(s0));
	CHECK_OK(mem_map(ms, 0, FIXED_VA, 8 * PAGE, RW, MEMSRV_KIND_ANON, MEMSRV_MAP_EAGER, &va));
	CHECK_EQ(va, FIXED_VA);
	volatile uint64_t *p = (volatile uint64_t *)va;
	p[2 * PAGE / 8] = 0x1234;
	CHECK_OK(mem_protect(ms, 0, va + 2 * PAGE, 2 * PAGE, MEMSRV_PROT_R));
	CHECK_OK(stats(s1));
	CHECK_EQ(s1[MEMSRV_STAT_VMAS], s0[MEMSRV_STAT_VMAS] + 3);
	CHECK_OK(mem_query(ms, 0, va + 3 * PAGE, &v));
	CHECK_EQ(v.start, va + 2 * PAGE);
	CHECK_EQ(v.length, 2 * PAGE);
	CHECK_EQ(v.prot, MEMSRV_PROT_R);
	CHECK_EQ(v.resident, 2);
	CHECK_EQ(p[2 * PAGE / 8], 0x1234); /* still readable, contents kept */
	CHECK_OK(mem_unmap(ms, 0, va + 3 * PAGE, 3 * PAGE));
	CHECK_OK(stats(s1));
	CHECK_EQ(s1[MEMSRV_STAT_VMAS], s0[MEMSRV_STAT_VMAS] + 3);
	CHECK_EQ(s1[MEMSRV_STAT_RESIDENT_PAGES], s0[MEMSRV_STAT_RESIDENT_PAGES] + 5);
	CHECK_ERR(mem_protect(ms, 0, va, 8 * PAGE, RW), E_NOTMAPPED);
	CHECK_ERR(mem_query(ms, 0, va + 4 * PAGE, &v), E_NOTMAPPED);
	CHECK_OK(mem_protect(ms, 0, va + 2 * PAGE, PAGE, RW)); /* merges back with [0, 2) */
	CHECK_OK(mem_query(ms, 0, va, &v));
	CHECK_EQ(v.length, 3 * PAGE);
	CHECK_OK(mem_audit(ms, 0, &checked, &bad));
	CHECK_EQ(bad, 0);
	CHECK_EQ(checked, s1[MEMSRV_STAT_RESIDENT_PAGES]);
	CHECK_OK(mem_unmap(ms, 0, va, 8 * PAGE)); /* spans the pieces and the hole */
	CHECK_OK(stats(s1));
	CHECK_EQ(s1[MEMSRV_STAT_VMAS], s0[MEMSRV_STAT_VMAS]);
	CHECK_EQ(s1[MEMSRV_STAT_RESIDENT_PAGES], s0[MEMSRV_STAT_RESIDENT_PAGES]);
	CHECK_EQ(s1[MEMSRV_STAT_TABLE_PAGES], s0[MEMSRV_STAT_TABLE_PAGES]);
	return 0;
}

int test_stats_report_asid_and_quota(void)
{
	uint64_t s[MEMSRV_STAT_COUNT];
	struct mem_global_stats g;
	CHECK_OK(stats(s));
	CHECK(s[MEMSRV_STAT_ASID] > 1);     /* 1 is memsrv's own */
	CHECK(s[MEMSRV_STAT_HW_ASID] != 0); /* memtest is running, so it has one */
	CHECK(s[MEMSRV_STAT_GENERATION] != 0);
	CHECK_EQ(s[MEMSRV_STAT_QUOTA_PAGES], 4096);
	CHECK(s[MEMSRV_STAT_TABLE_PAGES] >= 3);
	CHECK_EQ(s[MEMSRV_STAT_MAPPED_PAGES], s[MEMSRV_STAT_RESIDENT_PAGES]);
	CHECK_EQ(s[MEMSRV_STAT_AS_ID], self_id());
	CHECK(s[MEMSRV_STAT_VMAS] >= 5); /* 3 segments, stack, IPC buffer */
	CHECK_OK(mem_global_stats(ms, &g));
	CHECK_EQ(g.memsrv[MEMSRV_GSTAT_ASLR_BITS], 28);
	CHECK_EQ(g.memsrv[MEMSRV_GSTAT_FREE_FRAMES] + g.memsrv[MEMSRV_GSTAT_USED_FRAMES],
		 g.memsrv[MEMSRV_GSTAT_TOTAL_FRAMES]);
	CHECK(g.memsrv[MEMSRV_GSTAT_USED_FRAMES] >=
	      s[MEMSRV_STAT_RESIDENT_PAGES] + s[MEMSRV_STAT_TABLE_PAGES] + 1);
	CHECK(g.memsrv[MEMSRV_GSTAT_PROCESSES] >= 1);
	CHECK(g.kernel[KSTAT_SYSCALLS] > 0);
	return 0;
}
