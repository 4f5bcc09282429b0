/*
 * The leak check and the fuzz campaigns: address-space and process create/destroy cycles must
 * return the free-frame count exactly, and memfuzz (unprivileged) must leave memsrv as it
 * found it. Sizes: the trust suite runs MEMTEST_LEAK_CI_SPACES address-space cycles and
 * MEMTEST_LEAK_CI_PROCESSES process cycles; memsrv.arg can ask for any number of each
 * (memtest.h, MEMTEST_MODE_LEAK).
 */
#include <stdio.h>

#include <stddef.h>

#include "memtest.h"

#define FUZZ_PRIO     CRASHER_PRIO
#define FUZZ_SEED_MEM 42 /* memsrv's placement seed before each campaign */
#define RW            (MEMSRV_PROT_R | MEMSRV_PROT_W)

static uint64_t counter(void)
{
	uint64_t v;
	__asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(v));
	return v;
}

/* Milliseconds between two counter values. */
static uint64_t ms_between(uint64_t t0, uint64_t t1)
{
	uint64_t hz;
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(hz));
	return (t1 - t0) * 1000 / hz;
}

static uint64_t free_frames(void)
{
	struct mem_global_stats g;
	return mem_global_stats(ms, &g) ? ~0ull : g.memsrv[MEMSRV_GSTAT_FREE_FRAMES];
}

/* n cycles of: create, map one eager page and a lazy stack, destroy. */
static int as_cycles(uint64_t n)
{
	unsigned as;
	for (uint64_t i = 0; i < n; i++) {
		CHECK_OK(mem_as_create(ms, 0, &as));
		CHECK_OK(mem_map(ms, as, 0, PAGE, RW, MEMSRV_KIND_ANON, MEMSRV_MAP_EAGER, NULL));
		CHECK_OK(mem_map(ms, as, 0, 8 * PAGE, RW, MEMSRV_KIND_STACK, 0, NULL));
		CHECK_OK(mem_as_destroy(ms, as));
	}
	return 0;
}

/* n cycles of: spawn crasher (it returns 0 at once), which exits before memtest runs on. */
static int process_cycles(uint64_t n)
{
	unsigned pid;
	for (uint64_t i = 0; i < n; i++) {
		CHECK_OK(spawn_crasher(CRASH_ARG(CRASH_EXIT, 0, 0), CRASHER_PRIO, 0, &pid));
		if (i % 1024 == 0)
			CHECK_EQ(MEMSRV_PS_STATE(ps_state(pid)), MEMSRV_PS_EXITED);
	}
	return 0;
}

int leak_check(uint64_t spaces, uint64_t processes)
{
	uint64_t f0 = free_frames(), t0 = counter();
	if (as_cycles(spaces))
		return -1;
	uint64_t f1 = free_frames(), t1 = counter();
	if (process_cycles(processes))
		return -1;
	uint64_t f2 = free_frames(), t2 = counter();
	printf("memtest: leak check: %lu address spaces in %lu ms, %lu processes in %lu ms, "
	       "free frames %lu, %lu, %lu\n",
	       (unsigned long)spaces, (unsigned long)ms_between(t0, t1), (unsigned long)processes,
	       (unsigned long)ms_between(t1, t2), (unsigned long)f0, (unsigned long)f1,
	       (unsigned long)f2);
	CHECK_EQ(f1, f0);
	CHECK_EQ(f2, f0);
	return 0;
}

int test_leak_check_cycles(void)
{
	return leak_check(MEMTEST_LEAK_CI_SPACES, MEMTEST_LEAK_CI_PROCESSES);
}

int fuzz_campaign(uint64_t seed, uint64_t requests, int *digest)
{
	unsigned pid;
	CHECK_OK(mem_seed(ms, FUZZ_SEED_MEM));
	CHECK_OK(
	    mem_spawn(ms, "memfuzz", FUZZ_PRIO, seed | requests << 32, BESIDE_MEMSRV, 0, &pid));
	uint64_t w = ps_state(pid);
	CHECK_EQ(MEMSRV_PS_STATE(w), MEMSRV_PS_EXITED);
	*digest = MEMSRV_PS_EXIT_CODE(w);
	if (*digest < 0)
		return failf("memfuzz seed %lu found a broken invariant", (unsigned long)seed);
	return 0;
}

int test_fuzzer_refused_requests_change_nothing(void)
{
	struct mem_global_stats g0, g1;
	int d[MEMTEST_FUZZ_SEEDS + 1];
	CHECK_OK(mem_global_stats(ms, &g0));
	for (unsigned s = 0; s < MEMTEST_FUZZ_SEEDS; s++) {
		if (fuzz_campaign(s + 1, MEMTEST_FUZZ_CI, &d[s]))
			return -1;
	}
	if (fuzz_campaign(1, MEMTEST_FUZZ_CI, &d[MEMTEST_FUZZ_SEEDS]))
		return -1;
	CHECK_EQ(d[MEMTEST_FUZZ_SEEDS], d[0]); /* the same seed, the same run */
	CHECK(d[0] != d[1] && d[1] != d[2]);
	CHECK_OK(mem_global_stats(ms, &g1));
	CHECK_EQ(g1.memsrv[MEMSRV_GSTAT_FREE_FRAMES], g0.memsrv[MEMSRV_GSTAT_FREE_FRAMES]);
	CHECK_EQ(g1.memsrv[MEMSRV_GSTAT_AS_LIVE], g0.memsrv[MEMSRV_GSTAT_AS_LIVE]);
	CHECK_EQ(g1.memsrv[MEMSRV_GSTAT_PROCESSES], g0.memsrv[MEMSRV_GSTAT_PROCESSES]);
	CHECK_EQ(g1.memsrv[MEMSRV_GSTAT_KILLED], g0.memsrv[MEMSRV_GSTAT_KILLED]);
	return 0;
}
