/*
 * Address spaces: a VSpace with its ASID, the VMA tree (vma.h), and the pages and page tables
 * memsrv installed for it (pagemap.h). This layer makes the kernel invocations that keep the
 * kernel's tables in step with the VMA tree:
 *
 *   - every resident page lies inside a VMA (never in a guard page) and is mapped with the
 *     VMA's rights; eager VMAs are resident in full, lazy ones page by page (pager.c);
 *   - a page table exists exactly while something is mapped below it (tables are created on
 *     the way down and freed when their last page goes);
 *   - an address space is charged for its resident pages and page-table pages, and never
 *     holds more than its quota of them.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <mica/syscall.h>

#include "vma.h"

#define ASPACE_ID_LIMIT         65536 /* address space ids are 1..ASPACE_ID_LIMIT-1 */
#define ASPACE_DEFAULT_LIVE_MAX 8192  /* live address spaces (memsrv.as_max changes it) */
#define ASPACE_VMAS_MAX         16384 /* VMAs in one address space */
#define ASPACE_VMA_NODES        32768 /* VMAs in all address spaces */
#define ASPACE_DEFAULT_QUOTA    4096  /* pages (resident + tables) */
#define PAGE_SIZE               4096ull

/* Fault classes, counted per address space (MEMSRV_STAT_FAULTS_* in the same order). */
enum fault_class {
	FC_LAZY,
	FC_GUARD,
	FC_UNMAPPED,
	FC_PERMISSION,
	FC_QUOTA,
	FC_OTHER,
	FC_COUNT,
};

enum aspace_state {
	AS_FREE, /* unused id */
	AS_LIVE,
	AS_DEAD, /* destroyed; only its process record is kept (for MEMSRV_PS) */
};

/* A process: the thread memsrv started in an address space, and how it ended. */
struct process {
	bool present;
	bool control;      /* its memsrv capability carries MEMSRV_R_CONTROL */
	uint8_t state;     /* MEMSRV_PS_* */
	uint8_t kill_stat; /* MEMSRV_STAT_FAULTS_* of the fault that killed it; 0: not a fault */
	int32_t exit_code;
	cptr_t tcb, cnode;
	cptr_t tcb_cell;   /* the untyped the TCB was retyped from (cells.h) */
	cptr_t cap_client; /* memsrv's badged endpoint copy for the process (its authority) */
	cptr_t cap_fault;  /* memsrv's fault-badged endpoint copy */
	bool cspace_used;  /* memsrv put objects or looked-up names in its CNode's user slots */
	bool held;         /* spawned with MEMSRV_SPAWN_HELD and not started yet (MEMSRV_START) */
	uint16_t held_children; /* its children that are held (ended with it: process_end) */
	uint16_t parent;        /* the address space id of the process that spawned it (0: boot) */
	uint8_t priority;       /* its first thread's; other threads' at most this (threads.h) */
	uint8_t core;           /* the core its first thread runs on (cores.h) */
	uint16_t wait_for;      /* the child its pending MEMSRV_WAIT is for */
	cptr_t wait_reply;      /* that wait's saved reply right (0: none pending) */
	uint64_t fault_addr, fault_pc; /* of the fault that killed it (MEMSRV_PROC_INFO) */
	uint64_t ipc_buffer;
	uint64_t stack; /* start of the stack VMA (its guard page) */
	char name[64];
};

struct aspace {
	uint16_t id;
	uint8_t state;
	cptr_t vspace;
	uint64_t asid;
	struct vma_tree vmas;
	uint64_t table_pages; /* L1..L3 tables installed (the L0 root is the VSpace) */
	uint64_t quota;       /* pages: resident + table_pages may not exceed it */
	uint64_t tlbi;        /* TLB invalidations memsrv's unmaps and remaps caused */
	uint64_t faults[FC_COUNT];
	uint64_t shm_pages;    /* pages of shared regions it created and holds (shm.h) */
	uint16_t threads_live; /* threads besides the first (threads.c): 0 skips their search */
	bool shm_ever;         /* a shared region was mapped here: else no VMA is VMA_SHARED */
	struct process proc;
};

/* Counters over all address spaces. */
struct aspace_totals {
	uint64_t live, created, resident, table_pages, processes;
};

/*
 * Prepares the table of address spaces and the page hash, sized for `frames` frames of RAM
 * (meta.h). Call once, after alloc_init and before anything else here. Returns 0 or E_NOMEM.
 */
