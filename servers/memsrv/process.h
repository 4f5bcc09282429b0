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
 * buffer address. The console process (console.h) also gets the UART, its address in x2.
 */
#pragma once

#include <cpio.h>
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
	bool console;      /* it gets the console UART (console_grant) */
	unsigned parent;   /* the spawner's address space id (0: memsrv itself) */
	const char *argv;  /* argc > 0: the packed strings argv_check accepted ... */
	size_t argv_bytes; /* ... and their length: main(argc, argv) */
	unsigned argc;
	uint64_t core_flags; /* MEMSRV_CORE bits of the request (0: memsrv picks, cores.h) */
	bool held;           /* MEMSRV_SPAWN_HELD: configure the thread, do not start it */
};

/* The probe's code area at MEMSRV_PROBE_BASE: its ELF segments must lie inside it. */
#define PROBE_CODE_MAX 0x100000ull

/* Remembers memsrv's endpoint and the boot archive [archive, archive + size). */
void process_init(cptr_t endpoint, const void *archive, size_t size);

/*
 * Loads and starts a program on the core cores_pick gives for a->core_flags (the console
 * process: core 0 unless the flags name one). Returns 0 and *out (the process's address
 * space, whose id is the process id), or E_RANGE (the flags name a core not online: checked
 * first, nothing is used), E_INVAL (no such program), E_TYPE (not a valid ELF executable
 * for this system: elf_parse refused it, or its segments share a page), E_NOMEM, or a
 * kernel error; on error everything is given back.
 */
int process_spawn(const struct spawn_args *args, struct aspace **out);

/*
 * Entry `index` (0-based) of the boot archive: its name and size, and whether it is a program
 * memsrv can load (elf_parse accepts it). Returns 0, or E_RANGE past the last entry.
 */
int process_archive_entry(unsigned index, struct cpio_file *file, bool *program);

/*
 * Loads the ELF program `name` of the boot archive into `as` (one eager VMA per segment) and
 * sets *entry. A `probe` must lie inside the probe's code area; any other program must keep
 * out of the probe window. Returns 0, E_INVAL (no such program), E_TYPE (not a valid program
 * or in the wrong place), E_NOMEM or the VMA layer's error; segments already loaded stay
 * (the caller unmaps or destroys).
 */
int process_load(struct aspace *as, const char *name, bool probe, uint64_t *entry);

/*
 * Mints memsrv's endpoint with `badge` (write right only) into a new slot of memsrv's CNode.
 * Returns 0 and *out, E_NOMEM (no slot) or the kernel's error.
 */
int process_mint_endpoint(uint64_t badge, cptr_t *out);

/*
 * Ends the process of `as` (a live address space with a process): stops its thread, deletes
 * every capability that speaks for it, and destroys its address space. The process record
 * stays (MEMSRV_PS) with `state`, `kill_stat` (the MEMSRV_STAT_FAULTS_* index of the fault
 * that killed it, or 0) and `code`. The probe leaves it first if it is there or if the
 * process owns it (probe_forget); the console process is told (console_process_ended).
 */
void process_end(struct aspace *as, unsigned state, unsigned kill_stat, int32_t code);

/* The held process `as` is held no more (started, or ending): its parent stops counting it. */
void process_unhold(struct aspace *as);

/* How many processes ended killed (MEMSRV_GSTAT_KILLED): by a fault, MEMSRV_KILL,
 * MEMSRV_AS_DESTROY, or as held children of a parent that ended. */
uint64_t process_killed(void);

/* Records the address and pc of the fault that just killed the process of `as`. */
void process_note_fault(struct aspace *as, uint64_t addr, uint64_t pc);

/* The address and pc of the fault that killed the process of `as` (0, 0 if none). */
void process_fault_of(const struct aspace *as, uint64_t *addr, uint64_t *pc);

/*
 * The process with id `id`, running or ended (its record kept): returns 0 and *out, E_INVAL
 * for id 0 or an id with no process record, or E_RANGE for an id beyond every address space.
 */
int process_lookup(uint64_t id, struct aspace **out);

/* The core the first thread of `as`'s process runs on, or MEMSRV_CORE_NONE if it ended. */
unsigned process_core(const struct aspace *as);

/* The number of processes running. */
unsigned process_live(void);

/* Whether [start, start + length) of `as` touches a pinned VMA (the IPC buffer, or the
 * console's device page, which lies right above it). */
bool process_pinned(const struct aspace *as, uint64_t start, uint64_t length);
