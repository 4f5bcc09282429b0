/*
 * Processes and statistics: ps, spawn, kill, audit, stats, kstat, seed, and the commands that
 * run a program and wait for it (test: memtest, bench: membench), status and reset.
 */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "shell.h"
#include "term.h"
#include "view.h"

#define PS_BATCH 25

/* The state of a MEMSRV_PS state word in words. */
static const char *state_name(uint64_t state)
{
	switch (MEMSRV_PS_STATE(state)) {
	case MEMSRV_PS_RUNNING:
		return "running";
	case MEMSRV_PS_EXITED:
		return "exited";
	case MEMSRV_PS_KILLED:
		return "killed";
	default:
		return "?";
	}
}

/* The line under a process's row naming the cores of its other threads (none: no line). */
static void ps_threads(const struct mem_proc_info *info)
{
	const char *sep = "";
	for (unsigned i = 0; i < MEMSRV_THREADS_MAX; i++) {
		if (info->thread_core[i] == MEMSRV_CORE_NONE)
			continue;
		if (!*sep)
			term_printf("%19s threads:", "");
		term_printf("%s %u on core %u", sep, i + 1, info->thread_core[i]);
		sep = ",";
	}
	if (*sep)
		term_printf("\n");
}

/* One row of `ps`. */
static void ps_row(const struct mem_proc *p)
{
	struct mem_proc_info info;
	if (mem_proc_info(shell.ms, p->id, &info))
		memcpy(info.name, "?", 2);
	char core[8] = "-";
	if (info.core != MEMSRV_CORE_NONE)
		snprintf(core, sizeof(core), "%u", info.core);
	term_printf("%4u  %-8s %4s %6lu %9lu  %s", p->id, state_name(p->state), core,
		    (unsigned long)p->faults, (unsigned long)p->resident, info.name);
	if (p->id == shell.self)
		term_printf(" (this shell)");
	if (MEMSRV_PS_STATE(p->state) == MEMSRV_PS_EXITED)
		term_printf(" (code %d)", MEMSRV_PS_EXIT_CODE(p->state));
	else if (MEMSRV_PS_KILL_STAT(p->state))
		term_printf(" (%s at %#lx)", view_fault_kill(MEMSRV_PS_KILL_STAT(p->state)),
			    (unsigned long)info.fault_addr);
	term_printf("\n");
	ps_threads(&info);
}

int cmd_ps(int argc, char **argv)
{
	struct mem_proc p[PS_BATCH];
	unsigned n, first = 1, running = 0, ended = 0;
	bool all = argc == 2 && strcmp(argv[1], "all") == 0;
	if (argc != 1 && !all)
		return shell_usage("ps", "the only argument ps takes is 'all'");
	term_printf(" PID  STATE    CORE FAULTS  RESIDENT  NAME\n");
	do {
		int err = mem_ps(shell.ms, first, p, PS_BATCH, &n);
		if (err)
			return shell_mem_error("ps", err);
		for (unsigned i = 0; i < n; i++) {
			bool live = MEMSRV_PS_STATE(p[i].state) == MEMSRV_PS_RUNNING;
			if (live || all)
				ps_row(&p[i]);
			running += live;
			ended += !live;
		}
		first = n ? p[n - 1].id + 1 : first;
	} while (n == PS_BATCH);
	if (!all && ended)
		term_printf("(%u ended process%s not shown: ps all lists them)\n", ended,
			    ended == 1 ? "" : "es");
	term_printf("threads: a first thread per running process (%u), each process up to %u more",
		    running, MEMSRV_THREADS_MAX);
	if (shell.probe_as)
		term_printf(", and memsrv's probe in address space %u", shell.probe_as);
	term_printf("\nmemsrv and its probe run on core 0\n");
	return 0;
}

/* Says why a spawn with MEMSRV_CORE in `flags` got E_RANGE: that core is not online. */
static void core_not_online(unsigned flags)
{
	struct mem_global_stats g;
	unsigned online =
	    mem_global_stats(shell.ms, &g) ? 0 : (unsigned)g.kernel[KSTAT_CPUS_ONLINE];
	shell_fail("spawn --core %u: no such core online (cores 0..%u)", MEMSRV_CORE_OF(flags),
		   online ? online - 1 : 0);
}

