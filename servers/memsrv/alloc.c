/*
 * Slots, untyped and free lists. Free objects of each kind are chained through one array
 * indexed by slot number (a slot holds at most one object, so one link per slot suffices).
 */
#include "alloc.h"

#include <mica/errors.h>
#include <mica/objects.h>
#include <mica_invoke.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define MAX_SLOTS         (1u << 17)
#define PAGE_SIZE         4096ull
#define SCRATCH_VA        0x20000000ull /* memsrv's window onto frames it fills */
#define VSPACE_POOL       1024
#define ASID_POOL_BITS_UT 12           /* an ASID pool is made from a 4 KiB untyped */
#define RESERVE_BYTES     (2ull << 20) /* untyped kept for tables, VSpaces, TCBs, CNodes */
#define RESERVE_SLOTS     2048         /* slots kept for the same */
#define DCZID_DZP         (1u << 4)
#define DCZID_BS_MASK     0xfu

struct freelist {
	uint32_t head; /* a slot, or 0 */
	uint64_t count;
};

struct ram_untyped {
	cptr_t slot;
	uint64_t paddr;
	uint64_t size;
	uint64_t used; /* mirrors the kernel's watermark: objects go at used rounded up */
};

static uint32_t links[MAX_SLOTS]; /* next free object (or free slot) after this slot */
static struct freelist free_slots, free_frames, free_tables, free_tcbs, free_cnodes;
static cptr_t slot_next, slot_end;
static struct ram_untyped ram[BOOTINFO_MAX_UNTYPED];
static unsigned ram_count, ram_cursor;
static uint64_t ram_left; /* bytes still retypeable in ram[ram_cursor..] */
static struct {
	cptr_t slot;
	uint64_t asid;
} vspaces[VSPACE_POOL];
static unsigned vspace_count;
static cptr_t asid_pool = SLOT_INIT_ASID_POOL;
static cptr_t unassigned_vspace; /* a VSpace without an ASID, waiting for one (new_vspace) */
static unsigned zva_bytes;       /* DC ZVA block size, 0 if DC ZVA is prohibited */
static struct alloc_stats stats;
static uint32_t frame_pfn[MAX_SLOTS]; /* physical page number of the frame in each slot */

static void list_push(struct freelist *l, cptr_t slot)
{
	links[slot] = l->head;
	l->head = (uint32_t)slot;
	l->count++;
}

static cptr_t list_pop(struct freelist *l)
{
	cptr_t slot = l->head;
	if (slot) {
		l->head = links[slot];
		l->count--;
	}
	return slot;
}

#if MEMSRV_DEBUG
/* Fault injection: allocation `nth` (counted from arming) fails, then every `every`-th. */
static struct {
	uint64_t nth, every; /* nth 0: disarmed */
	uint64_t seen, failed;
} inject;

void alloc_inject_arm(uint64_t nth, uint64_t every)
{
	inject.nth = nth;
	inject.every = every;
	inject.seen = 0;
	inject.failed = 0;
}

struct alloc_inject_counts alloc_inject_counts(void)
{
	return (struct alloc_inject_counts){ inject.seen, inject.failed };
}

/* Counts one allocation; whether it is to fail. */
static bool injected(void)
{
	if (!inject.nth)
		return false;
	uint64_t n = ++inject.seen;
	bool fail = n == inject.nth ||
		    (inject.every && n > inject.nth && (n - inject.nth) % inject.every == 0);
	inject.failed += fail;
	return fail;
}
#else
static bool injected(void)
{
	return false;
}
#endif

/* A free list pop that counts as an allocation: an injected failure finds the list empty. */
static cptr_t take(struct freelist *l)
{
	if (!l->head || injected())
		return 0;
	return list_pop(l);
}

cptr_t alloc_slot(void)
{
	cptr_t slot = list_pop(&free_slots);
	if (!slot && slot_next < slot_end)
		slot = slot_next++;
	return slot;
}

