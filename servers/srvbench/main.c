/*
 * srvbench: instruction counts of the server building blocks, as a client sees them. Run it
 * under -icount shift=0 (scripts/qemu --icount) with
 *
 *   init=memsrv memsrv.spawn=srvbench memsrv.control=srvbench memsrv.poweroff_when_idle
 *
 * Counts retired instructions (PMU event counter 0, EL0 and EL1, set up by the kernel) in
 * every thread an operation runs through. Each figure is the minimum over ROUNDS runs minus
 * the cost of reading the counter. Prints "srvbench: NAME INSTRUCTIONS" lines and
 * "srvbench: done", then exits.
 *   name_call    one call to a server in another address space, through a capability
 *                from the name service, and its answer (nstest in NSTEST_SERVE mode)
 *   thread_cycle mem_thread_create of a thread that returns at once, until srvbench sees
 *                it ended (it yields to let it run, then asks MEMSRV_THREAD_INFO)
 *   shm_share    a one-page region created, mapped here, shared with and mapped into a
 *                second process (unmapping and releasing it are not counted)
 */
#include <memsrv_client.h>
#include <mica.h>
#include <mica_bench.h>
#include <stddef.h>
#include <stdio.h>

#include "../crasher/crasher.h"
#include "../nstest/nstest.h"

#define ROUNDS      32
#define SERVER_PRIO 110 /* above srvbench: the server waits in receive */
#define IDLE_PRIO   1
#define RW          (MEMSRV_PROT_R | MEMSRV_PROT_W)

static cptr_t ms;
static uint64_t overhead;

static void report(const char *name, uint64_t best)
{
	printf("srvbench: %s %lu\n", name, (unsigned long)(best - overhead));
}

static void fail(const char *what, int err)
{
	printf("srvbench: %s failed: %s\n", what, mica_strerror(err));
	mem_exit(ms, 1);
}

static void bench_name_call(void)
{
	unsigned pid, slot;
	uint64_t best = ~0ull;
	int err = mem_spawn(ms, "nstest", SERVER_PRIO, NSTEST_SERVE, 0, 0, &pid);
	if (!err)
		err = mem_name_lookup(ms, NSTEST_NAME, 0, &slot, NULL);
	if (err)
		fail("name_call setup", err);
	for (int i = 0; i < ROUNDS; i++) {
		struct mica_msg msg = { .label = 1, .length = 1, .mr = { (uint64_t)i } };
		uint64_t t0 = bench_icount();
		err = mica_msg_error(mica_call(slot, &msg));
		uint64_t t1 = bench_icount();
		if (err || msg.mr[1] != (uint64_t)i + 1)
			fail("name_call", err ? err : E_STATE);
		best = bench_min(best, t1 - t0);
	}
	report("name_call", best);
	mem_kill(ms, pid);
}

static int returns_at_once(void *arg)
{
	(void)arg;
	return 0;
}

static void bench_thread_cycle(void)
{
	uint64_t best = ~0ull;
	for (int i = 0; i < ROUNDS; i++) {
		unsigned tid, state = MEMSRV_THREAD_RUNNING;
		int code;
		uint64_t t0 = bench_icount();
		int err = mem_thread_create(ms, returns_at_once, NULL, 0, &tid);
		while (!err && state == MEMSRV_THREAD_RUNNING) {
			mica_yield();
			err = mem_thread_info(ms, tid, &state, &code);
		}
		uint64_t t1 = bench_icount();
		if (err)
			fail("thread_cycle", err);
		best = bench_min(best, t1 - t0);
	}
	report("thread_cycle", best);
}

static void bench_shm_share(void)
{
	unsigned pid;
	uint64_t best = ~0ull;
	int err = mem_spawn(ms, "crasher", IDLE_PRIO, CRASH_ARG(CRASH_WAIT, 0, 0), 0, 0, &pid);
	if (err)
		fail("shm_share setup", err);
	for (int i = 0; i < ROUNDS; i++) {
		uint64_t h, mine, theirs;
		uint64_t t0 = bench_icount();
		err = mem_shm_create(ms, 1, RW, &h);
		if (!err)
			err = mem_shm_map(ms, 0, h, 0, RW, &mine);
		if (!err)
			err = mem_shm_share(ms, h, pid, MEMSRV_PROT_R);
		if (!err)
			err = mem_shm_map(ms, pid, h, 0, MEMSRV_PROT_R, &theirs);
		uint64_t t1 = bench_icount();
		if (!err)
			err = mem_shm_release(ms, h);
		if (!err)
			err = mem_unmap(ms, 0, mine, 4096);
		if (!err)
			err = mem_unmap(ms, pid, theirs, 4096);
		if (err)
			fail("shm_share", err);
		best = bench_min(best, t1 - t0);
	}
	report("shm_share", best);
	mem_kill(ms, pid);
}

int main(void *cap)
{
	ms = (cptr_t)(uintptr_t)cap;
	overhead = bench_counter_overhead(ROUNDS);
	bench_name_call();
	bench_thread_cycle();
	bench_shm_share();
	printf("srvbench: done\n");
	return 0;
}
