/*
 * Planted disagreements. A plant changes one page's mapping in the kernel with the same
 * invocations memsrv itself uses (FRAME_REMAP, FRAME_UNMAP, FRAME_MAP of another frame) and
 * records what it did, so that it can be undone exactly; memsrv's own records (the page map,
 * the VMA tree, the counters) are never touched, which is the disagreement the audit must
 * report.
 */
#include "debug.h"

#include <mica/errors.h>
#include <mica/memsrv.h>
#include <mica/objects.h>
#include <mica_invoke.h>

#include "alloc.h"
#include "probe.h"

static struct {
	const struct aspace *as; /* NULL: no plant */
	uint64_t va;
	unsigned what;
	unsigned rights; /* the VMA's rights (VMA_*) when planted */
	cptr_t frame;    /* memsrv's frame of the page */
	cptr_t other;    /* MEMSRV_PLANT_SWAP: the frame mapped in its place */
} plant;

/* Maps a fresh or pooled frame at va in place of `frame`. */
static int swap_in(struct aspace *as, uint64_t va, cptr_t frame, unsigned rights, cptr_t *out)
{
	cptr_t other;
	bool dirty;
	int err = alloc_frame(&other, &dirty);
	if (!err)
		err = alloc_frame_prepare(other, dirty, NULL, NULL);
	if (err)
		return err;
	mica_frame_unmap(frame);
	err = mica_frame_map(other, as->vspace, va, aspace_kernel_rights(rights));
	if (err) {
		mica_frame_map(frame, as->vspace, va, aspace_kernel_rights(rights));
		alloc_frame_free(other);
		return err;
	}
	*out = other;
	return E_OK;
}

/* Puts back what the active plant changed. */
static void undo(void)
{
	unsigned r = aspace_kernel_rights(plant.rights);
	switch (plant.what) {
	case MEMSRV_PLANT_RIGHTS:
		mica_frame_remap(plant.frame, r);
		break;
	case MEMSRV_PLANT_UNMAP:
		mica_frame_map(plant.frame, plant.as->vspace, plant.va, r);
		break;
	default: /* MEMSRV_PLANT_SWAP */
		mica_frame_unmap(plant.other);
		alloc_frame_free(plant.other);
		mica_frame_map(plant.frame, plant.as->vspace, plant.va, r);
		break;
	}
	plant.as = NULL;
}

/* Checks a new plant's arguments; *frame and *v get the page's frame and VMA. */
static int check_new(const struct aspace *as, uint64_t va, unsigned what, cptr_t *frame,
		     const struct vma **v)
{
	if (what > MEMSRV_PLANT_SWAP)
		return E_INVAL;
	if (plant.as || as->proc.present || probe_location() == as->id)
		return E_BUSY; /* nothing may run on the wrong page */
	if (va & (PAGE_SIZE - 1))
		return E_ALIGN;
	*frame = aspace_page(as, va);
	*v = vma_find(&as->vmas, va);
	if (!*frame || !*v)
		return E_NOTMAPPED;
	if (what == MEMSRV_PLANT_RIGHTS && ((*v)->rights & VMA_W))
		return E_INVAL;
	return E_OK;
}

int debug_plant(struct aspace *as, uint64_t va, unsigned what)
{
	if (what == MEMSRV_PLANT_UNDO) {
		if (plant.as != as)
			return E_STATE;
		undo();
		return E_OK;
	}
	cptr_t frame, other = 0;
	const struct vma *v;
	int err = check_new(as, va, what, &frame, &v);
	if (err)
		return err;
	if (what == MEMSRV_PLANT_RIGHTS)
		err = mica_frame_remap(frame, RIGHT_READ | RIGHT_WRITE);
	else if (what == MEMSRV_PLANT_UNMAP)
		err = mica_frame_unmap(frame);
	else
		err = swap_in(as, va, frame, v->rights, &other);
	if (err)
		return err;
	plant.as = as;
	plant.va = va;
	plant.what = what;
	plant.rights = v->rights;
	plant.frame = frame;
	plant.other = other;
	return E_OK;
}

bool debug_planted(const struct aspace *as)
{
	return plant.as == as;
}

void debug_plant_forget(const struct aspace *as)
{
	if (plant.as == as)
		undo();
}
