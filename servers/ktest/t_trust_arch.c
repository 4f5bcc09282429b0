/*
 * Trust, the Arm side: what a user thread does to the CPU's own state cannot stop the
 * kernel or leak into other threads.
 *
 *   - PMU: user space may read the counters but not write the PMU; a write is an
 *     undefined-instruction fault (a trapped system-register access, ESR class 0x18).
 *   - TPIDR_EL0 a thread wrote itself survives its blocking into the idle loop.
 *   - A thread whose VSpace is replaced (TCB_CONFIGURE on itself) runs on in the new one;
 *     a thread whose VSpace is destroyed while it runs is suspended, without a fault.
 *   - SError and FIQ from EL0 (opt-in suite trust_async, needs the kernel entered at EL2:
 *     the kernel's debug trigger injects a virtual SError or FIQ through its EL2 stub)
 *     become FAULT_ASYNC messages and the thread can be resumed.
 */
#include "kt_as.h"

#define TRUST_BADGE      0x7a57
#define TEST_SPI         40 /* unused on QEMU virt (as in t_ntfn_irq.c) */
#define IRQ_BITS         0x4
#define TPIDR_MAGIC      0x7e57000000c0ffeeull
#define EC_SYSREG        0x18
#define EC_SERROR        0x2f
#define ISS_SYSREG_READ  1ull /* ISS bit 0 of a trapped MSR/MRS: 1 for a read */
#define PMCR_E           1ull
#define PMCNTEN_C0       1ull
#define PMU_INST_RETIRED 0x08

static volatile struct {
	int done;        /* the thread got past the operation under test */
	uint64_t result; /* what it saw */
} after;

/*
 * Runs fn(arg) in a priority-100 thread (in `as`, or the root's space if NULL) whose fault
 * endpoint is badged TRUST_BADGE, lets everything settle and polls the endpoint into *m.
 * Returns the poll's message info (E_WOULDBLOCK: no fault), or 0 with a failure recorded if
 * the thread could not start; *t gets the thread and *ep the endpoint.
 */
static uint64_t run_and_poll(kt_fn fn, uint64_t arg, const struct kt_as *as, struct kt_thread *t,
			     cptr_t *ep, struct mica_msg *m)
{
	*ep = kt_new(OBJ_ENDPOINT, 0);
	struct kt_thread_opts o = { .prio = 100,
				    .fault_ep = kt_mint(*ep, RIGHTS_ALL, TRUST_BADGE),
				    .as = as };
	after.done = 0;
	after.result = 0;
	if (!o.fault_ep || kt_thread_new(t, &o) || kt_thread_start(t, fn, arg))
		return 0;
	kt_settle();
	uint64_t badge = 0;
	uint64_t info = mica_nbrecv(*ep, m, &badge);
	if (mica_msg_error(info) != E_WOULDBLOCK)
		CHECK_EQ(badge, TRUST_BADGE);
	return info;
}

static void run_pmcr_write(uint64_t arg)
{
	kt_pmu_write_pmcr(arg);
	after.done = 1;
}

static void run_cntenset_write(uint64_t arg)
{
	kt_pmu_write_cntenset(arg);
	after.done = 1;
}

static void run_evtyper0_write(uint64_t arg)
{
	kt_pmu_write_evtyper0(arg);
	after.done = 1;
}

/* Checks that the thread's PMU write at `insn` came as FAULT_UNDEFINED with a trapped
 * system-register write ESR, and that it did not get past it. */
static void check_pmu_write_fault(kt_fn fn, uint64_t value, const char *insn)
{
	struct kt_thread t;
	struct mica_msg m;
	cptr_t ep;
	uint64_t info = run_and_poll(fn, value, NULL, &t, &ep, &m);
	CHECK_OK(mica_msg_error(info));
	CHECK_EQ(m.label, FAULT_LABEL(FAULT_UNDEFINED));
	CHECK_EQ(m.length, 2);
	CHECK_EQ(m.mr[0], (uint64_t)insn);
	CHECK_EQ(m.mr[1] >> 26, EC_SYSREG);
	CHECK_EQ(m.mr[1] & ISS_SYSREG_READ, 0);
	CHECK_EQ(after.done, 0);
}

