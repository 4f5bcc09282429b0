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
 *
 * A release kernel has no debug console and memsrv cannot power it off: there membench
 * reports through Arm semihosting (semihost.h; QEMU needs -semihosting-config
 * enable=on,userspace=on) and ends the QEMU run itself once done.
 */
#include <memsrv_client.h>
#include <mica.h>
#include <mica_bench.h>
#include <semihost.h>
#include <stdbool.h>
#include <stdio.h>

#include "../crasher/crasher.h"

#define ROUNDS          32
#define PAGE            4096ull
#define RW              (MEMSRV_PROT_R | MEMSRV_PROT_W)
#define BENCH_VA        0x40000000ull /* 2 MiB aligned: one L3 span for the map benchmarks */
#define CRASHER_PRIO    110           /* above membench: a spawned crasher runs to its exit */
#define SPAWN_SEED      1             /* memsrv's placement seed for every spawn round */
#define SPAWN_EXIT_CODE 7             /* crasher's exit code, which the wait must report */
#define DRAIN_VA        0x40800000ull /* a lazy VMA that takes memsrv's pooled frames */
#define DRAIN_PAGES     2048
#define SCALE_VA        0x100000000ull /* the scale benchmarks' many VMAs, every other page */
#define SCALE_ROUNDS    8

static cptr_t ms;
static uint64_t overhead;
static bool semihosting;  /* a release kernel: report and stop through semihosting */
static bool drain_mapped; /* the VMA at DRAIN_VA exists */

static void report(const char *name, uint64_t best)
{
	printf("membench: %s %lu\n", name, (unsigned long)(best - overhead));
}

/* Ends membench with exit status `code` (and the QEMU run, under semihosting). */
static __attribute__((noreturn)) void finish(int code)
{
	if (semihosting)
		semihost_exit(code);
	mem_exit(ms, code);
	for (;;)
		mica_yield();
}

static __attribute__((noreturn)) void fail(const char *what, int err)
{
	printf("membench: %s failed: %s\n", what, mica_strerror(err));
	finish(1);
}

/* The number of objects idle on memsrv's free lists (frames, tables, VSpaces). */
static uint64_t pooled(void)
{
	struct mem_global_stats g;
	int err = mem_global_stats(ms, &g);
	if (err)
		fail("global stats", err);
	return g.memsrv[MEMSRV_GSTAT_POOLED_FRAMES];
}

/* Fills every word of the ROUNDS pages at va with `value`. */
static void fill_pages(uint64_t va, uint64_t value)
{
	for (uint64_t *p = (uint64_t *)va; p < (uint64_t *)(va + ROUNDS * PAGE); p++)
		*p = value;
}

/* Checks that the ROUNDS pages at va hold zeros but for the 1 each touch wrote. */
static void check_zeroed(uint64_t va, const char *what)
{
	for (uint64_t *p = (uint64_t *)va; p < (uint64_t *)(va + ROUNDS * PAGE); p++) {
		uint64_t expect = ((uint64_t)p & (PAGE - 1)) == 0;
		if (*p != expect) {
			printf("membench: %s: word at %#lx is %#lx, not zero-filled\n", what,
			       (unsigned long)(uintptr_t)p, (unsigned long)*p);
			finish(1);
		}
	}
}

/*
 * A lazy VMA of ROUNDS pages at BENCH_VA; touches its first page untimed (the tables of the
 * span come with it), then each other page once, timed. Returns the cheapest fault and sets
 * *taken to how many pooled objects the timed faults used.
 */
static uint64_t lazy_faults(uint64_t *taken)
{
	uint64_t va, best = ~0ull;
	int err = mem_map(ms, 0, BENCH_VA, ROUNDS * PAGE, RW, MEMSRV_KIND_ANON, 0, &va);
	if (err)
		fail("lazy map", err);
	*(volatile uint64_t *)va = 1;
	uint64_t before = pooled();
	for (int i = 1; i < ROUNDS; i++) {
		uint64_t t0 = bench_icount();
		*(volatile uint64_t *)(va + i * PAGE) = 1;
		uint64_t t1 = bench_icount();
		best = bench_min(best, t1 - t0);
	}
	*taken = before - pooled();
	return best;
}

/*
 * Takes the frames off memsrv's free list (left by earlier processes) so the next lazy
 * faults get fresh ones: touches the pages of a lazy VMA at DRAIN_VA one by one until a
 * touch took no pooled object (a frame comes from the free list while it has any). Returns
 * false if DRAIN_PAGES did not suffice. The VMA stays (drain_mapped) until the end.
 */
static bool drain_free_frames(void)
{
	uint64_t va;
	int err = mem_map(ms, 0, DRAIN_VA, DRAIN_PAGES * PAGE, RW, MEMSRV_KIND_ANON, 0, &va);
	if (err)
		fail("drain map", err);
	drain_mapped = true;
	for (int i = 0; i < DRAIN_PAGES; i++) {
		uint64_t before = pooled();
		*(volatile uint64_t *)(va + i * PAGE) = 1;
		if (pooled() == before)
			return true;
	}
	return false;
}

