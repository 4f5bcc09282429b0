/*
 * GICv3: a memory-mapped distributor (GICD), one redistributor (GICR) per CPU and the CPU
 * interface as ICC_* system registers. Affinity routing is on (ARE_NS); every interrupt is
 * non-secure group 1 at one priority and is routed to the boot CPU.
 *
 * Register names, offsets and fields follow the GICv3/v4 architecture specification
 * (Arm IHI 0069). The SGI_base frame of a redistributor has the distributor's layout for
 * INTIDs 0..31 (SGIs and PPIs), whose distributor registers are unused under ARE.
 */
#include <arch/memlayout.h>
#include <arch/mmio.h>
#include <arch/sysreg.h>

#include "console.h"
#include "irqc.h"
#include "platform.h"
#include "smp.h"

/* Distributor registers, offsets from GICD's base */
#define GICD_CTLR              0x0000
#define GICD_TYPER             0x0004
#define GICD_IGROUPR           0x0080
#define GICD_ISENABLER         0x0100
#define GICD_ICENABLER         0x0180
#define GICD_ISPENDR           0x0200
#define GICD_ICPENDR           0x0280
#define GICD_ICACTIVER         0x0380
#define GICD_IPRIORITYR        0x0400
#define GICD_ICFGR             0x0c00
#define GICD_IROUTER           0x6000 /* 64 bits per INTID; only SPIs' are implemented */

#define GICD_CTLR_ENABLE_GRP1A BIT(1)  /* non-secure group 1 (EnableGrp1 if DS=1) */
#define GICD_CTLR_ARE_NS       BIT(4)  /* affinity routing (ARE if DS=1) */
#define GICD_CTLR_RWP          BIT(31) /* register write pending */
#define GICD_TYPER_ITLINES(v)  FIELD(v, 0, 5)

/* Redistributor: the RD_base frame, then the SGI_base frame (plus VLPI_base and a
 * reserved frame with GICv4 direct virtual LPI injection) */
#define GICR_FRAME_SIZE  0x10000
#define GICR_SGI_BASE    GICR_FRAME_SIZE
#define GICR_FRAMES      2
#define GICR_FRAMES_VLPI 4

/* RD_base registers */
#define GICR_CTLR                  0x0000
#define GICR_TYPER                 0x0008
#define GICR_WAKER                 0x0014
#define GICR_PIDR2                 0xffe8

#define GICR_CTLR_RWP              BIT(3)
#define GICR_TYPER_VLPIS           BIT(1)
#define GICR_TYPER_LAST            BIT(4)
#define GICR_TYPER_AFFINITY(v)     FIELD(v, 32, 32) /* Aff3.Aff2.Aff1.Aff0 */
#define GICR_WAKER_PROCESSOR_SLEEP BIT(1)
#define GICR_WAKER_CHILDREN_ASLEEP BIT(2)
#define GICR_PIDR2_ARCHREV(v)      FIELD(v, 4, 4)
#define ARCHREV_GICV3              3
#define ARCHREV_GICV4              4

/* SGI_base registers (INTIDs 0..31) */
#define GICR_IGROUPR0   0x0080
#define GICR_ISENABLER0 0x0100
#define GICR_ICENABLER0 0x0180
#define GICR_ICPENDR0   0x0280
#define GICR_ICACTIVER0 0x0380
#define GICR_IPRIORITYR 0x0400

/* CPU interface system registers, by encoding: the assembler targets ARMv8.0 */
#define ICC_PMR_EL1     S3_0_C4_C6_0
#define ICC_IAR1_EL1    S3_0_C12_C12_0
#define ICC_EOIR1_EL1   S3_0_C12_C12_1
#define ICC_BPR1_EL1    S3_0_C12_C12_3
#define ICC_CTLR_EL1    S3_0_C12_C12_4
#define ICC_SRE_EL1     S3_0_C12_C12_5
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7
#define ICC_SGI1R_EL1   S3_0_C12_C11_5

/* ICC_SGI1R_EL1 fields */
#define SGI1R_TARGET_LIST(aff0) (UL(1) << ((aff0) % 16))
#define SGI1R_AFF1(v)           ((uint64_t)(v) << 16)
#define SGI1R_INTID(v)          ((uint64_t)(v) << 24)
#define SGI1R_AFF2(v)           ((uint64_t)(v) << 32)
#define SGI1R_RS(aff0)          ((uint64_t)((aff0) / 16) << 44)
#define SGI1R_AFF3(v)           ((uint64_t)(v) << 48)

