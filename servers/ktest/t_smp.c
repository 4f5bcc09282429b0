/*
 * Several cores: thread affinity (TCB_SET_AFFINITY), per-core run queues, cross-core IPC,
 * the reschedule SGI, threads destroyed while another core runs them, and TLB maintenance
 * seen from another core (architecture.md, "Several cores").
 *
 * The first two tests run on any number of cores; the others need at least two and are
 * left out on a single core (kt_suite_smp_multi, min_cores 2). Helpers on other cores run
 * at the same time as the root: they report through volatile globals, and the root waits
 * for them with a time limit (wait_for), never with kt_settle.
 */
#include <stdio.h>

#include "kt_as.h"

#define SPIN_LIMIT_MS 2000 /* longest the root waits for a helper on another core */
#define CALL_ROUNDS   200
#define WAKE_ROUNDS   16
#define UNMAP_ROUNDS  2000

static uint64_t counter_now(void)
{
	uint64_t v;
	__asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(v));
	return v;
}

static uint64_t counter_hz(void)
{
	uint64_t v;
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}

static unsigned cores_online(void)
{
	struct mica_cpu_info ci = { 0 };
	mica_debug_cpu(&ci);
	return ci.ncpus;
}

/* Waits until *p == want, up to SPIN_LIMIT_MS; true if it got there. */
static bool wait_for(volatile uint64_t *p, uint64_t want)
{
	uint64_t end = counter_now() + counter_hz() * SPIN_LIMIT_MS / 1000;
	while (__atomic_load_n(p, __ATOMIC_ACQUIRE) != want) {
		if (counter_now() > end)
			return false;
	}
	return true;
}

/* Makes a thread at `prio`, puts it on `core` and starts it at fn(arg). */
static int spawn_on(struct kt_thread *t, unsigned core, unsigned prio, cptr_t fault_ep, kt_fn fn,
		    uint64_t arg)
{
	struct kt_thread_opts o = { .prio = prio, .fault_ep = fault_ep };
	int err = kt_thread_new(t, &o);
	if (err)
		return err;
	err = mica_tcb_set_affinity(t->tcb, core);
	if (!CHECK_OK(err))
		return err;
	return kt_thread_start(t, fn, arg);
}

static volatile uint64_t where[8];   /* the core each helper said it runs on, + 1 */
static volatile uint64_t spins;      /* a spinning helper's progress */
static volatile uint64_t self_cap;   /* a helper's own TCB capability */
static volatile uint64_t wake_count; /* wakeups the waiter has seen */
static volatile struct mica_cpu_info wake_before[WAKE_ROUNDS], wake_after[WAKE_ROUNDS];

static void report_core(uint64_t slot)
{
	__atomic_store_n(&where[slot], mica_debug_cpu(NULL) + 1, __ATOMIC_RELEASE);
}

/* A core number at or beyond the cores online is E_RANGE; the last one is accepted. */
static void affinity_beyond_online_cores_is_range(void)
{
	unsigned n = cores_online();
	struct kt_thread t;
	struct kt_thread_opts o = { .prio = 100 };
	REQUIRE_OK(kt_thread_new(&t, &o));
	CHECK_ERR(mica_tcb_set_affinity(t.tcb, n), E_RANGE);
	CHECK_ERR(mica_tcb_set_affinity(t.tcb, 1000), E_RANGE);
	CHECK_OK(mica_tcb_set_affinity(t.tcb, n - 1));
}

/* A thread given a core runs there: one helper per core reports where it ran. */
static void thread_runs_on_the_core_it_is_given(void)
{
	unsigned n = cores_online();
	struct kt_thread t[8];
	for (unsigned c = 0; c < n && c < 8; c++) {
		where[c] = 0;
		REQUIRE_OK(spawn_on(&t[c], c, 100, 0, report_core, c));
	}
	kt_settle(); /* the one on core 0 runs once the root waits */
	for (unsigned c = 0; c < n && c < 8; c++) {
		CHECK(wait_for(&where[c], c + 1));
		CHECK_EQ(where[c], c + 1);
	}
}

