/*
 * Scheduling: fixed priorities with preemption, round-robin within a priority, yield, and
 * the maximum-priority rule of TCB_SET_PRIORITY (kernel-api.md, "Scheduling").
 */
#include "ktest.h"

static void log_once(uint64_t c)
{
	kt_log((char)c);
}

/* Resuming a thread above the caller's priority runs it before the caller goes on. */
static void higher_priority_preempts_on_resume(void)
{
	struct kt_thread t;
	REQUIRE_OK(mica_tcb_set_priority(SLOT_INIT_TCB, 100, PRIO_MAX));
	kt_log('R');
	REQUIRE_OK(kt_spawn(&t, 200, false, log_once, 'H'));
	kt_log('r');
	CHECK_STR(kt_log_text(), "RHr");
}

/* Resuming a thread below the caller's priority does not run it until the caller waits. */
static void lower_priority_waits_for_caller(void)
{
	struct kt_thread t;
	kt_log('R');
	REQUIRE_OK(kt_spawn(&t, 100, false, log_once, 'L'));
	kt_log('r');
	kt_settle();
	CHECK_STR(kt_log_text(), "RrL");
}

static void wait_then_log(uint64_t ntfn)
{
	int err;
	kt_wait(ntfn, &err);
	kt_log('W');
}

/* A thread woken by a signal from a lower-priority thread preempts the signaller at once. */
static void wakeup_of_higher_priority_preempts(void)
{
	cptr_t n = kt_new(OBJ_NOTIFICATION, 0);
	struct kt_thread w;
	REQUIRE_OK(kt_spawn(&w, 200, false, wait_then_log, n));
	kt_settle(); /* it waits on n */
	REQUIRE_OK(mica_tcb_set_priority(SLOT_INIT_TCB, 100, PRIO_MAX));
	kt_log('R');
	CHECK_OK(kt_signal(n));
	kt_log('r');
	CHECK_STR(kt_log_text(), "RWr");
}

/* A thread woken by a signal from a thread of its own priority waits its turn. */
static void wakeup_of_equal_priority_does_not_preempt(void)
{
	cptr_t n = kt_new(OBJ_NOTIFICATION, 0);
	struct kt_thread w;
	REQUIRE_OK(kt_spawn(&w, 100, false, wait_then_log, n));
	kt_settle(); /* it waits on n */
	REQUIRE_OK(mica_tcb_set_priority(SLOT_INIT_TCB, 100, PRIO_MAX));
	kt_log('R');
	CHECK_OK(kt_signal(n));
	kt_log('r');
	kt_settle();
	CHECK_STR(kt_log_text(), "RrW");
}

static void wait_then_log_b(uint64_t ntfn)
{
	int err;
	kt_wait(ntfn, &err);
	kt_log('B');
}

/* A thread woken by IPC goes to the tail of its priority, behind threads already runnable. */
static void woken_thread_goes_to_tail(void)
{
	cptr_t n = kt_new(OBJ_NOTIFICATION, 0);
	struct kt_thread a, b;
	REQUIRE_OK(kt_spawn(&b, 100, false, wait_then_log_b, n));
	kt_settle(); /* b waits */
	REQUIRE_OK(kt_spawn(&a, 100, false, log_once, 'A'));
	CHECK_OK(kt_signal(n));
	kt_settle();
	CHECK_STR(kt_log_text(), "AB");
}

/* Lowering one's own priority below a runnable thread hands it the processor at once. */
static void lowering_own_priority_runs_higher_thread(void)
{
	struct kt_thread t;
	REQUIRE_OK(kt_spawn(&t, 150, false, log_once, 'H'));
	kt_log('R');
	CHECK_OK(mica_tcb_set_priority(SLOT_INIT_TCB, 100, PRIO_MAX));
	kt_log('r');
	CHECK_STR(kt_log_text(), "RHr");
}

static void yield_three_times(uint64_t c)
{
	for (int i = 0; i < 3; i++) {
		kt_log((char)c);
		mica_yield();
	}
}

