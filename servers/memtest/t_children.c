/*
 * Tests of children: MEMSRV_SPAWN_ARGV (main(argc, argv)) and MEMSRV_WAIT. argtest
 * (servers/argtest) exits with a digest of its arguments. A child spawned below memtest's
 * priority runs only while memtest waits, so those waits take the deferred path (the reply
 * comes when the child ends); one spawned above has ended before the wait (immediate).
 */
#include <string.h>

#include "memtest.h"

#define BELOW_PRIO 50

/* argtest's exit code for these arguments (servers/argtest/main.c). */
static uint32_t digest(int argc, const char *const *argv)
{
	unsigned length = 0, sum = 0;
	for (int i = 0; i < argc; i++)
		for (const char *s = argv[i]; *s; s++) {
			length++;
			sum += (unsigned char)*s;
		}
	return (uint32_t)((argc & 0xff) | (length & 0xff) << 8 | (sum & 0xff) << 16);
}

/* Live address spaces and processes, which a refused spawn must leave as they were. */
static int counts(uint64_t *live, uint64_t *procs)
{
	struct mem_global_stats g;
	CHECK_OK(mem_global_stats(ms, &g));
	*live = g.memsrv[MEMSRV_GSTAT_AS_LIVE];
	*procs = g.memsrv[MEMSRV_GSTAT_PROCESSES];
	return 0;
}

int test_spawn_argv_gives_main_its_arguments(void)
{
	static const char *const argv[] = { "argtest", "put", "", "a key with spaces", "~" };
	unsigned pid;
	uint64_t state;
	CHECK_OK(mem_spawn_argv(ms, BELOW_PRIO, BESIDE_MEMSRV, 0, 5, argv, &pid));
	CHECK_OK(mem_wait(ms, pid, &state)); /* deferred: argtest runs while memtest waits */
	CHECK_EQ(MEMSRV_PS_STATE(state), MEMSRV_PS_EXITED);
	CHECK_EQ((uint32_t)MEMSRV_PS_EXIT_CODE(state), digest(5, argv));
	CHECK_EQ(ps_state(pid), state);
	return 0;
}

int test_wait_after_the_child_ended(void)
{
	static const char *const argv[] = { "argtest" };
	unsigned pid;
	uint64_t state;
	CHECK_OK(mem_spawn_argv(ms, CRASHER_PRIO, BESIDE_MEMSRV, 0, 1, argv, &pid));
	CHECK_EQ(MEMSRV_PS_STATE(ps_state(pid)), MEMSRV_PS_EXITED); /* before the wait */
	CHECK_OK(mem_wait(ms, pid, &state));
	CHECK_EQ((uint32_t)MEMSRV_PS_EXIT_CODE(state), digest(1, argv));
	CHECK_OK(mem_wait(ms, pid, &state)); /* the record stays: waiting again works */
	return 0;
}

int test_wait_reports_a_killed_child(void)
{
	unsigned pid;
	uint64_t state;
	CHECK_OK(spawn_crasher(CRASH_ARG(CRASH_UNMAPPED, 0, 0), BELOW_PRIO, 0, &pid));
	CHECK_OK(mem_wait(ms, pid, &state));
	CHECK_EQ(MEMSRV_PS_STATE(state), MEMSRV_PS_KILLED);
	CHECK_EQ(MEMSRV_PS_KILL_STAT(state), MEMSRV_STAT_FAULTS_UNMAPPED);
	return 0;
}

int test_wait_malformed_requests(void)
{
	uint64_t state, a[2] = { 0, 0 };
	CHECK_ERR(mem_wait(ms, 0, &state), E_INVAL);
	CHECK_ERR(mem_wait(ms, 65536, &state), E_RANGE);
	CHECK_ERR(mem_wait(ms, 1000, &state), E_INVAL);       /* no such process */
	CHECK_ERR(mem_wait(ms, self_id(), &state), E_RIGHTS); /* not memtest's child */
	CHECK_ERR(mem_request(ms, MEMSRV_WAIT, a, 0, NULL, 0, NULL), E_MSGSIZE);
	CHECK_ERR(mem_request(ms, MEMSRV_WAIT, a, 2, NULL, 0, NULL), E_MSGSIZE);
	return 0;
}

