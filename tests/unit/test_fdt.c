/*
 * Host tests for kernel/lib/fdt.c. Usage: test_fdt DATA_DIR, where DATA_DIR holds the
 * DTBs dumped from QEMU's virt machine. Blobs are copied into exactly-sized heap buffers
 * (and shrunk to the bytes their blocks use), so under -fsanitize=address any read past
 * the end of a blob is reported.
 */
#include <stdlib.h>

#include "check.h"
#include "lib/fdt.h"

CHECK_DEFINE_GLOBALS;

/* Header field offsets (see the Devicetree Specification, 5.2). */
#define H_MAGIC      0u
#define H_TOTAL      4u
#define H_STRUCT     8u
#define H_STRINGS    12u
#define H_RSVMAP     16u
#define H_VERSION    20u
#define H_LASTCOMP   24u
#define H_SZSTRINGS  32u
#define H_SZSTRUCT   36u
#define HDR_LEN      40u
#define MAX_FILE     (4u << 20)

#define TOK_BEGIN    1u
#define TOK_END_NODE 2u
#define TOK_PROP     3u
#define TOK_END      9u

#define CHECK_REG(f, node, i, b, s)                         \
	do {                                                \
		struct fdt_range r_ = { 1, 1 };             \
		CHECK_EQ(fdt_read_reg(f, node, i, &r_), 0); \
		CHECK_EQ(r_.base, b);                       \
		CHECK_EQ(r_.size, s);                       \
	} while (0)

#define CHECK_NAME(f, node, name) CHECK_STR(fdt_node_name(f, node), name)

struct blob {
	uint8_t *data;
	uint32_t size;
};

/* The compacted QEMU blobs and their parsed trees (set up in main). */
static struct blob raw_a72, small_a72, small_el2, small_v3;
static struct fdt a72, el2, v3;

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Reads DIR/NAME (at most MAX_FILE bytes) into a heap buffer; exits if it cannot. */
static struct blob load(const char *dir, const char *name)
{
	char path[512];
	struct blob b = { malloc(MAX_FILE), 0 };
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	if (f)
		b.size = (uint32_t)fread(b.data, 1, MAX_FILE, f);
	if (!f || b.size < HDR_LEN || b.size == MAX_FILE) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(2);
	}
	fclose(f);
	return b;
}

/* A copy of `b` cut to the end of its last block, with totalsize patched to match. */
static struct blob compact(struct blob b)
{
	uint32_t end_struct = get32(b.data + H_STRUCT) + get32(b.data + H_SZSTRUCT);
	uint32_t end_strings = get32(b.data + H_STRINGS) + get32(b.data + H_SZSTRINGS);
	struct blob c = { NULL, end_struct > end_strings ? end_struct : end_strings };
	c.data = malloc(c.size);
	memcpy(c.data, b.data, c.size);
	put32(c.data + H_TOTAL, c.size);
	return c;
}

/* A mutable, exactly-sized copy of `b` for header-corruption tests. */
static struct blob dup_blob(struct blob b)
{
	struct blob c = { malloc(b.size), b.size };
	memcpy(c.data, b.data, b.size);
	return c;
}

/* Inits a copy of small_a72 with header field `field` set to `value`. */
static int init_patched(uint32_t field, uint32_t value)
{
	struct blob c = dup_blob(small_a72);
	struct fdt f;
	put32(c.data + field, value);
	int err = fdt_init(&f, c.data, c.size);
	free(c.data);
	return err;
}

/*
 * Synthetic blobs: a structure and a strings block built token by token, laid out as
 * header, reservation map, strings, structure, so the structure block ends the buffer.
 */
struct dtb {
	uint8_t st[512];
	uint32_t st_len;
	char str[256];
	uint32_t str_len;
};

/* Appends n bytes and pads the structure block to a multiple of 4. */
static void st_raw(struct dtb *d, const void *p, uint32_t n)
{
	memcpy(d->st + d->st_len, p, n);
	d->st_len += n;
	while (d->st_len % 4)
		d->st[d->st_len++] = 0;
}

static void st_u32(struct dtb *d, uint32_t v)
{
	put32(d->st + d->st_len, v);
	d->st_len += 4;
}

static void dt_begin(struct dtb *d, const char *name)
{
	st_u32(d, TOK_BEGIN);
	st_raw(d, name, (uint32_t)strlen(name) + 1);
}

static uint32_t dt_string(struct dtb *d, const char *name)
{
	uint32_t off = d->str_len;
	memcpy(d->str + off, name, strlen(name) + 1);
	d->str_len += (uint32_t)strlen(name) + 1;
	return off;
}

static void dt_prop(struct dtb *d, const char *name, const void *val, uint32_t len)
{
	st_u32(d, TOK_PROP);
	st_u32(d, len);
	st_u32(d, dt_string(d, name));
	st_raw(d, val, len);
}

static void dt_prop_u32(struct dtb *d, const char *name, uint32_t v)
{
	uint8_t be[4];
	put32(be, v);
	dt_prop(d, name, be, 4);
}