/* Starts `name`; returns its id or 0 after printing the error. */
static unsigned start(const char *name, uint64_t arg, unsigned flags)
{
	unsigned pid;
	int err = mem_spawn(shell.ms, name, 0, arg, flags | MEMSRV_SPAWN_HELD, 0, &pid);
	if (err == E_INVAL)
		shell_fail("spawn %.32s: no such program in the boot archive", name);
	else if (err == E_RANGE && (flags & MEMSRV_ON_CORE))
		core_not_online(flags);
	else if (err)
		shell_mem_error("spawn", err);
	if (err)
		return 0;
	shell_created_add(pid);
	return pid;
}

/*
 * Lets process `pid`, which start or start_with_words made held, run. They spawn held so
 * that the shell's line about it ("started ... as process N") is out before the process,
 * perhaps on another core, prints anything. Returns 0, or -1 (it was killed) with the error.
 */
static int go(unsigned pid, const char *name)
{
	int err = mem_start(shell.ms, pid);
	if (!err)
		return 0;
	mem_kill(shell.ms, pid);
	shell_untrack(pid);
	shell_created_remove(pid);
	return shell_fail("spawn %.32s: process %u could not be started: %s", name, pid,
			  mica_strerror(err));
}

/* Why program `name` cannot run as a process under memsrv, or NULL if it can. */
static const char *not_spawnable(const char *name)
{
	static const char *const root_only[] = { "memsrv", "hello", "ktest", "kbench" };
	for (unsigned i = 0; i < sizeof(root_only) / sizeof(root_only[0]); i++) {
		if (strcmp(name, root_only[i]) == 0)
			return "runs only as the root task (boot with init=NAME)";
	}
	if (strcmp(name, "probe") == 0)
		return "is memsrv's probe (use as switch)";
	if (strcmp(name, "shell") == 0)
		return "is the console's (there is one UART)";
	return NULL;
}

/* What `ls` says about a program of the archive besides its size ("" if spawn starts it). */
static const char *ls_note(const struct mem_program *p)
{
	if (p->kind != MEMSRV_FILE_PROGRAM)
		return "not a program";
	const char *refused = not_spawnable(p->name);
	return refused ? refused : "";
}

/* Lists the boot archive. */
static int list_archive(void)
{
	struct mem_program p;
	unsigned n = 0;
	int err;
	term_printf("boot archive:\n  %-16s %9s  %s\n", "NAME", "BYTES", "NOTE");
	while ((err = mem_program(shell.ms, n, &p)) == E_OK) {
		term_printf("  %-16s %9lu  %s\n", p.name, (unsigned long)p.size, ls_note(&p));
		n++;
	}
	if (err != E_RANGE)
		return shell_mem_error("ls", err);
	term_printf("%u file%s; spawn NAME starts a program without a note\n", n,
		    n == 1 ? "" : "s");
	return 0;
}

int cmd_ls(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return shell_usage("ls", "ls takes no arguments");
	return list_archive();
}

/*
 * `spawn PROG -- WORD...` or `spawn PROG WORD...` with a word that is neither a number nor
 * `control`: PROG gets main(argc, argv) with argv = PROG, WORD... Returns its id or 0.
 */
static unsigned start_with_words(int argc, char **argv, unsigned flags)
{
	const char *words[MEMSRV_ARGC_MAX];
	int n = 0;
	for (int i = 1; i < argc; i++) {
		if (i == 2 && strcmp(argv[i], "--") == 0)
			continue;
		if (n == MEMSRV_ARGC_MAX) {
			shell_usage("spawn", "at most 15 arguments");
			return 0;
		}
		words[n++] = argv[i];
	}
	unsigned pid;
	int err = mem_spawn_argv(shell.ms, 0, flags | MEMSRV_SPAWN_HELD, 0, n, words, &pid);
	if (err == E_INVAL)
		shell_fail("spawn %.32s: no such program, or arguments too long or not printable",
			   argv[1]);
	else if (err == E_RANGE && (flags & MEMSRV_ON_CORE))
		core_not_online(flags);
	else if (err)
		shell_mem_error("spawn", err);
	if (err)
		return 0;
	shell_created_add(pid);
	return pid;
}

