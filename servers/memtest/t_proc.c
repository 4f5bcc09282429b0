/*
 * Tests of processes. A crasher spawned above memtest's priority runs as soon as memsrv
 * answers the spawn, so it has ended (killed or exited) by the time memtest runs again. Each
 * test checks how it ended (MEMSRV_PS), that everything it held came back, and that memsrv
 * still answers.
 */
#include <string.h>

#include "memtest.h"

#define QUOTA_VA 0x50000000ull /* 2 MiB aligned: 13 pages need one L1, L2 and L3 table */

/* Global counters that must be back where they were once a process has ended. */
static int baseline(struct mem_global_stats *g)
{
	return mem_global_stats(ms, g);
}

/* The process ended `state` with kill statistic `kill_stat`, and nothing leaked. */
static int check_ended(unsigned pid, unsigned state, unsigned kill_stat,
		       const struct mem_global_stats *before)
{
	struct mem_global_stats g;
	uint64_t s[MEMSRV_STAT_COUNT];
	uint64_t w = ps_state(pid);
	CHECK_EQ(MEMSRV_PS_STATE(w), state);
	CHECK_EQ(MEMSRV_PS_KILL_STAT(w), kill_stat);
	CHECK_ERR(mem_stats(ms, pid, s), E_INVAL); /* its address space is gone */
	CHECK_OK(mem_global_stats(ms, &g));
	CHECK_EQ(g.memsrv[MEMSRV_GSTAT_FREE_FRAMES], before->memsrv[MEMSRV_GSTAT_FREE_FRAMES]);
	CHECK_EQ(g.memsrv[MEMSRV_GSTAT_AS_LIVE], before->memsrv[MEMSRV_GSTAT_AS_LIVE]);
	CHECK_EQ(g.memsrv[MEMSRV_GSTAT_PROCESSES], before->memsrv[MEMSRV_GSTAT_PROCESSES]);
	CHECK_EQ(g.memsrv[MEMSRV_GSTAT_TABLE_PAGES], before->memsrv[MEMSRV_GSTAT_TABLE_PAGES]);
	CHECK_EQ(g.memsrv[MEMSRV_GSTAT_AS_CREATED], before->memsrv[MEMSRV_GSTAT_AS_CREATED] + 1);
	CHECK_OK(mem_stats(ms, 0, s)); /* memsrv keeps serving */
	return 0;
}

/* Spawns crasher in `mode` above memtest and checks it was killed with `kill_stat`. */
static int crash_and_check(unsigned mode, unsigned kill_stat, uint64_t quota)
{
	struct mem_global_stats g;
	unsigned pid;
	CHECK_OK(baseline(&g));
	CHECK_OK(spawn_crasher(CRASH_ARG(mode, 0, 0), CRASHER_PRIO, quota, &pid));
	if (check_ended(pid, MEMSRV_PS_KILLED, kill_stat, &g))
		return -1;
	struct mem_global_stats after;
	CHECK_OK(mem_global_stats(ms, &after));
	CHECK_EQ(after.memsrv[MEMSRV_GSTAT_KILLED], g.memsrv[MEMSRV_GSTAT_KILLED] + 1);
	return 0;
}

int test_guard_page_hit_kills_process(void)
{
	return crash_and_check(CRASH_STACK_OVERFLOW, MEMSRV_STAT_FAULTS_GUARD, 0);
}

int test_unmapped_access_kills_process(void)
{
	return crash_and_check(CRASH_UNMAPPED, MEMSRV_STAT_FAULTS_UNMAPPED, 0);
}

int test_write_to_readonly_kills_process(void)
{
	return crash_and_check(CRASH_PERMISSION, MEMSRV_STAT_FAULTS_PERMISSION, 0);
}

int test_exec_of_data_kills_process(void)
{
	return crash_and_check(CRASH_EXEC, MEMSRV_STAT_FAULTS_PERMISSION, 0);
}

int test_undefined_instruction_kills_process(void)
{
	return crash_and_check(CRASH_UNDEFINED, MEMSRV_STAT_FAULTS_OTHER, 0);
}

int test_lazy_quota_exhaustion_kills_process(void)
{
	return crash_and_check(CRASH_QUOTA, MEMSRV_STAT_FAULTS_QUOTA, 64);
}

