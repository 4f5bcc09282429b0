/*
 * Flattened device tree (DTB) reader.
 *
 * A read-only parser for the blob QEMU hands the kernel. It never allocates and never
 * trusts the blob: every offset and length is bounds-checked against the header, so a
 * corrupt tree yields an error, not a wild read, and every walk moves strictly forward,
 * so it ends. Pure C, no libc and no kernel dependencies, so the host unit tests build it
 * natively; the blob may be at any alignment.
 *
 * A node is named by its offset: the byte offset of its FDT_BEGIN_NODE token within the
 * structure block (the root is normally 0). Functions taking a node return
 * FDT_ERR_BADOFFSET (or NULL/false) if it is not such an offset.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDT_MAGIC 0xd00dfeedu

/* Errors (negative); node offsets are >= 0. */
#define FDT_ERR_BADMAGIC  (-1)
#define FDT_ERR_BADHEADER (-2) /* version, offsets or sizes out of range */
#define FDT_ERR_NOTFOUND  (-3)
#define FDT_ERR_BADSTRUCT (-4) /* malformed structure block */
#define FDT_ERR_BADVALUE  (-5) /* property of the wrong length or cell count */
#define FDT_ERR_BADOFFSET (-6) /* node argument is not the offset of a node */

/* A validated blob; filled by fdt_init, read-only afterwards. */
struct fdt {
	const uint8_t *blob;
	uint32_t size;       /* header totalsize */
	uint32_t off_struct; /* structure block */
	uint32_t size_struct;
	uint32_t off_strings; /* strings block */
	uint32_t size_strings;
	uint32_t off_rsvmap;  /* memory reservation block */
	uint32_t num_mem_rsv; /* its entries, terminator excluded */
};

/* A (base, size) pair decoded from a reg property or the reservation map. */
struct fdt_range {
	uint64_t base;
	uint64_t size;
};

/*
 * Validates the header of the blob at `blob` (which may be up to `max_size` bytes long)
 * and fills `fdt`. Requires version >= 16, last_comp_version <= 17, totalsize <= max_size
 * and < 2 GiB, the structure, strings and reservation blocks inside totalsize, and a
 * terminated reservation map. Returns 0, FDT_ERR_BADMAGIC or FDT_ERR_BADHEADER.
 */
int fdt_init(struct fdt *fdt, const void *blob, size_t max_size);

/* Total size of the blob from its header (valid after fdt_init). */
uint32_t fdt_total_size(const struct fdt *fdt);

/*
 * Steps to the next node in document order after `node`; node == -1 yields the root.
 * `depth`, if not NULL, is adjusted by the change in depth: +1 for a child, 0 for a
 * sibling, -k for a node k levels up. Starting with node = -1 and *depth = -1 therefore
 * gives the root at depth 0 and every later node at its absolute depth.
 * Returns the next node's offset, FDT_ERR_NOTFOUND at the end of the tree,
 * FDT_ERR_BADOFFSET or FDT_ERR_BADSTRUCT.
 */
int fdt_next_node(const struct fdt *fdt, int node, int *depth);

/*
 * The first child of `node`, or the next sibling of child `node`. Return the node's
 * offset, FDT_ERR_NOTFOUND if there is none, FDT_ERR_BADOFFSET or FDT_ERR_BADSTRUCT.
 */
int fdt_first_subnode(const struct fdt *fdt, int node);
int fdt_next_subnode(const struct fdt *fdt, int node);

/*
 * The node's name including any unit address ("memory@40000000"); "" for the root.
 * Returns NULL if `node` is not a node. The string lies inside the blob.
 */
const char *fdt_node_name(const struct fdt *fdt, int node);

/*
 * Finds a node by absolute path ("/", "/chosen", "/cpus/cpu@0"). A path component without
 * a unit address matches a node whose name is that component followed by "@..." too, so
 * "/memory" finds "memory@40000000" (the first such child). Returns the node offset,
 * FDT_ERR_NOTFOUND (including for a path not starting with '/') or FDT_ERR_BADSTRUCT.
 */
int fdt_path_offset(const struct fdt *fdt, const char *path);

/* The parent of `node`, FDT_ERR_NOTFOUND for the root, FDT_ERR_BADOFFSET or ..BADSTRUCT. */
int fdt_parent(const struct fdt *fdt, int node);

/*
 * Returns a pointer into the blob to the value of property `name` of `node` and stores
 * its length in *len (if not NULL), or NULL if the node has no such property, `node` is
 * not a node or its property list is malformed. The value may be unaligned.
 */
const void *fdt_getprop(const struct fdt *fdt, int node, const char *name, uint32_t *len);

/*
 * Returns property `name` of `node` as a string, or NULL if it is absent or not a
 * NUL-terminated string (its first string, for a string list).
 */
const char *fdt_get_string(const struct fdt *fdt, int node, const char *name);

/* True if the node's "compatible" string list contains `compat` exactly. */
bool fdt_is_compatible(const struct fdt *fdt, int node, const char *compat);

/*
 * Finds the first node after `start` (-1 for the whole tree, root included) whose
 * compatible list holds `compat`. Returns its offset, FDT_ERR_NOTFOUND,
 * FDT_ERR_BADOFFSET or FDT_ERR_BADSTRUCT.
 */
int fdt_find_compatible(const struct fdt *fdt, int start, const char *compat);

/*
 * Finds the first node after `start` (-1 for the whole tree) with device_type == `type`
 * ("memory", "cpu"). Returns its offset, FDT_ERR_NOTFOUND, FDT_ERR_BADOFFSET or
 * FDT_ERR_BADSTRUCT.
 */
int fdt_find_device_type(const struct fdt *fdt, int start, const char *type);

/*
 * Reads a u32 property (exactly 4 bytes). Returns 0, FDT_ERR_NOTFOUND,
 * FDT_ERR_BADVALUE (other length), FDT_ERR_BADOFFSET or FDT_ERR_BADSTRUCT.
 */
int fdt_read_u32(const struct fdt *fdt, int node, const char *name, uint32_t *out);

/*
 * Reads the index'th u32 cell of a property. Returns 0, FDT_ERR_NOTFOUND (no such
 * property, or index past the end), FDT_ERR_BADVALUE (length not a multiple of 4),
 * FDT_ERR_BADOFFSET or FDT_ERR_BADSTRUCT.
 */
int fdt_read_cell(const struct fdt *fdt, int node, const char *name, uint32_t index, uint32_t *out);

/*
 * Decodes entry `index` of the node's "reg" property using the parent's #address-cells
 * and #size-cells (defaults 2 and 1 when absent, as the spec says, and for the root;
 * each at most 2, #size-cells 0 gives size 0). Returns 0, FDT_ERR_NOTFOUND (no reg, or
 * index past the end), FDT_ERR_BADVALUE (bad cell counts or reg length),
 * FDT_ERR_BADOFFSET or FDT_ERR_BADSTRUCT.
 */
int fdt_read_reg(const struct fdt *fdt, int node, uint32_t index, struct fdt_range *out);

/* Number of entries in the memory reservation block (the terminator excluded), >= 0. */
int fdt_num_mem_rsv(const struct fdt *fdt);

/* Reads reservation `index`. Returns 0 or FDT_ERR_NOTFOUND (index out of range). */
int fdt_get_mem_rsv(const struct fdt *fdt, int index, struct fdt_range *out);
