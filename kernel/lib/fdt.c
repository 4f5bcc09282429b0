/*
 * Flattened device tree reader: see fdt.h. Layout, from the Devicetree Specification
 * v0.4 chapter 5:
 *
 *   header     ten big-endian u32 (nine before version 17, which added size_dt_struct)
 *   rsvmap     (u64 address, u64 size) pairs ending with a (0, 0) pair
 *   struct     a token stream, each token u32-aligned from the start of the block:
 *                BEGIN_NODE name NUL [pad]   END_NODE   NOP   END
 *                PROP u32 len, u32 nameoff, value[len] [pad]
 *   strings    NUL-terminated property names, addressed by nameoff
 *
 * Every token is decoded by read_tag, which checks that the whole token (name, value and
 * property name included) lies inside its block; everything else walks tokens only
 * through it. Offsets are u32 and stay below 2^31 (fdt_init caps totalsize), so the
 * additions below cannot wrap.
 */
#include "fdt.h"

#define FDT_BEGIN_NODE 0x1u
#define FDT_END_NODE   0x2u
#define FDT_PROP       0x3u
#define FDT_NOP        0x4u
#define FDT_END        0x9u

/* Header field offsets. */
#define HDR_MAGIC             0u
#define HDR_TOTALSIZE         4u
#define HDR_OFF_DT_STRUCT     8u
#define HDR_OFF_DT_STRINGS    12u
#define HDR_OFF_MEM_RSVMAP    16u
#define HDR_VERSION           20u
#define HDR_LAST_COMP_VERSION 24u
#define HDR_SIZE_DT_STRINGS   32u
#define HDR_SIZE_DT_STRUCT    36u
#define HDR_LEN_V16           36u
#define HDR_LEN_V17           40u

#define FDT_MIN_VERSION       16u
#define FDT_MAX_COMP          17u
#define FDT_MAX_TOTAL         0x7fffffffu
#define RSV_ENTRY_LEN         16u
#define PROP_HDR_LEN          12u /* token, len, nameoff */
#define TOKEN_LEN             4u
#define MAX_CELLS             2u
#define DEFAULT_ADDR_CELLS    2u
#define DEFAULT_SIZE_CELLS    1u