void alloc_slot_free(cptr_t slot)
{
	list_push(&free_slots, slot);
}

/* The bytes an object of `type` takes (objects.h). */
static uint64_t object_bytes(unsigned type, unsigned size_bits)
{
	switch (type) {
	case OBJ_TCB:
		return 1ull << TCB_SIZE_BITS;
	case OBJ_ENDPOINT:
		return 1ull << ENDPOINT_SIZE_BITS;
	case OBJ_NOTIFICATION:
		return 1ull << NOTIFICATION_SIZE_BITS;
	case OBJ_CNODE:
		return 1ull << (size_bits + CNODE_SLOT_BITS);
	case OBJ_UNTYPED:
		return 1ull << size_bits;
	default:
		return PAGE_SIZE; /* frames, tables, VSpaces */
	}
}

/* Whether new frames would eat into the untyped bytes and slots kept for other objects. */
static bool frame_reserve_reached(void)
{
	uint64_t slots = free_slots.count + (slot_end - slot_next);
	return ram_left < RESERVE_BYTES || slots < RESERVE_SLOTS;
}

int alloc_retype(unsigned type, unsigned size_bits, cptr_t *out)
{
	uint64_t size = object_bytes(type, size_bits);
	if (injected())
		return E_NOMEM; /* as the kernel would answer */
	cptr_t slot = alloc_slot();
	if (!slot)
		return E_NOMEM;
	/*
	 * Invariant: untyped before the cursor had no room for some object; objects never leave,
	 * so the cursor only moves on. `used` mirrors the kernel's placement exactly.
	 */
	for (; ram_cursor < ram_count; ram_cursor++) {
		struct ram_untyped *u = &ram[ram_cursor];
		uint64_t at = (u->used + size - 1) & ~(size - 1);
		if (at + size <= u->size) {
			int err =
			    mica_untyped_retype(u->slot, type, size_bits, SLOT_INIT_CNODE, slot, 1);
			if (err == E_OK) {
				if (type == OBJ_FRAME_4K)
					frame_pfn[slot] = (uint32_t)((u->paddr + at) >> 12);
				ram_left -= at + size - u->used;
				u->used = at + size;
				*out = slot;
				return E_OK;
			}
			if (err != E_NOMEM) {
				alloc_slot_free(slot);
				return err;
			}
			printf("memsrv: alloc_retype: untyped %lu is fuller than counted\n",
			       (unsigned long)u->slot);
		}
		ram_left -= u->size - u->used; /* the rest of this one is lost to alignment */
		u->used = u->size;
	}
	alloc_slot_free(slot);
	return E_NOMEM;
}

/* Retypes a 4 KiB object and counts it. */
static int retype_page(unsigned type, unsigned size_bits, cptr_t *out)
{
	int err = alloc_retype(type, size_bits, out);
	if (!err)
		stats.retyped_frames++;
	return err;
}

/*
 * Freed frames are reused first (the last freed first), so fresh untyped is kept for as long
 * as possible for objects that only untyped can give (tables, TCBs, CNodes): a busy memsrv
 * runs in this steady state. A reused frame is dirty; a fresh one comes zeroed by the
 * kernel's retype. Fresh frames are taken only while untyped and slots stay above the reserve.
 */
int alloc_frame(cptr_t *out, bool *dirty)
{
	cptr_t f = take(&free_frames);
	if (f) {
		*out = f;
		*dirty = true;
		return E_OK;
	}
	*dirty = false;
	if (frame_reserve_reached())
		return E_NOMEM;
	return retype_page(OBJ_FRAME_4K, 0, out);
}