/* Whether the words after PROG are string arguments rather than [ARG] [control]. */
static bool string_words(int argc, char **argv)
{
	char why[ARGS_WHY_MAX];
	uint64_t n;
	for (int i = 2; i < argc; i++)
		if (strcmp(argv[i], "--") == 0 ||
		    (strcmp(argv[i], "control") != 0 &&
		     args_number("ARG", argv[i], &n, why, sizeof(why))))
			return true;
	return false;
}

/*
 * `spawn --core N ...`: sets MEMSRV_CORE(N) in *flags and drops the two words from argv.
 * Returns 0, or -1 after the usage message.
 */
static int core_option(int *argc, char ***argv, unsigned *flags)
{
	char why[ARGS_WHY_MAX];
	uint64_t core;
	if (*argc < 2 || strcmp((*argv)[1], "--core") != 0)
		return 0;
	if (*argc < 4)
		return shell_usage("spawn", "expected --core N PROG [ARGS]");
	if (args_number("N", (*argv)[2], &core, why, sizeof(why)))
		return shell_usage("spawn", why);
	if (core > 0xff)
		return shell_fail("spawn --core %lu: no such core (at most 8 cores)",
				  (unsigned long)core);
	*flags = MEMSRV_CORE(core);
	(*argv)[2] = (*argv)[0]; /* argv[0] stays "spawn" */
	*argv += 2;
	*argc -= 2;
	return 0;
}

int cmd_spawn(int argc, char **argv)
{
	char why[ARGS_WHY_MAX];
	uint64_t arg = 0;
	unsigned flags = 0;
	if (argc == 1)
		return list_archive();
	if (core_option(&argc, &argv, &flags))
		return -1;
	const char *refused = not_spawnable(argv[1]);
	if (refused)
		return shell_fail("spawn %s: %s", argv[1], refused);
	if (string_words(argc, argv)) {
		unsigned pid = start_with_words(argc, argv, flags);
		if (!pid)
			return -1;
		shell_track(pid, argv[1]);
		term_printf("started %s as process %u\n", argv[1], pid);
		return go(pid, argv[1]);
	}
	if (argc > 4)
		return shell_usage("spawn", "expected PROG [ARG] [control], or PROG -- WORDS");
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "control") == 0)
			flags |= MEMSRV_SPAWN_CONTROL;
		else if (args_number("ARG", argv[i], &arg, why, sizeof(why)))
			return shell_usage("spawn", why);
	}
	unsigned pid = start(argv[1], arg, flags);
	if (!pid)
		return -1;
	shell_track(pid, argv[1]);
	term_printf("started %s as process %u\n", argv[1], pid);
	return go(pid, argv[1]);
}

int cmd_kill(int argc, char **argv)
{
	char why[ARGS_WHY_MAX];
	unsigned pid;
	if (argc != 2)
		return shell_usage("kill", "expected a process id");
	if (args_as_id(argv[1], &pid, why, sizeof(why)))
		return shell_usage("kill", why);
	if (pid == shell.self)
		return shell_fail("kill %u: that is the shell itself", pid);
	int err = mem_kill(shell.ms, pid);
	if (err == E_INVAL)
		return shell_fail("kill %u: no such running process", pid);
	if (err)
		return shell_mem_error("kill", err);
	shell_untrack(pid);
	shell_created_remove(pid);
	if (shell.probe_as == pid)
		shell.probe_as = 0;
	term_printf("killed process %u\n", pid);
	return 0;
}

int cmd_audit(int argc, char **argv)
{
	uint64_t checked, violations;
	unsigned as;
	if (argc > 2)
		return shell_usage("audit", "audit takes at most one address-space ID");
	if (shell_as_arg(argc, argv, &as))
		return -1;
	int err = mem_audit(shell.ms, as, &checked, &violations);
	if (err)
		return shell_as_error("audit", as, err);
	term_printf("audit of address space %u: %lu mappings checked, %lu violations%s\n", as,
		    (unsigned long)checked, (unsigned long)violations,
		    violations ? " (see memsrv's lines above)" : " (the tables agree)");
	return violations ? -1 : 0;
}

