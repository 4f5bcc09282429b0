/*
 * Device tree buses: phandles, interrupt parents and address translation through `ranges`.
 * Built on the reader of fdt.h, with the same guarantees (bounds-checked, never allocates,
 * host-tested). Needed wherever devices sit behind a bus whose addresses are not the CPU's,
 * as on the Raspberry Pi (peripherals at bus address 0x7e00_0000 appear at 0x3f00_0000).
 */
#pragma once

#include <stdint.h>

#include "fdt.h"

/* Returns the node whose `phandle` (or `linux,phandle`) is `phandle`, or FDT_ERR_NOTFOUND. */
int fdt_node_by_phandle(const struct fdt *fdt, uint32_t phandle);

/*
 * The interrupt parent of `node`: the node named by `interrupt-parent` on `node` or its
 * nearest ancestor that has one. Returns its offset or FDT_ERR_NOTFOUND.
 */
int fdt_interrupt_parent(const struct fdt *fdt, int node);

/*
 * Translates `addr`, an address in the bus of `node`'s parent (what `node`'s reg says),
 * to a CPU physical address by applying the `ranges` of every ancestor bus below the root.
 * An empty `ranges` is the identity; a missing one means the bus is not CPU-addressable.
 * Returns 0 and sets *out, FDT_ERR_NOTFOUND (no ranges, or no window holds the address) or
 * FDT_ERR_BADVALUE (bad cell counts).
 */
int fdt_translate(const struct fdt *fdt, int node, uint64_t addr, uint64_t *out);

/* fdt_read_reg, then the base translated to a CPU physical address (fdt_translate). */
int fdt_read_reg_cpu(const struct fdt *fdt, int node, uint32_t index, struct fdt_range *out);

/*
 * Entry `index` of the `ranges` of `bus`, a direct child of the root: the CPU-side window
 * (the parent address is the CPU's). Returns 0, FDT_ERR_NOTFOUND (no ranges, an empty one,
 * or index past the end) or FDT_ERR_BADVALUE.
 */
int fdt_read_bus_window(const struct fdt *fdt, int bus, uint32_t index, struct fdt_range *out);
