/*
 * memsrv's debug requests (debug builds only; MEMSRV_DEBUG is 0 in release builds, where
 * none of this exists): planted disagreements between memsrv's records and the kernel's
 * tables, so that the audit (audit.c) can be shown to catch them. Fault injection lives with
 * the allocator (alloc.h, alloc_inject_arm).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "aspace.h"

#if MEMSRV_DEBUG
/*
 * MEMSRV_DEBUG_PLANT: changes the kernel's mapping of the resident page at `va` of `as`
 * (MEMSRV_PLANT_RIGHTS, _UNMAP, _SWAP) with real invocations, leaving memsrv's records as
 * they were; or undoes the plant in `as` (MEMSRV_PLANT_UNDO). One plant at a time, only in
 * an address space without a process or the probe. Returns 0; E_INVAL (unknown `what`, or RIGHTS on
 * a writable VMA); E_BUSY (a plant is active, or `as` has a process or the probe); E_ALIGN;
 * E_NOTMAPPED (no resident page at va); E_STATE (UNDO without a plant in `as`); E_NOMEM (SWAP
 * without a frame); or the kernel's error. On error nothing changed.
 */
int debug_plant(struct aspace *as, uint64_t va, unsigned what);

/* Whether a plant is active in `as` (map, unmap and protect there are then E_BUSY). */
bool debug_planted(const struct aspace *as);

/* Undoes a plant in `as`, if any; called before `as` is destroyed. */
void debug_plant_forget(const struct aspace *as);
#else
static inline bool debug_planted(const struct aspace *as)
{
	(void)as;
	return false;
}

static inline void debug_plant_forget(const struct aspace *as)
{
	(void)as;
}
#endif
