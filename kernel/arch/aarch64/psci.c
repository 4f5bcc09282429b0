/* PSCI (DEN0022) calls through the conduit the device tree names: HVC or SMC. */
#include "psci.h"

#include "platform.h"

#define PSCI_VERSION    0x84000000u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_CPU_ON_64  0xc4000003u

/* Makes PSCI call `fn` with arguments a1..a3 through the platform's conduit; returns x0,
 * or -1 without PSCI. */
static int64_t psci_call3(uint32_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;
	if (platform.psci == PSCI_HVC)
		__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	else if (platform.psci == PSCI_SMC)
		__asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	else
		return -1;
	return (int64_t)x0;
}

static int64_t psci_call(uint32_t fn)
{
	return psci_call3(fn, 0, 0, 0);
}

int64_t psci_cpu_on(uint64_t mpidr, uint64_t entry_pa, uint64_t context)
{
	return psci_call3(PSCI_CPU_ON_64, mpidr, entry_pa, context);
}

int64_t psci_version(void)
{
	return psci_call(PSCI_VERSION);
}

void psci_system_off(void)
{
	psci_call(PSCI_SYSTEM_OFF);
}
