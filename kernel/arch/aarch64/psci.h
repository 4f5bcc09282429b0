/* The Power State Coordination Interface: power off, start a core. */
#pragma once

#include <stdint.h>

/* The PSCI version (major << 16 | minor), or negative if there is no PSCI. */
int64_t psci_version(void);

/* Starts the core `mpidr` at physical address `entry_pa` with x0 = `context`, MMU off, at
 * the caller's exception level (or EL2). Returns 0, or a negative PSCI error. */
int64_t psci_cpu_on(uint64_t mpidr, uint64_t entry_pa, uint64_t context);

/* Asks the firmware to power the system off; returns only if that failed. */
void psci_system_off(void);
