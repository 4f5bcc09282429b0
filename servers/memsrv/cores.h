/*
 * Cores: which core each thread memsrv starts runs on (TCB_SET_AFFINITY).
 *
 * memsrv learns the number of cores online from the kernel (KSTAT_CPUS_ONLINE) and counts
 * the threads it has placed on each: a process's first thread and its other threads
 * (threads.h). memsrv itself, the probe and the console process stay on core 0 (the boot
 * core, which takes the device interrupts). Every other new thread goes where its request
 * says (MEMSRV_CORE in the flags), or where memsrv.core=N says, or else to the least loaded
 * core; among equally loaded cores the one after the core picked last wins, so new
 * processes go round the cores. Pure bookkeeping, host-tested (tests/unit/test_memsrv_cores.c);
 * the callers make the invocation.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define CORES_MAX 8 /* the kernel's MAX_CPUS */

struct cores {
	unsigned online;          /* 1..CORES_MAX */
	int fixed;                /* memsrv.core: every default placement there; -1: spread */
	unsigned last;            /* the core picked last by the spreading rule */
	unsigned load[CORES_MAX]; /* threads placed there and not given back */
};

/*
 * Starts the bookkeeping for `online` cores (clamped to 1..CORES_MAX) with memsrv's own
 * thread counted on core 0; `fixed` >= 0 places every thread without a request there
 * (clamped to the cores online: core 0 if it is not one of them).
 */
void cores_init(struct cores *c, uint64_t online, int64_t fixed);

/*
 * The core for a new thread whose request carries `flags` (MEMSRV_CORE bits; the other
 * bits are ignored here). Returns 0 and *core, or E_RANGE if the flags name a core that is
 * not online. Counts nothing: cores_take does once the thread exists.
 */
int cores_pick(struct cores *c, uint64_t flags, unsigned *core);

/* Counts one more thread on `core` (from cores_pick, or 0 for the console). */
void cores_take(struct cores *c, unsigned core);

/* A thread placed on `core` ended. */
void cores_give(struct cores *c, unsigned core);

/* The memsrv-wide bookkeeping (main.c initialises it). */
extern struct cores cores;