/*
 * The fresh case: lazy faults at BENCH_VA (left mapped) that must take no pooled object.
 * If earlier processes left frames pooled, a second VMA takes them first and keeps them
 * while the faults are measured again. Sets *best; returns false if there were too many.
 */
static bool measure_fresh(uint64_t *best)
{
	uint64_t taken;
	*best = lazy_faults(&taken);
	if (taken == 0)
		return true;
	int err = mem_unmap(ms, 0, BENCH_VA, ROUNDS * PAGE);
	if (err)
		fail("unmap", err);
	bool drained = drain_free_frames();
	*best = lazy_faults(&taken);
	if (drained && taken != 0) {
		printf("membench: fresh faults took %lu pooled frames\n", (unsigned long)taken);
		finish(1);
	}
	return drained;
}

/*
 * The lazy zero-fill fault (a store to an untouched page of a lazy VMA: the kernel delivers
 * the fault to memsrv, which takes a frame, zeroes it, maps it and resumes membench), in its
 * two cases. Fresh: memsrv's free list is empty, so the frame is retyped from untyped and the
 * kernel's retype zeroes it (see measure_fresh). Steady state
 * (lazy_fault_fill): the pages were written and unmapped first, so the frames come back dirty from
 * memsrv's free list (last freed, first reused) and must be zeroed before they are mapped.
 * Asserted: every fresh fault took no pooled object, every steady-state fault took one of the
 * frames dirtied here, and every page reads back zero-filled.
 */
static void bench_lazy_fault(void)
{
	uint64_t taken, fresh;
	bool measured = measure_fresh(&fresh);
	check_zeroed(BENCH_VA, "fresh fault");
	fill_pages(BENCH_VA, 0x5a5a5a5a5a5a5a5aull); /* dirty every frame, then free them */
	int err = mem_unmap(ms, 0, BENCH_VA, ROUNDS * PAGE);
	if (err)
		fail("unmap", err);
	uint64_t reused = lazy_faults(&taken);
	if (taken != ROUNDS - 1) {
		printf("membench: %d steady-state faults took %lu pooled frames\n", ROUNDS - 1,
		       (unsigned long)taken);
		finish(1);
	}
	check_zeroed(BENCH_VA, "steady-state fault");
	report("lazy_fault_fill", reused);
	if (measured)
		report("lazy_fault_fresh", fresh);
	else
		printf("membench: lazy_fault_fresh not measured: over %d frames pooled\n",
		       DRAIN_PAGES);
	mem_unmap(ms, 0, BENCH_VA, ROUNDS * PAGE);
	if (drain_mapped)
		mem_unmap(ms, 0, DRAIN_VA, DRAIN_PAGES * PAGE);
}

/* MEMSRV_MAP of one lazy page, a touch (lazy fault), MEMSRV_UNMAP; the L3 table stays. */
static void bench_map_touch_unmap(void)
{
	uint64_t anchor, va, best = ~0ull;
	int err = mem_map(ms, 0, BENCH_VA, PAGE, RW, MEMSRV_KIND_ANON, MEMSRV_MAP_EAGER, &anchor);
	if (err)
		fail("anchor map", err);
	for (int i = 0; i < ROUNDS; i++) {
		uint64_t t0 = bench_icount();
		mem_map(ms, 0, BENCH_VA + 2 * PAGE, PAGE, RW, MEMSRV_KIND_ANON, 0, &va);
		*(volatile uint64_t *)va = 1;
		mem_unmap(ms, 0, va, PAGE);
		uint64_t t1 = bench_icount();
		best = bench_min(best, t1 - t0);
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
		uint64_t t0 = bench_icount();
		mem_protect(ms, 0, va, PAGE, MEMSRV_PROT_R);
		mem_protect(ms, 0, va, PAGE, RW);
		uint64_t t1 = bench_icount();
		best = bench_min(best, t1 - t0);
	}
	report("protect_pair", best);
	mem_unmap(ms, 0, va, PAGE);
}

/* The least of `rounds` MEMSRV_AS_CREATE + MEMSRV_AS_DESTROY of an empty address space
 * (a pooled VSpace). */
static uint64_t as_create_destroy(int rounds)
{
	uint64_t best = ~0ull;
	for (int i = 0; i < rounds; i++) {
		unsigned as;
		uint64_t t0 = bench_icount();
		int err = mem_as_create(ms, 0, &as);
		mem_as_destroy(ms, as);
		uint64_t t1 = bench_icount();
		if (err)
			fail("as create", err);
		best = bench_min(best, t1 - t0);
	}
	return best;
}

static void bench_as_create_destroy(void)
{
	report("as_create_destroy", as_create_destroy(ROUNDS));
}

/*
 * MEMSRV_SPAWN of crasher, which exits at once with SPAWN_EXIT_CODE, then MEMSRV_WAIT for
 * it: what Linux's fork + exit + wait does. crasher outranks membench, so it has run to its
 * exit before the spawn's reply comes back, and the wait finds it ended; the wait's state
 * word must say so, with crasher's exit code. memsrv is reseeded with SPAWN_SEED before each
 * round, so every round places the stack, heap and segments alike: the figure is that of
 * one layout, not the best of ROUNDS random ones.
 */