/* Writes a blob header; the caller's buffer must hold HDR_LEN bytes. */
static void put_header(uint8_t *b, uint32_t total, uint32_t off_rsv, uint32_t off_strings,
		       uint32_t size_strings, uint32_t off_struct, uint32_t size_struct)
{
	/* magic, totalsize, structure, strings, rsvmap, version, last_comp, cpu, sizes */
	const uint32_t fields[HDR_LEN / 4] = { FDT_MAGIC,    total,      off_struct, off_strings,
					       off_rsv,      17,         16,         0,
					       size_strings, size_struct };
	for (uint32_t i = 0; i < HDR_LEN / 4; i++)
		put32(b + 4 * i, fields[i]);
}

/* Lays out `d` with `n_rsv` (base, size) pairs from `rsv`; heap buffer, exact size. */
static struct blob dt_blob(const struct dtb *d, const uint64_t *rsv, int n_rsv)
{
	uint32_t off_rsv = HDR_LEN, rsv_len = 16u * ((uint32_t)n_rsv + 1);
	uint32_t off_strings = off_rsv + rsv_len;
	uint32_t off_struct = (off_strings + d->str_len + 3u) & ~3u;
	struct blob b = { calloc(1, off_struct + d->st_len), off_struct + d->st_len };
	put_header(b.data, b.size, off_rsv, off_strings, d->str_len, off_struct, d->st_len);
	for (int i = 0; i < 2 * n_rsv; i++) {
		put32(b.data + off_rsv + 8 * i, (uint32_t)(rsv[i] >> 32));
		put32(b.data + off_rsv + 8 * i + 4, (uint32_t)rsv[i]);
	}
	memcpy(b.data + off_strings, d->str, d->str_len);
	memcpy(b.data + off_struct, d->st, d->st_len);
	return b;
}

/* A root with "#address-cells" = ac (if ac >= 0), one child "dev@100" with `reg`. */
static struct blob reg_blob(int ac, int sc, const uint32_t *reg, uint32_t n_reg)
{
	struct dtb d = { .st_len = 0 };
	uint8_t be[64];
	dt_begin(&d, "");
	if (ac >= 0)
		dt_prop_u32(&d, "#address-cells", (uint32_t)ac);
	if (sc >= 0)
		dt_prop_u32(&d, "#size-cells", (uint32_t)sc);
	dt_begin(&d, "dev@100");
	for (uint32_t i = 0; i < n_reg; i++)
		put32(be + 4 * i, reg[i]);
	dt_prop(&d, "reg", be, 4 * n_reg);
	dt_prop(&d, "s", "abc", 3);
	dt_prop(&d, "compatible", "a\0bc", 4);
	st_u32(&d, TOK_END_NODE);
	st_u32(&d, TOK_END_NODE);
	st_u32(&d, TOK_END);
	return dt_blob(&d, NULL, 0);
}

static void test_init_accepts_qemu_blobs(void)
{
	struct fdt f;
	CHECK_EQ(fdt_init(&f, raw_a72.data, raw_a72.size), 0);
	CHECK_EQ(fdt_total_size(&f), 0x100000);
	CHECK_EQ(fdt_init(&f, small_a72.data, small_a72.size), 0);
	CHECK_EQ(fdt_total_size(&f), small_a72.size);
	CHECK_EQ(fdt_init(&f, small_el2.data, small_el2.size), 0);
	CHECK_EQ(fdt_init(&f, small_v3.data, small_v3.size), 0);
}

static void test_init_rejects_bad_magic(void)
{
	CHECK_EQ(init_patched(H_MAGIC, 0xd00dfeee), FDT_ERR_BADMAGIC);
	CHECK_EQ(init_patched(H_MAGIC, 0xedfe0dd0), FDT_ERR_BADMAGIC);
}

static void test_init_rejects_buffer_shorter_than_header(void)
{
	struct fdt f;
	CHECK_EQ(fdt_init(&f, NULL, 100), FDT_ERR_BADHEADER);
	CHECK_EQ(fdt_init(&f, small_a72.data, 0), FDT_ERR_BADHEADER);
	CHECK_EQ(fdt_init(&f, small_a72.data, 3), FDT_ERR_BADHEADER);
	CHECK_EQ(fdt_init(&f, small_a72.data, 20), FDT_ERR_BADHEADER);
	CHECK_EQ(fdt_init(&f, small_a72.data, HDR_LEN - 1), FDT_ERR_BADHEADER);
}

static void test_init_rejects_totalsize_beyond_buffer(void)
{
	struct fdt f;
	CHECK_EQ(fdt_init(&f, small_a72.data, small_a72.size - 1), FDT_ERR_BADHEADER);
	CHECK_EQ(init_patched(H_TOTAL, small_a72.size + 1), FDT_ERR_BADHEADER);
	CHECK_EQ(init_patched(H_TOTAL, 0xffffffff), FDT_ERR_BADHEADER);
	CHECK_EQ(init_patched(H_TOTAL, HDR_LEN - 4), FDT_ERR_BADHEADER);
}