int test_held_child_runs_only_once_started(void)
{
	static const char *const argv[] = { "argtest", "held" };
	unsigned pid;
	uint64_t state;
	/* Above memtest's priority on its core: once it may run, it runs to its end at once. */
	CHECK_OK(
	    mem_spawn_argv(ms, CRASHER_PRIO, BESIDE_MEMSRV | MEMSRV_SPAWN_HELD, 0, 2, argv, &pid));
	for (int i = 0; i < 100; i++)
		mica_yield();
	CHECK_EQ(MEMSRV_PS_STATE(ps_state(pid)), MEMSRV_PS_RUNNING); /* made, not started */
	CHECK_OK(mem_start(ms, pid));
	CHECK_EQ(MEMSRV_PS_STATE(ps_state(pid)), MEMSRV_PS_EXITED); /* it ran at once */
	CHECK_ERR(mem_start(ms, pid), E_STATE);                     /* ended */
	CHECK_OK(mem_wait(ms, pid, &state));
	CHECK_EQ((uint32_t)MEMSRV_PS_EXIT_CODE(state), digest(2, argv));
	return 0;
}

int test_start_refuses_what_is_not_a_held_child(void)
{
	static const char *const argv[] = { "argtest" };
	unsigned pid;
	uint64_t state, a[2] = { 0, 0 };
	CHECK_ERR(mem_start(ms, 0), E_INVAL);
	CHECK_ERR(mem_start(ms, 65536), E_RANGE);
	CHECK_ERR(mem_start(ms, self_id()), E_RIGHTS); /* not memtest's child */
	CHECK_ERR(mem_request(ms, MEMSRV_START, a, 0, NULL, 0, NULL), E_MSGSIZE);
	CHECK_ERR(mem_request(ms, MEMSRV_START, a, 2, NULL, 0, NULL), E_MSGSIZE);
	/* Spawned without the flag: it is running already. */
	CHECK_OK(mem_spawn_argv(ms, BELOW_PRIO, BESIDE_MEMSRV, 0, 1, argv, &pid));
	CHECK_ERR(mem_start(ms, pid), E_STATE);
	CHECK_OK(mem_wait(ms, pid, &state));
	/* A held child can be killed before it ever ran. */
	CHECK_OK(
	    mem_spawn_argv(ms, BELOW_PRIO, BESIDE_MEMSRV | MEMSRV_SPAWN_HELD, 0, 1, argv, &pid));
	CHECK_OK(mem_kill(ms, pid));
	CHECK_OK(mem_wait(ms, pid, &state));
	CHECK_EQ(MEMSRV_PS_STATE(state), MEMSRV_PS_KILLED);
	CHECK_ERR(mem_start(ms, pid), E_STATE);
	return 0;
}

/*
 * A held child whose parent ends without starting it would never run, and nobody else may
 * start it: memsrv kills it when the parent ends (counted as killed), and every frame of
 * both comes back.
 */
int test_held_child_of_an_ended_parent_is_killed(void)
{
	struct mem_global_stats g0, g1;
	unsigned pid;
	uint64_t state;
	CHECK_OK(mem_global_stats(ms, &g0));
	CHECK_OK(mem_spawn(ms, "crasher", CRASHER_PRIO, CRASH_ARG(CRASH_HELD_ORPHAN, 0, 0),
			   BESIDE_MEMSRV | MEMSRV_SPAWN_CONTROL, 0, &pid));
	CHECK_OK(mem_wait(ms, pid, &state));
	CHECK_EQ(MEMSRV_PS_STATE(state), MEMSRV_PS_EXITED);
	unsigned orphan = (unsigned)MEMSRV_PS_EXIT_CODE(state);
	CHECK(orphan != 0 && orphan != pid);
	CHECK_EQ(MEMSRV_PS_STATE(ps_state(orphan)), MEMSRV_PS_KILLED);
	CHECK_ERR(mem_start(ms, orphan), E_RIGHTS); /* not memtest's child either */
	CHECK_OK(mem_global_stats(ms, &g1));
	CHECK_EQ(g1.memsrv[MEMSRV_GSTAT_KILLED], g0.memsrv[MEMSRV_GSTAT_KILLED] + 1);
	CHECK_EQ(g1.memsrv[MEMSRV_GSTAT_PROCESSES], g0.memsrv[MEMSRV_GSTAT_PROCESSES]);
	CHECK_EQ(g1.memsrv[MEMSRV_GSTAT_FREE_FRAMES], g0.memsrv[MEMSRV_GSTAT_FREE_FRAMES]);
	return 0;
}