int test_eager_quota_exhaustion_is_an_error(void)
{
	struct mem_global_stats g0, g1;
	uint64_t s[MEMSRV_STAT_COUNT], va;
	unsigned as;
	CHECK_OK(mem_as_create(ms, 16, &as));
	CHECK_OK(baseline(&g0));
	CHECK_ERR(
	    mem_map(ms, as, 0, 32 * PAGE, MEMSRV_PROT_R, MEMSRV_KIND_ANON, MEMSRV_MAP_EAGER, &va),
	    E_NOMEM);
	CHECK_OK(mem_stats(ms, as, s));
	CHECK_EQ(s[MEMSRV_STAT_VMAS], 0);
	CHECK_EQ(s[MEMSRV_STAT_RESIDENT_PAGES], 0);
	CHECK_EQ(s[MEMSRV_STAT_TABLE_PAGES], 0);
	CHECK_EQ(s[MEMSRV_STAT_QUOTA_PAGES], 16);
	CHECK_OK(baseline(&g1));
	CHECK_EQ(g1.memsrv[MEMSRV_GSTAT_FREE_FRAMES], g0.memsrv[MEMSRV_GSTAT_FREE_FRAMES]);
	/* 13 pages and their 3 tables (one L3 span) fill the quota; one more page does not fit. */
	CHECK_OK(mem_map(ms, as, QUOTA_VA, 13 * PAGE, MEMSRV_PROT_R, MEMSRV_KIND_ANON,
			 MEMSRV_MAP_EAGER, &va));
	CHECK_ERR(mem_map(ms, as, va + 13 * PAGE, PAGE, MEMSRV_PROT_R, MEMSRV_KIND_ANON,
			  MEMSRV_MAP_EAGER, &va),
		  E_NOMEM);
	CHECK_OK(mem_stats(ms, as, s));
	CHECK_EQ(s[MEMSRV_STAT_RESIDENT_PAGES] + s[MEMSRV_STAT_TABLE_PAGES], 16);
	CHECK_OK(mem_as_destroy(ms, as));
	CHECK_OK(baseline(&g1));
	CHECK_EQ(g1.memsrv[MEMSRV_GSTAT_FREE_FRAMES],
		 g0.memsrv[MEMSRV_GSTAT_FREE_FRAMES] + 1); /* its VSpace root came back too */
	return 0;
}

int test_failed_eager_map_changes_no_statistic(void)
{
	uint64_t s0[MEMSRV_STAT_COUNT], s1[MEMSRV_STAT_COUNT], va;
	unsigned as;
	CHECK_OK(mem_as_create(ms, 16, &as));
	CHECK_OK(mem_stats(ms, as, s0));
	/* 14 pages fit the quota, but not with their 3 tables: it fails at the 14th page. */
	CHECK_ERR(mem_map(ms, as, QUOTA_VA, 14 * PAGE, MEMSRV_PROT_R, MEMSRV_KIND_ANON,
			  MEMSRV_MAP_EAGER, &va),
		  E_NOMEM);
	/* Far beyond the quota: refused before any page is made. */
	CHECK_ERR(mem_map(ms, as, QUOTA_VA, 1ull << 30, MEMSRV_PROT_R, MEMSRV_KIND_ANON,
			  MEMSRV_MAP_EAGER, &va),
		  E_NOMEM);
	CHECK_OK(mem_stats(ms, as, s1));
	for (unsigned i = 0; i < MEMSRV_STAT_COUNT; i++) {
		if (i != MEMSRV_STAT_HW_ASID && i != MEMSRV_STAT_GENERATION)
			CHECK_EQ(s1[i], s0[i]);
	}
	CHECK_EQ(s1[MEMSRV_STAT_TLB_INVALIDATIONS], 0);
	CHECK_OK(mem_as_destroy(ms, as));
	return 0;
}

int test_process_exit_reclaims_everything(void)
{
	struct mem_global_stats g;
	unsigned pid;
	CHECK_OK(baseline(&g));
	CHECK_OK(spawn_crasher(CRASH_ARG(CRASH_LAZY_EXIT, 0, 0), CRASHER_PRIO, 0, &pid));
	if (check_ended(pid, MEMSRV_PS_EXITED, 0, &g))
		return -1;
	CHECK_EQ(MEMSRV_PS_EXIT_CODE(ps_state(pid)), 0);
	CHECK_OK(spawn_crasher(CRASH_ARG(CRASH_EXIT, 0, -5), CRASHER_PRIO, 0, &pid));
	CHECK_EQ(MEMSRV_PS_EXIT_CODE(ps_state(pid)), -5);
	/* A process that never ran, killed by request. */
	CHECK_OK(baseline(&g));
	CHECK_OK(spawn_crasher(CRASH_ARG(CRASH_WAIT, 0, 0), IDLE_PRIO, 0, &pid));
	CHECK_EQ(MEMSRV_PS_STATE(ps_state(pid)), MEMSRV_PS_RUNNING);
	CHECK_OK(mem_kill(ms, pid));
	CHECK_ERR(mem_kill(ms, pid), E_INVAL);
	return check_ended(pid, MEMSRV_PS_KILLED, 0, &g);
}

int test_spawn_refuses_malformed_programs(void)
{
	struct mem_global_stats g0, g1;
	unsigned pid = 0;
	CHECK_OK(baseline(&g0));
	/* In the boot archive but not an ELF program; and not in the archive at all. */
	CHECK_ERR(mem_spawn(ms, "notelf", CRASHER_PRIO, 0, 0, 0, &pid), E_TYPE);
	CHECK_ERR(mem_spawn(ms, "no-such-program", CRASHER_PRIO, 0, 0, 0, &pid), E_INVAL);
	CHECK_OK(baseline(&g1));
	CHECK_EQ(g1.memsrv[MEMSRV_GSTAT_FREE_FRAMES], g0.memsrv[MEMSRV_GSTAT_FREE_FRAMES]);
	CHECK_EQ(g1.memsrv[MEMSRV_GSTAT_PROCESSES], g0.memsrv[MEMSRV_GSTAT_PROCESSES]);
	return 0;
}

