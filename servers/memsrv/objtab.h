/*
 * The object table: which kernel objects (endpoints, notifications) each process made through
 * MEMSRV_OBJ_CREATE, in which slot of its CNode, and the untyped cell each was retyped from
 * (objects.c). A pure data structure: no kernel calls, host-tested (tests/unit).
 *
 * Entries are kept dense in e[0..used); removing one moves the last into its place, so a
 * pointer to an entry is valid only until the next change.
 */
#pragma once

#include <stdint.h>

#define OBJTAB_MAX    4096  /* objects of every process together */
#define OBJTAB_OWNERS 65536 /* owner ids 0..OBJTAB_OWNERS-1: every address space id */

/* One object: its owner (an address space id), its slot there, its type and cell. */
struct obj_entry {
	uint16_t owner;
	uint8_t slot;
	uint8_t type;
	uint64_t cell;
};

struct objtab {
	struct obj_entry e[OBJTAB_MAX];
	unsigned used;
	uint16_t count[OBJTAB_OWNERS]; /* entries per owner */
};

/* Empties the table. */
void objtab_init(struct objtab *t);

/*
 * Records an object of `owner` in `slot`. Returns 0, E_RANGE (owner out of range), E_BUSY
 * (the owner already has an object in that slot), or E_NOMEM (the owner holds `quota`
 * objects, or the table is full); on error nothing changed.
 */
int objtab_add(struct objtab *t, unsigned owner, unsigned slot, unsigned type, uint64_t cell,
	       unsigned quota);

/* The entry of `owner` in `slot`, or NULL. */
struct obj_entry *objtab_find(struct objtab *t, unsigned owner, unsigned slot);

/* Any one entry of `owner`, or NULL if it has none. */
struct obj_entry *objtab_any(struct objtab *t, unsigned owner);

/* Removes an entry objtab_find or objtab_any returned. */
void objtab_remove(struct objtab *t, struct obj_entry *e);

/* The number of objects `owner` holds (0 for an owner out of range). */
unsigned objtab_count(const struct objtab *t, unsigned owner);
