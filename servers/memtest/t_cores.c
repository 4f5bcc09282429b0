/*
 * Tests of processes and threads on several cores (MEMSRV_CORE, docs/memsrv.md "Cores").
 * memtest itself runs beside memsrv on core 0; the workers it starts here run on the cores
 * it names, so their page faults, their requests and their calls to memtest cross cores,
 * and memsrv kills and destroys them while another core runs them. Nothing here relies on
 * priorities for ordering: memtest waits for what it needs (MEMSRV_WAIT, IPC, a flag). With
 * one core online every worker runs on core 0 and the same checks hold.
 */
#include <stddef.h>

#include "../coretest/coretest.h"
#include "memtest.h"

#define WORKERS_MAX 8
#define SPINS       200000 /* yields before a thread or a core is given up on */

/* The cores online (KSTAT_CPUS_ONLINE, as memsrv relays the kernel's counters). */
static int online_cores(unsigned *n)
{
	struct mem_global_stats g;
	CHECK_OK(mem_global_stats(ms, &g));
	*n = (unsigned)g.kernel[KSTAT_CPUS_ONLINE];
	CHECK(*n >= 1 && *n <= WORKERS_MAX);
	return 0;
}

/* Free frames, live spaces and processes: what must come back once the workers ended. */
static int snapshot(uint64_t out[3])
{
	struct mem_global_stats g;
	CHECK_OK(mem_global_stats(ms, &g));
	out[0] = g.memsrv[MEMSRV_GSTAT_FREE_FRAMES];
	out[1] = g.memsrv[MEMSRV_GSTAT_AS_LIVE];
	out[2] = g.memsrv[MEMSRV_GSTAT_PROCESSES];
	return 0;
}

static int same_snapshot(const uint64_t before[3])
{
	uint64_t now[3];
	CHECK_OK(snapshot(now));
	CHECK_EQ(now[0], before[0]);
	CHECK_EQ(now[1], before[1]);
	CHECK_EQ(now[2], before[2]);
	return 0;
}

/* The worker calls memtest's endpoint `ep` twice each; checks and answers every call. */
static int serve_workers(unsigned ep, unsigned n, const unsigned *core, uint64_t handle)
{
	unsigned first_calls = 0, done = 0;
	bool seen[WORKERS_MAX] = { false };
	while (done < n) {
		struct mica_msg msg;
		uint64_t badge;
		CHECK_OK(mica_msg_error(mica_recv(ep, &msg, &badge)));
		unsigned idx = (unsigned)msg.mr[0];
		CHECK(idx < n);
		if (msg.length == 3) { /* index, the core it runs on, its checksum */
			CHECK(!seen[idx]);
			seen[idx] = true;
			CHECK_EQ(msg.mr[1], core[idx]);
			CHECK_EQ(msg.mr[2], CORETEST_SUM(idx));
			first_calls++;
			msg = (struct mica_msg){ .label = 0, .length = 1, .mr = { handle } };
		} else {
			CHECK(seen[idx] && msg.length == 2 && msg.mr[1] == CORETEST_DONE);
			done++;
			msg = (struct mica_msg){ .label = 0, .length = 0 };
		}
		CHECK_OK(mica_reply(&msg));
	}
	CHECK_EQ(first_calls, n);
	return 0;
}

/* One worker per core (two on one core if only one is online), each pinned with MEMSRV_CORE. */
static int start_workers(unsigned online, uint64_t handle, unsigned *n, unsigned *core,
			 unsigned *pid)
{
	*n = online < 2 ? 2 : online;
	for (unsigned i = 0; i < *n; i++) {
		core[i] = i % online;
		struct mem_proc_info info;
		CHECK_OK(mem_spawn(ms, "coretest", 0, CORETEST_ARG(core[i], i),
				   MEMSRV_CORE(core[i]), 0, &pid[i]));
		CHECK_OK(mem_shm_share(ms, handle, pid[i], MEMSRV_PROT_R | MEMSRV_PROT_W));
		CHECK_OK(mem_proc_info(ms, pid[i], &info));
		CHECK(info.core == core[i] || MEMSRV_PS_STATE(info.state) != MEMSRV_PS_RUNNING);
	}
	return 0;
}

