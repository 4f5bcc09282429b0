/*
 * Address spaces and the probe: as create/destroy/list/switch, peek and poke.
 *
 * The probe is memsrv's thread that runs inside the address space `as switch` names
 * (MEMSRV_PROBE_ATTACH); peek and poke are calls on its endpoint, which memsrv put in the
 * shell's MEMSRV_SLOT_PROBE. Its faults are memsrv's to handle: a lazy page is filled, and
 * anything else comes back as MEMSRV_PROBE_FAULTED with the pager's class.
 */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "shell.h"
#include "term.h"
#include "view.h"

/* memsrv's free-frame count, or 0 if it cannot be read. */
static uint64_t free_frames(void)
{
	struct mem_global_stats g;
	return mem_global_stats(shell.ms, &g) ? 0 : g.memsrv[MEMSRV_GSTAT_FREE_FRAMES];
}

int shell_as_create(uint64_t quota)
{
	unsigned id;
	int err = mem_as_create(shell.ms, quota, &id);
	if (err)
		return shell_mem_error("as create", err);
	uint64_t s[MEMSRV_STAT_COUNT];
	shell_created_add(id);
	if (mem_stats(shell.ms, id, s))
		s[MEMSRV_STAT_QUOTA_PAGES] = quota;
	term_printf("created address space %u (quota %lu pages)\n", id,
		    (unsigned long)s[MEMSRV_STAT_QUOTA_PAGES]);
	return 0;
}

int shell_as_destroy(unsigned as)
{
	if (as == shell.self)
		return shell_fail("as destroy %u: that is the shell's own address space", as);
	uint64_t before = free_frames();
	int err = mem_as_destroy(shell.ms, as);
	if (err)
		return shell_as_error("as destroy", as, err);
	uint64_t after = free_frames();
	shell_created_remove(as);
	shell_untrack(as);
	if (shell.probe_as == as)
		shell.probe_as = 0;
	term_printf("destroyed address space %u: %lu frames returned (free frames %lu -> %lu)\n",
		    as, (unsigned long)(after - before), (unsigned long)before,
		    (unsigned long)after);
	return 0;
}

int shell_as_switch(unsigned as)
{
	int err = mem_probe_attach(shell.ms, as);
	if (err) {
		/* memsrv's common checks (no such space) change nothing; a failed attach leaves
		 * the probe stopped. */
		if (err != E_INVAL && err != E_RANGE)
			shell.probe_as = 0;
		return shell_as_error("as switch", as, err);
	}
	shell.probe_as = as == shell.self ? shell.self : as;
	term_printf("probe now runs in address space %u: peek and poke act there\n",
		    shell.probe_as);
	return 0;
}

/* Who holds address space `id`: "process N (name)", "created by the shell", or "". */
static void owner_of(unsigned id, char *buf, size_t size)
{
	struct mem_proc_info info;
	buf[0] = '\0';
	if (!mem_proc_info(shell.ms, id, &info) &&
	    MEMSRV_PS_STATE(info.state) == MEMSRV_PS_RUNNING) {
		snprintf(buf, size, "process %u (%s)%s", id, info.name,
			 id == shell.self ? ", this shell" : "");
		return;
	}
	for (unsigned i = 0; i < shell.ncreated; i++) {
		if (shell.created[i] == id)
			snprintf(buf, size, "created by the shell");
	}
}

/* One row of `as list`. */
static void list_row(unsigned id)
{
	uint64_t s[MEMSRV_STAT_COUNT];
	char owner[96];
	if (mem_stats(shell.ms, id, s))
		return;
	owner_of(id, owner, sizeof(owner));
	term_printf("%4u %6lu %9lu %7lu %7lu  %s%s\n", id, (unsigned long)s[MEMSRV_STAT_VMAS],
		    (unsigned long)s[MEMSRV_STAT_RESIDENT_PAGES],
		    (unsigned long)s[MEMSRV_STAT_TABLE_PAGES],
		    (unsigned long)s[MEMSRV_STAT_QUOTA_PAGES], owner,
		    id == shell.probe_as ? " [probe]" : "");
}

int shell_as_list(void)
{
	unsigned ids[100], n, first = 1, total = 0;
	term_printf("  ID   VMAS  RESIDENT  TABLES   QUOTA  OWNER\n");
	do {
		int err = mem_as_list(shell.ms, first, ids, &n);
		if (err)
			return shell_mem_error("as list", err);
		for (unsigned i = 0; i < n; i++)
			list_row(ids[i]);
		total += n;
		first = n ? ids[n - 1] + 1 : first;
	} while (n == 100);
	term_printf("%u address space%s\n", total, total == 1 ? "" : "s");
	return 0;
}

