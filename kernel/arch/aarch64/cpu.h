/* CPU identification and feature set-up. */
#pragma once

#include <stdbool.h>

/* Prints the CPU model (from MIDR_EL1 and the device tree) and its relevant features. */
void cpu_print_info(const char *dt_compatible);

/* Enables PAN (privileged access never) if the CPU implements it; returns whether it did. */
bool cpu_enable_pan(void);

/* Number of hardware ASID bits: 16 where ID_AA64MMFR0_EL1 says so, else 8. */
unsigned cpu_asid_bits(void);