/* Prints one statistic. */
static void stat_line(const char *name, uint64_t value)
{
	term_printf("  %-22s %lu\n", name, (unsigned long)value);
}

/* `stats ID`: one address space. */
static int stats_of(unsigned as)
{
	static const char *const names[MEMSRV_STAT_COUNT] = {
		"vmas",         "virtual bytes", "resident pages",    "table pages",
		"faults lazy",  "faults guard",  "faults unmapped",   "faults permission",
		"asid",         "hardware asid", "asid generation",   "quota pages",
		"faults quota", "faults other",  "tlb invalidations", "mapped pages",
		"id",
	};
	uint64_t s[MEMSRV_STAT_COUNT];
	int err = mem_stats(shell.ms, as, s);
	if (err)
		return shell_as_error("stats", as, err);
	term_printf("address space %u:\n", as);
	for (unsigned i = 0; i < MEMSRV_STAT_COUNT; i++)
		stat_line(names[i], s[i]);
	return 0;
}

int cmd_stats(int argc, char **argv)
{
	static const char *const names[MEMSRV_GSTAT_COUNT] = {
		"total frames",   "free frames",   "used frames",        "table pages",
		"address spaces", "created",       "processes",          "aslr bits",
		"killed",         "pooled frames", "address spaces max", "chunks recycled",
		"fresh frames",
	};
	struct mem_global_stats g;
	unsigned as;
	if (argc > 2)
		return shell_usage("stats", "stats takes at most one ID");
	if (argc == 2)
		return shell_as_arg(argc, argv, &as) ? -1 : stats_of(as);
	int err = mem_global_stats(shell.ms, &g);
	if (err)
		return shell_mem_error("stats", err);
	term_printf("memsrv:\n");
	for (unsigned i = 0; i < MEMSRV_GSTAT_COUNT; i++)
		stat_line(names[i], g.memsrv[i]);
	return 0;
}

/* One kernel counter: release kernels do not keep some (KSTAT_NOT_COUNTED). */
static void kstat_line(const char *name, uint64_t value)
{
	if (value == KSTAT_NOT_COUNTED)
		term_printf("  %-22s not counted (release kernel)\n", name);
	else
		stat_line(name, value);
}

/* kstat's per-core table (KERNEL_INFO_CPU_STATS through memsrv). */
static int kstat_cores(unsigned online)
{
	bool uncounted = false;
	term_printf(
	    "per core (TLBI: invalidations the core issued, WAITS: its kernel entries that "
	    "waited\nfor the kernel lock; the counters above are the machine's):\n"
	    "  CORE    TICKS SWITCHES SGIS-IN STALLS    TLBI   WAITS RUNNING QUEUED PLACED\n");
	for (unsigned core = 0; core < online; core++) {
		struct mem_cpu_stats c;
		int err = mem_cpu_stats(shell.ms, core, &c);
		if (err)
			return shell_mem_error("kstat", err);
		char switches[24];
		if (c.kernel[KCPU_SWITCHES] == KSTAT_NOT_COUNTED) {
			snprintf(switches, sizeof switches, "-");
			uncounted = true;
		} else {
			snprintf(switches, sizeof switches, "%lu",
				 (unsigned long)c.kernel[KCPU_SWITCHES]);
		}
		term_printf(
		    "  %4u %8lu %8s %7lu %6lu %7lu %7lu %7lu %6lu %6lu\n", core,
		    (unsigned long)c.kernel[KCPU_TICKS], switches,
		    (unsigned long)c.kernel[KCPU_RESCHEDULE_SGIS],
		    (unsigned long)c.kernel[KCPU_STALLS], (unsigned long)c.kernel[KCPU_TLBI],
		    (unsigned long)c.kernel[KCPU_LOCK_WAITS], (unsigned long)c.kernel[KCPU_RUNNING],
		    (unsigned long)c.kernel[KCPU_THREADS_QUEUED], (unsigned long)c.placed);
	}
	if (uncounted)
		term_printf("  (SWITCHES -: not counted by a release kernel)\n");
	return 0;
}