/* The id in `word`, or the shell's own for "self". */
static int as_word(const char *word, unsigned *as)
{
	char why[ARGS_WHY_MAX];
	if (strcmp(word, "self") == 0) {
		*as = shell.self;
		return 0;
	}
	if (args_as_id(word, as, why, sizeof(why)))
		return shell_usage("as", why);
	return 0;
}

int cmd_as(int argc, char **argv)
{
	char why[ARGS_WHY_MAX];
	uint64_t quota = 0;
	unsigned id;
	const char *sub = argc > 1 ? argv[1] : "";
	if (strcmp(sub, "list") == 0 && argc == 2)
		return shell_as_list();
	if (strcmp(sub, "create") == 0 && argc <= 3) {
		if (argc == 3 && args_quota(argv[2], &quota, why, sizeof(why)))
			return shell_usage("as", why);
		return shell_as_create(quota);
	}
	if ((strcmp(sub, "destroy") == 0 || strcmp(sub, "switch") == 0) && argc == 3) {
		if (as_word(argv[2], &id))
			return -1;
		return sub[0] == 'd' ? shell_as_destroy(id) : shell_as_switch(id);
	}
	if (argc < 2)
		return shell_usage("as", "as needs a subcommand: create, destroy, list or switch");
	if (strcmp(sub, "create") && strcmp(sub, "destroy") && strcmp(sub, "switch") &&
	    strcmp(sub, "list"))
		return shell_unknown_sub("as", sub, "create, destroy, list or switch");
	if (strcmp(sub, "create") == 0)
		return shell_usage("as", "as create takes at most a QUOTA");
	if (strcmp(sub, "list") == 0)
		return shell_usage("as", "as list takes no arguments");
	return shell_usage("as", "expected one address-space ID (or self)");
}

/* Reports a probe access that failed; clears the probe if it is gone. */
static int probe_error(const char *what, uint64_t addr, int err, const struct mem_probe_fault *f)
{
	if (err == MEMSRV_PROBE_FAULTED) {
		shell.count.probe_faults++;
		return shell_fail("%s %#lx faulted in address space %u: %s (%s)", what,
				  (unsigned long)f->addr, shell.probe_as, view_fault_class(f->stat),
				  view_fault_meaning(f->stat));
	}
	if (err == E_ALIGN)
		return shell_fail("%s %#lx: ADDR must be 8-byte aligned", what,
				  (unsigned long)addr);
	if (err == E_NOCAP || err == E_DELETED) {
		shell.probe_as = 0;
		return shell_fail("%s: the probe is gone (its address space ended): use as switch",
				  what);
	}
	return shell_mem_error(what, err);
}

/* Checks the probe is somewhere; parses argv[1] (and argv[2]) as numbers. */
static int probe_args(const char *cmd, int argc, char **argv, int want, uint64_t *addr,
		      uint64_t *value)
{
	char why[ARGS_WHY_MAX];
	if (argc != want)
		return shell_usage(cmd, want == 2 ? "expected one address"
						  : "expected an address and a value");
	if (args_number("ADDR", argv[1], addr, why, sizeof(why)) ||
	    (want == 3 && args_number("VALUE", argv[2], value, why, sizeof(why))))
		return shell_usage(cmd, why);
	if (!shell.probe_as)
		return shell_fail("%s: no address space selected: use 'as switch ID' first", cmd);
	return 0;
}

int cmd_peek(int argc, char **argv)
{
	uint64_t addr, value = 0;
	struct mem_probe_fault f;
	if (probe_args("peek", argc, argv, 2, &addr, &value))
		return -1;
	int err = mem_probe_access(MEMSRV_SLOT_PROBE, MEMSRV_PROBE_PEEK, addr, &value, &f);
	if (err)
		return probe_error("peek", addr, err, &f);
	shell.count.peeks++;
	term_printf("[%u] 0x%012lx: 0x%016lx\n", shell.probe_as, (unsigned long)addr,
		    (unsigned long)value);
	return 0;
}

int cmd_poke(int argc, char **argv)
{
	uint64_t addr, value;
	struct mem_probe_fault f;
	if (probe_args("poke", argc, argv, 3, &addr, &value))
		return -1;
	if (shell.probe_as == shell.self)
		return shell_fail("poke: refusing to write into the shell's own address space");
	int err = mem_probe_access(MEMSRV_SLOT_PROBE, MEMSRV_PROBE_POKE, addr, &value, &f);
	if (err)
		return probe_error("poke", addr, err, &f);
	shell.count.pokes++;
	term_printf("[%u] 0x%012lx <- %#lx\n", shell.probe_as, (unsigned long)addr,
		    (unsigned long)value);
	return 0;
}
