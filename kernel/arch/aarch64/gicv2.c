/* GICv2: distributor and CPU interface, both memory-mapped. */
#include <arch/memlayout.h>
#include <arch/mmio.h>
#include <arch/sysreg.h>

#include "irqc.h"
#include "platform.h"
#include "smp.h"

#define GICD_CTLR        0x000
#define GICD_TYPER       0x004
#define GICD_ISENABLER   0x100
#define GICD_ICENABLER   0x180
#define GICD_ISPENDR     0x200
#define GICD_ICPENDR     0x280
#define GICD_IPRIORITYR  0x400
#define GICD_ITARGETSR   0x800
#define GICD_ICFGR       0xc00
#define GICD_SGIR        0xf00

#define GICC_CTLR        0x00
#define GICC_PMR         0x04
#define GICC_BPR         0x08
#define GICC_IAR         0x0c
#define GICC_EOIR        0x10

#define CTLR_ENABLE      BIT(0)
#define TYPER_ITLINES(v) ((v)&0x1f)
#define PRIORITY_DEFAULT 0xa0
#define PMR_ALLOW_ALL    0xff
#define ICFGR_EDGE       2u
#define IAR_INTID(v)     FIELD(v, 0, 10)
#define SGIR_TARGETS(m)  ((uint32_t)(m) << 16) /* CPUTargetList; TargetListFilter 0 */
#define NR_PRIVATE       32

static uintptr_t gicd, gicc;
static uint32_t nr_irqs;
/* Per core: the last GICC_IAR value (an SGI's EOI must repeat its source CPU field). */
static uint32_t last_iar[MAX_CPUS];

/* This core's CPU interface: priorities of its banked private interrupts, all of them
 * disabled, its interface mask (read back from the banked GICD_ITARGETSR0), enabled. */
static void cpu_interface_init(void)
{
	mmio_write32(gicd + GICD_ICENABLER, 0xffffffff);
	mmio_write32(gicd + GICD_ICPENDR, 0xffffffff);
	for (uint32_t i = 0; i < NR_PRIVATE; i += 4)
		mmio_write32(gicd + GICD_IPRIORITYR + i, PRIORITY_DEFAULT * 0x01010101u);
	this_cpu()->arch.gic_cpu_mask = *(volatile uint8_t *)(gicd + GICD_ITARGETSR);
	mmio_write32(gicc + GICC_PMR, PMR_ALLOW_ALL);
	mmio_write32(gicc + GICC_BPR, 0);
	mmio_write32(gicc + GICC_CTLR, CTLR_ENABLE);
}

static void gicv2_init(const struct platform *p)
{
	gicd = (uintptr_t)phys_to_virt(p->irqc_regs[0].pa);
	gicc = (uintptr_t)phys_to_virt(p->irqc_regs[1].pa);
	mmio_write32(gicd + GICD_CTLR, 0);
	nr_irqs = 32 * (TYPER_ITLINES(mmio_read32(gicd + GICD_TYPER)) + 1);
	if (nr_irqs > 1020)
		nr_irqs = 1020;
	for (uint32_t i = 0; i < nr_irqs; i += 32) {
		mmio_write32(gicd + GICD_ICENABLER + i / 8, 0xffffffff);
		mmio_write32(gicd + GICD_ICPENDR + i / 8, 0xffffffff);
	}
	for (uint32_t i = 0; i < nr_irqs; i += 4)
		mmio_write32(gicd + GICD_IPRIORITYR + i, PRIORITY_DEFAULT * 0x01010101u);
	mmio_write32(gicd + GICD_CTLR, CTLR_ENABLE);
	cpu_interface_init();
}

static void gicv2_enable(uint32_t intid, bool edge)
{
	if (intid >= nr_irqs)
		return;
	if (intid >= 32) {
		uintptr_t cfg = gicd + GICD_ICFGR + (intid / 16) * 4;
		uint32_t shift = (intid % 16) * 2;
		uint32_t v = mmio_read32(cfg) & ~(3u << shift);
		mmio_write32(cfg, v | (edge ? ICFGR_EDGE << shift : 0));
		/* ITARGETSR is byte-accessible; CPU interface 0 is this CPU. */
		*(volatile uint8_t *)(gicd + GICD_ITARGETSR + intid) = 1;
	}
	mmio_write32(gicd + GICD_ISENABLER + (intid / 32) * 4, BIT(intid % 32));
}

static void gicv2_disable(uint32_t intid)
{
	if (intid < nr_irqs)
		mmio_write32(gicd + GICD_ICENABLER + (intid / 32) * 4, BIT(intid % 32));
}

static uint32_t gicv2_ack(void)
{
	uint32_t iar = mmio_read32(gicc + GICC_IAR);
	uint32_t id = IAR_INTID(iar);
	last_iar[this_cpu()->id] = iar;
	return id >= 1020 ? IRQC_SPURIOUS : id;
}

static void gicv2_eoi(uint32_t intid)
{
	uint32_t iar = last_iar[this_cpu()->id];
	mmio_write32(gicc + GICC_EOIR, IAR_INTID(iar) == intid ? iar : intid);
}

static void gicv2_send_sgi(unsigned cpu, uint32_t intid)
{
	dsb(ishst);
	mmio_write32(gicd + GICD_SGIR, SGIR_TARGETS(cpus[cpu].arch.gic_cpu_mask) | intid);
}

static void gicv2_raise(uint32_t intid)
{
	if (intid >= 32 && intid < nr_irqs)
		mmio_write32(gicd + GICD_ISPENDR + (intid / 32) * 4, BIT(intid % 32));
}

static void gicv2_clear(uint32_t intid)
{
	if (intid >= 32 && intid < nr_irqs)
		mmio_write32(gicd + GICD_ICPENDR + (intid / 32) * 4, BIT(intid % 32));
}

/* User space may claim any SPI INTID the architecture allows, implemented or not (an
 * unimplemented one simply never fires). */
static uint32_t gicv2_limit(void)
{
	return 1020;
}

const struct irqc_ops gicv2_ops = {
	.name = "GICv2",
	.init = gicv2_init,
	.enable = gicv2_enable,
	.disable = gicv2_disable,
	.ack = gicv2_ack,
	.eoi = gicv2_eoi,
	.raise = gicv2_raise,
	.clear = gicv2_clear,
	.limit = gicv2_limit,
	.init_cpu = cpu_interface_init,
	.send_sgi = gicv2_send_sgi,
};
