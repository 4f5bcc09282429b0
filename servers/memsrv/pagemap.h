/*
 * memsrv's record of what it installed in the kernel's tables: which frame capability backs
 * each resident page, and which page-table capability translates each region, with a count
 * of what hangs below it. One open-addressing hash table (linear probing, backward-shift
 * deletion, no tombstones) over caller-provided storage, shared by all address spaces.
 *
 * Keys name (address space, level, index):
 *   level 0  a resident 4 KiB page, index = va >> 12; value: the frame's slot
 *   level 3  an L3 table, index = va >> 21; count: pages mapped through it
 *   level 2  an L2 table, index = va >> 30; count: L3 tables below it
 *   level 1  an L1 table, index = va >> 39; count: L2 tables below it
 * (the L0 table is the VSpace root itself and is not recorded here).
 *
 * Pure code, host-tested (tests/unit/test_memsrv_pagemap.c).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define PM_LEVEL_PAGE 0

struct pm_entry {
	uint64_t key; /* 0: empty */
	uint32_t slot;
	uint32_t count;
};

struct pagemap {
	struct pm_entry *entries;
	uint32_t capacity; /* a power of two */
	uint32_t used;
	uint32_t limit; /* inserts beyond this many entries are refused (load factor 1/2) */
};

/* The address bits below the index of `level` (0 = page: 12, 3: 21, 2: 30, 1: 39). */
unsigned pm_level_shift(unsigned level);

/* The key of (as_id, level, va): never 0. Requires as_id < 2^16, level <= 3, va < 2^48. */
uint64_t pm_key(unsigned as_id, unsigned level, uint64_t va);

/*
 * Makes `pm` an empty map over `storage` (capacity entries, a power of two >= 2, zeroed by
 * this call). Returns 0, or E_INVAL for a bad capacity.
 */
int pm_init(struct pagemap *pm, struct pm_entry *storage, uint32_t capacity);

/* The entry with `key`, or NULL. */
struct pm_entry *pm_find(const struct pagemap *pm, uint64_t key);

/*
 * Adds `key` with `slot` and count 0. Returns 0, E_MAPPED if the key is present, or E_NOMEM if
 * the map holds `limit` entries already.
 */
int pm_insert(struct pagemap *pm, uint64_t key, uint32_t slot);

/* Removes `key`. Returns 0 or E_NOTMAPPED. Other entries' pointers may move. */
int pm_remove(struct pagemap *pm, uint64_t key);

/* Whether `count` more entries fit under the limit. */
bool pm_room(const struct pagemap *pm, uint32_t count);
