/*
 * Host tests for kernel/lib/fdt_bus.c. Usage: test_fdt_bus DATA_DIR RASPI3B_DTB: QEMU's virt
 * blob from DATA_DIR, and the Raspberry Pi 3 B blob the scripts unpack from Debian's arm64
 * kernel package (build/dtb/; exit 77, Meson's "skipped", if it is not there yet). Blobs
 * are read into exactly-sized heap buffers so AddressSanitizer sees any read past the end.
 */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "lib/fdt_bus.h"

CHECK_DEFINE_GLOBALS;

#define MAX_FILE  (4u << 20)
#define SKIP_EXIT 77

static struct fdt virt, pi;

/* Reads `path` into a buffer of exactly its size; NULL if it cannot. */
static void *load(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = malloc(MAX_FILE);
	*size = fread(buf, 1, MAX_FILE, f);
	fclose(f);
	return realloc(buf, *size);
}

static int node(const struct fdt *f, const char *path)
{
	int n = fdt_path_offset(f, path);
	CHECK(n >= 0);
	return n;
}

static void reg_of_soc_device_is_translated_to_the_cpu_address(void)
{
	struct fdt_range r = { 0, 0 };
	CHECK_EQ(fdt_read_reg_cpu(&pi, node(&pi, "/soc/serial@7e201000"), 0, &r), 0);
	CHECK_EQ(r.base, 0x3f201000u);
	CHECK_EQ(r.size, 0x200u);
	CHECK_EQ(fdt_read_reg(&pi, node(&pi, "/soc/serial@7e201000"), 0, &r), 0);
	CHECK_EQ(r.base, 0x7e201000u); /* the raw reg is the bus address */
}

static void second_ranges_window_translates_the_local_controller(void)
{
	struct fdt_range r = { 0, 0 };
	CHECK_EQ(fdt_read_reg_cpu(&pi, node(&pi, "/soc/local_intc@40000000"), 0, &r), 0);
	CHECK_EQ(r.base, 0x40000000u);
	CHECK_EQ(r.size, 0x100u);
}

static void address_outside_every_window_is_not_found(void)
{
	uint64_t out = 1;
	int uart = node(&pi, "/soc/serial@7e201000");
	CHECK_EQ(fdt_translate(&pi, uart, 0x7f000000u, &out), FDT_ERR_NOTFOUND);
	CHECK_EQ(fdt_translate(&pi, uart, 0x7dffffffu, &out), FDT_ERR_NOTFOUND);
	CHECK_EQ(out, 1u);
	CHECK_EQ(fdt_translate(&pi, uart, 0x7effffffu, &out), 0);
	CHECK_EQ(out, 0x3fffffffu); /* the last byte of the first window */
}

static void bus_without_ranges_is_not_cpu_addressable(void)
{
	struct fdt_range r;
	/* The USB hub's children are addressed by port: no ranges on the way up. */
	int eth = node(&pi, "/soc/usb@7e980000/usb1@1/ethernet@1");
	CHECK_EQ(fdt_read_reg_cpu(&pi, eth, 0, &r), FDT_ERR_NOTFOUND);
}

static void root_children_keep_their_address(void)
{
	struct fdt_range r = { 0, 0 };
	CHECK_EQ(fdt_read_reg_cpu(&virt, node(&virt, "/pl011@9000000"), 0, &r), 0);
	CHECK_EQ(r.base, 0x9000000u);
	CHECK_EQ(fdt_read_reg_cpu(&pi, node(&pi, "/memory@0"), 0, &r), 0);
	CHECK_EQ(r.base, 0u);
	uint64_t out = 0;
	CHECK_EQ(fdt_translate(&pi, node(&pi, "/"), 0x1234, &out), 0);
	CHECK_EQ(out, 0x1234u);
}

static void bus_windows_of_the_soc(void)
{
	struct fdt_range w = { 0, 0 };
	int soc = node(&pi, "/soc");
	CHECK_EQ(fdt_read_bus_window(&pi, soc, 0, &w), 0);
	CHECK_EQ(w.base, 0x3f000000u);
	CHECK_EQ(w.size, 0x1000000u);
	CHECK_EQ(fdt_read_bus_window(&pi, soc, 1, &w), 0);
	CHECK_EQ(w.base, 0x40000000u);
	CHECK_EQ(w.size, 0x1000u);
	CHECK_EQ(fdt_read_bus_window(&pi, soc, 2, &w), FDT_ERR_NOTFOUND);
	/* An empty ranges (identity) is no window; neither is a node without one. */
	CHECK_EQ(fdt_read_bus_window(&pi, node(&pi, "/reserved-memory"), 0, &w), FDT_ERR_NOTFOUND);
	CHECK_EQ(fdt_read_bus_window(&pi, node(&pi, "/chosen"), 0, &w), FDT_ERR_NOTFOUND);
}

static void interrupt_parent_is_inherited_or_named(void)
{
	int armctrl = node(&pi, "/soc/interrupt-controller@7e00b200");
	int local = node(&pi, "/soc/local_intc@40000000");
	/* uart0 inherits the root's interrupt-parent; the timer names the local controller. */
	CHECK_EQ(fdt_interrupt_parent(&pi, node(&pi, "/soc/serial@7e201000")), armctrl);
	CHECK_EQ(fdt_interrupt_parent(&pi, node(&pi, "/timer")), local);
	CHECK_EQ(fdt_interrupt_parent(&pi, armctrl), local);
	CHECK_EQ(fdt_interrupt_parent(&virt, node(&virt, "/pl011@9000000")),
		 node(&virt, "/intc@8000000"));
}

static void phandle_lookup(void)
{
	uint32_t ph;
	int local = node(&pi, "/soc/local_intc@40000000");
	CHECK_EQ(fdt_read_u32(&pi, local, "phandle", &ph), 0);
	CHECK_EQ(fdt_node_by_phandle(&pi, ph), local);
	CHECK_EQ(fdt_node_by_phandle(&pi, 0xfffffff0u), FDT_ERR_NOTFOUND);
	CHECK_EQ(fdt_node_by_phandle(&pi, 0), FDT_ERR_NOTFOUND);
	CHECK_EQ(fdt_node_by_phandle(&pi, 0xffffffffu), FDT_ERR_NOTFOUND);
}

#define T(f)          \
	{             \
#f, f \
	}
static const struct check_test tests[] = {
	T(reg_of_soc_device_is_translated_to_the_cpu_address),
	T(second_ranges_window_translates_the_local_controller),
	T(address_outside_every_window_is_not_found),
	T(bus_without_ranges_is_not_cpu_addressable),
	T(root_children_keep_their_address),
	T(bus_windows_of_the_soc),
	T(interrupt_parent_is_inherited_or_named),
	T(phandle_lookup),
	{ NULL, NULL },
};

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s DATA_DIR RASPI3B_DTB\n", argv[0]);
		return 2;
	}
	char path[512];
	size_t vsize, psize;
	snprintf(path, sizeof(path), "%s/virt-a72-512M.dtb", argv[1]);
	void *vblob = load(path, &vsize), *pblob = load(argv[2], &psize);
	if (!pblob) {
		fprintf(stderr, "no %s: scripts/test (or scripts/run) fetches it; skipped\n",
			argv[2]);
		free(vblob);
		return SKIP_EXIT;
	}
	if (!vblob || fdt_init(&virt, vblob, vsize) != 0 || fdt_init(&pi, pblob, psize) != 0) {
		fprintf(stderr, "cannot parse the blobs\n");
		free(vblob);
		free(pblob);
		return 2;
	}
	int status = check_main(tests);
	free(vblob);
	free(pblob);
	return status;
}