/* True if `spins` changes within SPIN_LIMIT_MS (a loaded host may hold a core back for a
 * while). */
static bool spinner_moves(void)
{
	uint64_t before = spins;
	uint64_t end = counter_now() + counter_hz() * SPIN_LIMIT_MS / 1000;
	while (spins == before) {
		if (counter_now() > end)
			return false;
	}
	return true;
}

static void spin_and_report(uint64_t arg)
{
	(void)arg;
	for (;;) {
		__atomic_store_n(&where[0], mica_debug_cpu(NULL) + 1, __ATOMIC_RELEASE);
		spins++;
	}
}

/* A thread moved while it runs on core 1 goes on running on its new core. */
static void running_thread_moved_continues_on_new_core(void)
{
	unsigned target = cores_online() > 2 ? 2 : 0;
	struct kt_thread t;
	where[0] = 0;
	REQUIRE_OK(spawn_on(&t, 1, 100, 0, spin_and_report, 0));
	REQUIRE(wait_for(&where[0], 2));
	CHECK_OK(mica_tcb_set_affinity(t.tcb, target));
	CHECK(wait_for(&where[0], target + 1));
	CHECK(spinner_moves());
	CHECK_EQ(where[0], target + 1);
}

static void move_myself(uint64_t target)
{
	report_core(1);
	int err = mica_tcb_set_affinity(self_cap, (unsigned)target);
	where[3] = (uint64_t)(int64_t)err;
	report_core(2);
}

/* A thread that moves itself returns from the invocation on its new core. */
static void thread_moves_itself(void)
{
	unsigned target = cores_online() > 2 ? 2 : 0;
	struct kt_thread t;
	struct kt_thread_opts o = { .prio = 100 };
	where[1] = where[2] = 0;
	where[3] = 1;
	REQUIRE_OK(kt_thread_new(&t, &o));
	self_cap = t.self;
	REQUIRE_OK(mica_tcb_set_affinity(t.tcb, 1));
	REQUIRE_OK(kt_thread_start(&t, move_myself, target));
	CHECK(wait_for(&where[1], 2));
	CHECK(wait_for(&where[2], target + 1));
	CHECK_EQ(where[3], E_OK);
}

static void echo_server(uint64_t ep)
{
	struct mica_msg m;
	uint64_t badge;
	mica_recv(ep, &m, &badge);
	for (;;) {
		struct mica_msg r = kt_msg(0, 2, NULL);
		r.mr[0] = m.mr[0] + 1;
		r.mr[1] = mica_debug_cpu(NULL);
		m = r;
		mica_reply_recv(ep, &m, &badge);
	}
}

/* Calls from core 0 to a server on core 1 get their replies, every time (general path). */
static void call_reply_across_cores(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	struct kt_thread t;
	REQUIRE(ep);
	REQUIRE_OK(spawn_on(&t, 1, 100, 0, echo_server, ep));
	unsigned good = 0;
	for (unsigned i = 0; i < CALL_ROUNDS; i++) {
		uint64_t v = 1000 + i;
		struct mica_msg m = kt_msg(7, 1, &v);
		uint64_t info = mica_call(ep, &m);
		good += mica_msg_error(info) == E_OK && m.mr[0] == v + 1 && m.mr[1] == 1;
	}
	CHECK_EQ(good, CALL_ROUNDS);
}

static void waiter(uint64_t ep)
{
	struct mica_msg m;
	uint64_t badge;
	for (unsigned i = 0; i < WAKE_ROUNDS; i++) {
		mica_debug_cpu((struct mica_cpu_info *)&wake_before[i]);
		mica_recv(ep, &m, &badge);
		mica_debug_cpu((struct mica_cpu_info *)&wake_after[i]);
		__atomic_store_n(&wake_count, i + 1, __ATOMIC_RELEASE);
	}
}

