/* PSCI (DEN0022) calls through the conduit the device tree names: HVC or SMC. */
#include "psci.h"

#include "platform.h"

#define PSCI_VERSION    0x84000000u
#define PSCI_SYSTEM_OFF 0x84000008u

/* Makes PSCI call `fn` through the platform's conduit; returns x0, or -1 without PSCI. */
static int64_t psci_call(uint32_t fn)
{
	register uint64_t x0 __asm__("x0") = fn;
	if (platform.psci == PSCI_HVC)
		__asm__ volatile("hvc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
	else if (platform.psci == PSCI_SMC)
		__asm__ volatile("smc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
	else
		return -1;
	return (int64_t)x0;
}

int64_t psci_version(void)
{
	return psci_call(PSCI_VERSION);
}

void psci_system_off(void)
{
	psci_call(PSCI_SYSTEM_OFF);
}
