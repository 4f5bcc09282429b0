/* The kernel's own translation tables (TTBR1_EL1). */
#pragma once

struct bootmem;
struct platform;

/*
 * Builds the final kernel tables (layout in <arch/memlayout.h>) from pages of `bm`: all RAM
 * in the kernel window, the image with per-section permissions, the platform's devices;
 * then switches TTBR1 to them, turns off TTBR0 walks, and enables WXN.
 */
void mmu_init(struct bootmem *bm, const struct platform *p);

/* A secondary core, running on the boot table: installs the tables mmu_init built. */
void mmu_init_secondary(void);
