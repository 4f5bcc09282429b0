/*
 * membench: instruction counts of memsrv's operations, as seen by a client. Run it under
 * -icount shift=0 (scripts/qemu --icount) with
 *
 *   init=memsrv memsrv.spawn=membench memsrv.control=membench memsrv.poweroff_when_idle
 *
 * Counts retired instructions (PMU event counter 0, EL0 and EL1, set up by the kernel) in
 * every thread the operation runs through: membench, the kernel and memsrv. Each figure is the
 * minimum over ROUNDS runs minus the cost of reading the counter. Prints
 * "membench: NAME INSTRUCTIONS" lines and "membench: done", then exits.
 */
#include <memsrv_client.h>
#include <mica.h>
#include <stdio.h>

#include "../crasher/crasher.h"

#define ROUNDS       32
#define PAGE         4096ull
#define RW           (MEMSRV_PROT_R | MEMSRV_PROT_W)
#define BENCH_VA     0x40000000ull /* 2 MiB aligned: one L3 span for the map benchmarks */
#define CRASHER_PRIO 110           /* above membench: a spawned crasher runs to its exit */

static cptr_t ms;
static uint64_t overhead;

static inline uint64_t icount(void)
{
	uint64_t v;
	__asm__ volatile("isb\n\tmrs %0, pmevcntr0_el0" : "=r"(v)::"memory");
	return v;
}

static void report(const char *name, uint64_t best)
{
	printf("membench: %s %lu\n", name, (unsigned long)(best - overhead));
}

static void fail(const char *what, int err)
{
	printf("membench: %s failed: %s\n", what, mica_strerror(err));
	mem_exit(ms, 1);
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static void measure_overhead(void)
{
	overhead = ~0ull;
	for (int i = 0; i < ROUNDS; i++) {
		uint64_t t0 = icount();
		uint64_t t1 = icount();
		overhead = min_u64(overhead, t1 - t0);
	}
}

/*
 * A lazy fault on a fresh page: fault, memsrv zero-fills a reused frame through its scratch
 * window, maps it, resumes. An eager map and unmap first leaves dirty frames in the pool.
 */
static void bench_lazy_fault(void)
{
	uint64_t va, best = ~0ull;
	int err =
	    mem_map(ms, 0, BENCH_VA, ROUNDS * PAGE, RW, MEMSRV_KIND_ANON, MEMSRV_MAP_EAGER, &va);
	if (!err)
		err = mem_unmap(ms, 0, va, ROUNDS * PAGE);
	if (!err)
		err = mem_map(ms, 0, BENCH_VA, ROUNDS * PAGE, RW, MEMSRV_KIND_ANON, 0, &va);
	if (err)
		fail("lazy map", err);
	*(volatile uint64_t *)va = 0; /* the tables of the span exist from here on */
	for (int i = 1; i < ROUNDS; i++) {
		uint64_t t0 = icount();
		*(volatile uint64_t *)(va + i * PAGE) = 1;
		uint64_t t1 = icount();
		best = min_u64(best, t1 - t0);
	}
	report("lazy_fault_fill", best);
	mem_unmap(ms, 0, va, ROUNDS * PAGE);
}

/* MEMSRV_MAP of one lazy page, a touch (lazy fault), MEMSRV_UNMAP; the L3 table stays. */
static void bench_map_touch_unmap(void)
{
	uint64_t anchor, va, best = ~0ull;
	int err = mem_map(ms, 0, BENCH_VA, PAGE, RW, MEMSRV_KIND_ANON, MEMSRV_MAP_EAGER, &anchor);
	if (err)
		fail("anchor map", err);
	for (int i = 0; i < ROUNDS; i++) {
		uint64_t t0 = icount();
		mem_map(ms, 0, BENCH_VA + 2 * PAGE, PAGE, RW, MEMSRV_KIND_ANON, 0, &va);
		*(volatile uint64_t *)va = 1;
		mem_unmap(ms, 0, va, PAGE);
		uint64_t t1 = icount();
		best = min_u64(best, t1 - t0);
	}
	report("map_touch_unmap_4k", best);
	mem_unmap(ms, 0, anchor, PAGE);
}

/* MEMSRV_PROTECT to read-only and back on one resident page. */
static void bench_protect_pair(void)
{
	uint64_t va, best = ~0ull;
	int err = mem_map(ms, 0, BENCH_VA, PAGE, RW, MEMSRV_KIND_ANON, MEMSRV_MAP_EAGER, &va);
	if (err)
		fail("protect map", err);
	for (int i = 0; i < ROUNDS; i++) {
		uint64_t t0 = icount();
		mem_protect(ms, 0, va, PAGE, MEMSRV_PROT_R);
		mem_protect(ms, 0, va, PAGE, RW);
		uint64_t t1 = icount();
		best = min_u64(best, t1 - t0);
	}
	report("protect_pair", best);
	mem_unmap(ms, 0, va, PAGE);
}

/* MEMSRV_AS_CREATE and MEMSRV_AS_DESTROY of an empty address space (pooled VSpace). */
static void bench_as_create_destroy(void)
{
	uint64_t best = ~0ull;
	for (int i = 0; i < ROUNDS; i++) {
		unsigned as;
		uint64_t t0 = icount();
		int err = mem_as_create(ms, 0, &as);
		mem_as_destroy(ms, as);
		uint64_t t1 = icount();
		if (err)
			fail("as create", err);
		best = min_u64(best, t1 - t0);
	}
	report("as_create_destroy", best);
}

/* MEMSRV_SPAWN of crasher (which exits at once) until membench runs again. */
static void bench_spawn_exit(void)
{
	uint64_t best = ~0ull;
	for (int i = 0; i < ROUNDS; i++) {
		unsigned pid;
		uint64_t t0 = icount();
		int err =
		    mem_spawn(ms, "crasher", CRASHER_PRIO, CRASH_ARG(CRASH_EXIT, 0, 0), 0, 0, &pid);
		uint64_t t1 = icount();
		if (err)
			fail("spawn", err);
		best = min_u64(best, t1 - t0);
	}
	report("spawn_exit", best);
}

int main(void *cap)
{
	ms = (cptr_t)(uintptr_t)cap;
	measure_overhead();
	printf("membench: counter_overhead %lu\n", (unsigned long)overhead);
	bench_lazy_fault();
	bench_map_touch_unmap();
	bench_protect_pair();
	bench_as_create_destroy();
	bench_spawn_exit();
	printf("membench: done\n");
	mem_exit(ms, 0);
	return 0;
}
