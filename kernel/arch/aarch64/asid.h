/*
 * Software ASIDs: the identity of a VSpace, assigned through ASID pools.
 *
 * ASID control (one capability, given to the root task) turns a 4 KiB untyped into an ASID
 * pool covering 128 consecutive ASIDs; ASID_POOL_ASSIGN binds a VSpace root to a free one.
 * The pool's memory holds one entry per ASID: the VSpace it names, its hardware ASID binding
 * (hwasid.h), and the VSpace's figures (installed table pages, mapped pages). A VSpace runs
 * only through a valid entry, so deleting a pool stops every address space in it safely.
 */
#pragma once

#include <mica/objects.h>
#include <stdbool.h>
#include <stdint.h>

#include "hwasid.h"

struct asid_entry {
	uint64_t vspace_pa; /* the L0 table; 0: free */
	struct hwasid_binding hw;
	uint32_t table_pages;  /* page-table objects installed in it */
	uint32_t mapped_pages; /* 4 KiB pages mapped by frames (a 2 MiB frame counts 512) */
};

struct asid_pool {
	struct asid_entry entries[ASID_POOL_ENTRIES];
};

_Static_assert(sizeof(struct asid_pool) == (1u << ASID_POOL_BITS), "a pool is one page");

#define ASID_POOL_COUNT (ASID_COUNT / ASID_POOL_ENTRIES)

/* The pools by ASID / ASID_POOL_ENTRIES (NULL: none), and the hardware ASID allocator;
 * exposed for the inline lookups on the context-switch path only. */
extern struct asid_pool *asid_pools[ASID_POOL_COUNT];
extern struct hwasid_allocator asid_hw_alloc;

/* The entry of software ASID `asid` if it is assigned to the VSpace at `vspace_pa`, else
 * NULL (unassigned, pool gone, or reassigned to another VSpace). */
static inline struct asid_entry *asid_entry_of(uint16_t asid, uint64_t vspace_pa)
{
	struct asid_pool *pool = asid_pools[asid / ASID_POOL_ENTRIES];
	if (!pool || asid == 0 || vspace_pa == 0)
		return (struct asid_entry *)0;
	struct asid_entry *e = &pool->entries[asid % ASID_POOL_ENTRIES];
	return e->vspace_pa == vspace_pa ? e : (struct asid_entry *)0;
}

/* Changes whenever a cached TTBR0 value may have become wrong: a new ASID generation, or
 * an ASID freed (VSpace or pool deleted). Never 0, so a zeroed TCB's cache is invalid.
 * Every core keeps a copy (arch_percpu.asid_epoch), which the self-audit checks. */
extern uint64_t asid_epoch;

/* The hardware ASID `e` holds in the current generation, or 0 (then asid_activate). */
static inline uint16_t asid_hw_if_current(const struct asid_entry *e)
{
	return e->hw.generation == asid_hw_alloc.generation ? e->hw.asid : 0;
}

/* The entry of software ASID `asid` if it is assigned to any VSpace, else NULL. */
struct asid_entry *asid_entry_lookup(uint16_t asid);

/*
 * Gives the VSpace (`vspace_pa`, `asid`) a current hardware ASID and returns the TTBR0
 * value to install, or 0 if it has no valid ASID. Sets *flush_all if a new ASID generation
 * began (the caller installs the TTBR0 value, then invalidates the whole TLB).
 */
uint64_t asid_activate(uint64_t vspace_pa, uint16_t asid, bool *flush_all);

/* Releases the hardware ASID of `e` (dropping its TLB entries) and frees the entry. */
void asid_entry_free(struct asid_entry *e);

/* The hardware ASID `e` currently holds, or 0 if its binding is stale (then no TLB entry
 * is tagged with it: the rollover that made it stale flushed them). */
uint16_t asid_hw_current(const struct asid_entry *e);

/* The allocator's generation. */
uint64_t asid_generation(void);

/* Sets up hardware ASIDs with `bits` usable bits (the CPU's, or fewer by the build option)
 * and registers the boot pool (ASIDs 0..127; 0 never used) holding the root VSpace at 1. */
void asid_init(unsigned bits, struct asid_pool *boot_pool);

struct invocation;
int decode_asid_control_invocation(struct invocation *inv);
int decode_asid_pool_invocation(struct invocation *inv);

/* The last capability to the pool is gone: every VSpace in it loses its ASID. */
void asid_pool_finalise(uint64_t pool_pa);
