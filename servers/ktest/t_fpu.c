/*
 * FP/SIMD: the registers are per thread although the kernel switches them lazily.
 */
#include "ktest.h"

#define FPU_ROUNDS 300

static volatile uint64_t fpu_mismatches[2], fpu_done[2];

static void fpu_worker(uint64_t me)
{
	fpu_mismatches[me] = kt_fpu_yield_check(0x1000 * (me + 1), FPU_ROUNDS);
	fpu_done[me] = 1;
}

/* Two threads keep distinct values in d0..d31 while yielding to each other many times. */
static void registers_survive_switches(void)
{
	struct kt_thread a, b;
	for (int i = 0; i < 2; i++)
		fpu_mismatches[i] = fpu_done[i] = 0;
	REQUIRE_OK(kt_spawn(&a, 100, false, fpu_worker, 0));
	REQUIRE_OK(kt_spawn(&b, 100, false, fpu_worker, 1));
	kt_settle();
	CHECK_EQ(fpu_done[0], 1);
	CHECK_EQ(fpu_done[1], 1);
	CHECK_EQ(fpu_mismatches[0], 0);
	CHECK_EQ(fpu_mismatches[1], 0);
}

static volatile uint64_t fresh_bits;

static void read_fresh_registers(uint64_t arg)
{
	(void)arg;
	fresh_bits = kt_fpu_or_all();
}

/* A thread's first FP/SIMD use sees zeroed registers, not the previous owner's values. */
static void new_thread_starts_with_zero_registers(void)
{
	struct kt_thread t;
	fresh_bits = ~0ull;
	kt_fpu_load(0x7700); /* the root owns the registers now, all nonzero */
	REQUIRE_OK(kt_spawn(&t, 100, false, read_fresh_registers, 0));
	kt_settle();
	CHECK_EQ(fresh_bits, 0);
}

static const struct ktest tests[] = {
	{ "fpu_registers_survive_switches", registers_survive_switches },
	{ "fpu_new_thread_starts_with_zero_registers", new_thread_starts_with_zero_registers },
};

const struct ktest_suite kt_suite_fpu = KT_SUITE(tests);