/* One decoded structure-block token. */
struct tag {
	uint32_t type;
	uint32_t next; /* offset of the following token */
	uint32_t name; /* BEGIN_NODE: name offset in struct; PROP: nameoff in strings */
	uint32_t val;  /* PROP: value offset in struct */
	uint32_t len;  /* PROP: value length */
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static uint32_t align4(uint32_t x)
{
	return (x + 3u) & ~3u;
}

/* Length of the string at `s`, looking at most `max` bytes; `max` if unterminated. */
static uint32_t strnlen_bounded(const char *s, uint32_t max)
{
	uint32_t n = 0;
	while (n < max && s[n] != '\0')
		n++;
	return n;
}

/* Both strings must be NUL-terminated; stops at the first difference. */
static bool str_eq(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

static const uint8_t *struct_ptr(const struct fdt *fdt, uint32_t off)
{
	return fdt->blob + fdt->off_struct + off;
}

static const char *strings_ptr(const struct fdt *fdt, uint32_t off)
{
	return (const char *)fdt->blob + fdt->off_strings + off;
}

/* True if the block [off, off + size) lies after the header and inside the blob. */
static bool block_ok(uint32_t off, uint32_t size, uint32_t hdr_len, uint32_t total)
{
	return off >= hdr_len && off <= total && size <= total - off;
}

/* Counts reservation entries up to the (0, 0) terminator, which must lie inside the blob. */
static int count_mem_rsv(struct fdt *fdt)
{
	uint32_t n = 0;
	/* Invariant: off <= size, and it grows by 16 per step, so the loop ends. */
	for (uint32_t off = fdt->off_rsvmap; fdt->size - off >= RSV_ENTRY_LEN;
	     off += RSV_ENTRY_LEN, n++) {
		const uint8_t *e = fdt->blob + off;
		if (be64(e) == 0 && be64(e + 8) == 0) {
			fdt->num_mem_rsv = n;
			return 0;
		}
	}
	return FDT_ERR_BADHEADER;
}

/* Version 17 added size_dt_struct to the header. */
static uint32_t header_len(uint32_t version)
{
	return version >= 17 ? HDR_LEN_V17 : HDR_LEN_V16;
}

/* Fills the block fields of `fdt` from header `b` and checks them against totalsize. */
static int read_blocks(struct fdt *fdt, const uint8_t *b, uint32_t version)
{
	uint32_t hdr_len = header_len(version);
	uint32_t total = fdt->size;

	fdt->off_struct = be32(b + HDR_OFF_DT_STRUCT);
	fdt->off_strings = be32(b + HDR_OFF_DT_STRINGS);
	fdt->size_strings = be32(b + HDR_SIZE_DT_STRINGS);
	fdt->off_rsvmap = be32(b + HDR_OFF_MEM_RSVMAP);
	if (fdt->off_struct < hdr_len || fdt->off_struct > total)
		return FDT_ERR_BADHEADER;
	/* Before v17 the structure block's size is unknown: let it run to the end. */
	fdt->size_struct =
	    hdr_len == HDR_LEN_V17 ? be32(b + HDR_SIZE_DT_STRUCT) : total - fdt->off_struct;
	if (!block_ok(fdt->off_struct, fdt->size_struct, hdr_len, total) ||
	    !block_ok(fdt->off_strings, fdt->size_strings, hdr_len, total) ||
	    !block_ok(fdt->off_rsvmap, 0, hdr_len, total))
		return FDT_ERR_BADHEADER;
	return count_mem_rsv(fdt);
}

int fdt_init(struct fdt *fdt, const void *blob, size_t max_size)
{
	const uint8_t *b = blob;

	if (b == NULL || max_size < 4)
		return FDT_ERR_BADHEADER;
	if (be32(b + HDR_MAGIC) != FDT_MAGIC)
		return FDT_ERR_BADMAGIC;
	if (max_size < HDR_LEN_V16)
		return FDT_ERR_BADHEADER;
	uint32_t version = be32(b + HDR_VERSION);
	if (version < FDT_MIN_VERSION || be32(b + HDR_LAST_COMP_VERSION) > FDT_MAX_COMP)
		return FDT_ERR_BADHEADER;
	uint32_t hdr_len = header_len(version);
	uint32_t total = be32(b + HDR_TOTALSIZE);
	if (max_size < hdr_len || total < hdr_len || total > max_size || total > FDT_MAX_TOTAL)
		return FDT_ERR_BADHEADER;
	fdt->blob = b;
	fdt->size = total;
	return read_blocks(fdt, b, version);
}

uint32_t fdt_total_size(const struct fdt *fdt)
{
	return fdt->size;
}

/* Decodes a BEGIN_NODE token at `off`: its name must end inside the structure block. */
static int read_begin(const struct fdt *fdt, uint32_t off, struct tag *t)
{
	uint32_t name = off + TOKEN_LEN;
	uint32_t room = fdt->size_struct - name;
	uint32_t n = strnlen_bounded((const char *)struct_ptr(fdt, name), room);

	if (n == room)
		return FDT_ERR_BADSTRUCT;
	t->name = name;
	t->next = align4(name + n + 1);
	return 0;
}

/* Decodes a PROP token at `off`: value inside the structure block, name inside strings. */
static int read_prop(const struct fdt *fdt, uint32_t off, struct tag *t)
{
	if (fdt->size_struct - off < PROP_HDR_LEN)
		return FDT_ERR_BADSTRUCT;
	t->len = be32(struct_ptr(fdt, off + 4));
	t->name = be32(struct_ptr(fdt, off + 8));
	t->val = off + PROP_HDR_LEN;
	if (t->len > fdt->size_struct - t->val || t->name >= fdt->size_strings)
		return FDT_ERR_BADSTRUCT;
	uint32_t room = fdt->size_strings - t->name;
	if (strnlen_bounded(strings_ptr(fdt, t->name), room) == room)
		return FDT_ERR_BADSTRUCT;
	t->next = align4(t->val + t->len);
	return 0;
}

/*
 * Decodes the token at structure offset `off` into `t`. Returns 0 or FDT_ERR_BADSTRUCT
 * (token outside the block, unknown, or with a payload outside its block). On success
 * t->next > off, which is what makes every walk finite.
 */
static int read_tag(const struct fdt *fdt, uint32_t off, struct tag *t)
{
	if (off > fdt->size_struct || fdt->size_struct - off < TOKEN_LEN)
		return FDT_ERR_BADSTRUCT;
	t->type = be32(struct_ptr(fdt, off));
	t->next = off + TOKEN_LEN;
	switch (t->type) {
	case FDT_BEGIN_NODE:
		return read_begin(fdt, off, t);
	case FDT_PROP:
		return read_prop(fdt, off, t);
	case FDT_END_NODE:
	case FDT_NOP:
	case FDT_END:
		return 0;
	default:
		return FDT_ERR_BADSTRUCT;
	}
}

/* Decodes the BEGIN_NODE token of `node`; FDT_ERR_BADOFFSET if there is none there. */
static int node_tag(const struct fdt *fdt, int node, struct tag *t)
{
	if (node < 0 || ((uint32_t)node & 3u) != 0 || (uint32_t)node >= fdt->size_struct ||
	    fdt->size_struct - (uint32_t)node < TOKEN_LEN)
		return FDT_ERR_BADOFFSET;
	if (be32(struct_ptr(fdt, (uint32_t)node)) != FDT_BEGIN_NODE)
		return FDT_ERR_BADOFFSET;
	return read_tag(fdt, (uint32_t)node, t);
}

int fdt_next_node(const struct fdt *fdt, int node, int *depth)
{
	struct tag t;
	uint32_t off = 0;
	int delta = 0;

	if (node != -1) {
		int err = node_tag(fdt, node, &t);
		if (err)
			return err;
		off = t.next;
	}
	/* Invariant: delta is the depth change from `node` to the token at off. */
	for (;;) {
		int err = read_tag(fdt, off, &t);
		if (err)
			return err;
		if (t.type == FDT_BEGIN_NODE) {
			if (depth)
				*depth += delta + 1;
			return (int)off;
		}
		if (t.type == FDT_END)
			return FDT_ERR_NOTFOUND;
		if (t.type == FDT_END_NODE)
			delta--;
		off = t.next;
	}
}

int fdt_first_subnode(const struct fdt *fdt, int node)
{
	int depth = 0;
	int child = fdt_next_node(fdt, node, &depth);

	if (child < 0)
		return child;
	return depth == 1 ? child : FDT_ERR_NOTFOUND;
}

int fdt_next_subnode(const struct fdt *fdt, int node)
{
	int depth = 0;
	int next = node;

	/* Skip `node`'s descendants (depth > 0); stop at a sibling (0) or above it (< 0). */
	do {
		next = fdt_next_node(fdt, next, &depth);
		if (next < 0)
			return next;
	} while (depth > 0);
	return depth == 0 ? next : FDT_ERR_NOTFOUND;
}

const char *fdt_node_name(const struct fdt *fdt, int node)
{
	struct tag t;

	if (node_tag(fdt, node, &t) != 0)
		return NULL;
	return (const char *)struct_ptr(fdt, t.name);
}

/*
 * True if node name `name` is path component comp[0..len), or that followed by a unit
 * address ("@..."). A component that has a unit address can only match exactly, since a
 * name holds a single '@'. Stops at the first difference, so `name`'s NUL bounds it.
 */
static bool name_matches(const char *name, const char *comp, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++) {
		if (name[i] != comp[i])
			return false;
	}
	return name[len] == '\0' || name[len] == '@';
}

/* The child of `parent` matching path component comp[0..len), or a negative error. */
static int find_child(const struct fdt *fdt, int parent, const char *comp, uint32_t len)
{
	int child = fdt_first_subnode(fdt, parent);

	while (child >= 0 && !name_matches(fdt_node_name(fdt, child), comp, len))
		child = fdt_next_subnode(fdt, child);
	return child;
}

int fdt_path_offset(const struct fdt *fdt, const char *path)
{
	if (path == NULL || path[0] != '/')
		return FDT_ERR_NOTFOUND;
	int node = fdt_next_node(fdt, -1, NULL);
	const char *p = path;
	while (node >= 0) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			return node;
		uint32_t len = 0;
		while (p[len] != '\0' && p[len] != '/')
			len++;
		node = find_child(fdt, node, p, len);
		p += len;
	}
	return node;
}

