/*
 * Heavier tests: create/destroy cycles against the free-frame baseline, the audit after a
 * random workload, thousands of VMAs in one address space, and a suite of malformed and
 * unauthorised requests that must each get their documented error and change nothing.
 */
#include <mica/fault.h>
#include <string.h>

#include "memtest.h"

#define CYCLES      1000
#define MANY_VMAS   2000
#define MANY_SPACES 300
#define OOM_BASE    0x4000000000ull
#define WORK_OPS    400
#define WORK_BASE   0x60000000ull
#define WORK_PAGES  512 /* the workload's window: 2 MiB */
#define MANY_BASE   0x80000000ull
#define RW          (MEMSRV_PROT_R | MEMSRV_PROT_W)

int test_create_destroy_cycles_keep_baseline(void)
{
	struct mem_global_stats g0, g1;
	uint64_t va;
	unsigned as;
	CHECK_OK(mem_global_stats(ms, &g0));
	for (unsigned i = 0; i < CYCLES; i++) {
		CHECK_OK(mem_as_create(ms, 0, &as));
		CHECK_OK(mem_map(ms, as, 0, 2 * PAGE, RW, MEMSRV_KIND_ANON, MEMSRV_MAP_EAGER, &va));
		CHECK_OK(mem_map(ms, as, 0, 64 * PAGE, RW, MEMSRV_KIND_STACK, 0, &va));
		CHECK_OK(mem_as_destroy(ms, as));
	}
	CHECK_OK(mem_global_stats(ms, &g1));
	CHECK_EQ(g1.memsrv[MEMSRV_GSTAT_FREE_FRAMES], g0.memsrv[MEMSRV_GSTAT_FREE_FRAMES]);
	CHECK_EQ(g1.memsrv[MEMSRV_GSTAT_USED_FRAMES], g0.memsrv[MEMSRV_GSTAT_USED_FRAMES]);
	CHECK_EQ(g1.memsrv[MEMSRV_GSTAT_TABLE_PAGES], g0.memsrv[MEMSRV_GSTAT_TABLE_PAGES]);
	CHECK_EQ(g1.memsrv[MEMSRV_GSTAT_AS_LIVE], g0.memsrv[MEMSRV_GSTAT_AS_LIVE]);
	CHECK_EQ(g1.memsrv[MEMSRV_GSTAT_AS_CREATED], g0.memsrv[MEMSRV_GSTAT_AS_CREATED] + CYCLES);
	return 0;
}

int test_address_spaces_beyond_one_asid_pool(void)
{
	static unsigned ids[MANY_SPACES];
	struct mem_global_stats g0, g1;
	uint64_t s[MEMSRV_STAT_COUNT], va, max_asid = 0;
	CHECK_OK(mem_global_stats(ms, &g0));
	for (unsigned i = 0; i < MANY_SPACES; i++) {
		CHECK_OK(mem_as_create(ms, 0, &ids[i]));
		CHECK_OK(mem_map(ms, ids[i], 0, PAGE, RW, MEMSRV_KIND_ANON, MEMSRV_MAP_EAGER, &va));
		CHECK_OK(mem_stats(ms, ids[i], s));
		CHECK(s[MEMSRV_STAT_ASID] != 0);
		max_asid = s[MEMSRV_STAT_ASID] > max_asid ? s[MEMSRV_STAT_ASID] : max_asid;
	}
	CHECK(max_asid >= 2 * 128); /* the first pool holds ASIDs 0..127 */
	CHECK_OK(mem_global_stats(ms, &g1));
	CHECK_EQ(g1.memsrv[MEMSRV_GSTAT_AS_LIVE], g0.memsrv[MEMSRV_GSTAT_AS_LIVE] + MANY_SPACES);
	for (unsigned i = 0; i < MANY_SPACES; i++)
		CHECK_OK(mem_as_destroy(ms, ids[i]));
	CHECK_OK(mem_global_stats(ms, &g1));
	CHECK_EQ(g1.memsrv[MEMSRV_GSTAT_FREE_FRAMES], g0.memsrv[MEMSRV_GSTAT_FREE_FRAMES]);
	CHECK_EQ(g1.memsrv[MEMSRV_GSTAT_AS_LIVE], g0.memsrv[MEMSRV_GSTAT_AS_LIVE]);
	return 0;
}

