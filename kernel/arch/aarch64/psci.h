/* The Power State Coordination Interface: power off. */
#pragma once

#include <stdint.h>

/* The PSCI version (major << 16 | minor), or negative if there is no PSCI. */
int64_t psci_version(void);

/* Asks the firmware to power the system off; returns only if that failed. */
void psci_system_off(void);
