/*
 * The memsrv protocol: what clients (the shell, other servers, every process) ask the memory
 * server, over IPC on memsrv's endpoint.
 *
 * A request is a call with a label MEMSRV_* and arguments in MR0..; the reply's label is 0
 * or a negative error (mica/errors.h) and its MRs carry the results. Authority comes from the
 * badge of the endpoint capability the request arrives through (a client cannot choose it):
 *
 *   badge = MEMSRV_BADGE(as_id, rights)
 *     as_id   (bits 0..15)  the address space the capability speaks for (0: none)
 *     rights  (bits 16..19) MEMSRV_R_CONTROL: create/destroy address spaces, spawn, kill,
 *                           global statistics, act on any address space (the shell);
 *                           MEMSRV_R_MAP: map/unmap/protect in as_id;
 *                           MEMSRV_R_READ: query/list/statistics/audit of as_id.
 *   MEMSRV_BADGE_FAULT (bit 63) marks the fault endpoint capabilities memsrv gives the
 *   threads it starts: only messages through those are treated as page faults;
 *   MEMSRV_BADGE_PROBE (bit 62, with bit 63) marks the probe's (below).
 *
 * An `as` argument names the address space: a client without MEMSRV_R_CONTROL may only name
 * its own (or pass 0 for "mine"); anything else is E_RIGHTS. A malformed request gets an
 * error reply and changes nothing.
 */
#pragma once

#include <stdint.h>

#define MEMSRV_R_CONTROL            (1ull << 16)
#define MEMSRV_R_MAP                (1ull << 17)
#define MEMSRV_R_READ               (1ull << 18)
#define MEMSRV_BADGE(as_id, rights) ((uint64_t)(as_id) | (rights))
#define MEMSRV_BADGE_AS(badge)      ((badge)&0xffff)
#define MEMSRV_BADGE_FAULT          (1ull << 63)
#define MEMSRV_BADGE_PROBE          (1ull << 62)

/* VMA rights, kinds and flags (MEMSRV_MAP). */
#define MEMSRV_PROT_R 1u
#define MEMSRV_PROT_W 2u
#define MEMSRV_PROT_X 4u

enum memsrv_kind {
	MEMSRV_KIND_ANON = 0,
	MEMSRV_KIND_STACK = 1, /* a guard page below it is reserved and never mapped */
	MEMSRV_KIND_ELF = 2,
	MEMSRV_KIND_DEVICE = 3,
	MEMSRV_KIND_SHARED = 4,
};

#define MEMSRV_MAP_EAGER  1u /* populate at map time instead of on first touch */
#define MEMSRV_VMA_PINNED 2u /* MEMSRV_QUERY/VMA_LIST only: memsrv's own (the IPC buffer) */

#define MEMSRV_QUOTA_MAX  (1ull << 24) /* pages: MEMSRV_AS_CREATE's and MEMSRV_SPAWN's quota */

/* MEMSRV_PROGRAMS: what a boot archive entry is. */
#define MEMSRV_FILE_OTHER   0u /* not a program memsrv can load (MEMSRV_SPAWN: E_TYPE) */
#define MEMSRV_FILE_PROGRAM 1u /* an ELF executable elf_parse accepts */

/* MEMSRV_SPAWN and MEMSRV_SPAWN_ARGV flags. */
#define MEMSRV_SPAWN_CONTROL 1u /* the new process's capability carries MEMSRV_R_CONTROL */
#define MEMSRV_SPAWN_HELD    4u /* made, but its thread waits for the parent's MEMSRV_START */

/*
 * Placement on a core: MEMSRV_CORE(n) in the flags of MEMSRV_SPAWN, MEMSRV_SPAWN_ARGV and
 * MEMSRV_THREAD_CREATE runs the new thread on core n (0 .. KSTAT_CPUS_ONLINE - 1; E_RANGE
 * for a core that is not online). Without it memsrv picks the least loaded core
 * (docs/memsrv.md, "Cores").
 */
#define MEMSRV_ON_CORE        2u
#define MEMSRV_CORE(n)        (MEMSRV_ON_CORE | ((unsigned)(n)&0xffu) << 8)
#define MEMSRV_CORE_OF(flags) ((unsigned)(((flags) >> 8) & 0xff))
#define MEMSRV_CORE_MASK      (MEMSRV_ON_CORE | 0xff00u) /* the flag bits placement uses */
#define MEMSRV_CORE_NONE      0xffu /* MEMSRV_PROC_INFO: no thread (ended, or no such tid) */