/* The absolute depth of `node` (root 0), found by walking from the root. */
static int node_depth(const struct fdt *fdt, int node)
{
	int depth = -1;
	int cur = -1;

	do {
		cur = fdt_next_node(fdt, cur, &depth);
		if (cur < 0)
			return cur == FDT_ERR_NOTFOUND ? FDT_ERR_BADOFFSET : cur;
	} while (cur < node);
	if (cur != node)
		return FDT_ERR_BADOFFSET; /* a BEGIN_NODE word inside some value */
	return depth < 0 ? FDT_ERR_BADSTRUCT : depth;
}

int fdt_parent(const struct fdt *fdt, int node)
{
	struct tag t;
	int err = node_tag(fdt, node, &t);

	if (err)
		return err;
	int node_level = node_depth(fdt, node);
	if (node_level < 0)
		return node_level;
	if (node_level == 0)
		return FDT_ERR_NOTFOUND;
	/* The parent is the last node one level up before `node` in document order. */
	int depth = -1;
	int parent = FDT_ERR_NOTFOUND;
	for (int cur = fdt_next_node(fdt, -1, &depth); cur >= 0 && cur < node;
	     cur = fdt_next_node(fdt, cur, &depth)) {
		if (depth == node_level - 1)
			parent = cur;
	}
	return parent;
}