int test_out_of_memory_is_an_error(void)
{
	struct mem_global_stats g0, g1;
	uint64_t s[MEMSRV_STAT_COUNT], va;
	unsigned as, pid;
	CHECK_OK(mem_as_create(ms, 1ull << 24, &as));
	CHECK_OK(mem_global_stats(ms, &g0));
	uint64_t all = g0.memsrv[MEMSRV_GSTAT_TOTAL_FRAMES] * PAGE; /* more than there can be */
	CHECK_ERR(mem_map(ms, as, OOM_BASE, all, RW, MEMSRV_KIND_ANON, MEMSRV_MAP_EAGER, &va),
		  E_NOMEM);
	CHECK_OK(mem_stats(ms, as, s));
	CHECK_EQ(s[MEMSRV_STAT_VMAS], 0);
	CHECK_EQ(s[MEMSRV_STAT_RESIDENT_PAGES], 0);
	CHECK_EQ(s[MEMSRV_STAT_TABLE_PAGES], 0);
	CHECK_OK(mem_global_stats(ms, &g1));
	CHECK_EQ(g1.memsrv[MEMSRV_GSTAT_FREE_FRAMES], g0.memsrv[MEMSRV_GSTAT_FREE_FRAMES]);
	CHECK(g1.memsrv[MEMSRV_GSTAT_POOLED_FRAMES] > g0.memsrv[MEMSRV_GSTAT_POOLED_FRAMES]);
	/* Everything still works: maps (reusing the pooled frames), tables, processes. */
	CHECK_OK(mem_map(ms, as, 0, 64 * PAGE, RW, MEMSRV_KIND_ANON, MEMSRV_MAP_EAGER, &va));
	CHECK_OK(spawn_crasher(CRASH_ARG(CRASH_LAZY_EXIT, 0, 0), CRASHER_PRIO, 0, &pid));
	CHECK_EQ(MEMSRV_PS_STATE(ps_state(pid)), MEMSRV_PS_EXITED);
	CHECK_OK(mem_as_destroy(ms, as));
	return 0;
}

/* One random operation of the workload on `as` in [WORK_BASE, + WORK_PAGES pages). */
static void random_op(unsigned as)
{
	static const unsigned prots[] = { MEMSRV_PROT_R, RW, MEMSRV_PROT_R | MEMSRV_PROT_X };
	uint64_t r = test_random(), va;
	uint64_t page = (r >> 8) % WORK_PAGES, pages = 1 + (r >> 20) % 16;
	uint64_t addr = WORK_BASE + page * PAGE;
	unsigned prot = prots[(r >> 32) % 3];
	switch (r % 5) {
	case 0:
	case 1:
		mem_map(ms, as, addr, pages * PAGE, prot, MEMSRV_KIND_ANON,
			(r >> 40) & 1 ? MEMSRV_MAP_EAGER : 0, &va);
		break;
	case 2:
		mem_unmap(ms, as, addr, pages * PAGE);
		break;
	case 3:
		mem_protect(ms, as, addr, pages * PAGE, prot);
		break;
	default:
		if (mem_map(ms, as, 0, pages * PAGE, prot, MEMSRV_KIND_ANON, MEMSRV_MAP_EAGER,
			    &va) == E_OK &&
		    (r >> 48) & 1)
			mem_unmap(ms, as, va + PAGE, PAGE);
		break;
	}
}

