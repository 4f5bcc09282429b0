/*
 * TLB maintenance for user mappings. Each function publishes the table update that came
 * before it (DSB ISHST: the walker sees the new entry), invalidates, waits for completion
 * (DSB ISH) and resynchronises the instruction stream (ISB). Inner-shareable forms: every
 * core's TLB drops the entries, and the DSB waits until all of them have. The machine-wide
 * counters (stats) count each kind; the issuing core's `tlbi` counts them all.
 */
#pragma once

#include <stdint.h>

#include "smp.h"
#include "stats.h"

#define TLBI_ASID_SHIFT 48

/* Drops the entries for the page at `va` tagged with hardware ASID `asid`. */
static inline void tlb_flush_va(uint16_t asid, uint64_t va)
{
	uint64_t arg = ((uint64_t)asid << TLBI_ASID_SHIFT) | ((va >> 12) & ((1ull << 44) - 1));
	__asm__ volatile("dsb ishst\n\ttlbi vae1is, %0\n\tdsb ish\n\tisb" ::"r"(arg) : "memory");
	stats.tlbi_va++;
	this_cpu()->tlbi++;
}

/* Drops every entry tagged with hardware ASID `asid`. */
static inline void tlb_flush_asid(uint16_t asid)
{
	uint64_t arg = (uint64_t)asid << TLBI_ASID_SHIFT;
	__asm__ volatile("dsb ishst\n\ttlbi aside1is, %0\n\tdsb ish\n\tisb" ::"r"(arg) : "memory");
	stats.tlbi_asid++;
	this_cpu()->tlbi++;
}

/* Drops every EL1&0 entry (ASID rollover). */
static inline void tlb_flush_all(void)
{
	__asm__ volatile("dsb ishst\n\ttlbi vmalle1is\n\tdsb ish\n\tisb" ::: "memory");
	stats.tlbi_all++;
	this_cpu()->tlbi++;
}
