/* Injecting asynchronous exceptions through the EL2 stub (el2.S), for tests. */
#pragma once

#include <stdint.h>

/*
 * An SError or FIQ from EL0 was taken (`source` is FAULT_ASYNC_*): withdraws its injection,
 * if arch_debug_async made it (a virtual FIQ stays pending until HCR_EL2.VF is cleared).
 */
void el2_async_taken(uint64_t source);
