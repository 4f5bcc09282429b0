/*
 * VMSAv8-64 translation table descriptors, 4 KiB granule, 48-bit VA, 4 levels (L0..L3).
 *
 *   63   59 58 55 54  53  52  51  48 47          12 11  10  9 8  7 6  5  4 2  1  0
 *  +------+-----+---+---+---+------+--------------+---+---+----+----+---+----+--+--+
 *  |tbl   | sw  |UXN|PXN|Ctg| res0 | output addr  |nG |AF | SH | AP |NS |Attr|T |V |
 *  +------+-----+---+---+---+------+--------------+---+---+----+----+---+----+--+--+
 *
 * V=1,T=1 at L0-L2: next-level table; V=1,T=0 at L1/L2: block; V=1,T=1 at L3: page.
 * AP[2:1]: 00 EL1 RW, 01 EL1+EL0 RW, 10 EL1 RO, 11 EL1+EL0 RO.
 * Attr indexes MAIR_EL1 (see MAIR_VALUE).
 */
#pragma once

#include <arch/bits.h>

#ifndef __ASSEMBLER__
#include <stdint.h>
typedef uint64_t pte_t;
#endif

#define PAGE_SHIFT 12
#define PAGE_SIZE  (UL(1) << PAGE_SHIFT)
#define PT_ENTRIES 512
#define PT_LEVELS  4

/* Bytes mapped by one entry at `level` (0..3): 512 GiB, 1 GiB, 2 MiB, 4 KiB. */
#define LEVEL_SHIFT(level) (PAGE_SHIFT + 9 * (3 - (level)))
#define LEVEL_SIZE(level)  (UL(1) << LEVEL_SHIFT(level))
/* Index of `va` in a table at `level`. */
#define PT_INDEX(va, level) (((va) >> LEVEL_SHIFT(level)) & (PT_ENTRIES - 1))

#define PTE_VALID           (UL(1) << 0)
#define PTE_TABLE           (UL(1) << 1) /* table (L0-L2) or page (L3) */
#define PTE_BLOCK           (UL(0) << 1)
#define PTE_ATTR(idx)       ((idx) << 2)
#define PTE_AP_EL0          (UL(1) << 6) /* AP[1]: EL0 access */
#define PTE_AP_RO           (UL(1) << 7) /* AP[2]: read-only */
#define PTE_SH_INNER        (UL(3) << 8)
#define PTE_AF              (UL(1) << 10)
#define PTE_NG              (UL(1) << 11)
#define PTE_PXN             (UL(1) << 53)
#define PTE_UXN             (UL(1) << 54)
#define PTE_PXN_TABLE       (UL(1) << 59) /* table: no EL1 execution anywhere below */
#define PTE_ADDR_MASK       UL(0x0000fffffffff000)

/* MAIR_EL1 attribute indexes and their encodings. */
#define MT_DEVICE_nGnRE    0
#define MT_NORMAL          1
#define MT_NORMAL_NC       2
#define MT_DEVICE_nGnRnE   3
#define MAIR_DEVICE_nGnRE  UL(0x04)
#define MAIR_NORMAL_WB     UL(0xff)
#define MAIR_NORMAL_NC     UL(0x44)
#define MAIR_DEVICE_nGnRnE UL(0x00)
#define MAIR_VALUE                                                                            \
	((MAIR_DEVICE_nGnRE << (8 * MT_DEVICE_nGnRE)) | (MAIR_NORMAL_WB << (8 * MT_NORMAL)) | \
	 (MAIR_NORMAL_NC << (8 * MT_NORMAL_NC)) | (MAIR_DEVICE_nGnRnE << (8 * MT_DEVICE_nGnRnE)))

/* Kernel mapping attributes (EL1 only; EL0 never executes kernel memory). */
#define PTE_KERN_NORMAL  (PTE_VALID | PTE_AF | PTE_SH_INNER | PTE_ATTR(MT_NORMAL) | PTE_UXN)
#define PROT_KERN_TEXT   (PTE_KERN_NORMAL | PTE_AP_RO)
#define PROT_KERN_RODATA (PTE_KERN_NORMAL | PTE_AP_RO | PTE_PXN)
#define PROT_KERN_DATA   (PTE_KERN_NORMAL | PTE_PXN)
#define PROT_KERN_DEVICE (PTE_VALID | PTE_AF | PTE_ATTR(MT_DEVICE_nGnRE) | PTE_PXN | PTE_UXN)

/* TCR_EL1 */
#define TCR_T0SZ(n)    ((n) << 0)
#define TCR_EPD0       (UL(1) << 7)
#define TCR_IRGN0_WBWA (UL(1) << 8)
#define TCR_ORGN0_WBWA (UL(1) << 10)
#define TCR_SH0_INNER  (UL(3) << 12)
#define TCR_TG0_4K     (UL(0) << 14)
#define TCR_T1SZ(n)    ((n) << 16)
#define TCR_A1         (UL(1) << 22)
#define TCR_EPD1       (UL(1) << 23)
#define TCR_IRGN1_WBWA (UL(1) << 24)
#define TCR_ORGN1_WBWA (UL(1) << 26)
#define TCR_SH1_INNER  (UL(3) << 28)
#define TCR_TG1_4K     (UL(2) << 30)
#define TCR_IPS_SHIFT  32
#define TCR_AS         (UL(1) << 36) /* 16-bit ASIDs */
#define VA_BITS        48

#define TCR_BOOT                                                                                 \
	(TCR_T0SZ(64 - VA_BITS) | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA | TCR_SH0_INNER | TCR_TG0_4K | \
	 TCR_T1SZ(64 - VA_BITS) | TCR_IRGN1_WBWA | TCR_ORGN1_WBWA | TCR_SH1_INNER | TCR_TG1_4K)
