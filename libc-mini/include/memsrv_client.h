/*
 * The memsrv client library: one function per request of the memory server's protocol
 * (include/mica/memsrv.h, docs/memsrv.md). `ms` is the caller's capability to memsrv (a
 * process started by memsrv finds it in x0 at entry: the argument of main). `as` names an
 * address space: 0 means the caller's own.
 *
 * Every function returns 0 or the negative error memsrv (or the kernel, for a bad `ms`)
 * replied with; on error no out-parameter was written. Requests that carry more than six
 * words (spawn) or return more (statistics, lists) use the thread's IPC buffer.
 */
#pragma once

#include <stdint.h>

#include <mica/invocation.h>
#include <mica/memsrv.h>
#include <mica/syscall.h>

/* One VMA as MEMSRV_QUERY and MEMSRV_VMA_LIST describe it. */
struct mem_vma {
	uint64_t start;
	uint64_t length;
	unsigned prot;  /* MEMSRV_PROT_* */
	unsigned kind;  /* enum memsrv_kind */
	unsigned flags; /* MEMSRV_MAP_EAGER, MEMSRV_VMA_PINNED */
	uint64_t resident;
};

/* One process as MEMSRV_PS lists it. */
struct mem_proc {
	unsigned id;
	uint64_t state; /* the state word: MEMSRV_PS_STATE/KILL_STAT/EXIT_CODE */
	uint64_t faults;
	uint64_t resident;
};

/* One process as MEMSRV_PROC_INFO describes it. */
struct mem_proc_info {
	uint64_t state;                /* the state word, as for MEMSRV_PS */
	uint64_t fault_addr, fault_pc; /* the fault that killed it (0 if none) */
	uint64_t faults, resident;
	char name[64];
	unsigned core; /* its first thread's core; MEMSRV_CORE_NONE once it ended */
	uint8_t thread_core[MEMSRV_THREADS_MAX]; /* [tid - 1]: MEMSRV_CORE_NONE if not running */
};

/* An entry of the boot archive (MEMSRV_PROGRAMS). */
struct mem_program {
	uint64_t size; /* bytes */
	unsigned kind; /* MEMSRV_FILE_PROGRAM or MEMSRV_FILE_OTHER */
	char name[64];
};

/* A probe access that faulted: what the pager made of it. */
struct mem_probe_fault {
	unsigned stat; /* MEMSRV_STAT_FAULTS_* */
	uint64_t addr;
};

/* What MEMSRV_GLOBAL_STATS returns: memsrv's counters, then the kernel's. */
struct mem_global_stats {
	uint64_t memsrv[MEMSRV_GSTAT_COUNT];
	uint64_t kernel[KSTAT_COUNT];
};

/* Creates an empty address space with `quota` pages (0: the default); *as_id gets its id. */
int mem_as_create(cptr_t ms, uint64_t quota, unsigned *as_id);

/* Destroys an address space, ending its process if it has one. */
int mem_as_destroy(cptr_t ms, unsigned as_id);

/* Up to 100 ids of live address spaces >= first into ids[]; *count gets how many. */
int mem_as_list(cptr_t ms, unsigned first, unsigned ids[100], unsigned *count);

/*
 * Maps [addr, addr + length) in `as` with `prot`, `kind` (MEMSRV_KIND_ANON or _STACK) and
 * `flags` (MEMSRV_MAP_EAGER). addr 0 lets memsrv place it at random; *start (may be NULL)
 * gets the start.
 */
int mem_map(cptr_t ms, unsigned as, uint64_t addr, uint64_t length, unsigned prot, unsigned kind,
	    unsigned flags, uint64_t *start);

/* Unmaps every page of [addr, addr + length) of `as` (holes allowed). */
int mem_unmap(cptr_t ms, unsigned as, uint64_t addr, uint64_t length);

/* Sets the rights of [addr, addr + length) of `as` (all of it must be mapped). */
int mem_protect(cptr_t ms, unsigned as, uint64_t addr, uint64_t length, unsigned prot);

/* Describes the VMA of `as` containing addr. */
int mem_query(cptr_t ms, unsigned as, uint64_t addr, struct mem_vma *out);

/*
 * Lists up to `max` (1..19) VMAs of `as` from the one containing or following `from` into
 * out[]; *count gets how many, *next where to continue (0: no more).
 */
int mem_vma_list(cptr_t ms, unsigned as, uint64_t from, struct mem_vma *out, unsigned max,
		 unsigned *count, uint64_t *next);

/* The MEMSRV_STAT_* words of `as`. */
int mem_stats(cptr_t ms, unsigned as, uint64_t out[MEMSRV_STAT_COUNT]);

/* memsrv's global counters and the kernel's. Needs MEMSRV_R_CONTROL. */
int mem_global_stats(cptr_t ms, struct mem_global_stats *out);

/* One core's counters (MEMSRV_CPU_STATS): the kernel's KCPU_* words and the threads memsrv
 * placed there. Needs MEMSRV_R_CONTROL; E_RANGE for a core not online. */
