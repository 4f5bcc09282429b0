/* Exception decoding, shared by the kernel's report and (later) user fault delivery. */
#pragma once

#include <stdint.h>

/* The exception class of `esr` in words ("Data Abort from the current EL"). */
const char *esr_class_name(uint64_t esr);

/* The fault status of an abort in words; *level is the table level or -1 if none. */
const char *esr_fault_name(uint64_t esr, int *level);
