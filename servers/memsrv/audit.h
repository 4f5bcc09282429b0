/*
 * The audit (MEMSRV_AUDIT): checks an address space's VMA tree against what the kernel has
 * installed, read back with VSPACE_WALK. Every installed mapping must be a 4 KiB page inside
 * a VMA, outside its guard pages, with no more rights than the VMA, and recorded by memsrv;
 * the number of mappings must equal the resident pages memsrv counts; the kernel's table
 * count must equal memsrv's; and the VMA tree must pass vma_check.
 */
#pragma once

#include <stdint.h>

#include "aspace.h"

/*
 * Audits `as`. Sets *checked to the mappings read from the kernel and *violations to the
 * number of disagreements (0: the tables agree). Returns 0 or the kernel's error.
 */
int audit_aspace(struct aspace *as, uint64_t *checked, uint64_t *violations);
