/*
 * Untyped memory: UNTYPED_RETYPE, and the untyped capabilities made at boot.
 *
 * An untyped capability names a naturally aligned block of 2^size_bits bytes of physical
 * memory and a watermark (free_index): the bytes below it may hold objects. Retype places
 * new objects at the watermark, each naturally aligned, and raises it. When the untyped has
 * no children left (after CNODE_REVOKE on it) the watermark restarts at 0: the memory is
 * reusable, as in seL4. Device untypeds cover MMIO; they only become frames or smaller
 * device untypeds, and their memory is never written by the kernel.
 * docs/kernel-api-untyped.md describes the invocation and its errors.
 */
#include <mica/bootinfo.h>
#include <mica/errors.h>
#include <mica/invocation.h>
#include <mica/objects.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "arch.h"
#include "bootmem.h"
#include "console.h"
#include "object/cspace.h"
#include "object/invocation.h"
#include "object/tcb.h"
#include "object/untyped.h"
#include "object/untyped_math.h"

#ifdef HOST_TEST
/* Host unit tests (tests/unit/test_untyped.c) back physical memory with a buffer. */
void *test_phys_to_virt(uint64_t pa);
#define phys_to_virt test_phys_to_virt
#endif

#define RETYPE_MAX_COUNT    256
#define MAX_RESERVED_DEVICE 8
#define FRAME_RIGHTS        (RIGHT_READ | RIGHT_WRITE | RIGHT_EXEC)

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

int object_size_bits(unsigned type, unsigned size_bits)
{
	switch (type) {
	case OBJ_UNTYPED:
		if (size_bits < UNTYPED_MIN_BITS || size_bits > UNTYPED_MAX_BITS)
			return -1;
		return (int)size_bits;
	case OBJ_CNODE:
		if (size_bits < CNODE_MIN_RADIX || size_bits > CNODE_MAX_RADIX)
			return -1;
		return (int)(size_bits + CNODE_SLOT_BITS);
	case OBJ_TCB:
		return TCB_SIZE_BITS;
	case OBJ_ENDPOINT:
		return ENDPOINT_SIZE_BITS;
	case OBJ_NOTIFICATION:
		return NOTIFICATION_SIZE_BITS;
	case OBJ_FRAME_4K:
		return FRAME_4K_BITS;
	case OBJ_FRAME_2M:
		return FRAME_2M_BITS;
	case OBJ_PAGE_TABLE:
	case OBJ_VSPACE:
		return PAGE_TABLE_BITS;
	default:
		return -1;
	}
}

int untyped_fit(uint64_t untyped_bits, uint64_t free_index, unsigned obj_bits, unsigned count,
		uint64_t *first_offset)
{
	if (untyped_bits >= 64 || obj_bits > untyped_bits)
		return E_NOMEM;
	uint64_t size = (uint64_t)1 << untyped_bits;
	if (free_index > size)
		return E_NOMEM;
	/* size is a multiple of 2^obj_bits and free_index <= size <= 2^63: start <= size. */
	uint64_t start = align_up(free_index, (uint64_t)1 << obj_bits);
	if (count > (size - start) >> obj_bits)
		return E_NOMEM;
	*first_offset = start;
	return E_OK;
}

/* Number of trailing zero bits of v; 64 for 0. */
static unsigned low_zero_bits(uint64_t v)
{
	return v ? (unsigned)__builtin_ctzll(v) : 64;
}

/* floor(log2(v)) for v != 0. */
static unsigned log2_floor(uint64_t v)
{
	return 63 - (unsigned)__builtin_clzll(v);
}

void untyped_split(uint64_t base, uint64_t size, unsigned max_bits, untyped_block_fn emit,
		   void *ctx)
{
	/* Invariant: [original base, base) has been emitted; size bytes remain. */
	while (size) {
		unsigned bits = low_zero_bits(base);
		if (bits > log2_floor(size))
			bits = log2_floor(size);
		if (bits > max_bits)
			bits = max_bits;
		emit(ctx, base, bits);
		base += (uint64_t)1 << bits;
		size -= (uint64_t)1 << bits;
	}
}

/* A retype request that passed decoding. */
struct retype {
	unsigned type;
	unsigned obj_bits;
	unsigned count;
	uint64_t offset;  /* of the first object from the untyped's start */
	struct cte *dest; /* the first of count consecutive empty slots */
};

/* Checks type, size_bits and count. Returns E_OK and sets r->type, obj_bits and count,
 * or E_INVAL (type) or E_RANGE (size_bits, count). */
