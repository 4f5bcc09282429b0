/*
 * kfuzz: the kernel fuzzer, a root task (bootarg init=kfuzz; docs/fuzzing.md).
 *
 * Builds the canary and the fuzzer process (proc.h), then serves the fuzzer's fault
 * endpoint until the campaign is over: resumes it after an unknown system call, audits
 * the kernel (SYS_DEBUG_AUDIT) and checks the canary at every checkpoint, restarts it
 * when it is stuck (blocked, suspended, faulted), builds a new one when it destroyed
 * itself. Any audit violation or canary damage ends the campaign with a FAIL line naming
 * the seed and the calls to replay; a kernel panic ends it on its own.
 *
 * Boot arguments (all optional):
 *   fuzz_seed=N        the campaign (default 1)
 *   fuzz_calls=N       calls to make (default 100000)
 *   fuzz_checkpoint=N  audit and check the canary every N calls (default 1000)
 *   fuzz_life=N        replace the fuzzer process by a fresh one every N calls (default 50000)
 *   fuzz_progress=N    print a progress line every N calls (default 100000)
 *   fuzz_trace=N       print every call from call N on
 *   fuzz_plant_canary=N  damage the canary (one bit, through the root's own mapping) at
 *                      the first checkpoint from call N on: the campaign must then fail
 */
#include <digit.h>
#include <mica.h>
#include <mica/fault.h>
#include <mica_invoke.h>
#include <stdio.h>
#include <string.h>

#include "gen.h"
#include "proc.h"

struct campaign {
	uint64_t life_every, progress_every, next_progress, plant_canary;
	uint64_t restarts, stuck, audits, canary_checks, checked;
	uint64_t calls_at_restart, life_started_at, last_clean;
	unsigned barren_lives; /* lives in a row that made no call */
	uint64_t t0;
	unsigned violations; /* of the audit that failed the campaign */
	long canary_bad;     /* wrong canary words (-1: no answer) when it failed */
};

static struct fz_root fr;
static struct campaign cp;

/* The virtual counter (CNTVCT_EL0), readable at EL0. */
static uint64_t counter(void)
{
	uint64_t v;
	__asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(v)::"memory");
	return v;
}

/* The number after `key` in the command line, or `dflt`. */
static uint64_t arg(const char *cmdline, const char *key, uint64_t dflt)
{
	const char *p = cmdline;
	size_t n = strlen(key);
	while ((p = strstr(p, key))) {
		if ((p == cmdline || p[-1] == ' ') && p[n] == '=') {
			uint64_t v = 0;
			unsigned d, digits = 0;
			for (p += n + 1; (d = digit_value(*p)) < 10; p++, digits++)
				v = v * 10 + d;
			return digits ? v : dflt;
		}
		p += n;
	}
	return dflt;
}

/* Counts the (label, result) pairs reached, and the labels that succeeded at least once. */
static unsigned count_pairs(unsigned *ok_labels)
{
	unsigned pairs = 0;
	*ok_labels = 0;
	for (unsigned l = 0; l < FZ_LABEL_IDS; l++) {
		for (unsigned r = 0; r < FZ_RESULT_IDS; r++)
			pairs += (fr.ctl->pairs[l][r / 8] >> (r % 8)) & 1;
		*ok_labels += fr.ctl->pairs[l][0] & 1;
	}
	return pairs;
}

/* Prints the coverage, one line per label id: the result ids it reached, as a bit mask. */
static void print_coverage(void)
{
	for (unsigned l = 0; l < FZ_LABEL_IDS; l++) {
		uint32_t mask = 0;
		for (unsigned b = 0; b < FZ_RESULT_IDS / 8; b++)
			mask |= (uint32_t)fr.ctl->pairs[l][b] << (8 * b);
		if (mask)
			printf("kfuzz: coverage label %u results %#x\n", l, (unsigned)mask);
	}
}