/*
 * A message from core 0 wakes a receiver blocked on idle core 1 at once, through the
 * reschedule SGI: every wakeup is an SGI sent to core 1, and rounds in which core 1 took no
 * tick between blocking and running again exist (without the SGI nothing but its next tick
 * could wake it: a tick in every round, so none such). One tickless round is therefore the
 * proof; a round sees a tick by chance when the host holds a core back, which on a loaded
 * host can be most of them, so the test asks for one, not a share (the count is printed).
 * The sender uses SYS_NBSEND, which delivers only to a receiver already blocked.
 */
static void wakeup_on_other_core_sends_sgi(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	struct kt_thread t;
	wake_count = 0;
	REQUIRE(ep);
	REQUIRE_OK(spawn_on(&t, 1, 100, 0, waiter, ep));
	for (unsigned i = 0; i < WAKE_ROUNDS; i++) {
		struct mica_msg m = kt_msg(1, 0, NULL);
		uint64_t give_up = counter_now() + counter_hz() * SPIN_LIMIT_MS / 1000;
		int err;
		do
			err = mica_nbsend(ep, &m);
		while (err == E_WOULDBLOCK && counter_now() < give_up);
		REQUIRE_OK(err);
		REQUIRE(wait_for(&wake_count, i + 1));
	}
	unsigned sgis = 0, tickless = 0;
	for (unsigned i = 0; i < WAKE_ROUNDS; i++) {
		sgis += wake_after[i].ipis > wake_before[i].ipis;
		tickless += wake_after[i].ticks == wake_before[i].ticks;
		CHECK_EQ(wake_after[i].core, 1);
	}
	CHECK_EQ(sgis, WAKE_ROUNDS);
	CHECK(tickless >= 1);
	printf("ktest: note smp_wakeup rounds %u without a tick %u\n", WAKE_ROUNDS, tickless);
}

/* True if `spins` stays put for 20 ms (it cannot change once the thread is out: the
 * stall's acknowledgement orders the thread's last store before the invocation returns). */
static bool spinner_stopped(void)
{
	uint64_t before = spins;
	uint64_t until = counter_now() + counter_hz() / 50;
	while (counter_now() < until)
		;
	return spins == before;
}

/* A thread destroyed while it runs on another core stops there before the delete returns
 * (its core is stalled out of it; the TCB's memory is not touched by that core again). */
static void thread_deleted_while_running_on_other_core_stops(void)
{
	struct kt_thread t;
	where[0] = 0;
	REQUIRE_OK(spawn_on(&t, 1, 100, 0, spin_and_report, 0));
	REQUIRE(wait_for(&where[0], 2));
	REQUIRE_OK(mica_cnode_delete(SLOT_INIT_CNODE, t.tcb));
	CHECK(spinner_stopped());
}

/* A thread suspended while it runs on another core stops there before the suspend returns,
 * and resumes where it was when resumed. */
static void thread_suspended_while_running_on_other_core_stops(void)
{
	struct kt_thread t;
	where[0] = 0;
	REQUIRE_OK(spawn_on(&t, 1, 100, 0, spin_and_report, 0));
	REQUIRE(wait_for(&where[0], 2));
	REQUIRE_OK(mica_tcb_suspend(t.tcb));
	CHECK(spinner_stopped());
	REQUIRE_OK(mica_tcb_resume(t.tcb));
	CHECK(spinner_moves());
}

/*
 * The ASID pool of a VSpace is deleted while a thread runs in it on core 1: before the
 * delete returns, core 1 has left the address space (an SGI; it drops TTBR0), so the thread
 * makes no more progress, and the VSpace has no ASID any more.
 */