int test_audit_after_random_workload(void)
{
	uint64_t s[MEMSRV_STAT_COUNT], checked, bad, va;
	unsigned as;
	CHECK_OK(mem_as_create(ms, 0, &as));
	for (unsigned i = 0; i < WORK_OPS; i++)
		random_op(as);
	CHECK_OK(mem_stats(ms, as, s));
	CHECK(s[MEMSRV_STAT_RESIDENT_PAGES] > 0);
	CHECK_OK(mem_audit(ms, as, &checked, &bad));
	CHECK_EQ(bad, 0);
	CHECK_EQ(checked, s[MEMSRV_STAT_RESIDENT_PAGES]);
	CHECK_EQ(s[MEMSRV_STAT_MAPPED_PAGES], s[MEMSRV_STAT_RESIDENT_PAGES]);
	CHECK_OK(mem_as_destroy(ms, as));
	/* memtest's own space: lazy pages touched, then some made read-only. */
	CHECK_OK(mem_map(ms, 0, 0, 32 * PAGE, RW, MEMSRV_KIND_ANON, 0, &va));
	for (unsigned i = 0; i < 32; i += 3)
		*(volatile uint64_t *)(va + i * PAGE) = i;
	CHECK_OK(mem_protect(ms, 0, va + 8 * PAGE, 8 * PAGE, MEMSRV_PROT_R));
	CHECK_OK(mem_audit(ms, 0, &checked, &bad));
	CHECK_EQ(bad, 0);
	CHECK_OK(mem_stats(ms, 0, s));
	CHECK_EQ(checked, s[MEMSRV_STAT_RESIDENT_PAGES]);
	CHECK_OK(mem_unmap(ms, 0, va, 32 * PAGE));
	return 0;
}

int test_vma_tree_holds_thousands(void)
{
	struct mem_vma v[19];
	uint64_t s[MEMSRV_STAT_COUNT], from = 0, next, last = 0, va;
	unsigned as, n, seen = 0;
	CHECK_OK(mem_as_create(ms, 0, &as));
	/* Every other page, so no two VMAs merge. */
	for (unsigned i = 0; i < MANY_VMAS; i++)
		CHECK_OK(mem_map(ms, as, MANY_BASE + 2 * i * PAGE, PAGE, MEMSRV_PROT_R,
				 MEMSRV_KIND_ANON, 0, &va));
	CHECK_OK(mem_stats(ms, as, s));
	CHECK_EQ(s[MEMSRV_STAT_VMAS], MANY_VMAS);
	do {
		CHECK_OK(mem_vma_list(ms, as, from, v, 19, &n, &next));
		for (unsigned i = 0; i < n; i++) {
			CHECK(v[i].start >= last);
			last = v[i].start + v[i].length;
			seen++;
		}
		from = next;
	} while (next);
	CHECK_EQ(seen, MANY_VMAS);
	CHECK_OK(mem_query(ms, as, MANY_BASE + 2 * 1234 * PAGE, v));
	CHECK_EQ(v[0].start, MANY_BASE + 2 * 1234 * PAGE);
	CHECK_ERR(mem_query(ms, as, MANY_BASE + (2 * 1234 + 1) * PAGE, v), E_NOTMAPPED);
	CHECK_OK(mem_unmap(ms, as, MANY_BASE, 2 * MANY_VMAS * PAGE));
	CHECK_OK(mem_stats(ms, as, s));
	CHECK_EQ(s[MEMSRV_STAT_VMAS], 0);
	CHECK_OK(mem_as_destroy(ms, as));
	return 0;
}

/* A raw request expecting error `want`. */
static int refused(uint64_t label, const uint64_t *args, unsigned nargs, int want, int line)
{
	int err = mem_request(ms, label, args, nargs, NULL, 0, NULL);
	if (err != want)
		return failf("line %d: label %lu gave %s, expected %s", line, (unsigned long)label,
			     mica_strerror(err), mica_strerror(want));
	return 0;
}

#define REFUSED(label, want, ...)                                                   \
	do {                                                                        \
		const uint64_t a_[] = { __VA_ARGS__ };                              \
		if (refused(label, a_, sizeof(a_) / sizeof(a_[0]), want, __LINE__)) \
			return -1;                                                  \
	} while (0)

/* The IPC buffer VMA of memtest (pinned). */
static int ipc_buffer_vma(uint64_t *start)
{
	struct mem_vma v[19];
	uint64_t from = 0, next;
	unsigned n;
	do {
		CHECK_OK(mem_vma_list(ms, 0, from, v, 19, &n, &next));
		for (unsigned i = 0; i < n; i++) {
			if (v[i].flags & MEMSRV_VMA_PINNED) {
				*start = v[i].start;
				return 0;
			}
		}
		from = next;
	} while (next);
	return failf("no pinned VMA");
}

