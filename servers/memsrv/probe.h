/*
 * The probe (include/mica/memsrv.h, "The probe"; docs/memsrv.md): one thread that memsrv
 * moves into any address space on request, so that a client with the control right can read
 * and write that space's memory with real loads and stores (the shell's peek and poke).
 *
 * In the address space it occupies the probe window: its ELF segments (eager, inside
 * PROBE_CODE_MAX of MEMSRV_PROBE_BASE), an eager stack with a guard page below it, and an
 * eager IPC buffer, all under one L3 table. Its faults arrive through a fault capability
 * badged MEMSRV_BADGE_FAULT | MEMSRV_BADGE_PROBE: lazy fills are done as for any thread;
 * anything the pager would kill a process for is counted in the space's statistics with the
 * same class and reported to the client instead (the probe is restarted to reply).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "aspace.h"

/*
 * Moves the probe into `target` (stopping it wherever it was) and gives the process of
 * `owner` a capability to its endpoint in MEMSRV_SLOT_PROBE (a previous owner's is revoked).
 * Returns 0, E_STATE (owner is not a running process), E_NOMEM (memory, quota or slots), or
 * another error of loading the probe; on error the probe is stopped.
 */
int probe_attach(struct aspace *target, struct aspace *owner);

/* Stops the probe, takes it out of its address space, and revokes the capability to it. */
void probe_detach(void);

/* Called before `as` is destroyed or its process ends: detaches the probe if it lives in
 * `as` or `as` owns it. */
void probe_forget(const struct aspace *as);

/* The address space the probe is in (0: none). */
unsigned probe_location(void);

/* Whether [start, start + length) of `as` touches the probe (its window while it is there). */
bool probe_pinned(const struct aspace *as, uint64_t start, uint64_t length);

/*
 * Handles fault message `label` with words mr[0..length) from the probe. Returns true if the
 * probe should be resumed (reply label 0): after a lazy fill, or after it was redirected to
 * report a fatal fault; false if it is not running (no reply: it stays suspended).
 */
bool probe_fault(uint64_t label, const uint64_t *mr, unsigned length);
