/*
 * The interrupt controller: GICv2 (memory-mapped CPU interface) or GICv3 (system-register
 * CPU interface, redistributors), chosen from the device tree. Group 1 (non-secure)
 * interrupts, all at one priority; SPIs go to the boot core, every core has its own CPU
 * interface (and redistributor), and cores signal each other with SGIs.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct platform;

#define GIC_SPURIOUS 1023
/* The SGI a core sends another to make it schedule (wakeups, stalls). */
#define GIC_SGI_RESCHEDULE 0

struct gic_ops {
	const char *name;
	void (*init)(const struct platform *p);
	void (*enable)(uint32_t intid, bool edge);
	void (*disable)(uint32_t intid);
	uint32_t (*ack)(void); /* INTID of the highest pending interrupt, or GIC_SPURIOUS */
	void (*eoi)(uint32_t intid);
	void (*raise)(uint32_t intid); /* makes an SPI pending */
	void (*clear)(uint32_t intid); /* clears a pending SPI */
	void (*init_cpu)(void);        /* a secondary core's CPU interface (may be NULL) */
	void (*send_sgi)(unsigned cpu, uint32_t intid); /* (may be NULL: one core only) */
};

extern const struct gic_ops gicv2_ops;
extern const struct gic_ops gicv3_ops;

/* Initialises the GIC the platform names; every interrupt starts disabled. */
void gic_init(const struct platform *p);

/* Routes `intid` to this CPU and enables it; `edge` selects edge- rather than level-triggered
 * (SPIs only; SGI/PPI configuration is fixed). */
void gic_enable(uint32_t intid, bool edge);
void gic_disable(uint32_t intid);

/* Acknowledges the highest-priority pending interrupt; returns its INTID or GIC_SPURIOUS. */
uint32_t gic_ack(void);

/* Signals the end of handling `intid`. */
void gic_eoi(uint32_t intid);

/* Makes SPI `intid` pending, as if its device had signalled it. */
void gic_raise(uint32_t intid);

/* Clears a pending SPI (its handler is gone: the next owner must not see it). */
void gic_clear_pending(uint32_t intid);

/* A secondary core: brings up its CPU interface (GICv3: and its redistributor), every
 * private interrupt disabled except the reschedule SGI. */
void gic_init_cpu(void);

/* Sends SGI `intid` to core `cpu` (kernel numbering, smp.h); earlier memory writes are
 * visible to it before it takes the interrupt. */
void gic_send_sgi(unsigned cpu, uint32_t intid);

/* The driver's name ("GICv2"/"GICv3"). */
const char *gic_name(void);