static void vspace_deleted_while_running_on_other_core_stops_it(void)
{
	struct mica_vspace_info info;
	struct kt_thread t;
	struct kt_as as;
	uint64_t base;
	cptr_t ut = kt_new(OBJ_UNTYPED, ASID_POOL_BITS), pool = kt_slot();
	REQUIRE(ut && pool);
	REQUIRE_OK(
	    mica_asid_control_make_pool(SLOT_ASID_CONTROL, ut, SLOT_INIT_CNODE, pool, &base));
	REQUIRE_OK(kt_as_new(&as, 0, pool));
	struct kt_thread_opts o = { .prio = 100, .as = &as };
	where[0] = 0;
	REQUIRE_OK(kt_thread_new(&t, &o));
	REQUIRE_OK(mica_tcb_set_affinity(t.tcb, 1));
	REQUIRE_OK(kt_thread_start(&t, spin_and_report, 0));
	REQUIRE(wait_for(&where[0], 2));
	REQUIRE(spinner_moves());
	REQUIRE_OK(mica_cnode_delete(SLOT_INIT_CNODE, pool));
	CHECK(spinner_stopped());
	REQUIRE_OK(mica_vspace_info(as.vspace, &info));
	CHECK_EQ(info.asid, 0);
}

static volatile uint64_t unmapped_round; /* last round whose unmap had returned */
static volatile uint64_t seen_round;     /* last value the reader read */
static volatile uint64_t stale_reads;    /* reads of round r after r's unmap returned */

/* Reads KT_TEST_VA + 8 forever; faults whenever it is unmapped (the root resumes it). */
static void reader(uint64_t arg)
{
	(void)arg;
	volatile uint64_t *word = (volatile uint64_t *)(KT_TEST_VA + 8);
	for (;;) {
		uint64_t done = __atomic_load_n(&unmapped_round, __ATOMIC_ACQUIRE);
		uint64_t v = *word;
		if (done && v == done)
			stale_reads++;
		__atomic_store_n(&seen_round, v, __ATOMIC_RELEASE);
	}
}

/*
 * Unmap on core 0, read on core 1, thousands of rounds: once FRAME_UNMAP has returned the
 * reader never again reads through the old translation, and it faults every round.
 */
static void unmap_then_read_on_other_core_faults(void)
{
	struct kt_test_page p;
	volatile uint64_t *word = (volatile uint64_t *)(KT_TEST_VA + 8);
	cptr_t fe = kt_new(OBJ_ENDPOINT, 0);
	struct kt_thread t;
	REQUIRE(fe && kt_map_test_page(KT_RW, &p));
	unmapped_round = seen_round = stale_reads = 0;
	*word = 1;
	REQUIRE_OK(spawn_on(&t, 1, 100, fe, reader, 0));
	unsigned faults = 0, bad_faults = 0, rounds = 0;
	for (uint64_t r = 1; r <= UNMAP_ROUNDS; r++, rounds++) {
		if (!wait_for(&seen_round, r))
			break;
		if (mica_frame_unmap(p.frame) != E_OK)
			break;
		__atomic_store_n(&unmapped_round, r, __ATOMIC_RELEASE);
		struct mica_msg m;
		uint64_t badge;
		uint64_t info = mica_recv(fe, &m, &badge);
		faults++;
		bad_faults += mica_msg_error(info) != E_OK || m.label != FAULT_LABEL(FAULT_VM) ||
			      m.mr[0] != KT_TEST_VA + 8;
		/* The next round's mapping, then resume the reader at its load. */
		if (mica_frame_map(p.frame, SLOT_INIT_VSPACE, KT_TEST_VA, KT_RW) != E_OK)
			break;
		*word = r + 1;
		struct mica_msg resume = kt_msg(0, 0, NULL);
		mica_reply(&resume);
	}
	CHECK_EQ(rounds, UNMAP_ROUNDS);
	CHECK_EQ(faults, UNMAP_ROUNDS);
	CHECK_EQ(bad_faults, 0);
	CHECK_EQ(stale_reads, 0);
}

