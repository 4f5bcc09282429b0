/*
 * Virtual SError and FIQ injection for tests (debug builds, kernel entered at EL2).
 *
 * Nothing a user thread does in QEMU's virt machine raises an SError or an FIQ: QEMU models
 * no asynchronous external aborts, and Mica routes every interrupt as an IRQ. To exercise
 * the kernel's handling of both from EL0, arch_debug_async asks the EL2 stub (el2.S) to set
 * HCR_EL2.AMO+VSE (or FMO+VF): a virtual SError (FIQ) is then pending, masked while the
 * kernel runs (PSTATE.A and F are set at EL1), and taken through the EL1 vectors' lower-EL
 * SError (FIQ) slot on the first instruction after the next return to user mode, exactly
 * as a physical one would be.
 */
#include "el2.h"

#include <arch/sysreg.h>
#include <config.h>
#include <mica/errors.h>
#include <mica/fault.h>

#include "arch.h"

extern uint32_t boot_entry_el; /* boot.S */

static uint64_t injected; /* the HCR_EL2 bits arch_debug_async set */

/* Sets and clears HCR_EL2 bits within HCR_INJECT_MASK through the stub. */
static void el2_hcr_update(uint64_t set, uint64_t clear)
{
	register uint64_t x0 __asm__("x0") = set;
	register uint64_t x1 __asm__("x1") = clear;
	__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1) : : "x9", "x10", "memory");
}

/* The HCR_EL2 bits that inject `source`, 0 if it is none. */
static uint64_t inject_bits(uint64_t source)
{
	if (source == FAULT_ASYNC_SERROR)
		return HCR_AMO | HCR_VSE;
	if (source == FAULT_ASYNC_FIQ)
		return HCR_FMO | HCR_VF;
	return 0;
}

int arch_debug_async(uint64_t source)
{
	uint64_t bits = inject_bits(source);
	if (!bits)
		return E_INVAL;
	if (!CONFIG_DEBUG || boot_entry_el != 2)
		return E_STATE;
	el2_hcr_update(bits, 0);
	injected |= bits;
	return E_OK;
}

void el2_async_taken(uint64_t source)
{
	uint64_t bits = inject_bits(source) & injected;
	if (!bits)
		return;
	el2_hcr_update(0, bits);
	injected &= ~bits;
}