enum memsrv_label {
	/* Address spaces (MEMSRV_R_CONTROL) */
	MEMSRV_AS_CREATE = 1,  /* [quota pages, 0: default] -> as_id */
	MEMSRV_AS_DESTROY = 2, /* as_id */
	MEMSRV_AS_LIST = 3,    /* first as_id -> count, then ids (up to 100, in the IPC buffer) */

	/* VMAs (MEMSRV_R_MAP; query/list: MEMSRV_R_READ) */
	MEMSRV_MAP = 16,      /* as, addr (0: memsrv places it, randomised), length, prot, kind,
			       * flags -> start */
	MEMSRV_UNMAP = 17,    /* as, addr, length */
	MEMSRV_PROTECT = 18,  /* as, addr, length, prot */
	MEMSRV_QUERY = 19,    /* as, addr -> start, length, prot, kind, flags, resident pages */
	MEMSRV_VMA_LIST = 20, /* as, from addr, max (<= 19) -> count, next addr, then per VMA:
			       * start, length, prot | kind << 8 | flags << 16, resident pages */

	/* Statistics and audit (MEMSRV_R_READ; global: MEMSRV_R_CONTROL) */
	MEMSRV_STATS = 32,        /* as -> MEMSRV_STAT_* words */
	MEMSRV_GLOBAL_STATS = 33, /* -> MEMSRV_GSTAT_* words, then the KSTAT_* counters */
	MEMSRV_AUDIT = 34,        /* as -> mappings checked, violations (0: the tables agree) */
	MEMSRV_CPU_STATS = 35,    /* core -> the kernel's KCPU_* counters of that core, then the
				   * threads memsrv has placed there (E_RANGE: not online) */

	/* Processes (MEMSRV_R_CONTROL; EXIT: any process for itself) */
	MEMSRV_SPAWN = 48,     /* name in the IPC buffer (msg[8..], NUL-terminated, <= 64 bytes),
				* priority (0: default), argument (x1 at entry), flags
				* (MEMSRV_SPAWN_*, MEMSRV_CORE), quota pages (0: default) ->
				* process id (= its as_id) */
	MEMSRV_KILL = 49,      /* process id */
	MEMSRV_PS = 50,        /* first process id -> count, then per process: id, state word
				* (MEMSRV_PS_*), faults, resident pages (up to 25) */
	MEMSRV_EXIT = 51,      /* code: the calling process ends */
	MEMSRV_SEED = 52,      /* seed: reseeds the placement generator (tests) */
	MEMSRV_PROC_INFO = 53, /* process id -> state word, fault address, fault pc, faults,
				* resident pages, its name (8 words, NUL-terminated), the core
				* of its first thread and of its other threads (MEMSRV_PI_*) */
	MEMSRV_PROGRAMS = 54,  /* index -> size in bytes, MEMSRV_FILE_*, then the name of the
				* boot archive's entry `index` (8 words, NUL-terminated, cut at
				* 63 bytes); E_RANGE past the last entry */

	/* The probe (MEMSRV_R_CONTROL; the caller must be a process memsrv started) */
	MEMSRV_PROBE_ATTACH = 64, /* as -> the probe now runs in `as`; the caller's
				   * MEMSRV_SLOT_PROBE holds its endpoint -> slot, as_id */
	MEMSRV_PROBE_DETACH = 65, /* -> the probe stops; the capability to it is revoked */

	/* Kernel objects in the caller's own CSpace (MEMSRV_R_MAP; the caller is a process) */
	MEMSRV_OBJ_CREATE = 80, /* type (MEMSRV_OBJ_*), slot (0: memsrv picks), badge (0 for
				 * an endpoint; a notification's bits, not 0) -> slot */
	MEMSRV_OBJ_DELETE = 81, /* slot: the object and every copy of it are destroyed */
	MEMSRV_OBJ_INFO = 82,   /* -> MEMSRV_OI_* words */

	/* The name service (MEMSRV_R_MAP; the caller is a process). A name is 1..31 bytes of
	 * [A-Za-z0-9._-], NUL-terminated in MEMSRV_NAME_WORDS words. */
	MEMSRV_NAME_PUBLISH = 83,  /* slot (an endpoint the caller created), name */
	MEMSRV_NAME_LOOKUP = 84,   /* slot (0: memsrv picks), name -> slot, publisher's id */
	MEMSRV_NAME_WITHDRAW = 85, /* name (only its publisher may) */

	/* Children (SPAWN_ARGV: MEMSRV_R_CONTROL; WAIT: the parent) */
	MEMSRV_SPAWN_ARGV = 86, /* priority (0: default), flags, quota (0: default), argc, then
				 * argv[0] (the program), NUL, argv[1], NUL, ... (<= 512 bytes)
				 * -> process id. main gets argc and argv. */
	MEMSRV_WAIT = 87,       /* process id (a child of the caller) -> its state word, once
				 * it has ended (the reply waits until then) */

