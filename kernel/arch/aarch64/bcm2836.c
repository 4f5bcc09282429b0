/*
 * The Raspberry Pi 2/3 interrupt controllers behind the irqc interface: the BCM2836 per-core
 * local controller (the ARM generic timers, mailboxes, the PMU and the GPU line of each
 * core) and, behind its GPU line, the BCM2835 ARMCTRL controller (64 GPU interrupts in
 * banks 1 and 2, 8 ARM basic interrupts in bank 0). Numbering: irqc.h.
 *
 * Everything is level-triggered and has no priorities; ack picks, for the core asking, the
 * first source in this order: the reschedule SGI, software-raised, local, ARM basic, GPU
 * bank 1, bank 2. The local sources are per core: each core has its own timer and mailbox
 * interrupt control registers, IRQ source register and four mailboxes, indexed by its
 * MPIDR Aff0 (0..3). The GPU (shared) interrupts are routed to the boot core only.
 *
 * The controller has no SGIs: the reschedule SGI is bit 0 of the target core's mailbox 0.
 * irqc_send_sgi sets it (the mailbox set register), the target's ack reads and clears it
 * and returns IRQC_SGI_RESCHEDULE. INTID 0 is that SGI, so local source 0 (the secure
 * physical timer, unusable at non-secure EL1) has no INTID.
 *
 * Neither controller can make an interrupt pending by software, which irqc_raise (the test
 * interface) needs: a raised INTID is kept in a software pending set and mailbox 3 of the
 * boot core is written, which interrupts it; ack drains the set, enabled INTIDs only, as a
 * GIC delivers a pending interrupt once it is enabled.
 */
#include <arch/memlayout.h>
#include <arch/mmio.h>
#include <arch/sysreg.h>

#include "arch.h"
#include "irqc.h"
#include "platform.h"

/* BCM2836 local controller registers (offsets from its base) of core `c` (0..3). */
#define LOCAL_GPU_ROUTING     0x0c             /* bits 1:0 the core taking GPU IRQs, 3:2 GPU FIQs */
#define LOCAL_TIMER_CTRL(c)   (0x40 + 4 * (c)) /* bits 0..3: IRQ enable of its 4 timers */
#define LOCAL_MAILBOX_CTRL(c) (0x50 + 4 * (c)) /* bits 0..3: IRQ enable of mailboxes 0..3 */
#define LOCAL_IRQ_SOURCE(c)   (0x60 + 4 * (c)) /* pending sources, numbered as local INTIDs */
#define LOCAL_MBOX_SET(c, m)  (0x80 + 16 * (c) + 4 * (m)) /* write 1s: set mailbox bits */
#define LOCAL_MBOX_CLR(c, m)  (0xc0 + 16 * (c) + 4 * (m)) /* read; write 1s: clear them */
#define LOCAL_CORES           4
#define MPIDR_AFF0            0xffu

#define LOCAL_TIMERS          4 /* local INTIDs 0..3: the generic timers */
#define LOCAL_MBOX_FIRST      4 /* local INTIDs 4..7: mailboxes 0..3 */
#define LOCAL_MBOXES          4
#define LOCAL_GPU             8 /* the ARMCTRL controller's line */
#define LOCAL_SOURCES         12
#define SGI_MAILBOX           0 /* mailbox 0: the reschedule SGI (bit 0) */
#define RAISE_MAILBOX         3 /* mailbox 3: software-raised interrupts */

/* BCM2835 ARMCTRL registers (offsets from its base, the DT's reg). */
#define ARM_PENDING_BASIC 0x00 /* bits 0..7: ARM basic interrupts */
#define ARM_PENDING1      0x04 /* GPU interrupts 0..31 */
#define ARM_PENDING2      0x08 /* GPU interrupts 32..63 */
#define ARM_ENABLE1       0x10 /* write 1s: enable; ENABLE2, ENABLE_BASIC follow */
#define ARM_ENABLE_BASIC  0x18
#define ARM_DISABLE1      0x1c /* write 1s: disable; DISABLE2, DISABLE_BASIC follow */
#define ARM_DISABLE_BASIC 0x24
#define ARM_BASIC_MASK    0xffu

#define GPU_BASE          32 /* INTID of GPU interrupt 0 */
#define BASIC_BASE        96 /* INTID of ARM basic interrupt 0 */
#define NR_INTIDS         104
#define ALL_BITS          0xffffffffu
static uintptr_t local, armctrl;
static unsigned gpu_core;   /* the boot core's local index: GPU interrupts go there */
static uint64_t enabled[2]; /* shared INTIDs enabled (bit i of word i / 64) */
static uint32_t local_enabled[LOCAL_CORES]; /* per core: local INTIDs enabled */
static uint64_t soft_pending[2];            /* INTIDs raised by software, not yet acknowledged */

#ifdef HOST_TEST
/* Host tests (tests/unit/test_bcm2836.c) play the calling core and have no barriers. The
 * only host accommodation in this file. */