/* Malformed words: labels, lengths, ranges. */
static int malformed_suite(unsigned as)
{
	const uint64_t r = MEMSRV_PROT_R;
	uint64_t ipc;
	if (ipc_buffer_vma(&ipc))
		return -1;
	REFUSED(0, E_LABEL, 0);
	REFUSED(999, E_LABEL, 0);
	REFUSED(MEMSRV_SEED - 1 + 100, E_LABEL, 0);
	REFUSED(FAULT_LABEL(FAULT_VM), E_LABEL, 0x10, 0x400000, FAULT_ACCESS_READ, 0);
	REFUSED(MEMSRV_MAP, E_MSGSIZE, 0, 0, PAGE, r, 0);
	REFUSED(MEMSRV_MAP, E_MSGSIZE, 0, 0, PAGE, r, 0, 0, 0);
	REFUSED(MEMSRV_STATS, E_MSGSIZE);
	REFUSED(MEMSRV_EXIT, E_MSGSIZE, 0, 0);
	REFUSED(MEMSRV_SPAWN, E_MSGSIZE, 0, 0, 0, 0, 0, 0, 0, 0);
	REFUSED(MEMSRV_MAP, E_RANGE, 70000, 0, PAGE, r, 0, 0);
	REFUSED(MEMSRV_STATS, E_RANGE, 1ull << 40);
	REFUSED(MEMSRV_STATS, E_INVAL, 1000);
	REFUSED(MEMSRV_AS_DESTROY, E_INVAL, 0);
	REFUSED(MEMSRV_AS_DESTROY, E_INVAL, 1000);
	REFUSED(MEMSRV_KILL, E_INVAL, as); /* an address space without a process */
	REFUSED(MEMSRV_KILL, E_RANGE, 70000);
	REFUSED(MEMSRV_AS_CREATE, E_RANGE, 1ull << 30);
	REFUSED(MEMSRV_VMA_LIST, E_RANGE, 0, 0, 0);
	REFUSED(MEMSRV_VMA_LIST, E_RANGE, 0, 0, 20);
	REFUSED(MEMSRV_QUERY, E_NOTMAPPED, 0, 0x1000);
	REFUSED(MEMSRV_MAP, E_INVAL, as, 0x10000000, 0, r, 0, 0);
	REFUSED(MEMSRV_MAP, E_ALIGN, as, 0x10000010, PAGE, r, 0, 0);
	REFUSED(MEMSRV_MAP, E_RANGE, as, 0xffffffffffff0000ull, 0x20000, r, 0, 0);
	REFUSED(MEMSRV_MAP, E_RANGE, as, 0xffff800000000000ull, PAGE, r, 0, 0);
	REFUSED(MEMSRV_MAP, E_WX, as, 0x10000000, PAGE, 7, 0, 0);
	REFUSED(MEMSRV_MAP, E_INVAL, as, 0x10000000, PAGE, r, 9, 0);
	REFUSED(MEMSRV_UNMAP, E_ALIGN, as, 0x10000010, PAGE);
	REFUSED(MEMSRV_UNMAP, E_INVAL, as, 0x10000000, 0);
	REFUSED(MEMSRV_UNMAP, E_RANGE, as, 0xffff000000000000ull, PAGE);
	REFUSED(MEMSRV_UNMAP, E_BUSY, 0, ipc, PAGE);
	REFUSED(MEMSRV_PROTECT, E_BUSY, 0, ipc, PAGE, r);
	REFUSED(MEMSRV_PROTECT, E_NOTMAPPED, as, 0x10000000, PAGE, r);
	REFUSED(MEMSRV_PROTECT, E_INVAL, as, 0x10000000, PAGE, 8);
	REFUSED(MEMSRV_PROTECT, E_WX, as, 0x10000000, PAGE, 6);
	return 0;
}

