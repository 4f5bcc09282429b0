/*
 * The kernel's virtual memory layout.
 *
 * User space:  0x0000_0000_0000_0000 .. 0x0000_ffff_ffff_ffff  (TTBR0_EL1)
 * Kernel:      0xffff_0000_0000_0000 .. 0xffff_ffff_ffff_ffff  (TTBR1_EL1)
 *
 * The kernel half is one linear window: physical address P is at KERNEL_VA_OFFSET + P.
 * RAM is mapped there normal-cacheable and never executable, except the kernel image,
 * which is mapped page by page with its section permissions (text RX, rodata R, data RW).
 * Devices the kernel uses are mapped there too, as Device-nGnRE. Nothing else is mapped,
 * so a stray kernel pointer faults.
 */
#pragma once

#define KERNEL_VA_OFFSET 0xffff000000000000
/* Where the image is linked and loaded depends on the board: KERNEL_PHYS_BASE in
 * arch/board.h (included only by the per-board files). */

/* Debug builds read here to prove an unmapped kernel address faults (no L0 entry). */
#define CRASH_UNMAPPED_VA 0xffff8000dead0000

#ifndef __ASSEMBLER__
#include <stdint.h>
typedef uint64_t paddr_t;
typedef uint64_t vaddr_t;

static inline void *phys_to_virt(paddr_t pa)
{
	return (void *)(pa + KERNEL_VA_OFFSET);
}
static inline paddr_t virt_to_phys(const void *va)
{
	return (paddr_t)(uintptr_t)va - KERNEL_VA_OFFSET;
}
#endif