static int retype_check_args(uint64_t type, uint64_t size_bits, uint64_t count, struct retype *r)
{
	if (type < OBJ_UNTYPED || type >= OBJ_TYPE_COUNT)
		return E_INVAL;
	/* Clamp before narrowing: 64 is invalid for every variable-size type. */
	int bits = object_size_bits((unsigned)type, size_bits > 64 ? 64 : (unsigned)size_bits);
	if (bits < 0)
		return E_RANGE;
	if (count < 1 || count > RETYPE_MAX_COUNT)
		return E_RANGE;
	r->type = (unsigned)type;
	r->obj_bits = (unsigned)bits;
	r->count = (unsigned)count;
	return E_OK;
}

/* Resolves the destination window: slots index..index+count-1 of the CNode at `cnode`.
 * Returns E_OK and sets r->dest, a lookup error for the CNode or first slot, E_RANGE if
 * the window runs past the CNode's end, or E_DELETE_FIRST if a slot is occupied. */
static int retype_check_dest(struct tcb *caller, cptr_t cnode, uint64_t index, struct retype *r)
{
	struct lookup_ret first = cspace_lookup_index(caller, cnode, index);
	if (first.err != E_OK)
		return first.err;
	/* index < 2^CNODE_MAX_RADIX here, so the sum cannot wrap. */
	struct lookup_ret last = cspace_lookup_index(caller, cnode, index + r->count - 1);
	if (last.err != E_OK)
		return E_RANGE;
	if (last.slot != first.slot + (r->count - 1))
		panic("retype_check_dest: CNode slots are not contiguous");
	for (unsigned i = 0; i < r->count; i++) {
		if (!cap_is_null(&first.slot[i].cap))
			return E_DELETE_FIRST;
	}
	r->dest = first.slot;
	return E_OK;
}

/* Device memory only becomes frames (mapped uncached by user space) or device untyped. */
static bool device_may_hold(unsigned type)
{
	return type == OBJ_UNTYPED || type == OBJ_FRAME_4K || type == OBJ_FRAME_2M;
}

/* Zeroes and initialises one new object (untyped children and device memory untouched:
 * objects retyped from an untyped child are zeroed then). */
static void retype_init_object(unsigned type, uint64_t paddr, unsigned obj_bits, bool device)
{
	if (device || type == OBJ_UNTYPED)
		return;
	void *va = phys_to_virt(paddr);
	arch_zero_memory(va, (size_t)1 << obj_bits);
	if (type == OBJ_TCB)
		tcb_init(va);
}

/* The capability to a new object of `type` at `paddr`; CNode radix is obj_bits minus the
 * slot size, frames inherit `device`. */
static struct cap retype_make_cap(unsigned type, uint64_t paddr, unsigned obj_bits, bool device)
{
	struct cap c = cap_null();
	c.rights = RIGHTS_ALL;
	switch (type) {
	case OBJ_UNTYPED:
		c.type = CAP_UNTYPED;
		c.u.untyped.paddr = paddr;
		c.u.untyped.size_bits = (uint8_t)obj_bits;
		c.u.untyped.device = device;
		break;
	case OBJ_TCB:
		c.type = CAP_TCB;
		c.u.tcb.tcb = phys_to_virt(paddr);
		break;
	case OBJ_ENDPOINT:
		c.type = CAP_ENDPOINT;
		c.u.endpoint.ep = phys_to_virt(paddr);
		break;
	case OBJ_NOTIFICATION:
		c.type = CAP_NOTIFICATION;
		c.u.notification.ntfn = phys_to_virt(paddr);
		break;
	case OBJ_CNODE:
		c = cap_cnode(phys_to_virt(paddr), obj_bits - CNODE_SLOT_BITS, 0, 0);
		c.rights = RIGHTS_ALL;
		break;
	case OBJ_FRAME_4K:
	case OBJ_FRAME_2M:
		c.type = CAP_FRAME;
		c.rights = FRAME_RIGHTS;
		c.u.frame.paddr = paddr;
		c.u.frame.size_bits = (uint8_t)obj_bits;
		c.u.frame.device = device;
		break;
	case OBJ_PAGE_TABLE:
		c.type = CAP_PAGE_TABLE;
		c.u.page_table.paddr = paddr;
		c.u.page_table.level = 0; /* unmapped: PAGE_TABLE_MAP sets it */
		break;
	case OBJ_VSPACE:
		c.type = CAP_VSPACE;
		c.u.vspace.paddr = paddr;
		break;
	default:
		panic("retype_make_cap: type %u passed decoding", type);
	}
	return c;
}

