/*
 * Address spaces and the kernel tables behind them. Page tables are created on the walk down
 * to a page (L1, L2, L3: PAGE_TABLE_MAP installs each at the first empty level) and freed on
 * the way up when their count of children drops to zero.
 */
#include "aspace.h"

#include <mica/errors.h>
#include <mica/objects.h>
#include <mica_invoke.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "debug.h"
#include "meta.h"
#include "shm.h"
#include "pagemap.h"

#define PAGEMAP_MIN (1u << 12)
#define PAGEMAP_MAX (1u << 31)
#define FIRST_TABLE 1
#define LAST_TABLE  3

#define BLOCK       256  /* address-space entries per block of the table */
#define SPAN_MIN    1024 /* ids cycle through 1..1023 until more are live at once */

/* The table: blocks of entries from meta memory, made as the id span grows. */
static struct aspace *blocks[ASPACE_ID_LIMIT / BLOCK];
static uint32_t id_end; /* ids below it have entries */
static uint64_t live_count, live_max = ASPACE_DEFAULT_LIVE_MAX;
static struct vma vma_nodes[ASPACE_VMA_NODES];
static struct vma_pool vma_pool;
static struct pagemap pm;
static uint16_t next_id = 1;
static uint64_t created;

unsigned aspace_kernel_rights(unsigned r)
{
	return ((r & VMA_R) ? RIGHT_READ : 0) | ((r & VMA_W) ? RIGHT_WRITE : 0) |
	       ((r & VMA_X) ? RIGHT_EXEC : 0);
}

unsigned aspace_vma_rights(unsigned r)
{
	return ((r & RIGHT_READ) ? VMA_R : 0) | ((r & RIGHT_WRITE) ? VMA_W : 0) |
	       ((r & RIGHT_EXEC) ? VMA_X : 0);
}

static struct pm_entry *find(const struct aspace *as, unsigned level, uint64_t va)
{
	return pm_find(&pm, pm_key(as->id, level, va));
}

/* The first address >= va (below end) holding a resident page, or end. *slot gets its frame. */
static uint64_t next_resident(const struct aspace *as, uint64_t va, uint64_t end, cptr_t *slot)
{
	/* Invariant: no page in [original va, va) is resident. Missing tables skip their span. */
	while (va < end) {
		unsigned level;
		for (level = FIRST_TABLE; level <= LAST_TABLE; level++) {
			if (!find(as, level, va))
				break;
		}
		if (level <= LAST_TABLE) {
			va = (va | ((1ull << pm_level_shift(level)) - 1)) + 1;
			continue;
		}
		struct pm_entry *e = find(as, PM_LEVEL_PAGE, va);
		if (e) {
			*slot = e->slot;
			return va;
		}
		va += PAGE_SIZE;
	}
	return end;
}

/* vma_resident_fn: resident pages in [start, start + length). */
static uint64_t count_resident(void *ctx, uint64_t start, uint64_t length)
{
	const struct aspace *as = ctx;
	uint64_t n = 0, end = start + length;
	cptr_t slot;
	for (uint64_t va = next_resident(as, start, end, &slot); va < end;
	     va = next_resident(as, va + PAGE_SIZE, end, &slot))
		n++;
	return n;
}

/* Removes the table at `level` for va (its count must be 0) and unhooks it from its parent. */
static void table_drop(struct aspace *as, unsigned level, uint64_t va)
{
	uint64_t key = pm_key(as->id, level, va);
	cptr_t t = pm_find(&pm, key)->slot;
	pm_remove(&pm, key);
	mica_page_table_unmap(t); /* the kernel zeroes it and invalidates the ASID */
	as->tlbi++;
	as->table_pages--;
	alloc_table_free(t);
	if (level > FIRST_TABLE)
		find(as, level - 1, va)->count--;
}

/* Frees the tables on the walk to va that have nothing below them, bottom up. */
static void tables_trim(struct aspace *as, uint64_t va)
{
	for (unsigned level = LAST_TABLE; level >= FIRST_TABLE; level--) {
		struct pm_entry *e = find(as, level, va);
		if (e && e->count)
			return;
		if (e)
			table_drop(as, level, va);
	}
}

/* The tables missing on the walk to va. */
static unsigned tables_missing(const struct aspace *as, uint64_t va)
{
	unsigned n = 0;
	for (unsigned level = FIRST_TABLE; level <= LAST_TABLE; level++)
		n += !find(as, level, va);
	return n;
}