int cmd_kstat(int argc, char **argv)
{
	static const char *const names[KSTAT_COUNT] = {
		"system calls", "ipc messages",   "context switches",   "address-space switches",
		"faults",       "interrupts",     "tlbi by va",         "tlbi by asid",
		"tlbi all",     "asid rollovers", "hardware asid bits", "cores online",
	};
	struct mem_global_stats g;
	(void)argv;
	if (argc != 1)
		return shell_usage("kstat", "kstat takes no arguments");
	int err = mem_global_stats(shell.ms, &g);
	if (err)
		return shell_mem_error("kstat", err);
	term_printf("kernel:\n");
	for (unsigned i = 0; i < KSTAT_COUNT; i++)
		kstat_line(names[i], g.kernel[i]);
	stat_line("uart interrupts (shell)", term_interrupts());
	return kstat_cores((unsigned)g.kernel[KSTAT_CPUS_ONLINE]);
}

int cmd_seed(int argc, char **argv)
{
	char why[ARGS_WHY_MAX];
	uint64_t seed;
	if (argc != 2)
		return shell_usage("seed", "expected a number");
	if (args_number("N", argv[1], &seed, why, sizeof(why)))
		return shell_usage("seed", why);
	int err = mem_seed(shell.ms, seed);
	if (err)
		return shell_mem_error("seed", err);
	term_printf("placement generator reseeded with %lu\n", (unsigned long)seed);
	return 0;
}

/*
 * Starts `name` with the control right and waits for it to end (Ctrl-C kills it). Returns
 * its exit code, or -1 if it could not start or was killed.
 */
static int run_and_wait(const char *name, unsigned core_flags)
{
	struct mem_proc_info info;
	unsigned pid = start(name, 0, MEMSRV_SPAWN_CONTROL | core_flags);
	if (!pid)
		return -1;
	term_printf("running %s as process %u (Ctrl-C stops it)...\n", name, pid);
	if (go(pid, name))
		return -1;
	for (;;) {
		int err = mem_proc_info(shell.ms, pid, &info);
		if (err)
			return shell_mem_error(name, err);
		if (MEMSRV_PS_STATE(info.state) != MEMSRV_PS_RUNNING)
			break;
		if (term_wait() && mem_kill(shell.ms, pid) == E_OK)
			term_printf("interrupted: killed %s\n", name);
	}
	shell_created_remove(pid);
	if (MEMSRV_PS_STATE(info.state) != MEMSRV_PS_EXITED)
		return shell_fail("%s (process %u) was killed", name, pid);
	return MEMSRV_PS_EXIT_CODE(info.state);
}

int shell_test(void)
{
	/* Beside memsrv: memtest's single-core tests rely on priorities on one core. */
	int code = run_and_wait("memtest", MEMSRV_CORE(0));
	if (code < 0)
		return -1;
	if (code)
		return shell_fail("user space test: memtest reports failures (the FAIL lines "
				  "above), exit code %d",
				  code);
	term_printf("user space test: every memtest test passed (the PASS lines above)\n");
	return 0;
}

int cmd_test(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return shell_usage("test", "test takes no arguments");
	return shell_test();
}

/* PMU event counter 0 counts retired instructions; it only moves under -icount. */
static uint64_t instructions(void)
{
	uint64_t v;
	__asm__ volatile("isb\n\tmrs %0, pmevcntr0_el0" : "=r"(v)::"memory");
	return v;
}

int cmd_bench(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return shell_usage("bench", "bench takes no arguments");
	uint64_t before = instructions();
	int code = run_and_wait("membench", MEMSRV_CORE(0)); /* beside memsrv, as scripts/bench */
	if (code < 0)
		return -1;
	if (code)
		return shell_fail("bench: membench failed (exit code %d)", code);
	if (instructions() == before)
		term_printf("bench: the instruction counter did not move: not running under "
			    "-icount, so every figure above reads 0. Boot with scripts/qemu "
			    "--icount for exact counts.\n");
	else
		term_printf("bench: instructions retired per operation (membench lines above); "
			    "exact only under -icount shift=0.\n");
	return 0;
}
