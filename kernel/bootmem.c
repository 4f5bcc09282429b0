#include "bootmem.h"

#include <stddef.h>

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}
static uint64_t align_down(uint64_t v, uint64_t a)
{
	return v & ~(a - 1);
}

/* True if [base, base+size) is non-empty and its end fits in 64 bits. */
static bool range_ok(uint64_t base, uint64_t size)
{
	return size != 0 && base + size > base;
}

void bootmem_init(struct bootmem *bm)
{
	bm->n_ram = 0;
	bm->n_reserved = 0;
	bm->n_free = 0;
	bm->n_device = 0;
}

/* Adds [base, base+size) minus the device windows from index `i` on. */
static int add_ram_outside(struct bootmem *bm, uint64_t base, uint64_t size, int i)
{
	int err = 0;
	for (; i < bm->n_device && size; i++) {
		uint64_t wb = bm->device[i].base, we = wb + bm->device[i].size, end = base + size;
		if (we <= base || wb >= end)
			continue;
		if (wb > base)
			err = add_ram_outside(bm, base, wb - base, i + 1);
		base = we < end ? we : end;
		size = end - base;
	}
	int last = size ? bootmem_add_ram(bm, base, size) : 0;
	return err ? err : last;
}

int bootmem_add_ram_outside_devices(struct bootmem *bm, uint64_t base, uint64_t size)
{
	if (size == 0 || base + size < base)
		return BOOTMEM_ERR_RANGE;
	return add_ram_outside(bm, base, size, 0);
}

int bootmem_add_device(struct bootmem *bm, uint64_t base, uint64_t size)
{
	if (size == 0 || base + size < base)
		return BOOTMEM_ERR_RANGE;
	if (bm->n_device >= BOOTMEM_MAX_DEVICE)
		return BOOTMEM_ERR_FULL;
	bm->device[bm->n_device++] = (struct bootmem_range){ base, size, "device window" };
	return 0;
}

/* Inserts a free range keeping the array sorted by base. Returns 0 or BOOTMEM_ERR_FULL. */
static int free_insert(struct bootmem *bm, uint64_t base, uint64_t size)
{
	if (bm->n_free == BOOTMEM_MAX_FREE)
		return BOOTMEM_ERR_FULL;
	int i = bm->n_free;
	while (i > 0 && bm->free[i - 1].base > base) {
		bm->free[i] = bm->free[i - 1];
		i--;
	}
	bm->free[i] = (struct bootmem_range){ base, size, NULL };
	bm->n_free++;
	return 0;
}

static void free_remove(struct bootmem *bm, int i)
{
	for (; i + 1 < bm->n_free; i++)
		bm->free[i] = bm->free[i + 1];
	bm->n_free--;
}

/*
 * Removes [lo, hi) (page-aligned) from the free ranges. May split one range in two, so it
 * checks for room first and fails without changing anything if there is none.
 */
static int free_subtract(struct bootmem *bm, uint64_t lo, uint64_t hi)
{
	for (int i = 0; i < bm->n_free; i++) {
		uint64_t b = bm->free[i].base, e = b + bm->free[i].size;
		if (lo > b && hi < e && bm->n_free == BOOTMEM_MAX_FREE)
			return BOOTMEM_ERR_FULL;
	}
	/* Invariant: free[0..i) no longer intersect [lo, hi). */
	for (int i = 0; i < bm->n_free;) {
		struct bootmem_range *r = &bm->free[i];
		uint64_t b = r->base, e = b + r->size;
		if (hi <= b || lo >= e) {
			i++;
		} else if (lo <= b && hi >= e) {
			free_remove(bm, i);
		} else if (lo <= b) {
			r->base = hi;
			r->size = e - hi;
			i++;
		} else if (hi >= e) {
			r->size = lo - b;
			i++;
		} else {
			r->size = lo - b;
			free_insert(bm, hi, e - hi); /* room checked above */
			i += 2;
		}
	}
	return 0;
}