int test_workers_on_every_core_fault_share_and_call(void)
{
	unsigned online, n, ep, core[WORKERS_MAX], pid[WORKERS_MAX];
	uint64_t before[3], handle, base, switches[WORKERS_MAX];
	CHECK_OK(online_cores(&online));
	for (unsigned c = 0; c < online; c++) {
		struct mem_cpu_stats cs;
		CHECK_OK(mem_cpu_stats(ms, c, &cs));
		switches[c] = cs.kernel[KCPU_SWITCHES];
	}
	CHECK_OK(snapshot(before));
	CHECK_OK(mem_obj_create(ms, MEMSRV_OBJ_ENDPOINT, 0, 0, &ep));
	CHECK_OK(mem_name_publish(ms, ep, CORETEST_NAME));
	CHECK_OK(mem_shm_create(ms, 1, MEMSRV_PROT_R | MEMSRV_PROT_W, &handle));
	CHECK_OK(mem_shm_map(ms, 0, handle, 0, MEMSRV_PROT_R | MEMSRV_PROT_W, &base));
	CHECK_OK(start_workers(online, handle, &n, core, pid));
	CHECK_OK(serve_workers(ep, n, core, handle));
	for (unsigned i = 0; i < n; i++) {
		uint64_t w;
		CHECK_OK(mem_wait(ms, pid[i], &w));
		CHECK_EQ(MEMSRV_PS_STATE(w), MEMSRV_PS_EXITED);
		CHECK_EQ(MEMSRV_PS_EXIT_CODE(w), 0);
		CHECK_EQ(((volatile uint64_t *)(uintptr_t)base)[i], CORETEST_WORD(i, core[i]));
	}
	for (unsigned c = 0; c < online; c++) { /* every core switched to a worker */
		struct mem_cpu_stats cs;
		CHECK_OK(mem_cpu_stats(ms, c, &cs));
		CHECK(cs.kernel[KCPU_SWITCHES] > switches[c]);
	}
	CHECK_OK(mem_name_withdraw(ms, CORETEST_NAME));
	CHECK_OK(mem_obj_delete(ms, ep));
	CHECK_OK(mem_unmap(ms, 0, base, PAGE));
	CHECK_OK(mem_shm_release(ms, handle));
	return same_snapshot(before);
}

/* Yields until core `c` runs a thread other than memtest's, i.e. the crasher started there. */
static int wait_until_core_busy(unsigned c)
{
	for (unsigned i = 0; i < SPINS; i++) {
		struct mem_cpu_stats cs;
		CHECK_OK(mem_cpu_stats(ms, c, &cs));
		if (cs.kernel[KCPU_SWITCHES] &&
		    (cs.kernel[KCPU_RUNNING] || cs.kernel[KCPU_THREADS_QUEUED]))
			return 0;
		mica_yield();
	}
	return failf("core %u never ran the crasher", c);
}

/* A crasher that yields for good on core `c`, ended by MEMSRV_KILL or MEMSRV_AS_DESTROY. */
static int end_running_crasher(unsigned c, bool destroy)
{
	struct mem_proc_info info;
	unsigned pid;
	uint64_t w;
	CHECK_OK(mem_spawn(ms, "crasher", 0, CRASH_ARG(CRASH_WAIT, 0, 0), MEMSRV_CORE(c), 0, &pid));
	CHECK_OK(mem_proc_info(ms, pid, &info));
	CHECK_EQ(info.core, c);
	if (c != 0)
		CHECK_OK(wait_until_core_busy(c));
	CHECK_OK(destroy ? mem_as_destroy(ms, pid) : mem_kill(ms, pid));
	CHECK_OK(mem_wait(ms, pid, &w));
	CHECK_EQ(MEMSRV_PS_STATE(w), MEMSRV_PS_KILLED);
	CHECK_OK(mem_proc_info(ms, pid, &info));
	CHECK_EQ(info.core, MEMSRV_CORE_NONE);
	return 0;
}

int test_kill_and_destroy_of_processes_running_on_other_cores(void)
{
	unsigned online;
	uint64_t before[3];
	CHECK_OK(online_cores(&online));
	CHECK_OK(snapshot(before));
	for (unsigned round = 0; round < 4; round++)
		for (unsigned c = 0; c < online; c++)
			CHECK_OK(end_running_crasher(c, (round + c) % 2 == 1));
	return same_snapshot(before);
}

