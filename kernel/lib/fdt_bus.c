#include "fdt_bus.h"

#include <stdbool.h>

#define DEFAULT_ADDRESS_CELLS 2
#define DEFAULT_SIZE_CELLS    1
#define MAX_CELLS             2 /* addresses and sizes of at most 64 bits */
#define MAX_BUS_DEPTH         16

int fdt_node_by_phandle(const struct fdt *fdt, uint32_t phandle)
{
	if (phandle == 0 || phandle == UINT32_MAX) /* never valid phandles */
		return FDT_ERR_NOTFOUND;
	int node = fdt_next_node(fdt, -1, NULL);
	for (; node >= 0; node = fdt_next_node(fdt, node, NULL)) {
		uint32_t v;
		if ((fdt_read_u32(fdt, node, "phandle", &v) == 0 ||
		     fdt_read_u32(fdt, node, "linux,phandle", &v) == 0) &&
		    v == phandle)
			return node;
	}
	return FDT_ERR_NOTFOUND;
}

int fdt_interrupt_parent(const struct fdt *fdt, int node)
{
	for (unsigned depth = 0; node >= 0 && depth < MAX_BUS_DEPTH; depth++) {
		uint32_t phandle;
		if (fdt_read_u32(fdt, node, "interrupt-parent", &phandle) == 0)
			return fdt_node_by_phandle(fdt, phandle);
		node = fdt_parent(fdt, node);
	}
	return FDT_ERR_NOTFOUND;
}

/* Reads `name` (#address-cells or #size-cells) of `node`, `dflt` if absent; checks the range. */
static int cells(const struct fdt *fdt, int node, const char *name, uint32_t dflt, uint32_t *out)
{
	int err = fdt_read_u32(fdt, node, name, out);
	if (err == FDT_ERR_NOTFOUND)
		*out = dflt;
	else if (err)
		return err;
	return *out <= MAX_CELLS ? 0 : FDT_ERR_BADVALUE;
}

/* Reads `n` cells of property `name` starting at cell `at` as one number. */
static int read_number(const struct fdt *fdt, int node, const char *name, uint32_t at, uint32_t n,
		       uint64_t *out)
{
	*out = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t c;
		int err = fdt_read_cell(fdt, node, name, at + i, &c);
		if (err)
			return err;
		*out = *out << 32 | c;
	}
	return 0;
}

/* One `ranges` entry of `bus`: child base, parent base, size. */
struct window {
	uint64_t child, parent, size;
};

/* Entry `index` of `bus`'s ranges. Returns 0, FDT_ERR_NOTFOUND past the end, or an error. */
static int read_window(const struct fdt *fdt, int bus, uint32_t index, struct window *w)
{
	int parent = fdt_parent(fdt, bus);
	uint32_t ca, pa, sc;
	int err;
	if (parent < 0)
		return FDT_ERR_BADVALUE;
	if ((err = cells(fdt, bus, "#address-cells", DEFAULT_ADDRESS_CELLS, &ca)) ||
	    (err = cells(fdt, parent, "#address-cells", DEFAULT_ADDRESS_CELLS, &pa)) ||
	    (err = cells(fdt, bus, "#size-cells", DEFAULT_SIZE_CELLS, &sc)))
		return err;
	uint32_t entry = ca + pa + sc, at = index * entry;
	if ((err = read_number(fdt, bus, "ranges", at, ca, &w->child)) ||
	    (err = read_number(fdt, bus, "ranges", at + ca, pa, &w->parent)) ||
	    (err = read_number(fdt, bus, "ranges", at + ca + pa, sc, &w->size)))
		return err;
	return 0;
}

/* Translates `addr` through one bus's ranges. Returns 0 or FDT_ERR_NOTFOUND / an error. */
static int translate_one(const struct fdt *fdt, int bus, uint64_t *addr)
{
	uint32_t len;
	if (!fdt_getprop(fdt, bus, "ranges", &len))
		return FDT_ERR_NOTFOUND;
	if (len == 0)
		return 0; /* identity */
	struct window w;
	int err;
	for (uint32_t i = 0; (err = read_window(fdt, bus, i, &w)) == 0; i++) {
		if (*addr >= w.child && *addr - w.child < w.size) {
			*addr = w.parent + (*addr - w.child);
			return 0;
		}
	}
	return err;
}

int fdt_translate(const struct fdt *fdt, int node, uint64_t addr, uint64_t *out)
{
	int bus = fdt_parent(fdt, node);
	if (bus == FDT_ERR_NOTFOUND) { /* the root itself: its addresses are the CPU's */
		*out = addr;
		return 0;
	}
	/* Invariant: addr is an address on the bus `bus`. */
	for (unsigned depth = 0; bus >= 0 && depth < MAX_BUS_DEPTH; depth++) {
		int up = fdt_parent(fdt, bus);
		if (up == FDT_ERR_NOTFOUND) { /* bus is the root: addr is a CPU address */
			*out = addr;
			return 0;
		}
		int err = up < 0 ? up : translate_one(fdt, bus, &addr);
		if (err)
			return err;
		bus = up;
	}
	return bus < 0 ? bus : FDT_ERR_BADVALUE; /* broken tree, or nested too deep */
}

int fdt_read_reg_cpu(const struct fdt *fdt, int node, uint32_t index, struct fdt_range *out)
{
	int err = fdt_read_reg(fdt, node, index, out);
	return err ? err : fdt_translate(fdt, node, out->base, &out->base);
}

int fdt_read_bus_window(const struct fdt *fdt, int bus, uint32_t index, struct fdt_range *out)
{
	struct window w;
	uint32_t len;
	if (!fdt_getprop(fdt, bus, "ranges", &len) || len == 0)
		return FDT_ERR_NOTFOUND;
	int err = read_window(fdt, bus, index, &w);
	if (err)
		return err;
	out->base = w.parent;
	out->size = w.size;
	return 0;
}