#define ICC_SRE_SRE             BIT(0) /* system-register interface enable */
#define ICC_CTLR_EOIMODE        BIT(1) /* 0: EOIR both drops priority and deactivates */
#define ICC_IGRPEN_ENABLE       BIT(0)
#define ICC_IAR_INTID(v)        FIELD(v, 0, 24)

/* Expand the names above before read_sysreg/write_sysreg stringify them. */
#define read_icc(reg)       read_sysreg(reg)
#define write_icc(reg, val) write_sysreg(reg, val)

/* MPIDR_EL1 affinity fields; GICD_IROUTER uses the same layout */
#define MPIDR_AFF0(v)      FIELD(v, 0, 8)
#define MPIDR_AFF1(v)      FIELD(v, 8, 8)
#define MPIDR_AFF2(v)      FIELD(v, 16, 8)
#define MPIDR_AFF3(v)      FIELD(v, 32, 8)
#define MPIDR_AFF_MASK     (UL(0xff) << 32 | UL(0xffffff))

#define NR_PRIVATE         32   /* SGIs and PPIs: INTIDs 0..31 */
#define INTID_SPECIAL      1020 /* 1020..1023 are special: no interrupt to handle */
#define INTID_SPECIAL_END  1024
#define PRIORITY_DEFAULT   0xa0
#define PRIORITY_BYTES(p)  ((p)*0x01010101u) /* the same priority in all four bytes */
#define PMR_ALLOW_ALL      0xff
#define BPR_NO_SUBPRIORITY 0
#define ICFGR_EDGE         2u
#define ALL_BITS           0xffffffffu
#define POLL_LIMIT         10000000 /* iterations before a GIC busy bit counts as stuck */

static uintptr_t gicd;               /* distributor */
#define gicr (this_cpu()->arch.gicr) /* this core's redistributor (RD_base) */
static uint32_t nr_irqs;
static uint64_t route; /* GICD_IROUTER value naming this CPU */

/* Spins until the bit(s) `busy` of the register at `addr` read as 0; panics if they never do. */
static void wait_clear(uintptr_t addr, uint32_t busy, const char *what)
{
	for (unsigned long i = 0; mmio_read32(addr) & busy; i++)
		if (i == POLL_LIMIT)
			panic("gicv3_wait_clear: %s stuck", what);
}

static void wait_dist_rwp(void)
{
	wait_clear(gicd + GICD_CTLR, GICD_CTLR_RWP, "GICD_CTLR.RWP");
}

static void wait_redist_rwp(void)
{
	wait_clear(gicr + GICR_CTLR, GICR_CTLR_RWP, "GICR_CTLR.RWP");
}

/* GICR_TYPER's encoding of this CPU's affinity, Aff3.Aff2.Aff1.Aff0. */
static uint32_t cpu_affinity(uint64_t mpidr)
{
	return MPIDR_AFF3(mpidr) << 24 | MPIDR_AFF2(mpidr) << 16 | MPIDR_AFF1(mpidr) << 8 |
	       MPIDR_AFF0(mpidr);
}

/*
 * Walks the redistributors packed in `r` (each 2 frames, or 4 with VLPIS, until one says
 * Last) and returns the RD_base of the one for affinity `aff`, or 0 if there is none.
 */
static uintptr_t find_redist(const struct mmio_region *r, uint32_t aff)
{
	uint64_t off = 0;
	while (off + GICR_FRAMES * GICR_FRAME_SIZE <= r->size) {
		uintptr_t rd = (uintptr_t)phys_to_virt(r->pa + off);
		uint32_t rev = GICR_PIDR2_ARCHREV(mmio_read32(rd + GICR_PIDR2));
		if (rev != ARCHREV_GICV3 && rev != ARCHREV_GICV4)
			return 0;
		uint64_t typer = mmio_read64(rd + GICR_TYPER);
		if (GICR_TYPER_AFFINITY(typer) == aff)
			return rd;
		if (typer & GICR_TYPER_LAST)
			return 0;
		off +=
		    (typer & GICR_TYPER_VLPIS ? GICR_FRAMES_VLPI : GICR_FRAMES) * GICR_FRAME_SIZE;
	}
	return 0;
}

