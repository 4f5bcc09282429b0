/*
 * Instruction counting for the benchmark programs (kbench, membench, srvbench): the PMU's
 * event counter 0, which the kernel programs to count retired instructions at EL0 and EL1
 * and lets EL0 read. Exact under QEMU's -icount shift=0 (docs/performance.md).
 */
#pragma once

#include <stdint.h>

/* The retired-instruction count now (the ISB keeps earlier instructions from slipping past). */
static inline uint64_t bench_icount(void)
{
	uint64_t v;
	__asm__ volatile("isb\n\tmrs %0, pmevcntr0_el0" : "=r"(v)::"memory");
	return v;
}

static inline uint64_t bench_min(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* What reading the counter itself costs: the least of `rounds` back-to-back reads. Every
 * figure is reported with it subtracted. */
static inline uint64_t bench_counter_overhead(int rounds)
{
	uint64_t best = ~0ull;
	for (int i = 0; i < rounds; i++) {
		uint64_t t0 = bench_icount();
		uint64_t t1 = bench_icount();
		best = bench_min(best, t1 - t0);
	}
	return best;
}
