/*
 * Tests of threads (MEMSRV_THREAD_*). memtest's threads run at its own priority, so memtest
 * yields until they are done. Each test checks that the thread's stack and IPC buffer went
 * with it (VMAs and resident pages back where they were).
 */
#include <stddef.h>

#include "memtest.h"

#define SPINS 100000 /* yields before a thread is given up on */

static volatile uint64_t shared_word;
static volatile uint64_t seen_sp, seen_ipc;
static volatile int release_flag;

/* VMAs and resident pages of memtest. */
static int usage(uint64_t *vmas, uint64_t *resident)
{
	uint64_t s[MEMSRV_STAT_COUNT];
	CHECK_OK(mem_stats(ms, 0, s));
	*vmas = s[MEMSRV_STAT_VMAS];
	*resident = s[MEMSRV_STAT_RESIDENT_PAGES];
	return 0;
}

/* Yields until thread `tid` has ended; *code gets its exit code. */
static int join(unsigned tid, int *code)
{
	unsigned state = 0;
	for (unsigned i = 0; i < SPINS; i++) {
		CHECK_OK(mem_thread_info(ms, tid, &state, code));
		if (state == MEMSRV_THREAD_EXITED)
			return 0;
		mica_yield();
	}
	return failf("thread %u did not end", tid);
}

static int writer(void *arg)
{
	shared_word = (uint64_t)(uintptr_t)arg;
	return 7;
}

/* Reports where its stack and IPC buffer are, then waits until memtest lets it go. */
static int reporter(void *arg)
{
	volatile uint64_t local = 0;
	(void)arg;
	seen_sp = (uint64_t)(uintptr_t)&local;
	seen_ipc = (uint64_t)(uintptr_t)mica_ipc_buffer();
	while (!release_flag)
		mica_yield();
	return 0;
}

static int waiter(void *arg)
{
	(void)arg;
	while (!release_flag)
		mica_yield();
	return 1;
}

int test_thread_runs_in_the_same_address_space(void)
{
	uint64_t vmas, resident, vmas2, resident2;
	unsigned tid;
	int code = 0;
	CHECK_OK(usage(&vmas, &resident));
	shared_word = 0;
	CHECK_OK(mem_thread_create_flags(ms, writer, (void *)0x42, 0, BESIDE_MEMSRV, &tid));
	CHECK(tid >= 1 && tid <= MEMSRV_THREADS_MAX);
	CHECK_OK(join(tid, &code));
	CHECK_EQ(shared_word, 0x42); /* it wrote memtest's own memory */
	CHECK_EQ(code, 7);
	CHECK_OK(usage(&vmas2, &resident2));
	CHECK_EQ(vmas2, vmas);
	CHECK_EQ(resident2, resident);
	return 0;
}

int test_thread_has_its_own_stack_and_ipc_buffer(void)
{
	struct mem_vma v;
	unsigned tid;
	int code;
	release_flag = 0;
	seen_sp = seen_ipc = 0;
	CHECK_OK(mem_thread_create_flags(ms, reporter, NULL, 0, BESIDE_MEMSRV, &tid));
	for (unsigned i = 0; i < SPINS && !seen_ipc; i++)
		mica_yield();
	CHECK(seen_ipc != 0);
	CHECK(seen_ipc != (uint64_t)(uintptr_t)mica_ipc_buffer());
	CHECK_OK(mem_query(ms, 0, seen_sp, &v));
	CHECK_EQ(v.kind, MEMSRV_KIND_STACK);
	CHECK_EQ(v.length, 17 * PAGE); /* a guard page and 64 KiB */
	CHECK(seen_sp >= v.start + PAGE);
	CHECK_OK(mem_query(ms, 0, seen_ipc, &v));
	CHECK_EQ(v.flags & MEMSRV_VMA_PINNED, MEMSRV_VMA_PINNED);
	CHECK_ERR(mem_unmap(ms, 0, seen_ipc, PAGE), E_BUSY); /* pinned while it lives */
	release_flag = 1;
	CHECK_OK(join(tid, &code));
	CHECK_ERR(mem_query(ms, 0, seen_ipc, &v), E_NOTMAPPED); /* gone with it */
	CHECK_ERR(mem_query(ms, 0, seen_sp, &v), E_NOTMAPPED);
	return 0;
}

