/*
 * The shell server: an interactive console over the serial line that drives memsrv over IPC
 * (docs/shell.md). This header is what the command files share: the shell's state, the
 * command table entry, and the helpers every command uses to report errors.
 *
 * Files: main.c (start, main loop, events), commands.c (table, help, dispatch), cmd_as.c
 * (address spaces, the probe: peek/poke), cmd_vma.c (VMAs, maps, map), cmd_proc.c
 * (processes, statistics, audit, test, bench, reset), menu.c (the '|' menu); term.c (the
 * terminal), serial.c (the PL011 driver), lineedit.c, cmdline.c, args.c, view.c (pure).
 */
#pragma once

#include <memsrv_client.h>
#include <mica/errors.h>
#include <stdbool.h>
#include <stdint.h>

#define SHELL_PROMPT      "mica> "
#define SHELL_TRACKED_MAX 32 /* running processes the shell started */
#define SHELL_CREATED_MAX 64 /* address spaces the shell created and has not destroyed */
#define SHELL_NAME_MAX    32

/* A process the shell started and reports on when it ends. */
struct shell_tracked {
	unsigned pid;
	char name[SHELL_NAME_MAX];
};

/* Counters the shell owns (`status`; menu 7 resets them). */
struct shell_counters {
	uint64_t commands, errors, peeks, pokes, probe_faults, reports;
};

struct shell {
	cptr_t ms;         /* memsrv (MEMSRV_SLOT_SELF) */
	unsigned self;     /* the shell's own process and address-space id */
	unsigned probe_as; /* where the probe runs (0: nowhere) */
	unsigned created[SHELL_CREATED_MAX];
	unsigned ncreated;
	struct shell_tracked tracked[SHELL_TRACKED_MAX];
	unsigned ntracked;
	struct shell_counters count;
};

extern struct shell shell;

/* A command: argv[0] is its name. Returns 0, or -1 after printing what went wrong. */
typedef int (*shell_cmd_fn)(int argc, char **argv);

struct shell_command {
	const char *name;
	const char *usage;   /* the arguments, "" if none */
	const char *summary; /* one line for `help` */
	const char *details; /* more lines for `help NAME`, or NULL */
	shell_cmd_fn fn;
};

/* Splits `line` and runs the command it names. Returns the command's result (0 or -1). */
int shell_run_line(char *line);

/* Prints "error: " and the message, counts the error. Returns -1. */
__attribute__((format(printf, 1, 2))) int shell_fail(const char *fmt, ...);

/* Prints "error: WHAT: E_X (explanation)" for a memsrv or kernel error. Returns -1. */
int shell_mem_error(const char *what, int err);

/*
 * Reports memsrv's error `err` for an operation on address space `as`: E_INVAL for a space
 * that does not exist becomes "WHAT: no such address space N"; anything else as
 * shell_mem_error. Returns -1.
 */
int shell_as_error(const char *what, unsigned as, int err);

/* Prints "error: unknown subcommand 'SUB' (expected EXPECTED)" and the usage of `name`
 * (a command in the table). Returns -1. */
int shell_unknown_sub(const char *name, const char *sub, const char *expected);

/* Prints "error: WHY" and the usage of command `name`. Returns -1. */
int shell_usage(const char *name, const char *why);

/* Remembers / forgets an address space the shell created; remembers / forgets a process. */
void shell_created_add(unsigned as);
void shell_created_remove(unsigned as);
void shell_track(unsigned pid, const char *name);
void shell_untrack(unsigned pid);

/* The address-space id an optional argument argv[1] names: the id, "self" (the shell's own),
 * or, if argc < 2, the probe's space or else the shell's own. Returns 0 and *as, or -1 after
 * printing why. */
int shell_as_arg(int argc, char **argv, unsigned *as);

/* Commands (cmd_*.c, menu.c). */
int cmd_help(int argc, char **argv);
int cmd_as(int argc, char **argv);
int cmd_peek(int argc, char **argv);
int cmd_poke(int argc, char **argv);
int cmd_vma(int argc, char **argv);
int cmd_maps(int argc, char **argv);
int cmd_map(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_kstat(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_spawn(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_kill(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_reset(int argc, char **argv);
int cmd_seed(int argc, char **argv);
int cmd_menu(int argc, char **argv);

/* Operations the menu shares with the commands. */
int shell_as_create(uint64_t quota);
int shell_as_destroy(unsigned as);
int shell_as_switch(unsigned as);
int shell_as_list(void);
int shell_maps(unsigned as);
int shell_vma_run(unsigned as, int argc, char **argv); /* map/unmap/protect/list in `as` */
int shell_status(void);
int shell_test(void);
int shell_reset(void);

/* The event handler (term.h): reports the tracked processes that ended. */
void shell_on_event(uint64_t events);
