/*
 * Processes: ELF programs from the boot archive, loaded into new address spaces and started
 * with memsrv as their pager, and their end (exit or kill), which gives everything back.
 *
 * A process's address space holds its ELF segments (eager VMAs), a lazy stack of
 * LAYOUT_STACK_PAGES pages with a guard page below it, and a one-page IPC buffer (a pinned
 * VMA: the kernel writes messages into it, so it cannot be unmapped or protected while the
 * process lives). Its thread gets a CNode of 2^PROCESS_CNODE_BITS slots holding, at slot
 * PROCESS_SLOT_MEMSRV, memsrv's endpoint badged for the process; it starts at the ELF entry
 * with x0 = that slot, x1 = the spawn argument, sp = the stack top and TPIDR_EL0 = the IPC
 * buffer address.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aspace.h"

#define PROCESS_SLOT_MEMSRV  1
#define PROCESS_VMA_IPC      1   /* vma.user of the IPC buffer VMA (kind VMA_SHARED) */
#define PROCESS_MAX_PRIORITY 254 /* below memsrv's 255 */
#define PROCESS_DEFAULT_PRIO 100

/* What a new process gets. */
struct spawn_args {
	const char *name;  /* in the boot archive */
	unsigned priority; /* 1..PROCESS_MAX_PRIORITY */
	uint64_t arg;      /* x1 at entry */
	uint64_t quota;    /* pages, 0: the default */
	bool control;      /* its capability carries MEMSRV_R_CONTROL */
};

/* Remembers memsrv's endpoint and the boot archive [archive, archive + size). */
void process_init(cptr_t endpoint, const void *archive, size_t size);

/*
 * Loads and starts a program. Returns 0 and *out (the process's address space, whose id is
 * the process id), or E_INVAL (no such program), E_TYPE (not a valid ELF executable for this
 * system: elf_parse refused it, or its segments share a page), E_NOMEM, or a kernel error;
 * on error everything is given back.
 */
int process_spawn(const struct spawn_args *args, struct aspace **out);

/*
 * Ends the process of `as` (a live address space with a process): stops its thread, deletes
 * every capability that speaks for it, and destroys its address space. The process record
 * stays (MEMSRV_PS) with `state`, `kill_stat` (the MEMSRV_STAT_FAULTS_* index of the fault
 * that killed it, or 0) and `code`.
 */
void process_end(struct aspace *as, unsigned state, unsigned kill_stat, int32_t code);

/* The number of processes running. */
unsigned process_live(void);

/* Whether [start, start + length) of `as` touches a pinned VMA (the IPC buffer). */
bool process_pinned(const struct aspace *as, uint64_t start, uint64_t length);
