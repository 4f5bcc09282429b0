/*
 * System-register access and the register fields the kernel uses.
 *
 * Field names follow the Arm ARM (DDI 0487). Only fields the kernel touches are named;
 * there are no bare magic numbers for them elsewhere.
 */
#pragma once

#include <arch/bits.h>

#ifndef __ASSEMBLER__
#include <stdint.h>

#define read_sysreg(reg)                                      \
	({                                                    \
		uint64_t v_;                                  \
		__asm__ volatile("mrs %0, " #reg : "=r"(v_)); \
		v_;                                           \
	})

#define write_sysreg(reg, val) __asm__ volatile("msr " #reg ", %0" ::"r"((uint64_t)(val)))

#define isb()                  __asm__ volatile("isb" ::: "memory")
#define dsb(opt)               __asm__ volatile("dsb " #opt ::: "memory")
#define wfi()                  __asm__ volatile("wfi" ::: "memory")
#endif

/* Extracts the `width`-bit field at bit `shift` of `v`. */
#define FIELD(v, shift, width) (((v) >> (shift)) & ((UL(1) << (width)) - 1))

/* SCTLR_EL1 */
#define SCTLR_M    BIT(0)  /* MMU enable */
#define SCTLR_A    BIT(1)  /* alignment checks */
#define SCTLR_C    BIT(2)  /* data cache enable */
#define SCTLR_SA   BIT(3)  /* SP alignment check, EL1 */
#define SCTLR_SA0  BIT(4)  /* SP alignment check, EL0 */
#define SCTLR_I    BIT(12) /* instruction cache enable */
#define SCTLR_DZE  BIT(14) /* EL0 may use DC ZVA */
#define SCTLR_UCT  BIT(15) /* EL0 may read CTR_EL0 */
#define SCTLR_WXN  BIT(19) /* writable implies execute-never */
#define SCTLR_SPAN BIT(23) /* 0: PSTATE.PAN set on exception to EL1 (RES1 without PAN) */
/* Bits that are RES1 on ARMv8.0 (EOS, TSCXT, EIS, SPAN, nTLSMD, LSMAOE on later versions). */
#define SCTLR_RES1 (BIT(11) | BIT(20) | BIT(22) | BIT(23) | BIT(28) | BIT(29))

/* SCR_EL3 (EL3 entry only: QEMU's raspi machines start an ELF there) */
#define SCR_NS   BIT(0) /* EL2 and below are non-secure */
#define SCR_RES1 (BIT(4) | BIT(5))
#define SCR_SMD  BIT(7)  /* SMC is undefined (no secure firmware behind it) */
#define SCR_HCE  BIT(8)  /* HVC is enabled (the EL2 stub) */
#define SCR_RW   BIT(10) /* EL2 is AArch64 */

/* HCR_EL2 */
#define HCR_FMO BIT(3)  /* FIQs go to EL2; virtual FIQs reach EL1/EL0 */
#define HCR_AMO BIT(5)  /* SErrors go to EL2; virtual SErrors reach EL1/EL0 */
#define HCR_VF  BIT(6)  /* a virtual FIQ is pending (until cleared) */
#define HCR_VSE BIT(8)  /* a virtual SError is pending (cleared when taken) */
#define HCR_RW  BIT(31) /* EL1 is AArch64 */
/* The HCR_EL2 bits the EL2 stub lets EL1 change (el2.S): virtual FIQ and SError injection. */
#define HCR_INJECT_MASK (HCR_FMO | HCR_AMO | HCR_VF | HCR_VSE)

/* CNTHCTL_EL2: EL1 access to the physical counter and timer */
#define CNTHCTL_EL1PCTEN BIT(0)
#define CNTHCTL_EL1PCEN  BIT(1)

/* CNTV_CTL_EL0 */
#define CNT_CTL_ENABLE  BIT(0)
#define CNT_CTL_IMASK   BIT(1)
#define CNT_CTL_ISTATUS BIT(2)

/* ID_AA64MMFR0_EL1 */
#define MMFR0_PARANGE(v)  FIELD(v, 0, 4)
#define MMFR0_ASIDBITS(v) FIELD(v, 4, 4) /* 0: 8 bits, 2: 16 bits */
/* ID_AA64MMFR1_EL1 */
#define MMFR1_PAN(v) FIELD(v, 20, 4)
/* ID_AA64PFR0_EL1 */
#define PFR0_GIC(v) FIELD(v, 24, 4) /* 1: GICv3 system registers */

/* CTR_EL0 */
#define CTR_DMINLINE(v) FIELD(v, 16, 4) /* log2 words in the smallest D-cache line */

/* MIDR_EL1 */
#define MIDR_IMPLEMENTER(v) FIELD(v, 24, 8)
#define MIDR_VARIANT(v)     FIELD(v, 20, 4)
#define MIDR_PARTNUM(v)     FIELD(v, 4, 12)
#define MIDR_REVISION(v)    FIELD(v, 0, 4)

/* ESR_ELx */
#define ESR_EC_SHIFT 26
#define ESR_EC_WIDTH 6
#define ESR_EC(esr)  FIELD(esr, ESR_EC_SHIFT, ESR_EC_WIDTH)
#define ESR_IL       BIT(25)
#define ESR_ISS(esr) FIELD(esr, 0, 25)
/* ISS of data and instruction aborts */
#define ISS_xFSC(iss) FIELD(iss, 0, 6)
#define ISS_WNR       BIT(6)
#define ISS_CM        BIT(8)

/* Exception classes the kernel names */
#define EC_UNKNOWN       0x00
#define EC_WFx           0x01
#define EC_FP_ASIMD      0x07
#define EC_ILLEGAL_STATE 0x0e
#define EC_SVC64         0x15
#define EC_HVC64         0x16
#define EC_SMC64         0x17
#define EC_SYSREG        0x18
#define EC_IABT_LOWER    0x20
#define EC_IABT_CUR      0x21
#define EC_PC_ALIGN      0x22
#define EC_DABT_LOWER    0x24
#define EC_DABT_CUR      0x25
#define EC_SP_ALIGN      0x26
#define EC_FP64          0x2c
#define EC_SERROR        0x2f
#define EC_BREAKPT_LOWER 0x30
#define EC_BREAKPT_CUR   0x31
#define EC_SSTEP_LOWER   0x32
#define EC_SSTEP_CUR     0x33
#define EC_WATCHPT_LOWER 0x34
#define EC_WATCHPT_CUR   0x35
#define EC_BRK64         0x3c

/* DAIF bits as used by `msr daifset/daifclr, #imm` */
#define DAIF_IRQ 2
