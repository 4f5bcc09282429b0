/*
 * The user-space menu of the seed system, opened by '|' at the start of a line or by `menu`:
 * 1 status, 2 create, 3 destroy, 4 switch (the probe), 5 VMA management (a sub-prompt),
 * 6 self-test (memtest), 7 initialise (destroy what the shell created, reset its counters).
 * Every entry does its work through the same functions as the named commands.
 */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "cmdline.h"
#include "lineedit.h"
#include "shell.h"
#include "term.h"

static const char *const entries[] = {
	"User space status",
	"Create address space",
	"Destroy address space",
	"Switch the probe to an address space",
	"VMA management",
	"User space test",
	"Initialise user space manager",
};

#define ENTRY_COUNT (sizeof(entries) / sizeof(entries[0]))

static void show_menu(void)
{
	term_printf("user space menu:\n");
	for (unsigned i = 0; i < ENTRY_COUNT; i++)
		term_printf("  %u  %s\n", i + 1, entries[i]);
	term_printf("  q  back to the shell (also Enter on an empty line, Ctrl-C)\n");
}

int shell_status(void)
{
	struct mem_global_stats g;
	int err = mem_global_stats(shell.ms, &g);
	if (err)
		return shell_mem_error("status", err);
	const uint64_t *m = g.memsrv;
	term_printf(
	    "frames: %lu total, %lu free, %lu used (%lu in page tables)\n",
	    (unsigned long)m[MEMSRV_GSTAT_TOTAL_FRAMES], (unsigned long)m[MEMSRV_GSTAT_FREE_FRAMES],
	    (unsigned long)m[MEMSRV_GSTAT_USED_FRAMES], (unsigned long)m[MEMSRV_GSTAT_TABLE_PAGES]);
	term_printf(
	    "address spaces: %lu live, %lu created since boot; processes: %lu running, "
	    "%lu killed\n",
	    (unsigned long)m[MEMSRV_GSTAT_AS_LIVE], (unsigned long)m[MEMSRV_GSTAT_AS_CREATED],
	    (unsigned long)m[MEMSRV_GSTAT_PROCESSES], (unsigned long)m[MEMSRV_GSTAT_KILLED]);
	term_printf("probe: %s", shell.probe_as ? "in address space " : "not attached");
	if (shell.probe_as)
		term_printf("%u", shell.probe_as);
	term_printf("; the shell created %u address space(s) still live\n", shell.ncreated);
	term_printf("shell counters: %lu commands, %lu errors, %lu peeks, %lu pokes, "
		    "%lu probe faults, %lu process reports\n",
		    (unsigned long)shell.count.commands, (unsigned long)shell.count.errors,
		    (unsigned long)shell.count.peeks, (unsigned long)shell.count.pokes,
		    (unsigned long)shell.count.probe_faults, (unsigned long)shell.count.reports);
	return shell_as_list();
}

int cmd_status(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return shell_usage("status", "status takes no arguments");
	return shell_status();
}

int shell_reset(void)
{
	unsigned destroyed = 0;
	if (shell.probe_as && shell.probe_as != shell.self)
		mem_probe_detach(shell.ms);
	shell.probe_as = 0;
	/* Invariant: created[ncreated..) are gone; every pass removes the last entry. */
	while (shell.ncreated) {
		unsigned as = shell.created[shell.ncreated - 1];
		shell.ncreated--;
		shell_untrack(as);
		destroyed += mem_as_destroy(shell.ms, as) == E_OK;
	}
	shell.ntracked = 0;
	memset(&shell.count, 0, sizeof(shell.count));
	term_printf("user space manager initialised: %u address space(s) destroyed, probe "
		    "detached, shell counters reset\n",
		    destroyed);
	return shell_status();
}

int cmd_reset(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return shell_usage("reset", "reset takes no arguments");
	return shell_reset();
}

/* Asks for an address-space id. Returns 0 and *as, or -1 (cancelled or bad). */
static int ask_id(const char *prompt, unsigned *as)
{
	char line[LINEEDIT_MAX], why[ARGS_WHY_MAX];
	char *argv[CMDLINE_MAX_ARGS + 1];
	if (term_readline(prompt, false, line, sizeof(line)) != LINEEDIT_LINE)
		return -1;
	int argc = cmdline_split(line, argv);
	if (argc != 1)
		return shell_fail("expected one address-space id");
	if (strcmp(argv[0], "self") == 0) {
		*as = shell.self;
		return 0;
	}
	if (args_as_id(argv[0], as, why, sizeof(why)))
		return shell_fail("%s", why);
	return 0;
}

/* Entry 5: a sub-prompt of VMA operations in one address space, which must exist. */
static void vma_session(void)
{
	char prompt[32], line[LINEEDIT_MAX];
	char *argv[CMDLINE_MAX_ARGS + 1];
	uint64_t s[MEMSRV_STAT_COUNT];
	unsigned as;
	if (ask_id("VMA management in address space: ", &as))
		return;
	int err = mem_stats(shell.ms, as, s);
	if (err) {
		shell_as_error("VMA management", as, err);
		return;
	}
	snprintf(prompt, sizeof(prompt), "vma %u> ", as);
	term_printf("commands: map ADDR|auto LEN PROT [anon|stack] [eager|lazy], unmap ADDR LEN,"
		    " protect ADDR LEN PROT, list, back\n");
	for (;;) {
		if (term_readline(prompt, false, line, sizeof(line)) != LINEEDIT_LINE)
			return;
		int argc = cmdline_split(line, argv);
		if (argc < 0) {
			shell_fail("%s", cmdline_strerror(argc));
			continue;
		}
		if (argc == 0 || strcmp(argv[0], "back") == 0 || strcmp(argv[0], "q") == 0)
			return;
		shell_vma_run(as, argc, argv);
	}
}

/* Runs menu entry `n` (1..7). */
static void run_entry(unsigned n)
{
	unsigned as;
	switch (n) {
	case 1:
		shell_status();
		break;
	case 2:
		shell_as_create(0);
		break;
	case 3:
		if (!ask_id("destroy address space: ", &as))
			shell_as_destroy(as);
		break;
	case 4:
		if (!ask_id("switch the probe to address space: ", &as))
			shell_as_switch(as);
		break;
	case 5:
		vma_session();
		break;
	case 6:
		shell_test();
		break;
	default:
		shell_reset();
		break;
	}
}

int cmd_menu(int argc, char **argv)
{
	char line[LINEEDIT_MAX];
	(void)argv;
	if (argc > 1)
		return shell_usage("menu", "menu takes no arguments");
	show_menu();
	for (;;) {
		if (term_readline("menu> ", false, line, sizeof(line)) != LINEEDIT_LINE)
			return 0;
		char *argv1[CMDLINE_MAX_ARGS + 1];
		int words = cmdline_split(line, argv1);
		if (words == 0 || (words == 1 && strcmp(argv1[0], "q") == 0))
			return 0;
		if (words == 1 && strlen(argv1[0]) == 1 && argv1[0][0] >= '1' &&
		    argv1[0][0] <= '0' + (int)ENTRY_COUNT) {
			term_printf("-- %s\n", entries[argv1[0][0] - '1']);
			run_entry((unsigned)(argv1[0][0] - '0'));
			continue;
		}
		if (words == 1 && (strcmp(argv1[0], "?") == 0 || strcmp(argv1[0], "h") == 0)) {
			show_menu();
			continue;
		}
		shell_fail("no menu entry '%.16s': type 1-%u, ? for the list, q to leave",
			   words > 0 ? argv1[0] : line, (unsigned)ENTRY_COUNT);
	}
}
