/*
 * The command table, `help`, and dispatch. A command gets argv as cmdline_split made it;
 * anything wrong with the line (quotes, too many words, unknown command) is reported here.
 */
#include <stdarg.h>
#include <string.h>

#include "cmdline.h"
#include "shell.h"
#include "term.h"
#include "view.h"

static const struct shell_command commands[] = {
	{ "help", "[CMD]", "list the commands, or show how to use one", NULL, cmd_help },
	{ "as", "create [QUOTA] | destroy ID | list | switch ID|self",
	  "create, destroy and list address spaces; move the probe into one",
	  "  as create [QUOTA]  a new, empty address space (QUOTA pages, default 4096,\n"
	  "                     at most 2^24)\n"
	  "  as destroy ID      destroy it: every frame and table goes back to memsrv\n"
	  "  as list            every live address space\n"
	  "  as switch ID|self  move the probe thread into ID: peek and poke act there",
	  cmd_as },
	{ "peek", "ADDR", "read the 64-bit word at ADDR through the probe",
	  "  ADDR must be 8-byte aligned. The probe's load faults like any thread's: a lazy\n"
	  "  page is filled, anything else is reported with the pager's class (unmapped,\n"
	  "  guard, permission) and nothing is killed.",
	  cmd_peek },
	{ "poke", "ADDR VALUE", "write VALUE as the 64-bit word at ADDR through the probe", NULL,
	  cmd_poke },
	{ "vma", "map|unmap|protect|list ID ...",
	  "map, unmap and protect memory in an address space",
	  "  vma map ID ADDR|auto LEN PROT [anon|stack] [eager|lazy]\n"
	  "  vma unmap ID ADDR LEN\n"
	  "  vma protect ID ADDR LEN PROT\n"
	  "  vma list ID\n"
	  "  ADDR and LEN: decimal or 0x hex, K/M/G suffixes, whole 4 KiB pages.\n"
	  "  PROT: r, rw, rx (or r--, rw-, r-x); W and X together are refused (W^X).\n"
	  "  auto lets memsrv place the VMA at random (ASLR); lazy (the default) fills\n"
	  "  pages on first touch, eager at once; a stack has a guard page below it.",
	  cmd_vma },
	{ "maps", "[ID|self]", "list the VMAs of an address space",
	  "  One line per VMA: start-end rights kind resident/pages backing flags.\n"
	  "  Without an ID: the probe's address space (as switch), else the shell's own.",
	  cmd_maps },
	{ "map", "[ID|self]", "draw the layout of an address space as a text bar",
	  "  Without an ID: the probe's address space (as switch), else the shell's own.",
	  cmd_map },
	{ "stats", "[ID|self]", "memsrv's global statistics, or one address space's",
	  "  Without an ID: memsrv's global figures (frames, address spaces, processes).",
	  cmd_stats },
	{ "kstat", "", "the kernel's counters (switches, IPC, faults, TLB, ASIDs)", NULL,
	  cmd_kstat },
	{ "ps", "[all]", "running processes and threads (all: ended ones too)", NULL, cmd_ps },
	{ "spawn", "[PROG [ARG] [control]]", "start a program of the boot archive",
	  "  Without PROG: the boot archive's programs (as ls). ARG goes to the program in\n"
	  "  x1. control gives it memsrv's control right. When a started process ends, the\n"
	  "  shell says how. Root-task programs (memsrv, hello, ktest, kbench), the probe and\n"
	  "  the shell itself are refused.\n"
	  "  crasher's ARG picks what it does (bits 0-7: the mode):\n"
	  "    0 exit with the code in bits 32-63 (0x500000000: exit code 5)\n"
	  "    1 overflow its stack into the guard page     2 read an unmapped address\n"
	  "    3 write to read-only memory                  4 touch pages past its quota\n"
	  "    5 try to reach address space ID = bits 8-23 (0x105: space 1); every request\n"
	  "      must be refused (exit 0), else the exit code is the step that was not\n"
	  "    6 wait forever (until killed)                7 execute a data page\n"
	  "    8 execute an undefined instruction           9 touch 8 lazy pages, exit 0\n"
	  "   10 spawn a waiting crasher held, exit without starting it (needs control):\n"
	  "      memsrv kills the child as its parent ends",
	  cmd_spawn },
	{ "ls", "", "list the boot archive: programs spawn can start, and other files", NULL,
	  cmd_ls },
	{ "kill", "ID", "end a process", NULL, cmd_kill },
	{ "audit", "[ID|self]", "check an address space's VMAs against the kernel's tables",
	  "  Without an ID: the probe's address space (as switch), else the shell's own.",
	  cmd_audit },
	{ "bench", "", "run the in-guest benchmarks (membench): instruction counts",
	  "  Exact only under QEMU's -icount shift=0 (scripts/qemu --icount); without it the\n"
	  "  instruction counter does not count and every figure reads 0.",
	  cmd_bench },
	{ "test", "", "run the in-guest self-test suite (memtest), as menu entry 6", NULL,
	  cmd_test },
	{ "status", "", "user space status, as menu entry 1", NULL, cmd_status },
	{ "reset", "", "destroy what the shell created and reset its counters (menu entry 7)", NULL,
	  cmd_reset },
	{ "seed", "N", "reseed memsrv's placement generator (reproducible ASLR)", NULL, cmd_seed },
	{ "menu", "", "open the numbered user-space menu (also: '|' at the start of a line)", NULL,
	  cmd_menu },
};

