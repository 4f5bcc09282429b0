/*
 * What the kernel learns about the machine from the device tree (QEMU virt or anything
 * shaped like it): the console UART, the interrupt controller, the timer interrupt and the
 * PSCI conduit. Interrupt numbers are GIC INTIDs (SPI n -> 32 + n, PPI n -> 16 + n).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct fdt;

enum psci_conduit { PSCI_NONE, PSCI_HVC, PSCI_SMC };

struct mmio_region {
	uint64_t pa;
	uint64_t size;
};

struct platform {
	struct mmio_region uart; /* PL011 */
	uint32_t uart_intid;
	int gic_version;         /* 2 or 3 */
	struct mmio_region gicd; /* distributor */
	struct mmio_region gicc; /* v2: CPU interface; v3: redistributor region */
	uint32_t timer_intid;    /* EL1 virtual timer */
	enum psci_conduit psci;
	const char *cpu_compatible; /* "arm,cortex-a72", or "" */
};

extern struct platform platform;

/*
 * Fills `p` from the device tree. Returns NULL on success or a message naming what is
 * missing or malformed.
 */
const char *platform_parse(const struct fdt *fdt, struct platform *p);