struct mem_cpu_stats {
	uint64_t kernel[KCPU_COUNT];
	uint64_t placed;
};
int mem_cpu_stats(cptr_t ms, unsigned core, struct mem_cpu_stats *out);

/* Checks `as` against the kernel's tables: mappings checked and violations (0: agree). */
int mem_audit(cptr_t ms, unsigned as, uint64_t *checked, uint64_t *violations);

/*
 * Starts program `name` of the boot archive at `priority` (0: default) with `arg` in x1,
 * `flags` (MEMSRV_SPAWN_CONTROL) and `quota` pages (0: default). *pid gets its process id.
 */
int mem_spawn(cptr_t ms, const char *name, unsigned priority, uint64_t arg, unsigned flags,
	      uint64_t quota, unsigned *pid);

/* Ends process `pid`. */
int mem_kill(cptr_t ms, unsigned pid);

/* Up to `max` (<= 25) processes with id >= first into out[]; *count gets how many. */
int mem_ps(cptr_t ms, unsigned first, struct mem_proc *out, unsigned max, unsigned *count);

/* Ends the calling process with `code`. Returns only if memsrv refused (an error). */
int mem_exit(cptr_t ms, int code);

/* Reseeds memsrv's placement generator. Needs MEMSRV_R_CONTROL. */
int mem_seed(cptr_t ms, uint64_t seed);

/* Describes process `pid` (running or ended). Needs MEMSRV_R_CONTROL. */
int mem_proc_info(cptr_t ms, unsigned pid, struct mem_proc_info *out);

/*
 * Entry `index` (0-based) of memsrv's boot archive: name, size, and whether it is a program.
 * Needs MEMSRV_R_CONTROL. Returns 0, E_RANGE past the last entry, or another error.
 */
int mem_program(cptr_t ms, unsigned index, struct mem_program *out);

/*
 * Moves memsrv's probe into address space `as` (0: the caller's own) and puts a capability to
 * it in the caller's MEMSRV_SLOT_PROBE. Needs MEMSRV_R_CONTROL; the caller must be a process
 * memsrv started.
 */
int mem_probe_attach(cptr_t ms, unsigned as);

/* Stops the probe and revokes the capability to it. */
int mem_probe_detach(cptr_t ms);

/*
 * Reads (MEMSRV_PROBE_PEEK) or writes (MEMSRV_PROBE_POKE, *value) the 64-bit word at addr of
 * the probe's address space through the probe capability `probe`. Returns 0 (a peek sets
 * *value), MEMSRV_PROBE_FAULTED with *fault filled (the access faulted; nothing was killed),
 * or a negative error: E_ALIGN, or the kernel's (E_NOCAP: no probe attached).
 */
int mem_probe_access(cptr_t probe, unsigned label, uint64_t addr, uint64_t *value,
		     struct mem_probe_fault *fault);

/*
 * A raw request: label, args[0..nargs) (nargs <= 120), then up to max_results reply words
 * into results[] (may be NULL); *nresults (may be NULL) gets the reply's length. Returns the
 * reply's error. For tests and for requests this library does not wrap.
 */
int mem_request(cptr_t ms, uint64_t label, const uint64_t *args, unsigned nargs, uint64_t *results,
		unsigned max_results, unsigned *nresults);

/* What MEMSRV_OBJ_INFO reports (enum memsrv_obj_info). */
struct mem_obj_info {
	uint64_t objects, quota, names;   /* the caller's */
	uint64_t all_objects, all_names;  /* every process's */
	uint64_t shm_regions, shm_frames; /* shared regions of every process, and their frames */
};

/*
 * Creates an endpoint or notification (MEMSRV_OBJ_ENDPOINT, _NOTIFICATION) in the caller's
 * own CSpace, in `slot` (MEMSRV_SLOT_USER..MEMSRV_CNODE_SLOTS-1; 0: memsrv picks the lowest
 * empty one). A notification's capability has `badge` (not 0: the bits a signal through it
 * sets); an endpoint's has none (badge 0). *out_slot (may be NULL) gets the slot. Errors:
 * E_INVAL type or badge, E_RANGE slot, E_DELETE_FIRST slot occupied, E_NOMEM quota
 * (MEMSRV_OBJ_QUOTA), slots or memory.
 */
int mem_obj_create(cptr_t ms, unsigned type, unsigned slot, uint64_t badge, unsigned *out_slot);

/* Destroys the object the caller created in `slot`, and every copy of it anywhere. */
int mem_obj_delete(cptr_t ms, unsigned slot);

/* The caller's object and name counts and the system's. */
int mem_obj_info(cptr_t ms, struct mem_obj_info *out);

/*
 * Publishes the endpoint the caller created in `slot` under `name` (1..31 bytes of
 * [A-Za-z0-9._-]). Errors: E_INVAL (not an endpoint the caller created, or a bad name),
 * E_RANGE slot, E_BUSY name taken, E_NOMEM (MEMSRV_NAMES_PER_AS names, or the table full).
 */
