/*
 * The Raspberry Pi 2/3 interrupt controllers behind the irqc interface: the BCM2836 per-core
 * local controller (the ARM generic timers, mailboxes, the PMU and the GPU line of each
 * core) and, behind its GPU line, the BCM2835 ARMCTRL controller (64 GPU interrupts in
 * banks 1 and 2, 8 ARM basic interrupts in bank 0). Numbering: irqc.h.
 *
 * Everything is level-triggered and has no priorities; ack picks the lowest pending number
 * of the first source in this order: software-raised, local, ARM basic, GPU bank 1, bank 2.
 * Only core 0 is served: the GPU interrupts are routed to it, and the timer and mailbox
 * registers used are core 0's (the other cores' are the hook for SMP, docs/boards.md).
 *
 * Neither controller can make an interrupt pending by software, which irqc_raise (the test
 * interface) needs: a raised INTID is kept in a software pending set and mailbox 3 of core
 * 0 is written, which interrupts the core; ack drains the set, enabled INTIDs only, as a
 * GIC delivers a pending interrupt once it is enabled.
 */
#include <arch/memlayout.h>
#include <arch/mmio.h>
#include <arch/sysreg.h>

#include "irqc.h"
#include "platform.h"

/* BCM2836 local controller registers (offsets from its base) for core 0. */
#define LOCAL_GPU_ROUTING   0x0c /* bits 1:0 the core taking GPU IRQs, 3:2 GPU FIQs */
#define LOCAL_TIMER_CTRL0   0x40 /* bits 0..3: IRQ enable of CNTPS, CNTPNS, CNTHP, CNTV */
#define LOCAL_MAILBOX_CTRL0 0x50 /* bits 0..3: IRQ enable of mailboxes 0..3 */
#define LOCAL_IRQ_SOURCE0   0x60 /* pending sources, numbered as the local INTIDs */
#define LOCAL_MBOX_SET0(m)  (0x80 + 4 * (m)) /* write 1s: set bits of core 0's mailbox m */
#define LOCAL_MBOX_CLR0(m)  (0xc0 + 4 * (m)) /* write 1s: clear them */

#define LOCAL_TIMERS        4 /* local INTIDs 0..3: the generic timers */
#define LOCAL_MBOX_FIRST    4 /* local INTIDs 4..7: mailboxes 0..3 */
#define LOCAL_MBOXES        4
#define LOCAL_GPU           8 /* the ARMCTRL controller's line */
#define LOCAL_SOURCES       12
#define RAISE_MAILBOX       3 /* mailbox 3: software-raised interrupts */
#define ROUTE_CORE0         0

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
static uint64_t enabled[2];      /* INTIDs enabled (bit i of word i / 64) */
static uint64_t soft_pending[2]; /* INTIDs raised by software, not yet acknowledged */

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
	mmio_write32(local + LOCAL_MBOX_SET0(RAISE_MAILBOX), 1);
}

static void bcm2836_init(const struct platform *p)
{
	local = (uintptr_t)phys_to_virt(p->irqc_regs[0].pa);
	armctrl = (uintptr_t)phys_to_virt(p->irqc_regs[1].pa);
	for (unsigned i = 0; i < 2; i++)
		mmio_write32(armctrl + ARM_DISABLE1 + 4 * i, ALL_BITS);
	mmio_write32(armctrl + ARM_DISABLE_BASIC, ARM_BASIC_MASK);
	mmio_write32(local + LOCAL_GPU_ROUTING, ROUTE_CORE0);
	mmio_write32(local + LOCAL_TIMER_CTRL0, 0);
	mmio_write32(local + LOCAL_MBOX_CLR0(RAISE_MAILBOX), ALL_BITS);
	mmio_write32(local + LOCAL_MAILBOX_CTRL0, BIT(RAISE_MAILBOX));
	enabled[0] = enabled[1] = soft_pending[0] = soft_pending[1] = 0;
}

static void bcm2836_enable(uint32_t intid, bool edge)
{
	(void)edge; /* level-triggered only */
	if (intid >= NR_INTIDS || (intid >= LOCAL_SOURCES && intid < GPU_BASE))
		return;
	set_bit(enabled, intid, true);
	if (intid < LOCAL_TIMERS)
		local_update(LOCAL_TIMER_CTRL0, BIT(intid), true);
	else if (intid < LOCAL_MBOX_FIRST + LOCAL_MBOXES)
		local_update(LOCAL_MAILBOX_CTRL0, BIT(intid - LOCAL_MBOX_FIRST), true);
	else if (intid >= GPU_BASE)
		armctrl_write(intid, true);
	if (test_bit(soft_pending, intid))
		raise_mailbox(); /* raised while disabled: deliver it now */
}

static void bcm2836_disable(uint32_t intid)
{
	if (intid >= NR_INTIDS || (intid >= LOCAL_SOURCES && intid < GPU_BASE))
		return;
	set_bit(enabled, intid, false);
	if (intid < LOCAL_TIMERS)
		local_update(LOCAL_TIMER_CTRL0, BIT(intid), false);
	else if (intid < LOCAL_MBOX_FIRST + LOCAL_MBOXES &&
		 intid - LOCAL_MBOX_FIRST != RAISE_MAILBOX)
		local_update(LOCAL_MAILBOX_CTRL0, BIT(intid - LOCAL_MBOX_FIRST), false);
	else if (intid >= GPU_BASE)
		armctrl_write(intid, false);
}

/* The lowest INTID in `bits` (a pending register) that is enabled, offset by `base`, or
 * IRQC_SPURIOUS. */
static uint32_t first_enabled(uint32_t bits, uint32_t base)
{
	for (; bits; bits &= bits - 1) {
		uint32_t intid = base + (uint32_t)__builtin_ctz(bits);
		if (test_bit(enabled, intid))
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

static uint32_t bcm2836_ack(void)
{
	uint32_t source = mmio_read32(local + LOCAL_IRQ_SOURCE0), intid;
	if (source & BIT(LOCAL_MBOX_FIRST + RAISE_MAILBOX))
		mmio_write32(local + LOCAL_MBOX_CLR0(RAISE_MAILBOX), ALL_BITS);
	if ((intid = take_soft_pending()) != IRQC_SPURIOUS)
		return intid;
	source &= ~BIT(LOCAL_MBOX_FIRST + RAISE_MAILBOX) & ~BIT(LOCAL_GPU);
	if ((intid = first_enabled(source, 0)) != IRQC_SPURIOUS)
		return intid;
	if ((intid = first_enabled(mmio_read32(armctrl + ARM_PENDING_BASIC) & ARM_BASIC_MASK,
				   BASIC_BASE)) != IRQC_SPURIOUS)
		return intid;
	if ((intid = first_enabled(mmio_read32(armctrl + ARM_PENDING1), GPU_BASE)) != IRQC_SPURIOUS)
		return intid;
	return first_enabled(mmio_read32(armctrl + ARM_PENDING2), GPU_BASE + 32);
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
};