/* Installs the missing tables on the walk to va. On error, the new ones are freed again. */
static int tables_ensure(struct aspace *as, uint64_t va)
{
	for (unsigned level = FIRST_TABLE; level <= LAST_TABLE; level++) {
		uint64_t key = pm_key(as->id, level, va);
		if (pm_find(&pm, key))
			continue;
		cptr_t t;
		unsigned got;
		int err = alloc_table(&t);
		if (!err) {
			err = mica_page_table_map(t, as->vspace, va, &got);
			if (!err && got != level) {
				printf("memsrv: tables_ensure: table at %#lx became L%u, not L%u\n",
				       (unsigned long)va, got, level);
				mica_page_table_unmap(t);
				err = E_STATE;
			}
			if (err)
				alloc_table_free(t);
		}
		if (err) {
			tables_trim(as, va);
			return err;
		}
		pm_insert(&pm, key, (uint32_t)t);
		as->table_pages++;
		if (level > FIRST_TABLE)
			find(as, level - 1, va)->count++;
	}
	return E_OK;
}

uint64_t aspace_charged(const struct aspace *as)
{
	return vma_resident(&as->vmas) + as->table_pages + as->shm_pages;
}

/* Context of one page being populated. */
struct fill_call {
	aspace_fill_fn fn;
	void *ctx;
	uint64_t va;
};

static void fill_trampoline(void *ctx, void *page)
{
	struct fill_call *c = ctx;
	c->fn(c->ctx, c->va, page);
}

/*
 * Makes va resident with `rights` (VMA_*), filled by fill or zero. Charges the quota; counts
 * the page in its VMA. Returns 0 or an error with nothing changed. When the L3 table for va
 * exists so do its parents (tables are made top down and freed bottom up): the common case
 * then needs one table lookup, not one per level for the count and again for the install.
 */
static int page_install(struct aspace *as, uint64_t va, unsigned rights, aspace_fill_fn fill,
			void *ctx)
{
	struct pm_entry *l3 = find(as, LAST_TABLE, va);
	unsigned missing = l3 ? 0 : tables_missing(as, va);
	if (aspace_charged(as) + missing + 1 > as->quota || !pm_room(&pm, missing + 1))
		return E_NOMEM;
	cptr_t f;
	bool dirty;
	int err = alloc_frame(&f, &dirty);
	if (err)
		return err;
	struct fill_call call = { fill, ctx, va };
	/* A dirty frame that only needs zeros is zeroed by the kernel as it maps it. */
	unsigned zero = dirty && !fill ? FRAME_MAP_ZERO : 0;
	err = zero ? E_OK : alloc_frame_prepare(f, dirty, fill ? fill_trampoline : NULL, &call);
	if (!err && missing)
		err = tables_ensure(as, va);
	if (!err) {
		err = mica_frame_map(f, as->vspace, va, aspace_kernel_rights(rights) | zero);
		if (err)
			tables_trim(as, va);
	}
	if (err) {
		alloc_frame_free(f);
		return err;
	}
	if (!l3)
		l3 = find(as, LAST_TABLE, va);
	l3->count++;
	pm_insert(&pm, pm_key(as->id, PM_LEVEL_PAGE, va), (uint32_t)f);
	vma_resident_add(&as->vmas, va, 1);
	return E_OK;
}

/*
 * Makes va resident with a new copy of `frame` (a shared region's page), mapped with
 * `rights`. Charges the quota; counts the page in its VMA. Returns 0 or an error with
 * nothing changed.
 */
static int page_install_copy(struct aspace *as, uint64_t va, unsigned rights, cptr_t frame)
{
	unsigned missing = tables_missing(as, va);
	if (aspace_charged(as) + missing + 1 > as->quota || !pm_room(&pm, missing + 1))
		return E_NOMEM;
	cptr_t f = alloc_slot();
	if (!f)
		return E_NOMEM;
	int err = alloc_frame_copy(f, frame);
	if (!err)
		err = tables_ensure(as, va);
	if (!err) {
		err = mica_frame_map(f, as->vspace, va, aspace_kernel_rights(rights));
		if (err)
			tables_trim(as, va);
	}
	if (err) {
		mica_cnode_delete(SLOT_INIT_CNODE, f);
		alloc_slot_free(f);
		return err;
	}
	pm_insert(&pm, pm_key(as->id, PM_LEVEL_PAGE, va), (uint32_t)f);
	find(as, LAST_TABLE, va)->count++;
	vma_resident_add(&as->vmas, va, 1);
	shm_mapped(vma_find(&as->vmas, va)->user, 1);
	return E_OK;
}

/*
 * Unmaps the resident page at va and frees its frame, or for a shared region's page
 * (`shared`) deletes the copy that mapped it (the VMA layer keeps its own counts).
 */