/* Spawn requests that must be refused: names, priorities, flags. */
static int spawn_suite(void)
{
	uint64_t name = 0;
	memcpy(&name, "nothere", 8);
	REFUSED(MEMSRV_SPAWN, E_INVAL, 0, 0, 0, 0, 0, 0, 0, 0, name);
	REFUSED(MEMSRV_SPAWN, E_INVAL, 0, 0, 0, 0, 0, 0, 0, 0, 0);     /* empty name */
	REFUSED(MEMSRV_SPAWN, E_INVAL, 0, 0, 0, 0, 0, 0, 0, 0, ~0ull); /* no NUL */
	memcpy(&name, "crasher", 8);
	REFUSED(MEMSRV_SPAWN, E_RANGE, 255, 0, 0, 0, 0, 0, 0, 0, name);
	REFUSED(MEMSRV_SPAWN, E_INVAL, 0, 0, 8, 0, 0, 0, 0, 0, name);
	REFUSED(MEMSRV_SPAWN, E_RANGE, 0, 0, MEMSRV_CORE(200), 0, 0, 0, 0, 0, name);
	REFUSED(MEMSRV_SPAWN, E_RANGE, 0, 0, 0, 1ull << 40, 0, 0, 0, 0, name);
	return 0;
}

/* The MEMSRV_GSTAT_* words (not the kernel's counters, which every call moves). */
static int snapshot(uint64_t g[MEMSRV_GSTAT_COUNT], uint64_t s[MEMSRV_STAT_COUNT],
		    uint64_t t[MEMSRV_STAT_COUNT], unsigned as)
{
	struct mem_global_stats gs;
	int err = mem_global_stats(ms, &gs);
	if (!err)
		err = mem_stats(ms, 0, s);
	if (!err)
		err = mem_stats(ms, as, t);
	if (!err)
		memcpy(g, gs.memsrv, sizeof(gs.memsrv));
	return err;
}

int test_malformed_requests_change_nothing(void)
{
	uint64_t g0[MEMSRV_GSTAT_COUNT], s0[MEMSRV_STAT_COUNT], t0[MEMSRV_STAT_COUNT];
	uint64_t g1[MEMSRV_GSTAT_COUNT], s1[MEMSRV_STAT_COUNT], t1[MEMSRV_STAT_COUNT], va;
	unsigned as;
	CHECK_OK(mem_as_create(ms, 0, &as));
	CHECK_OK(
	    mem_map(ms, as, 0x20000000, 4 * PAGE, RW, MEMSRV_KIND_ANON, MEMSRV_MAP_EAGER, &va));
	CHECK_OK(snapshot(g0, s0, t0, as));
	if (malformed_suite(as) || spawn_suite())
		return -1;
	CHECK_OK(snapshot(g1, s1, t1, as));
	for (unsigned i = 0; i < MEMSRV_GSTAT_COUNT; i++)
		CHECK_EQ(g1[i], g0[i]);
	for (unsigned i = 0; i < MEMSRV_STAT_COUNT; i++) {
		if (i != MEMSRV_STAT_HW_ASID && i != MEMSRV_STAT_GENERATION) {
			CHECK_EQ(s1[i], s0[i]);
			CHECK_EQ(t1[i], t0[i]);
		}
	}
	CHECK_OK(mem_as_destroy(ms, as));
	return 0;
}

int test_ps_and_as_list(void)
{
	struct mem_proc p[25];
	unsigned ids[100], n, as, me = self_id();
	bool found = false;
	CHECK_OK(mem_ps(ms, me, p, 25, &n));
	CHECK(n >= 1);
	CHECK_EQ(p[0].id, me);
	CHECK_EQ(MEMSRV_PS_STATE(p[0].state), MEMSRV_PS_RUNNING);
	CHECK(p[0].resident > 0);
	CHECK_OK(mem_as_create(ms, 0, &as));
	CHECK_OK(mem_as_list(ms, 1, ids, &n));
	for (unsigned i = 0; i < n; i++)
		found |= ids[i] == as;
	CHECK(found);
	CHECK_OK(mem_as_destroy(ms, as));
	CHECK_OK(mem_as_list(ms, as, ids, &n));
	CHECK(n == 0 || ids[0] != as);
	CHECK_ERR(mem_as_destroy(ms, as), E_INVAL);
	return 0;
}
