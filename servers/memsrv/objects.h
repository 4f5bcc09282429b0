/*
 * Kernel objects a process makes in its own CSpace: endpoints and notifications
 * (MEMSRV_OBJ_CREATE, _DELETE, _INFO). Each object is retyped from an untyped "cell" of 64
 * bytes that memsrv keeps; the process's capability is the object's first, a child of the
 * cell. Deleting the object is a revoke of the cell: the object and every copy of it (in
 * any process, memsrv's name-service copies included) are gone, threads waiting on it wake
 * with E_DELETED, and the cell is reused. Cells are carved 64 at a time from 4 KiB untyped
 * blocks and never go back. Objects count against the process's MEMSRV_OBJ_QUOTA.
 */
#pragma once

#include <stdint.h>

#include "aspace.h"
#include "handlers.h"

/* Prepares the object table. Call once at boot. */
void objects_init(void);

/*
 * The process that sent the request (through a capability badged for a live address space
 * with a running process), or NULL.
 */
struct aspace *objects_caller(const struct request *rq);

/*
 * The slot to use in the CNode `cnode` of a process: `want` if it is a user slot
 * (MEMSRV_SLOT_USER..MEMSRV_CNODE_SLOTS-1) and empty, or for want 0 the lowest empty user
 * slot. Returns 0 and *out, E_RANGE (want outside the user slots), E_DELETE_FIRST (want is
 * occupied) or E_NOMEM (want 0 and no empty user slot).
 */
int objects_pick_slot(cptr_t cnode, uint64_t want, unsigned *out);

/* The type (MEMSRV_OBJ_*) of the object `as` created in `slot`, or 0 if there is none. */
unsigned objects_type(const struct aspace *as, unsigned slot);

/*
 * Destroys every object of `as` (its process is ending) and gives back its cells. Call after
 * the process's thread is stopped.
 */
void objects_release(struct aspace *as);

/* MEMSRV_OBJ_CREATE: type, slot -> slot. */
int handle_obj_create(struct call *c);

/* MEMSRV_OBJ_DELETE: slot. */
int handle_obj_delete(struct call *c);

/* MEMSRV_OBJ_INFO: -> MEMSRV_OI_* words. */
int handle_obj_info(struct call *c);
