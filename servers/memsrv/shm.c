/* Shared memory regions (shm.h). */
#include "shm.h"

#include <mica/errors.h>
#include <mica/memsrv.h>
#include <mica_invoke.h>
#include <stdbool.h>

#include "alloc.h"
#include "layout.h"
#include "objects.h"

#define SHM_MAX 64 /* regions of every process together */

struct share {
	uint16_t as;
	uint8_t prot;
};

struct region {
	bool used, released;
	uint16_t owner;
	uint16_t gen; /* bumped when the region is freed, so old handles fail */
	uint8_t max_prot;
	unsigned pages;
	uint64_t mapped; /* pages mapped in all address spaces */
	cptr_t frames[MEMSRV_SHM_PAGES_MAX];
	struct share shares[MEMSRV_SHM_SHARES_MAX];
	unsigned nshares;
};

static struct region regions[SHM_MAX];

/* The handle of region i: its generation above its index + 1. */
static uint64_t handle_of(unsigned i)
{
	return (uint64_t)regions[i].gen << 8 | (i + 1);
}

/* The live region `h` names, or NULL. */
static struct region *region_of(uint64_t h)
{
	uint64_t i = (h & 0xff) - 1;
	if ((h & 0xff) == 0 || i >= SHM_MAX || h >> 24)
		return NULL;
	struct region *r = &regions[i];
	return r->used && !r->released && r->gen == (uint16_t)(h >> 8) ? r : NULL;
}

/* Rights as for MEMSRV_MAP: E_INVAL (unknown bits or no R), E_WX. */
static int check_prot(uint64_t prot)
{
	if (prot & ~(uint64_t)(MEMSRV_PROT_R | MEMSRV_PROT_W | MEMSRV_PROT_X))
		return E_INVAL;
	if ((prot & MEMSRV_PROT_W) && (prot & MEMSRV_PROT_X))
		return E_WX;
	return (prot & MEMSRV_PROT_R) ? E_OK : E_INVAL;
}

/* Gives back the frames of a region nobody maps or holds. */
static void region_free(struct region *r)
{
	for (unsigned i = 0; i < r->pages; i++)
		alloc_frame_free(r->frames[i]);
	r->used = false;
	r->gen++;
}

void shm_mapped(uint64_t user, uint64_t pages)
{
	if (user >= ASPACE_SHM_USER && user - ASPACE_SHM_USER < SHM_MAX)
		regions[user - ASPACE_SHM_USER].mapped += pages;
}

void shm_unmapped(uint64_t user, uint64_t pages)
{
	if (user < ASPACE_SHM_USER || user - ASPACE_SHM_USER >= SHM_MAX)
		return;
	struct region *r = &regions[user - ASPACE_SHM_USER];
	r->mapped -= pages;
	if (r->released && r->mapped == 0)
		region_free(r);
}

/* The creator gives the region up: its charge goes; the frames go with the last mapping. */
static void region_release(struct region *r)
{
	struct aspace *owner = aspace_get(r->owner);
	if (owner)
		owner->shm_pages -= r->pages;
	r->released = true;
	r->nshares = 0;
	if (r->mapped == 0)
		region_free(r);
}

void shm_forget(struct aspace *as)
{
	for (unsigned i = 0; i < SHM_MAX; i++) {
		struct region *r = &regions[i];
		if (!r->used || r->released)
			continue;
		if (r->owner == as->id) {
			region_release(r);
			continue;
		}
		for (unsigned k = 0; k < r->nshares; k++)
			if (r->shares[k].as == as->id)
				r->shares[k--] = r->shares[--r->nshares];
	}
}

void shm_totals(uint64_t *count, uint64_t *frames)
{
	*count = *frames = 0;
	for (unsigned i = 0; i < SHM_MAX; i++) {
		*count += regions[i].used;
		*frames += regions[i].used ? regions[i].pages : 0;
	}
}

/* Allocates and zeroes the frames of r; all or nothing. */
static int region_fill(struct region *r)
{
	for (unsigned i = 0; i < r->pages; i++) {
		bool dirty;
		int err = alloc_frame(&r->frames[i], &dirty);
		if (!err) {
			err = alloc_frame_prepare(r->frames[i], dirty, NULL, NULL);
			if (err)
				alloc_frame_free(r->frames[i]);
		}
		if (err) {
			while (i--)
				alloc_frame_free(r->frames[i]);
			return err;
		}
	}
	return E_OK;
}

