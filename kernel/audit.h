/*
 * The kernel self-audit (debug builds): checks the kernel's own invariants on request
 * (SYS_DEBUG_AUDIT) and reports every violation with what and where.
 *
 * Each subsystem that keeps an invariant offers an `*_audit(struct audit *)` function that
 * checks it and calls audit_fail() once per violation; kernel_audit() runs them all. The
 * audit only reads kernel state, and every loop in it is bounded (a cycle is reported, not
 * followed).
 *
 * The derivation-tree audit (object/mdb_audit.c) runs first among the object audits and
 * leaves a table of the live objects it found (one entry per object, however many
 * capabilities name it); the later audits look objects up there ("does this ASID entry
 * name a live VSpace?") and may keep per-object figures in it.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct audit {
	unsigned checked;    /* objects or entries looked at, for the summary */
	unsigned violations; /* audit_fail calls */
	bool tree_ok;        /* the derivation list's links held: the object table is complete */
};

/* Records one violation and prints "audit: " and the message on the kernel console. */
void audit_fail(struct audit *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Runs every audit. Returns the number of violations found (0: all invariants hold);
 * `checked` (if not NULL) receives the number of entries looked at. Changes nothing. */
unsigned kernel_audit(unsigned *checked);

/* One live kernel object, as the derivation-tree audit found it. */
struct audit_object {
	uint64_t id;         /* cap_object_id of its capabilities */
	uint64_t paddr;      /* where its memory starts (memory objects) */
	uint8_t type;        /* CAP_* of its capabilities */
	uint8_t size_bits;   /* its size (memory objects; part of the identity of untyped) */
	uint16_t asids;      /* ASID entries naming it (VSpaces; the arch audit counts) */
	uint16_t asid;       /* the first of them */
	uint32_t claimed[2]; /* arch audit: mapping records found live (tables, 4 KiB pages) */
};

/* The live object of capability type `type` with identity `id` (and, for untyped,
 * `size_bits`; ignored otherwise), or NULL if the last derivation-tree audit found none.
 * Valid only during kernel_audit, after mdb_audit. */
struct audit_object *audit_object_find(unsigned type, uint64_t id, unsigned size_bits);

/* The objects in the table, in the order the derivation list names them first. */
unsigned audit_object_count(void);
struct audit_object *audit_object_at(unsigned i);

struct cte;

/* Calls `fn` for every slot in the derivation list, in list order, if the list's links
 * held in mdb_audit (a->tree_ok); does nothing otherwise. */
void audit_for_each_slot(struct audit *a, void (*fn)(struct audit *a, const struct cte *slot));

/* The audits of the subsystems, in the order kernel_audit runs them. */
void sched_audit(struct audit *a);

/* Derivation tree: list links both ways, depths, no cycle, no linked reply or empty slot,
 * capabilities to one object contiguous, untyped watermarks, children inside their parent
 * untyped and below its watermark, no two live objects overlapping. Builds the object
 * table the later audits use. */
void mdb_audit(struct audit *a);

/* Endpoint and notification queues (links both ways, every queued thread live, in the
 * state and blocked on the object that queues it, every blocked thread queued), bound
 * notifications, and reply capabilities (a caller waiting for a reply has exactly the
 * unlinked reply capability that names it). Needs the object table. */
void ipc_audit(struct audit *a);