int test_thread_quota_exhaustion_is_an_error(void)
{
	uint64_t vmas, resident, vmas2, resident2;
	unsigned tids[MEMSRV_THREADS_MAX], extra;
	int code;
	release_flag = 0;
	CHECK_OK(usage(&vmas, &resident));
	for (unsigned i = 0; i < MEMSRV_THREADS_MAX; i++)
		CHECK_OK(mem_thread_create_flags(ms, waiter, NULL, 0, BESIDE_MEMSRV, &tids[i]));
	CHECK_ERR(mem_thread_create_flags(ms, waiter, NULL, 0, BESIDE_MEMSRV, &extra), E_NOMEM);
	CHECK_OK(usage(&vmas2, &resident2));
	CHECK_EQ(vmas2, vmas + 2 * MEMSRV_THREADS_MAX); /* the refused one left nothing */
	release_flag = 1;
	for (unsigned i = 0; i < MEMSRV_THREADS_MAX; i++) {
		CHECK_OK(join(tids[i], &code));
		CHECK_EQ(code, 1);
	}
	CHECK_OK(usage(&vmas2, &resident2));
	CHECK_EQ(vmas2, vmas);
	CHECK_EQ(resident2, resident);
	return 0;
}

int test_thread_malformed_requests_change_nothing(void)
{
	uint64_t vmas, resident, vmas2, resident2, a[6] = { 0 };
	unsigned state;
	int code;
	CHECK_OK(usage(&vmas, &resident));
	a[0] = (uint64_t)(uintptr_t)&shared_word; /* data, not code */
	CHECK_ERR(mem_request(ms, MEMSRV_THREAD_CREATE, a, 4, NULL, 0, NULL), E_INVAL);
	a[0] = 0;
	CHECK_ERR(mem_request(ms, MEMSRV_THREAD_CREATE, a, 4, NULL, 0, NULL), E_INVAL);
	a[0] = (uint64_t)(uintptr_t)writer + 2;
	CHECK_ERR(mem_request(ms, MEMSRV_THREAD_CREATE, a, 4, NULL, 0, NULL), E_ALIGN);
	CHECK_ERR(
	    mem_thread_create_flags(ms, writer, NULL, MEMTEST_PRIO + 1, BESIDE_MEMSRV, &state),
	    E_RANGE);
	CHECK_ERR(mem_request(ms, MEMSRV_THREAD_CREATE, a, 3, NULL, 0, NULL), E_MSGSIZE);
	CHECK_ERR(mem_request(ms, MEMSRV_THREAD_CREATE, a, 6, NULL, 0, NULL), E_MSGSIZE);
	a[0] = (uint64_t)(uintptr_t)writer;
	a[4] = 4; /* not a MEMSRV_CORE bit */
	CHECK_ERR(mem_request(ms, MEMSRV_THREAD_CREATE, a, 5, NULL, 0, NULL), E_INVAL);
	a[4] = MEMSRV_CORE(200); /* no such core */
	CHECK_ERR(mem_request(ms, MEMSRV_THREAD_CREATE, a, 5, NULL, 0, NULL), E_RANGE);
	CHECK_ERR(mem_thread_exit(ms, 0), E_INVAL); /* the first thread ends with MEMSRV_EXIT */
	CHECK_ERR(mem_thread_info(ms, 0, &state, &code), E_RANGE);
	CHECK_ERR(mem_thread_info(ms, MEMSRV_THREADS_MAX + 1, &state, &code), E_RANGE);
	CHECK_OK(usage(&vmas2, &resident2));
	CHECK_EQ(vmas2, vmas);
	CHECK_EQ(resident2, resident);
	return 0;
}