static void test_init_rejects_unsupported_versions(void)
{
	CHECK_EQ(init_patched(H_VERSION, 15), FDT_ERR_BADHEADER);
	CHECK_EQ(init_patched(H_VERSION, 1), FDT_ERR_BADHEADER);
	CHECK_EQ(init_patched(H_LASTCOMP, 18), FDT_ERR_BADHEADER);
	CHECK_EQ(init_patched(H_VERSION, 18), 0); /* newer, but backwards compatible */
}

static void test_init_rejects_blocks_outside_blob(void)
{
	uint32_t total = small_a72.size;
	uint32_t off_struct = get32(small_a72.data + H_STRUCT);
	CHECK_EQ(init_patched(H_STRUCT, total), FDT_ERR_BADHEADER);
	CHECK_EQ(init_patched(H_SZSTRUCT, total - off_struct + 1), FDT_ERR_BADHEADER);
	CHECK_EQ(init_patched(H_STRUCT, 0xfffffffc), FDT_ERR_BADHEADER);
	CHECK_EQ(init_patched(H_STRUCT, 8), FDT_ERR_BADHEADER); /* inside the header */
	CHECK_EQ(init_patched(H_SZSTRUCT, total), FDT_ERR_BADHEADER);
	CHECK_EQ(init_patched(H_SZSTRUCT, 0xffffffff), FDT_ERR_BADHEADER);
	CHECK_EQ(init_patched(H_STRINGS, total - 1), FDT_ERR_BADHEADER);
	CHECK_EQ(init_patched(H_SZSTRINGS, total), FDT_ERR_BADHEADER);
	CHECK_EQ(init_patched(H_RSVMAP, total - 8), FDT_ERR_BADHEADER);
	CHECK_EQ(init_patched(H_RSVMAP, 0xfffffff0), FDT_ERR_BADHEADER);
}

static void test_init_rejects_unterminated_reservation_map(void)
{
	uint8_t *b = calloc(1, HDR_LEN + 32);
	struct fdt f;
	put_header(b, HDR_LEN + 32, HDR_LEN, HDR_LEN + 32, 0, HDR_LEN + 32, 0);
	memset(b + HDR_LEN, 0x11, 32); /* two entries, then the end of the blob */
	CHECK_EQ(fdt_init(&f, b, HDR_LEN + 32), FDT_ERR_BADHEADER);
	free(b);
}

static void test_version_16_header_is_accepted(void)
{
	struct blob c = dup_blob(small_a72);
	struct fdt f;
	put32(c.data + H_VERSION, 16);
	put32(c.data + H_SZSTRUCT, 0xdeadbeef); /* not a v16 field: ignored */
	CHECK_EQ(fdt_init(&f, c.data, c.size), 0);
	CHECK_NAME(&f, fdt_path_offset(&f, "/cpus/cpu@0"), "cpu@0");
	free(c.data);
}

static void test_next_node_from_minus_one_is_root_at_depth_0(void)
{
	int depth = -1;
	int root = fdt_next_node(&a72, -1, &depth);
	CHECK_EQ(root, 0);
	CHECK_EQ(depth, 0);
	CHECK_NAME(&a72, root, "");
	CHECK_EQ(fdt_next_node(&a72, -1, NULL), 0);
}

static void test_next_node_visits_every_node_at_its_depth(void)
{
	int depth = -1, count = 0, node, core0_depth = -1, cpu0_depth = -1;
	for (node = fdt_next_node(&a72, -1, &depth); node >= 0;
	     node = fdt_next_node(&a72, node, &depth), count++) {
		if (strcmp(fdt_node_name(&a72, node), "core0") == 0)
			core0_depth = depth;
		if (strcmp(fdt_node_name(&a72, node), "cpu@0") == 0)
			cpu0_depth = depth;
	}
	CHECK_EQ(node, FDT_ERR_NOTFOUND);
	CHECK_EQ(count, 56);
	CHECK_EQ(core0_depth, 5); /* /cpus/cpu-map/socket0/cluster0/core0 */
	CHECK_EQ(cpu0_depth, 2);  /* back up three levels after core0 */
}

static void test_subnodes_list_direct_children_only(void)
{
	int cpus = fdt_path_offset(&a72, "/cpus");
	int child = fdt_first_subnode(&a72, cpus);
	CHECK_NAME(&a72, child, "cpu-map");
	child = fdt_next_subnode(&a72, child);
	CHECK_NAME(&a72, child, "cpu@0");
	CHECK_EQ(fdt_next_subnode(&a72, child), FDT_ERR_NOTFOUND);
	CHECK_EQ(fdt_first_subnode(&a72, fdt_path_offset(&a72, "/psci")), FDT_ERR_NOTFOUND);
}