void alloc_zero_page(void *page)
{
	char *p = page, *end = p + PAGE_SIZE;
	if (!zva_bytes) {
		memset(page, 0, PAGE_SIZE);
		return;
	}
	if (zva_bytes == 64) { /* the usual block: four per iteration */
		for (; p < end; p += 256)
			__asm__ volatile("dc zva, %0\n\tadd x16, %0, #64\n\tdc zva, x16\n\t"
					 "add x16, %0, #128\n\tdc zva, x16\n\tadd x16, %0, #192\n\t"
					 "dc zva, x16" ::"r"(p)
					 : "x16", "memory");
		return;
	}
	for (; p < end; p += zva_bytes)
		__asm__ volatile("dc zva, %0" ::"r"(p) : "memory");
}

int alloc_frame_prepare(cptr_t frame, bool dirty, void (*fill)(void *ctx, void *page), void *ctx)
{
	if (!fill) /* zeroing alone: one FRAME_ZERO, where the window would take two calls */
		return dirty ? mica_frame_zero(frame) : E_OK;
	int err = mica_frame_map(frame, SLOT_INIT_VSPACE, SCRATCH_VA, RIGHT_READ | RIGHT_WRITE);
	if (err)
		return err;
	void *page = (void *)(uintptr_t)SCRATCH_VA;
	if (dirty)
		alloc_zero_page(page);
	if (fill)
		fill(ctx, page);
	mica_frame_unmap(frame);
	return E_OK;
}

int alloc_frame_copy(cptr_t dest, cptr_t frame)
{
	int err = mica_cnode_copy(SLOT_INIT_CNODE, dest, SLOT_INIT_CNODE, frame, RIGHTS_ALL);
	if (!err && dest < MAX_SLOTS && frame < MAX_SLOTS)
		frame_pfn[dest] = frame_pfn[frame];
	return err;
}

uint64_t alloc_frame_paddr(cptr_t frame)
{
	return frame < MAX_SLOTS ? (uint64_t)frame_pfn[frame] << 12 : 0;
}

void alloc_frame_free(cptr_t frame)
{
	list_push(&free_frames, frame);
}

int alloc_table(cptr_t *out)
{
	cptr_t t = take(&free_tables);
	if (t) {
		*out = t;
		return E_OK;
	}
	return retype_page(OBJ_PAGE_TABLE, 0, out);
}

void alloc_table_free(cptr_t table)
{
	list_push(&free_tables, table);
}

/* A fresh ASID pool from a 4 KiB untyped carved for it. */
static int make_asid_pool(void)
{
	cptr_t ut, pool = alloc_slot();
	if (!pool)
		return E_NOMEM;
	int err = alloc_retype(OBJ_UNTYPED, ASID_POOL_BITS_UT, &ut);
	if (!err) {
		err =
		    mica_asid_control_make_pool(SLOT_ASID_CONTROL, ut, SLOT_INIT_CNODE, pool, NULL);
		if (err) {
			mica_cnode_delete(SLOT_INIT_CNODE, ut);
			alloc_slot_free(ut);
		}
	}
	if (err) {
		alloc_slot_free(pool);
		return err;
	}
	asid_pool = pool;
	stats.asid_pools++;
	return E_OK;
}

/*
 * A new VSpace with an ASID from the current pool, or a new pool when that one is full. A
 * VSpace whose assignment failed (no memory for a new pool) is kept for the next call:
 * objects never go back to untyped, so deleting it would lose its 4 KiB for good.
 */
static int new_vspace(cptr_t *out, uint64_t *asid)
{
	cptr_t vs = unassigned_vspace;
	int err = vs ? E_OK : retype_page(OBJ_VSPACE, 0, &vs);
	if (err)
		return err;
	unassigned_vspace = 0;
	err = mica_asid_pool_assign(asid_pool, vs, asid);
	if (err == E_NOMEM) {
		err = make_asid_pool();
		if (!err)
			err = mica_asid_pool_assign(asid_pool, vs, asid);
	}
	if (err) {
		unassigned_vspace = vs;
		return err;
	}
	*out = vs;
	return E_OK;
}

int alloc_vspace(cptr_t *out, uint64_t *asid)
{
	if (vspace_count && !injected()) {
		vspace_count--;
		*out = vspaces[vspace_count].slot;
		*asid = vspaces[vspace_count].asid;
		return E_OK;
	}
	return new_vspace(out, asid);
}

