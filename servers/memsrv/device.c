/*
 * Carving one frame at an exact address out of a device untyped. The kernel places objects at
 * the untyped's watermark rounded up to their size, starting at offset 0; so to reach offset
 * `off`, memsrv first retypes one "filler" untyped per set bit of `off`, largest first (each
 * lands exactly at the watermark, which is a multiple of every larger bit), then the frame,
 * which lands at `off`. The fillers are deleted afterwards: the frame alone keeps the
 * watermark where it is.
 */
#include "device.h"

#include <mica/errors.h>
#include <mica/objects.h>
#include <mica_invoke.h>

#include "alloc.h"

#define PAGE_BITS    12
#define MAX_FRAMES   4
#define FILLERS_MAX  64
#define UNTYPED_BITS 64

static const struct bootinfo *boot;
static struct {
	uint64_t paddr;
	cptr_t frame;
	cptr_t untyped;
} made[MAX_FRAMES];
static unsigned made_count;

void device_init(const struct bootinfo *bi)
{
	boot = bi;
}

/* The device untyped covering paddr: its slot and offset into it. Returns false if none. */
static bool find_untyped(uint64_t paddr, cptr_t *slot, uint64_t *offset)
{
	uint64_t n = boot->untyped.end - boot->untyped.start;
	for (uint64_t i = 0; i < n && i < BOOTINFO_MAX_UNTYPED; i++) {
		const struct untyped_desc *u = &boot->untyped_list[i];
		uint64_t size = 1ull << u->size_bits;
		if (u->is_device && paddr >= u->paddr && paddr - u->paddr < size) {
			*slot = boot->untyped.start + i;
			*offset = paddr - u->paddr;
			return true;
		}
	}
	return false;
}

/* Retypes one object from `ut` into a new slot of memsrv's CNode. */
static int retype_one(cptr_t ut, unsigned type, unsigned size_bits, cptr_t *out)
{
	cptr_t slot = alloc_slot();
	if (!slot)
		return E_NOMEM;
	int err = mica_untyped_retype(ut, type, size_bits, SLOT_INIT_CNODE, slot, 1);
	if (err) {
		alloc_slot_free(slot);
		return err;
	}
	*out = slot;
	return E_OK;
}

/* Deletes n capabilities of memsrv's CNode and frees their slots. */
static void drop_all(cptr_t *slots, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		mica_cnode_delete(SLOT_INIT_CNODE, slots[i]);
		alloc_slot_free(slots[i]);
	}
}

/* The frame at `offset` of the fresh device untyped `ut`. */
static int carve(cptr_t ut, uint64_t offset, cptr_t *frame)
{
	cptr_t fillers[FILLERS_MAX];
	unsigned n = 0;
	int err = E_OK;
	/* Invariant: the watermark is offset's bits above b, all of them covered by fillers. */
	for (int b = UNTYPED_BITS - 1; b >= PAGE_BITS && !err; b--) {
		if (!(offset & (1ull << b)))
			continue;
		err = retype_one(ut, OBJ_UNTYPED, (unsigned)b, &fillers[n]);
		if (!err)
			n++;
	}
	if (!err)
		err = retype_one(ut, OBJ_FRAME_4K, 0, frame);
	drop_all(fillers, n);
	return err;
}

/* The untyped's entry in made[], if it gave a frame already. */
static int find_made(cptr_t ut)
{
	for (unsigned i = 0; i < made_count; i++) {
		if (made[i].untyped == ut)
			return (int)i;
	}
	return -1;
}

int device_frame(uint64_t paddr, cptr_t *out)
{
	cptr_t ut;
	uint64_t offset;
	if (paddr % (1ull << PAGE_BITS))
		return E_ALIGN;
	if (!boot || !find_untyped(paddr, &ut, &offset))
		return E_INVAL;
	int i = find_made(ut);
	if (i >= 0) {
		if (made[i].paddr != paddr)
			return E_BUSY;
		*out = made[i].frame;
		return E_OK;
	}
	if (made_count == MAX_FRAMES)
		return E_NOMEM;
	int err = carve(ut, offset, out);
	if (err)
		return err;
	made[made_count].paddr = paddr;
	made[made_count].frame = *out;
	made[made_count].untyped = ut;
	made_count++;
	return E_OK;
}
