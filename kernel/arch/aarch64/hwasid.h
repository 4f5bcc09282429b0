/*
 * Hardware ASIDs by generation (the scheme Linux uses on arm64).
 *
 * There are more address spaces than hardware ASIDs (16 or 8 bits, or fewer with the
 * asid_bits option), so a VSpace holds a hardware ASID only for the current generation.
 * When it is about to run with an ASID from an older generation it gets a fresh one; when
 * none is free, a new generation starts: every ASID is free again and one full TLB
 * invalidation drops all entries tagged with the old ones. Hardware ASID 0 is never
 * handed out (TTBR0 holds it while no address space is installed).
 *
 * Pure logic, host-tested; the caller does the TLB invalidation the result asks for.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define HWASID_MAX_BITS 16

struct hwasid_allocator {
	unsigned bits;       /* usable ASID bits: ASIDs 1 .. 2^bits - 1 */
	uint64_t generation; /* starts at 1; a binding with another generation is stale */
	uint64_t rollovers;
	uint32_t next; /* where the search for a free ASID starts */
	uint64_t used[(1u << HWASID_MAX_BITS) / 64];
};

/* A VSpace's binding: valid only if its generation is the allocator's. */
struct hwasid_binding {
	uint64_t generation;
	uint16_t asid;
};

/* Sets up an allocator for `bits` usable bits (1..16). */
void hwasid_init(struct hwasid_allocator *a, unsigned bits);

/*
 * Returns the hardware ASID `b` may run with, allocating one if its binding is stale.
 * Sets *flush_all if a new generation started (the caller must invalidate the whole TLB
 * before using the ASID).
 */
uint16_t hwasid_get(struct hwasid_allocator *a, struct hwasid_binding *b, bool *flush_all);

/*
 * hwasid_get for several cores: if a new generation starts, the current bindings in
 * keep[0..nkeep) (the address spaces other cores have installed; NULL entries are
 * skipped) keep their ASIDs in it, so no running core's ASID goes to another address space
 * (Linux's reserved ASIDs). Returns 0 (b unbound, the new generation begun, *flush_all
 * set) if the kept ones hold every ASID: the caller must then stop the other cores using
 * theirs and call hwasid_get, which starts a generation keeping nothing.
 */
uint16_t hwasid_get_keeping(struct hwasid_allocator *a, struct hwasid_binding *b, bool *flush_all,
			    struct hwasid_binding *const *keep, unsigned nkeep);

/* Gives `b`'s ASID back if it belongs to the current generation. Returns true if it did
 * (the caller then invalidates that ASID's TLB entries). */
bool hwasid_release(struct hwasid_allocator *a, struct hwasid_binding *b);