/* A PMCR_EL0 write from EL0 (it could stop or reset every counter) is FAULT_UNDEFINED. */
static void pmu_pmcr_write_is_undefined_fault(void)
{
	check_pmu_write_fault(run_pmcr_write, PMCR_E, kt_pmu_write_pmcr_insn);
}

/* A PMCNTENSET_EL0 write from EL0 is FAULT_UNDEFINED. */
static void pmu_cntenset_write_is_undefined_fault(void)
{
	check_pmu_write_fault(run_cntenset_write, PMCNTEN_C0, kt_pmu_write_cntenset_insn);
}

/* A PMEVTYPER0_EL0 write from EL0 (it could change what counter 0 counts) is
 * FAULT_UNDEFINED. */
static void pmu_evtyper0_write_is_undefined_fault(void)
{
	check_pmu_write_fault(run_evtyper0_write, PMU_INST_RETIRED, kt_pmu_write_evtyper0_insn);
}

static void run_counter_read(uint64_t arg)
{
	(void)arg;
	uint64_t v;
	__asm__ volatile("isb\n\tmrs %0, pmevcntr0_el0" : "=r"(v)::"memory");
	after.result = v;
	after.done = 1;
}

/* Reading event counter 0 (the benchmarks' instruction counter) stays allowed: no fault.
 * (Whether it advances depends on QEMU's -icount, so that is the benchmarks' concern.) */
static void pmu_event_counter_read_allowed(void)
{
	struct kt_thread t;
	struct mica_msg m;
	cptr_t ep;
	CHECK_ERR(mica_msg_error(run_and_poll(run_counter_read, 0, NULL, &t, &ep, &m)),
		  E_WOULDBLOCK);
	CHECK_EQ(after.done, 1);
}

static uint64_t tpidr_read(void)
{
	uint64_t v;
	__asm__ volatile("mrs %0, tpidr_el0" : "=r"(v));
	return v;
}

static void tpidr_write(uint64_t v)
{
	__asm__ volatile("msr tpidr_el0, %0" ::"r"(v) : "memory");
}

struct idle_waiter {
	cptr_t irq_ntfn; /* the SPI signals it */
	cptr_t ep;       /* the root calls it; the waiter replies when it has looked */
};

/*
 * Receives the root's call (the root now waits for the reply), sets TPIDR_EL0 itself,
 * arranges the SPI for when the CPU idles and waits for it: this thread is the last to
 * block, nothing is runnable, so the kernel idles; the SPI wakes it out of the idle loop.
 */
static void wait_through_idle(uint64_t arg)
{
	const struct idle_waiter *w = (const struct idle_waiter *)arg;
	struct mica_msg m;
	int err;
	if (mica_msg_error(mica_recv(w->ep, &m, NULL)))
		return;
	uint64_t saved = tpidr_read();
	tpidr_write(TPIDR_MAGIC);
	mica_debug_irq_raise_at_idle(TEST_SPI);
	uint64_t bits = kt_wait(w->irq_ntfn, &err);
	after.result = tpidr_read();
	tpidr_write(saved);
	after.done = bits == IRQ_BITS && err == E_OK;
	struct mica_msg r = kt_msg(0, 0, NULL);
	mica_reply(&r);
}

/* TPIDR_EL0 written by the thread itself is still there after it blocked into idle and an
 * interrupt woke it. */
