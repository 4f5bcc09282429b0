/*
 * The pager: what memsrv does with a fault message from a thread it started (one that came
 * through a MEMSRV_BADGE_FAULT capability). A translation fault inside a lazy VMA with an
 * access the VMA allows gets a zero-filled page and the thread resumes; anything else ends
 * the process, and the fault is counted by class in its address space's statistics.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "aspace.h"

/*
 * Handles fault message `label` (FAULT_LABEL(kind)) with words mr[0..length) from the
 * process of `as`. Returns true if the thread should be resumed (reply label 0); false if
 * the process was ended (then there is no one to reply to; the fault's address and pc are
 * recorded for MEMSRV_PROC_INFO).
 */
bool pager_fault(struct aspace *as, uint64_t label, const uint64_t *mr, unsigned length);

/*
 * Resolves a VM fault at `addr` with `access` (FAULT_ACCESS_*) in `as` as the pager does: a
 * lazy page is filled (returns FC_LAZY, counted), a resident page with stale rights is
 * refreshed (FC_COUNT: nothing to count); anything else returns the class the fault has
 * (FC_GUARD, FC_UNMAPPED, FC_PERMISSION, FC_QUOTA, FC_OTHER) without acting on it.
 */
enum fault_class pager_resolve(struct aspace *as, uint64_t addr, uint64_t access);

/* The MEMSRV_STAT_FAULTS_* index of a fault class. */
unsigned pager_stat_index(enum fault_class fc);