unsigned bcm2836_host_core;
static unsigned this_core(void)
{
	return bcm2836_host_core;
}
static void sgi_barrier(void) {}
#else
/* The calling core's index in the local controller. */
static unsigned this_core(void)
{
	return (unsigned)(read_sysreg(mpidr_el1) & MPIDR_AFF0) % LOCAL_CORES;
}
/* Normal-memory stores before an SGI reach the target before it (the mailbox is Device). */
static void sgi_barrier(void)
{
	dsb(ishst);
}
#endif

static bool test_bit(const uint64_t *set, uint32_t intid)
{
	return set[intid / 64] & (1ull << (intid % 64));
}

static void set_bit(uint64_t *set, uint32_t intid, bool on)
{
	if (on)
		set[intid / 64] |= 1ull << (intid % 64);
	else
		set[intid / 64] &= ~(1ull << (intid % 64));
}

/* Sets or clears `bit` of the local register at `reg`. */
static void local_update(uint32_t reg, uint32_t bit, bool on)
{
	uint32_t v = mmio_read32(local + reg);
	mmio_write32(local + reg, on ? v | bit : v & ~bit);
}

/* The ARMCTRL enable (or disable) register and bit of shared INTID `intid`. */
static void armctrl_write(uint32_t intid, bool enable)
{
	if (intid >= BASIC_BASE) {
		uint32_t reg = enable ? ARM_ENABLE_BASIC : ARM_DISABLE_BASIC;
		mmio_write32(armctrl + reg, BIT(intid - BASIC_BASE));
	} else {
		uint32_t n = intid - GPU_BASE, reg = enable ? ARM_ENABLE1 : ARM_DISABLE1;
		mmio_write32(armctrl + reg + 4 * (n / 32), BIT(n % 32));
	}
}

static void raise_mailbox(void)
{
	mmio_write32(local + LOCAL_MBOX_SET(gpu_core, RAISE_MAILBOX), 1);
}

/* The calling core's local controller state: every source off, its mailboxes empty. */
static void local_reset(unsigned core)
{
	mmio_write32(local + LOCAL_TIMER_CTRL(core), 0);
	mmio_write32(local + LOCAL_MAILBOX_CTRL(core), 0);
	for (unsigned m = 0; m < LOCAL_MBOXES; m++)
		mmio_write32(local + LOCAL_MBOX_CLR(core, m), ALL_BITS);
	local_enabled[core] = 0;
}

static void bcm2836_init(const struct platform *p)
{
	local = (uintptr_t)phys_to_virt(p->irqc_regs[0].pa);
	armctrl = (uintptr_t)phys_to_virt(p->irqc_regs[1].pa);
	gpu_core = this_core();
	for (unsigned i = 0; i < 2; i++)
		mmio_write32(armctrl + ARM_DISABLE1 + 4 * i, ALL_BITS);
	mmio_write32(armctrl + ARM_DISABLE_BASIC, ARM_BASIC_MASK);
	mmio_write32(local + LOCAL_GPU_ROUTING, gpu_core);
	local_reset(gpu_core);
	local_update(LOCAL_MAILBOX_CTRL(gpu_core), BIT(RAISE_MAILBOX), true);
	enabled[0] = enabled[1] = soft_pending[0] = soft_pending[1] = 0;
}

static void bcm2836_init_cpu(void)
{
	local_reset(this_core());
}

/* Turns the calling core's local source `intid` (below LOCAL_SOURCES) on or off: INTID 0,
 * the reschedule SGI, is mailbox 0; the other mailboxes are the driver's (mailbox 3 stays
 * on: irqc_raise needs it); the rest are the sources themselves. */
static void local_enable(uint32_t intid, bool on)
{
	unsigned core = this_core();
	if (intid == IRQC_SGI_RESCHEDULE)
		local_update(LOCAL_MAILBOX_CTRL(core), BIT(SGI_MAILBOX), on);
	else if (intid < LOCAL_TIMERS)
		local_update(LOCAL_TIMER_CTRL(core), BIT(intid), on);
	else if (intid < LOCAL_MBOX_FIRST + LOCAL_MBOXES)
		return;
	if (on)
		local_enabled[core] |= BIT(intid);
	else
		local_enabled[core] &= ~BIT(intid);
}

static void bcm2836_enable(uint32_t intid, bool edge)
{
	(void)edge; /* level-triggered only */
	if (intid >= NR_INTIDS || (intid >= LOCAL_SOURCES && intid < GPU_BASE))
		return;
	if (intid < LOCAL_SOURCES) {
		local_enable(intid, true);
		return;
	}
	set_bit(enabled, intid, true);
	armctrl_write(intid, true);
	if (test_bit(soft_pending, intid))
		raise_mailbox(); /* raised while disabled: deliver it now */
}

static void bcm2836_disable(uint32_t intid)
{
	if (intid >= NR_INTIDS || (intid >= LOCAL_SOURCES && intid < GPU_BASE))
		return;
	if (intid < LOCAL_SOURCES) {
		local_enable(intid, false);
		return;
	}
	set_bit(enabled, intid, false);
	armctrl_write(intid, false);
}