static void tpidr_survives_block_into_idle(void)
{
	struct idle_waiter w = { .irq_ntfn = kt_new(OBJ_NOTIFICATION, 0),
				 .ep = kt_new(OBJ_ENDPOINT, 0) };
	cptr_t h = kt_slot();
	REQUIRE(w.irq_ntfn && w.ep && h);
	REQUIRE_OK(mica_irq_control_get(SLOT_IRQ_CONTROL, TEST_SPI, SLOT_INIT_CNODE, h, 1));
	REQUIRE_OK(mica_irq_handler_set_notification(h, kt_mint(w.irq_ntfn, RIGHTS_ALL, IRQ_BITS)));
	after.done = 0;
	after.result = 0;
	struct kt_thread t;
	/* Priority 0, below the settle waker: it runs only when nothing else can, so it is
	 * the last thread to block. */
	REQUIRE_OK(kt_spawn(&t, 0, false, wait_through_idle, (uint64_t)&w));
	struct mica_msg m = kt_msg(1, 0, NULL);
	CHECK_OK(mica_msg_error(mica_call(w.ep, &m)));
	CHECK_EQ(after.done, 1);
	CHECK_EQ(after.result, TPIDR_MAGIC);
	CHECK_OK(mica_irq_handler_ack(h));
}

struct reconfigure {
	cptr_t self, fault_ep, vspace;
};

/* Moves itself into another VSpace, then reads KT_AS_PAGE there. */
static void move_and_read(uint64_t arg)
{
	const struct reconfigure *r = (const struct reconfigure *)arg;
	int err = mica_tcb_configure(r->self, r->fault_ep, SLOT_INIT_CNODE, r->vspace, 0, 0);
	if (err)
		return;
	after.result = *(volatile uint64_t *)KT_AS_PAGE;
	after.done = 1;
}

/* TCB_CONFIGURE on itself with a new VSpace: the thread's next instruction already runs
 * in the new space (it reads the value stored there), not the old one (where the page is
 * unmapped and the read would fault). */
static void vspace_configure_self_runs_in_new_space(void)
{
	struct kt_as as;
	struct mica_msg m;
	REQUIRE(!kt_root_maps(KT_AS_PAGE));
	REQUIRE_OK(kt_as_new(&as, 0, SLOT_INIT_ASID_POOL));
	REQUIRE(kt_probe(kt_probe_store, KT_AS_PAGE, &as, &m) == 0);
	/* The thread starts in the root's space and CSpace, so its own TCB and fault endpoint
	 * are named by their root slots. */
	struct kt_thread t;
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	struct kt_thread_opts o = { .prio = 100, .fault_ep = kt_mint(ep, RIGHTS_ALL, TRUST_BADGE) };
	after.done = 0;
	after.result = 0;
	REQUIRE(o.fault_ep);
	REQUIRE_OK(kt_thread_new(&t, &o));
	struct reconfigure r = { .self = t.tcb, .fault_ep = o.fault_ep, .vspace = as.vspace };
	REQUIRE_OK(kt_thread_start(&t, move_and_read, (uint64_t)&r));
	kt_settle();
	CHECK_ERR(mica_msg_error(mica_nbrecv(ep, &m, NULL)), E_WOULDBLOCK);
	CHECK_EQ(after.done, 1);
	CHECK_EQ(after.result, KT_PROBE_VALUE);
}

/* Revokes untyped `arg`, which holds the VSpace it runs in. */
static void revoke_own_space(uint64_t untyped)
{
	int err = mica_cnode_revoke(SLOT_INIT_CNODE, untyped);
	after.result = (uint64_t)err;
	after.done = 1;
}

/*
 * A thread that destroys the VSpace it runs in (revoking the untyped it came from) is
 * suspended on its way out of the kernel: it takes no fault (no walk through a missing
 * table) and runs no further; its registers hold the revoke's successful result.
 */
static void vspace_destroyed_under_running_thread_suspends_it(void)
{
	struct kt_as as;
	struct mica_msg m;
	struct kt_thread t;
	cptr_t ep, space_untyped = kt_new(OBJ_UNTYPED, 16);
	REQUIRE(space_untyped);
	REQUIRE_OK(kt_as_new(&as, space_untyped, SLOT_INIT_ASID_POOL));
	uint64_t info = run_and_poll(revoke_own_space, space_untyped, &as, &t, &ep, &m);
	CHECK_ERR(mica_msg_error(info), E_WOULDBLOCK);
	CHECK_EQ(after.done, 0);
	CHECK_EQ(kt_identify(as.vspace).type, CAP_NULL);
	struct mica_tcb_regs regs;
	REQUIRE_OK(mica_tcb_read_registers(t.tcb, &regs));
	CHECK_OK(mica_msg_error(regs.x[1])); /* the revoke itself succeeded */
}

