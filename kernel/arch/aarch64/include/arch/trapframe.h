/* The register frame every exception entry saves (vectors.S builds it). */
#pragma once

#define TF_X(n) ((n)*8)
#define TF_SP   (31 * 8) /* SP_EL0 for exceptions from EL0; for EL1, the interrupted SP */
#define TF_ELR  (32 * 8)
#define TF_SPSR (33 * 8)
#define TF_ESR  (34 * 8)
#define TF_FAR  (35 * 8)
#define TF_SIZE (36 * 8)

#ifndef __ASSEMBLER__
#include <stdint.h>

struct trap_frame {
	uint64_t x[31];
	uint64_t sp;
	uint64_t elr;
	uint64_t spsr;
	uint64_t esr;
	uint64_t far;
};

_Static_assert(sizeof(struct trap_frame) == TF_SIZE, "trap_frame layout matches vectors.S");
_Static_assert(TF_SIZE % 16 == 0, "trap frame keeps SP 16-byte aligned");
#endif
