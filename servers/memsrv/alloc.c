/*
 * Slots, untyped and free lists. Free objects of each kind are chained through one array
 * indexed by slot number (a slot holds at most one object, so one link per slot suffices).
 */
#include "alloc.h"

#include "chunks.h"
#include "meta.h"

#include <mica/errors.h>
#include <mica/objects.h>
#include <mica_invoke.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define PAGE_SIZE         4096ull
#define SCRATCH_VA        0x20000000ull /* memsrv's window onto frames it fills */
#define ASID_POOL_BITS_UT 12            /* an ASID pool is made from a 4 KiB untyped */
#define RESERVE_CHUNKS    1             /* fresh 2 MiB chunks kept for objects, not frames */
#define RESERVE_SLOTS     2048          /* slots kept for the same */
#define CHUNK_SIZE        (1ull << CHUNK_BITS)
#define CHUNKS_MAX        8192 /* 16 GiB of physical span from the lowest RAM address */
#define DCZID_DZP         (1u << 4)
#define DCZID_BS_MASK     0xfu

struct freelist {
	uint32_t head; /* a slot, or 0 */
	uint64_t count;
};

/* An untyped capability memsrv retypes from, and its mirror of the kernel's watermark. */
struct source {
	cptr_t slot;
	uint64_t paddr;
	uint64_t size;
	uint64_t used; /* objects go at used rounded up to their size */
};

/*
 * Per slot of memsrv's CNode: `links` chains free slots and free objects (a slot holds at
 * most one object, so one link per slot suffices; free frames are chained in their chunk);
 * `slot_word` is a frame's page frame number, or a pooled VSpace's ASID. Both are sized from
 * the CNode at boot (meta.h).
 */
static uint32_t *links, *slot_word;
static uint32_t slot_limit;
static uint32_t boot_link; /* the chunk pool's link word until `links` exists */
static struct freelist free_slots, free_tables, free_tcbs, free_cnodes, free_vspaces;
static cptr_t slot_next, slot_end;
static struct source ram[BOOTINFO_MAX_UNTYPED]; /* the boot's RAM untyped */
static unsigned ram_count;
static unsigned small_cursor; /* next ram[] under 2 MiB to use for objects */
static unsigned chunk_cursor; /* next ram[] of 2 MiB or more to carve chunks from */
static uint64_t fresh_chunks; /* 2 MiB chunks still carvable from ram[chunk_cursor..] */
static struct source objects; /* where kernel objects are retyped from now */
static struct chunk chunk_table[CHUNKS_MAX];
static struct chunk_pool cpool;       /* frame chunks (chunks.h) */
static uint32_t carving = CHUNK_NONE; /* the chunk new frames are retyped from */
static cptr_t asid_pool = SLOT_INIT_ASID_POOL;
static cptr_t unassigned_vspace; /* a VSpace without an ASID, waiting for one (new_vspace) */
static unsigned zva_bytes;       /* DC ZVA block size, 0 if DC ZVA is prohibited */
static struct alloc_stats stats;