static volatile unsigned thread_core[MEMSRV_THREADS_MAX + 1];
static volatile int threads_go;

/* Records the core it runs on, waits until memtest lets it go. */
static int report_core(void *arg)
{
	unsigned tid = (unsigned)(uintptr_t)arg;
	thread_core[tid] = mica_debug_cpu(NULL) + 1;
	while (!threads_go)
		mica_yield();
	return (int)tid;
}

int test_threads_run_on_the_cores_they_ask_for(void)
{
	unsigned online, n, tid[MEMSRV_THREADS_MAX], state = 0;
	uint64_t before[3];
	int code;
	CHECK_OK(online_cores(&online));
	CHECK_OK(snapshot(before));
	n = online < 2 ? 2 : online;
	threads_go = 0;
	for (unsigned i = 0; i < n; i++) {
		thread_core[i + 1] = 0;
		CHECK_OK(mem_thread_create_flags(ms, report_core, (void *)(uintptr_t)(i + 1), 0,
						 MEMSRV_CORE(i % online), &tid[i]));
		CHECK_EQ(tid[i], i + 1); /* memtest runs no other thread now */
	}
	struct mem_proc_info info;
	CHECK_OK(mem_proc_info(ms, self_id(), &info));
	CHECK_EQ(info.core, 0);
	for (unsigned i = 0; i < n; i++) {
		CHECK_EQ(info.thread_core[i], i % online);
		for (unsigned s = 0; s < SPINS && !thread_core[i + 1]; s++)
			mica_yield();
		CHECK_EQ(thread_core[i + 1], i % online + 1); /* SYS_DEBUG_CPU agrees */
	}
	threads_go = 1;
	for (unsigned i = 0; i < n; i++) {
		for (unsigned s = 0; s < SPINS && state != MEMSRV_THREAD_EXITED; s++) {
			CHECK_OK(mem_thread_info(ms, tid[i], &state, &code));
			if (state != MEMSRV_THREAD_EXITED)
				mica_yield();
		}
		CHECK_EQ(state, MEMSRV_THREAD_EXITED);
		CHECK_EQ(code, (int)tid[i]);
		state = 0;
	}
	CHECK_OK(mem_proc_info(ms, self_id(), &info));
	for (unsigned i = 0; i < MEMSRV_THREADS_MAX; i++)
		CHECK_EQ(info.thread_core[i], MEMSRV_CORE_NONE);
	return same_snapshot(before);
}

int test_core_requests_out_of_range_change_nothing(void)
{
	unsigned online, pid, tid;
	uint64_t before[3], created;
	struct mem_global_stats g;
	struct mem_cpu_stats cs;
	const char *const argv[] = { "argtest" };
	CHECK_OK(online_cores(&online));
	CHECK_OK(snapshot(before));
	CHECK_OK(mem_global_stats(ms, &g));
	created = g.memsrv[MEMSRV_GSTAT_AS_CREATED];
	CHECK_ERR(mem_spawn(ms, "crasher", 0, 0, MEMSRV_CORE(online), 0, &pid), E_RANGE);
	CHECK_ERR(mem_spawn(ms, "crasher", 0, 0, MEMSRV_CORE(255), 0, &pid), E_RANGE);
	CHECK_ERR(mem_spawn_argv(ms, 0, MEMSRV_CORE(online), 0, 1, argv, &pid), E_RANGE);
	CHECK_ERR(mem_spawn(ms, "crasher", 0, 0, 1u << 16, 0, &pid), E_INVAL);
	CHECK_ERR(mem_thread_create_flags(ms, report_core, NULL, 0, MEMSRV_CORE(online), &tid),
		  E_RANGE);
	CHECK_ERR(mem_thread_create_flags(ms, report_core, NULL, 0, 1u << 16, &tid), E_INVAL);
	CHECK_ERR(mem_cpu_stats(ms, online, &cs), E_RANGE);
	CHECK_OK(mem_cpu_stats(ms, online - 1, &cs));
	CHECK_OK(mem_global_stats(ms, &g));
	CHECK_EQ(g.memsrv[MEMSRV_GSTAT_AS_CREATED], created); /* not even an id was used */
	return same_snapshot(before);
}
