/*
 * What the kernel learns about the machine from the device tree: the console UART, the
 * interrupt controller, the timer interrupt, the PSCI conduit and, without PSCI, the
 * BCM2835 power manager. Addresses are CPU physical addresses (bus addresses translated
 * through `ranges`); interrupt numbers are the controller's INTIDs (irqc.h).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "irqc.h"

struct fdt;

enum psci_conduit { PSCI_NONE, PSCI_HVC, PSCI_SMC };

struct mmio_region {
	uint64_t pa;
	uint64_t size;
};

#define PLATFORM_IRQC_REGIONS 2

struct platform {
	struct mmio_region uart; /* PL011 */
	uint32_t uart_intid;
	enum irqc_kind irqc_kind;
	/* GIC: distributor, then CPU interface (v2) or redistributor region (v3).
	 * BCM2836: the per-core local controller, then the BCM2835 ARMCTRL controller. */
	struct mmio_region irqc_regs[PLATFORM_IRQC_REGIONS];
	uint32_t timer_intid; /* EL1 virtual timer */
	enum psci_conduit psci;
	struct mmio_region pm;      /* BCM2835 power manager (watchdog); size 0 if absent */
	const char *cpu_compatible; /* "arm,cortex-a72", or "" */
	const char *model;          /* the root's `model`, or "" */
};

extern struct platform platform;

/*
 * Fills `p` from the device tree. Returns NULL on success or a message naming what is
 * missing or malformed.
 */
const char *platform_parse(const struct fdt *fdt, struct platform *p);