/* KERNEL_INFO_CPU_STATS: every online core answers, with ticks; a core beyond is E_RANGE. */
static void cpu_stats_of_each_online_core(void)
{
	unsigned n = cores_online();
	uint64_t s[KCPU_COUNT];
	uint64_t until = counter_now() + counter_hz() / 30; /* a few ticks on every core */
	while (counter_now() < until)
		;
	for (unsigned c = 0; c < n; c++) {
		if (CHECK_OK(mica_kernel_cpu_stats(SLOT_KERNEL_INFO, c, s)))
			CHECK(s[KCPU_TICKS] > 0);
	}
	CHECK_OK(mica_kernel_cpu_stats(SLOT_KERNEL_INFO, 0, s));
	CHECK(s[KCPU_RUNNING] != 0); /* the root itself */
	CHECK_ERR(mica_kernel_cpu_stats(SLOT_KERNEL_INFO, n, s), E_RANGE);
}

/* The sum over the cores' KCPU_TLBI counters. */
static uint64_t tlbi_of_all_cores(void)
{
	uint64_t s[KCPU_COUNT], sum = 0;
	for (unsigned c = 0; c < cores_online(); c++)
		if (CHECK_OK(mica_kernel_cpu_stats(SLOT_KERNEL_INFO, c, s)))
			sum += s[KCPU_TLBI];
	return sum;
}

/* An unmap on core 0 (the root's) counts its invalidation there, and the cores' counters
 * add up to the machine's KSTAT_TLBI_* counters: every invalidation is counted once. */
static void tlb_invalidations_count_on_the_issuing_core(void)
{
	struct kt_test_page p;
	uint64_t a[KCPU_COUNT], b[KCPU_COUNT];
	REQUIRE(kt_map_test_page(KT_RW, &p));
	REQUIRE_OK(mica_kernel_cpu_stats(SLOT_KERNEL_INFO, 0, a));
	REQUIRE_OK(mica_frame_unmap(p.frame));
	REQUIRE_OK(mica_kernel_cpu_stats(SLOT_KERNEL_INFO, 0, b));
	CHECK(b[KCPU_TLBI] > a[KCPU_TLBI]);
	uint64_t machine =
	    kt_kstat(KSTAT_TLBI_VA) + kt_kstat(KSTAT_TLBI_ASID) + kt_kstat(KSTAT_TLBI_ALL);
	CHECK_EQ(tlbi_of_all_cores(), machine);
}

/* A core's counters follow what it does: a thread running there shows, switches and ticks
 * count up, a wakeup from core 0 counts an SGI, and a suspended thread leaves it idle. */
static void cpu_stats_follow_a_core(void)
{
	uint64_t a[KCPU_COUNT], b[KCPU_COUNT];
	struct kt_thread t;
	REQUIRE_OK(mica_kernel_cpu_stats(SLOT_KERNEL_INFO, 1, a));
	CHECK_EQ(a[KCPU_RUNNING], 0);
	where[0] = 0;
	REQUIRE_OK(spawn_on(&t, 1, 100, 0, spin_and_report, 0));
	REQUIRE(wait_for(&where[0], 2));
	REQUIRE_OK(mica_kernel_cpu_stats(SLOT_KERNEL_INFO, 1, b));
	CHECK(b[KCPU_RUNNING] != 0);
	CHECK(b[KCPU_SWITCHES] > a[KCPU_SWITCHES]);
	CHECK(b[KCPU_RESCHEDULE_SGIS] > a[KCPU_RESCHEDULE_SGIS]);
	REQUIRE_OK(mica_tcb_suspend(t.tcb));
	REQUIRE_OK(mica_kernel_cpu_stats(SLOT_KERNEL_INFO, 1, b));
	CHECK_EQ(b[KCPU_RUNNING], 0);
	CHECK(b[KCPU_STALLS] > a[KCPU_STALLS]);
	CHECK_EQ(b[KCPU_THREADS_QUEUED], 0);
}

/* KERNEL_INFO_STATS reports as many cores online as SYS_DEBUG_CPU (memsrv learns it there). */
static void kernel_stats_report_the_cores_online(void)
{
	struct mica_cpu_info ci;
	uint64_t k[KSTAT_COUNT];
	mica_debug_cpu(&ci);
	REQUIRE_OK(mica_kernel_stats(SLOT_KERNEL_INFO, k));
	CHECK_EQ(k[KSTAT_CPUS_ONLINE], ci.ncpus);
	CHECK(k[KSTAT_CPUS_ONLINE] >= 1);
}