static void list_push(struct freelist *l, cptr_t slot)
{
	if (!links)
		return; /* only while alloc_init makes the links themselves: the slot stays used */
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

/* Slots never used or returned. */
static uint64_t slots_left(void)
{
	return free_slots.count + (slot_end - slot_next);
}

/*
 * Retypes one object of `size` bytes from `u` at its mirrored watermark into `slot`. Returns
 * 0, E_NOMEM if it does not fit (the mirror is then full), or the kernel's error.
 */
static int retype_from(struct source *u, unsigned type, unsigned size_bits, uint64_t size,
		       cptr_t slot)
{
	uint64_t at = (u->used + size - 1) & ~(size - 1);
	if (!u->slot || at + size > u->size)
		return E_NOMEM;
	int err = mica_untyped_retype(u->slot, type, size_bits, SLOT_INIT_CNODE, slot, 1);
	if (err == E_NOMEM)
		printf("memsrv: retype_from: untyped %lu is fuller than counted\n",
		       (unsigned long)u->slot);
	if (err == E_NOMEM)
		u->used = u->size;
	if (err)
		return err;
	if (type == OBJ_FRAME_4K && slot_word)
		slot_word[slot] = (uint32_t)((u->paddr + at) >> 12);
	u->used = at + size;
	return E_OK;
}

/*
 * A fresh 2 MiB chunk from the RAM untyped into a new slot: its index, or CHUNK_NONE (no
 * memory or slot left). Chunks are the only objects retyped from untyped of 2 MiB or more,
 * so none is lost to alignment.
 */
static uint32_t chunk_fresh(enum chunk_use use)
{
	cptr_t slot = alloc_slot();
	if (!slot)
		return CHUNK_NONE;
	/* Invariant: ram[..chunk_cursor) of 2 MiB or more are used up. */
	for (; chunk_cursor < ram_count; chunk_cursor++) {
		struct source *u = &ram[chunk_cursor];
		if (u->size < CHUNK_SIZE || u->used == u->size)
			continue;
		uint64_t pa = u->paddr + u->used;
		if (retype_from(u, OBJ_UNTYPED, CHUNK_BITS, CHUNK_SIZE, slot))
			continue;
		fresh_chunks--;
		uint32_t ci = chunk_of(&cpool, pa >> 12);
		chunk_start(&cpool, ci, (uint32_t)slot, use);
		return ci;
	}
	alloc_slot_free(slot);
	return CHUNK_NONE;
}

/*
 * Turns an empty frame chunk into untyped for objects: deletes its frame capabilities (the
 * kernel then finds no child and starts it at offset 0). Returns 0 or E_NOMEM (no chunk is
 * empty).
 */
static int chunk_recycle(struct source *out)
{
	uint32_t ci = chunk_reclaim(&cpool);
	if (ci == CHUNK_NONE)
		return E_NOMEM;
	if (ci == carving)
		carving = CHUNK_NONE;
	for (cptr_t f = chunk_drain(&cpool, ci); f; f = chunk_drain(&cpool, ci)) {
		mica_cnode_delete(SLOT_INIT_CNODE, f);
		alloc_slot_free(f);
	}
	stats.chunks_recycled++;
	*out =
	    (struct source){ cpool.chunks[ci].untyped,
			     (cpool.base_pfn + (uint64_t)ci * CHUNK_FRAMES) << 12, CHUNK_SIZE, 0 };
	return E_OK;
}

/*
 * The next place for kernel objects once `objects` is full: an untyped under 2 MiB, a fresh
 * chunk, or an empty frame chunk recycled. Returns 0 or E_NOMEM.
 */
static int objects_refill(void)
{
	for (; small_cursor < ram_count; small_cursor++) {
		struct source *u = &ram[small_cursor];
		if (u->size < CHUNK_SIZE && u->used < u->size) {
			objects = *u;
			u->used = u->size; /* objects owns what is left of it now */
			return E_OK;
		}
	}
	uint32_t ci = chunk_fresh(CHUNK_USE_OBJECTS);
	if (ci != CHUNK_NONE) {
		objects = (struct source){ cpool.chunks[ci].untyped,
					   (cpool.base_pfn + (uint64_t)ci * CHUNK_FRAMES) << 12,
					   CHUNK_SIZE, 0 };
		return E_OK;
	}
	return chunk_recycle(&objects);
}

int alloc_retype(unsigned type, unsigned size_bits, cptr_t *out)
{
	uint64_t size = object_bytes(type, size_bits);
	if (injected())
		return E_NOMEM; /* as the kernel would answer */
	if (size > CHUNK_SIZE)
		return E_NOMEM;
	cptr_t slot = alloc_slot();
	if (!slot)
		return E_NOMEM;
	/* Each refill uses up a source, so this ends: with the object made or nothing left. */
	int err;
	do
		err = retype_from(&objects, type, size_bits, size, slot);
	while (err == E_NOMEM && objects_refill() == E_OK);
	if (err) {
		alloc_slot_free(slot);
		return err;
	}
	*out = slot;
	return E_OK;
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
 * A frame retyped at the watermark of the chunk being carved, or of a fresh chunk (while
 * fresh chunks and slots stay above the reserve kept for objects). Returns 0 or E_NOMEM.
 */
__attribute__((noinline)) static int frame_fresh(cptr_t *out) /* off the reuse path */
{
	if (injected())
		return E_NOMEM;
	if (carving == CHUNK_NONE || cpool.chunks[carving].carved == CHUNK_FRAMES) {
		carving = CHUNK_NONE;
		if (fresh_chunks <= RESERVE_CHUNKS || slots_left() < RESERVE_SLOTS)
			return E_NOMEM;
		carving = chunk_fresh(CHUNK_USE_FRAMES);
		if (carving == CHUNK_NONE)
			return E_NOMEM;
	}
	if (slots_left() < RESERVE_SLOTS)
		return E_NOMEM;
	cptr_t slot = alloc_slot();
	struct chunk *c = &cpool.chunks[carving];
	struct source u = { c->untyped, (cpool.base_pfn + (uint64_t)carving * CHUNK_FRAMES) << 12,
			    CHUNK_SIZE, (uint64_t)c->carved * PAGE_SIZE };
	int err = retype_from(&u, OBJ_FRAME_4K, 0, PAGE_SIZE, slot);
	if (err) {
		alloc_slot_free(slot);
		carving = CHUNK_NONE;
		return err;
	}
	chunk_carved(&cpool, carving);
	stats.retyped_frames++;
	*out = slot;
	return E_OK;
}

/*
 * Freed frames are reused first (the most recently freed first, from chunks that still have
 * live frames before wholly free ones), so fresh memory and whole free chunks stay for
 * objects that only untyped can give (tables, TCBs, CNodes): a busy memsrv runs in this
 * steady state. A reused frame is dirty; a fresh one comes zeroed by the kernel's retype.
 */
int alloc_frame(cptr_t *out, bool *dirty)
{
	uint32_t ci;
	if (cpool.free_frames && !injected()) {
		*out = chunk_take_fast(&cpool, &ci);
		*dirty = true;
		return E_OK;
	}
	*dirty = false;
	return frame_fresh(out);
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
	if (!err && dest < slot_limit && frame < slot_limit)
		slot_word[dest] = slot_word[frame];
	return err;
}

uint64_t alloc_frame_paddr(cptr_t frame)
{
	return frame < slot_limit ? (uint64_t)slot_word[frame] << 12 : 0;
}

void alloc_frame_free(cptr_t frame)
{
	uint32_t ci = frame < slot_limit ? chunk_of(&cpool, slot_word[frame]) : CHUNK_NONE;
	if (ci == CHUNK_NONE || cpool.chunks[ci].use != CHUNK_USE_FRAMES) {
		printf("memsrv: alloc_frame_free: slot %lu is no chunk's frame\n",
		       (unsigned long)frame);
		return;
	}
	chunk_put_fast(&cpool, ci, (uint32_t)frame);
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
	cptr_t vs = take(&free_vspaces);
	if (vs) {
		*out = vs;
		*asid = slot_word[vs];
		return E_OK;
	}
	return new_vspace(out, asid);
}

void alloc_vspace_free(cptr_t vspace, uint64_t asid)
{
	slot_word[vspace] = (uint32_t)asid; /* ASIDs are below 2^16 */
	list_push(&free_vspaces, vspace);
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
	    cpool.free_frames + free_tables.count + free_vspaces.count + (unassigned_vspace != 0);
	s.free_slots = slots_left();
	s.fresh_frames = fresh_chunks * CHUNK_FRAMES + (objects.size - objects.used) / PAGE_SIZE;
	for (unsigned i = small_cursor; i < ram_count; i++)
		if (ram[i].size < CHUNK_SIZE)
			s.fresh_frames += (ram[i].size - ram[i].used) / PAGE_SIZE;
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

/* Takes the RAM untyped of `bi` and sizes the chunk table over the physical span they cover. */
static int take_untyped(const struct bootinfo *bi)
{
	uint64_t n = bi->untyped.end - bi->untyped.start, lo = ~0ull, hi = 0;
	for (uint64_t i = 0; i < n && i < BOOTINFO_MAX_UNTYPED; i++) {
		const struct untyped_desc *u = &bi->untyped_list[i];
		if (u->is_device || u->size_bits < 12)
			continue;
		ram[ram_count] =
		    (struct source){ bi->untyped.start + i, u->paddr, 1ull << u->size_bits, 0 };
		stats.total_frames += 1ull << (u->size_bits - 12);
		lo = u->paddr < lo ? u->paddr : lo;
		hi =
		    u->paddr + (1ull << u->size_bits) > hi ? u->paddr + (1ull << u->size_bits) : hi;
		ram_count++;
	}
	if (!ram_count)
		return E_NOMEM;
	lo &= ~(CHUNK_SIZE - 1);
	uint64_t count = (hi - lo + CHUNK_SIZE - 1) / CHUNK_SIZE;
	if (count > CHUNKS_MAX) {
		printf("memsrv: RAM spans %lu MiB; chunks cover the first %lu MiB\n",
		       (unsigned long)((hi - lo) >> 20),
		       (unsigned long)(CHUNKS_MAX * CHUNK_SIZE >> 20));
		count = CHUNKS_MAX;
	}
	for (unsigned i = 0; i < ram_count; i++) {
		const struct source *u = &ram[i];
		if (u->size >= CHUNK_SIZE && u->paddr + u->size <= lo + count * CHUNK_SIZE)
			fresh_chunks += u->size / CHUNK_SIZE;
		else if (u->size >= CHUNK_SIZE)
			ram[i].used = ram[i].size; /* beyond the chunk table: not used */
	}
	return chunk_pool_init(&cpool, chunk_table, (uint32_t)count, lo >> 12, &boot_link, 1);
}

int alloc_init(const struct bootinfo *bi)
{
	uint64_t dczid;
	__asm__ volatile("mrs %0, dczid_el0" : "=r"(dczid));
	zva_bytes = (dczid & DCZID_DZP) ? 0 : 4u << (dczid & DCZID_BS_MASK);
	slot_next = bi->empty.start;
	slot_end = bi->empty.end < (1ull << 31) ? bi->empty.end : (1ull << 31);
	int err = take_untyped(bi);
	if (err)
		return err;
	/* The per-slot words come from meta memory, retyped before any slot is given back. */
	uint32_t *l = meta_alloc(slot_end * sizeof(*links));
	uint32_t *w = meta_alloc(slot_end * sizeof(*slot_word));
	if (!l || !w)
		return E_NOMEM;
	links = l;
	slot_word = w;
	slot_limit = (uint32_t)slot_end;
	cpool.next = links;
	cpool.slots = slot_limit;
	return scratch_init();
}