static void test_path_matches_root_and_full_names(void)
{
	CHECK_EQ(fdt_path_offset(&a72, "/"), 0);
	CHECK_EQ(fdt_path_offset(&a72, "//"), 0);
	CHECK_NAME(&a72, fdt_path_offset(&a72, "/pl011@9000000"), "pl011@9000000");
	CHECK_NAME(&a72, fdt_path_offset(&a72, "/chosen"), "chosen");
	CHECK_NAME(&a72, fdt_path_offset(&a72, "/memory@40000000"), "memory@40000000");
}

static void test_path_component_without_unit_address_matches(void)
{
	CHECK_NAME(&a72, fdt_path_offset(&a72, "/memory"), "memory@40000000");
	CHECK_NAME(&a72, fdt_path_offset(&a72, "/intc"), "intc@8000000");
	CHECK_NAME(&a72, fdt_path_offset(&a72, "/virtio_mmio"), "virtio_mmio@a000000");
}

static void test_path_nested(void)
{
	CHECK_NAME(&a72, fdt_path_offset(&a72, "/cpus/cpu@0"), "cpu@0");
	CHECK_NAME(&a72, fdt_path_offset(&a72, "/cpus/cpu"), "cpu@0");
	CHECK_NAME(&a72, fdt_path_offset(&a72, "/cpus/cpu-map/socket0/cluster0/core0/"), "core0");
	CHECK_NAME(&v3, fdt_path_offset(&v3, "/intc/its"), "its@8080000");
}

static void test_path_missing_or_partial_is_notfound(void)
{
	CHECK_EQ(fdt_path_offset(&a72, "/nonexistent"), FDT_ERR_NOTFOUND);
	CHECK_EQ(fdt_path_offset(&a72, "/cpus/cpu@1"), FDT_ERR_NOTFOUND);
	CHECK_EQ(fdt_path_offset(&a72, "/mem"), FDT_ERR_NOTFOUND);
	CHECK_EQ(fdt_path_offset(&a72, "/memory@4"), FDT_ERR_NOTFOUND);
	CHECK_EQ(fdt_path_offset(&a72, "/cpu@0"), FDT_ERR_NOTFOUND); /* not a root child */
	CHECK_EQ(fdt_path_offset(&a72, "cpus"), FDT_ERR_NOTFOUND);
	CHECK_EQ(fdt_path_offset(&a72, ""), FDT_ERR_NOTFOUND);
}

static void test_getprop_returns_value_and_length(void)
{
	uint32_t len = 0;
	const char *method = fdt_getprop(&a72, fdt_path_offset(&a72, "/psci"), "method", &len);
	CHECK_STR(method, "hvc");
	CHECK_EQ(len, 4);
	CHECK(fdt_getprop(&a72, 0, "dma-coherent", NULL) == NULL);
	const void *empty =
	    fdt_getprop(&a72, fdt_path_offset(&a72, "/fw-cfg"), "dma-coherent", &len);
	CHECK(empty != NULL);
	CHECK_EQ(len, 0);
}

static void test_psci_method_differs_by_blob(void)
{
	CHECK_STR(fdt_get_string(&a72, fdt_path_offset(&a72, "/psci"), "method"), "hvc");
	CHECK_STR(fdt_get_string(&el2, fdt_path_offset(&el2, "/psci"), "method"), "smc");
	CHECK_STR(fdt_get_string(&a72, fdt_path_offset(&a72, "/chosen"), "stdout-path"),
		  "/pl011@9000000");
}

static void test_compatible_matches_any_string_of_list(void)
{
	int psci = fdt_path_offset(&a72, "/psci");
	CHECK(fdt_is_compatible(&a72, psci, "arm,psci-1.0"));
	CHECK(fdt_is_compatible(&a72, psci, "arm,psci-0.2"));
	CHECK(fdt_is_compatible(&a72, psci, "arm,psci"));
	CHECK(!fdt_is_compatible(&a72, psci, "arm,psci-0"));
	CHECK(!fdt_is_compatible(&a72, psci, "arm,psci-0.2x"));
	CHECK(!fdt_is_compatible(&a72, psci, ""));
	CHECK(!fdt_is_compatible(&a72, fdt_path_offset(&a72, "/chosen"), "arm,psci"));
}

static void test_find_compatible_finds_devices(void)
{
	CHECK_EQ(fdt_find_compatible(&a72, -1, "arm,psci-0.2"), fdt_path_offset(&a72, "/psci"));
	CHECK_NAME(&a72, fdt_find_compatible(&a72, -1, "arm,pl011"), "pl011@9000000");
	CHECK_NAME(&a72, fdt_find_compatible(&a72, -1, "arm,cortex-a15-gic"), "intc@8000000");
	CHECK_NAME(&a72, fdt_find_compatible(&a72, -1, "arm,armv7-timer"), "timer");
	CHECK_EQ(fdt_find_compatible(&a72, -1, "linux,dummy-virt"), 0);
	CHECK_NAME(&v3, fdt_find_compatible(&v3, -1, "arm,gic-v3"), "intc@8000000");
	CHECK_EQ(fdt_find_compatible(&v3, -1, "arm,cortex-a15-gic"), FDT_ERR_NOTFOUND);
	CHECK_EQ(fdt_find_compatible(&a72, -1, "arm,gic-v3"), FDT_ERR_NOTFOUND);
}