/* Prints the summary line: what tests/qemu/test_fuzz.py and scripts/fuzz read. */
static void print_summary(void)
{
	unsigned ok_labels, pairs = count_pairs(&ok_labels);
	uint64_t ticks = counter() - cp.t0, hz = fr.bi->timer_hz ? fr.bi->timer_hz : 1;
	uint64_t ms = ticks * 1000 / hz;
	uint64_t rate = ticks ? fr.ctl->calls * hz / ticks : 0;
	print_coverage();
	printf("kfuzz: summary seed=%lu calls=%lu ops=%lu stuck=%lu restarts=%lu lives=%u "
	       "audits=%lu audit_checked=%lu violations=%u canary_checks=%lu canary=%s pairs=%u "
	       "ok_labels=%u guest_ms=%lu guest_calls_per_s=%lu\n",
	       (unsigned long)fr.ctl->seed, (unsigned long)fr.ctl->calls,
	       (unsigned long)fr.ctl->next_op, (unsigned long)cp.stuck, (unsigned long)cp.restarts,
	       fr.lives, (unsigned long)cp.audits, (unsigned long)cp.checked, cp.violations,
	       (unsigned long)cp.canary_checks, cp.canary_bad == 0 ? "intact" : "damaged", pairs,
	       ok_labels, (unsigned long)ms, (unsigned long)rate);
}

/* Ends the campaign with a FAIL line that says how to replay it, then powers off. */
static __attribute__((noreturn)) void fail(const char *what, long n)
{
	printf("kfuzz: FAIL seed %lu calls %lu..%lu op %lu: %s (%ld)\n",
	       (unsigned long)fr.ctl->seed, (unsigned long)cp.last_clean,
	       (unsigned long)fr.ctl->calls, (unsigned long)fr.ctl->cur_op, what, n);
	printf("kfuzz: replay with fuzz_seed=%lu fuzz_calls=%lu fuzz_trace=%lu\n",
	       (unsigned long)fr.ctl->seed, (unsigned long)fr.ctl->calls,
	       (unsigned long)cp.last_clean);
	print_summary();
	printf("kfuzz: done\n");
	mica_debug_poweroff();
}

/* Audits the kernel and checks the canary; fails the campaign if either is wrong. */
static void check_invariants(void)
{
	unsigned checked;
	unsigned v = mica_debug_audit(&checked);
	cp.audits++;
	cp.checked += checked;
	if ((cp.violations = v))
		fail("audit violations", v);
	long bad = fz_canary_check(&fr);
	cp.canary_checks++;
	if ((cp.canary_bad = bad))
		fail(bad < 0 ? "canary did not answer" : "canary damaged", bad);
	cp.last_clean = fr.ctl->calls;
}

/* Replaces the fuzzer process by a fresh one (the campaign goes on where it was). */
static void new_life(void)
{
	if (fz_life_end(&fr) || fz_life_start(&fr))
		fail("could not rebuild the fuzzer", fr.lives);
	cp.life_started_at = cp.calls_at_restart = fr.ctl->calls;
}

/* The fuzzer stopped (blocked, suspended, faulted or destroyed): skip the call it was in,
 * then restart it, or build a new one if it is gone or made no call since its restart. */
static void unstick(void)
{
	struct fz_ctl *c = fr.ctl;
	bool progress = c->calls != cp.calls_at_restart;
	if (progress && c->next_op == c->cur_op && c->next_sub == c->cur_sub) {
		fz_pair_set(c, (unsigned)c->cur_label_id, FZ_RESULT_STUCK);
		c->next_sub++;
		cp.stuck++;
	}
	if (!progress || fz_life_restart(&fr)) {
		if (!progress && ++cp.barren_lives > 3)
			fail("the fuzzer makes no progress", (long)c->calls);
		new_life();
		return;
	}
	cp.barren_lives = 0;
	cp.restarts++;
	cp.calls_at_restart = c->calls;
}

/* A checkpoint the fuzzer asked for: invariants, progress, maybe a fresh process. Returns
 * true if the fuzzer should be resumed (false: it was replaced). */
static bool checkpoint(void)
{
	if (fr.ctl->calls >= cp.plant_canary && fz_canary_damage(&fr) == E_OK) {
		printf("kfuzz: planted canary damage at call %lu\n", (unsigned long)fr.ctl->calls);
		cp.plant_canary = ~0ull;
	}
	check_invariants();
	cp.barren_lives = 0;
	if (fr.ctl->calls >= cp.next_progress) {
		printf("kfuzz: progress calls=%lu lives=%u restarts=%lu\n",
		       (unsigned long)fr.ctl->calls, fr.lives, (unsigned long)cp.restarts);
		cp.next_progress += cp.progress_every;
	}
	if (cp.life_every && fr.ctl->calls - cp.life_started_at >= cp.life_every) {
		new_life();
		return false;
	}
	return true;
}

