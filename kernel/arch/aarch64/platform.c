#include "platform.h"

#include <stddef.h>
#include <string.h>

#include "lib/fdt.h"
#include "lib/fdt_bus.h"

#define GIC_SPI_BASE     32
#define GIC_PPI_BASE     16
#define GIC_SPI_MAX      988
#define GIC_SPEC_SPI     0 /* first cell of a GIC interrupt specifier */
#define GIC_SPEC_PPI     1
#define TIMER_VIRT_INDEX 2 /* "arm,armv8-timer" interrupts: sec phys, phys, virt, hyp */

/* BCM2836/BCM2835 interrupt specifiers (irqc.h numbering). */
#define BCM_LOCAL_SOURCES 12 /* local controller: timers, mailboxes, GPU, PMU, AXI, timer */
#define BCM_BANK_BASIC    0  /* ARMCTRL bank 0: ARM basic interrupts 0..7 */
#define BCM_BASIC_IRQS    8
#define BCM_BANK_GPU_LOW  1 /* bank 1: GPU interrupts 0..31; bank 2: 32..63 */
#define BCM_BANK_GPU_HIGH 2
#define BCM_BANK_IRQS     32
#define BCM_GPU_BASE      32 /* GPU interrupt n (banks 1 and 2) -> 32 + n */
#define BCM_BASIC_BASE    96 /* ARM basic interrupt n -> 96 + n */

static const char *const gic_v2_compat[] = { "arm,cortex-a15-gic", "arm,gic-400",
					     "arm,cortex-a9-gic" };
#define BCM_LOCAL_COMPAT   "brcm,bcm2836-l1-intc"
#define BCM_ARMCTRL_COMPAT "brcm,bcm2836-armctrl-ic"

struct platform platform;

static bool is_gic(const struct fdt *fdt, int node)
{
	for (size_t i = 0; i < sizeof(gic_v2_compat) / sizeof(gic_v2_compat[0]); i++) {
		if (fdt_is_compatible(fdt, node, gic_v2_compat[i]))
			return true;
	}
	return fdt_is_compatible(fdt, node, "arm,gic-v3");
}

/* Reads cell `i` of the index'th `n`-cell interrupt specifier of `node`. */
static int spec_cell(const struct fdt *fdt, int node, uint32_t n, uint32_t index, uint32_t i,
		     uint32_t *out)
{
	return fdt_read_cell(fdt, node, "interrupts", n * index + i, out);
}

/* Decodes the index'th interrupt specifier of `node`, in the format of its interrupt
 * parent (GIC: type, number, flags; BCM2835 ARMCTRL: bank, number; BCM2836 local:
 * number, flags), into an INTID (irqc.h). */
static int read_intid(const struct fdt *fdt, int node, uint32_t index, uint32_t *intid)
{
	int parent = fdt_interrupt_parent(fdt, node);
	uint32_t n, a, b;
	if (parent < 0 || fdt_read_u32(fdt, parent, "#interrupt-cells", &n) != 0 || n < 2 ||
	    spec_cell(fdt, node, n, index, 0, &a) != 0 ||
	    spec_cell(fdt, node, n, index, 1, &b) != 0)
		return -1;
	if (is_gic(fdt, parent) && n == 3) {
		if (a == GIC_SPEC_SPI && b < GIC_SPI_MAX)
			*intid = GIC_SPI_BASE + b;
		else if (a == GIC_SPEC_PPI && b < 16)
			*intid = GIC_PPI_BASE + b;
		else
			return -1;
	} else if (fdt_is_compatible(fdt, parent, BCM_ARMCTRL_COMPAT) && n == 2) {
		if (a == BCM_BANK_BASIC && b < BCM_BASIC_IRQS)
			*intid = BCM_BASIC_BASE + b;
		else if ((a == BCM_BANK_GPU_LOW || a == BCM_BANK_GPU_HIGH) && b < BCM_BANK_IRQS)
			*intid = BCM_GPU_BASE + BCM_BANK_IRQS * (a - BCM_BANK_GPU_LOW) + b;
		else
			return -1;
	} else if (fdt_is_compatible(fdt, parent, BCM_LOCAL_COMPAT) && n == 2) {
		if (a >= BCM_LOCAL_SOURCES)
			return -1;
		*intid = a;
	} else {
		return -1;
	}
	return 0;
}

static int read_mmio(const struct fdt *fdt, int node, uint32_t index, struct mmio_region *r)
{
	struct fdt_range range;
	if (fdt_read_reg_cpu(fdt, node, index, &range) != 0 || range.size == 0)
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

/* Reads `count` register regions of `node` into p->irqc_regs. */
static int read_irqc_regs(const struct fdt *fdt, int node, unsigned count, struct platform *p)
{
	for (unsigned i = 0; i < count; i++) {
		if (read_mmio(fdt, node, i, &p->irqc_regs[i]) != 0)
			return -1;
	}
	return 0;
}

static const char *parse_irqc(const struct fdt *fdt, struct platform *p)
{
	int node = fdt_find_compatible(fdt, -1, "arm,gic-v3");
	p->irqc_kind = IRQC_GICV3;
	for (size_t i = 0; node < 0 && i < sizeof(gic_v2_compat) / sizeof(gic_v2_compat[0]); i++) {
		node = fdt_find_compatible(fdt, -1, gic_v2_compat[i]);
		p->irqc_kind = IRQC_GICV2;
	}
	if (node >= 0) {
		if (read_irqc_regs(fdt, node, 2, p) != 0)
			return "GIC without distributor and CPU/redistributor regions";
		return NULL;
	}
	int local = fdt_find_compatible(fdt, -1, BCM_LOCAL_COMPAT);
	int armctrl = fdt_find_compatible(fdt, -1, BCM_ARMCTRL_COMPAT);
	if (local < 0 || armctrl < 0)
		return "no supported interrupt controller (GICv2, GICv3 or BCM2836 + BCM2835)";
	p->irqc_kind = IRQC_BCM2836;
	if (read_mmio(fdt, local, 0, &p->irqc_regs[0]) != 0 ||
	    read_mmio(fdt, armctrl, 0, &p->irqc_regs[1]) != 0)
		return "BCM2836/BCM2835 interrupt controller without registers";
	return NULL;
}

static const char *parse_timer(const struct fdt *fdt, struct platform *p)
{
	int node = fdt_find_compatible(fdt, -1, "arm,armv8-timer");
	if (node < 0)
		node = fdt_find_compatible(fdt, -1, "arm,armv7-timer"); /* the Pi's trees */
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

/* The BCM2835 power manager, the Pi's way to reset or power off (there is no PSCI). */
static void parse_pm(const struct fdt *fdt, struct platform *p)
{
	int node = fdt_find_compatible(fdt, -1, "brcm,bcm2835-pm-wdt");
	if (node < 0 || read_mmio(fdt, node, 0, &p->pm) != 0)
		p->pm = (struct mmio_region){ 0, 0 };
}

const char *platform_parse(const struct fdt *fdt, struct platform *p)
{
	const char *err;
	if ((err = parse_uart(fdt, p)) || (err = parse_irqc(fdt, p)) || (err = parse_timer(fdt, p)))
		return err;
	parse_psci(fdt, p);
	parse_pm(fdt, p);
	parse_cpu(fdt, p);
	int root = fdt_path_offset(fdt, "/");
	const char *model = root >= 0 ? fdt_get_string(fdt, root, "model") : NULL;
	p->model = model ? model : "";
	return NULL;
}