/*
 * Entries that wait for the kernel lock. Helpers on the other cores keep it busy (the
 * kernel self-audit, a long walk under the lock, in a loop) while this thread makes
 * NBSends, through the fastpath and through the general path, with every register set to a
 * pattern. An entry that finds the lock taken saves everything before it waits and then
 * goes on as if the lock had been free, and the NBSend fastpath returns without reloading
 * x20..x29: the registers must come back as they were all the same. This core's
 * KCPU_LOCK_WAITS shows that entries waited: more of them than its ticks and reschedule
 * SGIs (the other entries it took) explain.
 */
#define LOCK_WAITS_WANTED 100
#define LOCK_ROUNDS_MAX   20000
static volatile uint64_t hammer_stop, hammer_done, hammer_violations;

static void hammer_the_lock(uint64_t arg)
{
	(void)arg;
	unsigned checked;
	while (!__atomic_load_n(&hammer_stop, __ATOMIC_ACQUIRE))
		__atomic_fetch_add(&hammer_violations, mica_debug_audit(&checked),
				   __ATOMIC_RELAXED);
	__atomic_fetch_add(&hammer_done, 1, __ATOMIC_RELEASE);
}

/* Whether kt_syscall_registers' record shows NBSend's answer `x1` and every other register
 * as it was set. */
static bool nbsend_left_registers(const uint64_t *out, cptr_t cap, uint64_t x1)
{
	if (out[0] != cap || out[1] != x1 || out[8] != SYS_NBSEND || out[31] != out[33] ||
	    out[32] != KT_REG_PATTERN + 32)
		return false;
	for (unsigned n = 2; n <= 30; n++) {
		if (n != 8 && out[n] != KT_REG_PATTERN + n)
			return false;
	}
	return true;
}

/* Lock waits between two KCPU_* readings of a core that its ticks, its reschedule SGIs and
 * the `reads` statistics invocations in between do not explain (each of those entries
 * waits at most once): the waits of the NBSends. */
static int64_t nbsend_waits(const uint64_t *a, const uint64_t *b, unsigned reads)
{
	return (int64_t)(b[KCPU_LOCK_WAITS] - a[KCPU_LOCK_WAITS]) -
	       (int64_t)(b[KCPU_TICKS] - a[KCPU_TICKS]) -
	       (int64_t)(b[KCPU_RESCHEDULE_SGIS] - a[KCPU_RESCHEDULE_SGIS]) - (int64_t)reads;
}