static void bench_spawn_exit_wait(void)
{
	uint64_t best = ~0ull;
	for (int i = 0; i < ROUNDS; i++) {
		unsigned pid;
		uint64_t state;
		int seeded = mem_seed(ms, SPAWN_SEED);
		if (seeded)
			fail("seed", seeded);
		uint64_t t0 = bench_icount();
		int err = mem_spawn(ms, "crasher", CRASHER_PRIO,
				    CRASH_ARG(CRASH_EXIT, 0, SPAWN_EXIT_CODE), 0, 0, &pid);
		if (!err)
			err = mem_wait(ms, pid, &state);
		uint64_t t1 = bench_icount();
		if (err)
			fail("spawn + wait", err);
		if (MEMSRV_PS_STATE(state) != MEMSRV_PS_EXITED ||
		    MEMSRV_PS_EXIT_CODE(state) != SPAWN_EXIT_CODE) {
			printf(
			    "membench: wait for crasher: state word %#lx, expected exit code %d\n",
			    (unsigned long)state, SPAWN_EXIT_CODE);
			finish(1);
		}
		best = bench_min(best, t1 - t0);
	}
	report("spawn_exit_wait", best);
}

/*
 * The cost of a map and of a lazy fault with `vmas` other VMAs in the address space: lazy
 * one-page VMAs every other page from SCALE_VA (a gap keeps them from merging), then
 * MEMSRV_MAP of one page at BENCH_VA, a touch of it, MEMSRV_UNMAP, each part timed (an
 * eager page beside it keeps the page tables). Reports NAME_map and NAME_fault; the VMAs go
 * again with one unmap.
 */
static void bench_scale_vmas(const char *name, unsigned vmas)
{
	uint64_t va, anchor, map = ~0ull, fault = ~0ull;
	int anchored = mem_map(ms, 0, BENCH_VA + 4 * PAGE, PAGE, RW, MEMSRV_KIND_ANON,
			       MEMSRV_MAP_EAGER, &anchor);
	if (anchored)
		fail("scale anchor map", anchored);
	for (unsigned i = 0; i < vmas; i++) {
		int err =
		    mem_map(ms, 0, SCALE_VA + 2 * i * PAGE, PAGE, RW, MEMSRV_KIND_ANON, 0, &va);
		if (err)
			fail("scale map", err);
	}
	for (int i = 0; i < SCALE_ROUNDS; i++) {
		uint64_t t0 = bench_icount();
		int err = mem_map(ms, 0, BENCH_VA, PAGE, RW, MEMSRV_KIND_ANON, 0, &va);
		uint64_t t1 = bench_icount();
		if (err)
			fail("scale bench map", err);
		*(volatile uint64_t *)va = 1;
		uint64_t t2 = bench_icount();
		mem_unmap(ms, 0, va, PAGE);
		map = bench_min(map, t1 - t0);
		fault = bench_min(fault, t2 - t1);
	}
	printf("membench: %s_map %lu\n", name, (unsigned long)(map - overhead));
	printf("membench: %s_fault %lu\n", name, (unsigned long)(fault - overhead));
	if (vmas)
		mem_unmap(ms, 0, SCALE_VA, 2 * vmas * PAGE);
	mem_unmap(ms, 0, anchor, PAGE);
}

/*
 * The same map and fault, and an address-space create + destroy, with `spaces` address
 * spaces alive (membench's own among them; the others empty). Reports NAME_map,
 * NAME_fault and NAME_create_destroy; the extra spaces go again.
 */
static void bench_scale_spaces(const char *name, unsigned spaces)
{
	static unsigned ids[1000];
	for (unsigned i = 1; i < spaces; i++) {
		int err = mem_as_create(ms, 0, &ids[i]);
		if (err)
			fail("scale as create", err);
	}
	bench_scale_vmas(name, 0);
	uint64_t best = as_create_destroy(SCALE_ROUNDS);
	printf("membench: %s_create_destroy %lu\n", name, (unsigned long)(best - overhead));
	for (unsigned i = 1; i < spaces; i++)
		mem_as_destroy(ms, ids[i]);
}

int main(void *cap)
{
	ms = (cptr_t)(uintptr_t)cap;
	semihosting = !mica_debug_console;
	if (semihosting)
		semihost_console();
	overhead = bench_counter_overhead(ROUNDS);
	printf("membench: counter_overhead %lu\n", (unsigned long)overhead);
	bench_lazy_fault();
	bench_map_touch_unmap();
	bench_protect_pair();
	bench_as_create_destroy();
	bench_spawn_exit_wait();
	bench_scale_vmas("vmas_10", 10);
	bench_scale_vmas("vmas_1000", 1000);
	bench_scale_vmas("vmas_10000", 10000);
	bench_scale_spaces("spaces_1", 1);
	bench_scale_spaces("spaces_100", 100);
	bench_scale_spaces("spaces_1000", 1000);
	printf("membench: done\n");
	finish(0);
}
