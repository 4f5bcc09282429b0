/*
 * The interrupt controller interface: one set of operations that the traps, the timer and
 * the IRQ capabilities use, with one implementation per controller the device tree can
 * name: GICv2 (memory-mapped CPU interface), GICv3 (system-register CPU interface,
 * redistributors) and the Broadcom pair of the Raspberry Pi 2/3 (BCM2836 per-core local
 * controller in front of the BCM2835 ARMCTRL controller). All at one priority. Shared
 * interrupts go to the boot core; on the GIC every core has its own CPU interface (and
 * redistributor), and cores signal each other with SGIs (the Broadcom local controller is
 * per core too, and its driver makes the reschedule SGI out of a mailbox).
 *
 * Interrupt numbers ("INTIDs") are the controller's own, with one rule every implementation
 * keeps: below 32 are per-CPU interrupts the kernel owns (the timer), 32 and above are the
 * shared device interrupts user space may claim.
 *   GIC:     the GIC's INTID (PPI n -> 16 + n, SPI n -> 32 + n).
 *   BCM2836: the reschedule SGI (mailbox 0 of the core) -> 0 (local source 0, the secure
 *            physical timer, has no INTID); local source n (1..11: timers, mailboxes,
 *            GPU, PMU, ...) -> n;
 *            GPU interrupt n (0..63, ARMCTRL banks 1 and 2) -> 32 + n;
 *            ARM basic interrupt n (0..7, ARMCTRL bank 0) -> 96 + n.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct platform;

#define IRQC_SPURIOUS 1023 /* irqc_ack: nothing pending */
#define IRQC_SHARED   32   /* the first INTID user space may claim */
/* The SGI a core sends another to make it schedule (wakeups, stalls). */
#define IRQC_SGI_RESCHEDULE 0

enum irqc_kind { IRQC_GICV2, IRQC_GICV3, IRQC_BCM2836 };

struct irqc_ops {
	const char *name;
	void (*init)(const struct platform *p);
	void (*enable)(uint32_t intid, bool edge);
	void (*disable)(uint32_t intid);
	uint32_t (*ack)(void); /* INTID of the highest pending interrupt, or IRQC_SPURIOUS */
	void (*eoi)(uint32_t intid);
	void (*raise)(uint32_t intid); /* makes a shared interrupt pending */
	void (*clear)(uint32_t intid); /* clears a pending shared interrupt */
	uint32_t (*limit)(void);       /* one past the highest INTID the controller has */
	void (*init_cpu)(void);        /* a secondary core's CPU interface (may be NULL) */
	void (*send_sgi)(unsigned cpu, uint32_t intid); /* (may be NULL: no SGIs) */
};

extern const struct irqc_ops gicv2_ops;
extern const struct irqc_ops gicv3_ops;
extern const struct irqc_ops bcm2836_ops;

/* Initialises the controller the platform names; every interrupt starts disabled. */
void irqc_init(const struct platform *p);

/* Routes `intid` to this CPU and enables it; `edge` selects edge- rather than level-triggered
 * where the controller can (GIC SPIs; the Broadcom controllers are level-only). */
void irqc_enable(uint32_t intid, bool edge);
void irqc_disable(uint32_t intid);

/* Acknowledges the highest-priority pending interrupt; returns its INTID or IRQC_SPURIOUS. */
uint32_t irqc_ack(void);

/* Signals the end of handling `intid`. */
void irqc_eoi(uint32_t intid);

/* Makes shared interrupt `intid` pending, as if its device had signalled it. */
void irqc_raise(uint32_t intid);

/* Clears a pending shared interrupt (its handler is gone: the next owner must not see it). */
void irqc_clear_pending(uint32_t intid);

/* True if `intid` is a shared interrupt this controller has (user space may claim it). */
bool irqc_is_shared(uint32_t intid);

/* A secondary core: brings up its CPU interface (GICv3: and its redistributor), every
 * private interrupt disabled except the reschedule SGI. */
void irqc_init_cpu(void);

/* Sends SGI `intid` to core `cpu` (kernel numbering, smp.h); earlier memory writes are
 * visible to it before it takes the interrupt. Nothing where the controller has no SGIs. */
void irqc_send_sgi(unsigned cpu, uint32_t intid);

/* The driver's name ("GICv2", "GICv3", "BCM2836"). */
const char *irqc_name(void);
