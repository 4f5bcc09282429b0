/*
 * memsrv's object allocator: capability slots of its own CNode, and kernel objects carved out
 * of the RAM untyped capabilities it got at boot. Objects cannot go back to untyped one by
 * one, so freed ones wait on free lists (one per kind) and are handed out again first.
 *
 * Frames come back dirty and are zero-filled before reuse by the kernel (FRAME_ZERO), or in
 * a scratch window in memsrv's own address space when they are filled with contents anyway
 * (alloc_frame_prepare); page tables come back zeroed by the
 * kernel (PAGE_TABLE_UNMAP clears them); VSpaces keep their ASID while pooled.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <mica/bootinfo.h>
#include <mica/syscall.h>

#define PROCESS_CNODE_BITS 6 /* radix of a process's CNode: 64 slots */

/* Counters for the statistics. "Pooled" objects are retyped but idle on a free list. */
struct alloc_stats {
	uint64_t total_frames;   /* RAM the untyped capabilities cover, in 4 KiB pages */
	uint64_t pooled_frames;  /* frames, tables and VSpaces waiting on free lists */
	uint64_t retyped_frames; /* 4 KiB objects ever retyped (frames, tables, VSpaces, CNodes) */
	uint64_t free_slots;     /* slots never used or returned */
	uint64_t asid_pools;
	uint64_t chunks_recycled; /* empty frame chunks turned into untyped for objects */
	uint64_t fresh_frames;    /* pages of untyped nothing was retyped from yet */
};

/*
 * Takes the RAM untyped capabilities and the free slot range of `bi`, and prepares the scratch
 * window (its page tables in memsrv's VSpace). Returns 0 or the error of the kernel call that
 * failed.
 */
int alloc_init(const struct bootinfo *bi);

/* A free slot of memsrv's CNode, or 0 if none is left. */
cptr_t alloc_slot(void);

/* Returns an empty slot. */
void alloc_slot_free(cptr_t slot);

/*
 * Retypes one object of `type` (size_bits for CNodes and untyped) into a new slot. Returns 0
 * and *out, or E_NOMEM (no slot, or no untyped has room).
 */
int alloc_retype(unsigned type, unsigned size_bits, cptr_t *out);

/*
 * An unmapped 4 KiB frame. *dirty says whether it still holds a previous user's data (then
 * alloc_frame_prepare must run before it is mapped anywhere). Returns 0 or E_NOMEM.
 */
int alloc_frame(cptr_t *out, bool *dirty);

/*
 * Prepares `frame` for mapping: without `fill`, zero-fills it if `dirty` (FRAME_ZERO);
 * with `fill`, maps it in the scratch window, zero-fills it if `dirty`, calls
 * fill(ctx, page) and unmaps it. Returns 0 or the kernel's error (the frame is then
 * unchanged).
 */
int alloc_frame_prepare(cptr_t frame, bool dirty, void (*fill)(void *ctx, void *page), void *ctx);

/*
 * Copies frame capability `frame` (one alloc_frame handed out) into the empty slot `dest`,
 * recording its physical address for the copy too (a shared region's page mapped in another
 * address space). Returns 0 or the kernel's error.
 */
int alloc_frame_copy(cptr_t dest, cptr_t frame);

/*
 * The physical address of a frame alloc_frame handed out, as memsrv computes it from the
 * untyped's address and its mirror of the watermark (not asked of the kernel), so the
 * audit can compare it with what the kernel's tables hold. 0 for a slot that is no frame.
 */
uint64_t alloc_frame_paddr(cptr_t frame);

/* Returns an unmapped frame (its contents are zeroed on reuse). */
void alloc_frame_free(cptr_t frame);

/* An unmapped, zeroed page table. Returns 0 or E_NOMEM. */
int alloc_table(cptr_t *out);

/* Returns a page table the caller unmapped (the kernel zeroed it). */
void alloc_table_free(cptr_t table);

/*
 * A VSpace with an ASID and no mappings. Makes ASID pools from 4 KiB untyped as needed.
 * Returns 0, E_NOMEM, or the kernel's error.
 */
int alloc_vspace(cptr_t *out, uint64_t *asid);

/* Returns a VSpace whose every table the caller unmapped; it keeps its ASID for reuse. */
void alloc_vspace_free(cptr_t vspace, uint64_t asid);

/* A suspended TCB with no slots configured. Returns 0 or E_NOMEM. */
int alloc_tcb(cptr_t *out);

/* Returns a TCB the caller suspended and unconfigured (TCB_CONFIGURE with no objects). */
void alloc_tcb_free(cptr_t tcb);

/*
 * An empty CNode of 2^PROCESS_CNODE_BITS slots whose capability has a guard that makes it a
 * whole CSpace (a cptr is then the slot index). Returns 0 or E_NOMEM.
 */
int alloc_cnode(cptr_t *out);

/* Returns a CNode the caller emptied. */
void alloc_cnode_free(cptr_t cnode);

/* The allocator's counters. */
struct alloc_stats alloc_stats(void);

#if MEMSRV_DEBUG
/*
 * Fault injection (debug builds): every object memsrv acquires is one allocation: each
 * retype (it fails with E_NOMEM before the kernel is asked, as the kernel would answer) and
 * each reuse from a free list (it finds the list empty). Counting from this call, allocation
 * `nth` fails, then, if `every` is not 0, every `every`-th after it (every 1: all of them).
 * nth 0 disarms. Resets the counts.
 */
void alloc_inject_arm(uint64_t nth, uint64_t every);

/* Allocations counted and failures injected since the last alloc_inject_arm. */
struct alloc_inject_counts {
	uint64_t seen, failed;
};
struct alloc_inject_counts alloc_inject_counts(void);
#endif

/* Fills `page` (4 KiB, mapped) with zeros using DC ZVA where the CPU allows it. */
void alloc_zero_page(void *page);
