/* Kernel event counters (read by KERNEL_INFO_STATS, the shell's kstat and the benchmarks). */
#pragma once

#include <config.h>
#include <mica/invocation.h>
#include <stdint.h>

/* In the order of enum kernel_stat (mica/invocation.h), which KERNEL_INFO_STATS returns. */
struct kernel_stats {
	uint64_t syscalls;
	uint64_t ipc_messages;
	uint64_t context_switches;
	uint64_t as_switches;
	uint64_t faults_delivered;
	uint64_t interrupts;
	uint64_t tlbi_va;
	uint64_t tlbi_asid;
	uint64_t tlbi_all;
	uint64_t asid_rollovers;
	uint64_t hw_asid_bits;
	uint64_t cpus_online; /* not kept here: KERNEL_INFO_STATS reads smp_ncpus */
};

extern struct kernel_stats stats;

_Static_assert(sizeof(struct kernel_stats) == KSTAT_COUNT * sizeof(uint64_t),
	       "struct kernel_stats matches enum kernel_stat");

/*
 * The counters the fastpaths and every switch would touch (system calls, IPC messages,
 * context switches, address-space switches: 22 of a round trip's instructions) are kept
 * by debug builds only. A release kernel reports them as KSTAT_NOT_COUNTED (object/invocation.c),
 * never as a count that misses the fastpath. stat_hot(c) counts c in debug builds.
 */
#define STATS_HOT CONFIG_DEBUG
#define stat_hot(counter)            \
	do {                         \
		if (STATS_HOT)       \
			(counter)++; \
	} while (0)