/* MEMSRV_SPAWN_ARGV with argc and `n` raw bytes of strings; must be refused with `want`. */
static int refused(uint64_t prio, uint64_t flags, uint64_t argc, const char *bytes, size_t n,
		   int want)
{
	uint64_t a[MEMSRV_ARGV_WORD + MEMSRV_ARGV_BYTES / 8 + 1] = { prio, flags, 0, argc };
	uint64_t live, procs, live2, procs2;
	memcpy(&a[MEMSRV_ARGV_WORD], bytes, n);
	CHECK_OK(counts(&live, &procs));
	unsigned words = MEMSRV_ARGV_WORD + (unsigned)((n + 7) / 8);
	CHECK_ERR(mem_request(ms, MEMSRV_SPAWN_ARGV, a, words, NULL, 0, NULL), want);
	CHECK_OK(counts(&live2, &procs2));
	CHECK_EQ(live2, live);
	CHECK_EQ(procs2, procs);
	return 0;
}

int test_spawn_argv_malformed_requests_change_nothing(void)
{
	static char big[MEMSRV_ARGV_BYTES + 8];
	uint64_t a[MEMSRV_ARGV_WORD + MEMSRV_ARGV_BYTES / 8 + 1] = { 0, 0, 0, 1 };
	CHECK_OK(refused(0, 0, 0, "argtest", 8, E_INVAL));                   /* argc 0 */
	CHECK_OK(refused(0, 0, MEMSRV_ARGC_MAX + 1, "argtest", 8, E_RANGE)); /* argc 17 */
	CHECK_OK(refused(0, 0, 2, "argtest\0abcdefgh", 16, E_INVAL));        /* unterminated */
	CHECK_OK(refused(0, 0, 4, "argtest\0abcdef", 16, E_INVAL));          /* 3 of 4 strings */
	CHECK_OK(refused(0, 0, 2, "argtest\0a\tb", 12, E_INVAL));            /* a tab */
	CHECK_OK(refused(0, 0, 1, "argtest\0junk", 13, E_INVAL));            /* trailing bytes */
	CHECK_OK(refused(0, 0, 1, "no.such.program", 16, E_INVAL));
	CHECK_OK(refused(0, 0, 1, "notelf", 7, E_TYPE));                  /* not an ELF file */
	CHECK_OK(refused(255, 0, 1, "argtest", 8, E_RANGE));              /* priority */
	CHECK_OK(refused(0, 8, 1, "argtest", 8, E_INVAL));                /* unknown flag */
	CHECK_OK(refused(0, MEMSRV_CORE(200), 1, "argtest", 8, E_RANGE)); /* no such core */
	memset(big, 'x', sizeof(big) - 1);
	CHECK_ERR(mem_request(ms, MEMSRV_SPAWN_ARGV, a, MEMSRV_ARGV_WORD, NULL, 0, NULL),
		  E_MSGSIZE); /* no strings */
	CHECK_ERR(mem_request(ms, MEMSRV_SPAWN_ARGV, a,
			      MEMSRV_ARGV_WORD + MEMSRV_ARGV_BYTES / 8 + 1, NULL, 0, NULL),
		  E_MSGSIZE); /* more than 512 bytes */
	const char *const long_argv[] = { "argtest", big };
	unsigned pid;
	CHECK_ERR(mem_spawn_argv(ms, 0, 0, 0, 2, long_argv, &pid), E_INVAL); /* client side */
	return 0;
}