/* Yield hands the processor to the next thread of the same priority, in turn. */
static void yield_alternates_equal_priority_threads(void)
{
	struct kt_thread a, b;
	REQUIRE_OK(kt_spawn(&a, 100, false, yield_three_times, 'A'));
	REQUIRE_OK(kt_spawn(&b, 100, false, yield_three_times, 'B'));
	kt_settle();
	CHECK_STR(kt_log_text(), "ABABAB");
}

/*
 * Round-robin spinners: each counts until both counts reach RR_TARGET, so neither can
 * finish unless the other ran while it was still spinning (only the tick can switch them).
 * RR_GIVE_UP bounds the spin (far more than one time slice) so a broken scheduler fails
 * the test instead of hanging it.
 */
#define RR_TARGET  100000ull
#define RR_GIVE_UP (1ull << 28)

static volatile uint64_t rr_count[2];
static volatile int rr_gave_up[2];

static void rr_spin(uint64_t me)
{
	uint64_t n = 0;
	while (++n < RR_GIVE_UP) {
		rr_count[me]++;
		if (rr_count[me] >= RR_TARGET && rr_count[1 - me] >= RR_TARGET)
			return;
	}
	rr_gave_up[me] = 1;
}

/* Two spinning threads of equal priority both make progress: the tick rotates them. */
static void round_robin_spinners_both_progress(void)
{
	struct kt_thread a, b;
	rr_count[0] = rr_count[1] = 0;
	rr_gave_up[0] = rr_gave_up[1] = 0;
	REQUIRE_OK(kt_spawn(&a, 100, false, rr_spin, 0));
	REQUIRE_OK(kt_spawn(&b, 100, false, rr_spin, 1));
	kt_settle();
	CHECK_EQ(rr_gave_up[0], 0);
	CHECK_EQ(rr_gave_up[1], 0);
	CHECK(rr_count[0] >= RR_TARGET);
	CHECK(rr_count[1] >= RR_TARGET);
}

static volatile int prio_err[3];

/* Runs at priority 100 with maximum 100 and tries to raise itself. */
static void raise_self(uint64_t self)
{
	prio_err[0] = mica_tcb_set_priority(self, 150, 100);
	prio_err[1] = mica_tcb_set_priority(self, 100, 150);
	prio_err[2] = mica_tcb_set_priority(self, 90, 90);
}

/* Priorities above the caller's maximum are E_RANGE; at or below it they are fine. */
static void set_priority_above_max_is_range_error(void)
{
	struct kt_thread t;
	struct kt_thread_opts o = { .prio = 100, .max_prio = 100 };
	prio_err[0] = prio_err[1] = prio_err[2] = 1;
	REQUIRE_OK(kt_thread_new(&t, &o));
	REQUIRE_OK(kt_thread_start(&t, raise_self, t.tcb));
	kt_settle();
	CHECK_ERR(prio_err[0], E_RANGE);
	CHECK_ERR(prio_err[1], E_RANGE);
	CHECK_OK(prio_err[2]);
	CHECK_ERR(mica_tcb_set_priority(t.tcb, PRIO_MAX + 1, 0), E_RANGE);
}

static const struct ktest tests[] = {
	{ "sched_higher_priority_preempts_on_resume", higher_priority_preempts_on_resume },
	{ "sched_lower_priority_waits_for_caller", lower_priority_waits_for_caller },
	{ "sched_wakeup_of_higher_priority_preempts", wakeup_of_higher_priority_preempts },
	{ "sched_wakeup_of_equal_priority_does_not_preempt",
	  wakeup_of_equal_priority_does_not_preempt },
	{ "sched_woken_thread_goes_to_tail", woken_thread_goes_to_tail },
	{ "sched_lowering_own_priority_runs_higher_thread",
	  lowering_own_priority_runs_higher_thread },
	{ "sched_yield_alternates_equal_priority_threads",
	  yield_alternates_equal_priority_threads },
	{ "sched_round_robin_spinners_both_progress", round_robin_spinners_both_progress },
	{ "sched_set_priority_above_max_is_range_error", set_priority_above_max_is_range_error },
};

const struct ktest_suite kt_suite_sched = KT_SUITE(tests);