/* Creates the objects of a decoded request and raises the watermark. Cannot fail. */
static void invoke_untyped_retype(struct cte *ut_slot, const struct retype *r)
{
	struct cap *ut = &ut_slot->cap;
	uint64_t obj_size = (uint64_t)1 << r->obj_bits;
	for (unsigned i = 0; i < r->count; i++) {
		uint64_t paddr = ut->u.untyped.paddr + r->offset + i * obj_size;
		retype_init_object(r->type, paddr, r->obj_bits, ut->u.untyped.device);
		struct cap c = retype_make_cap(r->type, paddr, r->obj_bits, ut->u.untyped.device);
		mdb_insert(ut_slot, &r->dest[i], c);
	}
	ut->u.untyped.free_index = r->offset + r->count * obj_size;
}

/*
 * UNTYPED_RETYPE(type, size_bits, dest_cnode, dest_index, count). Checks, in this order:
 * label (E_LABEL), type (E_INVAL), size_bits (E_RANGE), count (E_RANGE; a short message
 * reads as count 0), the destination CNode and slot (lookup errors), the whole window inside the
 * CNode (E_RANGE), the window empty (E_DELETE_FIRST), device memory only into frames or
 * untyped (E_TYPE), room (E_NOMEM). On success creates the objects; returns E_OK.
 * Requires inv->cap to be an untyped capability held in inv->slot.
 */
int decode_untyped_invocation(struct invocation *inv)
{
	struct retype r;
	if (inv->label != UNTYPED_RETYPE)
		return E_LABEL;
	int err = retype_check_args(inv_arg(inv, 0), inv_arg(inv, 1), inv_arg(inv, 4), &r);
	if (err == E_OK)
		err = retype_check_dest(inv->caller, inv_arg(inv, 2), inv_arg(inv, 3), &r);
	if (err != E_OK)
		return err;
	const struct cap *ut = &inv->slot->cap;
	if (ut->u.untyped.device && !device_may_hold(r.type))
		return E_TYPE;
	/* No children: everything once made from it is gone, so the memory is free again. */
	uint64_t watermark = mdb_has_children(inv->slot) ? ut->u.untyped.free_index : 0;
	err = untyped_fit(ut->u.untyped.size_bits, watermark, r.obj_bits, r.count, &r.offset);
	if (err != E_OK)
		return err;
	invoke_untyped_retype(inv->slot, &r);
	return E_OK;
}

enum { KIND_RAM = 0, KIND_DEVICE = 1 };

/* Boot-time state while untyped capabilities are handed out. */
struct boot_untypeds {
	struct cte *slots;
	uint64_t nslots;
	uint64_t next;  /* next root CNode slot to fill */
	uint64_t first; /* the first one filled */
	struct bootinfo *bi;
	unsigned kind;    /* of the blocks being emitted: KIND_RAM or KIND_DEVICE */
	const char *full; /* what ran out, or NULL */
	uint64_t caps[2], bytes[2], dropped[2]; /* by kind */
};

/* What has run out (for the warning), or NULL if one more untyped fits. */
static const char *boot_room_left(const struct boot_untypeds *b)
{
	if (b->next >= b->nslots)
		return "root CNode slots";
	if (b->next - b->first >= BOOTINFO_MAX_UNTYPED)
		return "boot-info untyped entries";
	return NULL;
}

/* untyped_block_fn: one untyped capability for [base, base + 2^bits), if there is room. */
static void boot_emit(void *ctx, uint64_t base, unsigned bits)
{
	struct boot_untypeds *b = ctx;
	const char *full = boot_room_left(b);
	if (full) {
		b->full = full;
		b->dropped[b->kind] += (uint64_t)1 << bits;
		return;
	}
	bool device = b->kind == KIND_DEVICE;
	mdb_insert(NULL, &b->slots[b->next], retype_make_cap(OBJ_UNTYPED, base, bits, device));
	b->bi->untyped_list[b->next - b->first] =
	    (struct untyped_desc){ .paddr = base, .size_bits = (uint8_t)bits, .is_device = device };
	b->next++;
	b->caps[b->kind]++;
	b->bytes[b->kind] += (uint64_t)1 << bits;
}

/* The arch's reserved device ranges [base, end) clipped to [0, limit), widened to whole
 * pages, sorted by base into lo[]/hi[]. Returns how many. */