int handle_shm_create(struct call *c)
{
	uint64_t pages = c->rq->w[0], prot = c->rq->w[1];
	struct aspace *as = objects_caller(c->rq);
	if (!as)
		return E_STATE;
	if (pages == 0 || pages > MEMSRV_SHM_PAGES_MAX)
		return E_RANGE;
	int err = check_prot(prot);
	if (err)
		return err;
	if (aspace_charged(as) + pages > as->quota)
		return E_NOMEM;
	unsigned i = 0;
	while (i < SHM_MAX && regions[i].used)
		i++;
	if (i == SHM_MAX)
		return E_NOMEM;
	struct region *r = &regions[i];
	r->pages = (unsigned)pages;
	err = region_fill(r);
	if (err)
		return err;
	r->used = true;
	r->released = false;
	r->owner = as->id;
	r->max_prot = (uint8_t)prot;
	r->mapped = 0;
	r->nshares = 0;
	as->shm_pages += pages;
	call_put(c, handle_of(i));
	return E_OK;
}

/* The share entry of `id` in r, or NULL. */
static struct share *share_of(struct region *r, unsigned id)
{
	for (unsigned k = 0; k < r->nshares; k++)
		if (r->shares[k].as == id)
			return &r->shares[k];
	return NULL;
}

int handle_shm_share(struct call *c)
{
	const uint64_t *w = c->rq->w;
	struct aspace *as = objects_caller(c->rq);
	if (!as)
		return E_STATE;
	struct region *r = region_of(w[0]);
	if (!r)
		return E_INVAL;
	if (r->owner != as->id)
		return E_RIGHTS;
	if (w[1] == 0 || w[1] == as->id)
		return E_INVAL;
	if (w[1] >= ASPACE_ID_LIMIT)
		return E_RANGE;
	struct aspace *to = aspace_get(w[1]);
	if (!to || !to->proc.present)
		return E_INVAL;
	int err = check_prot(w[2]);
	if (err)
		return err;
	if (w[2] & ~(uint64_t)r->max_prot)
		return E_RIGHTS;
	struct share *s = share_of(r, to->id);
	if (!s && r->nshares == MEMSRV_SHM_SHARES_MAX)
		return E_NOMEM;
	if (!s)
		s = &r->shares[r->nshares++];
	s->as = to->id;
	s->prot = (uint8_t)w[2];
	return E_OK;
}

/* The rights `as` may map r with, or 0 if none. */
static unsigned allowed(struct region *r, const struct aspace *as)
{
	if (as->id == r->owner)
		return r->max_prot;
	struct share *s = share_of(r, as->id);
	return s ? s->prot : 0;
}

/* Whether [addr, addr + length) overlaps the probe window. */
static bool in_probe_window(uint64_t addr, uint64_t length)
{
	uint64_t lo = MEMSRV_PROBE_BASE, hi = MEMSRV_PROBE_BASE + MEMSRV_PROBE_SIZE;
	return addr < hi && (addr + length > lo || addr + length < addr);
}

int handle_shm_map(struct call *c)
{
	const uint64_t *w = c->rq->w;
	uint64_t addr = w[2], prot = w[3];
	struct region *r = region_of(w[1]);
	if (!r || !c->as->proc.present || c->as->proc.state != MEMSRV_PS_RUNNING)
		return E_INVAL;
	int err = check_prot(prot);
	if (err)
		return err;
	unsigned may = allowed(r, c->as);
	if (!may || (prot & ~(uint64_t)may))
		return E_RIGHTS;
	uint64_t length = r->pages * PAGE_SIZE;
	if (addr && in_probe_window(addr, length))
		return E_RANGE;
	if (!addr)
		err = layout_place(&c->as->vmas, length, LAYOUT_MMAP, &addr);
	if (!err)
		err = aspace_map_shared(c->as, addr, r->pages, (unsigned)prot,
					ASPACE_SHM_USER + (uint64_t)(r - regions), r->frames);
	if (!err)
		call_put(c, addr);
	return err;
}

int handle_shm_release(struct call *c)
{
	struct aspace *as = objects_caller(c->rq);
	if (!as)
		return E_STATE;
	struct region *r = region_of(c->rq->w[0]);
	if (!r)
		return E_INVAL;
	if (r->owner != as->id)
		return E_RIGHTS;
	region_release(r);
	return E_OK;
}
