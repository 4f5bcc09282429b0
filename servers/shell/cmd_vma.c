/*
 * VMAs: vma map/unmap/protect/list, maps (one line per VMA), and map (the layout as a bar).
 */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "shell.h"
#include "term.h"
#include "view.h"

#define LIST_BATCH 19 /* VMAs per MEMSRV_VMA_LIST */
#define MAP_MAX    64 /* VMAs the bar draws */

int shell_as_arg(int argc, char **argv, unsigned *as)
{
	char why[ARGS_WHY_MAX];
	if (argc >= 2 && strcmp(argv[1], "self") == 0) {
		*as = shell.self;
		return 0;
	}
	if (argc >= 2) {
		if (args_as_id(argv[1], as, why, sizeof(why)))
			return shell_usage(argv[0], why);
		return 0;
	}
	*as = shell.probe_as ? shell.probe_as : shell.self;
	return 0;
}

/* What to add to a maps line: what memsrv keeps there. */
static const char *note_of(const struct mem_vma *v)
{
	if (v->start >= MEMSRV_PROBE_BASE && v->start < MEMSRV_PROBE_BASE + MEMSRV_PROBE_SIZE)
		return " [probe]";
	if (v->kind == MEMSRV_KIND_DEVICE)
		return " [uart]";
	if (v->kind == MEMSRV_KIND_SHARED && (v->flags & MEMSRV_VMA_PINNED))
		return " [ipc buffer]";
	return NULL;
}

/* Calls fn for every VMA of `as` in order; returns 0 or memsrv's error. */
static int each_vma(unsigned as, void (*fn)(void *ctx, const struct mem_vma *v), void *ctx)
{
	struct mem_vma batch[LIST_BATCH];
	uint64_t from = 0, next;
	unsigned n;
	do {
		int err = mem_vma_list(shell.ms, as, from, batch, LIST_BATCH, &n, &next);
		if (err)
			return err;
		for (unsigned i = 0; i < n; i++)
			fn(ctx, &batch[i]);
		from = next;
	} while (next);
	return 0;
}

static void print_vma(void *ctx, const struct mem_vma *v)
{
	char line[VIEW_LINE_MAX];
	(void)ctx;
	view_vma(line, sizeof(line), v, note_of(v));
	term_printf("%s\n", line);
}

int shell_maps(unsigned as)
{
	uint64_t s[MEMSRV_STAT_COUNT];
	int err = mem_stats(shell.ms, as, s);
	if (err)
		return shell_as_error("maps", as, err);
	term_printf("address space %u: %lu VMAs, %lu resident pages, %lu table pages\n", as,
		    (unsigned long)s[MEMSRV_STAT_VMAS],
		    (unsigned long)s[MEMSRV_STAT_RESIDENT_PAGES],
		    (unsigned long)s[MEMSRV_STAT_TABLE_PAGES]);
	err = each_vma(as, print_vma, NULL);
	return err ? shell_as_error("maps", as, err) : 0;
}

int cmd_maps(int argc, char **argv)
{
	unsigned as;
	if (argc > 2)
		return shell_usage("maps", "maps takes at most one ID");
	if (shell_as_arg(argc, argv, &as))
		return -1;
	return shell_maps(as);
}

/* VMAs collected for the bar. */
struct collect {
	struct mem_vma v[MAP_MAX];
	unsigned n, dropped;
};

static void collect_vma(void *ctx, const struct mem_vma *v)
{
	struct collect *c = ctx;
	if (c->n < MAP_MAX)
		c->v[c->n++] = *v;
	else
		c->dropped++;
}

int cmd_map(int argc, char **argv)
{
	static struct collect c;
	char bar[VIEW_BAR_WIDTH + 1];
	unsigned as;
	if (argc > 2)
		return shell_usage("map", "map takes at most one ID");
	if (shell_as_arg(argc, argv, &as))
		return -1;
	c.n = c.dropped = 0;
	int err = each_vma(as, collect_vma, &c);
	if (err)
		return shell_as_error("map", as, err);
	view_bar(c.v, c.n, bar);
	term_printf("address space %u, log scale (2 columns per power of two):\n", as);
	term_printf("|%s|\n", bar);
	term_printf(" 4K              1M                  1G                  1T            "
		    "256T\n");
	term_printf("e elf  a anon  s stack  d device  i IPC buffer  p probe  * several  . none"
		    "%s\n",
		    c.dropped ? "  (more VMAs than drawn)" : "");
	return shell_maps(as);
}