static unsigned reserved_device_sorted(uint64_t limit, uint64_t *lo, uint64_t *hi)
{
	uint64_t r[MAX_RESERVED_DEVICE][2];
	unsigned n = arch_reserved_device_ranges(r, MAX_RESERVED_DEVICE);
	if (n > MAX_RESERVED_DEVICE)
		n = MAX_RESERVED_DEVICE;
	/* Insertion sort; invariant: lo[0..i) is sorted. */
	for (unsigned i = 0; i < n; i++) {
		uint64_t base = r[i][0] < limit ? r[i][0] : limit;
		uint64_t end = r[i][1] < limit ? r[i][1] : limit;
		if (end < base)
			end = base;
		unsigned j = i;
		for (; j > 0 && lo[j - 1] > base; j--) {
			lo[j] = lo[j - 1];
			hi[j] = hi[j - 1];
		}
		lo[j] = base & ~(BOOTMEM_PAGE - 1);
		hi[j] = align_up(end, BOOTMEM_PAGE);
	}
	return n;
}

/* Device untypeds for [start, end) (whole pages) minus the kernel's ranges lo[i]..hi[i]
 * (sorted by base). */
static void device_range(struct boot_untypeds *b, uint64_t start, uint64_t end, const uint64_t *lo,
			 const uint64_t *hi, unsigned n)
{
	uint64_t at = align_up(start, BOOTMEM_PAGE); /* invariant: [start, at) is handled */
	end &= ~(BOOTMEM_PAGE - 1);
	for (unsigned i = 0; i <= n && at < end; i++) {
		uint64_t gap_end = i < n && lo[i] < end ? lo[i] : end;
		if (gap_end > at)
			untyped_split(at, gap_end - at, UNTYPED_MAX_BITS, boot_emit, b);
		if (i < n && hi[i] > at)
			at = hi[i];
	}
}

/* Device untypeds for [0, ram_base) and for the device tree's device windows above it, minus
 * what the kernel keeps for itself. */
static void boot_device_untypeds(struct boot_untypeds *b, const struct bootmem *bm,
				 uint64_t ram_base)
{
	uint64_t lo[MAX_RESERVED_DEVICE], hi[MAX_RESERVED_DEVICE];
	unsigned n = reserved_device_sorted(UINT64_MAX, lo, hi);
	b->kind = KIND_DEVICE;
	device_range(b, 0, ram_base, lo, hi, n);
	for (int i = 0; i < bm->n_device; i++) {
		uint64_t base = bm->device[i].base, end = base + bm->device[i].size;
		device_range(b, base > ram_base ? base : ram_base, end, lo, hi, n);
	}
	b->kind = KIND_RAM;
}

/* The lowest RAM address, or 0 if there is no RAM (then there are no device untypeds). */
static uint64_t lowest_ram_base(const struct bootmem *bm)
{
	uint64_t base = UINT64_MAX;
	for (int i = 0; i < bm->n_ram; i++) {
		if (bm->ram[i].base < base)
			base = bm->ram[i].base;
	}
	return bm->n_ram ? base : 0;
}

/*
 * Device untypeds come first: they are few, and the root task needs them to reach its
 * devices; if slots or boot-info entries run out, what is left over is RAM at the top.
 */
void untyped_create_boot_caps(struct bootmem *bm, struct cte *root_slots, uint64_t nslots,
			      uint64_t *next_slot, struct bootinfo *bi)
{
	struct boot_untypeds b = { .slots = root_slots,
				   .nslots = nslots,
				   .next = *next_slot,
				   .first = *next_slot,
				   .bi = bi,
				   .kind = KIND_RAM };
	boot_device_untypeds(&b, bm, lowest_ram_base(bm));
	for (int i = 0; i < bm->n_free; i++)
		untyped_split(bm->free[i].base, bm->free[i].size, UNTYPED_MAX_BITS, boot_emit, &b);
	bm->n_free = 0;
	bi->untyped = (struct slot_range){ b.first, b.next };
	*next_slot = b.next;
	if (b.full)
		kprintf(
		    "untyped: warning: out of %s; %lu KiB RAM and %lu KiB device memory unused\n",
		    b.full, b.dropped[KIND_RAM] >> 10, b.dropped[KIND_DEVICE] >> 10);
	kprintf("untyped: %lu caps, %lu MiB RAM, %lu device caps\n",
		b.caps[KIND_RAM] + b.caps[KIND_DEVICE], b.bytes[KIND_RAM] >> 20,
		b.caps[KIND_DEVICE]);
}
