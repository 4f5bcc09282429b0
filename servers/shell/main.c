/*
 * The shell server (docs/shell.md). memsrv starts it as the console process: x0 is its memsrv
 * capability (with the control right), x2 the address of the UART's registers, and its CNode
 * holds the UART's IRQ handler and notification (include/mica/memsrv.h). It prints a prompt,
 * reads lines through the line editor, runs commands, and reports processes it started when
 * memsrv signals that they ended.
 */
#include <mica.h>
#include <stdio.h>
#include <string.h>

#include "lineedit.h"
#include "shell.h"
#include "term.h"
#include "view.h"

struct shell shell;

void shell_created_add(unsigned as)
{
	for (unsigned i = 0; i < shell.ncreated; i++) {
		if (shell.created[i] == as)
			return;
	}
	if (shell.ncreated < SHELL_CREATED_MAX)
		shell.created[shell.ncreated++] = as;
}

void shell_created_remove(unsigned as)
{
	for (unsigned i = 0; i < shell.ncreated; i++) {
		if (shell.created[i] == as) {
			shell.created[i] = shell.created[--shell.ncreated];
			return;
		}
	}
}

void shell_track(unsigned pid, const char *name)
{
	if (shell.ntracked == SHELL_TRACKED_MAX)
		return;
	struct shell_tracked *t = &shell.tracked[shell.ntracked++];
	t->pid = pid;
	size_t n = strnlen(name, SHELL_NAME_MAX - 1);
	memcpy(t->name, name, n);
	t->name[n] = '\0';
}

void shell_untrack(unsigned pid)
{
	for (unsigned i = 0; i < shell.ntracked; i++) {
		if (shell.tracked[i].pid == pid) {
			shell.tracked[i] = shell.tracked[--shell.ntracked];
			return;
		}
	}
}

/* Says how a tracked process ended. */
static void report_end(const struct shell_tracked *t, const struct mem_proc_info *info)
{
	unsigned state = MEMSRV_PS_STATE(info->state), stat = MEMSRV_PS_KILL_STAT(info->state);
	if (state == MEMSRV_PS_EXITED)
		term_printf("process %u (%s) exited with code %d\n", t->pid, t->name,
			    MEMSRV_PS_EXIT_CODE(info->state));
	else if (stat)
		term_printf("process %u (%s) killed: %s at %#lx, pc %#lx\n", t->pid, t->name,
			    view_fault_kill(stat), (unsigned long)info->fault_addr,
			    (unsigned long)info->fault_pc);
	else
		term_printf("process %u (%s) killed\n", t->pid, t->name);
	shell.count.reports++;
}

void shell_on_event(uint64_t events)
{
	if (!(events & MEMSRV_NTFN_PROCESS))
		return;
	/* Invariant: tracked[0..i) are processes still running. */
	for (unsigned i = 0; i < shell.ntracked;) {
		struct shell_tracked t = shell.tracked[i];
		struct mem_proc_info info;
		int err = mem_proc_info(shell.ms, t.pid, &info);
		if (!err && MEMSRV_PS_STATE(info.state) == MEMSRV_PS_RUNNING) {
			i++;
			continue;
		}
		if (!err)
			report_end(&t, &info);
		shell_untrack(t.pid);
		shell_created_remove(t.pid);
		if (shell.probe_as == t.pid)
			shell.probe_as = 0; /* memsrv took the probe out with the space */
	}
}

/* The shell's own id: MEMSRV_STAT_AS_ID of its own address space. */
static unsigned own_id(void)
{
	uint64_t s[MEMSRV_STAT_COUNT];
	return mem_stats(shell.ms, 0, s) ? 0 : (unsigned)s[MEMSRV_STAT_AS_ID];
}

/* Reads and runs lines for good. */
static __attribute__((noreturn)) void loop(void)
{
	static char line[LINEEDIT_MAX];
	for (;;) {
		int r = term_readline(SHELL_PROMPT, true, line, sizeof(line));
		if (r == TERM_MENU)
			cmd_menu(0, NULL);
		else if (r == LINEEDIT_LINE)
			shell_run_line(line);
		else if (r == LINEEDIT_EOF)
			term_printf("(Ctrl-D: the shell does not exit; type help)\n");
	}
}

/* Entry from crt0 with memsrv's registers: x0 the memsrv slot, x1 the spawn argument, x2
 * the UART. */
int main(void *ms, uint64_t arg, uint64_t uart)
{
	(void)arg;
	shell.ms = (cptr_t)(uintptr_t)ms;
	if (!uart) {
		printf("shell: no console UART (start me with memsrv.uart=shell)\n");
		mem_exit(shell.ms, 1);
		return 1;
	}
	int err = term_init((volatile void *)(uintptr_t)uart, MEMSRV_SLOT_UART_IRQ,
			    MEMSRV_SLOT_UART_NTFN, MEMSRV_NTFN_UART, shell_on_event);
	if (err) {
		printf("shell: cannot take the UART: %s\n", mica_strerror(err));
		mem_exit(shell.ms, 1);
		return 1;
	}
	shell.self = own_id();
	term_printf("\nMica shell: process %u, serial interrupts on. Type help, or '|' for the "
		    "menu.\n",
		    shell.self);
	loop();
}