static void page_remove(struct aspace *as, uint64_t va, cptr_t f, bool shared)
{
	pm_remove(&pm, pm_key(as->id, PM_LEVEL_PAGE, va));
	mica_frame_unmap(f);
	as->tlbi++;
	if (shared) {
		mica_cnode_delete(SLOT_INIT_CNODE, f);
		alloc_slot_free(f);
	} else {
		alloc_frame_free(f);
	}
	find(as, LAST_TABLE, va)->count--;
	tables_trim(as, va);
}

/* vma_unmap_fn: frees the resident pages of a piece about to be removed. */
static void unmap_piece(void *ctx, const struct vma *v, uint64_t start, uint64_t length)
{
	struct aspace *as = ctx;
	uint64_t end = start + length, pages = 0;
	bool shared = aspace_is_shm(v);
	cptr_t f;
	for (uint64_t va = next_resident(as, start, end, &f); va < end;
	     va = next_resident(as, va + PAGE_SIZE, end, &f), pages++)
		page_remove(as, va, f, shared);
	if (shared)
		shm_unmapped(v->user, pages);
}

bool aspace_is_shm(const struct vma *v)
{
	return v->kind == VMA_SHARED && v->user >= ASPACE_SHM_USER;
}

int aspace_map_shared(struct aspace *as, uint64_t start, unsigned pages, unsigned rights,
		      uint64_t user, const cptr_t *frames)
{
	uint64_t length = pages * PAGE_SIZE;
	if (vma_count(&as->vmas) >= ASPACE_VMAS_MAX)
		return E_NOMEM;
	int err = vma_map(&as->vmas, start, length, rights, VMA_SHARED, VMA_EAGER, 0, user);
	as->shm_ever = true;
	/* Invariant: pages [0, i) are resident, each through its own copy. */
	for (unsigned i = 0; !err && i < pages; i++) {
		err = page_install_copy(as, start + i * PAGE_SIZE, rights, frames[i]);
		if (err)
			vma_unmap(&as->vmas, start, length, unmap_piece, as); /* back to before */
	}
	return err;
}

int aspace_fill_page(struct aspace *as, const struct vma *v, uint64_t va)
{
	return page_install(as, va, v->rights, NULL, NULL);
}

cptr_t aspace_page(const struct aspace *as, uint64_t va)
{
	struct pm_entry *e = find(as, PM_LEVEL_PAGE, va);
	return e ? e->slot : 0;
}

int aspace_refresh_page(struct aspace *as, uint64_t va, unsigned rights)
{
	cptr_t f = aspace_page(as, va);
	if (!f)
		return E_NOTMAPPED;
	as->tlbi++;
	return mica_frame_remap(f, aspace_kernel_rights(rights));
}

int aspace_map(struct aspace *as, uint64_t start, uint64_t length, unsigned rights, unsigned kind,
	       unsigned backing, unsigned guard_pages, uint64_t user, aspace_fill_fn fill,
	       void *ctx)
{
	if (vma_count(&as->vmas) >= ASPACE_VMAS_MAX)
		return E_NOMEM;
	int err = vma_map(&as->vmas, start, length, rights, kind, backing, guard_pages, user);
	if (err || backing != VMA_EAGER)
		return err;
	uint64_t pages = length / PAGE_SIZE - guard_pages, tlbi = as->tlbi;
	if (pages > as->quota || aspace_charged(as) > as->quota - pages) {
		vma_unmap(&as->vmas, start, length, unmap_piece, as); /* nothing is resident */
		return E_NOMEM; /* beyond the quota even without tables: no work done */
	}
	/* Invariant: every page of [start + guard, va) is resident. */
	for (uint64_t va = start + guard_pages * PAGE_SIZE; va < start + length; va += PAGE_SIZE) {
		err = page_install(as, va, rights, fill, ctx);
		if (err) {
			vma_unmap(&as->vmas, start, length, unmap_piece, as); /* back to before */
			as->tlbi = tlbi; /* nothing any thread saw: the request changed nothing */
			return err;
		}
	}
	return E_OK;
}

int aspace_unmap(struct aspace *as, uint64_t start, uint64_t length)
{
	return vma_unmap(&as->vmas, start, length, unmap_piece, as);
}

int aspace_protect(struct aspace *as, uint64_t start, uint64_t length, unsigned rights)
{
	int err = vma_protect(&as->vmas, start, length, rights);
	if (err)
		return err;
	uint64_t end = start + length;
	cptr_t f;
	for (uint64_t va = next_resident(as, start, end, &f); va < end;
	     va = next_resident(as, va + PAGE_SIZE, end, &f)) {
		mica_frame_remap(f, aspace_kernel_rights(rights));
		as->tlbi++;
	}
	return E_OK;
}