/* The lowest INTID in `bits` (a pending register) that is enabled in `set`, offset by
 * `base`, or IRQC_SPURIOUS. */
static uint32_t first_enabled(uint32_t bits, uint32_t base, const uint64_t *set)
{
	for (; bits; bits &= bits - 1) {
		uint32_t intid = base + (uint32_t)__builtin_ctz(bits);
		if (test_bit(set, intid))
			return intid;
	}
	return IRQC_SPURIOUS;
}

/* A software-raised INTID that is enabled (its pending bit cleared), or IRQC_SPURIOUS. */
static uint32_t take_soft_pending(void)
{
	for (unsigned w = 0; w < 2; w++) {
		uint64_t ready = soft_pending[w] & enabled[w];
		if (ready) {
			uint32_t intid = 64 * w + (uint32_t)__builtin_ctzll(ready);
			set_bit(soft_pending, intid, false);
			return intid;
		}
	}
	return IRQC_SPURIOUS;
}

/* The calling core's reschedule SGI: true if bit 0 of its mailbox 0 was set (now clear). */
static bool take_sgi(unsigned core)
{
	uint32_t bits = mmio_read32(local + LOCAL_MBOX_CLR(core, SGI_MAILBOX));
	if (bits)
		mmio_write32(local + LOCAL_MBOX_CLR(core, SGI_MAILBOX),
			     bits); /* unknown: dropped */
	return bits & BIT(IRQC_SGI_RESCHEDULE);
}

static uint32_t bcm2836_ack(void)
{
	unsigned core = this_core();
	uint32_t source = mmio_read32(local + LOCAL_IRQ_SOURCE(core)), intid;
	if ((source & BIT(LOCAL_MBOX_FIRST + SGI_MAILBOX)) && take_sgi(core))
		return IRQC_SGI_RESCHEDULE;
	uint64_t local_set = local_enabled[core] & ~BIT(IRQC_SGI_RESCHEDULE);
	uint32_t local_src = source & ~(BIT(LOCAL_MBOX_FIRST + SGI_MAILBOX) |
					BIT(LOCAL_MBOX_FIRST + RAISE_MAILBOX) | BIT(LOCAL_GPU));
	if (core != gpu_core) /* its own timers only */
		return first_enabled(local_src, 0, &local_set);
	if (source & BIT(LOCAL_MBOX_FIRST + RAISE_MAILBOX))
		mmio_write32(local + LOCAL_MBOX_CLR(core, RAISE_MAILBOX), ALL_BITS);
	if ((intid = take_soft_pending()) != IRQC_SPURIOUS)
		return intid;
	if ((intid = first_enabled(local_src, 0, &local_set)) != IRQC_SPURIOUS)
		return intid;
	if ((intid = first_enabled(mmio_read32(armctrl + ARM_PENDING_BASIC) & ARM_BASIC_MASK,
				   BASIC_BASE, enabled)) != IRQC_SPURIOUS)
		return intid;
	if ((intid = first_enabled(mmio_read32(armctrl + ARM_PENDING1), GPU_BASE, enabled)) !=
	    IRQC_SPURIOUS)
		return intid;
	return first_enabled(mmio_read32(armctrl + ARM_PENDING2), GPU_BASE + 32, enabled);
}

static void bcm2836_eoi(uint32_t intid)
{
	(void)intid; /* level-triggered: the source's own register ends it */
}

static void bcm2836_raise(uint32_t intid)
{
	if (intid < IRQC_SHARED || intid >= NR_INTIDS)
		return;
	set_bit(soft_pending, intid, true);
	if (test_bit(enabled, intid))
		raise_mailbox();
}

static void bcm2836_clear(uint32_t intid)
{
	if (intid >= IRQC_SHARED && intid < NR_INTIDS)
		set_bit(soft_pending, intid, false);
}

static uint32_t bcm2836_limit(void)
{
	return NR_INTIDS;
}

/* Sets bit `intid` (the reschedule SGI, the only one) of core `cpu`'s mailbox 0. */
static void bcm2836_send_sgi(unsigned cpu, uint32_t intid)
{
	uint64_t core = arch_cpu_hwid(cpu) & MPIDR_AFF0;
	if (intid != IRQC_SGI_RESCHEDULE || core >= LOCAL_CORES)
		return;
	sgi_barrier();
	mmio_write32(local + LOCAL_MBOX_SET(core, SGI_MAILBOX), BIT(intid));
}

const struct irqc_ops bcm2836_ops = {
	.name = "BCM2836",
	.init = bcm2836_init,
	.enable = bcm2836_enable,
	.disable = bcm2836_disable,
	.ack = bcm2836_ack,
	.eoi = bcm2836_eoi,
	.raise = bcm2836_raise,
	.clear = bcm2836_clear,
	.limit = bcm2836_limit,
	.init_cpu = bcm2836_init_cpu,
	.send_sgi = bcm2836_send_sgi,
};
