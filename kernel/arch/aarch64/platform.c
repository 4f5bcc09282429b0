#include "platform.h"

#include <stddef.h>
#include <string.h>

#include "lib/fdt.h"

#define GIC_SPI_BASE     32
#define GIC_PPI_BASE     16
#define TIMER_VIRT_INDEX 2 /* "arm,armv8-timer" interrupts: sec phys, phys, virt, hyp */

struct platform platform;

/* Decodes the index'th 3-cell GIC interrupt specifier of `node` into an INTID. */
static int read_intid(const struct fdt *fdt, int node, uint32_t index, uint32_t *intid)
{
	uint32_t type, num;
	if (fdt_read_cell(fdt, node, "interrupts", 3 * index, &type) != 0 ||
	    fdt_read_cell(fdt, node, "interrupts", 3 * index + 1, &num) != 0)
		return -1;
	if (type == 0 && num < 988)
		*intid = GIC_SPI_BASE + num;
	else if (type == 1 && num < 16)
		*intid = GIC_PPI_BASE + num;
	else
		return -1;
	return 0;
}

static int read_mmio(const struct fdt *fdt, int node, uint32_t index, struct mmio_region *r)
{
	struct fdt_range range;
	if (fdt_read_reg(fdt, node, index, &range) != 0 || range.size == 0)
		return -1;
	r->pa = range.base;
	r->size = range.size;
	return 0;
}

/* The node /chosen/stdout-path names (options after ':' ignored), or -1. */
static int stdout_node(const struct fdt *fdt)
{
	int chosen = fdt_path_offset(fdt, "/chosen");
	uint32_t len;
	const char *path = chosen >= 0 ? fdt_getprop(fdt, chosen, "stdout-path", &len) : NULL;
	char buf[64];
	if (!path || len == 0 || strnlen(path, len) == len || len > sizeof(buf))
		return -1;
	size_t n = 0;
	while (path[n] && path[n] != ':')
		n++;
	memcpy(buf, path, n);
	buf[n] = '\0';
	return fdt_path_offset(fdt, buf);
}

static const char *parse_uart(const struct fdt *fdt, struct platform *p)
{
	int node = stdout_node(fdt);
	if (node < 0 || !fdt_is_compatible(fdt, node, "arm,pl011"))
		node = fdt_find_compatible(fdt, -1, "arm,pl011");
	if (node < 0 || read_mmio(fdt, node, 0, &p->uart) != 0)
		return "no PL011 UART";
	if (read_intid(fdt, node, 0, &p->uart_intid) != 0)
		return "PL011 without a usable interrupt";
	return NULL;
}

static const char *parse_gic(const struct fdt *fdt, struct platform *p)
{
	static const char *const v2[] = { "arm,cortex-a15-gic", "arm,gic-400",
					  "arm,cortex-a9-gic" };
	int node = fdt_find_compatible(fdt, -1, "arm,gic-v3");
	p->gic_version = 3;
	for (size_t i = 0; node < 0 && i < sizeof(v2) / sizeof(v2[0]); i++) {
		node = fdt_find_compatible(fdt, -1, v2[i]);
		p->gic_version = 2;
	}
	if (node < 0)
		return "no supported interrupt controller (GICv2 or GICv3)";
	if (read_mmio(fdt, node, 0, &p->gicd) != 0 || read_mmio(fdt, node, 1, &p->gicc) != 0)
		return "GIC without distributor and CPU/redistributor regions";
	return NULL;
}

static const char *parse_timer(const struct fdt *fdt, struct platform *p)
{
	int node = fdt_find_compatible(fdt, -1, "arm,armv8-timer");
	if (node < 0)
		return "no arm,armv8-timer";
	if (read_intid(fdt, node, TIMER_VIRT_INDEX, &p->timer_intid) != 0)
		return "timer without a virtual timer interrupt";
	return NULL;
}

static void parse_psci(const struct fdt *fdt, struct platform *p)
{
	int node = fdt_path_offset(fdt, "/psci");
	if (node < 0)
		node = fdt_find_compatible(fdt, -1, "arm,psci-0.2");
	uint32_t len;
	const char *method = node >= 0 ? fdt_getprop(fdt, node, "method", &len) : NULL;
	p->psci = PSCI_NONE;
	if (method && len == 4 && memcmp(method, "hvc", 4) == 0)
		p->psci = PSCI_HVC;
	else if (method && len == 4 && memcmp(method, "smc", 4) == 0)
		p->psci = PSCI_SMC;
}

static void parse_cpu(const struct fdt *fdt, struct platform *p)
{
	int node = fdt_find_device_type(fdt, -1, "cpu");
	uint32_t len;
	const char *compat = node >= 0 ? fdt_getprop(fdt, node, "compatible", &len) : NULL;
	p->cpu_compatible = compat && len && strnlen(compat, len) < len ? compat : "";
}

const char *platform_parse(const struct fdt *fdt, struct platform *p)
{
	const char *err;
	if ((err = parse_uart(fdt, p)) || (err = parse_gic(fdt, p)) || (err = parse_timer(fdt, p)))
		return err;
	parse_psci(fdt, p);
	parse_cpu(fdt, p);
	return NULL;
}