int mem_name_publish(cptr_t ms, unsigned slot, const char *name);

/*
 * Looks `name` up: the caller gets, in `slot` (0: memsrv picks), a copy of the published
 * endpoint badged MEMSRV_NAME_BADGE(its own id), rights write and grant. *out_slot and
 * *publisher (either may be NULL) get the slot and the publisher's process id. Errors:
 * E_INVAL bad name, E_NOTMAPPED no such name, and mem_obj_create's slot errors.
 */
int mem_name_lookup(cptr_t ms, const char *name, unsigned slot, unsigned *out_slot,
		    unsigned *publisher);

/* Withdraws `name`. Errors: E_INVAL bad name, E_NOTMAPPED none, E_RIGHTS not the publisher. */
int mem_name_withdraw(cptr_t ms, const char *name);

/*
 * Starts program argv[0] of the boot archive with argc string arguments (argc 1..16, at most
 * MEMSRV_ARGV_BYTES bytes together with their NULs, printable ASCII): its main is called as
 * main(argc, argv), argv in a read-only page of its own. `priority`, `flags` and `quota` as
 * for mem_spawn. The new process is the caller's child (mem_wait). Needs MEMSRV_R_CONTROL.
 */
int mem_spawn_argv(cptr_t ms, unsigned priority, unsigned flags, uint64_t quota, int argc,
		   const char *const *argv, unsigned *pid);

/*
 * Waits until child `pid` (a process the caller spawned) has ended; *state gets its state
 * word (MEMSRV_PS_STATE/KILL_STAT/EXIT_CODE). Errors: E_INVAL 0 or no such process,
 * E_RANGE id >= 65536, E_RIGHTS not the caller's child, E_BUSY another wait is pending.
 */
int mem_wait(cptr_t ms, unsigned pid, uint64_t *state);

/*
 * Starts child `pid`, spawned with MEMSRV_SPAWN_HELD (made, its thread not yet running): a
 * parent that must do something first (the shell prints "started ... as process N")
 * spawns held, does it, then starts. Errors: E_INVAL 0 or no such process, E_RANGE id too
 * large, E_RIGHTS not the caller's child, E_STATE not held (started already, or ended).
 */
int mem_start(cptr_t ms, unsigned pid);

/*
 * Creates a shared region of `pages` zeroed pages (1..MEMSRV_SHM_PAGES_MAX) that may be
 * mapped with at most `max_prot` (MEMSRV_PROT_*); *handle gets its handle. The pages count
 * against the caller's quota until it releases the region. Errors: E_RANGE pages, E_INVAL /
 * E_WX prot, E_NOMEM quota, regions or memory.
 */
int mem_shm_create(cptr_t ms, unsigned pages, unsigned max_prot, uint64_t *handle);

/* Lets process `pid` map the caller's region with at most `prot` (<= its max_prot). */
int mem_shm_share(cptr_t ms, uint64_t handle, unsigned pid, unsigned prot);

/*
 * Maps the whole region in `as` (0: the caller's own; another needs MEMSRV_R_CONTROL) at
 * addr (0: placed at random) with `prot`, which the region's creator must allow `as`.
 * *start (may be NULL) gets the address. Errors: E_INVAL handle, E_RIGHTS prot beyond what
 * `as` may, E_WX, and MEMSRV_MAP's placement and quota errors.
 */
int mem_shm_map(cptr_t ms, unsigned as, uint64_t handle, uint64_t addr, unsigned prot,
		uint64_t *start);

/* Gives the caller's region up; its frames are freed when its last mapping goes. */
int mem_shm_release(cptr_t ms, uint64_t handle);

/*
 * Starts a thread in the caller's address space running fn(arg) at `priority` (0: the
 * process's; at most the process's). It has its own stack (guard page below) and IPC buffer;
 * when fn returns, the thread ends with fn's result (mem_thread_exit). *tid gets its id
 * (1..MEMSRV_THREADS_MAX). Errors: E_RANGE priority, E_NOMEM MEMSRV_THREADS_MAX threads
 * running, quota, slots or memory.
 */
int mem_thread_create(cptr_t ms, int (*fn)(void *), void *arg, unsigned priority, unsigned *tid);

/* mem_thread_create with `flags`: MEMSRV_CORE(n) runs the thread on core n (E_RANGE if
 * that core is not online), 0 lets memsrv pick. */
int mem_thread_create_flags(cptr_t ms, int (*fn)(void *), void *arg, unsigned priority,
			    unsigned flags, unsigned *tid);

/*
 * Ends the calling thread with `code`: `self` is the memsrv capability the thread was started
 * with (x2; mem_thread_create's threads use it). Returns only on error (E_INVAL: not such a
 * thread's capability).
 */
int mem_thread_exit(cptr_t self, int code);

/* *state gets MEMSRV_THREAD_RUNNING or _EXITED, *code its exit code (0 while running). */
int mem_thread_info(cptr_t ms, unsigned tid, unsigned *state, int *code);
