/* Secondary cores on AArch64 (mp.c): the device tree's /cpus. */
#pragma once

struct fdt;

/* Records the boot core's MPIDR and every other core /cpus describes (at most MAX_CPUS),
 * in device-tree order: they become cores 1, 2, ... when arch_smp_boot starts them. */
void smp_parse_cpus(const struct fdt *fdt);