static void registers_survive_entries_that_wait_for_the_lock(void)
{
	unsigned n = cores_online(), me = (unsigned)mica_debug_cpu(NULL);
	struct kt_thread helpers[8];
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	cptr_t write_only = kt_copy(ep, RIGHT_WRITE); /* a capability transfer: general path */
	hammer_stop = hammer_done = hammer_violations = 0;
	for (unsigned c = 0, k = 0; c < n; c++) {
		if (c != me)
			REQUIRE_OK(spawn_on(&helpers[k++], c, 100, 0, hammer_the_lock, 0));
	}
	uint64_t a[KCPU_COUNT], b[KCPU_COUNT];
	REQUIRE_OK(mica_kernel_cpu_stats(SLOT_KERNEL_INFO, me, a));
	unsigned wrong = 0, rounds = 0, reads = 0;
	do {
		for (unsigned i = 0; i < 64; i++, rounds++) {
			uint64_t out[35] = { 0 };
			if (i & 1) {
				kt_syscall_registers(SYS_NBSEND, write_only, msginfo_pack(7, 0, 1),
						     out);
				wrong += !nbsend_left_registers(out, write_only,
								msginfo_error(E_RIGHTS));
			} else {
				kt_syscall_registers(SYS_NBSEND, ep, msginfo_pack(7, 0, 0), out);
				wrong +=
				    !nbsend_left_registers(out, ep, msginfo_error(E_WOULDBLOCK));
			}
		}
		REQUIRE_OK(mica_kernel_cpu_stats(SLOT_KERNEL_INFO, me, b));
		reads++;
	} while (nbsend_waits(a, b, reads) < LOCK_WAITS_WANTED && rounds < LOCK_ROUNDS_MAX);
	__atomic_store_n(&hammer_stop, 1, __ATOMIC_RELEASE);
	CHECK(wait_for(&hammer_done, n - 1));
	CHECK_EQ(wrong, 0);
	CHECK_EQ(hammer_violations, 0);
	printf("ktest: %u NBSends, %lu entries waited for the lock (%lu ticks and SGIs)\n", rounds,
	       (unsigned long)(b[KCPU_LOCK_WAITS] - a[KCPU_LOCK_WAITS]),
	       (unsigned long)(b[KCPU_TICKS] - a[KCPU_TICKS] + b[KCPU_RESCHEDULE_SGIS] -
			       a[KCPU_RESCHEDULE_SGIS]));
	CHECK(nbsend_waits(a, b, reads) >= LOCK_WAITS_WANTED);
}

/*
 * A system call that waits for the lock while another core detaches its thread is made
 * when the thread runs again, with every register as it was. A thread on another core
 * makes NBSends in a loop and checks each answer (a call dropped would leave its own
 * message info in x1) and every register; the root suspends and resumes it over and over,
 * each suspend detaching it from its core, while helpers on the remaining cores keep the
 * lock busy so that its calls wait. Its core's KCPU_CALLS_RESTARTED shows that calls were
 * caught waiting.
 */
#define RESTARTS_WANTED 20
#define SUSPENDS_MAX    20000
static volatile uint64_t sender_rounds, sender_wrong;
static cptr_t sender_ep;

static void nbsend_until_stopped(uint64_t arg)
{
	(void)arg;
	while (!__atomic_load_n(&hammer_stop, __ATOMIC_ACQUIRE)) {
		uint64_t out[35] = { 0 };
		kt_syscall_registers(SYS_NBSEND, sender_ep, msginfo_pack(7, 0, 0), out);
		if (!nbsend_left_registers(out, sender_ep, msginfo_error(E_WOULDBLOCK)))
			sender_wrong++;
		sender_rounds++;
	}
	__atomic_fetch_add(&hammer_done, 1, __ATOMIC_RELEASE);
}

static void calls_caught_by_a_detach_are_made_on_resume(void)
{
	unsigned n = cores_online(), me = (unsigned)mica_debug_cpu(NULL);
	unsigned target = me == 0 ? 1 : 0, helpers = 0;
	struct kt_thread sender, hammers[8];
	sender_ep = kt_new(OBJ_ENDPOINT, 0);
	hammer_stop = hammer_done = hammer_violations = 0;
	sender_rounds = sender_wrong = 0;
	REQUIRE_OK(spawn_on(&sender, target, 100, 0, nbsend_until_stopped, 0));
	for (unsigned c = 0; c < n; c++) {
		if (c != me && c != target)
			REQUIRE_OK(spawn_on(&hammers[helpers++], c, 100, 0, hammer_the_lock, 0));
	}
	uint64_t a[KCPU_COUNT], b[KCPU_COUNT];
	REQUIRE_OK(mica_kernel_cpu_stats(SLOT_KERNEL_INFO, target, a));
	unsigned suspends = 0;
	do {
		for (unsigned i = 0; i < 16; i++, suspends++) {
			REQUIRE_OK(mica_tcb_suspend(sender.tcb));
			REQUIRE_OK(mica_tcb_resume(sender.tcb));
		}
		REQUIRE_OK(mica_kernel_cpu_stats(SLOT_KERNEL_INFO, target, b));
	} while (b[KCPU_CALLS_RESTARTED] - a[KCPU_CALLS_RESTARTED] < RESTARTS_WANTED &&
		 suspends < SUSPENDS_MAX);
	__atomic_store_n(&hammer_stop, 1, __ATOMIC_RELEASE);
	CHECK(wait_for(&hammer_done, helpers + 1));
	CHECK_EQ(sender_wrong, 0);
	CHECK_EQ(hammer_violations, 0);
	CHECK(sender_rounds > 0);
	printf("ktest: %u suspends, %lu NBSends, %lu restarted after a detach\n", suspends,
	       (unsigned long)sender_rounds,
	       (unsigned long)(b[KCPU_CALLS_RESTARTED] - a[KCPU_CALLS_RESTARTED]));
	CHECK(b[KCPU_CALLS_RESTARTED] - a[KCPU_CALLS_RESTARTED] >= RESTARTS_WANTED);
}