	/* Shared memory (MEMSRV_R_MAP; the caller is a process) */
	MEMSRV_SHM_CREATE = 88,  /* pages (1..MEMSRV_SHM_PAGES_MAX), max prot -> handle */
	MEMSRV_SHM_SHARE = 89,   /* handle, process id, prot (<= max): that process may map it */
	MEMSRV_SHM_MAP = 90,     /* as, handle, addr (0: placed at random), prot -> start */
	MEMSRV_SHM_RELEASE = 91, /* handle: the creator gives it up; the frames go with the
				  * last mapping */

	/* Threads in the caller's own address space (MEMSRV_R_MAP; the caller is a process) */
	MEMSRV_THREAD_CREATE = 92, /* pc, x0, x1, priority (0: the process's), [flags:
				    * MEMSRV_CORE] -> thread id; the thread starts with
				    * x2 = its memsrv slot, x3 = its id */
	MEMSRV_THREAD_EXIT = 93,   /* code, through the thread's own memsrv capability: it ends */
	MEMSRV_THREAD_INFO = 94,   /* thread id -> MEMSRV_THREAD_* state, exit code */

	/* Children, continued (the parent) */
	MEMSRV_START = 95, /* process id (a child spawned with MEMSRV_SPAWN_HELD): its thread
			    * starts (E_STATE: it was started already, or has ended) */

	/*
	 * Debug builds only (MEMSRV_R_CONTROL): a release memsrv answers E_LABEL. They exist to
	 * test memsrv itself (docs/memsrv.md, "Debug requests").
	 */
	MEMSRV_DEBUG_FAIL = 120,  /* nth, every -> allocations counted and failures injected
				   * since the previous MEMSRV_DEBUG_FAIL; then allocation nth
				   * from now fails, and every `every`-th after it (nth 0: none) */
	MEMSRV_DEBUG_PLANT = 121, /* as, addr, what (MEMSRV_PLANT_*): changes the kernel's
				   * mapping of the resident page at addr behind memsrv's records,
				   * or undoes that (one plant at a time) */
};

/* MEMSRV_DEBUG_PLANT: what to do to the page. */
enum memsrv_plant {
	MEMSRV_PLANT_UNDO = 0,   /* restore what the last plant changed */
	MEMSRV_PLANT_RIGHTS = 1, /* FRAME_REMAP a page of a read-only VMA read-write */
	MEMSRV_PLANT_UNMAP = 2,  /* FRAME_UNMAP the page (memsrv still records it resident) */
	MEMSRV_PLANT_SWAP = 3,   /* map another frame there (a wrong physical address) */
};

#define MEMSRV_THREADS_MAX       8 /* threads a process may run besides its first */
#define MEMSRV_BADGE_THREAD(tid) ((uint64_t)(tid) << 20) /* a thread's memsrv capability */
#define MEMSRV_BADGE_TID(badge)  ((unsigned)(((badge) >> 20) & 0xff))

/* MEMSRV_THREAD_INFO states. */
enum memsrv_thread_state {
	MEMSRV_THREAD_RUNNING = 1,
	MEMSRV_THREAD_EXITED = 2,
};

#define MEMSRV_SHM_PAGES_MAX  64
#define MEMSRV_SHM_SHARES_MAX 8 /* processes one region is shared with */

#define MEMSRV_ARGC_MAX       16
#define MEMSRV_ARGV_BYTES     512
#define MEMSRV_ARGV_WORD      4 /* MEMSRV_SPAWN_ARGV: the strings start at msg[4] */

/* MEMSRV_OBJ_CREATE types. */
enum memsrv_obj_type {
	MEMSRV_OBJ_ENDPOINT = 1,
	MEMSRV_OBJ_NOTIFICATION = 2,
};

/* Words of the MEMSRV_OBJ_INFO reply. */
enum memsrv_obj_info {
	MEMSRV_OI_OBJECTS,     /* objects the caller holds (MEMSRV_OBJ_CREATE) */
	MEMSRV_OI_QUOTA,       /* how many it may hold */
	MEMSRV_OI_NAMES,       /* names it has published */
	MEMSRV_OI_ALL_OBJECTS, /* objects of every process */
	MEMSRV_OI_ALL_NAMES,   /* names of every process */
	MEMSRV_OI_SHM_REGIONS, /* shared regions of every process */
	MEMSRV_OI_SHM_FRAMES,  /* frames those regions hold */
	MEMSRV_OI_COUNT,
};