/* Finds property `name` of `node` into `t`. Returns 0 or a negative error. */
static int find_prop(const struct fdt *fdt, int node, const char *name, struct tag *t)
{
	int err = node_tag(fdt, node, t);

	if (err)
		return err;
	/* Properties follow the node's name, before any subnode; each step moves forward. */
	for (uint32_t off = t->next;; off = t->next) {
		err = read_tag(fdt, off, t);
		if (err)
			return err;
		if (t->type == FDT_PROP && str_eq(strings_ptr(fdt, t->name), name))
			return 0;
		if (t->type != FDT_PROP && t->type != FDT_NOP)
			return FDT_ERR_NOTFOUND;
	}
}

const void *fdt_getprop(const struct fdt *fdt, int node, const char *name, uint32_t *len)
{
	struct tag t;

	if (find_prop(fdt, node, name, &t) != 0)
		return NULL;
	if (len)
		*len = t.len;
	return struct_ptr(fdt, t.val);
}

const char *fdt_get_string(const struct fdt *fdt, int node, const char *name)
{
	uint32_t len;
	const char *s = fdt_getprop(fdt, node, name, &len);

	if (s == NULL || strnlen_bounded(s, len) == len)
		return NULL;
	return s;
}

/* True if the string list list[0..len) holds `s`; an unterminated tail never matches. */
static bool stringlist_contains(const char *list, uint32_t len, const char *s)
{
	uint32_t pos = 0;

	while (pos < len) {
		uint32_t n = strnlen_bounded(list + pos, len - pos);
		if (n == len - pos)
			return false;
		if (str_eq(list + pos, s))
			return true;
		pos += n + 1;
	}
	return false;
}

bool fdt_is_compatible(const struct fdt *fdt, int node, const char *compat)
{
	uint32_t len;
	const char *list = fdt_getprop(fdt, node, "compatible", &len);

	return list != NULL && stringlist_contains(list, len, compat);
}

static bool device_type_is(const struct fdt *fdt, int node, const char *type)
{
	const char *s = fdt_get_string(fdt, node, "device_type");

	return s != NULL && str_eq(s, type);
}

/* The first node after `start` for which match(fdt, node, arg) holds. */
static int find_node(const struct fdt *fdt, int start,
		     bool (*match)(const struct fdt *, int, const char *), const char *arg)
{
	int node = start;

	do {
		node = fdt_next_node(fdt, node, NULL);
	} while (node >= 0 && !match(fdt, node, arg));
	return node;
}