static void test_find_compatible_resumes_after_start(void)
{
	int count = 0, node = -1;
	while ((node = fdt_find_compatible(&a72, node, "virtio,mmio")) >= 0)
		count++;
	CHECK_EQ(node, FDT_ERR_NOTFOUND);
	CHECK_EQ(count, 32);
}

static void test_find_device_type(void)
{
	int mem = fdt_find_device_type(&a72, -1, "memory");
	CHECK_NAME(&a72, mem, "memory@40000000");
	CHECK_EQ(fdt_find_device_type(&a72, mem, "memory"), FDT_ERR_NOTFOUND);
	CHECK_NAME(&a72, fdt_find_device_type(&a72, -1, "cpu"), "cpu@0");
	CHECK_NAME(&a72, fdt_find_device_type(&a72, -1, "pci"), "pcie@10000000");
	CHECK_EQ(fdt_find_device_type(&a72, -1, "mem"), FDT_ERR_NOTFOUND);
}

static void test_read_u32(void)
{
	uint32_t v = 0;
	int cpus = fdt_path_offset(&a72, "/cpus");
	CHECK_EQ(fdt_read_u32(&a72, cpus, "#address-cells", &v), 0);
	CHECK_EQ(v, 1);
	CHECK_EQ(fdt_read_u32(&a72, cpus, "#size-cells", &v), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(fdt_read_u32(&a72, fdt_path_offset(&a72, "/apb-pclk"), "clock-frequency", &v), 0);
	CHECK_EQ(v, 24000000);
	CHECK_EQ(fdt_read_u32(&a72, fdt_path_offset(&a72, "/memory"), "reg", &v), FDT_ERR_BADVALUE);
	CHECK_EQ(fdt_read_u32(&a72, cpus, "nope", &v), FDT_ERR_NOTFOUND);
}

static void test_read_cell_indexes_cells(void)
{
	static const uint32_t timer[12] = {
		1, 13, 0x104, 1, 14, 0x104, 1, 11, 0x104, 1, 10, 0x104
	};
	int uart = fdt_path_offset(&a72, "/pl011");
	int tmr = fdt_path_offset(&a72, "/timer");
	uint32_t v = 0;
	CHECK(fdt_read_cell(&a72, uart, "interrupts", 1, &v) == 0 && v == 1);
	CHECK(fdt_read_cell(&a72, uart, "interrupts", 2, &v) == 0 && v == 4);
	CHECK_EQ(fdt_read_cell(&a72, uart, "interrupts", 3, &v), FDT_ERR_NOTFOUND);
	for (uint32_t i = 0; i < 12; i++) {
		CHECK_EQ(fdt_read_cell(&a72, tmr, "interrupts", i, &v), 0);
		CHECK_EQ(v, timer[i]);
	}
	CHECK_EQ(fdt_read_cell(&a72, uart, "clock-names", 0, &v), FDT_ERR_BADVALUE); /* 17 bytes */
}

static void test_read_reg_memory_uses_root_cells(void)
{
	CHECK_REG(&a72, fdt_path_offset(&a72, "/memory"), 0, 0x40000000, 0x20000000);
	CHECK_REG(&el2, fdt_path_offset(&el2, "/memory"), 0, 0x40000000, 0x10000000);
	CHECK_REG(&v3, fdt_path_offset(&v3, "/memory"), 0, 0x40000000, 0x40000000);
	CHECK_REG(&a72, fdt_path_offset(&a72, "/pcie"), 0, 0x4010000000, 0x10000000);
}

static void test_read_reg_second_entry_and_past_end(void)
{
	struct fdt_range r;
	int gic = fdt_path_offset(&a72, "/intc");
	CHECK_REG(&a72, gic, 0, 0x8000000, 0x10000);
	CHECK_REG(&a72, gic, 1, 0x8010000, 0x10000);
	CHECK_EQ(fdt_read_reg(&a72, gic, 2, &r), FDT_ERR_NOTFOUND);
	CHECK_REG(&v3, fdt_path_offset(&v3, "/intc"), 1, 0x80a0000, 0xf60000);
	CHECK_REG(&el2, fdt_path_offset(&el2, "/intc"), 3, 0x8040000, 0x10000);
	CHECK_EQ(fdt_read_reg(&a72, fdt_path_offset(&a72, "/psci"), 0, &r), FDT_ERR_NOTFOUND);
}

static void test_read_reg_uses_parent_cells(void)
{
	/* v2m sits under intc (2/2); cpu@0 under /cpus (#address-cells 1, #size-cells 0). */
	CHECK_REG(&a72, fdt_path_offset(&a72, "/intc/v2m"), 0, 0x8020000, 0x1000);
	CHECK_REG(&a72, fdt_path_offset(&a72, "/cpus/cpu@0"), 0, 0, 0);
	struct fdt_range r;
	CHECK_EQ(fdt_read_reg(&a72, fdt_path_offset(&a72, "/cpus/cpu@0"), 1, &r), FDT_ERR_NOTFOUND);
}

static void test_read_reg_size_cells_zero(void)
{
	static const uint32_t reg[] = { 0x100, 0x101 };
	struct blob b = reg_blob(1, 0, reg, 2);
	struct fdt f;
	CHECK_EQ(fdt_init(&f, b.data, b.size), 0);
	int dev = fdt_path_offset(&f, "/dev");
	CHECK_REG(&f, dev, 0, 0x100, 0);
	CHECK_REG(&f, dev, 1, 0x101, 0);
	free(b.data);
}

static void test_read_reg_defaults_to_2_1_cells(void)
{
	static const uint32_t reg[] = { 0x1, 0x2, 0x3 };
	struct blob b = reg_blob(-1, -1, reg, 3);
	struct fdt f;
	CHECK_EQ(fdt_init(&f, b.data, b.size), 0);
	CHECK_REG(&f, fdt_path_offset(&f, "/dev@100"), 0, 0x100000002, 3);
	free(b.data);
}

static void test_read_reg_rejects_bad_cells(void)
{
	static const uint32_t reg[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	static const struct {
		int ac, sc;
		uint32_t n;
	} cases[] = {
		{ 3, 1, 4 }, { 1, 3, 4 }, { 0, 0, 1 }, { 2, 2, 5 }, { 1, 1, 3 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct blob b = reg_blob(cases[i].ac, cases[i].sc, reg, cases[i].n);
		struct fdt f;
		struct fdt_range r;
		CHECK_EQ(fdt_init(&f, b.data, b.size), 0);
		CHECK_EQ(fdt_read_reg(&f, fdt_path_offset(&f, "/dev"), 0, &r), FDT_ERR_BADVALUE);
		free(b.data);
	}
}

static void test_parent(void)
{
	int cpus = fdt_path_offset(&a72, "/cpus");
	CHECK_EQ(fdt_parent(&a72, fdt_path_offset(&a72, "/cpus/cpu@0")), cpus);
	CHECK_EQ(fdt_parent(&a72, cpus), 0);
	CHECK_EQ(fdt_parent(&a72, 0), FDT_ERR_NOTFOUND);
	CHECK_NAME(&a72,
		   fdt_parent(&a72, fdt_path_offset(&a72, "/cpus/cpu-map/socket0/cluster0/core0")),
		   "cluster0");
	CHECK_EQ(fdt_parent(&a72, fdt_path_offset(&a72, "/intc/v2m")),
		 fdt_path_offset(&a72, "/intc"));
}

static void test_bad_node_offsets_are_rejected(void)
{
	int prop = 8; /* root's first token after its empty name is a property */
	uint32_t v;
	CHECK(fdt_node_name(&a72, 3) == NULL);
	CHECK(fdt_node_name(&a72, prop) == NULL);
	CHECK(fdt_node_name(&a72, (int)a72.size_struct) == NULL);
	CHECK(fdt_getprop(&a72, FDT_ERR_NOTFOUND, "reg", NULL) == NULL);
	CHECK_EQ(fdt_next_node(&a72, prop, NULL), FDT_ERR_BADOFFSET);
	CHECK_EQ(fdt_next_node(&a72, -2, NULL), FDT_ERR_BADOFFSET);
	CHECK_EQ(fdt_parent(&a72, 2), FDT_ERR_BADOFFSET);
	CHECK_EQ(fdt_read_u32(&a72, 0x7ffffffc, "reg", &v), FDT_ERR_BADOFFSET);
	CHECK_EQ(fdt_find_compatible(&a72, 5, "arm,pl011"), FDT_ERR_BADOFFSET);
	CHECK(!fdt_is_compatible(&a72, -1, "linux,dummy-virt"));
}

static void test_qemu_blobs_have_no_reservations(void)
{
	struct fdt_range r;
	CHECK_EQ(fdt_num_mem_rsv(&a72), 0);
	CHECK_EQ(fdt_num_mem_rsv(&v3), 0);
	CHECK_EQ(fdt_get_mem_rsv(&a72, 0, &r), FDT_ERR_NOTFOUND);
}

static void test_reservation_entries_are_read(void)
{
	static const uint64_t rsv[] = { 0x48000000, 0x100000, 0x123456789a, 0x1000 };
	struct dtb d = { .st_len = 0 };
	struct fdt f;
	struct fdt_range r;
	dt_begin(&d, "");
	st_u32(&d, TOK_END_NODE);
	st_u32(&d, TOK_END);
	struct blob b = dt_blob(&d, rsv, 2);
	CHECK_EQ(fdt_init(&f, b.data, b.size), 0);
	CHECK_EQ(fdt_num_mem_rsv(&f), 2);
	CHECK(fdt_get_mem_rsv(&f, 0, &r) == 0 && r.base == 0x48000000 && r.size == 0x100000);
	CHECK(fdt_get_mem_rsv(&f, 1, &r) == 0 && r.base == 0x123456789a && r.size == 0x1000);
	CHECK_EQ(fdt_get_mem_rsv(&f, 2, &r), FDT_ERR_NOTFOUND);
	CHECK_EQ(fdt_get_mem_rsv(&f, -1, &r), FDT_ERR_NOTFOUND);
	CHECK_EQ(fdt_next_node(&f, 0, NULL), FDT_ERR_NOTFOUND);
	free(b.data);
}

/* Inits the blob of `d` (structure block last in the buffer) and walks past the root. */
static int walk_after_root(const struct dtb *d)
{
	struct blob b = dt_blob(d, NULL, 0);
	struct fdt f;
	int err = fdt_init(&f, b.data, b.size);
	if (err == 0)
		err = fdt_next_node(&f, 0, NULL);
	if (err == FDT_ERR_BADSTRUCT) /* the other entry points agree */
		CHECK_EQ(fdt_path_offset(&f, "/abcd/x"), FDT_ERR_BADSTRUCT);
	free(b.data);
	return err;
}

static void test_unterminated_node_name_is_badstruct(void)
{
	struct dtb d = { .st_len = 0 };
	dt_begin(&d, "");
	st_u32(&d, TOK_BEGIN);
	st_raw(&d, "abcd", 4); /* no NUL before the end of the block */
	CHECK_EQ(walk_after_root(&d), FDT_ERR_BADSTRUCT);
}

static void test_token_past_end_is_badstruct(void)
{
	struct dtb d = { .st_len = 0 };
	dt_begin(&d, "");
	st_u32(&d, TOK_PROP);
	st_u32(&d, 0x100); /* value runs past the block */
	st_u32(&d, dt_string(&d, "p"));
	CHECK_EQ(walk_after_root(&d), FDT_ERR_BADSTRUCT);
	d.st_len -= 6; /* property header cut in the middle */
	CHECK_EQ(walk_after_root(&d), FDT_ERR_BADSTRUCT);
	d.st_len = 10; /* a token cut after two bytes */
	CHECK_EQ(walk_after_root(&d), FDT_ERR_BADSTRUCT);
	d.st_len = 8; /* the block ends after the root's name: no END token */
	CHECK_EQ(walk_after_root(&d), FDT_ERR_BADSTRUCT);
	st_u32(&d, 7); /* unknown token */
	CHECK_EQ(walk_after_root(&d), FDT_ERR_BADSTRUCT);
}

static void test_property_name_outside_strings_is_badstruct(void)
{
	struct dtb d = { .st_len = 0 };
	dt_begin(&d, "");
	dt_string(&d, "ab");
	st_u32(&d, TOK_PROP);
	st_u32(&d, 0);
	st_u32(&d, d.str_len); /* one past the strings block */
	st_u32(&d, TOK_END_NODE);
	st_u32(&d, TOK_END);
	CHECK_EQ(walk_after_root(&d), FDT_ERR_BADSTRUCT);
	d.str[d.str_len - 1] = 'c'; /* "abc" runs off the end of the block */
	put32(d.st + 16, 0);        /* the nameoff field of the property at 8 */
	CHECK_EQ(walk_after_root(&d), FDT_ERR_BADSTRUCT);
}

static void test_unterminated_string_values_are_not_strings(void)
{
	static const uint32_t reg[] = { 0, 0, 0 };
	struct blob b = reg_blob(-1, -1, reg, 3);
	struct fdt f;
	CHECK_EQ(fdt_init(&f, b.data, b.size), 0);
	int dev = fdt_path_offset(&f, "/dev");
	CHECK(fdt_getprop(&f, dev, "s", NULL) != NULL);
	CHECK(fdt_get_string(&f, dev, "s") == NULL);
	CHECK(fdt_is_compatible(&f, dev, "a"));
	CHECK(!fdt_is_compatible(&f, dev, "bc"));
	free(b.data);
}

static uint32_t rng_state = 0x2545f491;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static bool is_result(int r)
{
	return r >= 0 || (r >= FDT_ERR_BADOFFSET && r <= FDT_ERR_BADMAGIC);
}

/* Calls every lookup on a possibly corrupt tree; every node returned must be a node. */
static void exercise(const struct fdt *f)
{
	static const char *const paths[] = { "/", "/memory", "/cpus/cpu@0", "/intc/v2m", "/psci" };
	struct fdt_range r;
	uint32_t v, len;
	int depth = -1, n = 0;
	for (int node = fdt_next_node(f, -1, &depth); node >= 0;
	     node = fdt_next_node(f, node, &depth)) {
		CHECK(fdt_node_name(f, node) != NULL);
		CHECK(++n <= (int)(f->size_struct / 8)); /* each node takes >= 8 bytes */
		fdt_is_compatible(f, node, "arm,pl011");
		fdt_getprop(f, node, "reg", &len);
		if (n % 16 == 0) {
			CHECK(is_result(fdt_parent(f, node)));
			CHECK(is_result(fdt_next_subnode(f, node)));
			CHECK(is_result(fdt_read_reg(f, node, 1, &r)));
		}
	}
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		int node = fdt_path_offset(f, paths[i]);
		CHECK(is_result(node));
		CHECK(node < 0 || fdt_node_name(f, node) != NULL);
		CHECK(is_result(fdt_read_reg(f, node, 0, &r)));
		CHECK(is_result(fdt_read_cell(f, node, "compatible", 1, &v)));
		CHECK(is_result(fdt_first_subnode(f, node)));
		fdt_get_string(f, node, "method");
	}
	for (int node = -1; (node = fdt_find_compatible(f, node, "virtio,mmio")) >= 0;)
		CHECK(fdt_node_name(f, node) != NULL);
	CHECK(is_result(fdt_find_device_type(f, -1, "memory")));
	CHECK(is_result(fdt_read_u32(f, 0, "#size-cells", &v)));
	for (int i = 0; i <= fdt_num_mem_rsv(f); i++)
		CHECK(is_result(fdt_get_mem_rsv(f, i, &r)));
}

/* Flips random bits of `pristine` (fixed seed) and runs every lookup on the result. */
static void fuzz_blob(struct blob pristine, int iterations)
{
	struct blob b = dup_blob(pristine);
	int accepted = 0;
	for (int it = 0; it < iterations; it++) {
		memcpy(b.data, pristine.data, b.size);
		for (uint32_t k = 1 + rng() % 4; k > 0; k--) {
			uint32_t pos = rng() % 8 == 0 ? rng() % 64 : rng() % b.size;
			b.data[pos] = rng() % 4 == 0 ? (uint8_t)rng()
						     : b.data[pos] ^ (uint8_t)(1u << rng() % 8);
		}
		struct fdt f;
		int err = fdt_init(&f, b.data, b.size);
		CHECK(err == 0 || err == FDT_ERR_BADMAGIC || err == FDT_ERR_BADHEADER);
		if (err == 0) {
			accepted++;
			exercise(&f);
		}
	}
	CHECK(accepted > iterations / 2); /* the lookups really ran */
	free(b.data);
}

static void test_fuzz_flipped_bytes_stay_in_bounds(void)
{
	fuzz_blob(small_a72, 2000);
	fuzz_blob(small_el2, 1000);
	fuzz_blob(small_v3, 1000);
}

#define T(name)                    \
	{                          \
#name, test_##name \
	}
static const struct check_test tests[] = {
	T(init_accepts_qemu_blobs),
	T(init_rejects_bad_magic),
	T(init_rejects_buffer_shorter_than_header),
	T(init_rejects_totalsize_beyond_buffer),
	T(init_rejects_unsupported_versions),
	T(init_rejects_blocks_outside_blob),
	T(init_rejects_unterminated_reservation_map),
	T(version_16_header_is_accepted),
	T(next_node_from_minus_one_is_root_at_depth_0),
	T(next_node_visits_every_node_at_its_depth),
	T(subnodes_list_direct_children_only),
	T(path_matches_root_and_full_names),
	T(path_component_without_unit_address_matches),
	T(path_nested),
	T(path_missing_or_partial_is_notfound),
	T(getprop_returns_value_and_length),
	T(psci_method_differs_by_blob),
	T(compatible_matches_any_string_of_list),
	T(find_compatible_finds_devices),
	T(find_compatible_resumes_after_start),
	T(find_device_type),
	T(read_u32),
	T(read_cell_indexes_cells),
	T(read_reg_memory_uses_root_cells),
	T(read_reg_second_entry_and_past_end),
	T(read_reg_uses_parent_cells),
	T(read_reg_size_cells_zero),
	T(read_reg_defaults_to_2_1_cells),
	T(read_reg_rejects_bad_cells),
	T(parent),
	T(bad_node_offsets_are_rejected),
	T(qemu_blobs_have_no_reservations),
	T(reservation_entries_are_read),
	T(unterminated_node_name_is_badstruct),
	T(token_past_end_is_badstruct),
	T(property_name_outside_strings_is_badstruct),
	T(unterminated_string_values_are_not_strings),
	T(fuzz_flipped_bytes_stay_in_bounds),
	{ NULL, NULL },
};

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
		return 2;
	}
	struct blob raw_el2 = load(argv[1], "virt-el2-a53-256M.dtb");
	struct blob raw_v3 = load(argv[1], "virt-gicv3-max-1G.dtb");
	raw_a72 = load(argv[1], "virt-a72-512M.dtb");
	small_a72 = compact(raw_a72);
	small_el2 = compact(raw_el2);
	small_v3 = compact(raw_v3);
	free(raw_el2.data);
	free(raw_v3.data);
	if (fdt_init(&a72, small_a72.data, small_a72.size) != 0 ||
	    fdt_init(&el2, small_el2.data, small_el2.size) != 0 ||
	    fdt_init(&v3, small_v3.data, small_v3.size) != 0) {
		fprintf(stderr, "cannot parse the QEMU blobs\n");
		return 2;
	}
	return check_main(tests);
}