/* Makes entries for every id below `end` (a multiple of BLOCK). Returns 0 or E_NOMEM. */
static int grow_to(uint32_t end)
{
	if (end > ASPACE_ID_LIMIT)
		end = ASPACE_ID_LIMIT;
	for (uint32_t b = id_end / BLOCK; b < end / BLOCK; b++) {
		struct aspace *entries = meta_alloc(BLOCK * sizeof(*entries));
		if (!entries)
			return E_NOMEM; /* the blocks made so far stay, unused */
		for (unsigned i = 0; i < BLOCK; i++)
			entries[i].id = (uint16_t)(b * BLOCK + i);
		blocks[b] = entries;
		id_end = (b + 1) * BLOCK;
	}
	return E_OK;
}

int aspace_init(uint64_t frames)
{
	/* Every entry is a resident page or a table, each a frame: load 1/2 with all of RAM. */
	uint32_t capacity = PAGEMAP_MIN;
	while (capacity < PAGEMAP_MAX && capacity < 2 * frames)
		capacity *= 2;
	struct pm_entry *storage = meta_alloc((uint64_t)capacity * sizeof(*storage));
	if (!storage)
		return E_NOMEM;
	vma_pool_init(&vma_pool, vma_nodes, ASPACE_VMA_NODES);
	pm_init(&pm, storage, capacity);
	return grow_to(SPAN_MIN);
}

void aspace_set_live_max(uint64_t max)
{
	live_max = max && max < ASPACE_ID_LIMIT ? max : ASPACE_DEFAULT_LIVE_MAX;
}

uint64_t aspace_live_max(void)
{
	return live_max;
}

uint64_t aspace_id_end(void)
{
	return id_end;
}

struct aspace *aspace_entry(uint64_t id)
{
	if (id == 0 || id >= id_end || blocks[id / BLOCK][id % BLOCK].state == AS_FREE)
		return NULL;
	return &blocks[id / BLOCK][id % BLOCK];
}

struct aspace *aspace_get(uint64_t id)
{
	struct aspace *as = aspace_entry(id);
	return as && as->state == AS_LIVE ? as : NULL;
}

/*
 * The next id to use: cycling through all of them delays reuse as long as possible. When
 * every id below id_end is live, the table doubles and the cycle goes on into the new ids.
 */
static struct aspace *free_entry(void)
{
	for (unsigned n = 0; n < id_end - 1; n++) {
		struct aspace *as = &blocks[next_id / BLOCK][next_id % BLOCK];
		next_id = next_id == id_end - 1 ? 1 : next_id + 1;
		if (as->state != AS_LIVE)
			return as;
	}
	uint32_t first = id_end;
	if (first >= ASPACE_ID_LIMIT || grow_to(2 * first))
		return NULL;
	next_id = first == ASPACE_ID_LIMIT - 1 ? 1 : first + 1;
	return &blocks[first / BLOCK][first % BLOCK];
}

int aspace_create(uint64_t quota, struct aspace **out)
{
	if (live_count >= live_max)
		return E_NOMEM;
	struct aspace *as = free_entry();
	if (!as)
		return E_NOMEM;
	cptr_t vs;
	uint64_t asid;
	int err = alloc_vspace(&vs, &asid);
	if (err)
		return err;
	uint16_t id = as->id;
	memset(as, 0, sizeof(*as));
	as->id = id;
	as->state = AS_LIVE;
	as->vspace = vs;
	as->asid = asid;
	as->quota = quota ? quota : ASPACE_DEFAULT_QUOTA;
	vma_tree_init(&as->vmas, &vma_pool, count_resident, as);
	created++;
	live_count++;
	*out = as;
	return E_OK;
}

void aspace_destroy(struct aspace *as)
{
	debug_plant_forget(as); /* tables and records as memsrv made them, first */
	vma_unmap(&as->vmas, VMA_USER_MIN, VMA_USER_MAX - VMA_USER_MIN, unmap_piece, as);
	if (as->table_pages || vma_count(&as->vmas))
		printf("memsrv: aspace_destroy: %u left %lu tables, %u VMAs\n", as->id,
		       (unsigned long)as->table_pages, vma_count(&as->vmas));
	alloc_vspace_free(as->vspace, as->asid);
	as->vspace = 0;
	as->state = as->proc.present ? AS_DEAD : AS_FREE;
	live_count--;
}

struct aspace_totals aspace_totals(void)
{
	struct aspace_totals t = { .created = created };
	for (unsigned i = 1; i < id_end; i++) {
		const struct aspace *as = &blocks[i / BLOCK][i % BLOCK];
		if (as->state != AS_LIVE)
			continue;
		t.live++;
		t.resident += vma_resident(&as->vmas);
		t.table_pages += as->table_pages;
		t.processes += as->proc.present;
	}
	return t;
}