#define MEMSRV_OBJ_QUOTA    32 /* objects per process */
#define MEMSRV_NAME_WORDS   4  /* a name's words in a request */
#define MEMSRV_NAME_BYTES   (MEMSRV_NAME_WORDS * 8)
#define MEMSRV_NAMES_PER_AS 8  /* names one process may publish */
#define MEMSRV_CNODE_SLOTS  64 /* slots of a process's CNode */
#define MEMSRV_SLOT_USER    8  /* the first slot memsrv's object and name requests use */

/* The badge of a capability MEMSRV_NAME_LOOKUP hands out: the looking-up process's id. */
#define MEMSRV_NAME_BADGE(as_id) ((uint64_t)(as_id))

/* Words of the MEMSRV_PROC_INFO reply. */
enum memsrv_proc_info {
	MEMSRV_PI_STATE,                     /* the MEMSRV_PS state word */
	MEMSRV_PI_FAULT_ADDR,                /* the address of the fault that killed it (0: none) */
	MEMSRV_PI_FAULT_PC,                  /* the pc of that fault */
	MEMSRV_PI_FAULTS,                    /* faults of every class */
	MEMSRV_PI_RESIDENT,                  /* resident pages (0 once it ended) */
	MEMSRV_PI_NAME,                      /* the program's name, 8 words, NUL-terminated */
	MEMSRV_PI_CORE = MEMSRV_PI_NAME + 8, /* the core its first thread runs on
					      * (MEMSRV_CORE_NONE once it ended) */
	MEMSRV_PI_THREAD_CORES, /* byte tid - 1: the core of its thread tid (MEMSRV_THREAD_CREATE),
				 * MEMSRV_CORE_NONE for none running */
	MEMSRV_PI_COUNT,
};

/*
 * What a process memsrv starts finds at entry (docs/memsrv.md, "Processes" and "Console").
 * Its CNode is addressed by slot index (cptr == index):
 *   MEMSRV_SLOT_SELF       memsrv's endpoint, badged for the process (every process)
 *   MEMSRV_SLOT_PROBE      the probe's endpoint, after MEMSRV_PROBE_ATTACH
 *   MEMSRV_SLOT_UART_IRQ   the console process only: the UART's IRQ handler
 *   MEMSRV_SLOT_UART_NTFN  the console process only: a notification (READ | WRITE, badge
 *                          MEMSRV_NTFN_UART); memsrv also signals MEMSRV_NTFN_PROCESS on it
 *   MEMSRV_SLOT_USER..     the process's own objects and looked-up names (MEMSRV_OBJ_*,
 *                          MEMSRV_NAME_*), up to MEMSRV_CNODE_SLOTS - 1
 * Registers: x0 = MEMSRV_SLOT_SELF, x1 = the spawn argument, x2 = the virtual address of the
 * console UART's registers (a device page, read-write; 0 for every other process),
 * sp = its stack top, TPIDR_EL0 = its IPC buffer.
 */
#define MEMSRV_SLOT_SELF      1
#define MEMSRV_SLOT_PROBE     2
#define MEMSRV_SLOT_UART_IRQ  3
#define MEMSRV_SLOT_UART_NTFN 4

#define MEMSRV_NTFN_UART      1ull /* the UART interrupt (the badge of MEMSRV_SLOT_UART_NTFN) */
#define MEMSRV_NTFN_PROCESS   2ull /* a process ended: MEMSRV_PS says which */

/*
 * The probe: a small program (servers/probe) memsrv runs inside any address space, so that a
 * client can read and write that space's memory through real loads and stores: the kernel
 * installs the space's table and ASID when the probe runs, and its faults go to memsrv like
 * any thread's (filled lazily, or classified and reported instead of killing anything).
 *
 * It lives in its own window, which MEMSRV_MAP refuses (E_RANGE): code as linked at
 * MEMSRV_PROBE_BASE, a stack and an IPC buffer above it. Its protocol, on the endpoint in
 * the client's MEMSRV_SLOT_PROBE:
 *   MEMSRV_PROBE_PEEK  addr          -> the 64-bit word at addr (8-byte aligned)
 *   MEMSRV_PROBE_POKE  addr, value   -> writes the 64-bit word at addr
 * The reply label is 0 (done), E_ALIGN (addr not 8-byte aligned), E_MSGSIZE or E_LABEL, or
 * MEMSRV_PROBE_FAULTED when the access faulted fatally: MR0 is the MEMSRV_STAT_FAULTS_*
 * index the pager gave the fault, MR1 the address. The fault is counted in the address
 * space's statistics; nothing is killed, and the probe serves the next request.
 */