int aspace_init(uint64_t frames);

/* Sets how many address spaces may live at once (1..ASPACE_ID_LIMIT-1). */
void aspace_set_live_max(uint64_t max);

/* That limit. */
uint64_t aspace_live_max(void);

/*
 * One past the highest id handed out so far: ids cycle through 1..end-1, and the table grows
 * (end doubles, up to ASPACE_ID_LIMIT) only when every id below end is live.
 */
uint64_t aspace_id_end(void);

/* The live address space `id`, or NULL. */
struct aspace *aspace_get(uint64_t id);

/* The entry for `id` in any state (a dead one still has its process record), or NULL. */
struct aspace *aspace_entry(uint64_t id);

/*
 * Creates an address space with an empty VMA tree and `quota` pages (0: the default).
 * Returns 0 and *out, or E_NOMEM (aspace_live_max() are live, or no id, table memory, VSpace
 * or ASID left).
 */
int aspace_create(uint64_t quota, struct aspace **out);

/*
 * Frees every page, table and the VSpace of a live address space (its process must have
 * been stopped); the entry becomes AS_DEAD if it has a process record, else AS_FREE.
 */
void aspace_destroy(struct aspace *as);

/* Fills a page being populated at `va` (mapped at `page` in memsrv for the call). */
typedef void (*aspace_fill_fn)(void *ctx, uint64_t va, void *page);

/*
 * Maps a VMA (vma_map's arguments) and, if `backing` is VMA_EAGER, makes every page of it
 * resident, filled by fill(ctx, ...) if fill is not NULL and zero otherwise. All or nothing:
 * returns 0, the VMA layer's error, or E_NOMEM (quota, memory, or bookkeeping exhausted),
 * and on error nothing changed.
 */
int aspace_map(struct aspace *as, uint64_t start, uint64_t length, unsigned rights, unsigned kind,
	       unsigned backing, unsigned guard_pages, uint64_t user, aspace_fill_fn fill,
	       void *ctx);

/* vma.user of a shared region's VMA: ASPACE_SHM_USER + the region's index (shm.c). */
#define ASPACE_SHM_USER 0x10000ull

/*
 * Maps `pages` pages of a shared region at `start` (VMA_SHARED, eager, vma.user = `user`),
 * each through a new copy of frames[i], with `rights`. The pages count as resident in `as`
 * (its quota); unmapping them deletes the copies and tells the region (shm_unmapped), never
 * frees the frames. All or nothing: returns 0, the VMA layer's error or E_NOMEM.
 */
int aspace_map_shared(struct aspace *as, uint64_t start, unsigned pages, unsigned rights,
		      uint64_t user, const cptr_t *frames);

/* Whether `v` maps a shared region (aspace_map_shared). */
bool aspace_is_shm(const struct vma *v);

/* Unmaps [start, start + length) (vma_unmap) and frees its resident pages. */
int aspace_unmap(struct aspace *as, uint64_t start, uint64_t length);

/* Changes rights (vma_protect) and remaps the resident pages in the range to match. */
int aspace_protect(struct aspace *as, uint64_t start, uint64_t length, unsigned rights);

/*
 * Makes the page at `va` (inside the VMA `v` of `as`, as vma_classify found it; not
 * resident, not a guard page) resident with the VMA's rights, zero-filled. Returns 0 or
 * E_NOMEM (quota or memory), changing nothing then.
 */
int aspace_fill_page(struct aspace *as, const struct vma *v, uint64_t va);

/* The frame slot of the resident page at `va`, or 0. */
cptr_t aspace_page(const struct aspace *as, uint64_t va);

/* Re-applies the VMA's rights to the resident page at `va`. Returns 0 or the kernel's error. */
int aspace_refresh_page(struct aspace *as, uint64_t va, unsigned rights);

/* Pages charged to the address space: resident + page-table pages + shared regions it holds. */
uint64_t aspace_charged(const struct aspace *as);

/* Totals over every live address space. */
struct aspace_totals aspace_totals(void);

/* The kernel's rights (RIGHT_*) for VMA rights (VMA_*). */
unsigned aspace_kernel_rights(unsigned vma_rights);

/* The VMA rights for kernel rights. */
unsigned aspace_vma_rights(unsigned kernel_rights);