void alloc_vspace_free(cptr_t vspace, uint64_t asid)
{
	if (vspace_count < VSPACE_POOL) {
		vspaces[vspace_count].slot = vspace;
		vspaces[vspace_count].asid = asid;
		vspace_count++;
		return;
	}
	mica_cnode_delete(SLOT_INIT_CNODE, vspace); /* pool full: give the ASID back instead */
	alloc_slot_free(vspace);
}

int alloc_tcb(cptr_t *out)
{
	cptr_t t = take(&free_tcbs);
	if (t) {
		*out = t;
		return E_OK;
	}
	return alloc_retype(OBJ_TCB, 0, out);
}

void alloc_tcb_free(cptr_t tcb)
{
	list_push(&free_tcbs, tcb);
}

int alloc_cnode(cptr_t *out)
{
	cptr_t c = take(&free_cnodes);
	if (c) {
		*out = c;
		return E_OK;
	}
	cptr_t raw, guarded = alloc_slot();
	if (!guarded)
		return E_NOMEM;
	int err = retype_page(OBJ_CNODE, PROCESS_CNODE_BITS, &raw);
	if (err) {
		alloc_slot_free(guarded);
		return err;
	}
	/* Guard data for CNODE_MINT: the guard covers every bit above the radix, value 0. */
	err = mica_cnode_mint(SLOT_INIT_CNODE, guarded, SLOT_INIT_CNODE, raw, RIGHTS_ALL,
			      64 - PROCESS_CNODE_BITS);
	mica_cnode_delete(SLOT_INIT_CNODE, raw); /* the guarded copy keeps the CNode alive */
	alloc_slot_free(raw);
	if (err) {
		alloc_slot_free(guarded);
		return err;
	}
	*out = guarded;
	return E_OK;
}

void alloc_cnode_free(cptr_t cnode)
{
	list_push(&free_cnodes, cnode);
}

struct alloc_stats alloc_stats(void)
{
	struct alloc_stats s = stats;
	s.pooled_frames =
	    free_frames.count + free_tables.count + vspace_count + (unassigned_vspace != 0);
	s.free_slots = free_slots.count + (slot_end - slot_next);
	return s;
}

/* Installs page tables in memsrv's own VSpace until SCRATCH_VA can take a frame. */
static int scratch_init(void)
{
	for (;;) {
		cptr_t t;
		unsigned level;
		int err = alloc_table(&t);
		if (err)
			return err;
		err = mica_page_table_map(t, SLOT_INIT_VSPACE, SCRATCH_VA, &level);
		if (err == E_DELETE_FIRST) {
			alloc_table_free(t); /* the walk is complete already */
			return E_OK;
		}
		if (err)
			return err;
		if (level == 3)
			return E_OK;
	}
}

int alloc_init(const struct bootinfo *bi)
{
	uint64_t dczid;
	__asm__ volatile("mrs %0, dczid_el0" : "=r"(dczid));
	zva_bytes = (dczid & DCZID_DZP) ? 0 : 4u << (dczid & DCZID_BS_MASK);
	slot_next = bi->empty.start;
	slot_end = bi->empty.end < MAX_SLOTS ? bi->empty.end : MAX_SLOTS;
	uint64_t n = bi->untyped.end - bi->untyped.start;
	for (uint64_t i = 0; i < n && i < BOOTINFO_MAX_UNTYPED; i++) {
		const struct untyped_desc *u = &bi->untyped_list[i];
		if (u->is_device || u->size_bits < 12)
			continue;
		ram[ram_count].slot = bi->untyped.start + i;
		ram[ram_count].paddr = u->paddr;
		ram[ram_count].size = 1ull << u->size_bits;
		ram_left += 1ull << u->size_bits;
		ram_count++;
		stats.total_frames += 1ull << (u->size_bits - 12);
	}
	return scratch_init();
}