static const struct ktest tests[] = {
	{ "trust_pmu_pmcr_write_is_undefined_fault", pmu_pmcr_write_is_undefined_fault },
	{ "trust_pmu_cntenset_write_is_undefined_fault", pmu_cntenset_write_is_undefined_fault },
	{ "trust_pmu_evtyper0_write_is_undefined_fault", pmu_evtyper0_write_is_undefined_fault },
	{ "trust_pmu_event_counter_read_allowed", pmu_event_counter_read_allowed },
	{ "trust_tpidr_survives_block_into_idle", tpidr_survives_block_into_idle },
	{ "trust_vspace_configure_self_runs_in_new_space",
	  vspace_configure_self_runs_in_new_space },
	{ "trust_vspace_destroyed_under_running_thread_suspends_it",
	  vspace_destroyed_under_running_thread_suspends_it },
};

const struct ktest_suite kt_suite_trust_arch = KT_SUITE(tests);

static void run_async(uint64_t source)
{
	after.result = kt_debug_async(source);
	after.done = 1;
}

/*
 * Injects `source` (FAULT_ASYNC_*) into a thread and checks its FAULT_ASYNC message: pc
 * at the instruction after the trigger's svc, the source, the syndrome (`ec` in the ESR
 * for an SError, 0 for an FIQ). Then replies 0 and checks the thread finished normally
 * and faulted only once.
 */
static void check_async_fault(uint64_t source, bool serror)
{
	struct kt_thread t;
	struct mica_msg m;
	cptr_t ep;
	uint64_t info = run_and_poll(run_async, source, NULL, &t, &ep, &m);
	if (after.done && mica_msg_error(after.result) == E_STATE) {
		CHECK(!"SYS_DEBUG_ASYNC needs the kernel entered at EL2 (scripts/qemu --el2)");
		return;
	}
	REQUIRE_OK(mica_msg_error(info));
	CHECK_EQ(m.label, FAULT_LABEL(FAULT_ASYNC));
	CHECK_EQ(m.length, 3);
	CHECK_EQ(m.mr[0], (uint64_t)kt_debug_async_next);
	CHECK_EQ(m.mr[1], source);
	if (serror)
		CHECK_EQ(m.mr[2] >> 26, EC_SERROR);
	else
		CHECK_EQ(m.mr[2], 0);
	CHECK_EQ(after.done, 0);
	struct mica_msg r = kt_msg(0, 0, NULL);
	CHECK_OK(mica_reply(&r));
	kt_settle();
	CHECK_EQ(after.done, 1);
	CHECK_OK(mica_msg_error(after.result));
	CHECK_ERR(mica_msg_error(mica_nbrecv(ep, &m, NULL)), E_WOULDBLOCK);
}

/* An SError taken from EL0 is a FAULT_ASYNC for the thread; the kernel goes on. */
static void async_serror_from_el0_is_fault(void)
{
	check_async_fault(FAULT_ASYNC_SERROR, true);
}

/* An FIQ taken from EL0 is a FAULT_ASYNC for the thread; the kernel goes on. */
static void async_fiq_from_el0_is_fault(void)
{
	check_async_fault(FAULT_ASYNC_FIQ, false);
}

/* The trigger refuses a source that is neither. */
static void async_unknown_source_is_inval(void)
{
	CHECK_ERR(mica_msg_error(kt_debug_async(7)), E_INVAL);
}

static const struct ktest async_tests[] = {
	{ "trust_async_serror_from_el0_is_fault", async_serror_from_el0_is_fault },
	{ "trust_async_fiq_from_el0_is_fault", async_fiq_from_el0_is_fault },
	{ "trust_async_unknown_source_is_inval", async_unknown_source_is_inval },
};

/* Opt-in: needs the kernel entered at EL2 (tests/qemu/test_kernel_core.py boots it so). */
const struct ktest_suite kt_suite_trust_async = KT_SUITE_OPT_IN(async_tests);