int fdt_find_compatible(const struct fdt *fdt, int start, const char *compat)
{
	return find_node(fdt, start, fdt_is_compatible, compat);
}

int fdt_find_device_type(const struct fdt *fdt, int start, const char *type)
{
	return find_node(fdt, start, device_type_is, type);
}

int fdt_read_u32(const struct fdt *fdt, int node, const char *name, uint32_t *out)
{
	struct tag t;
	int err = find_prop(fdt, node, name, &t);

	if (err)
		return err;
	if (t.len != 4)
		return FDT_ERR_BADVALUE;
	*out = be32(struct_ptr(fdt, t.val));
	return 0;
}

int fdt_read_cell(const struct fdt *fdt, int node, const char *name, uint32_t index, uint32_t *out)
{
	struct tag t;
	int err = find_prop(fdt, node, name, &t);

	if (err)
		return err;
	if (t.len % 4 != 0)
		return FDT_ERR_BADVALUE;
	if (index >= t.len / 4)
		return FDT_ERR_NOTFOUND;
	*out = be32(struct_ptr(fdt, t.val + index * 4));
	return 0;
}

/* Reads #address-cells or #size-cells of `node` into *out: `def` if absent, at most 2. */
static int cell_count(const struct fdt *fdt, int node, const char *name, uint32_t def,
		      uint32_t *out)
{
	int err = fdt_read_u32(fdt, node, name, out);

	if (err == FDT_ERR_NOTFOUND) {
		*out = def;
		return 0;
	}
	if (err)
		return err;
	return *out > MAX_CELLS ? FDT_ERR_BADVALUE : 0;
}

/* The address and size cell counts that apply to the reg property of `node`. */
static int reg_cells(const struct fdt *fdt, int node, uint32_t *addr, uint32_t *size)
{
	int parent = fdt_parent(fdt, node);

	*addr = DEFAULT_ADDR_CELLS;
	*size = DEFAULT_SIZE_CELLS;
	if (parent == FDT_ERR_NOTFOUND)
		return 0; /* the root: nothing above it says otherwise */
	if (parent < 0)
		return parent;
	int err = cell_count(fdt, parent, "#address-cells", DEFAULT_ADDR_CELLS, addr);
	if (err)
		return err;
	err = cell_count(fdt, parent, "#size-cells", DEFAULT_SIZE_CELLS, size);
	if (err)
		return err;
	return *addr + *size == 0 ? FDT_ERR_BADVALUE : 0;
}

/* Big-endian number of `n` (<= 2) cells at p. */
static uint64_t read_cells(const uint8_t *p, uint32_t n)
{
	uint64_t v = 0;

	for (uint32_t i = 0; i < n; i++)
		v = v << 32 | be32(p + 4 * i);
	return v;
}

int fdt_read_reg(const struct fdt *fdt, int node, uint32_t index, struct fdt_range *out)
{
	uint32_t addr_cells, size_cells;
	int err = reg_cells(fdt, node, &addr_cells, &size_cells);

	if (err)
		return err;
	struct tag t;
	err = find_prop(fdt, node, "reg", &t);
	if (err)
		return err;
	uint32_t entry = 4 * (addr_cells + size_cells);
	if (t.len % entry != 0)
		return FDT_ERR_BADVALUE;
	if (index >= t.len / entry)
		return FDT_ERR_NOTFOUND;
	const uint8_t *p = struct_ptr(fdt, t.val + index * entry);
	out->base = read_cells(p, addr_cells);
	out->size = read_cells(p + 4 * addr_cells, size_cells);
	return 0;
}

int fdt_num_mem_rsv(const struct fdt *fdt)
{
	return (int)fdt->num_mem_rsv;
}

int fdt_get_mem_rsv(const struct fdt *fdt, int index, struct fdt_range *out)
{
	if (index < 0 || (uint32_t)index >= fdt->num_mem_rsv)
		return FDT_ERR_NOTFOUND;
	const uint8_t *e = fdt->blob + fdt->off_rsvmap + (uint32_t)index * RSV_ENTRY_LEN;
	out->base = be64(e);
	out->size = be64(e + 8);
	return 0;
}