/* Distributor: affinity routing, every SPI group 1, disabled, idle, default priority. */
static void dist_init(void)
{
	mmio_write32(gicd + GICD_CTLR, 0);
	wait_dist_rwp();
	mmio_write32(gicd + GICD_CTLR, GICD_CTLR_ARE_NS);
	wait_dist_rwp();
	nr_irqs = 32 * (GICD_TYPER_ITLINES(mmio_read32(gicd + GICD_TYPER)) + 1);
	if (nr_irqs > INTID_SPECIAL)
		nr_irqs = INTID_SPECIAL;
	for (uint32_t i = NR_PRIVATE; i < nr_irqs; i += 32) {
		mmio_write32(gicd + GICD_IGROUPR + i / 8, ALL_BITS);
		mmio_write32(gicd + GICD_ICENABLER + i / 8, ALL_BITS);
		mmio_write32(gicd + GICD_ICPENDR + i / 8, ALL_BITS);
		mmio_write32(gicd + GICD_ICACTIVER + i / 8, ALL_BITS);
	}
	wait_dist_rwp();
	for (uint32_t i = NR_PRIVATE; i < nr_irqs; i += 4)
		mmio_write32(gicd + GICD_IPRIORITYR + i, PRIORITY_BYTES(PRIORITY_DEFAULT));
	mmio_write32(gicd + GICD_CTLR, GICD_CTLR_ARE_NS | GICD_CTLR_ENABLE_GRP1A);
	wait_dist_rwp();
}

/* This CPU's redistributor: awake, every SGI/PPI group 1, disabled, idle, default priority. */
static void redist_init(void)
{
	uintptr_t sgi = gicr + GICR_SGI_BASE;
	uint32_t waker = mmio_read32(gicr + GICR_WAKER);
	mmio_write32(gicr + GICR_WAKER, waker & ~GICR_WAKER_PROCESSOR_SLEEP);
	wait_clear(gicr + GICR_WAKER, GICR_WAKER_CHILDREN_ASLEEP, "GICR_WAKER.ChildrenAsleep");
	mmio_write32(sgi + GICR_IGROUPR0, ALL_BITS);
	mmio_write32(sgi + GICR_ICENABLER0, ALL_BITS);
	mmio_write32(sgi + GICR_ICPENDR0, ALL_BITS);
	mmio_write32(sgi + GICR_ICACTIVER0, ALL_BITS);
	wait_redist_rwp();
	for (uint32_t i = 0; i < NR_PRIVATE; i += 4)
		mmio_write32(sgi + GICR_IPRIORITYR + i, PRIORITY_BYTES(PRIORITY_DEFAULT));
}

/* CPU interface: system registers on, all priorities unmasked, group 1 signalled. */
static void cpuif_init(void)
{
	write_icc(ICC_SRE_EL1, read_icc(ICC_SRE_EL1) | ICC_SRE_SRE);
	isb();
	if (!(read_icc(ICC_SRE_EL1) & ICC_SRE_SRE))
		panic("gicv3_init: ICC_SRE_EL1.SRE stays 0 (system registers disabled above EL1)");
	write_icc(ICC_PMR_EL1, PMR_ALLOW_ALL);
	write_icc(ICC_BPR1_EL1, BPR_NO_SUBPRIORITY);
	write_icc(ICC_CTLR_EL1, read_icc(ICC_CTLR_EL1) & ~ICC_CTLR_EOIMODE);
	write_icc(ICC_IGRPEN1_EL1, ICC_IGRPEN_ENABLE);
	isb();
}

static const struct mmio_region *redist_region;

/* Finds this core's redistributor; panics if the device tree has none for it. */
static void find_own_redist(void)
{
	uint64_t mpidr = read_sysreg(mpidr_el1);
	gicr = find_redist(redist_region, cpu_affinity(mpidr));
	if (gicr == 0)
		panic("gicv3_init: no redistributor for MPIDR %#lx in %#lx+%#lx", mpidr,
		      redist_region->pa, redist_region->size);
}

static void gicv3_init(const struct platform *p)
{
	if (PFR0_GIC(read_sysreg(id_aa64pfr0_el1)) == 0)
		panic("gicv3_init: CPU has no GICv3 system-register interface");
	gicd = (uintptr_t)phys_to_virt(p->irqc_regs[0].pa);
	redist_region = &p->irqc_regs[1];
	find_own_redist();
	route = read_sysreg(mpidr_el1) & MPIDR_AFF_MASK; /* Interrupt_Routing_Mode 0: this CPU */
	dist_init();
	redist_init();
	cpuif_init();
}

