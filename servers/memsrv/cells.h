/*
 * Cells: small untyped capabilities, each holding one kernel object that memsrv must be able
 * to destroy and make again. Objects never go back to memsrv's big untyped, but a revoke of
 * a cell destroys the object in it (and every copy of it, in any CSpace: the kernel then
 * wakes whoever waits on it with E_DELETED, and a destroyed TCB's unanswered caller too), and
 * the cell can be retyped afresh. Used cells wait on free lists and are reused first.
 *
 *   - Object cells (64 bytes, carved 64 at a time from 4 KiB untyped blocks): endpoints and
 *     notifications of processes (objects.c).
 *   - TCB cells (2 KiB) with a slot of memsrv's CNode each: processes' threads. A fresh TCB
 *     has every register zeroed, unlike a reused one.
 */
#pragma once

#include <mica/syscall.h>

/* A cell with nothing retyped from it. Returns 0 and *out, or E_NOMEM (memory or slots). */
int cell_object_get(cptr_t *out);

/* Destroys whatever was retyped from the cell (every copy included) and keeps it for reuse. */
void cell_object_put(cptr_t cell);

/*
 * A new TCB (inactive, every register zero) in memsrv's CNode: *tcb its slot, *cell its
 * cell. Returns 0 or E_NOMEM.
 */
int cell_tcb_get(cptr_t *tcb, cptr_t *cell);

/*
 * Destroys the TCB made by cell_tcb_get (the thread stops, the capabilities in its slots
 * are deleted, a caller waiting for its reply wakes with E_DELETED) and keeps slot and cell.
 */
void cell_tcb_put(cptr_t tcb, cptr_t cell);

/* Cells of each kind in use (for the leak checks of MEMSRV_OBJ_INFO). */
unsigned cell_objects_in_use(void);