int bootmem_add_ram(struct bootmem *bm, uint64_t base, uint64_t size)
{
	if (!range_ok(base, size))
		return BOOTMEM_ERR_RANGE;
	for (int i = 0; i < bm->n_ram; i++) {
		const struct bootmem_range *r = &bm->ram[i];
		if (base < r->base + r->size && r->base < base + size)
			return BOOTMEM_ERR_RANGE;
	}
	if (bm->n_ram == BOOTMEM_MAX_RAM)
		return BOOTMEM_ERR_FULL;
	uint64_t lo = align_up(base, BOOTMEM_PAGE);
	uint64_t hi = align_down(base + size, BOOTMEM_PAGE);
	if (lo >= base && lo < hi) {
		int err = free_insert(bm, lo, hi - lo);
		if (err)
			return err;
	}
	bm->ram[bm->n_ram++] = (struct bootmem_range){ base, size, "ram" };
	return 0;
}

/* Index of the reservation by `what` that ends at `lo` (so it can grow), or -1. */
static int mergeable_reservation(const struct bootmem *bm, uint64_t lo, const char *what)
{
	for (int i = 0; i < bm->n_reserved; i++) {
		const struct bootmem_range *r = &bm->reserved[i];
		if (r->what == what && r->base + r->size == lo)
			return i;
	}
	return -1;
}

int bootmem_reserve(struct bootmem *bm, uint64_t base, uint64_t size, const char *what)
{
	if (!range_ok(base, size))
		return BOOTMEM_ERR_RANGE;
	uint64_t lo = align_down(base, BOOTMEM_PAGE);
	uint64_t hi = align_up(base + size, BOOTMEM_PAGE);
	if (hi < base + size) /* the last page reaches 2^64 */
		hi = align_down(UINT64_MAX, BOOTMEM_PAGE);
	/* Consecutive allocations for the same purpose share one entry. */
	int merge = mergeable_reservation(bm, lo, what);
	if (merge < 0 && bm->n_reserved == BOOTMEM_MAX_RESERVED)
		return BOOTMEM_ERR_FULL;
	int err = free_subtract(bm, lo, hi);
	if (err)
		return err;
	if (merge >= 0)
		bm->reserved[merge].size += hi - lo;
	else
		bm->reserved[bm->n_reserved++] = (struct bootmem_range){ lo, hi - lo, what };
	return 0;
}

uint64_t bootmem_alloc(struct bootmem *bm, uint64_t size, uint64_t align, const char *what)
{
	if (size == 0 || align < BOOTMEM_PAGE || (align & (align - 1)))
		return 0;
	if (size > UINT64_MAX - BOOTMEM_PAGE)
		return 0;
	size = align_up(size, BOOTMEM_PAGE);
	for (int i = 0; i < bm->n_free; i++) {
		const struct bootmem_range *r = &bm->free[i];
		uint64_t b = align_up(r->base, align);
		if (b < r->base || b - r->base >= r->size || r->size - (b - r->base) < size)
			continue;
		if (bootmem_reserve(bm, b, size, what) != 0)
			return 0;
		return b;
	}
	return 0;
}

uint64_t bootmem_ram_bytes(const struct bootmem *bm)
{
	uint64_t n = 0;
	for (int i = 0; i < bm->n_ram; i++)
		n += bm->ram[i].size;
	return n;
}

uint64_t bootmem_free_bytes(const struct bootmem *bm)
{
	uint64_t n = 0;
	for (int i = 0; i < bm->n_free; i++)
		n += bm->free[i].size;
	return n;
}

bool bootmem_is_free(const struct bootmem *bm, uint64_t base, uint64_t size)
{
	for (int i = 0; i < bm->n_free; i++) {
		const struct bootmem_range *r = &bm->free[i];
		if (base >= r->base && size <= r->size && base - r->base <= r->size - size)
			return true;
	}
	return false;
}