/* A secondary core: its redistributor and CPU interface (the distributor is shared). */
static void gicv3_init_cpu(void)
{
	find_own_redist();
	redist_init();
	cpuif_init();
}

static void gicv3_send_sgi(unsigned cpu, uint32_t intid)
{
	uint64_t mpidr = cpus[cpu].arch.mpidr;
	uint64_t aff0 = MPIDR_AFF0(mpidr);
	dsb(ishst); /* earlier writes before the SGI (IHI 0069, 12.2.8: SGI generation) */
	write_icc(ICC_SGI1R_EL1, SGI1R_AFF3(MPIDR_AFF3(mpidr)) | SGI1R_AFF2(MPIDR_AFF2(mpidr)) |
				     SGI1R_AFF1(MPIDR_AFF1(mpidr)) | SGI1R_RS(aff0) |
				     SGI1R_INTID(intid) | SGI1R_TARGET_LIST(aff0));
	isb();
}

/* SPI `intid`: trigger mode, route to this CPU, enable. Int_config changes only while disabled. */
static void enable_spi(uint32_t intid, bool edge)
{
	uint32_t bit = BIT(intid % 32);
	uintptr_t cfg = gicd + GICD_ICFGR + (intid / 16) * 4;
	uint32_t shift = (intid % 16) * 2;
	if (mmio_read32(gicd + GICD_ISENABLER + (intid / 32) * 4) & bit) {
		mmio_write32(gicd + GICD_ICENABLER + (intid / 32) * 4, bit);
		wait_dist_rwp();
	}
	uint32_t v = mmio_read32(cfg) & ~(3u << shift);
	mmio_write32(cfg, v | (edge ? ICFGR_EDGE << shift : 0));
	mmio_write64(gicd + GICD_IROUTER + intid * 8, route);
	mmio_write32(gicd + GICD_ISENABLER + (intid / 32) * 4, bit);
}

static void gicv3_enable(uint32_t intid, bool edge)
{
	if (intid >= nr_irqs)
		return;
	if (intid < NR_PRIVATE)
		mmio_write32(gicr + GICR_SGI_BASE + GICR_ISENABLER0, BIT(intid));
	else
		enable_spi(intid, edge);
}

/* Returns once the interrupt can no longer be signalled (RWP clear). */
static void gicv3_disable(uint32_t intid)
{
	if (intid >= nr_irqs)
		return;
	if (intid < NR_PRIVATE) {
		mmio_write32(gicr + GICR_SGI_BASE + GICR_ICENABLER0, BIT(intid));
		wait_redist_rwp();
	} else {
		mmio_write32(gicd + GICD_ICENABLER + (intid / 32) * 4, BIT(intid % 32));
		wait_dist_rwp();
	}
}

static uint32_t gicv3_ack(void)
{
	uint32_t intid = ICC_IAR_INTID(read_icc(ICC_IAR1_EL1));
	/* The acknowledgement is visible to the GIC only after a DSB (IHI 0069, 4.1.1). */
	dsb(sy);
	return intid >= INTID_SPECIAL && intid < INTID_SPECIAL_END ? IRQC_SPURIOUS : intid;
}

static void gicv3_eoi(uint32_t intid)
{
	write_icc(ICC_EOIR1_EL1, intid);
}

static void gicv3_raise(uint32_t intid)
{
	if (intid >= 32 && intid < nr_irqs)
		mmio_write32(gicd + GICD_ISPENDR + (intid / 32) * 4, BIT(intid % 32));
}

static void gicv3_clear(uint32_t intid)
{
	if (intid >= 32 && intid < nr_irqs)
		mmio_write32(gicd + GICD_ICPENDR + (intid / 32) * 4, BIT(intid % 32));
}

/* User space may claim any SPI INTID the architecture allows, implemented or not (an
 * unimplemented one simply never fires). */
static uint32_t gicv3_limit(void)
{
	return INTID_SPECIAL;
}

const struct irqc_ops gicv3_ops = {
	.name = "GICv3",
	.init = gicv3_init,
	.enable = gicv3_enable,
	.disable = gicv3_disable,
	.ack = gicv3_ack,
	.eoi = gicv3_eoi,
	.raise = gicv3_raise,
	.clear = gicv3_clear,
	.limit = gicv3_limit,
	.init_cpu = gicv3_init_cpu,
	.send_sgi = gicv3_send_sgi,
};
