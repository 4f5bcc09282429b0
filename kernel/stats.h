/* Kernel event counters (read by the introspection invocation of issue 4 and the benchmarks). */
#pragma once

#include <stdint.h>

struct kernel_stats {
	uint64_t syscalls;
	uint64_t ipc_messages;
	uint64_t context_switches;
	uint64_t faults_delivered;
	uint64_t interrupts;
};

extern struct kernel_stats stats;
