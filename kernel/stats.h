/* Kernel event counters (read by the introspection invocation of issue 4 and the benchmarks). */
#pragma once

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