#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))

/* The command called `name`, or NULL. */
static const struct shell_command *find(const char *name)
{
	for (unsigned i = 0; i < COMMAND_COUNT; i++) {
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	}
	return NULL;
}

int shell_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	term_printf("error: ");
	term_vprintf(fmt, ap);
	term_printf("\n");
	va_end(ap);
	shell.count.errors++;
	return -1;
}

int shell_mem_error(const char *what, int err)
{
	return shell_fail("%s: %s (%s)", what, mica_strerror(err), view_error(err));
}

int shell_as_error(const char *what, unsigned as, int err)
{
	uint64_t s[MEMSRV_STAT_COUNT];
	if (err == E_INVAL && mem_stats(shell.ms, as, s) == E_INVAL)
		return shell_fail("%s: no such address space %u (as list shows the live ones)",
				  what, as);
	return shell_mem_error(what, err);
}

int shell_unknown_sub(const char *name, const char *sub, const char *expected)
{
	shell_fail("unknown subcommand '%.32s' (expected %s)", sub, expected);
	term_printf("usage: %s %s\n", name, find(name)->usage);
	return -1;
}

int shell_usage(const char *name, const char *why)
{
	const struct shell_command *c = find(name);
	shell_fail("%s", why);
	if (c)
		term_printf("usage: %s %s\n", c->name, c->usage);
	return -1;
}

/* Prints one command's usage, summary and details. */
static void help_one(const struct shell_command *c)
{
	term_printf("usage: %s %s\n  %s\n", c->name, c->usage, c->summary);
	if (c->details)
		term_printf("%s\n", c->details);
}

int cmd_help(int argc, char **argv)
{
	if (argc > 2)
		return shell_usage("help", "help takes at most one command name");
	if (argc == 2) {
		const struct shell_command *c = find(argv[1]);
		if (!c)
			return shell_fail("no command '%.32s' (type help for the list)", argv[1]);
		help_one(c);
		return 0;
	}
	term_printf("commands (help CMD for usage):\n");
	for (unsigned i = 0; i < COMMAND_COUNT; i++)
		term_printf("  %-7s %s\n", commands[i].name, commands[i].summary);
	term_printf("keys: Up/Down history, Left/Right, Ctrl-A/Ctrl-E home/end, Ctrl-U erase, "
		    "Ctrl-C cancel; '|' opens the menu\n");
	term_printf("every command takes -h or --help; quit QEMU with Ctrl-] x\n");
	return 0;
}

int shell_run_line(char *line)
{
	char *argv[CMDLINE_MAX_ARGS + 1];
	int argc = cmdline_split(line, argv);
	if (argc == 0)
		return 0;
	if (argc < 0)
		return shell_fail("%s", cmdline_strerror(argc));
	const struct shell_command *c = find(argv[0]);
	if (!c)
		return shell_fail("unknown command '%.32s' (type help for the list)", argv[0]);
	shell.count.commands++;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			help_one(c);
			return 0;
		}
	}
	return c->fn(argc, argv);
}