int test_isolation_without_capability(void)
{
	uint64_t s0[MEMSRV_STAT_COUNT], s1[MEMSRV_STAT_COUNT];
	unsigned pid, as, me = self_id();
	CHECK_OK(mem_as_create(ms, 0, &as));
	CHECK_OK(mem_stats(ms, 0, s0));
	/* A process without the control right, aimed at memtest, then at a bare address space. */
	CHECK_OK(spawn_crasher(CRASH_ARG(CRASH_ISOLATION, me, 0), CRASHER_PRIO, 0, &pid));
	CHECK_EQ(MEMSRV_PS_STATE(ps_state(pid)), MEMSRV_PS_EXITED);
	CHECK_EQ(MEMSRV_PS_EXIT_CODE(ps_state(pid)), 0);
	CHECK_OK(spawn_crasher(CRASH_ARG(CRASH_ISOLATION, as, 0), CRASHER_PRIO, 0, &pid));
	CHECK_EQ(MEMSRV_PS_EXIT_CODE(ps_state(pid)), 0);
	CHECK_OK(mem_stats(ms, 0, s1));
	for (unsigned i = 0; i < MEMSRV_STAT_COUNT; i++) {
		if (i != MEMSRV_STAT_HW_ASID && i != MEMSRV_STAT_GENERATION)
			CHECK_EQ(s1[i], s0[i]);
	}
	CHECK_OK(mem_stats(ms, as, s1));
	CHECK_EQ(s1[MEMSRV_STAT_VMAS], 0);
	CHECK_OK(mem_as_destroy(ms, as));
	return 0;
}

int test_aslr_seeded_placement(void)
{
	uint64_t a, b, c;
	struct mem_global_stats g;
	CHECK_OK(mem_seed(ms, 1234));
	CHECK_OK(mem_map(ms, 0, 0, PAGE, MEMSRV_PROT_R, MEMSRV_KIND_ANON, 0, &a));
	CHECK_OK(mem_unmap(ms, 0, a, PAGE));
	CHECK_OK(mem_seed(ms, 1234));
	CHECK_OK(mem_map(ms, 0, 0, PAGE, MEMSRV_PROT_R, MEMSRV_KIND_ANON, 0, &b));
	CHECK_OK(mem_unmap(ms, 0, b, PAGE));
	CHECK_OK(mem_seed(ms, 1235));
	CHECK_OK(mem_map(ms, 0, 0, PAGE, MEMSRV_PROT_R, MEMSRV_KIND_ANON, 0, &c));
	CHECK_OK(mem_unmap(ms, 0, c, PAGE));
	CHECK_EQ(a, b);
	CHECK(a != c);
	CHECK(a >= 0x10000000000ull && a < 0x20000000000ull);
	CHECK(c >= 0x10000000000ull && c < 0x20000000000ull);
	CHECK_OK(mem_global_stats(ms, &g));
	CHECK_EQ(g.memsrv[MEMSRV_GSTAT_ASLR_BITS], 28);
	return 0;
}

/* The stack VMA of process pid (its start), found with MEMSRV_VMA_LIST. */
static int stack_of(unsigned pid, uint64_t *start)
{
	struct mem_vma v[19];
	uint64_t from = 0, next;
	unsigned n;
	do {
		CHECK_OK(mem_vma_list(ms, pid, from, v, 19, &n, &next));
		for (unsigned i = 0; i < n; i++) {
			if (v[i].kind == MEMSRV_KIND_STACK) {
				*start = v[i].start;
				return 0;
			}
		}
		from = next;
	} while (next);
	return failf("process %u has no stack VMA", pid);
}

/* Spawns a crasher that never runs after reseeding with `seed`; *stack gets its stack. */
static int stack_with_seed(uint64_t seed, uint64_t *stack)
{
	unsigned pid;
	CHECK_OK(mem_seed(ms, seed));
	CHECK_OK(spawn_crasher(CRASH_ARG(CRASH_WAIT, 0, 0), IDLE_PRIO, 0, &pid));
	if (stack_of(pid, stack))
		return -1;
	CHECK_OK(mem_kill(ms, pid));
	return 0;
}

int test_aslr_seeded_stack(void)
{
	uint64_t a, b, c;
	if (stack_with_seed(77, &a) || stack_with_seed(77, &b) || stack_with_seed(78, &c))
		return -1;
	CHECK_EQ(a, b);
	CHECK(a != c);
	CHECK(a >= 0x7e0000000000ull && a < 0x7f0000000000ull);
	return 0;
}