/* vma map: argv = ID ADDR|auto LEN PROT [kind] [backing]. */
static int vma_map(int argc, char **argv)
{
	char why[ARGS_WHY_MAX], perms[4];
	struct args_map m;
	uint64_t start;
	if (args_map(argc, argv, &m, why, sizeof(why)))
		return shell_usage("vma", why);
	int err = mem_map(shell.ms, m.as, m.addr, m.length, m.prot, m.kind, m.flags, &start);
	if (err)
		return shell_as_error("vma map", m.as, err);
	view_perms(m.prot, perms);
	term_printf("mapped %#lx-%#lx %s %s %s in address space %u\n", (unsigned long)start,
		    (unsigned long)(start + m.length), perms, view_kind(m.kind),
		    m.flags ? "eager" : "lazy", m.as);
	return 0;
}

/* vma unmap / protect: argv = ID ADDR LEN [PROT]. */
static int vma_range(bool protect, int argc, char **argv)
{
	char why[ARGS_WHY_MAX], perms[4];
	struct args_range r;
	if (args_range(argc, argv, protect, &r, why, sizeof(why)))
		return shell_usage("vma", why);
	if (r.as == shell.self)
		return shell_fail("vma %s: refusing to change the shell's own address space",
				  protect ? "protect" : "unmap");
	int err = protect ? mem_protect(shell.ms, r.as, r.addr, r.length, r.prot)
			  : mem_unmap(shell.ms, r.as, r.addr, r.length);
	if (err)
		return shell_as_error(protect ? "vma protect" : "vma unmap", r.as, err);
	view_perms(r.prot, perms);
	term_printf("%s %#lx-%#lx%s%s in address space %u\n", protect ? "protected" : "unmapped",
		    (unsigned long)r.addr, (unsigned long)(r.addr + r.length), protect ? " " : "",
		    protect ? perms : "", r.as);
	return 0;
}

int shell_vma_run(unsigned as, int argc, char **argv)
{
	/* argv[0] is the operation; the ID goes in front of its arguments. */
	char id[12];
	char *args[8];
	if (argc < 1 || argc > 6)
		return shell_usage("vma", "bad number of arguments");
	snprintf(id, sizeof(id), "%u", as);
	args[0] = id;
	for (int i = 1; i < argc; i++)
		args[i] = argv[i];
	if (strcmp(argv[0], "map") == 0)
		return vma_map(argc, args);
	if (strcmp(argv[0], "unmap") == 0)
		return vma_range(false, argc, args);
	if (strcmp(argv[0], "protect") == 0)
		return vma_range(true, argc, args);
	if (strcmp(argv[0], "list") == 0 && argc == 1)
		return shell_maps(as);
	if (strcmp(argv[0], "list") == 0)
		return shell_usage("vma", "list takes no arguments here");
	return shell_unknown_sub("vma", argv[0], "map, unmap, protect or list");
}

int cmd_vma(int argc, char **argv)
{
	char why[ARGS_WHY_MAX];
	const char *sub = argc > 1 ? argv[1] : "";
	if (argc > 1 && strcmp(sub, "map") && strcmp(sub, "unmap") && strcmp(sub, "protect") &&
	    strcmp(sub, "list"))
		return shell_unknown_sub("vma", sub, "map, unmap, protect or list");
	if (argc < 3)
		return shell_usage("vma", "vma needs an operation and an address-space ID");
	if (strcmp(sub, "map") == 0)
		return vma_map(argc - 2, argv + 2);
	if (strcmp(sub, "unmap") == 0)
		return vma_range(false, argc - 2, argv + 2);
	if (strcmp(sub, "protect") == 0)
		return vma_range(true, argc - 2, argv + 2);
	if (strcmp(sub, "list") == 0 && argc == 3) {
		unsigned as;
		if (args_as_id(argv[2], &as, why, sizeof(why)))
			return shell_usage("vma", why);
		return shell_maps(as);
	}
	return shell_usage("vma", "vma list takes one address-space ID");
}