/* The end: invariants, then the fuzzer's objects destroyed and the invariants again. */
static __attribute__((noreturn)) void finish(void)
{
	check_invariants();
	if (fz_life_end(&fr))
		fail("could not destroy the fuzzer", 0);
	check_invariants();
	print_summary();
	printf("kfuzz: PASS\nkfuzz: done\n");
	mica_debug_poweroff();
}

/* Replies to the fuzzer's fault: label 0 resumes it, anything else leaves it suspended. */
static void reply(uint64_t label)
{
	struct mica_msg m = { .label = label };
	mica_reply(&m);
}

/* Serves the fault endpoint until the campaign ends. */
static __attribute__((noreturn)) void serve(void)
{
	for (;;) {
		struct mica_msg m;
		uint64_t badge;
		mica_recv(fr.fault_ep, &m, &badge);
		if (m.label == MSG_LABEL_NOTIFY) {
			unstick();
			continue;
		}
		if (badge == FZ_CANARY_BADGE) {
			cp.canary_bad = -1;
			fail("the canary faulted", (long)m.label);
		}
		if (m.label == FAULT_LABEL(FAULT_UNKNOWN_SYSCALL) && m.mr[0] == FZ_SYS_DONE)
			finish();
		if (m.label == FAULT_LABEL(FAULT_UNKNOWN_SYSCALL) &&
		    (m.mr[0] != FZ_SYS_CHECKPOINT || checkpoint())) {
			reply(0);
			continue;
		}
		if (m.label != FAULT_LABEL(FAULT_UNKNOWN_SYSCALL)) {
			reply(1);
			unstick();
		}
	}
}

/* Sets up the control page from the boot arguments. */
static void init_ctl(const char *cmdline)
{
	struct fz_ctl *c = fr.ctl;
	memset(c, 0, sizeof(*c));
	c->magic = FZ_CTRL_MAGIC;
	c->seed = arg(cmdline, "fuzz_seed", 1);
	c->calls_target = arg(cmdline, "fuzz_calls", 100000);
	c->checkpoint_every = arg(cmdline, "fuzz_checkpoint", 1000);
	if (!c->checkpoint_every)
		c->checkpoint_every = 1000;
	c->next_checkpoint = c->checkpoint_every;
	c->trace_from = arg(cmdline, "fuzz_trace", ~0ull);
	cp.life_every = arg(cmdline, "fuzz_life", 50000);
	cp.plant_canary = arg(cmdline, "fuzz_plant_canary", ~0ull);
	cp.progress_every = arg(cmdline, "fuzz_progress", 100000);
	if (!cp.progress_every)
		cp.progress_every = ~0ull;
	cp.next_progress = cp.progress_every;
}

void fz_canary_main(uint64_t unused)
{
	(void)unused;
	for (;;) {
		struct mica_regs r = { 1, 0, { 0 } };
		mica_syscall(SYS_RECV, &r);
		const volatile uint64_t *w = (const volatile uint64_t *)FZ_CANARY_VA;
		uint64_t bad = 0;
		for (unsigned i = 0; i < FZ_CANARY_PAGES * 512; i++)
			bad += w[i] != fz_canary_word(i);
		struct mica_regs a = { 2, msginfo_pack(1, 2, 0), { bad, r.mr[0] } };
		mica_syscall(SYS_SEND, &a);
	}
}

/* Entry from crt0: `arg` is the boot-info page. Powers off when done. */
int main(void *bootinfo)
{
	const struct bootinfo *bi = bootinfo;
	if (!bi || bi->magic != BOOTINFO_MAGIC || !bi->debug_build) {
		printf("kfuzz: FAIL setup: needs the boot-info page of a debug kernel\n");
		mica_debug_poweroff();
	}
	mica_set_ipc_buffer((struct ipc_buffer *)bi->ipc_buffer);
	if (fz_root_init(&fr, bi) || fz_canary_init(&fr))
		mica_debug_poweroff();
	init_ctl(bi->cmdline);
	printf("kfuzz: start seed=%lu calls=%lu checkpoint=%lu life=%lu\n",
	       (unsigned long)fr.ctl->seed, (unsigned long)fr.ctl->calls_target,
	       (unsigned long)fr.ctl->checkpoint_every, (unsigned long)cp.life_every);
	check_invariants();
	cp.t0 = counter();
	if (fz_life_start(&fr))
		mica_debug_poweroff();
	serve();
}