#define MEMSRV_PROBE_BASE    0x00007f0000000000ull
#define MEMSRV_PROBE_SIZE    0x0000000000200000ull /* 2 MiB: one L3 table */
#define MEMSRV_PROBE_FAULTED 1

enum memsrv_probe_label {
	MEMSRV_PROBE_PEEK = 1,
	MEMSRV_PROBE_POKE = 2,
};

/* How memsrv starts the probe: x0 the mode, x1 its endpoint's slot, x2/x3 a fault's index
 * and address (MEMSRV_PROBE_START_FAULT: reply MEMSRV_PROBE_FAULTED to the client first). */
#define MEMSRV_PROBE_START       0
#define MEMSRV_PROBE_START_FAULT 1
#define MEMSRV_PROBE_SLOT_EP     1

/*
 * MEMSRV_PS state word: bits 0..7 the state, bits 8..15 the MEMSRV_STAT_FAULTS_* index of
 * the fault that killed the process (0: it was not a fault), bits 32..63 its exit code.
 * Ended processes stay listed until their id is reused.
 */
enum memsrv_ps_state {
	MEMSRV_PS_RUNNING = 1,
	MEMSRV_PS_EXITED = 2, /* MEMSRV_EXIT */
	MEMSRV_PS_KILLED = 3, /* a fault, MEMSRV_KILL or MEMSRV_AS_DESTROY */
};
#define MEMSRV_PS_STATE(word)     ((unsigned)((word)&0xff))
#define MEMSRV_PS_KILL_STAT(word) ((unsigned)(((word) >> 8) & 0xff))
#define MEMSRV_PS_EXIT_CODE(word) ((int32_t)((word) >> 32))

/* MEMSRV_STATS results. */
enum memsrv_stat {
	MEMSRV_STAT_VMAS,
	MEMSRV_STAT_VIRTUAL_BYTES,
	MEMSRV_STAT_RESIDENT_PAGES,
	MEMSRV_STAT_TABLE_PAGES,
	MEMSRV_STAT_FAULTS_LAZY,       /* zero-filled on first touch */
	MEMSRV_STAT_FAULTS_GUARD,      /* stack guard page hit */
	MEMSRV_STAT_FAULTS_UNMAPPED,   /* outside every VMA */
	MEMSRV_STAT_FAULTS_PERMISSION, /* access the VMA does not allow */
	MEMSRV_STAT_ASID,
	MEMSRV_STAT_HW_ASID,
	MEMSRV_STAT_GENERATION,
	MEMSRV_STAT_QUOTA_PAGES,
	MEMSRV_STAT_FAULTS_QUOTA,      /* lazy fault beyond the quota or out of memory */
	MEMSRV_STAT_FAULTS_OTHER,      /* undefined instruction, bad syscall, alignment, ... */
	MEMSRV_STAT_TLB_INVALIDATIONS, /* caused by memsrv's unmaps and remaps */
	MEMSRV_STAT_MAPPED_PAGES,      /* the kernel's count (VSPACE_INFO) */
	MEMSRV_STAT_AS_ID,             /* the address space's id (how a process learns its own) */
	MEMSRV_STAT_COUNT,
};

/* MEMSRV_GLOBAL_STATS results. */
enum memsrv_gstat {
	MEMSRV_GSTAT_TOTAL_FRAMES,
	MEMSRV_GSTAT_FREE_FRAMES,
	MEMSRV_GSTAT_USED_FRAMES,
	MEMSRV_GSTAT_TABLE_PAGES, /* page-table overhead of every address space */
	MEMSRV_GSTAT_AS_LIVE,
	MEMSRV_GSTAT_AS_CREATED,
	MEMSRV_GSTAT_PROCESSES,
	MEMSRV_GSTAT_ASLR_BITS,       /* entropy of a randomised placement */
	MEMSRV_GSTAT_KILLED,          /* processes ended by a fault or a kill */
	MEMSRV_GSTAT_POOLED_FRAMES,   /* retyped pages idle on memsrv's free lists (counted free) */
	MEMSRV_GSTAT_AS_MAX,          /* live address spaces allowed at once (memsrv.as_max) */
	MEMSRV_GSTAT_CHUNKS_RECYCLED, /* wholly free 2 MiB frame chunks turned into objects */
	MEMSRV_GSTAT_FRESH_FRAMES,    /* pages of RAM untyped nothing was retyped from yet */
	MEMSRV_GSTAT_COUNT,
};

/* MEMSRV_GLOBAL_STATS returns the kernel's KSTAT_* counters after the MEMSRV_GSTAT_* words. */
#define MEMSRV_GSTAT_KERNEL MEMSRV_GSTAT_COUNT
