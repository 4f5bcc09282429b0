/*
 * The name table of the name service (names.c): names published by processes, each with its
 * publisher (an address space id) and the capability slot memsrv keeps for it. A pure data
 * structure: no kernel calls, host-tested (tests/unit).
 *
 * A valid name is 1..NAMETAB_NAME_MAX bytes of [A-Za-z0-9._-]. Names are unique.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NAMETAB_MAX      64 /* names of every process together */
#define NAMETAB_NAME_MAX 31 /* bytes of a name, without its NUL */

struct name_entry {
	bool used;
	uint16_t owner;
	uint8_t slot; /* the slot of the owner's CNode it was published from */
	uint64_t cap; /* memsrv's copy of the published endpoint */
	char name[NAMETAB_NAME_MAX + 1];
};

struct nametab {
	struct name_entry e[NAMETAB_MAX];
};

/* Empties the table. */
void nametab_init(struct nametab *t);

/*
 * Whether bytes[0..n) hold a valid name followed by a NUL (and then anything). Returns its
 * length, or -1 (empty, unterminated, too long, or a character outside [A-Za-z0-9._-]).
 */
int nametab_check(const char *bytes, size_t n);

/* The entry named `name` (a valid name), or NULL. */
struct name_entry *nametab_find(struct nametab *t, const char *name);

/*
 * Adds `name` (a valid name) for `owner`, published from its `slot`, with `cap`. Returns 0, E_BUSY
 * (the name exists), or E_NOMEM (the owner has `per_owner` names, or the table is full); on error
 * nothing changed.
 */
int nametab_add(struct nametab *t, const char *name, unsigned owner, unsigned slot, uint64_t cap,
		unsigned per_owner);

/* Removes an entry. */
void nametab_remove(struct name_entry *e);

/* Any one entry of `owner`, or NULL. */
struct name_entry *nametab_any(struct nametab *t, unsigned owner);

/* The number of names of `owner`. */
unsigned nametab_count(const struct nametab *t, unsigned owner);

/* The number of names in all. */
unsigned nametab_total(const struct nametab *t);