/* SYS_DEBUG_PUTS writes up to DEBUG_PUTS_MAX bytes at once and refuses what it cannot. The
 * line it writes is checked on the console by test_kernel_core.py. */
static void debug_puts_writes_a_piece_at_once(void)
{
	static const char line[] = "ktest: one piece, SYS_DEBUG_PUTS\n";
	static const char full[DEBUG_PUTS_MAX + 1] =
	    "ktest: 56 bytes --------------------------------------.\n";
	CHECK_OK(mica_debug_puts(line, sizeof(line) - 1));
	CHECK_OK(mica_debug_puts(full, DEBUG_PUTS_MAX));
	CHECK_OK(mica_debug_puts("", 0));
	CHECK_ERR(mica_debug_puts(full, DEBUG_PUTS_MAX + 1), E_RANGE);
	CHECK_ERR(mica_debug_puts("ktest: bell \a\n", 14), E_INVAL); /* nothing written */
}

static const struct ktest tests[] = {
	{ "smp_kernel_stats_report_the_cores_online", kernel_stats_report_the_cores_online },
	{ "smp_debug_puts_writes_a_piece_at_once", debug_puts_writes_a_piece_at_once },
	{ "smp_affinity_beyond_online_cores_is_range", affinity_beyond_online_cores_is_range },
	{ "smp_thread_runs_on_the_core_it_is_given", thread_runs_on_the_core_it_is_given },
	{ "smp_cpu_stats_of_each_online_core", cpu_stats_of_each_online_core },
	{ "smp_tlb_invalidations_count_on_the_issuing_core",
	  tlb_invalidations_count_on_the_issuing_core },
};

static const struct ktest multi_tests[] = {
	{ "smp_running_thread_moved_continues_on_new_core",
	  running_thread_moved_continues_on_new_core },
	{ "smp_thread_moves_itself", thread_moves_itself },
	{ "smp_call_reply_across_cores", call_reply_across_cores },
	{ "smp_wakeup_on_other_core_sends_sgi", wakeup_on_other_core_sends_sgi },
	{ "smp_thread_deleted_while_running_on_other_core_stops",
	  thread_deleted_while_running_on_other_core_stops },
	{ "smp_thread_suspended_while_running_on_other_core_stops",
	  thread_suspended_while_running_on_other_core_stops },
	{ "smp_unmap_then_read_on_other_core_faults", unmap_then_read_on_other_core_faults },
	{ "smp_vspace_deleted_while_running_on_other_core_stops_it",
	  vspace_deleted_while_running_on_other_core_stops_it },
	{ "smp_cpu_stats_follow_a_core", cpu_stats_follow_a_core },
	{ "smp_registers_survive_entries_that_wait_for_the_lock",
	  registers_survive_entries_that_wait_for_the_lock },
	{ "smp_calls_caught_by_a_detach_are_made_on_resume",
	  calls_caught_by_a_detach_are_made_on_resume },
};

const struct ktest_suite kt_suite_smp = KT_SUITE(tests);
const struct ktest_suite kt_suite_smp_multi = KT_SUITE_MIN_CORES(multi_tests, 2);
